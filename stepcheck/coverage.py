"""`stepcheck coverage`: which inventory rules each spec encodes, leaves out, or misses.

Every rule of a document a spec encodes must be accounted for: cited by some
element's `source`, or listed under `out_of_scope` with a reason. The rule inventory is
the project's seed digest (`spec/digest/rules.json`) unless the user gives their own
(`stepcheck/digest.py`). A document with no rules in the inventory is *not checked*,
never complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence

from attrs import frozen

from stepcheck.digest import Rule, prefix_of, shipped_inventory
from stepcheck.spec.model import ProtocolSpec

__all__ = [
    "DocumentCoverage",
    "Rule",
    "checked",
    "coverage_of",
    "inventory",
    "render_json",
    "render_markdown",
    "render_text",
    "uncovered_documents",
]


@frozen(kw_only=True)
class DocumentCoverage:
    """How one spec accounts for the rules of one of its documents."""

    spec: str
    authority: str
    document: str
    prefix: str
    encoded: tuple[str, ...]
    out_of_scope: tuple[str, ...]
    missing: tuple[str, ...]
    unknown: tuple[str, ...]
    both: tuple[str, ...]
    in_digest: bool = True

    @property
    def complete(self) -> bool:
        """Checked against an inventory, every rule accounted for, and no citation of a
        rule the inventory does not have."""
        return self.in_digest and not (self.missing or self.unknown)

    @property
    def total(self) -> int:
        return len(self.encoded) + len(self.out_of_scope) + len(self.missing)


def inventory() -> dict[str, Rule]:
    """The shipped seed digest's rules by id, in digest order."""
    return shipped_inventory()


def coverage_of(
    specs: Iterable[ProtocolSpec], rules: Mapping[str, Rule] | None = None
) -> list[DocumentCoverage]:
    """Per spec and per document with a rule prefix, the rules encoded, skipped and
    missing, against `rules` (default: the shipped digest). A document the inventory has
    no rules for, or a spec with no document that has a rule prefix, is a row that is
    not checked: never "complete"."""
    rules = rules if rules is not None else inventory()
    found = []
    for spec in specs:
        cited = spec.cited_rules
        skipped = {item.rule for item in spec.out_of_scope}
        prefixed = [document for document in spec.documents if document.rule_prefix]
        if not prefixed:
            found.append(_unchecked(spec))
        for document in prefixed:
            prefix = document.rule_prefix
            assert prefix is not None
            known = [rule_id for rule_id in rules if prefix_of(rule_id) == prefix]
            mine = {rule_id for rule_id in cited | skipped if prefix_of(rule_id) == prefix}
            found.append(
                DocumentCoverage(
                    spec=spec.path,
                    authority=spec.authority.id,
                    document=document.id,
                    prefix=prefix,
                    encoded=_ordered(cited, known),
                    out_of_scope=_ordered(skipped - cited, known),
                    missing=tuple(r for r in known if r not in cited and r not in skipped),
                    unknown=tuple(sorted(mine - set(known))) if known else (),
                    both=_ordered(cited & skipped, known),
                    in_digest=bool(known),
                )
            )
    return found


def _unchecked(spec: ProtocolSpec) -> DocumentCoverage:
    """A spec none of whose documents has a rule prefix: nothing can be checked."""
    return DocumentCoverage(
        spec=spec.path,
        authority=spec.authority.id,
        document="-",
        prefix="-",
        encoded=(),
        out_of_scope=(),
        missing=(),
        unknown=(),
        both=(),
        in_digest=False,
    )


def checked(report: Sequence[DocumentCoverage]) -> bool:
    """Whether every document reported had rules to check against."""
    return bool(report) and all(row.in_digest for row in report)


def _ordered(chosen: set[str] | frozenset[str], order: Sequence[str]) -> tuple[str, ...]:
    return tuple(rule_id for rule_id in order if rule_id in chosen)


def render_text(
    report: Sequence[DocumentCoverage],
    *,
    details: bool = False,
    rules: Mapping[str, Rule] | None = None,
) -> str:
    """A table a reviewer reads, then the missing and unknown ids in full."""
    lines = [
        f"{'authority':<16} {'document':<9} {'rules':>5} {'encoded':>7} {'out of scope':>12} "
        f"{'missing':>7}"
    ]
    for row in report:
        lines.append(
            f"{row.authority:<16} {row.document:<9} {row.total:>5} {len(row.encoded):>7} "
            f"{len(row.out_of_scope):>12} {len(row.missing):>7}"
        )
    for row in report:
        lines.extend(_problems(row))
        if details:
            lines.append(f"{row.authority}/{row.document} encoded: {', '.join(row.encoded) or '-'}")
            lines.append(
                f"{row.authority}/{row.document} out of scope: {', '.join(row.out_of_scope) or '-'}"
            )
    lines.extend(_uncovered(report, rules))
    total = sum(row.total for row in report)
    accounted = sum(len(row.encoded) + len(row.out_of_scope) for row in report)
    if not checked(report):
        verdict = "NOT CHECKED (no rule inventory for some documents; give one with --digest)"
    elif all(row.complete for row in report):
        verdict = "complete"
    else:
        verdict = "INCOMPLETE"
    lines.append(f"{accounted} of {total} digest rules accounted for: {verdict}")
    return "\n".join(lines) + "\n"


def render_markdown(
    report: Sequence[DocumentCoverage], rules: Mapping[str, Rule] | None = None
) -> str:
    """The same table as GitHub markdown."""
    lines = [
        "| authority | document | rules | encoded | out of scope | missing |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in report:
        lines.append(
            f"| {row.authority} | {row.document} ({row.prefix}) | {row.total} | "
            f"{len(row.encoded)} | {len(row.out_of_scope)} | {len(row.missing)} |"
        )
    problems = [line for row in report for line in _problems(row)] + _uncovered(report, rules)
    return "\n".join(lines + ([""] + [f"- {p}" for p in problems] if problems else [])) + "\n"


def render_json(report: Sequence[DocumentCoverage], rules: Mapping[str, Rule] | None = None) -> str:
    """The whole report as JSON for CI."""
    payload = {
        "format_version": 1,
        "complete": checked(report) and all(row.complete for row in report),
        "checked": checked(report),
        "not_encoded": uncovered_documents(report, rules),
        "documents": [
            {
                "spec": row.spec,
                "authority": row.authority,
                "document": row.document,
                "rule_prefix": row.prefix,
                "encoded": list(row.encoded),
                "out_of_scope": list(row.out_of_scope),
                "missing": list(row.missing),
                "unknown": list(row.unknown),
                "cited_and_out_of_scope": list(row.both),
            }
            for row in report
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def uncovered_documents(
    report: Sequence[DocumentCoverage], rules: Mapping[str, Rule] | None = None
) -> dict[str, int]:
    """Inventory documents (by rule prefix) that none of the reported specs encodes."""
    covered = {row.prefix for row in report}
    counts: dict[str, int] = {}
    for rule_id in rules if rules is not None else inventory():
        prefix = rule_id.split("-")[0]
        if prefix not in covered:
            counts[prefix] = counts.get(prefix, 0) + 1
    return counts


def _uncovered(
    report: Sequence[DocumentCoverage], rules: Mapping[str, Rule] | None = None
) -> list[str]:
    return [
        f"not encoded by these specs: {prefix} ({count} rules)"
        for prefix, count in uncovered_documents(report, rules).items()
    ]


def _problems(row: DocumentCoverage) -> list[str]:
    where = f"{row.authority}/{row.document}"
    lines = []
    if not row.in_digest and row.prefix == "-":
        lines.append(f"{where}: no document has a rule_prefix, so no rule can be checked")
    elif not row.in_digest:
        lines.append(
            f"{where}: the rule inventory has no rules with prefix {row.prefix}; not checked "
            "(give the document's rules with --digest FILE)"
        )
    if row.missing:
        lines.append(f"{where}: missing (neither cited nor out of scope): {', '.join(row.missing)}")
    if row.unknown:
        lines.append(f"{where}: cited but not in the digest: {', '.join(row.unknown)}")
    if row.both:
        lines.append(
            f"{where}: cited and also declared out of scope (keep one): {', '.join(row.both)}"
        )
    return lines
