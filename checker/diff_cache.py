"""Behaviours kept on disk beside the decision cache, so a base version is decided once.

A CI job diffs every change against the same base revision; its behaviour
(`diff_behaviour.behaviour_of`) depends only on the spec's model, the observations
asked (which follow from both versions' meetings), the limits and the versions, which
are hashed into the key, as `cache.decision_key` does for properties. Entries are JSON
(never pickle) written atomically; an unreadable entry is recomputed, and a behaviour
with an answer stopped by the clock is not kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import z3
from attrs import astuple, evolve

from stepcheck.checker.diff_behaviour import Behaviour, Observation
from stepcheck.checker.engines import Limits, stopped_by_clock
from stepcheck.spec.model import ProtocolSpec

__all__ = ["BehaviourCache", "behaviour_key"]

_FORMAT = 1


def behaviour_key(spec: ProtocolSpec, asked: list[Observation], limits: Limits) -> str:
    """The hash that names a behaviour: model, observations asked, limits and versions."""
    try:
        ours = version("stepcheck")
    except PackageNotFoundError:
        ours = "unknown"
    parts = [
        f"diff format {_FORMAT}",
        f"stepcheck {ours}",
        f"z3 {z3.get_version_string()}",
        repr(evolve(spec, path="")),
        repr(sorted(asked)),
        repr(evolve(limits, timeout_ms=None, deadline=None)),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


class BehaviourCache:
    """A folder of behaviours, one JSON file each, named by key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Behaviour | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT or data.get("key") != key:
                return None
            return Behaviour(
                reachable=frozenset(_observation(item) for item in data["reachable"]),
                unreachable=frozenset(_observation(item) for item in data["unreachable"]),
                unknown={_observation(item): reason for item, reason in data["unknown"]},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, found: Behaviour) -> None:
        """Keep `found`, unless the clock stopped an answer; never an error (it saves time)."""
        if any(stopped_by_clock(reason) for reason in found.unknown.values()):
            return
        payload = {
            "format": _FORMAT,
            "key": key,
            "reachable": sorted(_encoded(obs) for obs in found.reachable),
            "unreachable": sorted(_encoded(obs) for obs in found.unreachable),
            "unknown": [[_encoded(obs), reason] for obs, reason in sorted(found.unknown.items())],
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(payload, stream, sort_keys=True)
            os.replace(temporary, self._path(key))
        except OSError:
            return

    def _path(self, key: str) -> Path:
        return self.folder / f"diff-{key}.json"


def _encoded(obs: Observation) -> list[Any]:
    return list(astuple(obs))


def _observation(item: list[Any]) -> Observation:
    kind, status, owner_kind, source, event, unmet = item
    return Observation(
        kind=str(kind),
        status=str(status),
        owner_kind=str(owner_kind),
        source=str(source),
        event=str(event),
        unmet=tuple(str(m) for m in unmet),
    )
