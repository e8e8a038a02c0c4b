"""The input spaces of the analyses: which inputs are sampled over what,
by which design, and how the factors of a sensitivity analysis are grouped.

Three questions, each with its own input space (reference/uncertainty.md
§1): the risk of *this plan* (``run``/``plan``: levers at the plan's values
with their implementation uncertainty, valuations fixed), *which knob
decides* (``all``: levers, uncertainties and valuations over their plausible
ranges) and the what-ifs ``levers`` and ``uncertainties``.
"""

from __future__ import annotations

from typing import Final

#: The input spaces of the analyses (reference/uncertainty.md §1), with the
#: sentence every output uses to say which one it covers.
INPUT_SPACES: Final[dict[str, str]] = {
    "run": "risk of this plan: uncertainties sampled; levers at the plan's value with their implementation "
           "uncertainty; normative inputs (QALY value, discount rate) fixed at the scenario's values",
    "plan": "risk of this plan: uncertainties sampled; levers at the plan's value with their implementation "
            "uncertainty; normative inputs (QALY value, discount rate) fixed at the scenario's values",
    "levers": "what-if over the levers: uncertainties sampled; levers over their plausible range across "
              "approaches; normative inputs fixed at the scenario's values",
    "uncertainties": "uncertainties only: levers and normative inputs fixed at the scenario's values",
    "all": "which knob decides: uncertainties sampled; levers and normative inputs over their plausible ranges",
}


#: The designs on the unit cube (:mod:`mkba_mc.uncertainty.designs`).
SAMPLERS: Final[tuple[str, ...]] = ("random", "lhs", "sobol")
#: The input spaces a sensitivity analysis may be asked for (``--inputs``).
SENSITIVITY_SPACES: Final[tuple[str, ...]] = ("all", "plan", "uncertainties")
#: Factors of a Sobol' or Morris analysis: one per knop (a group of
#: parameters) or one per parameter (``--group-by``).
GROUP_BY: Final[tuple[str, ...]] = ("knop", "parameter")


__all__ = ["GROUP_BY", "INPUT_SPACES", "SAMPLERS", "SENSITIVITY_SPACES"]
