"""Improvement levers: which drivers and contact factors move an outcome, and by how much.

One module per concern, all re-exported here (``from cxlab.levers import rank_levers``):

* :mod:`~cxlab.levers.importance` -- relative importance of correlated drivers
  (:func:`driver_importance`: exact Shapley/LMG decomposition of R², Johnson's relative
  weights; binary outcomes too);
* :mod:`~cxlab.levers.effects` -- effects of contact factors by OLS with robust errors
  (:func:`contact_effects`) and the drivers' collinearity (:func:`variance_inflation`);
* :mod:`~cxlab.levers.ipma` -- importance-performance map analysis
  (:func:`rescale_performance`, :func:`importance_performance`, :func:`ipma`);
* :mod:`~cxlab.levers.ranking` -- the lever ranking by expected gain (:func:`rank_levers`);
* :mod:`~cxlab.levers.text` -- plain-words summaries (:func:`describe_levers`,
  :func:`describe_setup`, :func:`describe_collinearity`);
* :mod:`~cxlab.levers.syntax` -- lavaan syntax with contact features
  (:func:`contact_sem_model`);
* :mod:`~cxlab.levers.design` -- the data preparation they share.

Each analysis comes twice: ``driver_importance``, ``contact_effects``, ``importance_performance``,
``ipma`` and ``rank_levers`` return the plain table (a DataFrame); the same names with
``_result`` return a frozen dataclass with that ``table`` and the numbers it rests on
(:class:`DriverImportance`, :class:`ContactEffects`, :class:`ImportancePerformance`,
:class:`LeverRanking`: outcome, n, R², confidence level...), which the ``describe_*``
functions and the charts of :mod:`cxlab.plots` take.

Results are associations in the data at hand, not causal effects.
"""

from .effects import VIF_CUTOFF, ContactEffects, contact_effects, contact_effects_result, contact_family, variance_inflation
from .importance import DriverImportance, driver_importance, driver_importance_result
from .ipma import (ImportancePerformance, importance_performance, importance_performance_result, ipma, ipma_result,
                   rescale_performance)
from .ranking import LeverRanking, rank_levers, rank_levers_result
from .syntax import contact_sem_model
from .text import LeverSummary, describe_collinearity, describe_contact_effects, describe_levers, describe_setup

__all__ = [
    "describe_setup",
    "driver_importance",
    "driver_importance_result",
    "DriverImportance",
    "contact_effects",
    "contact_effects_result",
    "ContactEffects",
    "contact_family",
    "describe_contact_effects",
    "rescale_performance",
    "importance_performance",
    "importance_performance_result",
    "ipma",
    "ipma_result",
    "ImportancePerformance",
    "rank_levers",
    "rank_levers_result",
    "LeverRanking",
    "describe_levers",
    "LeverSummary",
    "contact_sem_model",
    "variance_inflation",
    "describe_collinearity",
    "VIF_CUTOFF",
]
