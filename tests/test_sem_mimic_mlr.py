"""MLR with observed exogenous covariates on complete data (a MIMIC model) against lavaan 0.6-14.

Reference made by ``tests/data/r/28_hs_mimic_mlr.R``: the HS three factors regressed on
``sex`` and ``ageyr`` (``fixed.x = TRUE``, no mean structure), ``estimator = "MLR"``.
With fixed.x, lavaan leaves the covariates' own (co)variances out of the h1 part of the
Yuan-Bentler scaling factor and keeps their block in the baseline model.
Tolerance 1e-4 (estimates, SEs, std_all absolute; fit measures relative above 1); measured
max differences: estimates 1.2e-6, SEs 9.4e-7, std_all 7.2e-7, fit measures 3.7e-7 relative.
"""

import pandas as pd
import pytest

from cxlab.sem import fit

from _lavaan import assert_column, assert_fit_measures, assert_r2, assert_rows
from conftest import DATA, load_reference

REF = load_reference("hs_mimic_mlr")
TOL = 1e-4


@pytest.fixture(scope="module")
def res():
    return fit(pd.read_csv(DATA / REF["data"]["file"]), REF["model_syntax"], estimator="MLR")


def test_rows_and_convergence(res):
    assert_rows(res, REF)


@pytest.mark.parametrize("col", ["est", "se", "std_all", "ci_lower", "ci_upper"])
def test_estimates(res, col):
    assert_column(res, REF, col, atol=TOL)


def test_r2(res):
    assert_r2(res, REF, atol=TOL)


def test_fit_measures(res):
    assert_fit_measures(res, REF, tol=TOL)
