"""stepcheck: check children's-services case-transfer protocols.

The public API: load a spec, and the error types a caller may catch.

>>> from stepcheck import load_spec  # doctest: +SKIP
>>> spec = load_spec("spec/authorities/somerset.yaml")  # doctest: +SKIP
"""

from stepcheck.spec.diagnostics import (
    Diagnostic,
    SourceSpan,
    SpecInvalid,
    StepcheckError,
    render_diagnostics,
)
from stepcheck.spec.loader import find_spec_files, load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec

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
