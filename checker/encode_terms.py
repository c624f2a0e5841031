"""What each step does, as Z3 terms: which parts of the state it changes, and how.

`checker/encode.py` assembles these pieces into one transition relation; this module
says, for one step label, when it is enabled and the new value of every part it
changes, exactly as "The checker's finite model" in `spec/SEMANTICS.md` describes.

The relation is *functional*: every part of the next state is a function of the
state before and of the step's inputs (which label, the value a timer starts at,
whether a meeting sits, whether an optional routing is followed). Both readings are
in one relation: `flag:should` says whether should-rules bind, `flag:comply` whether
people comply with due deadlines and limits (ticks blocked); the engines fix them.
Conditions known in Python are folded (`checker.fold`), so a step only mentions the
parts it touches.
"""

from __future__ import annotations

from collections.abc import Iterable

import z3

from stepcheck.checker.encode_ladders import ladder_of
from stepcheck.checker.encode_symbols import TermSymbols
from stepcheck.checker.encode_values import NONE, OFF
from stepcheck.checker.fold import BoolLike, conj, disj, ite, negate
from stepcheck.checker.z3expr import to_z3
from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import Expr
from stepcheck.spec.model import (
    PREVIOUS_OWNER,
    Direction,
    Escalation,
    Event,
    Modality,
    ProtocolSpec,
    Tier,
    Unspecified,
)
from stepcheck.spec.precedence import rules_over
from stepcheck.spec.timing import Interval, Timing

__all__ = ["NONE", "OFF", "StateTerms", "Terms"]

_TIERS = tuple(tier.value for tier in Tier)

StateTerms = dict[str, z3.ExprRef]
"""One state as Z3 terms, by trace name (`status`, `deadline:x`, ...)."""
Updates = dict[str, z3.ExprRef]
"""The new value of each part a step changes; parts not named keep their value."""


class Terms:
    """The pieces of one spec's transition relation over the state `s`, the next state
    `t` and the step's inputs, all Z3 constants of one context."""

    def __init__(
        self,
        spec: ProtocolSpec,
        times: Timing,
        s: StateTerms,
        t: StateTerms,
        ctx: z3.Context,
    ) -> None:
        self.spec, self.timing, self.s, self.t, self.ctx = spec, times, s, t, ctx
        self.status_index = {status.id: i for i, status in enumerate(spec.statuses)}
        self.owner_index = {owner.id: i for i, owner in enumerate(spec.owners)}
        self.ladders = {ladder.id: ladder_of(ladder, times) for ladder in spec.escalations}
        self.should = z3.Bool("flag:should", ctx)
        self.comply = z3.Bool("flag:comply", ctx)
        self.step = z3.Int("in:step", ctx)
        self.days = z3.Int("in:wait", ctx)
        self.inputs: dict[str, z3.ExprRef] = {"in:step": self.step, "in:wait": self.days}
        self.longest_wait = max(2, times.longest + 1)
        self.input_domains: list[z3.BoolRef] = [
            z3.And(self.days >= 2, self.days <= self.longest_wait)
        ]
        self._starts: dict[Duration, z3.ArithRef] = {}
        self._enabled: dict[str, BoolLike] = {}
        self._own: dict[str, BoolLike] = {}
        self.timed = [d for d in spec.deadlines if d.id in times.deadlines]
        self._running = {d.id: s[f"deadline:{d.id}"] != OFF for d in self.timed}
        self._anchor_statuses = {
            d.id: [a for a in d.anchor if a in self.status_index] for d in self.timed
        }

    def val(self, number: int) -> z3.ArithRef:
        return z3.IntVal(number, self.ctx)

    # -- readings --------------------------------------------------------------------

    def enforced(self, modality: Modality) -> BoolLike:
        """Whether a rule of this modality binds: must always, should under `flag:should`."""
        if modality is Modality.MUST:
            return True
        return self.should if modality is Modality.SHOULD else False

    # -- inputs ------------------------------------------------------------------------

    def start(self, duration: Duration | Unspecified | None, bounds: Interval | None) -> z3.ExprRef:
        """The value a timer of `duration` starts at in this step: one input per duration,
        so timers of one duration started by one step start equal (SEMANTICS)."""
        if bounds is None or not isinstance(duration, Duration):
            return self.val(OFF)
        if duration not in self._starts:
            name = f"in:start:{len(self._starts)}"
            term = z3.Int(name, self.ctx)
            self._starts[duration] = term
            self.inputs[name] = term
            self.input_domains.append(z3.And(term >= bounds[0], term <= bounds[1]))
        return self._starts[duration]

    def choice(self, name: str) -> z3.BoolRef:
        """A free boolean input of the step (a meeting sits, a routing is followed)."""
        key = f"in:{name}"
        if key not in self.inputs:
            self.inputs[key] = z3.Bool(key, self.ctx)
        term = self.inputs[key]
        assert isinstance(term, z3.BoolRef)
        return term

    # -- expressions ---------------------------------------------------------------------

    def holds(
        self, expr: Expr, s: StateTerms, overdue_from: StateTerms | None = None
    ) -> z3.BoolRef:
        result = to_z3(
            expr, TermSymbols(self, s, overdue_from if overdue_from is not None else s), self.ctx
        )
        assert isinstance(result, z3.BoolRef)
        return result

    def tier(self, s: StateTerms) -> z3.ArithRef:
        """The index (in `Tier` order) of the tier of `s`'s status."""
        term: z3.ArithRef = self.val(0)
        for status in self.spec.statuses:
            term = z3.If(
                s["status"] == self.status_index[status.id], _TIERS.index(status.tier.value), term
            )
        return term

    def owner_kind_in(self, s: StateTerms, name: str, wanted: Iterable[str]) -> BoolLike:
        wanted_ids = set(wanted)
        return disj(
            s[name] == i for owner_id, i in self.owner_index.items() if owner_id in wanted_ids
        )

    def is_status(self, s: StateTerms, status_ids: Iterable[str]) -> BoolLike:
        return disj(s["status"] == self.status_index[status_id] for status_id in status_ids)

    # -- initial states -------------------------------------------------------------------

    def initial(self, s: StateTerms) -> BoolLike:
        parts: list[BoolLike] = [
            disj(
                conj(
                    s["status"] == self.status_index[status.id],
                    s["owner"] == self._owner_of_status(status.owner),
                )
                for status in self.spec.initial_statuses
            ),
            s["co_owner"] == self.owner_index["none"],
            s["previous_owner"] == self.owner_index["none"],
        ]
        for variable in self.spec.variables:
            parts.append(
                s[f"var:{variable.id}"] == _literal(variable.type, variable.initial, self.ctx)
            )
        parts += [z3.Not(s[f"held:{m.id}"]) for m in self.spec.meetings]
        parts += [s[f"deadline:{d}"] == OFF for d in self.timing.deadlines]
        for ladder in self.spec.escalations:
            parts += [
                s[f"dispute:{ladder.id}"] == NONE,
                s[f"level_timer:{ladder.id}"] == OFF,
                s[f"dispute_timer:{ladder.id}"] == OFF,
            ]
        for rule in self.spec.rereferrals:
            parts += [s[f"window:{rule.id}"] == OFF, s[f"window_owner:{rule.id}"] == NONE]
        for meeting_id, period in self.timing.meetings.items():
            phase = s[f"phase:{meeting_id}"]
            parts.append(z3.And(phase >= 0, phase <= period - 1))
        return conj(parts)

    def _owner_of_status(self, owner_id: str | None) -> int:
        return self.owner_index[owner_id if owner_id is not None else "unspecified"]

    # -- events: when -------------------------------------------------------------------

    def enabled(self, event: Event) -> BoolLike:
        """Conditions 1-5 of "Events" in the finite model, in the state `s`, and no
        enforced precedence makes `event` give way (SEMANTICS, "Precedence")."""
        if event.id not in self._enabled:
            enabled = self.own_enabled(event)
            for rule in rules_over(self.spec, event.id):
                enforced = self.enforced(rule.modality)
                if enforced is False or enabled is False:
                    continue
                routes = disj(self.own_enabled(self.spec.event_by_id(r)) for r in rule.route)
                enabled = conj(enabled, negate(conj(enforced, routes)))
            self._enabled[event.id] = enabled
        return self._enabled[event.id]

    def own_enabled(self, event: Event) -> BoolLike:
        """Conditions 1-5 only: whether `event` can happen by its own rules."""
        if event.id not in self._own:
            self._own[event.id] = self._enabled_now(event)
        return self._own[event.id]

    def _enabled_now(self, event: Event) -> BoolLike:
        s = self.s
        parts: list[BoolLike] = []
        if event.sources_from:
            parts.append(self.is_status(s, event.sources_from))
        for guard in event.guards:
            enforced = self.enforced(guard.modality)
            if enforced is not False:
                parts.append(disj(negate(enforced), self.holds(guard.condition, s)))
        if event.at is not None and event.at in self.timing.meetings:
            parts.append(s[f"phase:{event.at}"] == 0)
        effects = self._effects(event)
        for variable in self.spec.variables:
            lo, hi = getattr(variable.type, "lo", None), getattr(variable.type, "hi", None)
            if variable.id in effects and lo is not None and hi is not None:
                value = effects[variable.id]
                parts.append(z3.And(value >= lo, value <= hi))
        for deadline in self.timed:
            if deadline.direction is Direction.NOT_BEFORE and event.id in deadline.obligation:
                enforced = self.enforced(deadline.modality)
                if enforced is not False:
                    parts.append(disj(negate(enforced), s[f"deadline:{deadline.id}"] <= 0))
        return conj(parts)

    def _effects(self, event: Event) -> dict[str, z3.ExprRef]:
        symbols = TermSymbols(self, self.s, self.s)
        return {effect.target: to_z3(effect.value, symbols, self.ctx) for effect in event.effects}

    def possible(self, obligation: str) -> BoolLike:
        """An obligation (an event, or entering a status) can be met now."""
        if obligation in self.status_index:
            target = self.status_index[obligation]
            return disj(
                conj(self.enabled(e), self.s["status"] != target)
                for e in self.spec.events
                if e.target == obligation
            )
        return self.enabled(self.spec.event_by_id(obligation))

    # -- events: what -------------------------------------------------------------------

    def event_updates(self, event: Event) -> Updates:
        """The parts an event changes, and their new values (SEMANTICS, "Events")."""
        s = self.s
        updates: Updates = {}
        for name, value in self._effects(event).items():
            updates[f"var:{name}"] = value
        if event.target is not None:
            updates["status"] = self.val(self.status_index[event.target])
        owner = self._event_owner(event)
        if not owner.eq(s["owner"]):
            updates["owner"] = owner
            updates["previous_owner"] = z3.If(owner != s["owner"], s["owner"], s["previous_owner"])
        if event.co_owner:
            updates["co_owner"] = self._named_owner(event.co_owner)
        changes_tier = self._tier_changes(event)
        for meeting in self.spec.meetings:
            held = s[f"held:{meeting.id}"]
            if event.at == meeting.id:
                updates[f"held:{meeting.id}"] = z3.BoolVal(True, self.ctx)
            elif changes_tier is not False:
                updates[f"held:{meeting.id}"] = _bool(conj(negate(changes_tier), held), self.ctx)
        self._deadline_updates(event, updates)
        for ladder in self.spec.escalations:
            updates.update(self._dispute_updates(ladder, event))
        updates.update(self._window_updates(event))
        return {name: value for name, value in updates.items() if not value.eq(s[name])}

    def _named_owner(self, owner_id: str) -> z3.ArithRef:
        if owner_id == PREVIOUS_OWNER:
            return self.s["previous_owner"]
        return self.val(self.owner_index[owner_id])

    def _event_owner(self, event: Event) -> z3.ExprRef:
        """Re-referral routing first, then the event's owner, then the entered status's.

        An open window's rule routes the case when it binds; a rule that does not bind
        (should under the must reading, or may) may be followed or not, a free choice.
        The first rule in spec order that is followed wins."""
        s = self.s
        if event.owner is not None:
            owner: z3.ExprRef = self._named_owner(event.owner)
        elif event.target is not None and self.spec.status_by_id(event.target).owner is not None:
            target_owner = self._named_owner(str(self.spec.status_by_id(event.target).owner))
            owner = ite(s["status"] != self.status_index[event.target], target_owner, s["owner"])
        else:
            owner = s["owner"]
        for rule in reversed(self.spec.rereferrals):
            if rule.event != event.id:
                continue
            routed = (
                s[f"window_owner:{rule.id}"]
                if rule.route_to == PREVIOUS_OWNER
                else self.val(self.owner_index[rule.route_to])
            )
            enforced = self.enforced(rule.modality)
            follows = (
                disj(enforced, self.choice(f"route:{rule.id}")) if enforced is not True else True
            )
            owner = ite(conj(s[f"window:{rule.id}"] != OFF, follows), routed, owner)
        return owner

    def _tier_changes(self, event: Event) -> BoolLike:
        if event.target is None:
            return False
        target_tier = self.spec.status_by_id(event.target).tier
        others = [status.id for status in self.spec.statuses if status.tier is not target_tier]
        if event.sources_from:
            others = [status for status in others if status in event.sources_from]
        return self.is_status(self.s, others)

    def _enters(self, event: Event, status_ids: Iterable[str]) -> BoolLike:
        if event.target is None or event.target not in set(status_ids):
            return False
        if event.sources_from and event.target not in event.sources_from:
            return True
        return self.s["status"] != self.status_index[event.target]

    def _deadline_updates(self, event: Event, updates: Updates) -> None:
        """Per timed deadline, in this order: start (or renew), met, left its anchor status."""
        s, off = self.s, self.val(OFF)
        for deadline in self.timed:
            name = f"deadline:{deadline.id}"
            anchor_statuses = self._anchor_statuses[deadline.id]
            starts = disj(
                event.id in deadline.anchor,
                event.at is not None and event.at in deadline.anchor,
                self._enters(event, anchor_statuses),
            )
            if starts is not False and deadline.condition is not None:
                starts = conj(starts, self.holds(deadline.condition, self.t, overdue_from=s))
            met = disj(event.id in deadline.obligation, self._enters(event, deadline.obligation))
            leaves = self._leaves(event, anchor_statuses)
            if starts is False and met is False and leaves is False:
                continue
            running = self._running[deadline.id]
            met = conj(met, running)
            renews = disj(starts, met) if deadline.recurring else starts
            value = ite(conj(running, leaves), off, s[name])
            value = ite(met, off, value)
            updates[name] = ite(
                renews, self.start(deadline.within, self.timing.deadlines[deadline.id]), value
            )

    def _leaves(self, event: Event, statuses: list[str]) -> BoolLike:
        """The event moves the case out of one of `statuses`."""
        if not statuses or event.target is None or event.target in statuses:
            return False
        sources = [x for x in statuses if not event.sources_from or x in event.sources_from]
        return self.is_status(self.s, sources)

    def _dispute_updates(self, ladder: Escalation, event: Event) -> Updates:
        names = (f"dispute:{ladder.id}", f"level_timer:{ladder.id}", f"dispute_timer:{ladder.id}")
        if event.id in ladder.resolution:
            return dict(zip(names, self.closed(), strict=True))
        if event.id not in ladder.trigger:
            return {}
        closed = self.s[names[0]] == NONE
        opened = self._opened(ladder)
        return {
            name: ite(closed, value, self.s[name])
            for name, value in zip(names, opened, strict=True)
        }

    def closed(self) -> tuple[z3.ExprRef, ...]:
        return (self.val(NONE), self.val(OFF), self.val(OFF))

    def _opened(self, ladder: Escalation) -> tuple[z3.ExprRef, ...]:
        first = ladder.levels[0]
        return (
            self.val(0),
            self.start(first.within, self.ladders[ladder.id].limits.get(0)),
            self.start(ladder.within, self.timing.disputes.get(ladder.id)),
        )

    def _window_updates(self, event: Event) -> Updates:
        s, updates = self.s, {}
        for rule in self.spec.rereferrals:
            if event.id not in rule.anchor:
                continue
            timer, owner = f"window:{rule.id}", f"window_owner:{rule.id}"
            opens: BoolLike = True
            if rule.condition is not None:
                opens = self.holds(rule.condition, self.t, overdue_from=s)
            updates[timer] = ite(
                opens, self.start(rule.window, self.timing.windows[rule.id]), s[timer]
            )
            updates[owner] = ite(opens, s["owner"], s[owner])
        return updates


def _bool(part: BoolLike, ctx: z3.Context) -> z3.BoolRef:
    return z3.BoolVal(part, ctx) if isinstance(part, bool) else part


def _literal(type_: object, value: bool | int | str, ctx: z3.Context) -> z3.ExprRef:
    values = getattr(type_, "values", None)
    if values is not None:
        return z3.IntVal(values.index(value), ctx)
    if isinstance(value, bool):
        return z3.BoolVal(value, ctx)
    return z3.IntVal(value, ctx)
