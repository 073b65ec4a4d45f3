"""Direct/indirect/total effects, segment comparison of paths, and recovery of the demo's planted effects.

References: lavaan 0.6-14's ``:=`` results in ``hs_mediation.json`` (``ind := a*b``,
``total := c + a*b``) and the metric-invariance chi-square in ``hs_invariance.json``;
the test of a path held equal across schools is checked against an independent
two-group ML fit written here with numpy/scipy only.
"""

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import optimize

from cxlab.sem import compare_segments, describe_drivers, effects_table, fit, with_effects

from conftest import ROOT, load_reference

PLAIN_MED = ("textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~ visual_sum\n"
             "speed ~ textual + visual_sum")
HS_PATHS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nspeed ~ visual + textual"
TOL = 1e-6


@pytest.fixture(scope="module")
def hs(hs):
    """The Holzinger-Swineford data with the sum of the visual items, an observed predictor."""
    return hs.assign(visual_sum=hs["x1"] + hs["x2"] + hs["x3"])


@pytest.fixture(scope="module")
def mediation():
    return load_reference("hs_mediation")


def _lavaan(ref, name):
    return next(r for r in ref["defined"] if r["lhs"] == name)


# ------------------------------------------------------------------ effects vs lavaan
@pytest.mark.parametrize("syntax", ["plain", "with_effects"])
def test_effects_match_lavaan_defined_parameters(hs, mediation, syntax):
    model = PLAIN_MED if syntax == "plain" else with_effects(PLAIN_MED)
    eff = effects_table(fit(hs, model)).set_index(["driver", "outcome", "effect"])
    for key, name in ((("visual_sum", "speed", "indirect"), "ind"), (("visual_sum", "speed", "total"), "total")):
        ref = _lavaan(mediation, name)
        row = eff.loc[key]
        for ours, theirs in (("est", "est"), ("se", "se"), ("z", "z"), ("pvalue", "pvalue"),
                             ("ci_lower", "ci.lower"), ("ci_upper", "ci.upper"), ("std_all", "std.all")):
            assert row[ours] == pytest.approx(ref[theirs], abs=TOL), (key, ours)
    # direct effects are the regression rows themselves
    paths = {(r["rhs"], r["lhs"]): r for r in mediation["parameters"] if r["op"] == "~"}
    for (d, o), ref in paths.items():
        row = eff.loc[(d, o, "direct")]
        assert row["est"] == pytest.approx(ref["est"], abs=TOL)
        assert row["se"] == pytest.approx(ref["se"], abs=TOL)
        assert row["std_all"] == pytest.approx(ref["std.all"], abs=TOL)


def test_with_effects_definitions_equal_matrix_route(hs):
    a = effects_table(fit(hs, PLAIN_MED))
    b = effects_table(fit(hs, with_effects(PLAIN_MED)))
    pd.testing.assert_frame_equal(a, b, atol=1e-9, rtol=0)


def test_with_effects_syntax_keeps_labels_and_estimates(hs):
    model = "textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~ a*visual_sum\nspeed ~ textual + visual_sum"
    text = with_effects(model)
    assert "textual ~ a*visual_sum" in text
    assert "ind__visual_sum__speed := a*b__speed__textual" in text
    est0 = fit(hs, model).estimates
    est1 = fit(hs, text).estimates
    np.testing.assert_allclose(est1["est"].to_numpy()[: len(est0)], est0["est"].to_numpy(), atol=1e-10)


def test_three_step_chain_total_is_sum_of_paths():
    rng = np.random.default_rng(0)
    x = rng.normal(size=500)
    m1 = 0.5 * x + rng.normal(size=500)
    m2 = 0.4 * m1 + 0.3 * x + rng.normal(size=500)
    y = 0.6 * m2 + 0.2 * m1 + rng.normal(size=500)
    df = pd.DataFrame({"x": x, "m1": m1, "m2": m2, "y": y})
    model = "m1 ~ x\nm2 ~ m1 + x\ny ~ m2 + m1"
    res = fit(df, model)
    eff = effects_table(res).set_index(["driver", "outcome", "effect"])
    b = res.estimates.query("op == '~'").set_index(["lhs", "rhs"])["est"]
    expected = b["m1", "x"] * b["m2", "m1"] * b["y", "m2"] + b["m2", "x"] * b["y", "m2"] + b["m1", "x"] * b["y", "m1"]
    assert eff.loc[("x", "y", "total"), "est"] == pytest.approx(expected, abs=1e-12)
    assert ("x", "y", "direct") not in eff.index
    text = with_effects(model)
    assert "ind__x__y := " in text and "total__x__y" not in text
    # the := route (three paths in one expression) gives the same numbers and delta-method SEs
    eff2 = effects_table(fit(df, text)).set_index(["driver", "outcome", "effect"])
    np.testing.assert_allclose(eff2["se"], eff["se"], atol=1e-7)


def test_bootstrapped_effects_use_percentile_intervals(hs):
    res = fit(hs, with_effects(PLAIN_MED), bootstrap=40, seed=7)
    eff = effects_table(res).set_index(["driver", "outcome", "effect"])
    row = res.estimates.set_index("lhs").loc["ind__visual_sum__speed"]
    got = eff.loc[("visual_sum", "speed", "indirect")]
    assert got["ci_lower"] == row["ci_lower"] and got["ci_upper"] == row["ci_upper"]
    # percentile, not Wald: the interval is not symmetric around the estimate
    assert abs((got["ci_upper"] - got["est"]) - (got["est"] - got["ci_lower"])) > 1e-6


def test_multigroup_effects_per_group(hs):
    res = fit(hs, HS_PATHS, group="school", group_equal=("loadings",))
    eff = effects_table(res)
    assert list(pd.unique(eff["group"])) == ["Pasteur", "Grant-White"]
    direct = eff[eff["effect"] == "direct"].set_index(["group", "driver"])["est"]
    rows = res.estimates.query("op == '~'").set_index(["group", "rhs"])["est"]
    for key, value in rows.items():
        assert direct[key] == pytest.approx(value, abs=1e-12)


def test_errors_name_the_parameter():
    with pytest.raises(ValueError, match="'model' parameter of with_effects"):
        with_effects("")
    with pytest.raises(ValueError, match="must be recursive"):
        with_effects("y ~ x\nx ~ y")
    with pytest.raises(ValueError, match="'fit' parameter of effects_table"):
        effects_table("not a fit")
    with pytest.raises(ValueError, match="'group_equal' parameter of compare_segments"):
        compare_segments(pd.DataFrame({"x": [1.0], "y": [2.0], "g": ["a"]}), "y ~ x", group="g",
                         group_equal=("regressions",))
    with pytest.raises(ValueError, match="'group' parameter of compare_segments"):
        compare_segments(pd.DataFrame({"x": [1.0], "y": [2.0]}), "y ~ x", group="segment")


# ------------------------------------------------------------------ segments: HS by school
def _two_group_ml(hs, equal_visual_path: bool) -> float:
    """Independent ML fit (numpy/scipy only) of HS_PATHS by school with equal loadings.

    Intercepts are free per group and latent means 0, so the mean structure is saturated
    and the chi-square is sum_g N_g F_g of the covariance part (N_g divisor).
    """
    items = [f"x{i}" for i in range(1, 10)]
    groups = [hs.loc[hs["school"] == s, items].to_numpy() for s in ("Pasteur", "Grant-White")]
    S = [np.cov(X, rowvar=False, ddof=0) for X in groups]
    N = [len(X) for X in groups]
    p = 9

    def unpack(t):
        lam = np.zeros((9, 3))
        lam[[0, 3, 6], [0, 1, 2]] = 1.0
        lam[[1, 2], 0], lam[[4, 5], 1], lam[[7, 8], 2] = t[0:2], t[2:4], t[4:6]
        k = 6
        if equal_visual_path:
            b_vis = [t[k], t[k]]
            k += 1
        else:
            b_vis = [t[k], t[k + 1]]
            k += 2
        out = []
        for g in range(2):
            theta = np.diag(t[k:k + 9] ** 2)
            vv, vt, cvt, psi, b_txt = t[k + 9] ** 2, t[k + 10] ** 2, t[k + 11], t[k + 12] ** 2, t[k + 13]
            k += 14
            B = np.array([[0, 0, 0], [0, 0, 0], [b_vis[g], b_txt, 0.0]])
            Psi = np.array([[vv, cvt, 0], [cvt, vt, 0], [0, 0, psi]])
            Binv = np.linalg.inv(np.eye(3) - B)
            out.append(lam @ Binv @ Psi @ Binv.T @ lam.T + theta)
        return out

    def chisq(t):
        total = 0.0
        for Sg, Ng, Sig in zip(S, N, unpack(t)):
            sign, logdet = np.linalg.slogdet(Sig)
            if sign <= 0:
                return 1e10
            total += Ng * (logdet + np.trace(Sg @ np.linalg.inv(Sig)) - np.linalg.slogdet(Sg)[1] - p)
        return total

    start = [1.0] * 6 + [0.0] * (1 if equal_visual_path else 2)
    for Sg in S:
        start += list(np.sqrt(np.diag(Sg) / 2)) + [0.7, 0.7, 0.1, 0.5, 0.0]
    best = optimize.minimize(chisq, np.array(start), method="BFGS", options={"gtol": 1e-9, "maxiter": 20000})
    best = optimize.minimize(chisq, best.x, method="BFGS", options={"gtol": 1e-9, "maxiter": 20000})
    return float(best.fun)


@pytest.fixture(scope="module")
def hs_segments(hs):
    return compare_segments(hs, HS_PATHS, group="school")


def test_segment_base_model_matches_lavaan_metric_invariance(hs_segments):
    ref = load_reference("hs_invariance")["models"]["metric"]["fit"]
    # the structural model is equivalent to the CFA (the latent covariances are saturated)
    assert hs_segments.fit.fit_measures["chisq"] == pytest.approx(ref["chisq"], rel=1e-6)
    assert hs_segments.fit.fit_measures["df"] == ref["df"]


def test_segment_path_test_matches_independent_two_group_fit(hs, hs_segments):
    free = _two_group_ml(hs, equal_visual_path=False)
    equal = _two_group_ml(hs, equal_visual_path=True)
    assert free == pytest.approx(hs_segments.fit.fit_measures["chisq"], abs=1e-4)
    row = hs_segments.tests.loc["speed ~ visual"]
    assert row["df_diff"] == 1
    assert row["chisq_diff"] == pytest.approx(equal - free, abs=1e-4)


def test_segment_comparison_shapes(hs, hs_segments):
    t = hs_segments.tests
    assert list(t.index) == ["speed ~ visual", "speed ~ textual", "all paths"]
    assert t.loc["all paths", "df_diff"] == 2
    assert t["converged"].all()
    assert list(hs_segments.table.columns[:2]) == ["std_Pasteur", "std_Grant-White"]
    assert len(hs_segments.paths) == 4
    # with one path only, holding "regressions" equal is the same constraint as a shared label
    single = compare_segments(hs, HS_PATHS.replace(" + textual", ""), group="school")
    assert list(single.tests.index) == ["speed ~ visual"]
    via_class = fit(hs, HS_PATHS.replace(" + textual", ""), group="school", group_equal=("loadings", "regressions"))
    assert via_class.fit_measures["chisq"] - single.fit.fit_measures["chisq"] == pytest.approx(
        single.tests.loc["speed ~ visual", "chisq_diff"], abs=1e-6)


# ------------------------------------------------------------------ the demo study's planted truth
@pytest.fixture(scope="module")
def demo_fit():
    import cxlab
    from cxlab.data import load_processed_survey

    study = cxlab.load_study(ROOT / "data" / "raw" / "demo" / "study.yaml")
    survey = load_processed_survey(study)
    p = study.parameters
    return fit(survey, study.models["structural"], estimator=p["estimator"], missing=p["missing"])


def test_demo_recovers_planted_driver_effects(demo_fit):
    """Standardised paths vs truth.yaml.

    Tolerance: 3 standard errors of each standardised coefficient (the fit's SE times
    ``std_all / est``; the uncertainty of the standardising ratio is second order). Three
    SEs is the Bonferroni bound for 6 paths at 5 % family-wise (z = 2.87). Measurement
    error needs no allowance: the latent model corrects the attenuation of the 1-7
    items. The ranking of the drivers must be exact.
    """
    truth = yaml.safe_load((ROOT / "data" / "raw" / "demo" / "truth.yaml").read_text())
    assert demo_fit.converged and not demo_fit.warnings
    beta = truth["satisfaction"]["beta_standardised"]
    paths = demo_fit.estimates.query("op == '~'").set_index(["lhs", "rhs"])
    std = paths.loc["satisfaction", "std_all"]
    assert list(std.sort_values(ascending=False).index) == truth["expected"]["driver_ranking"]
    for driver, true in beta.items():
        row = paths.loc[("satisfaction", driver)]
        se_std = row["se"] * abs(row["std_all"] / row["est"])
        assert abs(row["std_all"] - true) < 3 * se_std, (driver, row["std_all"], true, se_std)
    # satisfaction -> loyalty: loyalty = 0.75 * satisfaction + N(0, 0.66^2) (+ a small direct effect of
    # abandoned calls), satisfaction standardised: var(loyalty) = 0.75^2 + 0.66^2 = 0.998, beta = 0.75 / sqrt(0.998)
    b = truth["loyalty"]["satisfaction_effect"]
    true_std = b / np.sqrt(b**2 + truth["loyalty"]["noise_sd"] ** 2)
    row = paths.loc[("loyalty", "satisfaction")]
    se_std = row["se"] * abs(row["std_all"] / row["est"])
    assert abs(row["std_all"] - true_std) < 3 * se_std, (row["std_all"], true_std, se_std)


def test_demo_effects_and_conclusions(demo_fit):
    eff = effects_table(demo_fit)
    ind = eff[(eff["outcome"] == "loyalty") & (eff["effect"] == "indirect")].set_index("driver")
    assert list(ind["std_all"].sort_values(ascending=False).index[:2]) == ["reliability", "responsiveness"]
    text = describe_drivers(demo_fit, effects=eff)
    assert text.index("reliability") < text.index("responsiveness")
    assert "fits the data well" in text
    with pytest.raises(ValueError, match="'alpha' parameter of describe_drivers"):
        describe_drivers(demo_fit, alpha=5)


def test_conclusions_refuse_a_non_converged_fit(demo_fit):
    import dataclasses

    bad = dataclasses.replace(demo_fit, converged=False, warnings=["The model did not converge (test)."])
    text = describe_drivers(bad)
    assert text.startswith("**The model did not converge") and "β" not in text
