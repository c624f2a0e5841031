"""The Z3 relations of each kind of step: events, ticks, and dispute steps.

`checker/encode.py` assembles them into a transition system; this module says, for
one step, how every part of the next state `t` follows from the state `s`, exactly as
"The checker's finite model" in `spec/SEMANTICS.md` describes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import combinations
from typing import TypeAlias

import z3
from attrs import frozen

from stepcheck.checker.z3expr import to_z3
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import (
    PREVIOUS_OWNER,
    Deadline,
    Direction,
    Escalation,
    Event,
    ProtocolSpec,
    Reading,
    Tier,
)
from stepcheck.spec.timing import Interval, Timing

__all__ = ["Ladder", "StateTerms", "Terms"]

_OFF = -2
_NONE = -1
_TIERS = tuple(tier.value for tier in Tier)

StateTerms: TypeAlias = dict[str, z3.ExprRef]
"""One state as Z3 terms, by trace name (`status`, `deadline:x`, ...)."""


@frozen(kw_only=True)
class Ladder:
    """An escalation's levels as indexes: where each escalates to, which can decide."""

    successor: Mapping[int, int]
    deciders: tuple[int, ...]
    limits: Mapping[int, Interval]
    longest_level: int

    @property
    def escalates(self) -> bool:
        return bool(self.successor)

    @property
    def decides(self) -> bool:
        return bool(self.deciders)


class Terms:
    """Per-spec lookups and the step relations over state terms."""

    def __init__(self, spec: ProtocolSpec, times: Timing) -> None:
        self.spec = spec
        self.timing = times
        self.status_index = {status.id: i for i, status in enumerate(spec.statuses)}
        self.owner_index = {owner.id: i for i, owner in enumerate(spec.owners)}
        self._ladders = {ladder.id: _ladder(ladder, times) for ladder in spec.escalations}

    def ladder(self, ladder_id: str) -> Ladder:
        return self._ladders[ladder_id]

    # -- expressions -------------------------------------------------------------

    def symbols(self, s: StateTerms, overdue_from: StateTerms | None = None) -> _Symbols:
        """Expression symbols reading `s` (and `overdue`, `in_window` from `overdue_from`)."""
        return _Symbols(self, s, overdue_from if overdue_from is not None else s)

    def holds(self, expr: Expr, s: StateTerms) -> z3.BoolRef:
        result = to_z3(expr, self.symbols(s))
        assert isinstance(result, z3.BoolRef)
        return result

    def tier(self, s: StateTerms) -> z3.ArithRef:
        """The index (in `Tier` order) of the tier of `s`'s status."""
        term: z3.ArithRef = z3.IntVal(0)
        for status in self.spec.statuses:
            term = z3.If(
                s["status"] == self.status_index[status.id], _TIERS.index(status.tier.value), term
            )
        return term

    def owner_kind_in(self, s: StateTerms, name: str, wanted: Iterable[str]) -> z3.BoolRef:
        wanted_ids = set(wanted)
        return z3.Or(
            [s[name] == i for owner_id, i in self.owner_index.items() if owner_id in wanted_ids]
        )

    def is_status(self, s: StateTerms, status_ids: Iterable[str]) -> z3.BoolRef:
        return z3.Or([s["status"] == self.status_index[status_id] for status_id in status_ids])

    # -- initial states -----------------------------------------------------------

    def initial(self, s: StateTerms) -> z3.BoolRef:
        parts = [
            z3.Or(
                [
                    z3.And(
                        s["status"] == self.status_index[status.id],
                        s["owner"] == self._owner_of_status(status.owner),
                    )
                    for status in self.spec.initial_statuses
                ]
            ),
            s["co_owner"] == self.owner_index["none"],
            s["previous_owner"] == self.owner_index["none"],
        ]
        for variable in self.spec.variables:
            initial = _literal(variable.type, variable.initial)
            parts.append(s[f"var:{variable.id}"] == initial)
        parts += [z3.Not(s[f"held:{m.id}"]) for m in self.spec.meetings]
        parts += [s[f"deadline:{d}"] == _OFF for d in self.timing.deadlines]
        for ladder in self.spec.escalations:
            parts += [
                s[f"dispute:{ladder.id}"] == _NONE,
                s[f"level_timer:{ladder.id}"] == _OFF,
                s[f"dispute_timer:{ladder.id}"] == _OFF,
            ]
        for rule in self.spec.rereferrals:
            parts += [s[f"window:{rule.id}"] == _OFF, s[f"window_owner:{rule.id}"] == _NONE]
        for meeting_id, period in self.timing.meetings.items():
            parts.append(
                z3.And(s[f"phase:{meeting_id}"] >= 0, s[f"phase:{meeting_id}"] <= period - 1)
            )
        return z3.And(parts)

    def _owner_of_status(self, owner_id: str | None) -> int:
        return self.owner_index[owner_id if owner_id is not None else "unspecified"]

    # -- events ------------------------------------------------------------------------

    def enabled(self, event: Event, reading: Reading, s: StateTerms) -> z3.BoolRef:
        """Conditions 1-5 of "Events" in the finite model."""
        parts: list[z3.BoolRef] = []
        if event.sources_from:
            parts.append(self.is_status(s, event.sources_from))
        parts += [self.holds(g.condition, s) for g in event.guards if reading.enforces(g.modality)]
        if event.at is not None and event.at in self.timing.meetings:
            parts.append(s[f"phase:{event.at}"] == 0)
        for name, value in self._effects(event, s).items():
            variable_type = next(v.type for v in self.spec.variables if v.id == name)
            lo, hi = getattr(variable_type, "lo", None), getattr(variable_type, "hi", None)
            if lo is not None and hi is not None:
                parts.append(z3.And(value >= lo, value <= hi))
        for deadline in self.spec.deadlines:
            if (
                deadline.direction is Direction.NOT_BEFORE
                and deadline.id in self.timing.deadlines
                and reading.enforces(deadline.modality)
                and event.id in deadline.obligation
            ):
                parts.append(z3.Not(s[f"deadline:{deadline.id}"] > 0))
        return z3.And(parts)

    def _effects(self, event: Event, s: StateTerms) -> dict[str, z3.ExprRef]:
        symbols = self.symbols(s)
        return {effect.target: to_z3(effect.value, symbols) for effect in event.effects}

    def possible(self, obligation: str, reading: Reading, s: StateTerms) -> z3.BoolRef:
        """Whether an obligation (an event, or entering a status) can be met now."""
        if obligation in self.status_index:
            return z3.Or(
                [
                    z3.And(
                        self.enabled(e, reading, s), s["status"] != self.status_index[obligation]
                    )
                    for e in self.spec.events
                    if e.target == obligation
                ]
            )
        return self.enabled(self.spec.event_by_id(obligation), reading, s)

    def event_step(
        self, event: Event, reading: Reading, s: StateTerms, t: StateTerms
    ) -> z3.BoolRef:
        parts = [self.enabled(event, reading, s)]
        effects = self._effects(event, s)
        for variable in self.spec.variables:
            name = f"var:{variable.id}"
            parts.append(t[name] == effects.get(variable.id, s[name]))
        status = self.status_index[event.target] if event.target is not None else s["status"]
        parts.append(t["status"] == status)
        owner = self._event_owner(event, reading, s)
        parts += [
            t["owner"] == owner,
            t["previous_owner"] == z3.If(owner != s["owner"], s["owner"], s["previous_owner"]),
            t["co_owner"] == self._named_owner(event.co_owner, s)
            if event.co_owner
            else t["co_owner"] == s["co_owner"],
        ]
        parts += self._held_after(event, s, t)
        post = self.symbols(t, overdue_from=s)
        timed = [d for d in self.spec.deadlines if d.id in self.timing.deadlines]
        renewed = {d.id: self._renews(d, event, s, post) for d in timed}
        parts += [self._deadline_after(d, event, s, t, renewed[d.id]) for d in timed]
        parts += [
            z3.Implies(
                z3.And(renewed[a.id], renewed[b.id]), t[f"deadline:{a.id}"] == t[f"deadline:{b.id}"]
            )
            for a, b in combinations(timed, 2)
            if a.within == b.within
        ]
        parts += [self._dispute_after(ladder, event, s, t) for ladder in self.spec.escalations]
        parts += self._windows_after(event, s, t, post)
        parts += self._unchanged(s, t, ("phase:",))
        return z3.And(parts)

    def _named_owner(self, owner_id: str, s: StateTerms) -> z3.ArithRef:
        if owner_id == PREVIOUS_OWNER:
            return s["previous_owner"]
        return z3.IntVal(self.owner_index[owner_id])

    def _event_owner(self, event: Event, reading: Reading, s: StateTerms) -> z3.ArithRef:
        if event.owner is not None:
            owner: z3.ArithRef = self._named_owner(event.owner, s)
        elif event.target is not None and self.spec.status_by_id(event.target).owner is not None:
            target_owner = self._named_owner(str(self.spec.status_by_id(event.target).owner), s)
            owner = z3.If(s["status"] != self.status_index[event.target], target_owner, s["owner"])
        else:
            owner = s["owner"]
        for rule in reversed(self.spec.rereferrals):
            if rule.event == event.id and reading.enforces(rule.modality):
                routed = (
                    s[f"window_owner:{rule.id}"]
                    if rule.route_to == PREVIOUS_OWNER
                    else z3.IntVal(self.owner_index[rule.route_to])
                )
                owner = z3.If(s[f"window:{rule.id}"] != _OFF, routed, owner)
        return owner

    def _held_after(self, event: Event, s: StateTerms, t: StateTerms) -> list[z3.BoolRef]:
        tier_changes = self._tier_changes(event, s)
        return [
            t[f"held:{m.id}"]
            == (True if event.at == m.id else z3.And(z3.Not(tier_changes), s[f"held:{m.id}"]))
            for m in self.spec.meetings
        ]

    def _tier_changes(self, event: Event, s: StateTerms) -> z3.BoolRef:
        if event.target is None:
            return z3.BoolVal(False)
        target_tier = self.spec.status_by_id(event.target).tier
        return self.is_status(
            s, [status.id for status in self.spec.statuses if status.tier is not target_tier]
        )

    def _enters(self, event: Event, s: StateTerms, status_ids: Iterable[str]) -> z3.BoolRef:
        if event.target is None or event.target not in set(status_ids):
            return z3.BoolVal(False)
        return s["status"] != self.status_index[event.target]

    def _renews(
        self, deadline: Deadline, event: Event, s: StateTerms, post: _Symbols
    ) -> z3.BoolRef:
        """The event (re)starts the deadline's clock: its anchor, or its obligation when
        it recurs. Clocks of one duration renewed together start equal (SEMANTICS)."""
        anchor_statuses = [a for a in deadline.anchor if a in self.status_index]
        anchored = event.id in deadline.anchor or (
            event.at is not None and event.at in deadline.anchor
        )
        start = z3.Or(z3.BoolVal(anchored), self._enters(event, s, anchor_statuses))
        if deadline.condition is not None:
            start = z3.And(start, to_z3(deadline.condition, post))
        if not deadline.recurring:
            return start
        return z3.Or(start, self._met(deadline, event, s))

    def _met(self, deadline: Deadline, event: Event, s: StateTerms) -> z3.BoolRef:
        return z3.And(
            s[f"deadline:{deadline.id}"] != _OFF,
            z3.Or(
                z3.BoolVal(event.id in deadline.obligation),
                self._enters(event, s, deadline.obligation),
            ),
        )

    def _deadline_after(
        self, deadline: Deadline, event: Event, s: StateTerms, t: StateTerms, renews: z3.BoolRef
    ) -> z3.BoolRef:
        """Start (or renew), else met, else left its anchor status, else unchanged."""
        name = f"deadline:{deadline.id}"
        lo, hi = self.timing.deadlines[deadline.id]
        anchor_statuses = [a for a in deadline.anchor if a in self.status_index]
        left = z3.And(
            s[name] != _OFF,
            self.is_status(s, anchor_statuses),
            z3.Not(self.is_status(t, anchor_statuses)),
        )
        return z3.If(
            renews,
            z3.And(t[name] >= lo, t[name] <= hi),
            z3.If(
                self._met(deadline, event, s),
                t[name] == _OFF,
                z3.If(left, t[name] == _OFF, t[name] == s[name]),
            ),
        )

    def _dispute_after(
        self, ladder: Escalation, event: Event, s: StateTerms, t: StateTerms
    ) -> z3.BoolRef:
        closed = s[f"dispute:{ladder.id}"] == _NONE
        unchanged = self._unchanged_dispute(ladder.id, s, t)
        if event.id in ladder.resolution:
            return z3.If(closed, unchanged, self._close(ladder.id, t))
        if event.id in ladder.trigger:
            return z3.If(closed, self._open(ladder, t), unchanged)
        return unchanged

    def _open(self, ladder: Escalation, t: StateTerms) -> z3.BoolRef:
        return z3.And(
            t[f"dispute:{ladder.id}"] == 0,
            self._level_timer(ladder.id, 0, t),
            _start(t[f"dispute_timer:{ladder.id}"], self.timing.disputes.get(ladder.id)),
        )

    def _close(self, ladder_id: str, t: StateTerms) -> z3.BoolRef:
        return z3.And(
            t[f"dispute:{ladder_id}"] == _NONE,
            t[f"level_timer:{ladder_id}"] == _OFF,
            t[f"dispute_timer:{ladder_id}"] == _OFF,
        )

    def _level_timer(self, ladder_id: str, level: int, t: StateTerms) -> z3.BoolRef:
        return _start(t[f"level_timer:{ladder_id}"], self.ladder(ladder_id).limits.get(level))

    def _unchanged_dispute(self, ladder_id: str, s: StateTerms, t: StateTerms) -> z3.BoolRef:
        names = (f"dispute:{ladder_id}", f"level_timer:{ladder_id}", f"dispute_timer:{ladder_id}")
        return z3.And([t[name] == s[name] for name in names])

    def _windows_after(
        self, event: Event, s: StateTerms, t: StateTerms, post: _Symbols
    ) -> list[z3.BoolRef]:
        parts = []
        for rule in self.spec.rereferrals:
            timer, owner = f"window:{rule.id}", f"window_owner:{rule.id}"
            keep = z3.And(t[timer] == s[timer], t[owner] == s[owner])
            if event.id not in rule.anchor:
                parts.append(keep)
                continue
            lo, hi = self.timing.windows[rule.id]
            opens = z3.And(t[timer] >= lo, t[timer] <= hi, t[owner] == s["owner"])
            condition = (
                to_z3(rule.condition, post) if rule.condition is not None else z3.BoolVal(True)
            )
            parts.append(z3.If(condition, opens, keep))
        return parts

    def _unchanged(
        self, s: StateTerms, t: StateTerms, prefixes: tuple[str, ...]
    ) -> list[z3.BoolRef]:
        return [t[name] == s[name] for name in s if name.startswith(prefixes)]

    # -- dispute steps -------------------------------------------------------------

    def escalate_step(self, ladder: Escalation, s: StateTerms, t: StateTerms) -> z3.BoolRef:
        info, level = self.ladder(ladder.id), s[f"dispute:{ladder.id}"]
        moves = [
            z3.And(
                level == here,
                t[f"dispute:{ladder.id}"] == there,
                self._level_timer(ladder.id, there, t),
            )
            for here, there in info.successor.items()
        ]
        keep = [f"dispute_timer:{ladder.id}"]
        return z3.And(z3.Or(moves), *[t[n] == s[n] for n in keep], *self._others(s, t, ladder.id))

    def decide_step(self, ladder: Escalation, s: StateTerms, t: StateTerms) -> z3.BoolRef:
        level = s[f"dispute:{ladder.id}"]
        can = z3.Or([level == i for i in self.ladder(ladder.id).deciders])
        return z3.And(can, self._close(ladder.id, t), *self._others(s, t, ladder.id))

    def can_move(self, ladder_id: str, s: StateTerms) -> z3.BoolRef:
        info, level = self.ladder(ladder_id), s[f"dispute:{ladder_id}"]
        return z3.Or([level == i for i in (*info.successor, *info.deciders)])

    def _others(self, s: StateTerms, t: StateTerms, ladder_id: str) -> list[z3.BoolRef]:
        own = {f"dispute:{ladder_id}", f"level_timer:{ladder_id}", f"dispute_timer:{ladder_id}"}
        return [t[name] == s[name] for name in s if name not in own]

    # -- ticks -----------------------------------------------------------------------------

    def blocked(self, reading: Reading, s: StateTerms) -> z3.BoolRef:
        """A tick is blocked: an enforced deadline is due and can be met, or a dispute must move."""
        reasons = []
        for deadline in self.spec.deadlines:
            if (
                deadline.id in self.timing.deadlines
                and deadline.direction is Direction.AFTER
                and reading.enforces(deadline.modality)
            ):
                can_meet = z3.Or([self.possible(o, reading, s) for o in deadline.obligation])
                reasons.append(z3.And(s[f"deadline:{deadline.id}"] == 0, can_meet))
        for ladder in self.spec.escalations:
            due = z3.Or(s[f"level_timer:{ladder.id}"] == 0, s[f"dispute_timer:{ladder.id}"] == 0)
            reasons.append(
                z3.And(s[f"dispute:{ladder.id}"] != _NONE, due, self.can_move(ladder.id, s))
            )
        return z3.Or(reasons)

    def tick_step(self, reading: Reading, s: StateTerms, t: StateTerms) -> z3.BoolRef:
        parts = [z3.Not(self.blocked(reading, s))]
        for deadline in self.spec.deadlines:
            if deadline.id in self.timing.deadlines:
                floor = 0 if deadline.direction is Direction.NOT_BEFORE else -1
                parts.append(
                    _count_down(s[f"deadline:{deadline.id}"], t[f"deadline:{deadline.id}"], floor)
                )
        for ladder in self.spec.escalations:
            for name in (f"level_timer:{ladder.id}", f"dispute_timer:{ladder.id}"):
                parts.append(_count_down(s[name], t[name], -1))
            parts.append(t[f"dispute:{ladder.id}"] == s[f"dispute:{ladder.id}"])
        for rule in self.spec.rereferrals:
            timer, owner = s[f"window:{rule.id}"], s[f"window_owner:{rule.id}"]
            closes = timer == 0
            parts += [
                t[f"window:{rule.id}"]
                == z3.If(closes, _OFF, z3.If(timer == _OFF, _OFF, timer - 1)),
                t[f"window_owner:{rule.id}"] == z3.If(closes, _NONE, owner),
            ]
        for meeting_id, period in self.timing.meetings.items():
            phase, after = s[f"phase:{meeting_id}"], t[f"phase:{meeting_id}"]
            least = self.timing.least_gaps[meeting_id]
            parts.append(
                z3.Or(
                    z3.And(phase + 1 >= least, after == 0),
                    z3.And(phase + 1 <= period - 1, after == phase + 1),
                )
            )
        fixed = ("status", "owner", "co_owner", "previous_owner", "var:", "held:")
        parts += self._unchanged(s, t, fixed)
        return z3.And(parts)


class _Symbols:
    """`checker.z3expr.Symbols` over state terms."""

    def __init__(self, terms: Terms, s: StateTerms, overdue_from: StateTerms) -> None:
        self._terms, self._s, self._overdue_from = terms, s, overdue_from

    def var(self, name: str) -> z3.ExprRef:
        terms, s = self._terms, self._s
        match name:
            case "status" | "owner" | "co_owner":
                return s[name]
            case "tier":
                return terms.tier(s)
            case "allocated":
                return terms.owner_kind_in(
                    s, "owner", [o.id for o in terms.spec.owners if o.allocated]
                )
            case "owned":
                return terms.owner_kind_in(
                    s, "owner", [o.id for o in terms.spec.owners if o.responsible]
                )
            case _:
                return s[f"var:{name}"]

    def predicate(self, name: str, argument: str) -> z3.BoolRef:
        s = self._s
        match name:
            case "held":
                return s[f"held:{argument}"]
            case "overdue":
                key = f"deadline:{argument}"
                deadline = self._terms.spec.deadline_by_id(argument)
                if key not in self._overdue_from or deadline.direction is not Direction.AFTER:
                    return z3.BoolVal(False)
                return self._overdue_from[key] == -1
            case "escalating":
                return s[f"dispute:{argument}"] != _NONE
            case "in_window":  # like `overdue`, read before the step (SEMANTICS, fine points)
                return self._overdue_from[f"window:{argument}"] != _OFF
            case _:
                raise ValueError(f"unknown predicate {name}")


def _ladder(ladder: Escalation, times: Timing) -> Ladder:
    index = {level.id: i for i, level in enumerate(ladder.levels)}
    successor: dict[int, int] = {}
    deciders = []
    tie_break_named = isinstance(ladder.tie_break, str) and ladder.tie_break != "not_needed"
    for i, level in enumerate(ladder.levels):
        if level.external is not None:
            continue
        if level.next is not None:
            successor[i] = index[level.next]
        elif i + 1 < len(ladder.levels):
            successor[i] = i + 1
        if level.decides and (len(level.who) <= 1 or tie_break_named):
            deciders.append(i)
    limits = {
        i: times.levels[(ladder.id, level.id)]
        for i, level in enumerate(ladder.levels)
        if (ladder.id, level.id) in times.levels
    }
    return Ladder(
        successor=successor,
        deciders=tuple(deciders),
        limits=limits,
        longest_level=max((hi for _, hi in limits.values()), default=0),
    )


def _start(timer: z3.ExprRef, limit: Interval | None) -> z3.BoolRef:
    if limit is None:
        return timer == _OFF
    return z3.And(timer >= limit[0], timer <= limit[1])


def _count_down(before: z3.ExprRef, after: z3.ExprRef, floor: int) -> z3.BoolRef:
    return after == z3.If(before == _OFF, _OFF, z3.If(before - 1 < floor, floor, before - 1))


def _literal(type_: object, value: bool | int | str) -> z3.ExprRef:
    values = getattr(type_, "values", None)
    if values is not None:
        return z3.IntVal(values.index(value))
    if isinstance(value, bool):
        return z3.BoolVal(value)
    return z3.IntVal(value)
