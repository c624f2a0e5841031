"""Structural findings: each fires on a spec built to show it, and not on a sound one."""

import re
from pathlib import Path

import pytest

from stepcheck import load_spec, load_spec_text
from stepcheck.checker.structure import check_structure
from stepcheck.spec.diagnostics import Severity

SOUND = """
stepcheck: 1
authority: {id: t, name: T}
documents: {d: {title: D, rule_prefix: TT}}
teams: {sw: {name: SW}}
owners: {sw_worker: {kind: allocated, team: sw}, sw_tray: {kind: team_tray, team: sw}}
roles: {head: {name: Head}, deputy: {name: Deputy}}
statuses:
  open: {tier: cin, owner: sw_worker, initial: true}
  tray: {tier: cin, owner: sw_tray, holding: true}
  closed: {tier: closed, owner: none, final: true}
events:
  park: {kind: transfer, from: open, to: tray}
  allocate: {kind: allocate, from: tray, to: open}
  close_case: {kind: close, from: open, to: closed}
  dispute: {kind: escalate, from: open}
deadlines:
  allocate_soon:
    within: 2 working days
    anchor: park
    obligation: allocate
    consequence: dispute
escalations:
  disagreement:
    trigger: dispute
    levels: [{id: head_decides, who: head, within: 1 working day, decides: true}]
    final_authority: head_decides
    tie_break: not_needed
"""

EDITS = {
    "SPEC202": [("  closed: {tier", "  orphan: {tier: cin}\n  closed: {tier")],
    "SPEC203": [
        ("  closed: {tier", "  limbo: {tier: cin}\n  closed: {tier"),
        ("  dispute: {kind", "  stick: {kind: other, from: open, to: limbo}\n  dispute: {kind"),
    ],
    "SPEC204": [
        ("  closed: {tier", "  orphan: {tier: cin}\n  closed: {tier"),
        ("  dispute: {kind", "  ghost: {kind: other, from: orphan}\n  dispute: {kind"),
    ],
    "SPEC205": [("  close_case: {kind: close, from: open, to: closed}\n", "")],
    "SPEC206": [("    anchor: park", "    anchor: close_case")],
    "SPEC207": [("    consequence: dispute", "    consequence: unspecified")],
    "SPEC208": [("    within: 2 working days", "    within: unspecified")],
    "SPEC209": [
        ("roles:", "externals: {panel: {title: Panel protocol}}\nroles:"),
        ("decides: true}", "decides: true, external: panel}"),
    ],
    "SPEC210": [("    final_authority: head_decides", "    final_authority: unspecified")],
    "SPEC211": [
        ("who: head, within", "who: [head, deputy], within"),
        ("    tie_break: not_needed", "    tie_break: unspecified"),
    ],
    "SPEC212": [("    within: 2 working days", "    within: 2 days")],
    "SPEC213": [
        ("roles:", "meetings: {panel: {cadence: {every: month}}}\nroles:"),
        (
            "  allocate: {kind: allocate, from: tray, to: open}",
            "  allocate: {kind: allocate, from: tray, to: open, at: panel}",
        ),
    ],
    "SPEC214": [
        (
            "escalations:",
            "  allocate_later:\n    within: 5 working days\n    anchor: park\n"
            "    obligation: allocate\n    consequence: dispute\nescalations:",
        )
    ],
}


def _codes(text: str) -> list[str]:
    return [finding.code for finding in check_structure(load_spec_text(text, "t.yaml"))]


def test_sound_spec_has_no_structural_findings():
    """A spec whose statuses are reachable, bounded and closable gives no finding."""
    assert _codes(SOUND) == []


@pytest.mark.parametrize("code", sorted(EDITS))
def test_each_finding_fires_on_the_spec_that_shows_it(code):
    """Editing the sound spec to show one flaw produces that finding."""
    text = SOUND
    for old, new in EDITS[code]:
        assert old in text
        text = text.replace(old, new)

    codes = _codes(text)

    assert code in codes


def test_tie_break_marked_not_needed_with_several_deciders_is_reported():
    """'not_needed' contradicts a final level that names several deciders."""
    text = SOUND.replace("who: head, within", "who: [head, deputy], within")

    assert "SPEC211" in _codes(text)


def test_findings_are_warnings_that_cite_their_rule():
    """Findings are warnings, and carry the citation of the element they are about."""
    devon = load_spec("spec/authorities/devon.yaml")

    findings = check_structure(devon)

    assert findings
    assert all(finding.severity is Severity.WARNING for finding in findings)
    assert any(finding.rule and "DV-" in finding.rule for finding in findings)


def test_every_structural_code_has_a_spec_that_shows_it():
    """Each code `check_structure` can report is produced by one of the edits above."""
    source = "".join(
        Path(f"checker/{name}.py").read_text(encoding="utf-8")
        for name in ("structure", "conflicts")
    )

    codes = set(re.findall(r"\"(SPEC\d{3})\"", source))

    assert codes == set(EDITS)
