"""Checks of command-line options and run sizes, made before any computation.

Every check returns a list of :class:`~mkba_mc.errors.Problem` (empty when
the value is fine), so a caller reports all bad options of one command at
once with :func:`raise_problems`.  The library functions
(:func:`mkba_mc.execution.montecarlo.run`, :func:`mkba_mc.sensitivity.analyses.sobol`, ...) use
the same checks for what concerns the analysis itself, so Python users get
the same messages as the command line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from .errors import ConfigError, Problem

if TYPE_CHECKING:
    from .io.scenario import Scenario

#: Seeds are unsigned 64-bit integers (numpy's ``SeedSequence`` takes more,
#: but a seed must fit the manifest, netCDF attributes and other tools).
SEED_LIMIT: Final[int] = 2**64
#: Fraction of the available memory a run may plan to use.
MEMORY_FRACTION: Final[float] = 0.9
_GIB: Final[float] = float(1 << 30)


def raise_problems(problems: Iterable[Problem]) -> None:
    """Raise one :class:`ConfigError` with ``problems`` if there are any."""
    problems = list(problems)
    if problems:
        raise ConfigError(problems)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def seed_problems(seed: object, option: str = "--seed") -> list[Problem]:
    """A seed must be an integer in ``[0, 2**64)``; ``None`` (draw one) is fine."""
    if seed is None or (_is_int(seed) and 0 <= seed < SEED_LIMIT):  # type: ignore[operator]
        return []
    return [Problem(option, "seed", seed, "an integer in [0, 2**64) (0 .. 18446744073709551615)")]


def at_least(value: object, minimum: int, option: str, key: str, what: str) -> list[Problem]:
    """``value`` must be an integer >= ``minimum`` (``None``: the default, fine).

    Parameters
    ----------
    value : int or None
        The option's value.
    minimum : int
        Smallest accepted value.
    option, key : str
        The option as typed (``--workers``) and its key in messages (``workers``).
    what : str
        What the value counts, for the message (``worker processes``).
    """
    if value is None or (_is_int(value) and value >= minimum):  # type: ignore[operator]
        return []
    return [Problem(option, key, value, f"an integer >= {minimum} ({what})")]


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or None when unknown.

    ``MemAvailable`` of ``/proc/meminfo`` (free plus reclaimable cache) where
    it exists, else the free physical pages of ``sysconf``.
    """
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def gib(nbytes: float) -> str:
    """``nbytes`` as ``37.2 GiB``."""
    return f"{nbytes / _GIB:,.1f} GiB"


def memory_problems(n: int, bytes_per_sample: float, *, option: str = "-n", what: str = "the kept outputs",
                    advice: str = "lower -n", available: int | None = None) -> list[Problem]:
    """Refuse a run whose arrays of ``n`` samples cannot fit in memory.

    Parameters
    ----------
    n : int
        Samples.
    bytes_per_sample : float
        Bytes the run keeps per sample.
    option, what, advice : str
        For the message: the option, what the memory is for, what to do.
    available : int, optional
        Available bytes (default :func:`available_memory`; unknown: no check).
    """
    need = float(n) * float(bytes_per_sample)
    limit = available_memory() if available is None else available
    if limit is None or need <= MEMORY_FRACTION * limit:
        return []
    return [Problem(option, "n", n, f"a size that fits in memory: {option} {n} needs about {gib(need)} for {what}; "
                                    f"this machine has {gib(limit)} available: {advice}")]


def run_bytes_per_sample(scenario: Scenario, outputs: Sequence[str] | None, keep_inputs: bool,
                         workers: int = 1) -> int:
    """Bytes per sample a Monte Carlo run keeps (see :func:`mkba_mc.execution.montecarlo.run`).

    One float64 per kept output column (actor outputs have a column per
    actor; with the programme view, one per programme year for each cash
    flow of the programme band), one per sampled input with ``keep_inputs``, plus one column of
    scratch per worker for the summary statistics.
    """
    from .model.core import ACTOR_OUTPUTS
    from .execution.montecarlo import DEFAULT_OUTPUTS, REQUIRED_OUTPUTS, band_outputs

    keep = dict.fromkeys((*REQUIRED_OUTPUTS, *(outputs if outputs is not None else DEFAULT_OUTPUTS)))
    actors = len(scenario.structure.payer[0])
    columns = sum(actors if k in ACTOR_OUTPUTS else 1 for k in keep)
    columns += scenario.structure.programme_years * len(band_outputs(list(keep)))  # the programme band's cash flows
    if keep_inputs:
        columns += len(scenario.sampled)
    return 8 * (columns + max(1, min(workers, columns)))


__all__ = [
    "MEMORY_FRACTION",
    "SEED_LIMIT",
    "at_least",
    "available_memory",
    "gib",
    "memory_problems",
    "raise_problems",
    "run_bytes_per_sample",
    "seed_problems",
]
