"""No spec runs `verify` past its budget: random specs, each given a small whole-run
budget, finish within it (the checker's part of "every input within its budget")."""

from __future__ import annotations

import time
from datetime import date

import pytest
from hypothesis import HealthCheck, event, given, settings
from strategies.specs import small_specs

from stepcheck.checker.engines import Limits
from stepcheck.checker.results import Verdict
from stepcheck.spec.loader import load_spec_text
from stepcheck.verification import Budget, run_verify

_SECONDS = 1.5


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs(max_statuses=5))
def test_a_random_spec_is_verified_within_its_budget(text):
    spec = load_spec_text(text, "<random>")
    started = time.monotonic()
    report = run_verify(
        [spec],
        properties=(),
        limits=Limits(),
        progress=False,
        start=date(2026, 12, 21),
        jobs=2,
        budget=Budget(seconds=_SECONDS, started=started),
    )
    assert time.monotonic() - started < _SECONDS * 1.1 + 0.3
    for result in report.results:
        if result.verdict is Verdict.UNKNOWN:
            reason = result.reason or ""
            # Every unknown names its cause: the budget; a dispute that a document outside
            # the spec holds; or a run of the working-day model that no date on the real
            # calendar reproduces (tests/oracle/test_dating.py keeps the ones found so far
            # and now dated).
            named = (
                "--max-seconds" in reason
                or reason.startswith("depends on '")
                or "could not replay it on the real calendar" in reason
            )
            assert named, reason
            if "real calendar" in reason:
                event("a run no date reproduces")
