"""Nonparametric bootstrap (``fit(..., bootstrap=B, seed=...)``).

Monte-Carlo tolerance: with B resamples the bootstrap SE of a parameter has a relative
Monte-Carlo error of about ``1/sqrt(2B)`` for near-normal estimates (5 % at B = 200),
more for skewed ones. The checks below use B = 200 and allow 20 % per parameter (4 MC
standard errors) and 8 % for the median ratio.

On the Holzinger-Swineford data the bootstrap SEs track the *robust* (MLR, sandwich)
SEs, not the normal-theory ML ones: the items are not normal (measured at B = 200,
seed 1: speed =~ x9 0.360 bootstrap vs 0.151 ML vs 0.266 MLR; x8 ~~ x8 0.125 / 0.074 /
0.120). The ML comparison is therefore made on normal data simulated from the HS
estimates, where ML SEs are right.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem import bootstrap as bs

from conftest import DATA

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
MED_MODEL = ("textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~ a*visual_sum\n"
             "speed ~ b*textual + c*visual_sum\nind := a*b\ntotal := c + a*b")
B = 200
PER_PARAM_RTOL = 0.20
MEDIAN_RTOL = 0.08


@pytest.fixture(scope="module")
def hs(hs):
    """The Holzinger-Swineford data with the sum of the visual items, an observed predictor."""
    return hs.assign(visual_sum=hs["x1"] + hs["x2"] + hs["x3"])


def _ratio(boot, ref):
    free = ref.estimates["se"].to_numpy() > 0
    return boot.estimates["se"].to_numpy()[free] / ref.estimates["se"].to_numpy()[free]


def test_draws_do_not_depend_on_worker_count(hs):
    base = fit(hs, HS_MODEL)
    ref = bs._refitter(hs, HS_MODEL, base, missing="listwise", group=None)
    one, ok1 = bs.bootstrap_draws(ref, 60, seed=7, n_workers=1)
    two, ok2 = bs.bootstrap_draws(ref, 60, seed=7, n_workers=2)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(ok1, ok2)
    other, _ = bs.bootstrap_draws(ref, 60, seed=8, n_workers=2)
    assert not np.array_equal(one, other)


def test_same_seed_same_result(hs):
    a = fit(hs, MED_MODEL, bootstrap=40, seed=3)
    b = fit(hs, MED_MODEL, bootstrap=40, seed=3)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    c = fit(hs, MED_MODEL)
    # point estimates and std_all are the full-sample ones; only the inference changes
    np.testing.assert_array_equal(a.estimates["est"], c.estimates["est"])
    np.testing.assert_array_equal(a.estimates["std_all"], c.estimates["std_all"])
    assert not np.allclose(a.estimates["se"], c.estimates["se"])


@pytest.fixture(scope="module")
def med_boot(hs):
    return fit(hs, MED_MODEL, bootstrap=B, seed=11)


def test_defined_parameters_get_percentile_intervals(med_boot):
    est = med_boot.estimates
    d = est[est.op == ":="].set_index("lhs")
    assert (d["se"] > 0).all()
    assert ((d["ci_lower"] < d["est"]) & (d["est"] < d["ci_upper"])).all()
    # percentile, not Wald: the interval of the indirect effect a*b is asymmetric
    ind = d.loc["ind"]
    assert abs((ind.ci_upper - ind.est) - (ind.est - ind.ci_lower)) > 0.05 * (ind.ci_upper - ind.ci_lower)
    fixed = est[est.se == 0]
    assert (fixed.ci_lower == fixed.est).all() and (fixed.ci_upper == fixed.est).all()
    assert med_boot.warnings == []


def test_bootstrap_se_tracks_robust_se_on_hs(hs):
    boot = fit(hs, HS_MODEL, bootstrap=B, seed=1)
    r = _ratio(boot, fit(hs, HS_MODEL, estimator="MLR"))
    assert abs(np.median(r) - 1) < MEDIAN_RTOL, np.median(r)
    assert np.mean(np.abs(r - 1) < PER_PARAM_RTOL) >= 0.85, r  # x9's loading is heavy-tailed (0.36 vs 0.27)
    r_ml = _ratio(boot, fit(hs, HS_MODEL))
    assert np.median(r_ml) > 1.1  # non-normal data: ML SEs are too small


def test_bootstrap_se_close_to_ml_se_on_normal_data(hs):
    base = fit(hs, HS_MODEL)
    sigma = base.implied_cov.to_numpy()
    rng = np.random.default_rng(2024)
    sim = pd.DataFrame(rng.multivariate_normal(np.zeros(9), sigma, size=301), columns=base.implied_cov.columns)
    ml = fit(sim, HS_MODEL)
    boot = fit(sim, HS_MODEL, bootstrap=B, seed=5)
    r = _ratio(boot, ml)
    assert abs(np.median(r) - 1) < MEDIAN_RTOL, np.median(r)
    assert np.all(np.abs(r - 1) < PER_PARAM_RTOL), r


def test_fiml_and_multigroup_bootstrap_run_and_repeat(hs):
    miss = pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    a = fit(miss, HS_MODEL, missing="fiml", bootstrap=12, seed=2)
    b = fit(miss, HS_MODEL, missing="fiml", bootstrap=12, seed=2)
    pd.testing.assert_frame_equal(a.estimates, b.estimates)
    assert (a.estimates.loc[a.estimates.op == "~1", "se"].iloc[:9] > 0).all()
    g = fit(hs, HS_MODEL, group="school", group_equal=("loadings",), bootstrap=12, seed=2)
    loads = g.estimates[(g.estimates.op == "=~") & (g.estimates.se > 0)]
    # equal loadings: the same draws, so the same bootstrap SE in both groups
    assert loads.groupby(["lhs", "rhs"])["se"].nunique().eq(1).all()


@pytest.mark.parametrize("seed", ["1", 1.5])
def test_bad_seed(hs, seed):
    with pytest.raises(ValueError, match="'seed' parameter of fit must be an int or None"):
        fit(hs, HS_MODEL, bootstrap=5, seed=seed)
