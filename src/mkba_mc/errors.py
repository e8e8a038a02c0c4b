"""Exceptions and warnings of mkba_mc.

Every problem with user input is a :class:`Problem` naming the file, the key
path, the value found and what was expected; a :class:`ConfigError` carries
all problems found in one pass, so a user fixes a file in one go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class MkbaError(Exception):
    """Base class of all errors mkba_mc raises on purpose."""


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
        value = self.value if isinstance(self.value, str) and self.value.startswith("<") else repr(self.value)
        return f"{self.source}: {self.key} = {value}: expected {self.expected}"


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


class MkbaWarning(UserWarning):
    """A soft problem: the result is computed, but read it with care."""


__all__ = ["ConfigError", "MkbaError", "MkbaWarning", "OutputError", "Problem"]
