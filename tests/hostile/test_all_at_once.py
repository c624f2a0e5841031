"""Every problem at once, across phases (issue 17, item 3): a schema error no longer
hides the reference and expression errors behind it, in file order, each once, and a
mistake in one element does not echo as errors where it is named."""

from __future__ import annotations

import re

import pytest
from corpus import TINY, assert_refused, in_process, tiny_with
from huge import ladder
from hypothesis import given, settings
from hypothesis import strategies as st

from stepcheck.spec.loader import spec_problems

SCHEMA_ERROR = ("teams: {sw: {name: Social Work}}", "teams: {sw: {name: Social Work, colour: 1}}")
BAD_REFERENCE = ("anchor: close_case", "anchor: close_cas")
BAD_EXPRESSION = (
    "close_case: {kind: close, from: open, to: closed}",
    'close_case: {kind: close, from: open, to: closed, guard: "status == = open"}',
)


def _with(*changes: tuple[str, str]) -> str:
    text = TINY
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def _codes(text: str) -> list[tuple[int, int, str]]:
    problems = spec_problems(text.encode(), "s.yaml")
    return [(p.span.line, p.span.column, p.code) for p in problems]


def test_a_schema_error_a_bad_reference_and_a_bad_expression_are_reported_together(tmp_path):
    spec = tmp_path / "three.yaml"
    spec.write_text(_with(SCHEMA_ERROR, BAD_REFERENCE, BAD_EXPRESSION), encoding="utf-8")

    outcome = in_process(["validate", str(spec)])

    assert_refused(outcome, located=True)
    located = re.findall(r"three\.yaml:(\d+):(\d+): error\[(SPEC\d+)\]", outcome.stdout)
    assert located == [("4", "33", "SPEC011"), ("13", "71", "SPEC020"), ("18", "13", "SPEC103")]
    assert "(3 problem(s))" in outcome.stdout


def test_verify_reports_them_together_too(tmp_path):
    spec = tmp_path / "three.yaml"
    spec.write_text(_with(SCHEMA_ERROR, BAD_REFERENCE, BAD_EXPRESSION), encoding="utf-8")

    outcome = in_process(["verify", "--no-cache", str(spec)])

    assert_refused(outcome, located=True)
    for code in ("SPEC011", "SPEC020", "SPEC103"):
        assert code in outcome.output


def test_an_element_the_schema_refuses_is_not_also_an_unknown_name_where_it_is_used():
    # close_case is refused (a kind that does not exist); the re-referral anchored on it
    # must not add "unknown event 'close_case'", but a real typo elsewhere is reported.
    text = _with(("kind: close,", "kind: clos,"), ("to: reopened}", "to: reopend}"))

    assert _codes(text) == [(13, 22, "SPEC013"), (14, 50, "SPEC102")]


def test_the_initial_status_refused_does_not_also_leave_the_spec_without_one():
    text = _with(("open: {tier: cin,", "open: {tier: cn,"))

    assert _codes(text) == [(9, 16, "SPEC013")]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # errors the rest of the file cannot stand without: only the schema's are shown
        ("stepcheck: 1", "stepcheck: 2"),
        ("authority: {id: returnvale, name: Returnvale (test)}", "authority: {id: returnvale}"),
        ("statuses:\n", "statuses: []\nspare:\n"),
    ],
)
def test_an_error_nothing_can_be_checked_without_reports_the_schema_alone(old, new):
    problems = spec_problems(tiny_with(old, new).replace(*BAD_REFERENCE).encode(), "s.yaml")

    assert problems
    assert all(p.code < "SPEC100" for p in problems), [p.code for p in problems]


_ELEMENTS = [
    ("teams: {sw: {name: Social Work}}", "teams: {sw: {name: Social Work, {key}: 1}}"),
    ("intake_tray: {kind: system_tray}", "intake_tray: {kind: system_tray, {key}: 1}"),
    ("reopened: {tier: cin, owner: intake_tray}", "reopened: {tier: cin, {key}: 1, owner: none}"),
    ("no_unowned_case: {}", "no_unowned_case: {{key}: 1}"),
]


@settings(max_examples=25, deadline=None)
@given(
    element=st.sampled_from(_ELEMENTS),
    key=st.from_regex(r"[a-z]{3,8}_x", fullmatch=True),
    typo=st.booleans(),
)
def test_an_unknown_key_anywhere_leaves_the_other_errors_reported(element, key, typo):
    """Differential: the errors beside an unknown key are exactly the errors of the same
    file without it, plus one for the key, in file order and each once."""
    old, new = element
    base = _with(BAD_REFERENCE) if typo else TINY
    without = _codes(base)
    with_key = _codes(base.replace(old, new.replace("{key}", key), 1))

    unknown = [c for c in with_key if c[2] == "SPEC011"]
    assert len(unknown) == 1
    assert [c for c in with_key if c[2] != "SPEC011"] == without
    assert with_key == sorted(with_key)
    assert len(set(with_key)) == len(with_key)


def test_a_ladder_set_aside_takes_its_level_ids_with_it():
    # a level's bad duration sets the whole ladder aside; the level named as the final
    # authority is not then "unknown", but a typo elsewhere still is
    text = ladder(3).replace("within: 1 working day}", "within: 1 working dai}", 1)
    text = text.replace(*BAD_REFERENCE)

    codes = [code for _, _, code in _codes(text)]

    assert codes == ["SPEC015", "SPEC103"]
