"""MLR with observed exogenous covariates on complete data (a MIMIC model) against lavaan 0.6-14.

Reference made by ``tests/data/r/28_hs_mimic_mlr.R``: the HS three factors regressed on
``sex`` and ``ageyr`` (``fixed.x = TRUE``, no mean structure), ``estimator = "MLR"``.
With fixed.x, lavaan leaves the covariates' own (co)variances out of the h1 part of the
Yuan-Bentler scaling factor and keeps their block in the baseline model.
Tolerance 1e-4 (estimates, SEs, std_all absolute; fit measures relative above 1); measured
max differences: estimates 1.2e-6, SEs 9.4e-7, std_all 7.2e-7, fit measures 3.7e-7 relative.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "hs_mimic_mlr.json").read_text())
TOL = 1e-4


@pytest.fixture(scope="module")
def res():
    return fit(pd.read_csv(DATA / REF["data"]["file"]), REF["model_syntax"], estimator="MLR")


def test_rows_and_convergence(res):
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
    for key, value in REF["fit_all"].items():
        key = key.replace(".", "_")
        assert key in fm.index, key
        if value is None:
            assert np.isnan(fm[key]), key
        else:
            assert fm[key] == pytest.approx(value, rel=TOL, abs=TOL), key
