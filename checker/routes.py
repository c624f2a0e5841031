"""Routes the document admits but does not define (`to: unspecified`,
`guard: unspecified`): which of them a case can come to, so that the verdicts they
could change are qualified ("holds on every defined route") and never a plain pass.

The loader keeps such routes out of `ProtocolSpec.events`, so every engine checks the
defined routes only. A route matters when a case can reach one of its starting
statuses in the over-approximating status graph (any status, for a route from any
status).
"""

from __future__ import annotations

import networkx as nx

from stepcheck.spec.graph import to_digraph
from stepcheck.spec.model import Event, ProtocolSpec

__all__ = ["open_routes", "route_words"]


def open_routes(spec: ProtocolSpec) -> tuple[Event, ...]:
    """The undefined routes a case can come to, in spec order."""
    if not spec.undefined_routes:
        return ()
    graph = to_digraph(spec)
    reachable: set[str] = set()
    for status in spec.statuses:
        if status.initial and status.id in graph:
            reachable |= {status.id, *nx.descendants(graph, status.id)}
    return tuple(
        route
        for route in spec.undefined_routes
        if not route.sources_from or reachable & set(route.sources_from)
    )


def route_words(route: Event) -> str:
    """A route and what the document leaves out: "'cp_step_down' (where it leads)"."""
    missing = {"to": "where it leads", "guard": "when it may happen"}
    return f"'{route.id}' ({' and '.join(missing[part] for part in route.undefined)})"
