"""Explicit equality constraints (``==``) against lavaan 0.6-14 (``hs_equality``).

Reference made by ``tests/data/r/13_hs_equality.R``: the HS CFA with ``a == b`` (two
visual loadings) and ``d + e == 2`` (two textual loadings), ML. Measured max abs
differences: estimates 9.6e-7, SEs 1.2e-7, std_all 4.5e-7; every fit measure within
1e-6 relative (npar 19 = 21 free parameters - 2 constraints, df 26).
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.syntax import parse_model

from conftest import load_reference

REF = load_reference("hs_equality")


@pytest.fixture(scope="module")
def res(hs):
    return fit(hs, REF["model_syntax"])


def test_parsed():
    assert parse_model(REF["model_syntax"]).constraints == (("a", "b"), ("d+e", "2"))


@pytest.mark.parametrize("col,ref_col,tol", [("est", "est", 1e-5), ("se", "se", 1e-5), ("std_all", "std.all", 1e-6)])
def test_estimates(res, col, ref_col, tol):
    pe = pd.DataFrame(REF["parameters"])
    assert res.converged and res.warnings == []
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=tol)


def test_constraints_hold(res):
    est = res.estimates.set_index("label")["est"]
    assert est["a"] == pytest.approx(est["b"], abs=1e-12)
    assert est["d"] + est["e"] == pytest.approx(2.0, abs=1e-12)


def test_fit_measures(res):
    for key, value in REF["fit_all"].items():
        key = key.replace(".", "_")
        if key.startswith(("rmr", "srmr", "crmr")):
            assert abs(res.fit_measures[key] - value) <= 5e-7, key
        else:
            assert res.fit_measures[key] == pytest.approx(value, rel=1e-6, abs=1e-12), key


def test_simple_equality_equals_shared_label(hs):
    a = fit(hs, "f =~ x1 + a*x2 + b*x3\na == b")
    b = fit(hs, "f =~ x1 + a*x2 + a*x3")
    np.testing.assert_allclose(a.estimates["est"], b.estimates["est"], atol=1e-8)
    np.testing.assert_allclose(a.estimates["se"], b.estimates["se"], atol=1e-8)
    assert a.fit_measures["df"] == b.fit_measures["df"]


@pytest.mark.parametrize("model,exc,match", [
    ("f =~ x1 + a*x2 + b*x3\na == c", ValueError, r"unknown label\(s\) \['c'\]"),
    ("f =~ x1 + a*x2 + b*x3\na*b == 1", NotImplementedError, "not linear"),
    ("f =~ x1 + a*x2 + b*x3\na == 1\na == 2", ValueError, "contradict"),
    ("f =~ x1 + a*x2 + b*x3\na > b", NotImplementedError, "'>'"),
])
def test_bad_constraints(hs, model, exc, match):
    with pytest.raises(exc, match=match):
        fit(hs, model)


def test_constraints_not_yet_with_means(hs):
    # MLR with == is implemented since issue 13 (tests/test_sem_equality_mlr.py)
    with pytest.raises(NotImplementedError, match="mean structure"):
        fit(hs, REF["model_syntax"], missing="fiml")
