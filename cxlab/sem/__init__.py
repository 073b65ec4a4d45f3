"""Structural equation modelling with lavaan's syntax and results.

``fit(data, model)`` estimates a model written in lavaan syntax and returns a frozen
:class:`SemResult` whose estimates, standard errors, standardised solution and fit
measures reproduce lavaan 0.6 (see ``tests/test_sem*.py`` for the reference cases).

The package is one staged pipeline, as lavaan's ``lavaan()``: the model is specified
(parameter table, constraints, identification), the data summarised (moments, groups,
missing-data patterns; polychorics for ordinal items in :mod:`cxlab.polychoric`), the
parameters estimated, their covariance and the test statistics and fit measures computed,
and one :class:`SemResult` assembled (:mod:`cxlab.sem.result`). The paths (mean structure
and groups, WLSMV, bootstrap) run those stages for their case; :func:`fit` is the front
door that picks the path; reporting sits on top. A module imports only modules of its own
or an earlier stage (``tests/test_import_structure.py`` reads this table):

=========  ===============================================
stage      modules
=========  ===============================================
core       threads, model, defined, standardize
spec       syntax, constraints, identify
data       moments, fiml, ordinal_conditional
estimate   casewise, estimate, meanstructure
inference  fitmeasures, robust, robust_means, modindices, scoretest
result     diagnostics, result
paths      multigroup, ordinal_covariates, ordinal, ordinal_groups, wls, bootstrap
front      engine
report     judge, effects, invariance
=========  ===============================================

``inference`` holds the covariance of the estimates (expected/observed information is in
``estimate``; the sandwich of MLR in ``robust``/``robust_means``) together with the test
statistics and fit measures, normal-theory (``fitmeasures``) and scaled (``robust``,
``robust_means``), since the scaled tests are built from the same pieces as the sandwich.
"""

from .bootstrap import BootstrapInfo
from .effects import (SegmentComparison, compare_segments, describe_drivers, describe_model, effects_table,
                      segment_tests, with_effects)
from .engine import fit
from .identify import NotIdentifiedError
from .invariance import InvarianceResult, invariance
from .judge import CUTOFFS, describe_fit, fit_table
from .modindices import modification_indices
from .result import SemResult
from .scoretest import ScoreTests, rank_constraints, score_tests

__all__ = ["fit", "SemResult", "NotIdentifiedError", "BootstrapInfo", "modification_indices", "fit_table",
           "describe_fit", "CUTOFFS", "invariance", "InvarianceResult", "score_tests", "ScoreTests", "rank_constraints", "effects_table", "with_effects", "compare_segments",
           "SegmentComparison", "segment_tests", "describe_drivers", "describe_model"]
