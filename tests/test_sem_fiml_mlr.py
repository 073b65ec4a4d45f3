"""estimator="MLR" with missing="fiml" against lavaan 0.6-14 (``hs_missing_fiml_mlr``).

Reference: ``cfa(HS_MODEL, data = HSm, missing = "fiml", estimator = "MLR")``, made by
``tests/data/r/10_hs_missing_fiml_mlr.R``: Huber-White SEs (observed information, meat =
cross-product of the casewise scores), Yuan-Bentler (Mplus) scaled test, FIML-corrected
robust CFI/TLI/RMSEA (lavaan's ``lav_fit_fiml_corrected``, version "V3").

Measured max abs differences: estimates 9.6e-7, robust SEs 5.7e-7, std_all 2.8e-6;
every fit measure within 1e-6 relative [scaled ones <= 3e-7 relative except
pvalue_scaled (6.9e-9: 1.6e-6 relative, 1e-14 absolute); robust ones <= 7e-7
relative (rmsea_pvalue_robust); residual-based ones <= 3.2e-8 abs].
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit

from conftest import DATA, load_reference

REF = load_reference("hs_missing_fiml_mlr")
ML_REF = load_reference("hs_missing_fiml")


@pytest.fixture(scope="module")
def res():
    data = pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    return fit(data, REF["model_syntax"], missing="fiml", estimator="MLR")


def test_converged(res):
    assert res.converged and res.warnings == [] and res.estimator == "MLR"


@pytest.mark.parametrize("col,ref_col,tol", [("est", "est", 1e-5), ("se", "se", 1e-5), ("std_all", "std.all", 1e-5),
                                              ("ci_lower", "ci.lower", 3e-5), ("ci_upper", "ci.upper", 3e-5)])
def test_estimates_and_robust_se(res, col, ref_col, tol):
    pe = pd.DataFrame(REF["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=tol)


def test_robust_se_differ_from_ml(res):
    """The sandwich matters here: ML (observed information) SEs differ by more than 1e-3."""
    ml = pd.DataFrame(ML_REF["parameters"])["se"].to_numpy(float)
    assert np.max(np.abs(res.estimates["se"].to_numpy() - ml)) > 1e-3


@pytest.mark.parametrize("key", [k.replace(".", "_") for k in REF["fit_all"]])
def test_fit_measures(res, key):
    expected = next(v for k, v in REF["fit_all"].items() if k.replace(".", "_") == key)
    got = res.fit_measures[key]
    if key.startswith(("rmr", "srmr", "crmr")):
        assert abs(got - expected) <= 5e-7, (got, expected)
    else:
        # 1e-6 relative; abs 1e-12 only matters for p-values below 1e-6
        assert got == pytest.approx(expected, rel=1e-6, abs=1e-12), (got, expected)


def test_scaling_factor_parts(res):
    t = REF["test"]["yuan.bentler.mplus"]
    assert res.fit_measures["chisq_scaling_factor"] == pytest.approx(t["scaling.factor"], rel=1e-7)
    assert res.fit_measures["scaling_factor_h1"] == pytest.approx(t["scaling.factor.h1"], rel=1e-7)
    assert res.fit_measures["scaling_factor_h0"] == pytest.approx(t["scaling.factor.h0"], rel=1e-7)


def test_mlr_on_complete_data_with_means_equals_listwise_mlr():
    """On complete data the mean-structure MLR path gives the covariance-only MLR SEs and scaled test.

    (The robust CFI/RMSEA differ by design: with missing="fiml" lavaan uses the FIML-corrected
    version even when nothing is missing.)
    """
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    a = fit(hs, REF["model_syntax"], missing="fiml", estimator="MLR")
    b = fit(hs, REF["model_syntax"], estimator="MLR")
    cov_rows = a.estimates.op != "~1"
    np.testing.assert_allclose(a.estimates.loc[cov_rows, "se"].to_numpy(), b.estimates["se"].to_numpy(), atol=2e-6)
    for key in ("chisq_scaled", "chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled"):
        assert a.fit_measures[key] == pytest.approx(b.fit_measures[key], rel=1e-5), key
