"""The vector engine's pieces, each against the row engine's own function.

Times parsed with integer arithmetic against `parse_time` (around the clock changes,
with and without offsets); CSV files read by pyarrow against the row reader, and the
unusual files it must leave to the row reader; working days passed against
`calendar_rules.passed`; malformed rows, duplicates and out-of-order rows against
`sort_out`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle.calendar_rules import passed
from stepcheck.oracle.replay_columns import from_read, micros
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_columns_times import parse_times
from stepcheck.oracle.replay_engine import out_of_order, rule_index, sort_out
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping, parse_time
from stepcheck.oracle.replay_vector import DAY, WorkingDays
from stepcheck.oracle.replay_vector_sort import sort_columns
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
MAPPING = parse_mapping(["status=status,owner=owner"])
_CHANGES = [date(2026, 3, 29), date(2026, 10, 25), date(2000, 3, 26), date(2100, 10, 31)]


@st.composite
def _times(draw: st.DrawFn) -> str:
    """A time near a change of the clocks, in one of the layouts the reader takes."""
    day = draw(st.sampled_from(_CHANGES)) + timedelta(days=draw(st.integers(-1, 1)))
    moment = datetime(day.year, day.month, day.day) + timedelta(
        minutes=draw(st.integers(0, 24 * 60 - 1)), seconds=draw(st.integers(0, 59))
    )
    layout = draw(st.sampled_from(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]))
    zone = draw(st.sampled_from(["", "Z", "+00:00", "+01:00", "-05:30", "+13:45"]))
    return moment.strftime(layout) + zone


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_times(), min_size=1, max_size=20))
def test_times_are_parsed_as_the_row_reader_parses_them(texts):
    got = parse_times(pa.array(texts))
    expected = [parse_time(text) for text in texts]
    if any(isinstance(found, str) for found in expected):
        assert got is None  # a time the clocks skip: the row reader says why
        return
    assert got is not None
    pairs = [(micros(instant), micros(local)) for instant, local in expected]  # type: ignore[misc]
    assert list(zip(got[0].tolist(), got[1].tolist(), strict=True)) == pairs
    # times of one length take the character-matrix path, mixed ones pyarrow's functions
    for length in {len(text) for text in texts}:
        same = [pair for text, pair in zip(texts, pairs, strict=True) if len(text) == length]
        alike = parse_times(pa.array([text for text in texts if len(text) == length]))
        assert alike is not None
        assert list(zip(alike[0].tolist(), alike[1].tolist(), strict=True)) == same


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30T09:00",
        "1999-12-31T23:00",
        "2026-1-05T09:00",
        "2026-01-05T24:00",
        "2026-01-05",
        "2026-01-05T09:00:00.5",
        "2026-01-05T09:00+0100",
        "31/02/2026",
    ],
)
def test_unusual_times_are_left_to_the_row_reader(text):
    assert parse_times(pa.array(["2026-01-05T09:00", text])) is None


def _log(tmp_path: Path, body: bytes) -> Path:
    path = tmp_path / "log.csv"
    path.write_bytes(b"case,time,event,status,owner\n" + body)
    return path


_PLAIN = (
    b"c1,2026-01-05T09:00:00+00:00,refer,,\n"
    b"c1,2026-01-06T09:00,no_such_event,,\n"
    b"c2,2026-07-06 10:00,refer,no_such_status,\n"
    b"c1,2026-01-05T09:00:00Z,refer,,\n"
    b"c1,2026-01-04T09:00,refer,,\n"
)


def test_a_plain_csv_reads_as_the_row_reader_reads_it(tmp_path):
    path = _log(tmp_path, _PLAIN)
    columns = read_csv_columns([path], MAPPING)
    assert columns is not None
    assert columns.to_read() == read_logs([path], MAPPING)


@pytest.mark.parametrize(
    "body",
    [
        b'c1,"2026-01-05T09:00",refer,,\n',  # a quote
        b"c1,2026-01-05T09:00,refer,,\r\n",  # a carriage return
        b"c1,2026-01-05T09:00,refer,,\n\nc2,2026-01-05T09:00,refer,,\n",  # a blank line
        b"c1 ,2026-01-05T09:00,refer,,\n",  # a value to strip
        b"c\xff,2026-01-05T09:00,refer,,\n",  # not UTF-8
        b"c1,2026-01-05T09:00,refer\n",  # a short line
        b",2026-01-05T09:00,refer,,\n",  # no case
        b"c1,2026-03-29T01:30,refer,,\n",  # a time the clocks skip
        b"c\xc2\xa0,2026-01-05T09:00,refer,,\n",  # a no-break space Python strips
    ],
)
def test_unusual_files_are_left_to_the_row_reader(tmp_path, body):
    assert read_csv_columns([_log(tmp_path, body)], MAPPING) is None


def test_several_files_share_one_set_of_codes(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(b"case,time,event,status,owner\n" + _PLAIN)
    second.write_bytes(b"owner,event,time,case,status\n,close,2026-01-07T09:00,c2,\n")
    columns = read_csv_columns([first, second], MAPPING)
    assert columns is not None
    assert columns.to_read() == read_logs([first, second], MAPPING)


@settings(max_examples=100, deadline=None)
@given(
    by=st.lists(st.integers(0, 40_000), min_size=1, max_size=30),
    later=st.lists(st.integers(-20, 20), min_size=30, max_size=30),
)
def test_working_days_passed_as_the_calendar_says(by, later):
    days = WorkingDays()
    due = np.array(by, np.int64) % (days.last - days.first - 40) + days.first + 20
    now = due + np.array(later[: len(by)], np.int64)
    epoch = date(1970, 1, 1)
    expected = [
        passed(epoch + timedelta(days=int(b)), epoch + timedelta(days=int(n)))
        for b, n in zip(due, now, strict=True)
    ]
    assert days.passed(due, now).tolist() == expected
    assert DAY == 86_400 * 1_000_000


def test_malformed_duplicate_and_late_rows_are_sorted_out_as_the_row_engine_does(tmp_path):
    path = _log(
        tmp_path,
        (
            _PLAIN
            + b"c3,2026-01-05T09:00,refer,,nobody\n"
            + b"c1,2026-01-05T09:00,refer,,\n"
            + b"c1,2026-01-03T09:00,refer,,\n"
            + b"c1,2026-01-03T09:00,give_consent,cp,\n"
            + b"c1,2026-01-03T09:00,give_consent,cin,\n"
        ).replace(b"refer", b"agree_family_plan"),
    )
    read = read_logs([path], MAPPING)
    rules = rule_index(DEVON, Reading.SHOULD)
    expected = sort_out(rules, read, None)
    got = sort_columns(rules, from_read(read), None)
    assert got.malformed == expected.malformed
    assert got.end == expected.end
    cases = {
        from_read(read).case_names[int(case)]: got.rows[first : first + length].tolist()
        for case, first, length in zip(got.cases, got.first, got.length, strict=True)
    }
    assert cases == {
        case: [row.order for row in sorted(rows, key=lambda r: (r.instant, r.order))]
        for case, rows in expected.cases.items()
    }
    late = [(o.place.row, o.after.row) for o in got.out_of_order]
    expected_late = [
        (o.place.row, o.after.row) for rows in expected.cases.values() for o in out_of_order(rows)
    ]
    assert sorted(late) == sorted(expected_late) == [(5, 1), (8, 1), (9, 1)]
