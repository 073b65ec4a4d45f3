"""Inequality constraints (``a > 0.7``, ``c < 0.3``) against lavaan 0.6-14 (``tests/data/r/19_hs_inequality.R``).

A bound that holds at the unconstrained optimum changes nothing; a violated one becomes
active: the parameter is held at the bound (SE 0, ``z``/``pvalue`` NaN) and, as in lavaan,
neither ``npar`` nor ``df`` change. Tolerance 1e-4 (fit measures relative above 1);
measured max differences: estimates 4.0e-5 (lavaan's constrained optimiser stops
earlier), SEs 7.3e-6, std_all 1.4e-5, fit measures 8.9e-7.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.syntax import parse_model

from _lavaan import assert_estimates, assert_fit_measures
from conftest import load_reference

REF = load_reference("hs_inequality")["cases"]
TOL = 1e-4


@pytest.mark.parametrize("case", list(REF))
def test_against_lavaan(hs, case):
    ref = REF[case]
    res, pe = fit(hs, ref["model_syntax"]), pd.DataFrame(ref["parameters"])
    assert_estimates(res, ref, atol=TOL)
    np.testing.assert_array_equal(res.estimates["z"].isna().to_numpy(), pe["z"].isna().to_numpy())
    assert_fit_measures(res, ref, tol=TOL)


def test_active_bound_is_held(hs):
    est = fit(hs, REF["active"]["model_syntax"]).estimates.set_index("label").loc["a"]
    assert est["est"] == pytest.approx(0.7, abs=1e-12) and est["se"] == 0 and np.isnan(est["pvalue"])


def test_parse():
    assert parse_model("f =~ x1 + a*x2 + x3\na > 0\n1 > a").inequalities == (("a", ">", 0.0), ("a", "<", 1.0))
    with pytest.raises(NotImplementedError, match="must bound one label by a number"):
        parse_model("f =~ x1 + a*x2 + b*x3\na > b")


def test_refused_where_not_implemented(hs):
    with pytest.raises(ValueError, match="'zz > 0' names 'zz', which is not the label of a free parameter"):
        fit(hs, "f =~ x1 + a*x2 + x3\nzz > 0")
    with pytest.raises(NotImplementedError, match="Inequality constraints"):
        fit(hs, REF["active"]["model_syntax"], group="school")
    with pytest.raises(NotImplementedError, match="inequality constraints"):
        fit(hs, REF["active"]["model_syntax"], estimator="MLR")
    with pytest.raises(NotImplementedError, match="bootstrap with explicit constraints"):
        fit(hs, REF["active"]["model_syntax"], bootstrap=5)
