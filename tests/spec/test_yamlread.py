"""Tests for `spec.yamlread` and `spec.yamlsyntax`: YAML mistakes located where they start."""

import pytest

from stepcheck.spec.yamlread import read_yaml

# (text, where the mistake is reported, the start of the message after "invalid YAML: ")
SYNTAX_ERRORS = {
    "unclosed_double_quote": ('a: 1\nb: "abc\nc: 2\n', (2, 4), 'the quote " that starts here'),
    "unclosed_single_quote": ("a: 'abc\n", (1, 4), "the quote ' that starts here"),
    "unclosed_quote_before_separator": ('a: "x\n---\n', (1, 4), 'the quote " that starts'),
    "line_without_colon": ("a: b\nc\nd: e\n", (2, 1), "this line has no ':'"),
    "unclosed_flow_sequence": ("a: [1, 2\n", (2, 1), "expected ',' or ']', but got the end"),
    "key_out_of_line": ("a: |\n  x\n b: 1\n", (3, 2), "this line is indented differently"),
    "list_item_out_of_line": ("a:\n  - b\n - c\n", (3, 2), "this line is indented differently"),
    "key_inside_list": ("a:\n  - b\n  c: 1\n", (3, 3), "a key where a list item"),
    "list_item_inside_mapping": ("a: b\n- c\n", (2, 1), "a list item where a key"),
    "stray_bracket": ("a: [1, 2]]\n", (1, 10), "unexpected ']'"),
    "text_after_quoted_value": ("a: 'x'y\n", (1, 7), "unexpected text after the value"),
    "colon_in_plain_text": ("a: b\n  c: d\n", (2, 4), "unexpected ':'"),
    "reserved_first_character": ("a: @x\n", (1, 4), "a value cannot start with '@'"),
    "tab_indentation": ("a:\n\tb: 1\n", (2, 1), "a tab character is used for indentation"),
    "tab_after_colon": ("a:\tb\n", (1, 3), "a tab character is used where YAML needs spaces"),
    "second_document": ("a: 1\n---\nb: 2\n", (2, 1), "more than one document"),
}


def _problems(text: str):
    document, problems = read_yaml(text.encode("utf-8"), "f.yaml")
    assert document is None
    return problems


@pytest.mark.parametrize("case", sorted(SYNTAX_ERRORS))
def test_syntax_error_is_located_where_the_mistake_starts(case):
    """Each kind of YAML syntax error gets a plain message at the line that needs fixing."""
    text, (line, column), message = SYNTAX_ERRORS[case]

    (problem,) = _problems(text)

    assert (problem.code, problem.span.line, problem.span.column) == ("SPEC001", line, column)
    assert problem.message.startswith(f"invalid YAML: {message}")
    assert "<" not in problem.message, "parser jargon such as <block end> leaks through"
    assert problem.hint


def test_unclosed_flow_mapping_hint_names_the_opening_brace():
    """A '{' never closed is reported with the line and column where it opens."""
    (problem,) = _problems("a: {b: 1\nc: 2\n")

    assert problem.hint is not None
    assert problem.hint.startswith("the '{' at line 1, column 4 needs a closing '}'")


def test_empty_value_is_located_at_its_key():
    """An empty value is located at its key, not at the next line where YAML marks it."""
    document, _ = read_yaml(b"teams:\n\nevents: {}\n", "f.yaml")

    assert document is not None
    assert document.locations.span(("teams",)).line == 1


def test_quoted_empty_value_keeps_its_own_location():
    """An explicitly empty string ('') is located where it is written."""
    document, _ = read_yaml(b"a:\n  ''\n", "f.yaml")

    assert document is not None
    assert (document.locations.span(("a",)).line, document.locations.span(("a",)).column) == (2, 4)


def test_standard_tags_are_shown_as_written():
    """A '!!' tag is named the way the spec writes it, not by its expanded URI."""
    (problem,) = _problems("a: !!str b\n")

    assert problem.code == "SPEC005"
    assert problem.message == "YAML tag '!!str' is not allowed in a spec"


def test_key_problems_underline_the_whole_key():
    """Duplicate and boolean-looking keys are underlined from start to end."""
    problems = _problems("a: 1\nabc: 2\nabc: 3\nyes: 4\n")

    assert [(p.code, p.span.line, p.span.length) for p in problems] == [
        ("SPEC006", 3, 3),
        ("SPEC008", 4, 3),
    ]


def test_folded_text_reads_as_plain_text_without_fold_markers():
    """A folded block (`>-`) reads as one line of text, with no control characters."""
    raw = b"a: >-\n  one two\n  three four\n"

    document, problems = read_yaml(raw, "folded.yaml")

    assert problems == []
    assert document is not None
    assert document.data == {"a": "one two three four"}
