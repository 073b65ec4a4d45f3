"""The importance-performance map of the Six Pillars (cxlab.pillars.pillar_ipma) in report 04.

References: the 0–100 rescaling recomputed from the items by the textbook formula
100 · (x − min) / (max − min); importance against statsmodels' OLS on the rescaled scores
(the total effect in a one-layer model, Ringle & Sarstedt 2016); the performance interval
against scipy's t interval; the bootstrap interval's width against the heteroskedasticity-
robust (HC0) standard error; the demo's planted pillar order and the pillars its truth says
to fix first (high planted coefficient, low planted centre).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import yaml
from scipy import stats

from conftest import DEMO
from cxlab import pillars, synth
from cxlab.data import clean_survey, read_table
from cxlab.study import load_study

PILLARS = {"integrity": ["i1", "i2", "i3"], "resolution": ["r1", "r2"], "empathy": ["e1", "e2", "e3"]}


def _survey(n=600, seed=0):
    """Three correlated pillars on 1–7 and a 0–10 outcome driven by integrity and resolution; a few blanks."""
    rng = np.random.default_rng(seed)
    latent = rng.multivariate_normal(np.zeros(3), 0.4 + 0.6 * np.eye(3), size=n)
    df = {}
    for j, (name, items) in enumerate(PILLARS.items()):
        for c in items:
            df[c] = np.clip(np.rint(4.5 + 0.3 * j + 1.2 * (0.8 * latent[:, j] + 0.6 * rng.normal(size=n))), 1, 7)
    df["rec"] = np.clip(np.rint(6 + 1.5 * latent[:, 0] + 0.8 * latent[:, 1] + rng.normal(size=n)), 0, 10)
    df = pd.DataFrame(df)
    for c, rows in (("i1", [3, 7]), ("r1", [5]), ("r2", [5]), ("rec", [11, 12])):
        df.loc[rows, c] = np.nan
    return df


def test_pillar_ipma_is_the_textbook_rescaling_and_ols():
    df = _survey()
    got = pillars.pillar_ipma(df, PILLARS, {"rec": "rec"}, pillar_range=(1, 7), outcome_ranges={"rec": (0, 10)})
    got = got.loc["rec"]
    # independent: pillar score = mean of answered items (at least half), listwise over pillars and outcome
    scores = pd.DataFrame({p: df[c].mean(axis=1).where(df[c].notna().sum(axis=1) >= len(c) / 2)
                           for p, c in PILLARS.items()})
    work = scores.assign(rec=df["rec"]).dropna()
    assert len(work) == 600 - 2 - 1 and (got["n"] == len(work)).all()  # rows 11, 12 (outcome), 5 (resolution)
    perf = 100 * (work[list(PILLARS)] - 1) / 6
    y = 100 * work["rec"] / 10
    ols = sm.OLS(y, sm.add_constant(perf)).fit()
    for p in PILLARS:
        assert got.loc[p, "importance"] == pytest.approx(ols.params[p], abs=1e-10), p
        assert got.loc[p, "performance"] == pytest.approx(perf[p].mean(), abs=1e-10), p
        lo, hi = stats.t.interval(0.95, len(perf) - 1, loc=perf[p].mean(), scale=stats.sem(perf[p]))
        assert (got.loc[p, "performance_ci_lower"], got.loc[p, "performance_ci_upper"]) == pytest.approx((lo, hi),
                                                                                                       abs=1e-10)
        assert got.loc[p, "potential"] == pytest.approx(ols.params[p] * (100 - perf[p].mean()), abs=1e-10)
    cut_i, cut_p = ols.params[list(PILLARS)].mean(), perf.mean().mean()
    assert got["importance_cut"].iloc[0] == pytest.approx(cut_i, abs=1e-12)
    assert got["performance_cut"].iloc[0] == pytest.approx(cut_p, abs=1e-12)
    quadrant = {(True, False): "concentrate here", (True, True): "keep up the good work",
                (False, False): "low priority", (False, True): "possible overkill"}
    for p in PILLARS:
        assert got.loc[p, "quadrant"] == quadrant[(ols.params[p] > cut_i, perf[p].mean() > cut_p)], p
    assert got["outcome_performance"].iloc[0] == pytest.approx(y.mean(), abs=1e-12)
    assert list(got.index) == list(ols.params[list(PILLARS)].sort_values(ascending=False).index)


def test_pillar_ipma_bootstrap_interval_matches_the_robust_standard_error():
    """Percentile interval width against 2 · z(0.975) · HC0 SE of the same OLS: within 10 % (n = 1,500, B = 1,000)."""
    df = _survey(n=1500, seed=4)
    got = pillars.pillar_ipma(df, PILLARS, {"rec": "rec"}, pillar_range=(1, 7), outcome_ranges={"rec": (0, 10)},
                              n_boot=1000, seed=11).loc["rec"]
    again = pillars.pillar_ipma(df, PILLARS, {"rec": "rec"}, pillar_range=(1, 7), outcome_ranges={"rec": (0, 10)},
                                n_boot=1000, seed=11).loc["rec"]
    pd.testing.assert_frame_equal(got, again)  # reproducible with the seed
    scores = pillars.pillar_scores(df, PILLARS).assign(rec=df["rec"]).dropna()
    ols = sm.OLS(100 * scores["rec"] / 10, sm.add_constant(100 * (scores[list(PILLARS)] - 1) / 6)).fit(cov_type="HC0")
    for p in PILLARS:
        width = got.loc[p, "importance_ci_upper"] - got.loc[p, "importance_ci_lower"]
        assert width == pytest.approx(2 * stats.norm.ppf(0.975) * ols.bse[p], rel=0.10), p
        assert got.loc[p, "importance_ci_lower"] < got.loc[p, "importance"] < got.loc[p, "importance_ci_upper"]


def test_pillar_ipma_arguments_are_named():
    df = _survey(n=50)
    with pytest.raises(ValueError, match="outcome_ranges.*none for \\['rec'\\]"):
        pillars.pillar_ipma(df, PILLARS, {"rec": "rec"}, pillar_range=(1, 7), outcome_ranges={})
    with pytest.raises(ValueError, match="pillars.*'honesty'"):
        pillars.pillar_ipma(df, {"honesty": ["i1"], "empathy": ["e1"]}, {"rec": "rec"}, pillar_range=(1, 7),
                            outcome_ranges={"rec": (0, 10)})
    with pytest.raises(ValueError, match="outcomes.*'nope'"):
        pillars.pillar_ipma(df, PILLARS, {"rec": "nope"}, pillar_range=(1, 7), outcome_ranges={"rec": (0, 10)})
    with pytest.raises(ValueError, match="ranges.*max > min"):
        pillars.pillar_ipma(df, PILLARS, {"rec": "rec"}, pillar_range=(7, 1), outcome_ranges={"rec": (0, 10)})


def test_describe_ipma_is_written_from_the_numbers():
    df = _survey()
    table = pillars.pillar_ipma(df, PILLARS, {"rec": "rec"}, pillar_range=(1, 7), outcome_ranges={"rec": (0, 10)},
                                n_boot=200, seed=1)
    text = pillars.describe_ipma(table)
    t = table.loc["rec"]
    fix = t[t["quadrant"] == "concentrate here"]
    if len(fix):
        first = fix.sort_values("potential").index[-1]
        assert text.startswith("**Fix first for rec: ")
        assert f"{t.loc[first, 'importance']:.2f}" in text and f"{t.loc[first, 'potential']:.1f}" in text
    else:
        assert "No pillar both weighs more than average and performs below average" in text
    least = t["importance"].idxmin()
    assert f"{pillars.PILLAR_LABELS[least]} weighs least ({t.loc[least, 'importance']:.2f})".replace("-", "−") in text
    # a constructed table: the fix-first pillar, its uncertain lead, and the pillars to keep up
    idx = pd.MultiIndex.from_product([["nps"], ["integrity", "empathy", "resolution"]], names=["outcome", "pillar"])
    t = pd.DataFrame({"importance": [0.30, 0.20, 0.05], "importance_ci_lower": [0.25, 0.10, 0.0],
                      "importance_ci_upper": [0.35, 0.30, 0.1], "performance": [50.0, 70.0, 40.0],
                      "quadrant": ["concentrate here", "keep up the good work", "low priority"],
                      "potential": [15.0, 6.0, 3.0], "importance_cut": 0.1833, "performance_cut": 53.33}, index=idx)
    text = pillars.describe_ipma(t)
    assert text.startswith("**Fix first for nps: Integrity.** It weighs more than the average pillar (0.30")
    assert "add about 15.0 points" in text and "uncertain" not in text
    assert "Keep up the good work on Empathy (performance 70.0)" in text and "Resolution weighs least (0.05)" in text
    t.loc[("nps", "integrity"), "importance_ci_lower"] = 0.15
    assert "Its importance interval reaches below the average (0.15 to 0.35), so this call is uncertain" in \
        pillars.describe_ipma(t)


# --------------------------------------------------------------------------- the demo's planted truth


@pytest.fixture(scope="module")
def demo_map():
    study = load_study(DEMO / "study.yaml")
    cb = study.codebook
    survey = clean_survey(read_table(DEMO / "survey.csv"), cb, source="survey.csv").data
    outcomes = pillars.study_outcomes(cb, "intention_to_stay")
    assert pillars.outcome_ranges(cb, outcomes) == {"nps": (0, 10), "intention_to_stay": (1, 7)}
    return pillars.pillar_ipma(survey, cb.pillars["items"], outcomes, pillar_range=cb.pillars["range"],
                               outcome_ranges=pillars.outcome_ranges(cb, outcomes), n_boot=200, seed=2026)


def _truth():
    return yaml.safe_load((DEMO / "truth.yaml").read_text())["pillars"]


def test_demo_map_recovers_the_planted_order(demo_map):
    """Importance (the total effect) in the planted coefficients' order: the first three in order, and any
    two pillars whose planted coefficients differ by 0.08 or more."""
    truth = _truth()
    for outcome, planted in truth["coefficients"].items():
        got = demo_map.loc[outcome]
        order = sorted(planted, key=lambda p: -planted[p])
        assert list(got.index[:3]) == order[:3], outcome
        for a in planted:
            for b in planted:
                if planted[a] - planted[b] >= 0.08:
                    assert got.loc[a, "importance"] > got.loc[b, "importance"], (outcome, a, b)


def test_demo_map_performance_covers_the_planted_one(demo_map):
    """Each pillar's performance interval covers its population value: the exact mean of a rounded, clipped
    normal answer around the planted centre (synth._rounded_mean), rescaled from 1–7."""
    truth = _truth()
    for outcome in truth["coefficients"]:
        got = demo_map.loc[outcome]
        for p, centre in truth["centre"].items():
            planted = 100 * (synth._rounded_mean(centre) - 1) / 6
            assert got.loc[p, "performance_ci_lower"] <= planted <= got.loc[p, "performance_ci_upper"], (outcome, p)


def test_demo_map_fixes_first_what_the_truth_says(demo_map):
    """The truth's own map (planted coefficients against the population performances, split at their means)
    puts Personalisation in *concentrate here* for NPS and Resolution and Time & effort for loyalty; so does
    the demo's, and its text names them."""
    truth = _truth()
    for outcome, planted in truth["coefficients"].items():
        perf = {p: synth._rounded_mean(c) for p, c in truth["centre"].items()}
        cut_i, cut_p = np.mean(list(planted.values())), np.mean(list(perf.values()))
        expected = {p for p in planted if planted[p] > cut_i and perf[p] <= cut_p}
        got = demo_map.loc[outcome]
        assert set(got.index[got["quadrant"] == "concentrate here"]) == expected, outcome
    assert expected == {"resolution", "time_and_effort"}
    text = pillars.describe_ipma(demo_map)
    assert "**Fix first for nps: Personalisation.**" in text
    assert "**Fix first for intention to stay: Resolution and Time &amp; effort.**" in text


@pytest.mark.slow
def test_report_04_shows_the_map_and_the_sacrifice_section(demo_run):
    """The demo's report 04 has the map (table, figure, text) and the sacrifice section, written from the numbers."""
    out, _ = demo_run
    html = (out / "04_contact_levers.html").read_text(encoding="utf-8")
    for caption in ("Importance-performance map of the Six Pillars (0–100) for NPS and loyalty.",
                    "Importance-performance map of the Six Pillars: pillars to fix first in the upper left.",
                    "Customer sacrifice per attribute and its relation with the outcomes.",
                    "Correlation of each attribute&#x27;s sacrifice with the outcomes, with confidence intervals."):
        assert caption in html or caption.replace("&#x27;", "'") in html, caption
    cb = load_study(DEMO / "study.yaml").codebook
    assert f"Fix first for {cb.label('nps')}: Personalisation." in html
    assert f"Fix first for {cb.label('intention_to_stay')}: Resolution and Time &amp; effort." in html
    # the demo's sacrifice is unrelated to every outcome: one paragraph says so, naming the largest sacrifice
    assert html.count("no gap goes with any of them beyond chance") == 1  # a summary: moved to the top
    assert "Customers settle most on Opening hours" in html and "Customers who sacrifice more" not in html
    assert "Importance–performance map of the pillars" in html and "Fisher-z interval" in html  # methods


def test_demo_map_figure_reads(demo_map):
    """The map's figure: one panel per outcome, every text readable (no overlap, none outside, at least 9 pt)."""
    import matplotlib.pyplot as plt

    from cxlab import plots

    cb = load_study(DEMO / "study.yaml").codebook
    fig = plots.pillar_ipma_chart(demo_map, labels=cb.label, title="Six Pillars: importance and performance")
    assert len(fig.axes) == 2 and [a.get_title() for a in fig.axes] == [cb.label("nps"), cb.label("intention_to_stay")]
    assert plots.text_problems(fig) == []
    plt.close(fig)
