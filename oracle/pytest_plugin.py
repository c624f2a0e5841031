"""pytest plugin: fixtures and a marker for testing a system against the oracle."""
