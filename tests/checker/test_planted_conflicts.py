"""A conflict planted by construction in a random spec is always reported, naming the
element it was planted on, and it is reported as one root cause."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from strategies.specs import small_specs, to_yaml

from stepcheck import load_spec_text
from stepcheck.checker.results import Report
from stepcheck.checker.structure import check_structure
from stepcheck.checker.triage import problems


def _plain(text: str) -> dict:
    """The generated YAML as plain dicts and lists (round-tripped through JSON)."""
    return json.loads(json.dumps(YAML(typ="safe").load(text)))


def _two_limits(doc: dict, anchor: str, obligation: str) -> tuple[str, str]:
    deadlines = doc.setdefault("deadlines", {})
    for name, within in (("planted_soon", "2 working days"), ("planted_later", "5 working days")):
        deadlines[name] = {
            "within": within,
            "anchor": anchor,
            "obligation": obligation,
            "consequence": "unspecified",
        }
    return "SPEC214", "deadlines:planted_later+planted_soon"


def _cadence(doc: dict, anchor: str, _obligation: str) -> tuple[str, str]:
    doc.setdefault("meetings", {})["planted_panel"] = {"cadence": {"every": "month"}}
    first = next(iter(doc["statuses"]))
    doc["events"]["planted_decision"] = {"kind": "other", "from": first, "at": "planted_panel"}
    doc.setdefault("deadlines", {})["planted_decide"] = {
        "within": "1 working day",
        "anchor": anchor,
        "obligation": "planted_decision",
        "consequence": "unspecified",
    }
    return "SPEC213", "deadline:planted_decide"


def _dangling(doc: dict, _anchor: str, _obligation: str) -> tuple[str, str]:
    doc.setdefault("externals", {})["planted_appendix"] = {"title": "Appendix X"}
    return "SPEC216", "external:planted_appendix"


def _recorded(doc: dict, anchor: str, _obligation: str) -> tuple[str, str]:
    doc.setdefault("variables", {})["planted_fact"] = {"type": "bool", "initial": False}
    doc["events"][anchor].setdefault("effect", {})["planted_fact"] = "true"
    return "SPEC217", "variable:planted_fact"


def _two_ladders(doc: dict, anchor: str, _obligation: str) -> tuple[str, str]:
    ladders = doc.setdefault("escalations", {})
    for name, who, within in (
        ("planted_a", "head", "1 working day"),
        ("planted_b", "peer", "5 working days"),
    ):
        ladders[name] = {
            "trigger": anchor,
            "levels": [{"id": f"{name}_decides", "who": who, "within": within, "decides": True}],
            "final_authority": f"{name}_decides",
            "tie_break": "not_needed",
        }
    return "SPEC218", "escalations:planted_a+planted_b"


def _waiting_place(doc: dict) -> str:
    """A new early-help status a case steps down into from a start, and nothing else
    leads out of (steps allowed in any status are confined to the others)."""
    statuses = list(doc["statuses"])
    for event in doc["events"].values():
        if event.get("from", "any") == "any":
            event["from"] = statuses
    start = next(name for name, status in doc["statuses"].items() if status.get("initial"))
    doc["statuses"]["planted_waiting"] = {"tier": "early_help"}
    doc["events"]["planted_step_down"] = {
        "kind": "step_down",
        "from": start,
        "to": "planted_waiting",
    }
    return start


def _urgent_waits(doc: dict, _anchor: str, _obligation: str) -> tuple[str, str]:
    start = _waiting_place(doc)
    doc.setdefault("meetings", {})["planted_panel"] = {"cadence": {"every": "month"}}
    doc["events"]["planted_panel_decides"] = {
        "kind": "step_up",
        "from": "planted_waiting",
        "to": start,
        "at": "planted_panel",
    }
    return "SPEC221", "status:planted_waiting"


def _no_urgent_route(doc: dict, _anchor: str, _obligation: str) -> tuple[str, str]:
    start = _waiting_place(doc)
    doc["statuses"]["planted_next"] = {"tier": "universal"}
    doc["events"]["planted_onward"] = {
        "kind": "other",
        "from": "planted_waiting",
        "to": "planted_next",
    }
    doc["events"]["planted_back"] = {"kind": "other", "from": "planted_next", "to": start}
    return "SPEC222", "status:planted_waiting"


def _round_trip(doc: dict, _anchor: str, _obligation: str) -> tuple[str, str]:
    doc.setdefault("meetings", {})["planted_weekly"] = {"cadence": {"every": "week"}}
    doc["statuses"]["planted_queue"] = {"tier": "targeted"}
    doc["statuses"]["planted_after"] = {"tier": "targeted"}
    doc["events"]["planted_meeting_decides"] = {
        "kind": "decide",
        "from": "planted_queue",
        "to": "planted_after",
        "at": "planted_weekly",
    }
    doc["events"]["planted_back_to_meeting"] = {
        "kind": "other",
        "from": "planted_after",
        "to": "planted_queue",
    }
    return "SPEC223", "status:planted_queue"


def _out_of_order(doc: dict, _anchor: str, _obligation: str) -> tuple[str, str]:
    start = next(name for name, status in doc["statuses"].items() if status.get("initial"))
    doc["statuses"]["planted_wait"] = {"tier": "targeted"}
    doc["statuses"]["planted_ready"] = {"tier": "targeted"}
    doc["events"]["planted_start"] = {"kind": "other", "from": start, "to": "planted_wait"}
    doc["events"]["planted_send"] = {"kind": "other", "from": "planted_wait", "to": "planted_ready"}
    doc["events"]["planted_act"] = {"kind": "other", "from": "planted_ready"}
    deadlines = doc.setdefault("deadlines", {})
    for name, within, obligation in (
        ("planted_act_today", "0 working days", "planted_act"),
        ("planted_send_later", "2 working days", "planted_send"),
    ):
        deadlines[name] = {
            "within": within,
            "anchor": "planted_start",
            "obligation": obligation,
            "consequence": "unspecified",
        }
    return "SPEC224", "deadline:planted_act_today"


def _restated(doc: dict, _anchor: str, _obligation: str) -> tuple[str, str]:
    owners = doc.setdefault("owners", {})
    owners["planted_lead"] = {"kind": "allocated", "team": "t0", "name": "Lead Professional"}
    owners["planted_lead_tray"] = {"kind": "team_tray", "team": "t1", "name": "lead professional"}
    return "SPEC240", "owner:planted_lead"


PLANTS = (
    _two_limits,
    _cadence,
    _dangling,
    _recorded,
    _two_ladders,
    _urgent_waits,
    _no_urgent_route,
    _round_trip,
    _out_of_order,
    _restated,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs(), plant=st.sampled_from(PLANTS), data=st.data())
def test_a_planted_conflict_is_always_reported(text, plant, data):
    doc = _plain(text)
    events = list(doc["events"])
    anchor = data.draw(st.sampled_from(events), label="anchor")
    obligation = data.draw(st.sampled_from([e for e in events if e != anchor]), label="obligation")
    code, subject = plant(doc, anchor, obligation)
    spec = load_spec_text(to_yaml(doc), "planted.yaml")

    findings = check_structure(spec)

    planted = [f for f in findings if f.code == code and f.subject == subject]
    assert len(planted) == 1, [(f.code, f.subject) for f in findings]
    ranked = problems(Report(results=(), findings=tuple(findings)), {"planted.yaml": spec})
    owners = [p for p in ranked if planted[0] in p.findings]
    assert len(owners) == 1
