"""Numba's start-up without its probe for SciPy's BLAS, which no kernel here uses.

The first call of any compiled function, even one loaded from Numba's cache, makes
Numba load its implementations of numpy (`numba.np.arraymath` and others). On import,
`arraymath` checks whether SciPy's BLAS is there by importing `scipy.linalg`, which
loads all of it (about 0.2 s). SciPy is not a dependency of stepcheck, but where it
is installed (PM4Py, for the benchmarks, brings it) every `replay --engine vector`
paid for it. No kernel of ours calls numpy's linear algebra or `np.dot`.

`load_numba_arrays` imports `arraymath` with `scipy.linalg` marked missing for that
one import, as Numba sees it when SciPy is not installed, a set-up Numba supports:
it then uses its own loop instead of BLAS for `np.dot`-based inner products in
functions compiled later in the process, and its linear algebra still imports SciPy
when it is first compiled. Nothing of Numba is patched; if a later Numba probes
elsewhere, this only stops saving the time. It is called by the command line only,
so a program that uses stepcheck as a library keeps Numba's usual behaviour.
"""

from __future__ import annotations

import sys

__all__ = ["load_numba_arrays"]

_PROBED = "scipy.linalg"


def load_numba_arrays() -> None:
    """Import `numba.np.arraymath` with SciPy's linear algebra hidden from its probe,
    unless either is already loaded (then the probe costs nothing, or has run)."""
    if _PROBED in sys.modules or "numba.np.arraymath" in sys.modules:
        return
    # `import` raises ImportError for a name marked None in sys.modules
    sys.modules[_PROBED] = None  # type: ignore[assignment]
    try:
        import numba.np.arraymath  # noqa: F401, PLC0415
    except ImportError:
        pass  # a Numba that needs SciPy here: it is imported as usual on first use
    finally:
        if sys.modules.get(_PROBED, 0) is None:
            del sys.modules[_PROBED]
