"""cxlab.sem.fit(missing="fiml") against lavaan 0.6-14 (``hs_missing_fiml``).

Reference: ``cfa(HS_MODEL, data = HSm, missing = "fiml")`` on
``HolzingerSwineford1939_missing.csv`` (x1 missing if id %% 7 == 0, x5 if id %% 11 == 0,
x9 if id %% 13 == 0; 7 patterns, 216 complete rows). lavaan's defaults for FIML: mean
structure, observed-information standard errors (``information = "observed"``,
Hessian), chisq against the saturated model estimated by EM.

Tolerances (measured max abs differences in brackets):

* estimates 1e-5 [9.6e-7], standard errors 1e-5 [2.5e-7], std_all 1e-5 [2.8e-6];
* chisq-based fit measures and log-likelihoods: 1e-6 relative [< 1e-9];
* residual-based measures (rmr, srmr, crmr, srmr_mplus, with and without means):
  5e-7 abs [<= 3.2e-8: they use the EM moments; cxlab stops the EM as lavaan does, when no
  mean or covariance moves by 1e-5 or more];
* the FIML-corrected robust measures (cfi/tli/nnfi/rni_robust, rmsea_robust and its
  interval and p-values: lavaan's ``lav_fit_fiml_corrected``, version "V6" for ML) and
  gfi/agfi/pgfi (weighted by the pattern-wise expected information, with the
  available-case means and pairwise covariances as "sample" moments): 1e-6 relative
  [robust <= 6e-7 (rmsea_pvalue_robust, 3.7e-4; the others <= 4e-7), gfi family <= 2e-9].
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit

from conftest import DATA, load_reference

REF = load_reference("hs_missing_fiml")

EST_TOL = 1e-5
SE_TOL = 1e-5
STD_TOL = 1e-5
FM_RTOL = 1e-6
RESID_ATOL = 5e-7

RESIDUAL_BASED = {"rmr", "rmr_nomean", "srmr", "srmr_bentler", "srmr_bentler_nomean", "crmr", "crmr_nomean",
                  "srmr_mplus", "srmr_mplus_nomean"}
FM_KEYS = [k.replace(".", "_") for k in REF["fit_all"]]


@pytest.fixture(scope="module")
def res():
    data = pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    return fit(data, REF["model_syntax"], missing="fiml")


@pytest.fixture(scope="module")
def pe():
    return pd.DataFrame(REF["parameters"])


def test_converged_without_warnings(res):
    assert res.converged
    assert res.warnings == []
    assert res.n == 301


def test_rows_in_lavaan_order(res, pe):
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    assert res.estimates.loc[res.estimates.op == "~1", "rhs"].eq("").all()


@pytest.mark.parametrize("col,ref_col,tol", [("est", "est", EST_TOL), ("se", "se", SE_TOL), ("z", "z", 1e-3),
                                              ("std_all", "std.all", STD_TOL),
                                              ("ci_lower", "ci.lower", EST_TOL + 2 * SE_TOL),
                                              ("ci_upper", "ci.upper", EST_TOL + 2 * SE_TOL)])
def test_estimates_match_lavaan(res, pe, col, ref_col, tol):
    ours = res.estimates[col].to_numpy(float)
    theirs = pe[ref_col].to_numpy(float)
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    ok = ~np.isnan(theirs)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=0, atol=tol)


def test_observed_not_expected_information(res):
    """lavaan's FIML default is the observed information: expected-information SEs differ by up to ~0.03."""
    exp = pd.Series(REF["se_expected_information"])
    key = res.estimates["lhs"] + " " + res.estimates["op"] + " " + res.estimates["rhs"]
    key = key.where(res.estimates["op"] != "~1", res.estimates["lhs"] + " ~1 ")
    diff = np.abs(res.estimates["se"].to_numpy() - exp[key].to_numpy())
    assert diff.max() > 1e-3


@pytest.mark.parametrize("key", FM_KEYS)
def test_fit_measures_match_lavaan(res, key):
    expected = REF["fit_all"][_ref_key(key)]
    got = res.fit_measures.get(key, np.nan)
    if key in RESIDUAL_BASED:
        assert abs(got - expected) <= RESID_ATOL, (got, expected)
    else:
        assert got == pytest.approx(expected, rel=FM_RTOL, abs=1e-12), (got, expected)


def _ref_key(key):
    for k in REF["fit_all"]:
        if k.replace(".", "_") == key:
            return k
    raise KeyError(key)


def test_fiml_on_complete_data_equals_listwise_ml():
    """Without missing values FIML is ordinary ML with a saturated mean structure."""
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    a = fit(hs, REF["model_syntax"], missing="fiml")
    b = fit(hs, REF["model_syntax"])
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"], rel=1e-9)
    assert a.fit_measures["df"] == b.fit_measures["df"]
    assert a.fit_measures["cfi"] == pytest.approx(b.fit_measures["cfi"], rel=1e-9)
    assert a.fit_measures["logl"] == pytest.approx(b.fit_measures["logl"], rel=1e-12)
    cov_rows = a.estimates.op != "~1"
    np.testing.assert_allclose(a.estimates.loc[cov_rows, "est"].to_numpy(), b.estimates["est"].to_numpy(), atol=1e-7)
    means = a.estimates.loc[(a.estimates.op == "~1") & a.estimates.lhs.str.startswith("x"), "est"].to_numpy()
    np.testing.assert_allclose(means, hs[[f"x{i}" for i in range(1, 10)]].mean().to_numpy(), atol=1e-8)


def test_rows_without_any_observed_value_are_dropped():
    data = pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    cols = [f"x{i}" for i in range(1, 10)]
    data.loc[[3, 4], cols] = np.nan
    res = fit(data, REF["model_syntax"], missing="fiml")
    assert res.n == 299 and res.fit_measures["ntotal"] == 299
