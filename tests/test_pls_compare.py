"""PLS beside CB-SEM (``pls.compare_sem``, ``pls.describe_comparison``, ``pls.unsupported``).

On data whose covariance is exactly a reflective model's, CB-SEM (ML) and consistent PLS
both return the population paths (tolerance 1e-6: the ML optimiser's convergence), and
plain PLS is attenuated by the composites' reliabilities; the tables carry the numbers of
the fits they come from (exact) and the paragraph states them.
"""

import numpy as np
import pytest

from cxlab import pls, sem
from test_pls import _population_data


@pytest.fixture(scope="module")
def compared():
    data, model, _ = _population_data()
    res = pls.fit(data, model, bootstrap=50, seed=1, n_jobs=1)
    plsc = pls.fit(data, model, consistent=True, tol=1e-10)
    fit = sem.fit(data, model)
    return res, plsc, fit, pls.compare_sem(res, fit, consistent=plsc)


def test_tables_carry_the_fits_numbers(compared):
    res, plsc, fit, tables = compared
    paths = tables["paths"].set_index(["outcome", "predictor"])
    cb = fit.estimates.query("op == '~'").set_index(["lhs", "rhs"])["std_all"]
    ours = res.estimates.query("op == '~'").set_index(["lhs", "rhs"])
    assert list(paths.index) == list(ours.index)
    assert np.allclose(paths["β (PLS)"], ours["est"], atol=0, rtol=0)
    assert np.allclose(paths["β (CB-SEM)"], cb[paths.index], atol=0, rtol=0)
    assert np.allclose(paths["PLS − CB-SEM"], ours["est"] - cb[paths.index].to_numpy(), atol=1e-15)
    # population model: eta1 = .5 xi, eta2 = .3 xi + .4 eta1; CB-SEM and PLSc recover it, PLS is attenuated
    truth = np.array([0.5, 0.3, 0.4])
    assert np.allclose(paths["β (CB-SEM)"], truth, atol=1e-6)
    assert np.allclose(paths["β (PLSc)"], truth, atol=1e-6)
    assert paths.loc[("eta1", "xi"), "β (PLS)"] < 0.5 - 0.05
    assert (tables["r2"]["R² (PLS)"] < tables["r2"]["R² (CB-SEM)"]).all()
    assert np.allclose(tables["r2"]["R² (PLSc)"], tables["r2"]["R² (CB-SEM)"], atol=1e-6)
    load = tables["loadings"].set_index("construct")
    assert (load["Loading (PLS, mean)"] > load["λ (CB-SEM, mean)"]).all()        # PLS loadings inflated
    assert np.allclose(load["ρA"], res.reliability["rho_a"][load.index], atol=0, rtol=0)
    assert tables["paths"]["95% CI (PLS)"].str.match(r"^\[-?\d\.\d{3}, -?\d\.\d{3}\]$").all()
    assert np.allclose(tables["index"]["Index (0–100)"], res.index["index"], atol=0, rtol=0)


def test_paragraph_is_written_from_the_numbers(compared):
    _, _, _, tables = compared
    text = pls.describe_comparison(tables, labels={"xi": "Quality"}.get)
    assert "PLS gives 3 of the 3 paths a smaller absolute value" in text
    assert "for 2 of the 2 outcomes" in text
    assert "Both methods agree on which paths are significant at α = .05" in text
    assert "comes within 0.000 of every CB-SEM path" in text
    assert "Quality" in text and "xi" not in text.replace("Quality", "")
    rho = tables["loadings"]["ρA"]
    assert f"ρA here {rho.min():.2f} to {rho.max():.2f}" in text
    assert "not compared" in pls.describe_comparison(tables, sem_ok=False)


def test_without_bootstrap_no_intervals(compared):
    res, _, fit, _ = compared
    data, model, _ = _population_data()
    tables = pls.compare_sem(pls.fit(data, model), fit)
    assert "95% CI (PLS)" not in tables["paths"] and "p (PLS)" not in tables["paths"]
    assert "β (PLSc)" not in tables["paths"] and "95% CI" not in tables["index"]
    text = pls.describe_comparison(tables)
    assert "significant" not in text and "PLSc" not in text


def test_unsupported_models():
    assert pls.unsupported("f =~ a + b\ng =~ c + d\ng ~ f") is None
    assert "found a ~~ c" in pls.unsupported("f =~ a + b\ng =~ c + d\ng ~ f\na ~~ c")
    assert "formative" in pls.unsupported("f <~ a + b\ng =~ c + d\ng ~ f")
    assert pls.unsupported("f =~ a + b\ng =~ c + d\ng ~ f + age") is None      # age: a single-item construct
    with pytest.raises(TypeError, match="'sem_fit'"):
        data, model, _ = _population_data()
        pls.compare_sem(pls.fit(data, model), object())


def test_observed_variables_are_single_item_constructs():
    data, model, _ = _population_data()
    cb_model = model.replace("eta2 =~ eta2_1 + eta2_2 + eta2_3\n", "").replace("eta2 ~", "eta2_1 ~")
    assert pls.unsupported(cb_model) is None
    res = pls.fit(data, cb_model)
    out = res.outer.set_index("item")
    assert out.loc["eta2_1", "construct"] == "eta2_1" and out.loc["eta2_1", "loading"] == pytest.approx(1)
    # a single-item construct is its standardised item: the path is the OLS slope on the scores
    s = res.scores
    z = (data["eta2_1"] - data["eta2_1"].mean()) / data["eta2_1"].std(ddof=0)
    beta = np.linalg.lstsq(s[["xi", "eta1"]], z, rcond=None)[0]
    got = res.estimates.query("lhs == 'eta2_1' and op == '~'").set_index("rhs")["est"]
    assert np.allclose(got[["xi", "eta1"]], beta, atol=1e-10)
    tables = pls.compare_sem(res, sem.fit(data, cb_model))
    assert tables["paths"]["β (CB-SEM)"].notna().all()
    assert "is an indicator of 'f'" in pls.unsupported("f =~ a + b\ny ~ f\nz ~ a")
