"""One plain-English sentence per verdict (`PropertyResult.summary`), read before any trace."""

from __future__ import annotations

from stepcheck.checker.derived import eager_applies
from stepcheck.checker.derived_urgent import sittings_taken_up
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Verdict
from stepcheck.checker.words import words_of
from stepcheck.spec.expr import to_text
from stepcheck.spec.model import Modality, Property, PropertyKind, ProtocolSpec
from stepcheck.spec.trace import Trace

__all__ = ["formula_text", "property_name", "summarise"]


def summarise(
    spec: ProtocolSpec,
    prop: Property,
    outcome: Outcome,
    *,
    should_only: bool,
    fails_when_missed: bool = False,
    cause: str | None = None,
    unforced: tuple[str, ...] = (),
) -> str:
    """What the verdict means, in the protocol's terms; `unforced` are the steps that
    would end a wait for ever but that nothing makes happen by any day."""
    if prop.urgent is not None:
        meetings = [words_of(spec, m) for m in sittings_taken_up(spec, prop.urgent)]
        return _urgent(words_of(spec, prop.urgent), outcome, cause, meetings)
    if prop.deadline is not None:
        return _deadline(spec, prop, outcome, cause)
    if prop.holding is not None:
        return _holding(words_of(spec, prop.holding), outcome)
    match outcome.verdict:
        case Verdict.PROVED:
            text = _proved(spec, prop, outcome)
            if fails_when_missed:
                text = (
                    text.removesuffix(".")
                    + ", as long as deadlines and time limits are met; when one is missed, "
                    "it can fail."
                )
        case Verdict.VIOLATED:
            text = _violated(spec, prop, outcome, unforced)
            if should_only:
                text += " This cannot happen if the should-rules are followed too."
        case Verdict.UNKNOWN:
            reason = outcome.reason or ""
            if reason.startswith("depends on "):
                # what the verdict needs is in another document: say which, first
                text = f"'{property_name(spec, prop.id)}' {reason}."
            else:
                text = f"Not decided: {reason}."
    return text


def _deadline(spec: ProtocolSpec, prop: Property, outcome: Outcome, cause: str | None) -> str:
    """A derived "can this deadline be met?" question, in the deadline's own words."""
    assert prop.deadline is not None, "only derived deadline questions get here"
    deadline = spec.deadline_by_id(prop.deadline)
    named = (
        f"The {deadline.modality.value} deadline '{words_of(spec, deadline.id)}' "
        f"({deadline.within})"
    )
    everyone = (
        "everyone follows the must- and should-rules"
        if deadline.modality is Modality.SHOULD
        else "everyone follows the must-rules"
    )
    when = "as soon as they can" if eager_applies(deadline) else "on its last day"
    match outcome.verdict:
        case Verdict.PROVED:
            if outcome.vacuous:
                return f"{named} never starts, so it is never missed."
            worst = outcome.working_days
            if worst is None:
                return f"{named} can always be met when {everyone} and acts {when}."
            after = f"{_days(worst)} after it starts" if worst else "on the day it starts"
            return f"{named} can always be met when {everyone} and acts {when}: at worst {after}."
        case Verdict.VIOLATED:
            why = f": {cause}" if cause else ""
            return f"{named} can be missed even when {everyone} and acts {when}{why}."
        case Verdict.UNKNOWN:
            return (
                f"Not decided whether {named[0].lower()}{named[1:]} can always be met: "
                f"{outcome.reason}."
            )


def _urgent(status: str, outcome: Outcome, cause: str | None, meetings: list[str]) -> str:
    """A derived "does an urgent case wait in this status?" question; `meetings` are
    those whose sitting counts as taking the case up (a proof says no more)."""
    match outcome.verdict:
        case Verdict.PROVED:
            if outcome.vacuous:
                return f"No case on an urgent route reaches '{status}'."
            if meetings:
                named = " or ".join(f"'{m}'" for m in meetings)
                return (
                    f"A case on an urgent route in '{status}' is moved on, or taken up at "
                    f"{named}, the day it arrives, when everyone acts as soon as they can "
                    "(what that meeting then decides is not part of this question)."
                )
            return (
                f"A case on an urgent route moves on from '{status}' the day it arrives, "
                "when everyone acts as soon as they can: nothing makes it wait for a "
                "periodic meeting or another step."
            )
        case Verdict.VIOLATED:
            # the cause is "<how long>: <what held it back>" (`verify._worded`)
            lead, _, why = (cause or "into the next working day: ").partition(": ")
            said = f": {why}" if why else ""
            return (
                f"A case on an urgent route can wait in '{status}' {lead}, even when "
                f"everyone acts as soon as they can{said}."
            )
        case Verdict.UNKNOWN:
            reason = outcome.reason or ""
            if reason.startswith("depends on "):
                return f"Whether an urgent case waits in '{status}' {reason}."
            return f"Not decided whether an urgent case waits in '{status}': {reason}."


def _holding(status: str, outcome: Outcome) -> str:
    """A derived "how long can a case sit in this holding status?" question."""
    match outcome.verdict:
        case Verdict.PROVED:
            if outcome.vacuous:
                return f"No case ever reaches the holding status '{status}'."
            return (
                f"A case in the holding status '{status}' leaves it within "
                f"{_days(outcome.working_days)} at worst, when everyone meets the deadlines "
                "they can."
            )
        case Verdict.VIOLATED:
            return (
                f"A case can stay in the holding status '{status}' for ever, even when everyone "
                "meets the deadlines they can: no limit the protocol sets moves it on (the "
                "story shows the steps that repeat)."
            )
        case Verdict.UNKNOWN:
            return f"Not decided how long a case can stay in '{status}': {outcome.reason}."


def formula_text(prop: Property) -> str | None:
    """What a user-written property checks, as the formula the spec states it with (an
    urgent-route question states none: its clock is its own, not the spec's)."""
    if prop.urgent is not None:
        return None
    match prop.kind:
        case PropertyKind.INVARIANT:
            return f"always '{to_text(prop.holds)}'" if prop.holds is not None else None
        case PropertyKind.LEADS_TO:
            within = f" within {prop.within}" if prop.within is not None else ""
            return f"{_response(prop).lower()}{within}"
    return None


def property_name(spec: ProtocolSpec, prop_id: str) -> str:
    """A property's id as words: 'step_in_before_next_tam' -> 'Step in before next TAM'.
    A word is capitalised where the spec's own names and quotes write it so."""
    return words_of(spec, prop_id)


def _proved(spec: ProtocolSpec, prop: Property, outcome: Outcome) -> str:
    if outcome.vacuous:
        return "Holds vacuously: the situation it is about can never arise."
    days = outcome.working_days
    match prop.kind:
        case PropertyKind.NO_UNOWNED_CASE:
            return "Every open case always has a responsible owner."
        case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING:
            return f"No case steps down from {_tiers(spec, prop)} without {_meetings(spec, prop)}."
        case PropertyKind.REQUIRES_MEETING:
            steps = f"{_kinds(prop)}{_from_tiers(spec, prop)}"
            return f"Every {steps} goes through {_meetings(spec, prop)}."
        case PropertyKind.ESCALATION_TERMINATES:
            return f"Every dispute reaches a final decision within {_days(days)}."
        case PropertyKind.INVARIANT:
            return f"'{property_name(spec, prop.id)}' holds in every situation a case can reach."
        case PropertyKind.LEADS_TO:
            return f"'{property_name(spec, prop.id)}' always holds, within {_days(days)} at worst."


def _violated(
    spec: ProtocolSpec, prop: Property, outcome: Outcome, unforced: tuple[str, ...] = ()
) -> str:
    trace = outcome.trace
    final = trace.final if trace is not None else {}
    match prop.kind:
        case PropertyKind.NO_UNOWNED_CASE:
            owner = spec.owner_by_id(str(final.get("owner")))
            status = words_of(spec, str(final.get("status")))
            return (
                f"A case in '{status}' can be held by '{owner.name or owner.id}' "
                f"({owner.kind.value.replace('_', ' ')}), which nobody is responsible for."
            )
        case PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING:
            event = _last_event(spec, trace)
            return (
                f"'{event}' can step a case down from {_tiers(spec, prop)} without "
                f"{_meetings(spec, prop)}."
            )
        case PropertyKind.REQUIRES_MEETING:
            event = _last_event(spec, trace)
            return (
                f"'{event}' ({_kinds(prop)}) can happen{_from_tiers(spec, prop)} without "
                f"{_meetings(spec, prop)}."
            )
        case PropertyKind.ESCALATION_TERMINATES:
            level = final.get(f"dispute:{outcome.subject}")
            ladder = words_of(spec, str(outcome.subject))
            if level is None:
                return f"Dispute '{ladder}' can stay open for ever."
            return (
                f"Dispute '{ladder}' can stay open for ever: nobody ever decides, and it "
                f"stays with {_who(spec, str(outcome.subject), str(level))} "
                f"(level '{words_of(spec, str(level))}')."
            )
        case PropertyKind.INVARIANT:
            return f"'{property_name(spec, prop.id)}' does not always hold: a case can break it."
        case PropertyKind.LEADS_TO:
            name = property_name(spec, prop.id)
            if trace is not None and trace.loop_start is not None and unforced:
                steps = " or ".join(f"'{words_of(spec, event)}'" for event in unforced)
                return (
                    f"'{name}' does not always hold: a case can wait for ever, because "
                    f"nothing makes {steps} happen by any day. It is possible throughout "
                    "the wait, and the document says it happens, but gives no time for it."
                )
            if trace is not None and trace.loop_start is not None:
                return f"'{name}' does not always hold: a case can wait for ever."
            if prop.within is not None:
                return f"'{name}' does not always hold: it can take longer than {prop.within}."
            return f"'{name}' does not always hold."


def _who(spec: ProtocolSpec, ladder: str, level: str) -> str:
    """The people at a ladder's level, by their roles' names: 'the Head of Service'."""
    try:
        rung = spec.escalation_by_id(ladder).level_by_id(level)
    except (KeyError, StopIteration):
        return "the people at that level"
    names = {role.id: role.name for role in spec.roles}
    said = [names.get(role) or words_of(spec, role) for role in rung.who]
    if not said:
        return "nobody the document names"
    if len(said) == 1:
        return f"the {said[0]}" if not said[0].lower().startswith("the ") else said[0]
    return ", ".join(said[:-1]) + " and " + said[-1]


def _response(prop: Property) -> str:
    trigger = to_text(prop.trigger) if prop.trigger else "?"
    goal = to_text(prop.goal) if prop.goal else "?"
    return f"Whenever '{trigger}', eventually '{goal}'"


def _days(days: int | None) -> str:
    return "0 working days" if not days else f"{days} working day{'s' if days != 1 else ''}"


def _tiers(spec: ProtocolSpec, prop: Property) -> str:
    tiers = [words_of(spec, tier.value, capital=False) for tier in prop.tiers]
    return ", ".join(tiers) or "CP"


def _kinds(prop: Property) -> str:
    """The kinds of step a `requires_meeting` watches: 'transfer or step down', or
    'move to another team' (its kinds and exemptions are in its description)."""
    if prop.between_teams:
        return "move to another team"
    return " or ".join(kind.value.replace("_", " ") for kind in prop.kinds) or "step"


def _from_tiers(spec: ProtocolSpec, prop: Property) -> str:
    if not prop.tiers:
        return ""
    return " from " + ", ".join(words_of(spec, tier.value, capital=False) for tier in prop.tiers)


def _meetings(spec: ProtocolSpec, prop: Property) -> str:
    names = {meeting.id: meeting.name for meeting in spec.meetings}
    said = [names.get(meeting) or words_of(spec, meeting) for meeting in prop.meetings]
    return " or ".join(f"a {name}" for name in said) or "a meeting"


def _last_event(spec: ProtocolSpec, trace: Trace | None) -> str:
    if trace is None or not trace.steps:
        return "?"
    return words_of(spec, str(trace.steps[-1].name))
