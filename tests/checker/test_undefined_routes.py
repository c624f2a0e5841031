"""Routes the document admits but does not define: kept out of every engine, reported
as their own finding, and qualifying every verdict they could change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from stepcheck.checker.routes import open_routes
from stepcheck.checker.structure import check_structure
from stepcheck.cli import cli
from stepcheck.spec.diagnostics import SpecInvalid
from stepcheck.spec.loader import load_spec_text

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml").read_text(encoding="utf-8")
ADMITTED = EXAMPLE.replace(
    "  step_down:\n",
    "  cp_step_down_unsaid:\n    kind: step_down\n    from: child_protection\n"
    "    to: unspecified\n"
    "    description: the document says a CP step-down is in scope, and nothing more\n"
    "  step_down:\n",
    1,
)
NO_GUARD = EXAMPLE.replace(
    "  step_down:\n",
    "  refused_consent:\n    kind: other\n    from: child_in_need\n    to: closed\n"
    "    guard: unspecified\n  step_down:\n",
    1,
)


def test_an_undefined_route_is_kept_out_of_the_events_and_listed():
    spec = load_spec_text(ADMITTED, "admitted.yaml")

    assert "cp_step_down_unsaid" not in {event.id for event in spec.events}
    (route,) = spec.undefined_routes
    assert (route.id, route.undefined, route.target) == ("cp_step_down_unsaid", ("to",), None)
    assert open_routes(spec) == (route,)


@pytest.mark.parametrize(
    ("text", "says"),
    [(ADMITTED, "does not say where it leads"), (NO_GUARD, "does not say when it may happen")],
)
def test_the_finding_says_what_the_document_leaves_out(text, says):
    spec = load_spec_text(text, "admitted.yaml")

    (found,) = [f for f in check_structure(spec) if f.code == "SPEC228"]

    assert says in found.message


def test_nothing_may_hang_on_an_undefined_route():
    text = ADMITTED.replace("anchor: tam_accepts", "anchor: cp_step_down_unsaid", 1)
    assert text != ADMITTED

    with pytest.raises(SpecInvalid) as raised:
        load_spec_text(text, "admitted.yaml")

    assert [d.code for d in raised.value.diagnostics] == ["SPEC118"]


def test_every_verdict_says_it_was_checked_on_the_defined_routes(tmp_path):
    """Never a plain pass: a proof carries the qualification and is ranked low, not none."""
    spec = tmp_path / "admitted.yaml"
    spec.write_text(ADMITTED, encoding="utf-8")

    result = CliRunner().invoke(
        cli,
        [
            "verify",
            "--no-cache",
            "-j",
            "1",
            "--start-date",
            "2026-12-21",
            "--format",
            "json",
            "--property",
            "no_unowned_case",
            str(spec),
        ],
    )

    (verdict,) = json.loads(result.output)["results"]
    assert verdict["verdict"] == "proved"
    assert any(
        "checked on every route the document defines" in a.lower() for a in verdict["assumptions"]
    )
    assert verdict["triage"]["severity"] == "low"
