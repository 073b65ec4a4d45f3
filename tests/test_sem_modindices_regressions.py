"""Modification indices with regression candidates (``~``) against lavaan 0.6-14 (modindices_regressions.json).

lavaan's ``modindices`` offers the regression of every variable of the model's
regressions on every other (reverse arrows and cycles included) besides loadings and
covariances; made by ``tests/data/r/42_modindices_regressions.R`` on Bollen's Political
Democracy SEM (ML), a Holzinger-Swineford SEM (visual ~ textual, speed ~ visual) under
ML, FIML and two groups with equal loadings, the same with an observed outcome and
``fixed.x`` covariates (ML, two groups, FIML), and an ordinal mediation (WLSMV). With
covariates lavaan's information leaves out their moments, which moves the candidates
regressing a covariate on another variable (e.g. ageyr ~ visual). Every candidate row is
compared, in lavaan's order (lavaan also lists the fixed moments of fixed.x covariates,
mi 0, which cxlab leaves out). Measured max abs differences: mi 2.4e-4 (two groups,
x8 ~~ x9; regressions: 2.3e-4, speed ~ x9 under FIML with covariates), epc 2.2e-5 and
sepc_all 1.9e-5 (textual ~ visual, two groups with covariates). Tolerances as the other
modindices tests: mi 5e-4, epc and sepc_all 5e-5.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import describe_modification_indices, fit, modification_indices

from _lavaan import modindices_like_lavaan
from conftest import DATA, load_reference

CASES = ["poldem", "hs_sem", "hs_sem_fiml", "hs_sem_groups", "hs_sem_covariates", "hs_sem_covariates_groups",
         "hs_sem_covariates_fiml", "wlsmv_mediation"]
KEY = ["lhs", "op", "rhs", "group"]
# WLSMV mediation f1 -> f2 -> f3: the missing direct path f3 ~ f1 and its equivalents
EQUIVALENT = {("f1", "~~", "f3"), ("f2", "~~", "f3"), ("f2", "~", "f3"), ("f3", "~", "f1"), ("f1", "~", "f3")}


@pytest.fixture(scope="module")
def ref():
    return load_reference("modindices_regressions")


@pytest.fixture(scope="module")
def tables(ref):
    """``(cxlab, lavaan)`` tables of every case; cxlab's groups numbered as lavaan's."""
    out = {}
    for case in CASES:
        r = ref[case]
        options = dict(r["options"])
        if "group_equal" in options:
            options["group_equal"] = tuple(options["group_equal"])
        data = pd.read_csv(DATA / r["file"])
        if "items" in r:
            data = data[r["items"]].dropna()
            options["ordered"] = r["items"]
        res = fit(data, r["model_syntax"], **options)
        got = modindices_like_lavaan(res)
        exp = pd.DataFrame(r["modindices"])
        # lavaan lists the fixed moments of fixed.x covariates (index 0); cxlab does not
        exo = set(res.partable.loc[res.partable["exo"], "lhs"])
        exp = exp[~((exp["op"] == "~~") & exp["lhs"].isin(exo) & exp["rhs"].isin(exo))]
        out[case] = (res, got, exp)
    return out


@pytest.mark.parametrize("case", CASES)
def test_candidates_and_their_order_match_lavaan(tables, case):
    _, got, exp = tables[case]
    ours = got.dropna(subset=["mi"])[KEY].reset_index(drop=True)
    theirs = exp.dropna(subset=["mi"])[KEY].reset_index(drop=True)
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)
    # cxlab's unidentified candidates are lavaan's (lavaan lists the fixed markers too)
    nan = got[got["mi"].isna()].merge(exp, on=KEY, how="left", suffixes=("", "_lavaan"))
    assert nan["mi_lavaan"].isna().all()


def test_which_regressions_are_candidates(tables):
    regressions = {case: tables[case][1].query("op == '~'")[["lhs", "rhs"]].apply(tuple, axis=1).tolist()
                   for case in ("poldem", "hs_sem", "hs_sem_covariates")}
    # Political Democracy: dem60 ~ dem65, ind60 ~ dem60, ind60 ~ dem65 are not identified
    assert regressions["poldem"] == [("dem60", "dem65"), ("ind60", "dem60"), ("ind60", "dem65")]
    assert tables["poldem"][1].query("op == '~'")["mi"].isna().all()
    # a reverse arrow (visual ~ speed), the missing paths, a cycle (textual ~ speed); not textual ~ visual
    assert regressions["hs_sem"] == [("visual", "speed"), ("speed", "textual"), ("textual", "visual"),
                                     ("textual", "speed")]
    # an observed outcome (x9) and the covariates (ageyr, sex) on either side; no loading on x9, nor its covariances
    cov = tables["hs_sem_covariates"][1]
    assert {("x9", "visual"), ("ageyr", "visual")} <= set(regressions["hs_sem_covariates"])
    assert not ((cov["op"] != "~") & ((cov["lhs"] == "x9") | (cov["rhs"] == "x9"))).any()
    # a CFA has no regression candidate (lavaan: only variables of the model's regressions)
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    cfa = fit(hs, "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    assert set(modification_indices(cfa, top=None)["op"]) == {"=~", "~~"}


@pytest.mark.parametrize("case", CASES)
def test_indices_match_lavaan(tables, case):
    _, got, exp = tables[case]
    both = got.dropna(subset=["mi"]).merge(exp, on=KEY, suffixes=("", "_lavaan"))
    assert len(both) >= 50
    np.testing.assert_allclose(both["mi"], both["mi_lavaan"], rtol=0, atol=5e-4)
    np.testing.assert_allclose(both["epc"], both["epc_lavaan"], rtol=0, atol=5e-5)
    np.testing.assert_allclose(both["sepc_all"], both["sepc.all"], rtol=0, atol=5e-5)


def test_equivalent_candidates_have_one_index(tables, ref):
    # lavaan's reference fits of this case and the hs_sem_covariates* are converged tightly
    # (BFGS): at nlminb's default these five indices spread over 1.2e-3 (r/42)
    assert all(ref["converged"].values()) and len(ref["converged"]) == 4
    _, got, exp = tables["wlsmv_mediation"]
    both = got.merge(exp, on=KEY, suffixes=("", "_lavaan"))
    eq = both[[(r.lhs, r.op, r.rhs) in EQUIVALENT for r in both.itertuples()]]
    assert len(eq) == 5 and np.ptp(eq["mi"]) < 1e-6 and np.ptp(eq["mi_lavaan"]) < 5e-5
    np.testing.assert_allclose(eq["mi"], eq["mi_lavaan"], rtol=0, atol=5e-4)


def test_text_names_a_direct_path_and_its_equivalents(tables):
    res, _, _ = tables["wlsmv_mediation"]
    top = modification_indices(res, top=5)
    assert set(top["mi"].round(3)) == {275.831}  # five equivalent candidates, in candidate order
    text = describe_modification_indices(res, top, labels=lambda v: {"f1": "Price", "f3": "Loyalty"}.get(v))
    assert text.startswith("The largest index would free the latent covariance of Price and Loyalty: the "
                           "chi-square would drop by about 275.8")
    assert "the direct path from Price to Loyalty" in text and "(equivalent models)" in text
    one = top[(top["op"] == "~") & (top["lhs"] == "f3")]
    assert describe_modification_indices(res, one).startswith(
        "The largest index would free the direct path from f1 to f3 (a regression of f3 on f1): the chi-square "
        "would drop by about 275.8")
