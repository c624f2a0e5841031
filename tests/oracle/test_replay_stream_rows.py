"""Long logs with anything in them stream: what the column readers are not sure of is
read by the row reader, a block at a time, and the report is still the compiled
engine's on the whole log, byte for byte.

CSV text is changed at the byte level (quoted fields, quoted commas and line breaks,
doubled quotes, CRLF and lone CR line ends, blank lines, a byte-order mark, short and
long rows, bytes that are not UTF-8, NUL), on top of the row-level edits of
`test_replay_compiled._fuzzed`; JSON Lines, XES and Parquet with unusual rows stream
too. Blocks of a few bytes to a few rows make every boundary show.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_replay_columns_parquet import _table
from test_replay_compiled import MAPPING, NAMES, SHIPPED, _fuzzed
from test_replay_vector import _EDITS, _outputs

from stepcheck.oracle import replay_row_blocks, replay_stream_csv
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_simulate import PLANT_KINDS, render_log, simulate
from stepcheck.oracle.replay_simulate_formats import in_format, log_bytes
from stepcheck.oracle.replay_spill import HELD, RECORD
from stepcheck.oracle.replay_stream import replay_streamed
from stepcheck.spec.model import Reading

_TEXT_EDITS = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 10**6), st.integers(0, 10**6)), max_size=5
)


_INSIDE = (b",", b"\n", b'""', b"\r\n")
_FIELD_EDITS = (
    lambda value, _: b'"' + value + b'"',  # quoted whole
    lambda value, other: b'"' + value + _INSIDE[other % 4] + b'x"',  # quoted separator
    lambda value, _: value + b"\r",  # a lone carriage return
    lambda value, _: value + b"\xff",  # a byte that is not UTF-8
    lambda value, _: value + b"\x00",  # NUL
    lambda value, _: value[:1] + b'"' + value[1:],  # a quote inside an unquoted field
    lambda value, _: b" " + value + b" ",  # spaces about a value
    lambda value, _: b'"' + value,  # left open: the quote runs on over the next lines
    lambda value, _: value + "é".encode(),  # not ASCII
)


def _texts(lines: list[str], edits: list[tuple[int, int, int]]) -> list[bytes]:
    """Each (kind, line, other) edit applied to the data lines, as bytes: a field
    changed (`_FIELD_EDITS`), or a CRLF line end, blank lines before the line, a
    field missing or one too many."""
    rows = [line.encode() for line in lines]
    for kind, at, other in edits:
        if not rows:
            break
        index = at % len(rows)
        fields = rows[index].split(b",")
        if kind < len(_FIELD_EDITS):
            field = other % len(fields)
            fields[field] = _FIELD_EDITS[kind](fields[field], other)
        elif kind == len(_FIELD_EDITS):
            fields[-1] += b"\r"
        elif kind == len(_FIELD_EDITS) + 1:
            rows.insert(index, b"\n" * (other % 3))
            continue
        else:
            fields = fields[:-1] if other % 2 else [*fields, b"extra"]
        rows[index] = b",".join(fields)
    return rows


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    simulated_as=st.tuples(
        st.sampled_from(NAMES),
        st.integers(min_value=0, max_value=2**16),
        st.sampled_from([Reading.SHOULD, Reading.MUST]),
    ),
    changes=st.tuples(
        st.lists(st.sampled_from(PLANT_KINDS), unique=True, max_size=3),
        _EDITS,
        _TEXT_EDITS,
        st.booleans(),
    ),
    sizes=st.tuples(
        st.integers(min_value=1, max_value=900),
        st.integers(1, 4),
        st.sampled_from([0, 5 * RECORD.itemsize, HELD]),
        st.sampled_from([2, 5, replay_row_blocks.ROWS]),
        st.sampled_from([1, 60, replay_stream_csv.SMALLEST]),
    ),
)
def test_any_csv_streams_to_the_whole_logs_report(
    tmp_path, monkeypatch, simulated_as, changes, sizes
):
    """Rows edited, then their text, with a byte-order mark or not; blocks of any size,
    tried again smaller down to any size when refused."""
    name, seed, reading = simulated_as
    spec = SHIPPED[name]
    plants, edits, text_edits, marked = changes
    header, *lines = render_log(
        simulate(spec, cases=8, seed=seed, plants=tuple(plants))
    ).splitlines()
    body = b"\n".join([header.encode(), *_texts(_fuzzed(lines, edits, spec), text_edits)])
    log = tmp_path / f"{name}-{seed}.csv"
    log.write_bytes((b"\xef\xbb\xbf" if marked else b"") + body + b"\n")
    expected = _outputs(replay_compiled(spec, read_logs([log], MAPPING), reading=reading))
    monkeypatch.setattr(replay_row_blocks, "ROWS", sizes[3])
    monkeypatch.setattr(replay_stream_csv, "SMALLEST", sizes[4])

    got = replay_streamed(
        spec, [log], MAPPING, reading=reading, block_bytes=sizes[0], shares=sizes[1],
        held=sizes[2],
    )  # fmt: skip

    assert got is not None
    assert _outputs(got) == expected


def test_every_format_streams_with_unusual_rows(tmp_path, monkeypatch):
    """JSON Lines, XES and Parquet (a batch with a bad time, a null case) beside CSV,
    in one log, rows numbered per file and reported in reading order."""
    monkeypatch.setattr(replay_row_blocks, "ROWS", 7)
    for name in NAMES:
        spec = SHIPPED[name]
        simulated = simulate(spec, cases=10, seed=4, plants=PLANT_KINDS)
        paths = []
        for log_format in ("jsonl", "xes"):
            path = tmp_path / f"{name}.{log_format}"
            path.write_bytes(log_bytes(in_format(simulated, log_format), log_format))
            paths.append(path)
        header, *lines = render_log(simulated).splitlines()
        lines[3] = lines[3].replace("2026", "2O26", 1)
        table = pa.table(_table([header, *lines]))
        cases = table.column("case").to_pylist()
        cases[5] = None
        table = table.set_column(0, "case", pa.array(cases, pa.string()))
        parquet = tmp_path / f"{name}.parquet"
        pq.write_table(table, parquet)
        paths.append(parquet)
        text = tmp_path / f"{name}.csv"
        text.write_text("\n".join([header, *[f'"{line}"' for line in lines[:9]]]) + "\n")
        paths.append(text)
        expected = _outputs(replay_compiled(spec, read_logs(paths, MAPPING)))

        got = replay_streamed(spec, paths, MAPPING, block_bytes=7 * 64, shares=3, held=0)

        assert got is not None
        assert _outputs(got) == expected


def test_a_header_that_is_not_csv_or_lacks_a_column_is_handed_back(tmp_path):
    """The row reader then says what is wrong with it (exit 2)."""
    spec = SHIPPED["devon"]
    header, *lines = render_log(simulate(spec, cases=3, seed=1)).splitlines()
    missing = tmp_path / "missing.csv"
    missing.write_text("\n".join([header.replace("event", "step"), *lines]) + "\n")
    assert replay_streamed(spec, [missing], MAPPING) is None


def test_empty_files_stream_as_no_rows(tmp_path):
    spec = SHIPPED["devon"]
    text = render_log(simulate(spec, cases=4, seed=2))
    paths = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv", tmp_path / "d.jsonl"]
    paths[0].write_text("")
    paths[1].write_text(text)
    paths[2].write_text(text.splitlines()[0] + "\n")
    paths[3].write_text("")
    expected = _outputs(replay_compiled(spec, read_logs(paths, MAPPING)))

    got = replay_streamed(spec, paths, MAPPING, block_bytes=100, shares=2)

    assert got is not None
    assert _outputs(got) == expected


@pytest.mark.parametrize("odd", ["doubled", "cr"])
def test_rows_are_read_by_the_row_reader_a_block_at_a_time(tmp_path, monkeypatch, odd):
    """A log the column readers refuse throughout (a doubled quote on every line, or
    lines ending with a lone carriage return, so no line break at all) never has
    more than `ROWS` rows of the row reader's at once."""
    spec = SHIPPED["somerset"]
    header, *lines = render_log(simulate(spec, cases=30, seed=5)).splitlines()
    log = tmp_path / "odd.csv"
    if odd == "doubled":
        odd_lines = [line + ',"x""y"' for line in lines]
        log.write_text("\n".join([header + ",note", *odd_lines]) + "\n")
    else:
        log.write_text("\r".join([header, *lines]) + "\r")
    monkeypatch.setattr(replay_row_blocks, "ROWS", 16)
    sizes: list[int] = []
    real = replay_row_blocks._block

    def block(rows, name, cases):  # type: ignore[no-untyped-def]
        sizes.append(len(rows))
        return real(rows, name, cases)

    monkeypatch.setattr(replay_row_blocks, "_block", block)

    got = replay_streamed(spec, [log], MAPPING, block_bytes=4096, shares=2)

    assert got is not None
    assert _outputs(got) == _outputs(replay_compiled(spec, read_logs([log], MAPPING)))
    assert sum(sizes) == len(lines)
    assert max(sizes) == 16


def test_fields_quoted_whole_and_crlf_are_read_by_the_column_readers(tmp_path, monkeypatch):
    """What exports write (every field quoted, CRLF line ends) never reaches the row
    reader, and reads as the row reader reads it."""
    spec = SHIPPED["hertfordshire"]
    header, *lines = render_log(simulate(spec, cases=30, seed=8, plants=PLANT_KINDS)).splitlines()
    log = tmp_path / "export.csv"
    quoted = ['"' + line.replace(",", '","') + '"' for line in [header, *lines]]
    log.write_text("\r\n".join(quoted) + "\r\n")
    monkeypatch.setattr(replay_row_blocks, "_block", None)  # never called

    got = replay_streamed(spec, [log], MAPPING, block_bytes=4096, shares=2)

    assert got is not None
    assert _outputs(got) == _outputs(replay_compiled(spec, read_logs([log], MAPPING)))


def test_progress_is_told_the_rows_read_after_each_block(tmp_path):
    """What the terminal's progress line shows while a long log is read."""
    spec = SHIPPED["devon"]
    log = tmp_path / "log.csv"
    log.write_text(render_log(simulate(spec, cases=20, seed=3)), encoding="utf-8")
    rows = len(log.read_text(encoding="utf-8").splitlines()) - 1
    seen: list[int] = []

    got = replay_streamed(spec, [log], MAPPING, block_bytes=500, progress=seen.append)

    assert got is not None
    assert len(seen) > 1
    assert seen == sorted(seen)
    assert seen[-1] == rows == got.totals.rows
