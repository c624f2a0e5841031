"""Conditional and superseded documents (`applies: conditional`, `superseded_by:`):
reading them, and the located errors for their misuse. What they mean is in
`spec/assume.py`.

A document that "applies only if the annexes are input", or an older text a newer one
replaces, changes which rules the spec holds; so each such claim must quote the words
that make it (SPEC142), a supersession must name a document of the spec (SPEC140) and
lead somewhere other than back to itself (SPEC141), and the readings the conditional
documents add to those of open tiers stay within the bound each verified (SPEC144).
"""

from __future__ import annotations

from math import prod

from stepcheck.spec.model import Document
from stepcheck.spec.reader import SpecReader
from stepcheck.spec.readings import MAX_READINGS
from stepcheck.spec.yamlread import Path

__all__ = ["check_document_readings", "check_documents", "document_condition"]


def document_condition(r: SpecReader, doc_id: str, path: Path) -> str | None:
    """The condition of a conditional document; None for one that always applies.

    `applies: conditional` and `condition:` come together (SPEC143): a condition on a
    document said to apply always, or a conditional document that does not say when it
    applies, is a mistake the checker cannot read either way."""
    applies = r.get(path, "applies")
    condition: str | None = r.get(path, "condition")
    if applies == "conditional" and condition is None:
        r.problem(
            "SPEC143",
            f"document '{doc_id}' applies only conditionally but does not say when",
            (*path, "applies"),
            "add `condition:` with the text's words, e.g. condition: 'applies only if "
            "the annexes are input'",
        )
        return "not stated"
    if condition is not None and applies != "conditional":
        r.problem(
            "SPEC143",
            f"document '{doc_id}' has a `condition` but is not marked conditional",
            (*path, "condition"),
            "add `applies: conditional`, or drop the condition",
        )
        return None
    return condition


def check_documents(r: SpecReader, documents: tuple[Document, ...]) -> None:
    """Supersessions name documents of the spec and form no cycle; every conditional or
    superseded document quotes the text that makes it so."""
    known = {document.id for document in documents}
    for document in documents:
        path: Path = ("documents", document.id)
        if document.optional and not any(source.quote for source in document.sources):
            what = "applies only conditionally" if document.conditional else "is superseded"
            r.problem(
                "SPEC142",
                f"document '{document.id}' {what} but quotes no text that says so",
                path,
                "add a source with the words, e.g. source: {doc: protocol, quote: "
                + (
                    "'the annexes only apply if input'}"
                    if document.conditional
                    else "'this protocol replaces the 2019 protocol'}"
                ),
            )
        target = document.superseded_by
        if target is not None and target not in known:
            r.problem(
                "SPEC140",
                f"document '{document.id}' is superseded by '{target}', which is not a "
                "document of this spec",
                (*path, "superseded_by"),
                f"name one of: {', '.join(sorted(known - {document.id})) or '(none)'}; "
                "add the newer document to `documents` first",
            )
    _check_cycles(r, documents, known)


def _check_cycles(r: SpecReader, documents: tuple[Document, ...], known: set[str]) -> None:
    following = {d.id: d.superseded_by for d in documents if d.superseded_by in known}
    reported: set[str] = set()
    for document in documents:
        trail = [document.id]
        step = following.get(document.id)
        while step is not None and step not in trail:
            trail.append(step)
            step = following.get(step)
        if step is None or step != document.id or reported & set(trail):
            continue
        reported.update(trail)
        said = (
            f"document '{document.id}' is superseded by itself"
            if len(trail) == 1
            else f"documents supersede each other in a cycle: {' -> '.join([*trail, step])}"
        )
        r.problem(
            "SPEC141",
            said,
            ("documents", document.id, "superseded_by"),
            "a document cannot (even through others) replace itself; keep the "
            "newest document free of `superseded_by`",
        )


def check_document_readings(
    r: SpecReader, documents: tuple[Document, ...], tier_readings: int
) -> None:
    """Each conditional document doubles the readings verified; they stay bounded."""
    conditional = [document for document in documents if document.conditional]
    count = tier_readings * prod(2 for _ in conditional)
    if not conditional or count <= MAX_READINGS:
        return
    r.problem(
        "SPEC144",
        f"the conditional documents {', '.join(repr(d.id) for d in conditional)} (with "
        f"the open tiers) give {count} readings, more than the {MAX_READINGS} that are "
        "each verified",
        ("documents", conditional[-1].id, "applies"),
        "fix some of them with `verify --assume DOC=present` instead, or close open tiers",
    )
