"""Hypothesis strategies for small, valid, random specs, as YAML text.

Shared by the explorer's tests and the cross-checks between the explorer and the Z3
engines. Every spec drawn here loads (`tests/checker/test_explore.py` checks it), and
its finite model stays small: at most one periodic meeting, short timers, few
variables, so hundreds of examples explore in seconds.

Ids are fixed per kind (`s0`.. statuses, `e0`.. events, `o0`.. owners, `m0` `m1`
meetings, `d0` `d1` deadlines, `x0` the escalation, `r0` the re-referral rule, `p0` the
precedence rule), so
a shrunk failing example reads easily.
"""

import json
import re

from hypothesis import strategies as st

__all__ = ["MISSION_PROPERTIES", "small_specs", "to_yaml"]

MISSION_PROPERTIES = ("escalation_terminates", "no_unowned_case", "cp_step_down_requires_meeting")

TIERS = ("closed", "universal", "early_help", "targeted", "assessment", "cin", "cp", "cla")
OWNER_KINDS = (
    "allocated",
    "team_tray",
    "waiting_list",
    "system_tray",
    "external",
    "meeting_queue",
)
CADENCES = (
    "on_demand",
    "unspecified",
    {"every": "week", "day": "wednesday"},
    "weekly",
)
DURATIONS = ("0 working days", "1 working day", "2 working days", "3 working days", "24 hours")
LONG_DURATIONS = ("1 week",)
MODALITIES = ("must", "should", "may")
ROLES = ("head", "peer")


# -- writing YAML ---------------------------------------------------------------------


_PLAIN = re.compile(r"[a-z][a-z0-9_]*( [a-z0-9_]+)*")
_YAML_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def to_yaml(document):
    """Block-style YAML for nested dicts: ids plain, other strings double-quoted
    (a JSON string is a YAML double-quoted scalar)."""
    return "\n".join(_lines(document, 0)) + "\n"


def _lines(mapping, indent):
    pad = "  " * indent
    lines = []
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{key}:")
            lines += _lines(value, indent + 1)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{pad}{key}:")
            for entry in value:
                first, *rest = _lines(entry, indent + 2)
                lines.append(f"{pad}  - {first.lstrip()}")
                lines += rest
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


def _scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if _PLAIN.fullmatch(value) and value not in _YAML_WORDS:
        return value
    return json.dumps(value)


# -- the spec's parts -----------------------------------------------------------------


@st.composite
def small_specs(draw, *, max_statuses=5, unsaid=False):
    """YAML text of a small valid spec with the three mission properties and maybe more.

    With `unsaid`, also what the text does not say: maybe one status whose tier is left
    open (two or three tiers, so its readings stay few) and maybe routes admitted but
    not defined (`to: unspecified`, `guard: unspecified`); callers must then give the
    engines one reading at a time (`spec.readings.tier_readings`)."""
    meetings = draw(_meetings())
    owners = draw(_owners(list(meetings)))
    statuses = draw(_statuses(max_statuses, [*owners, "none", "unspecified"]))
    if unsaid:
        draw(_open_tier(statuses))
    variables = draw(_variables())
    scope = _Scope(
        statuses=list(statuses),
        owners=list(owners),
        meetings=list(meetings),
        variables=variables,
    )
    events = draw(_events(scope))
    scope.events, scope.event_specs = list(events), events
    deadlines = draw(st.lists(_deadline(scope), max_size=2))
    scope.deadlines = [f"d{i}" for i in range(len(deadlines))]
    scope.deadline_specs = deadlines
    escalations = draw(st.lists(_escalation(scope), max_size=1))
    scope.escalations = ["x0"] if escalations else []
    rereferrals = draw(st.lists(_rereferral(scope), max_size=1))
    scope.rereferrals = ["r0"] if rereferrals else []
    precedence = draw(st.lists(_precedence(scope), max_size=1))
    if unsaid:
        # after the deadlines, ladders and precedence: nothing may hang on an undefined route
        events = {**events, **draw(_undefined_routes(scope))}
    document = {
        "stepcheck": 1,
        "authority": {"id": "randomvale", "name": "Randomvale (generated)"},
        "documents": {"doc": {"title": "Generated protocol"}},
        "teams": {"t0": {"name": "Team"}, "t1": {"name": "Other team"}},
        "roles": {role: {"name": role.title()} for role in ROLES},
        "externals": {"ext0": {"title": "Escalation protocol"}},
        "owners": owners,
        "meetings": meetings,
        "statuses": statuses,
        "variables": {name: spec for name, (spec, _) in variables.items()},
        "events": events,
        "deadlines": {f"d{i}": deadline for i, deadline in enumerate(deadlines)},
        "escalations": {"x0": escalations[0]} if escalations else {},
        "rereferrals": {"r0": rereferrals[0]} if rereferrals else {},
        "precedence": {"p0": precedence[0]} if precedence else {},
        "properties": draw(_properties(scope)),
    }
    return to_yaml({key: value for key, value in document.items() if value != {}})


class _Scope:
    """The ids drawn so far, for later parts to refer to."""

    def __init__(self, *, statuses, owners, meetings, variables):
        self.statuses, self.owners, self.meetings = statuses, owners, meetings
        self.variables = variables
        self.events, self.deadlines, self.escalations, self.rereferrals = [], [], [], []
        self.event_specs, self.deadline_specs = {}, []


def _meetings():
    cadences = st.lists(st.sampled_from(CADENCES), min_size=1, max_size=2)
    return cadences.map(_periodic_first_only)


def _periodic_first_only(cadences):
    """Keep at most one periodic meeting: each multiplies the states by its period."""
    meetings, periodic = {}, False
    for index, drawn in enumerate(cadences):
        is_periodic = drawn not in CADENCES[:2]
        meetings[f"m{index}"] = {"cadence": "on_demand" if is_periodic and periodic else drawn}
        periodic = periodic or is_periodic
    return meetings


@st.composite
def _owners(draw, meetings):
    kinds = draw(st.lists(st.sampled_from(OWNER_KINDS), min_size=1, max_size=3))
    owners = {}
    for index, kind in enumerate(kinds):
        owner = {"kind": kind}
        if kind in ("allocated", "team_tray", "waiting_list"):
            owner["team"] = draw(st.sampled_from(["t0", "t1"]))
        if kind == "meeting_queue":
            owner["meeting"] = draw(st.sampled_from(meetings))
        if draw(st.integers(0, 5)) == 0:
            owner["responsible"] = draw(st.booleans())
        owners[f"o{index}"] = owner
    return owners


@st.composite
def _statuses(draw, max_statuses, owner_ids):
    count = draw(st.integers(2, max_statuses))
    statuses = {}
    for index in range(count):
        status = {"tier": draw(st.sampled_from(TIERS))}
        if index == 0:
            status["owner"] = draw(st.sampled_from(owner_ids[:-2]))
        elif draw(st.integers(0, 3)) > 0:
            status["owner"] = draw(st.sampled_from(owner_ids))
        if index == 0 or draw(st.integers(0, 4)) == 0:
            status["initial"] = True
        if index == count - 1 and draw(st.booleans()):
            status["final"] = True
        if draw(st.integers(0, 3)) == 0:
            status["holding"] = True
        statuses[f"s{index}"] = status
    return statuses


@st.composite
def _open_tier(draw, statuses):
    """Maybe leave one status's tier open among two or three tiers, quoting the text."""
    if draw(st.integers(0, 3)) > 0:
        return
    status = statuses[draw(st.sampled_from(sorted(statuses)))]
    status["tier"] = draw(st.lists(st.sampled_from(TIERS), min_size=2, max_size=3, unique=True))
    status["source"] = {"doc": "doc", "quote": "a targeted or specialist service"}


@st.composite
def _undefined_routes(draw, scope):
    """Up to two routes the document admits without saying where they lead or when."""
    routes = {}
    for index in range(draw(st.integers(0, 2))):
        route = {"kind": draw(st.sampled_from(["other", "step_down"]))}
        if draw(st.integers(0, 4)) == 0:
            route["from"] = "any"
        else:
            route["from"] = [draw(st.sampled_from(scope.statuses))]
        missing = draw(st.sampled_from([("to",), ("guard",), ("to", "guard")]))
        route["to"] = "unspecified" if "to" in missing else draw(st.sampled_from(scope.statuses))
        if "guard" in missing:
            route["guard"] = "unspecified"
        routes[f"u{index}"] = route
    return routes


@st.composite
def _variables(draw):
    """Up to two of: a flag, a counter, a choice; each with its YAML and kind."""
    found = {}
    if draw(st.booleans()):
        found["flag"] = ({"type": "bool", "initial": draw(st.booleans())}, "bool")
    if draw(st.integers(0, 2)) == 0:
        top = draw(st.integers(1, 2))
        found["count"] = ({"type": "int", "min": 0, "max": top, "initial": 0}, "int")
    if draw(st.integers(0, 2)) == 0:
        found["route"] = ({"type": "enum", "values": ["route_a", "route_b"]}, "enum")
    return found


# -- expressions ----------------------------------------------------------------------


@st.composite
def _atoms(draw, scope):
    """A boolean condition over the spec's names and predicates."""
    options = [
        f"status == {draw(st.sampled_from(scope.statuses))}",
        "tier in {{{}, {}}}".format(
            *draw(st.lists(st.sampled_from(TIERS), min_size=2, max_size=2, unique=True))
        ),
        "owner != none",
        "allocated",
        "owned",
        f"held({draw(st.sampled_from(scope.meetings))})",
    ]
    for name, (_, kind) in scope.variables.items():
        options.append({"bool": name, "int": f"{name} < 1", "enum": f"{name} == route_b"}[kind])
    options += [f"overdue({d})" for d in scope.deadlines]
    options += [f"escalating({e})" for e in scope.escalations]
    options += [f"in_window({r})" for r in scope.rereferrals]
    return draw(st.sampled_from(options))


@st.composite
def _conditions(draw, scope):
    first = draw(_atoms(scope))
    match draw(st.integers(0, 5)):
        case 0:
            return f"not {first}"
        case 1:
            return f"{first} and {draw(_atoms(scope))}"
        case 2:
            return f"{first} or not {draw(_atoms(scope))}"
        case _:
            return first


@st.composite
def _effects(draw, scope):
    effects = {}
    for name, (_, kind) in scope.variables.items():
        if draw(st.integers(0, 2)) > 0:
            continue
        options = {
            "bool": ["true", "false", f"not {name}"],
            "int": [f"{name} + 1", f"{name} - 1", "0"],
            "enum": ["route_a", "route_b"],
        }[kind]
        effects[name] = draw(st.sampled_from(options))
    return effects


# -- events, deadlines, escalations, re-referrals ---------------------------------------


@st.composite
def _events(draw, scope):
    count = draw(st.integers(2, 6))
    return {f"e{index}": draw(_event(scope, index)) for index in range(count)}


@st.composite
def _event(draw, scope, index):
    """Event `index` mostly leads from status `index` to the next one (mod their number),
    so most statuses are reachable; the rest of it is random."""
    statuses = scope.statuses
    here, there = statuses[index % len(statuses)], statuses[(index + 1) % len(statuses)]
    # now and then an urgent step-up, so that urgent routes (and the derived question
    # whether a case waits on one) come up
    event = {"kind": "urgent_step_up" if draw(st.integers(0, 7)) == 0 else "other"}
    if draw(st.integers(0, 5)) == 0:
        event["from"] = "any"
    else:
        others = draw(st.lists(st.sampled_from(statuses), max_size=2))
        event["from"] = list(dict.fromkeys([here, *others]))
    match draw(st.integers(0, 5)):
        case 0:
            pass
        case 1:
            event["to"] = draw(st.sampled_from(statuses))
        case _:
            event["to"] = there
    if draw(st.integers(0, 3)) == 0:
        event["at"] = draw(st.sampled_from(scope.meetings))
    if draw(st.integers(0, 2)) == 0:
        event["guard"] = draw(_guards(scope))
    effects = draw(_effects(scope))
    if effects:
        event["effect"] = effects
    if draw(st.integers(0, 3)) == 0:
        event["owner"] = draw(st.sampled_from([*scope.owners, "none", "unspecified", "previous"]))
    if draw(st.integers(0, 5)) == 0:
        event["co_owner"] = draw(st.sampled_from([*scope.owners, "none"]))
    return event


@st.composite
def _guards(draw, scope):
    if draw(st.booleans()):
        return draw(_conditions(scope))
    items = draw(st.lists(_conditions(scope), min_size=1, max_size=2))
    return [{"condition": item, "modality": draw(st.sampled_from(MODALITIES))} for item in items]


def _durations(*, unspecified=True, long=True):
    choices = [
        *DURATIONS,
        *(LONG_DURATIONS if long else ()),
        *(("unspecified",) if unspecified else ()),
    ]
    return st.sampled_from(choices)


@st.composite
def _deadline(draw, scope):
    anchor, obligation = draw(st.one_of(_chained_ends(scope), _random_ends(scope)))
    deadline = {
        "within": draw(_durations()),
        "anchor": anchor,
        "obligation": obligation,
        "consequence": draw(st.sampled_from(["unspecified", *scope.events])),
    }
    direction = draw(st.sampled_from(["after", "after", "after", "not_before", "before"]))
    if direction != "after" or draw(st.booleans()):
        deadline["direction"] = direction
    if draw(st.integers(0, 3)) == 0:
        deadline["recurring"] = True
    if draw(st.integers(0, 3)) == 0:
        deadline["condition"] = draw(_conditions(scope))
    if draw(st.booleans()):
        deadline["modality"] = draw(st.sampled_from(MODALITIES))
    return deadline


@st.composite
def _chained_ends(draw, scope):
    """Anchor status `i`, obligation event `i` or status `i + 1`: the ring `_event` builds."""
    index = draw(st.integers(0, len(scope.events) - 1))
    following = scope.statuses[(index + 1) % len(scope.statuses)]
    obligation = draw(st.sampled_from([scope.events[index], following]))
    return [scope.statuses[index % len(scope.statuses)]], [obligation]


@st.composite
def _random_ends(draw, scope):
    anchors = [*scope.events, *scope.statuses, *scope.meetings]
    obligations = [*scope.events, *scope.statuses]
    return (
        draw(st.lists(st.sampled_from(anchors), min_size=1, max_size=2, unique=True)),
        draw(st.lists(st.sampled_from(obligations), min_size=1, max_size=2, unique=True)),
    )


@st.composite
def _escalation(draw, scope):
    count = draw(st.integers(1, 2))
    levels = [draw(_level(index, count)) for index in range(count)]
    escalation = {
        "trigger": draw(
            st.lists(st.sampled_from(scope.events), min_size=1, max_size=2, unique=True)
        ),
        "levels": levels,
        "final_authority": draw(
            st.sampled_from(["unspecified", *(level["id"] for level in levels)])
        ),
        "tie_break": draw(st.sampled_from(["not_needed", "unspecified", "head"])),
    }
    if draw(st.booleans()):
        escalation["resolution"] = [draw(st.sampled_from(scope.events))]
    if draw(st.integers(0, 2)) == 0:
        escalation["within"] = draw(_durations(long=False))
    return escalation


@st.composite
def _level(draw, index, count):
    level = {
        "id": f"x0_l{index}",
        "within": draw(_durations(long=False)),
        "who": draw(st.lists(st.sampled_from(ROLES), min_size=1, unique=True)),
    }
    if draw(st.booleans()) or index == count - 1:
        level["decides"] = draw(st.integers(0, 4)) > 0
    if draw(st.integers(0, 5)) == 0:
        level["external"] = "ext0"
    if count > 1 and draw(st.integers(0, 3)) == 0:
        level["next"] = f"x0_l{draw(st.integers(0, count - 1))}"
    return level


@st.composite
def _rereferral(draw, scope):
    rule = {
        "window": draw(st.sampled_from(["1 working day", "2 working days"])),
        "anchor": draw(
            st.lists(st.sampled_from(scope.events), min_size=1, max_size=2, unique=True)
        ),
        "event": draw(st.sampled_from(scope.events)),
        "route_to": draw(st.sampled_from(["previous", *scope.owners])),
    }
    if draw(st.booleans()):
        rule["modality"] = draw(st.sampled_from(MODALITIES))
    if draw(st.integers(0, 3)) == 0:
        rule["condition"] = draw(_conditions(scope))
    return rule


@st.composite
def _precedence(draw, scope):
    """One route pre-empting one or two other events (SEMANTICS, "Precedence")."""
    route = draw(st.sampled_from(scope.events))
    others = [event for event in scope.events if event != route]
    rule = {
        "route": route,
        "over": draw(st.lists(st.sampled_from(others), min_size=1, max_size=2, unique=True)),
        "source": {"doc": "doc", "quote": "this route comes first"},
    }
    if draw(st.booleans()):
        rule["modality"] = draw(st.sampled_from(MODALITIES))
    return rule


# -- properties -----------------------------------------------------------------------


@st.composite
def _response_ends(draw, scope):
    """`from` and `to` of a response: often a deadline's anchor and obligation statuses,
    so that the wait is bounded and the bound is worth checking."""
    sides = [
        (_reached(scope, deadline["anchor"]), _reached(scope, deadline["obligation"]))
        for deadline in scope.deadline_specs
    ]
    sides = [(anchors, obligations) for anchors, obligations in sides if anchors and obligations]
    if sides and draw(st.booleans()):
        anchors, obligations = draw(st.sampled_from(sides))
        return draw(st.sampled_from(anchors)), draw(st.sampled_from(obligations))
    either = st.one_of(st.sampled_from(scope.statuses), _conditions(scope))
    return draw(either), draw(either)


def _reached(scope, ids):
    """The statuses among `ids`, and those the events among them lead to."""
    found = [item for item in ids if item in scope.statuses]
    found += [scope.event_specs[item].get("to") for item in ids if item in scope.event_specs]
    return [status for status in found if status is not None]


@st.composite
def _properties(draw, scope):
    properties = {
        "escalation_terminates": {},
        "no_unowned_case": {},
        "cp_step_down_requires_meeting": {"meetings": [draw(st.sampled_from(scope.meetings))]},
    }
    if draw(st.booleans()):
        properties["cp_step_down_requires_meeting"]["to_tiers"] = [draw(st.sampled_from(TIERS))]
    if draw(st.booleans()):
        properties["always_so"] = {"kind": "invariant", "holds": draw(_conditions(scope))}
    if draw(st.booleans()):
        trigger, goal = draw(_response_ends(scope))
        response = {"kind": "leads_to", "from": trigger, "to": goal}
        if draw(st.booleans()):
            response["within"] = draw(
                st.sampled_from(["2 working days", "3 working days", "1 week"])
            )
        properties["eventually_so"] = response
    if draw(st.booleans()):
        # every generated event is of kind 'other': the property watches all of them
        moves = {"kind": "requires_meeting", "kinds": ["other"]}
        moves["meetings"] = [draw(st.sampled_from(scope.meetings))]
        if draw(st.booleans()):
            moves["tiers"] = [draw(st.sampled_from(TIERS))]
        if draw(st.booleans()):
            # "all transfers between teams": watched by the owners' teams, kinds optional
            moves["between_teams"] = True
            if draw(st.booleans()):
                del moves["kinds"]
        if scope.events and draw(st.integers(0, 3)) == 0:
            moves["except"] = [draw(st.sampled_from(scope.events))]
        properties["moves_at_meeting"] = moves
    return properties
