"""The cross-authority comparison: golden text and Markdown for the shipped authorities."""

from __future__ import annotations

import doctest
import os
from pathlib import Path

import pytest
from conftest import Golden

from stepcheck.diagrams.compare import NOT_STATED, compare, render_markdown, render_text
from stepcheck.spec.loader import load_spec

AUTHORITIES = Path("spec/authorities")
EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
PRECEDENCE = "tests/fixtures/specs/valid/precedence.yaml"
GOLDEN = Path("tests/golden/diagrams/compare")


@pytest.fixture
def golden_files(golden: Golden) -> Golden:
    """The golden checker, also in update mode when STEPCHECK_UPDATE_GOLDEN=1."""
    return Golden(update=True) if os.environ.get("STEPCHECK_UPDATE_GOLDEN") == "1" else golden


@pytest.fixture(scope="module")
def shipped():
    return [load_spec(path) for path in sorted(AUTHORITIES.glob("*.yaml"))]


@pytest.mark.parametrize(("fmt", "render"), [("txt", render_text), ("md", render_markdown)])
def test_comparison_of_shipped_authorities_matches_golden_file(shipped, golden_files, fmt, render):
    """Comparing the four shipped authorities gives exactly the golden text and Markdown."""
    golden_files.check(GOLDEN / f"shipped.{fmt}", render(compare(shipped)))


def test_every_entry_names_where_it_comes_from(shipped):
    """Each entry has a rule id, or the place in the spec when the spec cites none."""
    comparison = compare(shipped)

    entries = [entry for aspect in comparison.aspects for cell in aspect.cells for entry in cell]

    assert entries
    assert all(entry.rules or entry.place for entry in entries)
    assert comparison.authorities == ("buckinghamshire", "devon", "hertfordshire", "somerset")


def test_unspecified_is_not_stated_never_invented():
    """The example's unspecified level limit and consequence show as 'not stated'."""
    comparison = compare([load_spec(EXAMPLE)])

    cells = {aspect.title: aspect.cells[0] for aspect in comparison.aspects}

    ladder = cells["Escalation ladder"][0].text
    assert f"head_decides (Head of Service), time limit {NOT_STATED}, decides" in ladder
    assert cells["Final authority"][0].text == (
        "allocation_dispute: head_decides (Head of Service); no tie-break needed"
    )
    assert cells["Meeting cadence"][0].rules == ("EV-01",)
    assert cells["Re-referral window"][0].origin == (
        "no rule cited; spec: rereferrals.back_within_three_months"
    )


def test_compare_module_examples_hold():
    """The examples in the comparison module's docstrings are true."""
    import stepcheck.diagrams.compare as module  # noqa: PLC0415

    assert doctest.testmod(module).failed == 0


def test_precedence_is_an_aspect_with_its_rule_and_none_where_the_spec_states_none():
    comparison = compare([load_spec(EXAMPLE), load_spec(Path(PRECEDENCE))])

    (row,) = (aspect for aspect in comparison.aspects if aspect.title == "What takes precedence")
    example, smallvale = row.cells
    assert example[0].text == "no route stated to take precedence"
    assert smallvale[0].text == (
        "safeguarding_first: 'urgent_step_up' goes before 'step_down', 'propose_step_down'"
    )
    assert smallvale[0].origin == "no rule cited; spec: precedence.safeguarding_first"
