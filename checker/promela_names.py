"""How one spec's finite-model state is spelt in Promela, and read back from SPIN.

`checker.promela` writes the model with these names; `checker.spin` reads the values a
SPIN trail prints and turns them into `spec.trace.State` mappings (the names of the
`spec/trace.py` table), so a SPIN counterexample can be replayed in the explorer.
Statuses, owners, tiers, enum values and escalation levels are small integers with a
`#define` each; a stopped timer is `OFF`, a window that recorded no owner `NOBODY`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from attrs import frozen

from stepcheck.spec.diagnostics import InternalError, StepcheckError
from stepcheck.spec.expr import BoolType, EnumType, IntType, Type
from stepcheck.spec.model import ProtocolSpec, Tier
from stepcheck.spec.timing import Timing, timing
from stepcheck.spec.trace import State, Value

__all__ = ["NOBODY", "OFF", "PromelaNames", "StateSlot"]

OFF: Final = -2
"""A timer that is not running: below every countdown value (`-1` is past its limit)."""

NOBODY: Final = 255
"""The owner a shut re-referral window records (it records none)."""


@frozen(kw_only=True)
class StateSlot:
    """One Promela state variable: its declaration, and how to read its value back."""

    key: str
    """The `spec/trace.py` state name; the `held` slots (one per meeting) share one."""
    variable: str
    declaration: str
    read: Callable[[int], Value]
    """The state value an integer of this variable stands for."""


@frozen(kw_only=True)
class PromelaNames:
    """The Promela names and integer codes of one spec's state."""

    spec: ProtocolSpec
    timing: Timing

    @classmethod
    def of(cls, spec: ProtocolSpec) -> PromelaNames:
        """The names for `spec`, with the constants of `spec.timing.timing`.

        Raises:
            StepcheckError: more statuses or owners than a Promela byte can number.
        """
        for what, count in (("statuses", len(spec.statuses)), ("owners", len(spec.owners))):
            if count >= NOBODY:
                raise StepcheckError(f"{count} {what} are too many to export to Promela")
        return cls(spec=spec, timing=timing(spec))

    # -- constants ------------------------------------------------------------------

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(status.id for status in self.spec.statuses)

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(owner.id for owner in self.spec.owners)

    @property
    def deadlines(self) -> tuple[str, ...]:
        """The timed deadlines (those with a working-day interval), in spec order."""
        return tuple(d.id for d in self.spec.deadlines if d.id in self.timing.deadlines)

    @property
    def periodic_meetings(self) -> tuple[str, ...]:
        """The meetings with a phase (weekly, fortnightly, monthly), in spec order."""
        return tuple(m.id for m in self.spec.meetings if m.id in self.timing.meetings)

    def status(self, status_id: str) -> str:
        return f"S_{status_id}"

    def owner(self, owner_id: str) -> str:
        return f"O_{owner_id}"

    def tier(self, tier: Tier) -> str:
        return f"T_{tier.value}"

    def level(self, level_id: str) -> str:
        """The code of an escalation level (level ids are unique across the spec)."""
        return f"L_{level_id}"

    def enum_value(self, kind: EnumType, value: str) -> str:
        """The constant for `value` of `kind`: a status, tier, owner, or a user enum's value.

        A user enum's values are numbered (`V_<variable>_<index>`), so two enums'
        constants can never be spelt alike whatever their ids.
        """
        match kind.name:
            case "status":
                return self.status(value)
            case "tier":
                return self.tier(Tier(value))
            case "owner":
                return self.owner(value)
        return f"V_{kind.name}_{kind.values.index(value)}"

    # -- state variables --------------------------------------------------------------

    def variable(self, variable_id: str) -> str:
        return f"v_{variable_id}"

    def held(self, meeting_id: str) -> str:
        return f"held_{meeting_id}"

    def deadline(self, deadline_id: str) -> str:
        return f"dl_{deadline_id}"

    def dispute(self, escalation_id: str) -> str:
        """The open level's code, 0 when the dispute is closed."""
        return f"lv_{escalation_id}"

    def level_timer(self, escalation_id: str) -> str:
        return f"lt_{escalation_id}"

    def dispute_timer(self, escalation_id: str) -> str:
        return f"dt_{escalation_id}"

    def window(self, rule_id: str) -> str:
        return f"win_{rule_id}"

    def window_owner(self, rule_id: str) -> str:
        return f"wo_{rule_id}"

    def phase(self, meeting_id: str) -> str:
        return f"ph_{meeting_id}"

    def slots(self) -> tuple[StateSlot, ...]:
        """Every state variable, in the order the model prints them."""
        spec = self.spec
        ids, number, timer = _ids(self.owners), _number, _timer
        slots = [
            StateSlot(
                key="status", variable="status", declaration="byte", read=_ids(self.statuses)
            ),
            StateSlot(key="owner", variable="owner", declaration="byte", read=ids),
            StateSlot(key="co_owner", variable="co_owner", declaration="byte", read=ids),
            StateSlot(
                key="previous_owner", variable="previous_owner", declaration="byte", read=ids
            ),
        ]
        slots += [
            StateSlot(
                key=f"var:{variable.id}",
                variable=self.variable(variable.id),
                declaration=storage(variable.type),
                read=_reader(variable.type),
            )
            for variable in spec.variables
        ]
        slots += [
            StateSlot(key="held", variable=self.held(m.id), declaration="bool", read=_member(m.id))
            for m in spec.meetings
        ]
        slots += [
            StateSlot(
                key=f"deadline:{d}", variable=self.deadline(d), declaration="short", read=timer
            )
            for d in self.deadlines
        ]
        for ladder in spec.escalations:
            levels = _optional_ids(tuple(level.id for level in ladder.levels), closed=0, first=1)
            slots += [
                StateSlot(
                    key=f"dispute:{ladder.id}",
                    variable=self.dispute(ladder.id),
                    declaration="byte",
                    read=levels,
                ),
                StateSlot(
                    key=f"level_timer:{ladder.id}",
                    variable=self.level_timer(ladder.id),
                    declaration="short",
                    read=timer,
                ),
                StateSlot(
                    key=f"dispute_timer:{ladder.id}",
                    variable=self.dispute_timer(ladder.id),
                    declaration="short",
                    read=timer,
                ),
            ]
        for rule in spec.rereferrals:
            slots += [
                StateSlot(
                    key=f"window:{rule.id}",
                    variable=self.window(rule.id),
                    declaration="short",
                    read=timer,
                ),
                StateSlot(
                    key=f"window_owner:{rule.id}",
                    variable=self.window_owner(rule.id),
                    declaration="byte",
                    read=_optional_ids(self.owners, closed=NOBODY, first=0),
                ),
            ]
        slots += [
            StateSlot(key=f"phase:{m}", variable=self.phase(m), declaration="byte", read=number)
            for m in self.periodic_meetings
        ]
        return tuple(slots)

    def decode(self, values: Sequence[int]) -> State:
        """The named state whose Promela variables (in `slots` order) hold `values`."""
        slots = self.slots()
        if len(values) != len(slots):
            raise InternalError(f"expected {len(slots)} state values, got {len(values)}")
        state: dict[str, Value] = {}
        held: list[str] = []
        for slot, raw in zip(slots, values, strict=True):
            value = slot.read(raw)
            if slot.key != "held":
                state[slot.key] = value
            elif isinstance(value, str):
                held.append(value)
        state["held"] = tuple(sorted(held))
        return state


def storage(kind: Type) -> str:
    """The smallest Promela type that holds every value of `kind`."""
    match kind:
        case BoolType():
            return "bool"
        case EnumType():
            return "byte"
        case IntType():
            if kind.lo >= 0 and kind.hi <= 255:
                return "byte"
            if kind.lo >= -(2**15) and kind.hi < 2**15:
                return "short"
            return "int"
    raise InternalError(f"unknown type {kind!r}")


def _reader(kind: Type) -> Callable[[int], Value]:
    match kind:
        case BoolType():
            return bool
        case EnumType():
            return _ids(kind.values)
        case IntType():
            return _number
    raise InternalError(f"unknown type {kind!r}")


def _ids(ids: tuple[str, ...]) -> Callable[[int], Value]:
    def read(raw: int) -> Value:
        return ids[raw]

    return read


def _optional_ids(ids: tuple[str, ...], *, closed: int, first: int) -> Callable[[int], Value]:
    """`closed` stands for None, `first + i` for `ids[i]`."""

    def read(raw: int) -> Value:
        return None if raw == closed else ids[raw - first]

    return read


def _member(meeting_id: str) -> Callable[[int], Value]:
    def read(raw: int) -> Value:
        return meeting_id if raw else None

    return read


def _number(raw: int) -> Value:
    return raw


def _timer(raw: int) -> Value:
    return None if raw == OFF else raw
