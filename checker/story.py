"""Counterexamples as dated case stories: a `Trace` told step by step for policy reviewers.

`checker.results` (the trace of a violated property) -> here -> `checker.writers`.
Day 0 is the first working day on or after the chosen start date, and day n is n
working days after it on the England & Wales calendar, so a story skips weekends and
bank holidays and says which holidays it stepped over. Working days that pass with
nothing to report are told as one line. A `Story` is data: every sentence is plain
English, and the writers lay the scenes out.

Step indices in the data are those of `Trace.steps` (from 0); people read them as
"step 1" onwards, with the case as it starts before step 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import Enum
from typing import Final, TypeAlias, assert_never

from attrs import frozen

from stepcheck.checker.words import words_of
from stepcheck.spec import workdays
from stepcheck.spec.citations import Citation, citations_of, long_date, unique_citations
from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.model import (
    Direction,
    Escalation,
    EscalationLevel,
    Event,
    OwnerKind,
    ProtocolSpec,
    Source,
)
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep, Value

__all__ = [
    "Citation",
    "Clock",
    "ClockChange",
    "Holder",
    "Holiday",
    "Scene",
    "Story",
    "citations_of",
    "long_date",
    "tell",
]

Holiday: TypeAlias = tuple[date, str]
"""A bank holiday: its date and its name."""

_KIND_NAMES: Final = {
    OwnerKind.ALLOCATED: "allocated worker",
    OwnerKind.TEAM_TRAY: "team tray",
    OwnerKind.WAITING_LIST: "waiting list",
    OwnerKind.MEETING_QUEUE: "meeting queue",
    OwnerKind.SYSTEM_TRAY: "system tray",
    OwnerKind.EXTERNAL: "outside body",
    OwnerKind.NONE: "nobody",
    OwnerKind.UNSPECIFIED: "not stated",
}


class ClockChange(Enum):
    """What happened to a time limit at a step."""

    STARTED = "started"
    STOPPED = "stopped"
    DUE = "due"
    OVERDUE = "overdue"
    WAIT_OVER = "wait_over"
    LIMIT_PASSED = "limit_passed"


@frozen(kw_only=True)
class Clock:
    """A time limit that started, stopped, fell due or ran out at one step.

    `limit` is the deadline id, or `<escalation>` / `<escalation>.<level>` for a
    dispute's own limits.
    """

    change: ClockChange
    limit: str
    text: str
    step: int
    day: int
    date: date
    citations: tuple[Citation, ...] = ()


@frozen(kw_only=True)
class Holder:
    """Where the case is held: the owner id, its name and kind, whether anyone answers for it."""

    id: str
    name: str
    kind: OwnerKind
    responsible: bool

    @property
    def unowned(self) -> bool:
        """True when nobody is responsible for a case held here."""
        return not self.responsible

    @property
    def kind_words(self) -> str:
        """The owner's kind as a reader says it ("team tray")."""
        return _KIND_NAMES[self.kind]

    @property
    def words(self) -> str:
        """Name and kind, the kind left out when the name already says it.

        >>> Holder(id="t", name="Duty tray", kind=OwnerKind.TEAM_TRAY, responsible=True).words
        'Duty tray (team tray)'
        """
        if self.kind is OwnerKind.NONE:
            return f"nobody ('{self.id}')"
        if self.kind is OwnerKind.UNSPECIFIED:
            return f"'{self.id}' (the document does not say who)"
        if self.kind_words.lower() in self.name.lower():
            return self.name
        return f"{self.name} ({self.kind_words})"


@frozen(kw_only=True)
class Scene:
    """One line of a story: a step, or a run of working days passing, and the case after it.

    The opening scene, the case before any step, has no steps (`first_step` None).
    `holidays` are the bank holidays skipped on the way to `date`.
    """

    first_step: int | None
    last_step: int | None
    kind: StepKind | None
    name: str | None
    day: int
    date: date
    what: str
    status: str
    holder: Holder
    notes: tuple[str, ...] = ()
    place: str = ""
    """The status in words, as a reviewer reads it ('Early help'); `status` is its id."""
    clocks: tuple[Clock, ...] = ()
    citations: tuple[Citation, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    loop_start: bool = False


@frozen(kw_only=True)
class Story:
    """A trace told as a dated case story; `loop_start` is the scene a lasso repeats from."""

    start: date
    first_day: date
    scenes: tuple[Scene, ...]
    overdue: tuple[Clock, ...] = ()
    loop_start: int | None = None

    @property
    def days(self) -> int:
        """Working days from day 0 to the last scene."""
        return self.scenes[-1].day

    @property
    def last_day(self) -> date:
        return self.scenes[-1].date

    def date_of(self, day: int) -> date:
        """The date of working day `day` of this story."""
        return workdays.add_working_days(self.first_day, day)


def tell(spec: ProtocolSpec, trace: Trace, *, start: date, collapse_ticks: bool = True) -> Story:
    """Tell `trace` of `spec` as a dated case story starting on (or just after) `start`.

    Args:
        spec: the spec the trace is a run of.
        trace: a finite run, or a lasso.
        start: the calendar date the case starts; day 0 is the first working day on
            or after it.
        collapse_ticks: tell consecutive working days with nothing to report as one
            scene (the default); False gives one scene per step.
    """
    first_day = start if workdays.is_working_day(start) else workdays.next_working_day(start)
    dates = [workdays.add_working_days(first_day, step.day) for step in trace.steps]
    clocks = [
        _clocks(spec, trace.state_before(index), step, _Moment(index, step.day, dates[index]))
        for index, step in enumerate(trace.steps)
    ]
    scenes = [_opening(spec, trace.initial, start, first_day)]
    for group in _groups(trace, clocks, collapse=collapse_ticks):
        scenes.append(_scene(spec, trace, group, clocks, dates, since=scenes[-1].date))
    loop = next((i for i, s in enumerate(scenes) if s.loop_start), None)
    overdue = tuple(c for found in clocks for c in found if c.change is ClockChange.OVERDUE)
    return Story(
        start=start, first_day=first_day, scenes=tuple(scenes), overdue=overdue, loop_start=loop
    )


def _groups(
    trace: Trace, clocks: Sequence[tuple[Clock, ...]], *, collapse: bool
) -> list[tuple[int, ...]]:
    """Step indices per scene: ticks run together until one has news or a loop starts."""
    groups: list[list[int]] = []
    for index in range(len(trace.steps)):
        if collapse and groups and _continues(trace, groups[-1][-1], index, clocks):
            groups[-1].append(index)
        else:
            groups.append([index])
    return [tuple(group) for group in groups]


def _continues(trace: Trace, last: int, index: int, clocks: Sequence[tuple[Clock, ...]]) -> bool:
    ticks = trace.steps[last].kind is StepKind.TICK and trace.steps[index].kind is StepKind.TICK
    return ticks and not clocks[last] and index != trace.loop_start


def _opening(spec: ProtocolSpec, state: State, start: date, first_day: date) -> Scene:
    status = str(state.get("status"))
    what = f"the case starts in '{words_of(spec, status)}'"
    holidays = _holidays_between(start - timedelta(days=1), first_day)
    if first_day != start:
        what += f" on {long_date(first_day)}, the first working day on or after {long_date(start)}"
        what += _skipped(holidays)
    return Scene(
        first_step=None,
        last_step=None,
        kind=None,
        name=None,
        day=0,
        date=first_day,
        what=what,
        status=status,
        place=words_of(spec, status),
        holder=_holder(spec, state),
        holidays=holidays,
    )


def _scene(
    spec: ProtocolSpec,
    trace: Trace,
    group: tuple[int, ...],
    clocks: Sequence[tuple[Clock, ...]],
    dates: Sequence[date],
    *,
    since: date,
) -> Scene:
    first, last = group[0], group[-1]
    step = trace.steps[last]
    found = tuple(clock for index in group for clock in clocks[index])
    what, notes, sources = _happening(spec, trace.state_before(first), trace.steps[first])
    holidays = _holidays_between(since, dates[last])
    if step.kind is StepKind.TICK:
        what = _days_pass(len(group), dates[last], holidays)
    cited = [citation for clock in found for citation in clock.citations]
    return Scene(
        first_step=first,
        last_step=last,
        kind=step.kind,
        name=step.name,
        day=step.day,
        date=dates[last],
        what=what,
        status=str(step.state.get("status")),
        place=words_of(spec, str(step.state.get("status"))),
        holder=_holder(spec, step.state),
        notes=notes,
        clocks=found,
        citations=unique_citations([*citations_of(spec, sources), *cited]),
        holidays=holidays,
        loop_start=first == trace.loop_start,
    )


def _happening(
    spec: ProtocolSpec, before: State, step: TraceStep
) -> tuple[str, tuple[str, ...], tuple[Source, ...]]:
    """What a step does in words, notes on disputes it opens or closes, and its sources."""
    match step.kind:
        case StepKind.EVENT:
            event = _event(spec, step.name)
            notes = _dispute_notes(spec, before, step.state)
            return _event_words(spec, event), notes, event.sources
        case StepKind.ESCALATE:
            return _escalation_step(spec, before, step, decides=False)
        case StepKind.DECIDE:
            return _escalation_step(spec, before, step, decides=True)
        case StepKind.TICK:
            return "a working day passes", (), ()
        case _:
            assert_never(step.kind)


def _event(spec: ProtocolSpec, name: str | None) -> Event:
    try:
        return spec.event_by_id(str(name))
    except KeyError:
        raise InternalError(f"trace names event '{name}', which spec has not") from None


def _event_words(spec: ProtocolSpec, event: Event) -> str:
    kind = event.kind.value.replace("_", " ")
    where = f", at the {_meeting_name(spec, event.at)}" if event.at else ""
    head = f"'{words_of(spec, event.id)}' happens ({kind}{where})"
    return f"{head}: {_plain(event.description)}" if event.description else head


def _escalation_step(
    spec: ProtocolSpec, before: State, step: TraceStep, *, decides: bool
) -> tuple[str, tuple[str, ...], tuple[Source, ...]]:
    ladder = _escalation(spec, step.name)
    old = _level(ladder, before.get(f"dispute:{ladder.id}"))
    if decides:
        what = (
            f"at level '{words_of(spec, old.id)}' {_who(spec, old)} decide: the dispute "
            f"'{words_of(spec, ladder.id)}' ends with a final decision"
        )
        return what, (), old.sources + ladder.sources
    new = _level(ladder, step.state.get(f"dispute:{ladder.id}"))
    what = (
        f"the dispute '{words_of(spec, ladder.id)}' goes up from level "
        f"'{words_of(spec, old.id)}' {_who(spec, old)} to level '{words_of(spec, new.id)}' "
        f"{_who(spec, new)}"
    )
    return what, (), new.sources + ladder.sources


def _escalation(spec: ProtocolSpec, name: str | None) -> Escalation:
    try:
        return spec.escalation_by_id(str(name))
    except KeyError:
        raise InternalError(f"trace names escalation '{name}', which spec has not") from None


def _level(ladder: Escalation, level_id: Value) -> EscalationLevel:
    try:
        return ladder.level_by_id(str(level_id))
    except StopIteration:
        raise InternalError(f"escalation '{ladder.id}' has no level '{level_id}'") from None


def _who(spec: ProtocolSpec, level: EscalationLevel) -> str:
    """Who acts at a level, in brackets: role or team names, or the outside document."""
    if level.external:
        titles = {external.id: external.title for external in spec.externals}
        return f"(handed to {titles.get(level.external, level.external)})"
    names = {team.id: team.name for team in spec.teams}
    names.update({role.id: role.name for role in spec.roles})
    people = [names.get(who, who) for who in level.who]
    if not people:
        return "(nobody named)"
    stand_ins = [names.get(who, who) for who in level.if_unavailable]
    fallback = f", or if unavailable {' or '.join(stand_ins)}" if stand_ins else ""
    return f"({' and '.join(people)}{fallback})"


def _dispute_notes(spec: ProtocolSpec, before: State, after: State) -> tuple[str, ...]:
    notes = []
    for ladder in spec.escalations:
        key = f"dispute:{ladder.id}"
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            level = _level(ladder, new)
            notes.append(
                f"this opens the dispute '{words_of(spec, ladder.id)}' at level "
                f"'{words_of(spec, level.id)}' {_who(spec, level)}"
            )
        elif old is not None and new is None:
            notes.append(f"this closes the dispute '{words_of(spec, ladder.id)}'")
    return tuple(notes)


@frozen
class _Moment:
    """When a step happens: its index in the trace, its working day and its date."""

    index: int
    day: int
    date: date


def _clocks(spec: ProtocolSpec, before: State, step: TraceStep, at: _Moment) -> tuple[Clock, ...]:
    """The time limits that started, stopped, fell due or ran out at one step."""
    found: list[Clock] = []
    for deadline in spec.deadlines:
        key = f"deadline:{deadline.id}"
        if key not in step.state:
            continue
        old, new = before.get(key), step.state.get(key)
        change = _deadline_change(old, new, step.kind, deadline.direction)
        if change is None:
            continue
        if deadline.route is not None:
            text = _route_text(words_of(spec, deadline.route), change)
        else:
            text = _deadline_text(
                words_of(spec, deadline.id, capital=False), str(deadline.within), change
            )
        cited = citations_of(spec, deadline.sources) if _cites(change) else ()
        found.append(_clock(change, deadline.id, text, cited, at))
    found.extend(_dispute_limits(spec, before, step.state, at))
    return tuple(found)


def _deadline_change(
    old: Value, new: Value, kind: StepKind, direction: Direction
) -> ClockChange | None:
    if old is None and isinstance(new, int):
        return ClockChange.STARTED
    if isinstance(old, int) and new is None:
        return ClockChange.STOPPED
    if not (isinstance(old, int) and isinstance(new, int)):
        return None
    if kind is not StepKind.TICK and new > old:
        return ClockChange.STARTED
    if new == -1 and old >= 0:
        return ClockChange.OVERDUE
    if new == 0 and old > 0:
        return ClockChange.WAIT_OVER if direction is Direction.NOT_BEFORE else ClockChange.DUE
    return None


def _deadline_text(deadline: str, within: str, change: ClockChange) -> str:
    """What happened to a deadline, named in words."""
    match change:
        case ClockChange.STARTED:
            return f"the clock starts on the deadline '{deadline}' ({within})"
        case ClockChange.STOPPED:
            return f"the clock stops on the deadline '{deadline}'"
        case ClockChange.DUE:
            return f"the deadline '{deadline}' ({within}) is due today"
        case ClockChange.OVERDUE:
            return f"the deadline '{deadline}' ({within}) is now overdue"
        case ClockChange.WAIT_OVER:
            return f"the minimum wait '{deadline}' ({within}) is over"
        case _:
            raise InternalError(f"no wording for a deadline that is {change.value}")


def _route_text(status: str, change: ClockChange) -> str:
    """What happened to the clock of an urgent-route question (`checker/derived_urgent.py`):
    the question's own, so it is worded as the wait it measures, not as a deadline."""
    match change:
        case ClockChange.STARTED:
            return f"the case is now in '{status}', on an urgent route: it should move on today"
        case ClockChange.STOPPED:
            return f"the case leaves '{status}'"
        case ClockChange.OVERDUE:
            return f"a new working day begins with the urgent case still waiting in '{status}'"
        case _:
            raise InternalError(f"no wording for an urgent route's clock that is {change.value}")


def _dispute_limits(spec: ProtocolSpec, before: State, after: State, at: _Moment) -> list[Clock]:
    """Whole-dispute and level limits that ran out at this step."""
    found = []
    for ladder in spec.escalations:
        if _runs_out(before, after, f"dispute_timer:{ladder.id}"):
            text = (
                f"the time allowed for the whole dispute '{words_of(spec, ladder.id)}' "
                f"({ladder.within}) has run out"
            )
            cited = citations_of(spec, ladder.sources)
            found.append(_clock(ClockChange.LIMIT_PASSED, ladder.id, text, cited, at))
        level_id = after.get(f"dispute:{ladder.id}")
        if level_id is not None and _runs_out(before, after, f"level_timer:{ladder.id}"):
            level = _level(ladder, level_id)
            text = (
                f"the time allowed at level '{words_of(spec, level.id)}' of the dispute "
                f"'{words_of(spec, ladder.id)}' ({level.within}) has run out"
            )
            limit = f"{ladder.id}.{level.id}"
            cited = citations_of(spec, level.sources)
            found.append(_clock(ClockChange.LIMIT_PASSED, limit, text, cited, at))
    return found


def _runs_out(before: State, after: State, key: str) -> bool:
    old, new = before.get(key), after.get(key)
    return isinstance(old, int) and old >= 0 and new == -1


def _clock(
    change: ClockChange, limit: str, text: str, citations: tuple[Citation, ...], at: _Moment
) -> Clock:
    return Clock(
        change=change,
        limit=limit,
        text=text,
        step=at.index,
        day=at.day,
        date=at.date,
        citations=citations,
    )


def _cites(change: ClockChange) -> bool:
    return change in (ClockChange.DUE, ClockChange.OVERDUE, ClockChange.WAIT_OVER)


def _days_pass(count: int, to: date, holidays: tuple[Holiday, ...]) -> str:
    head = "a working day passes" if count == 1 else f"{count} working days pass"
    return f"{head} (to {long_date(to)}{_skipped(holidays)})"


def _skipped(holidays: tuple[Holiday, ...]) -> str:
    if not holidays:
        return ""
    named = ", ".join(f"{name} ({long_date(day)})" for day, name in holidays)
    return f"; bank holidays skipped: {named}"


def _holidays_between(after: date, until: date) -> tuple[Holiday, ...]:
    """Bank holidays on weekdays strictly after `after` and up to `until`."""
    found = []
    for year in range(after.year, until.year + 1):
        for day, name in workdays.bank_holidays(year):
            if after < day <= until and day.weekday() < 5:
                found.append((day, name.replace(" (observed)", " (substitute day)")))
    return tuple(found)


def _holder(spec: ProtocolSpec, state: State) -> Holder:
    owner_id = str(state.get("owner"))
    try:
        owner = spec.owner_by_id(owner_id)
    except KeyError:
        raise InternalError(f"trace names owner '{owner_id}', which spec has not") from None
    name = owner.name or _place_name(spec, owner.kind, owner.team, owner.meeting)
    return Holder(id=owner.id, name=name, kind=owner.kind, responsible=owner.responsible)


def _place_name(spec: ProtocolSpec, kind: OwnerKind, team: str | None, meeting: str | None) -> str:
    """A name for an owner the spec does not name, from its kind and its team or meeting."""
    teams = {item.id: item.name for item in spec.teams}
    if kind is OwnerKind.ALLOCATED and team is not None:
        return f"a worker in {teams.get(team, team)}"
    if team is not None:
        return f"{teams.get(team, team)} {_KIND_NAMES[kind]}"
    if meeting is not None:
        return f"{_KIND_NAMES[kind]} for the {_meeting_name(spec, meeting)}"
    return _KIND_NAMES[kind]


def _meeting_name(spec: ProtocolSpec, meeting_id: str) -> str:
    try:
        return spec.meeting_by_id(meeting_id).name or meeting_id
    except KeyError:
        return meeting_id


def _plain(text: str) -> str:
    """A description as part of a sentence: one line, no final full stop.

    >>> _plain("The 14th or the 16th birthday.")
    'The 14th or the 16th birthday'
    """
    return " ".join(text.split()).rstrip(".")
