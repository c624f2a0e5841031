"""The `precedence:` section -> `Precedence` rules, with the checks a schema cannot make.

The schema guarantees the shape (`route`, `over` and `source` present). Here: every id
names a defined event (SPEC103 for an unknown one, SPEC118 for an undefined route,
which no engine takes), no event gives way to itself (SPEC135), the rules form no
cycle (SPEC136: A over B and B over A would only make both wait), and the citation
quotes the document's words (SPEC137), since a precedence changes what every engine
lets happen.
"""

from __future__ import annotations

from stepcheck.spec.model import Precedence
from stepcheck.spec.reader import SpecReader
from stepcheck.spec.yamlread import Path

__all__ = ["build_precedence", "check_precedence"]


def build_precedence(r: SpecReader, rule_id: str, path: Path) -> Precedence:
    """One rule, its references checked against the events section."""
    route = r.refs(r.get(path, "route"), (*path, "route"), "events")
    over = r.refs(r.get(path, "over"), (*path, "over"), "events")
    rule = Precedence(
        id=rule_id,
        route=route,
        over=over,
        modality=r.modality(path),
        description=r.get(path, "description"),
        sources=r.sources(path),
        span=r.span(path, key=True),
    )
    for event_id in sorted(set(route) & set(over)):
        r.problem(
            "SPEC135",
            f"precedence '{rule_id}' makes '{event_id}' give way to itself",
            _item(r, path, "over", event_id),
            f"take '{event_id}' out of `route` or out of `over`",
        )
    if rule.sources and not any(source.quote for source in rule.sources):
        r.problem(
            "SPEC137",
            f"precedence '{rule_id}' cites no words of the document",
            (*path, "source"),
            "add the `quote` that says which route comes first",
        )
    return rule


def check_precedence(
    r: SpecReader, rules: tuple[Precedence, ...], undefined_routes: frozenset[str]
) -> None:
    """Undefined routes named by a rule, and cycles among the rules."""
    for rule in rules:
        path: Path = ("precedence", rule.id)
        for key, ids in (("route", rule.route), ("over", rule.over)):
            for event_id in ids:
                if event_id in undefined_routes:
                    r.problem(
                        "SPEC118",
                        f"'{event_id}' is a route the document admits but does not define "
                        "(its `to` or `guard` is unspecified), so it cannot take precedence "
                        "or give way",
                        _item(r, path, key, event_id),
                        "define the route, or leave it out of this precedence",
                    )
    edges = {
        (first, then)
        for rule in rules
        for first in rule.route
        for then in rule.over
        if first != then
    }
    for rule in rules:
        for first in rule.route:
            for then in rule.over:
                loop = _path(edges, then, first)
                if first != then and loop is not None:
                    cycle = " -> ".join((first, *loop))
                    r.problem(
                        "SPEC136",
                        f"precedence '{rule.id}' closes a cycle: {cycle}",
                        _item(r, ("precedence", rule.id), "over", then),
                        "a route cannot both pre-empt and give way to another; keep the "
                        "order the document states and drop the other rule",
                    )
                    return


def _path(edges: set[tuple[str, str]], start: str, goal: str) -> tuple[str, ...] | None:
    """The events from `start` to `goal` along `edges` (both included), shortest first."""
    frontier: list[tuple[str, ...]] = [(start,)]
    seen = {start}
    while frontier:
        following: list[tuple[str, ...]] = []
        for trail in frontier:
            if trail[-1] == goal:
                return trail
            for first, then in sorted(edges):
                if first == trail[-1] and then not in seen:
                    seen.add(then)
                    following.append((*trail, then))
        frontier = following
    return None


def _item(r: SpecReader, path: Path, key: str, event_id: str) -> Path:
    """The path of `event_id` within `key` (a single id or a list of ids)."""
    raw = r.at(path).get(key)
    if isinstance(raw, list) and event_id in raw:
        return (*path, key, raw.index(event_id))
    return (*path, key)
