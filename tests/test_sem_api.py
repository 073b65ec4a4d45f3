"""cxlab.sem.fit: input validation, diagnostics, identification invariance."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import cxlab.sem.estimate as estimate
from cxlab.sem import SemResult, fit, modification_indices


HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"


def _exact_cov_data(cov, n=200, seed=0):
    """Data whose N-divisor covariance is exactly ``cov``."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, len(cov)))
    z -= z.mean(axis=0)
    lz = np.linalg.cholesky(z.T @ z / n)
    x = z @ np.linalg.inv(lz).T @ np.linalg.cholesky(cov).T
    return pd.DataFrame(x, columns=[f"x{i + 1}" for i in range(len(cov))])


def test_missing_columns_are_named(hs):
    with pytest.raises(ValueError, match=r"lacks column\(s\) named in the model: 'x10', 'x11'"):
        fit(hs, HS_MODEL + "\nextra =~ x10 + x11 + x1")


def test_non_numeric_column_rejected(hs):
    with pytest.raises(ValueError, match="non-numeric: \\['school'\\]"):
        fit(hs, "f =~ x1 + x2 + school")


def test_data_must_be_a_dataframe(hs):
    with pytest.raises(TypeError, match="'data' parameter of fit must be a pandas DataFrame. Got ndarray"):
        fit(hs.to_numpy(), HS_MODEL)


@pytest.mark.parametrize("kwargs,match", [
    ({"estimator": "WLS"}, "'estimator' parameter of fit must be one of 'ML', 'MLR', 'WLSMV'.*Got 'WLS' instead."),
    ({"missing": "pairwise"}, "'missing' parameter of fit must be one of 'listwise', 'fiml'. Got 'pairwise'"),
    ({"n_boot": -1}, "'n_boot' parameter of fit must be a non-negative int. Got -1 instead."),
])
def test_bad_options(hs, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit(hs, HS_MODEL, **kwargs)


@pytest.mark.parametrize("kwargs", [{"estimator": "WLSMV"}, {"ordered": ["x1"]}])
def test_not_yet_implemented_options_raise(hs, kwargs):
    with pytest.raises(NotImplementedError, match="not implemented yet"):
        fit(hs, HS_MODEL, **kwargs)


def test_listwise_deletion(hs):
    d = hs.copy()
    d.loc[[0, 5], "x1"] = np.nan
    d.loc[7, "sex"] = np.nan  # not a model variable: row kept
    res = fit(d, HS_MODEL)
    assert res.n == 299 and res.fit_measures["ntotal"] == 299


def test_result_is_frozen(hs):
    res = fit(hs, HS_MODEL)
    assert isinstance(res, SemResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.converged = False
    assert "chisq=85.306" in repr(res)


def test_std_lv_identification_gives_same_fit_and_std_solution(hs):
    marker = fit(hs, HS_MODEL)
    std_lv = fit(hs, "visual =~ NA*x1 + x2 + x3\ntextual =~ NA*x4 + x5 + x6\nspeed =~ NA*x7 + x8 + x9\n"
                     "visual ~~ 1*visual\ntextual ~~ 1*textual\nspeed ~~ 1*speed")
    assert std_lv.converged
    assert std_lv.fit_measures["chisq"] == pytest.approx(marker.fit_measures["chisq"], rel=1e-10)
    assert std_lv.fit_measures["df"] == marker.fit_measures["df"]
    m = marker.estimates.merge(std_lv.estimates, on=["lhs", "op", "rhs"])
    assert len(m) == 24
    np.testing.assert_allclose(m["std_all_x"], m["std_all_y"], atol=1e-7)


def test_equality_constraint_by_shared_label(hs):
    free = fit(hs, "f =~ x1 + x2 + x3")
    eq = fit(hs, "f =~ x1 + a*x2 + a*x3")
    rows = eq.estimates.set_index(["lhs", "op", "rhs"])
    assert rows.loc[("f", "=~", "x2"), "est"] == rows.loc[("f", "=~", "x3"), "est"]
    assert eq.fit_measures["npar"] == free.fit_measures["npar"] - 1
    assert eq.fit_measures["df"] == free.fit_measures["df"] + 1
    assert eq.fit_measures["chisq"] > free.fit_measures["chisq"]


def test_heywood_case_warnings():
    # one factor, three indicators, just identified: loading of x1 squared = .81/.7 > 1
    cov = np.array([[1.0, 0.9, 0.9], [0.9, 1.0, 0.7], [0.9, 0.7, 1.0]])
    res = fit(_exact_cov_data(cov), "f =~ x1 + x2 + x3")
    assert res.converged
    x1 = res.estimates.set_index(["lhs", "op", "rhs"]).loc[("x1", "~~", "x1"), "est"]
    assert x1 == pytest.approx(1 - 0.81 / 0.7, abs=1e-8)
    assert any(w.startswith("Heywood case: negative variance estimate for x1") for w in res.warnings)
    assert any("standardized loading of x1 on f" in w for w in res.warnings)


def test_non_convergence_is_reported(hs, monkeypatch):
    monkeypatch.setattr(estimate, "MAX_ITER", 2)
    res = fit(hs, HS_MODEL)
    assert res.converged is False
    assert any("did not converge" in w for w in res.warnings)


def test_singular_sample_covariance_warning():
    d = _exact_cov_data(np.array([[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]]))
    d["x4"] = d["x1"] + d["x2"]
    res = fit(d, "f =~ x1 + x2 + x3 + x4")
    assert any("sample covariance matrix is not positive definite" in w for w in res.warnings)


def test_underidentified_model_is_refused():
    # issue 13: refused before estimation (it used to be fitted with warnings and NaN SEs)
    from cxlab.sem.identify import NotIdentifiedError

    d = _exact_cov_data(np.array([[1.0, 0.5], [0.5, 1.0]]))
    with pytest.raises(NotIdentifiedError, match="4 free parameters but only 3 sample moments"):
        fit(d, "f =~ x1 + NA*x2")


def test_small_sample_warning(hs):
    res = fit(hs.iloc[:25], "f =~ x1 + x2 + x3")
    assert any("Small sample: n = 25 for 6 free parameters" in w for w in res.warnings)
    big = fit(hs, "f =~ x1 + x2 + x3")
    assert not any("Small sample" in w for w in big.warnings)


def test_modification_indices_validation(hs):
    res = fit(hs, HS_MODEL)
    with pytest.raises(ValueError, match=r"The 'top' parameter of modification_indices must be None or an int >= 1\. Got 0 instead\."):
        modification_indices(res, top=0)
    allmi = modification_indices(res, top=None)
    assert len(allmi) == 18 + 36  # 18 cross-loadings, 36 residual covariances


def test_semopy_cross_check(hs):
    """semopy 2.3.11 (tight tolerance) reaches the same optimum on a marker-identified CFA."""
    semopy = pytest.importorskip("semopy")
    ours = fit(hs, HS_MODEL).estimates
    m = semopy.Model(HS_MODEL)
    m.fit(hs, options={"ftol": 1e-12})
    ins = m.inspect()
    theirs = {}
    for r in ins.itertuples(index=False):
        key = (r.rval, "=~", r.lval) if r.op == "~" else ("~~",) + tuple(sorted((r.lval, r.rval)))
        theirs[key] = float(r.Estimate)
    diffs = []
    for r in ours.itertuples(index=False):
        key = (r.lhs, "=~", r.rhs) if r.op == "=~" else ("~~",) + tuple(sorted((r.lhs, r.rhs)))
        diffs.append(abs(theirs[key] - r.est))
    assert len(diffs) == 24 and max(diffs) < 1e-5
