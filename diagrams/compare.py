"""How authorities differ on the same questions, read from their specs side by side.

`ProtocolSpec`s -> `compare` -> `Comparison` -> `render_text` / `render_markdown` here,
or the report's HTML table. Each aspect a reviewer compares (meeting cadence, decision
deadlines, re-referral window, step-down meeting, escalation ladder, final authority,
holding states, what takes precedence) becomes one row; each cell lists what the spec
says, each entry with the digest rule ids it comes from (or, when the spec cites none,
its place in the spec). Where the document is silent the spec holds `unspecified`, and the cell says
"not stated": nothing here is filled in from other authorities or from defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Final

from attrs import frozen

from stepcheck.spec.duration import Duration, Unit
from stepcheck.spec.model import (
    PREVIOUS_OWNER,
    UNSPECIFIED,
    CadenceKind,
    Deadline,
    Direction,
    Escalation,
    EscalationLevel,
    EventKind,
    PropertyKind,
    ProtocolSpec,
    Source,
    Tier,
    Unspecified,
)
from stepcheck.spec.timing import interval, meeting_period

__all__ = [
    "NOT_STATED",
    "Aspect",
    "Comparison",
    "Entry",
    "compare",
    "render_markdown",
    "render_text",
]

NOT_STATED: Final = "not stated"
"""What a cell says where the spec holds `unspecified`."""


@frozen(kw_only=True)
class Entry:
    """One thing a spec says about an aspect, and where it says it.

    `rules` are digest rule ids; when the spec cites none, `place` is the YAML path
    of the element, so every entry can be traced back.
    """

    text: str
    rules: tuple[str, ...]
    place: str

    @property
    def origin(self) -> str:
        """Where the entry comes from, as a reviewer looks it up."""
        if self.rules:
            return ", ".join(self.rules)
        return f"no rule cited; spec: {self.place}"


@frozen(kw_only=True)
class Aspect:
    """One row of the comparison: an aspect, and per authority the entries about it."""

    title: str
    cells: tuple[tuple[Entry, ...], ...]


@frozen(kw_only=True)
class Comparison:
    """Aspects (rows) by authorities (columns, in the order given)."""

    authorities: tuple[str, ...]
    names: tuple[str, ...]
    aspects: tuple[Aspect, ...]


def compare(specs: Sequence[ProtocolSpec]) -> Comparison:
    """Compare `specs` aspect by aspect, authorities sorted by id."""
    ordered = sorted(specs, key=lambda spec: (spec.authority.id, spec.path))
    return Comparison(
        authorities=tuple(spec.authority.id for spec in ordered),
        names=tuple(spec.authority.name for spec in ordered),
        aspects=tuple(
            Aspect(title=title, cells=tuple(tuple(entries(spec)) for spec in ordered))
            for title, entries in _ASPECTS
        ),
    )


def render_text(comparison: Comparison) -> str:
    """The comparison as plain text: one block per aspect, one paragraph per authority."""
    lines = [_heading(comparison)]
    for aspect in comparison.aspects:
        lines += ["", aspect.title, "=" * len(aspect.title)]
        for authority, cell in zip(comparison.authorities, aspect.cells, strict=True):
            lines.append(f"{authority}:")
            lines += [f"  - {entry.text}  [{entry.origin}]" for entry in cell]
    return "\n".join(lines) + "\n"


def render_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: a table per aspect, one row per entry."""
    lines = ["# stepcheck compare", "", _heading(comparison)]
    for aspect in comparison.aspects:
        lines += ["", f"## {aspect.title}", "", "| authority | what the spec says | from |"]
        lines.append("|---|---|---|")
        for authority, cell in zip(comparison.authorities, aspect.cells, strict=True):
            for entry in cell:
                cells = [f"`{authority}`", _md(entry.text), _md(entry.origin)]
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _heading(comparison: Comparison) -> str:
    listed = ", ".join(
        f"{authority} ({name})"
        for authority, name in zip(comparison.authorities, comparison.names, strict=True)
    )
    return f"{len(comparison.authorities)} authorities compared: {listed}."


def _md(text: str) -> str:
    """Text safe in a Markdown table cell.

    >>> _md("a | b")
    'a \\\\| b'
    """
    return " ".join(text.split()).replace("|", "\\|")


# --- the aspects ------------------------------------------------------------------


def _meeting_cadence(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for meeting in spec.meetings:
        if meeting.cadence.kind is CadenceKind.ON_DEMAND:
            continue
        name = meeting.name or meeting.id
        if meeting.cadence.kind is CadenceKind.UNSPECIFIED:
            text = f"{name}: cadence {NOT_STATED}"
        else:
            text = f"{name}: {meeting.cadence}"
            period = meeting_period(meeting.cadence)
            if period is not None:
                text += f" (at most {_days(period)} between sittings)"
        found.append(_entry(text, meeting.sources, meeting.span.path))
    if not found:
        return [
            Entry(
                text="no standing meeting: every meeting sits on demand", rules=(), place="meetings"
            )
        ]
    return found


def _decision_deadlines(spec: ProtocolSpec) -> list[Entry]:
    decisions = {event.id for event in spec.events if event.kind is EventKind.DECIDE}
    found = [
        _entry(
            f"{deadline.id}: {_duration(deadline.within)}{_modality(deadline)}",
            deadline.sources,
            deadline.span.path,
        )
        for deadline in spec.deadlines
        if deadline.direction is Direction.AFTER and decisions.intersection(deadline.obligation)
    ]
    if not found:
        return [Entry(text="no deadline for a decision", rules=(), place="deadlines")]
    return found


def _rereferral_window(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for rule in spec.rereferrals:
        route = (
            "the previous owner" if rule.route_to == PREVIOUS_OWNER else _owner(spec, rule.route_to)
        )
        text = f"{rule.id}: within {_duration(rule.window)} of {_either(rule.anchor)}, "
        text += f"'{rule.event}' goes to {route}"
        if rule.modality.value != "must":
            text += f" ({rule.modality.value})"
        found.append(_entry(text, rule.sources, rule.span.path))
    if not found:
        return [Entry(text="no re-referral window", rules=(), place="rereferrals")]
    return found


def _step_down_meeting(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for prop in spec.properties:
        if prop.kind is not PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING:
            continue
        tiers = ", ".join(tier.value for tier in prop.tiers or (Tier.CP,))
        lower = ", ".join(tier.value for tier in prop.to_tiers) or "a lower tier"
        meetings = " or ".join(_meeting(spec, meeting_id) for meeting_id in prop.meetings)
        if prop.any_meeting:
            meetings = f"any meeting, none named ({meetings or 'the spec has none'})"
        text = f"{prop.id}: from {tiers} to {lower}, after {meetings or NOT_STATED}"
        found.append(_entry(text, prop.sources, prop.span.path))
    if not found:
        return [
            Entry(text="no step-down meeting required by the spec", rules=(), place="properties")
        ]
    return found


def _escalation_ladder(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for ladder in spec.escalations:
        rungs = [_rung(spec, ladder, index) for index in range(len(ladder.levels))]
        text = f"{ladder.id}: " + " -> ".join(rungs)
        if not isinstance(ladder.within, Unspecified):
            text += f"; whole dispute within {_duration(ladder.within)}"
        sources = (*ladder.sources, *(s for level in ladder.levels for s in level.sources))
        found.append(_entry(text, sources, ladder.span.path))
    if not found:
        return [Entry(text="no escalation ladder", rules=(), place="escalations")]
    return found


def _final_authority(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for ladder in spec.escalations:
        if isinstance(ladder.final_authority, Unspecified):
            text = f"{ladder.id}: final authority {NOT_STATED}"
            sources: tuple[Source, ...] = ladder.sources
        else:
            level = ladder.level_by_id(ladder.final_authority)
            who = _deciders(spec, level)
            text = f"{ladder.id}: {level.id}" + (f" ({who})" if who else "")
            sources = (*ladder.sources, *level.sources)
        if isinstance(ladder.tie_break, Unspecified):
            text += f"; tie-break {NOT_STATED}"
        elif ladder.tie_break == "not_needed":
            text += "; no tie-break needed"
        else:
            text += f"; tie-break: {_people(spec, (ladder.tie_break,))}"
        found.append(_entry(text, sources, ladder.span.path))
    if not found:
        return [Entry(text="no escalation ladder", rules=(), place="escalations")]
    return found


def _precedence(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for rule in spec.precedence:
        text = f"{rule.id}: {_steps(rule.route)} goes before {_steps(rule.over)}"
        if rule.modality.value != "must":
            text += f" ({rule.modality.value})"
        found.append(_entry(text, rule.sources, rule.span.path))
    if not found:
        return [Entry(text="no route stated to take precedence", rules=(), place="precedence")]
    return found


def _holding_states(spec: ProtocolSpec) -> list[Entry]:
    found = []
    for status in spec.statuses:
        if not status.holding:
            continue
        holder = f" ({_holder(spec, status.owner)})" if status.owner else ""
        limits = [
            deadline for deadline in spec.deadlines if status.id in _bounded_by(spec, deadline)
        ]
        if limits:
            words = "; ".join(f"{d.id}: {_duration(d.within)}{_modality(d)}" for d in limits)
        else:
            words = "no deadline bounds the wait"
        sources = (*status.sources, *(s for d in limits for s in d.sources))
        found.append(_entry(f"{status.id}{holder}: {words}", sources, status.span.path))
    if not found:
        return [Entry(text="no holding status", rules=(), place="statuses")]
    return found


_ASPECTS: Final[tuple[tuple[str, Callable[[ProtocolSpec], list[Entry]]], ...]] = (
    ("Meeting cadence", _meeting_cadence),
    ("Decision deadlines", _decision_deadlines),
    ("Re-referral window", _rereferral_window),
    ("Step-down meeting (checked claims the spec states, not quotes)", _step_down_meeting),
    ("Escalation ladder", _escalation_ladder),
    ("Final authority", _final_authority),
    ("Holding states and their bounds", _holding_states),
    ("What takes precedence", _precedence),
)


# --- wording helpers --------------------------------------------------------------


def _bounded_by(spec: ProtocolSpec, deadline: Deadline) -> set[str]:
    """Statuses whose wait `deadline` limits: it starts on entering them, leaving meets it.

    The same reading as the checker's SPEC206 finding, except that a deadline with
    no duration counts here, so the cell can say its limit is not stated.
    """
    if deadline.direction is not Direction.AFTER or deadline.recurring:
        return set()
    statuses = {status.id for status in spec.statuses}
    events = {event.id: event for event in spec.events}
    entered = {anchor for anchor in deadline.anchor if anchor in statuses}
    entered |= {
        target
        for anchor in deadline.anchor
        if anchor in events and (target := events[anchor].target) is not None
    }
    bounded = set()
    for status_id in entered:
        for obligation in deadline.obligation:
            event = events.get(obligation)
            if (event is None and obligation != status_id) or (
                event is not None
                and status_id in event.sources_from
                and event.target not in (None, status_id)
            ):
                bounded.add(status_id)
    return bounded


def _rung(spec: ProtocolSpec, ladder: Escalation, index: int) -> str:
    level = ladder.levels[index]
    who = _deciders(spec, level)
    text = level.id + (f" ({who})" if who else "")
    if level.external is not None:
        external = next((e.title for e in spec.externals if e.id == level.external), level.external)
        return f"{text}, handed to '{external}'"
    limit = NOT_STATED if isinstance(level.within, Unspecified) else _duration(level.within)
    return f"{text}, time limit {limit}" + (", decides" if level.decides else "")


def _deciders(spec: ProtocolSpec, level: EscalationLevel) -> str:
    """Who acts at a level, with who stands in when they are unavailable."""
    who = _people(spec, level.who)
    if who and level.if_unavailable:
        who += f", or if unavailable {_people(spec, level.if_unavailable)}"
    return who


def _people(spec: ProtocolSpec, ids: Iterable[str]) -> str:
    names = {role.id: role.name for role in spec.roles} | {
        team.id: team.name for team in spec.teams
    }
    return " and ".join(names.get(item, item) for item in ids)


def _owner(spec: ProtocolSpec, owner_id: str) -> str:
    owner = spec.owner_by_id(owner_id)
    if owner.name:
        return owner.name
    teams = {team.id: team.name for team in spec.teams}
    team = teams.get(owner.team or "", owner.team or owner.id)
    if owner.allocated:
        return f"a worker in {team}"
    return f"{owner.kind.value.replace('_', ' ')} of {team}"


def _holder(spec: ProtocolSpec, owner_id: str) -> str:
    if owner_id == UNSPECIFIED.value:
        return f"owner {NOT_STATED}"
    return _owner(spec, owner_id)


def _meeting(spec: ProtocolSpec, meeting_id: str) -> str:
    meeting = spec.meeting_by_id(meeting_id)
    return meeting.name or meeting.id


def _steps(ids: Sequence[str]) -> str:
    return ", ".join(f"'{event_id}'" for event_id in ids)


def _either(ids: Sequence[str]) -> str:
    """
    >>> _either(["a"]), _either(["a", "b"])
    ("'a'", "'a' or 'b'")
    """
    return " or ".join(f"'{item}'" for item in ids)


def _modality(deadline: Deadline) -> str:
    return "" if deadline.modality.value == "must" else f" ({deadline.modality.value})"


def _duration(duration: Duration | Unspecified) -> str:
    """A duration, with the working days it can mean when the unit is not working days.

    >>> _duration(Duration(quantity=2, unit=Unit.WEEKS))
    '2 weeks (6-10 working days)'
    """
    found = interval(duration)
    if found is None or isinstance(duration, Unspecified):
        return NOT_STATED
    if duration.unit is Unit.WORKING_DAYS:
        return str(duration)
    low, high = found
    return f"{duration} ({_days(low) if low == high else f'{low}-{high} working days'})"


def _days(n: int) -> str:
    return f"{n} working day" + ("" if n == 1 else "s")


def _entry(text: str, sources: Iterable[Source], place: str) -> Entry:
    rules = tuple(dict.fromkeys(source.rule for source in sources if source.rule))
    return Entry(text=text, rules=rules, place=place)
