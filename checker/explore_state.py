"""States of the explicit explorer: hashable tuples inside, named mappings at the edge.

`checker.explore` reads and writes `spec.trace.State` mappings (the names in the
`spec/trace.py` table); inside, a state is a `Config` of tuples, so sets and graphs
of states stay cheap. A `Layout` fixes, for one spec, which timers a state holds and
in what order, converts between the two forms, and lets expressions read a `Config`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from attrs import frozen

from stepcheck.spec.diagnostics import InternalError
from stepcheck.spec.expr import Expr, evaluate
from stepcheck.spec.expr import Value as ExprValue
from stepcheck.spec.model import ProtocolSpec
from stepcheck.spec.timing import Timing
from stepcheck.spec.trace import State, Value

__all__ = ["CLOSED", "SHUT", "Config", "ConfigEnvironment", "Dispute", "Layout", "Window"]


class Dispute(NamedTuple):
    """One escalation ladder's dispute: closed (`level` None) or open at a level."""

    level: str | None
    level_timer: int | None
    dispute_timer: int | None


CLOSED = Dispute(level=None, level_timer=None, dispute_timer=None)


class Window(NamedTuple):
    """One re-referral window: closed (`timer` None) or open, with the owner it recorded."""

    timer: int | None
    owner: str | None


SHUT = Window(timer=None, owner=None)


class Config(NamedTuple):
    """One configuration of the finite model; tuples follow the `Layout`'s id orders."""

    status: str
    owner: str
    co_owner: str
    previous_owner: str
    variables: tuple[ExprValue, ...]
    held: tuple[str, ...]
    deadlines: tuple[int | None, ...]
    disputes: tuple[Dispute, ...]
    windows: tuple[Window, ...]
    phases: tuple[int, ...]


@frozen(kw_only=True)
class Layout:
    """Which parts a state of `spec` has, in which order, and what their names are.

    `deadlines` are the timed deadlines (`timing.deadlines`), `meetings` the periodic
    ones (`timing.meetings`), both in spec order.
    """

    spec: ProtocolSpec
    timing: Timing
    variables: tuple[str, ...]
    deadlines: tuple[str, ...]
    escalations: tuple[str, ...]
    rereferrals: tuple[str, ...]
    meetings: tuple[str, ...]

    @classmethod
    def of(cls, spec: ProtocolSpec, timing: Timing) -> Layout:
        """The layout of `spec`'s states under the constants in `timing`."""
        return cls(
            spec=spec,
            timing=timing,
            variables=tuple(variable.id for variable in spec.variables),
            deadlines=tuple(d.id for d in spec.deadlines if d.id in timing.deadlines),
            escalations=tuple(ladder.id for ladder in spec.escalations),
            rereferrals=tuple(rule.id for rule in spec.rereferrals),
            meetings=tuple(m.id for m in spec.meetings if m.id in timing.meetings),
        )

    def names(self) -> tuple[str, ...]:
        """Every key of a named state, in a fixed order."""
        return tuple(name for name, _ in _named_parts(self, _empty_config(self)))

    def to_named(self, config: Config) -> dict[str, Value]:
        """The named form of `config` (`spec/trace.py`'s table)."""
        return dict(_named_parts(self, config))

    def from_named(self, state: State) -> Config:
        """The `Config` a named state stands for.

        Raises:
            ValueError: the keys are not exactly this spec's, or a value has the wrong shape.
        """
        missing = sorted(set(self.names()) - set(state))
        extra = sorted(set(state) - set(self.names()))
        if missing or extra:
            raise ValueError(f"state keys differ: missing {missing}, unexpected {extra}")
        try:
            return _config_from(self, state)
        except (TypeError, KeyError) as error:
            raise ValueError(f"malformed state: {error}") from error

    def holds(self, expr: Expr, config: Config) -> bool:
        """Whether the boolean expression `expr` is true in `config`."""
        value = evaluate(expr, ConfigEnvironment(layout=self, config=config))
        if not isinstance(value, bool):
            raise InternalError(f"condition evaluated to {value!r}")
        return value


@frozen(kw_only=True)
class ConfigEnvironment:
    """A `Config` as expressions see it (`spec.expr.Environment`)."""

    layout: Layout
    config: Config

    def value(self, name: str) -> ExprValue:
        """A built-in (`status`, `tier`, `owner`, ...) or a variable's value."""
        spec, config = self.layout.spec, self.config
        match name:
            case "status" | "owner" | "co_owner":
                return str(getattr(config, name))
            case "tier":
                return spec.status_by_id(config.status).tier.value
            case "allocated":
                return spec.owner_by_id(config.owner).allocated
            case "owned":
                return spec.owner_by_id(config.owner).responsible
        return config.variables[self.layout.variables.index(name)]

    def predicate(self, name: str, argument: str) -> bool:
        """`held`, `overdue`, `escalating` or `in_window` of one id."""
        layout, config = self.layout, self.config
        match name:
            case "held":
                return argument in config.held
            case "overdue":
                # Only timed deadlines can be overdue; `not_before` ones stop at 0.
                if argument not in layout.deadlines:
                    return False
                return config.deadlines[layout.deadlines.index(argument)] == -1
            case "escalating":
                return config.disputes[layout.escalations.index(argument)].level is not None
            case "in_window":
                return config.windows[layout.rereferrals.index(argument)].timer is not None
        raise InternalError(f"unknown predicate '{name}'")


def _named_parts(layout: Layout, config: Config) -> list[tuple[str, Value]]:
    parts: list[tuple[str, Value]] = [
        ("status", config.status),
        ("owner", config.owner),
        ("co_owner", config.co_owner),
        ("previous_owner", config.previous_owner),
    ]
    parts += [
        (f"var:{name}", value)
        for name, value in zip(layout.variables, config.variables, strict=True)
    ]
    parts.append(("held", config.held))
    parts += [
        (f"deadline:{name}", r) for name, r in zip(layout.deadlines, config.deadlines, strict=True)
    ]
    for name, dispute in zip(layout.escalations, config.disputes, strict=True):
        parts += [
            (f"dispute:{name}", dispute.level),
            (f"level_timer:{name}", dispute.level_timer),
            (f"dispute_timer:{name}", dispute.dispute_timer),
        ]
    for name, window in zip(layout.rereferrals, config.windows, strict=True):
        parts += [(f"window:{name}", window.timer), (f"window_owner:{name}", window.owner)]
    parts += [
        (f"phase:{name}", phase) for name, phase in zip(layout.meetings, config.phases, strict=True)
    ]
    return parts


def _empty_config(layout: Layout) -> Config:
    return Config(
        status="",
        owner="",
        co_owner="",
        previous_owner="",
        variables=tuple(False for _ in layout.variables),
        held=(),
        deadlines=tuple(None for _ in layout.deadlines),
        disputes=tuple(CLOSED for _ in layout.escalations),
        windows=tuple(SHUT for _ in layout.rereferrals),
        phases=tuple(0 for _ in layout.meetings),
    )


def _config_from(layout: Layout, state: Mapping[str, Value]) -> Config:
    return Config(
        status=_text(state["status"]),
        owner=_text(state["owner"]),
        co_owner=_text(state["co_owner"]),
        previous_owner=_text(state["previous_owner"]),
        variables=tuple(_scalar(state[f"var:{name}"]) for name in layout.variables),
        held=tuple(sorted(_texts(state["held"]))),
        deadlines=tuple(_count(state[f"deadline:{name}"]) for name in layout.deadlines),
        disputes=tuple(
            Dispute(
                level=_optional_text(state[f"dispute:{name}"]),
                level_timer=_count(state[f"level_timer:{name}"]),
                dispute_timer=_count(state[f"dispute_timer:{name}"]),
            )
            for name in layout.escalations
        ),
        windows=tuple(
            Window(
                timer=_count(state[f"window:{name}"]),
                owner=_optional_text(state[f"window_owner:{name}"]),
            )
            for name in layout.rereferrals
        ),
        phases=tuple(_phase(state[f"phase:{name}"]) for name in layout.meetings),
    )


def _text(value: Value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected an id, got {value!r}")
    return value


def _optional_text(value: Value) -> str | None:
    return None if value is None else _text(value)


def _texts(value: Value) -> tuple[str, ...]:
    if not isinstance(value, tuple | list):
        raise TypeError(f"expected a tuple of ids, got {value!r}")
    return tuple(_text(item) for item in value)


def _scalar(value: Value) -> ExprValue:
    if not isinstance(value, bool | int | str):
        raise TypeError(f"expected a variable's value, got {value!r}")
    return value


def _count(value: Value) -> int | None:
    if value is None:
        return None
    return _phase(value)


def _phase(value: Value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected a whole number of working days, got {value!r}")
    return value
