"""A spec's finite model as a Promela program, so that SPIN can check it beside stepcheck.

`spec.model.ProtocolSpec` -> `to_promela` -> Promela text (`checker.spin` runs SPIN on
it). The program implements SEMANTICS.md ("The checker's finite model") from the spec
and `spec.timing` alone, like the explicit explorer, so the two are independent checks
of one contract: one process whose `do` loop holds one indivisible alternative per
event, per dispute step and for the tick, each enabled exactly when the model's step is;
its choices (routing, timer start values, meeting phases) are single `if`s between
`d_step`s, so a step is one transition unless it chooses. A safety property becomes
assertions: a property of states after every step and in the initial states,
`cp_step_down_requires_meeting` in the events that step down. Every step prints its
label and state (`printf`, silent while SPIN verifies), so that replaying a SPIN trail
gives back a `spec.trace.Trace` (`checker.spin_output`).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Final

from stepcheck.checker.promela_events import enabled, event_step
from stepcheck.checker.promela_expr import any_of, translate
from stepcheck.checker.promela_names import NOBODY, OFF, PromelaNames
from stepcheck.checker.promela_steps import Alternative, Context, Statement
from stepcheck.checker.promela_time import blocked, dispute_steps, tick_step
from stepcheck.spec.diagnostics import StepcheckError
from stepcheck.spec.expr import EnumType
from stepcheck.spec.model import (
    NO_OWNER,
    UNSPECIFIED,
    Property,
    PropertyKind,
    ProtocolSpec,
    Reading,
    Tier,
)
from stepcheck.spec.readings import require_closed

__all__ = ["SAFETY_KINDS", "to_promela"]

SAFETY_KINDS: Final = (
    PropertyKind.NO_UNOWNED_CASE,
    PropertyKind.CP_STEP_DOWN_REQUIRES_MEETING,
    PropertyKind.REQUIRES_MEETING,
    PropertyKind.INVARIANT,
)
"""The properties a Promela export can hold: those about states and steps."""

_STATE_KINDS: Final = (PropertyKind.NO_UNOWNED_CASE, PropertyKind.INVARIANT)


def to_promela(spec: ProtocolSpec, prop: Property | None, *, reading: Reading, comply: bool) -> str:
    """The Promela program of `spec`'s finite model under `reading`, asserting `prop`.

    `comply` False lets time pass even when a deadline or limit is due (SEMANTICS.md,
    "Compliance"); `prop` None writes the model with no assertion (for simulation).

    Raises:
        StepcheckError: `prop` is not a safety property (`SAFETY_KINDS`).
    """
    require_closed(spec, "the Promela export")
    if prop is not None and prop.kind not in SAFETY_KINDS:
        kinds = ", ".join(kind.value for kind in SAFETY_KINDS)
        raise StepcheckError(
            f"property '{prop.id}' ({prop.kind.value}) is not a safety property; "
            f"only {kinds} properties can be exported to Promela"
        )
    names = PromelaNames.of(spec)
    context = Context.of(names, reading, comply=comply, prop=prop)
    steps = [
        *(event_step(event, context) for event in spec.events),
        *dispute_steps(context),
        tick_step(context),
    ]
    state_check = _state_property(prop, names)
    sections = [
        _header(spec, prop, reading, comply),
        _constants(names),
        _macros(names, state_check),
        _declarations(names, steps),
        _enabling(context),
        _printing(names),
        _process(names, steps, state_check),
    ]
    return "\n\n".join(section.rstrip("\n") for section in sections) + "\n"


def _header(spec: ProtocolSpec, prop: Property | None, reading: Reading, comply: bool) -> str:
    checked = "no property (the model alone)"
    if prop is not None:
        checked = f"property '{prop.id}' ({prop.kind.value})"
    time = "people comply with due deadlines and limits" if comply else "deadlines may be missed"
    return "\n".join(
        [
            f"/* stepcheck's finite model of '{spec.authority.id}' ({PurePath(spec.path).name}),",
            '   as spec/SEMANTICS.md defines it ("The checker\'s finite model").',
            f"   Checks {checked}; {reading.value} reading; {time}.",
            "   Written by `stepcheck export --format promela`: edit the spec, not this file.",
            '   Each step prints "@step <kind> <name>" and "@state <values>" for trail replay. */',
        ]
    )


def _constants(names: PromelaNames) -> str:
    spec = names.spec
    lines = [
        f"#define OFF ({OFF})  /* a timer that is not running */",
        f"#define NOBODY {NOBODY}  /* the owner a shut re-referral window records */",
        "",
        "/* statuses */",
        *(f"#define {names.status(s)} {i}" for i, s in enumerate(names.statuses)),
        "/* owners */",
        *(f"#define {names.owner(o)} {i}" for i, o in enumerate(names.owners)),
        "/* tiers */",
        *(f"#define {names.tier(t)} {i}" for i, t in enumerate(Tier)),
    ]
    for ladder in spec.escalations:
        lines.append(f"/* levels of '{ladder.id}' (0: no dispute open) */")
        lines += [f"#define {names.level(lv.id)} {i}" for i, lv in enumerate(ladder.levels, 1)]
    for variable in spec.variables:
        if isinstance(variable.type, EnumType):
            lines.append(f"/* values of '{variable.id}' */")
            lines += [
                f"#define {names.enum_value(variable.type, value)} {i}  /* {value} */"
                for i, value in enumerate(variable.type.values)
            ]
    return "\n".join(lines)


def _macros(names: PromelaNames, state_check: str | None) -> str:
    spec = names.spec
    by_tier: dict[Tier, list[str]] = {}
    for status in spec.statuses:
        by_tier.setdefault(status.tier, []).append(status.id)
    groups = list(by_tier.items())
    tier = names.tier(groups[-1][0]) if groups else "0"
    for found, statuses in reversed(groups[:-1]):
        test = any_of(f"((s) == {names.status(s)})" for s in statuses)
        tier = f"({test} -> {names.tier(found)} : {tier})"
    allocated = [o.id for o in spec.owners if o.allocated]
    responsible = [o.id for o in spec.owners if o.responsible]
    final = [s.id for s in spec.statuses if s.final]
    lines = [
        f"#define TIER(s) {tier}",
        "#define ALLOCATED(o) " + any_of(f"((o) == {names.owner(o)})" for o in allocated),
        "#define RESPONSIBLE(o) " + any_of(f"((o) == {names.owner(o)})" for o in responsible),
        "#define FINAL(s) " + any_of(f"((s) == {names.status(s)})" for s in final),
    ]
    if state_check is not None:
        lines.append(f"#define PROPERTY {state_check}")
    return "\n".join(lines)


def _declarations(names: PromelaNames, steps: list[Alternative]) -> str:
    spec = names.spec
    initial = {f"var:{v.id}": _initial_value(names, v.id) for v in spec.variables}
    initial["co_owner"] = initial["previous_owner"] = names.owner(NO_OWNER)
    lines = ["/* the state */"]
    for slot in names.slots():
        value = initial.get(slot.key)
        if slot.declaration == "short":
            value = "OFF"
        elif slot.key.startswith("window_owner:"):
            value = "NOBODY"
        lines.append(
            f"{slot.declaration} {slot.variable}" + ("" if value is None else f" = {value}") + ";"
        )
    scratch = dict(sorted({name: kind for step in steps for name, kind in step.scratch}.items()))
    if scratch:
        lines += ["", "/* scratch: set and read within one step, 0 between steps */"]
        lines += [f"{kind} {name};" for name, kind in scratch.items()]
    return "\n".join(lines)


def _initial_value(names: PromelaNames, variable_id: str) -> str:
    variable = next(v for v in names.spec.variables if v.id == variable_id)
    value = variable.initial
    if isinstance(variable.type, EnumType):
        return names.enum_value(variable.type, str(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _enabling(context: Context) -> str:
    lines = ['/* when each event can happen (SEMANTICS.md, "When an event can happen") */']
    lines += [
        f"#define EN_{event.id} {enabled(event, context)}" for event in context.names.spec.events
    ]
    lines += ["", '/* time waits for people who comply (SEMANTICS.md, "Ticks") */']
    lines.append(f"#define BLOCKED {blocked(context)}")
    return "\n".join(lines)


def _printing(names: PromelaNames) -> str:
    slots = names.slots()
    formats = " ".join("%d" for _ in slots)
    values = ", ".join(slot.variable for slot in slots)
    return "\n".join(
        [
            "/* the state, in the order checker/promela_names.py reads it back */",
            "inline show_state() {",
            f'  printf("@state {formats}\\n", {values})',
            "}",
        ]
    )


def _process(names: PromelaNames, steps: list[Alternative], state_check: str | None) -> str:
    check = ["assert(PROPERTY)"] if state_check is not None else []
    lines = ["active proctype protocol() {", "  atomic {"]
    lines += _sequence([[line] for line in [*_initial(names), "show_state()", *check]], 4)
    lines += ["  };", "  do"]
    for step in steps:
        lines.append(f"  /* {step.comment} */")
        lines += _alternative(step, check)
    lines += ["  od", "}"]
    return "\n".join(lines)


def _alternative(step: Alternative, check: list[str]) -> list[str]:
    """The step as one transition (`d_step`) when it chooses nothing; else an `atomic`
    whose choices stand between `d_step`s, so each step is few transitions deep."""
    label = step.kind if step.name is None else f"{step.kind} {step.name}"
    tail = [f'printf("@step {label}\\n")', "show_state()"]
    tail += [f"assert({step.check})"] if step.check is not None else check
    tail += [f"{name} = 0" for name, _ in step.scratch]
    statements = [*step.statements, *(Statement(text=text) for text in tail)]
    if not any(statement.choice for statement in statements):
        body = _sequence([[statement.text] for statement in statements], 7)
        return [f"  :: d_step {{ {step.guard} ->", *body, "     }"]
    items: list[list[str]] = []
    run: list[str] = []
    for statement in statements:
        if not statement.choice:
            run.append(statement.text)
            continue
        items += _deterministic(run)
        items.append([statement.text])
        run = []
    items += _deterministic(run)
    return [f"  :: atomic {{ {step.guard} ->", *_sequence(items, 7), "     }"]


def _deterministic(run: list[str]) -> list[list[str]]:
    """Consecutive statements that choose nothing, as one `d_step` (one transition)."""
    if len(run) <= 1:
        return [run] if run else []
    return [["d_step {", *_sequence([[text] for text in run], 2), "}"]]


def _sequence(items: list[list[str]], width: int) -> list[str]:
    """Items (each one or more lines) separated by `;`, indented by `width`."""
    pad = " " * width
    lines: list[str] = []
    for index, item in enumerate(items):
        last = index == len(items) - 1
        lines += [pad + line for line in item[:-1]]
        lines.append(pad + item[-1] + ("" if last else ";"))
    return lines


def _initial(names: PromelaNames) -> list[str]:
    """Any initial status with its owner, and any phase of every periodic meeting."""
    spec = names.spec
    options = [
        f"status = {names.status(s.id)}; owner = {names.owner(s.owner or UNSPECIFIED.value)}"
        for s in spec.initial_statuses
    ]
    lines = (
        [options[0]]
        if len(options) == 1
        else ["if " + " ".join(f":: {o}" for o in options) + " fi"]
    )
    lines += [
        f"select({names.phase(m)} : 0 .. {names.timing.meetings[m] - 1})"
        for m in names.periodic_meetings
    ]
    return lines


def _state_property(prop: Property | None, names: PromelaNames) -> str | None:
    if prop is None or prop.kind not in _STATE_KINDS:
        return None
    if prop.kind is PropertyKind.NO_UNOWNED_CASE:
        return "(FINAL(status) || RESPONSIBLE(owner))"
    assert prop.holds is not None, "an invariant has 'holds'"
    return translate(prop.holds, names)
