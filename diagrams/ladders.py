"""One escalation ladder as Graphviz: its levels in order, who decides, and the gaps.

Drawn top to bottom from the trigger events: each level says who acts, how long they
have (an `unspecified` limit is shown as such, in red), whether they can decide, and
any hand-off to an outside document. Escalate edges follow `next` (back-pointing ones
are drawn as loops). A summary box gives the final authority, the tie-break, the
whole-dispute limit and the resolution events; a missing final authority or tie-break,
a level that cannot decide for want of a tie-break, and a last level with no way out
are flagged in red, because those are the gaps a reviewer must see.
"""

from __future__ import annotations

from typing import Final

import graphviz

from stepcheck.diagrams.style import (
    GAP_COLOUR,
    GAP_FILL,
    LOOP_COLOUR,
    duration_text,
    escape,
    wrapped,
)
from stepcheck.spec.model import (
    NOT_NEEDED,
    Escalation,
    EscalationLevel,
    ProtocolSpec,
    Unspecified,
)

__all__ = ["ladder_diagram"]

_TRIGGER: Final = "_trigger"
_DECISION: Final = "_decision"
_SUMMARY: Final = "_summary"


def ladder_diagram(spec: ProtocolSpec, escalation_id: str) -> graphviz.Digraph:
    """The ladder `escalation_id` of `spec`, with its gaps flagged.

    Raises:
        KeyError: when the spec has no escalation of that id.
    """
    escalation = spec.escalation_by_id(escalation_id)
    graph = graphviz.Digraph(
        name=f"{spec.authority.id}_{escalation.id}",
        graph_attr={
            "rankdir": "TB",
            "fontname": "Helvetica",
            "labelloc": "t",
            "label": _title(spec, escalation),
        },
        node_attr={"fontname": "Helvetica", "fontsize": "11", "shape": "box", "style": "rounded"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9"},
    )
    triggers = ", ".join(escalation.trigger)
    graph.node(_TRIGGER, label=f"<opened by<br/><b>{escape(triggers)}</b>>", shape="ellipse")
    graph.edge(_TRIGGER, _level_node(escalation.levels[0]))
    for index in range(len(escalation.levels)):
        _add_level(graph, spec, escalation, index)
    graph.node(_SUMMARY, label=_summary(spec, escalation), shape="plaintext", style="")
    return graph


def _title(spec: ProtocolSpec, escalation: Escalation) -> str:
    text = f"<b>escalation ladder {escape(escalation.id)}</b> ({escape(spec.authority.name)})"
    if escalation.description:
        text += f"<br/>{wrapped(escalation.description)}"
    return f"<{text}>"


def _level_node(level: EscalationLevel) -> str:
    return f"level_{level.id}"


def _add_level(
    graph: graphviz.Digraph, spec: ProtocolSpec, escalation: Escalation, index: int
) -> None:
    level = escalation.levels[index]
    node = _level_node(level)
    final = escalation.final_authority == level.id
    attrs = {"penwidth": "2.5"} if final else {}
    graph.node(node, label=_level_label(spec, escalation, index), **attrs)
    target = _next_level(escalation, index)
    if level.external is not None:
        _add_external(graph, spec, level)
    elif target is not None:
        backwards = _index_of(escalation, target.id) <= index
        colour = LOOP_COLOUR if backwards else "#000000"
        label = "escalate"
        if not isinstance(level.within, Unspecified):
            label += f", after {duration_text(level.within)}"
        if backwards:
            label = f"↻ next: back to {target.id}<br/>{label}"
        graph.edge(node, _level_node(target), label=f"<{label}>", color=colour, fontcolor=colour)
    if level.decides and level.external is None:
        _add_decision(graph, escalation, level)
    elif target is None and level.external is None:
        _add_dead_end(graph, level)


def _next_level(escalation: Escalation, index: int) -> EscalationLevel | None:
    level = escalation.levels[index]
    if level.next is not None:
        return escalation.level_by_id(level.next)
    if index + 1 < len(escalation.levels):
        return escalation.levels[index + 1]
    return None


def _index_of(escalation: Escalation, level_id: str) -> int:
    return next(i for i, level in enumerate(escalation.levels) if level.id == level_id)


def _level_label(spec: ProtocolSpec, escalation: Escalation, index: int) -> str:
    level = escalation.levels[index]
    lines = [f"<b>level {index + 1}: {escape(level.id)}</b>"]
    who = ", ".join(_name(spec, who) for who in level.who) or "nobody named"
    if level.if_unavailable:
        who += " (if unavailable: " + ", ".join(_name(spec, w) for w in level.if_unavailable) + ")"
    lines.append(f"who: {escape(who)}")
    if isinstance(level.within, Unspecified):
        lines.append(_gap("time limit: unspecified"))
    else:
        lines.append(f"time limit: {escape(duration_text(level.within))}")
    lines.append("decides" if level.decides else "does not decide")
    if escalation.final_authority == level.id:
        lines.append("<b>★ final authority</b>")
    if level.description:
        lines.append(f'<font point-size="9">{wrapped(level.description, 60)}</font>')
    return "<" + "<br/>".join(lines) + ">"


def _add_external(graph: graphviz.Digraph, spec: ProtocolSpec, level: EscalationLevel) -> None:
    external = next((e for e in spec.externals if e.id == level.external), None)
    title = external.title if external is not None else str(level.external)
    node = f"external_{level.external}"
    graph.node(node, label=f"<outside document<br/><b>{escape(title)}</b>>", shape="tab")
    graph.edge(
        _level_node(level),
        node,
        label="<hand-off: the dispute may stay there for ever>",
        style="dashed",
    )


def _add_decision(graph: graphviz.Digraph, escalation: Escalation, level: EscalationLevel) -> None:
    graph.node(_DECISION, label="<<b>final decision</b><br/>dispute closed>", peripheries="2")
    if len(level.who) > 1 and isinstance(escalation.tie_break, Unspecified):
        graph.edge(
            _level_node(level),
            _DECISION,
            label=f"<⚠ cannot decide: {len(level.who)} people, no tie-break>",
            color=GAP_COLOUR,
            fontcolor=GAP_COLOUR,
            style="dashed",
        )
        return
    graph.edge(_level_node(level), _DECISION, label="<decides>")


def _add_dead_end(graph: graphviz.Digraph, level: EscalationLevel) -> None:
    node = f"dead_end_{level.id}"
    graph.node(
        node,
        label="<⚠ the ladder ends here: no level above, no decision>",
        color=GAP_COLOUR,
        fontcolor=GAP_COLOUR,
        style="filled",
        fillcolor=GAP_FILL,
    )
    graph.edge(_level_node(level), node, color=GAP_COLOUR, style="dashed")


def _summary(spec: ProtocolSpec, escalation: Escalation) -> str:
    rows = [
        ("final authority", _final_authority(escalation)),
        ("tie-break", _tie_break(spec, escalation)),
        ("whole dispute", _whole_limit(escalation)),
        ("closed by", escape(", ".join(escalation.resolution)) or _gap("no resolution event")),
    ]
    cells = "".join(
        f'<tr><td align="left"><b>{name}</b></td><td align="left">{value}</td></tr>'
        for name, value in rows
    )
    return f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3">{cells}</table>>'


def _final_authority(escalation: Escalation) -> str:
    if isinstance(escalation.final_authority, Unspecified):
        return _gap("not stated by the document")
    return escape(escalation.final_authority)


def _tie_break(spec: ProtocolSpec, escalation: Escalation) -> str:
    if isinstance(escalation.tie_break, Unspecified):
        return _gap("not stated by the document")
    if escalation.tie_break == NOT_NEEDED:
        return "not needed"
    return escape(_name(spec, escalation.tie_break))


def _whole_limit(escalation: Escalation) -> str:
    if isinstance(escalation.within, Unspecified):
        return "no overall time limit (unspecified)"
    return escape(f"within {duration_text(escalation.within)}")


def _gap(text: str) -> str:
    return f'<font color="{GAP_COLOUR}"><b>⚠ {escape(text)}</b></font>'


def _name(spec: ProtocolSpec, who: str) -> str:
    """A role's or team's name for people, falling back to its id."""
    names = {team.id: team.name for team in spec.teams}
    names |= {role.id: role.name for role in spec.roles}
    return names.get(who, who)
