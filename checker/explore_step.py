"""The finite model's steps, by plain enumeration: events, dispute steps and ticks.

`spec/SEMANTICS.md` ("The checker's finite model") is the contract; each function
below implements one paragraph of it and says which. `checker.explore` wraps a
`Stepper` for callers that speak named states. Written from the semantics alone, so
that it can check the Z3 encoding rather than repeat it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import product
from typing import TypeVar

from attrs import field, frozen

from stepcheck.checker.explore_rules import (
    MAX_CHOICES,
    Start,
    TooManyChoices,
    can_decide,
    dispute_steps,
    escalation_target,
    fits,
    made,
    meets,
    opened,
    opening,
    picked_value,
    placeholder,
    starts,
    ticks,
)
from stepcheck.checker.explore_state import (
    CLOSED,
    SHUT,
    Config,
    ConfigEnvironment,
    Dispute,
    Layout,
    Window,
)
from stepcheck.spec.duration import Duration
from stepcheck.spec.expr import IntType, apply_assignments
from stepcheck.spec.expr import Value as ExprValue
from stepcheck.spec.model import (
    NO_OWNER,
    PREVIOUS_OWNER,
    UNSPECIFIED,
    Deadline,
    Direction,
    Event,
    Reading,
    Status,
)
from stepcheck.spec.precedence import pre_empted
from stepcheck.spec.timing import Interval
from stepcheck.spec.trace import StepKind

__all__ = ["Label", "Stepper"]

Label = tuple[StepKind, str | None]
_T = TypeVar("_T")
_K = TypeVar("_K")
_TICK: Label = (StepKind.TICK, None)
_MEMO_LIMIT = 250_000


@frozen(kw_only=True)
class _Timer:
    """A timed deadline with the sets its step rules test, computed once."""

    deadline: Deadline
    starts: list[int | None]
    anchor: frozenset[str]
    obligation: frozenset[str]
    statuses: frozenset[str]

    def leaves_anchor(self, status: str, new_status: str) -> bool:
        """A step from `status` to `new_status` leaves the anchor statuses (stopping the clock)."""
        return status in self.statuses and new_status not in self.statuses


@frozen(kw_only=True)
class Stepper:
    """The initial configurations and the step relation of one spec under one reading.

    Successors are remembered (up to `_MEMO_LIMIT` configurations), since each
    property's search walks the same model again.
    """

    layout: Layout
    reading: Reading
    comply: bool = True
    _timers: tuple[_Timer, ...] = field(init=False, eq=False, repr=False)
    _statuses: dict[str, Status] = field(init=False, eq=False, repr=False)
    _memo: dict[Config, list[tuple[Label, Config]]] = field(
        init=False, factory=dict, eq=False, repr=False
    )
    _bounds: dict[Duration, Interval] = field(init=False, factory=dict, eq=False, repr=False)
    _directions: tuple[int, ...] = field(init=False, eq=False, repr=False)
    """Each timed deadline's floor: a `not_before` stops at 0, others at -1 (past)."""

    @_timers.default
    def _timed_deadlines(self) -> tuple[_Timer, ...]:
        spec, timing = self.layout.spec, self.layout.timing
        statuses = frozenset(status.id for status in spec.statuses)
        return tuple(
            _Timer(
                deadline=(deadline := spec.deadline_by_id(deadline_id)),
                starts=starts(timing.deadlines[deadline_id]),
                anchor=frozenset(deadline.anchor),
                obligation=frozenset(deadline.obligation),
                statuses=statuses & frozenset(deadline.anchor),
            )
            for deadline_id in self.layout.deadlines
        )

    @_directions.default
    def _floors(self) -> tuple[int, ...]:
        return tuple(
            0 if timer.deadline.direction is Direction.NOT_BEFORE else -1 for timer in self._timers
        )

    @_statuses.default
    def _statuses_by_id(self) -> dict[str, Status]:
        return {status.id: status for status in self.layout.spec.statuses}

    def initial(self) -> list[Config]:
        """Every initial configuration: an initial status, and every meeting phase."""
        spec, layout = self.layout.spec, self.layout
        phases = [range(layout.timing.meetings[m]) for m in layout.meetings]
        return [
            Config(
                status=status.id,
                owner=status.owner or UNSPECIFIED.value,
                co_owner=NO_OWNER,
                previous_owner=NO_OWNER,
                variables=tuple(variable.initial for variable in spec.variables),
                held=(),
                deadlines=tuple(None for _ in layout.deadlines),
                disputes=tuple(CLOSED for _ in layout.escalations),
                windows=tuple(SHUT for _ in layout.rereferrals),
                phases=tuple(chosen),
            )
            for status in spec.initial_statuses
            for chosen in product(*phases)
        ]

    def successors(self, config: Config) -> list[tuple[Label, Config]]:
        """Every step from `config`, one entry per nondeterministic choice, without repeats."""
        found = self._memo.get(config)
        if found is None:
            if len(self._memo) >= _MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[config] = self._steps(config)
        return list(found)

    def _steps(self, config: Config) -> list[tuple[Label, Config]]:
        enabled = self._enabled_events(config)
        steps: list[tuple[Label, Config]] = []
        for event, updates in enabled:
            steps += [
                ((StepKind.EVENT, event.id), after) for after in self._fire(event, updates, config)
            ]
        steps += dispute_steps(self.layout, config)
        if not self._tick_blocked(config, [event for event, _ in enabled]):
            steps += [(_TICK, after) for after in ticks(self.layout, self._directions, config)]
        return list(dict.fromkeys(steps))

    # -- events: "When an event can happen" and "Events" -----------------------------

    def _enabled_events(self, config: Config) -> list[tuple[Event, dict[str, ExprValue]]]:
        """Each enabled event with the new values of the variables its effects set; an
        event that gives way to another by an enforced precedence is not enabled."""
        env = ConfigEnvironment(layout=self.layout, config=config)
        found = []
        for event in self.layout.spec.events:
            if event.sources_from and config.status not in event.sources_from:
                continue
            if not self._guards_hold(event, env) or not self._meeting_sits(event, config):
                continue
            updates = apply_assignments(event.effects, env)
            if self._in_range(updates) and not self._held_back(event, config):
                found.append((event, updates))
        giving_way = pre_empted(self.layout.spec, {e.id for e, _ in found}, self.reading.enforces)
        return [(event, updates) for event, updates in found if event.id not in giving_way]

    def _guards_hold(self, event: Event, env: ConfigEnvironment) -> bool:
        return all(
            self.layout.holds(guard.condition, env.config)
            for guard in event.guards
            if self.reading.enforces(guard.modality)
        )

    def _meeting_sits(self, event: Event, config: Config) -> bool:
        """An event `at` a periodic meeting needs its phase at 0; other meetings sit any day."""
        if event.at is None or event.at not in self.layout.meetings:
            return True
        return config.phases[self.layout.meetings.index(event.at)] == 0

    def _in_range(self, updates: dict[str, ExprValue]) -> bool:
        """Every int variable an effect sets stays inside its range."""
        return all(
            fits(variable.type, updates[variable.id])
            for variable in self.layout.spec.variables
            if isinstance(variable.type, IntType) and variable.id in updates
        )

    def _held_back(self, event: Event, config: Config) -> bool:
        """An enforced `not_before` deadline with `event` among its obligations is still running."""
        return any(
            self._enforced(deadline, Direction.NOT_BEFORE)
            and event.id in deadline.obligation
            and r is not None
            and r > 0
            for deadline, r in self._deadlines(config)
        )

    def _enforced(self, deadline: Deadline, direction: Direction) -> bool:
        return deadline.direction is direction and self.reading.enforces(deadline.modality)

    def _fire(
        self, event: Event, updates: dict[str, ExprValue], before: Config
    ) -> Iterator[Config]:
        """Every configuration `event` can lead to: each owner it may route to, and each
        start value of the timers it starts (timers of one duration start equal)."""
        status = event.target or before.status
        for owner in self._new_owners(event, before, status):
            core = before._replace(
                status=status,
                owner=owner,
                previous_owner=before.owner if owner != before.owner else before.previous_owner,
                co_owner=event.co_owner or before.co_owner,
                variables=tuple(
                    updates.get(name, value)
                    for name, value in zip(self.layout.variables, before.variables, strict=True)
                ),
                held=self._new_held(event, before, status),
            )
            disputes = self._dispute_plans(event, before)
            # Conditions read the new state, except `overdue` and `in_window` (the old).
            opened = core._replace(disputes=tuple(placeholder(part) for part in disputes))
            windows = self._window_plans(event, before, opened)
            deadlines = self._deadline_plans(event, before, opened._replace(windows=before.windows))
            started = {
                d
                for part in (*disputes, *windows, *deadlines)
                if isinstance(part, Start)
                for d in part.durations
            }
            if not started:
                yield opened._replace(
                    windows=tuple(made(part, {}) for part in windows),
                    deadlines=tuple(made(part, {}) for part in deadlines),
                )
                continue
            durations = sorted(started, key=str)
            ranges = [range(self._bounds[d][0], self._bounds[d][1] + 1) for d in durations]
            if math.prod(len(values) for values in ranges) > MAX_CHOICES:
                raise TooManyChoices(f"'{event.id}' starts timers in too many ways")
            for values in product(*ranges):
                pick = dict(zip(durations, values, strict=True))
                yield opened._replace(
                    disputes=tuple(made(part, pick) for part in disputes),
                    windows=tuple(made(part, pick) for part in windows),
                    deadlines=tuple(made(part, pick) for part in deadlines),
                )

    def _new_owners(self, event: Event, before: Config, status: str) -> list[str]:
        """Re-referral routing first, then the event's owner, then the entered status's.

        A rule whose window is open routes the case when it binds under the reading; one
        that does not bind (should under the must reading, or may) may be followed or not.
        """
        owners: list[str] = []
        for rule, window in zip(self.layout.spec.rereferrals, before.windows, strict=True):
            if rule.event != event.id or window.timer is None:
                continue
            if rule.route_to != PREVIOUS_OWNER:
                owners.append(rule.route_to)
            else:
                assert window.owner is not None, "an open window records an owner"
                owners.append(window.owner)
            if self.reading.enforces(rule.modality):
                return list(dict.fromkeys(owners))
        if event.owner is not None:
            owner = before.previous_owner if event.owner == PREVIOUS_OWNER else event.owner
        elif status != before.status and self._statuses[status].owner is not None:
            owner = str(self._statuses[status].owner)
        else:
            owner = before.owner
        return list(dict.fromkeys([*owners, owner]))

    def _new_held(self, event: Event, before: Config, status: str) -> tuple[str, ...]:
        same_tier = self._statuses[status].tier is self._statuses[before.status].tier
        held = set(before.held) if same_tier else set()
        if event.at is not None:
            held.add(event.at)
        return tuple(sorted(held))

    def _dispute_plans(self, event: Event, before: Config) -> list[Dispute | Start]:
        """Per ladder: a resolution closes it; a trigger opens a closed one at its first level."""
        plans: list[Dispute | Start] = []
        for ladder, dispute in zip(self.layout.spec.escalations, before.disputes, strict=True):
            if event.id in ladder.resolution:
                plans.append(CLOSED)
            elif event.id in ladder.trigger and dispute.level is None:
                first = ladder.levels[0]
                level = self._limit(first.within, (ladder.id, first.id), self.layout.timing.levels)
                whole = self._limit(ladder.within, ladder.id, self.layout.timing.disputes)
                plans.append(
                    Start(
                        placeholder=Dispute(first.id, None, None),
                        durations=tuple(d for d in (level, whole) if d is not None),
                        make=partial(opening, first.id, level, whole),
                    )
                )
            else:
                plans.append(dispute)
        return plans

    def _window_plans(self, event: Event, before: Config, after: Config) -> list[Window | Start]:
        """Per re-referral rule: an anchor whose condition holds (re)opens the window."""
        plans: list[Window | Start] = []
        for rule, window in zip(self.layout.spec.rereferrals, before.windows, strict=True):
            opens = event.id in rule.anchor and (
                rule.condition is None or self.layout.holds(rule.condition, after)
            )
            if opens:
                self._bounds.setdefault(rule.window, self.layout.timing.windows[rule.id])
                plans.append(
                    Start(
                        placeholder=window,
                        durations=(rule.window,),
                        make=partial(opened, rule.window, before.owner),
                    )
                )
            else:
                plans.append(window)
        return plans

    def _deadline_plans(
        self, event: Event, before: Config, reads: Config
    ) -> list[int | Start | None]:
        """Per timed deadline, in this order: start, met, left, unchanged."""
        entered = reads.status if reads.status != before.status else None
        happened = {event.id, entered}
        plans: list[int | Start | None] = []
        for timer, r in zip(self._timers, before.deadlines, strict=True):
            condition = timer.deadline.condition
            if not timer.anchor.isdisjoint({*happened, event.at}) and (
                condition is None or self.layout.holds(condition, reads)
            ):
                plans.append(self._starting(timer))
            elif r is not None and not timer.obligation.isdisjoint(happened):
                plans.append(self._starting(timer) if timer.deadline.recurring else None)
            elif r is not None and timer.leaves_anchor(before.status, reads.status):
                plans.append(None)
            else:
                plans.append(r)
        return plans

    def _starting(self, timer: _Timer) -> Start:
        duration = timer.deadline.within
        assert isinstance(duration, Duration), "timed deadlines have a duration"
        self._bounds.setdefault(duration, self.layout.timing.deadlines[timer.deadline.id])
        return Start(placeholder=None, durations=(duration,), make=partial(picked_value, duration))

    def _limit(self, duration: object, key: _K, table: Mapping[_K, Interval]) -> Duration | None:
        """The duration of a dispute limit that has a working-day interval, else None."""
        if key not in table or not isinstance(duration, Duration):
            return None
        self._bounds.setdefault(duration, table[key])
        return duration

    # -- ticks -------------------------------------------------------------------------

    def _tick_blocked(self, config: Config, enabled: Sequence[Event]) -> bool:
        """The actors comply: an enforced deadline is due and can be met, or a limit ran out.

        Without `comply` (deadlines may be missed) nothing blocks time."""
        if not self.comply:
            return False
        for deadline, r in self._deadlines(config):
            due = (r == 0 or (deadline.eager and r is not None and r >= 0)) and self._enforced(
                deadline, Direction.AFTER
            )
            if due and any(meets(event, deadline, config.status) for event in enabled):
                return True
        for ladder, dispute in zip(self.layout.spec.escalations, config.disputes, strict=True):
            if dispute.level is None or 0 not in (dispute.level_timer, dispute.dispute_timer):
                continue
            level = ladder.level_by_id(dispute.level)
            if escalation_target(ladder, level) is not None or can_decide(ladder, level):
                return True
        return False

    def _deadlines(self, config: Config) -> Iterable[tuple[Deadline, int | None]]:
        """Each timed deadline with its countdown in `config`."""
        return zip((timer.deadline for timer in self._timers), config.deadlines, strict=True)
