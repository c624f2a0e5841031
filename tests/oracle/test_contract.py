"""An in-process system's answers are checked against the contract before they are
compared: a wrong type is a fault naming the call and the field, never a traceback."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import attrs
import pytest

from examples.casework.app import InProcessCasework
from stepcheck.oracle.contract import checked_reply, checked_view
from stepcheck.oracle.machine import replay
from stepcheck.oracle.system import SystemFault
from stepcheck.oracle.types import CaseView, Reply
from stepcheck.spec.loader import load_spec
from stepcheck.spec.model import Reading

DEVON = load_spec(Path("spec/authorities/devon.yaml"))
AT = datetime(2026, 1, 5, 9, 0)
VIEW = CaseView(status="cin", owner="x", due={"d": date(2026, 1, 9)}, disputes={"l": "one"})


class _Skewed(InProcessCasework):
    """The example system, its answers bent by `bend` after each step."""

    def __init__(self, bend):
        super().__init__()
        self.bend = bend

    def apply(self, step, *, at):
        return self.bend(super().apply(step, at=at))


@pytest.mark.parametrize(
    ("bend", "said"),
    [
        (
            lambda reply: {"accepted": reply.accepted},
            "apply('discuss_needs_with_family') returned a dict",
        ),
        (lambda reply: attrs.evolve(reply, accepted=1), "reply.accepted is a int (1)"),
        (
            lambda reply: attrs.evolve(
                reply,
                view=attrs.evolve(
                    reply.view, due={"first_contact_after_allocation": datetime(2026, 1, 9)}
                ),
            ),
            "view.due['first_contact_after_allocation'] is a datetime",
        ),
        (
            lambda reply: attrs.evolve(reply, view=attrs.evolve(reply.view, allocated="yes")),
            "view.allocated is a str ('yes'); expected bool",
        ),
    ],
)
def test_a_wrongly_typed_answer_is_a_fault_of_its_step(bend, said):
    steps = [("discuss_needs_with_family", AT)]
    finding = replay(
        DEVON,
        lambda: _Skewed(bend),
        status="cin",
        at=AT,
        steps=steps,
        reading=Reading.SHOULD,
    )

    assert finding is not None
    assert finding.fault is not None
    assert said in finding.fault


def test_well_typed_answers_pass_unchanged():
    reply = Reply(accepted=True, view=VIEW)

    assert checked_view(VIEW, "start('cin')") is VIEW
    assert checked_reply(reply, "apply('x')") is reply


def test_a_dispute_level_must_be_text():
    bad = attrs.evolve(VIEW, disputes={"l": 2})

    with pytest.raises(SystemFault, match=r"view.disputes\['l'\] is a int \(2\); expected a level"):
        checked_view(bad, "start('cin')")
