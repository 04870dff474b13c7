"""Benchmarks of the mock side by side with peer mock IdPs: scripts, not tests (see bench/README.md)."""
