"""Benchmarks (not tests): run `python -m benchmarks [--quick]`."""
