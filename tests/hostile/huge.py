"""Specs that are valid but huge, from the issue's list of runs that once ran 12-86x
past `--timeout`: ladders of 100 and 1,000 levels, 200 deadlines, 64 booleans, 10,000
events. Each is TINY grown in one direction."""

from __future__ import annotations

from corpus import TINY, tiny_with

__all__ = ["HUGE", "ladder"]


def ladder(levels: int) -> str:
    rows = [f"      - {{id: level_{i}, who: lead, within: 1 working day}}" for i in range(levels)]
    rows[-1] = f"      - {{id: level_{levels - 1}, who: lead, within: unspecified, decides: true}}"
    text = tiny_with(
        "teams: {sw: {name: Social Work}}",
        "teams: {sw: {name: Social Work}}\nroles:\n  lead: {name: Lead}",
    )
    ladder = (
        "escalations:\n  dispute:\n    trigger: close_case\n    levels:\n"
        + "\n".join(rows)
        + f"\n    final_authority: level_{levels - 1}\n    tie_break: not_needed\n"
    )
    return text.replace("rereferrals:", ladder + "rereferrals:", 1).replace(
        "  no_unowned_case: {}", "  no_unowned_case: {}\n  escalation_terminates: {}"
    )


def _deadlines(count: int) -> str:
    rows = [
        f"  due_{i}: {{within: {i % 20 + 1} working days, anchor: close_case,"
        " obligation: rerefer, consequence: unspecified}"
        for i in range(count)
    ]
    return TINY.replace("rereferrals:", "deadlines:\n" + "\n".join(rows) + "\nrereferrals:", 1)


def _booleans(count: int) -> str:
    rows = [f"  flag_{i}: {{type: bool, initial: false}}" for i in range(count)]
    events = [
        f"  set_{i}: {{kind: other, from: open, to: open, effect: {{flag_{i}: true}}}}"
        for i in range(count)
    ]
    text = TINY.replace("events:\n", "events:\n" + "\n".join(events) + "\n", 1)
    return text.replace("properties:", "variables:\n" + "\n".join(rows) + "\nproperties:", 1)


def _events(count: int) -> str:
    rows = [f"  note_{i}: {{kind: other, from: open, to: open}}" for i in range(count)]
    return TINY.replace("events:\n", "events:\n" + "\n".join(rows) + "\n", 1)


HUGE = {
    "ladder_100_levels": ladder(100),
    "ladder_1000_levels": ladder(1000),
    "200_deadlines": _deadlines(200),
    "64_booleans": _booleans(64),
    "10000_events": _events(10_000),
}
"""Name -> spec text; every one valid."""
