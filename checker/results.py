"""What the checker found, as data: one `PropertyResult` per property, plus findings.

Writers (`checker/writers/`) only format a `Report`; nothing here knows about output.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

from attrs import frozen

from stepcheck.spec.diagnostics import Diagnostic, Severity, SourceSpan
from stepcheck.spec.model import PropertyKind, Reading, Source
from stepcheck.spec.trace import Trace

__all__ = [
    "BaselineEntry",
    "BaselineState",
    "Bound",
    "Comparison",
    "PropertyResult",
    "Report",
    "Strength",
    "Verdict",
]


class Verdict(Enum):
    PROVED = "proved"
    VIOLATED = "violated"
    UNKNOWN = "unknown"


class Strength(Enum):
    """`unbounded`: for every reachable state; `bounded`: for runs up to `Bound.depth` steps."""

    UNBOUNDED = "unbounded"
    BOUNDED = "bounded"


@frozen(kw_only=True)
class Bound:
    """A proved worst case (`working_days`, `steps`), or the depth a bounded check reached."""

    working_days: int | None = None
    steps: int | None = None
    depth: int | None = None


@frozen(kw_only=True)
class PropertyResult:
    """The verdict on one property of one spec, with its evidence.

    `trace` is set exactly when the verdict is `violated`; it has been replayed in
    the explicit model before it gets here. `should_only` says the property fails
    under the must reading but holds when the should-rules are followed too.
    `vacuous` says it holds because its trigger can never happen. `rules` are the
    spans of the spec elements the evidence involves, for SARIF and editors.
    `dated_from` is the first working day from which the oracle's executor replays
    the trace on the real calendar; its story is dated from there. `assumptions` say,
    in words, what a verdict took for granted (that people meet the deadlines they can,
    how a duration in hours was counted). `when_missed` is a run, for a property proved
    while people comply, in which a deadline or limit is missed and the property fails.
    `subject` names the element a verdict is about when the property covers several
    (the dispute that stays open); `formula` is what a user-written property states, for
    the details (the `summary` says it in words).
    """

    authority: str
    spec: str
    property: str
    kind: PropertyKind
    verdict: Verdict
    summary: str
    reading: Reading = Reading.MUST
    strength: Strength | None = None
    bound: Bound | None = None
    seconds: float = 0.0
    trace: Trace | None = None
    citations: tuple[Source, ...] = ()
    reason: str | None = None
    vacuous: bool = False
    should_only: bool = False
    span: SourceSpan | None = None
    rules: tuple[SourceSpan, ...] = ()
    dated_from: date | None = None
    assumptions: tuple[str, ...] = ()
    when_missed: Trace | None = None
    when_missed_from: date | None = None
    subject: str | None = None
    formula: str | None = None
    options: tuple[str, ...] = ()
    """The command-line options, other than the defaults, the verdict was decided under
    (`--rlimit 1000`, `--depth 40`): its reproduce command repeats them."""


class BaselineState(Enum):
    """A problem against an accepted baseline (SARIF's `baselineState`)."""

    NEW = "new"
    UNCHANGED = "unchanged"
    ABSENT = "absent"


@frozen(kw_only=True)
class BaselineEntry:
    """One accepted problem: a violated or unknown verdict, or a finding.

    `what` is the property id or the finding code; `subject` the element it is about;
    `headline` says it in words, so an absent (fixed) problem can still be named.
    """

    fingerprint: str
    authority: str
    kind: str
    what: str
    subject: str
    headline: str


@frozen(kw_only=True)
class Comparison:
    """A run's problems against a baseline file: each problem's fingerprint is new or
    unchanged (`known` holds the unchanged ones); `absent` are the baseline's problems
    this run no longer has (fixed, or their spec was not checked)."""

    file: str
    known: frozenset[str]
    absent: tuple[BaselineEntry, ...]

    def state(self, fingerprint: str) -> BaselineState:
        return BaselineState.UNCHANGED if fingerprint in self.known else BaselineState.NEW


@frozen(kw_only=True)
class Report:
    """Everything `verify` found over one or more specs.

    `inputs` are the diagnostics of specs that could not be loaded (the others are
    still checked); `baseline` the comparison with accepted
    problems, when one was given; `new_problems` how many problems the baseline does
    not accept, by verdict: filled in by `checker.baseline.compare`.
    """

    results: tuple[PropertyResult, ...]
    findings: tuple[Diagnostic, ...] = ()
    inputs: tuple[Diagnostic, ...] = ()
    baseline: Comparison | None = None
    new_violations: int = 0
    new_unknowns: int = 0
    new_findings: int = 0

    @property
    def exit_code(self) -> int:
        """2 a spec could not be loaded; else 1 some violation, 3 no violation but some
        unknown, 0 all proved. Against a baseline only new problems count, and a new
        finding counts as a violation: the baseline is how findings are accepted."""
        if self.inputs:
            return 2
        if self.baseline is not None:
            if self.new_violations or self.new_findings:
                return 1
            return 3 if self.new_unknowns else 0
        verdicts = {result.verdict for result in self.results}
        if Verdict.VIOLATED in verdicts:
            return 1
        if Verdict.UNKNOWN in verdicts:
            return 3
        return 0

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(finding for finding in self.findings if finding.severity is Severity.WARNING)
