"""Tests for cxlab.levers.driver_importance.

Reference values:
* brute force: every subset regression refitted on the raw data with numpy lstsq,
  Shapley value by averaging over all p! orderings;
* an independent implementation of Johnson's (2000) relative weights written here
  from the paper's formulas;
* published output of R relaimpo (lmg) and R rwa (relative weights), with their data.
"""

import itertools
import math
import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from cxlab.levers import driver_importance


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
    res = driver_importance(df, "y", drivers, method="shapley")
    assert np.max(np.abs(res["importance"].to_numpy() - expected)) < 1e-9
    assert abs(res["importance"].sum() - r2_full) < 1e-9
    assert abs(res.attrs["r2"] - r2_full) < 1e-9
    assert abs(res["share"].sum() - 1.0) < 1e-12


def test_shapley_matches_relaimpo_published_longley():
    # R: calc.relimp(lm(Armed.Forces ~ GNP + Population + Employed + Unemployed,
    #    data = longley), type = "lmg", rela = TRUE) prints (3 decimals):
    #    GNP 0.328, Population 0.241, Employed 0.217, Unemployed 0.215, R² 70.2 %.
    # Published in the notes "A Hands-on Introduction to Statistics with R"
    # (relaimpo section). statsmodels ships longley with the same values in other
    # units (x1000, x10), to which R² decompositions are invariant.
    d = sm.datasets.longley.load_pandas().data
    res = driver_importance(d, "ARMED", ["GNP", "POP", "TOTEMP", "UNEMP"])
    published = np.array([0.328, 0.241, 0.217, 0.215])
    # printed to 3 decimals: agreement within half a unit of the last digit
    assert np.max(np.abs(res["share"].to_numpy() - published)) <= 0.0005
    assert abs(100 * res.attrs["r2"] - 70.2) <= 0.05
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
    res = driver_importance(df, "y", list(df.columns[:20]))
    assert time.perf_counter() - start < 10
    assert abs(res["importance"].sum() - res.attrs["r2"]) < 1e-12


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
    res = driver_importance(MTCARS, "mpg", ["cyl", "disp", "hp", "wt"],
                            method="relative_weights")
    published = np.array([0.2096904, 0.1883043, 0.1799590, 0.2706812])
    # printed to 7 decimals: within half a unit of the last digit
    assert np.max(np.abs(res["importance"].to_numpy() - published)) <= 5e-8
    assert round(res.attrs["r2"], 4) == 0.8486
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
    a = driver_importance(df, "y", drivers, bootstrap=60, seed=123, n_jobs=1)
    b = driver_importance(df, "y", drivers, bootstrap=60, seed=123, n_jobs=1)
    c = driver_importance(df, "y", drivers, bootstrap=60, seed=123, n_jobs=2)
    d = driver_importance(df, "y", drivers, bootstrap=60, seed=124, n_jobs=1)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert not np.allclose(a["ci_lower"], d["ci_lower"])
    assert list(a.columns) == ["importance", "share", "rank", "ci_lower", "ci_upper"]
    assert (a["ci_lower"] <= a["ci_upper"]).all()
    assert a.attrs["n_boot_failed"] == 0


def test_bootstrap_relative_weights_interval_brackets_estimate():
    df, drivers = _correlated_data(3, n=400, seed=9)
    res = driver_importance(df, "y", drivers, method="relative_weights",
                            bootstrap=200, seed=1)
    assert ((res["ci_lower"] < res["importance"]) & (res["importance"] < res["ci_upper"])).all()


# ------------------------------------------------------------------ missing data
def test_listwise_deletion_reported():
    df, drivers = _correlated_data(3, n=100, seed=2)
    df.loc[[3, 7], "x1"] = np.nan
    df.loc[7, "y"] = np.nan
    df.loc[50, "y"] = np.nan
    with pytest.warns(UserWarning, match="dropped 3 of 100 rows"):
        res = driver_importance(df, "y", drivers)
    assert res.attrs["n_dropped"] == 3
    assert res.attrs["n"] == 97
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
    with pytest.raises(ValueError, match=r"The 'bootstrap' parameter of driver_importance must "
                                         r"be an int >= 0\. Got -1 instead\."):
        driver_importance(df, "y", drivers, bootstrap=-1)
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
    for key in ("r2", "n", "n_dropped", "method", "outcome_type"):
        assert key in res.attrs
