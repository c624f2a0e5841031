"""A name stated twice, differently: one place, role or word mapped to two meanings.

SPEC240. A protocol that names the same thing twice and maps it differently each time
leaves a reader to guess which mapping applies ("allocated to the Lead Professional"
in one section, "the lead practitioner" with another team in the next). Three kinds of
double mapping are read from the spec, never from what the engines decide:

- owners with the same name (ignoring case, spaces and punctuation) but a different
  kind or team: the document puts one place of a case in two teams, or makes it a
  named worker in one place and a tray in another;
- roles with the same name in different teams;
- a glossary name (a term or one of its aliases) that two terms claim: one word,
  two concepts.

Each finding quotes both statements. Two elements that agree (the same kind and team)
are not a finding: saying a thing twice the same way is only repetition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Final, Protocol, TypeVar

from stepcheck.checker.structure_common import finding
from stepcheck.spec.diagnostics import Diagnostic, SourceSpan
from stepcheck.spec.model import OwnerKind, ProtocolSpec, Source

__all__ = ["check_restated"]

_KIND_WORDS: Final = {
    OwnerKind.ALLOCATED: "a named worker",
    OwnerKind.TEAM_TRAY: "a team tray",
    OwnerKind.WAITING_LIST: "a waiting list",
    OwnerKind.MEETING_QUEUE: "a meeting's queue",
    OwnerKind.SYSTEM_TRAY: "a system tray",
    OwnerKind.EXTERNAL: "an outside body",
    OwnerKind.NONE: "nobody",
    OwnerKind.UNSPECIFIED: "an unnamed owner",
}


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def sources(self) -> tuple[Source, ...]: ...

    @property
    def span(self) -> SourceSpan: ...


_T = TypeVar("_T", bound=_Named)


def check_restated(spec: ProtocolSpec) -> list[Diagnostic]:
    """Every name the spec maps twice, differently."""
    return [
        *_clashes(
            "owner",
            [owner for owner in spec.owners if owner.name],
            lambda owner: str(owner.name),
            lambda owner: (
                _KIND_WORDS[owner.kind]
                + (f" of team '{owner.team}'" if owner.team else " in no team")
            ),
        ),
        *_clashes(
            "role",
            list(spec.roles),
            lambda role: role.name,
            lambda role: f"in team '{role.team}'" if role.team else "in no team",
        ),
        *_glossary(spec),
    ]


def _key(name: str) -> str:
    """A name as a reader matches it: case, spaces and punctuation ignored."""
    return re.sub(r"[\W_]+", " ", name).strip().casefold()


def _clashes(
    kind: str,
    items: Sequence[_T],
    name_of: Callable[[_T], str],
    meaning_of: Callable[[_T], str],
) -> Iterable[Diagnostic]:
    by_name: dict[str, list[_T]] = {}
    for item in items:
        by_name.setdefault(_key(name_of(item)), []).append(item)
    for group in by_name.values():
        meanings = {meaning_of(item) for item in group}
        if len(meanings) < 2:
            continue
        first, *others = group
        said = "; ".join(f"'{item.id}' is {meaning_of(item)}" for item in group)
        yield finding(
            "SPEC240",
            f"{kind} '{name_of(first)}' is stated {len(group)} times, differently: {said}",
            first.span,
            first.sources,
            "say which one the protocol means, or give the two different names",
            subject=f"{kind}:{first.id}",
            against=tuple(source for item in others for source in item.sources),
        )


def _glossary(spec: ProtocolSpec) -> Iterable[Diagnostic]:
    claims: dict[str, list[str]] = {}
    for term in spec.glossary:
        for name in dict.fromkeys(_key(n) for n in (term.term, *term.aliases)):
            claims.setdefault(name, []).append(term.id)
    for name, term_ids in sorted(claims.items()):
        if len(term_ids) < 2:
            continue
        terms = [term for term in spec.glossary if term.id in term_ids]
        first, *others = terms
        listed = " and ".join(f"'{term.term}'" for term in terms)
        yield finding(
            "SPEC240",
            f"the name '{name}' stands for {len(terms)} different terms: {listed}",
            first.span,
            first.sources,
            "one name should mean one thing: say which term it is, or define how they differ",
            subject=f"term:{first.id}",
            against=tuple(source for term in others for source in term.sources),
        )
