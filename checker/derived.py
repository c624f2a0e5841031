"""Questions the checker asks of every spec without being told.

**Can every deadline be met?** For each must or should deadline with a duration that
runs from its anchor, the invariant "it is never overdue" (`met_in_time:<deadline>`),
decided under the reading that enforces it (must; should for a should deadline) in a
model where people meet that deadline at the first chance: time does not pass while it
runs and one of its obligations can happen (`eager_spec`; a renewal, whose obligation
starts it again, is kept on its last day instead). A violation is then a run in which
the deadline falls due although everyone acted as soon as the protocol let them: the
meeting that decides did not sit in time, the step that meets it needs another first,
or the protocol let the case move on to where it cannot be met. That is a conflict
between the deadline and the rest of the protocol, which no property an author writes
by hand has to ask for. `checker/derived_cause.py` words what stood in the way.

    spec = with_derived(spec)     # the spec's properties, then the derived ones

Each question has a deterministic budget of its own, smaller than a written property's
(`derived_limits`: `--derived-total-rlimit`, `--derived-explicit-states`), so asking
them of every spec costs a bounded amount; one the budget does not settle is
`unknown`, naming the option that raises it.
"""

from __future__ import annotations

from attrs import evolve

from stepcheck.checker.derived_urgent import URGENT_PREFIX, urgent_properties
from stepcheck.checker.engines import Limits
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.expr import (
    BoolOp,
    BoolOperator,
    Call,
    Compare,
    CompareOperator,
    EnumLit,
    EnumType,
    Member,
    Not,
    Var,
)
from stepcheck.spec.model import (
    Deadline,
    Direction,
    Modality,
    Property,
    PropertyKind,
    ProtocolSpec,
)
from stepcheck.spec.timing import Timing, timing

__all__ = [
    "DERIVED",
    "DERIVED_EXPLICIT_STATES",
    "DERIVED_PREFIX",
    "DERIVED_TOTAL_RLIMIT",
    "HOLDING_PREFIX",
    "URGENT_PREFIX",
    "derived_limits",
    "derived_properties",
    "eager_applies",
    "eager_spec",
    "holding_properties",
    "meetable_statuses",
    "waits_past",
    "with_derived",
]

DERIVED_PREFIX = "met_in_time:"
"""Derived deadline questions are named `met_in_time:<deadline id>`."""
HOLDING_PREFIX = "leaves:"
"""Derived holding-status questions are named `leaves:<status id>`."""
DERIVED = (DERIVED_PREFIX, HOLDING_PREFIX, URGENT_PREFIX)

DERIVED_TOTAL_RLIMIT = 60_000_000
"""Z3 resources for all of one derived question's solver calls (a written property has
400,000,000): most are settled in well under this; the rest become `unknown`."""
DERIVED_EXPLICIT_STATES = 2_000
"""The most states the explicit search visits for a derived question the engines leave
open (a written property: 20,000)."""


def derived_limits(
    limits: Limits,
    total_rlimit: int = DERIVED_TOTAL_RLIMIT,
    explicit_states: int = DERIVED_EXPLICIT_STATES,
) -> Limits:
    """The limits a derived question is decided under: the run's, with the derived
    questions' own total budget and explicit search (never more than the run's)."""
    return evolve(
        limits,
        total_rlimit=min(total_rlimit, limits.total_rlimit),
        explicit_states=min(explicit_states, limits.explicit_states),
        option_prefix="derived-",
    )


def derived_properties(spec: ProtocolSpec, times: Timing | None = None) -> tuple[Property, ...]:
    """One "never overdue" question per must or should deadline the finite model times
    (a deadline with no stated duration, or a `not_before` limit, has none)."""
    times = times if times is not None else timing(spec)
    found = []
    for deadline in spec.deadlines:
        if (
            deadline.id not in times.deadlines
            or deadline.direction is not Direction.AFTER
            or deadline.modality is Modality.MAY
        ):
            continue
        span: SourceSpan = deadline.span
        overdue = Call(predicate="overdue", argument=deadline.id, span=span)
        found.append(
            Property(
                id=f"{DERIVED_PREFIX}{deadline.id}",
                kind=PropertyKind.INVARIANT,
                holds=Not(operand=overdue, span=span),
                description=(
                    f"deadline '{deadline.id}' ({deadline.within}) can always be met when "
                    "people act as soon as the protocol lets them"
                ),
                sources=deadline.sources,
                span=span,
                deadline=deadline.id,
            )
        )
    return tuple(found)


def holding_properties(spec: ProtocolSpec) -> tuple[Property, ...]:
    """One "a case in it leaves it" question per holding status: proved with its worst
    case in working days, or violated by a run that keeps the case there for ever."""
    kind = EnumType(name="status", values=tuple(status.id for status in spec.statuses))
    found = []
    for status in spec.statuses:
        if not status.holding or status.final:
            continue
        span = status.span
        here = Var(name="status", type=kind, span=span)
        value = EnumLit(value=status.id, type=kind, span=span)
        found.append(
            Property(
                id=f"{HOLDING_PREFIX}{status.id}",
                kind=PropertyKind.LEADS_TO,
                trigger=Compare(op=CompareOperator.EQ, left=here, right=value, span=span),
                goal=Compare(op=CompareOperator.NE, left=here, right=value, span=span),
                description=f"a case held in '{status.id}' always leaves it",
                sources=status.sources,
                span=span,
                holding=status.id,
            )
        )
    return tuple(found)


def with_derived(spec: ProtocolSpec) -> ProtocolSpec:
    """`spec` with the derived questions after its own properties: every deadline,
    every holding status, then every status on an urgent route."""
    derived = (*derived_properties(spec), *holding_properties(spec), *urgent_properties(spec))
    return evolve(spec, properties=(*spec.properties, *derived))


def meetable_statuses(spec: ProtocolSpec, deadline: Deadline) -> tuple[str, ...] | None:
    """The statuses from which some event that meets `deadline` can happen; None when
    one of them can happen in any status."""
    able: set[str] = set()
    for event in spec.events:
        if event.id in deadline.obligation or (
            event.target is not None and event.target in deadline.obligation
        ):
            if not event.sources_from:
                return None
            able.update(event.sources_from)
    return tuple(status.id for status in spec.statuses if status.id in able)


def waits_past(spec: ProtocolSpec, prop: Property) -> Property | None:
    """The part of a derived question about waiting: "never overdue while the case is
    where the deadline can be met". A run breaking it makes people wait past the limit
    (a meeting that does not sit in time, a guard, a minimum wait); a run breaking only
    the whole question moves the case on first. None when the two are the same."""
    assert prop.deadline is not None, "only derived deadline questions have a part"
    able = meetable_statuses(spec, spec.deadline_by_id(prop.deadline))
    if not able or len(able) == len(spec.statuses):
        return None
    span = prop.span
    kind = EnumType(name="status", values=tuple(status.id for status in spec.statuses))
    there = Member(
        operand=Var(name="status", type=kind, span=span),
        values=tuple(EnumLit(value=status, type=kind, span=span) for status in able),
        negated=False,
        span=span,
    )
    overdue = Call(predicate="overdue", argument=prop.deadline, span=span)
    both = BoolOp(op=BoolOperator.AND, left=overdue, right=there, span=span)
    return evolve(prop, holds=Not(operand=both, span=span))


def eager_spec(spec: ProtocolSpec, deadline_id: str) -> ProtocolSpec:
    """`spec` in which people who comply meet `deadline_id` at the first chance: the
    model a derived question is decided in. Its runs are runs of `spec` (time only
    waits more), so each counterexample replays in `spec` too."""
    if not eager_applies(spec.deadline_by_id(deadline_id)):
        return spec
    return evolve(
        spec,
        deadlines=tuple(
            evolve(deadline, eager=True) if deadline.id == deadline_id else deadline
            for deadline in spec.deadlines
        ),
    )


def eager_applies(deadline: Deadline) -> bool:
    """Whether meeting `deadline` at the first chance is the way to keep it. Not for a
    renewal (meeting it starts it again, as "renew consent every 12 months"): done at
    the first chance it would stop time; it is kept by acting on its last day."""
    return not set(deadline.obligation) & set(deadline.anchor)
