"""The oracle: a reference executor and model-based tests of other systems (see issue: oracle)."""
