"""The two things most callers want, as functions: `validate` and `verify`.

Each takes what the command line takes (paths, or a shipped authority by name such as
"devon") and returns the library's own results, so a script or a notebook needs no
CLI and no knowledge of the worker pool, the cache or the dating of stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from stepcheck.spec.diagnostics import SpecInvalid
from stepcheck.spec.loader import shipped_folder

if TYPE_CHECKING:
    from stepcheck.checker.results import Report
    from stepcheck.validation import FileResult

__all__ = ["validate", "verify"]


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

    results = validate(*paths)
    problems = [problem for result in results for problem in result.diagnostics]
    if problems:
        raise SpecInvalid(problems)
    specs = [result.spec for result in results if result.spec is not None]
    return run_verify(
        specs,
        properties=tuple(properties),
        limits=Limits(),
        progress=False,
        start=start if start is not None else date.today(),
        jobs=jobs,
    )
