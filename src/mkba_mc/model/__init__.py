"""The MKBA model: a pure, vectorised function of arrays (MODEL.md).

No I/O, no randomness, no logging, and no import from the layers above
(only :mod:`mkba_mc.errors`).  :func:`evaluate` orchestrates the stages:
:mod:`.reach`, :mod:`.costs`, :mod:`.benefits`, :mod:`.discounting` and the
views :mod:`.actors`, :mod:`.budget` and :mod:`.programme`; the index sets
are in :mod:`.sets`, the parameter registry in :mod:`.parameters` and the
output names in :mod:`.outputs`.
"""

from __future__ import annotations

from .core import evaluate, sample_count
from .outputs import ACTOR_OUTPUTS, ALL_OUTPUTS, COST_KEYS, POINT_KEYS, PROGRAMME_OUTPUTS, SCALAR_OUTPUTS
from .parameters import PARAMETERS
from .sets import ACTORS, GEMEENTE_ACTORS, HORIZON, SEVERITIES, TYPES
from .structure import Structure

__all__ = [
    "ACTORS",
    "ACTOR_OUTPUTS",
    "ALL_OUTPUTS",
    "COST_KEYS",
    "GEMEENTE_ACTORS",
    "HORIZON",
    "PARAMETERS",
    "POINT_KEYS",
    "PROGRAMME_OUTPUTS",
    "SCALAR_OUTPUTS",
    "SEVERITIES",
    "Structure",
    "TYPES",
    "evaluate",
    "sample_count",
]
