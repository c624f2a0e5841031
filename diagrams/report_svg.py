"""The report's diagrams: each authority's status diagram and escalation ladders, inline SVG.

`ProtocolSpec` (+ a counterexample `Trace`) -> `diagrams.dot` / `diagrams.ladders` ->
`diagrams.render` -> here -> `<figure>`s of inline SVG. The SVG is cleaned for pasting
into one page: no XML prologue or comments, ids prefixed so two diagrams cannot
collide, and a label for screen readers. Without Graphviz's `dot` the report says so
once and still shows everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import graphviz
from attrs import frozen

from stepcheck.diagrams.dot import status_diagram
from stepcheck.diagrams.ladders import ladder_diagram
from stepcheck.diagrams.render import GraphvizMissing, render
from stepcheck.diagrams.report_html import anchor, esc
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import Trace

__all__ = [
    "GRAPHVIZ_NOTE",
    "Highlight",
    "SvgRenderer",
    "draw_authority",
    "draw_focus",
    "svg_renderer",
]

GRAPHVIZ_NOTE = (
    "The diagrams need Graphviz's dot program, which is not installed here; install "
    "the graphviz package (scripts/system-deps.sh does it on Debian) and write the "
    "report again to see them. Everything else in this report is complete."
)

SvgRenderer = Callable[[graphviz.Digraph], bytes]


@frozen(kw_only=True)
class Highlight:
    """The counterexample a status diagram shows: which property, and its run."""

    property: str
    trace: Trace


def svg_renderer() -> SvgRenderer:
    """The real renderer: Graphviz's `dot`, to SVG."""
    return lambda graph: render(graph, "svg")


def draw_authority(
    spec: ProtocolSpec, highlight: Highlight | None, renderer: SvgRenderer
) -> str | None:
    """The status diagram (highlighting `highlight`'s run) and every ladder, as figures.

    None when Graphviz's `dot` is not installed.
    """
    authority = spec.authority.id
    try:
        figures = [_status_figure(spec, highlight, renderer)]
        for ladder in spec.escalations:
            svg = renderer(ladder_diagram(spec, ladder.id))
            label = f"Escalation ladder '{ladder.id}' of {spec.authority.name}"
            figures.append(
                _figure(svg, anchor("ladder", authority, ladder.id), label, esc(label) + ".")
            )
    except GraphvizMissing:
        return None
    return "".join(figures)


def draw_focus(spec: ProtocolSpec, highlight: Highlight, renderer: SvgRenderer) -> str | None:
    """The statuses one story visits and the steps it takes, numbered: drawn at its
    natural size, which fits the page or scrolls inside its box. None without `dot`."""
    try:
        svg = renderer(status_diagram(spec, highlight=highlight.trace, focus=True))
    except GraphvizMissing:
        return None
    prefix = anchor("focus", spec.authority.id, highlight.property)
    label = f"The statuses the story of '{highlight.property}' visits"
    caption = (
        "The statuses this story visits and the steps it takes, numbered as in the "
        "story; the steps that repeat for ever in purple. The whole protocol is drawn "
        "under Diagrams."
    )
    return _figure(svg, prefix, label, caption, focus=True)


def _status_figure(spec: ProtocolSpec, highlight: Highlight | None, renderer: SvgRenderer) -> str:
    name = spec.authority.name
    if highlight is None:
        svg = renderer(status_diagram(spec))
        caption = f"Statuses and events of {esc(name)}."
    else:
        svg = renderer(status_diagram(spec, highlight=highlight.trace))
        caption = (
            f"Statuses and events of {esc(name)}, with a run that breaks "
            f"'{esc(highlight.property)}' highlighted."
        )
    label = f"Status diagram of {name}"
    caption += " Drawn at full size: scroll inside the box to move around it."
    return _figure(svg, anchor("status", spec.authority.id), label, caption, focus=True)


def _figure(svg: bytes, prefix: str, label: str, caption: str, *, focus: bool = False) -> str:
    kind = "diagram focus" if focus else "diagram"
    return (
        f'<figure class="{kind}" id="{prefix}">'
        f'<div class="svg">{_clean(svg.decode("utf-8"), prefix, label)}</div>'
        f"<figcaption>{caption}</figcaption></figure>"
    )


_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
_ID = re.compile(r'\bid="([^"]*)"')
_REF = re.compile(r'(href|xlink:href)="#([^"]*)"|url\(#([^)]*)\)')


def _clean(svg: str, prefix: str, label: str) -> str:
    """SVG text ready to paste into the page.

    >>> _clean('<?xml v?><!-- x --><svg id="g"><use href="#g"/></svg>', "p", "a <b>")
    '<svg role="img" aria-label="a &lt;b&gt;" id="p-g"><use href="#p-g"/></svg>'
    """
    svg = _PROLOGUE.sub("", svg).strip()
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _REF.sub(_prefixed_ref(prefix), svg)
    return svg.replace("<svg", f'<svg role="img" aria-label="{esc(label)}"', 1)


def _prefixed_ref(prefix: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f'{match.group(1)}="#{prefix}-{match.group(2)}"'
        return f"url(#{prefix}-{match.group(3)})"

    return replace
