"""What the document leaves out, drawn: undefined routes as dashed arrows labelled
undefined with their source, and statuses whose tier is left open, in every diagram."""

from __future__ import annotations

from pathlib import Path

from stepcheck.diagrams.dot import status_diagram
from stepcheck.diagrams.legend import legend_diagram
from stepcheck.diagrams.mermaid import status_mermaid
from stepcheck.diagrams.parts import tier_map, tier_parts
from stepcheck.spec.loader import load_spec

UNSAID = Path("tests/fixtures/specs/tiers/unsaid.yaml")
EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
GOLDEN = Path("tests/golden/diagrams")


def _edges(source: str, name: str) -> list[str]:
    return [line for line in source.splitlines() if "->" in line and f"<b>{name}</b>" in line]


def test_an_undefined_route_with_no_target_is_a_dashed_arrow_to_a_question_mark():
    source = status_diagram(load_spec(UNSAID)).source

    (edge,) = _edges(source, "cp_step_down_unsaid")
    assert edge.lstrip().startswith("child_protection -> _unsaid_cp_step_down_unsaid")
    assert "style=dashed" in edge
    assert "undefined: where it leads not said" in edge
    assert "ev 5" in edge  # its source: document and section, having no rule id
    assert "_unsaid_cp_step_down_unsaid [label=<<b>?</b>" in source


def test_an_undefined_route_with_a_target_leads_there_and_cites_its_rule():
    (edge,) = _edges(status_diagram(load_spec(UNSAID)).source, "refused_consent")

    assert edge.lstrip().startswith("child_in_need -> closed")
    assert "undefined: when it may happen not said" in edge
    assert "EV-05" in edge


def test_the_legend_shows_the_undefined_arrow_only_where_there_is_one():
    assert "undefined route" in status_diagram(load_spec(UNSAID)).source
    assert "undefined route" not in status_diagram(load_spec(EXAMPLE)).source
    assert "undefined route" in legend_diagram(undefined=True).source


def test_a_status_with_an_open_tier_says_so_in_every_diagram():
    spec = load_spec(UNSAID)
    words = "tier left open: cin or cp (drawn with cin)"

    assert words in status_diagram(spec).source
    assert "tier left open  cin or cp (drawn with cin)" in status_mermaid(spec)  # no colons
    assert any(words in part.graph.source for part in tier_parts(spec))


def test_the_report_draws_undefined_routes_on_its_tier_map_and_in_their_tiers():
    spec = load_spec(UNSAID)
    parts = {part.tier.value: part.graph.source for part in tier_parts(spec)}

    assert _edges(parts["cin"], "cp_step_down_unsaid")
    (edge,) = _edges(parts["cin"], "refused_consent")
    assert "_tier_closed" in edge  # the closed tier drawn as a dashed box
    assert "_tier_closed" in parts["cin"]
    (edge,) = _edges(tier_map(spec).source, "cp_step_down_unsaid")
    assert edge.lstrip().startswith("_tier_cin -> _unsaid_cp_step_down_unsaid")


def test_the_diagram_of_what_the_document_leaves_out_matches_golden(golden):
    """The whole Mermaid text a reviewer reads, so a change to its wording is seen."""
    golden.check(GOLDEN / "unsaid.mmd", status_mermaid(load_spec(UNSAID)))
