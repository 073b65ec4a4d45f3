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

import importlib as _importlib
import importlib.util as _util
import sys as _sys
import types as _types

#: Where each public name lives. The package imports a module when one of its names is first
#: used (PEP 562): ``import cxlab.sem`` alone, as the runner's study plan does to read a model's
#: syntax (``cxlab.sem.syntax``), then costs nothing of SciPy's stats or the estimators.
_EXPORTS = {
    "BootstrapInfo": "bootstrap", "SegmentComparison": "effects", "compare_segments": "effects",
    "describe_drivers": "effects", "describe_model": "effects", "effects_table": "effects",
    "segment_tests": "effects", "with_effects": "effects", "fit": "engine", "NotIdentifiedError": "identify",
    "InvarianceResult": "invariance", "invariance": "invariance", "CUTOFFS": "judge", "describe_fit": "judge",
    "fit_table": "judge", "modification_indices": "modindices",
    "describe_modification_indices": "modindices", "SemResult": "result", "ScoreTests": "scoretest",
    "rank_constraints": "scoretest", "score_tests": "scoretest",
}


def __getattr__(name: str):
    """A public name (from its module) or a submodule, imported on first use."""
    if name in _EXPORTS:
        value = getattr(_importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    elif not name.startswith("__") and _util.find_spec(f"{__name__}.{name}") is not None:
        value = _importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


class _Package(_types.ModuleType):
    """The package's type: importing the submodule ``invariance`` does not hide the function ``invariance``."""

    def __setattr__(self, name, value):
        if name in _EXPORTS and isinstance(value, _types.ModuleType):
            return  # Python binds a loaded submodule to its package; a public name of the same spelling wins
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

__all__ = ["fit", "SemResult", "NotIdentifiedError", "BootstrapInfo", "modification_indices",
           "describe_modification_indices", "fit_table",
           "describe_fit", "CUTOFFS", "invariance", "InvarianceResult", "score_tests", "ScoreTests", "rank_constraints", "effects_table", "with_effects", "compare_segments",
           "SegmentComparison", "segment_tests", "describe_drivers", "describe_model"]
