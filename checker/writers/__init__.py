"""What `stepcheck verify` prints: a `Report` as text, JSON, JUnit, SARIF, Markdown, a
summary table, a pull-request comment (`pr`) or GitHub workflow annotations (`github`).

`checker.results.Report` -> `write` -> one string. Each format lives in its own module
and only formats: the verdicts, bounds and traces come from the report, the case
stories from `checker.story`, the shared wording from `wording`. Unknown is never
shown as a pass, in any format.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final, Protocol

from stepcheck.checker.results import Report
from stepcheck.checker.writers.github import render_github
from stepcheck.checker.writers.json_report import render_json
from stepcheck.checker.writers.junit import render_junit
from stepcheck.checker.writers.markdown import render_markdown
from stepcheck.checker.writers.pr import render_pr
from stepcheck.checker.writers.sarif import render_sarif
from stepcheck.checker.writers.summary import render_summary
from stepcheck.checker.writers.text import Detail, render_text
from stepcheck.spec.model import ProtocolSpec

__all__ = ["FORMATS", "Detail", "write"]


class _Renderer(Protocol):
    def __call__(
        self, report: Report, *, specs: Mapping[str, ProtocolSpec], start: date
    ) -> str: ...


_RENDERERS: Final[dict[str, _Renderer]] = {
    "text": render_text,
    "json": render_json,
    "junit": render_junit,
    "sarif": render_sarif,
    "markdown": render_markdown,
    "summary": render_summary,
    "pr": render_pr,
    "github": render_github,
}

FORMATS: Final = ("text", "json", "junit", "sarif", "markdown", "summary", "pr", "github")
"""The output formats, in the order `--format` lists them."""


def write(
    report: Report,
    fmt: str,
    *,
    specs: Mapping[str, ProtocolSpec],
    start: date,
    detail: Detail = Detail.NORMAL,
) -> str:
    """`report` in format `fmt`.

    Args:
        report: what `verify` found.
        fmt: one of `FORMATS`.
        specs: the loaded specs, keyed by `PropertyResult.spec` (the spec's path string);
            every spec a result names must be here.
        start: the date case stories start on (day 0 is the first working day on or
            after it); also written into the reproduce commands.
        detail: how much the text format says (`-q`, `-v`); other formats say all.

    Raises:
        ValueError: for a format not in `FORMATS`.
    """
    try:
        render = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format '{fmt}'; known formats: {', '.join(FORMATS)}") from None
    if fmt == "text":
        return render_text(report, specs=specs, start=start, detail=detail)
    return render(report, specs=specs, start=start)
