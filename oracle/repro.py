"""A disagreement as a person reads it, with two ways to replay it.

The text names the run (spec, system, seed), lists the steps with their moments,
says what differs and why the oracle decided as it did (the rules it cites), then
gives a `stepcheck test` line that repeats the search with the same seed and a short
Python snippet that replays exactly these steps without Hypothesis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from attrs import frozen

from stepcheck.oracle.machine import Finding
from stepcheck.spec.citations import long_date
from stepcheck.spec.model import Reading

__all__ = ["DEFAULT_EXAMPLES", "DEFAULT_STEPS", "DEFAULT_TIMEOUT", "RunSettings", "render_finding"]

DEFAULT_EXAMPLES = 100
"""Random cases `stepcheck test` tries after the directed ones."""
DEFAULT_STEPS = 30
"""The most steps and time jumps in one random case."""
DEFAULT_TIMEOUT = 5.0
"""Seconds an HTTP system may take to answer one request (`--timeout`)."""


@frozen(kw_only=True)
class RunSettings:
    """How a search was run: enough to repeat it from the command line.

    `target` is what `--sut` takes (`python:module:factory` or a URL); None when the
    system was given as a Python object, which a command line cannot name.
    """

    spec_path: str
    target: str | None
    seed: int
    examples: int
    steps: int
    reading: Reading = Reading.MUST
    meetings: Mapping[str, date] | None = None
    timeout: float = DEFAULT_TIMEOUT
    min_coverage: float | None = None
    directed: bool = True


def render_finding(finding: Finding, run: RunSettings, notes: Sequence[str] = ()) -> str:
    """The finding, its steps, the differences and the two reproductions, as text.

    `notes` (whole lines, such as the coverage) go before the reproductions, so the
    Python snippet stays the last thing printed and can be copied as it is.
    """
    lines = [
        f"DISAGREEMENT after {len(finding.steps)} step(s): the system and the oracle differ "
        f"(seed {run.seed})",
        *_unreproduced_lines(finding),
        f"  spec: {run.spec_path}",
        f"  opened at '{finding.status}' on {_moment(finding.start)}",
        *_step_lines(finding),
        "  differences:",
        *(f"    {difference}" for difference in finding.differences),
        *_refusal_lines(finding),
        *notes,
        "reproduce (search again with the same seed):",
        f"  {_command(run)}",
        "replay these steps in Python:",
        *(f"  {line}" if line else "" for line in _snippet(finding, run)),
    ]
    return "\n".join(lines) + "\n"


def _unreproduced_lines(finding: Finding) -> list[str]:
    if finding.reproduced:
        return []
    return [
        "  this did not reproduce on replay: the same steps on a fresh system did not "
        "give the same answer,",
        "  so the system is not deterministic, broke part way, or answered at the timeout; "
        "shown is the first fault seen",
    ]


def _step_lines(finding: Finding) -> list[str]:
    lines = []
    last = len(finding.steps)
    for number, (step, at) in enumerate(finding.steps, start=1):
        mark = "  <- differs" if number == last else ""
        lines.append(f"  {number:>4}  {_moment(at)}  {step}{mark}")
    return lines


def _refusal_lines(finding: Finding) -> list[str]:
    if finding.oracle_accepted is not False or not finding.refusals:
        return []
    lines = ["  the oracle rejects it because:"]
    for refusal in finding.refusals:
        lines.append(f"    - {refusal.reason}")
        for citation in refusal.citations:
            where = ", ".join(
                part
                for part in (
                    citation.doc,
                    citation.section and f"§{citation.section}",
                    citation.rule,
                )
                if part
            )
            quote = f': "{citation.quote}"' if citation.quote else ""
            lines.append(f"      ({where}){quote}")
    return lines


def _command(run: RunSettings) -> str:
    target = run.target or "<your system: python:module:factory or URL>"
    parts = ["stepcheck test", run.spec_path, "--sut", target]
    if run.reading is not Reading.MUST:
        parts += ["--reading", run.reading.value]
    for meeting, day in sorted((run.meetings or {}).items()):
        parts += ["--meeting", f"{meeting}={day.isoformat()}"]
    parts += ["--seed", str(run.seed), "--examples", str(run.examples), "--steps", str(run.steps)]
    if run.timeout != DEFAULT_TIMEOUT:
        parts += ["--timeout", f"{run.timeout:g}"]
    if not run.directed:
        parts.append("--no-directed")
    if run.min_coverage is not None:
        parts += ["--min-coverage", f"{run.min_coverage:g}"]
    return " ".join(parts)


def _snippet(finding: Finding, run: RunSettings) -> list[str]:
    imports, factory = _factory_code(run.target, run.timeout)
    lines = [
        "from datetime import date, datetime" if run.meetings else "from datetime import datetime",
        "",
        "from stepcheck import load_spec",
        "from stepcheck.oracle.machine import replay",
        "from stepcheck.spec.model import Reading",
        *imports,
        "",
        "finding = replay(",
        f'    load_spec("{run.spec_path}"),',
        f"    {factory},",
        f'    status="{finding.status}",',
        f"    at={_literal(finding.start)},",
        "    steps=[",
        *(f'        ("{step}", {_literal(at)}),' for step, at in finding.steps),
        "    ],",
        f"    reading=Reading.{run.reading.name},",
    ]
    if run.meetings:
        anchors = ", ".join(
            f'"{meeting}": date({day.year}, {day.month}, {day.day})'
            for meeting, day in sorted(run.meetings.items())
        )
        lines.append(f"    meetings={{{anchors}}},")
    lines += [")", "assert finding is None, finding.differences"]
    return lines


def _factory_code(target: str | None, timeout: float) -> tuple[list[str], str]:
    if target is None:
        return ["from your_module import your_factory  # the factory you passed"], "your_factory"
    if target.startswith(("http://", "https://")):
        imports = ["from stepcheck.oracle.http_system import http_factory"]
        wait = "" if timeout == DEFAULT_TIMEOUT else f", timeout={timeout!r}"
        return imports, f'lambda: http_factory("{target}"{wait})'
    module, _, attribute = target.removeprefix("python:").partition(":")
    return [f"from {module} import {attribute}"], attribute


def _moment(at: datetime) -> str:
    return f"{long_date(at.date())} {at:%H:%M}"


def _literal(at: datetime) -> str:
    return f"datetime({at.year}, {at.month}, {at.day}, {at.hour}, {at.minute})"
