"""Behaviour newly possible or no longer possible, in words built from the specs' names.

`diff_behaviour.behaviour_of` decides which observations each version can reach; here
the two sets are compared and grouped so a reviewer reads one line per step or status,
never a formula: "a CP case can now step down to FSS without the CTM", "a case in
'Awaiting allocation' can now be held by a system tray".

Worse: any step newly possible (a new transition, or a meeting it can now be taken
without), a state newly reachable in which
an open case is held by a kind of place where nobody answers for it (a meeting queue,
a system tray, nobody, unspecified), and a step no longer possible when it was the
last way out of its status. Other removals are shown but not counted against a change.
An observation either version could not decide is shown as unknown, not as a change.
"""

from __future__ import annotations

from collections.abc import Iterable

from stepcheck.checker.diff_behaviour import STATE, STEP, Behaviour, Observation
from stepcheck.checker.diff_model import Area, Change
from stepcheck.checker.words import words_of
from stepcheck.spec.diagnostics import SourceSpan
from stepcheck.spec.model import OwnerKind, ProtocolSpec, Status

__all__ = ["behaviour_changes"]

_Triple = tuple[str, str, str]


def behaviour_changes(
    old_spec: ProtocolSpec, new_spec: ProtocolSpec, old: Behaviour, new: Behaviour
) -> list[Change]:
    """The behaviour changes from `old` to `new`, one per status or step, sorted by key."""
    words = _Words(old_spec, new_spec)
    undecided = set(old.unknown) | set(new.unknown)
    before = {obs for obs in old.reachable if obs not in undecided}
    after = {obs for obs in new.reachable if obs not in undecided}
    changes = [*_states(words, before, after), *_steps(words, before, after)]
    for obs in sorted(undecided):
        reason = new.unknown.get(obs) or old.unknown.get(obs) or ""
        side = "the new version" if obs in new.unknown else "the old version"
        changes.append(
            Change(
                area=Area.BEHAVIOUR,
                authority=new_spec.authority.id,
                headline=f"could not tell whether {words.observation(obs)} in {side}",
                worse=False,
                key=f"unknown:{_key(obs)}",
                span=words.span_of(obs),
                detail=(reason,) if reason else (),
                unknown=True,
            )
        )
    return sorted(changes, key=lambda change: change.key)


class _Words:
    """Names from the new spec, falling back on the old one for what was removed."""

    def __init__(self, old: ProtocolSpec, new: ProtocolSpec) -> None:
        self.old, self.new = old, new

    def spec_with(self, ident: str, group: str) -> ProtocolSpec:
        ids = {item.id for item in getattr(self.new, group)}
        return self.new if ident in ids else self.old

    def status(self, ident: str) -> str:
        return f"'{words_of(self.spec_with(ident, 'statuses'), ident)}'"

    def event(self, ident: str) -> str:
        return words_of(self.spec_with(ident, "events"), ident, capital=False)

    def meeting(self, ident: str) -> str:
        spec = self.spec_with(ident, "meetings")
        named = {m.id: m.name for m in spec.meetings}
        return named.get(ident) or words_of(spec, ident)

    def tier(self, status: str) -> str:
        found: Status = self.spec_with(status, "statuses").status_by_id(status)
        return _TIER_WORDS.get(found.tier.value, found.tier.value.replace("_", " "))

    def final(self, status: str) -> bool:
        return self.spec_with(status, "statuses").status_by_id(status).final

    def observation(self, obs: Observation) -> str:
        if obs.kind == STATE:
            return f"a case can be in {self.status(obs.status)} held by {_kind(obs.owner_kind)}"
        unmet = f" without {_and(self.meeting(m) for m in obs.unmet)}" if obs.unmet else ""
        return (
            f"a case can {self.event(obs.event)} from {self.status(obs.source)} to "
            f"{self.status(obs.status)}{unmet}"
        )

    def span_of(self, obs: Observation, side: str = "new") -> SourceSpan | None:
        group, ident = ("events", obs.event) if obs.kind == STEP else ("statuses", obs.status)
        first, second = (self.new, self.old) if side == "new" else (self.old, self.new)
        for spec in (first, second):
            for item in getattr(spec, group):
                if item.id == ident:
                    span: SourceSpan = item.span
                    return span
        return None

    def cites(self, obs: Observation) -> tuple[tuple[str, ...], str | None]:
        group, ident = ("events", obs.event) if obs.kind == STEP else ("statuses", obs.status)
        spec = self.spec_with(ident, group)
        item = next(item for item in getattr(spec, group) if item.id == ident)
        sources = item.sources
        rules = tuple(dict.fromkeys(s.rule for s in sources if s.rule))
        return rules, next((s.quote for s in sources if s.quote), None)


_TIER_WORDS = {"cp": "CP", "cin": "CIN", "cla": "CLA", "early_help": "early help"}
_UNOWNED = frozenset(kind.value for kind in OwnerKind if not kind.responsible_by_default)


def _kind(kind: str) -> str:
    return {
        "none": "nobody",
        "unspecified": "an owner the document does not name",
        "allocated": "an allocated worker",
    }.get(kind, "a " + kind.replace("_", " "))


def _and(items: Iterable[str]) -> str:
    names = list(items)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _key(obs: Observation) -> str:
    return ":".join([obs.kind, obs.source, obs.event, obs.status, obs.owner_kind, *obs.unmet])


def _change(
    words: _Words, obs: Observation, key: str, headline: str, *, worse: bool, side: str = "new"
) -> Change:
    rules, quote = words.cites(obs)
    span = words.span_of(obs, side)
    return Change(
        area=Area.BEHAVIOUR,
        authority=words.new.authority.id,
        headline=headline,
        worse=worse,
        key=key,
        rules=rules,
        quote=quote,
        span=span,
        side=side,
    )


def _states(words: _Words, before: set[Observation], after: set[Observation]) -> list[Change]:
    changes = []
    old_kinds = _kinds_by_status(before)
    new_kinds = _kinds_by_status(after)
    for status in sorted(old_kinds.keys() | new_kinds.keys()):
        was, now = old_kinds.get(status, set()), new_kinds.get(status, set())
        sample = Observation(kind=STATE, status=status, owner_kind=sorted(now or was)[0])
        name = words.status(status)
        if not was:
            unowned = sorted(k for k in now if k in _UNOWNED)
            worse = bool(unowned) and not words.final(status)
            tail = f", held by {_and(_kind(k) for k in unowned)}" if worse else ""
            headline = f"a case can now reach {name}{tail}"
            changes.append(_change(words, sample, f"state:{status}", headline, worse=worse))
            continue
        if not now:
            headline = f"a case can no longer reach {name}"
            changes.append(
                _change(words, sample, f"state:{status}", headline, worse=False, side="old")
            )
            continue
        for kind in sorted(now - was):
            worse = kind in _UNOWNED and not words.final(status)
            headline = f"a case in {name} can now be held by {_kind(kind)}"
            obs = Observation(kind=STATE, status=status, owner_kind=kind)
            changes.append(_change(words, obs, f"state:{status}:{kind}", headline, worse=worse))
        for kind in sorted(was - now):
            headline = f"a case in {name} can no longer be held by {_kind(kind)}"
            obs = Observation(kind=STATE, status=status, owner_kind=kind)
            changes.append(_change(words, obs, f"state:{status}:{kind}", headline, worse=False))
    return changes


def _kinds_by_status(observations: set[Observation]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for obs in observations:
        if obs.kind == STATE:
            grouped.setdefault(obs.status, set()).add(obs.owner_kind)
    return grouped


def _steps(words: _Words, before: set[Observation], after: set[Observation]) -> list[Change]:
    old_steps = _triples(before)
    new_steps = _triples(after)
    exits_before = {source for source, _, target in old_steps if source != target}
    exits_after = {source for source, _, target in new_steps if source != target}
    changes = []
    for triple in sorted(old_steps.keys() | new_steps.keys()):
        source, event, target = triple
        was, now = old_steps.get(triple, set()), new_steps.get(triple, set())
        sample = sorted(now or was)[0]
        key = f"step:{source}:{event}:{target}"
        route = f"from {words.status(source)} to {words.status(target)}"
        if not was:
            headline = f"a case can now {words.event(event)} ({route})"
            changes.append(_change(words, sample, key, headline, worse=True))
            continue
        if not now:
            last_exit = source in exits_before and source not in exits_after
            headline = f"a case can no longer {words.event(event)} ({route})"
            if last_exit:
                headline += f": no way out of {words.status(source)} is left"
            changes.append(_change(words, sample, key, headline, worse=last_exit, side="old"))
            continue
        changes += _step_details(words, triple, was, now)
    return changes


def _triples(observations: set[Observation]) -> dict[_Triple, set[Observation]]:
    grouped: dict[_Triple, set[Observation]] = {}
    for obs in observations:
        if obs.kind == STEP:
            grouped.setdefault((obs.source, obs.event, obs.status), set()).add(obs)
    return grouped


def _step_details(
    words: _Words, triple: _Triple, was: set[Observation], now: set[Observation]
) -> list[Change]:
    """A step possible in both: meetings it can now be taken without, or no longer."""
    source, event, target = triple
    key = f"step:{source}:{event}:{target}"
    route = f"from {words.status(source)} to {words.status(target)}"
    who = f"a {words.tier(source)} case"
    skipped_before = {m for obs in was for m in obs.unmet}
    skipped_after = {m for obs in now for m in obs.unmet}
    changes = []
    for meeting in sorted(skipped_after - skipped_before):
        sample = next(obs for obs in sorted(now) if meeting in obs.unmet)
        headline = (
            f"{who} can now {words.event(event)} without the {words.meeting(meeting)} ({route})"
        )
        changes.append(_change(words, sample, f"{key}:without:{meeting}", headline, worse=True))
    for meeting in sorted(skipped_before - skipped_after):
        sample = sorted(now)[0]
        headline = (
            f"{who} can no longer {words.event(event)} without the {words.meeting(meeting)} "
            f"({route})"
        )
        changes.append(_change(words, sample, f"{key}:without:{meeting}", headline, worse=False))
    return changes
