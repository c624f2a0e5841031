"""End-to-end tests of `stepcheck diagram`, run as a real process: formats, files, errors."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from stepcheck.spec.loader import load_spec

EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
BAD_SPEC = "tests/fixtures/specs/invalid"


def _diagram(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = None if path is None else {"PATH": path}
    command = [sys.executable, "-m", "stepcheck", "diagram", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, env=env)


@pytest.mark.parametrize(
    ("output_format", "start"),
    [("dot", "digraph examplevale {"), ("mermaid", "---"), ("svg", "<?xml")],
)
def test_text_formats_go_to_standard_output(output_format, start):
    """dot, mermaid and svg print to stdout and exit 0."""
    result = _diagram("--format", output_format, EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(start)


def test_default_format_is_svg_written_with_o(tmp_path):
    """-o FILE writes the status diagram, as SVG by default."""
    target = tmp_path / "example.svg"

    result = _diagram("-o", str(target), EXAMPLE)

    assert result.returncode == 0, result.stderr
    ET.fromstring(target.read_bytes())


def test_out_dir_writes_the_status_diagram_and_each_ladder(tmp_path):
    """--out-dir writes <authority>.png, the same in parts (<authority>-tiers.png and one
    <authority>-tier-<tier>.png per tier), and one <authority>-ladder-<id>.png per ladder."""
    result = _diagram("--format", "png", "--out-dir", str(tmp_path), EXAMPLE)

    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in tmp_path.iterdir())
    tiers = {status.tier.value for status in load_spec(EXAMPLE).statuses}
    assert names == sorted(
        [
            "examplevale-ladder-allocation_dispute.png",
            "examplevale.png",
            "examplevale-tiers.png",
            *(f"examplevale-tier-{tier}.png" for tier in tiers),
        ]
    )
    assert all(path.read_bytes().startswith(b"\x89PNG") for path in tmp_path.iterdir())


def test_png_without_a_file_is_a_usage_error():
    """png is binary, so it needs -o or --out-dir: exit 2."""
    result = _diagram("--format", "png", EXAMPLE)

    assert result.returncode == 2
    assert "png is binary" in result.stderr


def test_bad_spec_prints_diagnostics_and_exits_2():
    """An invalid spec gives its located diagnostics on stderr and exit 2."""
    bad = sorted(Path(BAD_SPEC).glob("*.yaml"))[0]

    result = _diagram("--format", "dot", str(bad))

    assert result.returncode == 2
    assert f"{bad}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_property_lists_the_known_ones_and_exits_2():
    """--highlight with an id the spec lacks: exit 2, naming the spec's properties."""
    result = _diagram("--format", "dot", "--highlight", "no_such_property", EXAMPLE)

    assert result.returncode == 2
    assert "no property 'no_such_property'" in result.stderr
    assert "escalation_terminates" in result.stderr


def test_highlight_draws_the_counterexample():
    """--highlight on a violated property draws its path numbered, with the lasso loop."""
    result = _diagram("--format", "dot", "--highlight", "escalation_terminates", EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert "#1" in result.stdout
    assert "from here the steps repeat for ever" in result.stdout


def test_highlight_of_a_proved_property_is_a_note():
    """A proved property has nothing to highlight: a note on stderr, a plain diagram."""
    result = _diagram("--format", "mermaid", "--highlight", "no_unowned_case", EXAMPLE)

    assert result.returncode == 0, result.stderr
    assert "is proved, so there is no counterexample" in result.stderr
    assert " highlight" not in result.stdout.split("classDef loop")[-1]


def test_missing_dot_exits_2_with_the_install_hint(tmp_path):
    """SVG without Graphviz on PATH: exit 2 and how to get it; DOT still works."""
    svg = _diagram("--format", "svg", EXAMPLE, path=str(tmp_path))
    dot = _diagram("--format", "dot", EXAMPLE, path=str(tmp_path))

    assert svg.returncode == 2
    assert "apt-get install graphviz" in svg.stderr
    assert dot.returncode == 0, dot.stderr
