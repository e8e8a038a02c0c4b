"""Former home of the HTML report, kept so that old imports keep working.

The report now lives in :mod:`mkba_mc.report.build` (``build_report``) and
the modules beside it; import from :mod:`mkba_mc.report` instead.
"""

from .artefacts import Artefacts, find_artefacts
from .assumptions import assumption_rows, is_assumption
from .build import FIGURE_FILES, build_report
from .curves import CURVE_FIGURE
from .labels import ACTOR_LABELS, VERDICTS
from .sections_run import POSTS
from .wording import classify_balance, uncertainty_wording

__all__ = ["ACTOR_LABELS", "Artefacts", "CURVE_FIGURE", "FIGURE_FILES", "POSTS", "VERDICTS", "assumption_rows",
           "build_report", "classify_balance", "find_artefacts", "is_assumption", "uncertainty_wording"]
