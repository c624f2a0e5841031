"""The example as two authorities, for the report's overview: itself and a copy of it
under another id and name, with its verification results copied too."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from stepcheck.diagrams.report import render_report
from stepcheck.diagrams.report_data import Results, read_results
from stepcheck.diagrams.report_svg import SvgRenderer
from stepcheck.spec.loader import load_spec, load_spec_text

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
RESULTS = Path("tests/golden/cli/verify_example.json")


def schema() -> dict[str, Any]:
    """The JSON Schema of `stepcheck verify --format json`."""
    path = resources.files("stepcheck.checker.writers").joinpath("verify-output.schema.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def twin_results() -> Results:
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    twin = json.loads(json.dumps(data).replace("examplevale", "twinvale"))
    for key in ("results", "findings", "problems"):
        data[key] += twin[key]
    return read_results(json.dumps(data), schema(), name="twin.json")


def twin_page(renderer: SvgRenderer | None) -> str:
    """The report of the example and its twin."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("id: examplevale", "id: twinvale")
    text = text.replace("Examplevale Council", "Twinvale Council")
    specs = [load_spec(EXAMPLE), load_spec_text(text, "twin.yaml")]
    return render_report(twin_results(), specs, version="test", renderer=renderer)
