"""Command-line interface: ``mkba-mc`` (the console script is :func:`main`).

parse -> call the library -> write via :mod:`mkba_mc.io` -> exit code.  The
application, its one error handler and the shared options are in
:mod:`.app`; the commands in :mod:`.evaluate`, :mod:`.sensitivity` and
:mod:`.folders` (imported here, in the order ``--help`` lists them).
"""

from __future__ import annotations

import sys

from . import (
    evaluate,  # noqa: F401 -- registers validate, point, run
    folders,  # noqa: F401,I001 -- registers compare, batch, report (in this order in --help)
    sensitivity,  # noqa: F401 -- registers sobol, morris, tornado, breakeven, curve
    voi,  # noqa: F401 -- registers voi
)
from . import discover  # noqa: F401,E402 -- registers discover (issue 13)
from .app import _check_finite, _error_message, _state, app, err_console, quiet_broken_pipe, stdout_closed


def main() -> None:
    """Entry point of the ``mkba-mc`` console script.

    The commands' errors are handled by :class:`_Group`; this only catches
    what escapes it outside a command (``--debug`` lets everything through).
    """
    try:
        app()
    except Exception as exc:  # pragma: no cover - the group handles the commands' errors
        if _state["debug"]:
            raise
        if isinstance(exc, BrokenPipeError) and stdout_closed():
            quiet_broken_pipe()
        message, code = _error_message(exc)
        err_console.print(f"error: {message}", highlight=False, markup=False)
        sys.exit(code)


__all__ = ["_check_finite", "app", "main"]
