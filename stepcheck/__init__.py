"""stepcheck: check children's-services case-transfer protocols.

The public API: load a spec, and the error types a caller may catch.

>>> from stepcheck import load_spec  # doctest: +SKIP
>>> spec = load_spec("spec/authorities/somerset.yaml")  # doctest: +SKIP
"""

import time as _time

STARTED = _time.monotonic()
"""When stepcheck was first imported: a command's time budget (--max-seconds) counts
from here, so loading the program and the specs is inside it."""

from stepcheck.spec.diagnostics import (  # noqa: E402  (the clock starts first)
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
]

__version__ = "0.1.0"
