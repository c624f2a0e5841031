"""The Z3 engines against the explicit explorer, on random small specs, in both directions.

For every property of every generated spec: the verdicts agree; a Z3 trace replays in
the explorer (it is a real path); where Z3 says proved, the explorer finds no violation;
where both prove a response property, they agree on its worst case in working days.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from strategies.specs import small_specs

from stepcheck.checker.encode import Encoding
from stepcheck.checker.engines import Limits
from stepcheck.checker.explore import ExplicitModel, explicit_verdict, replay
from stepcheck.checker.lasso import lasso_finder
from stepcheck.checker.properties import decide
from stepcheck.checker.results import Verdict
from stepcheck.spec.loader import load_spec_text
from stepcheck.spec.model import PropertyKind, Reading

_LIMITS = Limits(timeout_ms=20_000, quick_depth=6, max_depth=40)
_RESPONSE = (PropertyKind.ESCALATION_TERMINATES, PropertyKind.LEADS_TO)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=small_specs(), reading=...)
def test_z3_and_explorer_agree(text: str, reading: Reading) -> None:
    spec = load_spec_text(text, "<random>")
    encoding = Encoding(spec, reading)
    explicit = ExplicitModel(spec, reading)

    for prop in spec.properties:
        symbolic = decide(encoding, prop, _LIMITS, lasso_finder(explicit))
        reference = explicit_verdict(explicit, prop)
        assert symbolic.verdict is not Verdict.UNKNOWN, (prop.id, symbolic.reason)
        assert symbolic.verdict is reference.verdict, (prop.id, symbolic, reference)
        if symbolic.trace is not None:
            replayed = replay(explicit, symbolic.trace)
            assert replayed.ok, (prop.id, replayed)
        if (
            symbolic.verdict is Verdict.PROVED
            and prop.kind in _RESPONSE
            and prop.id not in encoding.timing.within
        ):
            assert (symbolic.working_days or 0) == (reference.bound or 0), (
                prop.id,
                symbolic,
                reference,
            )
