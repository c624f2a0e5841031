"""Ids as words a reviewer reads: `urgent_marf_in_mash` -> 'Urgent MARF in MASH'.

Statuses, events and ladders have no name but their id; sentences, stories and the
problems to raise first say them in words, with a word in capitals where the spec's
own names and quotes write it so. Solver-free and light, so any writer can use it.
"""

from __future__ import annotations

import re

from stepcheck.spec.model import ProtocolSpec

__all__ = ["words_of"]


def words_of(spec: ProtocolSpec, ident: str, *, capital: bool = True) -> str:
    """Any id of the spec as words, for sentences a reviewer reads: statuses, events and
    ladders have no other name ('urgent_marf_in_mash' -> 'Urgent MARF in MASH')."""
    words = ident.replace("-", "_").split("_")
    shouted = _shouted_words(spec)
    named = [
        word.upper() if word.upper() in shouted or _NUMBERED.fullmatch(word) else word
        for word in words
        if word
    ]
    text = " ".join(named) or ident
    return text[0].upper() + text[1:] if capital else text


_NUMBERED = re.compile(r"[a-z]\d+")
"""A letter and a number, as in 'l4' (level 4): written in capitals, 'L4'."""


def _shouted_words(spec: ProtocolSpec) -> frozenset[str]:
    """`_spoken_in_capitals(spec)`, worked out once per spec: a writer asks for every id
    of every finding, and a spec with 200 deadlines has 19,201 findings (91 s of a
    report's time went here before)."""
    kept = _SHOUTED_BY_SPEC.get(id(spec))
    if kept is None or kept[0] is not spec:
        if len(_SHOUTED_BY_SPEC) >= _KEEP:
            _SHOUTED_BY_SPEC.clear()
        kept = (spec, _spoken_in_capitals(spec))
        _SHOUTED_BY_SPEC[id(spec)] = kept
    return kept[1]


_KEEP = 16
"""Specs remembered at once (a run holds a few; the spec is kept, so its id is not reused)."""
_SHOUTED_BY_SPEC: dict[int, tuple[ProtocolSpec, frozenset[str]]] = {}


def _spoken_in_capitals(spec: ProtocolSpec) -> frozenset[str]:
    """The words the spec writes only in capitals (CP, TAM, MASH): in capitals in some name
    or quote, and never in lower case in a name, quote or description (documents shout
    ordinary words: "EARLY HELP", "RISK"). The tiers' short names count too."""
    texts = [spec.authority.name]
    named: tuple[object, ...] = (*spec.statuses, *spec.owners, *spec.meetings, *spec.teams)
    texts += [str(getattr(item, "name", None) or "") for item in (*named, *spec.roles)]
    described: tuple[object, ...] = (
        *spec.statuses,
        *spec.events,
        *spec.deadlines,
        *spec.meetings,
        *spec.properties,
    )
    for item in described:
        texts.append(str(getattr(item, "description", None) or ""))
        texts += [source.quote or "" for source in getattr(item, "sources", ())]
    text = " ".join(texts)
    shouted = set(_SHOUTED.findall(text))
    spoken = {word.upper() for word in _WORD.findall(text) if not word.isupper()}
    return frozenset(shouted - spoken) | _TIER_INITIALISMS


_TIER_INITIALISMS = frozenset({"CP", "CIN", "CLA"})
"""Child protection, child in need, child looked after: always initialisms."""
_SHOUTED = re.compile(r"\b[A-Z][A-Z&]{1,7}\b")
_WORD = re.compile(r"\b[A-Za-z][a-z&]+\b")
