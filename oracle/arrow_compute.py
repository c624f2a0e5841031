"""`pyarrow.compute`, loaded when first used rather than when imported.

Loading it takes about a tenth of a second (it writes the docstrings of several
hundred functions, through `pydoc`), and a replay of a plain CSV log never calls it:
the byte scan reads such a log without pyarrow's compute functions, which only the
fallback and Parquet readers use. Modules that use it import `pc` from here, and the
standard library's `importlib.util.LazyLoader` runs the module on first attribute
access; where it was already loaded, that module is used as it is. Python 3.11's
lazy loader takes no lock, so the first use must come from one thread: the readers
call it from the thread that reads the logs, and the Dask workers' tasks never do.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

__all__ = ["pc"]

_NAME = "pyarrow.compute"


def _lazy(name: str) -> ModuleType:
    """The module `name`, made to load on first use unless it is loaded already."""
    if name in sys.modules:
        return sys.modules[name]
    found = importlib.util.find_spec(name)
    if found is None or found.loader is None:  # pragma: no cover - pyarrow is required
        return importlib.import_module(name)
    loader = importlib.util.LazyLoader(found.loader)
    found.loader = loader
    module = importlib.util.module_from_spec(found)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


pc = _lazy(_NAME)
