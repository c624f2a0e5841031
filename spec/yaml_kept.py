"""Parsed spec documents kept on disk, so that reading an unchanged spec skips YAML.

`read_yaml` builds a spec's plain data from ruamel.yaml's pure-Python parser, about
0.12 s of every run for a shipped spec, and the same bytes always give the same
`Document`. `read_yaml_kept` therefore keeps each document read without a problem as
JSON in the cache folder (`cache_folder.default_folder`, under `documents/`), named
by a digest of everything the document depends on:

- the file's bytes and the name it is read under (the name is in every location);
- ruamel.yaml's version and the text of the reader (`yamlread.py`) and of this
  module, so an upgrade or an edit never reads a document an older reader made;
- the format of the file.

A spec with a problem is always read afresh, so its diagnostics come from the reader
itself. A file whose key differs, or that cannot be parsed into a document, is
ignored and the spec read again; a folder that cannot be written to only costs the
time. At most `KEPT` documents are kept, the oldest written going first. JSON keeps
every value's type (mapping, list, text, whole number, number, true/false, null) and
the order of keys, and a document is kept only when it comes back from JSON as it
went in. JSON, never pickle: a cache folder must not be able to run code.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, Final

import ruamel.yaml

from stepcheck.spec import yamlread
from stepcheck.spec.cache_folder import default_folder, write_whole
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.yamlread import Document, Locations, read_yaml

__all__ = ["KEPT", "document_path", "pruned", "read_yaml_kept"]

_FORMAT: Final = 1
KEPT: Final = 256
"""Documents kept at most (some 70 MB for specs the size of the shipped ones)."""
_CODE: Final = (Path(yamlread.__file__), Path(__file__))


def read_yaml_kept(raw: bytes, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """`read_yaml(raw, file)`, from the cache folder when this spec was read before."""
    path = document_path(raw, file)
    if path is not None:
        kept = _read(path, path.stem)
        if kept is not None:
            return kept, []
    document, problems = read_yaml(raw, file)
    if path is not None and document is not None and not problems:
        _write(path, path.stem, document)
    return document, problems


def document_path(raw: bytes, file: str) -> Path | None:
    """Where the document of `raw` read as `file` is kept; None when the reader's code
    cannot be read or there is no cache folder (then nothing is kept)."""
    digest = hashlib.sha256()
    for part in (f"format {_FORMAT}", f"ruamel.yaml {ruamel.yaml.__version__}", file):
        digest.update(part.encode("utf-8") + b"\0")
    try:
        for code in _CODE:
            digest.update(hashlib.sha256(code.read_bytes()).digest())
    except OSError:
        return None
    digest.update(hashlib.sha256(raw).digest())
    try:
        return default_folder() / "documents" / f"{digest.hexdigest()}.json"
    except RuntimeError:  # Path.home(): no home folder known for this user
        return None


def _encode(document: Document, key: str) -> dict[str, Any]:
    where = document.locations
    return {
        "key": key,
        "data": document.data,
        "text": document.text,
        "file": where.file,
        "values": [[list(path), line, column] for path, (line, column) in where.values.items()],
        "keys": [[list(path), line, column] for path, (line, column) in where.keys.items()],
        "blocks": [
            [list(path), [list(at) for at in table]] for path, table in where.blocks.items()
        ],
    }


def _decode(data: dict[str, Any], key: str) -> Document | None:
    if data["key"] != key:
        return None
    locations = Locations(
        file=data["file"],
        values={tuple(path): (line, column) for path, line, column in data["values"]},
        keys={tuple(path): (line, column) for path, line, column in data["keys"]},
        blocks={
            tuple(path): tuple((line, column) for line, column in table)
            for path, table in data["blocks"]
        },
    )
    return Document(data=data["data"], locations=locations, text=data["text"])


def _read(path: Path, key: str) -> Document | None:
    try:
        return _decode(json.loads(path.read_text(encoding="utf-8")), key)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, key: str, document: Document) -> None:
    """Keep `document` at `path` if JSON gives it back exactly; whole or not at all."""
    text = json.dumps(_encode(document, key))
    again = _decode(json.loads(text), key)
    if again is None or not _same(again, document):
        return
    if write_whole(path, text):
        pruned(path.parent, ".json")


def pruned(folder: Path, suffix: str) -> None:
    """At most `KEPT` files ending in `suffix` in `folder`: the ones written longest ago
    go (each edit of a spec makes a new one, and nothing else would ever remove them)."""
    try:
        kept = sorted(
            (entry.stat().st_mtime_ns, entry.name, entry)
            for entry in folder.iterdir()
            if entry.suffix == suffix
        )
        for _, _, entry in kept[: max(0, len(kept) - KEPT)]:
            entry.unlink(missing_ok=True)
    except OSError:  # another process pruning too, or a folder not ours to tidy
        pass


def _same(one: Document, other: Document) -> bool:
    """Equal, every value of the same type (`==` alone has 1 == 1.0 == True)."""
    return (
        one.text == other.text
        and one.locations == other.locations
        and _typed(one.data) == _typed(other.data)
    )


def _typed(value: Any) -> Any:
    """`value` with the type of everything in it spelled out, NaN made comparable."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(item)) for key, item in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(item) for item in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)
