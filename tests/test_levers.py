"""Tests for cxlab.levers.driver_importance.

Reference values:
* brute force: every subset regression refitted on the raw data with numpy lstsq,
  Shapley value by averaging over all p! orderings;
* an independent implementation of Johnson's (2000) relative weights written here
  from the paper's formulas;
* published output of R relaimpo (lmg) and R rwa (relative weights), with their data.
"""

import dataclasses
import itertools
import math
import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlab.levers import DriverImportance, driver_importance, driver_importance_result


# ----------------------------------------------------------------------- helpers
def _brute_force_shapley(df, outcome, drivers):
    """LMG by refitting all 2^p regressions and averaging over all p! orders."""
    p = len(drivers)
    y = df[outcome].to_numpy(float)
    n = y.size
    tss = np.sum((y - y.mean()) ** 2)
    r2 = {}
    for code in range(1 << p):
        cols = [drivers[j] for j in range(p) if code >> j & 1]
        x = np.column_stack([np.ones(n)] + [df[c].to_numpy(float) for c in cols])
        beta = np.linalg.lstsq(x, y, rcond=None)[0]
        resid = y - x @ beta
        r2[code] = 1.0 - resid @ resid / tss
    phi = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        code = 0
        for j in order:
            new = code | (1 << j)
            phi[j] += r2[new] - r2[code]
            code = new
    return phi / len(orders), r2[(1 << p) - 1]


def _johnson_relative_weights(df, outcome, drivers):
    """Straight from Johnson (2000): Rxx = V D V', Lambda = Rxx^1/2,
    beta = Lambda^-1 rxy, epsilon = Lambda^[2] beta^[2]."""
    r = df[[*drivers, outcome]].corr().to_numpy()
    p = len(drivers)
    rxx, rxy = r[:p, :p], r[:p, p]
    evals, evecs = np.linalg.eig(rxx)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def _correlated_data(p, n=300, seed=0):
    rng = np.random.default_rng(seed)
    mix = rng.normal(size=(p, p))
    x = rng.normal(size=(n, p)) @ mix
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(p)])
    df["y"] = x @ rng.normal(size=p) + 3.0 * rng.normal(size=n)
    return df, [f"x{i}" for i in range(p)]


MTCARS = pd.DataFrame(
    # mpg, cyl, disp, hp, wt of R's datasets::mtcars (Henderson & Velleman 1981)
    [
        (21.0, 6, 160.0, 110, 2.620), (21.0, 6, 160.0, 110, 2.875),
        (22.8, 4, 108.0, 93, 2.320), (21.4, 6, 258.0, 110, 3.215),
        (18.7, 8, 360.0, 175, 3.440), (18.1, 6, 225.0, 105, 3.460),
        (14.3, 8, 360.0, 245, 3.570), (24.4, 4, 146.7, 62, 3.190),
        (22.8, 4, 140.8, 95, 3.150), (19.2, 6, 167.6, 123, 3.440),
        (17.8, 6, 167.6, 123, 3.440), (16.4, 8, 275.8, 180, 4.070),
        (17.3, 8, 275.8, 180, 3.730), (15.2, 8, 275.8, 180, 3.780),
        (10.4, 8, 472.0, 205, 5.250), (10.4, 8, 460.0, 215, 5.424),
        (14.7, 8, 440.0, 230, 5.345), (32.4, 4, 78.7, 66, 2.200),
        (30.4, 4, 75.7, 52, 1.615), (33.9, 4, 71.1, 65, 1.835),
        (21.5, 4, 120.1, 97, 2.465), (15.5, 8, 318.0, 150, 3.520),
        (15.2, 8, 304.0, 150, 3.435), (13.3, 8, 350.0, 245, 3.840),
        (19.2, 8, 400.0, 175, 3.845), (27.3, 4, 79.0, 66, 1.935),
        (26.0, 4, 120.3, 91, 2.140), (30.4, 4, 95.1, 113, 1.513),
        (15.8, 8, 351.0, 264, 3.170), (19.7, 6, 145.0, 175, 2.770),
        (15.0, 8, 301.0, 335, 3.570), (21.4, 4, 121.0, 109, 2.780),
    ],
    columns=["mpg", "cyl", "disp", "hp", "wt"],
)


# --------------------------------------------------------------- exact Shapley
@pytest.mark.parametrize("p", [3, 5, 8])
def test_shapley_equals_brute_force(p):
    df, drivers = _correlated_data(p, seed=p)
    expected, r2_full = _brute_force_shapley(df, "y", drivers)
    res = driver_importance_result(df, "y", drivers, method="shapley")
    assert np.max(np.abs(res.table["importance"].to_numpy() - expected)) < 1e-9
    assert abs(res.table["importance"].sum() - r2_full) < 1e-9
    assert abs(res.r2 - r2_full) < 1e-9
    assert abs(res.table["share"].sum() - 1.0) < 1e-12


def test_shapley_matches_relaimpo_published_longley():
    # R: calc.relimp(lm(Armed.Forces ~ GNP + Population + Employed + Unemployed,
    #    data = longley), type = "lmg", rela = TRUE) prints (3 decimals):
    #    GNP 0.328, Population 0.241, Employed 0.217, Unemployed 0.215, R² 70.2 %.
    # Published in the notes "A Hands-on Introduction to Statistics with R"
    # (relaimpo section). statsmodels ships longley with the same values in other
    # units (x1000, x10), to which R² decompositions are invariant.
    d = sm.datasets.longley.load_pandas().data
    result = driver_importance_result(d, "ARMED", ["GNP", "POP", "TOTEMP", "UNEMP"])
    res = result.table
    published = np.array([0.328, 0.241, 0.217, 0.215])
    # printed to 3 decimals: agreement within half a unit of the last digit
    assert np.max(np.abs(res["share"].to_numpy() - published)) <= 0.0005
    assert abs(100 * result.r2 - 70.2) <= 0.05
    assert res["rank"].tolist() == [1, 2, 3, 4]


def test_shapley_with_collinear_driver():
    df, drivers = _correlated_data(4, seed=11)
    df["copy"] = df["x0"]
    res = driver_importance(df, "y", [*drivers, "copy"])
    assert abs(res.loc["x0", "importance"] - res.loc["copy", "importance"]) < 1e-12
    expected, r2_full = _brute_force_shapley(df, "y", drivers)
    assert abs(res["importance"].sum() - r2_full) < 1e-9


def test_shapley_twenty_drivers_is_fast():
    # The target is < 2 s for 20 drivers on 10,000 respondents; measured
    # ~0.2 s. The bound here is loose so a busy machine does not fail the suite.
    rng = np.random.default_rng(3)
    x = rng.normal(size=(10_000, 20)) + 0.5 * rng.normal(size=(10_000, 1))
    df = pd.DataFrame(x, columns=[f"d{i}" for i in range(20)])
    df["y"] = x @ rng.normal(size=20) + rng.normal(size=10_000)
    start = time.perf_counter()
    res = driver_importance_result(df, "y", list(df.columns[:20]))
    assert time.perf_counter() - start < 10
    assert abs(res.table["importance"].sum() - res.r2) < 1e-12


# ------------------------------------------------------------ relative weights
@pytest.mark.parametrize("p", [2, 4, 7])
def test_relative_weights_match_independent_implementation(p):
    df, drivers = _correlated_data(p, seed=20 + p)
    expected = _johnson_relative_weights(df, "y", drivers)
    res = driver_importance(df, "y", drivers, method="relative_weights")
    assert np.max(np.abs(res["importance"].to_numpy() - expected)) < 1e-6
    r2 = sm.OLS(df["y"], sm.add_constant(df[drivers])).fit().rsquared
    assert abs(res["importance"].sum() - r2) < 1e-10


def test_relative_weights_match_rwa_published_mtcars():
    # R package rwa, vignette "Regression Methods":
    # rwa_multiregress(mtcars, "mpg", c("cyl", "disp", "hp", "wt"))$result
    #   cyl 0.2096904, disp 0.1883043, hp 0.1799590, wt 0.2706812; R² 0.8486
    result = driver_importance_result(MTCARS, "mpg", ["cyl", "disp", "hp", "wt"], method="relative_weights")
    res = result.table
    published = np.array([0.2096904, 0.1883043, 0.1799590, 0.2706812])
    # printed to 7 decimals: within half a unit of the last digit
    assert np.max(np.abs(res["importance"].to_numpy() - published)) <= 5e-8
    assert round(result.r2, 4) == 0.8486
    assert res["rank"].tolist() == [2, 3, 4, 1]


# ----------------------------------------------------------------------- ranks
@pytest.mark.parametrize("method", ["shapley", "relative_weights"])
def test_ranks_recover_known_ordering(method):
    rng = np.random.default_rng(42)
    n = 4000
    x = rng.normal(size=(n, 4))
    x[:, 3] += 0.4 * x[:, 0]  # some correlation between drivers
    df = pd.DataFrame(x, columns=["reliability", "empathy", "speed", "price"])
    df["sat"] = 0.2 * x[:, 0] + 0.8 * x[:, 1] + 0.5 * x[:, 2] + 0.05 * x[:, 3] \
        + rng.normal(size=n)
    res = driver_importance(df, "sat", ["reliability", "empathy", "speed", "price"],
                            method=method)
    assert res["rank"].to_dict() == {"empathy": 1, "speed": 2, "reliability": 3, "price": 4}


# ------------------------------------------------------------------- bootstrap
def test_bootstrap_reproducible_and_independent_of_workers():
    df, drivers = _correlated_data(4, n=200, seed=5)
    a = driver_importance(df, "y", drivers, n_boot=60, seed=123, n_jobs=1)
    b = driver_importance(df, "y", drivers, n_boot=60, seed=123, n_jobs=1)
    c = driver_importance(df, "y", drivers, n_boot=60, seed=123, n_jobs=2)
    d = driver_importance(df, "y", drivers, n_boot=60, seed=124, n_jobs=1)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert not np.allclose(a["ci_lower"], d["ci_lower"])
    assert list(a.columns) == ["importance", "share", "rank", "ci_lower", "ci_upper"]
    assert (a["ci_lower"] <= a["ci_upper"]).all()
    assert driver_importance_result(df, "y", drivers, n_boot=60, seed=123, n_jobs=1).n_boot_failed == 0


def test_bootstrap_relative_weights_interval_brackets_estimate():
    df, drivers = _correlated_data(3, n=400, seed=9)
    res = driver_importance(df, "y", drivers, method="relative_weights",
                            n_boot=200, seed=1)
    assert ((res["ci_lower"] < res["importance"]) & (res["importance"] < res["ci_upper"])).all()


# ------------------------------------------------------------------ missing data
def test_listwise_deletion_reported():
    df, drivers = _correlated_data(3, n=100, seed=2)
    df.loc[[3, 7], "x1"] = np.nan
    df.loc[7, "y"] = np.nan
    df.loc[50, "y"] = np.nan
    with pytest.warns(UserWarning, match="dropped 3 of 100 rows"):
        result = driver_importance_result(df, "y", drivers)
    assert (result.n_dropped, result.n) == (3, 97)
    res = result.to_frame()
    expected, _ = _brute_force_shapley(df.dropna(), "y", drivers)
    assert np.max(np.abs(res["importance"].to_numpy() - expected)) < 1e-9


# --------------------------------------------------------------- binary outcome
def _binary_data(p=3, n=600, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) @ (np.eye(p) + 0.4)
    eta = -0.3 + x @ np.linspace(1.0, 0.2, p)
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
    df = pd.DataFrame(x, columns=[f"x{i}" for i in range(p)])
    df["promoter"] = y
    return df, [f"x{i}" for i in range(p)]


def test_binary_shapley_mcfadden_equals_brute_force():
    df, drivers = _binary_data(p=4, seed=1)
    p = len(drivers)
    r2 = {}
    for code in range(1 << p):
        cols = [drivers[j] for j in range(p) if code >> j & 1]
        if not cols:
            r2[code] = 0.0
            continue
        fit = sm.Logit(df["promoter"], sm.add_constant(df[cols])).fit(disp=0, tol=1e-12)
        r2[code] = 1.0 - fit.llf / fit.llnull
    phi = np.zeros(p)
    orders = list(itertools.permutations(range(p)))
    for order in orders:
        code = 0
        for j in order:
            phi[j] += r2[code | 1 << j] - r2[code]
            code |= 1 << j
    phi /= len(orders)
    res = driver_importance(df, "promoter", drivers, outcome_type="binary")
    assert np.max(np.abs(res["importance"].to_numpy() - phi)) < 1e-8
    assert abs(res["importance"].sum() - r2[(1 << p) - 1]) < 1e-8


def test_binary_relative_weights_match_tonidandel_lebreton():
    df, drivers = _binary_data(p=4, seed=2)
    # independent: Tonidandel & LeBreton (2010) with statsmodels' logistic fit
    x = df[drivers].to_numpy()
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    rxx = np.corrcoef(xs, rowvar=False)
    evals, evecs = np.linalg.eig(rxx)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    z = xs @ np.linalg.inv(lam)
    fit = sm.Logit(df["promoter"].to_numpy(), sm.add_constant(z)).fit(disp=0, tol=1e-12)
    b = fit.params[1:]
    logit_hat = fit.fittedvalues
    r_o = np.corrcoef(df["promoter"], fit.predict())[0, 1]
    beta = b * z.std(0, ddof=1) * r_o / logit_hat.std(ddof=1)
    expected = (lam**2) @ (beta**2)
    res = driver_importance(df, "promoter", drivers, method="relative_weights",
                            outcome_type="binary")
    assert np.max(np.abs(res["importance"].to_numpy() - expected)) < 1e-6
    assert abs(res["importance"].sum() - r_o**2) < 1e-8


def test_binary_outcome_must_be_zero_one():
    df, drivers = _binary_data()
    df.loc[0, "promoter"] = 2
    with pytest.raises(ValueError, match=r"must be coded 0/1 with outcome_type='binary'"):
        driver_importance(df, "promoter", drivers, outcome_type="binary")


# ---------------------------------------------------------------- error messages
def test_error_messages():
    df, drivers = _correlated_data(3, n=50)
    with pytest.raises(ValueError) as err:
        driver_importance(df, "y", drivers, method="lmg")
    assert str(err.value) == (
        "The 'method' parameter of driver_importance must be one of 'shapley', "
        "'relative_weights'. Got 'lmg' instead."
    )
    with pytest.raises(ValueError, match=r"The 'outcome_type' parameter of driver_importance "
                                         r"must be one of 'continuous', 'binary'\. Got 'logit'"):
        driver_importance(df, "y", drivers, outcome_type="logit")
    with pytest.raises(ValueError, match=r"Columns \['nope'\] passed to driver_importance "
                                         r"are not in 'data'"):
        driver_importance(df, "y", [*drivers, "nope"])
    with pytest.raises(ValueError, match=r"The 'n_boot' parameter of driver_importance must "
                                         r"be an int >= 0\. Got -1 instead\."):
        driver_importance(df, "y", drivers, n_boot=-1)
    with pytest.raises(ValueError, match=r"The 'ci' parameter of driver_importance must be a "
                                         r"float in \(0, 1\)\. Got 1.5 instead\."):
        driver_importance(df, "y", drivers, ci=1.5)
    with pytest.raises(ValueError, match=r"The 'drivers' parameter of driver_importance must be "
                                         r"a list of column names\. Got 'x0' instead\."):
        driver_importance(df, "y", "x0")
    with pytest.raises(ValueError, match=r"must not also be a driver"):
        driver_importance(df, "x0", drivers)
    wide = pd.DataFrame(np.random.default_rng(0).normal(size=(60, 27)),
                        columns=[f"c{i}" for i in range(27)])
    with pytest.raises(ValueError, match=r"must hold at most 25 columns for method='shapley'"):
        driver_importance(wide, "c0", [f"c{i}" for i in range(1, 27)])
    df["const"] = 1.0
    with pytest.raises(ValueError, match=r"Columns \['const'\] passed to driver_importance have "
                                         r"zero variance"):
        driver_importance(df, "y", [*drivers, "const"])
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        driver_importance(df.to_numpy(), "y", drivers)


def test_result_shape_and_vocabulary():
    df, drivers = _correlated_data(3)
    res = driver_importance(df, "y", drivers)
    assert res.index.name == "driver"
    assert list(res.index) == drivers
    assert list(res.columns) == ["importance", "share", "rank"]
    assert res["rank"].dtype.kind == "i"
    assert math.isclose(res["share"].sum(), 1.0)
    assert not res.attrs  # no metadata hidden in DataFrame.attrs: the _result function carries it
    full = driver_importance_result(df, "y", drivers)
    assert isinstance(full, DriverImportance)
    pd.testing.assert_frame_equal(full.to_frame(), res)
    assert (full.outcome, full.method, full.outcome_type, full.n, full.n_dropped) == ("y", "shapley", "continuous",
                                                                                     len(df), 0)
    assert (full.n_boot, full.n_boot_failed, full.ci) == (0, 0, 0.95)
    assert full._repr_html_().startswith("<p><strong>DriverImportance</strong>: outcome = y, method = shapley")


# =========================================================================
# contact_effects, importance-performance, rank_levers, describe_levers
# =========================================================================

import statsmodels.formula.api as smf  # noqa: E402
import yaml  # noqa: E402
from scipy import stats  # noqa: E402

from conftest import DEMO  # noqa: E402
from cxlab.levers import (  # noqa: E402
    LeverRanking,
    LeverSummary,
    contact_effects,
    contact_effects_result,
    describe_levers,
    importance_performance,
    importance_performance_result,
    ipma,
    ipma_result,
    rank_levers,
    rank_levers_result,
    rescale_performance,
)

CONTACT = ["repeat_contacts", "long_waits", "abandoned", "transfers", "escalations"]
DIMENSIONS = ["tangibles", "reliability", "responsiveness", "assurance", "empathy"]


def _survey_with_contacts(n=800, seed=5):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "quality": rng.normal(5, 1, n),
        "repeat_contacts": rng.poisson(0.6, n),
        "long_waits": rng.poisson(0.2, n),
        "segment": rng.choice(["consumer", "premium", "small_business"], n, p=[0.6, 0.1, 0.3]),
    })
    noise = rng.normal(0, 0.4 + 0.3 * df["long_waits"], n)  # heteroskedastic
    df["sat"] = (1 + 0.5 * df.quality - 0.3 * df.repeat_contacts - 0.5 * df.long_waits
                 + 0.3 * (df.segment == "premium") + noise)
    df["stay"] = 0.8 * df.sat - 0.1 * df.long_waits + rng.normal(0, 0.6, n)
    return df


def _hc3_by_hand(x, y):
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    resid = y - x @ beta
    h = np.einsum("ij,jk,ik->i", x, xtx_inv, x)
    meat = (x * (resid / (1 - h))[:, None] ** 2).T @ x
    return beta, np.sqrt(np.diag(xtx_inv @ meat @ xtx_inv))


# ----------------------------------------------------------- contact_effects
def test_contact_effects_match_statsmodels_hc3_and_hand_sandwich():
    df = _survey_with_contacts()
    result = contact_effects_result(df, ["sat", "stay"], ["repeat_contacts", "long_waits"],
                                    controls=["quality", "segment"])
    res = result.table
    pd.testing.assert_frame_equal(res, contact_effects(df, ["sat", "stay"], ["repeat_contacts", "long_waits"],
                                                       controls=["quality", "segment"]))
    names = {"Intercept": "Intercept", "repeat_contacts": "repeat_contacts",
             "long_waits": "long_waits", "quality": "quality",
             "segment[premium]": "C(segment)[T.premium]",
             "segment[small_business]": "C(segment)[T.small_business]"}
    for outcome in ("sat", "stay"):
        ref = smf.ols(f"{outcome} ~ repeat_contacts + long_waits + quality + C(segment)", df).fit(
            cov_type="HC3", use_t=True)
        part = res[res["outcome"] == outcome].set_index("term")
        assert list(part.index) == list(names)
        sm_names = [names[t] for t in part.index]
        assert np.max(np.abs(part["est"].to_numpy() - ref.params[sm_names].to_numpy())) < 1e-10
        assert np.max(np.abs(part["se"].to_numpy() - ref.bse[sm_names].to_numpy())) < 1e-10
        assert np.max(np.abs(part["t"].to_numpy() - ref.tvalues[sm_names].to_numpy())) < 1e-8
        assert np.max(np.abs(part["pvalue"].to_numpy() - ref.pvalues[sm_names].to_numpy())) < 1e-10
        conf = ref.conf_int(alpha=0.05).loc[sm_names].to_numpy()
        assert np.max(np.abs(part[["ci_lower", "ci_upper"]].to_numpy() - conf)) < 1e-10
        # the HC3 sandwich written out, independent of statsmodels
        x = np.column_stack([np.ones(len(df)), df.repeat_contacts, df.long_waits, df.quality,
                             df.segment == "premium", df.segment == "small_business"]).astype(float)
        beta, se = _hc3_by_hand(x, df[outcome].to_numpy(float))
        assert np.max(np.abs(part["est"].to_numpy() - beta)) < 1e-10
        assert np.max(np.abs(part["se"].to_numpy() - se)) < 1e-10
        # standardised coefficient: b * sd(x) / sd(y)
        std = part.loc["long_waits", "est"] * df.long_waits.std() / df[outcome].std()
        assert abs(part.loc["long_waits", "std_est"] - std) < 1e-12
        assert np.isnan(part.loc["Intercept", "std_est"])
        assert abs(result.r2[outcome] - ref.rsquared) < 1e-10
    assert list(res.columns) == ["outcome", "term", "role", "est", "se", "t", "pvalue",
                                 "ci_lower", "ci_upper", "std_est"]
    assert res.loc[res.term == "long_waits", "role"].unique().tolist() == ["contact"]
    assert "not causal" in result.note and "confounding" in result.note
    assert (result.cov_type, result.ci, result.n) == ("HC3", 0.95, {"sat": len(df), "stay": len(df)})


def test_contact_effects_errors_and_listwise_deletion():
    df = _survey_with_contacts(200)
    with pytest.raises(ValueError, match=r"The 'cov_type' parameter of contact_effects must be "
                                         r"one of 'HC3', 'HC2', 'HC1', 'HC0', 'nonrobust'\. "
                                         r"Got 'HC9' instead\."):
        contact_effects(df, "sat", ["long_waits"], cov_type="HC9")
    with pytest.raises(ValueError, match=r"Columns \['nope'\] passed to contact_effects are not "
                                         r"in 'data'"):
        contact_effects(df, "sat", ["nope"])
    with pytest.raises(ValueError, match=r"The 'contact_features' parameter of contact_effects "
                                         r"must name at least one column\. Got \[\] instead\."):
        contact_effects(df, "sat", [])
    with pytest.raises(ValueError, match=r"Columns \['segment'\] passed to contact_effects must "
                                         r"be numeric"):
        contact_effects(df, "sat", ["segment"])
    df.loc[:4, "sat"] = np.nan
    with pytest.warns(UserWarning, match=r"dropped 5 of 200 rows"):
        res = contact_effects_result(df, "sat", ["long_waits"])
    assert res.n == {"sat": 195}


# ------------------------------------------------------ importance-performance
def test_rescale_and_ipma_against_hand_computation():
    df = pd.DataFrame({
        "sat": [1.0, 3.0, 4.0, 6.0, 7.0, 5.0, 2.0, 6.5],
        "rel": [1.0, 2.0, 4.0, 5.0, 7.0, 6.0, 2.5, 6.0],
        "nps": [0.0, 2.0, 5.0, 8.0, 10.0, 7.0, 3.0, 9.0],
    })
    scaled = rescale_performance(df, ranges={"sat": (1, 7), "rel": (1, 7), "nps": (0, 10)})
    assert scaled["rel"].tolist() == pytest.approx([0, 100 / 6, 50, 400 / 6, 100, 500 / 6, 25, 500 / 6],
                                                   abs=1e-12)
    assert scaled["nps"].tolist() == pytest.approx([0, 20, 50, 80, 100, 70, 30, 90], abs=1e-12)
    result = ipma_result(df, "sat", ["rel", "nps"], ranges={"sat": (1, 7), "rel": (1, 7), "nps": (0, 10)})
    res = ipma(df, "sat", ["rel", "nps"], ranges={"sat": (1, 7), "rel": (1, 7), "nps": (0, 10)})
    pd.testing.assert_frame_equal(res, result.table)
    # by hand: performance = mean of (x - min) / (max - min) * 100
    perf_rel = np.mean([(v - 1) / 6 * 100 for v in df.rel])
    perf_nps = np.mean([v / 10 * 100 for v in df.nps])
    assert res.loc["rel", "performance"] == pytest.approx(perf_rel, abs=1e-12)
    assert res.loc["nps", "performance"] == pytest.approx(perf_nps, abs=1e-12)
    # importance = unstandardised effect on the rescaled scores (normal equations)
    x = np.column_stack([np.ones(8), (df.rel - 1) / 6 * 100, df.nps * 10])
    y = (df.sat - 1) / 6 * 100
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    assert res["importance"].to_numpy() == pytest.approx(beta[1:], abs=1e-10)
    # ... which is the raw coefficient times range(x) / range(y)
    raw = np.linalg.lstsq(np.column_stack([np.ones(8), df.rel, df.nps]), df.sat, rcond=None)[0]
    assert res.loc["nps", "importance"] == pytest.approx(raw[2] * 10 / 6, abs=1e-10)
    assert result.outcome_performance == pytest.approx(np.mean((df.sat - 1) / 6 * 100))
    assert result.n == 8 and result.performance_cut == pytest.approx((perf_rel + perf_nps) / 2)
    with pytest.raises(ValueError, match=r"The 'ranges' parameter of rescale_performance must "
                                         r"hold \(min, max\) pairs with max > min\. Got \(7, 1\)"):
        rescale_performance(df, ranges=(7, 1))
    with pytest.raises(ValueError, match=r"must give a range for every column\. Got none for "
                                         r"\['nps'\]"):
        rescale_performance(df, ranges={"sat": (1, 7), "rel": (1, 7)})


def test_importance_performance_quadrants_and_cuts():
    imp = pd.Series({"a": 0.5, "b": 0.4, "c": 0.1, "d": 0.05})
    perf = pd.Series({"d": 6.0, "c": 4.0, "b": 6.5, "a": 4.5})
    res = importance_performance(imp, perf)
    cuts = importance_performance_result(imp, perf)
    assert cuts.importance_cut == pytest.approx(0.2625)
    assert cuts.performance_cut == pytest.approx(5.25)
    assert (cuts.outcome_performance, cuts.n) == (None, None)
    assert res["quadrant"].to_dict() == {"a": "concentrate here", "b": "keep up the good work",
                                         "c": "low priority", "d": "possible overkill"}
    assert res.loc["d", "performance"] == 6.0  # aligned on the index, not the order
    res = importance_performance(imp, perf, importance_cut=0.45, performance_cut=7)
    assert res["quadrant"].tolist() == ["concentrate here", "low priority", "low priority",
                                        "low priority"]
    lone = importance_performance(imp[:1], perf[["a"]])  # its own mean is no benchmark
    assert lone["quadrant"].tolist() == ["no quadrant (one lever)"]
    assert importance_performance(imp[:1], perf[["a"]], importance_cut=0.45, performance_cut=7
                                  )["quadrant"].tolist() == ["concentrate here"]  # a fixed benchmark still works
    with pytest.raises(ValueError, match=r"must have the same levers\. Only in importance: "
                                         r"\['a'\]"):
        importance_performance(imp, perf.drop("a"))
    with pytest.raises(TypeError, match=r"The 'importance' parameter of importance_performance "
                                        r"must be a pandas Series"):
        importance_performance(imp.to_frame(), perf)


def test_charts_take_the_result_objects():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cxlab import plots

    imp, perf = pd.Series({"a": 0.5, "b": 0.1}), pd.Series({"a": 4.0, "b": 6.0})
    ax = plots.ipa_chart(importance_performance_result(imp, perf, importance_cut=0.45, performance_cut=7)).axes[0]
    assert [float(line.get_xdata()[0]) for line in ax.lines] == [7.0, 0.0]  # axvline at x = 7, then axhline
    assert float(ax.lines[1].get_ydata()[0]) == 0.45
    ax = plots.ipa_chart(importance_performance(imp, perf)).axes[0]  # a bare table: the means
    assert float(ax.lines[0].get_xdata()[0]) == 5.0 and float(ax.lines[1].get_ydata()[0]) == pytest.approx(0.3)
    df = _lever_data(n=400)
    ranking = rank_levers_result(df, "sat", ["rel"], ["repeat"], n_boot=0)
    assert plots.lever_chart(ranking).axes[0].get_xlabel() == "expected gain in mean sat"
    assert plots.lever_chart(ranking.table).axes[0].get_xlabel() == "expected gain in mean outcome"
    importance = driver_importance_result(df, "sat", ["rel", "resp"])
    assert len(plots.importance_chart(importance).axes[0].patches) == 2
    plt.close("all")


# ----------------------------------------------------------------- rank_levers
def _lever_data(n=3000, seed=11):
    """Known effects: gains ordered rel > repeat > resp > waits > tan (~0) > transfers (0)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "rel": rng.integers(2, 8, n).astype(float),       # mean 4.5, target 7: shortfall 2.5
        "resp": rng.integers(4, 8, n).astype(float),      # mean 5.5, shortfall 1.5
        "tan": rng.integers(1, 8, n).astype(float),
        "repeat": rng.poisson(1.0, n).astype(float),      # shortfall to 0 = 1.0
        "waits": rng.binomial(1, 0.3, n).astype(float),   # 0.3
        "transfers": rng.poisson(0.5, n).astype(float),
        "segment": rng.choice(["a", "b"], n),
    })
    df["sat"] = (0.4 * df.rel + 0.3 * df.resp + 0.0 * df.tan - 0.6 * df.repeat
                 - 0.5 * df.waits + 0.0 * df.transfers + 0.2 * (df.segment == "b")
                 + rng.normal(0, 0.3, n))
    # true gains: rel 0.4 * 2.5 = 1.0, repeat 0.6 * 1.0 = 0.6, resp 0.3 * 1.5 = 0.45,
    # waits 0.5 * 0.3 = 0.15, tan 0, transfers 0
    return df


def test_rank_levers_recovers_known_ordering_and_formulas():
    df = _lever_data()
    t = rank_levers(df, "sat", ["rel", "resp", "tan"], ["repeat", "waits", "transfers"],
                    controls=["segment"], targets={"rel": 7, "resp": 7}, n_boot=100, seed=3)
    assert t.index.tolist()[:4] == ["rel", "repeat", "resp", "waits"]
    assert t["rank"].tolist()[:4] == [1, 2, 3, 4]
    assert t.loc["rel", "expected_gain"] == pytest.approx(1.0, abs=0.03)
    assert t.loc["repeat", "expected_gain"] == pytest.approx(0.6, abs=0.03)
    assert t.loc["waits", "expected_gain"] == pytest.approx(0.15, abs=0.02)
    # every column explains the rank: the documented formulas, exactly
    d = np.where(t["better"] == "higher", 1.0, -1.0)
    assert np.allclose(t["expected_gain"], t["impact"] * d * t["reach"] * t["headroom"], atol=1e-12)
    assert (t["priority"] == t["expected_gain"]).all()
    assert t.loc["repeat", "reach"] == pytest.approx((df.repeat > 0).mean())
    assert t.loc["repeat", "headroom"] == pytest.approx(df.repeat[df.repeat > 0].mean())
    assert t.loc["rel", "reach"] == pytest.approx((df.rel < 7).mean())
    assert t.loc["rel", "headroom"] == pytest.approx((7 - df.rel[df.rel < 7]).mean())
    assert t.loc["rel", "target_basis"] == "given"
    assert t.loc["tan", "target_basis"] == "best value" and t.loc["tan", "target"] == 7
    assert t.loc["repeat", "target"] == 0 and t.loc["repeat", "better"] == "lower"
    ref = smf.ols("sat ~ rel + resp + tan + repeat + waits + transfers + C(segment)", df).fit()
    assert np.allclose(t["impact"], ref.params[t.index], atol=1e-10)
    assert (t["impact_ci_lower"] < t["impact"]).all() and (t["impact"] < t["impact_ci_upper"]).all()
    assert t.loc["rel", "p_first"] == 1.0 and t.loc["rel", "rank_ci_upper"] == 1
    assert t["cost"].isna().all() and t["gain_per_cost"].isna().all()
    assert list(t.columns) == [
        "kind", "better", "impact", "impact_ci_lower", "impact_ci_upper", "reach", "performance",
        "target", "target_basis", "headroom", "expected_gain", "expected_gain_ci_lower",
        "expected_gain_ci_upper", "cost", "gain_per_cost", "priority", "rank", "rank_ci_lower",
        "rank_ci_upper", "p_first", "pvalue", "pvalue_holm"]
    # costs turn the ranking into gain per cost
    costs = {"rel": 10.0, "resp": 1.0, "tan": 1.0, "repeat": 1.0, "waits": 1.0, "transfers": 1.0}
    ranking = rank_levers_result(df, "sat", ["rel", "resp", "tan"], ["repeat", "waits", "transfers"],
                                 controls=["segment"], targets={"rel": 7, "resp": 7}, costs=costs, n_boot=0)
    tc = ranking.to_frame()
    assert tc.index.tolist()[:3] == ["repeat", "resp", "waits"]
    assert tc.loc["rel", "gain_per_cost"] == pytest.approx(tc.loc["rel", "expected_gain"] / 10)
    assert (tc["priority"] == tc["gain_per_cost"]).all()
    assert tc["expected_gain_ci_lower"].isna().all()
    assert ranking.ci_method.startswith("HC3") and ranking.priority_basis == "gain_per_cost"
    assert (ranking.outcome, ranking.n, ranking.n_dropped, ranking.n_boot) == ("sat", len(df), 0, 0)


def test_rank_levers_best_segment_targets_and_reach_override():
    df = _lever_data(n=1000)
    df.loc[df.segment == "b", "repeat"] = 0.0  # segment b has no repeat contacts
    t = rank_levers(df, "sat", ["rel"], ["repeat"], group="segment", n_boot=0)
    assert t.loc["repeat", "target"] == 0.0
    assert t.loc["repeat", "target_basis"] == "best segment (b)"
    best = df.groupby("segment")["rel"].mean().max()
    assert t.loc["rel", "target"] == pytest.approx(best)
    t2 = rank_levers(df, "sat", ["rel"], ["repeat"], reach={"repeat": 0.5}, n_boot=0)
    assert t2.loc["repeat", "reach"] == 0.5
    assert t2.loc["repeat", "expected_gain"] == pytest.approx(
        -t2.loc["repeat", "impact"] * 0.5 * t2.loc["repeat", "headroom"])
    t3 = rank_levers(df, "sat", ["rel"], ["repeat"], better={"repeat": "higher"}, n_boot=0)
    assert t3.loc["repeat", "better"] == "higher" and t3.loc["repeat", "expected_gain"] < 0


def test_rank_levers_bootstrap_reproducible():
    df = _lever_data(n=600)
    args = dict(controls=["segment"], n_boot=40)
    a = rank_levers(df, "sat", ["rel", "resp"], ["repeat", "waits"], seed=42, **args)
    b = rank_levers(df, "sat", ["rel", "resp"], ["repeat", "waits"], seed=42, **args)
    c = rank_levers(df, "sat", ["rel", "resp"], ["repeat", "waits"], seed=43, **args)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["impact_ci_lower"], c["impact_ci_lower"])
    assert np.allclose(a["impact"], c["impact"])


def test_rank_levers_errors():
    df = _lever_data(n=200)
    with pytest.raises(ValueError, match=r"The 'drivers' and 'contact_features' parameters of "
                                         r"rank_levers must name at least one lever"):
        rank_levers(df, "sat")
    with pytest.raises(ValueError, match=r"The 'costs' parameter of rank_levers must give a value "
                                         r"for every lever\. Got none for \['repeat'\]\."):
        rank_levers(df, "sat", ["rel"], ["repeat"], costs={"rel": 1.0})
    with pytest.raises(ValueError, match=r"The 'costs' parameter of rank_levers must map each "
                                         r"lever to a number > 0\. Got 0 for 'rel' instead\."):
        rank_levers(df, "sat", ["rel"], ["repeat"], costs={"rel": 0, "repeat": 1.0})
    with pytest.raises(ValueError, match=r"The 'reach' parameter of rank_levers must map each "
                                         r"lever to a number in \[0, 1\]\. Got 1.5"):
        rank_levers(df, "sat", ["rel"], ["repeat"], reach={"repeat": 1.5})
    with pytest.raises(ValueError, match=r"The \"better\['rel'\]\" parameter of rank_levers must "
                                         r"be one of 'higher', 'lower'\. Got 'up' instead\."):
        rank_levers(df, "sat", ["rel"], better={"rel": "up"})
    with pytest.raises(ValueError, match=r"The 'targets' parameter of rank_levers names \['x'\], "
                                         r"which are not levers"):
        rank_levers(df, "sat", ["rel"], targets={"x": 1.0})
    with pytest.raises(ValueError, match=r"The 'n_boot' parameter of rank_levers must be an "
                                         r"int >= 0\. Got -1 instead\."):
        rank_levers(df, "sat", ["rel"], n_boot=-1)
    with pytest.raises(ValueError, match=r"The 'outcome' parameter of rank_levers must not also "
                                         r"be a lever"):
        rank_levers(df, "rel", ["rel"])


def test_describe_levers_is_generated_from_the_numbers():
    df = _lever_data(n=1500)
    ranking = rank_levers_result(df, "sat", ["rel", "resp", "tan"], ["repeat", "waits", "transfers"],
                                 targets={"rel": 7, "resp": 7}, n_boot=50, seed=1)
    assert isinstance(ranking, LeverRanking)
    t = ranking.table
    summary = describe_levers(ranking, top=2)
    assert isinstance(summary, LeverSummary) and not isinstance(summary, str)
    text = summary.text
    assert text.splitlines()[0].startswith("Ranked by the expected gain in mean **sat** (n = 1500)"
                                           ", rel comes first.")
    assert f"+{t.loc['rel', 'expected_gain']:.3f} in mean sat" in text
    assert f"{t.loc['repeat', 'reach']:.0%} of respondents are short of the target 0.00" in text
    assert "**resp**" not in text  # only the top two are described one by one
    unclear = [lev for lev in ("tan", "transfers")
               if t.loc[lev, "impact_ci_lower"] <= 0 <= t.loc[lev, "impact_ci_upper"]]
    assert unclear and all(lev in text.split("no gain is demonstrated for")[1].split(":")[0]
                           for lev in unclear)
    assert "Holm's adjustment for the 6 levers tested together" in text
    assert "not proven causes" in text
    assert summary._repr_markdown_() == str(summary) == text
    # a study's labels name the levers and the outcome; a name without one reads as words
    names = {"rel": "Reliability", "sat": "Satisfaction"}
    labelled = describe_levers(ranking, top=2, labels=lambda v: names.get(v, v)).text
    assert labelled.splitlines()[0].startswith("Ranked by the expected gain in mean **Satisfaction** (n = 1500), "
                                               "Reliability comes first.")
    assert "**Reliability** (driver)" in labelled and "**rel**" not in labelled and " rel " not in labelled
    assert labelled.replace("Reliability", "rel").replace("Satisfaction", "sat") == text
    # other numbers, other words
    t2 = t.copy()
    t2.loc["rel", "reach"] = 0.123
    assert "12% of respondents" in describe_levers(dataclasses.replace(ranking, table=t2)).text
    # the bare table: one more release, with a warning and without the outcome's name
    with pytest.warns(DeprecationWarning, match=r"pass the LeverRanking that rank_levers_result returns"):
        old = describe_levers(t, top=2).text
    assert old.startswith("Ranked by the expected gain in mean **the outcome**, rel comes first.")
    with pytest.raises(ValueError, match=r"The 'ranking' parameter of describe_levers must be the "
                                         r"result of rank_levers_result"), pytest.warns(DeprecationWarning):
        describe_levers(t[["impact"]])
    with pytest.raises(TypeError, match=r"The 'ranking' parameter of describe_levers must be a LeverRanking"):
        describe_levers("rel")
    with pytest.warns(DeprecationWarning, match=r"'table' parameter of describe_levers is renamed 'ranking'"):
        assert describe_levers(table=ranking, top=2) == summary


# ------------------------------------------------ the demo study's planted levers
@pytest.fixture(scope="module")
def demo_levers_data():
    from cxlab.contacts import respondent_features
    from cxlab.data import clean_survey, read_table
    from cxlab.quality import scale_scores
    from cxlab.study import load_study
    from cxlab.synth import ensure_demo_contacts

    contacts = ensure_demo_contacts(DEMO)
    study = load_study(DEMO / "study.yaml")
    cb = study.codebook
    survey = clean_survey(read_table(study.data["survey"]), cb).data
    feats = respondent_features(survey, contacts, customer=cb.customer_id,
                                respondent=cb.respondent_id, date=cb.date,
                                window_days=study.parameters["contact_window_days"])
    scores = scale_scores(survey, {"satisfaction": cb.scales["satisfaction"]["items"],
                                   **cb.servqual_items("p")})
    data = pd.concat([survey[[cb.respondent_id, cb.segment]], scores], axis=1)
    return data.merge(feats, on=cb.respondent_id), yaml.safe_load((DEMO / "truth.yaml").read_text())


def test_demo_planted_levers_rank_highest(demo_levers_data):
    data, truth = demo_levers_data
    t = rank_levers(data, "satisfaction", DIMENSIONS, CONTACT, controls=["segment"],
                    n_boot=100, seed=2026)
    top_contacts = truth["expected"]["top_contact_levers"]
    top_driver = truth["expected"]["driver_ranking"][0]
    contacts = t[t["kind"] == "contact"]
    drivers = t[t["kind"] == "driver"]
    # the planted top two contact levers outrank every other contact lever ...
    assert contacts.index[:2].tolist() == top_contacts
    # ... and the planted top driver dimension ranks first of all levers
    assert drivers.index[0] == top_driver
    assert t.index[0] == top_driver and t.loc[top_driver, "p_first"] > 0.9
    # their effects point the planted way and exclude zero
    for lev in top_contacts:
        assert t.loc[lev, "impact_ci_upper"] < 0
    assert t.loc[top_driver, "impact_ci_lower"] > 0
    # driver order beyond the top: the planted order of the clearly non-zero betas
    assert drivers.index[:3].tolist() == truth["expected"]["driver_ranking"][:3]


def test_contact_features_as_exogenous_in_the_sem_recover_planted_levers(demo_contacts):
    """The demo's planted top contact levers (truth.yaml) are the strongest in the SEM too."""
    import yaml

    import cxlab
    from cxlab import sem
    from cxlab.data import load_contact_features, load_processed_survey
    from cxlab.levers import contact_sem_model
    from conftest import DEMO

    study = cxlab.load_study(DEMO / "study.yaml")
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())
    data = load_processed_survey(study).merge(load_contact_features(study), on="respondent_key")
    cl = ["repeat_contacts", "long_waits", "abandoned", "transfers", "escalations"]
    fit = sem.fit(data, contact_sem_model(study.models["structural"], outcome="satisfaction", contact_features=cl))
    assert fit.converged and not fit.warnings
    paths = fit.estimates.query("op == '~' and rhs in @cl").set_index("rhs")
    top = paths["std_all"].abs().sort_values(ascending=False).index[:2].tolist()
    assert set(top) == set(truth["expected"]["top_contact_levers"][:2])
    assert (paths.loc[top, "est"] < 0).all() and (paths.loc[top, "pvalue"] < 0.001).all()


def test_contact_sem_model_names_a_bad_outcome():
    from cxlab.levers import contact_sem_model

    with pytest.raises(ValueError, match="The 'outcome' parameter of contact_sem_model must name a variable"):
        contact_sem_model("f =~ a + b", outcome="sat", contact_features=["x"])
