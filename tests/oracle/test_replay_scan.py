"""The compiled byte scanner (`replay_scan`) against pyarrow's reading of the same lines.

Whatever it is given, the scanner either answers None or gives the very `ColumnLog`
that `csv_block`'s pyarrow path gives, field by field; on plain blocks (columns in any
order, unmapped columns with any plain bytes, every time layout, repeated and renamed
names, empty statuses and owners) it must not answer None, so the fast path cannot
quietly stop being taken. Blocks with every unusual feature, random bytes, and a
simulated log of a shipped authority (read, and replayed to a byte-identical report)
are compared too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_replay_scan_times import changed
from test_replay_vector import _outputs

from stepcheck.oracle.replay_columns import ColumnLog
from stepcheck.oracle.replay_columns_csv import csv_block, read_csv_columns
from stepcheck.oracle.replay_privacy import pseudonymiser
from stepcheck.oracle.replay_rows import REQUIRED, ColumnMap, parse_mapping, parse_time
from stepcheck.oracle.replay_scan import BlockState, scan_block
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.spec.loader import load_spec

MAPPING = parse_mapping(["status=status,owner=owner"])
NAMES = ["case", "time", "event", "status", "owner"]
_FIELDS = (
    "files",
    "file_names",
    "file_of",
    "row",
    "line",
    "readable",
    "malformed",
    "case",
    "case_names",
    "instant",
    "local",
    "event",
    "event_names",
    "status",
    "status_names",
    "owner",
    "owner_names",
    "has_facts",
    "source",
)
_PRINTABLE = "".join(chr(code) for code in range(0x21, 0x7F) if chr(code) not in ',"')
_INSIDE = _PRINTABLE + " \t\x01\x0b\x1f\x7f"
_LAYOUTS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")
_ZONES = ("", "Z", "+00:00", "+01:00", "-05:30", "+23:59", "-23:59")
_CHANGES = (datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2000, 3, 26))


def assert_same(got: ColumnLog, expected: ColumnLog) -> None:
    """Every field equal: arrays in value and dtype, the rest by `==`."""
    for name in _FIELDS:
        found, wanted = getattr(got, name), getattr(expected, name)
        if isinstance(wanted, np.ndarray):
            assert found.dtype == wanted.dtype, name
            assert np.array_equal(found, wanted), name
        else:
            assert found == wanted, name


def both(
    data: bytes, names: list[str], mapping: ColumnMap, case_id=str, first_row: int = 1
) -> tuple[ColumnLog | None, ColumnLog | None]:
    """(the scanner's reading, pyarrow's reading), and they agree when both read."""
    scanned = scan_block(data, names, mapping, case_id, name="log.csv", first_row=first_row)
    expected = csv_block(
        data, names, mapping, case_id, name="log.csv", first_row=first_row, scanner=False
    )
    if scanned is not None:
        assert expected is not None, "the scanner took what pyarrow refuses"
        assert_same(scanned, expected)
        assert_same(
            csv_block(data, names, mapping, case_id, name="log.csv", first_row=first_row),
            expected,
        )
    return scanned, expected


@st.composite
def _time(draw: st.DrawFn, plain: bool = True) -> str:
    """A time in any layout; when `plain`, never in the hour the clocks skip."""
    if draw(st.booleans()):
        moment = draw(st.sampled_from(_CHANGES)) + timedelta(minutes=draw(st.integers(0, 1440)))
    else:
        moment = draw(st.datetimes(datetime(2000, 1, 1), datetime(2100, 12, 31, 23, 59, 59)))
    text = moment.strftime(draw(st.sampled_from(_LAYOUTS))) + draw(st.sampled_from(_ZONES))
    if plain and isinstance(parse_time(text), str):
        return text + "Z"
    return text


def _value(inside: str = _PRINTABLE, edges: str = _PRINTABLE) -> st.SearchStrategy[str]:
    """A non-empty value: printable edges, `inside` between them."""
    return st.builds(
        lambda first, middle, last: first + middle + last,
        st.text(edges, min_size=1, max_size=1),
        st.text(inside, max_size=6),
        st.sampled_from(["", *edges[:20]]),
    )


@st.composite
def plain_blocks(draw: st.DrawFn) -> tuple[bytes, list[str], ColumnMap, object]:
    """A block the scanner must take: its lines, header names, mapping and case ids."""
    optional = draw(st.lists(st.sampled_from(["status", "owner", "actor"]), unique=True))
    mapped = [*REQUIRED, *optional]
    extra = draw(st.integers(0, 3))
    names = [f"log_{name}" for name in mapped] + [f"extra{i}" for i in range(extra)]
    names = draw(st.permutations(names))
    cases = draw(st.lists(_value(), min_size=1, max_size=6, unique=True))
    events = draw(st.lists(_value(), min_size=1, max_size=5, unique=True))
    others = draw(st.lists(st.one_of(st.just(""), _value()), min_size=1, max_size=4))
    renamed = {event: draw(st.sampled_from(["x", event, "y"])) for event in events[:2]}
    mapping = ColumnMap(
        columns={name: f"log_{name}" for name in mapped},
        given=frozenset(optional),
        events=renamed,
    )
    lines = []
    for _ in range(draw(st.integers(1, 12))):
        value = {
            "log_case": draw(st.sampled_from(cases)),
            "log_time": draw(_time()),
            "log_event": draw(st.sampled_from(events)),
        }
        row = [value.get(name) or draw(st.sampled_from(others)) for name in names]
        for at, name in enumerate(names):
            if name.startswith("extra"):
                row[at] = draw(st.text(_INSIDE, max_size=4))
        lines.append(",".join(row))
    ending = draw(st.sampled_from(["\n", ""]))
    case_id = draw(st.sampled_from([str, lambda case: case[:1], pseudonymiser(b"key")]))
    return ("\n".join(lines) + ending).encode(), names, mapping, case_id


@settings(max_examples=300, deadline=None)
@given(block=plain_blocks(), first_row=st.integers(1, 10**6))
def test_plain_blocks_are_scanned_as_pyarrow_reads_them(block, first_row):
    data, names, mapping, case_id = block
    scanned, expected = both(data, names, mapping, case_id, first_row)
    assert expected is not None
    assert scanned is not None, "the scanner refused a plain block"


_ODDITIES = (
    '"',
    "\r",
    "\x00",
    "\n",
    "\n\n",
    ",",
    " ",
    "\t",
    "\x0b",
    "\x1c",
    "\x7f",
    "é",
    "\xa0",
    "\ufeff",
    "Z",
    "+01:00",
    ":00",
    "0",
)
_ODD_TIMES = (
    "2026-02-30T09:00",
    "2026-02-29T09:00",
    "2024-02-29T09:00",
    "2100-02-29T09:00",
    "2000-02-29T09:00",
    "1999-12-31T23:59",
    "2101-01-01T00:00",
    "2000-01-01T00:30+01:00",
    "2100-12-31T23:30-01:00",
    "2026-03-29T01:30",
    "2026-03-29 01:00:00",
    "2026-03-29T00:59:59",
    "2026-03-29T02:00",
    "2026-10-25T01:30",
    "2026-10-25T00:59",
    "2026-10-25T02:00",
    "2026-01-05T24:00",
    "2026-01-05T09:60",
    "2026-01-05T09:00:60",
    "2026-01-05T09:00+24:00",
    "2026-01-05T09:00-00:60",
    "2026-13-05T09:00",
    "2026-00-05T09:00",
    "2026-01-00T09:00",
    "2026-01-05t09:00",
    "2026-01-05T09:00z",
    "2026-01-05T09:00+0100",
    "2026-01-05T09:00:00.5",
    "2026/01/05T09:00",
    "2026-01-05",
    " 2026-01-05T09:00",
    "2026-01-05T09:00 ",
    "+026-01-05T09:00",
    "2026-01-05T09:00+01",
    "2026-01-05T09:00:00+01:00Z",
)


def _with_times(times: list[str]) -> bytes:
    return "".join(f"c{i % 3},{time},refer,,\n" for i, time in enumerate(times)).encode()


@pytest.mark.parametrize("time", _ODD_TIMES)
def test_times_are_refused_exactly_when_pyarrow_refuses_them(time):
    scanned, expected = both(_with_times(["2026-01-05T09:00", time]), NAMES, MAPPING)
    assert (scanned is None) == (expected is None)


@settings(max_examples=300, deadline=None)
@given(times=st.lists(_time(plain=False), min_size=1, max_size=8))
def test_times_in_any_layout_are_read_as_pyarrow_reads_them(times):
    scanned, expected = both(_with_times(times), NAMES, MAPPING)
    assert (scanned is None) == (expected is None)


_TIME_BYTES = "0123456789-:T Z+/.;@"
"""What a time's bytes are changed to: its own kinds, and their neighbours in ASCII
(the digit and separator checks work on whole words)."""


@settings(max_examples=400, deadline=None)
@given(
    times=st.lists(
        st.one_of(_time(plain=False), changed(_time(plain=False), _TIME_BYTES, 2)),
        min_size=1,
        max_size=4,
    )
)
def test_times_with_a_byte_changed_are_read_or_refused_as_pyarrow_does(times):
    """`replay_scan_times` reads a time from three words of it; any byte it ignores
    would show here as a time read that `parse_times` refuses, or read otherwise."""
    scanned, expected = both(_with_times(times), NAMES, MAPPING)
    assert (scanned is None) == (expected is None)


_EVERY_LAYOUT = (
    "2026-07-05T09:23",
    "2026-07-05 09:23Z",
    "2026-07-05T09:23:41",
    "2026-07-05T09:23:41Z",
    "2026-07-05T09:23+01:00",
    "2026-07-05T09:23:41-05:30",
)


def test_every_byte_of_every_layout_is_checked():
    """Each byte of a time of each width, made a digit where a mark goes and a mark
    where a digit goes (or the nearest bytes past '0' and '9'), is refused or read
    exactly as pyarrow's path does: no byte goes unread."""
    for time in _EVERY_LAYOUT:
        for at, byte in enumerate(time):
            for other in (":", "/", ";") if byte.isdigit() else ("0", "/"):
                changed = time[:at] + other + time[at + 1 :]
                if changed == time:
                    continue
                scanned, expected = both(_with_times([time, changed]), NAMES, MAPPING)
                assert (scanned is None) == (expected is None), changed


@st.composite
def unusual_blocks(draw: st.DrawFn) -> tuple[bytes, list[str], ColumnMap, object]:
    """A plain block with oddities put in: bytes, odd times, emptied or cut fields."""
    data, names, mapping, case_id = draw(plain_blocks())
    text = data.decode()
    for _ in range(draw(st.integers(1, 3))):
        match draw(st.sampled_from(["insert", "time", "empty", "cut"])):
            case "insert":
                at = draw(st.integers(0, len(text)))
                text = text[:at] + draw(st.sampled_from(_ODDITIES)) + text[at:]
            case "time":
                lines = text.split("\n")
                line = draw(st.integers(0, len(lines) - 1))
                fields = lines[line].split(",")
                if "log_time" in names and len(fields) == len(names):
                    fields[names.index("log_time")] = draw(
                        st.one_of(st.sampled_from(_ODD_TIMES), _time(plain=False))
                    )
                lines[line] = ",".join(fields)
                text = "\n".join(lines)
            case "empty" | "cut":
                fields = text.split(",")
                at = draw(st.integers(0, len(fields) - 1))
                fields[at] = "" if draw(st.booleans()) else fields[at][:1]
                text = ",".join(fields)
    return text.encode(), names, mapping, case_id


@settings(max_examples=500, deadline=None)
@given(block=unusual_blocks())
def test_unusual_blocks_are_refused_or_read_as_pyarrow_reads_them(block):
    both(*block)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=200), fields=st.integers(1, 6))
def test_any_bytes_are_refused_or_read_as_pyarrow_reads_them(data, fields):
    both(data, NAMES[:fields] if fields >= 3 else ["case", "time", "event"][:fields], MAPPING)
    both(data, [*NAMES, "x"][: max(fields, 3)], MAPPING)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\n",
        b'c1,"2026-01-05T09:00",refer,,\n',  # a quote
        b"c1,2026-01-05T09:00,refer,,\r\n",  # a carriage return
        b"c1,2026-01-05T09:00,refer,,\n\nc2,2026-01-05T09:00,refer,,\n",  # a blank line
        b"c1,2026-01-05T09:00,refer,,\n\n",  # a blank last line
        b"c1 ,2026-01-05T09:00,refer,,\n",  # a value to strip
        b"c\xff,2026-01-05T09:00,refer,,\n",  # not UTF-8
        b"c1,2026-01-05T09:00,refer\n",  # a short line
        b"c1,2026-01-05T09:00,refer,,,\n",  # a long line
        b",2026-01-05T09:00,refer,,\n",  # no case
        b"c1,2026-03-29T01:30,refer,,\n",  # a time the clocks skip
        b"c\xc2\xa0,2026-01-05T09:00,refer,,\n",  # a no-break space Python strips
        b"c1,2026-01-05T09:00,refer,\x01x,\n",  # a control byte at a mapped value's edge
        b"c1,2026-01-05T09:00,refer," + b"x" * 70_000 + b",\n",  # longer than the scanner takes
    ],
)
def test_unusual_lines_are_left_to_pyarrow(body):
    assert scan_block(body, NAMES, MAPPING, str, name="log.csv", first_row=1) is None
    both(body, NAMES, MAPPING)


_ALIKE = "case-0123456789abcdefghij"


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.integers(0, len(_ALIKE)), st.text("ab", max_size=12)).map(
            lambda pair: _ALIKE[: pair[0]] + pair[1] or "z"
        ),
        min_size=4,
        max_size=40,
    ),
    ending=st.sampled_from(["\n", ""]),
)
def test_names_alike_in_their_first_16_bytes_are_told_apart(values, ending):
    """Names are compared past the two words a slot holds, and near the block's end."""
    lines = [
        f"{values[i]},2026-01-05T09:00,{values[i - 1]},{values[i - 2]},{values[i - 3]}"
        for i in range(len(values))
    ]
    scanned, _ = both(("\n".join(lines) + ending).encode(), NAMES, MAPPING)
    assert scanned is not None
    assert len(scanned.case_names) == len(set(values))


def test_a_missing_column_is_left_to_pyarrow():
    body = b"c1,2026-01-05T09:00,refer\n"
    assert scan_block(body, NAMES[:3], MAPPING, str, name="log.csv", first_row=1) is None


def test_many_distinct_names_grow_the_dictionaries():
    lines = [
        f"case-{i % 5000},2026-01-{1 + i % 28:02d}T09:{i % 60:02d},event{i % 700},s{i % 3},"
        for i in range(12_000)
    ]
    scanned, _ = both(("\n".join(lines) + "\n").encode(), NAMES, MAPPING)
    assert scanned is not None
    assert len(scanned.case_names) == 5000


def test_a_simulated_authority_reads_and_replays_the_same(tmp_path):
    spec = load_spec(Path("spec/authorities/devon.yaml"))
    log = tmp_path / "devon.csv"
    text = render_log(simulate(spec, cases=200, seed=1))
    log.write_text(text, encoding="utf-8")
    header, _, body = text.encode().partition(b"\n")
    assert scan_block(body, header.decode().split(","), MAPPING, str, name="x", first_row=1)
    scanned = read_csv_columns([log], MAPPING)
    expected = read_csv_columns([log], MAPPING, scanner=False)
    assert scanned is not None
    assert expected is not None
    assert_same(scanned, expected)
    assert _outputs(replay_vector(spec, scanned)) == _outputs(replay_vector(spec, expected))


@settings(max_examples=60, deadline=None)
@given(
    middles=st.lists(st.text(_PRINTABLE, min_size=0, max_size=30), min_size=1, max_size=12),
    picks=st.lists(st.integers(0, 11), min_size=1, max_size=40),
)
def test_long_values_alike_at_both_ends_are_told_apart(middles, picks):
    """Values over 16 bytes are hashed by their first 16 and last 8 bytes only: ones
    that differ only in the middle must still get their own codes (pyarrow's)."""
    values = [f"same-first-16-by{middle}tes-last8" for middle in middles]
    rows = [values[pick % len(values)] for pick in picks]
    lines = "".join(f"C{i % 3},2026-01-05T09:00Z,{v},{v[::-1]},{v}\n" for i, v in enumerate(rows))
    scanned, _expected = both(lines.encode(), NAMES, MAPPING)
    assert scanned is not None
    assert len(scanned.event_names) == len(set(rows))


@settings(max_examples=40, deadline=None)
@given(blocks=st.lists(plain_blocks(), min_size=1, max_size=4))
def test_blocks_scanned_with_one_state_agree_with_fresh_scans(blocks):
    """A long log's blocks share a `BlockState`: case ids numbered for the whole log,
    the dictionaries' memory reused; every other column is a fresh scan's."""
    state = BlockState()
    numbers: dict[str, int] = {}
    for data, names, mapping, case_id in blocks:
        fresh = scan_block(data, names, mapping, case_id, name="log.csv", first_row=1)
        shared = scan_block(data, names, mapping, case_id, name="log.csv", first_row=1, state=state)
        assert fresh is not None
        assert shared is not None
        expected = [numbers.setdefault(fresh.case_names[c], len(numbers)) for c in fresh.case]
        assert shared.case.tolist() == expected
        assert list(shared.case_names) == list(numbers)
        for name in ("instant", "local", "event", "status", "owner", "row", "line"):
            assert np.array_equal(getattr(shared, name), getattr(fresh, name)), name
        assert shared.event_names == fresh.event_names
