"""What the document leaves out, drawn: routes it admits but does not define
(`to: unspecified`, `guard: unspecified`) and tiers it leaves open.

An undefined route is a dashed red arrow labelled "undefined" with what is missing
and its source (rule ids, else document and section), to its target or, when the
document does not say where it leads, to a "?" node of its own. A status whose tier is
left open is drawn in the lowest of its tiers, with a red line saying which tiers the
document leaves open. Shared by the whole diagram (`dot.py`), its parts (`parts.py`)
and Mermaid (`mermaid.py`); the order is fixed (routes by id, sources by id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Final

import graphviz

from stepcheck.diagrams.style import GAP_COLOUR, escape, rule_ids
from stepcheck.spec.model import Event, ProtocolSpec, Status

__all__ = [
    "UNDEFINED_EDGE",
    "add_undefined_routes",
    "open_tier_words",
    "route_source",
    "undefined_ends",
    "undefined_words",
    "unsaid_node",
]

UNDEFINED_EDGE: Final = {
    "style": "dashed",
    "color": GAP_COLOUR,
    "fontcolor": GAP_COLOUR,
    "arrowhead": "empty",
}
_MISSING: Final = {"to": "where it leads", "guard": "when it may happen"}


def undefined_words(route: Event) -> str:
    """ "undefined: where it leads not said"."""
    missing = " and ".join(_MISSING[part] for part in route.undefined)
    return f"undefined: {missing} not said"


def route_source(route: Event) -> str:
    """Where the route is admitted: its rule ids, else document and section, else its
    line in the spec."""
    rules = rule_ids(route)
    if rules:
        return ", ".join(rules)
    cited = [
        f"{source.doc} {source.section}" if source.section else source.doc
        for source in route.sources
    ]
    return ", ".join(dict.fromkeys(cited)) or f"spec line {route.span.line}"


def unsaid_node(route: Event) -> str:
    """The node an undefined route without a target leads to."""
    return f"_unsaid_{route.id}"


def undefined_ends(spec: ProtocolSpec, any_node: str) -> Iterator[tuple[Event, str, str | None]]:
    """(route, source, target) of every arrow an undefined route draws; target None
    when the document does not say where it leads; sources `any_node` for `from: any`."""
    for route in sorted(spec.undefined_routes, key=lambda route: route.id):
        for source in sorted(route.sources_from) or [any_node]:
            yield route, source, route.target


def add_undefined_routes(
    graph: graphviz.Digraph,
    spec: ProtocolSpec,
    *,
    any_node: str,
    node_of: Callable[[str], str] = str,
    keep: Callable[[str, str | None], bool] | None = None,
) -> None:
    """Dashed arrows for the undefined routes `keep` accepts, between the nodes `node_of`
    names (a status, or the box it is drawn in)."""
    drawn: set[str] = set()
    for route, source, target in undefined_ends(spec, any_node):
        if keep is not None and not keep(source, target):
            continue
        end = node_of(target) if target is not None else unsaid_node(route)
        if target is None and end not in drawn:
            graph.node(
                end,
                label='<<b>?</b><br/><font point-size="9">not said</font>>',
                shape="circle",
                style="dashed",
                color=GAP_COLOUR,
                fontcolor=GAP_COLOUR,
            )
            drawn.add(end)
        start = source if source == any_node else node_of(source)
        label = (
            f"<<b>{escape(route.id)}</b><br/>{escape(undefined_words(route))}"
            f'<br/><font point-size="8">{escape(route_source(route))}</font>>'
        )
        graph.edge(
            start,
            end,
            label=label,
            tooltip=f"{route.id}: {undefined_words(route)}",
            **UNDEFINED_EDGE,
        )


def open_tier_words(status: Status) -> str | None:
    """ "tier left open: cin or cp (drawn with cin)", or None for a status with one tier."""
    if not status.tier_open:
        return None
    if status.tier_unspecified:
        return f"tier not said (drawn with {status.tier.value.replace('_', ' ')})"
    choices = " or ".join(tier.value.replace("_", " ") for tier in status.tier_open)
    return f"tier left open: {choices} (drawn with {status.tier.value.replace('_', ' ')})"
