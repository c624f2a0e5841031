"""Times read from their bytes (`replay_scan_times.text_times`) against `parse_times`.

`text_times` reads an Arrow string column's buffers with the scan's compiled reader,
which looks at three words of each time; `parse_times` splits the text with numpy and
pyarrow. On times of every layout, times with bytes changed, cut or put in (any
character, non-ASCII included), and columns that are slices of larger ones (an
offset into the buffers), in both string types, the two must agree: the same arrays,
or both None.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle.replay_columns_times import parse_times
from stepcheck.oracle.replay_scan_times import text_times

_LAYOUTS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
_ZONES = ("", "Z", "+00:00", "+01:00", "-05:30", "+23:59", "-23:59", "+24:00", "-00:60")
_CHANGES = (datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2000, 3, 26))
_BYTES = "0123456789-:T Z+/.;@\u00e9\u2013\U0001f600\x00\x7f"
"""Its own kinds of bytes, their neighbours in ASCII, and characters of two, three and
four bytes in UTF-8."""


@st.composite
def _time(draw: st.DrawFn) -> str:
    """A time in any layout and zone, near a clock change or anywhere in 1999-2101."""
    if draw(st.booleans()):
        moment = draw(st.sampled_from(_CHANGES)) + timedelta(minutes=draw(st.integers(0, 1440)))
    else:
        moment = draw(st.datetimes(datetime(1999, 12, 30), datetime(2101, 1, 2)))
    return moment.strftime(draw(st.sampled_from(_LAYOUTS))) + draw(st.sampled_from(_ZONES))


def changed(times: st.SearchStrategy[str], alphabet: str, most: int) -> st.SearchStrategy[str]:
    """Times from `times` with one to `most` characters changed to, cut, or put in from
    `alphabet` (shared with the scanner's tests)."""

    @st.composite
    def edited(draw: st.DrawFn) -> str:
        text = draw(times)
        for _ in range(draw(st.integers(1, most))):
            at = draw(st.integers(0, max(len(text) - 1, 0)))
            other = draw(st.sampled_from(alphabet))
            match draw(st.sampled_from(["change", "cut", "insert"])):
                case "change":
                    text = text[:at] + other + text[at + 1 :]
                case "cut":
                    text = text[:at] + text[at + 1 :]
                case "insert":
                    text = text[:at] + other + text[at:]
        return text

    return edited()


def _agree(values: list[str], kind: pa.DataType, skip: int) -> None:
    whole = pa.array(["x" * skip, *values], kind)
    column = whole.slice(1) if skip else pa.array(values, kind)
    got, expected = text_times(column), parse_times(column)
    assert (got is None) == (expected is None), values
    if got is not None and expected is not None:
        for mine, theirs in zip(got, expected, strict=True):
            assert np.array_equal(mine, theirs), values


@settings(max_examples=400, deadline=None)
@given(
    values=st.lists(st.one_of(_time(), changed(_time(), _BYTES, 3)), min_size=1, max_size=5),
    kind=st.sampled_from([pa.string(), pa.large_string()]),
    skip=st.integers(0, 20),
)
def test_times_are_read_from_their_bytes_as_parse_times_reads_them(values, kind, skip):
    _agree(values, kind, skip)


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_any_text_is_refused_or_read_as_parse_times_reads_it(values):
    _agree(values, pa.string(), 0)


def test_every_byte_of_a_time_is_checked():
    """Each character of a time of each width made a wrong kind is refused or read as
    `parse_times` does, one at a time (random changes can miss a single byte)."""
    for time in ("2026-07-05T09:23", "2026-07-05 09:23Z", "2026-07-05T09:23:41",
                 "2026-07-05T09:23:41Z", "2026-07-05T09:23+01:00",
                 "2026-07-05T09:23:41-05:30"):  # fmt: skip
        for at, char in enumerate(time):
            for other in (":", "/", "\u00e9") if char.isdigit() else ("0", "/", "\u00e9"):
                _agree([time, time[:at] + other + time[at + 1 :]], pa.string(), 3)


def test_no_rows_and_empty_text():
    assert text_times(pa.array([], pa.string())) is not None
    assert text_times(pa.array([""], pa.string())) is None
    assert text_times(pa.array(["2026-07-05T09:23", None], pa.string())) is None
