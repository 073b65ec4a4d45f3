"""Structural equation modelling with lavaan's syntax and results.

``fit(data, model)`` estimates a model written in lavaan syntax and returns a frozen
:class:`SemResult` whose estimates, standard errors, standardised solution and fit
measures reproduce lavaan 0.6 (see ``tests/test_sem*.py`` for the reference cases).
"""

from .effects import SegmentComparison, compare_segments, describe_drivers, describe_model, effects_table, with_effects
from .engine import SemResult, fit
from .identify import NotIdentifiedError
from .judge import CUTOFFS, describe_fit, fit_table
from .modindices import modification_indices
from .multigroup import invariance
from .scoretest import rank_constraints, score_tests

__all__ = ["fit", "SemResult", "NotIdentifiedError", "modification_indices", "fit_table", "describe_fit", "CUTOFFS",
           "invariance", "score_tests", "rank_constraints"]
__all__ += ["effects_table", "with_effects", "compare_segments", "SegmentComparison", "describe_drivers", "describe_model"]
