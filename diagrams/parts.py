"""The status diagram cut into parts a page can hold: a map of the tiers, then one part per tier.

The whole protocol on one drawing is a poster (7,700-11,000 pt wide for the shipped
authorities), unreadable at page width. The report draws it instead as:

- the tier map: one box per tier listing its statuses, and one arrow per pair of tiers
  and kind of step (step up, urgent, step down, transfer, other) labelled with how many
  events it stands for, so a reader sees in one figure how a case moves between tiers;
- one part per tier: that tier's statuses in their owner-team boxes, coloured as in the
  whole diagram, and each other tier a step leads to or comes from as one dashed box
  naming the statuses concerned. Arrows between the same two boxes drawn alike are
  merged and carry a number; the part's `arrows` say, by number, which events each
  stands for (the report prints them as a table under the drawing), so the drawing
  needs no long labels. Events that keep the case where it is are listed inside the
  status they happen in.

Events with `from: any` that keep the status (consent given or withdrawn) are listed on
the tier map's "any status" box; those that move the case are drawn in the part of
the tier they lead to. Every drawing is deterministic: tiers by rank, statuses by id,
arrows by (source, target, kind, modality).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Final

import graphviz
from attrs import frozen

from stepcheck.diagrams.dot import (
    ANY_NODE,
    EDGE_ATTRS,
    GRAPH_ATTRS,
    NODE_ATTRS,
    add_start,
    add_tier,
)
from stepcheck.diagrams.style import (
    edge_style,
    escape,
    gives_way_note,
    kind_group,
    shorten,
    tier_label,
    tier_order,
)
from stepcheck.diagrams.unsaid import add_undefined_routes, undefined_ends
from stepcheck.spec.model import Event, Modality, ProtocolSpec, Tier

__all__ = ["Arrow", "Part", "tier_map", "tier_parts"]

# Where a tier's part is, for the map's links; None draws no links.
TierLink = Callable[[Tier], str] | None

_GHOST: Final = {"style": "dashed,rounded", "color": "#878787", "fontcolor": "#4d4d4d"}
_MEETING_WIDTH: Final = 28


@frozen(kw_only=True)
class Arrow:
    """One numbered arrow of a part: events of one kind and modality between two boxes.

    `steps` are (event id, from status, to status) of each step drawn along it (from
    `any` for an event allowed in every status), in event order."""

    number: int
    kind: str
    modality: Modality
    events: tuple[Event, ...]
    steps: tuple[tuple[str, str, str], ...]


@frozen(kw_only=True)
class Part:
    """One tier's part of the status diagram and its numbered arrows."""

    tier: Tier
    graph: graphviz.Digraph
    arrows: tuple[Arrow, ...]


def tier_parts(spec: ProtocolSpec) -> tuple[Part, ...]:
    """One part per tier that has statuses, lowest tier first."""
    return tuple(_part(spec, tier) for tier in tier_order(s.tier for s in spec.statuses))


def tier_map(spec: ProtocolSpec, link: TierLink = None) -> graphviz.Digraph:
    """The tiers as boxes, and one arrow per pair of tiers and kind of step."""
    graph = _graph(spec.authority.id + "_tiers", _map_title(spec))
    tier_of = {status.id: status.tier for status in spec.statuses}
    for tier in tier_order(tier_of.values()):
        statuses = sorted(s.id for s in spec.statuses if s.tier is tier)
        attrs = {"style": "rounded,filled", "fillcolor": "#f7f7f7"}
        if link is not None:
            attrs |= {"href": link(tier), "tooltip": f"the {tier_label(tier)} part, drawn below"}
        graph.node(_tier_node(tier), label=_tier_box(tier, statuses), **attrs)
    arrows: dict[tuple[str, str, str], dict[str, Event]] = defaultdict(dict)
    for event in spec.events:
        for source, target in _ends(event):
            if target is None:
                continue
            before = _tier_node(tier_of[source]) if source != ANY_NODE else ANY_NODE
            after = _tier_node(tier_of[target])
            if before != after:
                arrows[(before, after, kind_group(event.kind).name)][event.id] = event
    kept = sorted(e.id for e in spec.events if not e.sources_from and e.target is None)
    if (
        kept
        or any(source == ANY_NODE for source, _, _ in arrows)
        or any(not route.sources_from for route in spec.undefined_routes)
    ):
        graph.node(
            ANY_NODE, label=_any_box(kept), shape="note", style="filled", fillcolor="#ffffff"
        )
    for (before, after, _), events in sorted(arrows.items()):
        first = next(iter(events.values()))
        attrs = edge_style(first.kind, Modality.MUST).attributes()
        attrs |= {"label": str(len(events)), "tooltip": ", ".join(sorted(events))}
        graph.edge(before, after, **attrs)
    # every undefined route on the map, so one from any status is drawn somewhere too
    add_undefined_routes(
        graph, spec, any_node=ANY_NODE, node_of=lambda status: _tier_node(tier_of[status])
    )
    return graph


def _part(spec: ProtocolSpec, tier: Tier) -> Part:
    own = {status.id for status in spec.statuses if status.tier is tier}
    graph = _graph(f"{spec.authority.id}_{tier.value}", _part_title(spec, tier))
    add_tier(graph, spec, tier, notes=_stays(spec, own))
    add_start(graph, (status for status in spec.statuses if status.id in own and status.initial))
    tier_of = {status.id: status.tier for status in spec.statuses}
    others: dict[Tier, set[str]] = defaultdict(set)
    grouped: dict[tuple[str, str, str, str], list[tuple[Event, str, str]]] = defaultdict(list)
    for event in sorted(spec.events, key=lambda event: event.id):
        for source, target in _ends(event):
            end = target or source
            if end == source or not (source in own or end in own):
                continue
            for status in (source, end):
                if status not in own and status != ANY_NODE:
                    others[tier_of[status]].add(status)
            ends = (_box(source, own, tier_of), _box(end, own, tier_of))
            key = (*ends, kind_group(event.kind).name, event.modality.value)
            grouped[key].append((event, "any" if source == ANY_NODE else source, end))
    undefined = [
        (source, target)
        for _, source, target in undefined_ends(spec, ANY_NODE)
        if source in own or target in own
    ]
    for ends_of_route in undefined:
        for named in ends_of_route:
            if named is not None and named not in own and named != ANY_NODE:
                others[tier_of[named]].add(named)
    for other in tier_order(others):
        graph.node(_tier_node(other), label=_tier_box(other, sorted(others[other])), **_GHOST)
    if any(source == ANY_NODE for source, _, _, _ in grouped) or any(
        source == ANY_NODE for source, _ in undefined
    ):
        graph.node(ANY_NODE, label=_any_box([]), shape="note", style="filled", fillcolor="#ffffff")
    add_undefined_routes(
        graph,
        spec,
        any_node=ANY_NODE,
        node_of=lambda status: _box(status, own, tier_of),
        keep=lambda source, target: source in own or target in own,
    )
    arrows = []
    for number, ((source, target, _, _), taken) in enumerate(sorted(grouped.items()), start=1):
        events = tuple(dict.fromkeys(event for event, _, _ in taken))
        attrs = edge_style(events[0].kind, events[0].modality).attributes()
        attrs |= {"label": f"<<b>{number}</b>>", "tooltip": ", ".join(e.id for e in events)}
        graph.edge(source, target, **attrs)
        arrows.append(
            Arrow(
                number=number,
                kind=kind_group(events[0].kind).name,
                modality=events[0].modality,
                events=events,
                steps=tuple((event.id, before, after) for event, before, after in taken),
            )
        )
    return Part(tier=tier, graph=graph, arrows=tuple(arrows))


def _box(status: str, own: set[str], tier_of: dict[str, Tier]) -> str:
    """The node a status is drawn as in a part: itself, or its tier's dashed box."""
    return status if status in own or status == ANY_NODE else _tier_node(tier_of[status])


def _stays(spec: ProtocolSpec, own: set[str]) -> dict[str, str]:
    """The events that keep a case in one of the tier's statuses, as label lines."""
    kept: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(spec.events, key=lambda event: event.id):
        for source, target in _ends(event):
            if source in own and target in (None, source):
                kept[source].append(event)
    return {
        status: '<font point-size="9"><i>steps that keep the case here:</i><br/>'
        + "<br/>".join(_event_line(spec, event) for event in events)
        + "</font>"
        for status, events in kept.items()
    }


def _event_line(spec: ProtocolSpec, event: Event) -> str:
    """An event's id, how binding it is, whether it has a condition, its meeting, and
    the routes it gives way to (`precedence:`)."""
    line = f"<b>{escape(event.id)}</b>"
    if event.modality is not Modality.MUST:
        line += f" ({event.modality.value})"
    if event.guards:
        line += " [if …]"
    if event.at is not None:
        meeting = spec.meeting_by_id(event.at)
        line += f" @ {escape(shorten(meeting.name or meeting.id, _MEETING_WIDTH))}"
    ahead = gives_way_note(spec, event)
    if ahead is not None:
        line += f" ({escape(ahead)})"
    return line


def _ends(event: Event) -> Iterable[tuple[str, str | None]]:
    """(source, target) of each edge an event draws; a target of None keeps the status."""
    for source in sorted(event.sources_from) or [ANY_NODE]:
        yield source, event.target


def _graph(name: str, title: str) -> graphviz.Digraph:
    return graphviz.Digraph(
        name=name,
        graph_attr={**GRAPH_ATTRS, "rankdir": "TB", "label": title},
        node_attr=NODE_ATTRS,
        edge_attr=EDGE_ATTRS,
    )


def _tier_node(tier: Tier) -> str:
    return f"_tier_{tier.value}"


def _tier_box(tier: Tier, statuses: list[str]) -> str:
    lines = [f"<b>{escape(tier_label(tier))}</b>"]
    lines += [f'<font point-size="9">{escape(status)}</font>' for status in statuses]
    return "<" + "<br/>".join(lines) + ">"


def _any_box(kept: list[str]) -> str:
    lines = ["<b>any status</b>"]
    if kept:
        lines.append('<font point-size="9"><i>events that keep the status:</i></font>')
        lines += [f'<font point-size="9">{escape(event)}</font>' for event in kept]
    return "<" + "<br/>".join(lines) + ">"


def _map_title(spec: ProtocolSpec) -> str:
    return (
        f"<<b>{escape(spec.authority.name)}</b>: how a case moves between tiers"
        "<br/>each arrow: how many events move a case that way>"
    )


def _part_title(spec: ProtocolSpec, tier: Tier) -> str:
    return (
        f"<<b>{escape(spec.authority.name)}</b>: the {escape(tier_label(tier))} tier"
        "<br/>its statuses by owner team; dashed boxes: statuses in other tiers;"
        " numbered arrows: see the table>"
    )
