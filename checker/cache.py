"""Decisions kept on disk, so that re-checking an unchanged spec is instant.

A property's `Decision` depends only on the spec's model (not on where its file is,
its comments or its line numbers), the property, the checker's limits and the tool's
version and code; those are hashed into the key. The code is a digest of the source
of the checker and the spec language (`code_digest`), so an edited checker never
reads a decision an older one made under the same version number. Entries are JSON
(never pickle: a cache folder must not be able to run code) written atomically; an
unreadable or foreign entry is ignored and recomputed. A decision that ran out of
wall-clock time is not kept, since a later run with more time may settle it.

    cache = DecisionCache(folder)
    found = cache.get(key)            # None when absent
    cache.put(key, decision)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import z3
from attrs import evolve

import stepcheck.checker as checker_package
import stepcheck.spec as spec_package
from stepcheck.checker.engines import Limits, stopped_by_clock
from stepcheck.checker.properties import Outcome
from stepcheck.checker.results import Strength, Verdict
from stepcheck.checker.verify import Decision
from stepcheck.spec.cache_folder import default_folder
from stepcheck.spec.model import Property, ProtocolSpec, Reading
from stepcheck.spec.timing import Timing
from stepcheck.spec.trace import State, StepKind, Trace, TraceStep

__all__ = ["DecisionCache", "code_digest", "decision_key", "default_folder"]

_FORMAT = 3


def decision_key(spec: ProtocolSpec, prop: Property, times: Timing, limits: Limits) -> str:
    """The hash that names a decision: model, property, constants, limits and versions."""
    parts = [
        f"format {_FORMAT}",
        f"stepcheck {_version('stepcheck')}",
        f"code {code_digest()}",
        f"z3 {z3.get_version_string()}",
        repr(evolve(spec, path="")),
        repr(prop),
        repr(times),
        repr(evolve(limits, timeout_ms=None, deadline=None)),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@functools.cache
def code_digest() -> str:
    """A SHA-256 of every Python source file of `stepcheck.checker` and `stepcheck.spec`
    (by path inside its package, in sorted order): what a decision's meaning depends on."""
    digest = hashlib.sha256()
    for package in (checker_package, spec_package):
        root = Path(next(iter(package.__path__)))
        for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
            digest.update(f"{package.__name__}/{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class DecisionCache:
    """A folder of decisions, one JSON file each, named by key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Decision | None:
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT or data.get("key") != key:
                return None
            return _decision(data["decision"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, decision: Decision) -> None:
        """Keep `decision`, unless it ran out of time; a folder that cannot be written
        to is not an error (the cache only saves time)."""
        if _timed_out(decision):
            return
        payload = {"format": _FORMAT, "key": key, "decision": _encode_decision(decision)}
        text = json.dumps(payload, sort_keys=True)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self._path(key))
        except OSError:
            return

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def _timed_out(decision: Decision) -> bool:
    outcomes = [decision.outcome, decision.missed, decision.unordered]
    return any(
        outcome is not None
        and outcome.verdict is Verdict.UNKNOWN
        and stopped_by_clock(outcome.reason)
        for outcome in outcomes
    )


def _encode_decision(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": _encode_outcome(decision.outcome),
        "should_only": decision.should_only,
        "missed": _encode_outcome(decision.missed) if decision.missed is not None else None,
        "resources": decision.resources,
        "cause": decision.cause,
        "reading": decision.reading.value,
        "unordered": (
            _encode_outcome(decision.unordered) if decision.unordered is not None else None
        ),
    }


def _decision(data: dict[str, Any]) -> Decision:
    missed = data["missed"]
    return Decision(
        outcome=_outcome(data["outcome"]),
        should_only=bool(data["should_only"]),
        missed=_outcome(missed) if missed is not None else None,
        resources=int(data.get("resources", 0)),
        cause=data.get("cause"),
        reading=Reading(data.get("reading", Reading.MUST.value)),
        unordered=_outcome(data["unordered"]) if data.get("unordered") else None,
    )


def _encode_outcome(outcome: Outcome) -> dict[str, Any]:
    return {
        "verdict": outcome.verdict.value,
        "strength": outcome.strength.value if outcome.strength is not None else None,
        "working_days": outcome.working_days,
        "depth": outcome.depth,
        "trace": _encode_trace(outcome.trace) if outcome.trace is not None else None,
        "reason": outcome.reason,
        "vacuous": outcome.vacuous,
        "subject": outcome.subject,
    }


def _outcome(data: dict[str, Any]) -> Outcome:
    strength = data["strength"]
    trace = data["trace"]
    return Outcome(
        verdict=Verdict(data["verdict"]),
        strength=Strength(strength) if strength is not None else None,
        working_days=data["working_days"],
        depth=data["depth"],
        trace=_trace(trace) if trace is not None else None,
        reason=data["reason"],
        vacuous=bool(data["vacuous"]),
        subject=data["subject"],
    )


def _encode_trace(trace: Trace) -> dict[str, Any]:
    return {
        "initial": _encode_state(trace.initial),
        "loop_start": trace.loop_start,
        "steps": [
            {
                "kind": step.kind.value,
                "name": step.name,
                "day": step.day,
                "state": _encode_state(step.state),
            }
            for step in trace.steps
        ],
    }


def _trace(data: dict[str, Any]) -> Trace:
    return Trace(
        initial=_state(data["initial"]),
        loop_start=data["loop_start"],
        steps=tuple(
            TraceStep(
                kind=StepKind(step["kind"]),
                name=step["name"],
                day=step["day"],
                state=_state(step["state"]),
            )
            for step in data["steps"]
        ),
    )


def _encode_state(state: State) -> dict[str, Any]:
    return {
        name: list(value) if isinstance(value, tuple) else value for name, value in state.items()
    }


def _state(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: tuple(value) if isinstance(value, list) else value for name, value in data.items()
    }
