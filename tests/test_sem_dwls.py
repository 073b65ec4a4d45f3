"""DWLS on ordinal items (``estimator="DWLS"``) against lavaan 0.6-14.

Reference made by ``tests/data/r/27_dwls_6f.R``: the six-factor ordinal CFA of
``wlsmv_6f`` (18 seven-category items, N = 1,800) by lavaan's ``estimator = "DWLS"``:
WLSMV's estimates with standard (non-robust) SEs and the unscaled test. Tolerance 1e-3
(the WLSMV tolerance: estimates, SEs, std_all absolute; fit measures relative above 1);
measured max differences: estimates 1.0e-7, SEs 5.7e-9, std_all 1.8e-7, fit measures 5.5e-8.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit

from conftest import DATA, load_reference

REF = load_reference("dwls_6f")
TOL = 1e-3


@pytest.fixture(scope="module")
def res():
    X = pd.read_csv(DATA / REF["data"]["file"])
    return fit(X, REF["model_syntax"], estimator="DWLS", ordered=REF["data"]["items"])


def test_rows_and_convergence(res):
    pe = pd.DataFrame(REF["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    assert res.converged and res.estimator == "DWLS"


@pytest.mark.parametrize("col,ref_col", [("est", "est"), ("se", "se"), ("std_all", "std.all")])
def test_estimates(res, col, ref_col):
    pe = pd.DataFrame(REF["parameters"])
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=TOL)


def test_fit_measures_standard_test_only(res):
    fm = res.fit_measures
    assert set(k.replace(".", "_") for k in REF["fit_all"]) <= set(fm.index)
    assert not [k for k in fm.index if "scaled" in k or "robust" in k or "shift" in k or "scaling" in k]
    for key, value in REF["fit_all"].items():
        got = fm[key.replace(".", "_")]
        if value is None:
            assert np.isnan(got), key
        else:
            assert got == pytest.approx(value, rel=TOL, abs=TOL), key
