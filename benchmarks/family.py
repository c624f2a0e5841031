"""A generated family: K siblings in one case, whose statuses move together or apart.

    text = generate_family_spec(children=3)

The spec language gives a case one `status`, so each child is an enum variable
(`child_N`: early_help, cin, cp or closed) with a boolean `child_N_plan_agreed`, and
the case's status summarises the family: `family_cp` while any child is in cp, else
`family_cin` while any is in cin, else `family_early_help`, and `family_closed` once
every child is closed. Guards keep the summary true, since an event has one fixed
target status: each per-child event comes in a variant that keeps the family's status
and one that changes it, guarded on what the siblings are.

- per child: step up to cin or cp, agree the child's plan, step down (needs the plan),
  close the child's part (while a sibling stays open);
- family-wide: a strategy meeting steps every child up to cp, the core group steps
  every child down to cin, a step down to early help when no child is in cp, closure;
  referral to the social work tray and allocation from it.

Each child has 7 reachable (value, plan) pairs, so the reachable state space grows as
7^K: the point of this benchmark is that explicit-state search blows up with K, and a
symbolic checker should not. Properties, with what the checker should answer:

| property | K = 1 | K >= 2 |
|---|---|---|
| `no_unowned_case` | proved | proved |
| `cp_step_down_requires_meeting` (core group) | violated, holds under should | same |
| `family_status_summarises_children` (invariant) | proved | proved |
| `siblings_stepped_up_together` (invariant) | proved | violated |

The step down of the last child in cp requires the core group only as a `should`
guard, so the mission property fails under the must reading and holds under the should
reading; nothing makes a strategy meeting the only way into `family_cp`, so a child can
be in cp while a sibling stays in early help.
"""

from __future__ import annotations

__all__ = ["FAMILY_PROPERTIES", "family_event_count", "generate_family_spec"]

FAMILY_PROPERTIES = (
    "no_unowned_case",
    "cp_step_down_requires_meeting",
    "family_status_summarises_children",
    "siblings_stepped_up_together",
)
"""The property ids every family spec declares, in the order it declares them."""

_OPEN = "[family_early_help, family_cin, family_cp]"


def generate_family_spec(*, children: int) -> str:
    """The YAML text of a valid family spec with `children` siblings (1 or more).

    >>> "child_2_plan_agreed" in generate_family_spec(children=2)
    True
    """
    if children < 1:
        raise ValueError("need children >= 1")
    kids = [f"child_{i}" for i in range(1, children + 1)]
    lines = [
        "stepcheck: 1",
        "authority:",
        f"  id: generated_family_{children}",
        f"  name: Generated family ({children} children in one case)",
        "documents:",
        "  generated: {title: Generated family benchmark protocol}",
        "",
        "teams:",
        "  family_support: {name: Family Support Team, service: early_help}",
        "  social_work: {name: Social Work Team, service: social_care}",
        "",
        "owners:",
        "  fs_worker: {kind: allocated, team: family_support}",
        "  sw_worker: {kind: allocated, team: social_work}",
        "  sw_tray: {kind: team_tray, team: social_work}",
        "",
        "meetings:",
        "  strategy: {name: strategy meeting, cadence: on_demand}",
        "  core_group: {name: core group, cadence: on_demand}",
        "",
        "statuses:",
        "  family_early_help: {tier: early_help, owner: fs_worker, initial: true}",
        "  family_cin: {tier: cin, owner: sw_worker}",
        "  family_cp: {tier: cp, owner: sw_worker}",
        "  family_closed: {tier: closed, owner: none, final: true}",
        "",
        "variables:",
    ]
    for kid in kids:
        lines.append(f"  {kid}: {{type: enum, values: [early_help, cin, cp, closed]}}")
        lines.append(f"  {kid}_plan_agreed: {{type: bool, initial: false}}")
    lines += ["", "events:"]
    for kid in kids:
        lines += _child_events(kid, [k for k in kids if k != kid])
    lines += _family_events(kids)
    lines += ["", *_properties(kids)]
    return "\n".join(lines) + "\n"


def family_event_count(children: int) -> int:
    """How many events `generate_family_spec(children=children)` declares: 7 per child,
    4 more per child once it has siblings, and 7 family-wide."""
    return 7 + 7 * children + (4 * children if children > 1 else 0)


def _any(kids: list[str], value: str) -> str:
    return "(" + " or ".join(f"{k} == {value}" for k in kids) + ")" if kids else "false"


def _none(kids: list[str], value: str) -> str:
    return " and ".join(f"{k} != {value}" for k in kids) if kids else "true"


def _each(kids: list[str], values: str) -> str:
    return " and ".join(f"{k} in {{{values}}}" for k in kids)


def _event(name: str, body: str) -> str:
    return f"  {name}: {{{body}}}"


def _child_events(kid: str, siblings: list[str]) -> list[str]:
    """One child's moves; a variant that changes the family's status exists only where
    the siblings' values allow it, and one that keeps it only where a sibling holds it."""
    plan = f"{kid}_plan_agreed"
    lines = [
        _event(
            f"{kid}_to_cin_family",
            "kind: step_up, from: family_early_help, to: family_cin, "
            f'guard: "{kid} == early_help", effect: {{{kid}: cin, {plan}: false}}',
        ),
        _event(
            f"{kid}_to_cin",
            "kind: step_up, from: [family_cin, family_cp], "
            f'guard: "{kid} == early_help", effect: {{{kid}: cin, {plan}: false}}',
        ),
        _event(
            f"{kid}_to_cp_family",
            "kind: step_up, from: [family_early_help, family_cin], to: family_cp, "
            f'guard: "{kid} in {{early_help, cin}}", effect: {{{kid}: cp, {plan}: false}}',
        ),
        _event(
            f"{kid}_to_cp",
            "kind: step_up, from: family_cp, "
            f'guard: "{kid} in {{early_help, cin}}", effect: {{{kid}: cp, {plan}: false}}',
        ),
        _event(
            f"agree_{kid}_plan",
            f"kind: other, from: {_OPEN}, "
            f'guard: "{kid} != closed and not {plan}", effect: {{{plan}: true}}',
        ),
        # The last child in cp leaves it: the family leaves cp. The core group is only
        # a should-rule here, which is what cp_step_down_requires_meeting finds.
        f"  {kid}_down_to_cin_family:",
        "    kind: step_down",
        "    from: family_cp",
        "    to: family_cin",
        "    guard:",
        f'      - "{kid} == cp and {plan} and {_none(siblings, "cp")}"',
        '      - {condition: "held(core_group)", modality: should}',
        f"    effect: {{{kid}: cin, {plan}: false}}",
        _event(
            f"{kid}_down_to_early_help_family",
            "kind: step_down, from: family_cin, to: family_early_help, "
            f'guard: "{kid} == cin and {plan} and {_none(siblings, "cin")}", '
            f"effect: {{{kid}: early_help, {plan}: false}}",
        ),
    ]
    if siblings:
        lines += [
            _event(
                f"{kid}_down_to_cin",
                "kind: step_down, from: family_cp, "
                f'guard: "{kid} == cp and {plan} and {_any(siblings, "cp")}", '
                f"effect: {{{kid}: cin, {plan}: false}}",
            ),
            _event(
                f"{kid}_down_to_early_help",
                "kind: step_down, from: family_cin, "
                f'guard: "{kid} == cin and {plan} and {_any(siblings, "cin")}", '
                f"effect: {{{kid}: early_help, {plan}: false}}",
            ),
            _event(
                f"{kid}_down_to_early_help_in_cp",
                "kind: step_down, from: family_cp, "
                f'guard: "{kid} == cin and {plan}", effect: {{{kid}: early_help, {plan}: false}}',
            ),
            _event(
                f"close_{kid}",
                f"kind: close, from: {_OPEN}, "
                f'guard: "{kid} == early_help and not {_all_closed(siblings)}", '
                f"effect: {{{kid}: closed, {plan}: false}}",
            ),
        ]
    return lines


def _all_closed(kids: list[str]) -> str:
    return "(" + " and ".join(f"{k} == closed" for k in kids) + ")"


def _family_events(kids: list[str]) -> list[str]:
    """Events that move every child at once. Effects cannot depend on a child's value,
    so each is guarded on every child being where the move makes sense."""

    def set_all(value: str) -> str:
        return ", ".join(f"{k}: {value}, {k}_plan_agreed: false" for k in kids)

    return [
        _event(
            "strategy_steps_all_up",
            "kind: step_up, from: [family_early_help, family_cin], to: family_cp, "
            f'at: strategy, guard: "{_none(kids, "closed")}", effect: {{{set_all("cp")}}}',
        ),
        _event("hold_core_group", "kind: meeting, from: family_cp, at: core_group"),
        _event(
            "core_group_steps_all_down",
            "kind: step_down, from: family_cp, to: family_cin, at: core_group, "
            f'guard: "{_each(kids, "cin, cp")}", effect: {{{set_all("cin")}}}',
        ),
        _event(
            "family_steps_down",
            "kind: step_down, from: family_cin, to: family_early_help, "
            f'guard: "{_none(kids, "cp")} and {_each(kids, "early_help, cin")}", '
            f"effect: {{{set_all('early_help')}}}",
        ),
        _event(
            "close_family",
            "kind: close, from: family_early_help, to: family_closed, "
            f'guard: "{_each(kids, "early_help, closed")}", effect: {{{set_all("closed")}}}',
        ),
        _event(
            "refer_to_social_work", "kind: transfer, from: [family_cin, family_cp], owner: sw_tray"
        ),
        _event(
            "allocate_social_worker",
            "kind: allocate, from: [family_cin, family_cp], "
            'guard: "owner == sw_tray", owner: sw_worker',
        ),
    ]


def _properties(kids: list[str]) -> list[str]:
    """The summary invariant says, per family status, what the children are; the four
    conditions exclude each other, so with one status at a time it is an equivalence."""
    no_cp, no_cin = _none(kids, "cp"), _none(kids, "cin")
    summary = " and ".join(
        [
            f"(status == family_cp -> {_any(kids, 'cp')})",
            f"(status == family_cin -> {no_cp} and {_any(kids, 'cin')})",
            f"(status == family_early_help -> {no_cp} and {no_cin} and {_any(kids, 'early_help')})",
            f"(status == family_closed -> {_all_closed(kids)})",
        ]
    )
    return [
        "properties:",
        "  no_unowned_case: {}",
        "  cp_step_down_requires_meeting: {meetings: core_group}",
        "  family_status_summarises_children:",
        "    kind: invariant",
        f'    holds: "{summary}"',
        "  siblings_stepped_up_together:",
        "    kind: invariant",
        f'    holds: "status != family_cp or ({_none(kids, "early_help")})"',
    ]
