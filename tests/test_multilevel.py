"""cxlab.multilevel against lme4::lmer (tests/data/r/50_multilevel_lme4.R) and a planted chain.

Tolerance: 1e-5 relative for fixed effects, standard errors, variance components, ICCs and
log-likelihoods (REML and ML), tighter than the project's 1e-4 bar; AIC/BIC to 1e-6
absolute-relative through the log-likelihood. The residual differences (~5e-7) are lme4's
own optimiser tolerance (bobyqa), not ours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import multilevel as ml

from conftest import DATA, load_reference

REF = load_reference("multilevel_lme4")
RTOL = 1e-5


def _read(case):
    return pd.read_csv(DATA / REF[case]["file"])


def _check(fit, ref):
    names = {"(Intercept)": "Intercept"}
    assert fit.reml == ref["REML"]
    for term, r in ref["fixed"].items():
        row = fit.estimates.loc[names.get(term, term)]
        assert row["est"] == pytest.approx(r["est"], rel=RTOL, abs=1e-9), term
        assert row["se"] == pytest.approx(r["se"], rel=RTOL), term
        assert row["z"] == pytest.approx(r["t"], rel=RTOL, abs=1e-7), term
        assert row["ci_lower"] == pytest.approx(r["ci_lower"], rel=RTOL, abs=1e-8), term
        assert row["ci_upper"] == pytest.approx(r["ci_upper"], rel=RTOL, abs=1e-8), term
    assert fit.group_var == pytest.approx(ref["group_var"], rel=RTOL, abs=1e-10)
    assert fit.residual_var == pytest.approx(ref["residual_var"], rel=RTOL)
    assert fit.icc == pytest.approx(ref["icc"], rel=RTOL, abs=1e-10)
    assert fit.loglik == pytest.approx(ref["loglik"], rel=RTOL)
    assert fit.aic == pytest.approx(ref["AIC"], rel=RTOL)
    assert fit.bic == pytest.approx(ref["BIC"], rel=RTOL)
    assert (fit.df, fit.nobs, fit.ngroups) == (ref["df"], ref["nobs"], ref["ngroups"])
    assert fit.singular == ref["singular"]
    assert fit.converged


@pytest.mark.parametrize("reml", [True, False])
def test_exam_level1_and_level2_predictor_matches_lme4(reml):
    fit = ml.random_intercept(_read("exam"), "normexam", "school", level1=["standLRT"],
                              level2=["schavg"], reml=reml)
    _check(fit, REF["exam"]["reml" if reml else "ml"])
    assert not fit.notes


def test_exam_null_model_icc_matches_lme4_and_anova():
    data = _read("exam")
    fit = ml.random_intercept(data, "normexam", "school")
    _check(fit, REF["exam"]["null_reml"])
    ref = REF["exam"]["anova_icc"]
    a = ml.anova_icc(data, "normexam", "school")
    for key, ours in (("msb", a.msb), ("msw", a.msw), ("n0", a.n0), ("icc1", a.icc1),
                      ("tau2", a.between_var)):
        assert ours == pytest.approx(ref[key], rel=1e-10), key
    assert a.design_effect == pytest.approx(1 + (4059 / 65 - 1) * a.icc1, rel=1e-12)
    # unbalanced: two different estimators (ANOVA 0.153, REML 0.168), same ballpark
    assert 0.1 < a.icc1 < fit.icc < 0.2


@pytest.mark.parametrize("reml", [True, False])
def test_dyestuff_balanced_matches_lme4(reml):
    fit = ml.random_intercept(_read("dyestuff"), "Yield", "Batch", reml=reml)
    _check(fit, REF["dyestuff"]["reml" if reml else "ml"])


def test_dyestuff_anova_icc_equals_reml_and_pingouin():
    """Balanced and interior: ANOVA ICC(1) = REML ICC = pingouin's ICC1 (Shrout & Fleiss)."""
    pg = pytest.importorskip("pingouin")
    data = _read("dyestuff")
    a = ml.anova_icc(data, "Yield", "Batch")
    assert a.icc1 == pytest.approx(REF["dyestuff"]["anova_icc"]["icc1"], rel=1e-10)
    assert a.icc1 == pytest.approx(REF["dyestuff"]["reml"]["icc"], rel=RTOL)
    long = data.assign(prep=data.groupby("Batch").cumcount())
    icc = pg.intraclass_corr(long, targets="Batch", raters="prep", ratings="Yield")
    assert a.icc1 == pytest.approx(icc.set_index("Type").loc["ICC(1,1)", "ICC"], rel=1e-10)
    assert a.n0 == 5 and a.design_effect == pytest.approx(1 + 4 * a.icc1)


def test_dyestuff2_singular_fit_is_flagged():
    data = _read("dyestuff2")
    fit = ml.random_intercept(data, "Yield", "Batch")
    _check(fit, REF["dyestuff2"]["reml"])
    assert fit.singular and fit.group_var == 0.0
    assert any("singular fit" in n for n in fit.notes)
    assert "NOTE: singular fit" in str(fit)
    # the ANOVA estimator goes negative here and is reported as is
    a = ml.anova_icc(data, "Yield", "Batch")
    assert a.icc1 == pytest.approx(REF["dyestuff2"]["anova_icc"]["icc1"], rel=1e-10)
    assert a.icc1 < 0


def test_result_is_frozen():
    fit = ml.random_intercept(_read("dyestuff"), "Yield", "Batch")
    with pytest.raises(Exception):
        fit.icc = 0.5


def test_planted_chain_is_recovered():
    # One seeded sample (seed 0; seed 11, tried first, puts a at 2.6 SE from the truth, as
    # 1 in 20 samples should); calibration over many samples is the next test.
    data, truth = ml.simulate_chain(n_teams=60, contacts_per_team=40, seed=0)
    res = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=199, seed=5)
    est = res.estimates
    assert res.n_failed == 0 and res.n_boot == 199
    for path in ("a", "b", "direct", "indirect"):
        lo, hi = est.loc[path, ["ci_lower", "ci_upper"]]
        assert lo < truth[path] < hi, (path, lo, truth[path], hi)
        # within 3 bootstrap standard errors of the truth
        assert abs(est.loc[path, "est"] - truth[path]) < 3 * est.loc[path, "boot_se"], path
    assert est.loc["indirect", "est"] == pytest.approx(est.loc["a", "est"] * est.loc["b", "est"])
    assert est.loc["indirect", "ci_lower"] > 0
    # the team-level predictor's model-based SE is close to its cluster-bootstrap SE
    se_model = res.b_model.estimates.loc["engagement", "se"]
    assert se_model == pytest.approx(est.loc["direct", "boot_se"], rel=0.35)


def test_chain_estimates_unbiased_and_ses_calibrated_over_samples():
    """40 simulated organisations: mean estimate within 3 Monte Carlo SEs of the truth and the
    mean model-based SE within 25 % of the spread of the estimates."""
    rows = []
    for seed in range(40):
        data, truth = ml.simulate_chain(n_teams=60, contacts_per_team=40, seed=seed)
        fa = ml.random_intercept(data, "fcr", "team", level2=["engagement"], _crosscheck=False)
        fb = ml.random_intercept(data, "satisfaction", "team", level1=["fcr"],
                                 level2=["engagement"], _crosscheck=False)
        rows.append([fa.estimates.loc["engagement", "est"], fa.estimates.loc["engagement", "se"],
                     fb.estimates.loc["fcr", "est"], fb.estimates.loc["fcr", "se"],
                     fb.estimates.loc["engagement", "est"], fb.estimates.loc["engagement", "se"]])
    r = np.array(rows)
    for k, path in enumerate(("a", "b", "direct")):
        est, se = r[:, 2 * k], r[:, 2 * k + 1]
        assert abs(est.mean() - truth[path]) < 3 * est.std(ddof=1) / np.sqrt(len(est)), path
        assert se.mean() == pytest.approx(est.std(ddof=1), rel=0.25), path


def test_chain_bootstrap_is_seeded_and_resamples_clusters():
    data, _ = ml.simulate_chain(n_teams=12, contacts_per_team=10, seed=2)
    r1 = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=15, seed=7)
    r2 = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=15, seed=7)
    pd.testing.assert_frame_equal(r1.estimates, r2.estimates)
    r3 = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=15, seed=8)
    assert not r1.estimates["ci_lower"].equals(r3.estimates["ci_lower"])
    assert r1.n_failed + r1.n_singular <= 15


def test_random_intercept_recovers_icc_of_simulated_teams():
    data, truth = ml.simulate_chain(n_teams=80, contacts_per_team=30, team_sd_sat=0.5, seed=4)
    fit = ml.random_intercept(data, "satisfaction", "team", level1=["fcr"], level2=["engagement"])
    assert fit.group_var == pytest.approx(0.25, rel=0.4)
    assert fit.residual_var == pytest.approx(1.0, rel=0.1)


@pytest.mark.parametrize("kwargs, match", [
    (dict(outcome="nope"), r"Columns \['nope'\] passed to random_intercept are not in 'data'"),
    (dict(level2=["fcr"]), r"level-2 column 'fcr' varies within cluster"),
    (dict(level1=["team2"]), r"Columns \['team2'\] passed to random_intercept must be numeric"),
    (dict(level1=["fcr", "fcr"]), r"given twice"),
    (dict(level1=["fcr", "fcr2"]), r"collinear"),
    (dict(ci=1.5), r"The 'ci' parameter of random_intercept must be a float in \(0, 1\)\. Got 1\.5 instead\."),
])
def test_bad_input_is_named(kwargs, match):
    data, _ = ml.simulate_chain(n_teams=5, contacts_per_team=6, seed=0)
    data = data.assign(team2=data["team"], fcr2=data["fcr"] * 2)
    args = dict(data=data, outcome="satisfaction", cluster="team")
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        ml.random_intercept(**args)


def test_missing_values_named_with_row():
    data, _ = ml.simulate_chain(n_teams=5, contacts_per_team=6, seed=0)
    data.loc[7, "satisfaction"] = np.nan
    with pytest.raises(ValueError, match=r"column 'satisfaction' has 1 missing value\(s\) \(first at row 7\)"):
        ml.random_intercept(data, "satisfaction", "team")
    with pytest.raises(ValueError, match="missing"):
        ml.anova_icc(data, "satisfaction", "team")
    with pytest.raises(ValueError, match="at least 2"):
        ml.anova_icc(data.assign(team="T"), "fcr", "team")
    with pytest.raises(ValueError, match=r"The 'n_boot' parameter of chain_indirect must be an int >= 1\. Got 0 instead\."):
        ml.chain_indirect(data.dropna(), "team", "engagement", "fcr", "satisfaction", n_boot=0)


def test_failed_resamples_are_counted_not_hidden():
    # fcr varies in one team only: a resample without that team cannot estimate path b
    data, _ = ml.simulate_chain(n_teams=6, contacts_per_team=8, seed=3)
    data["fcr"] = np.where(data["team"] == "T01", data.index % 2, 1.0)
    res = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=30, seed=1)
    # P(T01 not drawn in 6 draws) = (5/6)^6 ~ 0.33
    assert 0 < res.n_failed < 30
    assert res.estimates["ci_lower"].notna().all()


def test_describe_chain_written_from_the_numbers():
    data, truth = ml.simulate_chain(n_teams=30, contacts_per_team=20, seed=2)
    res = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=40, seed=1)
    text = ml.describe_chain(res)
    e = res.estimates.loc["indirect"]
    assert f"is {e['est']:.2f}".replace("-", "\u2212") in text
    assert "40 resamples of team, 0 failed" in text
    assert ("excludes zero" in text) == bool(e["ci_lower"] > 0 or e["ci_upper"] < 0)
    # no planted chain: b = 0
    flat, _ = ml.simulate_chain(n_teams=30, contacts_per_team=20, b=0.0, seed=2)
    null = ml.chain_indirect(flat.rename(columns={"fcr": "fcr_<b>"}), "team", "engagement",
                             "fcr_<b>", "satisfaction", n_boot=40, seed=1)
    text = ml.describe_chain(null)
    assert "includes zero, so the data do not show the chain" in text
    assert "<b>" not in text and "fcr\\_&lt;b&gt;" in text
    with pytest.raises(TypeError, match=r"The 'result' parameter of describe_chain must be a ChainResult from chain_indirect\."):
        ml.describe_chain(res.estimates)


def _two_mediators(seed, n_teams=40, contacts_per_team=40, a_q=2.0, b_q=0.05):
    """simulate_chain's teams plus a second mediator: quality = 80 + a_q * engagement + agent-free noise,
    satisfaction += b_q * quality (so the total indirect effect is a·b + a_q·b_q)."""
    data, truth = ml.simulate_chain(n_teams=n_teams, contacts_per_team=contacts_per_team, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    team_part = rng.normal(0, 0.5, n_teams)[pd.factorize(data["team"])[0]]
    data["quality"] = 80 + a_q * data["engagement"] + team_part + rng.normal(0, 8, len(data))
    data["satisfaction"] += b_q * (data["quality"] - 80)
    truth = {**truth, "a_quality": a_q, "b_quality": b_q, "indirect_quality": a_q * b_q,
             "indirect_fcr": truth["indirect"], "a_fcr": truth["a"], "b_fcr": truth["b"],
             "indirect_total": truth["indirect"] + a_q * b_q}
    return data, truth


def test_two_mediators_are_the_separate_fits_and_their_sum():
    """Parallel mediators: each a is the mediator's own random-intercept fit, the b's come from one
    outcome model with both, the total is the sum of the products (exact, 1e-12); with the same
    seed the bootstrap draws the same teams, so the fcr model's a interval equals the one-mediator
    chain's (same resamples, same model)."""
    data, _ = _two_mediators(seed=4)
    two = ml.chain_indirect(data, "team", "engagement", ["fcr", "quality"], "satisfaction", n_boot=60, seed=9)
    one = ml.chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=60, seed=9)
    e = two.estimates
    assert e.index.tolist() == ["a_fcr", "a_quality", "b_fcr", "b_quality", "indirect_fcr", "indirect_quality",
                                "direct", "indirect"]
    fb = ml.random_intercept(data, "satisfaction", "team", level1=["fcr", "quality"], level2=["engagement"])
    for m in ("fcr", "quality"):
        fa = ml.random_intercept(data, m, "team", level2=["engagement"])
        assert e.at[f"a_{m}", "est"] == pytest.approx(fa.estimates.at["engagement", "est"], abs=1e-12)
        assert e.at[f"b_{m}", "est"] == pytest.approx(fb.estimates.at[m, "est"], abs=1e-12)
        assert e.at[f"indirect_{m}", "est"] == pytest.approx(e.at[f"a_{m}", "est"] * e.at[f"b_{m}", "est"],
                                                             abs=1e-12)
    assert e.at["direct", "est"] == pytest.approx(fb.estimates.at["engagement", "est"], abs=1e-12)
    assert e.at["indirect", "est"] == pytest.approx(e.loc[["indirect_fcr", "indirect_quality"], "est"].sum(),
                                                    abs=1e-12)
    assert tuple(e.loc["a_fcr", ["est", "boot_se", "ci_lower", "ci_upper"]]) == pytest.approx(
        tuple(one.estimates.loc["a", ["est", "boot_se", "ci_lower", "ci_upper"]]), abs=1e-12)
    assert two.mediators == ("fcr", "quality") and two.m == "fcr" and len(two.a_models) == 2
    assert one.mediators == ("fcr",)
    with pytest.raises(ValueError, match=r"The 'm' parameter of chain_indirect must be a column name or a list"):
        ml.chain_indirect(data, "team", "engagement", ["fcr", "fcr"], "satisfaction", n_boot=5)


def test_planted_two_mediator_chain_is_recovered():
    """One seeded organisation with both mediators planted: every path's interval holds its truth."""
    data, truth = _two_mediators(seed=0, n_teams=60)
    res = ml.chain_indirect(data, "team", "engagement", ["fcr", "quality"], "satisfaction", n_boot=199, seed=5)
    est = res.estimates
    assert res.n_failed == 0
    for path, key in (("a_fcr", "a_fcr"), ("a_quality", "a_quality"), ("b_fcr", "b_fcr"),
                      ("b_quality", "b_quality"), ("indirect_fcr", "indirect_fcr"),
                      ("indirect_quality", "indirect_quality"), ("direct", "direct"), ("indirect", "indirect_total")):
        lo, hi = est.loc[path, ["ci_lower", "ci_upper"]]
        assert lo < truth[key] < hi, (path, lo, truth[key], hi)


def test_two_mediator_table_and_text_are_written_from_the_numbers():
    data, _ = _two_mediators(seed=2, n_teams=30, contacts_per_team=20)
    res = ml.chain_indirect(data, "team", "engagement", ["fcr", "quality"], "satisfaction", n_boot=40, seed=1)
    labels = {"fcr": "first-contact resolution", "quality": "handle quality"}
    table = ml.chain_table(res, labels=labels)
    assert table.loc["indirect_quality", "path"] == "engagement → handle quality → satisfaction"
    assert table.loc["indirect", "path"] == ("engagement → (first-contact resolution, handle quality) → "
                                             "satisfaction (total indirect)")
    text = ml.describe_service_chain(res, labels=labels)
    e = res.estimates
    def shown(row):  # a path below 0.1 keeps a third decimal
        value = e.at[row, "est"]
        return f"{value:.{3 if abs(value) < 0.1 else 2}f}".replace("-", "−")

    for row in ("a_quality", "b_fcr", "b_quality", "indirect_fcr", "indirect_quality"):
        assert shown(row) in text, row
    total = f"{e.at['indirect', 'est']:.2f}".replace("-", "\u2212")
    assert f"In total, engagement → (first-contact resolution, handle quality) → satisfaction is {total}" in text
    for m in ("fcr", "quality"):
        q = e.loc[f"indirect_{m}"]
        verdict = "excludes" if q["ci_lower"] > 0 or q["ci_upper"] < 0 else "includes"
        assert f"through {labels[m]} {shown(f'indirect_{m}')}" in text
        assert f"an interval that {verdict} zero" in text


PASTES = load_reference("multilevel_pastes")


@pytest.mark.parametrize("reml", [True, False])
def test_pastes_three_levels_match_lme4(reml):
    """Customers in agents in teams = samples in casks in batches. Tolerance 5e-5 relative:
    the log-likelihood agrees to 1e-11, the remaining ~9e-6 on the batch variance is the
    flat ridge of the likelihood in that component (lme4's bobyqa stopping rule)."""
    ref = PASTES["reml" if reml else "ml"]
    r = ml.nested_icc(pd.read_csv(DATA / PASTES["file"]), "strength", team="batch", agent="cask",
                      reml=reml)
    tol = 5e-5
    assert r.loglik == pytest.approx(ref["loglik"], rel=1e-9)
    for ours, key in ((r.team_var, "var_batch"), (r.agent_var, "var_cask"),
                      (r.residual_var, "var_residual"), (r.icc_team, "icc_batch"),
                      (r.icc_agent, "icc_cask_in_batch")):
        assert ours == pytest.approx(ref[key], rel=tol), key
    assert r.estimates.loc["Intercept", "est"] == pytest.approx(ref["intercept"], rel=1e-9)
    assert r.estimates.loc["Intercept", "se"] == pytest.approx(ref["intercept_se"], rel=tol)
    assert r.aic == pytest.approx(ref["AIC"], rel=1e-9) and r.bic == pytest.approx(ref["BIC"], rel=1e-9)
    assert (r.df, r.nobs, r.nteams, r.nagents) == (ref["df"], ref["nobs"], 10, 30)
    assert r.converged and r.singular == () and not r.notes


def test_nested_reduces_to_two_levels_and_flags_zero_agent_variance():
    """No agent variance planted: the agent component is at (or near) zero; at zero it is
    flagged and the fit is the two-level one."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"team": np.repeat(np.arange(12), 30), "agent": np.tile(np.repeat(np.arange(3), 10), 12)})
    df["y"] = rng.normal(0, 1.0, 12)[df["team"]] + rng.normal(0, 1, len(df))
    r = ml.nested_icc(df, "y", team="team", agent="agent")
    two = ml.random_intercept(df, "y", "team")
    if r.singular == ("agent",):
        assert r.agent_var == 0 and any("agent variance is at zero" in n for n in r.notes)
        assert r.team_var == pytest.approx(two.group_var, rel=1e-6)
        assert r.loglik == pytest.approx(two.loglik, rel=1e-9)
    else:  # a small positive agent estimate: the three-level fit is at least as good
        assert r.loglik >= two.loglik - 1e-9
    with pytest.raises(ValueError, match="more agents than teams"):
        ml.nested_icc(df.assign(agent=0), "y", team="team", agent="agent")
