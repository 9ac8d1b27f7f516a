"""Benchmarks with baselines measured in the same run; ``python -m bench`` runs them all."""
