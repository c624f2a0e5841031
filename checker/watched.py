"""Which steps the meeting properties watch, decided once for the explorer and the witness.

`cp_step_down_requires_meeting` watches a step out of its tiers (CP by default) to a
lower tier (or to `to_tiers`); `requires_meeting` watches every step of its `kinds`
(from its `tiers`, when it names some). Either is broken by a watched step taken
neither at one of the property's meetings nor while one of them is held. The Z3 watch
(`watch.StepDownWatch`) and the Promela export encode the same test symbolically.
"""

from __future__ import annotations

from stepcheck.spec.model import Property, PropertyKind, ProtocolSpec, Tier

__all__ = ["unmet_step"]


def unmet_step(
    spec: ProtocolSpec,
    prop: Property,
    *,
    event: str,
    source: str,
    target: str,
    held: tuple[str, ...],
) -> bool:
    """Whether `event`, taken from status `source` to `target` with `held` meetings
    held before it, is a watched step with none of the property's meetings."""
    taken = spec.event_by_id(event)
    before = spec.status_by_id(source).tier
    if prop.kind is PropertyKind.REQUIRES_MEETING:
        watched = taken.kind in prop.kinds and (not prop.tiers or before in prop.tiers)
    else:
        after = spec.status_by_id(target).tier
        down = after in prop.to_tiers if prop.to_tiers else after.rank < before.rank
        watched = before in (prop.tiers or (Tier.CP,)) and down
    return watched and not {*held, taken.at} & set(prop.meetings)
