"""Run SPIN on a spec's Promela model and read its answer: violated, no errors, or unfinished.

`checker.promela.to_promela` -> here -> `SpinResult`. In a temporary directory:
`spin -a` writes the verifier `pan.c`, gcc compiles it for safety properties
(`-DSAFETY`, a memory limit `-DMEMLIM`), and `./pan` searches depth-first up to a depth
bound, within a wall-clock timeout. A violation's trail is replayed with `spin -t`,
and the labels and states the model prints become a `spec.trace.Trace`
(`checker.spin_trail`), so the explorer can replay it. SPIN and gcc are system
programs: when either is missing the answer is a `SpinUnavailable` error, not a
traceback.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from enum import Enum
from pathlib import Path
from typing import Final

from attrs import field, frozen

from stepcheck.checker.promela import to_promela
from stepcheck.checker.promela_names import PromelaNames
from stepcheck.checker.spin_trail import trace_from_output
from stepcheck.spec.diagnostics import InternalError, StepcheckError
from stepcheck.spec.model import Property, ProtocolSpec, Reading
from stepcheck.spec.trace import Trace

__all__ = [
    "SpinLimits",
    "SpinOutcome",
    "SpinResult",
    "SpinUnavailable",
    "check_with_spin",
    "run_spin",
]

_MODEL: Final = "model.pml"
_COMPILE_SECONDS: Final = 600.0


class SpinUnavailable(StepcheckError):
    """SPIN or a C compiler is not installed, or not on PATH."""


class SpinOutcome(Enum):
    """What SPIN said: a violation, no errors (complete or not), or no answer."""

    VIOLATED = "violated"
    NO_ERRORS = "no errors"
    DID_NOT_FINISH = "did not finish"


@frozen(kw_only=True)
class SpinLimits:
    """How far and how long SPIN may search.

    `depth` is pan's `-m`: the depth of its search stack, in Promela statements (one
    model step is several); `memory_mb` its `-DMEMLIM`; `seconds` the wall-clock time
    pan may run. `optimise` is gcc's flag: `-O2` pays a second or two of compiling
    for a faster search, which only large models repay. `hash_bits` is pan's `-w`
    (None: pan's default, 2^24 slots). `hide_write_only` keeps SPIN's own reduction,
    which leaves out of the states it compares any variable the model writes but
    never reads (such as `previous_owner` when no event routes to `previous`): sound
    for these properties, and smaller; without it (`spin -o2`) SPIN stores exactly
    the explorer's states and its own start state.
    """

    depth: int = 1_000_000
    memory_mb: int = 2048
    seconds: float = 600.0
    optimise: str = "-O2"
    hash_bits: int | None = None
    hide_write_only: bool = True


@frozen(kw_only=True)
class SpinResult:
    """SPIN's answer on one model.

    VIOLATED: `trace` is the trail, as a run of the finite model. NO_ERRORS: `complete`
    says whether pan searched every reachable state; when it did not, `limit` says why
    (`depth`). DID_NOT_FINISH: `limit` is `time` or `memory`. `seconds` holds the time
    spent per phase (`generate`, `compile`, `run`).
    """

    outcome: SpinOutcome
    complete: bool = False
    limit: str | None = None
    trace: Trace | None = None
    states: int | None = None
    depth: int | None = None
    seconds: dict[str, float] = field(factory=dict)
    output: str = field(default="", repr=False)


def check_with_spin(
    spec: ProtocolSpec,
    prop: Property,
    *,
    reading: Reading = Reading.MUST,
    comply: bool = True,
    limits: SpinLimits | None = None,
) -> SpinResult:
    """Ask SPIN whether `prop` holds in `spec`'s finite model under `reading`.

    Raises:
        SpinUnavailable: spin or gcc is not installed.
        StepcheckError: `prop` is not a safety property.
    """
    started = time.perf_counter()
    text = to_promela(spec, prop, reading=reading, comply=comply)
    generated = time.perf_counter() - started
    result = run_spin(text, PromelaNames.of(spec), limits=limits or SpinLimits())
    return SpinResult(
        outcome=result.outcome,
        complete=result.complete,
        limit=result.limit,
        trace=result.trace,
        states=result.states,
        depth=result.depth,
        seconds={"generate": generated, **result.seconds},
        output=result.output,
    )


def run_spin(text: str, names: PromelaNames, *, limits: SpinLimits) -> SpinResult:
    """Verify the Promela program `text` (written for `names.spec`) with SPIN.

    Raises:
        SpinUnavailable: spin or gcc is not installed.
    """
    spin, gcc = _program("spin"), _program("gcc")
    with tempfile.TemporaryDirectory(prefix="stepcheck-spin-") as folder:
        work = Path(folder)
        (work / _MODEL).write_text(text, encoding="utf-8")
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        options = [] if limits.hide_write_only else ["-o2"]
        _call([spin, "-a", *options, _MODEL], work, "spin -a")
        if not (work / "pan.c").exists():
            raise InternalError("spin -a wrote no pan.c for the generated model")
        flags = [limits.optimise, "-DSAFETY", f"-DMEMLIM={limits.memory_mb}"]
        _call([gcc, *flags, "-o", "pan", "pan.c"], work, "gcc")
        seconds["compile"] = time.perf_counter() - started
        started = time.perf_counter()
        command = ["./pan", f"-m{limits.depth}"]
        if limits.hash_bits is not None:
            command.append(f"-w{limits.hash_bits}")
        try:
            run = subprocess.run(
                command,
                cwd=work,
                capture_output=True,
                text=True,
                timeout=limits.seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            seconds["run"] = time.perf_counter() - started
            return SpinResult(outcome=SpinOutcome.DID_NOT_FINISH, limit="time", seconds=seconds)
        seconds["run"] = time.perf_counter() - started
        result = _reading(run.stdout + run.stderr, seconds)
        if result.outcome is not SpinOutcome.VIOLATED:
            return result
        replay = _call([spin, "-t", _MODEL], work, "spin -t", check=False)
        trace = trace_from_output(names, replay)
        return SpinResult(
            outcome=result.outcome,
            complete=False,
            trace=trace,
            states=result.states,
            depth=result.depth,
            seconds=seconds,
            output=result.output,
        )


_STORED = re.compile(r"^\s*(\d+(?:\.\d+)?(?:e\+\d+)?) states, stored", re.MULTILINE)
_DEPTH = re.compile(r"depth reached (\d+), errors: (\d+)")


def _reading(output: str, seconds: dict[str, float]) -> SpinResult:
    """pan's verdict from its report."""
    stored, depth = _STORED.search(output), _DEPTH.search(output)
    states = int(float(stored.group(1))) if stored else None
    reached = int(depth.group(1)) if depth else None

    def result(
        outcome: SpinOutcome, *, complete: bool = False, limit: str | None = None
    ) -> SpinResult:
        return SpinResult(
            outcome=outcome,
            complete=complete,
            limit=limit,
            states=states,
            depth=reached,
            seconds=seconds,
            output=output,
        )

    if "assertion violated" in output:
        return result(SpinOutcome.VIOLATED)
    if "-DMEMLIM bound" in output or "out of memory" in output:
        return result(SpinOutcome.DID_NOT_FINISH, limit="memory")
    if depth is None or depth.group(2) != "0":
        # A deadlock cannot happen in this model (a tick or an event is always
        # possible), so any other error is a bug in the Promela we wrote.
        raise InternalError(f"SPIN reported an unexpected result:\n{output}")
    truncated = "max search depth too small" in output
    complete = not truncated and "Search not completed" not in output
    return result(SpinOutcome.NO_ERRORS, complete=complete, limit="depth" if truncated else None)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        hint = "install it (Debian: apt-get install spin)" if name == "spin" else "install gcc"
        raise SpinUnavailable(f"'{name}' is not installed or not on PATH; {hint}")
    return found


def _call(command: list[str], work: Path, what: str, *, check: bool = True) -> str:
    """Run one step of the tool chain; our own Promela failing to build is our bug."""
    try:
        done = subprocess.run(
            command,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=_COMPILE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise StepcheckError(f"{what} took more than {_COMPILE_SECONDS:.0f} s") from error
    output = done.stdout + done.stderr
    if check and done.returncode != 0:
        raise InternalError(f"{what} failed on the generated model:\n{output}")
    return output
