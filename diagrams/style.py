"""What every diagram shares: edge styles by event kind and modality, lanes, label text.

The status diagram (`dot.py`), the escalation ladders (`ladders.py`) and the Mermaid
text (`mermaid.py`) draw the same spec, so they take their wording and their visual
vocabulary from here and cannot drift apart. Styles carry a line pattern or arrowhead
as well as a colour, so a diagram printed in grey still tells the kinds apart.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable
from typing import Final

from attrs import frozen

from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import to_text
from stepcheck.spec.model import (
    Direction,
    Event,
    EventKind,
    Modality,
    OwnerKind,
    ProtocolSpec,
    Status,
    Tier,
    Unspecified,
)
from stepcheck.spec.precedence import rules_over
from stepcheck.spec.trace import StepKind, Trace

__all__ = [
    "GAP_COLOUR",
    "GAP_FILL",
    "HIGHLIGHT_COLOUR",
    "KIND_GROUPS",
    "LOOP_COLOUR",
    "EdgeStyle",
    "KindGroup",
    "Lane",
    "PathStep",
    "TracePath",
    "deadline_notes",
    "duration_text",
    "edge_style",
    "escape",
    "gives_way_note",
    "guard_summary",
    "guard_text",
    "kind_group",
    "lane_of",
    "legend_styles",
    "rule_ids",
    "shorten",
    "tier_label",
    "tier_order",
    "trace_path",
    "wrapped",
]

HIGHLIGHT_COLOUR: Final = "#e66100"
LOOP_COLOUR: Final = "#5e3c99"
GAP_COLOUR: Final = "#b2182b"
GAP_FILL: Final = "#fde0dd"

_GUARD_WIDTH: Final = 48


@frozen
class KindGroup:
    """A family of event kinds drawn alike: its legend name and its edge look."""

    name: str
    colour: str
    arrowhead: str
    double: bool = False
    penwidth: float = 1.2


_STEP_UP: Final = KindGroup("step up", "#2166ac", "normal", penwidth=1.8)
_URGENT: Final = KindGroup("urgent route", "#b2182b", "vee", double=True, penwidth=1.8)
_STEP_DOWN: Final = KindGroup("step down / close", "#1b7837", "onormal", penwidth=1.8)
_TRANSFER: Final = KindGroup("transfer", "#762a83", "diamond", penwidth=1.8)
_OTHER: Final = KindGroup("other", "#4d4d4d", "normal")

KIND_GROUPS: Final = (_STEP_UP, _URGENT, _STEP_DOWN, _TRANSFER, _OTHER)

_GROUP_OF_KIND: Final = {
    EventKind.STEP_UP: _STEP_UP,
    EventKind.STEP_IN: _STEP_UP,
    EventKind.REFER: _STEP_UP,
    EventKind.RE_REFERRAL: _STEP_UP,
    EventKind.URGENT_STEP_UP: _URGENT,
    EventKind.STEP_DOWN: _STEP_DOWN,
    EventKind.CLOSE: _STEP_DOWN,
    EventKind.TRANSFER: _TRANSFER,
}

_DASH_OF_MODALITY: Final = {
    Modality.MUST: "solid",
    Modality.SHOULD: "dashed",
    Modality.MAY: "dotted",
}


@frozen
class EdgeStyle:
    """Graphviz attributes of one edge: colour, line pattern, arrowhead, width."""

    color: str
    style: str
    arrowhead: str
    penwidth: str
    fontcolor: str

    def attributes(self) -> dict[str, str]:
        return {
            "color": self.color,
            "style": self.style,
            "arrowhead": self.arrowhead,
            "penwidth": self.penwidth,
            "fontcolor": self.fontcolor,
        }


def kind_group(kind: EventKind) -> KindGroup:
    """The drawing family of an event kind (step up, urgent, step down, transfer, other)."""
    return _GROUP_OF_KIND.get(kind, _OTHER)


def edge_style(kind: EventKind, modality: Modality) -> EdgeStyle:
    """Kind picks colour, arrowhead and single or double line; modality picks the dashes.

    `should` edges are dashed and `may` edges dotted and lighter (they bind nobody).
    """
    return _group_style(kind_group(kind), modality)


def legend_styles() -> tuple[tuple[str, EdgeStyle], ...]:
    """One sample per kind group (as `must`), then `should` and `may` samples."""
    rows = [(group.name, _group_style(group, Modality.MUST)) for group in KIND_GROUPS]
    rows += [
        (f"{modality.value} (does not bind)", _group_style(_OTHER, modality))
        for modality in (Modality.SHOULD, Modality.MAY)
    ]
    return tuple(rows)


def _group_style(group: KindGroup, modality: Modality) -> EdgeStyle:
    colour = group.colour if modality is not Modality.MAY else f"{group.colour}99"
    return EdgeStyle(
        color=f"{colour}:invis:{colour}" if group.double else colour,
        style=_DASH_OF_MODALITY[modality],
        arrowhead=group.arrowhead,
        penwidth=f"{group.penwidth:g}",
        fontcolor="#4d4d4d" if modality is Modality.MAY else "#000000",
    )


def escape(text: str) -> str:
    """Text made safe inside a Graphviz HTML label (`<`, `>`, `&`, both quote marks).

    >>> escape('a < b & "c"')
    'a &lt; b &amp; &quot;c&quot;'
    """
    return html.escape(text, quote=True)


def wrapped(text: str, width: int = 90) -> str:
    """Escaped text broken into lines of at most `width` characters for an HTML label.

    >>> wrapped("a & b c", 5)
    'a &amp; b<br/>c'
    """
    return "<br/>".join(escape(line) for line in textwrap.wrap(text, width)) or ""


def shorten(text: str, width: int = _GUARD_WIDTH) -> str:
    """`text` on one line, cut to `width` characters with an ellipsis when longer.

    >>> shorten("a  very\\nlong guard", 10)
    'a very lo…'
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def guard_summary(event: Event) -> str | None:
    """The event's guards printed back from their AST, `should`/`may` ones marked,
    cut to a label's width."""
    text = guard_text(event)
    return None if text is None else shorten(text)


def guard_text(event: Event) -> str | None:
    """The event's guards printed back from their AST, `should`/`may` ones marked."""
    if not event.guards:
        return None
    parts = []
    for guard in event.guards:
        text = to_text(guard.condition)
        if guard.modality is not Modality.MUST:
            text = f"{guard.modality.value}: {text}"
        parts.append(text)
    return "; ".join(parts)


def duration_text(within: Duration | Unspecified) -> str:
    """A time limit in words; a silent document reads 'unspecified'."""
    return str(within)


def deadline_notes(spec: ProtocolSpec, event: Event, target: str) -> tuple[str, ...]:
    """The deadlines this event (or the status it enters) meets, with their limits."""
    notes = []
    for deadline in sorted(spec.deadlines, key=lambda d: d.id):
        if event.id not in deadline.obligation and target not in deadline.obligation:
            continue
        limit = duration_text(deadline.within)
        if deadline.direction is Direction.BEFORE:
            limit = f"{limit} before"
        elif deadline.direction is Direction.NOT_BEFORE:
            limit = f"not before {limit}"
        notes.append(f"{deadline.id}: {limit}")
    return tuple(notes)


def gives_way_note(spec: ProtocolSpec, event: Event) -> str | None:
    """'gives way to <routes>' for an event a precedence rule pre-empts; else None."""
    ahead = dict.fromkeys(route for rule in rules_over(spec, event.id) for route in rule.route)
    return f"gives way to {', '.join(ahead)}" if ahead else None


def rule_ids(event: Event) -> tuple[str, ...]:
    """The digest rule ids an event and its guards cite, sorted, without repeats."""
    sources = [*event.sources, *(s for guard in event.guards for s in guard.sources)]
    return tuple(sorted({source.rule for source in sources if source.rule}))


def tier_order(tiers: Iterable[Tier]) -> list[Tier]:
    """Tiers lowest first (by rank, then in the order `Tier` declares them)."""
    declared = list(Tier)
    return sorted(set(tiers), key=lambda tier: (tier.rank, declared.index(tier)))


def tier_label(tier: Tier) -> str:
    """A tier's name for people: 'early help', 'CIN', 'CP', 'CLA'."""
    name = str(tier.value)
    if tier in (Tier.CIN, Tier.CP, Tier.CLA):
        return name.upper()
    return name.replace("_", " ")


@frozen
class Lane:
    """The owner team a status belongs to (or, without a team, the kind of owner)."""

    key: str
    label: str
    gap: bool = False


def lane_of(spec: ProtocolSpec, status: Status) -> Lane:
    """One lane per owner team; owners without a team get a lane per owner kind."""
    if status.owner is None:
        return Lane("~unowned", "owner kept from before")
    owner = spec.owner_by_id(status.owner)
    if owner.team is not None:
        team = next((t for t in spec.teams if t.id == owner.team), None)
        return Lane(f"team:{owner.team}", team.name if team else owner.team)
    if owner.kind is OwnerKind.UNSPECIFIED:
        return Lane("~unspecified", "owner not stated by the document", gap=True)
    if owner.kind is OwnerKind.NONE:
        return Lane("~none", "nobody (case closed or handed off)")
    return Lane(f"kind:{owner.kind.value}", owner.kind.value.replace("_", " "))


@frozen(kw_only=True)
class PathStep:
    """An event the counterexample takes, numbered from 1 in the order taken.

    `source` is the status it happens in and `target` the status after it; `drawn_from`
    is the status its edge starts at in the diagram (`None`: a `from: any` event, whose
    edges are folded into one pseudo-node).
    """

    number: int
    event: str
    source: str
    target: str
    day: int
    in_loop: bool
    drawn_from: str | None


@frozen(kw_only=True)
class TracePath:
    """What a highlight draws: statuses visited, events taken, the loop of a lasso."""

    visited: tuple[str, ...]
    events: tuple[PathStep, ...]
    loop_status: str | None
    loop_text: str | None
    story: tuple[str, ...]


def trace_path(spec: ProtocolSpec, trace: Trace) -> TracePath:
    """The path a trace takes through the status diagram, and its steps in words."""
    visited = [str(trace.initial["status"])]
    events: list[PathStep] = []
    story: list[str] = []
    for index, step in enumerate(trace.steps):
        before = str(trace.state_before(index)["status"])
        after = str(step.state["status"])
        in_loop = trace.loop_start is not None and index >= trace.loop_start
        if in_loop and index == trace.loop_start:
            story.append("↻ from here the steps repeat for ever")
        if step.kind is StepKind.EVENT and step.name is not None:
            event = spec.event_by_id(step.name)
            number = len(events) + 1
            events.append(
                PathStep(
                    number=number,
                    event=step.name,
                    source=before,
                    target=after,
                    day=step.day,
                    in_loop=in_loop,
                    drawn_from=before if event.sources_from else None,
                )
            )
            story.append(f"{number}. day {step.day}: {step.name} ({before} → {after})")
        else:
            story.append(_other_step_text(step.kind, step.name, step.day))
        if after not in visited:
            visited.append(after)
    return TracePath(
        visited=tuple(visited),
        events=tuple(events),
        loop_status=_loop_status(trace),
        loop_text=_loop_text(trace),
        story=tuple(_merge_ticks(story)),
    )


def _other_step_text(kind: StepKind, name: str | None, day: int) -> str:
    match kind:
        case StepKind.TICK:
            return f"day {day}: a working day passes"
        case StepKind.ESCALATE:
            return f"day {day}: dispute {name} escalates a level"
        case StepKind.DECIDE:
            return f"day {day}: dispute {name} is decided"
        case _:
            return f"day {day}: {name}"


def _merge_ticks(lines: list[str]) -> list[str]:
    """Runs of ticks as one line ('days 3–5: working days pass'), so captions stay short."""
    merged: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.endswith("a working day passes"):
            run.append(line)
            continue
        if len(run) == 1:
            merged.append(run[0])
        elif run:
            first, last = run[0].split(":")[0], run[-1].split(":")[0]
            merged.append(f"{first}–{last.removeprefix('day ')}: {len(run)} working days pass")
        run = []
        if line:
            merged.append(line)
    return merged


def _loop_status(trace: Trace) -> str | None:
    if trace.loop_start is None:
        return None
    return str(trace.state_before(trace.loop_start)["status"])


def _loop_text(trace: Trace) -> str | None:
    if trace.loop_start is None:
        return None
    looped = trace.steps[trace.loop_start :]
    return f"↻ the last {len(looped)} step(s) repeat for ever"
