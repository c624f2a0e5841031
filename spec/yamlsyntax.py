"""YAML syntax errors in a reader's words: where the mistake starts, and how to fix it.

Used by `yamlread`: ruamel.yaml reports what its parser expected (`<block end>`,
`simple key`) and where it noticed, which is sometimes a line or a whole file after
the mistake. This turns that into a location, a plain message and a hint.
"""

from __future__ import annotations

import re

from ruamel.yaml.error import MarkedYAMLError

__all__ = ["explain_syntax_error"]


def explain_syntax_error(
    error: MarkedYAMLError, lines: list[str]
) -> tuple[int, int, str, str | None]:
    """Where a syntax error is, what it is in a reader's words, and a hint."""
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = (error.problem or error.context or "syntax error").strip()
    before = lines[line - 1][: max(column, 1)] if 1 <= line <= len(lines) else ""
    if "\t" in before or "'\\t'" in problem:
        where = "for indentation" if not before.strip() else "where YAML needs spaces"
        return line, column, f"a tab character is used {where}", _TAB_HINT
    earlier = _started_earlier(error, problem, lines)
    if earlier is not None:
        return earlier
    message, hint = _plain_syntax(problem)
    opened = error.context_mark
    if opened is not None and "flow" in (error.context or ""):
        bracket = _char_at(lines, opened.line, opened.column)
        closer = {"{": "}", "[": "]"}.get(bracket, bracket)
        hint = (
            f"the '{bracket}' at line {opened.line + 1}, column {opened.column + 1} needs a "
            f"closing '{closer}', and items inside it are separated by ','"
        )
    return line, column, message, hint


def _started_earlier(
    error: MarkedYAMLError, problem: str, lines: list[str]
) -> tuple[int, int, str, str] | None:
    """Errors the parser notices a line (or a whole file) late, located where they start."""
    context, opened = error.context or "", error.context_mark
    if opened is None:
        return None
    if "simple key" in context:
        problem = "this line has no ':' where a 'key: value' line was expected"
        hint = "write 'key: value', or indent the line if it continues the value above"
        return opened.line + 1, opened.column + 1, problem, hint
    if "quoted scalar" in context and ("end of stream" in problem or "separator" in problem):
        quote = _char_at(lines, opened.line, opened.column)
        problem = f"the quote {quote} that starts here is never closed"
        hint = f"end the text with {quote}; inside '...' write a ' as ''"
        return opened.line + 1, opened.column + 1, problem, hint
    return None


_TAB_HINT = "replace the tab with spaces; YAML does not allow tabs here"

_UNEXPECTED = {
    "<block mapping start>": (
        "this line is indented differently from the lines above it",
        "keys of one mapping start in the same column",
    ),
    "<block sequence start>": (
        "this line is indented differently from the lines above it",
        "items of one list start in the same column",
    ),
    "?": (
        "a key where a list item ('- ...') was expected",
        "indent the key under its list item, or start the line with '- '",
    ),
    "-": (
        "a list item where a key was expected",
        "indent the '- ' lines under the key they belong to",
    ),
    "<scalar>": (
        "unexpected text after the value",
        "put the whole value in quotes, or start the next key on a new line",
    ),
}


def _plain_syntax(problem: str) -> tuple[str, str | None]:
    """The parser's message in a reader's words, with a hint where one helps."""
    unexpected = re.fullmatch(r"expected <block end>, but found '(.*)'", problem)
    if unexpected:
        token = unexpected.group(1)
        return _UNEXPECTED.get(token, (f"unexpected '{token}'", "check the brackets and indents"))
    if problem == "mapping values are not allowed here":
        return "unexpected ':'", (
            "put text that contains ': ' in quotes (e.g. quote: \"the TAM: decides\"), "
            "or check the indentation of this line"
        )
    start = re.fullmatch(r"found character '(.)' that cannot start any token", problem)
    if start:
        return f"a value cannot start with '{start.group(1)}'", "put the value in quotes"
    if "expected a single document" in problem or "but found another document" in problem:
        return problem, "a spec file holds exactly one YAML document; remove the extra '---'"
    plain = problem.replace("'<stream end>'", "the end of the file")
    return plain.replace("'<scalar>'", "a value"), None


def _char_at(lines: list[str], line: int, column: int) -> str:
    text = lines[line] if 0 <= line < len(lines) else ""
    return text[column] if 0 <= column < len(text) else "?"
