"""Score tests in the ordinal invariance table against lavaan 0.6-14 (``wlsmv_score_tests``).

Reference made by ``tests/data/r/34_wlsmv_score_tests.R`` on the two-group ordinal CFA of
``r/29_wlsmv_groups.R`` (bfi A1-A5, C1-C5 by gender, WLSMV, Wu & Estabrook 2016
identification). lavaan 0.6-14 has no robust score test for WLSMV: ``lavTestScore`` falls
back to the ordinary score test of the DWLS fit function (it warns so), and that is what is
matched, with ``modindices`` for the scalar step's intercepts (fixed to 0, not ``==``
constraints). Tolerance 1e-3 (WLSMV; absolute below 1, relative above).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import InvarianceResult, invariance
from cxlab.sem.ordinal_groups import _fit, _score_tests

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "wlsmv_score_tests.json").read_text())
TOL = 1e-3
ITEMS = REF["data"]["items"]


def _close(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(b))


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")


@pytest.fixture(scope="module")
def result(bfi):
    return invariance(bfi, REF["model_syntax"], group="gender", ordered=ITEMS)


def _lavaan_metric() -> pd.DataFrame:
    uni = pd.DataFrame(REF["metric"]["uni"])
    assert uni["same_row"].all() and (uni["group_rhs"] == 2).all()  # group 2's copy held equal to group 1's
    uni["parameter"] = np.where(uni["op"] == "|", uni["lhs"] + "|" + uni["rhs"], uni["lhs"] + uni["op"] + uni["rhs"])
    return uni.set_index("parameter")


def test_failed_steps_carry_their_score_tests(result, bfi):
    assert isinstance(result, InvarianceResult)
    t = result.table
    assert list(t.index) == ["configural", "thresholds", "metric", "scalar"]
    assert t.loc["thresholds", "pvalue_diff"] > 0.05 > t.loc["metric", "pvalue_diff"] > t.loc["scalar", "pvalue_diff"]
    assert list(result.score_tests) == ["metric", "scalar"]
    levels = list(pd.unique(bfi["gender"].dropna()))
    for lev, kind in (("metric", "loadings"), ("scalar", "intercepts")):
        st = result.score_tests[lev]
        assert set(st["kind"]) == {kind} and len(st) == 10
        assert set(st["group"]) == {levels[1]}
        assert np.all(np.diff(st["x2"].to_numpy()) <= 0)


def test_metric_step_loadings_match_lavTestScore(result):
    lav = _lavaan_metric()
    st = result.score_tests["metric"]
    for p, x2 in zip(st["parameter"], st["x2"]):
        assert _close(x2, lav.loc[p, "X2"]), (p, x2, lav.loc[p, "X2"])
    assert st["parameter"].head(2).tolist() == ["agree=~A5", "agree=~A1"]


def test_scalar_step_intercepts_match_modindices(result):
    mi = pd.DataFrame(REF["scalar"]["intercepts_mi"])
    mi = mi[mi["group"] == 2].set_index("lhs")["mi"]
    st = result.score_tests["scalar"]
    assert sorted(st["lhs"]) == sorted(mi.index)
    for lhs, x2 in zip(st["lhs"], st["x2"]):
        assert _close(x2, mi[lhs]), (lhs, x2, mi[lhs])
    assert st["parameter"].iloc[0] == "A1~1"


def test_every_constraint_of_the_metric_model_matches_lavTestScore(bfi):
    """All 60 constraints (50 thresholds, 10 loadings), the ones invariance() filters out too."""
    parts = _fit(bfi, REF["model_syntax"], ordered=ITEMS, group="gender", group_equal=("thresholds", "loadings"),
                 estimator="WLSMV", identification="wu_estabrook")
    assert parts[0].fit_measures["chisq"] == pytest.approx(REF["metric"]["chisq"], rel=1e-6)
    st = _score_tests(parts).set_index("parameter")
    lav = _lavaan_metric()
    assert sorted(st.index) == sorted(lav.index) and len(st) == REF["metric"]["total"]["df"] == 60
    assert st["kind"].value_counts().to_dict() == {"thresholds": 50, "loadings": 10}
    for p in lav.index:
        assert _close(st.loc[p, "x2"], lav.loc[p, "X2"]), (p, st.loc[p, "x2"], lav.loc[p, "X2"])
        assert st.loc[p, "pvalue"] == pytest.approx(lav.loc[p, "p.value"], rel=2e-3, abs=1e-6)
