"""The compiled replay engine against the executor engine: the same report, byte for byte.

Logs are simulated on the four shipped authorities (with and without planted
violations) and then fuzzed: rows with unknown events and statuses, recorded statuses
and owners that differ, times moved earlier (out of order) or made unreadable,
duplicates, rows with a field missing. Every output format is compared.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepcheck.oracle.replay_compiled import CompiledSpec, play_compiled, replay_compiled
from stepcheck.oracle.replay_engine import replay, rule_index, sort_out
from stepcheck.oracle.replay_formats import render_json, render_sarif
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_simulate import PLANT_KINDS, render_log, simulate
from stepcheck.oracle.replay_write import render_csv, render_markdown, render_text
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading

NAMES = ("buckinghamshire", "devon", "hertfordshire", "somerset")
SHIPPED = {name: load_spec(Path(f"spec/authorities/{name}.yaml")) for name in NAMES}
MAPPING = parse_mapping(["status=status,owner=owner"])
# Small specs whose steps read the clocks: a guard on `overdue(...)`, a `not_before`
# wait, and the example's meetings and windows (no shipped spec has the first two).
CLOCKED = {
    path: load_spec(Path(path))
    for path in (
        "tests/fixtures/specs/soundness/missed_deadline.yaml",
        "tests/fixtures/specs/explore/not_before.yaml",
        "tests/fixtures/specs/valid/example.yaml",
    )
}
# The same pool rule with a should-deadline: under the must reading it is not
# enforced, so the case plays on past its due date and the guard reads the clock.
_SHOULD = Path("tests/fixtures/specs/soundness/missed_deadline.yaml").read_text(encoding="utf-8")
CLOCKED["should_deadline"] = load_spec_text(
    _SHOULD.replace("days\n    anchor: in_tray", "days\n    modality: should\n    anchor: in_tray"),
    "should_deadline.yaml",
)


WINDOWED = load_spec_text(
    """\
stepcheck: 1
authority: {id: windowvale, name: Windowvale (test)}
documents: {doc: {title: Test protocol}}
teams: {t0: {name: Team}}
owners:
  worker: {kind: allocated, team: t0}
statuses:
  open: {tier: cin, owner: worker, initial: true}
  stepped_down: {tier: early_help, owner: worker}
  back: {tier: cin, owner: worker}
events:
  step_down: {kind: other, from: open, to: stepped_down}
  come_back: {kind: other, from: stepped_down, to: back, guard: "in_window(back_soon)"}
rereferrals:
  back_soon: {window: 10 working days, anchor: step_down, event: come_back, route_to: previous}
""",
    "windowvale.yaml",
)


def _outputs(report) -> tuple[str, ...]:
    return (
        render_json(report),
        render_text(report, timelines=True),
        render_markdown(report, timelines=True),
        render_sarif(report),
        render_csv(report.findings),
    )


def _same(spec: ProtocolSpec, log: Path, reading: Reading, as_of: datetime | None) -> None:
    read = read_logs([log], MAPPING)
    executor = replay(spec, read, reading=reading, as_of=as_of)
    compiled = replay_compiled(spec, read, reading=reading, as_of=as_of)
    assert _outputs(compiled) == _outputs(executor)


def _fuzzed(lines: list[str], edits: list[tuple[int, int, int]], spec: ProtocolSpec) -> list[str]:
    """Apply each (kind, row, other) edit to the data lines of a canonical CSV log."""
    rows = list(lines)
    statuses = [status.id for status in spec.statuses]
    for kind, at, other in edits:
        if not rows:
            break
        index = at % len(rows)
        case, time, event, status, owner = rows[index].split(",")
        match kind:
            case 0:  # an event the spec does not have
                rows[index] = ",".join((case, time, "no_such_step", status, owner))
            case 1:  # a recorded status that may differ from the spec's
                rows[index] = ",".join((case, time, event, statuses[other % len(statuses)], owner))
            case 2:  # the row moved earlier than the rows read before it
                earlier = rows[other % len(rows)].split(",")[1]
                rows[index] = ",".join((case, earlier, event, status, owner))
            case 3:  # a duplicate
                rows.insert(other % (len(rows) + 1), rows[index])
            case 4:  # an unreadable time
                rows[index] = ",".join((case, "31/02/2026", event, status, owner))
            case 5:  # a missing event
                rows[index] = ",".join((case, time, "", status, owner))
            case 6:  # a step of another row, here
                swapped = rows[other % len(rows)].split(",")[2]
                rows[index] = ",".join((case, time, swapped, status, owner))
            case 7 | 8:  # the row moved in time
                rows[index] = ",".join((case, _moved(time, kind, other), event, status, owner))
            case _:  # the row dropped
                del rows[index]
    return rows


def _moved(time: str, kind: int, other: int) -> str:
    """A row's time later by days (7: a deadline may pass), or at 13:59 that day (8:
    before a 14:00 meeting); an unreadable time stays unreadable."""
    if not time[:4].isdigit():
        return time
    moment = datetime.fromisoformat(time)
    if kind == 7:
        return (moment + timedelta(days=other % 9)).isoformat()
    return moment.replace(hour=13, minute=59).isoformat()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.sampled_from(NAMES),
    seed=st.integers(min_value=0, max_value=2**16),
    plants_edits=st.tuples(
        st.lists(st.sampled_from(PLANT_KINDS), unique=True, max_size=3),
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=9),
                st.integers(min_value=0, max_value=10**6),
                st.integers(min_value=0, max_value=10**6),
            ),
            max_size=6,
        ),
    ),
    ending=st.tuples(st.sampled_from([Reading.SHOULD, Reading.MUST]), st.booleans()),
)
def test_compiled_and_executor_engines_give_the_same_report(
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


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    path=st.sampled_from(sorted(CLOCKED)),
    seed=st.integers(min_value=0, max_value=2**16),
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=9),
            st.integers(min_value=0, max_value=10**6),
            st.integers(min_value=0, max_value=10**6),
        ),
        max_size=8,
    ),
    reading=st.sampled_from([Reading.SHOULD, Reading.MUST]),
)
def test_steps_that_read_the_clocks_give_the_same_report(tmp_path, path, seed, edits, reading):
    """Rows moved in time (and steps moved between rows) make guards on `overdue`,
    `not_before` waits, meetings and windows answer both ways."""
    spec = CLOCKED[path]
    simulated = simulate(spec, cases=10, seed=seed, plants=PLANT_KINDS)
    header, *lines = render_log(simulated).splitlines()
    log = tmp_path / f"clocked-{seed}.csv"
    log.write_text("\n".join([header, *_fuzzed(lines, edits, spec)]) + "\n", encoding="utf-8")
    _same(spec, log, reading, None)


def test_a_guard_on_overdue_answers_from_the_row_time(tmp_path):
    """The same state and step, once after the due date (the guard holds) and once
    before (it does not): in case-id order the accepted one fills the table first,
    which must then not accept the second."""
    spec = CLOCKED["should_deadline"]
    log = tmp_path / "pool.csv"
    log.write_text(
        "case,time,event\n"
        "a-late,2026-12-07T09:00,refer\n"
        "a-late,2026-12-14T09:00,move_to_pool\n"
        "b-early,2026-12-07T09:00,refer\n"
        "b-early,2026-12-08T09:00,move_to_pool\n",
        encoding="utf-8",
    )
    read = read_logs([log], parse_mapping([]))
    report = replay_compiled(spec, read, reading=Reading.MUST)
    assert [(f.case, f.kind) for f in report.findings] == [("b-early", "guard")]
    assert _outputs(report) == _outputs(replay(spec, read, reading=Reading.MUST))


def test_a_not_before_wait_answers_from_the_row_time(tmp_path):
    """A case closed after its cooling-off wait fills the table; one closed inside the
    wait, from the same state, is still held back."""
    spec = CLOCKED["tests/fixtures/specs/explore/not_before.yaml"]
    log = tmp_path / "wait.csv"
    log.write_text(
        "case,time,event\n"
        "a-waited,2026-12-07T09:00,settle\n"
        "a-waited,2026-12-10T09:00,close_case\n"
        "b-hasty,2026-12-07T09:00,settle\n"
        "b-hasty,2026-12-08T09:00,close_case\n",
        encoding="utf-8",
    )
    read = read_logs([log], parse_mapping([]))
    report = replay_compiled(spec, read)
    assert [(f.case, f.kind) for f in report.findings] == [("b-hasty", "not_before")]
    assert _outputs(report) == _outputs(replay(spec, read))


def test_a_window_closes_with_the_row_time(tmp_path):
    """Back within the re-referral window fills the table; back after it closed, from
    the same state, fails the guard on `in_window`."""
    log = tmp_path / "window.csv"
    log.write_text(
        "case,time,event\n"
        "a-soon,2026-12-01T09:00,step_down\n"
        "a-soon,2026-12-03T09:00,come_back\n"
        "b-late,2026-12-01T09:00,step_down\n"
        "b-late,2027-02-01T09:00,come_back\n",
        encoding="utf-8",
    )
    read = read_logs([log], parse_mapping([]))
    report = replay_compiled(WINDOWED, read)
    assert [(f.case, f.kind) for f in report.findings] == [("b-late", "guard")]
    assert _outputs(report) == _outputs(replay(WINDOWED, read))


def test_a_meeting_answers_from_the_row_time_of_day(tmp_path):
    """The TAM sits on Wednesdays from 14:00: a case accepted there at 14:00 fills the
    table; one at 13:59 the same day, from the same state, is still refused."""
    spec = CLOCKED["tests/fixtures/specs/valid/example.yaml"]
    log = tmp_path / "tam.csv"
    log.write_text(
        "case,time,event\n"
        "a-on-time,2026-12-07T09:00,request_step_up\n"
        "a-on-time,2026-12-09T14:00,tam_accepts\n"
        "b-early,2026-12-07T09:00,request_step_up\n"
        "b-early,2026-12-09T13:59,tam_accepts\n",
        encoding="utf-8",
    )
    read = read_logs([log], parse_mapping([]))
    report = replay_compiled(spec, read)
    assert [(f.case, f.kind) for f in report.findings] == [("b-early", "meeting")]
    assert "'tam' sits at 14:00 on Wed 9 Dec 2026; the step was at 13:59" in render_text(report)
    assert _outputs(report) == _outputs(replay(spec, read))


@pytest.mark.parametrize("name", NAMES)
def test_every_plant_kind_on_every_authority_gives_the_same_report(tmp_path, name):
    spec = SHIPPED[name]
    log = tmp_path / f"{name}.csv"
    log.write_text(render_log(simulate(spec, cases=40, seed=3, plants=PLANT_KINDS)))
    _same(spec, log, Reading.SHOULD, None)


def test_the_table_is_filled_once_and_reused(tmp_path):
    """Cases in the same state at comparable moments share one entry of the table: the
    table stays much smaller than the rows it replayed."""
    spec = SHIPPED["devon"]
    log = tmp_path / "devon.csv"
    log.write_text(render_log(simulate(spec, cases=200, seed=5)))
    read = read_logs([log], MAPPING)
    rules = rule_index(spec, Reading.SHOULD)
    compiled = CompiledSpec(rules)
    rows = sort_out(rules, read, None)
    played = play_compiled(compiled, rows.cases, rows.end)
    assert not played.findings
    assert compiled.entries < len(read.rows) / 2


def test_a_case_with_a_finding_is_explained_by_the_executor(tmp_path):
    """A refused step in the middle of a case: its finding cites the rule, and the
    case's later rows are judged from where the log says it is, as the executor does."""
    spec = SHIPPED["somerset"]
    simulated = simulate(spec, cases=9, seed=2, plants=("from",))
    log = tmp_path / "planted.csv"
    log.write_text(render_log(simulated))
    report = replay_compiled(spec, read_logs([log], MAPPING))
    found = sorted((f.case, f.place.row if f.place else 0, f.kind) for f in report.findings)
    assert found == sorted((p.case, p.row, p.kind) for p in simulated.plants)
    assert all(f.citations for f in report.findings)
