"""Two process-wide settings while the vector engine replays: its arrays on ordinary
pages (numpy's request for huge ones turned off), and no cycle collection.

numpy asks the kernel for transparent huge pages for every array of 4 MiB or more
(`madvise(MADV_HUGEPAGE)`). Where the kernel then compacts memory on the spot to find
them (`/sys/kernel/mm/transparent_hugepage/defrag` set to `madvise`, a common
default), a replay that makes and drops large arrays share after share spends more
time in the kernel than in its own loops: on Hertfordshire's 10-million-row log, 7.0 s
of system time with the request, 1.4 s without (BENCHMARKS.md, "replay at scale").
The request is numpy's own process-wide setting, so it is restored afterwards.

The cycle collector is paused for the same stretch (`without_cycle_collection`): a
replay makes many small acyclic objects (row records, reports), and the collector
would walk every one of them again and again while they are made; a quarter to a
third of the time of making the reports. Nothing a replay makes needs it: what it
drops is freed by reference counting, and the collector runs again afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import cast

__all__ = ["ordinary_pages", "without_cycle_collection"]


def _setter() -> Callable[[bool], bool] | None:
    """numpy's switch (private, so looked for where each version keeps it), or None."""
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        try:
            found = getattr(import_module(module), "_set_madvise_hugepage", None)
        except ImportError:
            continue
        if callable(found):
            return cast("Callable[[bool], bool]", found)
    return None


@contextmanager
def ordinary_pages() -> Iterator[None]:
    """Within the block, numpy does not ask for huge pages; as before afterwards."""
    switch = _setter()
    if switch is None:
        yield
        return
    before = switch(False)
    try:
        yield
    finally:
        switch(before)


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Within the block, no cycle collection; as before afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
