"""From a TOML inline table to a :class:`~.base.Distribution`, and blocks of
uniforms through many inverse CDFs at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ...errors import ConfigError, Problem
from .base import DIST_NAMES, Distribution, _as_number, _fmt
from .closed import Fixed, LogUniform, Triangular, Uniform
from .discrete import Discrete
from .normal import LogNormal, Normal, TruncNormal
from .tabulated import Beta, Pert

# ------------------------------------------------------------------ parsing
_CLASSES: dict[str, type[Distribution]] = {
    cls.name: cls
    for cls in (Fixed, Uniform, Triangular, Pert, Normal, TruncNormal, LogNormal, Beta, LogUniform, Discrete)
}
assert tuple(_CLASSES) == DIST_NAMES


#: Distributions that may be given by their mean instead of their mode.
_MEAN_PARAMETRISED: tuple[str, ...] = ("pert", "triangular")


def _mode_from_mean(dist: str, present: Mapping[str, Any], source: str, key: str
                    ) -> tuple[dict[str, Any], list[Problem]]:
    """Replace ``mean`` by the ``mode`` that gives that mean.

    PERT: ``mean = (low + lamb mode + high) / (lamb + 2)`` (Malcolm et al.
    1959; Vose 2008 §9.1.7), so ``mode = ((lamb + 2) mean - low - high) / lamb``;
    triangular: ``mean = (low + mode + high) / 3``, so ``mode = 3 mean - low - high``.
    This is how an asymmetric range keeps the point value as its expected
    value (CPB/PBL Algemene leidraad 2013; reference/uncertainty.md §2).
    """
    out = {k: v for k, v in present.items() if k != "mean"}
    nums = {k: _as_number(present.get(k)) for k in ("low", "high", "mean", "lamb")}
    if any(nums[k] is None for k in ("low", "high", "mean")) or ("lamb" in present and nums["lamb"] is None):
        out["mode"] = present["mean"]  # the usual checks report the bad field
        return out, []
    low, high, mean = nums["low"], nums["high"], nums["mean"]
    lamb = nums["lamb"] if "lamb" in present else 4.0
    if dist == "pert" and not lamb > 0:
        out["mode"] = mean
        return out, []
    k = (lamb + 2.0, lamb) if dist == "pert" else (3.0, 1.0)
    mode = (k[0] * mean - low - high) / k[1]
    if low < high and not low <= mode <= high:
        lo_m = (low + k[1] * low + high) / k[0]
        hi_m = (low + k[1] * high + high) / k[0]
        return out, [Problem(source, f"{key}.mean", mean,
                             f"a mean that a {dist} on [{_fmt(low)}, {_fmt(high)}] can have: between {lo_m:.6g} and "
                             f"{hi_m:.6g} (widen the range on the side of the mean, or raise lamb)")]
    out["mode"] = mode
    return out, []


def parse_distribution(spec: Mapping[str, Any], source: str, key: str) -> Distribution:
    """Check a distribution table and build its :class:`Distribution`.

    Parameters
    ----------
    spec : mapping
        The table, e.g. ``{"dist": "pert", "low": 0.1, "mode": 0.3, "high": 0.6}``.
    source : str
        File (or pseudo-source) the table comes from, for messages.
    key : str
        Key path of the table in that source (``parameters.x.distribution``);
        problems name ``key.dist``, ``key.low``, ... .

    Returns
    -------
    Distribution

    Raises
    ------
    ConfigError
        With every problem of the table: missing or unknown ``dist``, unknown
        or missing fields, non-numeric or non-finite values (bools are not
        numbers), and the domain rules (``low < high``, ``mode`` in
        [low, high], ``sd``, ``sigma``, ``a``, ``b``, ``lamb`` > 0, loguniform
        ``low > 0``, discrete weights >= 0 summing to 1), plus bounds that
        keep the arithmetic finite: every field ``|x| <= MAX_ABS`` (1e15),
        ``lamb <= 1000``, beta shapes in [1e-3, 1e4], lognormal
        ``|mu| <= 100`` and ``sigma <= 10``, ``sd >= 1e-12 max(1, |mean|)``
        and a truncnormal interval of log-probability >= -5000.
    """
    if not isinstance(spec, Mapping):
        raise ConfigError([Problem(source, key, spec,
                                   'a table such as { dist = "pert", low = 0.1, mode = 0.3, high = 0.6 }')])
    names = ", ".join(DIST_NAMES)
    if "dist" not in spec:
        raise ConfigError([Problem(source, f"{key}.dist", "<missing>", f"one of: {names}")])
    dist = spec["dist"]
    if not isinstance(dist, str) or dist not in _CLASSES:
        raise ConfigError([Problem(source, f"{key}.dist", dist, f"one of: {names}")])
    cls = _CLASSES[dist]
    allowed = cls.allowed_fields()
    if dist in _MEAN_PARAMETRISED and "mean" in spec and "mode" not in spec:
        allowed = tuple("mean" if f == "mode" else f for f in allowed)
    problems: list[Problem] = []
    present: dict[str, Any] = {}
    for name, value in spec.items():
        if name == "dist":
            continue
        if name not in allowed:
            problems.append(Problem(source, f"{key}.{name}", value,
                                    f'a field of dist = "{dist}": {", ".join(allowed)}'))
        else:
            present[name] = value
    if "mean" in present and dist in _MEAN_PARAMETRISED:
        present, mean_problems = _mode_from_mean(dist, present, source, key)
        problems.extend(mean_problems)
        if problems:
            raise ConfigError(problems)
    for name in cls._REQUIRED:
        if name not in present:
            problems.append(Problem(source, f"{key}.{name}", "<missing>",
                                    f'{"a list" if dist == "discrete" else "a finite number"} '
                                    f'(required by dist = "{dist}")'))
    clean, value_problems = cls._validate(present, source, key)
    problems.extend(value_problems)
    if problems:
        raise ConfigError(problems)
    params = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in spec.items() if k != "dist"}
    kwargs = {cls._attr(k): v for k, v in clean.items()}
    return cls(**kwargs, params=params)


# ------------------------------------------------------------------ blocks
def sample_block(dists: Sequence[Distribution], u: np.ndarray, *, out: np.ndarray | None = None,
                 workers: int = 1) -> np.ndarray:
    """Push a block of uniforms through the inverse CDFs, one row per parameter.

    Parameters
    ----------
    dists : sequence of Distribution
        ``d`` distributions.
    u : ndarray, shape (d, n)
        Uniforms in [0, 1), one row per distribution (C-contiguous rows avoid
        a copy).
    out : ndarray, shape (d, n), optional
        Float64 array to write into (may be ``u`` itself).
    workers : int, default 1
        Threads to spread the rows over (numpy and scipy release the GIL in
        their loops, so 2 workers use 2 cores).

    Returns
    -------
    ndarray, shape (d, n)
        ``x[j] = dists[j].ppf(u[j])``.
    """
    u = np.asarray(u, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] != len(dists):
        raise ValueError(f"u must have shape ({len(dists)}, n), one row per distribution; got {u.shape}")
    if out is None:
        out = np.empty(u.shape, dtype=np.float64)
    elif not isinstance(out, np.ndarray) or out.dtype != np.float64 or out.shape != u.shape:
        raise ValueError(f"out must be a float64 array of shape {u.shape}")

    def row(j: int) -> None:
        dists[j].ppf(u[j], out=out[j])

    if workers <= 1 or len(dists) <= 1:
        for j in range(len(dists)):
            row(j)
    else:
        for d in dists:  # build lazy tables once, before the threads start
            d._prepare()
        with ThreadPoolExecutor(max_workers=workers) as ex:
            list(ex.map(row, range(len(dists))))
    return out
