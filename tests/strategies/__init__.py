"""Hypothesis strategies shared by several test packages."""
