"""Reading audit logs: the mapping, the time rule (offsets, Europe/London, BST), bad rows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import LogError, LogRow, Malformed, parse_mapping, parse_time

CANONICAL = parse_mapping([])


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_mapping_defaults_to_the_canonical_names_and_rejects_unknown_ones():
    """Unmapped required columns map to themselves; an unknown canonical name is an error."""
    mapping = parse_mapping(["case=case_id, time=ts", "event=activity"])
    assert mapping.wanted == (("case", "case_id"), ("time", "ts"), ("event", "activity"))
    assert parse_mapping([]).wanted == (("case", "case"), ("time", "time"), ("event", "event"))
    with pytest.raises(LogError, match="unknown column 'colour'"):
        parse_mapping(["colour=red"])
    with pytest.raises(LogError, match="not canonical=column"):
        parse_mapping(["case"])


@pytest.mark.parametrize(
    ("text", "instant", "local"),
    [
        # an offset is converted to London time: 09:00Z in July is 10:00 BST
        ("2026-07-01T09:00:00Z", datetime(2026, 7, 1, 9, tzinfo=UTC), datetime(2026, 7, 1, 10)),
        ("2026-07-01T09:00+01:00", datetime(2026, 7, 1, 8, tzinfo=UTC), datetime(2026, 7, 1, 9)),
        # naive times are London wall time, on either side of the clocks going forward
        ("2026-03-28 12:00", datetime(2026, 3, 28, 12, tzinfo=UTC), datetime(2026, 3, 28, 12)),
        ("2026-03-29 12:00", datetime(2026, 3, 29, 11, tzinfo=UTC), datetime(2026, 3, 29, 12)),
        # a repeated hour (clocks go back) is read as the first, BST
        (
            "2026-10-25 01:30",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 30),
        ),
        ("2026-12-04", datetime(2026, 12, 4, tzinfo=UTC), datetime(2026, 12, 4)),
    ],
)
def test_times_are_instants_with_london_wall_times(text, instant, local):
    assert parse_time(text) == (instant, local)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-03-29 01:30", "does not exist in Europe/London"),
        ("yesterday", "is not an ISO 8601"),
        ("1899-01-01T00:00", "outside the calendar"),
        ("2026-02-30T10:00", "is not an ISO 8601"),
    ],
)
def test_bad_times_say_why(text, reason):
    found = parse_time(text)
    assert isinstance(found, str)
    assert reason in found


def test_csv_rows_become_rows_or_malformed_with_their_row_and_line(tmp_path):
    log = _write(
        tmp_path,
        "log.csv",
        b'case,time,event,note\nc1,2026-12-01T09:00,request_step_up,"two\nlines"\n'
        b"c1,,tam_accepts,x\n\nc2,2026-12-01T09:00\n",
    )
    read = read_logs([log], CANONICAL)
    assert [type(row).__name__ for row in read.rows] == ["LogRow", "Malformed", "Malformed"]
    first, no_time, short = read.rows
    assert isinstance(first, LogRow)
    assert first.local == datetime(2026, 12, 1, 9)
    assert isinstance(no_time, Malformed)
    assert (no_time.place.row, no_time.place.line, no_time.reason) == (2, 4, "no time")
    assert isinstance(short, Malformed)
    assert short.reason == "no event"
    assert read.files[0].rows == 3


def test_invalid_utf8_only_matters_in_a_mapped_column(tmp_path):
    """Bad bytes in an unmapped column are ignored; in a mapped one the row is malformed."""
    log = _write(
        tmp_path,
        "log.csv",
        b"case,time,event,note\nc1,2026-12-01T09:00,request_step_up,\xff\xfe\n"
        b"c\xff,2026-12-01T09:00,request_step_up,x\n",
    )
    good, bad = read_logs([log], CANONICAL).rows
    assert isinstance(good, LogRow)
    assert isinstance(bad, Malformed)
    assert bad.reason == "case is not valid UTF-8"


def test_jsonl_rows_and_their_problems(tmp_path):
    log = _write(
        tmp_path,
        "log.jsonl",
        b'{"id": 7, "ts": "2026-12-01T09:00", "what": "request_step_up", "secret": "s"}\n'
        b"not json\n[1, 2]\n"
        b'{"id": {"a": 1}, "ts": "2026-12-01T09:00", "what": "x"}\n\n',
    )
    read = read_logs([log], parse_mapping(["case=id,time=ts,event=what"]))
    first, *rest = read.rows
    assert isinstance(first, LogRow)
    assert first.case == "7"
    assert [row.reason for row in rest if isinstance(row, Malformed)] == [
        "not a JSON value",
        "not a JSON object",
        "case is not text or a number",
    ]
    assert [row.place.line for row in rest] == [2, 3, 4]


def test_empty_file_has_no_rows(tmp_path):
    read = read_logs([_write(tmp_path, "empty.csv", b"")], CANONICAL)
    assert read.rows == ()
    assert read.files[0].rows == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("log.csv", b"case_id,time,event\n", "no column 'case' (mapped to case)"),
        ("log.jsonl", b'{"time": "2026-12-01", "event": "e"}\n', "no row has the key 'case'"),
        ("log.txt", b"", "cannot tell the log's format"),
    ],
)
def test_logs_that_cannot_be_read_at_all(tmp_path, name, data, message):
    with pytest.raises(LogError, match=re.escape(message)):
        read_logs([_write(tmp_path, name, data)], CANONICAL)


def test_missing_log_and_folder(tmp_path):
    with pytest.raises(LogError, match="no such log"):
        read_logs([tmp_path / "missing.csv"], CANONICAL)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(LogError, match="not a file"):
        read_logs([folder], CANONICAL)


_XES = b"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <string key="concept:name" value="audit"/>
  <trace>
    <string key="concept:name" value="case-1"/>
    <string key="child_name" value="CANARY-X"/>
    <event>
      <string key="concept:name" value="request_step_up"/>
      <date key="time:timestamp" value="2026-12-01T09:00:00.000+00:00"/>
      <string key="org:resource" value="fs_worker"/>
    </event>
    <event>
      <string key="concept:name" value="tam_accepts"/>
      <list key="nested"><string key="time:timestamp" value="2026-12-25T00:00"/></list>
    </event>
  </trace>
  <event>
    <string key="concept:name" value="allocate"/>
  </event>
</log>
"""


def test_xes_events_are_rows_with_standard_keys(tmp_path):
    """Case from the trace's concept:name, event and time from the event's standard keys;
    nested attributes are not read; an event outside a trace has no case."""
    read = read_logs([_write(tmp_path, "log.xes", _XES)], CANONICAL)
    first, no_time, no_case = read.rows
    assert isinstance(first, LogRow)
    assert (first.case, first.event, first.local) == (
        "case-1",
        "request_step_up",
        datetime(2026, 12, 1, 9),
    )
    assert first.place.line == 7
    assert isinstance(no_time, Malformed)
    assert no_time.reason == "no time"
    assert isinstance(no_case, Malformed)
    assert no_case.reason == "no case"


def test_xes_mapped_keys(tmp_path):
    read = read_logs([_write(tmp_path, "log.xes", _XES)], parse_mapping(["owner=org:resource"]))
    first = read.rows[0]
    assert isinstance(first, LogRow)
    assert first.owner == "fs_worker"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE log [<!ENTITY a "aaaa">]><log>&a;</log>',
            "not XES: a document type declaration is refused",
        ),
        (_XES.replace(b"</trace>", b"</trice>"), "not XES: XML error (mismatched tag)"),
        (b"", "not XES: XML error (no element found)"),
    ],
)
def test_bad_xes_ends_with_one_malformed_row(tmp_path, data, reason):
    read = read_logs([_write(tmp_path, "log.xes", data)], CANONICAL)
    assert isinstance(read.rows[-1], Malformed)
    assert read.rows[-1].reason == reason


def test_a_huge_csv_field_makes_one_malformed_row_and_reading_goes_on(tmp_path):
    log = _write(
        tmp_path,
        "log.csv",
        b"case,time,event,note\nc1,2026-12-01T09:00,allocate," + b"x" * 200_000
        + b"\nc2,2026-12-01T09:00,allocate,y\n",
    )  # fmt: skip
    huge, after = read_logs([log], CANONICAL).rows
    assert isinstance(huge, Malformed)
    assert huge.reason.startswith("cannot be read as CSV (field larger than field limit")
    assert isinstance(after, LogRow)
    assert after.case == "c2"


def test_progress_is_told_the_rows_read_every_ten_thousand(tmp_path):
    """What the terminal's progress line shows; the rows read are the same with or
    without it."""
    log = tmp_path / "big.csv"
    lines = ["case,time,event"]
    lines += [f"c{n},2026-12-01T09:00:00Z,request_step_up" for n in range(25_000)]
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[int] = []

    read = read_logs([log], parse_mapping([]), progress=seen.append)

    assert seen == [10_000, 20_000]
    assert len(read.rows) == 25_000
    assert read == read_logs([log], parse_mapping([]))
