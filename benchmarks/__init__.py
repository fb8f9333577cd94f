"""Benchmarks: scripts printing figures (``make bench``)."""
