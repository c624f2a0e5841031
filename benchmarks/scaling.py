"""Time the checker on generated specs that grow in statuses, teams and timers.

Each axis is swept from a small base spec with the other two held at their base value,
then a few specs grow on all three axes at once.
Every property is decided once, in a child process: `Limits.timeout_ms` bounds each
solver call, but one property makes many calls, so the child is also stopped after a
wall-clock cap and the cell then says how long it ran. Spec loading is not timed.
"""

from __future__ import annotations

import multiprocessing
import time
from multiprocessing.connection import Connection

from attrs import frozen

from benchmarks.common import verdict_text
from benchmarks.generate import generate_spec
from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Verdict
from stepcheck.checker.verify import verify_property
from stepcheck.spec.loader import load_spec_text

__all__ = ["BASE", "COMBINED", "GRID", "run_scaling"]

BASE = (4, 2, 0)
"""(statuses, teams, timers) of the spec each axis grows from."""

GRID = {
    "statuses": (4, 8, 16, 32),
    "teams": (2, 8, 32),
    "timers": (0, 2, 4, 8),
}
COMBINED = ((16, 8, 4), (32, 32, 8))
"""Specs grown on all three axes, after the one-axis sweeps."""

PROPERTIES = ("no_unowned_case", "escalation_terminates", "cp_step_down_requires_meeting")
_STARTUP_SECONDS = 120.0


@frozen(kw_only=True)
class _Cell:
    text: str
    seconds: float
    reason: str | None = None


def run_scaling(limits: Limits, wall_cap: float) -> None:
    """Print one table row per generated spec, then the reasons for every unknown."""
    print(
        f"### checker scaling: generated specs (one run each; timeout {limits.timeout_ms} ms "
        f"per solver call, {wall_cap:.0f} s wall-clock cap per property)"
    )
    print()
    header = " | ".join(PROPERTIES)
    print(f"| statuses | teams | timers | events | {header} | total seconds |")
    print("|---:|---:|---:|---:|" + "---|" * len(PROPERTIES) + "---:|")
    notes: list[str] = []
    for sizes in _sizes():
        text = generate_spec(statuses=sizes[0], teams=sizes[1], timers=sizes[2])
        events = len(load_spec_text(text, "<generated>").events)
        cells = [_timed_in_child(sizes, prop, limits, wall_cap) for prop in PROPERTIES]
        shown = " | ".join(f"{cell.text} {cell.seconds:.2f}" for cell in cells)
        total = sum(cell.seconds for cell in cells)
        print(
            f"| {sizes[0]} | {sizes[1]} | {sizes[2]} | {events} | {shown} | {total:.2f} |",
            flush=True,
        )
        notes.extend(
            f"statuses {sizes[0]}, teams {sizes[1]}, timers {sizes[2]}, {prop}: {cell.reason}"
            for prop, cell in zip(PROPERTIES, cells, strict=True)
            if cell.reason is not None
        )
    print()
    if notes:
        print("not decided:")
        for line in notes:
            print(f"- {line}")
        print()


def _sizes() -> list[tuple[int, int, int]]:
    """The base spec, each axis's other sizes in grid order without repeats, then COMBINED."""
    sizes = [BASE]
    for axis, values in enumerate(GRID.values()):
        for value in values:
            size = list(BASE)
            size[axis] = value
            if tuple(size) not in sizes:
                sizes.append((size[0], size[1], size[2]))
    return sizes + [size for size in COMBINED if size not in sizes]


def _timed_in_child(
    sizes: tuple[int, int, int], prop: str, limits: Limits, wall_cap: float
) -> _Cell:
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_decide, args=(sender, sizes, prop, limits), daemon=True)
    child.start()
    sender.close()
    started = time.perf_counter()
    try:
        if not receiver.poll(_STARTUP_SECONDS):
            return _Cell(text="no start", seconds=0.0, reason="the child process did not start")
        receiver.recv()  # the spec is loaded; the clock starts now
        started = time.perf_counter()
        if receiver.poll(wall_cap):
            text, seconds, reason = receiver.recv()
            return _Cell(text=text, seconds=seconds, reason=reason)
        elapsed = time.perf_counter() - started
        return _Cell(
            text="stopped >", seconds=elapsed, reason=f"stopped at the {wall_cap:.0f} s wall cap"
        )
    except EOFError:  # the child died without answering; its traceback is on stderr
        elapsed = time.perf_counter() - started
        return _Cell(text="crashed", seconds=elapsed, reason="the child process crashed")
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()


def _decide(sender: Connection, sizes: tuple[int, int, int], prop_id: str, limits: Limits) -> None:
    text = generate_spec(statuses=sizes[0], teams=sizes[1], timers=sizes[2])
    spec = load_spec_text(text, "<generated>")
    prop = next(p for p in spec.properties if p.id == prop_id)
    sender.send("ready")
    started = time.perf_counter()
    result = verify_property(spec, prop, limits=limits)
    seconds = time.perf_counter() - started
    reason = result.reason if result.verdict is Verdict.UNKNOWN else None
    sender.send((verdict_text(result), seconds, reason))
    sender.close()
