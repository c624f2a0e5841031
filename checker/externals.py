"""A verdict that needs a document the spec does not hold: `unknown (depends on ...)`,
not `violated`, unless the spec's own part already lets a dispute stay open for ever.
Other elements (events, statuses, deadlines, meetings) can follow such a document too
(`external:`): a run through them, and a finding about them, says it depends on it
(`followed_outside`, `outside_of`).

A level with `external:` keeps the dispute for ever in the model (SEMANTICS.md,
"Disputes"), because nothing in the spec says how it ends there. A counterexample
whose open dispute sits at such a level for ever shows only that the spec leans on the
other document. To tell that apart from a failure of the spec's own rules, the
property is asked again of the spec in which every external level decides at once
(`decided_outside`): the most the other document could do. A violation still found
there, by a run that replays in the spec as written and repeats at a level of the
spec's own, is the spec's own; otherwise the verdict depends on the document (unknown
is never a wrong verdict; the differential test accepts it where the explorer, which
knows nothing of documents, finds the dispute open for ever).

A step with `external:` follows a document the spec does not hold (a missing flow
chart, a threshold document): the spec says that it can happen, not when. A violation
whose run takes such a step (`steps_outside`) is asked again of the spec in which no
such step happens (`without_steps_outside`: each gets the guard `false`), which no
text of the other document can undo for a run that does not take them. A violation
found there, by a run that replays in the spec as written, is the spec's own;
otherwise the verdict is `unknown` and names the document (`steps_depend`).
"""

from __future__ import annotations

from attrs import evolve

from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Verdict
from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.expr import BoolLit
from stepcheck.spec.model import (
    Deadline,
    EscalationLevel,
    Event,
    Guard,
    Meeting,
    ProtocolSpec,
    Status,
)
from stepcheck.spec.trace import StepKind, Trace

__all__ = [
    "decided_outside",
    "depends_on",
    "followed_outside",
    "held_outside",
    "outside_of",
    "steps_depend",
    "steps_outside",
    "without_steps_outside",
]


def held_outside(spec: ProtocolSpec, outcome: Outcome) -> tuple[str, EscalationLevel] | None:
    """The (ladder, external level) where the counterexample's dispute stays for ever."""
    trace, ladder_id = outcome.trace, outcome.subject
    if outcome.verdict is not Verdict.VIOLATED or trace is None or ladder_id is None:
        return None
    if trace.loop_start is None:
        return None
    ladder = spec.escalation_by_id(ladder_id)
    level_id = trace.final.get(f"dispute:{ladder_id}")
    level = next((level for level in ladder.levels if level.id == level_id), None)
    return (ladder_id, level) if level is not None and level.external is not None else None


def decided_outside(spec: ProtocolSpec) -> ProtocolSpec:
    """`spec` in which every external level decides at once: one decider, no time."""
    at_once = Duration(quantity=0, unit=Unit.WORKING_DAYS)
    return evolve(
        spec,
        escalations=tuple(
            evolve(
                ladder,
                levels=tuple(
                    evolve(level, external=None, decides=True, who=(), within=at_once)
                    if level.external is not None
                    else level
                    for level in ladder.levels
                ),
            )
            for ladder in spec.escalations
        ),
    )


def depends_on(
    spec: ProtocolSpec, ladder_id: str, level: EscalationLevel, inside: Outcome
) -> Outcome:
    """The `unknown` verdict of a dispute held by another document, with what the
    spec's own part gives when that document decides at once (`inside`)."""
    titles = {external.id: external.title for external in spec.externals}
    title = titles.get(str(level.external), str(level.external))
    reason = (
        f"depends on '{title}': the dispute '{ladder_id}' is handed to it at level "
        f"'{level.id}', and the spec cannot say how it ends there"
    )
    if inside.verdict is Verdict.PROVED:
        days = inside.working_days
        within = f" within {days} working day{'s' if days != 1 else ''}" if days else ""
        reason += f"; were that document to decide at once, every dispute would end{within}"
    elif inside.verdict is Verdict.UNKNOWN:
        reason += f"; the spec's own part was not decided either ({inside.reason})"
    return Outcome(verdict=Verdict.UNKNOWN, reason=reason, subject=ladder_id)


def followed_outside(spec: ProtocolSpec, trace: Trace | None) -> tuple[str, ...]:
    """For a run, one sentence per external document that a step it takes, a status it
    passes through or a deadline that runs in it follows: the run depends on what that
    document says, which the spec does not hold."""
    if trace is None:
        return ()
    titles = {external.id: external.title for external in spec.externals}
    used: dict[str, list[str]] = {}

    def note(external: str | None, words: str) -> None:
        if external is not None and words not in used.setdefault(external, []):
            used[external].append(words)

    statuses = [trace.initial.get("status")] + [step.state.get("status") for step in trace.steps]
    for status in spec.statuses:
        if status.id in statuses:
            note(status.external, f"status '{status.id}'")
    taken = {step.name for step in trace.steps if step.kind is StepKind.EVENT}
    for event in spec.events:
        if event.id in taken:
            note(event.external, f"step '{event.id}'")
            if event.at is not None:
                note(spec.meeting_by_id(event.at).external, f"meeting '{event.at}'")
    running = {
        name.removeprefix("deadline:")
        for step in trace.steps
        for name, value in step.state.items()
        if name.startswith("deadline:") and value is not None
    }
    for deadline in spec.deadlines:
        if deadline.id in running:
            note(deadline.external, f"deadline '{deadline.id}'")
    return tuple(
        f"Depends on '{titles.get(external, external)}': this run goes through "
        f"{', '.join(words)}, which follow{'s' if len(words) == 1 else ''} that document; "
        "what it says is not in the spec and is not checked."
        for external, words in used.items()
    )


def outside_of(spec: ProtocolSpec, subject: str | None) -> str | None:
    """The title of the external document the element `subject` (`kind:id`) follows."""
    if subject is None or ":" not in subject:
        return None
    kind, element = subject.split(":", 1)
    groups: dict[str, tuple[Event | Status | Deadline | Meeting, ...]] = {
        "event": spec.events,
        "status": spec.statuses,
        "deadline": spec.deadlines,
        "meeting": spec.meetings,
    }
    found = next((item for item in groups.get(kind, ()) if item.id == element), None)
    if found is None or found.external is None:
        return None
    titles = {external.id: external.title for external in spec.externals}
    return titles.get(found.external, found.external)


def steps_outside(spec: ProtocolSpec, trace: Trace | None) -> tuple[Event, ...]:
    """The steps a run takes that follow a document the spec does not hold."""
    if trace is None:
        return ()
    taken = {step.name for step in trace.steps if step.kind is StepKind.EVENT}
    return tuple(event for event in spec.events if event.id in taken and event.external)


def without_steps_outside(spec: ProtocolSpec) -> ProtocolSpec:
    """`spec` in which no step that follows another document can happen."""
    return evolve(
        spec,
        events=tuple(
            evolve(event, guards=(*event.guards, _never(event))) if event.external else event
            for event in spec.events
        ),
    )


def _never(event: Event) -> Guard:
    return Guard(
        condition=BoolLit(value=False, span=event.span),
        text="false",
        description="follows a document the spec does not hold",
        span=event.span,
    )


def steps_depend(spec: ProtocolSpec, steps: tuple[Event, ...], inside: Outcome) -> Outcome:
    """The `unknown` verdict of a violation found only through steps that follow another
    document, with what the spec's own steps give without them (`inside`)."""
    titles = {external.id: external.title for external in spec.externals}
    documents = dict.fromkeys(titles.get(str(step.external), str(step.external)) for step in steps)
    named = ", ".join(f"'{title}'" for title in documents)
    taken = ", ".join(f"'{step.id}'" for step in steps)
    reason = (
        f"depends on {named}: the run that breaks it takes {taken}, which follow"
        f"{'s' if len(steps) == 1 else ''} a document the spec does not hold, so when "
        "such a step can happen is not known"
    )
    if inside.verdict is Verdict.PROVED and inside.vacuous:
        reason += "; without such steps, no case gets to where it could break it"
    elif inside.verdict is Verdict.PROVED:
        reason += "; without such steps, the spec's own rules keep it"
    elif inside.verdict is Verdict.UNKNOWN:
        reason += f"; the spec's own steps were not decided either ({inside.reason})"
    else:
        reason += "; a run without such steps was found, but it did not replay in the spec"
    return Outcome(verdict=Verdict.UNKNOWN, reason=reason, subject=inside.subject)
