"""Second-order factor (``g =~ visual + textual + speed``) against lavaan 0.6-14.

Reference made by ``tests/data/r/14_hs_second_order.R``. The first-order factors are
indicators of ``g`` and therefore endogenous: no free covariances among them or with
``g``; their variance rows are disturbance variances (lavaan: chi-square 85.31, df 24).
Tolerance 1e-4 (estimates, SEs, std_all absolute; fit measures relative above 1); measured
max differences: estimates 2.3e-6, SEs 5.1e-7, std_all 1.9e-6, fit measures 3.7e-8.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.syntax import build_partable, parse_model

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "hs_second_order.json").read_text())
TOL = 1e-4


@pytest.fixture(scope="module")
def res():
    return fit(pd.read_csv(DATA / "HolzingerSwineford1939.csv"), REF["model_syntax"])


def test_first_order_factors_are_endogenous():
    pt, names = build_partable(parse_model(REF["model_syntax"]))
    assert names["lv.x"] == ["g"]
    cov = pt[(pt.op == "~~") & (pt.lhs != pt.rhs)]
    assert cov.empty


def test_rows_in_lavaan_order(res):
    pe = pd.DataFrame(REF["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    assert res.converged and res.warnings == []


@pytest.mark.parametrize("col,ref_col", [("est", "est"), ("se", "se"), ("std_all", "std.all"),
                                         ("ci_lower", "ci.lower"), ("ci_upper", "ci.upper")])
def test_estimates(res, col, ref_col):
    pe = pd.DataFrame(REF["parameters"])
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=TOL)


def test_r2(res):
    for name, value in REF["r2"].items():
        assert res.r2[name] == pytest.approx(value, abs=TOL), name


def test_fit_measures(res):
    fm = res.fit_measures
    assert fm["chisq"] == pytest.approx(85.3055, abs=1e-4) and fm["df"] == 24
    for key, value in REF["fit_all"].items():
        key = key.replace(".", "_")
        assert key in fm.index, key
        assert fm[key] == pytest.approx(value, rel=TOL, abs=TOL), key
