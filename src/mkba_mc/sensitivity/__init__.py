"""Sensitivity: Sobol' estimators, Morris, tornado and switch values, break-even, acceptability curves."""
