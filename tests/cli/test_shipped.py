"""The four shipped authorities, verified as `make run` does: what a reviewer reads first.

One verification of all four (about a minute of solver time) serves every test here:
the problems each authority's report and terminal lead with are golden text, and no
case story told is longer than a reviewer can follow.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest
from conftest import Golden

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Report
from stepcheck.checker.triage import problems, top
from stepcheck.checker.writers.text import story_lines
from stepcheck.checker.writers.wording import story_of
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import ProtocolSpec
from stepcheck.verification import run_verify

pytestmark = pytest.mark.slow

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
