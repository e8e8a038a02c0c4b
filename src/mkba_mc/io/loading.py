"""Loading of input files: where each step of read file -> validate dict -> typed object lives.

This module only gathers the names of the loading modules, so that code
written against ``mkba_mc.io.loading`` keeps working:

====================  ==========================================================
module                job
====================  ==========================================================
:mod:`.toml`          safe reading of a TOML file into a dict (size, type, UTF-8, depth)
:mod:`.schema`        pydantic models of both files (unknown keys rejected)
:mod:`.distfile`      a distribution file's dict -> :class:`Defaults`; merging files
:mod:`.parameter_tables`  a parameter's ``distribution`` / ``implementation`` / ``range`` tables
:mod:`.payers`        payer-share vectors and time profiles
:mod:`.price_index`   CBS CPI indexing of euro amounts
:mod:`.scenario_parse`  a scenario's dict -> checked values; ``--set`` parsing
:mod:`.scenario_build`  defaults + scenario dict + overrides -> :class:`Scenario`
:mod:`.scenario`      the :class:`Scenario` type and its input spaces
====================  ==========================================================
"""

from __future__ import annotations

from .distfile import (
    CorrelationSpec,
    Defaults,
    ParameterInfo,
    default_distribution_files,
    load_distributions,
    parse_distributions,
)
from .hashing import sha256 as file_sha256
from .parameter_tables import evidence_of
from .scenario import INPUT_SPACES, Scenario
from .scenario_build import load_scenario, parse_scenario, validate_file
from .scenario_parse import FROM_CASELOAD, SET_SOURCE, check_scenario, parse_set
from .toml import read_toml

#: The former name of :func:`parse_scenario` (a scenario dict to a Scenario).
build_scenario = parse_scenario

__all__ = [
    "FROM_CASELOAD",
    "INPUT_SPACES",
    "SET_SOURCE",
    "CorrelationSpec",
    "Defaults",
    "ParameterInfo",
    "Scenario",
    "build_scenario",
    "check_scenario",
    "default_distribution_files",
    "evidence_of",
    "file_sha256",
    "load_distributions",
    "load_scenario",
    "parse_distributions",
    "parse_scenario",
    "parse_set",
    "read_toml",
    "validate_file",
]
