"""Named states (spec/trace.py) of the example spec, for tests that build traces by hand."""

EXAMPLE_START = {
    "status": "early_help",
    "owner": "fs_worker",
    "co_owner": "none",
    "previous_owner": "none",
    "var:consent": False,
    "var:referrals": 0,
    "held": (),
    "deadline:allocate_within_two_days": None,
    "dispute:allocation_dispute": None,
    "level_timer:allocation_dispute": None,
    "dispute_timer:allocation_dispute": None,
}
"""tests/fixtures/specs/valid/example.yaml at its start (only the parts writers read)."""
