"""ULS and GLS on continuous data (``estimator="ULS"|"GLS"``) against lavaan 0.6-14.

Reference made by ``tests/data/r/26_hs_uls_gls.R``: the HS three-factor CFA by ULS and by
GLS, Bollen's political democracy SEM by GLS. lavaan's conventions for these estimators:
sample covariance with the N - 1 divisor, SEs from ``(Delta' W Delta)^-1 / (N - 1)``, test
``2 (N - 1) F``, no p-value for ULS. Tolerance 1e-4 (estimates, SEs, std_all absolute;
fit measures relative above 1); measured max differences: estimates 2.9e-6, SEs 5.4e-7,
std_all 6.0e-7, fit measures 6.9e-7 relative.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit

from conftest import DATA, load_reference

REF = load_reference("hs_uls_gls")
TOL = 1e-4
CASES = {"uls": ("HolzingerSwineford1939.csv", "model_syntax", "ULS"),
         "gls": ("HolzingerSwineford1939.csv", "model_syntax", "GLS"),
         "pd_gls": ("PoliticalDemocracy.csv", "pd_model_syntax", "GLS")}


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    file, syntax, est = CASES[request.param]
    return REF[request.param], fit(pd.read_csv(DATA / file), REF[syntax], estimator=est)


def test_rows_and_convergence(case):
    ref, res = case
    pe = pd.DataFrame(ref["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    assert res.converged and ref["converged"]
    assert res.estimator == ref["options"]["estimator"]


@pytest.mark.parametrize("col,ref_col", [("est", "est"), ("se", "se"), ("std_all", "std.all"), ("z", "z"),
                                         ("ci_lower", "ci.lower"), ("ci_upper", "ci.upper")])
def test_estimates(case, col, ref_col):
    ref, res = case
    pe = pd.DataFrame(ref["parameters"])
    got, want = res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float)
    np.testing.assert_allclose(got, want, rtol=TOL if col == "z" else 0, atol=TOL, equal_nan=True)


def test_r2(case):
    ref, res = case
    for name, value in ref["r2"].items():
        assert res.r2[name] == pytest.approx(value, abs=TOL), name


def test_fit_measures(case):
    ref, res = case
    fm = res.fit_measures
    assert set(k.replace(".", "_") for k in ref["fit_all"]) == set(fm.index)
    for key, value in ref["fit_all"].items():
        got = fm[key.replace(".", "_")]
        if value is None:  # ULS: lavaan gives no p-value
            assert np.isnan(got), key
        else:
            assert got == pytest.approx(value, rel=TOL, abs=TOL), key


def test_refused_where_not_implemented():
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    with pytest.raises(NotImplementedError, match="one group"):
        fit(hs, REF["model_syntax"], estimator="GLS", group="school")
    with pytest.raises(NotImplementedError, match="covariates"):
        fit(hs, "visual =~ x1 + x2 + x3\nvisual ~ ageyr", estimator="ULS")
    with pytest.raises(ValueError, match="'ULS', 'GLS'"):
        fit(hs, REF["model_syntax"], estimator="WLS")
