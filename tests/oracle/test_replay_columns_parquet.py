"""Parquet read straight into columns (`replay_columns_parquet`) against the row reader.

Simulated logs of the shipped authorities, with plants and fuzzed, are written as
Parquet (times as text, as timestamps with a zone and without one) and replayed by the
vector engine from the columns pyarrow read and by the compiled engine from the row
reader's rows: every output must be the same, byte for byte.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_replay_compiled import MAPPING, NAMES, SHIPPED, _fuzzed
from test_replay_vector import _EDITS, _outputs

from stepcheck.oracle.replay_columns_parquet import read_columns, read_parquet_columns
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_simulate import PLANT_KINDS, render_log, simulate
from stepcheck.oracle.replay_vector_report import replay_vector
from stepcheck.spec.model import ProtocolSpec


def _table(lines: list[str]) -> dict[str, list[str]]:
    header, *rows = list(csv.reader(io.StringIO("\n".join(lines))))
    return {name: [row[i] if i < len(row) else "" for row in rows] for i, name in enumerate(header)}


def _write(path: Path, columns: dict[str, object]) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=7)
    return path


def _same_as_rows(spec: ProtocolSpec, log: Path) -> bool:
    """The vector engine on pyarrow's columns (when it takes the file) gives the compiled
    engine's report on the row reader's rows; True when it took the file."""
    expected = _outputs(replay_compiled(spec, read_logs([log], MAPPING)))
    columns = read_parquet_columns(log, MAPPING)
    if columns is not None:
        assert _outputs(replay_vector(spec, columns)) == expected
    return columns is not None


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(NAMES),
    seed=st.integers(min_value=0, max_value=2**16),
    plants=st.lists(st.sampled_from(PLANT_KINDS), unique=True, max_size=3),
    edits=_EDITS,
)
def test_parquet_columns_give_the_row_readers_report(tmp_path, name, seed, plants, edits):
    """A fuzzed simulated log as Parquet with text columns replays the same from columns."""
    spec = SHIPPED[name]
    header, *lines = render_log(simulate(spec, cases=8, seed=seed, plants=tuple(plants))).split(
        "\n"
    )
    table = _table([header, *_fuzzed([line for line in lines if line], edits, spec)])
    _same_as_rows(spec, _write(tmp_path / f"{name}-{seed}.parquet", table))


@pytest.mark.parametrize("zone", [None, "UTC", "Europe/London", "+05:30"])
def test_timestamp_columns_are_taken_and_give_the_same_report(tmp_path, zone):
    """Times stored as timestamps, with or without a zone, are read as the row reader
    reads their ISO text."""
    spec = SHIPPED["devon"]
    table = _table(render_log(simulate(spec, cases=20, seed=5, plants=PLANT_KINDS)).splitlines())
    moments = [datetime.fromisoformat(text) for text in table["time"]]
    if zone is None:
        moments = [moment.replace(tzinfo=None) for moment in moments]
    table["time"] = pa.array(moments, pa.timestamp("us", tz=zone))
    assert _same_as_rows(spec, _write(tmp_path / "log.parquet", table))


def test_a_plain_parquet_log_is_read_as_columns(tmp_path):
    """Every simulated log with every plant is plain enough for the column reader."""
    for name in NAMES:
        spec = SHIPPED[name]
        table = _table(
            render_log(simulate(spec, cases=12, seed=2, plants=PLANT_KINDS)).splitlines()
        )
        assert _same_as_rows(spec, _write(tmp_path / f"{name}.parquet", table))


@pytest.mark.parametrize(
    "change",
    ["null case", "padded event", "number case", "fraction of a second", "null owner"],
)
def test_unusual_parquet_is_left_to_the_row_reader(tmp_path, change):
    """What the row reader must judge row by row sends the file to it, with the same
    report either way; a null owner is simply not recorded and stays in columns."""
    spec = SHIPPED["devon"]
    table: dict[str, object] = _table(render_log(simulate(spec, cases=6, seed=1)).splitlines())
    size = len(table["case"])  # type: ignore[arg-type]
    match change:
        case "null case":
            table["case"] = pa.array([None, *table["case"][1:]], pa.string())  # type: ignore[index]
        case "padded event":
            table["event"] = [" " + table["event"][0], *table["event"][1:]]  # type: ignore[index]
        case "number case":
            table["case"] = list(range(size))
        case "fraction of a second":
            table["time"] = pa.array(
                [datetime(2026, 3, 2, 9, 0, 0, 500)] * size, pa.timestamp("us")
            )
        case "null owner":
            table["owner"] = pa.array([None] * size, pa.string())
    log = _write(tmp_path / "log.parquet", table)

    assert _same_as_rows(spec, log) is (change == "null owner")


def test_csv_and_parquet_logs_together_are_read_as_columns(tmp_path):
    """A case split over a CSV and a Parquet log replays as one, from columns."""
    spec = SHIPPED["hertfordshire"]
    header, *lines = render_log(simulate(spec, cases=10, seed=4)).splitlines()
    first = tmp_path / "first.csv"
    first.write_text("\n".join([header, *lines[::2]]) + "\n", encoding="utf-8")
    second = _write(tmp_path / "second.parquet", _table([header, *lines[1::2]]))
    expected = _outputs(replay_compiled(spec, read_logs([first, second], MAPPING)))

    columns = read_columns([first, second], MAPPING)

    assert columns is not None
    assert _outputs(replay_vector(spec, columns)) == expected
