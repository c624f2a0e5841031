"""The four shipped authorities, verified as `make run` does: what a reviewer reads first.

One verification of all four (about a minute of solver time) serves every test here:
the problems each authority's report and terminal lead with are golden text, and no
case story told is longer than a reviewer can follow.
"""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest
from browser import CHROMIUM, diagram_scales, measured
from conftest import Golden
from twin_report import schema

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Report
from stepcheck.checker.triage import problems, top
from stepcheck.checker.writers.json_report import render_json
from stepcheck.checker.writers.pr import render_pr
from stepcheck.checker.writers.text import story_lines
from stepcheck.checker.writers.wording import story_of
from stepcheck.diagrams.report import render_report
from stepcheck.diagrams.report_data import read_results
from stepcheck.diagrams.report_svg import svg_renderer
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import ProtocolSpec
from stepcheck.verification import run_verify

# One worker runs the whole module, so the four authorities are verified once (the
# fixture is per module and per worker).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("shipped")]

SHIPPED = sorted(Path("spec/authorities").glob("*.yaml"))
START = date(2026, 12, 21)
MOST_ROWS = 25
"""The longest story a reviewer is shown, in rows (scenes)."""


@pytest.fixture(scope="module")
def shipped() -> tuple[Report, list[ProtocolSpec]]:
    specs = [load_spec(path) for path in SHIPPED]
    report = run_verify(specs, properties=(), limits=Limits(), progress=False, start=START, jobs=1)
    return report, specs


def test_every_shipped_story_fits_on_a_screen(shipped):
    report, specs = shipped
    by_path = {spec.path: spec for spec in specs}
    told = 0
    for result in report.results:
        story = story_of(result, by_path, START)
        if story is None:
            continue
        told += 1
        assert len(story.scenes) <= MOST_ROWS, (result.authority, result.property)
    assert told >= 20


def test_a_story_quotes_each_rule_once_and_says_where_the_case_is_when_it_moves(shipped):
    """Each row shows what changed: a rule already quoted is named, not quoted again, and
    the case's place is repeated only when it changes."""
    report, specs = shipped
    by_path = {spec.path: spec for spec in specs}
    for result in report.results:
        story = story_of(result, by_path, START)
        if story is None:
            continue
        lines = story_lines(story)
        quotes = [line.strip() for line in lines if line.strip().startswith("rule: ")]
        assert len(quotes) == len(set(quotes)), (result.authority, result.property)
        places = [line.strip() for line in lines if line.strip().startswith("now in ")]
        assert all(a != b for a, b in itertools.pairwise(places)), result.property


def test_each_authoritys_most_serious_problems_are_golden_text(shipped, golden: Golden):
    """What the report's overview and the terminal's last screen lead with, in order."""
    report, specs = shipped
    ranked = problems(report, {spec.path: spec for spec in specs})
    lines = []
    for spec in specs:
        mine = [p for p in ranked if p.authority == spec.authority.id]
        lines.append(f"{spec.authority.name}: {len(mine)} problems")
        lines += [f"  {p.severity.value:<6}  {p.headline}" for p in top(mine)]
    golden.check("tests/golden/verify/shipped-problems.txt", "\n".join(lines) + "\n")


def test_the_pull_request_comment_for_the_shipped_authorities_fits(shipped):
    """`--format pr` over all four stays under GitHub's 65,536-character comment limit,
    leads with the counts and the most serious problems, and folds the stories."""
    report, specs = shipped

    text = render_pr(report, specs={spec.path: spec for spec in specs}, start=START)

    assert len(text) < 65_000
    assert text.index("### Most serious problems") < text.index("<details")
    assert text.count("<details") >= len(specs)
    assert "| somerset |" in text


@pytest.fixture(scope="module")
def shipped_page(shipped, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report `make run` writes for the four, as a file."""
    report, specs = shipped
    by_path = {spec.path: spec for spec in specs}
    results = read_results(render_json(report, specs=by_path, start=START), schema(), name="v")
    renderer = svg_renderer() if shutil.which("dot") else None
    path = tmp_path_factory.mktemp("shipped") / "report.html"
    path.write_text(render_report(results, specs, version="test", renderer=renderer), "utf-8")
    return path


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
@pytest.mark.parametrize("width", [1400, 400])
def test_the_shipped_report_leads_with_the_problems_and_stays_short(
    shipped, shipped_page, tmp_path, width
):
    """The page a reviewer opens, in Chromium: the overview on the first screen, no
    sideways scroll, and folded details keep it to a few screens (it was 136,000 px)."""
    _, specs = shipped
    layout = measured(shipped_page, tmp_path, width)
    page = shipped_page.read_text(encoding="utf-8")

    assert layout["firstTop"] < layout["screen"], layout
    assert layout["scrollWidth"] <= layout["width"], layout
    assert layout["height"] < 40 * layout["screen"], layout
    for spec in specs:
        assert f'id="top-{spec.authority.id}"' in page


@pytest.mark.skipif(
    CHROMIUM is None or shutil.which("dot") is None, reason="needs chromium and Graphviz"
)
def test_every_status_diagram_is_legible_at_page_width(shipped_page, tmp_path):
    """The whole protocol is drawn as a tier map and one part per tier, and each story
    as its own statuses: at 1400 px every one of them fits its box at 70% of its drawn
    size or more (the posters they replace were shrunk to about 12%)."""
    rows = diagram_scales(shipped_page, tmp_path, 1400)
    status = [row for row in rows if not row["id"].startswith(("ladder-", "legend-"))]

    assert len([row for row in status if row["id"].startswith("part-")]) >= 20
    for row in status:
        assert row["shown"] <= row["room"] + 1, row
        assert row["shown"] >= 0.69 * row["natural"], row
