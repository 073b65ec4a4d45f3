"""Polychoric correlations against lavaan 0.6-14 (bfi_cfa_ordinal.json: ``lavInspect(fit, "sampstat")``).

Measured on the 25 bfi items (N = 2436): thresholds max abs difference 6e-15, polychoric
correlations 3.8e-8 (lavaan stops its nlminb at that precision; ours iterates Newton to a
step < 1e-12). The asymptotic covariance (``nacov``) has no direct reference; it is checked
here against the closed form of the threshold block and, through the WLSMV standard errors,
test statistics and robust indices, in ``test_sem_wlsmv.py``. Time: ~0.7 s for all 300 pairs
with ``nacov``.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from conftest import DATA, load_reference
from cxlab.factor import efa_from_corr
from cxlab.polychoric import PolychoricResult, bvn_cdf, polychoric_corr



@pytest.fixture(scope="module")
def ref():
    return load_reference("bfi_cfa_ordinal")


@pytest.fixture(scope="module")
def items(ref):
    return pd.read_csv(DATA / "bfi.csv")[ref["data"]["items"]].dropna()


@pytest.fixture(scope="module")
def pc(items):
    return polychoric_corr(items)


def test_sample_size_and_names(pc, ref):
    assert isinstance(pc, PolychoricResult)
    assert pc.n == ref["data"]["n"] == 2436
    assert list(pc.corr.index) == ref["polychoric_correlations"]["rownames"]
    assert list(pc.thresholds.index) == list(ref["thresholds"])
    assert pc.converged


def test_thresholds_match_lavaan(pc, ref):
    th = pd.Series(ref["thresholds"])
    np.testing.assert_allclose(pc.thresholds.to_numpy(), th.to_numpy(), rtol=0, atol=1e-12)


def test_polychoric_correlations_match_lavaan(pc, ref):
    R = np.array(ref["polychoric_correlations"]["values"], dtype=float)
    np.testing.assert_allclose(pc.corr.to_numpy(), R, rtol=0, atol=1e-6)


def test_nacov_labels_and_symmetry(pc):
    G = pc.nacov
    assert G.shape == (125 + 300, 125 + 300)
    assert list(G.index[:2]) == ["A1|t1", "A1|t2"] and G.index[125] == "A2~~A1" and G.index[126] == "A3~~A1"
    np.testing.assert_allclose(G.to_numpy(), G.to_numpy().T, atol=1e-12)
    assert np.linalg.eigvalsh(G.to_numpy()).min() > 0
    np.testing.assert_allclose(pc.acov.to_numpy(), G.to_numpy() / pc.n)


def test_nacov_threshold_block_is_the_multinomial_delta_method(pc, items):
    # N cov(tau_k, tau_l) = F_k (1 - F_l) / (phi(tau_k) phi(tau_l)), k <= l
    x = items["C3"]
    F = np.cumsum(x.value_counts(normalize=True).sort_index().to_numpy())[:-1]
    tau = stats.norm.ppf(F)
    lo = np.minimum.outer(F, F)
    hi = np.maximum.outer(F, F)
    expected = lo * (1 - hi) / np.outer(stats.norm.pdf(tau), stats.norm.pdf(tau))
    names = [f"C3|t{k}" for k in range(1, 6)]
    np.testing.assert_allclose(pc.nacov.loc[names, names].to_numpy(), expected, rtol=1e-10)
    # thresholds of different items are correlated too (not block diagonal)
    assert abs(pc.nacov.loc["C3|t1", "C4|t1"]) > 1e-3


@pytest.mark.parametrize("rho", [-0.999, -0.95, -0.8, -0.5, -0.2, 0.0, 0.1, 0.4, 0.7, 0.9, 0.93, 0.99])
def test_bvn_cdf_against_quadrature(rho):
    h = np.array([-2.5, -1.0, -0.3, 0.0, 0.4, 1.2, 2.2])
    k = np.array([0.5, -1.7, 1.1, 0.0, -0.2, 2.0, 1.5])
    got = bvn_cdf(h, k, rho)
    s = np.sqrt(1 - rho * rho)
    want = [integrate.quad(lambda x: stats.norm.pdf(x) * stats.norm.cdf((kk - rho * x) / s), -np.inf, hh,
                           epsabs=1e-14, epsrel=1e-13)[0] for hh, kk in zip(h, k)]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_bvn_cdf_limits():
    assert float(bvn_cdf(0.3, -0.4, 1.0)) == pytest.approx(stats.norm.cdf(-0.4), abs=1e-15)
    assert float(bvn_cdf(0.3, -0.4, -1.0)) == pytest.approx(0.0, abs=1e-15)
    assert float(bvn_cdf(0.3, 0.5, -1.0)) == pytest.approx(stats.norm.cdf(0.3) - stats.norm.cdf(-0.5), abs=1e-15)
    with pytest.raises(ValueError, match="'rho' parameter of bvn_cdf must be a correlation in \\[-1, 1\\]. Got 1.5"):
        bvn_cdf(0.0, 0.0, 1.5)


def test_efa_on_polychoric_correlations(items):
    res = efa_from_corr(polychoric_corr(items, acov=False).corr, 5, n_obs=len(items))
    assert res.loadings.shape == (25, 5)
    # every item loads at least 0.3 on some factor; the five bfi scales separate
    top = res.loadings.abs().idxmax(axis=1)
    assert res.loadings.abs().max(axis=1).min() > 0.3
    assert {top[[f"{s}{i}" for i in range(1, 6)]].mode()[0] for s in "ACENO"} == set(res.loadings.columns)


def test_two_by_two_tables():
    # one empty cell: lavaan adds 0.5 keeping the margins; two empty cells: +-1
    a = pd.DataFrame({"x": [0] * 30 + [1] * 20, "y": [0] * 30 + [0] * 5 + [1] * 15})
    r = polychoric_corr(a).corr.loc["x", "y"]
    assert 0.9 < r < 1
    b = pd.DataFrame({"x": [0] * 30 + [1] * 20, "y": [0] * 30 + [1] * 20})
    assert polychoric_corr(b, acov=False).corr.loc["x", "y"] == 1.0
    assert polychoric_corr(b.assign(y=1 - b["y"]), acov=False).corr.loc["x", "y"] == -1.0


def test_a_determined_table_stops_at_lavaans_bound():
    # y's categories are unions of x's (the corp_rep switch/qual pairs): the likelihood rises up to
    # rho = 1; lavaan's nlminb stops at its bound 0.999 (matched on corp_rep within 1e-7 in
    # test_sem_wlsmv_corp_rep.py), and the weights stay finite
    x = np.repeat([1, 2, 3, 4, 5, 6, 7], [6, 18, 42, 57, 79, 75, 59])
    d = pd.DataFrame({"x": x, "y": np.minimum(np.maximum(x - 1, 1), 5)})
    res = polychoric_corr(d)
    assert res.converged and res.corr.loc["y", "x"] == 0.999
    assert polychoric_corr(d.assign(y=-d["y"]), acov=False).corr.loc["y", "x"] == -0.999
    assert 0 < res.nacov.loc["y~~x", "y~~x"] and np.isfinite(res.nacov.to_numpy()).all()


def test_listwise_and_category_coding():
    rng = np.random.default_rng(0)
    z = rng.multivariate_normal([0, 0], [[1, -0.5], [-0.5, 1]], size=3000)
    d = pd.DataFrame({"a": np.digitize(z[:, 0], [-0.5, 0.8]) * 10.0, "b": np.digitize(z[:, 1], [0.0])})
    d.loc[[3, 7], "a"] = np.nan
    res = polychoric_corr(d)
    assert res.n == 2998
    assert res.categories == {"a": (0.0, 10.0, 20.0), "b": (0, 1)}
    assert res.corr.loc["a", "b"] == pytest.approx(-0.5, abs=0.05)
    assert res.thresholds.to_numpy() == pytest.approx([-0.5, 0.8, 0.0], abs=0.06)


@pytest.mark.parametrize("data,kwargs,exc,match", [
    (np.zeros((5, 2)), {}, TypeError, "'data' parameter of polychoric_corr must be a pandas DataFrame. Got ndarray"),
    (pd.DataFrame({"a": [1, 2, 1]}), {}, ValueError, "must have at least 2 columns. Got 1"),
    (pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), {}, ValueError, r"numeric \(ordinal\) columns only. Got non-numeric columns \['b'\]"),
    (pd.DataFrame({"a": [1, 2, 1], "b": [3, 3, 3]}), {}, ValueError, "at least 2 observed categories in every column. Got 1 in column 'b'"),
    (pd.DataFrame({"a": [1, np.nan], "b": [1, 2]}), {}, ValueError, "at least 2 complete rows. Got 1"),
    (pd.DataFrame({"a": [1, 2], "b": [1, 2]}), {"acov": "yes"}, ValueError, "'acov' parameter of polychoric_corr must be a bool. Got 'yes'"),
])
def test_bad_input(data, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        polychoric_corr(data, **kwargs)
