"""pytest plugin: fixtures and a marker for testing a system against the oracle.

Registered as the `stepcheck` pytest11 entry point, so installing stepcheck is enough:

    import pytest
    from myservice import make_system

    @pytest.mark.stepcheck(spec="specs/devon.yaml", reading="should")
    def test_service_follows_the_protocol(stepcheck_check):
        stepcheck_check(make_system)

`stepcheck_check(factory, **options)` runs `check_system` and fails the test with the
minimal reproduction when the system disagrees, or exercised less than
`min_coverage` percent of the reachable steps. The marker's keywords (`spec`,
`reading`, `examples`, `seed`, `steps`, `meetings`, `min_coverage`) are its
defaults; the command line's `--stepcheck-seed` and `--stepcheck-examples` override
them. The seed is fixed (0) unless given, so a CI failure repeats. The session's
summary ends with what each check exercised ("stepcheck coverage").

A relative `spec` path is looked up beside the test file, then under pytest's rootdir,
then under the current directory; the rootdir is on `sys.path` (last), so the test
imports the project's own module under plain `pytest`. A spec that does not load fails
the test with its located diagnostics.

The oracle is imported only when a fixture is used: this module is loaded into every
pytest session of a project that installs stepcheck.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from stepcheck.oracle.system import SystemFactory
    from stepcheck.oracle.testing import Outcome
    from stepcheck.spec.model import ProtocolSpec

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_terminal_summary",
    "stepcheck_check",
    "stepcheck_spec",
]

_MARKER = "stepcheck"
_COVERAGE = pytest.StashKey[list[tuple[str, list[str]]]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("stepcheck", "testing a system against a stepcheck spec")
    group.addoption("--stepcheck-seed", type=int, default=None, help="seed for stepcheck_check")
    group.addoption(
        "--stepcheck-examples", type=int, default=None, help="cases stepcheck_check tries"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{_MARKER}(spec, reading='must', examples=100, seed=0, steps=30, meetings=None, "
        "min_coverage=None): the spec and options the stepcheck_check fixture tests a "
        "system against",
    )
    config.stash[_COVERAGE] = []
    # The README's `from myservice.adapter import make_system` in tests/ must import the
    # project's own module under plain `pytest`, as `python -m pytest` (which puts the
    # current directory first) and pytest's `pythonpath = .` would: the rootdir goes last.
    root = str(config.rootpath)
    if root not in sys.path:
        sys.path.append(root)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Each check's coverage: transitions and refusals exercised of those reachable."""
    checks = config.stash.get(_COVERAGE, [])
    if not checks:
        return
    terminalreporter.section("stepcheck coverage")
    for test, lines in checks:
        terminalreporter.line(test)
        for line in lines:
            terminalreporter.line(f"  {line}")


@pytest.fixture
def stepcheck_spec(request: pytest.FixtureRequest) -> ProtocolSpec:
    """The spec named by the test's `stepcheck` marker, loaded."""
    from stepcheck.spec.diagnostics import StepcheckError  # noqa: PLC0415
    from stepcheck.spec.loader import load_spec  # noqa: PLC0415 - keep plugin loading light

    path = _options(request).get("spec")
    if path is None:
        pytest.fail("mark the test with @pytest.mark.stepcheck(spec='path/to/spec.yaml')")
    found = _spec_path(Path(str(path)), request)
    try:
        return load_spec(found)
    except StepcheckError as error:  # a located diagnostic, not a traceback from elsewhere
        pytest.fail(f"stepcheck: cannot load the spec {found}: {error}", pytrace=False)


def _spec_path(path: Path, request: pytest.FixtureRequest) -> Path:
    """A relative spec path, found beside the test file, else under pytest's rootdir,
    else under the current directory; the first that exists, or the test fails naming
    every place it looked."""
    if path.is_absolute():
        return path
    places = [request.path.parent, request.config.rootpath, Path.cwd()]
    for place in places:
        if (place / path).is_file():
            return place / path
    tried = ", ".join(str(place / path) for place in dict.fromkeys(places))
    pytest.fail(f"stepcheck: no spec {str(path)!r}; looked for {tried}", pytrace=False)


@pytest.fixture
def stepcheck_check(
    request: pytest.FixtureRequest, stepcheck_spec: ProtocolSpec
) -> Callable[..., Outcome]:
    """A function `check(factory, **options)` that fails the test on a disagreement."""
    try:
        from stepcheck.oracle.testing import check_system  # noqa: PLC0415 - keep loading light
    except ImportError as missing:
        if missing.name != "hypothesis":
            raise
        pytest.fail("stepcheck_check needs Hypothesis: pip install 'stepcheck[oracle]'")
    from stepcheck.spec.model import Reading  # noqa: PLC0415

    marked = _options(request)
    config = request.config

    def check(factory: SystemFactory, **overrides: Any) -> Outcome:
        options = {**marked, **overrides}
        seed = config.getoption("--stepcheck-seed")
        examples = config.getoption("--stepcheck-examples")
        outcome = check_system(
            stepcheck_spec,
            factory,
            examples=int(examples if examples is not None else options.get("examples", 100)),
            seed=int(seed if seed is not None else options.get("seed", 0)),
            steps=int(options.get("steps", 30)),
            reading=Reading(str(options.get("reading", "must"))),
            meetings=_meetings(options.get("meetings")),
            target=options.get("target"),
            min_coverage=_percent(options.get("min_coverage")),
        )
        config.stash.setdefault(_COVERAGE, []).append(
            (request.node.nodeid, outcome.coverage.lines())
        )
        if outcome.exit_code != 0:
            pytest.fail(outcome.report, pytrace=False)
        return outcome

    return check


def _options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker(_MARKER)
    if marker is None:
        return {}
    options = dict(marker.kwargs)
    if marker.args:
        options.setdefault("spec", marker.args[0])
    return options


def _percent(value: object) -> float | None:
    return None if value is None else float(str(value))


def _meetings(value: object) -> Mapping[str, date] | None:
    if not value:
        return None
    assert isinstance(value, Mapping), "meetings: a mapping of meeting id to a date it sits"
    return {str(name): date.fromisoformat(str(day)) for name, day in value.items()}
