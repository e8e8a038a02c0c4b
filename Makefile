# mkba_mc: two commands do everything on a fresh machine.
#   make demo  -- create .venv, install, run the main job (a 1,000,000-sample Monte Carlo) on the default scenario
#   make test  -- create .venv if needed, install with test extras, run the tests
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
SCENARIO ?= scenarios/bijlage2_voorbeeld.toml

.PHONY: demo test test-fast bench bench-quick clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@ $(VENV)/.installed

# the main job: a 1,000,000-sample Monte Carlo run of the default scenario
demo: $(VENV)/.installed
	$(VENV)/bin/mkba-mc run $(SCENARIO) -n 1000000 --seed 2014

bench: $(VENV)/.installed-test
	$(PY) benchmarks/bench_montecarlo.py
	$(PY) benchmarks/bench_sobol.py

# the same figures at N <= 2^20 (and a 10^6-sample CLI run): a few minutes
bench-quick: $(VENV)/.installed-test
	$(PY) benchmarks/bench_montecarlo.py --quick
	$(PY) benchmarks/bench_sobol.py --quick

test: $(VENV)/.installed-test
	$(PY) -m pytest

test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -m "not slow"

clean:
	rm -rf $(VENV) build dist .pytest_cache
