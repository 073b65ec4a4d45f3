"""PLS path modelling (``cxlab.pls``) against SmartPLS 2, plspm and seminr, plus exact
two-block identities that need no external data.

References (numbers copied into ``tests/data/pls_*.json`` with their source file):

* ECSI mobi, SmartPLS 2.0.M3 path coefficients for the path, centroid and factorial
  schemes (``pls_ecsi_smartpls2.json``). Measured: max |diff| 8e-9 (all three schemes).
* plspm on the satisfaction data, centroid scheme, mode A, ``scaled=FALSE``
  (``pls_satisfaction_plspm.json``): outer weights and loadings, direct/indirect/total
  effects, R², AVE, Cronbach's alpha. Measured: max |diff| 6.6e-7 (plspm stops at its own
  tolerance 1e-6 on squared weight changes).
* seminr on corp_rep, path scheme, mean replacement of -99 (``pls_corp_rep_seminr.json``).
  Measured: 1.3e-11.

The data sets stay in ``../shared/data/external`` (tests skip without it). Tolerance 1e-4.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab import pls
from cxlab.datasets import load_dataset

DATA = Path(__file__).parent / "data"
EXTERNAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "external"
TOL = 1e-4


def _external(rel: str) -> Path:
    path = EXTERNAL / rel
    if not path.exists():
        pytest.skip(f"../shared/data/external/{rel} is not present")
    return path


def _ref(name: str) -> dict:
    return json.loads((DATA / name).read_text())


# ---------------------------------------------------------------- SmartPLS 2 on ECSI mobi
ECSI = _ref("pls_ecsi_smartpls2.json")


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(_external("ecsi_mobi/mobi.csv"), index_col=0)


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
def test_ecsi_smartpls_paths(mobi, scheme):
    res = pls.fit(mobi, ECSI["model_syntax"], scheme=scheme)
    assert res.converged
    est = res.estimates.query("op == '~'").set_index(["lhs", "rhs"])["est"]
    ref = {(to, frm): v for to, frm, v in ECSI["paths"][scheme]}
    assert set(est.index) == set(ref)
    for key, value in ref.items():
        assert abs(est[key] - value) <= TOL, key


def test_ecsi_bootstrap_and_index(mobi):
    res = pls.fit(mobi, ECSI["model_syntax"], bootstrap=200, seed=1, scale_range=(1, 10))
    again = pls.fit(mobi, ECSI["model_syntax"], bootstrap=200, seed=1, scale_range=(1, 10))
    pd.testing.assert_frame_equal(res.estimates, again.estimates)
    paths = res.estimates.query("op == '~'")
    assert (paths["se"] > 0).all() and (paths["ci_lower"] < paths["est"]).all()
    assert (paths["est"] < paths["ci_upper"]).all()
    assert res.n_boot == 200
    # the index is the weighted mean of the 0-100 rescaled items; the mean of the case indices
    assert np.allclose(res.index["index"], res.index_scores.mean(), atol=1e-10)
    assert res.index["index"].between(0, 100).all()
    assert (res.index["ci_lower"] < res.index["index"]).all()
    eff = res.effects.set_index(["from", "to"])
    total = eff.loc[("Image", "Loyalty")]
    assert total["total"] == pytest.approx(total["direct"] + total["indirect"])
    assert total["indirect_ci_lower"] < total["indirect"] < total["indirect_ci_upper"]


# ---------------------------------------------------------------- plspm on satisfaction
SAT = _ref("pls_satisfaction_plspm.json")


@pytest.fixture(scope="module")
def sat_fit():
    data = pd.read_csv(_external("plspm_satisfaction/satisfaction.csv"), index_col=0)
    return pls.fit(data, SAT["model_syntax"], scheme="centroid", scaled=False)


def test_satisfaction_outer(sat_fit):
    outer = sat_fit.outer.set_index("item")
    for item, block, weight, loading in SAT["outer"]:
        assert outer.loc[item, "construct"] == block
        assert abs(outer.loc[item, "weight"] - weight) <= TOL, item
        assert abs(outer.loc[item, "loading"] - loading) <= TOL, item


def test_satisfaction_effects(sat_fit):
    eff = sat_fit.effects.set_index(["from", "to"])
    assert len(eff) == len(SAT["effects"])
    for frm, to, direct, indirect, total in SAT["effects"]:
        got = eff.loc[(frm, to)]
        assert np.allclose(got[["direct", "indirect", "total"]].to_numpy(float), [direct, indirect, total],
                           atol=TOL, rtol=0), (frm, to)
    paths = sat_fit.estimates.query("op == '~'").set_index(["rhs", "lhs"])["est"]
    for (frm, to), value in paths.items():
        assert abs(value - eff.loc[(frm, to), "direct"]) < 1e-12


def test_satisfaction_r2_ave_alpha(sat_fit):
    for c, v in SAT["r_squared"].items():
        assert abs(sat_fit.r2.loc[c, "r2"] - v) <= TOL, c
    for c, v in SAT["ave"].items():
        assert abs(sat_fit.reliability.loc[c, "ave"] - v) <= TOL, c
    for c, v in SAT["cronbach_alpha"].items():
        assert abs(sat_fit.reliability.loc[c, "alpha"] - v) <= TOL, c


# ---------------------------------------------------------------- seminr on corp_rep
CORP = _ref("pls_corp_rep_seminr.json")


def test_corp_rep_seminr_paths():
    data = pd.read_csv(_external("corp_rep/corp_rep_data.csv"))
    assert (data == -99).to_numpy().sum() > 0      # the file keeps its missing code
    res = pls.fit(data, CORP["model_syntax"], missing="mean", na_values=-99)
    est = res.estimates.query("op == '~'").set_index(["lhs", "rhs"])["est"]
    assert len(est) == len(CORP["paths"])
    for to, frm, value in CORP["paths"]:
        assert abs(est[(to, frm)] - value) <= TOL, (frm, to)


# ---------------------------------------------------------------- exact identities (no external data)
TWO_BLOCKS = "ind60 {op} x1 + x2 + x3\ndem60 {op} y1 + y2 + y3 + y4\ndem60 ~ ind60"


@pytest.fixture(scope="module")
def poldem():
    return load_dataset("political_democracy")


def _corr_blocks(df):
    x = df[["x1", "x2", "x3"]].to_numpy(float)
    y = df[["y1", "y2", "y3", "y4"]].to_numpy(float)
    r = np.corrcoef(np.hstack([x, y]), rowvar=False)
    return r[:3, :3], r[3:, 3:], r[:3, 3:]


def test_two_blocks_mode_b_is_canonical_correlation(poldem):
    # two formative blocks: PLS converges to the first canonical correlation (Wold 1985)
    rxx, ryy, rxy = _corr_blocks(poldem)
    lx, ly = np.linalg.cholesky(rxx), np.linalg.cholesky(ryy)
    k = np.linalg.solve(lx, rxy) @ np.linalg.inv(ly).T
    canon = np.linalg.svd(k, compute_uv=False)[0]
    for scheme in pls.SCHEMES:
        res = pls.fit(poldem, TWO_BLOCKS.format(op="<~"), scheme=scheme, tol=1e-10)
        path = res.estimates.query("op == '~'")["est"].iloc[0]
        assert abs(abs(path) - canon) < 1e-8
        assert set(res.estimates["op"]) == {"<~", "~"}


def test_two_blocks_mode_a_is_inter_battery(poldem):
    # two reflective blocks: weights are the first singular vectors of the cross-correlations
    rxx, ryy, rxy = _corr_blocks(poldem)
    u, _, vt = np.linalg.svd(rxy)
    wx, wy = u[:, 0] / np.sqrt(u[:, 0] @ rxx @ u[:, 0]), vt[0] / np.sqrt(vt[0] @ ryy @ vt[0])
    res = pls.fit(poldem, TWO_BLOCKS.format(op="=~"), tol=1e-12)
    w = res.outer["weight"].to_numpy()
    assert np.allclose(np.abs(w), np.abs(np.concatenate([wx, wy])), atol=1e-8)
    assert abs(abs(res.estimates.query("op == '~'")["est"].iloc[0]) - abs(wx @ rxy @ wy)) < 1e-8
    # loadings are the correlations of the items with the scores
    items = poldem[res.outer["item"]]
    scores = res.scores[res.outer["construct"]].to_numpy()
    cors = [np.corrcoef(items.iloc[:, i], scores[:, i])[0, 1] for i in range(items.shape[1])]
    assert np.allclose(res.outer["loading"], cors, atol=1e-10)


def test_assessment_formulas(poldem):
    model = ("ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8\n"
             "dem60 ~ ind60\ndem65 ~ ind60 + dem60")
    res = pls.fit(poldem, model)
    rel = res.reliability
    lam = res.outer.set_index("item")["loading"]
    l_ind = lam[["x1", "x2", "x3"]]
    assert rel.loc["ind60", "rho_c"] == pytest.approx(l_ind.sum() ** 2 / (l_ind.sum() ** 2 + (1 - l_ind ** 2).sum()))
    assert rel.loc["ind60", "ave"] == pytest.approx((l_ind ** 2).mean())
    # scores: standardised, and the path is the OLS slope of the standardised scores
    s = res.scores
    assert np.allclose(s.mean(), 0, atol=1e-12) and np.allclose(s.std(ddof=0), 1)
    beta = np.linalg.lstsq(s[["ind60", "dem60"]], s["dem65"], rcond=None)[0]
    got = res.estimates.query("lhs == 'dem65' and op == '~'").set_index("rhs")["est"]
    assert np.allclose(got[["ind60", "dem60"]], beta, atol=1e-12)
    # f²: R² with and without the predictor
    r2_out = np.corrcoef(s["dem65"], s["dem60"])[0, 1] ** 2
    f2 = res.f2.set_index(["lhs", "rhs"]).loc[("dem65", "ind60"), "f2"]
    assert f2 == pytest.approx((res.r2.loc["dem65", "r2"] - r2_out) / (1 - res.r2.loc["dem65", "r2"]))
    # HTMT by its definition (Henseler et al. 2015)
    r = poldem[["x1", "x2", "x3", "y1", "y2", "y3", "y4"]].corr().to_numpy()
    mono_x = r[:3, :3][np.triu_indices(3, 1)].mean()
    mono_y = r[3:, 3:][np.triu_indices(4, 1)].mean()
    assert res.htmt.loc["ind60", "dem60"] == pytest.approx(r[:3, 3:].mean() / np.sqrt(mono_x * mono_y))
    # indicator VIF from the block's correlation matrix
    vif = np.diag(np.linalg.inv(r[:3, :3]))
    assert np.allclose(res.outer.set_index("item").loc[["x1", "x2", "x3"], "vif"], vif)


def test_bca_intervals(poldem):
    res = pls.fit(poldem, TWO_BLOCKS.format(op="=~"), bootstrap=100, seed=3, boot_ci="bca")
    row = res.estimates.query("op == '~'").iloc[0]
    assert row["ci_lower"] < row["est"] < row["ci_upper"]


@pytest.mark.parametrize("kwargs,message", [
    ({"scheme": "mode"}, "'scheme'"),
    ({"missing": "drop"}, "'missing'"),
    ({"modes": {"nope": "A"}}, "'nope'"),
    ({"bootstrap": -1}, "'bootstrap'"),
])
def test_bad_options(poldem, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pls.fit(poldem, TWO_BLOCKS.format(op="=~"), **kwargs)


@pytest.mark.parametrize("model,message", [
    ("a =~ x1 + x2\nb =~ zz\nb ~ a", "'zz'"),
    ("a =~ x1 + x2\nb =~ y1\nc =~ y2\nb ~ a", "'c'"),
    ("a =~ x1 + x2\nb =~ y1\nb ~ a\na ~ b", "feedback"),
    ("a =~ x1 + x2\nb =~ x2\nb ~ a", "two blocks"),
    ("a =~ x1 + x2\nb =~ y1\nb ~ c", "'c'"),
    ("a =~ x1 + x2\nb =~ y1", "no inner path"),
])
def test_bad_models(poldem, model, message):
    with pytest.raises(ValueError, match=message):
        pls.fit(poldem, model)


def _population_data(n=400, seed=0):
    """Data whose (population-divisor) covariance is exactly a reflective model's."""
    lam = {"xi": [0.8, 0.7, 0.6], "eta1": [0.7, 0.8, 0.75, 0.65], "eta2": [0.9, 0.6, 0.7]}
    phi = np.array([[1, 0.5, 0.5], [0.5, 1, 0.55], [0.5, 0.55, 1]])   # eta1 = .5 xi; eta2 = .3 xi + .4 eta1
    big = np.zeros((10, 3))
    names, row = [], 0
    for j, (c, ls) in enumerate(lam.items()):
        for k, v in enumerate(ls):
            big[row, j] = v
            names.append(f"{c}_{k + 1}")
            row += 1
    sigma = big @ phi @ big.T
    np.fill_diagonal(sigma, 1.0)
    z = np.random.default_rng(seed).standard_normal((n, 10))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, ddof=0))).T
    x = z @ np.linalg.cholesky(sigma).T
    model = ("xi =~ xi_1 + xi_2 + xi_3\neta1 =~ eta1_1 + eta1_2 + eta1_3 + eta1_4\n"
             "eta2 =~ eta2_1 + eta2_2 + eta2_3\neta1 ~ xi\neta2 ~ xi + eta1")
    return pd.DataFrame(x, columns=names), model, np.concatenate(list(lam.values()))


@pytest.mark.parametrize("scheme", ["path", "centroid", "factorial"])
def test_plsc_recovers_population_model(scheme):
    # PLSc is consistent: on data with exactly the model's covariance it returns the model
    data, model, loadings = _population_data()
    res = pls.fit(data, model, scheme=scheme, consistent=True, tol=1e-12)
    assert res.consistent and res.converged
    est = res.estimates.set_index(["lhs", "op", "rhs"])["est"]
    assert est[("eta1", "~", "xi")] == pytest.approx(0.5, abs=1e-8)
    assert est[("eta2", "~", "xi")] == pytest.approx(0.3, abs=1e-8)
    assert est[("eta2", "~", "eta1")] == pytest.approx(0.4, abs=1e-8)
    assert np.allclose(res.estimates.query("op == '=~'")["est"], loadings, atol=1e-8)
    # plain PLS is attenuated on the same data
    plain = pls.fit(data, model, scheme=scheme).estimates.set_index(["lhs", "op", "rhs"])["est"]
    assert plain[("eta1", "~", "xi")] < 0.5 - 0.05


def test_satisfaction_bootstrap_magnitude():
    # plspm's bootstrap is seed-dependent (and ~100 resamples: its SEs carry ~7% noise), so
    # only the magnitude is checked: each SE ratio within [0.75, 1.33], their mean within 10%.
    data = pd.read_csv(_external("plspm_satisfaction/satisfaction.csv"), index_col=0)
    res = pls.fit(data, SAT["model_syntax"], scheme="centroid", scaled=False, bootstrap=500, seed=7)
    paths = res.estimates.query("op == '~'")
    ratios = np.array([se / SAT["boot_paths_std_error"][f"{rhs} -> {lhs}"]
                       for lhs, rhs, se in zip(paths["lhs"], paths["rhs"], paths["se"])])
    assert len(ratios) == 10
    assert np.all((ratios > 0.75) & (ratios < 1.33)), ratios
    assert abs(ratios.mean() - 1) < 0.10
