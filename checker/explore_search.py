"""Searches over a finite transition system: shortest bad paths, tick cycles, longest waits.

Generic in the node type, so the same code walks the model's configurations and
their products with a property observer. Every search is breadth-first from the
roots in their given order, so results are the shortest and deterministic.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Hashable
from typing import Generic, Protocol, TypeVar

import networkx as nx
from attrs import frozen

from stepcheck.checker.explore_step import Label
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.trace import StepKind

__all__ = [
    "Path",
    "StateSpaceTooLarge",
    "System",
    "longest_ticks",
    "reachable_graph",
    "search_node",
    "search_step",
    "tick_cycle",
]

N = TypeVar("N", bound=Hashable)


class StateSpaceTooLarge(StepcheckError):
    """The explicit model has more states than the explorer was allowed to visit."""

    def __init__(self, max_states: int) -> None:
        super().__init__(
            f"the explicit model has more than {max_states} states; pass a larger max_states"
        )
        self.max_states = max_states


class System(Protocol[N]):
    """A finite transition system: where runs start and where each node can go."""

    def roots(self) -> list[N]: ...

    def successors(self, node: N) -> list[tuple[Label, N]]: ...


@frozen(kw_only=True)
class Path(Generic[N]):
    """A run from `start` through `steps`; a lasso when `loop_start` is set."""

    start: N
    steps: tuple[tuple[Label, N], ...] = ()
    loop_start: int | None = None


def search_node(
    system: System[N], bad: Callable[[N], bool], *, max_states: int
) -> tuple[Path[N] | None, Collection[N]]:
    """The shortest path to a node where `bad` holds, and the nodes visited."""
    parents: dict[N, tuple[N, Label] | None] = {}
    queue: deque[N] = deque()
    for root in system.roots():
        if root not in parents:
            parents[root] = None
            queue.append(root)
            if bad(root):
                return _path_to(parents, root), parents.keys()
    while queue:
        node = queue.popleft()
        for label, after in system.successors(node):
            if after in parents:
                continue
            parents[after] = (node, label)
            _check_size(len(parents), max_states)
            if bad(after):
                return _path_to(parents, after), parents.keys()
            queue.append(after)
    return None, parents.keys()


def search_step(
    system: System[N], bad: Callable[[N, Label, N], bool], *, max_states: int
) -> tuple[Path[N] | None, Collection[N]]:
    """The shortest path ending with a step for which `bad` holds, and the nodes visited."""
    parents: dict[N, tuple[N, Label] | None] = dict.fromkeys(system.roots())
    queue = deque(parents)
    while queue:
        node = queue.popleft()
        for label, after in system.successors(node):
            if bad(node, label, after):
                path = _path_to(parents, node)
                return Path(start=path.start, steps=(*path.steps, (label, after))), parents.keys()
            if after not in parents:
                parents[after] = (node, label)
                _check_size(len(parents), max_states)
                queue.append(after)
    return None, parents.keys()


def reachable_graph(system: System[N], *, max_states: int) -> nx.DiGraph:
    """Every reachable node, with an edge per pair of nodes holding the labels that join them.

    Edge attributes: `labels` (in discovery order) and `tick` (whether one is a tick).
    The roots are in `graph.graph["roots"]`.
    """
    roots = list(dict.fromkeys(system.roots()))
    graph = nx.DiGraph(roots=roots)
    graph.add_nodes_from(roots)
    queue = deque(roots)
    while queue:
        node = queue.popleft()
        for label, after in system.successors(node):
            if after not in graph:
                graph.add_node(after)
                _check_size(len(graph), max_states)
                queue.append(after)
            if not graph.has_edge(node, after):
                graph.add_edge(node, after, labels=[], tick=False)
            edge = graph.edges[node, after]
            edge["labels"].append(label)
            edge["tick"] = edge["tick"] or label[0] is StepKind.TICK
    return graph


def tick_cycle(graph: nx.DiGraph, region: Callable[[N], bool]) -> Path[N] | None:
    """A lasso whose loop stays in `region` and contains a tick, with the shortest stem.

    The loop starts at the region node nearest the roots that has a tick edge back
    into its own strongly connected component (within the region).
    """
    inside = graph.subgraph([node for node in graph if region(node)]).copy()
    component: dict[N, int] = _component_of(inside)
    distance = _distances(graph, graph.graph["roots"])
    candidates = [
        (distance[u], index, u, v)
        for index, (u, v) in enumerate(inside.edges)
        if inside.edges[u, v]["tick"] and component[u] == component[v]
    ]
    if not candidates:
        return None
    _, _, u, v = min(candidates, key=lambda found: found[:2])
    stem = _shortest(graph, graph.graph["roots"], u)
    members = inside.subgraph([node for node in inside if component[node] == component[u]])
    back = _shortest(members, [v], u)
    loop = ((_tick_label(graph, u, v), v), *back.steps)
    return Path(start=stem.start, steps=(*stem.steps, *loop), loop_start=len(stem.steps))


def longest_ticks(graph: nx.DiGraph, region: Callable[[N], bool]) -> int:
    """The most ticks a path staying in `region` can contain (it must have no tick cycle)."""
    inside = graph.subgraph([node for node in graph if region(node)]).copy()
    condensed = nx.condensation(inside)
    mapping = condensed.graph["mapping"]
    weight: dict[tuple[int, int], int] = {}
    for u, v, tick in inside.edges(data="tick"):
        cu, cv = mapping[u], mapping[v]
        if cu == cv:
            assert not tick, "longest_ticks needs a region without tick cycles"
            continue
        weight[cu, cv] = max(weight.get((cu, cv), 0), int(tick))
    longest: dict[int, int] = {}
    for component in reversed(list(nx.topological_sort(condensed))):
        longest[component] = max(
            (
                weight[component, later] + longest[later]
                for later in condensed.successors(component)
            ),
            default=0,
        )
    return max(longest.values(), default=0)


def _check_size(count: int, max_states: int) -> None:
    if count > max_states:
        raise StateSpaceTooLarge(max_states)


def _path_to(parents: dict[N, tuple[N, Label] | None], node: N) -> Path[N]:
    steps: list[tuple[Label, N]] = []
    while (parent := parents[node]) is not None:
        steps.append((parent[1], node))
        node = parent[0]
    return Path(start=node, steps=tuple(reversed(steps)))


def _component_of(graph: nx.DiGraph) -> dict[N, int]:
    return {
        node: index
        for index, members in enumerate(nx.strongly_connected_components(graph))
        for node in members
    }


def _distances(graph: nx.DiGraph, sources: list[N]) -> dict[N, int]:
    distance = dict.fromkeys(sources, 0)
    queue = deque(sources)
    while queue:
        node = queue.popleft()
        for after in graph.successors(node):
            if after not in distance:
                distance[after] = distance[node] + 1
                queue.append(after)
    return distance


def _shortest(graph: nx.DiGraph, sources: list[N], target: N) -> Path[N]:
    """The shortest path from any of `sources` to `target` (which must be reachable)."""
    parents: dict[N, tuple[N, Label] | None] = dict.fromkeys(sources)
    queue = deque(sources)
    while queue and target not in parents:
        node = queue.popleft()
        for after in graph.successors(node):
            if after not in parents:
                parents[after] = (node, graph.edges[node, after]["labels"][0])
                queue.append(after)
    return _path_to(parents, target)


def _tick_label(graph: nx.DiGraph, u: N, v: N) -> Label:
    labels: list[Label] = graph.edges[u, v]["labels"]
    return next(label for label in labels if label[0] is StepKind.TICK)
