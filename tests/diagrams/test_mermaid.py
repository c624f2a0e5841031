"""Mermaid text, checked structurally: states, transitions, ids, notes, classes, highlight."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from stepcheck.diagrams.mermaid import mermaid_id, status_mermaid
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.trace import StepKind, Trace, TraceStep

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
SPECS = [EXAMPLE, *sorted(Path("spec/authorities").glob("*.yaml"))]

_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_STATE = re.compile(r'^    state "([^"]*)" as (\S+)$')
_TRANSITION = re.compile(r"^    (\S+) --> (\S+)(?: : (.*))?$")
_CLASS_DEF = re.compile(r"^    classDef (\S+) \S+$")
_CLASS = re.compile(r"^    class (\S+) (\S+)$")
_KEYWORDS = {"end", "state", "note", "class", "classdef", "direction", "style", "as", "default"}


def _parse(text: str) -> dict[str, object]:
    """The declared states, transitions, class definitions and uses, and note balance."""
    lines = text.splitlines()
    states: dict[str, str] = {}
    transitions: list[tuple[str, str, str | None]] = []
    class_defs: set[str] = set()
    classes: list[tuple[list[str], str]] = []
    notes = 0
    for line in lines:
        if match := _STATE.match(line):
            states[match.group(2)] = match.group(1)
        elif match := _TRANSITION.match(line):
            transitions.append((match.group(1), match.group(2), match.group(3)))
        elif match := _CLASS_DEF.match(line):
            class_defs.add(match.group(1))
        elif match := _CLASS.match(line):
            classes.append((match.group(1).split(","), match.group(2)))
        elif line.strip().startswith("note "):
            notes += 1
        elif line.strip() == "end note":
            notes -= 1
            assert notes == 0, "an 'end note' without its note"
    return {
        "lines": lines,
        "states": states,
        "transitions": transitions,
        "class_defs": class_defs,
        "classes": classes,
        "notes_open": notes,
    }


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_mermaid_is_structurally_sound(path):
    """Every status declared with a legal id; every transition between declared states."""
    spec = load_spec(path)

    parsed = _parse(status_mermaid(spec))

    lines = parsed["lines"]
    assert lines[:1] == ["---"]
    assert lines[3] == "stateDiagram-v2"
    states = parsed["states"]
    assert {status.id for status in spec.statuses} <= set(states.values())
    for state_id in states:
        assert _ID.match(state_id), state_id
        assert state_id.lower() not in _KEYWORDS, state_id
    for source, target, label in parsed["transitions"]:
        assert source in states or source == "[*]", source
        assert target in states or target == "[*]", target
        assert label is None or not re.search(r"[:;#{}<>\"]", label), label
    text = "\n".join(lines)
    assert text.count("{") == text.count("}")
    assert parsed["notes_open"] == 0
    for members, name in parsed["classes"]:
        assert name in parsed["class_defs"]
        assert set(members) <= set(states)


@pytest.mark.parametrize("path", SPECS, ids=lambda path: path.stem)
def test_mermaid_has_every_event_edge_and_tier(path):
    """Each event appears on a transition; each tier has a note; initial and final use [*]."""
    spec = load_spec(path)

    parsed = _parse(status_mermaid(spec))

    labels = " ".join(label or "" for _s, _t, label in parsed["transitions"])
    assert all(event.id in labels for event in spec.events)
    pairs = {(source, target) for source, target, _label in parsed["transitions"]}
    assert all(("[*]", status.id) in pairs for status in spec.statuses if status.initial)
    assert all((status.id, "[*]") in pairs for status in spec.statuses if status.final)
    notes = [line for line in parsed["lines"] if line.startswith("        tier ")]
    assert len(notes) == len({status.tier for status in spec.statuses})


def _lasso(spec: ProtocolSpec) -> Trace:
    del spec

    def step(name: str | None, status: str) -> TraceStep:
        kind = StepKind.EVENT if name else StepKind.TICK
        return TraceStep(kind=kind, name=name, day=0, state={"status": status})

    return Trace(
        initial={"status": "early_help"},
        steps=(step("urgent_step_up", "child_protection"), step("step_down", "early_help")),
        loop_start=0,
    )


def test_highlight_is_a_class_and_numbers_the_transitions():
    """Visited statuses get the highlight (or loop) class; taken transitions are numbered."""
    spec = load_spec(EXAMPLE)

    text = status_mermaid(spec, highlight=_lasso(spec))

    assert "    class child_protection highlight" in text
    assert "    class early_help loop" in text
    assert "early_help --> child_protection : urgent_step_up (urgent route) - step 1 loop" in text


def test_ids_are_sanitised_and_unique():
    """Mermaid keywords, digits first and punctuation are made into distinct legal ids."""
    taken: set[str] = set()

    ids = [mermaid_id(text, taken) for text in ("end", "end_state", "1st", "a-b", "a_b")]

    assert ids == ["end_state", "end_state_2", "s_1st", "a_b", "a_b_2"]


def test_a_step_that_gives_way_says_to_which_route(golden):
    """A precedence rule's pre-empted steps carry "gives way to" in their labels, as in
    the Graphviz diagram; the urgent route itself does not."""
    text = status_mermaid(load_spec(Path("tests/fixtures/specs/valid/precedence.yaml")))

    labels = {(s, t): label for s, t, label in _parse(text)["transitions"]}
    assert labels[("step_down_pending", "early_help")] == (
        "step_down (step down or close) - gives way to urgent_step_up"
    )
    assert "gives way" not in str(labels[("step_down_pending", "cp")])
    golden.check(Path("tests/golden/diagrams/precedence.mmd"), text)
