"""Turning the executor's answers into cited findings: which rule, where it is written.

The executor already says why a step is refused, with the documents' citations; this
module adds what an audit report needs on top: the spec element each reason comes
from, the document's rule id, the YAML line of the rule (for SARIF), and whether the
must reading forbids the step too (a `must` breach) or only the should reading.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from attrs import frozen

from stepcheck.oracle.executor import Case, Executor
from stepcheck.oracle.replay_model import Finding
from stepcheck.oracle.replay_rows import LogRow, RowPlace
from stepcheck.oracle.types import Due, Lateness, Refusal, Rejected
from stepcheck.spec.citations import Citation, citations_of, long_date
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.model import Direction, ProtocolSpec, Source, Variable

__all__ = ["RuleIndex"]

_CiteKey = tuple[str, str | None, str | None, str | None]


class _Element(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def span(self) -> SourceSpan: ...
    @property
    def sources(self) -> tuple[Source, ...]: ...


@frozen(kw_only=True)
class RuleIndex:
    """The executors of one replay and the spec's rules by id and by citation."""

    executor: Executor
    must: Executor
    steps: frozenset[str]
    spans: dict[str, SourceSpan]
    cited: dict[_CiteKey, SourceSpan]
    variables: dict[str, Variable]

    @classmethod
    def of(cls, spec: ProtocolSpec, executor: Executor, must: Executor) -> RuleIndex:
        spans: dict[str, SourceSpan] = {}
        cited: dict[_CiteKey, SourceSpan] = {}
        for element in _elements(spec):
            spans.setdefault(element.id, element.span)
            for source in element.sources:
                cited.setdefault(_key(source), source.span)
            for guard in getattr(element, "guards", ()):
                for source in guard.sources:
                    cited.setdefault(_key(source), source.span)
            for level in getattr(element, "levels", ()):
                for source in level.sources:
                    cited.setdefault(_key(source), source.span)
        return cls(
            executor=executor,
            must=must,
            steps=frozenset(executor.steps),
            spans=spans,
            cited=cited,
            variables={variable.id: variable for variable in spec.variables},
        )

    def enforced(self, deadline: str) -> bool:
        """Whether the reading binds the deadline `deadline`."""
        found = next(d for d in self.executor.index.timed if d.id == deadline)
        return self.executor.index.reading.enforces(found.modality)

    def refused(
        self, result: Rejected, moved: Case, place: RowPlace, case: str
    ) -> Iterator[Finding]:
        """One finding per reason the step was refused."""
        must_reasons: set[str] = set()
        if self.must is not self.executor:
            must_result = self.must.apply(moved, result.step, at=result.at)
            if isinstance(must_result, Rejected):
                must_reasons = {r.reason for r in must_result.refusals}
        for refusal in result.refusals:
            binding = self.must is self.executor or refusal.reason in must_reasons
            modality = "must" if binding else "should"
            element = self._element(refusal, result.step)
            yield self._finding(
                kind=refusal.kind or "refused",
                modality=modality,
                element=element,
                message=f"'{result.step}' at {_when(result.at)}: {refusal.reason}",
                case=case,
                place=place,
                at=result.at,
                citations=refusal.citations,
            )

    def missed(
        self, due: Due, place: RowPlace | None, case: str, now: datetime, step: str | None
    ) -> Finding:
        """A deadline overdue when a row arrives (or at the end of the log, `place` None);
        `step` is the row's step, which may be the milestone itself, come late."""
        wanted = " or ".join(f"'{s}'" for s in due.obligation)
        event = self.executor.index.events.get(step or "")
        if event is not None and {event.id, event.target} & set(due.obligation):
            what = f"and was met late, by '{event.id}' on this row"
        elif place is None:
            what = f"and passed by the end of the log without {wanted}"
        else:
            what = f"and passed before this row without {wanted}"
        return self._finding(
            kind="deadline",
            modality=self._deadline_modality(due.deadline),
            element=due.deadline,
            message=f"'{due.deadline}' was due {long_date(due.by)} {what}",
            case=case,
            place=place,
            at=now,
            citations=due.citations,
        )

    def late(self, late: Lateness, place: RowPlace, case: str) -> Finding:
        """A deadline in clock hours met after its exact end."""
        deadline = next(d for d in self.executor.index.timed if d.id == late.deadline)
        return self._finding(
            kind="late",
            modality=deadline.modality.value,
            element=late.deadline,
            message=late.words(),
            case=case,
            place=place,
            at=late.at,
            citations=citations_of(self.executor.spec, deadline.sources),
        )

    def mismatch(
        self, what: str, row: LogRow, recorded: object, expected: object, case: str
    ) -> Finding:
        """The log records a status, owner or fact the spec does not give after this step.

        `what` is `status`, `owner` or a variable's id (kind `fact`)."""
        kind = what if what in ("status", "owner") else "fact"
        event = self.executor.index.events.get(row.event)
        sources = event.sources if event is not None else ()
        return self._finding(
            kind=kind,
            modality="must",
            element=row.event if kind != "fact" else what,
            message=f"the log records {what} {_shown(recorded)} after '{row.event}'; "
            f"the spec gives {_shown(expected)}",
            case=case,
            place=row.place,
            at=row.local,
            citations=citations_of(self.executor.spec, sources),
        )

    def _finding(
        self,
        *,
        kind: str,
        modality: str,
        element: str,
        message: str,
        case: str,
        place: RowPlace | None,
        at: datetime,
        citations: tuple[Citation, ...],
    ) -> Finding:
        """A finding with its rule id (the document's, else the element's) and spec line."""
        rule = next((c.rule for c in citations if c.rule), None) or element
        span = next(
            (
                self.cited[key]
                for c in citations
                if (key := (c.doc, c.section, c.rule, c.quote)) in self.cited
            ),
            self.spans.get(element),
        )
        return Finding(
            kind=kind,
            modality=modality,
            element=element,
            rule=rule,
            message=message,
            case=case,
            place=place,
            at=at,
            citations=citations,
            span=span,
        )

    def _element(self, refusal: Refusal, step: str) -> str:
        """The spec element a refusal comes from, matched by its citations."""
        index = self.executor.index
        spec = index.spec
        ladder = step.partition(":")[2]
        if refusal.kind == "dispute":
            return ladder or step
        if refusal.kind == "meeting":
            event = index.events.get(step)
            return event.at if event is not None and event.at else step
        if refusal.kind == "not_before":
            for deadline in index.timed:
                if (
                    deadline.direction is Direction.NOT_BEFORE
                    and step in deadline.obligation
                    and citations_of(spec, deadline.sources) == refusal.citations
                ):
                    return deadline.id
        if refusal.kind == "precedence":
            for rule in spec.precedence:
                if step in rule.over and citations_of(spec, rule.sources) == refusal.citations:
                    return rule.id
        if refusal.kind == "range":
            for variable in spec.variables:
                if f"'{variable.id}'" in refusal.reason.split(" would ")[0]:
                    return variable.id
        return step

    def _deadline_modality(self, deadline: str) -> str:
        found = next(d for d in self.executor.index.timed if d.id == deadline)
        return found.modality.value


def _elements(spec: ProtocolSpec) -> Iterator[_Element]:
    yield from spec.events
    yield from spec.deadlines
    yield from spec.meetings
    yield from spec.variables
    yield from spec.statuses
    yield from spec.escalations
    yield from spec.rereferrals
    yield from spec.owners


def _key(source: Source) -> _CiteKey:
    return (source.doc, source.section, source.rule, source.quote)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, int) else f"'{value}'"


def _when(at: datetime) -> str:
    return f"{long_date(at.date())} {at:%H:%M}"
