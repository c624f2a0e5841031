"""Conditional and superseded documents (`spec/assume.py`): which rules a reading keeps,
that nothing is left dangling, the verdict that changes with a document, the findings,
and on random specs with rules cited from a conditional annex, that the Z3 engines and
the explorer agree in every reading and the executor follows the same spec."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies.specs import small_specs

from stepcheck.checker.derived import with_derived
from stepcheck.checker.documents import document_findings
from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Budget, Limits
from stepcheck.checker.exhaustive import exhaustively
from stepcheck.checker.explore import ExplicitModel, explicit_verdict, replay
from stepcheck.checker.lasso import lasso_finder
from stepcheck.checker.properties import Decider
from stepcheck.checker.results import Verdict
from stepcheck.checker.system import Flags
from stepcheck.checker.verify import verify
from stepcheck.oracle.executor import Executor
from stepcheck.spec.assume import (
    AssumptionInvalid,
    assume,
    assume_all,
    dropped_by,
    parse_assumptions,
)
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.expr.ast import BoolLit, Call, subexpressions
from stepcheck.spec.loader import load_spec, load_spec_text
from stepcheck.spec.model import Document, ProtocolSpec, Reading, Source
from stepcheck.spec.readings import choose_reading, tier_readings
from stepcheck.verification import run_verify

FIXTURE = "tests/fixtures/specs/valid/conditional_documents.yaml"
_LIMITS = Limits(timeout_ms=300_000, max_depth=40)
_SPAN = SourceSpan(file="<test>", line=1, column=1)
_START = date(2026, 12, 21)


def _ids(items: tuple[object, ...]) -> list[str]:
    return [str(item.id) for item in items]


def test_each_reading_decides_the_annex_and_leaves_the_superseded_text_out():
    spec = load_spec(FIXTURE)

    readings = tier_readings(spec)

    assert [r.documents for r in readings] == [(("annex", True),), (("annex", False),)]
    assert all(r.left_out == ("sv_2019",) for r in readings)
    present, absent = (_ids(r.spec.events) for r in readings)
    assert present == ["propose_step_down", "step_down", "emergency_step_down"]
    assert absent == ["propose_step_down", "step_down"]
    assert readings[1].words() == "'annex' is absent"


def test_assumed_present_a_superseded_text_comes_back_and_no_reading_is_needed():
    (spec,) = assume_all([load_spec(FIXTURE)], {"sv_2019": True, "annex": True})

    assert tier_readings(spec) == ()
    assert "old_direct_step_down" in _ids(spec.events)


def test_the_one_reading_commands_follow_the_spec_as_written_without_superseded_rules():
    spec = choose_reading(load_spec(FIXTURE), ())

    assert _ids(spec.events) == [
        "propose_step_down",
        "step_down",
        "emergency_step_down",
    ]


def test_the_executor_follows_the_reading_without_the_annex():
    absent = tier_readings(load_spec(FIXTURE))[1].spec
    executor = Executor(absent, Reading.MUST)
    case = executor.start(at=datetime(2026, 12, 21, 9, 0))
    case = executor.apply(case, "propose_step_down", at=datetime(2026, 12, 21, 10, 0)).case

    assert "emergency_step_down" not in executor.steps
    assert "emergency_step_down" not in executor.enabled(case)


_TWO_DOCS = """\
stepcheck: 1
authority: {id: twovale, name: Twovale (fictional)}
documents:
  main: {title: Main protocol}
  annex:
    title: Annex
    applies: conditional
    condition: only if input
    source: {doc: main, quote: "the annex applies only if input"}
teams:
  t: {name: Team}
owners:
  worker: {kind: allocated, team: t}
statuses:
  open: {tier: cin, initial: true, owner: worker}
  waiting: {tier: cin, owner: worker}
  closed: {tier: universal, final: true, owner: none}
variables:
  agreed: {type: bool, initial: false}
events:
  agree: {kind: other, from: open, effect: {agreed: true}, source: {doc: annex}}
  wait:
    kind: refer
    from: open
    to: waiting
    guard:
      - {condition: agreed, source: {doc: annex, quote: "only once agreed"}}
      - {condition: not overdue(reply), source: {doc: main}}
    source: [{doc: main}, {doc: annex}]
  close: {kind: close, from: [open, waiting], to: closed, source: {doc: main}}
deadlines:
  reply:
    within: 2 working days
    anchor: agree
    obligation: close
    consequence: unspecified
    source: {doc: main}
precedence:
  agree_first: {route: agree, over: close, source: {doc: main, quote: "agree first"}}
properties:
  always_owned: {kind: no_unowned_case}
  annex_claim:
    kind: invariant
    holds: not agreed
    source: {doc: annex}
"""


def test_an_element_citing_a_present_document_is_kept_and_its_annex_guard_dropped():
    spec = assume(load_spec_text(_TWO_DOCS, "<two>"), {"annex": False})

    assert _ids(spec.events) == ["wait", "close"]
    (wait,) = (event for event in spec.events if event.id == "wait")
    assert [guard.text for guard in wait.guards] == ["not overdue(reply)"]


def test_nothing_is_left_dangling_when_an_annex_event_goes():
    spec = assume(load_spec_text(_TWO_DOCS, "<two>"), {"annex": False})

    # the deadline started by 'agree' has no anchor left; the precedence no route
    assert spec.deadlines == ()
    assert spec.precedence == ()
    assert _ids(spec.properties) == ["always_owned"]
    # and `overdue(reply)` of the dropped deadline reads false
    (wait,) = (event for event in spec.events if event.id == "wait")
    nodes = list(subexpressions(wait.guards[0].condition))
    assert not any(isinstance(node, Call) for node in nodes)
    assert any(isinstance(node, BoolLit) and node.value is False for node in nodes)


def test_present_the_annex_changes_nothing():
    loaded = load_spec_text(_TWO_DOCS, "<two>")

    assert assume(loaded, {"annex": True}).events == loaded.events
    assert dropped_by(loaded, "annex") == ("agree", "reply", "agree_first", "annex_claim")


def test_findings_list_the_rules_each_document_gives():
    found = {d.code: d.message for d in document_findings(load_spec(FIXTURE))}

    assert "'emergency_step_down'" in found["SPEC250"]
    assert "'old_direct_step_down'" in found["SPEC251"]


def test_a_mark_no_rule_depends_on_is_reported():
    spec = load_spec_text(_TWO_DOCS.replace("doc: annex", "doc: main"), "<two>")

    (found,) = document_findings(spec)
    assert found.code == "SPEC252"


@pytest.mark.parametrize(
    ("texts", "said"),
    [
        (["annexes=absent"], "no spec has a document 'annexes'"),
        (["annex=gone"], "write DOC=present or DOC=absent"),
        (["annex=present", "annex=absent"], "assumed both present and absent"),
    ],
)
def test_assumptions_are_checked_against_the_specs(texts, said):
    with pytest.raises(AssumptionInvalid, match=said):
        parse_assumptions(texts, [load_spec(FIXTURE)])


def test_assumptions_parse_and_any_document_may_be_assumed_absent():
    assert parse_assumptions([" annex = absent", "sv=absent"], [load_spec(FIXTURE)]) == {
        "annex": False,
        "sv": False,
    }


# -- random specs: the engines agree on every reading ----------------------------------


_CITE = st.sampled_from(["doc", "annex", "both"])


def _cited(choice: str) -> tuple[Source, ...]:
    docs = {"doc": ("doc",), "annex": ("annex",), "both": ("doc", "annex")}[choice]
    return tuple(Source(doc=doc, span=_SPAN) for doc in docs)


def _with_annex(spec: ProtocolSpec, draw: st.DataObject) -> ProtocolSpec:
    """`spec` with a conditional annex, and each rule and guard cited from the main
    document, the annex, or both, as drawn."""
    annex = Document(
        id="annex",
        title="Generated annex",
        condition="applies only if input",
        sources=(Source(doc="doc", quote="the annex applies only if input", span=_SPAN),),
        span=_SPAN,
    )

    def cite(items: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(evolve(item, sources=_cited(draw.draw(_CITE))) for item in items)

    events = tuple(
        evolve(
            event,
            sources=_cited(draw.draw(_CITE)),
            guards=tuple(evolve(g, sources=_cited(draw.draw(_CITE))) for g in event.guards),
        )
        for event in spec.events
    )
    return evolve(
        spec,
        documents=(*spec.documents, annex),
        events=events,
        deadlines=cite(spec.deadlines),
        escalations=cite(spec.escalations),
        rereferrals=cite(spec.rereferrals),
        precedence=cite(spec.precedence),
        properties=cite(spec.properties),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs(unsaid=True), draw=st.data())
def test_z3_explorer_and_executor_agree_with_the_annex_present_and_absent(text, draw):
    spec = _with_annex(load_spec_text(text, "<random>"), draw)
    readings = tier_readings(spec)
    assert {r.documents for r in readings} == {(("annex", True),), (("annex", False),)}
    for reading in readings:
        kept = reading.spec
        # an element is kept exactly when it cites a present document
        present = dict(reading.documents)["annex"]
        wanted = [e.id for e in spec.events if present or any(s.doc == "doc" for s in e.sources)]
        assert _ids(kept.events) == wanted
        _engines_agree(kept)
        # the executor follows the same spec: the dropped steps are not among its own
        steps = set(Executor(kept, Reading.MUST).steps)
        assert set(wanted) <= steps
        assert not steps & (set(_ids(spec.events)) - set(wanted))


def _engines_agree(spec: ProtocolSpec) -> None:
    encoding = Encoding(spec)
    explicit = ExplicitModel(spec, Reading.MUST)
    finder = lasso_finder(lambda _flags: explicit)
    for prop in spec.properties:
        symbolic = Decider(encoding, prop, Budget(_LIMITS), finder).decide(Flags())
        if symbolic.verdict is Verdict.UNKNOWN:
            symbolic = exhaustively(explicit, prop, symbolic, _LIMITS)
        reference = explicit_verdict(explicit, prop)
        assert symbolic.verdict is reference.verdict, (prop.id, symbolic, reference)
        if symbolic.trace is not None:
            assert replay(explicit, symbolic.trace).ok, prop.id


# -- a property (or a derived question) that exists only where its document does -------


def test_a_property_of_the_annex_is_decided_only_where_the_annex_is_present():
    spec = load_spec_text(_TWO_DOCS, "<two>")

    for report in (
        verify([spec], limits=_LIMITS),
        run_verify([spec], properties=(), limits=_LIMITS, progress=False, start=_START),
    ):
        found = {result.property: result for result in report.results}
        assert list(found) == ["always_owned", "annex_claim"]
        assert found["annex_claim"].verdict is Verdict.VIOLATED
        assert any(
            "exists only where 'annex' is present" in note
            for note in found["annex_claim"].assumptions
        )
        assert not any("exists only" in note for note in found["always_owned"].assumptions)


def test_a_derived_question_about_an_annex_deadline_goes_with_the_annex():
    spec = with_derived(load_spec_text(_TWO_DOCS, "<two>"))
    absent = tier_readings(spec)[1].spec

    assert "met_in_time:reply" in _ids(spec.properties)
    assert "met_in_time:reply" not in _ids(absent.properties)
    report = run_verify(
        [spec], properties=("met_in_time:reply",), limits=_LIMITS, progress=False, start=_START
    )
    (result,) = report.results
    assert any("exists only where 'annex' is present" in note for note in result.assumptions)


def test_a_property_only_a_superseded_text_states_is_left_out():
    spec = load_spec_text(
        _TWO_DOCS.replace(
            "    applies: conditional\n    condition: only if input\n",
            "    superseded_by: main\n",
        ),
        "<two>",
    )

    report = verify([spec], limits=_LIMITS)

    assert [result.property for result in report.results] == ["always_owned"]
