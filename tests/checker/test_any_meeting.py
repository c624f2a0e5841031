"""`cp_step_down_requires_meeting` with no meeting named: any meeting, and a finding."""

from __future__ import annotations

from pathlib import Path

from attrs import evolve
from click.testing import CliRunner

from stepcheck.checker.references import check_references
from stepcheck.checker.structure import check_structure
from stepcheck.cli import cli
from stepcheck.diagrams.compare import compare, render_text
from stepcheck.spec.loader import load_spec_text

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
UNNAMED = EXAMPLE.read_text(encoding="utf-8").replace(
    "cp_step_down_requires_meeting: {meetings: handover}",
    "cp_step_down_requires_meeting: {description: a meeting is held first}",
)


def test_no_meeting_named_reads_as_any_of_the_specs_meetings():
    spec = load_spec_text(UNNAMED, "unnamed.yaml")
    (prop,) = [p for p in spec.properties if p.id == "cp_step_down_requires_meeting"]

    assert prop.any_meeting
    assert prop.meetings == tuple(meeting.id for meeting in spec.meetings)


def test_the_finding_says_no_meeting_is_named_and_how_it_is_read():
    spec = load_spec_text(UNNAMED, "unnamed.yaml")

    found = [f for f in check_structure(spec) if f.code == "SPEC225"]

    assert len(found) == 1
    assert "names none; read as any of the spec's meetings" in found[0].message
    assert found[0].subject == "property:cp_step_down_requires_meeting"


def test_with_no_meeting_at_all_no_step_down_can_pass():
    spec = load_spec_text(UNNAMED, "unnamed.yaml")
    bare = evolve(
        spec,
        properties=tuple(evolve(p, meetings=()) if p.any_meeting else p for p in spec.properties),
    )

    (found,) = [f for f in check_references(bare, set()) if f.code == "SPEC225"]

    assert "the spec has no meeting at all" in found.message


def test_a_named_meeting_gives_no_finding():
    spec = load_spec_text(EXAMPLE.read_text(encoding="utf-8"), str(EXAMPLE))

    assert not [f for f in check_structure(spec) if f.code == "SPEC225"]


def test_verify_checks_the_any_meeting_reading(tmp_path):
    """The handover is one of the meetings, so the should-reading still protects the
    step-down; under the must reading it is violated as before, and the finding shows."""
    spec = tmp_path / "unnamed.yaml"
    spec.write_text(UNNAMED, encoding="utf-8")

    result = CliRunner().invoke(
        cli,
        [
            "verify",
            "--no-cache",
            "-j",
            "1",
            "--start-date",
            "2026-12-21",
            "--property",
            "cp_step_down_requires_meeting",
            str(spec),
        ],
    )

    assert result.exit_code == 1
    assert "SPEC225" in result.output


def test_compare_says_the_claim_is_the_specs_and_no_meeting_is_named():
    spec = load_spec_text(UNNAMED, "unnamed.yaml")

    text = render_text(compare([spec]))

    assert "Step-down meeting (checked claims the spec states, not quotes)" in text
    assert "any meeting, none named" in text
