"""The events axis of the generated specs: many distinct events between the same statuses.

A real protocol has several ways from one status to another (a step up after a
referral, after a strategy discussion, at a panel...), each with its own conditions.
`extra_events` adds `count` such events: they go round every ordered pair of chain
statuses, and the n-th event of a pair gets the n-th guard of a pool built from the
owner (`owner == worker_NN`), the handover meeting and the dispute, and hands the case
to a named owner. Every guard can hold, every owner is responsible, and a move out of
child protection to a lower tier always requires the handover meeting, so the spec's
properties still hold and only the number of events grows.
"""

from __future__ import annotations

from collections.abc import Mapping, Set

__all__ = ["extra_events"]

_MODIFIERS = ("", "not held(handover)", "escalating(case_dispute)", "not escalating(case_dispute)")


def extra_events(
    count: int,
    chain: list[str],
    rank: Mapping[str, int],
    protected: Set[str],
    owners: list[str],
) -> list[str]:
    """`count` YAML lines, one event each, named `route_NNNNN`.

    `rank` orders the chain statuses' tiers (which decides step up or step down),
    `protected` holds the child-protection statuses, `owners` the responsible owners.
    """
    pairs = [(a, b) for a in chain for b in chain if a != b]
    lines = []
    for k in range(count):
        pair_index = k % len(pairs)
        source, target = pairs[pair_index]
        variant = k // len(pairs)
        steps_down = rank[target] < rank[source]
        conditions = [f"owner == {owners[variant % len(owners)]}"]
        modifier = _MODIFIERS[(variant // len(owners)) % len(_MODIFIERS)]
        if source in protected and steps_down:
            # cp_step_down_requires_meeting must keep holding: the meeting is required,
            # and "not held" would make the event impossible, so it is left out.
            conditions.append("held(handover)")
            modifier = "" if modifier.startswith("not held") else modifier
        if modifier:
            conditions.append(modifier)
        kind = "step_down" if steps_down else "step_up" if rank[target] > rank[source] else "other"
        new_owner = owners[(variant + pair_index) % len(owners)]
        lines.append(
            f"  route_{k:05d}: {{kind: {kind}, from: {source}, to: {target}, "
            f'guard: "{" and ".join(conditions)}", owner: {new_owner}}}'
        )
    return lines
