"""The Promela export: its text (golden), what the options change, refusals, and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from stepcheck.checker.promela import to_promela
from stepcheck.checker.promela_expr import translate
from stepcheck.checker.promela_names import PromelaNames
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import Reading

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
GOLDEN = Path("tests/golden/export/example_cp_step_down_requires_meeting.pml")


def _example_promela(reading: Reading = Reading.MUST, *, comply: bool = True) -> str:
    spec = load_spec(EXAMPLE)
    prop = spec.property_by_id("cp_step_down_requires_meeting")
    return to_promela(spec, prop, reading=reading, comply=comply)


def _export(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "stepcheck", "export", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def test_example_exports_the_golden_promela(golden):
    """The example spec's model with its step-down property is the reviewed Promela text."""
    text = _example_promela()

    golden.check(GOLDEN, text)


def test_should_reading_enforces_should_guards():
    """Under the should reading the step down waits for the handover meeting (a should-guard)."""
    must, should = _example_promela(Reading.MUST), _example_promela(Reading.SHOULD)

    assert "#define EN_step_down (((status == S_child_in_need)" in must
    assert "held_handover" not in _line(must, "#define EN_step_down")
    assert "held_handover" in _line(should, "#define EN_step_down")


def test_missed_deadlines_never_block_a_tick():
    """With deadlines that may be missed, nothing blocks time; people comply by default."""
    complying, missing = _example_promela(), _example_promela(comply=False)

    assert _line(complying, "#define BLOCKED").startswith("#define BLOCKED ((")
    assert _line(missing, "#define BLOCKED") == "#define BLOCKED false"


def test_a_response_property_is_refused():
    """A leads_to property is not a safety property, so the export refuses it."""
    spec = load_spec(EXAMPLE)

    with pytest.raises(StepcheckError, match="'allocated_soon' \\(leads_to\\) is not a safety"):
        to_promela(spec, spec.property_by_id("allocated_soon"), reading=Reading.MUST, comply=True)


def test_without_a_property_the_model_asserts_nothing():
    """The model alone (for simulation) holds no assertion."""
    spec = load_spec(EXAMPLE)

    text = to_promela(spec, None, reading=Reading.MUST, comply=True)

    assert "assert(" not in text
    assert "Checks no property (the model alone)" in text


@pytest.mark.parametrize(
    ("source", "promela"),
    [
        ("consent -> referrals >= 1", "(!v_consent || (v_referrals >= 1))"),
        ("tier not in {cp, cla}", "!((TIER(status) == T_cp) || (TIER(status) == T_cla))"),
        ("owner == sw_tray and not allocated", "((owner == O_sw_tray) && !(ALLOCATED(owner)))"),
        ("-referrals + 2 < 1", "(((-v_referrals) + 2) < 1)"),
        ("overdue(allocate_within_two_days)", "(dl_allocate_within_two_days == -1)"),
        ("escalating(allocation_dispute)", "(lv_allocation_dispute != 0)"),
        ("in_window(back_within_three_months)", "(win_back_within_three_months != OFF)"),
    ],
)
def test_expressions_translate_from_the_typed_tree(source, promela):
    """Guards and conditions become fully parenthesised Promela over the state variables."""
    text = Path(EXAMPLE).read_text(encoding="utf-8")
    probe = f'properties:\n  probe: {{kind: invariant, holds: "{source}"}}\n'
    spec = load_spec_text(text.replace("properties:\n", probe), "<probe>")
    holds = spec.property_by_id("probe").holds
    assert holds is not None

    assert translate(holds, PromelaNames.of(spec)) == promela


def test_cli_writes_the_golden_promela():
    """`stepcheck export --format promela` prints the same program as the library."""
    result = _export("--format", "promela", EXAMPLE, "--property", "cp_step_down_requires_meeting")

    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN.read_text(encoding="utf-8")


def test_cli_writes_a_file_with_o(tmp_path):
    """-o FILE writes the program there, with the reading and compliance chosen."""
    target = tmp_path / "model.pml"

    result = _export(
        EXAMPLE,
        "--property",
        "no_unowned_case",
        "--reading",
        "should",
        "--missed-deadlines",
        "-o",
        str(target),
    )

    assert result.returncode == 0, result.stderr
    assert "should reading; deadlines may be missed" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--property", "nope"], "'examplevale' has no property 'nope'; its safety properties:"),
        (["--property", "escalation_terminates"], "is not a safety property"),
        (["--format", "tla"], "Invalid value for '--format'"),
    ],
)
def test_cli_refuses_bad_input_with_exit_2(args, message):
    """An unknown or response property, or an unknown format, is a usage error: exit 2."""
    result = _export(EXAMPLE, *args)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))
