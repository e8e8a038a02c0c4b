"""Exceptions and warnings of mkba_mc.

Every problem with user input is a :class:`Problem` naming the file, the key
path, the value found and what was expected; a :class:`ConfigError` carries
all problems found in one pass, so a user fixes a file in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MkbaError(Exception):
    """Base class of all errors mkba_mc raises on purpose.

    Attributes
    ----------
    exit_code : int
        Exit code of ``mkba-mc`` for this error: 2 (bad input or option)
        unless a subclass says otherwise.
    """

    exit_code: int = 2


@dataclass(frozen=True)
class Problem:
    """One problem in an input file or option.

    Parameters
    ----------
    source : str
        File path, or a pseudo-source such as ``--set``.
    key : str
        Dotted key path inside the source (``effects.attribution``).
    value : object
        The offending value as read (``<missing>`` when absent).
    expected : str
        What would have been accepted, phrased so the user can fix it.
    """

    source: str
    key: str
    value: object
    expected: str

    def __str__(self) -> str:
        value = self.value if isinstance(self.value, str) and self.value.startswith("<") else _short_repr(self.value)
        return f"{self.source}: {self.key} = {value}: expected {self.expected}"


#: Longest value shown in a message (a deeply nested or huge value is cut).
MAX_VALUE_CHARS = 200


def _short_repr(value: object) -> str:
    """``repr(value)``, cut to :data:`MAX_VALUE_CHARS` characters."""
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # int beyond the str conversion limit, absurd nesting
        return f"<{type(value).__name__} too large to show>"
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 5] + " ...(" + f"{len(text):,} characters)"
    return text


class ConfigError(MkbaError):
    """Invalid input: one or more :class:`Problem` found together."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the input"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[tuple[Problem, ...]]]:
        # keep the problems when the error crosses a process boundary (Dask workers)
        return (type(self), (self.problems,))


class OutputError(MkbaError):
    """An output cannot be written (for example the directory is not empty)."""


class WriteError(OutputError):
    """Writing an output failed part-way (disk full, I/O error); nothing was
    changed. Exit code 1, as for other I/O errors (the input was fine)."""

    exit_code = 1


class ResourceError(MkbaError):
    """Something outside the input failed: a folder that cannot be written,
    a scheduler that cannot be reached. Exit code 1, as for other I/O errors."""

    exit_code = 1


class MkbaWarning(UserWarning):
    """A soft problem: the result is computed, but read it with care."""


__all__ = ["ConfigError", "MkbaError", "MkbaWarning", "OutputError", "Problem", "ResourceError", "WriteError"]
