"""Reports: labels, number formats, figures, HTML, Excel and console tables.

The report reads the result files the engine wrote and never evaluates the
model: :func:`build_report` turns a results folder into ``report.html``,
:func:`find_artefacts` lists the result files it would use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .artefacts import Artefacts, find_artefacts
    from .build import build_report


def __getattr__(name: str) -> Any:
    """``build_report``, ``Artefacts`` or ``find_artefacts``, imported on first
    use (PEP 562): a command that prints a console table (``report.console``)
    does not import the HTML report, its figures and their dependencies.

    Raises
    ------
    AttributeError
        If ``name`` is not one of them.
    """
    if name == "build_report":
        from .build import build_report

        return build_report
    if name in ("Artefacts", "find_artefacts"):
        from . import artefacts

        return getattr(artefacts, name)
    raise AttributeError(f"module 'mkba_mc.report' has no attribute {name!r}")

__all__ = ["Artefacts", "build_report", "find_artefacts"]
