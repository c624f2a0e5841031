"""The Graphviz status diagram and escalation ladders: goldens, folding, escaping, gaps."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stepcheck.diagrams.dot import ANY_NODE, status_diagram
from stepcheck.diagrams.ladders import ladder_diagram
from stepcheck.diagrams.style import trace_path
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.trace import StepKind, Trace, TraceStep

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
AUTHORITIES = Path("spec/authorities")
GOLDEN = Path("tests/golden/diagrams")


@pytest.fixture
def golden(golden):
    """The shared golden checker, also rewriting when STEPCHECK_UPDATE_GOLDEN=1."""
    if os.environ.get("STEPCHECK_UPDATE_GOLDEN") == "1":
        return type(golden)(update=True)
    return golden


def example_lasso() -> Trace:
    """A hand-made lasso on the example: a stem of three events, then a loop of three steps."""

    def step(kind: StepKind, name: str | None, day: int, status: str) -> TraceStep:
        return TraceStep(kind=kind, name=name, day=day, state={"status": status})

    return Trace(
        initial={"status": "early_help"},
        steps=(
            step(StepKind.EVENT, "request_step_up", 0, "awaiting_tam"),
            step(StepKind.EVENT, "give_consent", 0, "awaiting_tam"),
            step(StepKind.EVENT, "tam_declines", 0, "early_help"),
            step(StepKind.TICK, None, 1, "early_help"),
            step(StepKind.EVENT, "request_step_up", 1, "awaiting_tam"),
            step(StepKind.EVENT, "tam_declines", 1, "early_help"),
        ),
        loop_start=3,
    )


def test_example_status_diagram_matches_golden(golden):
    """The example's status diagram is exactly its golden DOT file."""
    graph = status_diagram(load_spec(EXAMPLE))

    golden.check(GOLDEN / "example.dot", graph.source)


def test_example_highlighted_diagram_matches_golden(golden):
    """A hand-made lasso on the example draws exactly its golden DOT file."""
    graph = status_diagram(load_spec(EXAMPLE), highlight=example_lasso())

    golden.check(GOLDEN / "example-highlight.dot", graph.source)


def test_example_ladder_matches_golden(golden):
    """The example's escalation ladder is exactly its golden DOT file."""
    graph = ladder_diagram(load_spec(EXAMPLE), "allocation_dispute")

    golden.check(GOLDEN / "example-ladder-allocation_dispute.dot", graph.source)


def test_shipped_authority_diagram_matches_golden(golden):
    """Devon's status diagram is exactly its golden DOT file."""
    graph = status_diagram(load_spec(AUTHORITIES / "devon.yaml"))

    golden.check(GOLDEN / "devon.dot", graph.source)


def test_diagram_is_deterministic():
    """Drawing the same spec twice gives the same DOT text."""
    spec = load_spec(AUTHORITIES / "hertfordshire.yaml")

    assert status_diagram(spec).source == status_diagram(spec).source


def test_each_event_and_source_status_has_one_edge():
    """Edges: one per event and `from` status; `from: any` events once, from the pseudo-node."""
    spec = load_spec(AUTHORITIES / "hertfordshire.yaml")
    source = status_diagram(spec).source

    for event in spec.events:
        sources = event.sources_from or (ANY_NODE,)
        for status in sources:
            target = event.target or status
            edges = [
                line
                for line in source.splitlines()
                if line.strip().startswith(f"{status} -> {target} [")
            ]
            assert sum(f"<b>{event.id}</b>" in line for line in edges) == 1, (event.id, status)


def test_highlight_numbers_events_and_marks_the_loop():
    """The highlighted run numbers its events in order and marks the lasso's loop."""
    spec = load_spec(EXAMPLE)
    path = trace_path(spec, example_lasso())
    source = status_diagram(spec, highlight=example_lasso()).source

    assert [step.number for step in path.events] == [1, 2, 3, 4, 5]
    assert [step.in_loop for step in path.events] == [False, False, False, True, True]
    assert path.loop_status == "early_help"
    assert "#1, #4 ↻" in source
    assert "from here the steps repeat for ever" in source
    assert "awaiting_tam -> awaiting_tam" in source  # the concrete step of a `from: any` event


def test_labels_escape_quotes_angle_brackets_and_ampersands():
    """Spec text with quotes, `<`, `&` and typographic quotes is escaped in HTML labels."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace(
        "name: Transfer and Allocation Meeting",
        'name: "Transfer & <Allocation> \\"Meeting\\" “TAM”"',
    )
    spec = load_spec_text(text, "escaping.yaml")

    source = status_diagram(spec).source

    assert "@ Transfer &amp; &lt;Allocation&gt; &quot;Meeting&quot; “TAM”" in source
    assert "<Allocation>" not in source


def test_edge_labels_give_guard_meeting_deadline_and_rules():
    """The step-down and allocate edges carry their guards, meeting, deadline and rule ids."""
    source = status_diagram(load_spec(EXAMPLE)).source

    assert "[consent; should: held(handover)]" in source
    assert "@ Transfer and Allocation Meeting" in source
    assert "due: allocate_within_two_days: 2 working days" in source
    assert "EV-05, EV-06" in source


def test_ladder_flags_missing_final_authority_and_tie_break():
    """A ladder whose document names no final authority or tie-break shows both gaps in red."""
    spec = load_spec(AUTHORITIES / "somerset.yaml")

    source = ladder_diagram(spec, "partner_disagreement").source

    assert source.count("⚠ not stated by the document") == 2
    assert "hand-off: the dispute may stay there for ever" in source
    assert "time limit: unspecified" in source


def test_ladder_flags_a_level_that_cannot_decide():
    """Two deciders and no tie-break: the decide edge is flagged as impossible."""
    spec = load_spec(AUTHORITIES / "buckinghamshire.yaml")

    source = ladder_diagram(spec, "threshold_difference").source

    assert "⚠ cannot decide: 2 people, no tie-break" in source


def test_a_focused_diagram_keeps_the_run_and_nothing_else():
    """Only the statuses the run visits, only the events it takes (a `from: any` one as
    its concrete step), numbered as in the full diagram, and no legend."""
    spec = load_spec(EXAMPLE)
    focused = status_diagram(spec, highlight=example_lasso(), focus=True).source
    whole = status_diagram(spec, highlight=example_lasso()).source
    statuses = {status.id for status in spec.statuses}

    drawn = {status for status in statuses if f"\t{status} [" in focused}
    assert drawn == {"early_help", "awaiting_tam"}
    assert "cluster_legend" not in focused
    assert ANY_NODE not in focused
    assert "#1, #4 ↻" in focused
    assert "awaiting_tam -> awaiting_tam" in focused
    taken = {"request_step_up", "give_consent", "tam_declines"}
    untaken = {event.id for event in spec.events} - taken
    assert all(f"<b>{event}</b>" not in focused for event in untaken)
    assert all(f"<b>{event}</b>" in whole for event in untaken)
