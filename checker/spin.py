"""Run SPIN on a spec's Promela model: violated (with a trace), no errors, or unfinished.

`checker.promela.to_promela` -> here -> `SpinResult`. In a temporary directory:
`spin -a` writes the verifier `pan.c`, gcc compiles it for safety properties
(`-DSAFETY`, a memory limit `-DMEMLIM`), and `./pan` searches depth-first up to a depth
bound, within a wall-clock timeout. A depth-first trail can be thousands of steps
long, so on a violation pan searches again under depth bounds that double from 8
statements and then bisect, and the trail under the smallest bound replaces it (a breadth-first
verifier would give the shortest, but runs out of memory where the state space is
wide, and needs compiling again). The trail is replayed with `spin -t` and read back as a
`spec.trace.Trace` (`checker.spin_output`), which the explorer can replay. SPIN and
gcc are system programs: when either is missing the answer is `SpinUnavailable`, an
error the user can fix, not a traceback.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Final

from attrs import field, frozen

from stepcheck.checker.promela import to_promela
from stepcheck.checker.promela_names import PromelaNames
from stepcheck.checker.spin_output import SpinOutcome, read_report, trace_from_output
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
_TRAIL: Final = "model.pml.trail"
_FIRST_BOUND: Final = 8
"""The first depth bound, in statements, a shorter trail is looked for under."""
_SHORTEN_SECONDS: Final = 2.0
"""The least time each search for a shorter trail may take (else four first searches)."""
_TOOL_SECONDS: Final = 600.0
"""How long `spin -a`, gcc or `spin -t` may take (they do not search)."""


class SpinUnavailable(StepcheckError):
    """SPIN or a C compiler is not installed, or not on PATH."""


@frozen(kw_only=True)
class SpinLimits:
    """How far and how long SPIN may search, and how.

    `depth` is pan's `-m`: the depth of its search stack, in Promela statements (one
    model step is several); `memory_mb` its `-DMEMLIM`; `seconds` the wall-clock time
    each pan search may run. `optimise` is gcc's flag: `-O2` pays seconds of compiling
    for a faster search, which only large models repay. `hash_bits` is pan's `-w`
    (None: pan's default, 2^24 slots). `hide_write_only` keeps SPIN's own reduction,
    which leaves out of the states it compares any variable the model writes but
    never reads (such as `previous_owner` when no event routes to `previous`): sound
    for these properties, and smaller; without it (`spin -o2`) SPIN stores exactly
    the explorer's states and its own start state. `shorten_trail` searches again,
    under doubling depth bounds, for a shorter trail once a violation is found.
    """

    depth: int = 1_000_000
    memory_mb: int = 2048
    seconds: float = 600.0
    optimise: str = "-O2"
    hash_bits: int | None = None
    hide_write_only: bool = True
    shorten_trail: bool = True


@frozen(kw_only=True)
class SpinResult:
    """SPIN's answer on one model.

    VIOLATED: `trace` is the trail, as a run of the finite model. NO_ERRORS: `complete`
    says whether pan searched every reachable state; when it did not, `limit` says why
    (`depth`). DID_NOT_FINISH: `limit` is `time` or `memory`. `states` and `depth` are
    the first search's; `seconds` the time per phase: `generate`, `compile`, `run`,
    and `shorten` (the searches for a shorter trail).
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
    seconds = {"generate": generated, **result.seconds}
    return SpinResult(
        outcome=result.outcome,
        complete=result.complete,
        limit=result.limit,
        trace=result.trace,
        states=result.states,
        depth=result.depth,
        seconds=seconds,
        output=result.output,
    )


def run_spin(text: str, names: PromelaNames, *, limits: SpinLimits) -> SpinResult:
    """Verify the Promela program `text` (written for `names.spec`) with SPIN.

    Raises:
        SpinUnavailable: spin or gcc is not installed.
    """
    tools = _Tools(spin=_program("spin"), gcc=_program("gcc"), limits=limits)
    with tempfile.TemporaryDirectory(prefix="stepcheck-spin-") as folder:
        work = Path(folder)
        (work / _MODEL).write_text(text, encoding="utf-8")
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        tools.generate(work)
        tools.compile(work, "pan")
        seconds["compile"] = time.perf_counter() - started
        started = time.perf_counter()
        output = tools.search(work, "pan")
        seconds["run"] = time.perf_counter() - started
        if output is None:
            return SpinResult(outcome=SpinOutcome.DID_NOT_FINISH, limit="time", seconds=seconds)
        report = read_report(output)
        trace = None
        if report.outcome is SpinOutcome.VIOLATED:
            if limits.shorten_trail and report.depth is not None:
                started = time.perf_counter()
                budget = max(_SHORTEN_SECONDS, 4 * seconds["run"])
                tools.shorten(work, report.depth, budget)
                seconds["shorten"] = time.perf_counter() - started
            trace = trace_from_output(names, tools.replay(work))
        return SpinResult(
            outcome=report.outcome,
            complete=report.complete,
            limit=report.limit,
            trace=trace,
            states=report.states,
            depth=report.depth,
            seconds=seconds,
            output=output,
        )


@frozen(kw_only=True)
class _Tools:
    """The SPIN tool chain in one working folder."""

    spin: str
    gcc: str
    limits: SpinLimits

    def generate(self, work: Path) -> None:
        options = [] if self.limits.hide_write_only else ["-o2"]
        _call([self.spin, "-a", *options, _MODEL], work, "spin -a")
        if not (work / "pan.c").exists():
            raise InternalError("spin -a wrote no pan.c for the generated model")

    def compile(self, work: Path, binary: str, *extra: str) -> None:
        limits = self.limits
        flags = [limits.optimise, "-DSAFETY", f"-DMEMLIM={limits.memory_mb}", *extra]
        _call([self.gcc, *flags, "-o", binary, "pan.c"], work, "gcc")

    def search(
        self, work: Path, binary: str, depth: int | None = None, seconds: float | None = None
    ) -> str | None:
        """pan's report, or None when it ran out of time."""
        command = [f"./{binary}", f"-m{depth or self.limits.depth}"]
        if self.limits.hash_bits is not None:
            command.append(f"-w{self.limits.hash_bits}")
        try:
            done = subprocess.run(
                command,
                cwd=work,
                capture_output=True,
                text=True,
                timeout=seconds or self.limits.seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        return done.stdout + done.stderr

    def shorten(self, work: Path, reached: int, seconds: float) -> None:
        """Search again under depth bounds 8, 16, ... below `reached`, then bisect between
        the last bound without a trail and the first with one; the trail under the
        smallest bound replaces the first. A bounded search may miss a trail (a state
        met deep first is not searched again from nearer), never invents one. Each
        search may take `seconds` (one that runs out counts as finding none), all of
        them together the limits' `seconds`."""
        best = work / "best.trail"
        shutil.copyfile(work / _TRAIL, best)
        deadline = time.monotonic() + self.limits.seconds
        low, high = 0, reached
        depth = _FIRST_BOUND
        while depth < high and high - low > 1:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            output = self.search(work, "pan", depth, min(seconds, left))
            if output is not None and "assertion violated" in output:
                shutil.copyfile(work / _TRAIL, best)
                high = depth
            else:
                low = depth
            depth = depth * 2 if high == reached else (low + high) // 2
        shutil.copyfile(best, work / _TRAIL)

    def replay(self, work: Path) -> str:
        return _call([self.spin, "-t", _MODEL], work, "spin -t", check=False)


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        hint = "install it (Debian: apt-get install spin)" if name == "spin" else "install gcc"
        raise SpinUnavailable(f"'{name}' is not installed or not on PATH; {hint}")
    return found


def _call(command: list[str], work: Path, what: str, *, check: bool = True) -> str:
    """Run one program of the tool chain; our own Promela failing to build is our bug."""
    try:
        done = subprocess.run(
            command,
            cwd=work,
            capture_output=True,
            text=True,
            timeout=_TOOL_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise StepcheckError(f"{what} took more than {_TOOL_SECONDS:.0f} s") from error
    output = done.stdout + done.stderr
    if check and done.returncode != 0:
        raise InternalError(f"{what} failed on the generated model:\n{output}")
    return output
