"""Uncertainty: distributions, sampling designs, the copula and share groups."""
