"""Former home of the designs and the copula, kept so that old imports work.

The designs live in :mod:`mkba_mc.uncertainty.designs`, the Gaussian copula
in :mod:`mkba_mc.uncertainty.copula`; import from there.
"""

from .copula import Correlation, check_correlation, cholesky, correlate
from .designs import BLOCK_SIZE, SAMPLERS, block_size_for, block_uniforms, random_rows

__all__ = ["BLOCK_SIZE", "SAMPLERS", "Correlation", "block_size_for", "block_uniforms", "check_correlation",
           "cholesky", "correlate", "random_rows"]
