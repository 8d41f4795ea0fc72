"""Reliability suite plumbing: the figures table lives in tests/conftest.py (every test may add a row)."""
