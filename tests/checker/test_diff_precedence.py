"""Precedence rules and documents in the semantic diff's element changes: each rule
added, removed or changed is a change, worse where a step no longer gives way, a route
no longer goes first, or a must is weakened; a document that becomes conditional or
superseded is worse. Wording and list order are not changes."""

from __future__ import annotations

from pathlib import Path

from attrs import evolve

from stepcheck.checker.diff_elements import element_changes
from stepcheck.diffing import same_model
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Modality, ProtocolSpec

SPEC = Path("tests/fixtures/specs/valid/precedence.yaml")
DOCUMENTS = Path("tests/fixtures/specs/valid/conditional_documents.yaml")


def _rule_changed(spec: ProtocolSpec, **changes: object) -> ProtocolSpec:
    (rule,) = spec.precedence
    return evolve(spec, precedence=(evolve(rule, **changes),))


def _changes(old: ProtocolSpec, new: ProtocolSpec) -> dict[str, tuple[str, bool]]:
    return {c.key: (c.headline, c.worse) for c in element_changes(old, new)}


def test_the_same_rules_reworded_and_reordered_are_no_change():
    spec = load_spec(SPEC)
    (rule,) = spec.precedence
    reworded = _rule_changed(spec, over=tuple(reversed(rule.over)), description="reworded")

    assert _changes(spec, reworded) == {}


def test_a_removed_rule_is_worse_and_an_added_one_is_not():
    spec = load_spec(SPEC)
    without = evolve(spec, precedence=())

    removed = _changes(spec, without)
    added = _changes(without, spec)

    assert removed == {
        "precedence:safeguarding_first": (
            "precedence 'safeguarding_first' was removed: 'Urgent step up' no longer goes "
            "before 'Propose step down' and 'Step down'",
            True,
        )
    }
    assert added["precedence:safeguarding_first"] == (
        "precedence 'safeguarding_first' was added: 'Urgent step up' goes before "
        "'Propose step down' and 'Step down' (must)",
        False,
    )


def test_a_step_that_no_longer_gives_way_is_worse_and_one_that_now_does_is_not():
    spec = load_spec(SPEC)
    narrower = _rule_changed(spec, over=("step_down",))

    assert _changes(spec, narrower)["precedence:safeguarding_first"] == (
        "precedence 'safeguarding_first' changed: 'Propose step down' no longer gives way",
        True,
    )
    assert _changes(narrower, spec)["precedence:safeguarding_first"] == (
        "precedence 'safeguarding_first' changed: 'Propose step down' now gives way",
        False,
    )


def test_a_route_that_no_longer_goes_first_is_worse():
    spec = load_spec(SPEC)
    (rule,) = spec.precedence
    other = _rule_changed(spec, route=("raise_concerns",), over=rule.over)

    headline, worse = _changes(spec, other)["precedence:safeguarding_first"]
    assert worse
    assert headline == (
        "precedence 'safeguarding_first' changed: 'Urgent step up' no longer goes first; "
        "'Raise concerns' now goes first"
    )


def test_a_weakened_must_is_worse_and_a_strengthened_should_is_not():
    spec = load_spec(SPEC)
    should = _rule_changed(spec, modality=Modality.SHOULD)

    assert _changes(spec, should)["precedence:safeguarding_first:modality"] == (
        "precedence 'safeguarding_first' is now should (was must)",
        True,
    )
    assert _changes(should, spec)["precedence:safeguarding_first:modality"][1] is False


def test_a_document_made_conditional_is_worse_and_one_that_always_applies_is_not():
    spec = load_spec(DOCUMENTS)
    documents = tuple(
        evolve(d, condition=None, sources=()) if d.id == "annex" else d for d in spec.documents
    )
    always = evolve(spec, documents=documents)

    assert _changes(always, spec)["document:annex"] == (
        "document 'annex' now applies only conditionally (\"applies only if the annexes "
        'are input") (was: always applies)',
        True,
    )
    assert _changes(spec, always)["document:annex"][1] is False


def test_a_rule_moved_into_a_conditional_annex_is_a_change_of_model_not_of_wording():
    spec = load_spec(DOCUMENTS)
    (step_down,) = (event for event in spec.events if event.id == "step_down")
    annex_source = evolve(step_down.sources[0], doc="annex", quote="reworded")
    moved = evolve(
        spec,
        events=tuple(
            evolve(e, sources=(annex_source,)) if e.id == "step_down" else e for e in spec.events
        ),
    )
    reworded = evolve(
        spec,
        events=tuple(
            evolve(e, sources=(evolve(e.sources[0], quote="reworded"),))
            if e.id == "step_down"
            else e
            for e in spec.events
        ),
    )

    assert not same_model(spec, moved)
    assert same_model(spec, reworded)
