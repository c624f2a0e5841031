"""The verification results the HTML report reads: `stepcheck verify --format json`, as data.

JSON text -> `read_results` -> `Results` -> `diagrams.report`. The report never imports
the checker; it reads the checker's JSON, checked first against the JSON Schema the
checker publishes (`checker/writers/verify-output.schema.json`, which the caller passes
in), so a file that does not match is refused with the first place it goes wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeAlias

import jsonschema
from attrs import frozen

from stepcheck.spec.citations import Citation
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.jsontext import JsonRefused, load_json
from stepcheck.spec.trace import StepKind, Trace, TraceStep, Value

__all__ = [
    "Bound",
    "Clock",
    "Finding",
    "Holder",
    "Problem",
    "Result",
    "Results",
    "ResultsInvalid",
    "Scene",
    "Story",
    "read_results",
]


_Date: TypeAlias = date
"""`date`, under a name a field called `date` cannot shadow."""


class ResultsInvalid(StepcheckError, ValueError):
    """A results file that is not the JSON `stepcheck verify --format json` writes."""


@frozen(kw_only=True)
class Bound:
    """The worst case a proof found, or the depth a bounded proof reached."""

    working_days: int | None
    steps: int | None
    depth: int | None


@frozen(kw_only=True)
class Holder:
    """Who holds the case in a scene, and whether anyone answers for it."""

    id: str
    name: str
    kind: str
    responsible: bool


@frozen(kw_only=True)
class Clock:
    """A time limit that started, stopped, fell due or ran out at one step."""

    change: str
    limit: str
    text: str
    citations: tuple[Citation, ...]


@frozen(kw_only=True)
class Scene:
    """One dated moment of a case story."""

    label: str
    day: int
    date: _Date
    what: str
    status: str
    place: str
    """The status in words (its id in results written before words were added)."""
    holder: Holder
    notes: tuple[str, ...]
    clocks: tuple[Clock, ...]
    citations: tuple[Citation, ...]
    holidays: tuple[tuple[_Date, str], ...]
    loop_start: bool


@frozen(kw_only=True)
class Story:
    """A counterexample told as dated scenes; `loop_start` marks where a lasso repeats."""

    scenes: tuple[Scene, ...]
    loop_start: int | None


@frozen(kw_only=True)
class Result:
    """The verdict on one property of one spec, with its evidence."""

    authority: str
    spec: str
    property: str
    kind: str
    verdict: str
    strength: str | None
    bound: Bound | None
    reading: str
    summary: str
    reason: str | None
    vacuous: bool
    should_only: bool
    location: str | None
    citations: tuple[Citation, ...]
    story: Story | None
    trace: Trace | None
    reproduce: str
    formula: str | None = None
    rank: str | None = None
    """How much it matters, from the checker's triage: high, medium, low or none."""


@frozen(kw_only=True)
class Finding:
    """A structural finding about a spec, with the rule it quotes and a hint."""

    code: str
    severity: str
    message: str
    location: str
    file: str
    line: int
    hint: str | None
    rule: str | None
    rank: str | None = None
    """How much it matters, from the checker's triage: high, medium or low."""
    fingerprint: str | None = None


@frozen(kw_only=True)
class Problem:
    """One root cause in one authority, as the checker ranked it (the JSON's `problems`):
    the results (by property) and findings (by fingerprint) that share it."""

    authority: str
    root_cause: str
    severity: str
    category: str
    headline: str
    fingerprint: str
    properties: tuple[str, ...]
    findings: tuple[str, ...]
    rules: tuple[str, ...]


@frozen(kw_only=True)
class Results:
    """Everything one `stepcheck verify --format json` run wrote."""

    start_date: date
    exit_code: int
    results: tuple[Result, ...]
    findings: tuple[Finding, ...]
    problems: tuple[Problem, ...] = ()
    """The most serious first, as the checker ranked them."""


def read_results(text: str, schema: Mapping[str, Any], *, name: str) -> Results:
    """Parse and check a results file; `name` is how errors refer to it.

    Raises:
        ResultsInvalid: when the text is not JSON or does not match `schema`.
    """
    try:
        data = load_json(text, name=name)
    except JsonRefused as refused:
        raise ResultsInvalid(
            f"{refused}; expected the output of 'stepcheck verify --format json'"
        ) from None
    problem = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data)
    )
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "(top level)"
        message = problem.message if len(problem.message) <= 160 else problem.message[:157] + "..."
        raise ResultsInvalid(
            f"{name}: at {where}: {message}; "
            "expected the output of 'stepcheck verify --format json'"
        )
    return Results(
        start_date=date.fromisoformat(data["start_date"]),
        exit_code=data["exit_code"],
        results=tuple(_result(item) for item in data["results"]),
        findings=tuple(_finding(item) for item in data["findings"]),
        problems=tuple(_problem(item) for item in data["problems"]),
    )


def _problem(data: Mapping[str, Any]) -> Problem:
    return Problem(
        authority=data["authority"],
        root_cause=data["root_cause"],
        severity=data["severity"],
        category=data["category"],
        headline=data["headline"],
        fingerprint=data["fingerprint"],
        properties=tuple(data["properties"]),
        findings=tuple(data["findings"]),
        rules=tuple(data["rules"]),
    )


def _result(data: Mapping[str, Any]) -> Result:
    bound = data["bound"]
    location = data["location"]
    return Result(
        authority=data["authority"],
        spec=data["spec"],
        property=data["property"],
        kind=data["kind"],
        verdict=data["verdict"],
        strength=data["strength"],
        bound=Bound(**bound) if bound is not None else None,
        reading=data["reading"],
        summary=data["summary"],
        formula=data.get("formula"),
        reason=data["reason"],
        vacuous=data["vacuous"],
        should_only=data["should_only"],
        location=_where(location) if location is not None else None,
        citations=_citations(data["citations"]),
        story=_story(data["story"]) if data["story"] is not None else None,
        trace=_trace(data["trace"]) if data["trace"] is not None else None,
        reproduce=data["reproduce"],
        rank=data["triage"]["severity"],
    )


def _finding(data: Mapping[str, Any]) -> Finding:
    return Finding(
        code=data["code"],
        severity=data["severity"],
        message=data["message"],
        location=_where(data),
        file=data["file"],
        line=data["line"],
        hint=data["hint"],
        rule=data["rule"],
        rank=data["triage"]["severity"],
        fingerprint=data["triage"]["fingerprint"],
    )


def _where(span: Mapping[str, Any]) -> str:
    return f"{span['file']}:{span['line']}:{span['column']}"


def _citations(items: Sequence[Mapping[str, Any]]) -> tuple[Citation, ...]:
    return tuple(Citation(**item) for item in items)


def _story(data: Mapping[str, Any]) -> Story:
    return Story(
        scenes=tuple(_scene(item) for item in data["scenes"]), loop_start=data["loop_start"]
    )


def _scene(data: Mapping[str, Any]) -> Scene:
    return Scene(
        label=data["label"],
        day=data["day"],
        date=date.fromisoformat(data["date"]),
        what=data["what"],
        status=data["status"],
        place=data.get("place", data["status"]),
        holder=Holder(**data["holder"]),
        notes=tuple(data["notes"]),
        clocks=tuple(
            Clock(
                change=clock["change"],
                limit=clock["limit"],
                text=clock["text"],
                citations=_citations(clock["citations"]),
            )
            for clock in data["clocks"]
        ),
        citations=_citations(data["citations"]),
        holidays=tuple(
            (date.fromisoformat(holiday["date"]), holiday["name"]) for holiday in data["holidays"]
        ),
        loop_start=data["loop_start"],
    )


def _trace(data: Mapping[str, Any]) -> Trace:
    """The counterexample as a `Trace`, so a status diagram can highlight it."""
    return Trace(
        initial=_state(data["initial"]),
        steps=tuple(
            TraceStep(
                kind=StepKind(step["kind"]),
                name=step["name"],
                day=step["day"],
                state=_state(step["state"]),
            )
            for step in data["steps"]
        ),
        loop_start=data["loop_start"],
    )


def _state(data: Mapping[str, Any]) -> dict[str, Value]:
    """JSON lists back to the tuples `Trace` states hold (`held` is a tuple of meeting ids)."""
    return {
        name: tuple(value) if isinstance(value, list) else value for name, value in data.items()
    }
