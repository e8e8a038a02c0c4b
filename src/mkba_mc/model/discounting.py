"""Discount-rate regimes and discount factors.

Dutch guidance for social cost-benefit analysis (MKBA) changed the discount
rate twice since the LPBL MKBA-tool was built:

* ``lpbl_2014`` -- 5.5 %: 2.5 % real plus a 3 % risk premium, the rate of the
  2014 tool (meta-analyse 2014, footnote 13).
* ``mkba_2016`` -- 3.0 %: Werkgroep Discontovoet 2015, applied in MKBAs from
  2016 to 2020 (0 % risk-free real rate plus a 3 % general risk premium).
* ``mkba_2021`` -- 2.25 %: Werkgroep Discontovoet 2020, applied from 2021
  (risk-free real rate floored at 0 % plus a 2.25 % risk premium).

``mkba_2021`` is the default because it is the rate current Dutch guidance
prescribes for new MKBAs; a scenario that reproduces a 2014 analysis (such as
``scenarios/bijlage2_voorbeeld.toml``) names ``lpbl_2014``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final



@dataclass(frozen=True)
class DiscountRegime:
    """A named discount-rate preset and where it comes from."""

    name: str
    rate: float
    source: str


REGIMES: Final[dict[str, DiscountRegime]] = {
    r.name: r
    for r in (
        DiscountRegime(
            "lpbl_2014", 0.055,
            "meta-analyse MKBA's sociale (wijk)teams, LPBL/BZK 2014, footnote 13: 2.5 % real + 3 % risk premium",
        ),
        DiscountRegime(
            "mkba_2016", 0.03,
            "Rapport Werkgroep Discontovoet 2015 (Ministerie van Financien): 3 % incl. risk premium, used 2016-2020",
        ),
        DiscountRegime(
            "mkba_2021", 0.0225,
            "Rapport Werkgroep Discontovoet 2020 (Ministerie van Financien): 2.25 % incl. risk premium, from 2021",
        ),
    )
}

#: The regime a scenario gets when it names none.
DEFAULT_REGIME: Final[str] = "mkba_2021"
