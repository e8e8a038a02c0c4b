"""The validated scenario, :class:`Scenario`, and its input spaces.

A :class:`Scenario` is what loading produces
(:func:`mkba_mc.io.scenario_build.load_scenario`) and what every analysis
takes: point values, structure, the distributions of the run space and
the plausible ranges of the levers and normative inputs
(reference/uncertainty.md §1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ConfigError, Problem
from ..model.core import Structure
from ..model.discounting import DEFAULT_REGIME
from ..model.parameters import PARAMETERS
from ..uncertainty.copula import Correlation, check_correlation
from .distfile import CorrelationSpec, ParameterInfo
from ..uncertainty.spaces import INPUT_SPACES
from .hashing import sha256

if TYPE_CHECKING:
    from ..uncertainty.distributions import Distribution

def restricted_correlation(spec: CorrelationSpec,
                            dists: Mapping[str, Any]) -> Correlation | None:
    """The correlation of the parameters of ``spec`` that ``dists`` samples
    (a principal submatrix of a positive definite matrix stays positive
    definite); None when fewer than two remain."""
    names, matrix = spec.names, spec.matrix
    keep = [i for i, n in enumerate(names) if n in dists]
    if len(keep) < 2:
        return None
    return check_correlation([names[i] for i in keep], [[matrix[i][j] for j in keep] for i in keep], spec.source,
                             corr_source=spec.text)


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: point values of every parameter plus structure.

    Attributes
    ----------
    name : str
        The scenario's name.
    params : dict of str to float
        Point value of every parameter of :data:`~mkba_mc.model.parameters.PARAMETERS`.
    structure : Structure
        Payer shares, time profiles and programme settings.
    info : dict of str to ParameterInfo
        Unit, source, knop and kind of every parameter; ``origin`` says
        which file and key the value came from.
    files : tuple of Path
        Every input file (scenario first), for provenance hashes.
    """

    name: str
    params: dict[str, float]
    structure: Structure
    info: dict[str, ParameterInfo]
    files: tuple[Path, ...]
    path: Path | None = None
    description: str = ""
    approach_type: str = ""
    discount_regime: str = DEFAULT_REGIME
    overrides: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    distributions: dict[str, Distribution] = field(default_factory=dict)
    correlation: Correlation | None = None
    share_groups: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = field(default_factory=dict)
    #: Plausible range of every lever and normative input (the "which knob" space).
    ranges: dict[str, Distribution] = field(default_factory=dict)
    #: The input space ``distributions`` describes (a key of :data:`INPUT_SPACES`).
    space: str = "run"
    #: Per sampled parameter, which table it is sampled from: ``distribution``
    #: (an uncertainty), ``implementation`` (a lever around the plan's value),
    #: ``range`` (a lever's or normative input's plausible range) or
    #: ``scenario`` (a distribution the scenario gives itself).
    sampled_from: dict[str, str] = field(default_factory=dict)
    #: The correlation of the run space (restricted to the sampled parameters of another space).
    correlation_spec: CorrelationSpec | None = None

    @property
    def sampled(self) -> tuple[str, ...]:
        """Names of the parameters that carry a distribution, in registry order."""
        return tuple(n for n in PARAMETERS if n in self.distributions)

    def kind(self, name: str) -> str:
        """The kind of a parameter: uncertainty, lever or normative."""
        return self.info[name].kind if name in self.info else "lever"

    def in_space(self, space: str) -> Scenario:
        """This scenario with the distributions of another input space.

        Parameters
        ----------
        space : str
            A key of :data:`INPUT_SPACES`: ``run`` / ``plan`` (uncertainties
            and the implementation uncertainty of levers; normative inputs
            fixed), ``levers`` (uncertainties and levers over their plausible
            range; normative fixed: ``run --sample-levers``), ``uncertainties``
            (uncertainties only) or ``all`` (uncertainties, levers and
            normative inputs over their plausible ranges: the "which knob
            decides" space).

        Returns
        -------
        Scenario
            A copy whose ``distributions``, ``sampled_from``, ``space`` and
            correlation (restricted to the parameters still sampled) follow
            the space. Point values are unchanged.
        """
        if space not in INPUT_SPACES:
            raise ConfigError([Problem("--inputs", "inputs", space, f"one of: {', '.join(INPUT_SPACES)}")])
        if self.space not in ("run", "plan"):
            raise ValueError(f"in_space works on the run space of a scenario, not on {self.space!r}")
        base = self
        if space in ("run", "plan"):
            return dataclasses.replace(base, space=space) if space != base.space else base
        dists: dict[str, Distribution] = {}
        origin: dict[str, str] = {}
        for name, dist in base.distributions.items():
            if base.kind(name) == "uncertainty":
                dists[name], origin[name] = dist, base.sampled_from.get(name, "distribution")
        over = {"levers": ("lever",), "all": ("lever", "normative"), "uncertainties": ()}[space]
        for name, rng in base.ranges.items():
            if base.kind(name) in over:
                dists[name], origin[name] = rng, "range"
        corr = restricted_correlation(base.correlation_spec, dists) if base.correlation_spec else None
        return dataclasses.replace(base, distributions=dists, sampled_from=origin, space=space, correlation=corr)

    def evaluate(self, values: Mapping[str, Any] | None = None, outputs: Iterable[str] | None = None
                 ) -> dict[str, np.ndarray]:
        """Evaluate the model at the point values, with ``values`` (scalars or
        arrays over samples) replacing any of them."""
        from ..model.core import evaluate

        params = dict(self.params)
        if values:
            unknown = sorted(set(values) - set(PARAMETERS))
            if unknown:
                raise KeyError(f"unknown parameters {unknown}")
            params.update(values)
        return evaluate(params, self.structure, None if outputs is None else list(outputs))

    def input_hashes(self) -> dict[str, str]:
        """SHA-256 of every input file."""
        return {str(f): sha256(f) for f in self.files}
