"""The `report` command's work, shared with the public `stepcheck.report`: verify specs
(or read a results file written by `stepcheck verify --format json`, checked against
the checker's published schema and required to cover every spec), and render the
reviewer's HTML page from those results.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from stepcheck import __version__
from stepcheck.checker.engines import Limits
from stepcheck.checker.writers import write
from stepcheck.diagrams.report import render_report
from stepcheck.diagrams.report_data import Results, read_results
from stepcheck.diagrams.report_svg import svg_renderer
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.files import FileRefused, read_input
from stepcheck.spec.model import ProtocolSpec
from stepcheck.verification import Budget, run_verify, without_timings

__all__ = [
    "has_diagrams",
    "read_results_file",
    "report_exit_code",
    "report_page",
    "verified_results",
]


def report_page(results: Results, specs: Sequence[ProtocolSpec]) -> str:
    """The HTML page for `specs` from their `results`; diagrams when Graphviz's `dot` is
    installed (`has_diagrams` says whether it is)."""
    return render_report(results, specs, version=__version__, renderer=svg_renderer())


def has_diagrams() -> bool:
    """Whether the report can draw its diagrams (Graphviz's `dot` is on the PATH)."""
    return shutil.which("dot") is not None


RESULTS_BYTES = 64 * 1024 * 1024
"""The largest results file read: `verify`'s own JSON grows with its case stories (the
four shipped authorities with `--derived` write about 5 MB), so it gets more room than
a spec (`MAX_INPUT_BYTES`); still bounded, and parsed with bounded depth."""


def read_results_file(path: Path, specs: Sequence[ProtocolSpec]) -> Results:
    """The results in `path`, which must be valid and cover every spec that has properties."""
    try:
        text = read_input(path, limit=RESULTS_BYTES).decode("utf-8")
    except FileRefused as refused:
        raise StepcheckError(f"cannot read the results file {path}: {refused.reason}") from None
    except UnicodeDecodeError:
        raise StepcheckError(f"cannot read the results file {path}: it is not UTF-8 text") from None
    found = read_results(text, _schema(), name=str(path))
    files = {Path(result.spec).resolve() for result in found.results}
    authorities = {result.authority for result in found.results}
    missing = [
        spec.path
        for spec in specs
        if spec.properties
        and Path(spec.path).resolve() not in files
        and spec.authority.id not in authorities
    ]
    if missing:
        raise StepcheckError(
            f"{path} has no results for {', '.join(missing)}; "
            "run 'stepcheck verify --format json' on those specs too"
        )
    return found


def verified_results(
    specs: Sequence[ProtocolSpec],
    start: date,
    *,
    jobs: int,
    cache: Path | None,
    progress: bool = False,
    limits: Limits | None = None,
    budget: Budget | None = None,
) -> Results:
    """Verify `specs` here, and read the JSON the checker writes, as a results file would be."""
    report = without_timings(
        run_verify(
            list(specs),
            properties=(),
            limits=limits if limits is not None else Limits(),
            progress=progress,
            start=start,
            jobs=jobs,
            cache=cache,
            budget=budget,
        )
    )
    text = write(report, "json", specs={spec.path: spec for spec in specs}, start=start)
    return read_results(text, _schema(), name="the verification run")


def _schema() -> dict[str, Any]:
    schema = resources.files("stepcheck.checker.writers").joinpath("verify-output.schema.json")
    loaded: dict[str, Any] = json.loads(schema.read_text(encoding="utf-8"))
    return loaded


def report_exit_code(found: Results, specs: Sequence[ProtocolSpec]) -> int:
    """As `verify`: 1 for any violation, else 3 for any unknown, else 0 (over these specs)."""
    paths = {Path(spec.path).resolve() for spec in specs}
    authorities = {spec.authority.id for spec in specs}
    verdicts = {
        r.verdict
        for r in found.results
        if Path(r.spec).resolve() in paths or r.authority in authorities
    }
    if "violated" in verdicts:
        return 1
    return 3 if "unknown" in verdicts else 0
