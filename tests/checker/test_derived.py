"""Derived deadline questions: "can this deadline be met?", asked of every spec without
being written in it, with the conflict that stops it said in words.

Each case has a fixture where the question fails and one where it must not; the
Hertfordshire pin is the conflict the issue names (a decision that should take 1
working day, routed through a monthly meeting).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from stepcheck.checker.derived import derived_properties, eager_spec, waits_past, with_derived
from stepcheck.checker.explore import ExplicitModel, replay
from stepcheck.checker.results import Report, Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.cli import cli
from stepcheck.dating import date_counterexamples
from stepcheck.spec.expr import to_text
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import ProtocolSpec, Reading

PANEL = Path("tests/fixtures/specs/derived/panel.yaml")
QUESTION = "met_in_time:decided_within_one_day"
_START = date(2026, 12, 21)


def _panel(*edits: tuple[str, str]) -> ProtocolSpec:
    text = PANEL.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    return with_derived(load_spec_text(text, "panel.yaml"))


def _decided(spec: ProtocolSpec, question: str = QUESTION):
    result = verify_property(spec, spec.property_by_id(question))
    return date_counterexamples(Report(results=(result,)), [spec], _START).results[0]


def test_a_monthly_panel_cannot_keep_a_one_day_deadline():
    spec = _panel()
    result = _decided(spec)

    assert result.verdict is Verdict.VIOLATED
    assert "monthly 'Step-up Panel', which did not sit in time" in result.summary
    assert "'panel_agrees' and 'panel_declines'" in result.summary
    assert result.trace is not None
    assert replay(ExplicitModel(spec, Reading.MUST), result.trace).ok
    assert result.dated_from is not None, "the oracle's executor dates the same run"
    assert any(source.rule == "PV-02" for source in result.citations)


def test_a_weekly_panel_keeps_a_three_week_deadline():
    spec = _panel(("cadence: monthly", "cadence: weekly"), ("1 working day", "3 weeks"))
    result = _decided(spec)

    assert result.verdict is Verdict.PROVED, result.summary
    assert "can always be met" in result.summary
    assert result.bound is not None
    assert f"at worst {result.bound.working_days} working days after it starts" in result.summary


def test_the_worst_case_of_a_met_deadline_is_the_tightest_limit_that_is_still_met():
    """Checked against the engines: a limit of the worst case is still always met, and
    one working day less is not."""
    ten = _decided(
        _panel(("cadence: monthly", "cadence: weekly"), ("1 working day", "10 working days"))
    )
    assert ten.verdict is Verdict.PROVED
    assert ten.bound is not None
    worst = ten.bound.working_days
    assert worst is not None
    assert 0 < worst < 10

    def limit(days: int) -> Verdict:
        within = f"{days} working day{'s' if days != 1 else ''}"
        edits = (("cadence: monthly", "cadence: weekly"), ("1 working day", within))
        return _decided(_panel(*edits)).verdict

    assert limit(worst) is Verdict.PROVED
    assert limit(worst - 1) is Verdict.VIOLATED


def test_a_case_moved_on_before_the_decision_is_a_miss_the_protocol_allows():
    spec = _panel(
        ("cadence: monthly", "cadence: weekly"),
        ("1 working day", "3 weeks"),
        (
            "  close_case:",
            "  withdraw: {kind: close, from: awaiting_panel, to: closed}\n  close_case:",
        ),
    )
    result = _decided(spec)

    assert result.verdict is Verdict.VIOLATED
    assert "'withdraw' took the case from 'awaiting_panel' to 'closed'" in result.summary
    assert "nothing in the protocol makes 'withdraw' wait" in result.summary


def test_a_should_deadline_is_asked_under_the_should_reading():
    spec = _panel(("consequence: unspecified", "consequence: unspecified\n    modality: should"))
    result = _decided(spec)

    assert result.verdict is Verdict.VIOLATED
    assert result.reading is Reading.SHOULD
    assert result.summary.startswith("The should deadline 'Decided within one day'")


def test_only_timed_must_and_should_deadlines_after_their_anchor_are_asked():
    may = _panel(("consequence: unspecified", "consequence: unspecified\n    modality: may"))
    untimed = _panel(("within: 1 working day", "within: unspecified"))
    before = _panel(("anchor: request_step_up", "anchor: request_step_up\n    direction: before"))

    assert [prop.id for prop in derived_properties(_panel())] == [QUESTION]
    for spec in (may, untimed, before):
        assert not derived_properties(spec)


def test_the_waiting_part_keeps_to_the_statuses_where_the_deadline_can_be_met():
    spec = _panel()
    waiting = waits_past(spec, spec.property_by_id(QUESTION))

    assert waiting is not None
    assert to_text(waiting.holds) == (
        "not (overdue(decided_within_one_day) and status in {awaiting_panel})"
    )


def test_hertfordshire_routes_a_one_day_decision_through_the_monthly_meeting():
    """HT: "will go through the monthly Families First Action and Impact meetings",
    against "a decision ... within one working day" (transfer_decision_within_one_working_day)."""
    spec = with_derived(load_spec("spec/authorities/hertfordshire.yaml"))
    question = "met_in_time:transfer_decision_within_one_working_day"
    result = _decided(spec, question)

    assert result.verdict is Verdict.VIOLATED
    assert result.reading is Reading.SHOULD
    assert "monthly 'Families First Action and Impact (A&I) meeting'" in result.summary


def test_verify_asks_the_derived_questions_when_told_or_when_one_is_named():
    runner = CliRunner()
    common = ["verify", "--no-timings", "--no-cache", "--start-date", "2026-12-21"]
    told = runner.invoke(cli, [*common, "--derived", "--format", "json", str(PANEL)])
    named = runner.invoke(cli, [*common, "--property", QUESTION, "--format", "json", str(PANEL)])
    plain = runner.invoke(cli, [*common, "--format", "json", str(PANEL)])

    assert told.exit_code == named.exit_code == 1, told.output
    assert plain.exit_code == 0, plain.output
    told_results = {item["property"]: item for item in json.loads(told.output)["results"]}
    assert set(told_results) == {QUESTION, "leaves:awaiting_panel", "no_unowned_case"}
    assert told_results[QUESTION]["verdict"] == "violated"
    assert [item["property"] for item in json.loads(named.output)["results"]] == [QUESTION]
    assert [item["property"] for item in json.loads(plain.output)["results"]] == ["no_unowned_case"]


def test_derived_questions_have_a_budget_of_their_own_and_say_which_option_raises_it():
    """A starved derived question is `unknown`, naming --derived-total-rlimit and
    repeating it in its reproduce line; the spec's own property keeps the run's limits."""
    runner = CliRunner()
    starved = [
        "verify", "--no-timings", "--no-cache", "--start-date", "2026-12-21", "--derived",
        "--derived-total-rlimit", "1", "--derived-explicit-states", "0", "--format", "json",
    ]  # fmt: skip
    ran = runner.invoke(cli, [*starved, str(PANEL)])

    results = {item["property"]: item for item in json.loads(ran.output)["results"]}
    assert results[QUESTION]["verdict"] == "unknown"
    assert "(--derived-total-rlimit 1)" in results[QUESTION]["reason"]
    assert "--derived-total-rlimit 1" in results[QUESTION]["reproduce"]
    assert results["no_unowned_case"]["verdict"] == "proved"


def test_a_renewal_is_kept_on_its_last_day_not_at_the_first_chance():
    """ "Renew every 12 months": meeting it restarts it, so doing it at the first chance
    would stop time; the question is asked with people acting on its last day."""
    spec = _panel(
        ("obligation: [panel_agrees, panel_declines]", "obligation: [request_step_up]"),
        (
            "from: early_help\n    to: awaiting_panel",
            "from: [early_help, awaiting_panel]\n    to: awaiting_panel",
        ),
    )
    assert eager_spec(spec, "decided_within_one_day") is spec
    result = _decided(spec)

    assert result.verdict is Verdict.VIOLATED, result.summary
    assert "acts on its last day" in result.summary
    assert "'panel_agrees' took the case from 'awaiting_panel' to 'stepped_up'" in result.summary


def test_a_holding_status_left_by_a_deadline_has_its_worst_case():
    spec = _panel(
        ("to: stepped_up, at: panel", "to: stepped_up"),
        ("to: early_help, at: panel", "to: early_help"),
    )
    result = _decided(spec, "leaves:awaiting_panel")

    assert result.verdict is Verdict.PROVED, result.summary
    assert result.summary == (
        "A case in the holding status 'Awaiting panel' leaves it within 1 working day at "
        "worst, when everyone meets the deadlines they can."
    )


def test_a_holding_status_nothing_moves_on_can_hold_a_case_for_ever():
    """A month between sittings, and nothing says the panel must decide at the next one."""
    result = _decided(_panel(), "leaves:awaiting_panel")

    assert result.verdict is Verdict.VIOLATED
    assert result.trace is not None
    assert result.trace.loop_start is not None
    assert "can stay in the holding status 'Awaiting panel' for ever" in result.summary
