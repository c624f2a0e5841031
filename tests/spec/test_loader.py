"""Tests for `spec.loader`: the diagnostics of every invalid fixture, and the model it builds."""

import re
from pathlib import Path

import pytest

from stepcheck.spec.diagnostics import SpecInvalid, StepcheckError, render_diagnostics
from stepcheck.spec.duration import parse_duration
from stepcheck.spec.expr import IntType, to_text
from stepcheck.spec.loader import find_spec_files, load_spec, load_spec_text, spec_problems
from stepcheck.spec.model import (
    UNSPECIFIED,
    Cadence,
    CadenceKind,
    Direction,
    EventKind,
    Modality,
    OwnerKind,
    PropertyKind,
    Tier,
)

FIXTURES = Path("tests/fixtures/specs")
VALID_SPECS = FIXTURES / "valid"
INVALID_SPECS = FIXTURES / "invalid"
EXAMPLE = VALID_SPECS / "example.yaml"
INVALID_FILES = sorted(path for path in INVALID_SPECS.glob("*.yaml") if path.is_file())
# The loader's codes; the checker's structural findings are covered in tests/checker.
LOADER_SOURCES = [
    source for folder in ("stepcheck", "spec") for source in Path(folder).rglob("*.py")
]
FIXTURE_NAME = re.compile(r"^spec(\d{3})_[a-z0-9_]+$")

SMALL_SPEC = """\
stepcheck: 1
authority: {id: smallvale, name: Smallvale Council (fictional)}
documents:
  sv: {title: Smallvale step-up protocol}
teams:
  front_door: {name: Front Door}
meetings:
  panel: {cadence: monthly}
owners:
  panel_queue: {kind: meeting_queue, meeting: panel}
  duty_system: {kind: system_tray}
  partner_agency: {kind: external}
  quiet_tray: {kind: team_tray, team: front_door, responsible: false}
statuses:
  referred: {tier: early_help, initial: true, owner: unspecified}
  closed: {tier: closed, final: true}
events:
  close_case: {kind: close, from: referred, to: closed, owner: none}
"""


@pytest.fixture(scope="module")
def example():
    """The complete example spec, loaded once for the model tests."""
    return load_spec(EXAMPLE)


@pytest.mark.parametrize("path", sorted(INVALID_SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_invalid_spec_reports_expected_diagnostics(path, golden):
    """Each invalid fixture produces exactly the diagnostics in its .expected file."""
    with pytest.raises(SpecInvalid) as caught:
        load_spec(path)

    golden.check(path.with_suffix(".expected"), render_diagnostics(caught.value.diagnostics))


@pytest.mark.parametrize("path", sorted(INVALID_SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_invalid_fixture_reports_the_code_in_its_name(path):
    """A fixture named specNNN_<what>.yaml reports SPECNNN among its diagnostics."""
    name = FIXTURE_NAME.match(path.stem)

    assert name, f"{path.name} is not named specNNN_<what>.yaml"
    assert f"[SPEC{name.group(1)}]" in path.with_suffix(".expected").read_text(encoding="utf-8")


def test_every_diagnostic_code_in_the_package_has_a_fixture():
    """Every SPECnnn code the loader can report appears in some fixture's expected output."""
    codes = {
        code
        for source in LOADER_SOURCES
        for code in re.findall(r"\"(SPEC\d{3})\"", source.read_text(encoding="utf-8"))
    }
    reported = {
        code
        for expected in INVALID_SPECS.glob("*.expected")
        for code in re.findall(r"\[(SPEC\d{3})\]", expected.read_text(encoding="utf-8"))
    }

    assert len(codes) > 30
    assert codes - reported == set()


def test_every_expected_file_belongs_to_a_fixture():
    """No golden file is left behind when its fixture is renamed or removed."""
    orphans = [
        expected.name
        for expected in INVALID_SPECS.glob("*.expected")
        if not expected.with_suffix(".yaml").exists()
    ]

    assert orphans == []


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_spec_problems_lists_what_spec_invalid_carries(path):
    """`spec_problems` returns the same diagnostics that `load_spec_text` raises."""
    raw = path.read_bytes()

    with pytest.raises(SpecInvalid) as caught:
        load_spec_text(raw, str(path))

    assert tuple(sorted(spec_problems(raw, str(path)), key=lambda d: d.sort_key())) == (
        caught.value.diagnostics
    )


def test_spec_invalid_is_a_value_error_carrying_every_diagnostic():
    """SpecInvalid can be caught as ValueError and holds all problems, not just the first."""
    with pytest.raises(ValueError, match="5 problem") as caught:
        load_spec(INVALID_SPECS / "spec102_several_problems.yaml")

    assert isinstance(caught.value, SpecInvalid)
    assert len(caught.value.diagnostics) == 5


def test_unreadable_file_is_a_located_diagnostic_not_an_os_error(tmp_path):
    """A file that cannot be read raises SpecInvalid (SPEC009) naming the file, not OSError."""
    missing = tmp_path / "missing.yaml"

    with pytest.raises(SpecInvalid) as caught:
        load_spec(missing)

    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, str(diagnostic.span)) == ("SPEC009", f"{missing}:1:1")
    assert diagnostic.message == "cannot read the file: no such file or directory"


def test_error_stages_do_not_mix():
    """A spec with a schema error reports no reference errors, which would only be noise."""
    with pytest.raises(SpecInvalid) as caught:
        load_spec(INVALID_SPECS / "spec011_unknown_key.yaml")

    assert {d.code for d in caught.value.diagnostics} == {"SPEC011"}


@pytest.mark.parametrize("path", sorted(VALID_SPECS.glob("*.yaml")), ids=lambda p: p.stem)
def test_valid_fixture_loads(path):
    """Every valid fixture loads into a spec that remembers its file."""
    spec = load_spec(path)

    assert spec.path == str(path)


def test_load_spec_text_accepts_text_and_names_the_file():
    """A spec given as text loads, and diagnostics name the file the caller gives."""
    spec = load_spec_text(SMALL_SPEC, "small.yaml")
    with pytest.raises(SpecInvalid) as caught:
        load_spec_text(SMALL_SPEC.replace("to: closed", "to: shut"), "small.yaml")

    assert spec.path == "small.yaml"
    assert [str(d.span) for d in caught.value.diagnostics] == ["small.yaml:18:49"]


def test_example_owners_start_with_the_built_in_none_and_unspecified(example):
    """The built-in owners 'none' and 'unspecified' come first and answer for nothing."""
    built_in = example.owners[:2]

    assert [(o.id, o.kind, o.responsible) for o in built_in] == [
        ("none", OwnerKind.NONE, False),
        ("unspecified", OwnerKind.UNSPECIFIED, False),
    ]
    assert [o.id for o in example.owners[2:]] == ["fs_worker", "sw_worker", "sw_tray"]


def test_example_owners_keep_their_kind_team_and_name(example):
    """Declared owners keep their kind, team and display name."""
    tray = example.owner_by_id("sw_tray")

    assert (tray.kind, tray.team, tray.name) == (
        OwnerKind.TEAM_TRAY,
        "social_work",
        "Social Work Team Manager's tray",
    )
    assert example.owner_by_id("fs_worker").allocated
    assert not tray.allocated


def test_owner_responsibility_defaults_from_its_kind_unless_stated():
    """Workers, trays, lists and outsiders answer for a case; queues and systems do not."""
    spec = load_spec_text(SMALL_SPEC)

    responsible = {owner.id: owner.responsible for owner in spec.owners}

    assert responsible == {
        "none": False,
        "unspecified": False,
        "panel_queue": False,
        "duty_system": False,
        "partner_agency": True,
        "quiet_tray": False,
    }


def test_statuses_and_events_may_name_built_in_owners():
    """'unspecified' and 'none' are owners without being declared."""
    spec = load_spec_text(SMALL_SPEC)

    assert spec.status_by_id("referred").owner == "unspecified"
    assert spec.event_by_id("close_case").owner == "none"


def test_example_statuses_keep_tier_owner_and_flags(example):
    """Statuses keep their tier, owner and initial/final/holding flags, in spec order."""
    rows = [(s.id, s.tier, s.owner, s.initial, s.final, s.holding) for s in example.statuses]

    assert rows == [
        ("early_help", Tier.EARLY_HELP, "fs_worker", True, False, False),
        ("awaiting_tam", Tier.EARLY_HELP, None, False, False, False),
        ("in_tray", Tier.CIN, "sw_tray", False, False, True),
        ("child_in_need", Tier.CIN, "sw_worker", False, False, False),
        ("child_protection", Tier.CP, "sw_worker", False, False, False),
        ("closed", Tier.CLOSED, "none", False, True, False),
    ]
    assert [s.id for s in example.initial_statuses] == ["early_help"]


def test_example_spans_point_at_the_ids_in_the_file(example):
    """Every model object remembers the line and column of its id in the spec file."""
    span = example.status_by_id("in_tray").span

    assert (span.file, span.line, span.column, span.path) == (
        str(EXAMPLE),
        40,
        3,
        "statuses.in_tray",
    )


def test_example_meeting_cadence_reads_weekday_and_time(example):
    """A cadence mapping becomes a weekly cadence on Wednesdays at 14:00."""
    tam = example.meeting_by_id("tam")

    assert tam.cadence == Cadence(kind=CadenceKind.WEEKLY, weekday=2, time="14:00")
    assert str(tam.cadence) == "weekly on Wednesdays at 14:00"
    assert tam.chair == "sw_manager"


def test_example_meeting_cadence_word_is_a_kind_without_a_day(example):
    """A cadence given as one word, such as on_demand, has no weekday or time."""
    handover = example.meeting_by_id("handover")

    assert handover.cadence == Cadence(kind=CadenceKind.ON_DEMAND)


def test_example_variables_have_types_and_initial_values(example):
    """A bool starts as declared, a bounded counter at its initial value."""
    rows = [(v.id, v.type, v.initial) for v in example.variables]

    assert rows[1] == ("referrals", IntType(lo=0, hi=3), 0)
    assert rows[0][0::2] == ("consent", False)


def test_example_events_read_sources_targets_and_any(example):
    """'from' lists become tuples; 'from: any' is the empty tuple; 'to' is optional."""
    urgent = example.event_by_id("urgent_step_up")
    consent = example.event_by_id("give_consent")

    assert (urgent.kind, urgent.sources_from, urgent.target) == (
        EventKind.URGENT_STEP_UP,
        ("early_help", "awaiting_tam"),
        "child_protection",
    )
    assert (consent.sources_from, consent.target) == ((), None)
    assert example.event_by_id("tam_accepts").at == "tam"


def test_example_guards_keep_modality_and_citation(example):
    """A guard list keeps each condition's text, modality and cited rule."""
    guards = example.event_by_id("step_down").guards

    assert [(g.text, g.modality, [s.rule for s in g.sources]) for g in guards] == [
        ("consent", Modality.MUST, ["EV-05"]),
        ("held(handover)", Modality.SHOULD, ["EV-06"]),
    ]


def test_example_effects_are_typed_assignments(example):
    """An effect maps a variable to a checked expression."""
    (effect,) = example.event_by_id("request_step_up").effects

    assert (effect.target, to_text(effect.value)) == ("referrals", "referrals + 1")


def test_example_deadline_keeps_unspecified_consequence(example):
    """A deadline whose consequence the document leaves open records UNSPECIFIED."""
    deadline = example.deadline_by_id("allocate_within_two_days")

    assert deadline.within == parse_duration("2 working days")
    assert (deadline.anchor, deadline.obligation) == (("tam_accepts",), ("allocate",))
    assert deadline.consequence is UNSPECIFIED
    assert (deadline.direction, deadline.modality) == (Direction.AFTER, Modality.MUST)


def test_example_escalation_levels_keep_who_when_and_decider(example):
    """Escalation levels keep their roles, time limits (or UNSPECIFIED) and who decides."""
    ladder = example.escalation_by_id("allocation_dispute")

    rows = [(lv.id, lv.who, lv.within, lv.decides) for lv in ladder.levels]

    assert rows == [
        ("managers_discuss", ("fs_manager", "sw_manager"), parse_duration("1 working day"), False),
        ("head_decides", ("head_of_service",), UNSPECIFIED, True),
    ]
    assert (ladder.trigger, ladder.final_authority, ladder.tie_break) == (
        ("tam_declines",),
        "head_decides",
        "not_needed",
    )


def test_example_rereferral_routes_to_previous_owner(example):
    """A re-referral window keeps its duration, anchor event and route."""
    (rule,) = example.rereferrals

    assert (rule.window, rule.anchor, rule.event, rule.route_to) == (
        parse_duration("3 months"),
        ("close_case",),
        "request_step_up",
        "previous",
    )


def test_property_kind_defaults_from_its_key_name(example):
    """A property named after a built-in kind, with no 'kind:', is of that kind."""
    kinds = {p.id: p.kind for p in example.properties}

    assert kinds == {
        "escalation_terminates": PropertyKind.ESCALATION_TERMINATES,
        "no_unowned_case": PropertyKind.NO_UNOWNED_CASE,
        "cp_step_down_requires_meeting": PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING,
        "consent_before_step_down": PropertyKind.INVARIANT,
        "allocated_soon": PropertyKind.LEADS_TO,
    }
    assert example.property_by_id("cp_step_down_requires_meeting").meetings == ("handover",)


def test_leads_to_status_name_means_being_in_that_status(example):
    """'from: in_tray' in a leads_to property means 'status == in_tray'."""
    prop = example.property_by_id("allocated_soon")

    assert (to_text(prop.trigger), to_text(prop.goal)) == (
        "status == in_tray",
        "status == child_in_need",
    )
    assert prop.within == parse_duration("2 working days")


def test_invariant_keeps_its_condition(example):
    """An invariant's 'holds' becomes a typed expression."""
    prop = example.property_by_id("consent_before_step_down")

    assert to_text(prop.holds) == "tier == early_help or not consent or referrals >= 0"


def test_example_citations_and_out_of_scope_rules(example):
    """Cited rule ids are collected across the spec; out-of-scope rules keep their reason."""
    (skipped,) = example.out_of_scope

    assert example.cited_rules == {f"EV-0{n}" for n in range(1, 8)}
    assert (skipped.rule, skipped.reason) == (
        "EV-08",
        "recording requirement; no effect on case state",
    )


def test_find_spec_files_expands_folders_sorted_and_once(tmp_path):
    """Folders expand to their .yaml and .yml files, sorted, each listed once."""
    (tmp_path / "b.yaml").write_text("", encoding="utf-8")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "a.yml").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")

    found = find_spec_files([tmp_path, tmp_path / "b.yaml"])

    assert found == [tmp_path / "b.yaml", tmp_path / "nested" / "a.yml"]


def test_find_spec_files_keeps_a_named_file_whatever_its_suffix(tmp_path):
    """A file named on the command line is a spec even without a .yaml suffix."""
    spec = tmp_path / "spec.txt"
    spec.write_text("", encoding="utf-8")

    assert find_spec_files([spec]) == [spec]


def test_find_spec_files_rejects_a_missing_path(tmp_path):
    """A path that does not exist is a user error naming the path."""
    with pytest.raises(StepcheckError, match="no such file or folder"):
        find_spec_files([tmp_path / "missing.yaml"])


def test_find_spec_files_rejects_a_folder_without_specs(tmp_path):
    """A folder with no spec files in it is a user error, not an empty success."""
    with pytest.raises(StepcheckError, match="no spec files"):
        find_spec_files([tmp_path])
