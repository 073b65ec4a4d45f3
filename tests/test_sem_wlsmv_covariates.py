"""WLSMV with observed exogenous covariates (lavaan's conditional.x) against lavaan 0.6-14.

References (tests/data/r/31_wlsmv_mimic.R and 32_wlsmv_covariate_sem.R, data simulated in
R with seed 20261202, N = 600, ordinal_mimic.csv): eight ordinal items (y1-y7 four
categories, y8 three) of two factors and two continuous covariates (x2 not centred).

* wlsmv_mimic.json: ``f1 =~ y1..y4; f2 =~ y5..y8; f1 ~ x1 + x2; f2 ~ x1 + x2``;
* wlsmv_covariate_sem.json: ``f1 =~ y1..y4; f2 =~ y5..y8; f1 ~ x1; f2 ~ f1`` (misfits:
  chisq_scaled 76.58 on 26 df), and the same with labels and ``ind := a*b`` (the indirect
  effect of x1 on f2, delta-method SE from the robust vcov);
* wlsmv_mimic.json "dif": one factor (y1-y4) on x1 and x2 with a direct effect ``y1 ~ x1``;
* wlsmv_mimic.json "binary": that one-factor MIMIC without the direct effect on y1-y4
  dichotomised (one threshold per item);
* wlsmv_mimic.json "dwls": the two-factor MIMIC with ``estimator="DWLS"``;
* wlsmv_covariate_sem.json "just_identified": ``f1 =~ y1 + y2; f1 ~ x1`` (df 0).

Measured max abs differences to lavaan: stage-1 statistics (thresholds, slopes, residual
polychorics) 1.1e-8 and their NACOV 2.5e-8 (of entries up to 11.8); estimates / robust SEs /
std_all 1.3e-8 / 1.2e-9 / 1.0e-8 (MIMIC), 1.2e-7 / 6.7e-9 / 6.5e-8 (SEM, with the defined
parameter too), 6.1e-8 / 2.3e-9 / 6.1e-8 (DIF); every fit measure lavaan reports within
4e-7 relative (chisq, chisq_scaled, scaling factor and shift, baseline, CFI/TLI/
RMSEA unscaled and scaled with their intervals, SRMR/RMR/CRMR, GFI/AGFI, CN, MFI, WRMR);
lavaan's ``*_robust`` indices are NA with covariates, NaN here.

Tolerance: 1e-3 for WLSMV (issue 13); estimates, SEs and std_all are tested at 1e-4 and
fit measures at 1e-6 relative, which they meet.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.ordinal_conditional import conditional_polychoric

DATA = Path(__file__).parent / "data"
CASES = ("wlsmv_mimic", "wlsmv_covariate_sem")
ITEMS = [f"y{k}" for k in range(1, 9)]


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA / "ordinal_mimic.csv")


@pytest.fixture(scope="module")
def refs():
    return {case: json.loads((DATA / f"{case}.json").read_text()) for case in CASES}


@pytest.fixture(scope="module")
def fits(data, refs):
    return {case: fit(data, ref["model_syntax"], ordered=ref["data"]["items"], estimator="WLSMV")
            for case, ref in refs.items()}


def test_stage1_statistics_and_nacov(data, refs):
    st = conditional_polychoric(data[ITEMS], data[["x1", "x2"]])
    ss = refs["wlsmv_mimic"]["sample_stats"]
    assert st.converged
    np.testing.assert_allclose(st.stats, ss["wls_obs"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.diag(st.nacov), ss["nacov_diag"], rtol=1e-6)
    np.testing.assert_allclose(st.slopes.to_numpy(), ss["res_slopes"]["values"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(st.corr.to_numpy(), ss["res_cov"]["values"], rtol=0, atol=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_rows_estimates_se_std(fits, refs, case):
    res, pe = fits[case], pd.DataFrame(refs[case]["parameters"])
    pe["rhs"] = pe["rhs"].fillna("")
    assert res.converged and res.estimator == "WLSMV" and res.n == 600
    ours = res.estimates
    assert list(zip(ours.lhs, ours.op, ours.rhs)) == list(zip(pe.lhs, pe.op, pe.rhs))
    for col, lav in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(ours[col].to_numpy(float), pe[lav].to_numpy(float), rtol=0, atol=1e-4,
                                   err_msg=f"{case}: {col}")
    free = pe["free"].to_numpy(bool)
    assert res.vcov.shape == (free.sum(), free.sum())


@pytest.mark.parametrize("case", CASES)
def test_fit_measures(fits, refs, case):
    fm = fits[case].fit_measures
    checked = 0
    for key, value in refs[case]["fit_all"].items():
        ours = fm[key.replace(".", "_")]
        if value is None:  # lavaan's NA: the *_robust indices, NFI/RFI when df exceeds the baseline df
            assert np.isnan(ours), key
            continue
        np.testing.assert_allclose(ours, value, rtol=1e-6, atol=1e-9, err_msg=key)
        checked += 1
    assert checked >= 50


def test_r2(fits, refs):
    r2 = fits["wlsmv_mimic"].r2
    for name, value in refs["wlsmv_mimic"]["r2"].items():
        assert r2[name] == pytest.approx(value, abs=1e-4)


def test_dwls(data, refs):
    """estimator="DWLS": lavaan's standard SEs and unscaled test, no scaled or robust measures."""
    ref = refs["wlsmv_mimic"]
    res = fit(data, ref["model_syntax"], ordered=ITEMS, estimator="DWLS")
    pe = pd.DataFrame(ref["dwls"]["parameters"])
    for col, lav in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[lav].to_numpy(float), rtol=0, atol=1e-4)
    fm = res.fit_measures
    assert "chisq_scaled" not in fm.index and "cfi_robust" not in fm.index
    for key, value in ref["dwls"]["fit_all"].items():
        key = key.replace(".", "_")
        if value is not None:
            assert fm[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key


def test_refusals(data):
    model = "f =~ y1 + y2 + y3 + y4\nf ~ x1 + x2"
    with pytest.raises(NotImplementedError, match="ordered observed exogenous covariates.*x1"):
        fit(data, model, ordered=["y1", "y2", "y3", "y4", "x1"], estimator="WLSMV")
    with pytest.raises(NotImplementedError, match="continuous .not ordered. indicators.*y4"):
        fit(data, model, ordered=["y1", "y2", "y3"], estimator="WLSMV")
    with pytest.raises(NotImplementedError, match="continuous .not ordered. indicators"):
        fit(data, model, estimator="WLSMV")
    with pytest.raises(ValueError, match="not in 'data'"):
        fit(data, model, ordered=["y1", "y2", "y3", "y4", "q9"], estimator="WLSMV")


def test_bad_data(data):
    model = "f =~ y1 + y2 + y3 + y4\nf ~ x1 + x2"
    d = data.copy()
    d["x2"] = 2 * d["x1"]
    with pytest.raises(ValueError, match="covariates .'x1', 'x2'. are linearly dependent"):
        fit(d, model, ordered=ITEMS[:4], estimator="WLSMV")
    d = data.copy()
    d["y3"] = 1
    with pytest.raises(ValueError, match="items .'y3'. have a single observed category"):
        fit(d, model, ordered=ITEMS[:4], estimator="WLSMV")


def test_defined_indirect_effect(data, refs):
    ref = refs["wlsmv_covariate_sem"]["defined"]
    res = fit(data, ref["model_syntax"], ordered=ITEMS, estimator="WLSMV")
    pe = pd.DataFrame(ref["parameters"])
    pe["rhs"] = pe["rhs"].fillna("")
    ours = res.estimates
    assert list(zip(ours.lhs, ours.op, ours.rhs, ours.label)) == list(zip(pe.lhs, pe.op, pe.rhs, pe.label))
    for col, lav in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(ours[col].to_numpy(float), pe[lav].to_numpy(float), rtol=0, atol=1e-4,
                                   err_msg=col)


def test_direct_effect_on_an_item(data, refs):
    """One-factor MIMIC with uniform DIF (``y1 ~ x1``): the item's slope enters PI directly."""
    ref = refs["wlsmv_mimic"]["dif"]
    res = fit(data, ref["model_syntax"], ordered=ref["items"], estimator="WLSMV")
    pe = pd.DataFrame(ref["parameters"])
    pe["rhs"] = pe["rhs"].fillna("")
    ours = res.estimates
    assert list(zip(ours.lhs, ours.op, ours.rhs)) == list(zip(pe.lhs, pe.op, pe.rhs))
    for col, lav in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(ours[col].to_numpy(float), pe[lav].to_numpy(float), rtol=0, atol=1e-4,
                                   err_msg=col)
    for key in ("chisq", "df", "chisq_scaled", "cfi_scaled", "tli_scaled", "rmsea_scaled", "srmr"):
        assert res.fit_measures[key] == pytest.approx(ref["fit_all"][key.replace("_", ".")], rel=1e-6), key


def test_just_identified(data, refs):
    """df = 0 (f1 on y1, y2 and x1): lavaan's conventions (TLI, RFI, AGFI, CN 1; RMSEA 0; no p-values)."""
    ref = refs["wlsmv_covariate_sem"]["just_identified"]
    res = fit(data, ref["model_syntax"], ordered=ref["items"], estimator="WLSMV")
    pe = pd.DataFrame(ref["parameters"])
    for col, lav in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[lav].to_numpy(float), rtol=0, atol=1e-4)
    for key, value in ref["fit_all"].items():
        ours = res.fit_measures[key.replace(".", "_")]
        if value is None:
            assert np.isnan(ours), key
        else:  # residual-based measures are ~1e-9 in lavaan (its optimiser), ~1e-15 here
            assert ours == pytest.approx(value, rel=1e-6, abs=1e-6), key


def test_ordered_true_leaves_covariates_continuous(data, refs):
    """lavaan's ``ordered = TRUE``: every endogenous observed variable ordered, the covariates continuous."""
    ref = refs["wlsmv_mimic"]
    res = fit(data, ref["model_syntax"], ordered=True, estimator="WLSMV")
    assert res.fit_measures["chisq_scaled"] == pytest.approx(ref["fit_all"]["chisq.scaled"], rel=1e-6)


def test_binary_items(data, refs):
    """The one-factor MIMIC on dichotomised items (one threshold each, probit slopes)."""
    ref = refs["wlsmv_mimic"]["binary"]
    d = data.copy()
    for item in ref["items"]:
        d[item] = (d[item] >= 3).astype(int)
    res = fit(d, ref["model_syntax"], ordered=ref["items"], estimator="WLSMV")
    pe = pd.DataFrame(ref["parameters"])
    pe["rhs"] = pe["rhs"].fillna("")
    assert list(zip(res.estimates.lhs, res.estimates.op, res.estimates.rhs)) == list(zip(pe.lhs, pe.op, pe.rhs))
    for col, lav in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[lav].to_numpy(float), rtol=0, atol=1e-4)
    for key, value in ref["fit_all"].items():
        ours = res.fit_measures[key.replace(".", "_")]
        if value is None:
            assert np.isnan(ours), key
        else:  # rmsea_ci_upper differs by 2e-6 relative (the root search of the interval)
            assert ours == pytest.approx(value, rel=1e-5, abs=1e-9), key
