"""Six Pillars and customer sacrifice: codebook blocks, methods against references, the demo's planted truth.

References: Cronbach's alpha and omega through cxlab.reliability (itself checked against psych);
the paired interval against the textbook formula and scipy's ttest_rel; pillar importance
against cxlab.levers.driver_importance on the scores; the demo's planted coefficients and
sacrifice gaps from cxlab.synth's truth, and that truth against a large simulation of the generator.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from conftest import DEMO
from cxlab import pillars, plan, sacrifice, synth
from cxlab.data import DataError, clean_survey, read_table
from cxlab.levers import driver_importance
from cxlab.reliability import omega_table, scale_reliability
from cxlab.study import StudyError, load_study
from test_study import edit, study_copy  # noqa: F401 (a fixture): a copy of the demo study to edit

# --------------------------------------------------------------------------- codebook blocks


def problems_of(path):
    with pytest.raises(StudyError) as info:
        load_study(path)
    assert str(path) in str(info.value)  # the file is named
    return info.value.problems


def test_demo_codebook_carries_both_blocks():
    study = load_study(DEMO / "study.yaml")
    cb = study.codebook
    assert list(cb.pillars["items"]) == list(pillars.PILLARS)
    assert cb.pillars["items"]["time_and_effort"] == ("pil_tim1", "pil_tim2", "pil_tim3")
    assert dict(cb.sacrifice["attributes"]["opening_hours"]) == {"wanted": "wanted_hours",
                                                                  "settled": "settled_hours"}
    ranges = cb.item_ranges()
    assert ranges["pil_emp3"] == (1, 7) and ranges["settled_plan"] == (1, 7)
    assert cb.label("time_and_effort") == "Time & effort" and cb.label("opening_hours") == "Opening hours"
    caps = plan.capabilities(study)
    assert caps["pillars"] is None and caps["sacrifice"] is None and caps["pillar_outcomes"] is None
    # the blocks are not drivers of the outcome, nor measurement blocks of the SERVQUAL model
    assert not any(d.startswith("pil") for d in plan.drivers(study))
    assert cb.item_groups()["pillar_integrity"] == ["pil_int1", "pil_int2", "pil_int3"]
    labelled = cb.item_groups(labelled=True)
    assert labelled["Time & effort (pillar)"] == ["pil_tim1", "pil_tim2", "pil_tim3"]
    assert labelled["Opening hours (sacrifice)"] == ["wanted_hours", "settled_hours"]


def test_a_study_without_the_blocks_lacks_the_capabilities(study_copy):
    def drop(doc):
        del doc["codebook"]["pillars"], doc["codebook"]["sacrifice"]
    edit(study_copy, drop)
    caps = plan.capabilities(load_study(study_copy))
    assert caps["pillars"] == plan.CAPABILITIES["pillars"]
    assert caps["sacrifice"] == plan.CAPABILITIES["sacrifice"]
    assert caps["pillar_outcomes"] is not None


def test_bad_blocks_are_named(study_copy):
    def break_it(doc):
        cb = doc["codebook"]
        cb["pillars"]["items"]["loyalty_love"] = ["pil_per1"]          # unknown pillar
        cb["pillars"]["items"]["empathy"] = ["pil_emp1", "pil_nope"]    # item not in the survey
        cb["pillars"]["colour"] = "blue"                                 # unknown key
        cb["sacrifice"]["attributes"]["plan_fit"] = {"wanted": "wanted_plan"}  # settled side missing
        cb["sacrifice"]["attributes"]["response_time"]["settled"] = "settled_nope"
        cb["sacrifice"]["range"] = [7, 1]

    edit(study_copy, break_it)
    found = problems_of(study_copy)
    expected = [
        "codebook.pillars.items.loyalty_love: unknown pillar (known: personalisation, integrity, expectations, "
        "resolution, time_and_effort, empathy)",
        "codebook.pillars.colour: unknown key",
        "codebook.sacrifice.attributes.plan_fit.settled: required",
        "codebook.sacrifice.range: low must be below high",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in found), (text, found)


def test_columns_missing_from_the_survey_are_named(study_copy):
    def break_it(doc):
        doc["codebook"]["pillars"]["items"]["empathy"] = ["pil_emp1", "pil_nope"]
        doc["codebook"]["sacrifice"]["attributes"]["response_time"]["settled"] = "settled_nope"

    edit(study_copy, break_it)
    found = problems_of(study_copy)
    assert "codebook.pillars.items.empathy: column 'pil_nope' not in survey.csv " \
           "(remove it if the survey does not ask it)" in found
    assert "codebook.sacrifice.attributes.response_time.settled: column 'settled_nope' not in survey.csv " \
           "(remove it if the survey does not ask it)" in found


def test_a_column_in_two_places_is_named(study_copy):
    def break_it(doc):
        doc["codebook"]["pillars"]["items"]["integrity"] = ["pil_int1", "pil_per1"]
        doc["codebook"]["sacrifice"]["attributes"]["plan_fit"]["settled"] = "sat1"

    edit(study_copy, break_it)
    found = problems_of(study_copy)
    assert any(p.startswith("codebook.pillars.items.integrity: column 'pil_per1' is already used by "
                            "personalisation") for p in found), found
    assert "codebook.sacrifice.attributes.plan_fit.settled: column 'sat1' is also a scale item or single item " \
           "of the codebook" in found


def test_non_numeric_and_out_of_scale_answers_name_file_block_and_column(study_copy):
    raw = read_table(study_copy.parent / "survey.csv")
    raw.data.loc[3, "pil_res2"] = "very"  # read_table keeps the file's text
    raw.data.loc[5, "wanted_speed"] = "9"
    cb = load_study(study_copy).codebook
    with pytest.raises(DataError) as info:
        clean_survey(raw, cb, source="survey.csv")
    text = str(info.value)
    assert "survey.csv, column 'pil_res2' (codebook.pillars.items.resolution): 1 non-numeric answer(s) " \
           "at row(s) 5 (e.g. 'very')" in text
    assert "survey.csv, column 'wanted_speed' (codebook.sacrifice.attributes.response_time.wanted): " \
           "1 value(s) outside 1..7 at row(s) 7 (e.g. 9)" in text


def test_function_arguments_are_checked():
    df = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 3, 3], "t": ["x", "y", "z"]})
    with pytest.raises(ValueError, match="unknown pillar 'loyalty'"):
        pillars.pillar_scores(df, {"loyalty": ["a"]})
    with pytest.raises(ValueError, match=r"\['zz'\] \(pillar 'integrity'\) not in data"):
        pillars.pillar_scores(df, {"integrity": ["a", "zz"]})
    with pytest.raises(ValueError, match=r"non-numeric \['t'\] \(pillar 'empathy'\)"):
        pillars.pillar_scores(df, {"empathy": ["t"]})
    with pytest.raises(ValueError, match="at least two pillars"):
        pillars.pillar_importance(df, {"empathy": ["a"]}, {"y": "b"})
    with pytest.raises(ValueError, match="attribute 'hours' without settled"):
        sacrifice.sacrifice_gaps(df, {"hours": {"wanted": "a"}})
    with pytest.raises(ValueError, match=r"'zz' \(hours.settled\) not in data"):
        sacrifice.sacrifice_gaps(df, {"hours": {"wanted": "a", "settled": "zz"}})
    with pytest.raises(ValueError, match=r"non-numeric 't' \(hours.wanted\)"):
        sacrifice.sacrifice_gaps(df, {"hours": {"wanted": "t", "settled": "a"}})


# --------------------------------------------------------------------------- methods against references


def test_paired_interval_matches_the_textbook_formula_and_scipy():
    rng = np.random.default_rng(5)
    wanted = rng.integers(3, 8, 250).astype(float)
    settled = np.clip(wanted - rng.integers(-1, 3, 250), 1, 7)
    wanted[[4, 9]] = np.nan  # pairs with a missing side are left out
    mean, se, lo, hi, n = sacrifice.paired_interval(wanted, settled, ci=0.9)
    d = (wanted - settled)[~np.isnan(wanted)]
    t = stats.t.ppf(0.95, len(d) - 1)
    textbook = (d.mean(), d.std(ddof=1) / np.sqrt(len(d)))
    assert n == 248
    # Tolerance 1e-12: the same arithmetic in another order.
    assert mean == pytest.approx(textbook[0], abs=1e-12) and se == pytest.approx(textbook[1], abs=1e-12)
    assert (lo, hi) == pytest.approx((textbook[0] - t * textbook[1], textbook[0] + t * textbook[1]), abs=1e-12)
    ok = ~np.isnan(wanted)
    ref = stats.ttest_rel(wanted[ok], settled[ok]).confidence_interval(confidence_level=0.9)
    assert (lo, hi) == pytest.approx((ref.low, ref.high), abs=1e-10)


def test_sacrifice_gaps_table():
    df = pd.DataFrame({"w": [7, 6, 7, 6, np.nan], "s": [5, 5, 6, 7, 2]})
    gaps = sacrifice.sacrifice_gaps(df, {"hours": {"wanted": "w", "settled": "s"}})
    row = gaps.loc["hours"]
    assert row["n"] == 4 and row["wanted"] == 6.5 and row["settled"] == 5.75
    assert row["sacrifice"] == pytest.approx(0.75) and row["share_sacrificing"] == 0.75
    ref = stats.ttest_rel([7, 6, 7, 6], [5, 5, 6, 7]).confidence_interval()
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((ref.low, ref.high), abs=1e-10)


def test_pillar_reliability_is_cxlab_reliability_on_the_pillars(hs):
    blocks = {"integrity": ["x1", "x2", "x3"], "empathy": ["x4", "x5", "x6"], "resolution": ["x7", "x8"]}
    table = pillars.pillar_reliability(hs, blocks, ci=0.9)
    alpha = scale_reliability(hs, blocks, ci=0.9)
    omega = omega_table(hs, blocks)
    assert table["alpha"].to_numpy() == pytest.approx(alpha["alpha"].to_numpy(), abs=1e-12)
    assert table["alpha_ci_lower"].to_numpy() == pytest.approx(alpha["ci_lower"].to_numpy(), abs=1e-12)
    assert table["omega_total"].to_numpy()[:2] == pytest.approx(omega["omega_total"].to_numpy()[:2], abs=1e-12)
    assert np.isnan(table.loc["resolution", "omega_total"])  # two items: no one-factor omega
    score = hs[blocks["integrity"]].mean(axis=1)
    ref = stats.t.interval(0.9, len(score) - 1, loc=score.mean(), scale=stats.sem(score))
    assert (table.loc["integrity", "ci_lower"], table.loc["integrity", "ci_upper"]) == pytest.approx(ref, abs=1e-10)
    assert table.loc["integrity", "std"] == pytest.approx(score.std(), abs=1e-12)


def test_pillar_importance_is_driver_importance_on_the_scores(hs):
    blocks = {"integrity": ["x1", "x2", "x3"], "empathy": ["x4", "x5", "x6"], "resolution": ["x7", "x8"]}
    imp = pillars.pillar_importance(hs, blocks, {"speed": "x9", "both": ["x8", "x9"]}, n_boot=20, seed=3)
    scores = pillars.pillar_scores(hs, blocks).assign(y=hs["x9"])
    ref = driver_importance(scores, "y", list(blocks), n_boot=20, seed=3)
    got = imp.loc["speed"]
    for col in ("importance", "share", "rank", "ci_lower", "ci_upper"):
        assert got[col].to_numpy() == pytest.approx(ref[col].to_numpy(), abs=1e-12), col
    assert got["r2"].iloc[0] == pytest.approx(ref["importance"].sum(), abs=1e-12)
    assert list(imp.index.get_level_values("outcome").unique()) == ["speed", "both"]


def test_describe_writes_from_the_numbers():
    rel = pd.DataFrame({"mean": [5.0, 4.0, 4.5], "ci_lower": [4.9, 3.9, 4.4], "ci_upper": [5.1, 4.1, 4.6],
                        "alpha": [0.8, 0.75, 0.9]}, index=pd.Index(["integrity", "empathy", "resolution"]))
    text = pillars.describe(reliability=rel)
    assert "Integrity highest (5.00) and Empathy lowest (4.00), clearly below the others" in text
    assert "all at least the usual 0.70" in text
    gaps = pd.DataFrame({"sacrifice": [-0.4], "ci_lower": [-0.6], "ci_upper": [-0.2], "share_sacrificing": [0.1]},
                        index=pd.Index(["price"]))
    assert sacrifice.describe(gaps).endswith("on 0 of 1 attributes (confidence intervals above zero). "
                                             "On price they get more than they want.")


# --------------------------------------------------------------------------- the demo's planted truth


@pytest.fixture(scope="module")
def demo_survey():
    study = load_study(DEMO / "study.yaml")
    raw = read_table(DEMO / "survey.csv")
    return study, clean_survey(raw, study.codebook, source="survey.csv").data


def test_demo_truth_describes_the_blocks():
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())
    assert truth["pillars"]["coefficients"] == synth.PILLAR_COEF
    assert truth["pillars"]["ranking"]["nps"][:3] == ["integrity", "personalisation", "expectations"]
    assert truth["pillars"]["ranking"]["intention_to_stay"][:3] == ["resolution", "time_and_effort", "integrity"]
    # the exact mean of a rounded, clipped normal answer against a large simulation (SE about 0.0006)
    y = np.random.default_rng(0).standard_normal(4_000_000)
    simulated = np.clip(np.rint(6.2 + synth.ITEM_SPREAD * y), 1, 7).mean()
    assert synth._rounded_mean(6.2) == pytest.approx(simulated, abs=0.003)


SACRIFICE_MISS = ("the demo's sample lies 3.0 standard errors from the planted 0.1837 (0.2724, SE 0.029, two-sided p "
                  "about 0.003): a sampling deviation of this seed, not a wrong truth or a bias. 10^6 respondents "
                  "through the demo's own generator code give a mean gap of 0.1837 (Monte-Carlo SE 0.0014; the other "
                  "three attributes within 1.5 SE of their truth too): test_blocks_truth_matches_a_large_simulation; "
                  "test_sacrifice_interval_covers_at_its_level shows the interval's coverage on the same model")


@pytest.mark.parametrize("attribute", [
    "opening_hours", "response_time", "plan_fit",
    pytest.param("channel_choice", marks=pytest.mark.xfail(strict=True, reason=SACRIFICE_MISS)),
])
def test_demo_sacrifice_gaps_cover_the_planted_ones(demo_survey, attribute):
    """The demo's 95 % interval of each attribute's sacrifice covers the planted one.

    Demo (n about 1,940 pairs) against the truth, in standard errors: opening hours +0.7, response time
    -1.2, plan fit +1.1, choice of channel +3.0 (0.2724 [0.2145, 0.3303] against 0.1837; wanted 5.376 against
    the population's 5.347, settled 5.104 against 5.163), hence its strict xfail. The truth itself is exact:
    10^6 respondents through ``synth._pillars_and_sacrifice`` give 1.3687, 1.1360, 0.1837 and 0.8161
    (Monte-Carlo SE 0.0013-0.0014) against the truth's 1.3677, 1.1341, 0.1837 and 0.8167.
    """
    study, survey = demo_survey
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())["sacrifice"]["population_sacrifice"]
    gaps = sacrifice.sacrifice_gaps(survey, study.codebook.sacrifice["attributes"], ci=0.95)
    row = gaps.loc[attribute]
    assert row["ci_lower"] <= truth[attribute] <= row["ci_upper"], (truth[attribute], row.to_dict())


def test_demo_sacrifice_gaps_come_out_in_the_planted_order(demo_survey):
    study, survey = demo_survey
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())["sacrifice"]["population_sacrifice"]
    gaps = sacrifice.sacrifice_gaps(survey, study.codebook.sacrifice["attributes"])
    assert gaps["sacrifice"].sort_values(ascending=False).index.tolist() == sorted(truth, key=lambda a: -truth[a])
    assert (gaps["ci_lower"] > 0).all()  # every planted sacrifice is positive and found so


def _shapley_shares(cov, k):
    """Shares of R² of the first ``k`` variables of ``cov`` for the last one, averaged over all k! orders of
    entry (an implementation independent of ``synth._lmg``, which sums over subsets)."""
    r2 = {(): 0.0}

    def fit(subset):
        key = tuple(sorted(subset))
        if key not in r2:
            s = list(key)
            r2[key] = cov[s, -1] @ np.linalg.solve(cov[np.ix_(s, s)], cov[s, -1]) / cov[-1, -1]
        return r2[key]

    gain = np.zeros(k)
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        for i, j in enumerate(order):
            gain[j] += fit(order[:i + 1]) - fit(order[:i])
    gain /= len(orders)
    return gain.sum(), gain / gain.sum()


def test_blocks_truth_matches_a_large_simulation(monkeypatch):
    """The truth of both blocks against 400,000 respondents drawn by the demo's own generator code
    (``synth._pillars_and_sacrifice``: same random stream, rounding and clipping, blanks), with outcomes
    correlated as in the demo.

    Sacrifice: each attribute's mean paired gap lies within 4 Monte-Carlo SE (about 0.0085) of
    ``population_sacrifice``. Pillars (the latents recorded as the generator turns them into items): each
    outcome's regression coefficients on the latents lie within 0.01 of the planted ones, its R² and the
    Shapley shares (all 6! orders of entry) within 0.01 of ``latent_r2`` and ``latent_importance`` (their
    Monte-Carlo SD is about 0.002). At 10^6 respondents the largest deviations were 0.0025 (coefficients),
    0.0011 (shares) and 0.0019 = 1.5 SE (sacrifice; choice of channel 0.1837 against the truth's 0.1837).
    """
    planted = yaml.safe_load((DEMO / "truth.yaml").read_text())
    n, r = 400_000, planted["pillars"]["outcome_correlation_in_sample"]
    outcomes = np.random.default_rng(29).standard_normal((n, 2)) @ np.linalg.cholesky([[1, r], [r, 1]]).T
    latents, item = [], synth._item

    def recording(rng, latent, loading, centre):
        latents.append(latent)
        return item(rng, latent, loading, centre)

    monkeypatch.setattr(synth, "_item", recording)
    world = {"customer": np.arange(n), "recommend": outcomes[:, 0], "loyalty": outcomes[:, 1]}
    frame, pil, sac = synth._pillars_and_sacrifice(synth.DEFAULT_SEED, world)
    # the truth does not depend on the sample: the simulation's truth is the demo's
    assert sac["population_sacrifice"] == planted["sacrifice"]["population_sacrifice"]
    assert pil["latent_importance"] == planted["pillars"]["latent_importance"]
    assert pil["latent_r2"] == planted["pillars"]["latent_r2"]

    for attribute, pair in synth.SACRIFICE_ITEMS.items():
        d = (frame[pair["wanted"]].astype(float) - frame[pair["settled"]].astype(float)).dropna()
        se = d.std() / np.sqrt(len(d))
        assert abs(d.mean() - sac["population_sacrifice"][attribute]) <= 4 * se, (attribute, d.mean(), se)

    names = list(synth.PILLAR_PREFIX)
    assert len(latents) == len(names) * len(synth.PILLAR_LOADINGS)
    latent = np.column_stack(latents[::len(synth.PILLAR_LOADINGS)])  # one per pillar, in order
    std = (outcomes - outcomes.mean(axis=0)) / outcomes.std(axis=0)  # as the generator standardises them
    for i, outcome in enumerate(synth.PILLAR_COEF):
        cov = np.cov(np.column_stack([latent, std[:, i]]), rowvar=False)
        coef = np.linalg.solve(cov[:-1, :-1], cov[:-1, -1])
        assert coef == pytest.approx([synth.PILLAR_COEF[outcome][p] for p in names], abs=0.01), outcome
        r2, shares = _shapley_shares(cov, len(names))
        assert r2 == pytest.approx(pil["latent_r2"][outcome], abs=0.01), outcome
        assert shares == pytest.approx([pil["latent_importance"][outcome][p] for p in names], abs=0.01), outcome


def test_sacrifice_interval_covers_at_its_level():
    """The paired t interval on the demo's generating model (rounded, clipped, correlated answers) covers
    the planted sacrifice in about 95 % of 1,000 samples of 300: binomial SD 0.007, bound 0.95 +- 0.025."""
    rng = np.random.default_rng(16)
    chol = np.linalg.cholesky([[1, synth.SACRIFICE_CORR], [synth.SACRIFICE_CORR, 1]])
    _, wanted, settled = synth.SACRIFICE["channel_choice"]
    planted = synth._rounded_mean(wanted) - synth._rounded_mean(settled)
    hits = 0
    for _ in range(1000):
        y = rng.standard_normal((300, 2)) @ chol.T
        w = np.clip(np.rint(wanted + synth.ITEM_SPREAD * y[:, 0]), 1, 7)
        s = np.clip(np.rint(settled + synth.ITEM_SPREAD * y[:, 1]), 1, 7)
        _, _, lo, hi, _ = sacrifice.paired_interval(w, s)
        hits += lo <= planted <= hi
    assert abs(hits / 1000 - 0.95) <= 0.025, hits


def test_demo_pillar_importance_recovers_the_planted_ordering(demo_survey):
    study, survey = demo_survey
    cb = study.codebook
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())["pillars"]
    imp = pillars.pillar_importance(survey, cb.pillars["items"], pillars.study_outcomes(cb, "intention_to_stay"),
                                    n_boot=200, seed=2026)
    for outcome, ranking in truth["ranking"].items():
        got = imp.loc[outcome].sort_values("importance", ascending=False)
        planted = truth["coefficients"][outcome]
        # pillars whose planted coefficients differ by at least 0.08 come out in the planted order
        for a in ranking:
            for b in ranking:
                if planted[a] - planted[b] >= 0.08:
                    assert got.loc[a, "importance"] > got.loc[b, "importance"], (outcome, a, b)
        # the first pillar leads clearly: its interval lies above the second's
        first, second = ranking[0], ranking[1]
        assert got.loc[first, "ci_lower"] > got.loc[second, "ci_upper"], outcome
        assert list(got.index[:2]) == ranking[:2]


def test_demo_pillar_reliability(demo_survey):
    study, survey = demo_survey
    rel = pillars.pillar_reliability(survey, study.codebook.pillars["items"])
    # three items with loadings 0.80, 0.77, 0.74 on a 1-7 scale: alpha about 0.8 (rounding lowers it a little)
    assert rel["alpha"].between(0.74, 0.86).all(), rel["alpha"]
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())["pillars"]["centre"]
    assert rel["mean"].sort_values().index[0] == min(truth, key=truth.get)


# --------------------------------------------------------------------------- reports


def test_report_sections_only_with_the_blocks(study_copy):
    from cxlab.report import methods_section
    from cxlab.runner import load_notebook

    with_blocks = load_study(study_copy)

    def drop(doc):
        del doc["codebook"]["pillars"], doc["codebook"]["sacrifice"]
    edit(study_copy, drop)
    without = load_study(study_copy)
    for name, calls in (("02_servqual_factors", ("pillars.pillar_reliability", "sacrifice.sacrifice_gaps")),
                        ("04_contact_levers", ("pillars.pillar_importance", "pillars.pillar_ipma",
                                               "sacrifice.sacrifice_relations"))):
        nb = load_notebook(name)
        kept = "\n".join(c.source for c in plan.prune(nb, plan.capabilities(with_blocks)).cells)
        dropped = "\n".join(c.source for c in plan.prune(nb, plan.capabilities(without)).cells)
        for call in calls:
            assert call in kept and call not in dropped, (name, call)
        assert "Six Pillars" not in dropped and "sacrifice." not in dropped and "## Customer sacrifice" not in dropped
    assert "Six Pillars (KPMG Nunwood)" in methods_section(with_blocks, "measurement")
    assert "Customer sacrifice (Pine & Gilmore)" in methods_section(with_blocks, "measurement")
    assert "Importance of the Six Pillars" in methods_section(with_blocks, "levers")
    assert "Importance–performance map of the pillars" in methods_section(with_blocks, "levers")
    assert "Customer sacrifice per respondent and attribute" in methods_section(with_blocks, "levers")
    assert "sacrifice" not in methods_section(without, "levers")
    assert "Pillars" not in methods_section(without, "measurement") + methods_section(without, "levers")
