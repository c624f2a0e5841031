"""The status diagram of a spec as Graphviz: tiers, owner lanes, events, a highlighted run.

Layout, and why. Flow runs left to right. Statuses sit in one cluster per tier, and
invisible edges from every status of a tier to the first status of the next tier up
put the tiers in rank order (universal, early help, ... CP/CLA), so a step up points
right and a step down points left. The closed tier is left out of that chain: it is
where cases leave, and chaining it first stretched its box across the whole drawing.
Graphviz cannot draw a true grid of tiers x teams (a node belongs to one cluster
tree, and clusters cannot cross), so each tier holds one nested box per owner team,
and each team keeps the same fill colour in every tier: the colour is the lane. For
the biggest shipped spec (Hertfordshire: 25 statuses, 91 events, about 250 edges)
this renders in a few seconds to a large poster that reads well zoomed in as SVG;
labels stay short (guards cut to 48 characters, rule ids in small type) for that. The
report does not show the poster: it draws the same clusters in parts (`parts.py`).

Events with `from: any` (consent given or withdrawn, birthdays) would add one edge per
status; they are folded into a single "any status" pseudo-node with one edge per event
to its target (a self-loop on the pseudo-node when the status is kept). When such an
event is on a highlighted path, the concrete step it took is drawn as well.

A focused diagram (`focus=True`, with a highlighted run) keeps only the statuses the run
visits and the events it takes, and no legend (the story is told beside it): the
story's part of the protocol, small enough to read at page width.

Every label is an HTML label built from escaped text, so quotes, `<`, `&` and
typographic characters in spec text cannot break the DOT. Output is deterministic:
tiers by rank, lanes and statuses sorted by id, edges by (event id, source status).
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Final

import graphviz
from attrs import evolve

from stepcheck.diagrams.legend import add_legend
from stepcheck.diagrams.style import (
    GAP_COLOUR,
    GAP_FILL,
    HIGHLIGHT_COLOUR,
    LOOP_COLOUR,
    Lane,
    PathStep,
    TracePath,
    deadline_notes,
    edge_style,
    escape,
    gives_way_note,
    guard_summary,
    lane_of,
    rule_ids,
    tier_label,
    tier_order,
    trace_path,
    wrapped,
)
from stepcheck.diagrams.unsaid import add_undefined_routes, open_tier_words
from stepcheck.spec.model import Event, Modality, ProtocolSpec, Status, Tier
from stepcheck.spec.trace import Trace

__all__ = [
    "ANY_NODE",
    "EDGE_ATTRS",
    "GRAPH_ATTRS",
    "NODE_ATTRS",
    "START_NODE",
    "add_start",
    "add_tier",
    "status_diagram",
]

START_NODE: Final = "_start"
ANY_NODE: Final = "_any_status"

_LANE_FILLS: Final = (
    "#deebf7",
    "#e5f5e0",
    "#fee6ce",
    "#efedf5",
    "#fde0ef",
    "#f7f7f7",
    "#e0f3f8",
    "#fff7bc",
    "#d9f0d3",
    "#fbe8d8",
    "#e7e1ef",
    "#f0f0f0",
)

GRAPH_ATTRS: Final = {
    "rankdir": "LR",
    "newrank": "true",
    "fontname": "Helvetica",
    "labelloc": "t",
    "nodesep": "0.25",
    "ranksep": "0.7",
}
NODE_ATTRS: Final = {"fontname": "Helvetica", "fontsize": "11", "shape": "box"}
EDGE_ATTRS: Final = {"fontname": "Helvetica", "fontsize": "9"}


def status_diagram(
    spec: ProtocolSpec, *, highlight: Trace | None = None, focus: bool = False
) -> graphviz.Digraph:
    """The spec's statuses and events; with `highlight`, that run drawn bold and numbered;
    with `focus` too, only the statuses it visits and the events it takes."""
    path = trace_path(spec, highlight) if highlight is not None else None
    focused = focus and path is not None
    graph = graphviz.Digraph(
        name=spec.authority.id,
        graph_attr={**GRAPH_ATTRS, "label": _title(spec, path, focused=focused)},
        node_attr=NODE_ATTRS,
        edge_attr=EDGE_ATTRS,
    )
    shown = _only(spec, path) if focused and path is not None else spec
    _add_tiers(graph, shown, path)
    _add_tier_order(graph, shown)
    _add_start(graph, shown)
    _add_events(graph, shown, path, whole=spec)
    if not focused:
        add_legend(graph, path, undefined=bool(shown.undefined_routes))
    return graph


def _only(spec: ProtocolSpec, path: TracePath) -> ProtocolSpec:
    """`spec` cut down to the statuses `path` visits and the events it takes, each from
    the statuses it was taken in (a `from: any` event as its concrete steps only)."""
    visited = frozenset(path.visited)
    taken: dict[str, set[str]] = defaultdict(set)
    for step in path.events:
        if step.drawn_from is not None:
            taken[step.event].add(step.drawn_from)
    statuses = tuple(status for status in spec.statuses if status.id in visited)
    events = tuple(
        evolve(event, sources_from=tuple(sorted(taken[event.id])))
        for event in spec.events
        if event.id in taken
    )
    return evolve(spec, statuses=statuses, events=events, undefined_routes=())


def _title(spec: ProtocolSpec, path: TracePath | None, *, focused: bool = False) -> str:
    text = f"<b>{escape(spec.authority.name)}</b> ({escape(spec.authority.id)}): statuses"
    if focused:
        text += " the run visits, by tier and owner team"
    else:
        text += " by tier, boxed by owner team"
    if path is not None:
        text += f"<br/>highlighted: a run that breaks it, {len(path.events)} event(s) numbered"
    return f"<{text}>"


def _add_tiers(graph: graphviz.Digraph, spec: ProtocolSpec, path: TracePath | None) -> None:
    """One cluster per tier, written in rank order; one nested box per owner lane."""
    for tier in tier_order(status.tier for status in spec.statuses):
        add_tier(graph, spec, tier, path)


def add_tier(
    graph: graphviz.Digraph,
    spec: ProtocolSpec,
    tier: Tier,
    path: TracePath | None = None,
    notes: Mapping[str, str] | None = None,
) -> None:
    """The cluster of one tier: a nested box per owner lane, coloured as in every diagram
    of `spec`, holding the tier's statuses; `notes` adds label lines (HTML) by status."""
    fills = _lane_fills(spec)
    with graph.subgraph(name=f"cluster_tier_{tier.value}") as cluster:
        cluster.attr(
            label=f"<<b>tier: {escape(tier_label(tier))}</b> (rank {tier.rank})>",
            style="rounded",
            color="#878787",
        )
        lanes: dict[Lane, list[Status]] = defaultdict(list)
        for status in spec.statuses:
            if status.tier is tier:
                lanes[lane_of(spec, status)].append(status)
        for lane in sorted(lanes, key=lambda lane: lane.key):
            _add_lane(
                cluster,
                spec,
                lane,
                lanes[lane],
                tier=tier.value,
                fill=fills[lane.key],
                path=path,
                notes=notes or {},
            )


def _add_tier_order(graph: graphviz.Digraph, spec: ProtocolSpec) -> None:
    """Invisible edges that keep each tier left of the next one up (closed excepted)."""
    tiers = [tier for tier in tier_order(s.tier for s in spec.statuses) if tier is not Tier.CLOSED]
    members = [sorted(s.id for s in spec.statuses if s.tier is tier) for tier in tiers]
    for lower, upper in itertools.pairwise(members):
        for status in lower:
            graph.edge(status, upper[0], style="invis", weight="5")


def _lane_fills(spec: ProtocolSpec) -> dict[str, str]:
    keys = sorted({lane_of(spec, status).key for status in spec.statuses})
    return {key: _LANE_FILLS[index % len(_LANE_FILLS)] for index, key in enumerate(keys)}


def _add_lane(
    tier_cluster: graphviz.Digraph,
    spec: ProtocolSpec,
    lane: Lane,
    statuses: list[Status],
    *,
    tier: str,
    fill: str,
    path: TracePath | None,
    notes: Mapping[str, str],
) -> None:
    name = f"cluster_tier_{tier}__lane_{re.sub(r'[^a-z0-9_]', '_', lane.key)}"
    with tier_cluster.subgraph(name=name) as cluster:
        flag = "⚠ " if lane.gap else ""
        cluster.attr(
            label=f"<<i>{flag}{wrapped(lane.label, 60)}</i>>",
            style="dashed,rounded",
            color=GAP_COLOUR if lane.gap else "#bababa",
            fontsize="10",
        )
        for status in sorted(statuses, key=lambda status: status.id):
            _add_status(
                cluster,
                spec,
                status,
                GAP_FILL if lane.gap else fill,
                path,
                note=notes.get(status.id),
            )


def _add_status(
    graph: graphviz.Digraph,
    spec: ProtocolSpec,
    status: Status,
    fill: str,
    path: TracePath | None,
    *,
    note: str | None = None,
) -> None:
    attrs = {"style": "rounded,filled", "fillcolor": fill}
    if status.holding:
        attrs |= {"shape": "cylinder", "style": "filled"}
    if status.final:
        attrs["peripheries"] = "2"
    if status.initial:
        attrs["penwidth"] = "2.5"
    if path is not None and status.id in path.visited:
        attrs |= {"color": HIGHLIGHT_COLOUR, "penwidth": "3.5"}
    label = _status_label(spec, status, path)
    if note is not None:
        label = f"{label[:-1]}<br/>{note}>"
    graph.node(status.id, label=label, **attrs)


def _status_label(spec: ProtocolSpec, status: Status, path: TracePath | None) -> str:
    lines = [f"<b>{escape(status.id)}</b>"]
    if status.owner is not None:
        owner = spec.owner_by_id(status.owner)
        lines.append(_small(f"owner: {owner.id} ({owner.kind.value.replace('_', ' ')})"))
    marks = [
        mark
        for mark, present in (
            ("▶ initial", status.initial),
            ("■ final", status.final),
            ("holding", status.holding),
        )
        if present
    ]
    if marks:
        lines.append(_small(" · ".join(marks)))
    left_open = open_tier_words(status)
    if left_open is not None:
        lines.append(f'<font color="{GAP_COLOUR}" point-size="9">⚠ {escape(left_open)}</font>')
    if path is not None and status.id == path.loop_status:
        lines.append(
            f'<font color="{LOOP_COLOUR}"><b>↻ from here the steps repeat for ever</b></font>'
        )
    return "<" + "<br/>".join(lines) + ">"


def _small(text: str) -> str:
    return f'<font point-size="9">{escape(text)}</font>'


def _add_start(graph: graphviz.Digraph, spec: ProtocolSpec) -> None:
    add_start(graph, spec.initial_statuses)


def add_start(graph: graphviz.Digraph, initial: Iterable[Status]) -> None:
    """A black dot with an arrow into each initial status, as in UML state charts."""
    shown = sorted(initial, key=lambda status: status.id)
    if not shown:
        return
    graph.node(START_NODE, label="", shape="circle", style="filled", fillcolor="black", width="0.2")
    for status in shown:
        graph.edge(START_NODE, status.id, penwidth="2")


def _add_events(
    graph: graphviz.Digraph,
    spec: ProtocolSpec,
    path: TracePath | None,
    *,
    whole: ProtocolSpec | None = None,
) -> None:
    """One edge per event and `from` status; `from: any` events start at one pseudo-node.
    `whole` is the spec `spec` was cut from, for a focused diagram."""
    taken = _taken_edges(path)
    if any(not event.sources_from for event in (*spec.events, *spec.undefined_routes)):
        graph.node(
            ANY_NODE,
            label="<<b>any status</b><br/>" + _small("events with from: any") + ">",
            shape="note",
            style="filled",
            fillcolor="#ffffff",
        )
    for event in sorted(spec.events, key=lambda event: event.id):
        sources = sorted(event.sources_from) if event.sources_from else [ANY_NODE]
        for source in sources:
            target = event.target or source
            steps = taken.get((event.id, source), ())
            graph.edge(source, target, **_edge_attrs(spec, event, target, steps))
    add_undefined_routes(graph, spec, any_node=ANY_NODE)
    if path is not None:
        _add_any_steps(graph, whole or spec, path)


def _taken_edges(path: TracePath | None) -> dict[tuple[str, str], tuple[PathStep, ...]]:
    taken: dict[tuple[str, str], list[PathStep]] = defaultdict(list)
    for step in path.events if path is not None else ():
        taken[(step.event, step.drawn_from or ANY_NODE)].append(step)
    return {key: tuple(steps) for key, steps in taken.items()}


def _add_any_steps(graph: graphviz.Digraph, spec: ProtocolSpec, path: TracePath) -> None:
    """The concrete steps a `from: any` event took, so the highlighted path is unbroken."""
    for step in path.events:
        if step.drawn_from is None:
            event = spec.event_by_id(step.event)
            attrs = _edge_attrs(spec, event, step.target, (step,))
            graph.edge(step.source, step.target, **attrs)


def _edge_attrs(
    spec: ProtocolSpec, event: Event, target: str, steps: tuple[PathStep, ...]
) -> dict[str, str]:
    attrs = edge_style(event.kind, event.modality).attributes()
    attrs["label"] = _event_label(spec, event, target, steps)
    attrs["tooltip"] = f"{event.id} ({event.kind.value}, {event.modality.value})"
    if steps:
        looped = any(step.in_loop for step in steps)
        colour = LOOP_COLOUR if looped else HIGHLIGHT_COLOUR
        attrs |= {"color": colour, "fontcolor": colour, "penwidth": "3.5"}
    return attrs


def _event_label(spec: ProtocolSpec, event: Event, target: str, steps: tuple[PathStep, ...]) -> str:
    first = f"<b>{escape(event.id)}</b>"
    if event.modality is not Modality.MUST:
        first += f" ({event.modality.value})"
    lines = []
    if steps:
        numbers = ", ".join(f"#{step.number}" for step in steps)
        loop = " ↻" if any(step.in_loop for step in steps) else ""
        lines.append(f"<b>{numbers}{loop}</b>")
    lines.append(first)
    guard = guard_summary(event)
    if guard is not None:
        lines.append(f"[{escape(guard)}]")
    if event.at is not None:
        meeting = spec.meeting_by_id(event.at)
        lines.append(f"@ {escape(meeting.name or meeting.id)}")
    lines.extend(f"due: {escape(note)}" for note in deadline_notes(spec, event, target))
    ahead = gives_way_note(spec, event)
    if ahead is not None:
        lines.append(escape(ahead))
    rules = rule_ids(event)
    if rules:
        lines.append(_small(", ".join(rules)))
    return "<" + "<br/>".join(lines) + ">"
