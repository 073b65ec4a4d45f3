"""SERVQUAL gap scores against the paired t-interval formula, computed independently."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab.servqual import gap_scores


@pytest.fixture()
def sample():
    rng = np.random.default_rng(1)
    n = 60
    df = pd.DataFrame({f"{k}_{s}": rng.integers(1, 8, n).astype(float)
                       for k in ("e", "p") for s in ("a1", "a2", "b1")})
    df.loc[3, "p_a1"] = np.nan
    return df


def test_item_gap_matches_paired_t_interval(sample):
    res = gap_scores(sample, {"A": ["a1", "a2"], "B": ["b1"]}, level="item", ci=0.9)
    d = (sample["p_a1"] - sample["e_a1"]).dropna()
    # scipy's t interval of the mean difference, an independent route to the same number
    lo, hi = stats.t.interval(0.9, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    row = res.loc["a1"]
    assert row["n"] == 59
    assert row["gap"] == pytest.approx(d.mean(), abs=1e-12)
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lo, hi), abs=1e-12)


def test_dimension_gap_uses_respondent_means(sample):
    res = gap_scores(sample, {"A": ["a1", "a2"]})
    e = sample[["e_a1", "e_a2"]].mean(axis=1)
    p = sample[["p_a1", "p_a2"]].mean(axis=1)  # respondent 3 keeps p_a2 (half answered)
    assert res.loc["A", "gap"] == pytest.approx((p - e).mean(), abs=1e-12)
    assert res.loc["A", "n"] == 60


def test_bad_level_is_named(sample):
    with pytest.raises(ValueError, match="The 'level' parameter of gap_scores must be one of"):
        gap_scores(sample, {"A": ["a1"]}, level="scale")


# --------------------------------------------------------------------------- instrument

import yaml  # noqa: E402

from conftest import DEMO  # noqa: E402
from cxlab import servqual  # noqa: E402


def test_instrument_has_22_items_in_five_dimensions():
    items = servqual.instrument(company="Acme")
    assert len(items) == 22 and list(items["number"]) == list(range(1, 23))
    assert items.groupby("dimension", sort=False).size().to_dict() == servqual.DIMENSIONS
    assert items["perception"].str.contains("Acme").all()
    assert items["expectation"].str.contains("excellent compan", case=False).all()
    assert not items["perception"].str.contains("XYZ").any()


def test_codebook_fragment_is_the_demo_studys_section():
    # an independent source: the hand-written codebook of the bundled demo study
    demo = yaml.safe_load((DEMO / "study.yaml").read_text())["codebook"]["servqual"]
    assert servqual.codebook_fragment() == demo
    assert yaml.safe_load(servqual.codebook_yaml())["servqual"] == demo
    assert "XYZ performs the service right the first time." in servqual.codebook_yaml()


def test_codebook_yaml_loads_as_a_study(tmp_path):
    import cxlab

    study = yaml.safe_load((DEMO / "study.yaml").read_text())
    study["codebook"]["servqual"] = yaml.safe_load(servqual.codebook_yaml(scale_range=(1, 7)))["servqual"]
    study["data"] = {"survey": str(DEMO / "survey.csv")}
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(study))
    loaded = cxlab.load_study(tmp_path / "study.yaml", check_data=False)
    assert loaded.codebook.servqual_items("p")["empathy"] == [f"p_emp{i}" for i in range(1, 6)]


def test_fragment_errors():
    with pytest.raises(ValueError, match="The 'scale_range' parameter of codebook_fragment"):
        servqual.codebook_fragment(scale_range=(7, 1))
    with pytest.raises(ValueError, match="The 'perception_prefix' parameter of codebook_fragment"):
        servqual.codebook_fragment(perception_prefix="")


# --------------------------------------------------------------------------- weighted, SERVPERF
DIMS = {"A": ["a1", "a2"], "B": ["b1"]}


def test_weighted_gaps_fixed_weights_by_hand(sample):
    res = servqual.weighted_gaps(sample, DIMS, weights={"A": 70, "B": 30}, ci=0.9)
    e_a = sample[["e_a1", "e_a2"]].mean(axis=1)
    p_a = sample[["p_a1", "p_a2"]].mean(axis=1)  # respondent 3 keeps p_a2 (half answered)
    g = pd.DataFrame({"A": p_a - e_a, "B": sample["p_b1"] - sample["e_b1"]})
    total = 0.7 * g["A"] + 0.3 * g["B"]
    lo, hi = stats.t.interval(0.9, len(total) - 1, loc=total.mean(), scale=stats.sem(total))
    assert res.loc["overall", "weighted_gap"] == pytest.approx(total.mean(), abs=1e-12)
    assert (res.loc["overall", "ci_lower"], res.loc["overall", "ci_upper"]) == pytest.approx((lo, hi), abs=1e-12)
    assert res.loc["A", "weighted_gap"] == pytest.approx(0.7 * g["A"].mean(), abs=1e-12)
    assert res.loc["overall", "gap"] == pytest.approx(g.mean(axis=1).mean(), abs=1e-12)
    assert res["weight"].drop("overall").tolist() == pytest.approx([0.7, 0.3])


def test_weighted_gaps_per_respondent_allocation(sample):
    rng = np.random.default_rng(5)
    pts = rng.integers(0, 101, len(sample))
    df = sample.assign(w_a=pts, w_b=100 - pts)
    df.loc[0, ["w_a", "w_b"]] = [3, 1]  # not summing to 100: rescaled to shares
    res = servqual.weighted_gaps(df, DIMS, weights={"A": "w_a", "B": "w_b"})
    by_hand = []
    for _, row in df.iterrows():
        ga = row[["p_a1", "p_a2"]].mean() - row[["e_a1", "e_a2"]].mean()
        gb = row["p_b1"] - row["e_b1"]
        wa = row["w_a"] / (row["w_a"] + row["w_b"])
        by_hand.append(wa * ga + (1 - wa) * gb)
    assert res.loc["overall", "weighted_gap"] == pytest.approx(np.mean(by_hand), abs=1e-12)
    assert res.loc["overall", "n"] == len(df)


def test_weighted_gaps_errors(sample):
    with pytest.raises(ValueError, match="The 'weights' parameter of weighted_gaps must give one weight per dimension"):
        servqual.weighted_gaps(sample, DIMS, weights={"A": 1})
    with pytest.raises(ValueError, match="must be non-negative"):
        servqual.weighted_gaps(sample, DIMS, weights={"A": -1, "B": 2})
    with pytest.raises(ValueError, match="names columns that are not in data"):
        servqual.weighted_gaps(sample, DIMS, weights={"A": "w_a", "B": "w_b"})


def test_servperf_scores_match_t_interval(sample):
    res = servqual.servperf_scores(sample, DIMS, ci=0.95)
    b = sample["p_b1"]
    lo, hi = stats.t.interval(0.95, len(b) - 1, loc=b.mean(), scale=stats.sem(b))
    assert res.loc["B", "perception"] == pytest.approx(b.mean(), abs=1e-12)
    assert (res.loc["B", "ci_lower"], res.loc["B", "ci_upper"]) == pytest.approx((lo, hi), abs=1e-12)
    overall = (sample[["p_a1", "p_a2"]].mean(axis=1) + b) / 2
    assert res.loc["overall", "perception"] == pytest.approx(overall.mean(), abs=1e-12)


# --------------------------------------------------------------------------- the criticism
@pytest.fixture(scope="module")
def servqual_data():
    """Correlated E and P items per dimension, and an outcome driven by the P scores only."""
    rng = np.random.default_rng(11)
    n = 400
    cols = {}
    p_lat = {}
    for d, k in (("a", 3), ("b", 4)):
        e = rng.normal(size=n)
        p = 0.5 * e + np.sqrt(0.75) * rng.normal(size=n)
        p_lat[d] = p
        for i in range(1, k + 1):
            cols[f"e_{d}{i}"] = np.round(4 + e + rng.normal(size=n))
            cols[f"p_{d}{i}"] = np.round(4 + p + rng.normal(size=n))
    df = pd.DataFrame(cols)
    p_a = df[["p_a1", "p_a2", "p_a3"]].mean(axis=1)
    p_b = df[["p_b1", "p_b2", "p_b3", "p_b4"]].mean(axis=1)
    # driven by the observed P scores: with latent P, E would help by proxy for P's measurement error
    df["sat"] = 0.6 * p_a + 0.3 * p_b + rng.normal(scale=0.7, size=n)
    df.loc[7, "e_a2"] = np.nan
    return df, {"A": ["a1", "a2", "a3"], "B": ["b1", "b2", "b3", "b4"]}


def test_gap_reliability_against_pingouin_and_hand_formula(servqual_data):
    import pingouin as pg

    df, dims = servqual_data
    res = servqual.gap_reliability(df, dims)
    for d, stems in dims.items():
        e = df[[f"e_{s}" for s in stems]]
        p = df[[f"p_{s}" for s in stems]]
        ok = e.notna().all(axis=1) & p.notna().all(axis=1)
        e, p = e[ok], p[ok]
        g = pd.DataFrame(p.to_numpy() - e.to_numpy())
        row = res.loc[d]
        assert row["n"] == ok.sum()
        # pingouin's cronbach_alpha: an independent implementation (matches psych ~1e-15)
        assert row["alpha_perception"] == pytest.approx(pg.cronbach_alpha(p)[0], abs=1e-10)
        assert row["alpha_expectation"] == pytest.approx(pg.cronbach_alpha(e)[0], abs=1e-10)
        assert row["alpha_gap"] == pytest.approx(pg.cronbach_alpha(g)[0], abs=1e-10)
        ps, es = p.mean(axis=1), e.mean(axis=1)
        r, sp, se = ps.corr(es), ps.std(), es.std()
        rp, re = row["alpha_perception"], row["alpha_expectation"]
        johns = (sp**2 * rp + se**2 * re - 2 * r * sp * se) / (sp**2 + se**2 - 2 * r * sp * se)
        assert row["reliability_difference"] == pytest.approx(johns, abs=1e-12)
    # with E and P correlated ~.4, difference scores are less reliable than perceptions
    assert (res["alpha_gap"] < res["alpha_perception"]).all()


def test_compare_models_against_statsmodels(servqual_data):
    import statsmodels.api as sm

    df, dims = servqual_data
    res = servqual.compare_servqual_servperf(df, dims, outcome="sat")
    e = pd.DataFrame({d: df[[f"e_{s}" for s in st]].mean(axis=1) for d, st in dims.items()})
    p = pd.DataFrame({d: df[[f"p_{s}" for s in st]].mean(axis=1) for d, st in dims.items()})
    ok = df["sat"].notna() & e.notna().all(axis=1) & p.notna().all(axis=1)
    y = df.loc[ok, "sat"]
    designs = {"SERVPERF": p[ok], "SERVQUAL": p[ok] - e[ok],
               "P + E": pd.concat([p[ok].add_prefix("p_"), e[ok].add_prefix("e_")], axis=1)}
    fits = {m: sm.OLS(y, sm.add_constant(x)).fit() for m, x in designs.items()}
    for m, f in fits.items():
        row = res.models.loc[m]
        assert row["n"] == f.nobs
        for ours, theirs in (("r2", f.rsquared), ("adj_r2", f.rsquared_adj), ("f", f.fvalue),
                             ("f_pvalue", f.f_pvalue), ("loglik", f.llf), ("aic", f.aic), ("bic", f.bic)):
            assert row[ours] == pytest.approx(theirs, rel=1e-9), (m, ours)
    for m in ("SERVPERF", "SERVQUAL"):
        f_val, f_p, df_diff = fits["P + E"].compare_f_test(fits[m])
        lr, lr_p, _ = fits["P + E"].compare_lr_test(fits[m])
        row = res.tests.loc[m]
        assert row["df_num"] == df_diff
        assert row["f"] == pytest.approx(f_val, rel=1e-9) and row["pvalue"] == pytest.approx(f_p, rel=1e-6)
        assert row["lr"] == pytest.approx(lr, rel=1e-9) and row["lr_pvalue"] == pytest.approx(lr_p, rel=1e-6)
    # the outcome depends on P only: SERVPERF suffices and the gap restriction is rejected
    assert res.tests.loc["SERVPERF", "pvalue"] > 0.05 > res.tests.loc["SERVQUAL", "pvalue"]
    assert res.models.loc["SERVPERF", "adj_r2"] > res.models.loc["SERVQUAL", "adj_r2"]


def test_compare_models_outcome_items_and_errors(servqual_data):
    df, dims = servqual_data
    df = df.assign(s1=df["sat"], s2=df["sat"] + 1)
    a = servqual.compare_servqual_servperf(df, dims, outcome=["s1", "s2"], outcome_name="satisfaction")
    b = servqual.compare_servqual_servperf(df.assign(m=df["sat"] + 0.5), dims, outcome="m")
    pd.testing.assert_frame_equal(a.models, b.models)
    assert a.outcome == "satisfaction"
    with pytest.raises(ValueError, match="The 'outcome' parameter of compare_servqual_servperf must be a column"):
        servqual.compare_servqual_servperf(df, dims, outcome="nope")
    with pytest.raises(ValueError, match="The 'data' parameter of compare_servqual_servperf must hold every"):
        servqual.compare_servqual_servperf(df.drop(columns="e_b4"), dims, outcome="sat")


def test_describe_follows_the_numbers(servqual_data):
    df, dims = servqual_data
    cmp = servqual.compare_servqual_servperf(df, dims, outcome="sat", outcome_name="satisfaction")
    rel = servqual.gap_reliability(df, dims)
    text = servqual.describe(reliability=rel, comparison=cmp)
    assert f"{cmp.models.loc['SERVPERF', 'r2']:.0%}" in text and "SERVPERF (perceptions only) explains more" in text
    assert "does not improve the model significantly" in text and "is rejected" in text
    assert f"on {len(dims)} of {len(dims)} dimensions" in text
    # flip the data so the gaps win: the text must follow
    df2 = df.assign(sat=servqual.dimension_scores(df, dims, prefix="p_")["A"]
                    - servqual.dimension_scores(df, dims, prefix="e_")["A"]
                    + np.random.default_rng(2).normal(scale=0.3, size=len(df)))
    text2 = servqual.describe(comparison=servqual.compare_servqual_servperf(df2, dims, outcome="sat"))
    assert "SERVQUAL (gaps) explains more" in text2 and "improves it significantly" in text2
    with pytest.raises(ValueError, match="The parameters of describe must include at least one result"):
        servqual.describe()
