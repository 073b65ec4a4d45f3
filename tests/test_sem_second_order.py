"""Second-order factor (``g =~ visual + textual + speed``) against lavaan 0.6-14.

Reference made by ``tests/data/r/14_hs_second_order.R``. The first-order factors are
indicators of ``g`` and therefore endogenous: no free covariances among them or with
``g``; their variance rows are disturbance variances (lavaan: chi-square 85.31, df 24).
Tolerance 1e-4 (estimates, SEs, std_all absolute; fit measures relative above 1); measured
max differences: estimates 2.3e-6, SEs 5.1e-7, std_all 1.9e-6, fit measures 3.7e-8.
"""

import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.syntax import build_partable, parse_model

from _lavaan import assert_column, assert_fit_measures, assert_r2, assert_rows
from conftest import DATA, load_reference

REF = load_reference("hs_second_order")
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
    assert_rows(res, REF)


@pytest.mark.parametrize("col", ["est", "se", "std_all", "ci_lower", "ci_upper"])
def test_estimates(res, col):
    assert_column(res, REF, col, atol=TOL)


def test_r2(res):
    assert_r2(res, REF, atol=TOL)


def test_fit_measures(res):
    fm = res.fit_measures
    assert fm["chisq"] == pytest.approx(85.3055, abs=1e-4) and fm["df"] == 24
    assert_fit_measures(res, REF, tol=TOL)
