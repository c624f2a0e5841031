"""The finite model's steps, by plain enumeration: events, dispute steps and ticks.

`spec/SEMANTICS.md` ("The checker's finite model") is the contract; each function
below implements one paragraph of it and says which. `checker.explore` wraps a
`Stepper` for callers that speak named states. Written from the semantics alone, so
that it can check the Z3 encoding rather than repeat it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from itertools import product
from typing import Any, TypeVar

from attrs import field, frozen

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
    NOT_NEEDED,
    PREVIOUS_OWNER,
    UNSPECIFIED,
    Deadline,
    Direction,
    Escalation,
    EscalationLevel,
    Event,
    Reading,
    Status,
)
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

    @_timers.default
    def _timed_deadlines(self) -> tuple[_Timer, ...]:
        spec, timing = self.layout.spec, self.layout.timing
        statuses = frozenset(status.id for status in spec.statuses)
        return tuple(
            _Timer(
                deadline=(deadline := spec.deadline_by_id(deadline_id)),
                starts=_starts(timing.deadlines[deadline_id]),
                anchor=frozenset(deadline.anchor),
                obligation=frozenset(deadline.obligation),
                statuses=statuses & frozenset(deadline.anchor),
            )
            for deadline_id in self.layout.deadlines
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
        steps += self._dispute_steps(config)
        if not self._tick_blocked(config, [event for event, _ in enabled]):
            steps += [(_TICK, after) for after in self._ticks(config)]
        return list(dict.fromkeys(steps))

    # -- events: "When an event can happen" and "Events" -----------------------------

    def _enabled_events(self, config: Config) -> list[tuple[Event, dict[str, ExprValue]]]:
        """Each enabled event with the new values of the variables its effects set."""
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
        return found

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
            _fits(variable.type, updates[variable.id])
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
            opened = core._replace(disputes=tuple(_placeholder(part) for part in disputes))
            windows = self._window_plans(event, before, opened)
            deadlines = self._deadline_plans(event, before, opened._replace(windows=before.windows))
            started = {
                d
                for part in (*disputes, *windows, *deadlines)
                if isinstance(part, _Start)
                for d in part.durations
            }
            if not started:
                yield opened._replace(
                    windows=tuple(_made(part, {}) for part in windows),
                    deadlines=tuple(_made(part, {}) for part in deadlines),
                )
                continue
            durations = sorted(started, key=str)
            ranges = [range(self._bounds[d][0], self._bounds[d][1] + 1) for d in durations]
            for values in product(*ranges):
                pick = dict(zip(durations, values, strict=True))
                yield opened._replace(
                    disputes=tuple(_made(part, pick) for part in disputes),
                    windows=tuple(_made(part, pick) for part in windows),
                    deadlines=tuple(_made(part, pick) for part in deadlines),
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

    def _dispute_plans(self, event: Event, before: Config) -> list[Dispute | _Start]:
        """Per ladder: a resolution closes it; a trigger opens a closed one at its first level."""
        plans: list[Dispute | _Start] = []
        for ladder, dispute in zip(self.layout.spec.escalations, before.disputes, strict=True):
            if event.id in ladder.resolution:
                plans.append(CLOSED)
            elif event.id in ladder.trigger and dispute.level is None:
                first = ladder.levels[0]
                level = self._limit(first.within, (ladder.id, first.id), self.layout.timing.levels)
                whole = self._limit(ladder.within, ladder.id, self.layout.timing.disputes)
                plans.append(
                    _Start(
                        placeholder=Dispute(first.id, None, None),
                        durations=tuple(d for d in (level, whole) if d is not None),
                        make=partial(_opening, first.id, level, whole),
                    )
                )
            else:
                plans.append(dispute)
        return plans

    def _window_plans(self, event: Event, before: Config, after: Config) -> list[Window | _Start]:
        """Per re-referral rule: an anchor whose condition holds (re)opens the window."""
        plans: list[Window | _Start] = []
        for rule, window in zip(self.layout.spec.rereferrals, before.windows, strict=True):
            opens = event.id in rule.anchor and (
                rule.condition is None or self.layout.holds(rule.condition, after)
            )
            if opens:
                self._bounds.setdefault(rule.window, self.layout.timing.windows[rule.id])
                plans.append(
                    _Start(
                        placeholder=window,
                        durations=(rule.window,),
                        make=partial(_opened, rule.window, before.owner),
                    )
                )
            else:
                plans.append(window)
        return plans

    def _deadline_plans(
        self, event: Event, before: Config, reads: Config
    ) -> list[int | _Start | None]:
        """Per timed deadline, in this order: start, met, left, unchanged."""
        entered = reads.status if reads.status != before.status else None
        happened = {event.id, entered}
        plans: list[int | _Start | None] = []
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

    def _starting(self, timer: _Timer) -> _Start:
        duration = timer.deadline.within
        assert isinstance(duration, Duration), "timed deadlines have a duration"
        self._bounds.setdefault(duration, self.layout.timing.deadlines[timer.deadline.id])
        return _Start(placeholder=None, durations=(duration,), make=partial(_value, duration))

    def _limit(self, duration: object, key: _K, table: Mapping[_K, Interval]) -> Duration | None:
        """The duration of a dispute limit that has a working-day interval, else None."""
        if key not in table or not isinstance(duration, Duration):
            return None
        self._bounds.setdefault(duration, table[key])
        return duration

    # -- disputes: escalate and decide -------------------------------------------------

    def _dispute_steps(self, config: Config) -> list[tuple[Label, Config]]:
        steps: list[tuple[Label, Config]] = []
        for index, (ladder, dispute) in enumerate(
            zip(self.layout.spec.escalations, config.disputes, strict=True)
        ):
            if dispute.level is None:
                continue
            level = ladder.level_by_id(dispute.level)
            target = _escalation_target(ladder, level)
            if target is not None:
                for timer in _starts(self.layout.timing.levels.get((ladder.id, target))):
                    moved = Dispute(target, timer, dispute.dispute_timer)
                    steps.append(
                        ((StepKind.ESCALATE, ladder.id), _with_dispute(config, index, moved))
                    )
            if _can_decide(ladder, level):
                steps.append(((StepKind.DECIDE, ladder.id), _with_dispute(config, index, CLOSED)))
        return steps

    # -- ticks -------------------------------------------------------------------------

    def _tick_blocked(self, config: Config, enabled: Sequence[Event]) -> bool:
        """The actors comply: an enforced deadline is due and can be met, or a limit ran out.

        Without `comply` (deadlines may be missed) nothing blocks time."""
        if not self.comply:
            return False
        for deadline, r in self._deadlines(config):
            due = r == 0 and self._enforced(deadline, Direction.AFTER)
            if due and any(_meets(event, deadline, config.status) for event in enabled):
                return True
        for ladder, dispute in zip(self.layout.spec.escalations, config.disputes, strict=True):
            if dispute.level is None or 0 not in (dispute.level_timer, dispute.dispute_timer):
                continue
            level = ladder.level_by_id(dispute.level)
            if _escalation_target(ladder, level) is not None or _can_decide(ladder, level):
                return True
        return False

    def _ticks(self, config: Config) -> list[Config]:
        """A working day passes: every timer counts down, every periodic meeting moves on."""
        deadlines = tuple(
            None
            if r is None
            else max(r - 1, 0 if deadline.direction is Direction.NOT_BEFORE else -1)
            for deadline, r in self._deadlines(config)
        )
        disputes = tuple(
            Dispute(d.level, _count_down(d.level_timer), _count_down(d.dispute_timer))
            for d in config.disputes
        )
        windows = tuple(
            SHUT if w.timer is None or w.timer == 0 else Window(w.timer - 1, w.owner)
            for w in config.windows
        )
        after = config._replace(deadlines=deadlines, disputes=disputes, windows=windows)
        phase_options = [
            _next_phases(
                phase, self.layout.timing.meetings[meeting], self.layout.timing.least_gaps[meeting]
            )
            for meeting, phase in zip(self.layout.meetings, config.phases, strict=True)
        ]
        return [after._replace(phases=tuple(phases)) for phases in product(*phase_options)]

    def _deadlines(self, config: Config) -> Iterable[tuple[Deadline, int | None]]:
        """Each timed deadline with its countdown in `config`."""
        return zip((timer.deadline for timer in self._timers), config.deadlines, strict=True)


def _fits(kind: IntType, value: ExprValue) -> bool:
    return isinstance(value, int) and kind.contains(value)


def _meets(event: Event, deadline: Deadline, status: str) -> bool:
    """Whether `event`, happening now in `status`, is an obligation of `deadline`."""
    if event.id in deadline.obligation:
        return True
    return (
        event.target is not None and event.target != status and event.target in deadline.obligation
    )


def _escalation_target(ladder: Escalation, level: EscalationLevel) -> str | None:
    """The level an `escalate` step goes to: `next`, else the following one; None if none."""
    if level.external is not None:
        return None
    if level.next is not None:
        return level.next
    index = ladder.levels.index(level)
    return ladder.levels[index + 1].id if index + 1 < len(ladder.levels) else None


def _can_decide(ladder: Escalation, level: EscalationLevel) -> bool:
    """A deciding, internal level decides when one person decides or a tie-break is named."""
    if not level.decides or level.external is not None:
        return False
    names_a_role = isinstance(ladder.tie_break, str) and ladder.tie_break != NOT_NEEDED
    return len(level.who) <= 1 or names_a_role


def _with_dispute(config: Config, index: int, dispute: Dispute) -> Config:
    disputes = list(config.disputes)
    disputes[index] = dispute
    return config._replace(disputes=tuple(disputes))


def _starts(bounds: Interval | None) -> list[int | None]:
    """The values a countdown can start at: any in `[lo, hi]`, or None without a limit."""
    if bounds is None:
        return [None]
    lo, hi = bounds
    return list(range(lo, hi + 1))


def _count_down(r: int | None) -> int | None:
    return None if r is None else max(r - 1, -1)


def _next_phases(phase: int, period: int, least: int) -> list[int]:
    """A periodic meeting sits on the new day (0), at least `least` days after it last
    sat, or has not sat for one day more, at most `period - 1` days in all."""
    return [0] * (phase + 1 >= least) + [phase + 1] * (phase + 1 <= period - 1)


@frozen(kw_only=True)
class _Start:
    """A part of the state an event sets by starting timers: made from the start values
    picked for their durations (`placeholder` stands in until then)."""

    placeholder: object
    durations: tuple[Duration, ...]
    make: Callable[[dict[Duration, int]], Any]


def _placeholder(part: _T | _Start) -> Any:
    return part.placeholder if isinstance(part, _Start) else part


def _made(part: _T | _Start, pick: dict[Duration, int]) -> Any:
    return part.make(pick) if isinstance(part, _Start) else part


def _value(duration: Duration, pick: dict[Duration, int]) -> int:
    return pick[duration]


def _picked(pick: dict[Duration, int], duration: Duration | None) -> int | None:
    return None if duration is None else pick[duration]


def _opening(
    level: str, limit: Duration | None, whole: Duration | None, pick: dict[Duration, int]
) -> Dispute:
    """A dispute opened at `level`, its limits started at the values picked."""
    return Dispute(level, _picked(pick, limit), _picked(pick, whole))


def _opened(duration: Duration, owner: str | None, pick: dict[Duration, int]) -> Window:
    """A re-referral window opened for `duration`, recording `owner`."""
    return Window(pick[duration], owner)
