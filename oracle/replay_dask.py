"""Replay a log's cases spread over a Dask cluster (`stepcheck replay --engine dask`).

Cases are independent once the log is sorted out: the driver reads the log, sets the
malformed rows apart and fixes the end of the log (`replay_engine.sort_out`), splits
the cases into partitions by case id, has the workers play each partition with the
compiled engine (`replay_compiled.play_compiled`, each case with a finding explained
by the executor as in one process), and merges the parts (`assemble`), which
sorts every list by reading order or case id. So every output is byte for byte the
single-process one, whatever the number of workers or partitions.

`scheduler` is a running cluster's address (its workers need stepcheck installed);
without one a local cluster of `workers` processes is started and closed here. Dask
is an optional extra (`pip install 'stepcheck[dask]'`); without it this raises a
`LogError` (exit 2) saying so.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final

from stepcheck.oracle.replay_compiled import CompiledSpec, play_compiled
from stepcheck.oracle.replay_engine import (
    CasesPlayed,
    assemble,
    rule_index,
    sort_out,
)
from stepcheck.oracle.replay_model import ReplayReport
from stepcheck.oracle.replay_read import LogRead
from stepcheck.oracle.replay_rows import LogError, LogRow
from stepcheck.spec.model import ProtocolSpec, Reading

__all__ = ["MISSING", "partition", "replay_dask"]

MISSING: Final = "--engine dask needs Dask's distributed scheduler: pip install 'stepcheck[dask]'"
_PER_WORKER: Final = 4
"""Partitions per worker thread: enough to even out cases of unequal length."""


def replay_dask(
    spec: ProtocolSpec,
    read: LogRead,
    *,
    reading: Reading = Reading.SHOULD,
    as_of: datetime | None = None,
    scheduler: str | None = None,
    workers: int = 2,
) -> ReplayReport:
    """The report `replay_engine.replay` gives, computed on a Dask cluster."""
    distributed = _distributed()
    rows = sort_out(rule_index(spec, reading), read, as_of)
    with _client(distributed, scheduler, workers) as client:
        threads = sum(client.nthreads().values()) or 1
        parts = partition(rows.cases, threads * _PER_WORKER)
        shared = client.scatter(spec, broadcast=True)
        futures = [
            client.submit(_play_part, shared, reading, part, rows.end, pure=False) for part in parts
        ]
        played: list[CasesPlayed] = client.gather(futures)
    return assemble(spec, read, reading, rows, played)


def partition(
    cases: Mapping[str, Sequence[LogRow]], count: int
) -> list[dict[str, Sequence[LogRow]]]:
    """At most `count` non-empty partitions of `cases`, dealt out in case-id order, the
    longest cases first so partitions carry about as many rows each; deterministic."""
    buckets: list[dict[str, Sequence[LogRow]]] = [{} for _ in range(max(1, count))]
    sizes = [0] * len(buckets)
    for case_id in sorted(cases, key=lambda case: (-len(cases[case]), case)):
        smallest = min(range(len(buckets)), key=lambda index: (sizes[index], index))
        buckets[smallest][case_id] = cases[case_id]
        sizes[smallest] += len(cases[case_id]) + 1  # a case costs a little even empty
    return [bucket for bucket in buckets if bucket]


def _play_part(
    spec: ProtocolSpec,
    reading: Reading,
    cases: Mapping[str, Sequence[LogRow]],
    end: datetime | None,
) -> CasesPlayed:
    """On a worker: play one partition's cases with the single-process compiled engine."""
    return play_compiled(CompiledSpec(rule_index(spec, reading)), cases, end)


def _distributed() -> Any:
    """The `dask.distributed` module, or a `LogError` naming the extra to install."""
    try:
        return importlib.import_module("dask.distributed")  # an optional extra
    except ImportError:
        raise LogError(MISSING) from None


@contextmanager
def _client(distributed: Any, scheduler: str | None, workers: int) -> Iterator[Any]:
    """A client of the cluster at `scheduler`, else of a local cluster of `workers`
    single-threaded processes, started and closed here (no dashboard)."""
    if scheduler is not None:
        try:
            client = distributed.Client(scheduler, timeout="10s")
        except OSError as error:
            raise LogError(f"--scheduler {scheduler}: cannot reach it ({error})") from None
        with client:
            yield client
        return
    with (
        distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client
