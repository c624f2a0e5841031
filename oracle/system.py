"""A system under test, as the oracle drives it: open a case, apply steps, close.

`System` is the whole contract an implementation meets to be tested (in-process, or
over HTTP through `oracle/http_system.py`). `load_factory` turns the command line's
`python:module:factory` into a factory, the way uvicorn loads an app: the current
directory is put on `sys.path` first, so a module of the project being tested is
found when stepcheck runs from its root.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from stepcheck.oracle.types import CaseView, Reply
from stepcheck.spec.diagnostics import StepcheckError

__all__ = [
    "System",
    "SystemFactory",
    "SystemFault",
    "SystemUnavailable",
    "load_factory",
]


@runtime_checkable
class System(Protocol):
    """One case in a system under test: opened by `start`, moved by `apply`.

    A factory is called once per test run; `start` may be called again to open a fresh
    case, and `close` releases whatever the system holds (a connection, a server case).
    """

    def start(self, *, status: str, at: datetime) -> CaseView:
        """Open a fresh case in an initial status at a moment; answer its view."""
        ...

    def apply(self, step: str, *, at: datetime) -> Reply:
        """Apply one step (an event id, `escalate:<ladder>` or `decide:<ladder>`) at a moment."""
        ...

    def close(self) -> None:
        """Release the case and anything held for it."""
        ...


SystemFactory = Callable[[], System]


class SystemUnavailable(StepcheckError):
    """The system cannot be reached or loaded at all; nothing was tested (exit 2)."""


class SystemFault(StepcheckError):
    """The system answered something that is not an answer: a finding, not a crash.

    A timeout, a non-JSON body, a schema-invalid view or an exception raised by an
    in-process system, part way through a run.
    """


def load_factory(target: str) -> SystemFactory:
    """The factory named by `python:module:attribute` (or `module:attribute`).

    Raises:
        SystemUnavailable: with a hint, when the target is malformed, the module cannot
            be imported or the attribute is missing or not callable.
    """
    spec = target.removeprefix("python:")
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise SystemUnavailable(
            f"bad system target {target!r}; expected python:module:factory "
            "(e.g. python:examples.casework.app:factory)"
        )
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # any import-time failure is the user's to fix
        raise SystemUnavailable(
            f"cannot import {module_name!r} for {target!r}: {type(error).__name__}: {error}; "
            "hint: run from the directory that holds the module"
        ) from error
    factory = getattr(module, attribute, None)
    if factory is None or not callable(factory):
        raise SystemUnavailable(f"{module_name!r} has no callable {attribute!r} (from {target!r})")
    return _checked_factory(factory, target)


def _checked_factory(factory: Callable[[], object], target: str) -> SystemFactory:
    def make() -> System:
        try:
            system = factory()
        except Exception as error:
            raise SystemUnavailable(
                f"{target!r} raised {type(error).__name__}: {error} when called"
            ) from error
        if not isinstance(system, System):
            raise SystemUnavailable(
                f"{target!r} returned a {type(system).__name__}, which has no "
                "start(status=, at=), apply(step, at=) and close()"
            )
        return system

    return make
