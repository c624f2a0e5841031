"""Severity, root causes and fingerprints: what every writer leads with."""

import io
from pathlib import Path

import pytest
from attrs import evolve
from ruamel.yaml import YAML

from stepcheck import load_spec, load_spec_text
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.sentences import property_name, summarise
from stepcheck.checker.structure import check_structure
from stepcheck.checker.triage import Category, Severity, of_finding, of_result, problems, top
from stepcheck.spec.model import PropertyKind

SHIPPED = sorted(Path("spec/authorities").glob("*.yaml"))

SPEC = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {sw: {name: SW}}
owners: {sw_worker: {kind: allocated, team: sw}, sw_tray: {kind: team_tray, team: sw}}
roles: {head: {name: Head}}
meetings: {panel: {cadence: {every: month}}}
statuses:
  open: {tier: cin, owner: sw_worker, initial: true}
  tray: {tier: cin, owner: sw_tray, holding: true}
  closed: {tier: closed, owner: none, final: true}
events:
  park: {kind: transfer, from: open, to: tray}
  allocate: {kind: allocate, from: tray, to: open}
  decide: {kind: other, from: open, to: open, at: panel}
  close_case: {kind: close, from: open, to: closed}
deadlines:
  allocate_some_day:
    within: unspecified
    anchor: park
    obligation: allocate
    consequence: unspecified
    source: {doc: d, rule: TT-01, quote: "the case is allocated"}
  decide_in_a_day:
    within: 1 working day
    anchor: park
    obligation: decide
    consequence: unspecified
    source: {doc: d, rule: TT-02, quote: "a decision within 1 working day"}
"""


def _findings(text: str = SPEC):
    spec = load_spec_text(text, "t.yaml")
    return spec, check_structure(spec)


def test_a_deadline_with_no_duration_and_no_consequence_is_one_root_cause():
    spec, findings = _findings()
    report = Report(results=(), findings=tuple(findings))
    causes = {p.root_cause: p for p in problems(report, {"t.yaml": spec})}

    one = causes["deadline:allocate_some_day"]
    assert sorted(f.code for f in one.findings) == ["SPEC206", "SPEC207", "SPEC208"]
    assert one.severity is Severity.MEDIUM  # the unbounded tray, not the wording
    assert one.category is Category.HOLDING
    assert one.rules == ("TT-01",)
    assert one.headline.startswith("Holding status 'Tray' has no time limit")


def test_an_urgent_deadline_kept_by_a_monthly_meeting_is_high():
    spec, findings = _findings()
    cadence = next(f for f in findings if f.code == "SPEC213")
    triage = of_finding(cadence, spec)
    assert (triage.severity, triage.category) == (Severity.HIGH, Category.URGENT)
    slower = SPEC.replace("within: 1 working day", "within: 10 working days")
    spec, findings = _findings(slower)
    cadence = next(f for f in findings if f.code == "SPEC213")
    assert of_finding(cadence, spec).severity is Severity.MEDIUM


def _result(kind: PropertyKind, verdict: Verdict, **fields) -> PropertyResult:
    return PropertyResult(
        authority="t",
        spec="t.yaml",
        property=kind.value,
        kind=kind,
        verdict=verdict,
        summary="s",
        **fields,
    )


@pytest.mark.parametrize(
    ("kind", "violated"),
    [
        (PropertyKind.NO_UNOWNED_CASE, Severity.HIGH),
        (PropertyKind.ESCALATION_TERMINATES, Severity.HIGH),
        (PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING, Severity.HIGH),
        (PropertyKind.INVARIANT, Severity.MEDIUM),
        (PropertyKind.LEADS_TO, Severity.MEDIUM),
    ],
)
def test_severity_follows_what_is_at_stake_and_what_is_known(kind, violated):
    assert of_result(_result(kind, Verdict.VIOLATED), None).severity is violated
    assert of_result(_result(kind, Verdict.UNKNOWN), None).severity is violated.lower()
    should = _result(kind, Verdict.VIOLATED, should_only=True)
    assert of_result(should, None).severity is violated.lower()
    assert of_result(_result(kind, Verdict.PROVED), None).severity is Severity.NONE
    vacuous = _result(kind, Verdict.PROVED, vacuous=True)
    assert of_result(vacuous, None).severity is Severity.LOW


def test_a_dispute_open_for_ever_shares_its_root_cause_with_the_ladders_gap():
    text = (
        SPEC
        + """
escalations:
  disagreement:
    trigger: park
    levels: [{id: heads, who: head, within: 1 working day, decides: true}]
    final_authority: unspecified
    tie_break: unspecified
"""
    )
    spec, findings = _findings(text)
    open_for_ever = _result(
        PropertyKind.ESCALATION_TERMINATES, Verdict.VIOLATED, subject="disagreement"
    )
    report = Report(results=(open_for_ever,), findings=tuple(findings))
    ranked = problems(report, {"t.yaml": spec})
    first = ranked[0]
    assert first.root_cause == "escalation:disagreement"
    assert [r.property for r in first.results] == ["escalation_terminates"]
    assert [f.code for f in first.findings] == ["SPEC210"]
    assert first.headline == "S."  # the violation's own sentence leads
    assert top(ranked)[0] is first


def _reordered(path: Path) -> str:
    """The same spec with every top-level mapping reversed and a comment block on top."""
    yaml = YAML()
    yaml.preserve_quotes = True
    data = yaml.load(path.read_text(encoding="utf-8"))
    for key in ("statuses", "events", "deadlines", "owners", "escalations", "meetings"):
        if key in data:
            items = list(data[key].items())
            data[key].clear()
            for name, value in reversed(items):
                data[key][name] = value
    out = io.StringIO()
    yaml.dump(data, out)
    return "# moved down by a comment\n" * 7 + out.getvalue()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_fingerprints_survive_reordered_yaml_and_moved_lines(path):
    spec = load_spec(path)
    moved = load_spec_text(_reordered(path), str(path))
    before = {of_finding(f, spec).fingerprint for f in check_structure(spec)}
    after = {of_finding(f, moved).fingerprint for f in check_structure(moved)}
    assert before == after
    assert len(before) == len(check_structure(spec))  # one fingerprint per finding


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_finding_cites_a_rule_where_its_element_has_one(path):
    """A reference to a document the text never quotes has nothing to cite; any other
    finding cites its element, or the rule that leads to it."""
    spec = load_spec(path)
    uncited = {x.id for x in spec.externals if not x.sources}
    for finding in check_structure(spec):
        if finding.subject and finding.subject.removeprefix("external:") in uncited:
            continue
        assert finding.rule, (finding.code, finding.subject)


FORMULA_MARKS = ("==", "!=", "->", "status in", "escalating(")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_headlines_of_written_properties_are_words_not_formulas(path):
    spec = load_spec(path)
    written = (PropertyKind.INVARIANT, PropertyKind.LEADS_TO)
    for prop in (prop for prop in spec.properties if prop.kind in written):
        for verdict in (Verdict.PROVED, Verdict.VIOLATED):
            text = summarise(spec, prop, Outcome(verdict=verdict), should_only=False)
            assert not any(mark in text for mark in FORMULA_MARKS), (prop.id, text)


def test_names_keep_the_documents_capitals():
    spec = load_spec("spec/authorities/somerset.yaml")
    prop = spec.property_by_id("step_in_before_next_tam")
    text = summarise(spec, prop, Outcome(verdict=Verdict.VIOLATED), should_only=False)
    assert text.startswith("'Step in before next TAM' does not always hold")


def test_a_finding_without_a_subject_still_gets_a_stable_fingerprint():
    spec, findings = _findings()
    bare = evolve(findings[0], subject=None)
    assert of_finding(bare, spec).fingerprint == of_finding(bare, spec).fingerprint
    assert len(of_finding(bare, spec).fingerprint) == 16


def test_words_a_document_shouts_stay_ordinary_words():
    """Devon's quotes shout "EARLY HELP" and "RISK"; its own descriptions write them in
    lower case, so only the real initialisms stay capitals."""
    spec = load_spec("spec/authorities/devon.yaml")
    names = {p.id: property_name(spec, p.id) for p in spec.properties}

    assert names["early_help_holds_case_until_cin_or_cp"] == "Early help holds case until CIN or CP"
    assert names["urgent_risk_reaches_front_door"] == "Urgent risk reaches front door"
