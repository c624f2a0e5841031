"""Replaying logs through the executor: cited violations, deadlines on the real calendar,
ordering, duplicates, unowned stretches; simulated logs replay clean, plants exactly once."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.oracle.replay_compiled import replay_compiled
from stepcheck.oracle.replay_engine import replay
from stepcheck.oracle.replay_formats import render_json
from stepcheck.oracle.replay_model import ReplayReport
from stepcheck.oracle.replay_read import read_logs
from stepcheck.oracle.replay_rows import parse_mapping
from stepcheck.oracle.replay_simulate import render_log, simulate
from stepcheck.oracle.replay_write import due_words
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading

EXAMPLE = load_spec(Path("tests/fixtures/specs/valid/example.yaml"))
SHIPPED = tuple(load_spec(Path(f"spec/authorities/{name}.yaml")) for name in ("devon", "somerset"))
LIMBO = load_spec_text(
    """\
stepcheck: 1
authority: {id: inline, name: Inline}
documents: {doc: {title: Inline protocol}}
teams: {t0: {name: Team}}
owners:
  worker: {kind: allocated, team: t0}
statuses:
  open: {tier: cin, owner: worker, initial: true}
  limbo: {tier: cin, owner: none}
  closed: {tier: closed, owner: none, final: true}
events:
  drop: {kind: other, from: open, to: limbo}
  pick_up: {kind: allocate, from: limbo, to: open}
  close: {kind: close, from: open, to: closed}
""",
    "limbo.yaml",
)


def _replay(
    tmp_path: Path,
    lines: list[str],
    spec: ProtocolSpec = EXAMPLE,
    *,
    as_of: datetime | None = None,
    mapping: tuple[str, ...] = (),
) -> ReplayReport:
    log = tmp_path / "log.csv"
    log.write_text("case,time,event,status,owner\n" + "\n".join(lines) + "\n")
    read = read_logs([log], parse_mapping(list(mapping)))
    report = replay(spec, read, as_of=as_of)
    # Every hand-written case here is also a differential test of the compiled engine.
    assert render_json(replay_compiled(spec, read, as_of=as_of)) == render_json(report)
    totals = report.totals
    assert totals.accepted + totals.violation + totals.malformed == totals.rows
    return report


def test_step_down_without_the_meeting_cites_the_rule(tmp_path):
    """Stepping down from CP without the handover breaks EV-06, cited with its quote and line."""
    report = _replay(
        tmp_path,
        [
            "c1,2026-12-01T09:00,urgent_step_up",
            "c1,2026-12-01T10:00,give_consent",
            "c1,2026-12-02T10:00,step_down",
            "c1,2026-12-03T10:00,close_case",
        ],
    )
    (finding,) = report.findings
    assert (finding.kind, finding.modality, finding.rule, finding.case) == (
        "guard",
        "should",
        "EV-06",
        "c1",
    )
    assert finding.place is not None
    assert finding.place.row == 3
    assert finding.citations[0].quote == "a handover meeting should take place first"
    assert finding.span is not None
    assert finding.span.line == 91
    # the case followed the log: closing from early help afterwards is fine
    assert report.cases[0].status == "closed"
    assert report.totals.violation == 1
    assert report.totals.accepted == 3


def test_must_reading_lets_the_should_rule_pass(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "case,time,event\nc1,2026-12-01T09:00,urgent_step_up\n"
        "c1,2026-12-01T10:00,give_consent\nc1,2026-12-02T10:00,step_down\n"
    )
    report = replay(EXAMPLE, read_logs([log], parse_mapping([])), reading=Reading.MUST)
    assert report.findings == ()


def test_event_not_enabled_is_a_violation_on_its_row(tmp_path):
    report = _replay(tmp_path, ["c1,2026-12-01T09:00,allocate"])
    (finding,) = report.findings
    assert (finding.kind, finding.element, finding.modality) == ("from", "allocate", "must")
    assert "happens only from 'in_tray'" in finding.message


def test_deadline_due_on_the_real_calendar_open_at_end_of_log(tmp_path):
    """TAM accepts on Wed 2 Dec 2026: allocation is due Fri 4 Dec; the log ends Thu 3 Dec."""
    report = _replay(
        tmp_path,
        ["c1,2026-12-01T09:00,request_step_up", "c1,2026-12-02T14:30,tam_accepts"],
        as_of=datetime(2026, 12, 3, 17),
    )
    assert report.findings == ()
    (case,) = report.cases
    (obligation,) = case.open
    assert obligation.by == date(2026, 12, 4)
    assert due_words(obligation) == (
        "allocate_within_two_days due Fri 4 Dec 2026, still open at end of log"
    )


def test_deadline_passed_by_the_end_of_the_log(tmp_path):
    report = _replay(
        tmp_path,
        ["c1,2026-12-01T09:00,request_step_up", "c1,2026-12-02T14:30,tam_accepts"],
        as_of=datetime(2026, 12, 7, 9),
    )
    (finding,) = report.findings
    assert (finding.kind, finding.rule, finding.place) == ("deadline", "EV-07", None)
    assert "was due Fri 4 Dec 2026" in finding.message
    assert report.totals.violation == 0  # no row broke it: the end of the log did


@pytest.mark.parametrize(
    ("allocated", "late"),
    [
        # Wed 23 Dec 2026 + 2 working days: Thu 24, then Christmas, Boxing Day (Mon 28
        # in lieu), so due Tue 29 Dec
        ("2026-12-29T16:00", False),
        ("2026-12-30T09:00", True),
    ],
)
def test_deadline_over_christmas_counts_bank_holidays(tmp_path, allocated, late):
    report = _replay(
        tmp_path,
        [
            "c1,2026-12-22T09:00,request_step_up",
            "c1,2026-12-23T14:30,tam_accepts",
            f"c1,{allocated},allocate",
        ],
    )
    assert [f.kind for f in report.findings] == (["deadline"] if late else [])
    if late:
        assert "due Tue 29 Dec 2026" in report.findings[0].message
        assert report.findings[0].place is not None
        assert report.findings[0].place.row == 3


def test_out_of_order_rows_are_sorted_and_listed_duplicates_are_malformed(tmp_path):
    report = _replay(
        tmp_path,
        [
            "c1,2026-12-01T11:00,give_consent",
            "c1,2026-12-01T10:00,request_step_up",
            "c1,2026-12-01T10:00,request_step_up",
            "c2,2026-12-01T09:00:00+00:00,request_step_up",
        ],
    )
    assert report.findings == ()
    (late,) = report.out_of_order
    assert (late.place.row, late.after.row, late.case) == (2, 1, "c1")
    (duplicate,) = report.malformed
    assert duplicate.place.row == 3
    assert duplicate.reason.startswith("duplicate of row 2 of ")
    assert report.totals.accepted == 3


def test_clocks_going_back_do_not_break_time_order(tmp_path):
    """01:30 BST then 01:10 GMT on 25 Oct 2026: in order as instants, earlier as wall times."""
    report = _replay(
        tmp_path,
        ["c1,2026-10-25T00:30:00Z,give_consent", "c1,2026-10-25T01:10:00Z,request_step_up"],
    )
    assert report.findings == ()
    assert report.out_of_order == ()
    assert report.totals.accepted == 2


def test_unknown_names_are_malformed(tmp_path):
    report = _replay(
        tmp_path,
        [
            "c1,2026-12-01T09:00,fly_to_the_moon",
            "c1,2026-12-01T10:00,request_step_up,nowhere",
            "c1,2026-12-01T11:00,request_step_up,,nobody",
        ],
        mapping=("status=status", "owner=owner"),
    )
    assert [m.reason.split(":")[0] for m in report.malformed] == [
        "unknown event",
        "unknown status",
        "unknown owner",
    ]


def test_recorded_status_and_owner_are_checked(tmp_path):
    report = _replay(
        tmp_path,
        [
            "c1,2026-12-01T09:00,request_step_up,awaiting_tam,fs_worker",
            "c1,2026-12-01T10:00,give_consent,early_help,sw_worker",
        ],
        mapping=("status=status", "owner=owner"),
    )
    assert [(f.kind, f.place.row if f.place else None) for f in report.findings] == [
        ("owner", 2),
        ("status", 2),
    ]


def test_unowned_stretches_in_working_days(tmp_path):
    """Dropped Fri 4 Dec, picked up Tue 8 Dec: 2 working days (Mon, Tue); then again, still
    unowned when the log ends on Fri 11 Dec."""
    report = _replay(
        tmp_path,
        [
            "c1,2026-12-04T10:00,drop",
            "c1,2026-12-08T10:00,pick_up",
            "c1,2026-12-09T10:00,drop",
        ],
        LIMBO,
        as_of=datetime(2026, 12, 11, 17),
    )
    (case,) = report.cases
    assert [(u.working_days, u.open) for u in case.unowned] == [(2, False), (2, True)]
    assert [t.status for t in case.timeline] == ["limbo", "open", "limbo"]


def test_a_closed_case_is_not_unowned(tmp_path):
    report = _replay(tmp_path, ["c1,2026-12-04T10:00,close"], LIMBO, as_of=datetime(2027, 1, 4))
    assert report.cases[0].unowned == ()


def _simulated_report(
    tmp_path: Path, spec: ProtocolSpec, seed: int, plants: tuple[str, ...], cases: int
):
    simulated = simulate(spec, cases=cases, seed=seed, plants=plants)
    log = tmp_path / f"sim-{seed}.csv"
    log.write_text(render_log(simulated))
    mapping = parse_mapping(["status=status,owner=owner"])
    return simulated, replay(spec, read_logs([log], mapping))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_a_simulated_clean_log_replays_clean(tmp_path_factory, seed):
    tmp_path = tmp_path_factory.mktemp("clean")
    simulated, report = _simulated_report(tmp_path, EXAMPLE, seed, (), cases=6)
    assert report.clean, report.findings[:3]
    assert report.totals.rows == report.totals.accepted == len(simulated.rows)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_every_planted_violation_is_reported_once_and_nothing_else(tmp_path_factory, seed):
    tmp_path = tmp_path_factory.mktemp("planted")
    simulated, report = _simulated_report(
        tmp_path, EXAMPLE, seed, ("from", "guard", "deadline"), cases=9
    )
    found = sorted(
        (f.case, f.place.row if f.place else 0, f.kind, f.element) for f in report.findings
    )
    planted = sorted((p.case, p.row, p.kind, p.element) for p in simulated.plants)
    assert found == planted
    assert not report.malformed


def test_plants_on_shipped_authorities(tmp_path):
    """Devon and Somerset: plants of every kind are made and found exactly."""
    kinds: set[str] = set()
    for spec, seed in ((SHIPPED[0], 0), (SHIPPED[1], 0), (SHIPPED[1], 1), (SHIPPED[1], 2)):
        simulated, report = _simulated_report(
            tmp_path, spec, seed, ("from", "guard", "deadline"), cases=30
        )
        found = sorted(
            (f.case, f.place.row if f.place else 0, f.kind, f.element) for f in report.findings
        )
        assert found == sorted((p.case, p.row, p.kind, p.element) for p in simulated.plants)
        kinds |= {p.kind for p in simulated.plants}
    assert kinds == {"from", "guard", "deadline"}


def test_simulation_is_deterministic():
    first = render_log(simulate(EXAMPLE, cases=5, seed=11, plants=("from",)))
    assert first == render_log(simulate(EXAMPLE, cases=5, seed=11, plants=("from",)))
    assert first != render_log(simulate(EXAMPLE, cases=5, seed=12, plants=("from",)))


def test_a_case_spans_several_logs_with_rows_numbered_per_file(tmp_path):
    november = tmp_path / "november.csv"
    november.write_text("case,time,event\nc1,2026-11-30T09:00,request_step_up\n")
    december = tmp_path / "december.csv"
    december.write_text(
        "case,time,event\nc2,2026-12-01T09:00,give_consent\nc1,2026-12-02T14:00,tam_accepts\n"
    )
    report = replay(EXAMPLE, read_logs([november, december], parse_mapping([])))
    assert report.findings == ()
    c1 = next(case for case in report.cases if case.case == "c1")
    assert [(t.place.file, t.place.row) for t in c1.timeline] == [
        (str(november), 1),
        (str(december), 2),
    ]
    assert [f.rows for f in report.files] == [1, 2]


def test_replay_modules_keep_to_the_oracle_layer():
    """ARCHITECTURE.md: the oracle imports spec (and itself), never checker or diagrams."""
    import ast  # noqa: PLC0415 - only this test parses source

    for path in sorted(Path("oracle").glob("replay*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(
                    ("stepcheck.checker", "stepcheck.diagrams", "stepcheck.cli")
                ), f"{path}: imports {node.module}"


def test_executor_force_takes_a_refused_event_with_its_effects():
    """`Executor.force`: the event's target and effects apply although a rule forbids it;
    a dispute step has nothing to force."""
    from stepcheck.oracle.executor import Executor  # noqa: PLC0415

    executor = Executor(EXAMPLE, Reading.SHOULD)
    case = executor.start(at=datetime(2026, 12, 1, 9))
    assert not executor.apply(case, "allocate", at=datetime(2026, 12, 1, 10)).accepted
    forced = executor.force(case, "allocate", at=datetime(2026, 12, 1, 10))
    assert forced is not None
    assert (forced.status, forced.owner, forced.now) == (
        "child_in_need",
        "sw_worker",
        datetime(2026, 12, 1, 10),
    )
    stepped = executor.force(forced, "request_step_up", at=datetime(2026, 12, 2, 9))
    assert stepped is not None
    assert stepped.value("referrals") == 1
    assert executor.force(case, "escalate:allocation_dispute", at=case.now) is None
    with pytest.raises(ValueError, match="unknown step"):
        executor.force(case, "teleport", at=case.now)


@pytest.mark.parametrize("name", ["buckinghamshire", "hertfordshire"])
def test_hour_deadlines_of_shipped_authorities_replay_exactly(tmp_path, name):
    """Two authorities with limits in hours (24, 48, 72 hours): clean cases replay clean
    and every plant is found once."""
    spec = load_spec(Path(f"spec/authorities/{name}.yaml"))
    simulated, report = _simulated_report(tmp_path, spec, 1, ("from", "guard", "deadline"), 12)
    found = sorted(
        (f.case, f.place.row if f.place else 0, f.kind, f.element) for f in report.findings
    )
    assert found == sorted((p.case, p.row, p.kind, p.element) for p in simulated.plants)
    assert not report.malformed
    assert report.totals.rows == len(simulated.rows) > 0


HOURS = load_spec_text(
    """\
stepcheck: 1
authority: {id: hours, name: Hours}
documents: {doc: {title: Hours protocol}}
teams: {t0: {name: Team}}
owners:
  worker: {kind: allocated, team: t0}
statuses:
  open: {tier: cin, owner: worker, initial: true}
  waiting: {tier: cin, owner: worker}
events:
  refer: {kind: other, from: open, to: waiting}
  decide: {kind: decide, from: waiting, to: open}
deadlines:
  decide_within_24_hours:
    within: 24 hours
    anchor: refer
    obligation: decide
    consequence: unspecified
    source: {doc: doc, section: "2", rule: HR-01, quote: "a decision within 24 hours"}
""",
    "hours.yaml",
)


@pytest.mark.parametrize(
    ("decided", "kinds"),
    [
        ("2026-12-08T09:30", []),  # within 24 hours
        ("2026-12-08T10:30", ["late"]),  # its hours have passed, its day has not
        ("2026-12-09T10:00", ["deadline"]),  # overdue: reported once, not also late
    ],
)
def test_limits_in_hours_are_late_after_their_exact_end(tmp_path, decided, kinds):
    report = _replay(tmp_path, ["c1,2026-12-07T10:00,refer", f"c1,{decided},decide"], HOURS)
    assert [f.kind for f in report.findings] == kinds
    if kinds:
        assert report.findings[0].rule == "HR-01"
        assert report.findings[0].place is not None
        assert report.findings[0].place.row == 2


def test_a_case_opens_in_the_initial_status_its_first_step_needs(tmp_path):
    """Devon's cases start in assessment, cin or early help: a first row requesting a step
    up opens in early help (the only one it is accepted from), not the first listed."""
    devon = SHIPPED[0]
    assert next(s.id for s in devon.statuses if s.initial) != "early_help_open"
    report = _replay(tmp_path, ["c1,2026-12-01T10:00,request_step_up"], devon)
    assert report.findings == ()
    report = _replay(tmp_path, ["c1,2026-12-01T10:00,discuss_step_down_with_manager"], devon)
    assert report.findings == ()
