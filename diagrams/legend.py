"""The key to the status diagram: edge looks by kind and modality, node marks, the run shown.

Drawn as a cluster inside the whole status diagram (`dot.py`), or on its own
(`legend_diagram`) beside a diagram drawn in parts (`parts.py`), whose arrows carry
numbers instead of event labels.
"""

from __future__ import annotations

from typing import Final

import graphviz

from stepcheck.diagrams.style import (
    HIGHLIGHT_COLOUR,
    LOOP_COLOUR,
    TracePath,
    escape,
    legend_styles,
)
from stepcheck.diagrams.unsaid import UNDEFINED_EDGE

__all__ = ["add_legend", "legend_diagram"]

_ATTRS: Final = {"fontname": "Helvetica", "fontsize": "11"}


def add_legend(
    graph: graphviz.Digraph,
    path: TracePath | None,
    *,
    numbered: bool = False,
    undefined: bool = False,
) -> None:
    """Sample edges for each kind and modality, node marks, and the highlighted run; with
    `numbered`, the key says arrows carry numbers rather than event labels; with
    `undefined`, it shows the arrow of a route the document admits but does not define."""
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="<<b>legend</b>>", style="rounded", color="#878787")
        legend.attr("node", shape="plaintext", fontsize="9", label="")
        samples = [(text, style.attributes()) for text, style in legend_styles()]
        if undefined:
            samples.append(("undefined route: admitted, not defined", dict(UNDEFINED_EDGE)))
        if path is not None:
            samples.append(
                ("step #n of the run shown", {"color": HIGHLIGHT_COLOUR, "penwidth": "3.5"})
            )
            samples.append(
                ("step that repeats for ever ↻", {"color": LOOP_COLOUR, "penwidth": "3.5"})
            )
        for index, (text, attrs) in enumerate(samples):
            left, right = f"_legend_{index}_a", f"_legend_{index}_b"
            legend.node(left)
            legend.node(right, label=f"<{escape(text)}>")
            legend.edge(left, right, **attrs)
        legend.node("_legend_marks", label=_marks_key(numbered=numbered))
        if path is not None:
            legend.node("_legend_path", label=_story(path))


def legend_diagram(*, undefined: bool = False) -> graphviz.Digraph:
    """The legend alone, for pages that show the status diagram in parts."""
    graph = graphviz.Digraph(
        name="legend",
        graph_attr={"rankdir": "LR", "ranksep": "0.3", "nodesep": "0.05", **_ATTRS},
        node_attr={"shape": "box", **_ATTRS},
        edge_attr={**_ATTRS, "fontsize": "9"},
    )
    add_legend(graph, None, numbered=True, undefined=undefined)
    return graph


def _marks_key(*, numbered: bool = False) -> str:
    lines = [
        "▶ initial (thick border, arrow from the black dot)",
        "■ final (double border)",
        "holding: a tray or waiting list (cylinder)",
        "box colour: the owner team's lane",
        "⚠ red: owner not stated by the document",
        "edge: event [guard] · @ meeting · due: deadline met, limit · rule ids",
    ]
    if numbered:
        lines[-1] = "arrow number: its events are in the table under the drawing"
    return "<" + "".join(f'{escape(line)}<br align="left"/>' for line in lines) + ">"


def _story(path: TracePath) -> str:
    lines = ["<b>the run shown, step by step</b>"]
    lines += [escape(line) for line in path.story]
    if path.loop_text is not None:
        lines.append(f'<font color="{LOOP_COLOUR}">{escape(path.loop_text)}</font>')
    return "<" + "".join(f'{line}<br align="left"/>' for line in lines) + ">"
