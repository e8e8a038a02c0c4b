"""Execution: Monte Carlo runs, evaluators and schedulers, summaries of sampled outputs."""
