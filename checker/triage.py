"""What matters most: each verdict's and finding's severity for the mission, its
category, a fingerprint that survives edits, and the root cause it shares with others.

`checker.results.Report` + the specs -> here -> every writer. Nothing here decides a
verdict; it ranks what the engines and the catalogue found, so the report, the terminal,
SARIF and markdown all lead with the same few problems.

Severity follows what can happen to a child (spec/README.md, under the finding codes):

- high: a case can be left with nobody responsible; a dispute can stay open for ever (or
  a ladder has no final authority or no tie-break); a case can step down from child
  protection without its meeting; an urgent deadline (a day or less) can be missed;
- medium: other deadlines and limits that can be missed or contradict each other, a
  case that can sit in a holding status for ever, a status with no way on, a property
  the author wrote that fails;
- low: gaps in wording (no consequence, bare "days"), unreachable parts, external
  documents, a property that holds only because its situation never arises;
- none: proved.

An `unknown` verdict ranks one level below the violation it leaves open; a violation
that disappears when the should-rules are followed ranks one level lower too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from enum import Enum
from pathlib import PurePath

from attrs import frozen

from stepcheck.checker.derived import DERIVED_PREFIX, HOLDING_PREFIX
from stepcheck.checker.derived_urgent import URGENT_PREFIX
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.routes import open_routes
from stepcheck.checker.structure import holding_cause
from stepcheck.checker.words import words_of
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.model import Property, PropertyKind, ProtocolSpec, Tier

__all__ = [
    "Category",
    "Problem",
    "Severity",
    "Triage",
    "cause_words",
    "findings_by_authority",
    "of_finding",
    "of_result",
    "problems",
    "spec_of_finding",
    "top",
]


class Severity(Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for high, 3 for none: sorts the worst first."""
        return list(Severity).index(self)

    def lower(self) -> Severity:
        return {Severity.HIGH: Severity.MEDIUM}.get(self, Severity.LOW)


class Category(Enum):
    OWNERSHIP = "ownership"
    ESCALATION = "escalation"
    STEP_DOWN = "step-down"
    URGENT = "urgent"
    DEADLINE = "deadline"
    HOLDING = "holding"
    INVARIANT = "invariant"
    STRUCTURE = "structure"
    WORDING = "wording"
    REFERENCE = "reference"


@frozen(kw_only=True)
class Triage:
    """How much one result or finding matters, and what it shares with others.

    `fingerprint` is 16 hex digits from the authority, the property or finding code and
    the element it is about (never a line, a message or an order), so it survives moving,
    reordering and rewording; `root_cause` is the element to fix, as `kind:id`.
    """

    severity: Severity
    category: Category
    fingerprint: str
    root_cause: str
    rules: tuple[str, ...]
    why: str


@frozen(kw_only=True)
class Problem:
    """One root cause in one authority: its worst member first, then every result and
    finding that shares it, and the rules they cite."""

    authority: str
    root_cause: str
    severity: Severity
    category: Category
    headline: str
    fingerprint: str
    results: tuple[PropertyResult, ...]
    findings: tuple[Diagnostic, ...]
    finding_prints: tuple[str, ...]
    """The findings' fingerprints, in the order of `findings`."""
    rules: tuple[str, ...]


_HIGH_KINDS = {
    PropertyKind.NO_UNOWNED_CASE: (
        Category.OWNERSHIP,
        "a case can be left with nobody responsible for the child",
    ),
    PropertyKind.ESCALATION_TERMINATES: (
        Category.ESCALATION,
        "a disagreement between managers can stay open for ever",
    ),
}


def of_result(result: PropertyResult, spec: ProtocolSpec | None) -> Triage:
    """The triage of one verdict."""
    severity, category, why = _stake(result, spec)
    if result.verdict is Verdict.PROVED:
        if result.vacuous:
            severity, why = Severity.LOW, "it holds only because its situation never arises"
        elif result.when_missed is not None:
            severity, why = Severity.LOW, "it holds only while every deadline is met"
        elif spec is not None and open_routes(spec):
            severity, why = Severity.LOW, "it holds only on the routes the document defines"
        else:
            severity, why = Severity.NONE, "proved"
    elif result.verdict is Verdict.UNKNOWN:
        severity, why = severity.lower(), f"not decided: {why}"
    elif result.should_only:
        severity, why = severity.lower(), f"{why}, unless the should-rules are followed too"
    cause = _result_cause(result, spec)
    return Triage(
        severity=severity,
        category=category,
        fingerprint=_fingerprint(result.authority, result.property, result.subject or ""),
        root_cause=cause,
        rules=tuple(dict.fromkeys(c.rule for c in result.citations if c.rule)),
        why=why,
    )


def of_finding(finding: Diagnostic, spec: ProtocolSpec | None) -> Triage:
    """The triage of one catalogue finding."""
    severity, category, why = _FINDINGS.get(finding.code, _OTHER)
    if finding.code == "SPEC213" and spec is not None and _urgent(spec, finding.subject):
        severity, category = Severity.HIGH, Category.URGENT
        why = "an urgent decision waits for a meeting that may not sit in time"
    subject = finding.subject or finding.span.path or finding.message
    authority = spec.authority.id if spec is not None else PurePath(finding.span.file).stem
    return Triage(
        severity=severity,
        category=category,
        fingerprint=_fingerprint(authority, finding.code, subject),
        root_cause=finding.cause or subject,
        rules=finding.rule_ids,
        why=why,
    )


def problems(report: Report, specs: Mapping[str, ProtocolSpec]) -> list[Problem]:
    """Every root cause with something wrong, the most serious first: severity, then
    violated before unknown before findings only, then authority and root cause."""
    groups: dict[tuple[str, str], tuple[list[PropertyResult], list[Diagnostic]]] = {}
    triages: dict[int, Triage] = {}
    for result in report.results:
        triage = of_result(result, specs.get(result.spec))
        if triage.severity is Severity.NONE:
            continue
        triages[id(result)] = triage
        groups.setdefault((result.authority, triage.root_cause), ([], []))[0].append(result)
    by_file = _specs_by_file(specs)
    for finding in sorted(report.findings, key=Diagnostic.sort_key):
        spec = by_file.get(PurePath(finding.span.file).as_posix())
        triage = of_finding(finding, spec)
        triages[id(finding)] = triage
        authority = spec.authority.id if spec is not None else PurePath(finding.span.file).stem
        groups.setdefault((authority, triage.root_cause), ([], []))[1].append(finding)
    by_authority = {spec.authority.id: spec for spec in specs.values()}
    found = [
        _problem(authority, cause, results, findings, triages, spec=by_authority.get(authority))
        for (authority, cause), (results, findings) in groups.items()
    ]
    return sorted(found, key=_problem_order)


def findings_by_authority(ranked: list[Problem]) -> list[tuple[str, list[Problem]]]:
    """The problems that have findings, per authority (sorted), most serious first."""
    groups: dict[str, list[Problem]] = {}
    for problem in ranked:
        if problem.findings:
            groups.setdefault(problem.authority, []).append(problem)
    return sorted(groups.items())


def top(ranked: list[Problem], limit: int = 10) -> list[Problem]:
    """The problems to raise first: high and medium ones, at most `limit`."""
    return [p for p in ranked if p.severity in (Severity.HIGH, Severity.MEDIUM)][:limit]


def _specs_by_file(specs: Mapping[str, ProtocolSpec]) -> dict[str, ProtocolSpec]:
    """`spec_of_finding`'s answers for every file at once (the first spec of a path)."""
    found: dict[str, ProtocolSpec] = {}
    for path, spec in specs.items():
        found.setdefault(PurePath(path).as_posix(), spec)
    return found


def spec_of_finding(finding: Diagnostic, specs: Mapping[str, ProtocolSpec]) -> ProtocolSpec | None:
    """The spec a finding is about (found by its file), or None."""
    where = PurePath(finding.span.file).as_posix()
    return next((spec for path, spec in specs.items() if PurePath(path).as_posix() == where), None)


def cause_words(root_cause: str) -> str:
    """A root-cause key in words: `deadline:x` -> "deadline 'x'".

    >>> cause_words("escalation:transfer_issue")
    "escalation 'transfer_issue'"
    >>> cause_words("deadlines:a+b")
    "deadlines 'a' and 'b'"
    """
    kind, _, name = root_cause.partition(":")
    if not name:
        return root_cause
    return f"{kind} " + " and ".join(f"'{part}'" for part in name.split("+"))


def _problem(
    authority: str,
    cause: str,
    results: list[PropertyResult],
    findings: list[Diagnostic],
    triages: Mapping[int, Triage],
    *,
    spec: ProtocolSpec | None = None,
) -> Problem:
    members: list[tuple[Triage, int, str, PropertyResult | Diagnostic]] = [
        (triages[id(r)], _VERDICT_ORDER[r.verdict], r.summary, r) for r in results
    ]
    members += [(triages[id(f)], 3, _plain(f.message, spec), f) for f in findings]
    members.sort(key=lambda m: (m[0].severity.rank, m[1], m[2]))
    worst, _, headline, _ = members[0]
    rules = [rule for triage, *_ in members for rule in triage.rules]
    return Problem(
        authority=authority,
        root_cause=cause,
        severity=worst.severity,
        category=worst.category,
        headline=_sentence(headline),
        fingerprint=_fingerprint(authority, "root-cause", cause),
        results=tuple(r for *_, r in members if isinstance(r, PropertyResult)),
        findings=tuple(f for *_, f in members if isinstance(f, Diagnostic)),
        finding_prints=tuple(t.fingerprint for t, *_, f in members if isinstance(f, Diagnostic)),
        rules=tuple(dict.fromkeys(rules)),
    )


_VERDICT_ORDER = {Verdict.VIOLATED: 0, Verdict.UNKNOWN: 1, Verdict.PROVED: 2}
_QUOTED_ID = re.compile(r"'([a-z][a-z0-9_]*)'")


def _plain(message: str, spec: ProtocolSpec | None) -> str:
    """A finding's message as a reviewer reads it: each quoted id of the spec in words
    (a meeting by its name), so "status 'with_ehlo'" reads "status 'With EHLO'"."""
    if spec is None:
        return message
    named, ids = _names(spec)

    def said(match: re.Match[str]) -> str:
        ident = match.group(1)
        if ident in named:
            return f"'{named[ident]}'"
        return f"'{words_of(spec, ident)}'" if ident in ids else match.group(0)

    return _QUOTED_ID.sub(said, message)


def _names(spec: ProtocolSpec) -> tuple[dict[str, str], frozenset[str]]:
    """The spec's meeting names and the ids said in words, worked out once per spec (a
    report asks for them once per finding, 19,201 times for 200 deadlines)."""
    kept = _NAMES_BY_SPEC.get(id(spec))
    if kept is None or kept[0] is not spec:
        if len(_NAMES_BY_SPEC) >= 16:
            _NAMES_BY_SPEC.clear()
        named = {meeting.id: meeting.name for meeting in spec.meetings if meeting.name}
        ids = {item.id for group in _NAMED_GROUPS for item in getattr(spec, group)}
        ids |= {level.id for ladder in spec.escalations for level in ladder.levels}
        kept = (spec, named, frozenset(ids))
        _NAMES_BY_SPEC[id(spec)] = kept
    return kept[1], kept[2]


_NAMES_BY_SPEC: dict[int, tuple[ProtocolSpec, dict[str, str], frozenset[str]]] = {}
"""Per spec (kept, so its id is not reused): its meeting names and ids."""

_NAMED_GROUPS = ("statuses", "events", "deadlines", "escalations", "properties", "variables")


def _problem_order(problem: Problem) -> tuple[int, int, str, str]:
    verdicts = [_VERDICT_ORDER[result.verdict] for result in problem.results] or [3]
    return (problem.severity.rank, min(verdicts), problem.authority, problem.root_cause)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "!", "?")) else text + "."


def _stake(result: PropertyResult, spec: ProtocolSpec | None) -> tuple[Severity, Category, str]:
    """What a violation of this property would mean, before the verdict is known."""
    if result.kind in _HIGH_KINDS:
        category, why = _HIGH_KINDS[result.kind]
        return Severity.HIGH, category, why
    if result.kind is PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING:
        prop = _property(result, spec)
        protected = prop.tiers if prop is not None and prop.tiers else (Tier.CP,)
        return _CP_STEP_DOWN if Tier.CP in protected else _STEP_DOWN
    if result.property.startswith(DERIVED_PREFIX):
        deadline = f"deadline:{result.property.removeprefix(DERIVED_PREFIX)}"
        return _URGENT if spec is not None and _urgent(spec, deadline) else _MISSABLE
    if result.property.startswith(HOLDING_PREFIX):
        return _HOLDING
    if result.property.startswith(URGENT_PREFIX):
        return _WAITS
    if result.kind is PropertyKind.REQUIRES_MEETING:
        return _UNMET
    return _INVARIANT if result.kind is PropertyKind.INVARIANT else _RESPONSE


_CP_STEP_DOWN = (
    Severity.HIGH,
    Category.STEP_DOWN,
    "a child protection case can step down without its meeting",
)
_STEP_DOWN = (Severity.MEDIUM, Category.STEP_DOWN, "a case can step down without its meeting")
_URGENT = (Severity.HIGH, Category.URGENT, "an urgent deadline (a day or less) can be missed")
_WAITS = (
    Severity.HIGH,
    Category.URGENT,
    "an urgent case waits for a periodic meeting or another step",
)
_MISSABLE = (Severity.MEDIUM, Category.DEADLINE, "a deadline can be missed by people who comply")
_HOLDING = (Severity.MEDIUM, Category.HOLDING, "a case can sit in a holding status for ever")
_INVARIANT = (Severity.MEDIUM, Category.INVARIANT, "a rule the author states can be broken")
_RESPONSE = (Severity.MEDIUM, Category.DEADLINE, "an expected response can fail to come in time")
_UNMET = (
    Severity.MEDIUM,
    Category.STRUCTURE,
    "a move the document sends through a meeting skips it",
)


def _result_cause(result: PropertyResult, spec: ProtocolSpec | None) -> str:
    if result.property.startswith(DERIVED_PREFIX):
        return f"deadline:{result.property.removeprefix(DERIVED_PREFIX)}"
    if result.property.startswith(HOLDING_PREFIX):
        status = result.property.removeprefix(HOLDING_PREFIX)
        return holding_cause(spec, status) if spec is not None else f"status:{status}"
    if result.property.startswith(URGENT_PREFIX):
        return f"status:{result.property.removeprefix(URGENT_PREFIX)}"
    if result.kind is PropertyKind.ESCALATION_TERMINATES and result.subject:
        return f"escalation:{result.subject}"
    return f"property:{result.property}"


def _property(result: PropertyResult, spec: ProtocolSpec | None) -> Property | None:
    if spec is None:
        return None
    return next((prop for prop in spec.properties if prop.id == result.property), None)


def _urgent(spec: ProtocolSpec, subject: str | None) -> bool:
    """A deadline of a day or less (24 hours, 1 working or calendar day)."""
    if subject is None or not subject.startswith("deadline:"):
        return False
    deadline_id = subject.removeprefix("deadline:")
    deadline = next((d for d in spec.deadlines if d.id == deadline_id), None)
    within = deadline.within if deadline is not None else None
    if not isinstance(within, Duration):
        return False
    if within.unit is Unit.HOURS:
        return within.quantity <= 24
    return within.unit in _DAYS and within.quantity <= 1


_DAYS = (Unit.WORKING_DAYS, Unit.CALENDAR_DAYS, Unit.DAYS_UNSTATED)

_FINDINGS: dict[str, tuple[Severity, Category, str]] = {
    "SPEC201": (Severity.MEDIUM, Category.STRUCTURE, "no case can start"),
    "SPEC202": (Severity.LOW, Category.STRUCTURE, "part of the protocol can never be used"),
    "SPEC203": (Severity.MEDIUM, Category.STRUCTURE, "a case can get stuck with no way on"),
    "SPEC204": (Severity.LOW, Category.STRUCTURE, "part of the protocol can never be used"),
    "SPEC205": (Severity.MEDIUM, Category.STRUCTURE, "a case can never close or leave"),
    "SPEC206": (Severity.MEDIUM, Category.HOLDING, "nothing limits how long a case waits"),
    "SPEC207": (Severity.LOW, Category.WORDING, "nothing says what happens when it is missed"),
    "SPEC208": (Severity.LOW, Category.WORDING, "the obligation has no time limit"),
    "SPEC209": (Severity.LOW, Category.REFERENCE, "the outcome depends on another document"),
    "SPEC210": (Severity.HIGH, Category.ESCALATION, "nobody has the final word in a dispute"),
    "SPEC211": (Severity.HIGH, Category.ESCALATION, "the final deciders can disagree for ever"),
    "SPEC212": (Severity.LOW, Category.WORDING, "working or calendar days is not stated"),
    "SPEC213": (Severity.MEDIUM, Category.DEADLINE, "a meeting's cadence cannot keep the deadline"),
    "SPEC214": (Severity.MEDIUM, Category.DEADLINE, "two rules set different limits"),
    "SPEC215": (Severity.MEDIUM, Category.DEADLINE, "the window to act has no width"),
    "SPEC216": (Severity.LOW, Category.REFERENCE, "a document it leans on is not checked"),
    "SPEC217": (Severity.MEDIUM, Category.STRUCTURE, "a fact is recorded but nothing enforces it"),
    "SPEC218": (Severity.MEDIUM, Category.ESCALATION, "one disagreement, two different ladders"),
    "SPEC219": (Severity.MEDIUM, Category.DEADLINE, "the deadline can never start"),
    "SPEC220": (Severity.MEDIUM, Category.STRUCTURE, "a step waits for what only it can bring"),
    "SPEC221": (Severity.HIGH, Category.URGENT, "an urgent case waits for a periodic meeting"),
    "SPEC222": (Severity.MEDIUM, Category.URGENT, "no urgent route is stated"),
    "SPEC223": (Severity.MEDIUM, Category.HOLDING, "a case can go round one meeting for ever"),
    "SPEC224": (Severity.MEDIUM, Category.DEADLINE, "a deadline falls due before its step can"),
    "SPEC225": (Severity.MEDIUM, Category.STEP_DOWN, "no meeting is named for a step-down"),
    "SPEC226": (Severity.MEDIUM, Category.ESCALATION, "nothing says how a meeting decides"),
    "SPEC227": (Severity.LOW, Category.WORDING, "a word the document never defines"),
    "SPEC228": (Severity.MEDIUM, Category.STRUCTURE, "a route is admitted but not defined"),
    "SPEC232": (Severity.MEDIUM, Category.STRUCTURE, "the document leaves a tier open"),
    "SPEC240": (Severity.LOW, Category.WORDING, "one name stated twice, differently"),
    "SPEC242": (Severity.LOW, Category.STRUCTURE, "a precedence never applies"),
    "SPEC243": (Severity.MEDIUM, Category.URGENT, "a precedence lapses while its route waits"),
}
_OTHER = (Severity.LOW, Category.STRUCTURE, "a gap in the protocol")


def _fingerprint(authority: str, what: str, subject: str) -> str:
    text = "\x1f".join(("stepcheck-1", authority, what, subject))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
