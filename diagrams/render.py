"""Graphviz DOT to SVG or PNG bytes through the `dot` program, with a clear error without it.

DOT and Mermaid text need nothing installed; only images need Graphviz's `dot`, so
its absence is a user-fixable `StepcheckError` that says how to get it.
"""

from __future__ import annotations

from typing import Final, Literal

import graphviz

from stepcheck.spec.diagnostics import StepcheckError

__all__ = ["FORMATS", "GraphvizMissing", "render"]

FORMATS: Final = ("svg", "png")


class GraphvizMissing(StepcheckError):
    """Graphviz's `dot` program is not installed, so no SVG or PNG can be drawn."""

    def __init__(self) -> None:
        super().__init__(
            "Graphviz's 'dot' program was not found, so no SVG or PNG can be drawn; "
            "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew "
            "install graphviz; see https://graphviz.org/download/); "
            "--format dot and --format mermaid still work without it"
        )


def render(graph: graphviz.Digraph, fmt: Literal["svg", "png"] | str) -> bytes:
    """The diagram drawn by `dot` as SVG or PNG bytes.

    Raises:
        GraphvizMissing: when `dot` is not installed.
        ValueError: for a format other than svg or png.
    """
    if fmt not in FORMATS:
        raise ValueError(f"cannot render {fmt!r}; formats are {', '.join(FORMATS)}")
    try:
        data: bytes = graph.pipe(format=fmt, encoding=None)
    except graphviz.ExecutableNotFound as missing:
        raise GraphvizMissing() from missing
    return data
