"""Synthetic specs for the checker's scaling run, grown along six axes.

    text = generate_spec(statuses=8, teams=2, timers=4, levels=3, booleans=2, events=40)
    spec = load_spec_text(text, "<generated>")

- **statuses**: a chain of open statuses joined by step-up and step-down events, tiers
  rising from early help to child protection, plus one final `closed` status;
- **teams**: each team has an allocated owner (`worker_NN`), a team tray (`tray_NN`) and
  a manager; a case can be referred to any team's tray and allocated from it;
- **timers**: deadlines, alternately "allocate within 1-3 working days of a referral to
  team NN" and "leave stage NN within 1 month" (working-day and month durations mixed);
- **levels**: one escalation ladder whose levels each have a 1-3 working-day limit, the
  last one deciding;
- **booleans**: checks (`check_NN`) that events complete and reopen, each guarded on the
  check's value, and that closing the case requires;
- **events**: the total number of events; past those the other axes need, more events
  move the case between chain statuses, several per pair, each with its own guard
  (`events.py`).

Every spec has an `on_demand` handover meeting that every step down out of child
protection requires, the three mission properties and one invariant (a closed case has
no owner and every check done), all of which hold, so a row measures proofs. The text
is deterministic (no randomness), so a size names one spec.
"""

from __future__ import annotations

from attrs import evolve, frozen

from benchmarks.events import extra_events

__all__ = ["BASE", "PROPERTIES", "Sizes", "generate_spec"]

_TIERS = ("early_help", "targeted", "assessment", "cin", "cp")
_RANK = {tier: rank for rank, tier in enumerate(_TIERS)}


@frozen(kw_only=True)
class Sizes:
    """One point of the scaling grid; `events=None` means only the events the rest needs."""

    statuses: int = 4
    teams: int = 2
    timers: int = 0
    levels: int = 3
    booleans: int = 0
    events: int | None = None

    def event_count(self) -> int:
        """How many events the spec has: `events`, or what the other sizes need."""
        if self.events is not None:
            return self.events
        # chain moves, handover, close, dispute; refer and allocate per team; per check two
        return 2 * (self.statuses - 2) + 3 + 2 * self.teams + 2 * self.booleans

    def label(self) -> str:
        """A short name for a table row or a file name."""
        events = "" if self.events is None else f"_e{self.events}"
        return (
            f"s{self.statuses}_t{self.teams}_d{self.timers}_l{self.levels}_b{self.booleans}{events}"
        )


BASE = Sizes()
"""The small spec every axis grows from: 4 statuses, 2 teams, no timers, 3 levels."""

_INVARIANT = "closed_only_when_done"
PROPERTIES = (
    "no_unowned_case",
    "escalation_terminates",
    "cp_step_down_requires_meeting",
    _INVARIANT,
)
"""The property ids every generated spec declares, in the order it declares them."""


def generate_spec(
    *,
    statuses: int,
    teams: int,
    timers: int,
    levels: int = 3,
    booleans: int = 0,
    events: int | None = None,
) -> str:
    """The YAML text of a valid spec of the given sizes (see the module docstring).

    `statuses` counts the final `closed` status, so the chain has `statuses - 1` open
    ones; `events` is the exact number of events, at least what the other sizes need.

    >>> "stage_02" in generate_spec(statuses=4, teams=1, timers=0)
    True
    """
    if statuses < 3 or teams < 1 or timers < 0 or levels < 1 or booleans < 0:
        raise ValueError(
            "need statuses >= 3, teams >= 1, timers >= 0, levels >= 1 and booleans >= 0"
        )
    sizes = Sizes(
        statuses=statuses,
        teams=teams,
        timers=timers,
        levels=levels,
        booleans=booleans,
        events=events,
    )
    chain = [f"stage_{i:02d}" for i in range(statuses - 1)]
    tiers = [_TIERS[round(i * (len(_TIERS) - 1) / (len(chain) - 1))] for i in range(len(chain))]
    checks = [f"check_{k:02d}" for k in range(booleans)]
    event_lines = _events(chain, tiers, teams, checks)
    if events is not None:
        have = len(event_lines) - 1  # one line per event after the `events:` header
        assert have == evolve(sizes, events=None).event_count()
        if events < have:
            raise ValueError(f"these sizes need at least {have} events, not {events}")
        owners = [f"{kind}_{j:02d}" for j in range(teams) for kind in ("worker", "tray")]
        protected = {s for s, tier in zip(chain, tiers, strict=True) if tier == "cp"}
        rank = {s: _RANK[tier] for s, tier in zip(chain, tiers, strict=True)}
        event_lines += extra_events(events - have, chain, rank, protected, owners)
    lines = [
        "stepcheck: 1",
        "authority:",
        f"  id: generated_{sizes.label()}",
        f"  name: Generated spec ({statuses} statuses, {teams} teams, {timers} timers, "
        f"{levels} levels, {booleans} booleans)",
        "documents:",
        "  generated: {title: Generated benchmark protocol}",
        "",
        *_teams(teams),
        "",
        "meetings:",
        "  handover: {name: handover meeting, cadence: on_demand}",
        "",
        *_statuses(chain, tiers, teams),
        "",
        *_variables(checks),
        *event_lines,
        "",
        *_deadlines(chain, teams, timers),
        *_escalation(teams, levels),
        "",
        "properties:",
        "  no_unowned_case: {}",
        "  escalation_terminates: {}",
        "  cp_step_down_requires_meeting: {meetings: handover}",
        f"  {_INVARIANT}:",
        "    kind: invariant",
        f'    holds: "status != closed or ({_all(["owner == none", *checks])})"',
    ]
    return "\n".join(lines) + "\n"


def _all(conditions: list[str]) -> str:
    return " and ".join(conditions) if conditions else "true"


def _teams(teams: int) -> list[str]:
    ids = [f"{j:02d}" for j in range(teams)]
    lines = ["teams:"]
    lines += [f"  team_{j}: {{name: Team {j}, service: social_care}}" for j in ids]
    lines += ["", "roles:"]
    lines += [f"  manager_{j}: {{name: Team {j} manager, team: team_{j}}}" for j in ids]
    lines += ["  service_manager: {name: Service manager}", "  head_of_service: {name: Head}"]
    lines += ["", "owners:"]
    for j in ids:
        lines.append(f"  worker_{j}: {{kind: allocated, team: team_{j}}}")
        lines.append(f"  tray_{j}: {{kind: team_tray, team: team_{j}}}")
    return lines


def _statuses(chain: list[str], tiers: list[str], teams: int) -> list[str]:
    lines = ["statuses:"]
    for i, (status, tier) in enumerate(zip(chain, tiers, strict=True)):
        initial = ", initial: true" if i == 0 else ""
        lines.append(f"  {status}: {{tier: {tier}, owner: worker_{i % teams:02d}{initial}}}")
    lines.append("  closed: {tier: closed, owner: none, final: true}")
    return lines


def _variables(checks: list[str]) -> list[str]:
    if not checks:
        return []
    return ["variables:", *(f"  {c}: {{type: bool, initial: false}}" for c in checks), ""]


def _events(chain: list[str], tiers: list[str], teams: int, checks: list[str]) -> list[str]:
    """The events every spec of these sizes has: moves along the chain, meeting, close,
    dispute, referral and allocation per team, and completing and reopening each check."""
    every = "[" + ", ".join(chain) + "]"
    protected = [s for s, tier in zip(chain, tiers, strict=True) if tier == "cp"]
    lines = ["events:"]
    for i in range(len(chain) - 1):
        lower, upper = chain[i], chain[i + 1]
        lines.append(f"  step_up_{i:02d}: {{kind: step_up, from: {lower}, to: {upper}}}")
        guard = ""
        if tiers[i + 1] == "cp" and _RANK[tiers[i]] < _RANK["cp"]:
            guard = ', guard: "held(handover)"'
        lines.append(f"  step_down_{i:02d}: {{kind: step_down, from: {upper}, to: {lower}{guard}}}")
    in_cp = "[" + ", ".join(protected) + "]"
    lines.append(f"  hold_handover: {{kind: meeting, from: {in_cp}, at: handover}}")
    close_guard = f', guard: "{_all(checks)}"' if checks else ""
    lines.append(f"  close_case: {{kind: close, from: {chain[0]}, to: closed{close_guard}}}")
    lines.append(f"  dispute_raised: {{kind: escalate, from: {every}}}")
    for j in (f"{j:02d}" for j in range(teams)):
        lines.append(f"  refer_to_team_{j}: {{kind: transfer, from: {every}, owner: tray_{j}}}")
        lines.append(
            f"  allocate_in_team_{j}: "
            f'{{kind: allocate, from: {every}, guard: "owner == tray_{j}", owner: worker_{j}}}'
        )
    for check in checks:
        lines.append(
            f"  complete_{check}: {{kind: other, from: {every}, "
            f'guard: "not {check}", effect: {{{check}: true}}}}'
        )
        lines.append(
            f"  reopen_{check}: {{kind: other, from: {every}, "
            f'guard: "{check}", effect: {{{check}: false}}}}'
        )
    return lines


def _deadlines(chain: list[str], teams: int, timers: int) -> list[str]:
    """Even timers: allocate within 1-3 working days of a referral; odd: leave a stage
    within a month. The duration depends only on anchor and obligation, so two timers
    for the same milestone never disagree (no SPEC214 finding)."""
    if timers == 0:
        return []
    lines = ["deadlines:"]
    for k in range(timers):
        if k % 2 == 0:
            j = (k // 2) % teams
            lines.append(
                f"  allocate_team_{j:02d}_timer_{k:02d}: {{within: {1 + j % 3} wd, "
                f"anchor: refer_to_team_{j:02d}, obligation: allocate_in_team_{j:02d}, "
                "consequence: case_dispute}"
            )
            continue
        anchor = 1 + (k // 2) % (len(chain) - 1)
        leave = [chain[anchor - 1]] + ([chain[anchor + 1]] if anchor + 1 < len(chain) else [])
        lines.append(
            f"  leave_{chain[anchor]}_timer_{k:02d}: {{within: 1 month, anchor: {chain[anchor]}, "
            f"obligation: [{', '.join(leave)}], consequence: case_dispute}}"
        )
    return [*lines, ""]


def _escalation(teams: int, levels: int) -> list[str]:
    """One ladder: team managers in turn, then the service manager, then the head decides."""
    lines = ["escalations:", "  case_dispute:", "    trigger: dispute_raised", "    levels:"]
    last = f"level_{levels - 1:03d}"
    for i in range(levels - 1):
        who = "service_manager" if i == levels - 2 else f"manager_{i % teams:02d}"
        lines.append(f"      - {{id: level_{i:03d}, who: {who}, within: {1 + i % 3} wd}}")
    lines.append(
        f"      - {{id: {last}, who: head_of_service, within: {1 + (levels - 1) % 3} wd, "
        "decides: true}"
    )
    lines += [f"    final_authority: {last}", "    tie_break: not_needed"]
    return lines
