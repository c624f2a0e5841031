"""The checker decides every mission property of every shipped authority, and the
verification summary in spec/authorities/README.md is what the command prints today.

`verify` replays every trace in the explicit explorer and turns one that does not
replay into `unknown`, so "decided" includes "its counterexample replayed".
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from stepcheck.checker.results import Verdict
from stepcheck.checker.verify import verify
from stepcheck.checker.writers import write
from stepcheck.spec.loader import load_spec

AUTHORITIES = ("buckinghamshire", "devon", "hertfordshire", "somerset")
MISSION = ("escalation_terminates", "no_unowned_case", "cp_step_down_requires_meeting")
README = Path("spec/authorities/README.md")


def _readme_table(authority: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^### {authority}\n.*?(?=^### |^\d+ properties:)", text, re.S | re.M)
    assert match, f"no summary table for {authority} in {README}"
    return match.group(0).strip()


@pytest.mark.parametrize("authority", AUTHORITIES)
def test_mission_properties_are_decided_and_the_readme_summary_is_current(authority):
    spec = load_spec(f"spec/authorities/{authority}.yaml")

    report = verify([spec])

    by_id = {result.property: result for result in report.results}
    for prop_id in MISSION:
        result = by_id[prop_id]
        assert result.verdict is not Verdict.UNKNOWN, (prop_id, result.reason)
        if result.verdict is Verdict.VIOLATED:
            assert result.trace is not None
            assert result.citations, "a violation cites the rules its story uses"
    summary = write(report, "summary", specs={spec.path: spec}, start=date(2026, 12, 21))
    table = summary.rsplit("\n\n", 1)[0].strip()
    assert table == _readme_table(authority), (
        "spec/authorities/README.md is out of date: paste the output of "
        "`stepcheck verify spec/authorities --format summary`"
    )
