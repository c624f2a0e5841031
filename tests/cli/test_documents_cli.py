"""The command line on a spec with a conditional annex and a superseded text: `verify`
decides both ways and says which verdict changes with the annex, in every format;
`--assume` fixes one document and is checked (exit 2 for an unknown document or value)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stepcheck.cli import cli

SPEC = "tests/fixtures/specs/valid/conditional_documents.yaml"
GOLDEN = Path("tests/golden/cli")
CHANGES = (
    "This changes with document 'annex': holds if 'annex' is absent; "
    "violated if 'annex' is present."
)


def _verify(*args: str) -> Result:
    return CliRunner().invoke(
        cli,
        [
            "verify",
            SPEC,
            "--no-cache",
            "--jobs",
            "1",
            "--no-timings",
            "--start-date",
            "2026-12-21",
            *args,
        ],
        catch_exceptions=False,
    )


def test_verify_checks_the_annex_both_ways_and_says_the_verdict_changes(golden):
    result = _verify()

    assert result.exit_code == 1
    assert CHANGES in result.output
    assert "warning[SPEC250]" in result.output
    assert "warning[SPEC251]" in result.output  # the 2019 text's rule is left out
    golden.check(GOLDEN / "verify_conditional_documents.txt", result.output)


@pytest.mark.parametrize("output_format", ["json", "sarif", "markdown", "pr"])
def test_every_format_says_which_verdict_changes_with_the_document(output_format):
    result = _verify("--format", output_format)

    assert result.exit_code == 1
    assert CHANGES in result.output
    if output_format == "json":
        found = {r["property"]: r for r in json.loads(result.output)["results"]}
        assert found["step_down_at_meeting"]["verdict"] == "violated"
        assert any(
            "depends on the documents" in a for a in found["step_down_at_meeting"]["assumptions"]
        )
        assert found["always_owned"]["verdict"] == "proved"


def test_assuming_the_annex_absent_proves_what_it_breaks():
    result = _verify("--assume", "annex=absent")

    assert result.exit_code == 0
    assert "changes with" not in result.output
    assert "it is assumed absent (--assume)" in result.output


def test_assuming_the_annex_present_shows_the_violation_and_repeats_the_assumption():
    result = _verify("--assume", "annex=present", "--property", "step_down_at_meeting")

    assert result.exit_code == 1
    assert "--assume annex=present" in result.output  # in the reproduce line
    assert "changes with" not in result.output


def test_assuming_a_superseded_text_present_brings_its_rules_back():
    without = _verify("--assume", "annex=absent")
    with_old = _verify("--assume", "annex=absent", "--assume", "sv_2019=present")

    assert "'sv_2019' is superseded by 'sv': the rules only it gives are left out" in without.output
    assert "it is assumed present (--assume), so the rules only it gives are checked" in (
        with_old.output
    )
    # the 2019 direct step-down is at the transfer meeting, so the property still holds
    assert with_old.exit_code == 0


@pytest.mark.parametrize(
    ("assumption", "said"),
    [
        (
            "nope=absent",
            "no spec has a document 'nope'; the conditional or superseded documents are: "
            "annex, sv_2019",
        ),
        ("annex=maybe", "write DOC=present or DOC=absent"),
        ("annex", "write DOC=present or DOC=absent"),
    ],
)
def test_a_bad_assumption_is_a_clear_error(assumption, said):
    result = CliRunner().invoke(cli, ["verify", SPEC, "--no-cache", "--assume", assumption])

    assert result.exit_code == 2
    assert said in result.output
    assert "Traceback" not in result.output


def test_one_document_cannot_be_assumed_both_ways():
    result = CliRunner().invoke(
        cli, ["verify", SPEC, "--assume", "annex=present", "--assume", "annex=absent"]
    )

    assert result.exit_code == 2
    assert "'annex' is assumed both present and absent" in result.output


def test_the_report_says_which_verdict_changes_with_the_document(tmp_path):
    page = tmp_path / "report.html"
    result = CliRunner().invoke(
        cli, ["report", SPEC, "-o", str(page), "--start-date", "2026-12-21"]
    )

    assert result.exit_code in (0, 1), result.output
    html = page.read_text(encoding="utf-8")
    assert (
        "This changes with document &#x27;annex&#x27;" in html
        or "This changes with document 'annex'" in html
    )
    assert "SPEC250" in html
    assert "SPEC251" in html


def test_the_report_takes_the_same_assumptions(tmp_path):
    page = tmp_path / "report.html"
    args = ["report", SPEC, "-o", str(page), "--start-date", "2026-12-21"]

    assumed = CliRunner().invoke(cli, [*args, "--assume", "annex=absent"])
    unknown = CliRunner().invoke(cli, [*args, "--assume", "annexes=absent"])

    assert assumed.exit_code == 0, assumed.output
    assert "it is assumed absent (--assume)" in page.read_text(encoding="utf-8")
    assert unknown.exit_code == 2
    assert "no spec has a document 'annexes'" in unknown.output
