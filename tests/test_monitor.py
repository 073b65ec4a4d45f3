"""Tests of cxlab.monitor: error rates on simulated no-change data, words, follow-up, demo."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from cxlab import monitor

from conftest import DEMO

ALPHA = 0.05
NPS_IN_CONTROL = {"values": [10, 8, 3], "p": [0.40, 0.35, 0.25]}   # NPS = 15


def _binomial_band(p, reps, level=0.99):
    """Two-sided binomial acceptance band for a rate p estimated from ``reps`` trials."""
    lo, hi = stats.binom.interval(level, reps, p)
    return lo / reps, hi / reps


def _no_change_data(reps, periods, n, seed):
    rng = np.random.default_rng(seed)
    size = reps * periods * n
    return pd.DataFrame({
        "sim": np.repeat(np.arange(reps), periods * n),
        "wave": np.tile(np.repeat(np.arange(1, periods + 1), n), reps),
        "nps": rng.choice(NPS_IN_CONTROL["values"], size=size, p=NPS_IN_CONTROL["p"]),
    })


# ------------------------------------------------------------------ change test
def test_change_test_false_positive_rate_is_nominal():
    # 2,000 simulated pairs of waves with no change: the z-test must reject 5 % of them.
    # 99 % binomial band for 2,000 trials at p = 0.05: 0.038 to 0.063.
    reps = 2000
    table = monitor.trends(_no_change_data(reps, 2, 300, seed=11), metrics={"nps": "nps"},
                           group="sim", total=False)
    changes = monitor.compare_periods(table)
    assert len(changes) == reps
    rate = float((changes["pvalue"] < ALPHA).mean())
    lo, hi = _binomial_band(ALPHA, reps)
    assert (lo, hi) == pytest.approx((0.038, 0.0625), abs=0.001)
    assert lo <= rate <= hi, rate


def test_holm_controls_familywise_error_over_consecutive_and_baseline_comparisons():
    # 1,000 simulated series of 4 waves, no change: 5 comparisons each (3 consecutive,
    # 2 more against wave 1). Holm keeps P(any false positive) <= 5 %: the rate must not
    # exceed the upper end of the 99 % binomial band at 0.05 (0.068 for 1,000 trials),
    # while the unadjusted family-wise rate is far above it.
    reps = 1000
    table = monitor.trends(_no_change_data(reps, 4, 200, seed=12), metrics={"nps": "nps"},
                           group="sim", total=False)
    any_adj, any_raw = [], []
    for _, sim in table.groupby("group", sort=False):
        c = monitor.compare_periods(sim, alpha=ALPHA)
        assert len(c) == 5
        any_adj.append(bool(c["significant"].any()))
        any_raw.append(bool((c["pvalue"] < ALPHA).any()))
    _, hi = _binomial_band(ALPHA, reps)
    fwer, raw = float(np.mean(any_adj)), float(np.mean(any_raw))
    assert fwer <= hi, fwer
    assert raw > hi, raw


def test_compare_periods_table_and_errors():
    t = pd.DataFrame({"metric": "nps", "group": "all", "period": ["w1", "w2", "w3"],
                      "value": [10.0, np.nan, 30.0], "se": [3.0, np.nan, 3.0],
                      "suppressed": [False, True, False]})
    c = monitor.compare_periods(t)
    # pairs with the suppressed period are skipped; w3 vs w1 is still made
    assert c[["period", "reference", "comparison"]].values.tolist() == [["w3", "w1", "baseline"]]
    assert c["diff"].iloc[0] == pytest.approx(20.0)
    assert c["se"].iloc[0] == pytest.approx(math.hypot(3, 3))
    with pytest.raises(ValueError, match="The 'against' parameter of compare_periods"):
        monitor.compare_periods(t, against=("later",))
    with pytest.raises(ValueError, match="The 'baseline' parameter of compare_periods"):
        monitor.compare_periods(t, baseline="w9")


def test_compare_periods_result_carries_the_number_of_periods():
    t = pd.DataFrame({"metric": "nps", "group": "all", "period": ["w1", "w2"], "value": [10.0, np.nan],
                      "se": [3.0, np.nan], "suppressed": [False, True]})
    res = monitor.compare_periods_result(t, alpha=0.01, ci=0.9)
    assert isinstance(res, monitor.PeriodChanges) and not res.table.attrs
    pd.testing.assert_frame_equal(res.to_frame(), monitor.compare_periods(t, alpha=0.01, ci=0.9))
    assert (res.n_periods, res.alpha, res.ci) == (2, 0.01, 0.9)
    # two periods, one suppressed: nothing compared, and not for want of a second wave
    assert monitor.describe_changes(res).startswith("No comparison could be made")
    one = monitor.compare_periods_result(t.iloc[:1])
    assert one.n_periods == 1 and monitor.describe_changes(one) == "Only one wave: no change to test."
    # the bare (empty) table cannot tell one wave from suppressed cells
    assert monitor.describe_changes(one.table).startswith("No comparison could be made")


# ---------------------------------------------------------------- control chart
def test_run_alarm_probability_matches_enumeration():
    # 12 fair coin flips: probability of a run of >= 8 equal sides, by brute force.
    hits = 0
    for seq in itertools.product((0, 1), repeat=12):
        longest = max(len(list(g)) for _, g in itertools.groupby(seq))
        hits += longest >= 8
    computed = monitor._run_alarm_probability(np.full((1, 12), 0.5), 8)[0]
    assert computed == pytest.approx(hits / 4096, abs=1e-12)


def test_control_chart_false_alarm_rate_on_in_control_data():
    # 400 in-control series: a baseline wave of 6,000 answers, then 12 periods of 250.
    reps, n_base, n, periods = 400, 6000, 250, 12
    rng = np.random.default_rng(13)
    z, beyond, run_alarm, used = [], 0, 0, set()
    for _ in range(reps):
        wave = np.r_[np.ones(n_base, int), np.repeat(np.arange(2, periods + 2), n)]
        df = pd.DataFrame({"wave": wave, "nps": rng.choice(NPS_IN_CONTROL["values"],
                                                           wave.size, p=NPS_IN_CONTROL["p"])})
        cc = monitor.control_chart(df, freq="wave")
        mon = cc[cc["phase"] == "monitoring"]
        z.append(mon["z"].to_numpy())
        beyond += int(mon["beyond_limits"].sum())
        run_alarm += bool(mon["run"].any())
        used.add(int(cc["run_length"].iloc[0]))
    z = np.concatenate(z)
    points = z.size
    # Limits account for the estimated centre: |z| > 2 happens 4.55 % of the time
    # (99 % binomial band for 4,800 points: 3.8 % to 5.3 %) ...
    lo, hi = _binomial_band(2 * stats.norm.sf(2), points)
    assert lo <= float(np.mean(np.abs(z) > 2)) <= hi
    # ... and beyond the 3-sigma limits 0.27 % of the time (band 0.10 % to 0.48 %).
    lo, hi = _binomial_band(2 * stats.norm.sf(3), points)
    assert lo <= beyond / points <= hi
    # The run rule (nominal 8) is lengthened for the estimated centre; its false-alarm
    # probability over 12 periods stays at or below the known-centre 2.34 % (upper end
    # of the 99 % band for 400 series: 4.5 %).
    assert used == {9}
    nominal = monitor._run_alarm_probability(np.full((1, periods), 0.5), 8)[0]
    assert nominal == pytest.approx(0.0234375)
    assert run_alarm / reps <= _binomial_band(nominal, reps)[1]


def test_control_chart_flags_a_real_shift_and_checks_parameters():
    rng = np.random.default_rng(5)
    wave = np.repeat(np.arange(1, 11), 400)
    p = np.where(wave[:, None] <= 6, [[0.40, 0.35, 0.25]], [[0.52, 0.33, 0.15]])
    nps = np.array([rng.choice([10, 8, 3], p=row) for row in p])
    cc = monitor.control_chart(pd.DataFrame({"wave": wave, "nps": nps}), freq="wave",
                               baseline=[f"wave {k}" for k in range(1, 5)])
    assert not cc.loc[cc["period"].isin([f"wave {k}" for k in range(1, 7)]), "signal"].any()
    assert cc.loc[cc["period"].isin([f"wave {k}" for k in range(7, 11)]), "signal"].all()
    with pytest.raises(ValueError, match="The 'baseline' parameter of control_chart"):
        monitor.control_chart(pd.DataFrame({"wave": wave, "nps": nps}), freq="wave",
                              baseline="wave 99")
    with pytest.raises(ValueError, match="The 'run_length' parameter of control_chart"):
        monitor.control_chart(pd.DataFrame({"wave": wave, "nps": nps}), run_length=1)


# ----------------------------------------------------------------------- in words
def _changes(**over):
    base = {"metric": ["nps", "csat", "ces"], "group": "all", "period": "wave 2",
            "comparison": "previous, baseline", "reference": "wave 1",
            "reference_value": [16.5, 36.7, 4.941], "value": [29.4, 45.2, 4.968],
            "diff": [12.9, 8.5, 0.027], "ci_lower": [6.3, 4.2, -0.08],
            "ci_upper": [19.5, 12.8, 0.134], "se": [3.4, 2.2, 0.055], "z": [3.8, 3.9, 0.5],
            "pvalue": [0.0001, 0.0001, 0.63], "pvalue_adj": [0.0003, 0.0003, 0.63],
            "significant": [True, True, False]}
    base.update(over)
    return pd.DataFrame(base)


def test_describe_changes_words_come_from_the_numbers():
    text = monitor.describe_changes(_changes())
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == ("NPS rose from 16.5 to 29.4 points between wave 1 and wave 2 "
                             "(+12.9 points, 95 % CI 6.3 to 19.5; p < 0.001 after Holm "
                             "correction).")
    assert paragraphs[1].startswith("CSAT (top-box share) rose from 36.7 to 45.2 % between "
                                    "wave 1 and wave 2 (+8.5 percentage points")
    assert paragraphs[2] == ("CES (mean) did not change significantly between wave 1 and "
                             "wave 2 (4.94 to 4.97, +0.03, 95 % CI −0.08 to 0.13; p = 0.630 "
                             "after Holm correction).")
    # the same table with the NPS change negative and not significant reads differently
    flipped = _changes(value=[10.0, 45.2, 4.968], diff=[-6.5, 8.5, 0.027],
                       ci_lower=[-13.1, 4.2, -0.08], ci_upper=[0.1, 12.8, 0.134],
                       pvalue_adj=[0.09, 0.0003, 0.63], significant=[False, True, False])
    first = monitor.describe_changes(flipped, labels={"nps": "Net Promoter Score"})
    assert first.split("\n\n")[0] == (
        "Net Promoter Score did not change significantly between wave 1 and wave 2 (16.5 to "
        "10.0 points, −6.5 points, 95 % CI −13.1 to 0.1; p = 0.090 after Holm correction).")
    with pytest.raises(ValueError, match="The 'group' parameter of describe_changes"):
        monitor.describe_changes(_changes(), group="premium")


# -------------------------------------------------------------------- follow-up
def test_follow_up_list_selects_detractors_with_bad_contacts(tmp_path):
    survey = pd.DataFrame({
        "respondent_key": [f"r_{i}" for i in range(6)],
        "customer_key": [f"c_{i}" for i in range(6)],
        "survey_date": pd.to_datetime(["2025-06-01"] * 5 + ["2025-01-01"]),
        "nps": [2, 6, 7, 10, 0, 1],
        "segment": "consumer",
    })
    features = pd.DataFrame({
        "respondent_key": [f"r_{i}" for i in range(6)],
        "long_waits": [1, 0, 3, 2, 0, 4],
        "repeat_contacts": [2, 0, 1, 1, 0, 0],
        "escalations": [0, 1, 0, 0, 0, 0],
        "mean_wait_sec": [400.0] * 6,
    })
    fu = monitor.follow_up_list(survey, features)
    # r_2 (passive) and r_3 (promoter) had bad contacts but are not detractors; r_4 is a
    # detractor without a bad contact
    assert fu["respondent_key"].tolist() == ["r_0", "r_5", "r_1"]
    assert fu["reasons"].tolist() == ["long wait, repeat contact (not resolved)", "long wait",
                                      "escalated"]
    assert set(fu.columns) == {"respondent_key", "customer_key", "survey_date", "nps",
                               "long_waits", "repeat_contacts", "escalations", "reasons",
                               "n_reasons"}
    recent = monitor.follow_up_list(survey, features, recent_days=30)
    assert "r_5" not in set(recent["respondent_key"])
    only_waits = monitor.follow_up_list(survey, features, criteria={"long_waits": 2})
    assert only_waits["respondent_key"].tolist() == ["r_5"]
    counts = monitor.follow_up_counts(fu, min_n=1)
    assert counts["respondents"].astype(int).to_dict() == {"any": 3, "long wait": 2,
                                               "repeat contact (not resolved)": 1,
                                               "escalated": 1}
    assert monitor.follow_up_counts(fu)["suppressed"].all()   # all below 10

    target = tmp_path / "data" / "processed" / "demo" / "follow_up.parquet"
    monitor.write_follow_up(fu, target)
    pd.testing.assert_frame_equal(pd.read_parquet(target), fu)
    assert [p.name for p in target.parent.iterdir()] == ["follow_up.parquet"]
    with pytest.raises(ValueError, match="The 'path' parameter of write_follow_up"):
        monitor.write_follow_up(fu, tmp_path / "reports" / "follow_up.parquet")
    with pytest.raises(ValueError, match="The 'detractor_max' parameter of follow_up_list"):
        monitor.follow_up_list(survey, features, detractor_max=11)


# ------------------------------------------------------------------------- demo
# truth.yaml names -> the monitor's metrics computed from the same items. stay_mean is
# planted as changed by only 0.098 scale points (about 0.08 SD): with ~1,000 answers per
# wave the test has little power for it, so the demo does not assert either way.
TRUTH_TO_METRIC = {"nps": "nps", "csat_top2_pct": "csat", "ces_mean": "ces",
                   "ces_top2_pct": "ces_share", "temkin_useful_mean": "temkin_xi"}


@pytest.fixture(scope="module")
def demo(demo_contacts):
    import cxlab
    from cxlab.data import load_contact_features, load_processed_survey

    study = cxlab.load_study(DEMO / "study.yaml")
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())
    return load_processed_survey(study), load_contact_features(study), truth


def test_demo_shows_the_planted_change_and_no_spurious_one(demo):
    survey, _, truth = demo
    metrics = {"nps": "nps", "csat": {"column": "sat1", "scale": (1, 7)},
               "ces": {"column": "ces", "scale": (1, 7)},
               "ces_share": {"column": "ces", "scale": (1, 7)},
               "temkin_xi": ["temkin_useful", "temkin_easy", "temkin_enjoyable"]}
    changes = monitor.compare_periods(monitor.trends(survey, metrics=metrics)).set_index("metric")
    changed = set(truth["population"]["practically_changed"])
    unchanged = set(truth["population"]["practically_unchanged"])
    for name, metric in TRUTH_TO_METRIC.items():
        row = changes.loc[metric]
        if name in changed:
            assert row["significant"] and np.sign(row["diff"]) == np.sign(
                truth["population"]["change"][name]), (metric, row["pvalue_adj"])
        else:
            assert name in unchanged
            assert not row["significant"], (metric, row["pvalue_adj"])
    # per segment (its own Holm family): CES changes in none of them
    seg = monitor.compare_periods(monitor.trends(survey, metrics=metrics, group="segment",
                                                 total=False))
    assert not seg.loc[seg["metric"].isin(["ces", "ces_share"]), "significant"].any()
    text = monitor.describe_changes(changes.reset_index())
    assert "NPS rose from" in text and "CES (mean) did not change significantly" in text


def test_demo_follow_up_keys_are_pseudonymous(demo):
    survey, features, _ = demo
    fu = monitor.follow_up_list(survey, features)
    assert len(fu) > 0 and (fu["nps"] <= 6).all()
    assert fu["respondent_key"].str.fullmatch(r"r_[0-9a-f]{16}").all()
    assert fu["customer_key"].str.fullmatch(r"c_[0-9a-f]{16}").all()
    assert not {"respondent_id", "customer_id", "email"} & set(fu.columns)
