"""stepcheck: check children's-services case-transfer protocols.

The public API mirrors the command line: `validate`, `verify`, `diff` and `report`
take paths or shipped authorities by name; `load_spec` reads one spec; `Executor` is
the oracle's reference executor; `SpecInvalid` (every located `Diagnostic` of a spec
that does not load) and `StepcheckError` are the errors a caller may catch.

>>> import stepcheck  # doctest: +SKIP
>>> report = stepcheck.verify("devon", properties=["no_unowned_case"])  # doctest: +SKIP
>>> spec = stepcheck.load_spec("spec/authorities/somerset.yaml")  # doctest: +SKIP
>>> case = stepcheck.Executor(spec).start(at=...)  # doctest: +SKIP
"""

import time as _time

STARTED = _time.monotonic()
"""When stepcheck was first imported: a command's time budget (--max-seconds) counts
from here, so loading the program and the specs is inside it."""

from typing import TYPE_CHECKING, Any  # noqa: E402

from stepcheck.api import diff, report, validate, verify  # noqa: E402  (the clock starts first)
from stepcheck.spec.diagnostics import (  # noqa: E402
    Diagnostic,
    SourceSpan,
    SpecInvalid,
    StepcheckError,
    render_diagnostics,
)
from stepcheck.spec.loader import find_spec_files, load_spec, load_spec_text  # noqa: E402
from stepcheck.spec.model import ProtocolSpec  # noqa: E402

if TYPE_CHECKING:
    from stepcheck.oracle.executor import Executor

__all__ = [
    "Diagnostic",
    "Executor",
    "ProtocolSpec",
    "SourceSpan",
    "SpecInvalid",
    "StepcheckError",
    "__version__",
    "diff",
    "find_spec_files",
    "load_spec",
    "load_spec_text",
    "render_diagnostics",
    "report",
    "validate",
    "verify",
]


def __getattr__(name: str) -> Any:
    """`stepcheck.Executor`, imported when first used: the executor's calendar costs half
    a second that `import stepcheck` for validation should not pay."""
    if name == "Executor":
        from stepcheck.oracle.executor import Executor  # noqa: PLC0415

        return Executor
    raise AttributeError(f"module 'stepcheck' has no attribute {name!r}")


__version__ = "0.1.0"
