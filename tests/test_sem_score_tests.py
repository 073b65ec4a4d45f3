"""Score tests of equality constraints (``score_tests``) against lavaan 0.6-14's ``lavTestScore``.

Reference made by ``tests/data/r/25_score_tests.R``: the HS metric and scalar invariance
models by school (cross-group equalities ``.p2. == .p38.``, ...; the metric one also by
MLR, for which lavaan uses the ordinary score test too, and by FIML on the HS data with
missing values: expected information by missing-data pattern), the partial scalar model (x3 and
x7 intercepts free), the single-group model with ``a == b`` and ``d + e == 2`` and one with
shared labels (``a*x2 + a*x3``, written ``.p2. == .p3.`` as lavaan); lavaan's cumulative
tests on the scalar model. Tolerance 1e-4 (absolute below 1, relative above);
measured max differences 3.6e-5 absolute (scalar model, total test: the statistics inherit the
~1e-6 differences of the estimates); relative: 1.2e-5 univariate, 7.6e-7 total.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, invariance, rank_constraints, score_tests

from conftest import DATA, load_reference

REF = load_reference("score_tests")
TOL = 1e-4
HS = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
CASES = {
    "metric": dict(model=REF["model_syntax"], group="school", group_equal=("loadings",)),
    "scalar": dict(model=REF["model_syntax"], group="school", group_equal=("loadings", "intercepts")),
    "equality": dict(model=REF["equality_syntax"]),
    "partial": dict(model=REF["model_syntax"], group="school", group_equal=("loadings", "intercepts"),
                    group_partial=("x3~1", "x7~1")),
    "labels": dict(model=REF["label_syntax"]),
    "metric_fiml": dict(model=REF["model_syntax"], group="school", group_equal=("loadings",), missing="fiml",
                        data="HolzingerSwineford1939_missing.csv"),
    "metric_mlr": dict(model=REF["model_syntax"], group="school", group_equal=("loadings",), estimator="MLR"),
}


def _close(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(b))


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    kw = dict(CASES[request.param])
    data = pd.read_csv(DATA / kw.pop("data")) if "data" in kw else HS
    return request.param, score_tests(fit(data, kw.pop("model"), **kw))


def test_univariate_tests_match_lavaan(case):
    name, tests = case
    table = tests.table
    ref = pd.DataFrame(REF[name]["uni"])
    assert table[["lhs", "op", "rhs"]].values.tolist() == ref[["lhs", "op", "rhs"]].values.tolist()
    for got, want in zip(table["x2"], ref["X2"]):
        assert _close(got, want), (name, got, want)
    np.testing.assert_allclose(table["pvalue"], ref["p.value"], atol=TOL)
    assert (table["df"] == 1).all()


def test_total_test_matches_lavaan(case):
    name, tests = case
    ref = REF[name]["total"]
    assert _close(tests.total["x2"], ref["X2"])
    assert tests.total["df"] == ref["df"]
    assert tests.total["pvalue"] == pytest.approx(ref["p.value"], abs=TOL)


def test_cumulative_tests_match_lavaan():
    kw = dict(CASES["scalar"])
    cum = score_tests(fit(HS, kw.pop("model"), **kw), cumulative=True).cumulative
    ref = pd.DataFrame(REF["scalar_cumulative"])
    assert cum[["lhs", "op", "rhs"]].values.tolist() == ref[["lhs", "op", "rhs"]].values.tolist()
    assert cum["df"].tolist() == ref["df"].tolist()
    for got, want in zip(cum["x2"], ref["X2"]):
        assert _close(got, want), (got, want)
    np.testing.assert_allclose(cum["pvalue"], ref["p.value"], atol=TOL)


def test_constraints_name_their_parameters():
    kw = dict(CASES["scalar"])
    table = score_tests(fit(HS, kw.pop("model"), **kw)).table
    row = table.set_index("rhs").loc[".p63."]
    assert (row["parameter"], row["group"], row["kind"]) == ("x3~1", "Grant-White", "intercepts")
    assert table.set_index("rhs").loc[".p38.", "parameter"] == "visual=~x2"
    eq = score_tests(fit(HS, CASES["equality"]["model"])).table
    assert eq["parameter"].tolist() == ["visual=~x2, visual=~x3", "textual=~x5, textual=~x6"]


def test_failed_scalar_step_names_intercepts_to_free():
    result = invariance(HS, REF["model_syntax"], group="school")
    failed = result.score_tests
    assert list(failed) == ["scalar"]  # metric holds (p = .22), scalar fails
    ranked = failed["scalar"]
    assert set(ranked["kind"]) == {"intercepts"}
    assert ranked["parameter"].head(2).tolist() == ["x3~1", "x7~1"]
    ref = pd.DataFrame(REF["scalar"]["uni"]).set_index("rhs")["X2"]
    assert np.all(np.diff(ranked["x2"].to_numpy()) <= 0)
    for rhs, x2 in zip(ranked["rhs"], ranked["x2"]):
        assert _close(x2, ref[rhs])


def test_rank_constraints_sorts_all_by_default():
    kw = dict(CASES["metric"])
    ranked = rank_constraints(fit(HS, kw.pop("model"), **kw))
    assert ranked["parameter"].iloc[0] == "textual=~x5"


def test_refusals():
    with pytest.raises(ValueError, match="no equality constraint"):
        score_tests(fit(HS, REF["model_syntax"]))
    with pytest.raises(NotImplementedError, match="inequality"):
        score_tests(fit(HS, "visual =~ x1 + a*x2 + x3; textual =~ x4 + x5 + x6; a > 0.1; a == 0.5"))


def _two_segments(seed=7, n=400):
    """Two segments whose loading of y2 differs (0.9 vs 0.3): metric invariance fails."""
    rng = np.random.default_rng(seed)
    frames = []
    for seg, lam in (("A", 0.9), ("B", 0.3)):
        f = rng.normal(size=n)
        g = 0.5 * f + rng.normal(scale=0.8, size=n)
        cols = {"y1": f, "y2": lam * f, "y3": 0.8 * f, "z1": g, "z2": 0.8 * g, "z3": 0.7 * g}
        frames.append(pd.DataFrame({k: v + rng.normal(scale=0.5, size=n) for k, v in cols.items()}).assign(seg=seg))
    return pd.concat(frames, ignore_index=True)


def test_failed_metric_step_is_named_in_the_summary():
    from cxlab.sem import describe_drivers

    data = _two_segments()
    measurement = "f =~ y1 + y2 + y3\ng =~ z1 + z2 + z3"
    inv = invariance(data, measurement, group="seg")
    ranked = inv.score_tests["metric"]
    assert ranked["parameter"].iloc[0] == "f=~y2" and ranked["pvalue"].iloc[0] < 0.001
    text = describe_drivers(fit(data, measurement + "\ng ~ f"), invariance=inv)
    assert "Metric invariance across segments fails" in text
    assert "The loadings that differ most between segments (score tests): y2 on f (χ² = " in text
