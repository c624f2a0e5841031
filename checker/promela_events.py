"""One spec event as one atomic alternative of the Promela model (SEMANTICS.md, "Events").

`checker.promela` -> here -> `promela_steps.Body`. The statements follow the order in
which the finite model reads its states: the guard, the routing and the effects read
`c`; the status, owner, variables, held meetings and dispute levels are updated next,
so that a deadline's or window's `condition` then reads `c'` while `overdue` and
`in_window` still read `c` (deadlines and windows change last). Timers the step
starts take their start value from the one pick of their duration.
"""

from __future__ import annotations

from typing import Final

from attrs import evolve

from stepcheck.checker.promela_expr import any_of, every, translate
from stepcheck.checker.promela_names import PromelaNames
from stepcheck.checker.promela_steps import Alternative, Body, Context
from stepcheck.checker.watched import team_moves, unmet_step
from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import IntType
from stepcheck.spec.expr import names as read_names
from stepcheck.spec.model import (
    PREVIOUS_OWNER,
    Deadline,
    Direction,
    Event,
    PropertyKind,
)
from stepcheck.spec.precedence import rules_over

__all__ = ["enabled", "event_step"]


def enabled(event: Event, context: Context) -> str:
    """When `event` can happen ("When an event can happen", 1-5, and no enforced
    precedence makes it give way), as a condition on `c`."""
    spec = context.names.spec
    parts = [_own_enabled(event, context)]
    for rule in rules_over(spec, event.id):
        if context.reading.enforces(rule.modality):
            routes = any_of(_own_enabled(spec.event_by_id(r), context) for r in rule.route)
            parts.append("true" if routes == "false" else f"!({routes})")
    return every(parts)


def _own_enabled(event: Event, context: Context) -> str:
    """Conditions 1-5 of "When an event can happen": the event's own rules."""
    names, spec = context.names, context.names.spec
    parts = [_in_statuses(names, event.sources_from)] if event.sources_from else []
    parts += [
        translate(guard.condition, names)
        for guard in event.guards
        if context.reading.enforces(guard.modality)
    ]
    if event.at in names.periodic_meetings:
        parts.append(f"({names.phase(event.at)} == 0)")
    kinds = {variable.id: variable.type for variable in spec.variables}
    for effect in event.effects:
        kind = kinds[effect.target]
        if isinstance(kind, IntType):
            value = translate(effect.value, names)
            parts.append(f"({value} >= {kind.lo} && {value} <= {kind.hi})")
    parts += [
        f"({names.deadline(deadline.id)} <= 0)"
        for deadline in _timed(names)
        if deadline.direction is Direction.NOT_BEFORE
        and context.reading.enforces(deadline.modality)
        and event.id in deadline.obligation
    ]
    return every(parts)


def event_step(event: Event, context: Context) -> Alternative:
    """The alternative that fires `event` when `EN_<event>` holds."""
    names = context.names
    body = Body()
    check = _step_down_flag(event, context, body)
    _apply_effects(event, names, body)
    moves_owner = _route(event, context, body)
    _update_held(event, names, body)
    if event.target is not None:
        body.add(f"status = {names.status(event.target)}")
    if moves_owner:
        body.when("(new_owner != owner)", "previous_owner = owner", "owner = new_owner")
    if event.co_owner is not None:
        body.add(f"co_owner = {names.owner(event.co_owner)}")
    if check is not None and context.prop is not None and context.prop.between_teams:
        body.set("moved", "bool", _changes_team(names))
        check = "!(bad && moved)"
    openers = _open_disputes(event, names, body)
    flags = _window_flags(event, context, body) + _deadline_flags(event, context, body)
    started = openers + flags
    for pick in context.picks.values():
        users = [flag for flag, duration in started if duration == pick.duration]
        lo, hi = pick.interval
        if users and lo < hi:
            body.pick(body.use(pick.variable, "short"), lo, hi, any_of(users))
    _start_disputes(event, context, body)
    _start_windows(event, context, body)
    _update_deadlines(event, context, body)
    body.save_before("old_status", "status")
    body.save_before("old_owner", "owner")
    return body.finish(
        comment=f"event {event.id}{_statuses_text(event)}",
        guard=f"EN_{event.id}",
        kind="event",
        name=event.id,
        check=check,
    )


# -- what the step reads in c -------------------------------------------------------------


def _apply_effects(event: Event, names: PromelaNames, body: Body) -> None:
    """Set the variables, every right-hand side read in `c`: in order when no effect
    reads a variable an earlier one sets, else through scratch copies. Nothing the
    step reads before the deadlines' conditions (routing, tiers) reads a variable."""
    targets = [effect.target for effect in event.effects]
    in_order = all(
        not read_names(effect.value) & set(targets[:index])
        for index, effect in enumerate(event.effects)
    )
    values = [(effect.target, translate(effect.value, names)) for effect in event.effects]
    if in_order:
        body.add(*(f"{names.variable(target)} = {value}" for target, value in values))
        return
    for target, value in values:
        body.set(f"n_{target}", "int", value)
    body.add(*(f"{names.variable(target)} = n_{target}" for target, _ in values))


def _step_down_flag(event: Event, context: Context, body: Body) -> str | None:
    """For `cp_step_down_requires_meeting` and `requires_meeting`: whether this step is
    a watched one taken unprotected (`checker/watched.py`).

    Decided per source status here (tiers and kinds are fixed); `held` is read before
    the step.
    """
    prop, names = context.prop, context.names
    if prop is None or prop.kind not in _MEETING_KINDS:
        return None
    if event.at is not None and event.at in prop.meetings:
        return None
    spec = names.spec
    static = evolve(prop, between_teams=False)  # the owners' teams are tested after the step
    watched = [
        source
        for source in event.sources_from or names.statuses
        if unmet_step(
            spec, static, event=event.id, source=source, target=event.target or source, held=()
        )
    ]
    if not watched:
        return None
    attended = any_of(names.held(meeting) for meeting in prop.meetings)
    body.set("bad", "bool", every([_in_statuses(names, tuple(watched)), f"!{attended}"]))
    return "!bad"


def _changes_team(names: PromelaNames) -> str:
    """`between_teams`: the owner before the step (`old_owner`) and after it are of
    different teams (`checker/watched.py`)."""
    return any_of(
        every(
            [
                any_of(f"(old_owner == {names.owner(o)})" for o in members),
                any_of(f"(owner == {names.owner(o)})" for o in to),
            ]
        )
        for members, to in team_moves(names.spec)
    )


_MEETING_KINDS: Final = (PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING, PropertyKind.REQUIRES_MEETING)


def _route(event: Event, context: Context, body: Body) -> bool:
    """`new_owner`: a re-referral rule's route when it is followed, else the event's owner.

    A rule whose window is open may be followed unless an earlier enforced rule's
    window is open; the event's own owner applies unless an enforced rule's is.
    False when the step always keeps the owner (then `new_owner` is not set).
    """
    names = context.names
    options: list[tuple[str, str]] = []
    binding: list[str] = []
    for rule in names.spec.rereferrals:
        if rule.event != event.id:
            continue
        window = names.window(rule.id)
        closed = [f"({names.window(earlier)} == OFF)" for earlier in binding]
        route = (
            names.window_owner(rule.id)
            if rule.route_to == PREVIOUS_OWNER
            else names.owner(rule.route_to)
        )
        options.append((every([f"({window} != OFF)", *closed]), f"new_owner = {route}"))
        if context.reading.enforces(rule.modality):
            binding.append(rule.id)
    own = _own_owner(event, names)
    if not options and own == "owner":
        return False
    default = f"{body.use('new_owner', 'byte')} = {own}"
    otherwise = every(f"({names.window(rule)} == OFF)" for rule in binding)
    if options:
        body.branch([*options, (otherwise, default)])
    else:
        body.add(default)
    return True


def _own_owner(event: Event, names: PromelaNames) -> str:
    """The event's owner, else the entered status's, else the owner kept (read in `c`)."""
    if event.owner == PREVIOUS_OWNER:
        return "previous_owner"
    if event.owner is not None:
        return names.owner(event.owner)
    if event.target is None:
        return "owner"
    declared = names.spec.status_by_id(event.target).owner
    if declared is None:
        return "owner"
    entered = _entered(event, names, before="status")
    if entered == "true":
        return names.owner(declared)
    return f"({entered} -> {names.owner(declared)} : owner)"


def _update_held(event: Event, names: PromelaNames, body: Body) -> None:
    """Forget the held meetings when the tier changes, then add the event's meeting."""
    spec = names.spec
    if event.target is not None:
        tier = spec.status_by_id(event.target).tier
        sources = event.sources_from or names.statuses
        moves = tuple(s for s in sources if spec.status_by_id(s).tier is not tier)
        if moves:
            everywhere = bool(event.sources_from) and len(moves) == len(sources)
            condition = "true" if everywhere else _in_statuses(names, moves)
            body.when(condition, *(f"{names.held(m.id)} = false" for m in spec.meetings))
    if event.at is not None:
        body.add(f"{names.held(event.at)} = true")


# -- what the step starts, met or stops, reading c' ---------------------------------------


def _open_disputes(event: Event, names: PromelaNames, body: Body) -> list[tuple[str, Duration]]:
    """Resolutions close their ladder; a trigger opens a closed one at its first level."""
    flags: list[tuple[str, Duration]] = []
    for ladder in names.spec.escalations:
        level, whole = names.level_timer(ladder.id), names.dispute_timer(ladder.id)
        dispute = names.dispute(ladder.id)
        if event.id in ladder.resolution:
            body.add(f"{dispute} = 0", f"{level} = OFF", f"{whole} = OFF")
        elif event.id in ladder.trigger:
            flag = body.set(f"opens_{ladder.id}", "bool", f"({dispute} == 0)")
            body.when(flag, f"{dispute} = {names.level(ladder.levels[0].id)}")
            first = ladder.levels[0]
            if (ladder.id, first.id) in names.timing.levels and isinstance(first.within, Duration):
                flags.append((flag, first.within))
            if ladder.id in names.timing.disputes and isinstance(ladder.within, Duration):
                flags.append((flag, ladder.within))
    return flags


def _start_disputes(event: Event, context: Context, body: Body) -> None:
    names = context.names
    for ladder in names.spec.escalations:
        if event.id in ladder.resolution or event.id not in ladder.trigger:
            continue
        first = ladder.levels[0]
        starts = []
        if (ladder.id, first.id) in names.timing.levels and isinstance(first.within, Duration):
            starts.append(f"{names.level_timer(ladder.id)} = {context.start(first.within)}")
        if ladder.id in names.timing.disputes and isinstance(ladder.within, Duration):
            starts.append(f"{names.dispute_timer(ladder.id)} = {context.start(ladder.within)}")
        body.when(f"opens_{ladder.id}", *starts)


def _window_flags(event: Event, context: Context, body: Body) -> list[tuple[str, Duration]]:
    """An anchor opens (or reopens) a window when the rule's condition holds in `c'`."""
    flags = []
    for rule in context.names.spec.rereferrals:
        if event.id in rule.anchor:
            condition = (
                "true" if rule.condition is None else translate(rule.condition, context.names)
            )
            flags.append((body.set(f"opens_{rule.id}", "bool", condition), rule.window))
    return flags


def _start_windows(event: Event, context: Context, body: Body) -> None:
    names = context.names
    for rule in names.spec.rereferrals:
        if event.id in rule.anchor:
            body.when(
                f"opens_{rule.id}",
                f"{names.window(rule.id)} = {context.start(rule.window)}",
                f"{names.window_owner(rule.id)} = old_owner",
            )


def _deadline_flags(event: Event, context: Context, body: Body) -> list[tuple[str, Duration]]:
    """Per timed deadline: `starts_` (an anchor, and the condition in `c'`) and, for a
    recurring one, `renews_` (running, not started, and met)."""
    names = context.names
    flags: list[tuple[str, Duration]] = []
    for deadline in _timed(names):
        assert isinstance(deadline.within, Duration), "timed deadlines have a duration"
        start = _starts(event, deadline, names)
        if start is not None:
            condition = (
                translate(deadline.condition, names) if deadline.condition is not None else "true"
            )
            flag = body.set(f"starts_{deadline.id}", "bool", every([start, condition]))
            flags.append((flag, deadline.within))
        met = _met(event, deadline, names)
        if deadline.recurring and met is not None:
            parts = [f"({names.deadline(deadline.id)} != OFF)", met]
            if start is not None:
                parts.insert(0, f"!starts_{deadline.id}")
            flags.append((body.set(f"renews_{deadline.id}", "bool", every(parts)), deadline.within))
    return flags


def _update_deadlines(event: Event, context: Context, body: Body) -> None:
    """Start (or renew), else met, else left, else unchanged (SEMANTICS.md, "Deadlines")."""
    names = context.names
    for deadline in _timed(names):
        assert isinstance(deadline.within, Duration), "timed deadlines have a duration"
        variable, pick = names.deadline(deadline.id), context.start(deadline.within)
        start = _starts(event, deadline, names) is not None
        met = _met(event, deadline, names)
        renews = deadline.recurring and met is not None
        stops = [_left(event, deadline, names)]
        if not deadline.recurring:
            stops.append(met)
        stop = any_of(part for part in stops if part is not None)
        stopping = "skip"
        if stop != "false":
            stops_now = every([f"({variable} != OFF)", stop])
            stopping = f"if :: {stops_now} -> {variable} = OFF :: else -> skip fi"
        restarts = [f"starts_{deadline.id}"] * start + [f"renews_{deadline.id}"] * renews
        if restarts:
            body.choose([(any_of(restarts), f"{variable} = {pick}"), ("else", stopping)])
        elif stopping != "skip":
            body.add(stopping)


def _starts(event: Event, deadline: Deadline, names: PromelaNames) -> str | None:
    """When `event` is an anchor of `deadline` (before its condition), or None if never."""
    anchors = set(deadline.anchor)
    if event.id in anchors or (event.at is not None and event.at in anchors):
        return "true"
    if event.target is not None and event.target in anchors:
        return _entered(event, names, before="old_status")
    return None


def _met(event: Event, deadline: Deadline, names: PromelaNames) -> str | None:
    if event.id in deadline.obligation:
        return "true"
    if event.target is not None and event.target in deadline.obligation:
        return _entered(event, names, before="old_status")
    return None


def _left(event: Event, deadline: Deadline, names: PromelaNames) -> str | None:
    """When the step leaves the statuses `deadline` is anchored on, or None if never."""
    anchored = [s for s in names.statuses if s in deadline.anchor]
    if event.target is None or not anchored or event.target in anchored:
        return None
    sources = [s for s in event.sources_from or names.statuses if s in anchored]
    return _in_statuses(names, tuple(sources), variable="old_status") if sources else None


def _entered(event: Event, names: PromelaNames, *, before: str) -> str:
    """Whether the step enters its target: `true` when it cannot start there."""
    assert event.target is not None, "only a step with a target enters a status"
    if event.sources_from and event.target not in event.sources_from:
        return "true"
    return f"({before} != {names.status(event.target)})"


def _timed(names: PromelaNames) -> list[Deadline]:
    return [names.spec.deadline_by_id(d) for d in names.deadlines]


def _in_statuses(names: PromelaNames, statuses: tuple[str, ...], variable: str = "status") -> str:
    return any_of(f"({variable} == {names.status(s)})" for s in statuses)


def _statuses_text(event: Event) -> str:
    sources = ", ".join(event.sources_from) if event.sources_from else "any"
    return f": {sources} -> {event.target}" if event.target is not None else f": in {sources}"
