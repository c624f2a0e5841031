"""Example systems to test against the stepcheck oracle (see examples/README.md)."""
