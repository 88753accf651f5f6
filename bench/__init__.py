"""Benchmarks: `python -m bench` (or `make bench`). Each prints ratios against a baseline measured in the same run."""
