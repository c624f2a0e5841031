"""The steps that are not events: a dispute escalating or decided, a working day passing,
and several working days at once.

`checker/encode_terms.py` holds the events; these read the same `Terms` (the state `s`,
the step's inputs, the readings' flags) and return, like `Terms.event_updates`, when
the step is enabled and the new value of every part it changes (SEMANTICS, "Disputes"
and "Ticks"; `checker/encode_wait.py` for waits).
"""

from __future__ import annotations

import z3

from stepcheck.checker.encode_terms import NONE, OFF, Terms, Updates
from stepcheck.checker.encode_wait import phase_after
from stepcheck.checker.fold import BoolLike, conj, disj, ite, negate
from stepcheck.spec.expr import predicates_used
from stepcheck.spec.model import Deadline, Direction, Escalation, Event

__all__ = ["blocked", "can_move", "decide", "escalate", "tick", "wait"]


def escalate(terms: Terms, ladder: Escalation) -> tuple[BoolLike, Updates]:
    info, level = terms.ladders[ladder.id], terms.s[f"dispute:{ladder.id}"]
    target: z3.ExprRef = level
    timer: z3.ExprRef = terms.s[f"level_timer:{ladder.id}"]
    for here, there in sorted(info.successor.items(), reverse=True):
        target = ite(level == here, terms.val(there), target)
        limit = terms.start(ladder.levels[there].within, info.limits.get(there))
        timer = ite(level == here, limit, timer)
    can = disj(level == here for here in info.successor)
    return can, {f"dispute:{ladder.id}": target, f"level_timer:{ladder.id}": timer}


def decide(terms: Terms, ladder: Escalation) -> tuple[BoolLike, Updates]:
    level = terms.s[f"dispute:{ladder.id}"]
    can = disj(level == i for i in terms.ladders[ladder.id].deciders)
    names = (f"dispute:{ladder.id}", f"level_timer:{ladder.id}", f"dispute_timer:{ladder.id}")
    return can, dict(zip(names, terms.closed(), strict=True))


def can_move(terms: Terms, ladder_id: str) -> BoolLike:
    info, level = terms.ladders[ladder_id], terms.s[f"dispute:{ladder_id}"]
    return disj(level == i for i in (*info.successor, *info.deciders))


def blocked(terms: Terms) -> BoolLike:
    """The actors comply: an enforced deadline is due and can be met, or a dispute must move."""
    s, reasons = terms.s, []
    for deadline in terms.timed:
        if deadline.direction is Direction.AFTER:
            enforced = terms.enforced(deadline.modality)
            can_meet = disj(terms.possible(o) for o in deadline.obligation)
            r = s[f"deadline:{deadline.id}"]
            reasons.append(conj(enforced, r >= 0 if deadline.eager else r == 0, can_meet))
    for ladder in terms.spec.escalations:
        due = disj(s[f"level_timer:{ladder.id}"] == 0, s[f"dispute_timer:{ladder.id}"] == 0)
        reasons.append(conj(s[f"dispute:{ladder.id}"] != NONE, due, can_move(terms, ladder.id)))
    return conj(terms.comply, disj(reasons))


def tick(terms: Terms) -> tuple[BoolLike, Updates]:
    """A working day passes: timers count down, periodic meetings sit or wait."""
    s, updates = terms.s, {}
    for deadline in terms.timed:
        floor = 0 if deadline.direction is Direction.NOT_BEFORE else -1
        name = f"deadline:{deadline.id}"
        updates[name] = _count_down(s[name], floor)
    for ladder in terms.spec.escalations:
        for name in (f"level_timer:{ladder.id}", f"dispute_timer:{ladder.id}"):
            updates[name] = _count_down(s[name], -1)
    for rule in terms.spec.rereferrals:
        timer, owner = s[f"window:{rule.id}"], s[f"window_owner:{rule.id}"]
        closes = timer == 0
        updates[f"window:{rule.id}"] = z3.If(timer <= 0, OFF, timer - 1)
        updates[f"window_owner:{rule.id}"] = z3.If(closes, NONE, owner)
    allowed: list[BoolLike] = [negate(blocked(terms))]
    for meeting_id, period in terms.timing.meetings.items():
        phase, sits = s[f"phase:{meeting_id}"], terms.choice(f"sit:{meeting_id}")
        least = terms.timing.least_gaps[meeting_id]
        allowed.append(z3.If(sits, phase + 1 >= least, phase + 1 <= period - 1))
        updates[f"phase:{meeting_id}"] = z3.If(sits, 0, phase + 1)
    return conj(allowed), updates


def wait(terms: Terms) -> tuple[BoolLike, Updates]:
    """`in:wait` days in one step, where each of them is certainly a tick
    (`checker/encode_wait.py` says when)."""
    s, days, off = terms.s, terms.days, terms.val(OFF)
    allowed: list[BoolLike] = []
    updates: Updates = {}
    for deadline in terms.timed:
        name = f"deadline:{deadline.id}"
        r = s[name]
        if deadline.direction is Direction.NOT_BEFORE:
            updates[name] = z3.If(r == OFF, off, z3.If(r - days < 0, 0, r - days))
            continue
        allowed.append(z3.Or(r < 0, r >= days - 1))
        enforced = terms.enforced(deadline.modality)
        if enforced is not False:
            allowed.append(disj(negate(conj(terms.comply, enforced)), r < 0, r >= days))
            if deadline.eager:
                allowed.append(
                    disj(negate(conj(terms.comply, enforced)), r < 0, _never(terms, deadline))
                )
        updates[name] = z3.If(r < 0, r, z3.If(r - days < -1, -1, r - days))
    for ladder in terms.spec.escalations:
        for name in (f"level_timer:{ladder.id}", f"dispute_timer:{ladder.id}"):
            r = s[name]
            allowed.append(z3.Or(z3.Not(terms.comply), r < 0, r >= days))
            updates[name] = z3.If(r < 0, r, z3.If(r - days < -1, -1, r - days))
    for rule in terms.spec.rereferrals:
        r, owner = s[f"window:{rule.id}"], s[f"window_owner:{rule.id}"]
        allowed.append(z3.Or(r == OFF, r >= days - 1))
        closes = z3.And(r != OFF, r - days < 0)
        updates[f"window:{rule.id}"] = z3.If(r == OFF, off, z3.If(closes, off, r - days))
        updates[f"window_owner:{rule.id}"] = z3.If(closes, NONE, owner)
    for meeting_id, period in terms.timing.meetings.items():
        after = z3.Int(f"in:phase:{meeting_id}", terms.ctx)
        terms.inputs[f"in:phase:{meeting_id}"] = after
        least = terms.timing.least_gaps[meeting_id]
        bound = period - 1 + terms.longest_wait
        phase = s[f"phase:{meeting_id}"]
        allowed.append(phase_after(phase, after, days, least=least, period=period, bound=bound))
        updates[f"phase:{meeting_id}"] = after
    return conj(allowed), updates


def _count_down(before: z3.ExprRef, floor: int) -> z3.ExprRef:
    return z3.If(before == OFF, OFF, z3.If(before <= floor, floor, before - 1))


def _never(terms: Terms, deadline: Deadline) -> BoolLike:
    """For an eager deadline: none of its obligations can be met on any day of a wait.
    Within a wait only meetings' sittings change (SEMANTICS: nothing else happens, and
    no timer runs out before the last day), so an event that needs no meeting is ruled
    out by "it cannot happen now", one that does by "the case is not in a status it
    can happen from"; an event that needs a meeting and can happen from any status
    allows no wait (single ticks, which reach the same states, take its place)."""
    moves = set(deadline.obligation) & set(terms.status_index)
    ruled_out: list[BoolLike] = []
    for event in terms.spec.events:
        if event.id not in deadline.obligation and event.target not in moves:
            continue
        if not _needs_meeting(event):
            ruled_out.append(negate(terms.own_enabled(event)))
        elif event.sources_from:
            ruled_out.append(negate(terms.is_status(terms.s, event.sources_from)))
        else:
            return False
    return conj(ruled_out)


def _needs_meeting(event: Event) -> bool:
    held = (
        name == "held" for guard in event.guards for name, _ in predicates_used(guard.condition)
    )
    return event.at is not None or any(held)
