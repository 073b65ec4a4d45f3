"""Multigroup models and measurement invariance against lavaan 0.6-14 (``hs_invariance``).

Reference: the HS CFA by ``school`` (Pasteur = group 1, Grant-White = group 2, order of
first appearance), configural / metric (``group.equal = "loadings"``) / scalar
(``c("loadings", "intercepts")``) fits, ML with mean structure and expected-information
SEs, and ``lavTestLRT(configural, metric, scalar)``.

Tolerances (measured max abs differences over the three models in brackets):

* estimates 5e-5 [1.6e-5 configural, 4.6e-6 metric, 3.8e-6 scalar]: lavaan's nlminb
  stops earlier on the 60-parameter configural model (our chisq is 2.4e-8 lower, i.e. a
  better optimum); standard errors 1e-5 [2.7e-6]; std_all 5e-5 [9.6e-6].
* chisq, df, cfi, tli, rmsea, aic, bic, logl: 1e-6 relative [< 3e-9]; the RMSEA interval
  1e-6 relative [1.1e-7]; srmr 1e-5 relative [3e-6: inherits the estimate differences].
* lavTestLRT: chisq differences 1e-6 abs [< 3e-8], p-values 1e-8 abs, RMSEA 1e-6.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, invariance

from conftest import load_reference

REF = load_reference("hs_invariance")
MODEL = REF["model_syntax"]
LEVELS = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}

EST_TOL = 5e-5
SE_TOL = 1e-5
STD_TOL = 5e-5
FM_RTOL = 1e-6
SRMR_RTOL = 1e-5


@pytest.fixture(scope="module")
def fits(hs):
    return {name: fit(hs, MODEL, group="school", group_equal=ge) for name, ge in LEVELS.items()}


@pytest.mark.parametrize("name", list(LEVELS))
def test_rows_groups_and_labels(fits, name):
    res = fits[name]
    pe = pd.DataFrame(REF["models"][name]["parameters"])
    est = res.estimates
    assert est[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    labels = REF["data"]["group_labels"]
    assert est["group"].tolist() == [labels[g - 1] for g in pe["group"]]
    assert list(est.columns) == ["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue",
                                 "ci_lower", "ci_upper", "std_all"]
    if "label" in pe:
        assert est["label"].tolist() == pe["label"].tolist()
    assert res.converged and res.warnings == []


@pytest.mark.parametrize("name", list(LEVELS))
@pytest.mark.parametrize("col,ref_col,tol", [("est", "est", EST_TOL), ("se", "se", SE_TOL),
                                              ("std_all", "std.all", STD_TOL),
                                              ("ci_lower", "ci.lower", EST_TOL + 2 * SE_TOL),
                                              ("ci_upper", "ci.upper", EST_TOL + 2 * SE_TOL)])
def test_estimates_match_lavaan(fits, name, col, ref_col, tol):
    pe = pd.DataFrame(REF["models"][name]["parameters"])
    np.testing.assert_allclose(fits[name].estimates[col].to_numpy(float), pe[ref_col].to_numpy(float),
                               rtol=0, atol=tol)


@pytest.mark.parametrize("name", list(LEVELS))
@pytest.mark.parametrize("key", ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                                 "rmsea.ci.upper", "srmr", "aic", "bic", "logl"])
def test_fit_measures_match_lavaan(fits, name, key):
    expected = REF["models"][name]["fit"][key]
    got = fits[name].fit_measures[key.replace(".", "_")]
    rtol = SRMR_RTOL if key == "srmr" else FM_RTOL
    assert got == pytest.approx(expected, rel=rtol), (got, expected)


@pytest.fixture(scope="module")
def table(hs):
    return invariance(hs, MODEL, group="school").table


def test_invariance_matches_lavTestLRT(table):
    lrt = pd.DataFrame(REF["lavTestLRT"]).set_index("model")
    assert table.index.tolist() == ["configural", "metric", "scalar"]
    np.testing.assert_allclose(table["chisq"], lrt["Chisq"], rtol=FM_RTOL)
    np.testing.assert_array_equal(table["df"], lrt["Df"])
    np.testing.assert_allclose(table["aic"], lrt["AIC"], rtol=FM_RTOL)
    np.testing.assert_allclose(table["bic"], lrt["BIC"], rtol=FM_RTOL)
    assert np.isnan(table.iloc[0][["chisq_diff", "df_diff", "pvalue_diff", "rmsea_diff", "cfi_diff"]].astype(float)).all()
    np.testing.assert_allclose(table["chisq_diff"].iloc[1:], lrt["Chisq_diff"].iloc[1:], rtol=0, atol=1e-6)
    np.testing.assert_array_equal(table["df_diff"].iloc[1:], lrt["Df_diff"].iloc[1:])
    np.testing.assert_allclose(table["pvalue_diff"].iloc[1:], lrt["Pr_gt_Chisq"].iloc[1:], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(table["rmsea_diff"].iloc[1:], lrt["RMSEA_diff"].iloc[1:], rtol=1e-6)


def test_invariance_delta_cfi(table):
    cfi = [REF["models"][m]["fit"]["cfi"] for m in LEVELS]
    np.testing.assert_allclose(table["cfi_diff"].iloc[1:], np.diff(cfi), rtol=0, atol=1e-9)
    assert table.loc["scalar", "cfi_diff"] < -0.01 < table.loc["metric", "cfi_diff"]


def test_strict_level_adds_residual_equalities(hs):
    t = invariance(hs, MODEL, group="school", levels=("scalar", "strict")).table
    assert t.loc["strict", "df_diff"] == 9
    assert t.loc["strict", "chisq_diff"] > 0


def test_single_group_intercepts_leave_covariance_fit_unchanged(hs):
    """``x ~ 1`` turns the mean structure on; with free intercepts chisq/df are those of the covariance model."""
    a = fit(hs, MODEL + "\nx1 ~ 1")
    b = fit(hs, MODEL)
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"], rel=1e-9)
    assert a.fit_measures["df"] == b.fit_measures["df"]
    assert a.fit_measures["npar"] == b.fit_measures["npar"] + 9
    ints = a.estimates[(a.estimates.op == "~1") & a.estimates.lhs.str.startswith("x")]
    means = hs[[f"x{i}" for i in range(1, 10)]].mean()
    np.testing.assert_allclose(ints.set_index("lhs")["est"][means.index], means, atol=1e-8)
    # SE of a free intercept in a CFA: sqrt(implied variance / N)
    se = np.sqrt(np.diag(a.implied_cov.to_numpy()) / len(hs))
    np.testing.assert_allclose(ints.set_index("lhs")["se"][means.index], se, rtol=1e-6)


def test_fixed_intercept_is_tested(hs):
    """A fixed intercept costs one df; fixed at the sample mean it leaves chisq unchanged."""
    b = fit(hs, MODEL)
    a = fit(hs, MODEL + f"\nx1 ~ {float(hs['x1'].mean())!r}*1")
    assert a.converged and a.fit_measures["df"] == 25
    assert a.fit_measures["chisq"] == pytest.approx(b.fit_measures["chisq"], rel=1e-8)
    c = fit(hs, MODEL + "\nx1 ~ 4.5*1")
    assert c.converged and c.fit_measures["chisq"] > b.fit_measures["chisq"] + 10


def test_user_labels_are_equal_across_groups(hs):
    res = fit(hs, "visual =~ x1 + a*x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9", group="school")
    rows = res.estimates[(res.estimates.rhs == "x2") & (res.estimates.op == "=~")]
    assert rows["est"].nunique() == 1 and rows["label"].tolist() == ["a", "a"]
    assert res.fit_measures["df"] == 49


@pytest.mark.parametrize("kwargs,exc,match", [
    ({"group": "nope"}, ValueError, "'group' parameter of fit must name a column of data. Got 'nope'"),
    ({"group": "school", "group_equal": ("loading",)}, ValueError, r"'group_equal' parameter of fit must hold names.*unknown: \['loading'\]"),
    ({"group_equal": ("loadings",)}, ValueError, "'group_equal' parameter of fit needs 'group'"),
])
def test_bad_group_options(hs, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fit(hs, MODEL, **kwargs)


def test_bad_invariance_level(hs):
    with pytest.raises(ValueError, match="'levels' parameter of invariance must be"):
        invariance(hs, MODEL, group="school", levels=("partial",))
