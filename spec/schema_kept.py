"""The schema's verdict on a kept spec document, kept beside it: an unchanged spec is
not checked against the schema again.

Checking a shipped spec against the JSON Schema (`schema.schema_problems`) takes about
a quarter of a second, a fifth of what `replay` pays before it reads a row, and an
unchanged spec always gets the same answer. When a document the reader kept
(`yaml_kept`) is found clean, an empty file says so in the same folder, named by a
digest of everything the verdict depends on:

- the document's own key (the spec's bytes, its name, the reader's version and code);
- the schema file, the text of `schema.py` and of this module, and of jsonschema's
  own modules (read and hashed in about a millisecond; its version would cost loading
  `importlib.metadata`), so an edit of the schema or an upgrade checks every spec again.

Only a clean verdict is kept: a spec with a problem is always checked, so its
diagnostics come from the schema itself. At most `yaml_kept.KEPT` verdicts are kept,
the oldest written going first. No folder, or one that cannot be written to, only
costs the time.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from importlib.util import find_spec
from pathlib import Path
from typing import Final

from stepcheck.spec import schema
from stepcheck.spec.cache_folder import write_whole
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.yaml_kept import document_path, pruned
from stepcheck.spec.yamlread import Document

__all__ = ["schema_problems_kept"]

_SUFFIX: Final = ".clean"
_CODE: Final = (Path(schema.__file__), Path(__file__))
_FOUND: Final = find_spec("jsonschema")
_JSONSCHEMA: Final = Path(next(iter((_FOUND and _FOUND.submodule_search_locations) or ["."])))
"""jsonschema's folder, found without loading it (`schema` loads it when first asked)."""


def schema_problems_kept(document: Document, raw: bytes, file: str) -> list[Diagnostic]:
    """`schema.schema_problems(document)` for the document of `raw` read as `file`,
    answered from the cache folder when this document was found clean before."""
    marker = _marker(raw, file)
    if marker is not None and marker.is_file():
        return []
    problems = schema.schema_problems(document)
    if marker is not None and not problems and write_whole(marker, ""):
        pruned(marker.parent, _SUFFIX)
    return problems


def _marker(raw: bytes, file: str) -> Path | None:
    """Where the clean verdict on `raw` read as `file` is kept; None when the document
    is not kept or the code cannot be read."""
    document = document_path(raw, file)
    if document is None:
        return None
    digest = hashlib.sha256(document.stem.encode("ascii") + b"\0")
    try:
        shipped = resources.files("stepcheck.spec").joinpath(schema.SCHEMA_FILE)
        digest.update(hashlib.sha256(shipped.read_bytes()).digest())
        for code in (*_CODE, *sorted(_JSONSCHEMA.glob("*.py"))):
            digest.update(code.name.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(code.read_bytes()).digest())
    except OSError:
        return None
    return document.parent / f"{digest.hexdigest()}{_SUFFIX}"
