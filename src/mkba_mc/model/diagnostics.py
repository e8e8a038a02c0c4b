"""Soft checks on model results: counted warnings, never exceptions.

* A total cost <= 0 leaves the ratios undefined: they are NaN, and the number
  of samples where it happens is reported (MODEL.md §4).
* A team that deviates more than 20 % from the caseload-based need
  (``fte_need``) is flagged: too small a team risks becoming "an extra layer"
  between households and the professionals who do the work (meta-analyse
  2014, §6.2); too large a team is expensive for its reach (§3.3.6).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

TEAM_TOLERANCE = 0.20


def result_warnings(out: Mapping[str, np.ndarray], team_from_caseload: bool = False) -> list[str]:
    """Warnings for a model result (any number of samples)."""
    messages = []
    n = len(next(iter(out.values())))
    if "cost_total" in out:
        bad = int(np.count_nonzero(~(out["cost_total"] > 0)))
        if bad:
            messages.append(f"total cost <= 0 in {bad} of {n} samples: ratio_financial and ratio_social are NaN there")
    if "actor_ncw_cost" in out and "ratio_gemeente" in out:
        bad = int(np.count_nonzero(np.isnan(out["ratio_gemeente"])))
        if bad:
            messages.append(f"municipal cost <= 0 in {bad} of {n} samples: ratio_gemeente is NaN there")
    if not team_from_caseload and "team_fte" in out and "fte_need" in out:
        dev = out["team_fte"] / out["fte_need"] - 1.0
        off = int(np.count_nonzero(np.abs(dev) > TEAM_TOLERANCE))
        if off:
            if n == 1:
                messages.append(
                    f"team of {out['team_fte'][0]:.2f} fte deviates {dev[0]:+.0%} from the {out['fte_need'][0]:.2f} fte "
                    "the caseload needs (more than 20 %): "
                    + ("too small a team risks becoming an extra layer (meta-analyse §6.2)" if dev[0] < 0
                       else "the team is large for its reach")
                )
            else:
                messages.append(f"team deviates more than 20 % from fte_need in {off} of {n} samples")
    return messages
