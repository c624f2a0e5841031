"""The steps that are not events: a dispute's escalate and decide, and the tick.

`checker.promela` -> here -> `promela_steps.Body`. SEMANTICS.md ("Disputes" and
"Ticks" of the finite model) is the contract: internal steps are never blocked; a
tick is blocked, when people comply, exactly while an enforced `after` deadline is
due and one of its obligations can happen now, or a dispute's limit has run out and
it can move on. `BLOCKED` reuses the events' `EN_` conditions, so a tick waits for
precisely the events the model can fire.
"""

from __future__ import annotations

from stepcheck.checker.promela_expr import any_of, every
from stepcheck.checker.promela_names import PromelaNames
from stepcheck.checker.promela_steps import Alternative, Body, Context
from stepcheck.spec.model import NOT_NEEDED, Direction, Escalation, EscalationLevel

__all__ = ["blocked", "dispute_steps", "tick_step"]


def dispute_steps(context: Context) -> list[Alternative]:
    """Per open level: `escalate` to its target, `decide` when the level decides."""
    names = context.names
    steps = []
    for ladder in names.spec.escalations:
        dispute = names.dispute(ladder.id)
        for level in ladder.levels:
            guard = f"({dispute} == {names.level(level.id)})"
            target = escalation_target(ladder, level)
            if target is not None:
                body = Body()
                body.add(f"{dispute} = {names.level(target)}")
                timer = names.level_timer(ladder.id)
                interval = names.timing.levels.get((ladder.id, target))
                if interval is None:
                    body.add(f"{timer} = OFF")
                elif interval[0] == interval[1]:
                    body.add(f"{timer} = {interval[0]}")
                else:
                    body.pick(timer, *interval)
                steps.append(
                    body.finish(
                        comment=f"escalate {ladder.id}: {level.id} -> {target}",
                        guard=guard,
                        kind="escalate",
                        name=ladder.id,
                    )
                )
            if can_decide(ladder, level):
                body = Body()
                body.add(
                    f"{dispute} = 0",
                    f"{names.level_timer(ladder.id)} = OFF",
                    f"{names.dispute_timer(ladder.id)} = OFF",
                )
                steps.append(
                    body.finish(
                        comment=f"decide {ladder.id} at {level.id}",
                        guard=guard,
                        kind="decide",
                        name=ladder.id,
                    )
                )
    return steps


def blocked(context: Context) -> str:
    """When people comply, the condition under which time may not pass; else `false`."""
    if not context.comply:
        return "false"
    names, spec = context.names, context.names.spec
    reasons = []
    for deadline_id in names.deadlines:
        deadline = spec.deadline_by_id(deadline_id)
        if deadline.direction is not Direction.AFTER:
            continue
        if not context.reading.enforces(deadline.modality):
            continue
        meets = []
        for event in spec.events:
            if event.id in deadline.obligation:
                meets.append(f"EN_{event.id}")
            elif event.target is not None and event.target in deadline.obligation:
                moves = not event.sources_from or event.target in event.sources_from
                stays = f"(status != {names.status(event.target)})"
                meets.append(f"(EN_{event.id} && {stays})" if moves else f"EN_{event.id}")
        if meets:
            due = ">= 0" if deadline.eager else "== 0"
            reasons.append(every([f"({names.deadline(deadline_id)} {due})", any_of(meets)]))
    for ladder in spec.escalations:
        movable = [
            f"({names.dispute(ladder.id)} == {names.level(level.id)})"
            for level in ladder.levels
            if escalation_target(ladder, level) is not None or can_decide(ladder, level)
        ]
        if movable:
            level, whole = names.level_timer(ladder.id), names.dispute_timer(ladder.id)
            reasons.append(every([any_of(movable), f"({level} == 0 || {whole} == 0)"]))
    return any_of(reasons)


def tick_step(context: Context) -> Alternative:
    """A working day passes: every running timer counts down, meetings move on."""
    names, spec = context.names, context.names.spec
    body = Body()
    for deadline_id in names.deadlines:
        variable = names.deadline(deadline_id)
        if spec.deadline_by_id(deadline_id).direction is Direction.NOT_BEFORE:
            body.when(f"({variable} > 0)", f"{variable}--")
        else:
            body.when(f"({variable} >= 0)", f"{variable}--")
    for ladder in spec.escalations:
        for variable in (names.level_timer(ladder.id), names.dispute_timer(ladder.id)):
            body.when(f"({variable} >= 0)", f"{variable}--")
    for rule in spec.rereferrals:
        window, owner = names.window(rule.id), names.window_owner(rule.id)
        body.choose(
            [
                (f"({window} == 0)", f"{window} = OFF; {owner} = NOBODY"),
                (f"({window} > 0)", f"{window}--"),
                ("else", "skip"),
            ]
        )
    for meeting in names.periodic_meetings:
        body.branch(_phase_options(names, meeting))
    return body.finish(
        comment="tick: one working day passes", guard="!BLOCKED", kind="tick", name=None
    )


def escalation_target(ladder: Escalation, level: EscalationLevel) -> str | None:
    """Where `escalate` goes from `level`: `next`, else the following level; None if
    the level is external or the last one without `next`."""
    if level.external is not None:
        return None
    if level.next is not None:
        return level.next
    index = ladder.levels.index(level)
    return ladder.levels[index + 1].id if index + 1 < len(ladder.levels) else None


def can_decide(ladder: Escalation, level: EscalationLevel) -> bool:
    """A deciding level that is not external decides when one person (or team) decides,
    or a tie-break names a role (not `not_needed`, not `unspecified`)."""
    if not level.decides or level.external is not None:
        return False
    return len(level.who) <= 1 or (
        isinstance(ladder.tie_break, str) and ladder.tie_break != NOT_NEEDED
    )


def _phase_options(names: PromelaNames, meeting: str) -> list[tuple[str, str]]:
    """Sit on the new day once the least gap has passed, or wait while the period allows."""
    phase = names.phase(meeting)
    period, least = names.timing.meetings[meeting], names.timing.least_gaps[meeting]
    if least > period:
        raise AssertionError(f"meeting '{meeting}': least gap {least} above period {period}")
    sits = "true" if least <= 1 else f"({phase} >= {least - 1})"
    return [(sits, f"{phase} = 0"), (f"({phase} < {period - 1})", f"{phase}++")]
