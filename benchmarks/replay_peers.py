"""The replay benchmark's other engines: `--engine dask` and PM4Py's token-based replay.

Both are optional. Dask (`stepcheck[dask]`) replays the same read log on a local
cluster started once for the whole table (starting it is not timed; shipping the
cases, playing them and merging the parts is). PM4Py (`stepcheck[bench]`, AGPL, used
here only) discovers a Petri net of the clean simulated log with its inductive miner
(not timed) and replays the same log on it by token-based replay, timed from an
event log already in memory, as the stepcheck column is timed from rows already read.
Token replay checks only the order of activities: no times, deadlines, owners or
guards, so the ratio is an upper bound on what a like-for-like check would cost it.
"""

from __future__ import annotations

import csv
import importlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stepcheck.oracle.replay_dask import replay_dask
from stepcheck.oracle.replay_read import LogRead
from stepcheck.spec.model import ProtocolSpec

__all__ = ["dask_cluster", "dask_seconds", "pm4py_parts", "pm4py_seconds", "pm4py_status"]


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


@contextmanager
def dask_cluster(workers: int) -> Iterator[str | None]:
    """A local cluster's scheduler address, or None (with a note) without Dask."""
    distributed = _optional("dask.distributed")
    if distributed is None:
        print("(--engine dask skipped: Dask is not installed; pip install 'stepcheck[dask]')")
        yield None
        return
    with distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


def dask_seconds(spec: ProtocolSpec, read: LogRead, scheduler: str, repeat: int) -> float:
    """Best of `repeat` wall-clock seconds for `replay_dask` on the running cluster."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        replay_dask(spec, read, scheduler=scheduler)
        best = min(best, time.perf_counter() - started)
    return best


def pm4py_status() -> str | None:
    """Why the PM4Py column is empty, or None when PM4Py is installed. (Its progress
    bars are turned off first: PM4Py reads the setting once, when it is imported.)"""
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")
    if _optional("pm4py") is None:
        return "(PM4Py skipped: not installed; pip install 'stepcheck[bench]')"
    return None


def pm4py_parts(log: Path) -> tuple[int, float, float]:
    """Events in the canonical CSV `log`; PM4Py's CPU seconds to read it into an event
    log (pandas' CSV reader, ISO times, `convert_to_event_log`), and to replay it by
    tokens on a net its inductive miner discovers from it (discovery not timed)."""
    pm4py = importlib.import_module("pm4py")
    pandas = importlib.import_module("pandas")
    started = time.process_time()
    frame = pandas.read_csv(log, usecols=["case", "event", "time"], dtype=str)
    frame["time"] = pandas.to_datetime(frame["time"], format="ISO8601", utc=True)
    frame = pm4py.format_dataframe(
        frame, case_id="case", activity_key="event", timestamp_key="time"
    )
    event_log = pm4py.convert_to_event_log(frame)
    read = time.process_time() - started
    net, initial, final = pm4py.discover_petri_net_inductive(event_log)
    started = time.process_time()
    pm4py.conformance_diagnostics_token_based_replay(event_log, net, initial, final)
    return len(frame), read, time.process_time() - started


def pm4py_seconds(log: Path, repeat: int) -> tuple[int, float]:
    """Events in the canonical CSV `log`, and PM4Py's best token-replay seconds over them,
    on a Petri net its inductive miner discovers from the same log."""
    pm4py = importlib.import_module("pm4py")
    pandas = importlib.import_module("pandas")
    with log.open(encoding="utf-8", newline="") as handle:
        rows = [(row["case"], row["event"], row["time"]) for row in csv.DictReader(handle)]
    frame = pandas.DataFrame(rows, columns=["case", "event", "time"])
    frame["time"] = pandas.to_datetime(frame["time"], format="ISO8601", utc=True)
    frame = pm4py.format_dataframe(
        frame, case_id="case", activity_key="event", timestamp_key="time"
    )
    event_log = pm4py.convert_to_event_log(frame)
    net, initial, final = pm4py.discover_petri_net_inductive(event_log)
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        pm4py.conformance_diagnostics_token_based_replay(event_log, net, initial, final)
        best = min(best, time.process_time() - started)
    return len(rows), best
