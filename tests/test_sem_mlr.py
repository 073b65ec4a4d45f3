"""estimator="MLR" against lavaan 0.6-14 (hs_cfa_mlr.json, poldem_sem_mlr.json).

Measured max abs differences: estimates 1.0e-6 / 6.8e-6 (HS / PoliticalDemocracy, lavaan's
optimiser tolerance), robust SEs 2.6e-7 / 2.3e-6, std_all 3.8e-7 / 5.8e-7; scaled and robust
fit measures (chisq_scaled, scaling factors, cfi/tli/nfi/... scaled and robust,
rmsea_scaled, rmsea_robust and their CIs and p-values) to <= 5.5e-7 relative, except three
tiny p-values on HS (pvalue_scaled 4e-9, rmsea_pvalue_scaled and rmsea_pvalue_robust 5e-4:
3.7e-6, 1.4e-6, 1.3e-6 relative, <= 7e-10 absolute).
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, modification_indices

from conftest import DATA, load_reference

CASES = {"hs_cfa_mlr": "HolzingerSwineford1939.csv", "poldem_sem_mlr": "PoliticalDemocracy.csv"}

@pytest.fixture(scope="module")
def fits():
    out = {}
    for case, file in CASES.items():
        ref = load_reference(case)
        out[case] = (fit(pd.read_csv(DATA / file), ref["model_syntax"], estimator="MLR"), ref)
    return out


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("col,ref_col,tol", [("est", "est", 1e-5), ("se", "se", 1e-5), ("std_all", "std.all", 1e-6)])
def test_mlr_estimates_and_robust_se(fits, case, col, ref_col, tol):
    res, ref = fits[case]
    pe = pd.DataFrame(ref["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=tol)


@pytest.mark.parametrize("case", CASES)
def test_mlr_fit_measures(fits, case):
    res, ref = fits[case]
    fm = res.fit_measures
    assert res.estimator == "MLR"
    checked = 0
    for key, value in ref["fit_all"].items():
        key = key.replace(".", "_")
        # 1e-6 relative; abs 1e-9 only matters for tiny p-values (pvalue_scaled ~4e-9 on HS)
        assert fm[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key
        checked += 1
    assert checked >= 70


def test_mlr_with_covariates_fits():  # matched against lavaan in test_sem_mimic_mlr.py
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    res = fit(hs, "f =~ x4 + x5 + x6\nf ~ x1", estimator="MLR")
    assert res.converged and np.isfinite(res.fit_measures["chisq_scaled"])


@pytest.mark.parametrize("case", ["hs", "poldem"])
def test_modification_indices_mlr(case):
    """lavaan's modindices of an MLR fit (modindices_mlr.json, r/37): expected information,
    the ML gradient; top 10 in lavaan's order, mi/epc/sepc_all within 1e-4 (as test_sem_reference)."""
    ref = load_reference("modindices_mlr")[case]
    res = fit(pd.read_csv(DATA / ref["file"]), ref["model_syntax"], estimator="MLR")
    exp = pd.DataFrame(ref["modindices_top10"])
    got = modification_indices(res, top=10)
    assert got[["lhs", "op", "rhs"]].values.tolist() == exp[["lhs", "op", "rhs"]].values.tolist()
    for col, ref_col in (("mi", "mi"), ("epc", "epc"), ("sepc_all", "sepc.all")):
        np.testing.assert_allclose(got[col], exp[ref_col], rtol=0, atol=1e-4, err_msg=col)


def test_modification_indices_refuse_wlsmv_with_covariates():
    data = pd.read_csv(DATA / "ordinal_mimic.csv")
    res = fit(data, "f1 =~ y1 + y2 + y3 + y4\nf1 ~ x1", ordered=["y1", "y2", "y3", "y4"], estimator="WLSMV")
    with pytest.raises(NotImplementedError, match="covariates"):
        modification_indices(res)
