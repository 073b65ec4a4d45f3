"""Customer sacrifice against the outcomes (cxlab.sacrifice.sacrifice_relations) in report 04.

References: Pearson's r, its Fisher-z interval and p-value against scipy.stats.pearsonr; the
interval's coverage at its level on a model with a known correlation; Holm's step-down
adjustment written out by hand; the importance of the gaps against
cxlab.levers.driver_importance (tested against R's relaimpo) and, with one gap, against its
squared correlation; a constructed survey with a planted sacrifice effect on loyalty
(recovered, and claimed in the text) and one without (nothing claimed); and the demo, whose
truth draws the sacrifice pairs independently of every outcome (own random stream,
truth.yaml: sacrifice.model), so no relation may be claimed there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import DEMO
from cxlab import pillars, sacrifice
from cxlab.data import clean_survey, read_table
from cxlab.levers import driver_importance
from cxlab.study import load_study
from test_study import edit, study_copy  # noqa: F401 (a fixture): a copy of the demo study to edit

ATTRIBUTES = {"hours": {"wanted": "w_hours", "settled": "s_hours"},
              "speed": {"wanted": "w_speed", "settled": "s_speed"}}


def _constructed(n=3000, effect=-0.5, seed=7):
    """Continuous wanted/settled answers; loyalty = 5 + effect · (hours gap) + N(0, 1); speed's gap unrelated.

    The hours gap has variance 1 + 1 − 2 · 0.4 = 1.2, so the population correlation is
    effect · √1.2 / √(effect² · 1.2 + 1).
    """
    rng = np.random.default_rng(seed)
    pair = np.linalg.cholesky([[1, 0.4], [0.4, 1]])
    df = {}
    for a, (w, s) in {"hours": (6.0, 4.5), "speed": (6.2, 5.9)}.items():
        y = rng.standard_normal((n, 2)) @ pair.T
        df[f"w_{a}"], df[f"s_{a}"] = w + y[:, 0], s + y[:, 1]
    df = pd.DataFrame(df)
    df["stay1"] = 5 + effect * (df.w_hours - df.s_hours) + rng.normal(size=n)
    df["stay2"] = df["stay1"]
    df.loc[:19, "w_speed"] = np.nan
    df.loc[20:29, "stay1"] = np.nan  # still scored from stay2 (half of the items)
    df.loc[30:34, ["stay1", "stay2"]] = np.nan
    rho = effect * np.sqrt(1.2) / np.sqrt(effect ** 2 * 1.2 + 1)
    return df, rho


@pytest.mark.parametrize("ci", [0.9, 0.95, 0.99])
def test_correlation_interval_is_scipys_pearsonr(ci):
    rng = np.random.default_rng(int(100 * ci))
    x = rng.normal(size=80)
    y = 0.3 * x + rng.normal(size=80)
    x[[2, 9]], y[[4]] = np.nan, np.nan
    r, lo, hi, p, n = sacrifice.correlation_interval(x, y, ci=ci)
    ok = ~(np.isnan(x) | np.isnan(y))
    ref = stats.pearsonr(x[ok], y[ok])
    interval = ref.confidence_interval(confidence_level=ci)
    assert n == 77
    assert (r, lo, hi, p) == pytest.approx((ref.statistic, interval.low, interval.high, ref.pvalue), abs=1e-12)


def test_correlation_interval_covers_at_its_level():
    """1,000 samples of 200 from a bivariate normal with ρ = −0.3: the 95 % interval covers ρ 95 ± 2.5 % of the time."""
    rng = np.random.default_rng(3)
    rho, hits = -0.3, 0
    cov = [[1, rho], [rho, 1]]
    for _ in range(1000):
        xy = rng.multivariate_normal([0, 0], cov, size=200)
        _, lo, hi, _, _ = sacrifice.correlation_interval(xy[:, 0], xy[:, 1])
        hits += lo <= rho <= hi
    assert abs(hits / 1000 - 0.95) <= 0.025, hits


def test_relations_against_the_references():
    df, _ = _constructed(n=800)
    outcomes = {"stay": ["stay1", "stay2"], "speed_only": "s_speed"}
    got = sacrifice.sacrifice_relations(df, ATTRIBUTES, outcomes, n_boot=50, seed=5)
    gaps = pd.DataFrame({a: df[p["wanted"]] - df[p["settled"]] for a, p in ATTRIBUTES.items()})
    ys = {"stay": df[["stay1", "stay2"]].mean(axis=1), "speed_only": df["s_speed"]}
    pvalues = []
    for o, y in ys.items():
        for a in ATTRIBUTES:
            ok = gaps[a].notna() & y.notna()
            ref = stats.pearsonr(gaps[a][ok], y[ok])
            row = got.loc[(o, a)]
            assert row["r"] == pytest.approx(ref.statistic, abs=1e-12) and row["n"] == ok.sum()
            assert row["pvalue"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
            assert row["sacrifice"] == pytest.approx(gaps[a][y.notna()].mean(), abs=1e-12)
            pvalues.append(ref.pvalue)
        work = gaps.assign(y=y).dropna()
        imp = driver_importance(work, "y", list(ATTRIBUTES), n_boot=50, seed=5)
        for col, ref_col in (("importance", "importance"), ("share", "share"), ("rank", "rank"),
                             ("importance_ci_lower", "ci_lower"), ("importance_ci_upper", "ci_upper")):
            assert got.loc[o, col].tolist() == pytest.approx(imp[ref_col].tolist(), abs=1e-12), (o, col)
        assert got.loc[o, "r2"].iloc[0] == pytest.approx(imp["importance"].sum(), abs=1e-12)
        assert (got.loc[o, "n_model"] == len(work)).all()
    # Holm (1979) step-down, written out: sort, multiply by (m − i), running maximum, cap at 1
    order = np.argsort(pvalues)
    m, running, holm = len(pvalues), 0.0, np.empty(len(pvalues))
    for i, j in enumerate(order):
        running = max(running, (m - i) * pvalues[j])
        holm[j] = min(1.0, running)
    assert got["pvalue_holm"].tolist() == pytest.approx(holm.tolist(), rel=1e-9, abs=1e-300)


def test_one_gap_importance_is_its_squared_correlation():
    df, _ = _constructed(n=500)
    got = sacrifice.sacrifice_relations(df, {"hours": ATTRIBUTES["hours"]}, {"stay": ["stay1", "stay2"]})
    row = got.loc[("stay", "hours")]
    assert row["importance"] == pytest.approx(row["r"] ** 2, abs=1e-12) and row["share"] == 1.0


def test_a_planted_sacrifice_effect_is_recovered_and_claimed():
    df, rho = _constructed()
    got = sacrifice.sacrifice_relations(df, ATTRIBUTES, {"stay": ["stay1", "stay2"]})
    hours, speed = got.loc[("stay", "hours")], got.loc[("stay", "speed")]
    assert hours["ci_lower"] <= rho <= hours["ci_upper"], (rho, hours.to_dict())
    assert speed["ci_lower"] <= 0 <= speed["ci_upper"]
    assert hours["rank"] == 1 and hours["share"] > 0.95
    text = sacrifice.describe_relations(got)
    assert text.startswith("**Sacrifice and stay.** Together the sacrifice gaps explain")
    assert f"Customers who sacrifice more on hours score lower on it (r = {hours['r']:.2f}".replace("-", "−") in text
    assert "Act on hours first: customers settle there" in text and "speed" not in text


def test_no_effect_no_claim():
    df, _ = _constructed(effect=0.0)
    got = sacrifice.sacrifice_relations(df, ATTRIBUTES, {"stay": ["stay1", "stay2"]})
    assert (got["ci_lower"] <= 0).all() and (got["ci_upper"] >= 0).all()
    text = sacrifice.describe_relations(got)
    assert "no gap goes with it beyond chance" in text and "Customers who sacrifice more" not in text
    gap = got.loc[("stay", "hours"), "sacrifice"]
    assert f"Customers settle most on hours ({gap:.2f} scale points)" in text


def test_bad_arguments_are_named():
    df, _ = _constructed(n=50)
    with pytest.raises(ValueError, match="'outcomes' parameter of sacrifice_relations.*'nope'.*'stay'"):
        sacrifice.sacrifice_relations(df, ATTRIBUTES, {"stay": "nope"})
    with pytest.raises(ValueError, match="'attributes' parameter of sacrifice_relations.*'hours' without settled"):
        sacrifice.sacrifice_relations(df, {"hours": {"wanted": "w_hours"}}, {"stay": "stay1"})
    with pytest.raises(ValueError, match="'table' parameter of describe_relations"):
        sacrifice.describe_relations(pd.DataFrame({"r": [0.1]}))


def test_demo_sacrifice_goes_with_no_outcome():
    """The demo's truth draws sacrifice independently of the outcomes: every interval covers 0, nothing claimed."""
    study = load_study(DEMO / "study.yaml")
    cb = study.codebook
    survey = clean_survey(read_table(DEMO / "survey.csv"), cb, source="survey.csv").data
    outcomes = pillars.study_outcomes(cb, "intention_to_stay", outcome="satisfaction")
    assert list(outcomes) == ["satisfaction", "nps", "intention_to_stay"]
    got = sacrifice.sacrifice_relations(survey, cb.sacrifice["attributes"], outcomes)
    assert len(got) == 12 and (got["ci_lower"] <= 0).all() and (got["ci_upper"] >= 0).all()
    assert (got["pvalue_holm"] >= 0.05).all() and (got["r2"] < 0.01).all()
    text = sacrifice.describe_relations(got, labels=cb.label)
    assert "no gap goes with any of them beyond chance" in text and "Customers who sacrifice more" not in text
    assert "Customers settle most on Opening hours" in text  # the largest planted sacrifice
    import matplotlib.pyplot as plt

    from cxlab import plots

    fig = plots.sacrifice_relation_chart(got, labels=cb.label, title="Customer sacrifice and the outcomes")
    assert plots.text_problems(fig) == []  # no overlap, nothing outside, at least 9 pt
    plt.close(fig)


def test_report_04_has_the_sacrifice_section_without_pillars(study_copy):
    """A study with the sacrifice block and no Six Pillars: report 04 keeps the sacrifice section and drops the
    pillar map, and its methods text says the same; without either block, neither."""
    from cxlab import plan
    from cxlab.report import methods_section
    from cxlab.runner import load_notebook

    def no_pillars(doc):
        del doc["codebook"]["pillars"]

    def no_blocks(doc):
        del doc["codebook"]["sacrifice"]

    nb = load_notebook("04_contact_levers")
    edit(study_copy, no_pillars)
    study = load_study(study_copy)
    kept = "\n".join(c.source for c in plan.prune(nb, plan.capabilities(study)).cells)
    assert "sacrifice.sacrifice_relations" in kept and "describe_relations" in kept
    assert "pillar_ipma" not in kept and "## Which of the Six Pillars" not in kept
    methods = methods_section(study, "levers")
    assert "Customer sacrifice per respondent and attribute" in methods and "Importance–performance map" not in methods
    assert "Pine, B. J., & Gilmore" in methods
    edit(study_copy, no_blocks)
    study = load_study(study_copy)
    dropped = "\n".join(c.source for c in plan.prune(nb, plan.capabilities(study)).cells)
    assert "sacrifice_relations" not in dropped and "sacrifice" not in methods_section(study, "levers").lower()
