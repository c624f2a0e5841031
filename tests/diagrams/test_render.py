"""Rendering with the real `dot`: SVG is XML naming every status, PNG is a PNG, no dot is clear."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stepcheck.diagrams.dot import status_diagram
from stepcheck.diagrams.ladders import ladder_diagram
from stepcheck.diagrams.render import GraphvizMissing, render
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.loader import load_spec

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "path", [EXAMPLE, Path("spec/authorities/hertfordshire.yaml")], ids=lambda path: path.stem
)
def test_svg_is_xml_and_names_every_status(path):
    """The SVG parses as XML and has the text of every status id."""
    spec = load_spec(path)

    root = ET.fromstring(render(status_diagram(spec), "svg"))

    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {status.id for status in spec.statuses} <= texts


def test_png_starts_with_the_png_signature():
    """A PNG of the example's ladder starts with the eight PNG signature bytes."""
    graph = ladder_diagram(load_spec(EXAMPLE), "allocation_dispute")

    assert render(graph, "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_missing_dot_says_how_to_install_it(monkeypatch, tmp_path):
    """Without `dot` on PATH: GraphvizMissing, a StepcheckError naming apt-get and DOT/Mermaid."""
    monkeypatch.setenv("PATH", str(tmp_path))
    graph = status_diagram(load_spec(EXAMPLE))

    with pytest.raises(GraphvizMissing) as caught:
        render(graph, "svg")

    assert isinstance(caught.value, StepcheckError)
    assert "apt-get install graphviz" in str(caught.value)
    assert "dot" in str(caught.value)
    assert "mermaid" in str(caught.value)


def test_unknown_format_is_refused():
    """Only svg and png are rendered; DOT text comes from the graph itself."""
    with pytest.raises(ValueError, match="cannot render 'pdf'"):
        render(status_diagram(load_spec(EXAMPLE)), "pdf")
