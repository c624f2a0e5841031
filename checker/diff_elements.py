"""Elements added, removed or changed between two versions of a spec, compared by id.

Deadlines, meetings, escalation ladders (their levels, final authority and tie-break),
re-referral windows, owners (their kind: a team tray that became a system tray) and
event guards are compared field by field (precedence rules and whether documents apply
in `diff_precedence.py`), on what they *mean* (durations in working
days, modalities, consequences), never on wording: descriptions, quotes and comments
are not compared, and neither is the order they are written in.

An element is matched by its id, so a renamed element shows as removed and added (see
ARCHITECTURE.md, "Semantic diff"). What counts as worse here: a deadline or limit that
got longer or was removed, a must that became a should or a may, a consequence or a
final authority or tie-break that became unspecified or was removed, a meeting that sits
less often or was removed, an owner that is no longer responsible. Guard changes are
shown but left to the behaviour comparison (`diff_behaviour.py`) to judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from stepcheck.checker.diff_model import Area, Change
from stepcheck.checker.diff_precedence import document_changes, precedence_changes
from stepcheck.checker.words import words_of
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.model import (
    Deadline,
    Escalation,
    Meeting,
    Modality,
    Owner,
    ProtocolSpec,
    Rereferral,
    Source,
    Unspecified,
)
from stepcheck.spec.timing import Timing, timing

__all__ = ["element_changes"]

_STRENGTH = {Modality.MUST: 2, Modality.SHOULD: 1, Modality.MAY: 0}


def element_changes(old: ProtocolSpec, new: ProtocolSpec) -> list[Change]:
    """Every element change from `old` to `new` (one authority), sorted by key."""
    found = _Differ(old, new)
    changes = [
        *found.deadlines(),
        *found.meetings(),
        *found.ladders(),
        *found.windows(),
        *found.owners(),
        *found.guards(),
        *precedence_changes(old, new),
        *document_changes(old, new),
    ]
    return sorted(changes, key=lambda change: change.key)


class _Differ:
    def __init__(self, old: ProtocolSpec, new: ProtocolSpec) -> None:
        self.old, self.new = old, new
        self.old_times: Timing = timing(old)
        self.new_times: Timing = timing(new)
        self.authority = new.authority.id

    # -- helpers ---------------------------------------------------------------------

    def _change(
        self,
        key: str,
        headline: str,
        *,
        worse: bool,
        item: Any,
        old: str | None,
        new: str | None,
        side: str = "new",
    ) -> Change:
        sources: Sequence[Source] = getattr(item, "sources", ())
        rules = tuple(dict.fromkeys(s.rule for s in sources if s.rule))
        quote = next((s.quote for s in sources if s.quote), None)
        span: SourceSpan | None = getattr(item, "span", None)
        return Change(
            area=Area.ELEMENT,
            authority=self.authority,
            headline=headline,
            worse=worse,
            key=key,
            old=old,
            new=new,
            rules=rules,
            quote=quote,
            span=span,
            side=side,
        )

    def _name(self, ident: str) -> str:
        spec = self.new if ident in _ids(self.new) else self.old
        return words_of(spec, ident)

    def _paired(
        self, olds: Sequence[Any], news: Sequence[Any], what: str, key: str
    ) -> Iterator[tuple[Any, Any] | Change]:
        """Pairs by id, and a Change for each one only in one version."""
        before = {item.id: item for item in olds}
        after = {item.id: item for item in news}
        for ident in sorted(before.keys() | after.keys()):
            if ident not in after:
                yield self._change(
                    f"{key}:{ident}",
                    f"{what} '{self._name(ident)}' was removed",
                    worse=what in _WORSE_WHEN_REMOVED,
                    item=before[ident],
                    old="present",
                    new=None,
                    side="old",
                )
            elif ident not in before:
                yield self._change(
                    f"{key}:{ident}",
                    f"{what} '{self._name(ident)}' was added",
                    worse=False,
                    item=after[ident],
                    old=None,
                    new="present",
                )
            else:
                yield before[ident], after[ident]

    # -- elements --------------------------------------------------------------------

    def deadlines(self) -> Iterator[Change]:
        for pair in self._paired(self.old.deadlines, self.new.deadlines, "deadline", "deadline"):
            if isinstance(pair, Change):
                yield pair
                continue
            was, now = pair
            yield from self._deadline(was, now)

    def _deadline(self, was: Deadline, now: Deadline) -> Iterator[Change]:
        name = self._name(now.id)
        old_days = self.old_times.deadlines.get(was.id)
        new_days = self.new_times.deadlines.get(now.id)
        if str(was.within) != str(now.within) or old_days != new_days:
            longer = _longer(old_days, new_days) or isinstance(now.within, Unspecified)
            verb = "was lengthened" if longer else "changed"
            yield self._change(
                f"deadline:{now.id}:within",
                f"deadline '{name}' {verb}: {_within(was.within, old_days)} -> "
                f"{_within(now.within, new_days)}",
                worse=longer,
                item=now,
                old=_within(was.within, old_days),
                new=_within(now.within, new_days),
            )
        if was.modality is not now.modality:
            weaker = _STRENGTH[now.modality] < _STRENGTH[was.modality]
            yield self._change(
                f"deadline:{now.id}:modality",
                f"deadline '{name}' is now a {now.modality.value} (was a {was.modality.value})",
                worse=weaker,
                item=now,
                old=was.modality.value,
                new=now.modality.value,
            )
        if str(was.consequence) != str(now.consequence):
            lost = isinstance(now.consequence, Unspecified)
            yield self._change(
                f"deadline:{now.id}:consequence",
                f"deadline '{name}': what happens when it is missed changed",
                worse=lost,
                item=now,
                old=_said(was.consequence),
                new=_said(now.consequence),
            )

    def meetings(self) -> Iterator[Change]:
        for pair in self._paired(self.old.meetings, self.new.meetings, "meeting", "meeting"):
            if isinstance(pair, Change):
                yield pair
                continue
            was, now = pair
            if _cadence(was) != _cadence(now):
                old_gap = self.old_times.meetings.get(was.id)
                new_gap = self.new_times.meetings.get(now.id)
                rarer = new_gap is not None and (old_gap is None or new_gap > old_gap)
                yield self._change(
                    f"meeting:{now.id}:cadence",
                    f"meeting '{self._name(now.id)}' now sits {_cadence(now)} "
                    f"(was {_cadence(was)})",
                    worse=rarer,
                    item=now,
                    old=_cadence(was),
                    new=_cadence(now),
                )

    def ladders(self) -> Iterator[Change]:
        pairs = self._paired(self.old.escalations, self.new.escalations, "ladder", "ladder")
        for pair in pairs:
            if isinstance(pair, Change):
                yield pair
                continue
            yield from self._ladder(*pair)

    def _ladder(self, was: Escalation, now: Escalation) -> Iterator[Change]:
        name = self._name(now.id)
        for field, what in (("final_authority", "final authority"), ("tie_break", "tie-break")):
            before, after = getattr(was, field), getattr(now, field)
            if str(before) != str(after):
                yield self._change(
                    f"ladder:{now.id}:{field}",
                    f"ladder '{name}': {what} "
                    + ("was removed" if isinstance(after, Unspecified) else "changed"),
                    worse=isinstance(after, Unspecified),
                    item=now,
                    old=_said(before),
                    new=_said(after),
                )
        if str(was.within) != str(now.within):
            longer = _longer(
                self.old_times.disputes.get(was.id), self.new_times.disputes.get(now.id)
            )
            yield self._change(
                f"ladder:{now.id}:within",
                f"ladder '{name}': time to resolve changed",
                worse=longer or isinstance(now.within, Unspecified),
                item=now,
                old=_said(was.within),
                new=_said(now.within),
            )
        old_levels = {level.id: level for level in was.levels}
        for level in now.levels:
            before_level = old_levels.pop(level.id, None)
            if before_level is None:
                yield self._change(
                    f"ladder:{now.id}:level:{level.id}",
                    f"ladder '{name}': level '{self._name(level.id)}' was added",
                    worse=False,
                    item=level,
                    old=None,
                    new=_said(level.within),
                )
            elif str(before_level.within) != str(level.within):
                key = (now.id, level.id)
                longer = _longer(self.old_times.levels.get(key), self.new_times.levels.get(key))
                yield self._change(
                    f"ladder:{now.id}:level:{level.id}",
                    f"ladder '{name}': level '{self._name(level.id)}' time limit changed",
                    worse=longer or isinstance(level.within, Unspecified),
                    item=level,
                    old=_said(before_level.within),
                    new=_said(level.within),
                )
        for level in old_levels.values():
            yield self._change(
                f"ladder:{now.id}:level:{level.id}",
                f"ladder '{name}': level '{self._name(level.id)}' was removed",
                worse=True,
                item=level,
                old=_said(level.within),
                new=None,
                side="old",
            )

    def windows(self) -> Iterator[Change]:
        pairs = self._paired(self.old.rereferrals, self.new.rereferrals, "window", "window")
        for pair in pairs:
            if isinstance(pair, Change):
                yield pair
                continue
            was, now = pair
            yield from self._window(was, now)

    def _window(self, was: Rereferral, now: Rereferral) -> Iterator[Change]:
        if str(was.window) != str(now.window) or was.route_to != now.route_to:
            yield self._change(
                f"window:{now.id}",
                f"re-referral window '{self._name(now.id)}' changed",
                worse=False,
                item=now,
                old=f"{was.window}, back to '{was.route_to}'",
                new=f"{now.window}, back to '{now.route_to}'",
            )

    def owners(self) -> Iterator[Change]:
        for pair in self._paired(self.old.owners, self.new.owners, "owner", "owner"):
            if isinstance(pair, Change):
                yield pair
                continue
            was, now = pair
            yield from self._owner(was, now)

    def _owner(self, was: Owner, now: Owner) -> Iterator[Change]:
        if was.kind is now.kind and was.responsible == now.responsible:
            return
        lost = was.responsible and not now.responsible
        yield self._change(
            f"owner:{now.id}",
            f"'{now.name or self._name(now.id)}' is now a {_kind(now)} (was a {_kind(was)})"
            + (": nobody there answers for a case" if lost else ""),
            worse=lost,
            item=now,
            old=_kind(was),
            new=_kind(now),
        )

    def guards(self) -> Iterator[Change]:
        before = {event.id: event for event in self.old.events}
        for event in self.new.events:
            was = before.get(event.id)
            if was is None:
                continue
            old_guards = {(g.text, g.modality.value): g for g in was.guards}
            new_guards = {(g.text, g.modality.value): g for g in event.guards}
            name = self._name(event.id)
            for text, modality in sorted(old_guards.keys() - new_guards.keys()):
                yield self._change(
                    f"guard:{event.id}:{text}:{modality}",
                    f"step '{name}' no longer needs '{text}' ({modality})",
                    worse=False,
                    item=old_guards[(text, modality)],
                    old=text,
                    new=None,
                    side="old",
                )
            for text, modality in sorted(new_guards.keys() - old_guards.keys()):
                yield self._change(
                    f"guard:{event.id}:{text}:{modality}",
                    f"step '{name}' now needs '{text}' ({modality})",
                    worse=False,
                    item=new_guards[(text, modality)],
                    old=None,
                    new=text,
                )


_WORSE_WHEN_REMOVED = frozenset({"deadline", "meeting", "ladder"})


def _ids(spec: ProtocolSpec) -> set[str]:
    groups: tuple[tuple[Any, ...], ...] = (
        spec.statuses,
        spec.events,
        spec.deadlines,
        spec.meetings,
        spec.escalations,
        spec.rereferrals,
        spec.owners,
    )
    found = {item.id for group in groups for item in group}
    found.update(level.id for ladder in spec.escalations for level in ladder.levels)
    return found


def _longer(before: tuple[int, int] | None, after: tuple[int, int] | None) -> bool:
    """The latest the limit can fall grew (or a timed limit became untimed)."""
    if before is None:
        return False
    return after is None or after[1] > before[1]


def _within(duration: object, days: tuple[int, int] | None) -> str:
    text = _said(duration)
    if days is None or str(duration).endswith("working days") or str(duration).endswith("day"):
        return text
    low, high = days
    span = f"{low}" if low == high else f"{low}-{high}"
    return f"{text} ({span} working days)"


def _said(value: object) -> str:
    return "unspecified" if isinstance(value, Unspecified) else str(value)


def _cadence(meeting: Meeting) -> str:
    return str(meeting.cadence)


def _kind(owner: Owner) -> str:
    return owner.kind.value.replace("_", " ")
