"""EFA goodness of fit (psych ``fa`` statistics) and recovery of intended dimensions.

Reference: ``tests/data/bfi_efa.json`` (psych 2.2.9 ``fa(...)`` on bfi, 2,436 complete
cases), keys ``fa_*["fit"]``. Tolerance: relative 1e-9 for every statistic (measured
agreement ~1e-15); the same formulas on the same correlation matrix, so anything looser
would hide a formula error. psych's RMSEA interval is not in the reference; it is checked
by its definition (the non-central chi-square puts the stated tail mass at each bound).
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import DATA, DEMO, SHARED, load_reference
from cxlab import factor

REF = load_reference("bfi_efa")
CASES = {"fa_minres_oblimin": ("minres", "oblimin"), "fa_ml_varimax": ("ml", "varimax"),
         "fa_minres_unrotated": ("minres", "none")}
KEYS = {"objective": "objective", "chisq": "STATISTIC", "df": "dof", "pvalue": "PVAL", "rms": "rms",
        "rmsea": "RMSEA", "tli": "TLI", "bic": "BIC"}


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv")[REF["data"]["items"]].dropna()


@pytest.mark.parametrize("case", list(CASES))
def test_fit_statistics_match_psych(bfi, case):
    method, rotation = CASES[case]
    res = factor.efa(bfi, 5, method=method, rotation=rotation)
    got = factor.efa_fit(res, bfi)
    ref = REF[case]["fit"]
    for ours, theirs in KEYS.items():
        assert got[ours] == pytest.approx(ref[theirs], rel=1e-9, abs=1e-300), ours
    assert got["n_obs"] == REF["data"]["n_complete"]


def test_rmsea_interval_by_definition(bfi):
    res = factor.efa(bfi, 5)
    got = factor.efa_fit(res, bfi, ci=0.90)
    n, df, chisq = got["n_obs"], got["df"], got["chisq"]
    lam_lo = got["rmsea_ci_lower"] ** 2 * (n - 1) * df
    lam_hi = got["rmsea_ci_upper"] ** 2 * (n - 1) * df
    # psych: P(chi2_df(lam_U) <= chisq) = 0.05 and P(chi2_df(lam_L) <= chisq) = 0.95
    assert stats.ncx2.cdf(chisq, df, lam_hi) == pytest.approx(0.05, abs=1e-9)
    assert stats.ncx2.cdf(chisq, df, lam_lo) == pytest.approx(0.95, abs=1e-9)
    assert got["rmsea_ci_lower"] < got["rmsea"] < got["rmsea_ci_upper"]
    wider = factor.efa_fit(res, bfi, ci=0.99)
    assert wider["rmsea_ci_lower"] < got["rmsea_ci_lower"] and wider["rmsea_ci_upper"] > got["rmsea_ci_upper"]


def test_well_fitting_model_has_zero_lower_bound():
    rng = np.random.default_rng(3)
    f = rng.normal(size=(400, 1))
    data = pd.DataFrame(f + rng.normal(size=(400, 5)), columns=list("abcde"))
    got = factor.efa_fit(factor.efa(data, 1), data)
    if stats.chi2.cdf(got["chisq"], got["df"]) <= 0.95:
        assert got["rmsea_ci_lower"] == 0.0


def test_corr_input_gives_the_same(bfi):
    res = factor.efa(bfi, 5, method="ml", rotation="varimax")
    from_corr = factor.efa_from_corr(bfi.corr(), 5, method="ml", rotation="varimax", n_obs=len(bfi))
    a = factor.efa_fit(res, bfi)
    b = factor.efa_fit(from_corr, corr=bfi.corr())
    pd.testing.assert_series_equal(a, b, rtol=1e-9)


def test_errors_name_the_parameter(bfi):
    res = factor.efa(bfi, 5)
    with pytest.raises(ValueError, match="'data' and 'corr' parameters of efa_fit"):
        factor.efa_fit(res)
    with pytest.raises(ValueError, match="The 'ci' parameter of efa_fit must be a float in \\(0, 1\\). Got 1.5"):
        factor.efa_fit(res, bfi, ci=1.5)
    with pytest.raises(ValueError, match="The 'data' parameter of efa_fit must hold every item"):
        factor.efa_fit(res, bfi.drop(columns="A1"))
    no_n = factor.efa_from_corr(bfi.corr(), 5)
    with pytest.raises(ValueError, match="The 'n_obs' parameter of efa_fit must be given"):
        factor.efa_fit(no_n, corr=bfi.corr())
    with pytest.raises(TypeError, match="The 'result' parameter of efa_fit must be a FactorResult"):
        factor.efa_fit("fa", bfi)


# --------------------------------------------------------------------------- recovery
@pytest.fixture(scope="module")
def demo_perceptions():
    import yaml

    study = yaml.safe_load((DEMO / "study.yaml").read_text())
    dims = {d: [f"p_{s}" for s in stems] for d, stems in study["codebook"]["servqual"]["dimensions"].items()}
    survey = pd.read_csv(DEMO / "survey.csv")
    items = [i for v in dims.values() for i in v]
    x = survey[items].where(survey[items] != 99)  # the study's numeric missing code
    return x, dims


def test_demo_efa_recovers_the_planted_servqual_dimensions(demo_perceptions):
    x, dims = demo_perceptions
    res = factor.efa(x, 5, method="minres", rotation="oblimin")
    table = factor.dimension_recovery(res, dims)
    assert table["recovered"].all(), table
    assert table["factor"].nunique() == 5
    # each item's main loading is its own dimension's factor, and it is sizeable
    for dim, items in dims.items():
        assert (res.loadings.loc[items].abs().idxmax(axis=1) == table.loc[dim, "factor"]).all()
    assert table["min_loading"].min() > 0.5
    assert table["max_cross_loading"].max() < 0.2


def test_recovery_flags_merged_dimensions(demo_perceptions):
    x, dims = demo_perceptions
    table = factor.dimension_recovery(factor.efa(x, 4), dims)
    assert not table["recovered"].all()
    merged = table[~table["recovered"]]
    assert (merged["shared_with"] != "").all()


def test_recovery_errors():
    r = pd.DataFrame(np.eye(3) * 0.5 + 0.5, index=list("abc"), columns=list("abc"))
    res = factor.efa_from_corr(r, 1)
    with pytest.raises(ValueError, match="The 'dimensions' parameter of dimension_recovery must name items"):
        factor.dimension_recovery(res, {"A": ["a", "z"]})
    with pytest.raises(ValueError, match="The 'dimensions' parameter of dimension_recovery must be a non-empty"):
        factor.dimension_recovery(res, {})


BB1992 = SHARED / "data" / "external" / "servqual_bb1992" / "bb1992_simulated.csv"


@pytest.mark.skipif(not BB1992.exists(), reason="../shared/data/external is not beside the project")
def test_babakus_boller_data_do_not_recover_the_five_dimensions():
    """Babakus & Boller (1992) could not reproduce SERVQUAL's five factors; on data
    simulated from their published correlations, neither can we (items Q1-Q22 in the
    instrument's order: 4 tangibles, 5 reliability, 4 responsiveness, 4 assurance, 5 empathy)."""
    data = pd.read_csv(BB1992)
    sizes = {"tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}
    dims, start = {}, 1
    for d, k in sizes.items():
        dims[d] = [f"Q{i}" for i in range(start, start + k)]
        start += k
    table = factor.dimension_recovery(factor.efa(data, 5), dims)
    assert table["recovered"].sum() < 5
    assert (table.loc[~table["recovered"], "shared_with"] != "").any()
