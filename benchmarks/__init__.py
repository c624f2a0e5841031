"""Benchmarks: `make bench` (or `python -m benchmarks`) times the hot paths.

Speed is measured here, never asserted by a test. Results go to BENCHMARKS.md with the
command, the machine and the date.
"""
