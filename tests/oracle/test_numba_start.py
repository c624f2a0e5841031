"""Tests for `oracle.numba_start`: Numba's start-up without the SciPy probe.

Each test runs in a fresh interpreter, since the probe runs once per process.
"""

import importlib.util
import json
import subprocess
import sys

import pytest

_PROGRAM = """
import json, sys
from stepcheck.oracle.numba_start import load_numba_arrays
load_numba_arrays()
loaded_arrays = "numba.np.arraymath" in sys.modules
scipy_linalg_after = "scipy.linalg" in sys.modules
left_marked = "scipy.linalg" in sys.modules and sys.modules["scipy.linalg"] is None
import numpy as np
from numba import njit

@njit
def total(values):
    return values.sum()

summed = int(total(np.arange(10)))
try:
    import scipy.linalg
    importable = True
except ImportError:
    importable = False
print(json.dumps({"arrays": loaded_arrays, "scipy_linalg": scipy_linalg_after,
                  "marked": left_marked, "summed": summed, "importable": importable}))
"""


def _run(program):
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def test_numba_starts_without_loading_scipy_linalg():
    """After the call Numba's arrays are loaded, SciPy's linear algebra is not, and
    compiled functions work."""
    found = _run(_PROGRAM)

    assert found["arrays"]
    assert not found["scipy_linalg"]
    assert not found["marked"]
    assert found["summed"] == 45


@pytest.mark.skipif(importlib.util.find_spec("scipy") is None, reason="SciPy is not installed")
def test_scipy_linalg_can_still_be_imported_afterwards():
    """The mark is only for Numba's probe: SciPy imports as usual once it is made."""
    found = _run(_PROGRAM)

    assert found["importable"]


def test_nothing_is_hidden_when_numba_arrays_are_already_loaded():
    """Called after Numba has loaded its arrays, the call leaves everything as it is."""
    program = (
        "import sys, numba.np.arraymath\n"
        "from stepcheck.oracle.numba_start import load_numba_arrays\n"
        "before = dict(sys.modules)\n"
        "load_numba_arrays()\n"
        "print(sorted(set(sys.modules) ^ set(before)) == [])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )

    assert done.stdout.strip() == "True"
