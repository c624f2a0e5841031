"""Verdicts that moved and findings new or fixed, between the reports on two versions.

Verdicts are matched by authority, property and subject (the dispute or deadline a
result is about); findings by their triage fingerprint (`checker/triage.py`), which
names the authority, the finding code and the element, never a line or a wording, so a
moved or reworded element is the same finding.

Worse: a verdict that moved away from proved (to violated, or to unknown), a proved
worst case (working days or steps) that grew, any new finding. A verdict newly
unknown is also marked `unknown`: the comparison could not be decided, which the exit
code reports apart (3) when nothing else got worse.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from stepcheck.checker.diff_model import Area, Change
from stepcheck.checker.results import PropertyResult, Report, Verdict
from stepcheck.checker.triage import of_finding, spec_of_finding
from stepcheck.checker.writers.text import story_lines
from stepcheck.checker.writers.wording import limit_words, story_of
from stepcheck.spec.diagnostics import Diagnostic
from stepcheck.spec.model import ProtocolSpec

__all__ = ["finding_changes", "verdict_changes"]

_Key = tuple[str, str, str]


def verdict_changes(
    old: Report,
    new: Report,
    *,
    new_specs: Mapping[str, ProtocolSpec],
    start: date,
) -> list[Change]:
    """One change per property whose verdict or proved bound moved, with the new story
    (told from `new_specs`, the new version's specs by path)."""
    before = {_key(result): result for result in old.results}
    after = {_key(result): result for result in new.results}
    changes = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if now is None:
            assert was is not None
            changes.append(_removed(was))
            continue
        if was is not None and _words(was) == _words(now):
            continue
        changes.append(_moved(was, now, new_specs, start))
    return changes


def _key(result: PropertyResult) -> _Key:
    return (result.authority, result.property, result.subject or "")


def _words(result: PropertyResult) -> str:
    """The verdict and its proved worst case, as a reviewer compares them."""
    limit = limit_words(result)
    return result.verdict.value if limit == "-" else f"{result.verdict.value}, {limit}"


def _name(result: PropertyResult) -> str:
    return result.property + (f" ({result.subject})" if result.subject else "")


def _removed(was: PropertyResult) -> Change:
    return Change(
        area=Area.VERDICT,
        authority=was.authority,
        headline=f"property '{_name(was)}' is no longer checked (it was removed)",
        worse=was.verdict is Verdict.PROVED,
        key=f"verdict:{_name(was)}",
        old=_words(was),
        new=None,
        rules=_rules(was),
        span=was.span,
        side="old",
    )


def _moved(
    was: PropertyResult | None,
    now: PropertyResult,
    specs: Mapping[str, ProtocolSpec],
    start: date,
) -> Change:
    worse = _worse(was, now)
    old_words = _words(was) if was is not None else None
    if was is None:
        headline = f"property '{_name(now)}' is new: {now.verdict.value}"
    else:
        headline = f"property '{_name(now)}': {old_words} -> {_words(now)}"
    detail = [now.summary] if now.summary else []
    story = story_of(now, specs, start) if now.spec in specs else None
    if story is not None:
        detail += ["the new story:", *story_lines(story)]
    if now.verdict is Verdict.UNKNOWN and now.reason:
        detail.append(f"not decided: {now.reason}")
    return Change(
        area=Area.VERDICT,
        authority=now.authority,
        headline=headline,
        worse=worse,
        key=f"verdict:{_name(now)}",
        old=old_words,
        new=_words(now),
        rules=_rules(now),
        span=now.span,
        detail=tuple(detail),
        unknown=now.verdict is Verdict.UNKNOWN,
    )


def _worse(was: PropertyResult | None, now: PropertyResult) -> bool:
    if now.verdict is Verdict.VIOLATED:
        return was is None or was.verdict is not Verdict.VIOLATED
    if was is None or was.verdict is not Verdict.PROVED:
        return False
    if now.verdict is not Verdict.PROVED:
        return True
    old_bound, new_bound = was.bound, now.bound
    if old_bound is None or new_bound is None:
        return False
    grew = [
        (before, after)
        for before, after in (
            (old_bound.working_days, new_bound.working_days),
            (old_bound.steps, new_bound.steps),
        )
        if before is not None and after is not None
    ]
    return any(after > before for before, after in grew)


def _rules(result: PropertyResult) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.rule for c in result.citations if c.rule))


def finding_changes(
    old: Report,
    new: Report,
    *,
    old_specs: Mapping[str, ProtocolSpec],
    new_specs: Mapping[str, ProtocolSpec],
) -> list[Change]:
    """Findings new in `new` and fixed since `old`, matched by fingerprint."""
    before = _printed(old.findings, old_specs)
    after = _printed(new.findings, new_specs)
    changes = []
    for fingerprint in sorted(before.keys() | after.keys()):
        if fingerprint in before and fingerprint in after:
            continue
        fixed = fingerprint not in after
        finding, authority = before[fingerprint] if fixed else after[fingerprint]
        changes.append(
            Change(
                area=Area.FINDING,
                authority=authority,
                headline=("fixed: " if fixed else "new: ") + f"{finding.code} {finding.message}",
                worse=not fixed,
                key=f"finding:{fingerprint}",
                old=finding.message if fixed else None,
                new=None if fixed else finding.message,
                rules=finding.rule_ids,
                span=finding.span,
                side="old" if fixed else "new",
                detail=(f"fingerprint {fingerprint}",),
            )
        )
    return changes


def _printed(
    findings: tuple[Diagnostic, ...], specs: Mapping[str, ProtocolSpec]
) -> dict[str, tuple[Diagnostic, str]]:
    found = {}
    for finding in findings:
        spec = spec_of_finding(finding, specs)
        triage = of_finding(finding, spec)
        authority = spec.authority.id if spec is not None else finding.span.file
        found[triage.fingerprint] = (finding, authority)
    return found
