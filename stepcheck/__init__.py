"""stepcheck: check children's-services case-transfer protocols.

The public API: validate and verify specs (paths, or shipped authorities by name),
load a spec, and the error types a caller may catch.

>>> import stepcheck  # doctest: +SKIP
>>> report = stepcheck.verify("devon", properties=["no_unowned_case"])  # doctest: +SKIP
>>> spec = stepcheck.load_spec("spec/authorities/somerset.yaml")  # doctest: +SKIP
"""

import time as _time

STARTED = _time.monotonic()
"""When stepcheck was first imported: a command's time budget (--max-seconds) counts
from here, so loading the program and the specs is inside it."""

from stepcheck.api import validate, verify  # noqa: E402  (the clock starts first)
from stepcheck.spec.diagnostics import (  # noqa: E402
    Diagnostic,
    SourceSpan,
    SpecInvalid,
    StepcheckError,
    render_diagnostics,
)
from stepcheck.spec.loader import find_spec_files, load_spec, load_spec_text  # noqa: E402
from stepcheck.spec.model import ProtocolSpec  # noqa: E402

__all__ = [
    "Diagnostic",
    "ProtocolSpec",
    "SourceSpan",
    "SpecInvalid",
    "StepcheckError",
    "__version__",
    "find_spec_files",
    "load_spec",
    "load_spec_text",
    "render_diagnostics",
    "validate",
    "verify",
]

__version__ = "0.1.0"
