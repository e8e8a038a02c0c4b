"""Reports: labels, number formats, figures, HTML, Excel and console tables.

The report reads the result files the engine wrote and never evaluates the
model: :func:`build_report` turns a results folder into ``report.html``,
:func:`find_artefacts` lists the result files it would use.
"""

from .artefacts import Artefacts, find_artefacts
from .build import build_report

__all__ = ["Artefacts", "build_report", "find_artefacts"]
