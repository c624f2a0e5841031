"""Timestamp columns to instants and London wall times by integer arithmetic.

The Parquet reader's reference (`replay_columns_parquet`, `reference=True`) writes a
timestamp as ISO text, `...Z` from its UTC value when it has a time zone and as it is
when naive, and reads the text back with `replay_columns_times.parse_times`. This gives
the same microseconds from the stored integers, with no text: a whole number of seconds
(a fraction refuses the column, as the reference's cast to seconds does) in 2000-2100;
an aware time is its UTC instant, shown an hour later inside British Summer Time; a
naive one is a London wall time, refused in the hour the clocks skip in March and read
as the summer (first) hour when October repeats it. The summer times are
`replay_columns_times.bst_bounds`; the loop is compiled by Numba.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pyarrow as pa
from numba import njit

from stepcheck.oracle.arrow_compute import pc
from stepcheck.oracle.replay_columns_times import TimesOut, bst_bounds

__all__ = ["stamp_times"]

_FIRST_YEAR: Final = 2000
_LAST_YEAR: Final = 2100
_HOUR: Final = 3600
_MICRO: Final = 1_000_000
_PER_SECOND: Final = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_YEARS: Final = np.arange(_FIRST_YEAR, _LAST_YEAR + 1, dtype=np.int64)
_STARTS, _ENDS = bst_bounds(_YEARS)
_NEW_YEARS: Final = np.array(
    [(date(year, 1, 1) - date(1970, 1, 1)).days * 86_400 for year in range(2000, 2102)],
    np.int64,
)
"""UTC seconds at the start of each year from 2000 to 2101."""


@njit(cache=True, nogil=True)
def _convert(values, per_second, aware, new_years, starts, ends, instant, local):  # type: ignore[no-untyped-def]  # noqa: PLR0917
    """Fill `instant` and `local` (microseconds) from `values` in units of
    1/`per_second` s; False at the first value that is refused."""
    first, last = new_years[0], new_years[len(new_years) - 1]
    for row in range(len(values)):
        value = values[row]
        if value % per_second != 0:
            return False
        given = value // per_second
        if given < first or given >= last:
            return False
        year = min((given - first) // 31_556_952, len(new_years) - 2)  # then corrected
        while new_years[year + 1] <= given:
            year += 1
        while new_years[year] > given:
            year -= 1
        start, end = starts[year], ends[year]
        if aware:
            moment = given
            wall = given + _HOUR if start <= given < end else given
        else:
            if start <= given < start + _HOUR:  # the hour the clocks skip
                return False
            moment = given - _HOUR if start + _HOUR <= given < end + _HOUR else given
            wall = given
        instant[row] = moment * _MICRO
        local[row] = wall * _MICRO
    return True


def stamp_times(column: pa.Array | pa.ChunkedArray) -> TimesOut | None:
    """(instants, local wall times) in microseconds of a timestamp column, or None when
    a value is null, has a fraction of a second or is outside 2000-2100, or a naive one
    falls in the skipped hour."""
    kind = column.type
    if not pa.types.is_timestamp(kind) or kind.unit not in _PER_SECOND or column.null_count:
        return None
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = [np.asarray(pc.cast(chunk, pa.int64()).to_numpy(), np.int64) for chunk in chunks]
    values = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    instant = np.empty(len(values), np.int64)
    local = np.empty(len(values), np.int64)
    aware = kind.tz is not None
    if not _convert(
        values, _PER_SECOND[kind.unit], aware, _NEW_YEARS, _STARTS, _ENDS, instant, local
    ):
        return None
    return instant, local
