"""Facts: log columns that record a spec variable's value after each step.

Mapped as `fact.<variable>=COLUMN` (`--map fact.consent=consent_given`). A fact is
checked, never imposed: the case's variables change only by the spec's effects, and
a recorded value that differs from the executor's is a finding, like a recorded
status or owner. Text is read by the variable's type: a boolean from
true/false/yes/no/1/0 (any case), an integer in its range, an enumeration's value.
"""

from __future__ import annotations

from typing import Final

from stepcheck.oracle.replay_rows import ColumnMap, LogError
from stepcheck.spec.expr import BoolType, EnumType, IntType, Value
from stepcheck.spec.model import ProtocolSpec, Variable

__all__ = ["FACT_PREFIX", "check_fact_columns", "fact_value"]

FACT_PREFIX: Final = "fact."
_TRUE: Final = frozenset({"true", "yes", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})


def check_fact_columns(spec: ProtocolSpec, mapping: ColumnMap) -> None:
    """Raise `LogError` when a mapped fact names no variable of `spec`."""
    known = {variable.id for variable in spec.variables}
    for name, _ in mapping.wanted:
        variable = name.removeprefix(FACT_PREFIX)
        if name.startswith(FACT_PREFIX) and variable not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise LogError(f"--map {name}: the spec has no variable {variable!r}; it has {listed}")


def fact_value(variable: Variable, text: str) -> Value | None:
    """`text` as a value of `variable`'s type; None when it is not one."""
    kind = variable.type
    if isinstance(kind, BoolType):
        lowered = text.strip().lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else None
    if isinstance(kind, IntType):
        try:
            number = int(text.strip())
        except ValueError:
            return None
        return number if kind.lo <= number <= kind.hi else None
    if isinstance(kind, EnumType):
        return text.strip() if text.strip() in kind.values else None
    return None
