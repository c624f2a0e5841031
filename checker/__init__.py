"""The checker: structural checks and Z3 proofs of a `ProtocolSpec` (see issue: checker)."""
