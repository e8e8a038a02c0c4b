"""Uncertainty: what is sampled and how (imports only :mod:`mkba_mc.model` and :mod:`mkba_mc.errors`).

* :mod:`.distributions` -- named distributions with fast inverse CDFs
  (closed forms, tabulated beta and PERT, discrete, scaled) and their parsing;
* :mod:`.designs` -- pseudo-random, Latin hypercube and Sobol' designs,
  block by block;
* :mod:`.copula` -- rank correlation through a Gaussian copula;
* :mod:`.shares` -- Dirichlet share groups;
* :mod:`.streams` -- every seed stream and how it derives from the seed;
* :mod:`.plan` -- :class:`~.plan.SamplingPlan`, which puts them together.
"""
