"""Identification before estimation (:mod:`cxlab.sem.identify`).

Reference ``identification.json`` (``tests/data/r/16_identification.R``, lavaan 0.6-14):
for each model, lavaan's number of free parameters, the rank of its information matrix at
its solution, and its warnings. lavaan fits the non-identified ones and warns that the
information matrix could not be inverted; cxlab refuses them before estimating, with an
error that names the parameters of the non-identified direction, and accepts the
identified one (whose start values have a zero factor covariance).
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.identify import NotIdentifiedError

from conftest import load_reference

REF = {c["name"]: c for c in load_reference("identification")["cases"]}
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _refused(hs, name, **kwargs):
    case = REF[name]
    warns = case["warnings"] if isinstance(case["warnings"], list) else [case["warnings"]]
    assert case["information_rank"] < case["npar"]
    assert any("not" in w and "identified" in w for w in warns)
    with pytest.raises(NotIdentifiedError) as err:
        fit(hs, case["model_syntax"], **kwargs)
    return err.value


def test_unscaled_latent(hs):
    err = _refused(hs, "unscaled")
    assert err.parameters == ["f =~ x1", "f =~ x2", "f =~ x3", "f =~ x4", "f ~~ f"]
    assert "rank of the moment Jacobian 8 < 9 free parameters" in str(err)


def test_factor_with_two_indicators_and_no_relations(hs):
    err = _refused(hs, "two_indicators_alone")
    assert err.parameters == ["f1 =~ x2", "x1 ~~ x1", "x2 ~~ x2", "f1 ~~ f1"]


def test_second_order_factor_over_two_factors(hs):
    err = _refused(hs, "second_order_two_factors")
    assert err.parameters == ["g =~ textual", "visual ~~ visual", "textual ~~ textual", "g ~~ g"]


def test_more_parameters_than_moments(hs):
    err = _refused(hs, "more_parameters_than_moments")
    assert "4 free parameters but only 3 sample moments" in str(err)


def test_identified_model_with_zero_start_covariance_is_fitted(hs):
    case = REF["two_indicators_correlated"]
    assert case["information_rank"] == case["npar"]
    res = fit(hs, case["model_syntax"])
    assert res.converged and int(res.fit_measures["npar"]) == case["npar"]
    assert np.isfinite(res.estimates["se"]).all()


def test_groups_and_constraints_are_checked(hs):
    with pytest.raises(NotIdentifiedError, match="f =~ x1 \\[group 1\\]"):
        fit(hs, REF["unscaled"]["model_syntax"], group="school")
    # a == b does not rescue a latent without a scale
    with pytest.raises(NotIdentifiedError, match="f =~ x2 \\(a\\)"):
        fit(hs, "f =~ NA*x1 + a*x2 + b*x3 + x4\na == b")
    # but fixing the variance does
    assert fit(hs, "f =~ NA*x1 + a*x2 + b*x3 + x4\nf ~~ 1*f\na == b").converged


def test_error_is_a_value_error_without_estimation(hs, monkeypatch):
    from cxlab.sem import estimate

    def boom(*args, **kwargs):
        raise AssertionError("estimated")

    monkeypatch.setattr("cxlab.sem.engine.fit_ml", boom)
    with pytest.raises(ValueError, match="not identified"):
        fit(hs, REF["unscaled"]["model_syntax"])
    assert estimate.fit_ml is not boom
