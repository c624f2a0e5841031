"""Precedence rules and documents added, removed or changed between two versions of a spec.

A precedence rule (`precedence:`) changes what every engine lets happen, so a reviewer
must see it change even when no verdict does. Rules are matched by id and compared on
what they mean: the routes that go first, the steps that give way, and how binding the
rule is; never the wording or the order of the lists. Worse: a rule removed, a step
that no longer gives way, a route that no longer goes first, a must weakened.

Documents are compared on whether their rules apply: a document that became
conditional or superseded (its rules now apply only sometimes, or not by default) is
worse; one that now always applies is not.
"""

from __future__ import annotations

from collections.abc import Iterator

from stepcheck.checker.diff_model import Area, Change
from stepcheck.checker.words import words_of
from stepcheck.spec.model import Document, Modality, Precedence, ProtocolSpec

__all__ = ["document_changes", "precedence_changes"]

_STRENGTH = {Modality.MUST: 2, Modality.SHOULD: 1, Modality.MAY: 0}


def precedence_changes(old: ProtocolSpec, new: ProtocolSpec) -> Iterator[Change]:
    """Every precedence rule added, removed or changed, by id."""
    before = {rule.id: rule for rule in old.precedence}
    after = {rule.id: rule for rule in new.precedence}
    authority = new.authority.id
    for ident in sorted(before.keys() | after.keys()):
        was, now = before.get(ident), after.get(ident)
        if now is None and was is not None:
            yield _change(
                authority,
                was,
                f"precedence '{ident}' was removed: {_names(old, was.route)} no longer "
                f"{_goes(was.route)} before {_names(old, was.over)}",
                worse=True,
                old=_said(old, was),
                new=None,
                side="old",
            )
        elif was is None and now is not None:
            yield _change(
                authority,
                now,
                f"precedence '{ident}' was added: {_said(new, now)}",
                worse=False,
                old=None,
                new=_said(new, now),
            )
        elif was is not None and now is not None:
            yield from _changed(old, new, was, now)


def _changed(
    old: ProtocolSpec, new: ProtocolSpec, was: Precedence, now: Precedence
) -> Iterator[Change]:
    authority = new.authority.id
    same_route = set(was.route) == set(now.route)
    same_over = set(was.over) == set(now.over)
    if not (same_route and same_over):
        lost = [e for e in was.over if e not in now.over]
        dropped = [e for e in was.route if e not in now.route]
        words = []
        if dropped:
            words.append(f"{_names(old, dropped)} no longer {_goes(dropped)} first")
        if lost:
            words.append(f"{_names(old, lost)} no longer {_gives(lost)} way")
        gained = [e for e in now.over if e not in was.over]
        added = [e for e in now.route if e not in was.route]
        if added:
            words.append(f"{_names(new, added)} now {_goes(added)} first")
        if gained:
            words.append(f"{_names(new, gained)} now {_gives(gained)} way")
        yield _change(
            authority,
            now,
            f"precedence '{now.id}' changed: {'; '.join(words)}",
            worse=bool(lost or dropped),
            old=_said(old, was),
            new=_said(new, now),
        )
    if was.modality is not now.modality:
        weaker = _STRENGTH[now.modality] < _STRENGTH[was.modality]
        yield _change(
            authority,
            now,
            f"precedence '{now.id}' is now {now.modality.value} (was {was.modality.value})",
            worse=weaker,
            old=was.modality.value,
            new=now.modality.value,
            key=f"precedence:{now.id}:modality",
        )


def document_changes(old: ProtocolSpec, new: ProtocolSpec) -> Iterator[Change]:
    """Each document whose rules now apply differently: made conditional or superseded,
    or no longer so (a document added or removed shows in its rules' changes)."""
    before = {document.id: document for document in old.documents}
    for now in new.documents:
        was = before.get(now.id)
        if was is None or _applies(was) == _applies(now):
            continue
        yield Change(
            area=Area.ELEMENT,
            authority=new.authority.id,
            headline=f"document '{now.id}' now {_applies(now)} (was: {_applies(was)})",
            worse=now.optional and _applies(now) != "always applies",
            key=f"document:{now.id}",
            old=_applies(was),
            new=_applies(now),
            quote=next((s.quote for s in now.sources if s.quote), None),
            span=now.span,
        )


def _applies(document: Document) -> str:
    if document.superseded_by is not None:
        return f"is superseded by '{document.superseded_by}'"
    if document.condition is not None:
        return f'applies only conditionally ("{document.condition}")'
    return "always applies"


def _change(
    authority: str,
    rule: Precedence,
    headline: str,
    *,
    worse: bool,
    old: str | None,
    new: str | None,
    side: str = "new",
    key: str | None = None,
) -> Change:
    return Change(
        area=Area.ELEMENT,
        authority=authority,
        headline=headline,
        worse=worse,
        key=key or f"precedence:{rule.id}",
        old=old,
        new=new,
        rules=tuple(dict.fromkeys(s.rule for s in rule.sources if s.rule)),
        quote=next((s.quote for s in rule.sources if s.quote), None),
        span=rule.span,
        side=side,
    )


def _said(spec: ProtocolSpec, rule: Precedence) -> str:
    """ "'Urgent step up' goes before 'Step down' and 'Request step up' (must)"."""
    return (
        f"{_names(spec, rule.route)} {_goes(rule.route)} before {_names(spec, rule.over)} "
        f"({rule.modality.value})"
    )


def _names(spec: ProtocolSpec, ids: tuple[str, ...] | list[str]) -> str:
    named = [f"'{words_of(spec, ident)}'" for ident in sorted(ids)]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def _goes(ids: tuple[str, ...] | list[str]) -> str:
    return "goes" if len(ids) == 1 else "go"


def _gives(ids: tuple[str, ...] | list[str]) -> str:
    return "gives" if len(ids) == 1 else "give"
