"""The policy reviewer's report: one self-contained HTML page of verdicts, stories and diagrams.

`Results` (the checker's JSON, via `diagrams.report_data`) + the `ProtocolSpec`s ->
`render_report` -> one HTML string. What matters most comes first: an overview of the
problems across authorities (when there are several, `diagrams.report_problems`), a
summary matrix (the three questions every protocol is asked, by authority, then each
authority's own), one section per authority opening with its most serious problems
(`diagrams.report_authority`, with inline SVG from `diagrams.report_svg`), and the
cross-authority comparison (`diagrams.compare`).
The page has no external assets and no script, prints cleanly, and is deterministic:
the same input gives the same bytes (no timestamps; the generator version is named).
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Final

from stepcheck.diagrams.compare import Comparison, compare
from stepcheck.diagrams.report_authority import authority_section
from stepcheck.diagrams.report_data import Finding, Result, Results
from stepcheck.diagrams.report_html import anchor, bound_words, caveats, esc, verdict_badge
from stepcheck.diagrams.report_problems import overview
from stepcheck.diagrams.report_svg import (
    GRAPHVIZ_NOTE,
    Highlight,
    SvgRenderer,
    draw_authority,
    draw_focus,
)
from stepcheck.spec.citations import long_date
from stepcheck.spec.model import ProtocolSpec

__all__ = ["render_report"]

_MISSION: Final = ("escalation_terminates", "no_unowned_case", "cp_step_down_requires_meeting")


def render_report(
    results: Results,
    specs: Sequence[ProtocolSpec],
    *,
    version: str,
    renderer: SvgRenderer | None,
) -> str:
    """The whole report for `specs`, from their `results`.

    Args:
        results: what `stepcheck verify --format json` wrote; results about specs not
            in `specs` are left out.
        specs: the specs to report on, loaded; one section each, sorted by authority.
        version: the stepcheck version named in the footer.
        renderer: draws a Graphviz graph as SVG; None leaves diagrams out with a note.
    """
    ordered = sorted(specs, key=lambda spec: (spec.authority.id, spec.path))
    by_spec = [(spec, _results_of(spec, results.results)) for spec in ordered]
    findings = [(spec, _findings_of(spec, results.findings)) for spec in ordered]
    sections = [
        authority_section(
            spec,
            found,
            spec_findings,
            _diagrams(spec, renderer),
            results.problems,
            focus=_focused(spec, found, renderer),
        )
        for (spec, found), (_, spec_findings) in zip(by_spec, findings, strict=True)
    ]
    body = [
        "<header><h1>stepcheck: protocol verification report</h1>",
        _intro(results, by_spec),
        "</header><main>",
        overview(ordered, results.problems, results.results, several=len(ordered) > 1),
        _contents(ordered),
        _summary(by_spec),
        *sections,
        _comparison(compare(ordered)),
        "</main>",
        f"<footer><p>Written by stepcheck {esc(version)}.</p></footer>",
    ]
    return _page("\n".join(body))


def _page(body: str) -> str:
    css = resources.files("stepcheck.diagrams").joinpath("report.css").read_text(encoding="utf-8")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>stepcheck: protocol verification report</title>\n"
        f"<style>\n{css}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _intro(results: Results, by_spec: Sequence[tuple[ProtocolSpec, list[Result]]]) -> str:
    every = [result for _, found in by_spec for result in found]
    counts = {
        verdict: sum(r.verdict == verdict for r in every)
        for verdict in ("proved", "violated", "unknown")
    }
    start = results.start_date
    return (
        f"<p>{len(every)} properties of {len(by_spec)} "
        f"{'authority' if len(by_spec) == 1 else 'authorities'}: "
        f"{counts['proved']} proved, {counts['violated']} violated, "
        f"{counts['unknown']} unknown (not proved, never a pass). "
        f"Case stories start on or after {esc(long_date(start))} ({start.isoformat()}), "
        "each on the first working day from which its steps happen on the real "
        "calendar; working days leave out weekends and England and Wales bank "
        "holidays.</p>"
    )


def _contents(specs: Sequence[ProtocolSpec]) -> str:
    items = ['<li><a href="#overview">Overview</a></li>'] if len(specs) > 1 else []
    items.append('<li><a href="#summary">Summary</a></li>')
    for spec in specs:
        target = anchor("authority", spec.authority.id)
        items.append(f'<li><a href="#{target}">{esc(spec.authority.name)}</a></li>')
    items.append('<li><a href="#comparison">How the authorities compare</a></li>')
    return f'<nav aria-label="Contents"><h2>Contents</h2><ul>{"".join(items)}</ul></nav>'


def _summary(by_spec: Sequence[tuple[ProtocolSpec, list[Result]]]) -> str:
    every = [result for _, found in by_spec for result in found]
    properties = [prop for prop in _MISSION if any(r.property == prop for r in every)]
    head = "".join(
        f'<th scope="col"><a href="#{anchor("authority", spec.authority.id)}">'
        f"{esc(spec.authority.id)}</a></th>"
        for spec, _ in by_spec
    )
    rows = []
    for prop in properties:
        cells = []
        for _, found in by_spec:
            result = next((r for r in found if r.property == prop), None)
            cells.append(_summary_cell(result))
        rows.append(f'<tr><th scope="row"><code>{esc(prop)}</code></th>{"".join(cells)}</tr>')
    own = [[r for r in found if r.property not in _MISSION] for _, found in by_spec]
    if any(own):
        own_cells = "".join(f"<td>{_own_cell(found)}</td>" for found in own)
        rows.append(f'<tr><th scope="row">questions its own spec asks</th>{own_cells}</tr>')
    return (
        '<section id="summary" aria-labelledby="summary-h"><h2 id="summary-h">Summary</h2>'
        "<p>Each property of each authority: <strong>proved</strong> (unbounded: in every "
        "reachable state; bounded: in every run up to the depth given), "
        "<strong>violated</strong> (with a dated case story below), or "
        "<strong>unknown</strong> (not proved, never a pass, with the reason). "
        "Follow a verdict for the details and the rules it quotes. The first rows are "
        "the questions every protocol is asked; the last, each spec's own.</p>"
        '<div class="scroll"><table class="summary"><caption>Verdicts by property and '
        "authority</caption>"
        f'<thead><tr><th scope="col">property</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _own_cell(found: Sequence[Result]) -> str:
    """An authority's own properties, each a verdict linked to its details."""
    if not found:
        return '<span class="absent">none</span>'
    items = "".join(
        f'<li><a href="#{anchor("result", r.authority, r.property)}">'
        f"{verdict_badge(r.verdict)}</a> <code>{esc(r.property)}</code></li>"
        for r in found
    )
    return f'<ul class="own">{items}</ul>'


def _summary_cell(result: Result | None) -> str:
    if result is None:
        return '<td class="absent">not a property of this spec</td>'
    notes = [*bound_words(result), *caveats(result)]
    if result.verdict == "violated" and result.story is not None:
        notes.insert(0, "see the case story")
    extra = "".join(f"<br><small>{esc(note)}</small>" for note in notes)
    target = anchor("result", result.authority, result.property)
    return (
        f'<td class="cell-{esc(result.verdict)}"><a href="#{target}">'
        f"{verdict_badge(result.verdict)}</a>{extra}</td>"
    )


def _diagrams(spec: ProtocolSpec, renderer: SvgRenderer | None) -> str:
    """The whole protocol: its status diagram and its escalation ladders."""
    if renderer is None:
        return f'<p class="note">{esc(GRAPHVIZ_NOTE)}</p>'
    drawn = draw_authority(spec, renderer)
    return drawn if drawn is not None else f'<p class="note">{esc(GRAPHVIZ_NOTE)}</p>'


def _focused(
    spec: ProtocolSpec, results: Sequence[Result], renderer: SvgRenderer | None
) -> dict[str, str]:
    """Each story's own diagram, by property: the statuses it visits, its steps numbered."""
    if renderer is None:
        return {}
    drawn = {}
    for result in results:
        if result.trace is None or result.story is None:
            continue
        figure = draw_focus(spec, Highlight(property=result.property, trace=result.trace), renderer)
        if figure is not None:
            drawn[result.property] = figure
    return drawn


def _comparison(comparison: Comparison) -> str:
    head = "".join(f'<th scope="col">{esc(authority)}</th>' for authority in comparison.authorities)
    rows = []
    for aspect in comparison.aspects:
        cells = "".join(
            "<td><ul>"
            + "".join(
                f'<li>{esc(entry.text)} <small class="origin">[{esc(entry.origin)}]</small></li>'
                for entry in cell
            )
            + "</ul></td>"
            for cell in aspect.cells
        )
        rows.append(f'<tr><th scope="row">{esc(aspect.title)}</th>{cells}</tr>')
    return (
        '<section id="comparison" aria-labelledby="comparison-h">'
        '<h2 id="comparison-h">How the authorities compare</h2>'
        "<p>Read from the specs. Each entry names the rule it comes from (or, where the "
        'spec cites none, its place in the spec); "not stated" means the document is '
        "silent there.</p>"
        '<div class="scroll"><table class="comparison"><caption>The same questions, '
        "authority by authority</caption>"
        f'<thead><tr><th scope="col">aspect</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div></section>"
    )


def _results_of(spec: ProtocolSpec, results: Sequence[Result]) -> list[Result]:
    """The spec's results: by its path, else (verified from another folder) by authority."""
    found = [result for result in results if _same_file(result.spec, spec.path)]
    return found or [result for result in results if result.authority == spec.authority.id]


def _findings_of(spec: ProtocolSpec, findings: Sequence[Finding]) -> list[Finding]:
    """The spec's findings: by its path, else by its file name."""
    found = [finding for finding in findings if _same_file(finding.file, spec.path)]
    name = Path(spec.path).name
    return found or [finding for finding in findings if Path(finding.file).name == name]


def _same_file(first: str, second: str) -> bool:
    """True when two spec paths name one file, however each was written."""
    return Path(first.replace("\\", "/")).resolve() == Path(second.replace("\\", "/")).resolve()
