"""How large a replay's logs are, to choose the engine and whether to stream them.

Light on purpose: `stepcheck replay --engine auto` weighs the logs before it loads the
vector engine (numpy, pyarrow, Numba), so pyarrow is imported only for a Parquet log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from stepcheck.oracle.replay_read import format_of
from stepcheck.oracle.replay_rows import LogError

__all__ = ["PARQUET_ROW_BYTES", "log_bytes"]

PARQUET_ROW_BYTES: Final = 100
"""What a Parquet row weighs, as the CSV line of a row of the canonical columns
(about 100 bytes): Parquet compresses a log's columns some twenty times, so its size on
disk would leave a ten-million-row log whole."""


def log_bytes(paths: Sequence[Path], log_format: str | None = None) -> int:
    """How large the logs are: bytes on disk, a Parquet file's rows at
    `PARQUET_ROW_BYTES` each (a missing or unreadable log weighs nothing: the reader
    says what is wrong with it)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            if not path.is_file():
                continue
            if _format(path, log_format) == "parquet":
                rows = _parquet_rows(path)
                if rows is not None:
                    total += rows * PARQUET_ROW_BYTES
                    continue
            total += path.stat().st_size
    return total


def _parquet_rows(path: Path) -> int | None:
    import pyarrow as pa  # noqa: PLC0415 - only a Parquet log needs it
    import pyarrow.parquet as pq  # noqa: PLC0415

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (pa.ArrowException, OSError):
        return None


def _format(path: Path, log_format: str | None) -> str | None:
    try:
        return format_of(path, log_format)
    except LogError:  # the reader says so
        return None
