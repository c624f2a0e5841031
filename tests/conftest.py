"""Shared test set-up: Hypothesis profiles and the `golden` fixture.

Profiles: `dev` (the default, fast, a fresh random draw each run), `gate` (as `dev`,
derandomized: what `make test`, and so CI, runs, so that whether a change lands depends
on the code alone, never on the draw) and `ci` (more examples, derandomized); pick one
with `HYPOTHESIS_PROFILE=...`. Fresh draws are what `make soak` and a plain `pytest`
are for; what they find is kept as an explicit `@example`. Golden files hold
everything a person reads; `pytest --update-golden` rewrites them from the current
output instead of comparing, and `git diff` then shows what changed.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("dev", max_examples=100)
settings.register_profile("gate", max_examples=100, derandomize=True, print_blob=True)
# `make lower-bounds` (scripts/lower_bounds.sh): the gate's draws with no per-example
# deadline, since it asks whether the oldest allowed dependencies work, not how fast.
settings.register_profile(
    "lower-bounds", max_examples=100, derandomize=True, print_blob=True, deadline=None
)
settings.register_profile(
    "ci",
    max_examples=500,
    derandomize=True,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config: pytest.Config) -> None:
    """Run from the repository root: fixture paths and golden file names are repo-relative.

    Decisions `verify` caches go to a folder of this run's own (each worker its own),
    never the user's cache, so no test sees another run's decisions."""
    os.chdir(config.rootpath)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ["STEPCHECK_CACHE_DIR"] = tempfile.mkdtemp(prefix=f"stepcheck-cache-{worker}-")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked `slow` first, otherwise in collection order: with `-n 2` the
    longest ones then start at once on both workers instead of leaving one worker
    alone at the end with a long test, which is what sets the suite's wall time."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files from the current output instead of comparing with them",
    )


class Golden:
    """Compares text a person reads with its golden file, or rewrites the file."""

    def __init__(self, *, update: bool) -> None:
        self.update = update

    def check(self, path: Path | str, actual: str) -> None:
        """Assert that `actual` is the text of `path` (or, when updating, make it so)."""
        path = Path(path)
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists() or path.read_text(encoding="utf-8") != actual:
                path.write_text(actual, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}; run pytest --update-golden to create it")
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"output differs from {path} (pytest --update-golden)"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """The golden-file checker, in update mode under `--update-golden`."""
    return Golden(update=bool(request.config.getoption("--update-golden")))
