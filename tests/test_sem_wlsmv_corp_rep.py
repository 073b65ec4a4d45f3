"""WLSMV on a real survey: the measurement model drafted for corp_rep (``tests/data/r/40_wlsmv_corp_rep.R``).

The eight-construct CFA that ``cxlab new corp --survey corp_rep_data.csv`` proposes, with
every item ordered (the study's ``estimator: WLSMV``), on the 336 complete rows of the
corporate-reputation survey in ``../shared/data/external`` (GPL: read from there, never
copied; skipped where that folder is absent). Five item pairs have tables in which one item
determines the other: lavaan bounds their polychoric correlations at 0.999, and cxlab, which
had no bound, took them to 1 - 1e-13 with DWLS weights near 1e13 and stopped short
("did not converge (no progress)", chi-square 3408.2 against lavaan's 3364.1). lavaan
0.6-14 converges to an improper solution (latent covariance matrix not positive definite,
smallest eigenvalue -0.116); cxlab must reach it and flag it, not refuse.

Tolerances, measured (lavaan 0.6-14): polychoric correlations 1e-7 (3e-8), DWLS weights
1e-6 relative (1.3e-7), estimates and standardised estimates 1e-5 (1.4e-6, lavaan's
``nlminb`` stops slightly short: its chi-square is 2e-5 above cxlab's), SEs 1e-6 (5e-8),
fit measures 1e-6 relative (2.2e-8).

A MIMIC model on the same survey (``tests/data/r/41_wlsmv_corp_rep_covariate.R``; five residual
polychoric correlations at the bound, improper) reached lavaan's estimates but ran to the
iteration limit of the covariates' Gauss-Newton; the same tolerances (measured: estimates
1.9e-6, SEs 1.5e-9, residual correlations 1.1e-8, fit measures 1e-8). Two fits, about 4 s.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.judge import interpretation_gate

from _lavaan import assert_column, assert_fit_measures
from conftest import SHARED, load_reference

REF = load_reference("wlsmv_corp_rep")
REF_X = load_reference("wlsmv_corp_rep_covariate")
SURVEY = SHARED / "data" / "external" / "corp_rep" / "corp_rep_data.csv"
TOL_EST, TOL_SE, TOL_FIT = 1e-5, 1e-6, 1e-6
LATENT_PD = "The implied covariance matrix of the latent variables is not positive definite."


def read_survey(ref) -> pd.DataFrame:
    """The reference's columns of the survey, its missing code as NaN (skips where shared/ is absent)."""
    if not SURVEY.is_file():
        pytest.skip("../shared/data/external/corp_rep is not here (the survey is not copied into tests/data)")
    columns = ref["data"]["items"] + ([ref["data"]["covariates"]] if "covariates" in ref["data"] else [])
    return pd.read_csv(SURVEY)[columns].replace(ref["data"]["missing_code"], np.nan)


@pytest.fixture(scope="module")
def items():
    return read_survey(REF)


@pytest.fixture(scope="module")
def res(items):
    return fit(items, REF["model_syntax"], estimator="WLSMV", ordered=True)


def test_the_model_and_missing_code_are_the_drafted_ones(res):
    import yaml

    from cxlab.draft import draft_study

    study = yaml.safe_load(draft_study(SURVEY, "corp"))
    words = [line.split() for line in study["models"]["measurement"].splitlines()]
    assert words == [line.split() for line in REF["model_syntax"].splitlines()]
    assert study["codebook"]["missing_codes"] == [REF["data"]["missing_code"]]
    assert res.n == REF["data"]["n"] == 336


def test_sample_statistics_stop_at_lavaans_bound(res):
    lav = np.array(REF["sample_cor"]["values"], dtype=float)
    assert REF["sample_cor"]["rownames"] == list(res.sample_cov.index)
    np.testing.assert_allclose(res.sample_cov.to_numpy(), lav, rtol=0, atol=1e-7)
    assert np.sum(np.isclose(np.tril(lav, -1), 0.999, rtol=0, atol=1e-12)) == 5
    w = res.dwls.w
    np.testing.assert_allclose(w, REF["wls_v_diag"], rtol=1e-6)


def test_converges_to_lavaans_improper_solution(res):
    assert REF["converged"] and res.converged
    pe = pd.DataFrame(REF["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    assert_column(res, REF, "est", atol=TOL_EST)
    assert_column(res, REF, "std_all", atol=TOL_EST)
    assert_column(res, REF, "se", atol=TOL_SE)
    fm = res.fit_measures
    assert fm["df"] == REF["fit_all"]["df"] == 499
    for key in ("chisq", "chisq.scaled"):
        assert fm[key.replace(".", "_")] == pytest.approx(REF["fit_all"][key], rel=TOL_FIT), key
    assert_fit_measures(res, REF, tol=TOL_FIT)  # the robust ones NaN, as lavaan's NA (R not positive definite)


def test_flagged_improper(res):
    lv = REF["cov_lv"]["rownames"]
    psi = pd.DataFrame(0.0, index=lv, columns=lv)
    for r in res.estimates[(res.estimates.op == "~~") & res.estimates.lhs.isin(lv)].itertuples():
        psi.loc[r.lhs, r.rhs] = psi.loc[r.rhs, r.lhs] = r.est
    np.testing.assert_allclose(psi.to_numpy(), REF["cov_lv"]["values"], rtol=0, atol=TOL_EST)
    assert np.linalg.eigvalsh(psi.to_numpy()).min() == pytest.approx(REF["cov_lv_min_eigenvalue"], abs=TOL_EST)
    assert LATENT_PD in res.warnings and not any("did not converge" in w for w in res.warnings)
    # lavaan warns "correlation between variables switch_3 and qual_5 is (nearly) 1.0", and so on
    near_one = [w for w in res.warnings if w.startswith("The polychoric correlation of")]
    assert len(near_one) == 5 and "of qual_5 and switch_3 is 0.999 (nearly 1" in near_one[0]
    gate = interpretation_gate(res)
    assert not gate.ok and "not_pd" in {p.kind for p in gate.problems}


def test_mimic_with_residual_correlations_at_the_bound():
    res = fit(read_survey(REF_X), REF_X["model_syntax"], estimator="WLSMV", ordered=REF_X["data"]["items"])
    assert REF_X["converged"] and res.converged, res.warnings
    lav = np.array(REF_X["residual_cor"]["values"], dtype=float)
    np.testing.assert_allclose(res.sample_cov.to_numpy(), lav, rtol=0, atol=1e-7)
    assert np.sum(np.isclose(np.tril(lav, -1), 0.999, rtol=0, atol=1e-12)) == 5
    pe = pd.DataFrame(REF_X["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    assert_column(res, REF_X, "est", atol=TOL_EST)
    assert_column(res, REF_X, "std_all", atol=TOL_EST)
    assert_column(res, REF_X, "se", atol=TOL_SE)
    assert_fit_measures(res, REF_X, tol=TOL_FIT)
    assert LATENT_PD in res.warnings and sum("is 0.999 (nearly 1" in w for w in res.warnings) == 5
