"""Metrics over a run folder's tables (simulated or imported), each returning a table."""
