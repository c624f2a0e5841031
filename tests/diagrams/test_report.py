"""The reviewer's HTML report: golden page for the example, structure, escaping, no Graphviz."""

from __future__ import annotations

import doctest
import importlib
import json
import os
import re
import shutil
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import Golden
from twin_report import twin_page

from stepcheck.diagrams.render import GraphvizMissing
from stepcheck.diagrams.report import render_report
from stepcheck.diagrams.report_data import Results, ResultsInvalid, read_results
from stepcheck.diagrams.report_html import esc
from stepcheck.diagrams.report_svg import GRAPHVIZ_NOTE, svg_renderer
from stepcheck.spec.loader import load_spec, load_spec_text

EXAMPLE = Path("tests/fixtures/specs/valid/example.yaml")
RESULTS = Path("tests/golden/cli/verify_example.json")
GOLDEN = Path("tests/golden/diagrams/report")
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed"
)


@pytest.fixture
def golden_files(golden: Golden) -> Golden:
    """The golden checker, also in update mode when STEPCHECK_UPDATE_GOLDEN=1."""
    return Golden(update=True) if os.environ.get("STEPCHECK_UPDATE_GOLDEN") == "1" else golden


def _schema() -> dict[str, Any]:
    path = resources.files("stepcheck.checker.writers").joinpath("verify-output.schema.json")
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def _results() -> Results:
    return read_results(RESULTS.read_text(encoding="utf-8"), _schema(), name=str(RESULTS))


def _page(renderer: Any = None) -> str:
    return render_report(_results(), [load_spec(EXAMPLE)], version="test", renderer=renderer)


class _Page(HTMLParser):
    """Collects what the structural checks look at: ids, links, sources, scripts, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "xlink:href") and value is not None:
                self.hrefs.append(value)
            if name == "src" and value is not None:
                self.srcs.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def _parsed(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


@needs_dot
def test_example_report_matches_golden_file(golden_files):
    """The report of the example spec, diagrams included, is exactly its golden file."""
    page = _page(svg_renderer())

    golden_files.check(GOLDEN / "example.html", page)


@needs_dot
def test_report_shows_every_result_finding_and_citation():
    """Every verdict, finding, quoted rule and reproduce command is in the page's text."""
    data = json.loads(RESULTS.read_text(encoding="utf-8"))

    parsed = _parsed(_page(svg_renderer()))

    for result in data["results"]:
        assert f"result-{result['authority']}-{result['property']}" in parsed.ids
        assert " ".join(result["summary"].split()) in parsed.words
        assert result["reproduce"] in parsed.words
        quotes = [c["quote"] for c in result["citations"]]
        for scene in (result["story"] or {"scenes": []})["scenes"]:
            quotes += [c["quote"] for c in scene["citations"]]
        for quote in filter(None, quotes):
            assert quote in parsed.words
    for finding in data["findings"]:
        assert finding["message"] in parsed.words
        assert finding["rule"] in parsed.words
        assert finding["hint"] in parsed.words


@needs_dot
def test_report_has_no_external_links_or_scripts():
    """Nothing is fetched: no src, no script, and every link is an anchor in the page."""
    parsed = _parsed(_page(svg_renderer()))

    assert parsed.srcs == []
    assert "script" not in parsed.tags
    assert "link" not in parsed.tags
    assert all(href.startswith("#") and href[1:] in parsed.ids for href in parsed.hrefs)
    # the tier map, the legend, one part per tier, the one ladder, and one focused
    # drawing per story (two); the map links to every part
    tiers = {status.tier for status in load_spec(EXAMPLE).statuses}
    assert parsed.tags.count("svg") == 2 + len(tiers) + 1 + 2
    assert {f"#part-{load_spec(EXAMPLE).authority.id}-{tier.value}" for tier in tiers} <= set(
        parsed.hrefs
    )


def test_report_accessibility_basics():
    """Tables have header cells, verdicts are words and symbols, the page has a language."""
    page = _page()

    parsed = _parsed(page)

    assert '<html lang="en-GB">' in page
    assert parsed.tags.count("th") > 0
    assert parsed.tags.count("caption") == parsed.tags.count("table")
    assert "✘ violated" in parsed.words
    assert "✔ proved" in parsed.words
    assert "holds only if should-rules are followed" in parsed.words


def test_report_escapes_spec_text():
    """Text from a spec is escaped, so a name with markup cannot add elements."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "name: Examplevale Council (fictional example)",
        'name: "Examplevale <script>alert(1)</script> & Co"',
    )
    spec = load_spec_text(text, str(EXAMPLE))

    page = render_report(_results(), [spec], version="test", renderer=None)

    assert "<script" not in page
    assert "Examplevale &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page


def test_report_without_graphviz_says_so_and_keeps_the_rest():
    """When dot is missing, the diagrams are replaced by a note and everything else stays."""

    def missing(graph: object) -> bytes:
        raise GraphvizMissing()

    parsed = _parsed(_page(missing))

    assert " ".join(GRAPHVIZ_NOTE.split()) in parsed.words
    assert "svg" not in parsed.tags
    assert "result-examplevale-escalation_terminates" in parsed.ids


def test_report_is_deterministic():
    """The same input gives the same page."""
    assert _page() == _page()


def _twin_page() -> str:
    return twin_page(None)


def _text_of(page: str, start: str, end: str) -> str:
    """The words of the page between two fragments of its HTML."""
    first = page.index(start)
    return _parsed(page[first : page.index(end, first)]).words


def test_each_authority_opens_with_its_problems_in_the_checkers_order():
    """Before any detail: the problems, most serious first, each a sentence, a quoted
    paragraph and a link that lands on its story or finding."""
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    page = _page()
    parsed = _parsed(page)
    top = page.index('class="top"')

    assert top < page.index("<details")
    items = page[top : page.index("</ol>", top)].split('<li class="problem">')[1:]
    assert len(items) == len(data["problems"])
    for item, problem in zip(items, data["problems"], strict=True):
        assert f"rank-{problem['severity']}" in item
        assert esc(problem["headline"]) in item
        assert "<blockquote>" in item
        (link,) = re.findall(r'href="#([^"]+)"', item)
        assert link in parsed.ids
    assert [item.split("rank-")[1].split('"')[0] for item in items] == ["high", "medium", "low"]


def test_several_authorities_get_an_overview_first(golden_files):
    """With two authorities an overview comes before the contents and the matrix; its
    words are kept as golden text."""
    page = _twin_page()
    overview = page.index('id="overview"')

    assert overview < page.index('aria-label="Contents"') < page.index('id="summary"')
    assert 'href="#top-twinvale"' in page
    assert "not a property of this spec" not in page
    golden_files.check(
        GOLDEN / "overview.txt", _text_of(page, '<section id="overview"', "</section>") + "\n"
    )


def test_the_matrix_lists_each_specs_own_properties_only_where_it_has_them():
    """The first rows are the questions every spec is asked; a spec's own questions are
    listed in its own cell, so no cell says a property does not exist."""
    page = _page()
    matrix = page[page.index('id="summary"') : page.index("</section>", page.index('id="summary"'))]
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    mission = {"escalation_terminates", "no_unowned_case", "cp_step_down_requires_meeting"}

    assert "not a property of this spec" not in matrix
    for result in data["results"]:
        assert f"#result-examplevale-{result['property']}" in matrix
        if result["property"] not in mission:
            assert f"<code>{result['property']}</code></li>" in matrix


def test_the_details_are_folded_and_print_short():
    """Verdicts, findings and diagrams are each one folded part, the problems are not."""
    page = _page()
    parsed = _parsed(page)

    assert parsed.tags.count("details") == 3
    assert page.index('class="top"') < page.index('<details class="part">')
    for title in ("Verdicts", "Findings", "Diagrams"):
        assert f"<summary><h3>{title}</h3>" in page


JARGON = (
    r"\blasso",
    r"counterexample",
    r"\bexecutor",
    r"\bSpacer\b",
    r"\bBMC\b",
    r"\bZ3\b",
    r"\bSPEC2\d\d\b",
    r"\bleads_to\b",
    r"\binvariant\b",
    r"&lt;b&gt;",
    r"\*\*",
)
"""Words a policy reviewer should not meet in the report's prose (ids in <code> aside)."""


def _prose(page: str) -> str:
    """The page's words a reviewer reads: no diagrams, no ids or commands in <code>."""
    body = re.sub(r"<svg.*?</svg>|<code>.*?</code>", " ", page, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", body[body.index("<body") :])


@needs_dot
def test_the_reviewers_prose_has_no_jargon_and_no_raw_markup():
    """No solver or tool words, no finding codes, no property kinds, and a quote's bold
    (`<b>`, `**`) shown as bold, not as markup."""
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    data["results"][0]["citations"][0]["quote"] = "within <b>one working day</b> and **now**"
    results = read_results(json.dumps(data), _schema(), name="bold.json")
    page = render_report(results, [load_spec(EXAMPLE)], version="t", renderer=svg_renderer())
    prose = _prose(page)

    for word in JARGON:
        assert re.search(word, prose) is None, (word, re.search(f".{{60}}{word}.{{60}}", prose))
    assert "<strong>one working day</strong>" in page
    assert "<strong>now</strong>" in page


@needs_dot
def test_each_story_has_its_own_small_drawing_of_the_statuses_it_visits():
    """Beside each story, a drawing with only the statuses it visits, its steps numbered;
    the whole protocol is drawn once, with no story singled out."""
    data = json.loads(RESULTS.read_text(encoding="utf-8"))
    page = _page(svg_renderer())

    for result in data["results"]:
        focus = f'id="focus-examplevale-{result["property"]}"'
        assert (focus in page) is (result["story"] is not None)
        if result["story"] is None:
            continue
        figure = page[page.index(focus) : page.index("</figure>", page.index(focus))]
        visited = {result["trace"]["initial"]["status"]}
        visited |= {step["state"]["status"] for step in result["trace"]["steps"]}
        drawn = set(re.findall(r"<title>([a-z_]+)</title>", figure))
        assert visited <= drawn
        statuses = {s.id for s in load_spec(EXAMPLE).statuses}
        assert drawn & statuses == visited
        article = page[page.index(f'id="result-examplevale-{result["property"]}"') :]
        assert article.index('class="story"') < article.index(focus)
    whole = page[page.index('id="status-examplevale"') :]
    assert "a run that breaks" not in whole[: whole.index("</figure>")]


def test_the_authors_own_words_for_a_question_are_shown_with_its_verdict():
    """A property's `description` is the question in the author's words: shown under the
    verdict's sentence, escaped."""
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "    kind: leads_to\n",
        "    kind: leads_to\n    description: A tray case is allocated in 2 days & no more\n",
    )
    spec = load_spec_text(text, str(EXAMPLE))

    page = render_report(_results(), [spec], version="test", renderer=None)

    article = page[page.index('id="result-examplevale-allocated_soon"') :]
    assert (
        "in the spec's words: A tray case is allocated in 2 days &amp; no more"
        in (article[: article.index("</article>")])
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "not JSON"),
        ('{"format_version": 2}', "at (top level)"),
        ("[]", "expected the output of 'stepcheck verify --format json'"),
    ],
)
def test_results_that_do_not_match_the_schema_are_refused(text, expected):
    """A results file that is not the checker's JSON is refused with where it goes wrong."""
    with pytest.raises(ResultsInvalid) as caught:
        read_results(text, _schema(), name="bad.json")

    assert str(caught.value).startswith("bad.json")
    assert expected in str(caught.value)


@pytest.mark.parametrize(
    "module",
    ["report_html", "report_svg", "report_data", "report_authority", "report", "report_problems"],
)
def test_report_module_examples_hold(module):
    """The examples in the report modules' docstrings are true."""
    imported = importlib.import_module(f"stepcheck.diagrams.{module}")

    assert doctest.testmod(imported).failed == 0
