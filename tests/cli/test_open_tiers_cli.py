"""The command line on a spec that leaves a tier open: `verify` says which reading gives
which verdict in every format; the one-reading commands ask for `--tier` (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from stepcheck.cli import cli

OPEN = "tests/fixtures/specs/tiers/open_tier.yaml"
GOLDEN = Path("tests/golden/cli")
SPLIT = "holds if 'child_protection' is cin; violated if 'child_protection' is cp"


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _verify(*args: str) -> Result:
    return _run(
        "verify",
        OPEN,
        "--property",
        "cp_step_down_requires_meeting",
        "--no-cache",
        "--jobs",
        "1",
        "--no-timings",
        "--start-date",
        "2026-12-21",
        *args,
    )


def test_verify_says_which_reading_gives_which_verdict(golden):
    result = _verify()

    assert result.exit_code == 1
    assert SPLIT in result.output
    golden.check(GOLDEN / "verify_open_tier.txt", result.output)


@pytest.mark.parametrize("output_format", ["json", "sarif", "markdown"])
def test_every_format_carries_the_split(output_format):
    result = _verify("--format", output_format)

    assert result.exit_code == 1
    assert SPLIT in result.output
    if output_format == "json":
        (found,) = json.loads(result.output)["results"]
        assert found["verdict"] == "violated"
        assert any("depends on the tiers" in line for line in found["assumptions"])


def test_validate_lists_the_open_tier_as_a_warning():
    result = _run("validate", OPEN)

    assert result.exit_code == 0
    assert "warning[SPEC232]" in result.output
    assert "leaves its tier open (cin or cp) for status 'child_protection'" in result.output


@pytest.mark.parametrize(
    "command",
    [("export", OPEN), ("simulate", OPEN, "--cases", "1")],
    ids=["export", "simulate"],
)
def test_a_one_reading_command_asks_which_reading(command):
    result = CliRunner().invoke(cli, list(command))

    assert result.exit_code == 2
    assert "--tier STATUS=TIER" in result.output
    assert "'child_protection' (cin, cp)" in result.output
    assert "Traceback" not in result.output


def test_a_chosen_reading_is_followed():
    cin = _run("export", OPEN, "--tier", "child_protection=cin")
    cp = _run("export", OPEN, "--tier", "child_protection=cp")

    assert cin.exit_code == cp.exit_code == 0
    assert cin.output != cp.output  # the status's tier is in the model


@pytest.mark.parametrize(
    ("choice", "says"),
    [
        ("child_protection=cla", "the tier of 'child_protection' is one of cin, cp"),
        ("nobody=cp", "'nobody' is not a status whose tier the document leaves open"),
    ],
)
def test_a_wrong_choice_is_a_usage_error(choice, says):
    result = CliRunner().invoke(cli, ["export", OPEN, "--tier", choice])

    assert result.exit_code == 2
    assert says in result.output
