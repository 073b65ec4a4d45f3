"""Formative constructs (``f <~ x1 + x2 + x3``) by ML against lavaan 0.6-14.

Reference ``formative`` (script ``tests/data/r/33_formative.R``):

* ``hs``: Holzinger-Swineford, a composite of x1-x3 predicting the textual and speed
  factors (301 respondents);
* ``hs_groups``: the same by school (two groups, nothing held equal);
* ``hs_mlr``: the same by MLR (robust SEs, scaled test and robust fit indices);
* ``ecsi``: the ECSI mobile-phone data of ``../shared/data/external/ecsi_mobi`` (250
  respondents; skipped when that folder is absent), image as a formative block predicting
  expectation and satisfaction.

lavaan 0.6-14 leaves every weight free (not identified); cxlab fixes the first weight to 1,
so the references are lavaan's fits of ``f <~ 1*x1 + x2 + x3`` and cxlab is fitted to the
model as usually written, without the ``1*``. Tolerances (issue 13): 1e-4 for estimates
(against the Gauss-Newton polish of lavaan's solution, ``est_gn``), standard errors,
``std_all``, R-squared and fit measures (relative above 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import NotIdentifiedError, fit

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "formative.json").read_text())
SHARED = Path(__file__).resolve().parents[2] / "shared"
MOBI = SHARED / "data" / "external" / "ecsi_mobi" / "mobi.csv"
TOL = 1e-4
FIT_KEYS = ["npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "nnfi", "rfi", "nfi",
            "ifi", "rni", "logl", "unrestricted.logl", "aic", "bic", "bic2", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "rmsea.pvalue", "rmr", "srmr", "gfi", "agfi", "pgfi", "cn_05", "ecvi"]
MLR_KEYS = ["chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
            "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust"]


def _close(a, b, tol=TOL):
    return abs(a - b) <= tol * max(1.0, abs(b))


def _data(case):
    if case.startswith("hs"):
        return pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    if not MOBI.exists():
        pytest.skip("../shared/data/external/ecsi_mobi is absent")
    return pd.read_csv(MOBI, index_col=0)


@pytest.fixture(scope="module", params=["hs", "hs_groups", "hs_mlr", "ecsi"])
def case(request):
    ref = REF[request.param]
    model = ref["model_syntax"]
    written = model.replace("<~ 1*", "<~ ")  # the model as usually written: cxlab fixes the first weight
    data = _data(request.param)
    kw = {"group": ref["data"]["group"]} if "group" in ref["data"] else {}
    if ref["options"]["se"] == "robust.huber.white":
        kw["estimator"] = "MLR"
    return ref, fit(data, written, **kw)


def _lavaan_rows(ref, res) -> tuple[pd.DataFrame, list]:
    """lavaan's rows (groups as cxlab's group values) and the merge keys."""
    lav = pd.DataFrame(ref["parameters"]).rename(columns={"std.all": "std_all_lav"})
    if "group" not in res.estimates:
        return lav, ["lhs", "op", "rhs"]
    levels = list(pd.unique(res.estimates["group"]))
    lav["group"] = [levels[g - 1] for g in lav["group"]]
    return lav, ["lhs", "op", "rhs", "group"]


def test_estimates_ses_and_std_all_match_lavaan(case):
    ref, res = case
    lav, keys = _lavaan_rows(ref, res)
    merged = lav.merge(res.estimates, on=keys, suffixes=("_lav", ""))
    assert len(merged) == len(lav) == len(res.estimates)
    assert res.converged and not res.warnings
    assert (res.estimates["op"] == "<~").sum() == (lav["op"] == "<~").sum() >= 3
    for r in merged.itertuples(index=False):
        name = f"{r.lhs} {r.op} {r.rhs}"
        assert _close(r.est, r.est_gn), (name, r.est, r.est_gn)
        assert _close(r.se, r.se_lav), (name, r.se, r.se_lav)
        assert _close(r.std_all, r.std_all_lav), name


def test_partable_rows_as_lavaan(case):
    """First weight fixed to 1, the composite's residual variance fixed to 0, indicators fixed.x."""
    ref, res = case
    est = res.estimates
    comp = est.loc[est["op"] == "<~", "lhs"].iloc[0]
    weights = est[(est["op"] == "<~") & (est["rhs"] == est.loc[est["op"] == "<~", "rhs"].iloc[0])]
    assert set(weights["est"]) == {1.0} and set(weights["se"]) == {0.0}
    var = est[(est["lhs"] == comp) & (est["op"] == "~~") & (est["rhs"] == comp)]
    assert set(var["est"]) == {0.0} and set(var["se"]) == {0.0}
    lav = pd.DataFrame(ref["parameters"])
    assert int(lav["free"].sum()) == int(res.fit_measures["npar"])


def test_fit_measures_match_lavaan(case):
    ref, res = case
    fm = res.fit_measures
    for key in FIT_KEYS + (MLR_KEYS if res.estimator == "MLR" else []):
        value = ref["fit_all"][key]
        ours = fm[key.replace(".", "_")]
        assert _close(ours, value), (key, ours, value)


def test_r2_matches_lavaan(case):
    ref, res = case
    groups = ref["r2"] if "group" in res.estimates else {None: ref["r2"]}
    for label, r2 in groups.items():
        ours = res.r2 if label is None else res.r2.loc[label]
        for name, value in r2.items():
            assert _close(ours[name], value), (label, name)
        assert set(ours.index) == set(r2)  # lavaan leaves the composite out (its R-squared is 1)


def test_explicit_first_weight_gives_the_same_fit():
    hs = _data("hs")
    ref = REF["hs"]
    a = fit(hs, ref["model_syntax"])
    b = fit(hs, ref["model_syntax"].replace("<~ 1*", "<~ "))
    np.testing.assert_allclose(a.estimates["est"], b.estimates["est"], rtol=0, atol=1e-12)


def test_lavaan_leaves_the_weights_free_and_unidentified():
    """What lavaan 0.6-14 does with the model as usually written (recorded, not matched)."""
    lav = REF["lavaan_all_weights_free"]
    assert lav["weights"] == [0, 0, 0] and lav["npar"] == REF["hs"]["fit_all"]["npar"] + 1


def test_composite_without_outgoing_path_is_refused_naming_it():
    hs = _data("hs")
    with pytest.raises(NotIdentifiedError, match="formative construct 'f'.*0 outgoing path") as err:
        fit(hs, "f <~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
    assert err.value.parameters == ["f <~ x2", "f <~ x3"]


def test_free_disturbance_with_one_path_is_refused():
    hs = _data("hs")
    with pytest.raises(NotIdentifiedError, match="'f'.*needs 2 .*residual variance is free"):
        fit(hs, "f <~ x1 + x2 + x3\nf ~~ f\ntextual =~ x4 + x5 + x6\ntextual ~ f")


def test_free_disturbance_with_correlated_outcomes_fails_the_rank_check():
    """Two outgoing paths, but the outcomes' residuals covary: lavaan gives no SEs; cxlab refuses."""
    lav = REF["lavaan_free_disturbance"]
    assert not lav["se_available"]
    with pytest.raises(NotIdentifiedError, match="not identified") as err:
        fit(_data("hs"), lav["model_syntax"].replace("<~ 1*", "<~ "))
    assert "f ~~ f" in err.value.parameters


def test_std_lv_with_a_composite_is_refused():
    with pytest.raises(NotImplementedError, match="std_lv=True with the formative construct"):
        fit(_data("hs"), REF["hs"]["model_syntax"], std_lv=True)


def test_mlr_and_meanstructure_run():
    """Same estimates with a mean structure and by MLR (robust SEs are not matched here)."""
    hs = _data("hs")
    model = REF["hs"]["model_syntax"]
    base = fit(hs, model)
    for res in (fit(hs, model, meanstructure=True), fit(hs, model, estimator="MLR")):
        merged = base.estimates.merge(res.estimates, on=["lhs", "op", "rhs"])
        np.testing.assert_allclose(merged["est_x"], merged["est_y"], rtol=0, atol=1e-6)
        assert res.fit_measures["chisq"] == pytest.approx(base.fit_measures["chisq"], rel=1e-8)


def test_partable_of_a_composite():
    """lavaan's classes: the composite is latent (and exogenous), its indicators fixed.x covariates."""
    from cxlab.sem.syntax import build_partable, parse_model

    pt, names = build_partable(parse_model("f <~ x1 + x2 + x3\ny =~ y1 + y2 + y3\ny ~ f"))
    assert names["lv"] == ["f", "y"] and names["ov.x"] == ["x1", "x2", "x3"] and names["lv.x"] == ["f"]
    rows = pt.set_index(["lhs", "op", "rhs"])
    assert rows.loc[("f", "<~", "x1"), "free"] == 0 and rows.loc[("f", "<~", "x1"), "fixed"] == 1.0
    assert rows.loc[("f", "<~", "x2"), "free"] > 0
    assert rows.loc[("f", "~~", "f"), "free"] == 0 and rows.loc[("f", "~~", "f"), "fixed"] == 0.0
    assert rows.loc[("x1", "~~", "x2"), "exo"]
    free = build_partable(parse_model("f <~ NA*x1 + 1*x2 + x3\ny =~ y1 + y2\ny ~ f"))[0].set_index(["lhs", "op", "rhs"])
    assert free.loc[("f", "<~", "x1"), "free"] > 0 and free.loc[("f", "<~", "x2"), "fixed"] == 1.0
    with pytest.raises(ValueError, match="cannot be measured by itself"):
        parse_model("f <~ f + x1")


def test_equal_weights_and_their_score_test_match_lavaan():
    """Weights held equal by a shared label; lavTestScore of that equality (ML, 1e-4)."""
    from cxlab.sem import score_tests

    ref = REF["labels"]
    res = fit(_data("hs"), ref["model_syntax"].replace("<~ 1*", "<~ "))
    assert _close(res.fit_measures["chisq"], ref["chisq"])
    st = score_tests(res).table
    (lav,) = ref["uni"]
    assert st[["lhs", "op", "rhs"]].values.tolist() == [[lav["lhs"], "==", lav["rhs"]]]
    assert st["kind"].tolist() == ["composite.loadings"] and st["parameter"].tolist() == ["f<~x3"]
    assert _close(st["x2"].iloc[0], lav["X2"]) and _close(st["pvalue"].iloc[0], lav["p.value"])
