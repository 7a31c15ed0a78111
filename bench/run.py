"""Benchmarks: not yet (see the speed issue)."""

print("bench: not yet")
