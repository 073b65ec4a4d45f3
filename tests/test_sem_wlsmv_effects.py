"""What reads a WLSMV fit beside its parameter table, against lavaan 0.6-14.

A WLSMV result's ``partable`` is lavaan's parameter table, row for row the rows of its
``estimates`` (thresholds ``|``, scaling factors ``~*~`` and intercepts included), with
``free`` numbering ``vcov``; :func:`cxlab.sem.effects_table`, :func:`describe_drivers` and
the APA tables read it. References:

* wlsmv_covariate_sem.json (r/32_wlsmv_covariate_sem.R, ordinal_mimic.csv, N = 600): ``f1`` on
  the covariate ``x1``, ``f2`` on ``f1``; "defined": ``ind := a*b``, the indirect effect of x1
  on f2 (conditional.x);
* wlsmv_effects.json (r/35_wlsmv_effects.R) "mediation": ordinal_6f.csv (N = 1,800), three
  factors, ``f2 ~ a*f1``, ``f3 ~ b*f2 + c*f1``, ``ind := a*b``, ``total := c + a*b`` (no
  covariates); "groups": bfi (A, C, E items) by gender, agree -> consc -> extra with a direct
  path and one ``ind``/``total`` per group (``c(a1, a2)*`` labels), configural and
  ``group_equal=["thresholds", "loadings"]`` (group 2 frees its scaling factors).

Measured max abs differences of the direct, indirect and total effects (est / SE / std_all) to
lavaan's ``~`` and ``:=`` rows: covariates 1.2e-7 / 6.7e-9 / 4.0e-8; mediation 7.4e-9 / 6.8e-10 /
3.9e-9; groups 8.2e-6 / 3.2e-5 / 2.6e-7 (configural) and 6.6e-6 / 1.8e-5 / 7.0e-7 (equal
thresholds and loadings): lavaan's nlminb stops a little short on the two-group fits, as in
test_sem_wlsmv_groups.py.
Tolerance 1e-3 for WLSMV (issue 13); tested at 1e-4.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab import tables
from cxlab.sem import describe_drivers, describe_fit, effects_table, fit, fit_table, with_effects
from cxlab.sem.judge import interpretation_gate

DATA = Path(__file__).parent / "data"
ITEMS = [f"y{k}" for k in range(1, 9)]
MEDIATION = "f1 =~ q1 + q2 + q3\nf2 =~ q4 + q5 + q6\nf3 =~ q7 + q8 + q9\nf2 ~ f1\nf3 ~ f2 + f1"
TOL = 1e-4


def _pe(parameters) -> pd.DataFrame:
    pe = pd.DataFrame(parameters)
    pe["rhs"] = pe["rhs"].fillna("")
    return pe


def _row(pe, lhs, op=":=", rhs=None, group=None):
    sel = (pe["lhs"] == lhs) & (pe["op"] == op)
    if rhs is not None:
        sel &= pe["rhs"] == rhs
    if group is not None:
        sel &= pe["group"] == group
    (k,) = np.flatnonzero(sel)
    return pe.iloc[k]


def _check(effects, driver, outcome, kind, lav, group=None):
    sel = (effects["driver"] == driver) & (effects["outcome"] == outcome) & (effects["effect"] == kind)
    if group is not None:
        sel &= effects["group"] == group
    (k,) = np.flatnonzero(sel)
    ours = effects.iloc[k]
    for col, ref in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        assert ours[col] == pytest.approx(lav[ref], abs=TOL), (driver, outcome, kind, col)


@pytest.fixture(scope="module")
def refs():
    return {"cov": json.loads((DATA / "wlsmv_covariate_sem.json").read_text()),
            "eff": json.loads((DATA / "wlsmv_effects.json").read_text())}


@pytest.fixture(scope="module")
def mimic():
    return pd.read_csv(DATA / "ordinal_mimic.csv")


@pytest.fixture(scope="module")
def q6():
    return pd.read_csv(DATA / "ordinal_6f.csv")


@pytest.fixture(scope="module")
def fits(refs, mimic, q6):
    items = refs["eff"]["mediation"]["data"]["items"]
    return {
        "covariates": fit(mimic, refs["cov"]["model_syntax"], ordered=ITEMS, estimator="WLSMV"),
        "covariates_dwls": fit(mimic, refs["cov"]["model_syntax"], ordered=ITEMS, estimator="DWLS"),
        "mediation": fit(q6, MEDIATION, ordered=items, estimator="WLSMV"),
        "mediation_defined": fit(q6, refs["eff"]["mediation"]["model_syntax"], ordered=items, estimator="WLSMV"),
    }


@pytest.fixture(scope="module")
def group_fits(refs):
    g = refs["eff"]["groups"]
    bfi = pd.read_csv(DATA / "bfi.csv")
    return {case: fit(bfi, g["model_plain"], ordered=g["data"]["items"], group="gender", group_equal=ge,
                      estimator="WLSMV") for case, ge in (("configural", ()), ("thr_load", ("thresholds", "loadings")))}


def _lines_up(res):
    pt, est = res.partable, res.estimates
    n = len(pt)
    keys = ["lhs", "op", "rhs"]
    assert (est[keys].iloc[:n].to_numpy() == pt[keys].to_numpy()).all()
    assert (est["op"].iloc[n:] == ":=").all()
    free = pt["free"].to_numpy()
    q = res.vcov.shape[0]
    assert sorted(set(free[free > 0])) == list(range(1, q + 1))
    se = np.sqrt(np.diag(res.vcov.to_numpy()))
    np.testing.assert_allclose(est["se"].to_numpy(float)[:n][free > 0], se[free[free > 0] - 1], rtol=1e-12)
    assert (est["se"].to_numpy(float)[:n][free == 0] == 0).all()
    assert set(pt.loc[pt["op"].isin(["|", "~*~", "~1"]), "user"]) <= {False}


@pytest.mark.parametrize("case", ["covariates", "covariates_dwls", "mediation", "mediation_defined"])
def test_partable_lines_up_with_the_estimates(fits, case):
    """Every row of ``estimates`` before the ``:=`` rows has its parameter-table row, ``free`` indexing ``vcov``."""
    _lines_up(fits[case])


def test_partable_lines_up_in_groups(group_fits):
    for res in group_fits.values():
        _lines_up(res)
        pt, est = res.partable, res.estimates
        levels = list(pd.unique(est["group"]))
        assert [levels[g - 1] for g in pt["group"]] == est["group"].iloc[: len(pt)].tolist()
        # group 2 frees its scaling factors under equal thresholds: they are free rows of the table
    scal = group_fits["thr_load"].partable.query("op == '~*~' and group == 2")
    assert (scal["free"] > 0).all() and len(scal) == 15


@pytest.mark.parametrize("syntax", ["plain", "labelled", "with_effects"])
def test_effects_with_covariates(refs, mimic, fits, syntax):
    """x1 -> f1 -> f2 (conditional.x): the indirect (= total) effect of x1 on f2 is lavaan's ``ind := a*b``."""
    ref = refs["cov"]
    res = {"plain": lambda: fits["covariates"],
           "labelled": lambda: fit(mimic, ref["defined"]["model_syntax"], ordered=ITEMS, estimator="WLSMV"),
           "with_effects": lambda: fit(mimic, with_effects(ref["model_syntax"]), ordered=ITEMS,
                                       estimator="WLSMV")}[syntax]()
    pe = _pe(ref["defined"]["parameters"])
    eff = effects_table(res)
    ind = _row(pe, "ind")
    _check(eff, "x1", "f2", "indirect", ind)
    _check(eff, "x1", "f2", "total", ind)
    _check(eff, "x1", "f1", "direct", _row(pe, "f1", "~", "x1"))
    _check(eff, "f1", "f2", "total", _row(pe, "f2", "~", "f1"))
    assert not ((eff["driver"] == "x1") & (eff["outcome"] == "f2") & (eff["effect"] == "direct")).any()


@pytest.mark.parametrize("syntax", ["plain", "labelled", "with_effects"])
def test_effects_without_covariates(refs, q6, fits, syntax):
    """f1 -> f2 -> f3 with a direct path: lavaan's ``ind := a*b`` and ``total := c + a*b``."""
    med = refs["eff"]["mediation"]
    res = {"plain": lambda: fits["mediation"], "labelled": lambda: fits["mediation_defined"],
           "with_effects": lambda: fit(q6, with_effects(MEDIATION), ordered=med["data"]["items"],
                                       estimator="WLSMV")}[syntax]()
    pe = _pe(med["parameters"])
    eff = effects_table(res)
    _check(eff, "f1", "f3", "indirect", _row(pe, "ind"))
    _check(eff, "f1", "f3", "total", _row(pe, "total"))
    _check(eff, "f1", "f3", "direct", _row(pe, "f3", "~", "f1"))
    _check(eff, "f2", "f3", "direct", _row(pe, "f3", "~", "f2"))
    _check(eff, "f1", "f2", "total", _row(pe, "f2", "~", "f1"))


@pytest.mark.parametrize("case", ["configural", "thr_load"])
def test_effects_in_groups(refs, group_fits, case):
    """Two groups: each group's indirect and total effect of agree on extra is lavaan's ``ind<g>``/``total<g>``."""
    pe = _pe(refs["eff"]["groups"][case]["parameters"])
    eff = effects_table(group_fits[case])
    levels = list(pd.unique(group_fits[case].estimates["group"]))
    for g, level in enumerate(levels, start=1):
        _check(eff, "agree", "extra", "indirect", _row(pe, f"ind{g}"), group=level)
        _check(eff, "agree", "extra", "total", _row(pe, f"total{g}"), group=level)
        _check(eff, "agree", "extra", "direct", _row(pe, "extra", "~", "agree", group=g), group=level)
        _check(eff, "consc", "extra", "direct", _row(pe, "extra", "~", "consc", group=g), group=level)
        for outcome in ("consc", "extra"):  # R² = 1 - std.all of the residual variance
            r2 = tables.r2_table(group_fits[case]).set_index(["group", "outcome"])["R²"]
            assert r2[(level, outcome)] == pytest.approx(1 - _row(pe, outcome, "~~", outcome, group=g)["std.all"],
                                                         abs=TOL)
    assert "**extra**" in describe_drivers(group_fits[case]) and "group" in tables.paths_table(group_fits[case])


def test_reports_read_a_wlsmv_fit(refs, fits):
    """describe_drivers, describe_fit, fit_table, the interpretation gate and the APA tables on WLSMV fits:
    the numbers they show are lavaan's (paths, loadings, R², scaled fit indices)."""
    med = refs["eff"]["mediation"]
    pe = _pe(med["parameters"])
    res = fits["mediation"]
    paths = tables.paths_table(res)
    lav = pe[pe["op"] == "~"]
    np.testing.assert_allclose(paths[["B", "SE", "β"]].to_numpy(float), lav[["est", "se", "std.all"]].to_numpy(float),
                               atol=TOL)
    loadings = tables.loadings_table(res)
    lav = pe[pe["op"] == "=~"]
    np.testing.assert_allclose(loadings["λ"].to_numpy(float), lav["std.all"].to_numpy(float), atol=TOL)
    r2 = tables.r2_table(res).set_index("outcome")["R²"]
    assert r2.to_dict() == pytest.approx({k: med["r2"][k] for k in ("f2", "f3")}, abs=TOL)
    apa = tables.effects_apa(effects_table(res))
    total = apa[(apa["driver"] == "f1") & (apa["outcome"] == "f3") & (apa["effect"] == "total")].iloc[0]
    assert total["B"] == pytest.approx(_row(pe, "total")["est"], abs=TOL)
    assert total["Standardised effect"] == pytest.approx(_row(pe, "total")["std.all"], abs=TOL)
    judged = fit_table(res)
    assert judged.loc["CFI", "source"] == "cfi_scaled"
    assert judged.loc["CFI", "value"] == pytest.approx(med["fit_all"]["cfi.scaled"], abs=1e-3)  # rounded to 3 places
    assert judged.loc["RMSEA", "value"] == pytest.approx(med["fit_all"]["rmsea.scaled"], abs=1e-3)
    assert interpretation_gate(res).ok
    text = describe_drivers(res)
    std = _row(pe, "f3", "~", "f2")["std.all"]
    assert f"**f3** (R² = {med['r2']['f3']:.2f})" in text and f"f2 (β = {std:.2f}" in text
    assert "The largest indirect effect is f1 → f3" in text
    assert "**f3**" in describe_fit(res)
    for res in (fits["covariates"], fits["covariates_dwls"]):
        assert "**f2**" in describe_drivers(res) and len(tables.paths_table(res)) == 2
