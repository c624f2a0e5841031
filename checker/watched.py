"""Which steps the meeting properties watch, decided once for the explorer and the witness.

`cp_step_down_requires_meeting` watches a step out of its tiers (CP by default) to a
lower tier (or to `to_tiers`); `requires_meeting` watches every step of its `kinds`
(any kind when it names none) from its `tiers` (when it names some) that is not one
of its `except` events and, with `between_teams`, that moves the case from one team's
owner to another team's (an owner the document does not name may be of any team).
Either is broken by a watched step taken neither at one of the property's meetings nor
while one of them is held. The Z3 watch
(`watch.StepDownWatch`) and the Promela export encode the same test symbolically.
"""

from __future__ import annotations

from typing import Final

from stepcheck.spec.model import Event, OwnerKind, Property, PropertyKind, ProtocolSpec, Tier

__all__ = ["UNKNOWN_TEAM", "kind_watched", "moves_team", "team_moves", "team_of", "unmet_step"]


def unmet_step(
    spec: ProtocolSpec,
    prop: Property,
    *,
    event: str,
    source: str,
    target: str,
    held: tuple[str, ...],
    owners: tuple[str, str] | None = None,
) -> bool:
    """Whether `event`, taken from status `source` to `target` with `held` meetings
    held before it, is a watched step with none of the property's meetings. `owners`
    (the case's owner before and after the step) is needed by `between_teams`."""
    taken = spec.event_by_id(event)
    before = spec.status_by_id(source).tier
    if prop.kind is PropertyKind.REQUIRES_MEETING:
        watched = kind_watched(prop, taken) and (not prop.tiers or before in prop.tiers)
        if watched and prop.between_teams:
            assert owners is not None, "between_teams reads the owners before and after"
            watched = moves_team(*(team_of(spec, owner) for owner in owners))
    else:
        after = spec.status_by_id(target).tier
        down = after in prop.to_tiers if prop.to_tiers else after.rank < before.rank
        watched = before in (prop.tiers or (Tier.CP,)) and down
    return watched and not {*held, taken.at} & set(prop.meetings)


def kind_watched(prop: Property, event: Event) -> bool:
    """For `requires_meeting`: whether steps of `event` can be watched at all (its kind
    is one of the property's, or it names none; it is not exempt)."""
    return (not prop.kinds or event.kind in prop.kinds) and event.id not in prop.exempt


def team_of(spec: ProtocolSpec, owner_id: str) -> str | None:
    """The team an owner belongs to: its `team`; `UNKNOWN_TEAM` for an owner the
    document does not name (kind `unspecified`); None for owners outside every team
    (nobody, a meeting, and an external body even where it names its agency's team)."""
    owner = spec.owner_by_id(owner_id)
    if owner.kind is OwnerKind.EXTERNAL:
        return None  # a partner agency or another authority: not one of the teams
    if owner.team is None and owner.kind is OwnerKind.UNSPECIFIED:
        return UNKNOWN_TEAM
    return owner.team


UNKNOWN_TEAM: Final = "?"
"""The team of an owner the document does not name: it may be any team."""


def moves_team(old: str | None, new: str | None) -> bool:
    """A step from an owner of team `old` to one of team `new` moves the case between
    teams: both are in some team, and the teams differ or one of them is not named."""
    return old is not None and new is not None and old != new


def team_moves(spec: ProtocolSpec) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """For the symbolic engines: (owners of one team, the owners a step from them to
    moves the case between teams), one pair per team (`UNKNOWN_TEAM` included)."""
    teams: dict[str, list[str]] = {}
    for owner in spec.owners:
        team = team_of(spec, owner.id)
        if team is not None:
            teams.setdefault(team, []).append(owner.id)
    return tuple(
        (
            tuple(members),
            tuple(
                other
                for team_else, others in teams.items()
                if moves_team(team, team_else)
                for other in others
            ),
        )
        for team, members in teams.items()
    )
