"""Tests for cxlab.measures: headline metrics, their uncertainty and change tests."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from cxlab.measures import (
    CSATResult,
    NPSResult,
    ces,
    compare,
    compare_to_baseline,
    csat,
    holm,
    intention_to_stay,
    nps,
    summarise,
    temkin_xi,
)

Z95 = 1.959963984540054
# A realistic likelihood-to-recommend distribution over 0..10:
# detractors 28 %, passives 32 %, promoters 40 % -> true NPS = 12.
LTR_PROBS = np.array([0.03, 0.01, 0.02, 0.03, 0.03, 0.08, 0.08, 0.15, 0.17, 0.18, 0.22])
TRUE_NPS = 100 * (LTR_PROBS[9:].sum() - LTR_PROBS[:7].sum())


# --------------------------------------------------------------------------- NPS
def test_nps_textbook_formula_hand_example():
    # 50 promoters, 30 passives, 20 detractors out of n = 100
    scores = [10] * 30 + [9] * 20 + [8] * 20 + [7] * 10 + [6] * 10 + [2] * 10
    r = nps(scores)
    assert isinstance(r, NPSResult)
    p, d, n = 0.5, 0.2, 100
    se = 100 * math.sqrt((p + d - (p - d) ** 2) / n)  # = 100 * sqrt(0.61 / 100) = 7.8102
    assert r.value == pytest.approx(30.0, abs=1e-12)
    assert r.se == pytest.approx(se, abs=1e-12)
    assert r.se == pytest.approx(7.810249675906654, abs=1e-12)
    assert r.ci_lower == pytest.approx(30 - Z95 * se, abs=1e-9)
    assert r.ci_upper == pytest.approx(30 + Z95 * se, abs=1e-9)
    assert (r.promoters, r.passives, r.detractors) == pytest.approx((0.5, 0.3, 0.2))
    assert (r.n, r.n_eff, r.n_missing) == (100, 100.0, 0)


def test_nps_wald_coverage_simulation():
    """Coverage of the 95 % Wald CI over 2,000 samples of n = 400 must lie in 93-97 %.

    Also reports (and bounds) the score interval on the same samples.
    """
    rng = np.random.default_rng(20240607)
    hits_wald = hits_score = 0
    for _ in range(2000):
        sample = rng.choice(11, size=400, p=LTR_PROBS)
        r = nps(sample)
        hits_wald += r.ci_lower <= TRUE_NPS <= r.ci_upper
        s = nps(sample, method="score")
        hits_score += s.ci_lower <= TRUE_NPS <= s.ci_upper
    coverage_wald = hits_wald / 2000
    coverage_score = hits_score / 2000
    assert 0.93 <= coverage_wald <= 0.97, coverage_wald
    assert 0.93 <= coverage_score <= 0.97, coverage_score


def test_nps_weighted_hand_computed():
    # scores  10   9   7   3   0        weights 1 2 1 1 3   (sum w = 8, sum w² = 16)
    # promoter weight 1 + 2 = 3 -> p = 3/8 ; detractor weight 1 + 3 = 4 -> d = 4/8
    # NPS = 100 (3/8 - 4/8) = -12.5
    # z_i = 100, 100, 0, -100, -100 ; z_i - NPS = 112.5, 112.5, 12.5, -87.5, -87.5
    # sum w² (z - NPS)² = 1*12656.25 + 4*12656.25 + 1*156.25 + 1*7656.25 + 9*7656.25
    #                   = 140000 ; se = sqrt(140000) / 8 = 46.770717...
    # Kish n_eff = 8² / 16 = 4
    r = nps([10, 9, 7, 3, 0], weights=[1, 2, 1, 1, 3])
    assert r.value == pytest.approx(-12.5, abs=1e-12)
    assert r.se == pytest.approx(math.sqrt(140000) / 8, abs=1e-12)
    assert r.n_eff == pytest.approx(4.0)
    assert r.n == 5
    assert (r.promoters, r.passives, r.detractors) == pytest.approx((3 / 8, 1 / 8, 4 / 8))
    # Wald: -12.5 -/+ 1.96 * 46.77 = (-104.2, 79.2); the lower end is clipped to -100
    assert r.ci_upper == pytest.approx(-12.5 + Z95 * math.sqrt(140000) / 8)
    assert r.ci_lower == -100.0


def test_nps_equal_weights_reproduce_unweighted():
    rng = np.random.default_rng(1)
    s = rng.choice(11, size=300, p=LTR_PROBS)
    a, b = nps(s), nps(s, weights=np.full(300, 2.5))
    assert a.value == pytest.approx(b.value, abs=1e-12)
    assert a.se == pytest.approx(b.se, abs=1e-12)
    assert b.n_eff == pytest.approx(300)


def _tango_restricted_numeric(b, c, n, delta):
    """Restricted MLE of the detractor share by direct numerical maximisation."""
    lo = max(0.0, -delta) + 1e-12
    hi = (1 - delta) / 2 - 1e-12

    def negll(d):
        p = d + delta
        q = 1 - p - d
        return -(b * math.log(p) + c * math.log(d) + (n - b - c) * math.log(q))

    return optimize.minimize_scalar(negll, bounds=(lo, hi), method="bounded",
                                    options={"xatol": 1e-12}).x


def test_nps_score_interval_inverts_the_score_test():
    # 18 promoters, 7 passives, 5 detractors (n = 30)
    scores = [10] * 18 + [8] * 7 + [3] * 5
    r = nps(scores, method="score")
    b, c, n = 18, 5, 30
    for bound in (r.ci_lower / 100, r.ci_upper / 100):
        d_tilde = _tango_restricted_numeric(b, c, n, bound)
        p_tilde = d_tilde + bound
        z = (b / n - c / n - bound) / math.sqrt((p_tilde + d_tilde - bound**2) / n)
        assert abs(z) == pytest.approx(Z95, abs=1e-5)
    assert r.ci_lower < r.value < r.ci_upper


def test_nps_score_interval_extremes_stay_in_range():
    r = nps([10] * 12, method="score")
    assert r.value == 100 and r.ci_upper == 100
    assert 0 < r.ci_lower < 100
    w = nps([10] * 12)  # Wald collapses to a point here; the score interval does not
    assert w.ci_lower == w.ci_upper == 100


def test_nps_adjusted_wald():
    # Rocks (2016): add 3/4 to promoters and detractors, n + 3
    scores = [10] * 18 + [8] * 7 + [3] * 5
    r = nps(scores, method="adjusted_wald")
    pa, da, na = 18.75 / 33, 5.75 / 33, 33
    centre = 100 * (pa - da)
    se = 100 * math.sqrt((pa + da - (pa - da) ** 2) / na)
    assert r.ci_lower == pytest.approx(centre - Z95 * se)
    assert r.ci_upper == pytest.approx(centre + Z95 * se)


def test_nps_bootstrap_seeded():
    rng = np.random.default_rng(4)
    s = rng.choice(11, size=200, p=LTR_PROBS)
    a = nps(s, method="bootstrap", seed=9)
    b = nps(s, method="bootstrap", seed=9)
    c = nps(s, method="bootstrap", seed=10)
    assert (a.ci_lower, a.ci_upper) == (b.ci_lower, b.ci_upper)
    assert (a.ci_lower, a.ci_upper) != (c.ci_lower, c.ci_upper)
    w = nps(s)
    # percentile interval close to the Wald one at n = 200
    assert abs(a.ci_lower - w.ci_lower) < 3 and abs(a.ci_upper - w.ci_upper) < 3


def test_nps_missing_dropped_and_invalid_rejected():
    r = nps(pd.Series([10, None, 9, np.nan, 3]))
    assert (r.n, r.n_missing) == (3, 2)
    with pytest.raises(ValueError) as err:
        nps([10, 11, 9, 2.5, 3, -1, 7, 12, 13, 14, 15])
    msg = str(err.value)
    assert msg.startswith("The 'scores' parameter of nps must hold whole numbers from 0 to 10")
    assert "Got 7 invalid value(s), first at positions [1, 3, 5, 7, 8]: 11, 2.5, -1, 12, 13." \
        in msg
    with pytest.raises(ValueError, match=r"must hold numbers\. Got 'ten' at position 1"):
        nps([10, "ten"])
    with pytest.raises(ValueError, match=r"The 'method' parameter of nps must be one of 'wald', "
                                         r"'adjusted_wald', 'score', 'bootstrap'\. Got 'wilson'"):
        nps([10, 9], method="wilson")
    with pytest.raises(ValueError, match=r"Got 2 weights for 3 values"):
        nps([10, 9, 8], weights=[1, 2])
    with pytest.raises(ValueError, match=r"finite non-negative numbers\. Got 1 invalid weight"):
        nps([10, 9, 8], weights=[1, -2, 1])
    with pytest.raises(ValueError, match=r"holds no valid answers"):
        nps([np.nan, np.nan])


# ------------------------------------------------------------------- change test
def test_change_test_hand_example():
    a = nps([10] * 40 + [8] * 30 + [3] * 30)  # NPS 10
    b = nps([10] * 50 + [8] * 30 + [3] * 20)  # NPS 30
    r = compare(a, b)
    se = math.sqrt(100**2 * (0.7 - 0.01) / 100 + 100**2 * (0.7 - 0.09) / 100)
    assert r.diff == pytest.approx(20)
    assert r.se == pytest.approx(se)
    assert r.z == pytest.approx(20 / se)
    assert r.pvalue == pytest.approx(2 * stats.norm.sf(20 / se))


def test_change_test_false_positive_rate():
    """No-change data: 2,000 pairs of independent samples (n = 400 each) from the
    same distribution. The share with p < 0.05 must lie in the central 99 % range
    of Binomial(2000, 0.05), i.e. 76..126 rejections (3.80 %-6.30 %)."""
    rng = np.random.default_rng(77)
    n_pairs = 2000
    lo, hi = stats.binom.ppf([0.005, 0.995], n_pairs, 0.05)
    assert (lo, hi) == (76, 126)
    rejections = 0
    for _ in range(n_pairs):
        a = nps(rng.choice(11, size=400, p=LTR_PROBS))
        b = nps(rng.choice(11, size=400, p=LTR_PROBS))
        rejections += compare(a, b).pvalue < 0.05
    assert lo <= rejections <= hi, rejections / n_pairs


def test_holm_matches_statsmodels():
    p = np.array([0.001, 0.04, 0.03, 0.2, 0.012])
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(holm(p), expected, atol=1e-15)
    s = holm(pd.Series(p, index=list("abcde")))
    assert list(s.index) == list("abcde")
    with pytest.raises(ValueError, match="The 'pvalues' parameter of holm"):
        holm([0.5, 1.5])


def test_compare_to_baseline():
    res = {"w1": nps([10] * 40 + [3] * 60), "w2": nps([10] * 45 + [3] * 55),
           "w3": nps([10] * 60 + [3] * 40)}
    t = compare_to_baseline(res, baseline="w1")
    assert list(t.index) == ["w2", "w3"]
    assert list(t.columns) == ["value", "diff", "se", "z", "pvalue", "pvalue_holm",
                               "ci_lower", "ci_upper"]
    np.testing.assert_allclose(t["pvalue_holm"], multipletests(t["pvalue"], method="holm")[1])
    with pytest.raises(ValueError, match=r"The 'baseline' parameter of compare_to_baseline must "
                                         r"be one of \['w1', 'w2', 'w3'\]\. Got 'w0' instead\."):
        compare_to_baseline(res, baseline="w0")
    with pytest.raises(ValueError, match="must be the same metric"):
        compare(res["w1"], csat([5, 4, 3]))


# -------------------------------------------------------------------------- CSAT
def test_csat_wilson_matches_statsmodels():
    rng = np.random.default_rng(8)
    s = rng.choice([1, 2, 3, 4, 5], size=137, p=[0.05, 0.1, 0.2, 0.4, 0.25])
    r = csat(s, scale=(1, 5), top=2)
    assert isinstance(r, CSATResult)
    k = int((s >= 4).sum())
    lo, hi = proportion_confint(k, s.size, alpha=0.05, method="wilson")
    assert r.value == pytest.approx(100 * k / s.size)
    assert r.ci_lower == pytest.approx(100 * lo, abs=1e-10)
    assert r.ci_upper == pytest.approx(100 * hi, abs=1e-10)
    # mean and t interval against scipy
    tlo, thi = stats.t.interval(0.95, s.size - 1, loc=s.mean(), scale=stats.sem(s))
    assert r.mean == pytest.approx(s.mean())
    assert r.mean_ci_lower == pytest.approx(tlo) and r.mean_ci_upper == pytest.approx(thi)


def test_csat_wilson_textbook_value():
    # 7 of 10 satisfied: Wilson 95 % interval (0.3968, 0.8922) (Wilson 1927 formula;
    # the same value as statsmodels' proportion_confint(7, 10, method="wilson")).
    r = csat([5, 4, 4, 3, 5, 2, 4, 5, 1, 4])
    assert round(r.ci_lower / 100, 4) == 0.3968
    assert round(r.ci_upper / 100, 4) == 0.8922


def test_csat_seven_point_and_validation():
    r = csat([7, 6, 5, 7, 1, 2], scale=(1, 7), top=2)
    assert r.value == pytest.approx(50.0)
    with pytest.raises(ValueError, match=r"whole numbers from 1 to 5"):
        csat([7, 6, 5], scale=(1, 5))
    with pytest.raises(ValueError, match=r"The 'scale' parameter of csat must be a \(low, high\)"):
        csat([1, 2], scale=(5, 1))
    with pytest.raises(ValueError, match=r"The 'top' parameter of csat must be an int from 1 to 4"):
        csat([1, 2], top=5)


def test_ces_and_intention_to_stay():
    r = ces([7, 6, 5, 5, 4, 2, 7, 6])
    assert r.value == pytest.approx(5.25)
    assert r.share == pytest.approx(75.0)
    lo, hi = proportion_confint(6, 8, method="wilson")
    assert (r.share_ci_lower, r.share_ci_upper) == pytest.approx((100 * lo, 100 * hi))
    i = intention_to_stay([5, 4, 3, 5, 2, None])
    assert (i.value, i.n, i.n_missing) == (60.0, 5, 1)
    lo, hi = proportion_confint(3, 5, method="wilson")
    assert (i.ci_lower, i.ci_upper) == pytest.approx((100 * lo, 100 * hi))


# ------------------------------------------------------------------------ Temkin
def test_temkin_hand_example():
    useful = [7, 6, 5, 2, 7, 3]
    easy = [7, 7, 3, 4, 6, 1]
    enjoy = [6, 5, 4, 1, 7, 2]
    r = temkin_xi(useful, easy, enjoy)
    # useful: positive 3 (7, 6, 7), negative 2 (2, 3) -> 100 (3 - 2) / 6 = 16.667
    # easy:   positive 3 (7, 7, 6), negative 2 (3, 1) -> 16.667
    # enjoy:  positive 2 (6, 7),    negative 2 (1, 2) -> 0
    q = r.questions
    assert q.loc["useful", "value"] == pytest.approx(100 / 6)
    assert q.loc["easy", "value"] == pytest.approx(100 / 6)
    assert q.loc["enjoyable", "value"] == pytest.approx(0.0)
    assert r.value == pytest.approx((100 / 6 + 100 / 6 + 0) / 3)
    # per-question SE = trinomial formula
    p, d = 3 / 6, 2 / 6
    assert q.loc["useful", "se"] == pytest.approx(100 * math.sqrt((p + d - (p - d) ** 2) / 6))
    # index SE: delta method via the covariance matrix of the three net scores.
    # Per respondent z_k in {-1, 0, 1}; Cov(net_k, net_l) = Cov(z_k, z_l) / n (plug-in).
    z = np.array([[1 if v >= 6 else -1 if v <= 3 else 0 for v in col]
                  for col in (useful, easy, enjoy)], dtype=float)
    cov = np.cov(z, bias=True) / 6
    grad = np.full(3, 1 / 3)
    assert r.se == pytest.approx(100 * math.sqrt(grad @ cov @ grad), abs=1e-12)
    assert r.ci_lower == pytest.approx(r.value - Z95 * r.se)


def test_temkin_missing_and_bootstrap():
    rng = np.random.default_rng(3)
    base = rng.integers(1, 8, size=300)
    items = [np.clip(base + rng.integers(-1, 2, size=300), 1, 7).astype(float)
             for _ in range(3)]
    items[1][[0, 5]] = np.nan
    r = temkin_xi(*items)
    assert (r.n, r.n_missing) == (298, 2)
    assert r.questions.loc["easy", "n"] == 298 and r.questions.loc["useful", "n"] == 300
    b1 = temkin_xi(*items, method="bootstrap", seed=1)
    b2 = temkin_xi(*items, method="bootstrap", seed=1)
    assert (b1.ci_lower, b1.ci_upper) == (b2.ci_lower, b2.ci_upper)
    assert abs(b1.ci_lower - r.ci_lower) < 2.5 and abs(b1.ci_upper - r.ci_upper) < 2.5
    with pytest.raises(ValueError, match=r"The 'easy' parameter of temkin_xi must hold whole "
                                         r"numbers from 1 to 7"):
        temkin_xi([1, 2], [8, 2], [1, 1])


# ---------------------------------------------------------------------- summarise
def test_summarise_groups_and_suppression():
    rng = np.random.default_rng(5)
    n = 120
    df = pd.DataFrame({
        "ltr": rng.choice(11, size=n, p=LTR_PROBS),
        "sat": rng.integers(1, 6, size=n),
        "u": rng.integers(1, 8, size=n), "e": rng.integers(1, 8, size=n),
        "j": rng.integers(1, 8, size=n),
        "channel": ["phone"] * 100 + ["chat"] * 12 + ["app"] * 8,
    })
    t = summarise(df, metrics={"nps": "ltr", "csat": "sat", "csat_mean": "sat",
                               "temkin_xi": ("u", "e", "j")}, group="channel", min_n=10)
    assert list(t.columns) == ["metric", "group", "value", "se", "ci_lower", "ci_upper", "n",
                               "suppressed"]
    assert len(t) == 4 * 4
    app = t[t["group"] == "app"]
    assert app["suppressed"].all() and app["value"].isna().all() and (app["n"] == 8).all()
    phone = t[(t["group"] == "phone") & (t["metric"] == "nps")].iloc[0]
    direct = nps(df.loc[df.channel == "phone", "ltr"])
    assert phone["value"] == pytest.approx(direct.value) and not phone["suppressed"]
    total = t[(t["group"] == "all") & (t["metric"] == "csat_mean")].iloc[0]
    assert total["value"] == pytest.approx(df["sat"].mean())
    with pytest.raises(ValueError, match=r"The 'metrics' parameter of summarise must use metric "
                                         r"names from"):
        summarise(df, metrics={"nsp": "ltr"})


def test_summarise_weighted_and_options():
    df = pd.DataFrame({"sat": [7, 6, 5, 7, 1, 2] * 3, "w": [1, 2, 1, 1, 3, 1] * 3})
    t = summarise(df, metrics={"csat": {"column": "sat", "scale": (1, 7)}}, weights="w",
                  min_n=5)
    assert t.loc[0, "value"] == pytest.approx(100 * 4 / 9)
