"""The vector replay engine against the compiled engine: the same report, byte for byte.

The logs are those of tests/oracle/test_replay_compiled.py: simulated on the four
shipped authorities and on small specs whose steps read the clocks, with plants, then
fuzzed. Each log is replayed by the vector engine twice, from the columns pyarrow read
(when the file is plain enough for it) and from the row reader's rows, and every
output is compared with the compiled engine's.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_replay_compiled import CLOCKED, MAPPING, NAMES, SHIPPED, WINDOWED, _fuzzed

from stepcheck.oracle.replay_columns import from_read
from stepcheck.oracle.replay_columns_csv import read_csv_columns
from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_formats import render_json, render_sarif
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import ColumnMap, parse_mapping
from stepcheck.oracle.replay_simulate import PLANT_KINDS, render_log, simulate
from stepcheck.oracle.replay_vector_report import _largest, _narrow, replay_vector
from stepcheck.oracle.replay_write import render_csv, render_markdown, render_text
from stepcheck.spec.model import ProtocolSpec, Reading

_EDITS = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=9),
        st.integers(min_value=0, max_value=10**6),
        st.integers(min_value=0, max_value=10**6),
    ),
    max_size=6,
)
_SETTINGS = settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _outputs(report) -> tuple[str, ...]:
    return (
        render_json(report),
        render_text(report, timelines=True),
        render_markdown(report, timelines=True),
        render_text(report),
        render_markdown(report),
        render_sarif(report),
        render_csv(report.findings),
    )


def _same(
    spec: ProtocolSpec,
    log: Path,
    reading: Reading = Reading.SHOULD,
    as_of: datetime | None = None,
    mapping: ColumnMap = MAPPING,
) -> bool:
    """Both readings through the vector engine give the compiled engine's report;
    True when pyarrow took the file."""
    read = read_logs([log], mapping)
    expected = _outputs(replay_compiled(spec, read, reading=reading, as_of=as_of))
    assert _outputs(replay_vector(spec, from_read(read), reading=reading, as_of=as_of)) == expected
    columns = read_csv_columns([log], mapping)
    if columns is not None:
        got = replay_vector(spec, columns, reading=reading, as_of=as_of)
        assert _outputs(got) == expected
    return columns is not None


@_SETTINGS
@given(
    name=st.sampled_from(NAMES),
    seed=st.integers(min_value=0, max_value=2**16),
    plants_edits=st.tuples(st.lists(st.sampled_from(PLANT_KINDS), unique=True, max_size=3), _EDITS),
    ending=st.tuples(st.sampled_from([Reading.SHOULD, Reading.MUST]), st.booleans()),
)
def test_vector_and_compiled_engines_give_the_same_report(
    tmp_path, name, seed, plants_edits, ending
):
    plants, edits = plants_edits
    reading, early_end = ending
    spec = SHIPPED[name]
    simulated = simulate(spec, cases=8, seed=seed, plants=tuple(plants))
    header, *lines = render_log(simulated).splitlines()
    log = tmp_path / f"{name}-{seed}.csv"
    log.write_text("\n".join([header, *_fuzzed(lines, edits, spec)]) + "\n", encoding="utf-8")
    as_of = simulated.rows[len(simulated.rows) // 2].local if early_end else None
    _same(spec, log, reading, as_of)


@_SETTINGS
@given(
    path=st.sampled_from(sorted(CLOCKED)),
    seed=st.integers(min_value=0, max_value=2**16),
    edits=_EDITS,
    reading=st.sampled_from([Reading.SHOULD, Reading.MUST]),
)
def test_steps_that_read_the_clocks_give_the_same_report(tmp_path, path, seed, edits, reading):
    """Guards on `overdue`, `not_before` waits, meetings and windows, answered in the
    vector engine's own bits, must pick the compiled table's entries."""
    spec = CLOCKED[path]
    simulated = simulate(spec, cases=10, seed=seed, plants=PLANT_KINDS)
    header, *lines = render_log(simulated).splitlines()
    log = tmp_path / f"clocked-{seed}.csv"
    log.write_text("\n".join([header, *_fuzzed(lines, edits, spec)]) + "\n", encoding="utf-8")
    _same(spec, log, reading)


def test_every_authority_with_every_plant_is_read_as_columns(tmp_path):
    """A simulated log is plain: pyarrow takes it, and the reports still agree."""
    for name in NAMES:
        spec = SHIPPED[name]
        log = tmp_path / f"{name}.csv"
        log.write_text(render_log(simulate(spec, cases=30, seed=3, plants=PLANT_KINDS)))
        assert _same(spec, log)


def test_windows_meetings_and_waits_answer_from_the_row_time(tmp_path):
    """The compiled engine's hand-made cases (a window closing, a wait holding, a guard
    on overdue) through the vector engine, whose answers are its own integer bits."""
    cases = [
        (
            WINDOWED,
            "a-soon,2026-12-01T09:00,step_down\na-soon,2026-12-03T09:00,come_back\n"
            "b-late,2026-12-01T09:00,step_down\nb-late,2027-02-01T09:00,come_back\n",
        ),
        (
            CLOCKED["tests/fixtures/specs/explore/not_before.yaml"],
            "a-waited,2026-12-07T09:00,settle\na-waited,2026-12-10T09:00,close_case\n"
            "b-hasty,2026-12-07T09:00,settle\nb-hasty,2026-12-08T09:00,close_case\n",
        ),
        (
            CLOCKED["should_deadline"],
            "a-late,2026-12-07T09:00,refer\na-late,2026-12-14T09:00,move_to_pool\n"
            "b-early,2026-12-07T09:00,refer\nb-early,2026-12-08T09:00,move_to_pool\n",
        ),
        (  # the TAM sits on Wednesdays from 14:00
            CLOCKED["tests/fixtures/specs/valid/example.yaml"],
            "a-on-time,2026-12-07T09:00,request_step_up\na-on-time,2026-12-09T14:00,tam_accepts\n"
            "b-early,2026-12-07T09:00,request_step_up\nb-early,2026-12-09T13:59,tam_accepts\n",
        ),
    ]
    for number, (spec, rows) in enumerate(cases):
        log = tmp_path / f"hand-{number}.csv"
        log.write_text("case,time,event\n" + rows, encoding="utf-8")
        for reading in (Reading.SHOULD, Reading.MUST):
            assert _same(spec, log, reading, mapping=parse_mapping([]))


def test_a_log_recording_facts_is_left_to_the_compiled_engine(tmp_path):
    spec = CLOCKED["tests/fixtures/specs/valid/example.yaml"]
    variables = [variable.id for variable in spec.variables]
    if not variables:
        return
    name = variables[0]
    log = tmp_path / "facts.csv"
    simulated = simulate(spec, cases=5, seed=1)
    header, *lines = render_log(simulated).splitlines()
    log.write_text(
        "\n".join([header + f",{name}", *(line + ",x" for line in lines)]) + "\n",
        encoding="utf-8",
    )
    mapping = parse_mapping([f"status=status,owner=owner,fact.{name}={name}"])
    assert read_csv_columns([log], mapping) is None
    _same(spec, log, mapping=mapping)


def test_no_shipped_or_clocked_spec_is_left_to_the_compiled_engine(tmp_path, monkeypatch):
    """The lockstep models every spec the tests use: none falls back whole."""
    from stepcheck.oracle import replay_vector_report  # noqa: PLC0415

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the vector engine fell back to the compiled engine")

    monkeypatch.setattr(replay_vector_report, "replay_compiled", refuse)
    for number, spec in enumerate([*SHIPPED.values(), *CLOCKED.values(), WINDOWED]):
        log = tmp_path / f"{number}.csv"
        log.write_text(render_log(simulate(spec, cases=6, seed=number, plants=PLANT_KINDS)))
        columns = read_csv_columns([log], MAPPING)
        assert columns is not None
        replay_vector(spec, columns)


def test_empty_and_wholly_malformed_logs_give_the_same_report(tmp_path):
    """No row, a header only, and rows that are all malformed or unknown."""
    bodies = [
        "",
        "case,time,event,status,owner\n",
        "case,time,event,status,owner\nc1,bad,x,,\nc2,2026-01-05T09:00,nope,,\n",
        "case,time,event,status,owner\nc1,2026-01-05T09:00,nope,,\n",
    ]
    for number, body in enumerate(bodies):
        log = tmp_path / f"empty-{number}.csv"
        log.write_text(body, encoding="utf-8")
        for spec in (SHIPPED["devon"], WINDOWED):
            _same(spec, log)


def test_a_log_split_over_two_files_gives_the_same_report(tmp_path):
    """Cases whose rows are in both files: codes shared across files, places per file."""
    spec = SHIPPED["hertfordshire"]
    header, *lines = render_log(simulate(spec, cases=12, seed=7, plants=PLANT_KINDS)).splitlines()
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("\n".join([header, *lines[::2]]) + "\n", encoding="utf-8")
    second.write_text("\n".join([header, *lines[1::2]]) + "\n", encoding="utf-8")
    read = read_logs([first, second], MAPPING)
    expected = _outputs(replay_compiled(spec, read))
    columns = read_csv_columns([first, second], MAPPING)
    assert columns is not None
    assert _outputs(replay_vector(spec, columns)) == expected
    assert _outputs(replay_vector(spec, from_read(read))) == expected


def test_a_report_listing_the_first_of_many_notable_cases_lists_them_in_id_order(tmp_path):
    """Past eight times the listed cases, the text report picks its first cases by a
    partial selection, not a full sort: the same cases, in the same order. (Somerset's
    cases cut off part way, copied under new ids: over a thousand with a deadline
    still open.)"""
    spec = SHIPPED["somerset"]
    header, *lines = render_log(simulate(spec, cases=300, seed=3)).splitlines()
    cut = lines[: len(lines) // 3]
    copied = [
        f"{case}-{copy},{rest}"
        for copy in range(100)
        for case, _, rest in (line.partition(",") for line in cut)
    ]
    log = tmp_path / "somerset.csv"
    log.write_text("\n".join([header, *copied]) + "\n", encoding="utf-8")
    columns = read_csv_columns([log], MAPPING)
    assert columns is not None
    report = replay_vector(spec, columns)
    notable = report.cases.notable()
    names = sorted(case.case for case in report.cases if case.open or case.unowned)
    assert len(notable) == len(names) > 8 * 100
    assert [case.case for case in notable[:100]] == names[:100]
    assert [case.case for case in notable[100:150]] == names[100:150]
    assert render_text(report) == render_text(replay_compiled(spec, read_logs([log], MAPPING)))


def test_a_reports_integers_are_kept_in_32_bits_only_when_they_fit():
    """Codes and counts below a bound under 2**31 go to 32 bits, unchanged; at 2**31
    or past it they stay in 64."""
    values = np.array([-1, 0, 5, 2**31 - 2], np.int64)
    assert _largest(values) == 2**31 - 1
    narrow = _narrow(values, _largest(values))
    assert narrow.dtype == np.int32
    assert narrow.tolist() == values.tolist()
    assert _narrow(np.append(values, 2**31 - 1), 2**31).dtype == np.int64
    assert _largest(np.zeros(0, np.int64)) == 1
