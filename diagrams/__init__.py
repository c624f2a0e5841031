"""Diagrams and the reviewer's report (see issue: diagrams)."""
