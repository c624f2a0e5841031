"""The status graph of a spec as a networkx multigraph: one edge per event and source status.

Shared by the checker (structural checks) and the diagrams. Nodes are status ids with
their `Status` as the `status` attribute; each edge carries its `Event` as `event`,
keyed by the event id. Events that keep the status are self-loops.
"""

from __future__ import annotations

import networkx as nx

from stepcheck.spec.model import Event, ProtocolSpec

__all__ = ["event_sources", "to_digraph"]


def event_sources(spec: ProtocolSpec, event: Event) -> tuple[str, ...]:
    """The statuses an event can happen in (`from: any` means every status)."""
    if event.sources_from:
        return event.sources_from
    return tuple(status.id for status in spec.statuses)


def to_digraph(spec: ProtocolSpec) -> nx.MultiDiGraph:
    """Statuses as nodes, events as edges from each source status to the target."""
    graph = nx.MultiDiGraph(authority=spec.authority.id)
    for status in spec.statuses:
        graph.add_node(status.id, status=status)
    for event in spec.events:
        for source in event_sources(spec, event):
            graph.add_edge(source, event.target or source, key=event.id, event=event)
    return graph
