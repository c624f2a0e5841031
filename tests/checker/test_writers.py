"""The five writers of `stepcheck verify`: golden files, schemas, and unknown never a pass."""

import json
import xml.etree.ElementTree as ET
from datetime import date
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from example_states import EXAMPLE_START
from schemas import SARIF_ID, junit_valid, sarif_schema

from stepcheck.checker.results import Bound, PropertyResult, Report, Strength, Verdict
from stepcheck.checker.structure import check_structure
from stepcheck.checker.writers import FORMATS, write
from stepcheck.checker.writers.json_report import output_schema
from stepcheck.spec.diagnostics import Diagnostic, InternalError, Severity
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading
from stepcheck.spec.trace import StepKind, Trace, TraceStep

GOLDEN = Path("tests/golden/verify")
AUTHORITIES = Path("spec/authorities")
EXAMPLE = "tests/fixtures/specs/valid/example.yaml"
SOMERSET = "spec/authorities/somerset.yaml"
START = date(2026, 12, 23)
EXTENSIONS = {
    "text": "txt",
    "json": "json",
    "junit": "junit.xml",
    "sarif": "sarif",
    "markdown": "md",
    "summary": "summary.md",
    "pr": "pr.md",
    "github": "github.txt",
}
EVENT, TICK, ESCALATE = StepKind.EVENT, StepKind.TICK, StepKind.ESCALATE


SOMERSET_START = {
    "status": "fis_open",
    "owner": "family_intervention_service_worker",
    "co_owner": "none",
    "previous_owner": "none",
    "held": (),
    "deadline:step_up_transfer_within_two_weeks": None,
}


@cache
def _spec(path):
    return load_spec(Path(path))


def _trace(initial, *steps, loop_start=None):
    """A trace from (kind, name, day, changes) tuples, each step changing the state before it."""
    built, state = [], dict(initial)
    for kind, name, day, changes in steps:
        state = {**state, **changes}
        built.append(TraceStep(kind=kind, name=name, day=day, state=state))
    return Trace(initial=initial, steps=tuple(built), loop_start=loop_start)


def _accepted_then_overdue():
    """Accepted at TAM two days before Christmas 2026; allocation overdue on 30 December."""
    return _trace(
        EXAMPLE_START,
        (EVENT, "request_step_up", 0, {"status": "awaiting_tam", "var:referrals": 1}),
        (
            EVENT,
            "tam_accepts",
            0,
            {
                "status": "in_tray",
                "owner": "sw_tray",
                "previous_owner": "fs_worker",
                "held": ("tam",),
                "deadline:allocate_within_two_days": 2,
            },
        ),
        (TICK, None, 1, {"deadline:allocate_within_two_days": 1}),
        (TICK, None, 2, {"deadline:allocate_within_two_days": 0}),
        (TICK, None, 3, {"deadline:allocate_within_two_days": -1}),
    )


def _dispute_open_for_ever():
    """Declined at TAM, escalated to the Head of Service, who need never decide: a lasso."""
    return _trace(
        EXAMPLE_START,
        (EVENT, "request_step_up", 0, {"status": "awaiting_tam", "var:referrals": 1}),
        (
            EVENT,
            "tam_declines",
            0,
            {
                "status": "early_help",
                "held": ("tam",),
                "dispute:allocation_dispute": "managers_discuss",
                "level_timer:allocation_dispute": 1,
            },
        ),
        (TICK, None, 1, {"level_timer:allocation_dispute": 0}),
        (TICK, None, 2, {"level_timer:allocation_dispute": -1}),
        (
            ESCALATE,
            "allocation_dispute",
            2,
            {"dispute:allocation_dispute": "head_decides", "level_timer:allocation_dispute": None},
        ),
        (TICK, None, 3, {}),
        loop_start=5,
    )


def _agreed_step_up_left_unowned():
    """Somerset: TAM agrees a step-up and the case sits with an owner the document never names."""
    return _trace(
        SOMERSET_START,
        (EVENT, "request_step_up", 0, {"status": "awaiting_tam"}),
        (TICK, None, 1, {}),
        (TICK, None, 2, {}),
        (TICK, None, 3, {}),
        (
            EVENT,
            "tam_agrees_step_up",
            3,
            {
                "status": "step_up_agreed",
                "owner": "unspecified",
                "previous_owner": "family_intervention_service_worker",
                "held": ("tam",),
                "deadline:step_up_transfer_within_two_weeks": 10,
            },
        ),
    )


def _result(path, property_id, **fields):
    spec = _spec(path)
    prop = spec.property_by_id(property_id)
    return PropertyResult(
        authority=spec.authority.id,
        spec=spec.path,
        property=property_id,
        kind=prop.kind,
        span=prop.span,
        citations=prop.sources,
        **fields,
    )


def _example_results():
    ex = _spec(EXAMPLE)
    ladder = ex.escalation_by_id("allocation_dispute")
    return (
        _result(
            EXAMPLE,
            "escalation_terminates",
            verdict=Verdict.VIOLATED,
            seconds=0.42,
            trace=_dispute_open_for_ever(),
            summary="the dispute 'allocation_dispute' can stay open for ever",
            rules=(ladder.span, ladder.levels[1].span),
            subject="allocation_dispute",
        ),
        _result(
            EXAMPLE,
            "no_unowned_case",
            verdict=Verdict.PROVED,
            strength=Strength.UNBOUNDED,
            seconds=0.31,
            summary="a case that is not closed always has someone responsible",
        ),
        _result(
            EXAMPLE,
            "cp_step_down_requires_meeting",
            verdict=Verdict.PROVED,
            strength=Strength.UNBOUNDED,
            reading=Reading.SHOULD,
            should_only=True,
            seconds=0.27,
            summary="every step down from child protection follows a 'handover' meeting",
            rules=(ex.event_by_id("step_down").guards[1].span,),
        ),
        _result(
            EXAMPLE,
            "consent_before_step_down",
            verdict=Verdict.PROVED,
            strength=Strength.BOUNDED,
            bound=Bound(depth=40),
            seconds=1.5,
            summary="'tier == early_help or not consent or referrals >= 0' always holds",
        ),
        _result(
            EXAMPLE,
            "allocated_soon",
            verdict=Verdict.VIOLATED,
            seconds=0.55,
            trace=_accepted_then_overdue(),
            summary="a case in 'in_tray' does not reach 'child_in_need' within 2 working days",
            rules=(
                ex.deadline_by_id("allocate_within_two_days").span,
                ex.event_by_id("allocate").span,
            ),
        ),
    )


def _somerset_results():
    so = _spec(SOMERSET)
    return (
        _result(
            SOMERSET,
            "escalation_terminates",
            verdict=Verdict.PROVED,
            strength=Strength.UNBOUNDED,
            bound=Bound(working_days=10, steps=6),
            seconds=2.25,
            summary="every dispute ends with a final decision within 10 working days",
        ),
        _result(
            SOMERSET,
            "no_unowned_case",
            verdict=Verdict.VIOLATED,
            seconds=0.8,
            trace=_agreed_step_up_left_unowned(),
            summary="a case in 'step_up_agreed' is held by 'unspecified', which nobody answers for",
            rules=(so.status_by_id("step_up_agreed").span,),
        ),
        _result(
            SOMERSET,
            "step_in_before_next_tam",
            verdict=Verdict.PROVED,
            strength=Strength.UNBOUNDED,
            vacuous=True,
            seconds=0.12,
            summary="a required Step-In always happens before the next TAM",
        ),
        _result(
            SOMERSET,
            "tray_case_gets_allocated",
            verdict=Verdict.UNKNOWN,
            seconds=30.0,
            reason="timeout after 30 s: neither a proof nor a counterexample was found",
            summary="a case in a receiving team's tray is always allocated",
        ),
    )


def _findings():
    ex, so = _spec(EXAMPLE), _spec(SOMERSET)
    return (
        Diagnostic(
            code="SPEC207",
            message="deadline 'allocate_within_two_days' has no stated consequence "
            "when it is missed",
            span=ex.deadline_by_id("allocate_within_two_days").span,
            severity=Severity.WARNING,
            hint="the document does not say what happens if the deadline passes",
            rule='ev EV-07 3: "the case is allocated within 2 working days"',
            subject="deadline:allocate_within_two_days",
            rule_ids=("EV-07",),
        ),
        Diagnostic(
            code="SPEC211",
            message="escalation 'professional_difference' ends with 2 peers at level "
            "'operations_managers_review' and no tie-break",
            span=so.escalation_by_id("professional_difference").levels[1].span,
            severity=Severity.WARNING,
            hint="if the two operations managers disagree, nothing in the document decides",
            rule="st ST-24 §9 Resolving Professional Difference",
            subject="escalation:professional_difference",
            rule_ids=("ST-24",),
        ),
        Diagnostic(
            code="SPEC210",
            message="escalation 'neglect_refusal' has no final authority",
            span=so.escalation_by_id("neglect_refusal").span,
            severity=Severity.WARNING,
            hint="the document does not say who makes the final decision",
            subject="escalation:neglect_refusal",
        ),
    )


def _report():
    """Proved (unbounded with a bound, bounded), violated (finite over Christmas, lasso,
    unowned), unknown, should-only and vacuous results, and findings, over two specs."""
    return Report(results=_example_results() + _somerset_results(), findings=_findings())


def _specs():
    return {path: _spec(path) for path in (EXAMPLE, SOMERSET)}


def _write(fmt, report=None):
    return write(report or _report(), fmt, specs=_specs(), start=START)


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_matches_golden_file(fmt, golden):
    """Each format of the hand-built report is exactly its golden file."""
    golden.check(GOLDEN / f"report.{EXTENSIONS[fmt]}", _write(fmt))


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic_whatever_the_result_order(fmt):
    """Results in another order give the same bytes: output is sorted, never clock-dependent."""
    report = _report()
    shuffled = Report(results=report.results[::-1], findings=report.findings[::-1])

    assert _write(fmt, shuffled) == _write(fmt, report)


def test_json_output_satisfies_its_schema():
    """The JSON report validates against verify-output.schema.json, itself a valid schema."""
    schema = output_schema()
    jsonschema.Draft202012Validator.check_schema(schema)

    jsonschema.Draft202012Validator(schema).validate(json.loads(_write("json")))


def test_json_carries_trace_dates_story_and_citations():
    """A violation in JSON has dated trace steps with JSON-native states, and its story."""
    payload = json.loads(_write("json"))
    results = {r["property"]: r for r in payload["results"] if r["authority"] == "examplevale"}

    soon = results["allocated_soon"]
    assert [step["date"] for step in soon["trace"]["steps"]] == [
        "2026-12-23", "2026-12-23", "2026-12-24", "2026-12-29", "2026-12-30",
    ]  # fmt: skip
    assert soon["trace"]["steps"][1]["state"]["held"] == ["tam"]
    assert soon["story"]["overdue"][0]["limit"] == "allocate_within_two_days"
    assert soon["bound"] is None
    assert results["escalation_terminates"]["trace"]["loop_start"] == 5
    bounded = results["consent_before_step_down"]["bound"]
    assert bounded == {"working_days": None, "steps": None, "depth": 40}


def test_the_sarif_schema_used_is_the_official_one():
    """The schema the SARIF test uses is OASIS's SARIF 2.1.0 schema, and it rejects a bad log."""
    schema = sarif_schema()
    jsonschema.Draft7Validator.check_schema(schema)

    assert (schema["$id"], schema["title"]) == (
        SARIF_ID,
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema",
    )
    assert not jsonschema.Draft7Validator(schema).is_valid({"version": "2.1.0", "runs": [{}]})


def test_sarif_output_satisfies_the_official_schema():
    """The SARIF log validates against the official SARIF 2.1.0 JSON schema."""
    checker = jsonschema.FormatChecker()
    validator = jsonschema.Draft7Validator(sarif_schema(), format_checker=checker)

    validator.validate(json.loads(_write("sarif")))


def test_sarif_points_at_the_property_line_with_rules_and_steps():
    """A violation points at the property's YAML line, relates its rules, and flows step by step."""
    run = json.loads(_write("sarif"))["runs"][0]
    by_property = {
        (r["properties"]["authority"], r["properties"]["property"]): r
        for r in run["results"]
        if "property" in r["properties"]
    }

    soon = by_property[("examplevale", "allocated_soon")]
    physical = soon["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": EXAMPLE},
        "region": {"startLine": 128, "startColumn": 3},
    }
    assert soon["level"] == "error"
    related = [r["physicalLocation"]["region"]["startLine"] for r in soon["relatedLocations"]]
    assert related == [98, 68]
    steps = soon["codeFlows"][0]["threadFlows"][0]["locations"]
    assert len(steps) == 1 + len(_accepted_then_overdue().steps)
    rule = run["tool"]["driver"]["rules"][soon["ruleIndex"]]
    assert (rule["id"], rule["name"]) == ("allocated_soon", "leads_to")
    assert rule["help"]["markdown"].startswith("**a case in one situation always reaches")
    assert run["automationDetails"]["id"] == "stepcheck/verify/"


def test_sarif_levels_never_show_unknown_as_a_pass():
    """Violated is an error, unknown a warning; a plain proof is no result at all (so
    never an alert) but is listed in the run's properties; a finding's level follows
    its severity for the mission (a ladder with no final word is high)."""
    run = json.loads(_write("sarif"))["runs"][0]
    results = run["results"]

    levels = {
        r["properties"].get("verdict", r["ruleId"]): (r.get("kind", "fail"), r["level"])
        for r in results
    }
    assert run["properties"]["proved"]  # the plain proofs, by authority/property
    assert all(r["properties"].get("verdict") != "proved" or _caveated(r) for r in results)
    assert levels == {
        "violated": ("fail", "error"),
        "unknown": ("fail", "warning"),
        "proved": ("fail", "note"),
        "SPEC207": ("fail", "note"),
        "SPEC210": ("fail", "error"),
        "SPEC211": ("fail", "error"),
    }


def _caveated(result):
    properties = result["properties"]
    return (
        properties["vacuous"]
        or properties["shouldOnly"]
        or properties["holdsOnlyWhileDeadlinesAreMet"]
    )


def test_junit_output_satisfies_the_junit_schema():
    """The JUnit XML validates against the Jenkins xUnit JUnit schema, and every test
    case says the file and line it is about."""
    text = _write("junit")

    junit_valid(text)
    cases = list(ET.fromstring(text).iter("testcase"))
    assert cases
    assert all(case.get("file") and case.get("line") for case in cases)


def test_junit_fails_violations_and_skips_unknowns():
    """Violations are failures with their story; an unknown is skipped with its reason."""
    root = ET.fromstring(_write("junit"))

    somerset = root.find("testsuite[@name='somerset']")
    properties = somerset.findall("testcase[@classname='somerset']")
    findings = somerset.findall("testcase[@classname='somerset.findings']")
    assert len(properties) == 4
    assert [case.find("failure") is not None for case in properties].count(True) == 1
    assert [case.find("skipped") is not None for case in properties].count(True) == 1
    unknown = somerset.find("testcase[@name='tray_case_gets_allocated']/skipped")
    assert unknown.get("message").startswith("not proved, not a pass: timeout after 30 s")
    failure = somerset.find("testcase[@name='no_unowned_case']/failure")
    assert "nobody is responsible for the case here" in failure.text
    spec211 = [case for case in findings if case.get("name").startswith("SPEC211")]
    assert spec211[0].find("failure").get("type") == "finding-high"
    assert somerset.get("tests") == str(len(properties) + len(findings))
    assert somerset.get("failures") == str(1 + len(findings))


def test_text_report_tells_stories_with_reproduce_lines_and_findings():
    """The terminal report has the stories, how to reproduce each, findings per spec, counts."""
    text = _write("text")

    assert (
        "reproduce: stepcheck verify tests/fixtures/specs/valid/example.yaml "
        "--property allocated_soon --start-date 2026-12-23"
    ) in text
    assert "Christmas Day (Fri 25 Dec 2026)" in text
    assert "from here the case repeats for ever:" in text
    assert "spec/authorities/somerset.yaml:1248:3: warning[SPEC210]" in text
    assert text.rstrip().endswith(
        "9 properties: 5 proved (1 only if should-rules are followed, 1 vacuous), 3 violated, "
        "1 unknown (not proved); 3 findings"
    )


@pytest.mark.parametrize(
    ("fmt", "unknown_mark"),
    [
        ("text", "UNKNOWN   tray_case_gets_allocated  not proved, not a pass"),
        ("json", '"verdict": "unknown"'),
        ("junit", '<skipped message="not proved, not a pass'),
        ("sarif", '"level": "warning"'),
        ("markdown", "| `tray_case_gets_allocated` | **unknown: not proved** |"),
    ],
)
def test_unknown_never_looks_like_a_pass(fmt, unknown_mark):
    """Every format marks an unknown result as not proved."""
    assert unknown_mark in _write(fmt)


def test_writing_an_unknown_format_is_refused():
    """Only the five formats exist."""
    with pytest.raises(ValueError, match="known formats: text, json, junit, sarif, markdown"):
        _write("html")


def test_a_result_whose_spec_was_not_passed_is_our_bug():
    """The caller must pass every spec a violation needs for its story."""
    with pytest.raises(InternalError, match=r"somerset\.yaml"):
        write(_report(), "text", specs={EXAMPLE: _spec(EXAMPLE)}, start=START)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_report_is_still_a_valid_report(fmt):
    """No results and no findings still give well-formed, schema-valid output."""
    output = _write(fmt, Report(results=()))

    if fmt == "json":
        jsonschema.Draft202012Validator(output_schema()).validate(json.loads(output))
    if fmt == "sarif":
        jsonschema.Draft7Validator(sarif_schema()).validate(json.loads(output))
    if fmt == "junit":
        junit_valid(output)
    assert "0 properties" in output or '"results": []' in output or 'tests="0"' in output


def test_a_violation_in_the_starting_state_is_a_one_scene_story():
    """A trace without steps (the start is already bad) is told as the case as it starts."""
    start_state = {"status": "step_up_agreed", "owner": "unspecified"}
    result = _result(
        SOMERSET,
        "no_unowned_case",
        verdict=Verdict.VIOLATED,
        trace=Trace(initial=start_state),
        summary="a case can start where nobody answers for it",
    )

    text = _write("text", Report(results=(result,)))

    assert "counterexample: the case as it starts" in text
    assert "start  day   0  Wed 23 Dec 2026  the case starts in 'Step up agreed'" in text
    assert "nobody is responsible for the case here" in text


def _report_over(spec):
    """One result per property, verdicts in turn, a three-day trace for each violation."""
    status = spec.initial_statuses[0]
    initial = {"status": status.id, "owner": status.owner or "unspecified"}
    trace = _trace(initial, *[(TICK, None, day, {}) for day in (1, 2, 3)])
    verdicts = [Verdict.PROVED, Verdict.VIOLATED, Verdict.UNKNOWN]
    results = []
    for n, prop in enumerate(spec.properties):
        verdict = verdicts[n % 3]
        results.append(
            PropertyResult(
                authority=spec.authority.id,
                spec=spec.path,
                property=prop.id,
                kind=prop.kind,
                verdict=verdict,
                summary=prop.description or f"property '{prop.id}'",
                strength=Strength.UNBOUNDED if verdict is Verdict.PROVED else None,
                trace=trace if verdict is Verdict.VIOLATED else None,
                reason="timeout" if verdict is Verdict.UNKNOWN else None,
                citations=prop.sources,
                span=prop.span,
            )
        )
    return Report(results=tuple(results), findings=tuple(check_structure(spec)))


@pytest.mark.parametrize("path", sorted(AUTHORITIES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_authority_renders_valid_output_in_every_format(path):
    """Reports over each real authority spec render, and validate where a schema exists."""
    spec = _spec(str(path))
    report = _report_over(spec)
    specs = {spec.path: spec}

    outputs = {fmt: write(report, fmt, specs=specs, start=date(2027, 3, 25)) for fmt in FORMATS}

    jsonschema.Draft202012Validator(output_schema()).validate(json.loads(outputs["json"]))
    jsonschema.Draft7Validator(sarif_schema()).validate(json.loads(outputs["sarif"]))
    junit_valid(outputs["junit"])
    assert "Good Friday (Fri 26 Mar 2027)" in outputs["text"]
