"""The vector engine's compiled loops against their numpy references, array by array.

`Lockstep.run` walks each case in Numba (`replay_kernel.walk`); `run_reference` plays
the k-th row of every case with numpy. `sort_columns` groups rows into cases with a
counting sort (`replay_sort_kernel.group_cases`); `reference=True` with numpy sorts.
Both pairs must leave the same arrays and findings on fuzzed logs of the shipped
authorities and of small specs whose steps read the clocks, on logs with many rows at
one instant (the grouping's pairwise and sorted duplicate searches), and on logs
shuffled out of order.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_replay_compiled import CLOCKED, MAPPING, NAMES, SHIPPED, _fuzzed
from test_replay_vector import _EDITS

from stepcheck.oracle.replay_columns import ColumnLog, from_read
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_compiled import CompiledSpec
from stepcheck.oracle.replay_engine import rule_index
from stepcheck.oracle.replay_kernel import _running, _stopped
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_simulate import PLANT_KINDS, render_log, simulate
from stepcheck.oracle.replay_vector import Lockstep
from stepcheck.oracle.replay_vector_sort import SortedColumns, sort_columns
from stepcheck.oracle.replay_vector_table import KEEP, VectorTable
from stepcheck.spec.model import ProtocolSpec, Reading

_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_ARRAYS = ("now", "unclean", "start", "by", "ends", "window_start", "window_by")


def _columns(tmp_path: Path, spec: ProtocolSpec, lines: list[str], header: str) -> ColumnLog:
    log = tmp_path / "log.csv"
    log.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    columns = read_csv_columns([log], MAPPING)
    if columns is None:  # an unreadable row: the row reader's columns
        columns = from_read(read_logs([log], MAPPING))
    return columns


def _same_sorting(spec: ProtocolSpec, columns: ColumnLog) -> SortedColumns:
    rules = rule_index(spec, Reading.SHOULD)
    got = sort_columns(rules, columns, None)
    expected = sort_columns(rules, columns, None, reference=True)
    for name in ("rows", "cases", "first", "length", "step", "status", "owner"):
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    assert got.malformed == expected.malformed
    assert got.out_of_order == expected.out_of_order
    assert got.end == expected.end
    return got


def _same_lockstep(spec: ProtocolSpec, reading: Reading, columns: ColumnLog) -> None:
    rules = rule_index(spec, reading)
    cases = sort_columns(rules, columns, None)
    walked = Lockstep(VectorTable(CompiledSpec(rules)), columns, cases)
    stepped = Lockstep(
        VectorTable(CompiledSpec(rule_index(spec, reading))), columns, cases, longest_first=True
    )
    walked.run()
    stepped.run_reference()
    # the two hold their cases in different orders (sorted, longest first): compare
    # each case's values, put back in the sorted order
    unclean = _by_case(walked, walked.unclean)
    assert np.array_equal(unclean, _by_case(stepped, stepped.unclean))
    for name in _ARRAYS:
        assert np.array_equal(
            _by_case(walked, getattr(walked, name))[~unclean],
            _by_case(stepped, getattr(stepped, name))[~unclean],
        ), name
    # the states are numbered as the table fills, which the two orders differ in:
    # compare what each state is, row by row, where the case stayed clean
    clean_rows = np.repeat(~unclean, cases.length)
    places = np.concatenate(
        [np.arange(f, f + n) for f, n in zip(cases.first, cases.length, strict=True)]
        or [np.zeros(0, np.int64)]
    )[clean_rows]
    assert np.array_equal(walked.at_of[places], stepped.at_of[places])
    walked_states = [walked.compiled._states[s] for s in walked.state_of[places].tolist()]
    stepped_states = [stepped.compiled._states[s] for s in stepped.state_of[places].tolist()]
    assert walked_states == stepped_states
    walked_final = _by_case(walked, walked.state)[~unclean].tolist()
    stepped_final = _by_case(stepped, stepped.state)[~unclean].tolist()
    assert [walked.compiled._states[s] for s in walked_final] == [
        stepped.compiled._states[s] for s in stepped_final
    ]


def _by_case(lockstep: Lockstep, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A lockstep's per-case values in the sorted cases' order."""
    ordered = np.empty_like(values)
    ordered[lockstep.order] = values
    return ordered


@_SETTINGS
@given(
    name=st.sampled_from(NAMES),
    seed=st.integers(min_value=0, max_value=2**16),
    plants_edits=st.tuples(st.lists(st.sampled_from(PLANT_KINDS), unique=True, max_size=3), _EDITS),
    reading=st.sampled_from([Reading.SHOULD, Reading.MUST]),
)
def test_walk_and_numpy_lockstep_agree_on_the_shipped_authorities(
    tmp_path, name, seed, plants_edits, reading
):
    plants, edits = plants_edits
    spec = SHIPPED[name]
    header, *lines = render_log(
        simulate(spec, cases=12, seed=seed, plants=tuple(plants))
    ).splitlines()
    columns = _columns(tmp_path, spec, _fuzzed(lines, edits, spec), header)
    _same_sorting(spec, columns)
    _same_lockstep(spec, reading, columns)


@_SETTINGS
@given(
    path=st.sampled_from(sorted(CLOCKED)),
    seed=st.integers(min_value=0, max_value=2**16),
    edits=_EDITS,
)
def test_walk_and_numpy_lockstep_agree_on_specs_that_read_the_clocks(tmp_path, path, seed, edits):
    spec = CLOCKED[path]
    header, *lines = render_log(
        simulate(spec, cases=12, seed=seed, plants=PLANT_KINDS)
    ).splitlines()
    columns = _columns(tmp_path, spec, _fuzzed(lines, edits, spec), header)
    _same_sorting(spec, columns)
    _same_lockstep(spec, Reading.SHOULD, columns)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.integers(min_value=0, max_value=2**16),
    copies=st.integers(min_value=1, max_value=40),
    shuffled=st.booleans(),
)
def test_grouping_finds_the_same_duplicates_and_rows_out_of_order(tmp_path, seed, copies, shuffled):
    """Many rows at one instant, some repeating a step (beyond the pairwise search's
    16 rows too), in reading order or shuffled."""
    spec = SHIPPED["devon"]
    header, *lines = render_log(simulate(spec, cases=3, seed=seed)).splitlines()
    rng = random.Random(seed)
    instant = lines[0].split(",")[1]
    crowded = []
    for line in lines:
        case, _time, event, status, owner = line.split(",")
        crowded += [",".join((case, instant, event, status, owner))] * rng.randint(1, copies)
    rows = lines + crowded
    if shuffled:
        rng.shuffle(rows)
    columns = _columns(tmp_path, spec, rows, header)
    got = _same_sorting(spec, columns)
    pairs = {(row.split(",")[0], row.split(",")[2]) for row in crowded}
    duplicates = [m for m in got.malformed if m.reason.startswith("duplicate of row")]
    assert len(duplicates) >= len(crowded) - len(pairs)


@settings(max_examples=60, deadline=None)
@given(
    cases=st.integers(min_value=1, max_value=6),
    deadlines=st.integers(min_value=0, max_value=20),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_the_walks_running_clocks_and_stops_match_numpy(cases, deadlines, seed):
    """`_running` lists a case's running deadlines in order and `_stopped` stops those
    that an entry starting none does not keep, as a pass over every deadline would."""
    rng = np.random.default_rng(seed)
    running = rng.random((cases, deadlines)) < rng.random()
    start = np.where(running, rng.integers(0, 2**40, running.shape), Lockstep.none)
    case = int(rng.integers(cases))
    live = np.empty(deadlines, np.int64)
    n_live = _running(start, case, live)
    assert live[:n_live].tolist() == np.flatnonzero(running[case]).tolist()
    entry_clocks = rng.choice(np.array([0, KEEP], np.int8), (3, deadlines))
    entry = int(rng.integers(3))
    stops = entry_clocks[entry] != KEEP
    expected = start.copy()
    expected[case, stops] = Lockstep.none
    changed = _stopped(entry_clocks, entry, start, case, live, n_live)
    assert np.array_equal(start, expected)
    assert changed == bool((running[case] & stops).any())


def test_the_reference_refuses_a_lockstep_in_the_sorted_order(tmp_path: Path) -> None:
    spec = SHIPPED["devon"]
    log = tmp_path / "log.csv"
    log.write_text(render_log(simulate(spec, cases=3, seed=1)), encoding="utf-8")
    columns = read_csv_columns([log], MAPPING)
    assert columns is not None
    rules = rule_index(spec, Reading.SHOULD)
    lockstep = Lockstep(
        VectorTable(CompiledSpec(rules)), columns, sort_columns(rules, columns, None)
    )
    with pytest.raises(ValueError, match="longest first"):
        lockstep.run_reference()
