"""Hostile spec contents: huge numbers, durations past the limit, ids with a trailing
newline, expressions too long or deep, and every YAML feature a spec must not use.
Each is refused with a located code and exit 2 by `validate` and, where it once
passed `validate` and crashed later, by `verify` too."""

from __future__ import annotations

import pytest
from corpus import TINY, assert_refused, in_process, tiny_with

VARIABLES = "properties:"


def _variable(bound: str) -> str:
    return tiny_with(
        VARIABLES,
        f"variables:\n  count: {{type: int, min: 0, max: {bound}, initial: 0}}\n{VARIABLES}",
    )


def _window(duration: str) -> str:
    return tiny_with("window: 2 working days", f"window: {duration}")


def _guard(expression: str) -> str:
    return tiny_with(
        "close_case: {kind: close, from: open, to: closed}",
        f'close_case: {{kind: close, from: open, to: closed, guard: "{expression}"}}',
    )


CONTENTS = {
    # big numbers: past Python's 4,300-digit conversion limit, a long hex literal that
    # once reached z3.IntVal, and one just past the documented range
    "integer_4400_digits": (_variable("9" * 4400), "SPEC017"),
    "hex_4000_digits": (_variable("0x" + "f" * 4000), "SPEC017"),
    "integer_past_range": (_variable("1000001"), "SPEC017"),
    "negative_past_range": (
        tiny_with(VARIABLES, "variables:\n  n2: {type: int, min: -1000001, max: 0}\n" + VARIABLES),
        "SPEC017",
    ),
    "effect_past_range": (
        tiny_with(
            "close_case: {kind: close, from: open, to: closed}",
            "close_case: {kind: close, from: open, to: closed, effect: {count: 2000000}}",
        ).replace(VARIABLES, "variables:\n  count: {type: int, min: 0, max: 3}\n" + VARIABLES),
        "SPEC017",
    ),
    "expression_literal_5000_digits": (_guard("count < " + "9" * 5000), "SPEC020"),
    # durations: 10^9 of each unit, and the first value past ten years in each
    "billion_working_days": (_window("1000000000 working days"), "SPEC015"),
    "billion_hours": (_window("1000000000 hours"), "SPEC015"),
    "billion_months": (_window("1000000000 months"), "SPEC015"),
    "121_months": (_window("121 months"), "SPEC015"),
    "522_weeks": (_window("522 weeks"), "SPEC015"),
    "2609_working_days": (_window("2609 working days"), "SPEC015"),
    "87673_hours": (_window("87673 hours"), "SPEC015"),
    "5000_digit_duration": (_window("9" * 5000 + " hours"), "SPEC015"),
    # a trailing newline once passed every schema pattern (Python's `$`)
    "status_id_with_newline": (
        tiny_with("  reopened:", '  "closed\\n": {tier: closed, owner: none}\n  reopened:'),
        "SPEC014",
    ),
    "rule_id_with_newline": (
        tiny_with(
            "  close_case: {kind: close, from: open, to: closed}",
            "  close_case: {kind: close, from: open, to: closed, source: "
            '{doc: doc, rule: "DV-01\\n"}}',
        ),
        "SPEC014",
    ),
    "time_with_newline": (
        tiny_with(
            "teams:",
            "meetings:\n  tam: {name: TAM, cadence: {every: week, day: monday, "
            'time: "14:00\\n"}}\nteams:',
        ),
        "SPEC016",
    ),
    # expressions
    "expression_300_brackets": (_guard("(" * 300 + "status == open" + ")" * 300), "SPEC020"),
    "expression_empty": (_guard(" "), "SPEC020"),
    # YAML features a spec must not use
    "anchor_and_alias": (
        tiny_with("  closed: {tier", "  other: &a {tier: cin}\n  again: *a\n  closed: {tier"),
        "SPEC004",
    ),
    "billion_laughs": (
        "a: &a [x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}] \n" for i in range(8)),
        "SPEC004",
    ),
    "python_tag": (tiny_with("stepcheck: 1", "stepcheck: !!python/object:os.system ls"), "SPEC005"),
    "python_name_tag": (
        tiny_with("stepcheck: 1", "stepcheck: !!python/name:subprocess.call 1"),
        "SPEC005",
    ),
    "merge_key": (
        tiny_with(
            "  closed: {tier", "  other: &base {tier: cin}\n  more: {<<: *base}\n  closed: {tier"
        ),
        "SPEC004",
    ),
    "duplicate_key": (tiny_with("stepcheck: 1", "stepcheck: 1\nstepcheck: 1"), "SPEC006"),
    "yaml11_boolean_key": (
        tiny_with("  open: {tier: cin", "  yes: {tier: cin, owner: worker}\n  open: {tier: cin"),
        "SPEC008",
    ),
    "two_documents": (TINY + "---\n" + TINY, "SPEC001"),
    "control_character": (tiny_with("Returnvale", "Return\x07vale"), "SPEC003"),
    "tab_indentation": (tiny_with("  open:", "\topen:"), "SPEC001"),
}


@pytest.mark.parametrize("case", sorted(CONTENTS))
def test_hostile_contents_are_refused_where_they_are_written(case, tmp_path):
    text, code = CONTENTS[case]
    spec = tmp_path / f"{case}.yaml"
    spec.write_text(text, encoding="utf-8")

    outcome = in_process(["validate", str(spec)])

    assert_refused(outcome, located=True, mentions=code)


@pytest.mark.parametrize(
    "case",
    [
        "hex_4000_digits",
        "billion_working_days",
        "billion_months",
        "status_id_with_newline",
        "rule_id_with_newline",
    ],
)
def test_what_once_validated_and_crashed_verify_is_refused_by_verify(case, tmp_path):
    text, code = CONTENTS[case]
    spec = tmp_path / f"{case}.yaml"
    spec.write_text(text, encoding="utf-8")

    outcome = in_process(["verify", "--no-cache", "--jobs", "1", str(spec)])

    assert_refused(outcome, located=True, mentions=code)


def test_a_flat_chain_of_150_conditions_is_not_too_deep(tmp_path):
    spec = tmp_path / "chain.yaml"
    spec.write_text(_guard(" and ".join(["status == open"] * 150)), encoding="utf-8")

    outcome = in_process(["validate", str(spec)])

    assert outcome.code == 0, outcome.output


def test_ten_years_of_window_verifies(tmp_path):
    """The longest duration allowed is one the checker can hold: a 120-month window
    once hit Python's recursion limit replaying its trace (one step a working day)."""
    spec = tmp_path / "window.yaml"
    spec.write_text(_window("120 months"), encoding="utf-8")

    outcome = in_process(["verify", "--no-cache", "--jobs", "1", str(spec)])

    assert outcome.crashed is None, outcome.crashed
    assert outcome.code == 1, outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize(
    ("guard", "line", "column"),
    [
        # the literal block: the error is on the block's second line, after '=='
        ("|\n      status == open and\n        count ==\n", 19, 17),
        # the folded block: the second '=' of '== =' on the block's second line
        (">\n      status == open and\n      count == = 1\n", 19, 16),
    ],
)
def test_an_expression_error_in_a_block_scalar_is_located_in_the_block(
    guard, line, column, tmp_path
):
    text = tiny_with(
        "  close_case: {kind: close, from: open, to: closed}",
        f"  close_case:\n    kind: close\n    from: open\n    to: closed\n    guard: {guard}",
    ).replace(VARIABLES, "variables:\n  count: {type: int, min: 0, max: 3}\n" + VARIABLES)
    spec = tmp_path / "block.yaml"
    spec.write_text(text, encoding="utf-8")

    outcome = in_process(["validate", str(spec)])

    assert_refused(outcome, located=True, mentions="SPEC020")
    assert f"block.yaml:{line}:{column}:" in outcome.output


def test_a_very_long_source_line_is_shown_as_a_window_around_the_caret(tmp_path):
    """A minified spec or a 4,400-digit number once printed its whole line."""
    spec = tmp_path / "long.yaml"
    spec.write_text(_variable("9" * 4400), encoding="utf-8")

    outcome = in_process(["validate", str(spec)])

    assert_refused(outcome, located=True, mentions="SPEC017")
    assert max(len(line) for line in outcome.output.splitlines()) < 300


def _block_spec(key: str, value: str) -> str:
    """TINY whose close_case event has `key` written as `value` (a block scalar)."""
    return tiny_with(
        "  close_case: {kind: close, from: open, to: closed}",
        f"  close_case:\n    kind: close\n    from: open\n    to: closed\n    {key}{value}",
    ).replace(VARIABLES, "variables:\n  count: {type: int, min: 0, max: 3}\n" + VARIABLES)


@pytest.mark.parametrize(
    ("key", "value", "code", "where"),
    [
        # type errors (not syntax errors) in a guard: the operand the checker refuses
        ("guard: ", "|\n      status == open and\n        count + true > 1\n", "SPEC121", "19:17"),
        ("guard: ", ">\n      status == open and\n      nosuch > 1\n", "SPEC120", "19:7"),
        # an effect's value, in either kind of block, on the block's second line
        ("effect:\n      count: ", "|\n        count +\n          true\n", "SPEC121", "20:11"),
        ("effect:\n      count: ", ">\n        count +\n        true\n", "SPEC121", "20:9"),
        ("effect:\n      count: ", "|\n        nosuch + 1\n", "SPEC120", "19:9"),
    ],
)
def test_a_type_error_in_a_block_scalar_is_located_in_the_block(key, value, code, where, tmp_path):
    spec = tmp_path / "block.yaml"
    spec.write_text(_block_spec(key, value), encoding="utf-8")

    outcome = in_process(["validate", str(spec)])

    assert_refused(outcome, located=True, mentions=code)
    assert f"block.yaml:{where}:" in outcome.output
