"""The commands as functions: `validate`, `verify`, `diff` and `report`.

Each takes what the command line takes (paths, or a shipped authority by name such as
"devon") and returns the library's own results, so a script or a notebook needs no
CLI and no knowledge of the worker pool, the cache or the dating of stories. They use
the default deterministic limits and no decision cache; an invalid spec raises
`SpecInvalid` with every located diagnostic, where the CLI would exit 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from stepcheck.spec.diagnostics import SpecInvalid
from stepcheck.spec.loader import shipped_folder

if TYPE_CHECKING:
    from stepcheck.checker.diff_model import DiffReport
    from stepcheck.checker.results import Report
    from stepcheck.spec.model import ProtocolSpec
    from stepcheck.validation import FileResult

__all__ = ["diff", "report", "validate", "verify"]


def validate(*paths: str | Path) -> list[FileResult]:
    """Load every spec under `paths` (files, folders or shipped names; none: the shipped
    authorities); one `FileResult` per file, with its spec or its located diagnostics."""
    # Imported here, as everything below: the writers it uses load z3, which
    # `import stepcheck` should not pay for.
    from stepcheck.validation import validate_paths  # noqa: PLC0415

    return validate_paths([Path(path) for path in paths] or [shipped_folder()])


def verify(
    *paths: str | Path,
    properties: Sequence[str] = (),
    start: date | None = None,
    jobs: int = 1,
) -> Report:
    """Decide the `properties` (default: all) of the specs under `paths` with the
    default deterministic limits and no cache; counterexamples are dated from `start`
    (default: today).

    Raises:
        SpecInvalid: any spec does not load, with every diagnostic of every spec.
    """
    from stepcheck.checker.engines import Limits  # noqa: PLC0415
    from stepcheck.verification import run_verify  # noqa: PLC0415

    return run_verify(
        _loaded(paths),
        properties=tuple(properties),
        limits=Limits(),
        progress=False,
        start=start if start is not None else date.today(),
        jobs=jobs,
    )


def diff(
    old: str | Path, new: str | Path, *, start: date | None = None, jobs: int = 1
) -> DiffReport:
    """What changed in meaning from `old` to `new` (files or folders of specs, paired by
    authority), as `stepcheck diff OLD NEW`: verdicts, behaviour decided with Z3,
    elements and findings. `report.changes` lists them; `report.exit_code(gates)` is the
    command's exit code.

    Raises:
        SpecInvalid: either version does not load, with every diagnostic.
    """
    from stepcheck.checker.engines import Limits  # noqa: PLC0415
    from stepcheck.diffing import diff_specs  # noqa: PLC0415
    from stepcheck.sources_git import paired  # noqa: PLC0415

    return diff_specs(
        paired(_loaded([old]), _loaded([new])),
        limits=Limits(),
        start=start if start is not None else date.today(),
        jobs=jobs,
        cache=None,
    )


def report(
    *paths: str | Path,
    output: str | Path | None = None,
    start: date | None = None,
    jobs: int = 1,
) -> str:
    """The policy reviewer's report on the specs under `paths` (none: the shipped
    authorities) as one self-contained HTML page, as `stepcheck report`: each spec
    verified here, stories dated from `start` (default: today). Diagrams need
    Graphviz's `dot`. Written to `output` too when given.

    Raises:
        SpecInvalid: any spec does not load, with every diagnostic of every spec.
    """
    from stepcheck.outputs import write_file  # noqa: PLC0415
    from stepcheck.reporting import report_page, verified_results  # noqa: PLC0415

    specs = _loaded(paths or [shipped_folder()])
    results = verified_results(
        specs, start if start is not None else date.today(), jobs=jobs, cache=None
    )
    page = report_page(results, specs)
    if output is not None:
        write_file(Path(output), page)
    return page


def _loaded(paths: Sequence[str | Path]) -> list[ProtocolSpec]:
    results = validate(*paths)
    problems = [problem for result in results for problem in result.diagnostics]
    if problems:
        raise SpecInvalid(problems)
    return [result.spec for result in results if result.spec is not None]
