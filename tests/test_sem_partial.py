"""Partial invariance (``group_partial``) and group-specific ``c()`` modifiers against lavaan 0.6-14.

Reference ``hs_partial_invariance`` (script ``tests/data/r/23_hs_partial_invariance.R``): the
HS CFA by ``school`` (Pasteur = group 1, Grant-White = group 2), ML with mean structure,
expected-information SEs:

* ``partial``: ``group.equal = c("loadings", "intercepts")``, ``group.partial =
  c("visual=~x2", "x7~1")``;
* ``scalar``: the same without ``group.partial`` (the failed step the partial model relaxes);
* ``labels``: no ``group.equal``; ``c(a, a)*x2`` and ``c(l5, l5)*x5`` (equal across groups),
  ``c(l6g1, l6g2)*x6`` (a label per group), ``c(1, NA)*x3`` (fixed in group 1, free in
  group 2), ``x9 ~~ c(0.5, 0.5)*x9`` (fixed in both), ``x4 ~ c(i4, i4)*1`` and defined
  parameters over labels of both groups (``d6 := l6g2 - l6g1``, ``ratio := l5 / l6g1``);
* ``labels_equal``: ``c(a, b)*x2`` under ``group.equal = c("loadings", "intercepts")`` (the
  user labels win: x2's loading free per group);
* ``fixed_equal``: ``c(1, NA)*x3`` under ``group.equal = "loadings"`` (lavaan holds group 2
  at group 1's fixed value; reference polished by a Gauss-Newton restart);
* ``partial_mlr``: the partial model with ``estimator = "MLR"``;
* ``partial_fiml``: the partial model with ``missing = "ml"`` (FIML) on
  ``HolzingerSwineford1939_missing.csv``.

Tolerance (the issue's bar): 1e-4 absolute for estimates, SEs and std_all, every lavaan fit
measure 1e-4 relative above 1 (absolute below). Measured max differences over the six
models: estimates 7.9e-6, SEs 6.8e-6 (MLR; ML 1.2e-6), std_all 1.2e-5; fit measures
9.4e-7 relative (chisq.scaled; ML measures < 3e-7, chisq < 2e-10).
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, invariance

from conftest import DATA, load_reference

REF = load_reference("hs_partial_invariance")
HS_MODEL = REF["models"]["scalar"]["model_syntax"]
OPTIONS = {
    "partial": dict(group_equal=("loadings", "intercepts"), group_partial=("visual=~x2", "x7~1")),
    "scalar": dict(group_equal=("loadings", "intercepts")),
    "labels": {},
    "labels_equal": dict(group_equal=("loadings", "intercepts")),
    "fixed_equal": dict(group_equal=("loadings",)),
    "partial_mlr": dict(group_equal=("loadings", "intercepts"), group_partial=("visual=~x2", "x7~1"),
                        estimator="MLR"),
    "partial_fiml": dict(group_equal=("loadings", "intercepts"), group_partial=("visual=~x2", "x7~1"),
                         missing="fiml"),
}
FILES = {"partial_fiml": "HolzingerSwineford1939_missing.csv"}
TOL = 1e-4
FIT_KEYS = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
            "aic", "bic", "logl"]


@pytest.fixture(scope="module")
def fits():
    data = {name: pd.read_csv(DATA / FILES.get(name, "HolzingerSwineford1939.csv")) for name in OPTIONS}
    return {name: fit(data[name], REF["models"][name]["model_syntax"], group="school", **kw)
            for name, kw in OPTIONS.items()}


@pytest.mark.parametrize("name", list(OPTIONS))
def test_rows_and_labels(fits, name):
    """Same rows, groups, labels (``.pN.``, user labels) and free parameters as lavaan."""
    pe = pd.DataFrame(REF["models"][name]["parameters"])
    pe["group"] = [REF["data"]["group_labels"][g - 1] if g else np.nan for g in pe["group"]]  # 0: ':=' rows
    keys = ["lhs", "op", "rhs", "group", "label"]
    pd.testing.assert_frame_equal(fits[name].estimates[keys], pe[keys])
    rows = (pe["op"] != ":=").to_numpy()
    assert (fits[name].estimates["se"] > 0)[rows].tolist() == pe["free"][rows].tolist()
    assert fits[name].converged and fits[name].warnings == []


@pytest.mark.parametrize("name", list(OPTIONS))
@pytest.mark.parametrize("col,ref_col", [("est", "est"), ("se", "se"), ("std_all", "std.all")])
def test_estimates_match_lavaan(fits, name, col, ref_col):
    pe = pd.DataFrame(REF["models"][name]["parameters"])
    np.testing.assert_allclose(fits[name].estimates[col].to_numpy(float), pe[ref_col].to_numpy(float),
                               rtol=0, atol=TOL)


@pytest.mark.parametrize("name", list(OPTIONS))
def test_fit_measures_match_lavaan(fits, name):
    """Every measure of lavaan's ``fitMeasures`` (scaled and robust ones with MLR)."""
    fm = fits[name].fit_measures
    assert set(FIT_KEYS) <= set(REF["models"][name]["fit_all"])
    for key, expected in REF["models"][name]["fit_all"].items():
        got = fm[key.replace(".", "_")]
        if expected is None:
            assert np.isnan(got), key
        else:
            assert abs(got - expected) <= TOL * max(1.0, abs(expected)), (key, got, expected)


def test_partial_frees_the_named_parameters(fits):
    est = fits["partial"].estimates.set_index(["lhs", "op", "rhs", "group"])["est"]
    g1, g2 = REF["data"]["group_labels"]
    assert est[("visual", "=~", "x2", g1)] != est[("visual", "=~", "x2", g2)]
    assert est[("x7", "~1", "", g1)] != est[("x7", "~1", "", g2)]
    assert est[("visual", "=~", "x3", g1)] == est[("visual", "=~", "x3", g2)]


def test_group_partial_spellings_agree(hs, fits):
    res = fit(hs, HS_MODEL, group="school", group_equal=["loadings", "intercepts"],
              group_partial=["visual =~ x2", "x7 ~ 1"])
    np.testing.assert_allclose(res.estimates["est"], fits["partial"].estimates["est"], rtol=0, atol=1e-10)


@pytest.mark.parametrize("kw,exc,match", [
    (dict(group_equal=("loadings",), group_partial=("visual=~x10",)), ValueError, "does not have"),
    (dict(group_equal=("loadings",), group_partial=("visual x2",)), ValueError, "'visual=~x2'"),
    (dict(group_equal=("loadings",), group_partial=(3,)), ValueError, "group_partial"),
    (dict(group_partial=("visual=~x2",)), ValueError, "group_equal"),
])
def test_bad_group_partial(hs, kw, exc, match):
    with pytest.raises(exc, match=match):
        fit(hs, HS_MODEL, group="school", **kw)


def test_c_modifier_needs_one_value_per_group(hs):
    with pytest.raises(ValueError, match="has 3 values but the model has 2 group"):
        fit(hs, "visual =~ x1 + c(a, b, c)*x2 + x3", group="school")
    with pytest.raises(ValueError, match="has 2 values but the model has 1 group"):
        fit(hs, "visual =~ x1 + c(a, b)*x2 + x3")


def test_fixed_in_group_1_is_held_in_group_2_under_group_equal(fits):
    """``c(1, NA)*x3`` with ``group_equal=("loadings",)``: group 2 is held at group 1's value, as lavaan."""
    est = fits["fixed_equal"].estimates
    rows = est[(est.lhs == "visual") & (est.rhs == "x3")]
    assert rows["est"].tolist() == [1.0, 1.0] and rows["se"].tolist() == [0.0, 0.0]


def test_label_in_one_group_only_under_group_equal_is_refused(hs):
    with pytest.raises(NotImplementedError, match="has a label in group 1 but not in group 2"):
        fit(hs, "visual =~ x1 + c(a, NA)*x2 + x3", group="school", group_equal=("loadings",))


@pytest.fixture(scope="module")
def partial_table(hs):
    return invariance(hs, HS_MODEL, group="school", levels=("configural", "metric", "scalar", "partial_scalar"),
                      group_partial=("visual=~x2", "x7~1")).table


def test_invariance_partial_scalar_step(partial_table):
    """A partial scalar step after the failed scalar one: compared with metric, as lavTestLRT(metric, partial)."""
    t = partial_table
    assert t["compared_with"].tolist()[1:] == ["configural", "metric", "metric"]
    row = t.loc["partial_scalar"]
    lrt = REF["lavTestLRT_metric_partial"]
    assert row["chisq_diff"] == pytest.approx(lrt["chisq_diff"], rel=TOL)
    assert row["df_diff"] == lrt["df_diff"]
    assert row["pvalue_diff"] == pytest.approx(lrt["pvalue"], rel=TOL)
    for key in ["chisq", "df", "cfi", "rmsea", "srmr", "aic", "bic"]:
        expected = REF["models"]["partial"]["fit_all"][key]
        assert abs(row[key] - expected) <= TOL * max(1.0, abs(expected)), key
    assert row["cfi_diff"] == pytest.approx(row["cfi"] - t.loc["metric", "cfi"], abs=1e-12)


@pytest.mark.parametrize("kw,match", [
    (dict(levels=("metric", "partial_scalar")), "goes with a 'partial_' level"),
    (dict(levels=("metric", "scalar"), group_partial=("x7~1",)), "goes with a 'partial_' level"),
    (dict(levels=("metric", "metric")), "distinct"),
])
def test_bad_partial_levels(hs, kw, match):
    with pytest.raises(ValueError, match=match):
        invariance(hs, HS_MODEL, group="school", **kw)


def test_bootstrap_keeps_group_specific_labels(hs):
    """Resamples refit the same table: shared labels stay equal, ':=' over both groups' labels."""
    model = REF["models"]["labels"]["model_syntax"]
    res = fit(hs, model, group="school", bootstrap=20, seed=3, n_jobs=1)
    est = res.estimates.set_index("label")
    assert res.bootstrap_info.n_ok >= 18
    assert est.loc["a", "se"].nunique() == 1 and est.loc["a", "se"].iloc[0] > 0
    assert np.isfinite(est.loc[["d6", "ratio"], "se"]).all()
    np.testing.assert_allclose(est.loc[["d6", "ratio"], "est"], [0.173620, 1.305483], atol=TOL)
