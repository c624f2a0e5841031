"""The rules of stepcheck's SARIF log: one per property checked and one per finding check.

A code-scanning tool groups alerts by `ruleId` and shows the rule's help beside each
alert, so a rule is a question a reviewer recognises: one per property (its id, with the
help of its kind and the author's description), one per catalogue finding code, and
one per loader code for a spec that could not be loaded. Help comes as text and as
Markdown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from stepcheck.checker.results import PropertyResult, Report
from stepcheck.spec.model import PropertyKind, ProtocolSpec

__all__ = ["rules"]

Json = dict[str, Any]

PROPERTY_HELP: Final = {
    PropertyKind.ESCALATION_TERMINATES: (
        "every dispute ends with a final decision",
        "Every escalation ladder (or those named) reaches a final decision in a bounded "
        "number of steps and working days; the result states the bound.",
    ),
    PropertyKind.NO_UNOWNED_CASE: (
        "someone is always responsible for an open case",
        "In every reachable state, a case that is not in a final status is held by an "
        "owner someone answers for (not 'none', 'unspecified', a meeting queue or a "
        "system tray).",
    ),
    PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING: (
        "stepping down from child protection needs a meeting first",
        "Every event that takes a case out of the protected tiers (default: child "
        "protection) to a lower tier happens only after one of the named meetings has "
        "been held since the case entered its tier.",
    ),
    PropertyKind.REQUIRES_MEETING: (
        "every move of the named kinds goes through one of the named meetings",
        "Every event of the named kinds (from the named tiers, when given) happens at one "
        "of the named meetings, or after one of them has been held since the case "
        "entered its tier.",
    ),
    PropertyKind.INVARIANT: (
        "a stated condition always holds",
        "The property's 'holds' expression is true in every reachable state.",
    ),
    PropertyKind.LEADS_TO: (
        "a case in one situation always reaches another",
        "Whenever 'from' holds, 'to' holds later: within the stated time if one is given, "
        "otherwise eventually.",
    ),
}
FINDING_HELP: Final = {
    "SPEC202": "a status cannot be reached from any initial status",
    "SPEC203": "a status is a dead end: no event leads out of it",
    "SPEC204": "an event can never happen: none of its statuses can be reached",
    "SPEC205": "from a status, no final status can be reached",
    "SPEC206": "a holding status (tray, waiting list) has no deadline bounding the wait",
    "SPEC207": "a deadline has no stated consequence when missed",
    "SPEC208": "a deadline has no duration",
    "SPEC209": "an escalation depends on an external document",
    "SPEC210": "an escalation has no final authority",
    "SPEC211": "an escalation ends with several peers and no tie-break",
    "SPEC212": "a duration says bare 'days' (working or calendar not stated)",
    "SPEC213": "a deadline is met only at a meeting that may not sit in time",
    "SPEC214": "two limits on one milestone differ",
    "SPEC215": "a minimum wait as long as the limit: a window of zero width",
    "SPEC216": "the protocol refers to a document no rule of the spec depends on",
    "SPEC217": "a fact is recorded but no rule depends on it",
    "SPEC218": "one trigger starts two escalation ladders that differ",
    "SPEC219": "a deadline never starts: its starting point never happens",
    "SPEC220": "a step waits for a fact that only it, a later step, or no step sets",
    "SPEC221": "an urgent case waits for a weekly, fortnightly or monthly meeting",
    "SPEC222": "a status below statutory services has no urgent route out",
    "SPEC223": "a meeting can send a case back to itself with no limit on how many times",
    "SPEC224": "a deadline can fall due before the step it depends on is due",
    "SPEC225": "a step-down needs a meeting, but the document names none",
    "SPEC226": "a meeting decides, but nothing says who chairs it or how it decides",
    "SPEC227": "a rule depends on a term the document never defines",
    "SPEC228": "the document admits a route but does not say where it leads or when",
    "SPEC232": "the document leaves a status's tier open, so rules that turn on it may differ",
    "SPEC240": "one owner, role or word is stated twice and mapped differently each time",
    "SPEC242": "a precedence never applies: its route and the steps it pre-empts share no status",
    "SPEC243": "a precedence lapses on the days its route waits for a meeting or a minimum wait",
    "SPEC250": "a document applies only conditionally: its rules are checked with it and without",
    "SPEC251": "a superseded document's rules are left out",
    "SPEC252": "a document is marked conditional or superseded, but no rule depends on it alone",
    "SPEC253": "a document was assumed present or absent for this run",
}


def rules(report: Report, specs: Mapping[str, ProtocolSpec]) -> list[Json]:
    """Every rule a result of `report` refers to, sorted by id within its group:
    properties, then findings, then the codes of specs that could not be loaded."""
    first: dict[str, PropertyResult] = {}
    for result in sorted(report.results, key=lambda r: (r.property, r.authority)):
        first.setdefault(result.property, result)
    found = [_property_rule(result, specs) for _, result in sorted(first.items())]
    found += [_finding_rule(code) for code in sorted({f.code for f in report.findings})]
    found += [_input_rule(code) for code in sorted({d.code for d in report.inputs})]
    return found


def _property_rule(result: PropertyResult, specs: Mapping[str, ProtocolSpec]) -> Json:
    short, full = PROPERTY_HELP[result.kind]
    described = _descriptions(result.property, specs.values())
    text = f"{full} A violation comes with a dated case story (the code flow) and the command "
    text += "that reproduces it; an unknown result is not a pass."
    markdown = [f"**{short}** (`{result.kind.value}`)", "", full]
    for authority, description in described:
        markdown += ["", f"*{authority}*: {description}"]
    markdown += [
        "",
        "A violation comes with a dated case story, working day by working day (the code "
        "flow), the rules it involves, and the command that reproduces it. An *unknown* "
        "result is not a pass: it names the limit that stopped the proof.",
    ]
    return {
        "id": result.property,
        "name": result.kind.value,
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": text, "markdown": "\n".join(markdown)},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["stepcheck", "property", result.kind.value]},
    }


def _descriptions(prop: str, specs: Iterable[ProtocolSpec]) -> list[tuple[str, str]]:
    """Each authority's own description of property `prop`, where it gives one."""
    found = []
    for spec in sorted(specs, key=lambda s: s.authority.id):
        for candidate in spec.properties:
            if candidate.id == prop and candidate.description:
                found.append((spec.authority.name, " ".join(candidate.description.split())))
    return found


def _finding_rule(code: str) -> Json:
    short = FINDING_HELP.get(code, "a finding about the spec")
    return {
        "id": code,
        "name": f"finding-{code}",
        "shortDescription": {"text": short},
        "help": {
            "text": f"{short}. Each result names the element and gives a hint.",
            "markdown": f"**{short}.**\n\nEach result names the element of the spec it is "
            "about, quotes the rule it cites and gives a hint on what the document should say.",
        },
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["stepcheck", "finding"]},
    }


def _input_rule(code: str) -> Json:
    short = "the spec could not be loaded"
    return {
        "id": code,
        "name": f"invalid-spec-{code}",
        "shortDescription": {"text": short},
        "help": {
            "text": f"{short}: nothing in it was checked until this is fixed.",
            "markdown": f"**{short}**: nothing in it was checked until this is fixed. Run "
            "`stepcheck validate FILE` to see every problem with the line and a caret.",
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["stepcheck", "invalid-spec"]},
    }
