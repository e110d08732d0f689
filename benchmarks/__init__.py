"""Benchmarks of jupyter_secrets: `python -m benchmarks [--quick]` (`make bench`)."""
