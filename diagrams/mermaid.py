"""The status diagram as Mermaid `stateDiagram-v2` text, which GitHub renders in markdown.

Same statuses and events as the Graphviz diagram (`dot.py`), within what Mermaid can
draw. Mermaid cannot link states inside different composite states, and nearly every
event crosses tiers, so tiers are notes (one per tier, on its first status, listing
its statuses) and each state's description names its tier and owner. Mermaid cannot
style a transition either, so classDef styles go on states: holding, gap (owner not
stated), the owner kinds, and `highlight`/`loop` for a counterexample; an event's
kind and modality are words in its transition label, and a highlighted run numbers
the transitions it takes. `from: any` events start at one pseudo-state, as in DOT.

Ids are sanitised (letters, digits and `_`, no Mermaid keyword, unique), labels keep
only characters Mermaid reads literally, and every list is sorted, so the text is
deterministic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Final

from stepcheck.diagrams.style import (
    PathStep,
    TracePath,
    gives_way_note,
    kind_group,
    lane_of,
    tier_label,
    tier_order,
    trace_path,
)
from stepcheck.diagrams.unsaid import (
    open_tier_words,
    route_source,
    undefined_ends,
    undefined_words,
    unsaid_node,
)
from stepcheck.spec.model import Event, Modality, OwnerKind, ProtocolSpec, Status
from stepcheck.spec.trace import Trace

__all__ = ["mermaid_id", "status_mermaid"]

_KEYWORDS: Final = frozenset(
    {
        "as",
        "class",
        "classdef",
        "click",
        "default",
        "direction",
        "end",
        "fork",
        "join",
        "choice",
        "note",
        "of",
        "left",
        "right",
        "state",
        "statediagram",
        "style",
    }
)
_ANY_STATE: Final = "from_any_status"
_INDENT: Final = "    "

_CLASS_DEFS: Final = (
    ("holding", "fill:#fff7bc,stroke:#8c6d00"),
    ("gap", "fill:#fde0dd,stroke:#b2182b,color:#67000d"),
    ("allocated", "fill:#deebf7,stroke:#2166ac"),
    ("team_tray", "fill:#e5f5e0,stroke:#1b7837"),
    ("waiting_list", "fill:#fee6ce,stroke:#b35806"),
    ("meeting_queue", "fill:#efedf5,stroke:#762a83"),
    ("system_tray", "fill:#f0f0f0,stroke:#4d4d4d"),
    ("external", "fill:#e0f3f8,stroke:#4575b4"),
    ("no_owner", "fill:#ffffff,stroke:#878787"),
    ("highlight", "fill:#fdd0a2,stroke:#e66100,stroke-width:4px"),
    ("loop", "fill:#d8daeb,stroke:#5e3c99,stroke-width:4px"),
)
_UNDEFINED_CLASS: Final = (
    "undefined",
    "fill:#ffffff,stroke:#b2182b,stroke-dasharray:5 5,color:#b2182b",
)


def mermaid_id(text: str, taken: set[str]) -> str:
    """A Mermaid-safe id for `text`, not in `taken` (which it is then added to).

    >>> mermaid_id("end", set())
    'end_state'
    """
    base = re.sub(r"[^A-Za-z0-9_]", "_", text) or "state"
    if base[0].isdigit():
        base = f"s_{base}"
    if base.lower() in _KEYWORDS:
        base = f"{base}_state"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def status_mermaid(spec: ProtocolSpec, *, highlight: Trace | None = None) -> str:
    """The spec as `stateDiagram-v2` text; with `highlight`, that run marked and numbered."""
    path = trace_path(spec, highlight) if highlight is not None else None
    taken: set[str] = set()
    ids = {status.id: mermaid_id(status.id, taken) for status in sorted(spec.statuses, key=_id)}
    if any(not event.sources_from for event in (*spec.events, *spec.undefined_routes)):
        ids[_ANY_STATE] = mermaid_id(_ANY_STATE, taken)
    for route in sorted(spec.undefined_routes, key=lambda route: route.id):
        if route.target is None:
            ids[unsaid_node(route)] = mermaid_id(unsaid_node(route), taken)
    lines = ["---", f'title: "{_text(spec.authority.name)} ({spec.authority.id})"', "---"]
    lines += ["stateDiagram-v2", f"{_INDENT}direction LR"]
    lines += [f"{_INDENT}classDef {name} {style}" for name, style in _class_defs(spec)]
    lines += _states(spec, ids)
    lines += _transitions(spec, ids, path)
    lines += _classes(spec, ids, path)
    return "\n".join(lines) + "\n"


def _id(status: Status) -> str:
    return status.id


def _states(spec: ProtocolSpec, ids: dict[str, str]) -> list[str]:
    lines: list[str] = []
    for tier in tier_order(status.tier for status in spec.statuses):
        members = sorted((s for s in spec.statuses if s.tier is tier), key=_id)
        lines.append(f"{_INDENT}%% tier {tier_label(tier)} (rank {tier.rank})")
        for status in members:
            lines.append(f'{_INDENT}state "{_text(status.id)}" as {ids[status.id]}')
            lines.append(f"{_INDENT}{ids[status.id]} : {_description(spec, status)}")
        names = ", ".join(status.id for status in members)
        lines.append(f"{_INDENT}note right of {ids[members[0].id]}")
        lines.append(f"{_INDENT * 2}tier {_text(tier_label(tier))}: {_text(names)}")
        lines.append(f"{_INDENT}end note")
    if _ANY_STATE in ids:
        lines.append(f'{_INDENT}state "any status" as {ids[_ANY_STATE]}')
    for route in sorted(spec.undefined_routes, key=lambda route: route.id):
        if route.target is None:
            lines.append(f'{_INDENT}state "? not said" as {ids[unsaid_node(route)]}')
    return lines


def _description(spec: ProtocolSpec, status: Status) -> str:
    parts = [f"tier {tier_label(status.tier)}"]
    if status.owner is not None:
        owner = spec.owner_by_id(status.owner)
        parts.append(f"owner {owner.id} ({owner.kind.value.replace('_', ' ')})")
    else:
        parts.append("owner kept")
    parts += [mark for mark in ("initial", "final", "holding") if getattr(status, mark)]
    left_open = open_tier_words(status)
    if left_open is not None:
        parts.append(left_open)
    return _text(", ".join(parts))


def _transitions(spec: ProtocolSpec, ids: dict[str, str], path: TracePath | None) -> list[str]:
    lines = [f"{_INDENT}[*] --> {ids[s.id]}" for s in sorted(spec.initial_statuses, key=_id)]
    steps = _steps_by_edge(path)
    for event in sorted(spec.events, key=lambda event: event.id):
        sources = sorted(event.sources_from) if event.sources_from else [_ANY_STATE]
        for source in sources:
            target = event.target or source
            label = _label(spec, event, steps.get((event.id, source), ()))
            lines.append(f"{_INDENT}{ids[source]} --> {ids[target]} : {label}")
    for step in path.events if path is not None else ():
        if step.drawn_from is None:
            label = _label(spec, spec.event_by_id(step.event), (step,))
            lines.append(f"{_INDENT}{ids[step.source]} --> {ids[step.target]} : {label}")
    lines += _undefined(spec, ids)
    finals = sorted((s for s in spec.statuses if s.final), key=_id)
    lines += [f"{_INDENT}{ids[s.id]} --> [*]" for s in finals]
    return lines


def _undefined(spec: ProtocolSpec, ids: dict[str, str]) -> list[str]:
    """Routes the document admits but does not define: labelled so, to a dashed "?"
    state when it does not say where they lead (Mermaid draws no dashed transitions)."""
    lines = []
    for route, source, target in undefined_ends(spec, _ANY_STATE):
        end = ids[target] if target is not None else ids[unsaid_node(route)]
        label = _text(f"{route.id} - {undefined_words(route)} ({route_source(route)})")
        lines.append(f"{_INDENT}{ids[source]} --> {end} : {label}")
    return lines


def _steps_by_edge(path: TracePath | None) -> dict[tuple[str, str], tuple[PathStep, ...]]:
    found: dict[tuple[str, str], list[PathStep]] = defaultdict(list)
    for step in path.events if path is not None else ():
        found[(step.event, step.drawn_from or _ANY_STATE)].append(step)
    return {key: tuple(steps) for key, steps in found.items()}


def _label(spec: ProtocolSpec, event: Event, steps: tuple[PathStep, ...]) -> str:
    words = [event.id]
    group = kind_group(event.kind)
    if group.name != "other":
        words.append(f"({group.name.replace(' / ', ' or ')})")
    if event.modality is not Modality.MUST:
        words.append(f"({event.modality.value})")
    ahead = gives_way_note(spec, event)
    if ahead is not None:
        words.append(f"- {ahead}")
    if steps:
        numbers = ", ".join(str(step.number) for step in steps)
        loop = " loop" if any(step.in_loop for step in steps) else ""
        words.append(f"- step {numbers}{loop}")
    return _text(" ".join(words))


def _classes(spec: ProtocolSpec, ids: dict[str, str], path: TracePath | None) -> list[str]:
    members: dict[str, list[str]] = defaultdict(list)
    for status in spec.statuses:
        for name in _classes_of(spec, status, path):
            members[name].append(ids[status.id])
    members["undefined"] = [
        ids[unsaid_node(route)] for route in spec.undefined_routes if route.target is None
    ]
    return [
        f"{_INDENT}class {','.join(sorted(members[name]))} {name}"
        for name, _style in _class_defs(spec)
        if members[name]
    ]


def _class_defs(spec: ProtocolSpec) -> tuple[tuple[str, str], ...]:
    """The classes drawn: the "?" of an undefined route only where there is one."""
    if any(route.target is None for route in spec.undefined_routes):
        return (*_CLASS_DEFS, _UNDEFINED_CLASS)
    return _CLASS_DEFS


def _classes_of(spec: ProtocolSpec, status: Status, path: TracePath | None) -> list[str]:
    """The one class a status gets (Mermaid applies the last `class` line that names it)."""
    if path is not None and status.id == path.loop_status:
        return ["loop"]
    if path is not None and status.id in path.visited:
        return ["highlight"]
    if lane_of(spec, status).gap:
        return ["gap"]
    if status.holding:
        return ["holding"]
    if status.owner is not None:
        kind = spec.owner_by_id(status.owner).kind
        if kind is OwnerKind.NONE:
            return ["no_owner"]
        if kind is not OwnerKind.UNSPECIFIED:
            return [kind.value]
    return []


def _text(text: str) -> str:
    """Only characters Mermaid shows literally in labels and notes (no `:;#{}<>"`)."""
    return re.sub(r"[^\w ,.()'/+-]", " ", text).strip()
