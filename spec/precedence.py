"""Precedence: which events give way to which, shared by every engine.

spec/SEMANTICS.md, "Precedence": under a reading that enforces a rule, an event of
its `over` cannot happen while an event of its `route` can. "Can" is the event's own
enabling (conditions 1-5 of "When an event can happen"), never itself reduced by
precedence, so the rules need no order among themselves (the loader rejects cycles
anyway, since they would only make routes wait for each other). The Z3 encoding, the
explicit explorer, the oracle's executor and the Promela export each ask here which
rules bind an event, and test the routes in their own terms.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from stepcheck.spec.model import Modality, Precedence, ProtocolSpec

__all__ = ["giving_way", "pre_empted", "rules_over"]


def rules_over(spec: ProtocolSpec, event_id: str) -> tuple[Precedence, ...]:
    """The precedence rules that can make `event_id` give way, in spec order."""
    return tuple(rule for rule in spec.precedence if event_id in rule.over)


def giving_way(
    spec: ProtocolSpec,
    event_id: str,
    can_happen: Collection[str],
    enforces: Callable[[Modality], bool],
) -> tuple[Precedence, str] | None:
    """The first enforced rule (and its route event) that pre-empts `event_id` when the
    events in `can_happen` can happen by their own rules; None when nothing does."""
    for rule in rules_over(spec, event_id):
        if not enforces(rule.modality):
            continue
        for route in rule.route:
            if route in can_happen:
                return rule, route
    return None


def pre_empted(
    spec: ProtocolSpec, can_happen: Collection[str], enforces: Callable[[Modality], bool]
) -> frozenset[str]:
    """The events of `can_happen` that give way to another event of `can_happen`."""
    if not spec.precedence:
        return frozenset()
    return frozenset(
        event_id
        for event_id in can_happen
        if giving_way(spec, event_id, can_happen, enforces) is not None
    )
