"""Synthetic specs for the checker's scaling run, grown along three axes.

    text = generate_spec(statuses=8, teams=2, timers=4)
    spec = load_spec_text(text, "<generated>")

- **statuses**: a chain of open statuses joined by step-up and step-down events, tiers
  rising from early help to child protection, plus one final `closed` status;
- **teams**: each team has an allocated owner (`worker_NN`), a team tray (`tray_NN`) and
  a manager; a case can be referred to any team's tray and allocated from it;
- **timers**: working-day deadlines, each anchored on entering a chain status and met by
  leaving it for a neighbouring one.

Every spec has one escalation ladder whose levels have working-day limits, an
`on_demand` handover meeting that every step down out of child protection requires,
and the three mission properties. The text is deterministic (no randomness), so a
size names one spec.
"""

from __future__ import annotations

__all__ = ["generate_spec"]

_TIERS = ("early_help", "targeted", "assessment", "cin", "cp")
_RANK = {tier: rank for rank, tier in enumerate(_TIERS)}


def generate_spec(*, statuses: int, teams: int, timers: int) -> str:
    """The YAML text of a valid spec with `statuses` statuses, `teams` teams and `timers` deadlines.

    `statuses` counts the final `closed` status, so the chain has `statuses - 1` open ones.

    >>> "stage_02" in generate_spec(statuses=4, teams=1, timers=0)
    True
    """
    if statuses < 3 or teams < 1 or timers < 0:
        raise ValueError("need statuses >= 3, teams >= 1 and timers >= 0")
    chain = [f"stage_{i:02d}" for i in range(statuses - 1)]
    tiers = [_TIERS[round(i * (len(_TIERS) - 1) / (len(chain) - 1))] for i in range(len(chain))]
    lines = [
        "stepcheck: 1",
        "authority:",
        f"  id: generated_s{statuses}_t{teams}_d{timers}",
        f"  name: Generated spec ({statuses} statuses, {teams} teams, {timers} timers)",
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
        *_events(chain, tiers, teams),
        "",
        *_deadlines(chain, timers),
        "",
        *_escalations(teams),
        "",
        "properties:",
        "  no_unowned_case: {}",
        "  escalation_terminates: {}",
        "  cp_step_down_requires_meeting: {meetings: handover}",
    ]
    return "\n".join(lines) + "\n"


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


def _events(chain: list[str], tiers: list[str], teams: int) -> list[str]:
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
    lines.append(f"  close_case: {{kind: close, from: {chain[0]}, to: closed}}")
    lines.append(f"  dispute_raised: {{kind: escalate, from: {every}}}")
    for j in (f"{j:02d}" for j in range(teams)):
        lines.append(f"  refer_to_team_{j}: {{kind: transfer, from: {every}, owner: tray_{j}}}")
        lines.append(
            f"  allocate_in_team_{j}: "
            f'{{kind: allocate, from: {every}, guard: "owner == tray_{j}", owner: worker_{j}}}'
        )
    return lines


def _deadlines(chain: list[str], timers: int) -> list[str]:
    if timers == 0:
        return []
    lines = ["deadlines:"]
    for k in range(timers):
        anchor = 1 + k % (len(chain) - 1)
        leave = [chain[anchor - 1]] + ([chain[anchor + 1]] if anchor + 1 < len(chain) else [])
        lines.append(
            f"  leave_{chain[anchor]}_timer_{k:02d}: "
            f"{{within: {1 + k % 3} wd, anchor: {chain[anchor]}, "
            f"obligation: [{', '.join(leave)}], consequence: case_dispute}}"
        )
    return lines


def _escalations(teams: int) -> list[str]:
    managers = ", ".join(f"manager_{j:02d}" for j in range(min(teams, 2)))
    return [
        "escalations:",
        "  case_dispute:",
        "    trigger: dispute_raised",
        "    levels:",
        f"      - {{id: managers_discuss, who: [{managers}], within: 1 working day}}",
        "      - {id: service_manager_reviews, who: service_manager, within: 2 working days}",
        "      - {id: head_decides, who: head_of_service, within: 3 working days, decides: true}",
        "    final_authority: head_decides",
        "    tie_break: not_needed",
    ]
