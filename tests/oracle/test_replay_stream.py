"""A log replayed in blocks and shares (`replay_stream`) against the compiled engine.

Blocks of a few hundred bytes (a few rows, cut anywhere in a line) and several shares
make every boundary the streaming path has show on small simulated logs; the report
must still be the compiled engine's on the whole log, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_replay_columns_parquet import _table
from test_replay_compiled import MAPPING, NAMES, SHIPPED, _fuzzed
from test_replay_vector import _EDITS, _outputs

from stepcheck.oracle import replay_stream, replay_stream_csv
from stepcheck.oracle.replay_case_table import CaseTable, numbered
from stepcheck.oracle.replay_columns import ColumnLog, file_columns
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_engine import rule_index
from stepcheck.oracle.replay_pages import without_cycle_collection
from stepcheck.oracle.replay_read import LogFile, read_logs
from stepcheck.oracle.replay_simulate import PLANT_KINDS, render_log, simulate
from stepcheck.oracle.replay_size import PARQUET_ROW_BYTES, log_bytes
from stepcheck.oracle.replay_spill import HELD, RECORD, Spill, _recoded
from stepcheck.oracle.replay_stream import replay_streamed
from stepcheck.spec.model import Reading


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    simulated_as=st.tuples(st.sampled_from(NAMES), st.integers(min_value=0, max_value=2**16)),
    changes=st.tuples(st.lists(st.sampled_from(PLANT_KINDS), unique=True, max_size=3), _EDITS),
    sizes=st.tuples(
        st.integers(min_value=1, max_value=700),
        st.integers(1, 4),
        st.sampled_from([0, 5 * RECORD.itemsize, HELD]),  # on disk, from part way, held
    ),
    ending=st.tuples(st.sampled_from([Reading.SHOULD, Reading.MUST]), st.booleans()),
)
def test_blocks_and_shares_give_the_whole_logs_report(
    tmp_path, simulated_as, changes, sizes, ending
):
    """Any block size and number of shares give the compiled engine's report, whatever
    the column readers make of the log (`test_replay_stream_rows` changes its text too)."""
    name, seed = simulated_as
    spec = SHIPPED[name]
    plants, edits = changes
    reading, early_end = ending
    simulated = simulate(spec, cases=8, seed=seed, plants=tuple(plants))
    header, *lines = render_log(simulated).splitlines()
    log = tmp_path / f"{name}-{seed}.csv"
    log.write_text("\n".join([header, *_fuzzed(lines, edits, spec)]) + "\n", encoding="utf-8")
    as_of = simulated.rows[len(simulated.rows) // 2].local if early_end else None
    expected = _outputs(
        replay_compiled(spec, read_logs([log], MAPPING), reading=reading, as_of=as_of)
    )

    got = replay_streamed(
        spec, [log], MAPPING, reading=reading, as_of=as_of, block_bytes=sizes[0],
        shares=sizes[1], held=sizes[2],
    )  # fmt: skip

    assert got is not None
    assert _outputs(got) == expected


def test_a_batch_of_seven_rows_gives_the_same_report(tmp_path):
    """Every authority's planted log, in Parquet batches of 7 rows and CSV blocks of
    about 7 rows, over 3 shares, split over a CSV and a Parquet file."""
    for name in NAMES:
        spec = SHIPPED[name]
        header, *lines = render_log(
            simulate(spec, cases=12, seed=6, plants=PLANT_KINDS)
        ).splitlines()
        first = tmp_path / f"{name}.csv"
        first.write_text("\n".join([header, *lines[::2]]) + "\n", encoding="utf-8")
        second = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table(_table([header, *lines[1::2]])), second)
        expected = _outputs(replay_compiled(spec, read_logs([first, second], MAPPING)))

        got = replay_streamed(
            spec, [first, second], MAPPING, block_bytes=7 * 64, shares=3, held=20 * 40
        )

        assert got is not None
        assert _outputs(got) == expected


def test_a_log_with_no_newline_at_its_end_streams_as_it_reads(tmp_path):
    """The last line without a newline is a row, whether the column readers take it
    or (a quote in it) the row reader does."""
    spec = SHIPPED["devon"]
    text = render_log(simulate(spec, cases=5, seed=2)).rstrip("\n")
    for last in (text, text + ',"x"'):
        log = tmp_path / "log.csv"
        log.write_text(last, encoding="utf-8")

        got = replay_streamed(spec, [log], MAPPING, block_bytes=50, shares=2)

        assert got is not None
        assert _outputs(got) == _outputs(replay_compiled(spec, read_logs([log], MAPPING)))


def test_a_missing_file_is_handed_back(tmp_path):
    """A missing file is handed back to the row reader, which reports it."""
    assert replay_streamed(SHIPPED["devon"], [Path(tmp_path / "missing.csv")], MAPPING) is None


def test_an_unreadable_log_is_handed_back(tmp_path, monkeypatch):
    """A log that cannot be read part way goes back to the row reader, which says why."""
    spec = SHIPPED["devon"]
    log = tmp_path / "log.csv"
    log.write_text(render_log(simulate(spec, cases=3, seed=1)), encoding="utf-8")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("refused")

    monkeypatch.setattr(Path, "open", refuse)

    assert replay_streamed(spec, [log], MAPPING) is None


def test_names_are_coded_once_for_the_whole_log():
    """Codes shared across blocks: a name keeps its first code, a name repeated within
    one block's names gets one code, and 'not recorded' (-1) stays -1."""
    shared: dict[str, int] = {}
    first = _recoded(np.array([0, 1, 1, -1]), ("a", "b"), shared)
    assert first.tolist() == [0, 1, 1, -1]
    again = _recoded(np.array([0, 1, 2, 3]), ("c", "a", "d", "c"), shared)
    assert again.tolist() == [2, 0, 3, 2]
    assert shared == {"a": 0, "b": 1, "c": 2, "d": 3}


def test_a_parquet_log_weighs_its_rows_not_its_compressed_bytes(tmp_path):
    rows = 1000
    table = pa.table({"case": ["C1"] * rows, "time": ["2026-01-05T09:00"] * rows})
    pq.write_table(table, tmp_path / "log.parquet")
    (tmp_path / "log.csv").write_text("case,time\nC1,2026-01-05T09:00\n")
    (tmp_path / "log.txt").write_text("twelve bytes")
    (tmp_path / "broken.parquet").write_text("not parquet")
    paths = [tmp_path / name for name in ("log.parquet", "log.csv", "log.txt", "broken.parquet")]
    assert log_bytes(paths[:1]) == rows * PARQUET_ROW_BYTES
    on_disk = sum(path.stat().st_size for path in paths[1:])
    assert log_bytes(paths[1:]) == on_disk  # whatever the reader will say of them
    assert log_bytes([tmp_path / "missing.csv"]) == 0
    assert log_bytes(paths[:1], "csv") == (tmp_path / "log.parquet").stat().st_size


def _block(rows: list[int], lines: list[int], cases: list[int]) -> ColumnLog:
    size = len(rows)
    codes = {
        "case": (np.array(cases, np.int64), ("a", "b", "c")),
        "event": (np.zeros(size, np.int64), ("refer",)),
        "status": (np.full(size, -1, np.int64), ()),
        "owner": (np.full(size, -1, np.int64), ()),
    }
    times = np.arange(size, dtype=np.int64) * 60_000_000
    block = file_columns("log.csv", rows[0], 1, codes, (times, times))
    return evolve(block, row=np.array(rows, np.int64), line=np.array(lines, np.int64))


@pytest.mark.parametrize("held", [0, 3 * RECORD.itemsize, HELD])
def test_shares_read_back_every_row_with_its_place(tmp_path, held):
    """Two files (the first in two blocks, one with no rows between): each share's rows
    come back in reading order, with their file, row and line, whether its records were
    on disk, held, or went to disk part way."""
    rules = rule_index(SHIPPED["devon"], Reading.SHOULD)
    spill = Spill(tmp_path, 2, rules, CaseTable(), held=held)
    assert spill.add(_block([1, 2, 3], [2, 3, 4], [0, 1, 2]), 0)
    assert spill.add(_block([4, 5], [5, 6], [1, 1]), 0)
    assert spill.add(_block([1, 2], [1, 2], [2, 0]), 2)  # file 1 had no rows
    spill.close()
    files = (LogFile(name="a", rows=5), LogFile(name="b", rows=0), LogFile(name="c", rows=2))
    shares = list(spill.shares(files))
    places = [
        list(zip(s.file_of.tolist(), s.row.tolist(), s.line.tolist(), strict=True)) for s in shares
    ]
    assert places == [
        [(0, 1, 2), (0, 3, 4), (2, 1, 1), (2, 2, 2)],
        [(0, 2, 3), (0, 4, 5), (0, 5, 6)],
    ]
    assert [s.case.tolist() for s in shares] == [[0, 1, 1, 0], [0, 0, 0]]  # n // shares


def test_rows_that_do_not_follow_on_are_refused(tmp_path):
    """A block whose rows skip one is not spilled (`replay_streamed` then reads the log
    whole); lines may skip (blank lines, records over several lines)."""
    rules = rule_index(SHIPPED["devon"], Reading.SHOULD)
    spill = Spill(tmp_path, 2, rules, CaseTable())
    assert not spill.add(_block([1, 3], [2, 4], [0, 1]), 0)
    assert spill.add(_block([1, 2], [2, 4], [0, 1]), 0)
    assert not spill.add(_block([4], [5], [0]), 0)
    assert spill.add(_block([3, 4], [7, 8], [0, 1]), 0)
    spill.close()
    files = (LogFile(name="a", rows=4),)
    lines = sorted(line for share in spill.shares(files) for line in share.line.tolist())
    assert lines == [2, 4, 7, 8]
    assert spill.shifts == [(0, 1), (1, 2), (2, 4)]


@pytest.mark.parametrize("limits", [(100, 100), (100, 4096), (100, 150), (4096, 4096)])
def test_shares_stay_within_the_open_files_allowed(tmp_path, monkeypatch, limits):
    """A log that would make more shares than files may be open makes only as many as
    fit (raising the soft limit to the hard one first), and its report is still the
    compiled engine's: never a log read whole for want of file handles."""
    spec = SHIPPED["devon"]
    header, *lines = render_log(simulate(spec, cases=40, seed=3)).splitlines()
    log = tmp_path / "log.csv"
    log.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    expected = _outputs(replay_compiled(spec, read_logs([log], MAPPING)))
    asked: list[tuple[int, int]] = []
    monkeypatch.setattr(replay_stream.resource, "getrlimit", lambda _: tuple(limits))
    monkeypatch.setattr(replay_stream.resource, "setrlimit", lambda _, pair: asked.append(pair))
    monkeypatch.setattr(replay_stream, "SHARE_BYTES", 200)  # 150 shares: few enough to open
    counts: list[int] = []
    real = Spill.__init__

    def counted(self, folder, count, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts.append(count)
        real(self, folder, count, *args, **kwargs)

    monkeypatch.setattr(Spill, "__init__", counted)

    got = replay_streamed(spec, [log], MAPPING, block_bytes=500, held=0)

    assert got is not None
    assert _outputs(got) == expected
    soft, hard = limits
    wanted = -(-log.stat().st_size // 200)
    assert counts == [min(wanted, max(soft, min(hard, wanted + 64)) - 64)]
    assert asked == ([] if hard == soft else [(min(hard, wanted + 64), hard)])


@pytest.mark.parametrize("collected", [True, False])
def test_a_block_held_by_uncollected_garbage_does_not_stop_the_replay(
    tmp_path, monkeypatch, collected
):
    """A view of a mapped block held in a reference cycle while the cycle collector is
    paused (a Numba compile leaves its call's arguments in such garbage), or held for
    good, still gives the whole log's report, not an error on closing the mapping."""
    spec = SHIPPED["devon"]
    log = tmp_path / "log.csv"
    log.write_text(render_log(simulate(spec, cases=20, seed=4)), encoding="utf-8")
    expected = _outputs(replay_compiled(spec, read_logs([log], MAPPING)))
    kept: list[object] = []
    scan = replay_stream_csv.csv_block

    def held(data: memoryview, *args: object, **kwargs: object) -> object:
        cycle: list[object] = [np.frombuffer(data, np.uint8)]
        cycle.append(cycle)  # garbage only the cycle collector frees
        if not collected:
            kept.append(cycle)
        return scan(data, *args, **kwargs)

    monkeypatch.setattr(replay_stream_csv, "csv_block", held)
    with without_cycle_collection():
        got = replay_streamed(spec, [log], MAPPING, block_bytes=400, shares=2)

    assert got is not None
    assert _outputs(got) == expected
    kept.clear()


_HOUR = 3_600_000_000
_MANY = tuple(f"event-{i}" for i in range(2**15 + 10))
"""More event names than a compact record's 16-bit codes hold."""

_Rows = tuple[list[int], list[int], list[int], list[int], bool]


@st.composite
def _spilled_blocks(draw: st.DrawFn) -> list[_Rows]:
    """Blocks of rows as (cases, event codes, instants, local times, whether the block
    names all of `_MANY`, past a compact record's codes); some local times are neither
    the instant nor an hour after it."""
    blocks = []
    for _ in range(draw(st.integers(1, 4))):
        size = draw(st.integers(1, 12))
        many = draw(st.integers(0, 3)) == 0
        sized = {"min_size": size, "max_size": size}
        events = draw(st.lists(st.integers(0, len(_MANY) - 1 if many else 2), **sized))
        instants = draw(st.lists(st.integers(0, 2**40), **sized))
        shifts = draw(st.lists(st.sampled_from([0, _HOUR, 0, _HOUR, 1, -_HOUR]), **sized))
        cases = draw(st.lists(st.integers(0, 5), **sized))
        local = [instant + shift for instant, shift in zip(instants, shifts, strict=True)]
        blocks.append((cases, events, instants, local, many))
    return blocks


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(blocks=_spilled_blocks(), count=st.integers(1, 3), held=st.sampled_from([0, 120, HELD]))
def test_every_row_comes_back_from_compact_or_wide_records(tmp_path, blocks, count, held):
    """Rows come back from the shares as they went in, field by field, in reading
    order: in 24-byte records while codes and local times fit, in 40-byte ones from the
    first block they do not; held, on disk, or going to disk part way (120 bytes)."""
    folder = tmp_path / str(len(list(tmp_path.iterdir())))
    folder.mkdir()
    table = CaseTable()
    spill = Spill(folder, count, rule_index(SHIPPED["devon"], Reading.SHOULD), table, held=held)
    rows: list[tuple[int, str, str, int, int]] = []
    for cases, events, instants, local, many in blocks:
        size = len(cases)
        codes = {
            "case": (np.array(cases, np.int64), tuple("abcdef")),
            "event": (np.array(events, np.int64), _MANY if many else _MANY[:3]),
            "status": (np.full(size, -1, np.int64), ()),
            "owner": (np.full(size, -1, np.int64), ()),
        }
        times = (np.array(instants, np.int64), np.array(local, np.int64))
        assert spill.add(
            numbered(file_columns("log.csv", len(rows) + 1, 1, codes, times), table), 0
        )
        rows += [
            (len(rows) + i + 1, "abcdef"[cases[i]], _MANY[events[i]], instants[i], local[i])
            for i in range(size)
        ]
    spill.close()
    fits = not any(block[4] for block in blocks) and all(
        at - instant in (0, _HOUR) for _, _, instants, local, _ in blocks
        for instant, at in zip(instants, local, strict=True)
    )  # fmt: skip
    assert spill.compact == fits

    got = sorted(
        (row, share.case_names[case], share.event_names[event], instant, at)
        for share in spill.shares((LogFile(name="log.csv", rows=len(rows)),))
        for row, case, event, instant, at in zip(
            share.row.tolist(),
            share.case.tolist(),
            share.event.tolist(),
            share.instant.tolist(),
            share.local.tolist(),
            strict=True,
        )
    )

    assert got == rows
    assert not list(folder.iterdir())  # every share's files read, then gone
