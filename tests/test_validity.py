"""Validity verdict tables and the reliability of difference scores.

References: ``tests/data/reliability_hs.json`` (semTools 0.5-6 ``compRelSEM``, ``AVE``,
``htmt`` on Holzinger & Swineford) and ``tests/data/hs_cfa.json`` (lavaan 0.6-14 latent
correlations, ``std.all``), both within 1e-6 (``cxlab.sem.fit`` reproduces lavaan's
estimates to ~1e-7). The difference-score formula is checked against a population
computation from classical test theory (exact, 1e-12) and Lord's equal-variance form.
"""

import numpy as np
import pandas as pd
import pytest

from conftest import load_reference
from cxlab import reliability as rel
from cxlab import sem

HS_REF = load_reference("reliability_hs")
CFA_REF = load_reference("hs_cfa")
TOL = 1e-6


@pytest.fixture(scope="module")
def hs_fit(hs):
    return sem.fit(hs, HS_REF["model_syntax"])


def test_validity_table_matches_semtools_and_lavaan(hs, hs_fit):
    table = rel.validity_table(hs_fit, hs)
    np.testing.assert_allclose(table["composite_reliability"], list(HS_REF["compRelSEM"].values()), atol=TOL)
    np.testing.assert_allclose(table["ave"], list(HS_REF["AVE"].values()), atol=TOL)
    ref_htmt = pd.DataFrame(HS_REF["htmt"]["values"], index=HS_REF["htmt"]["rownames"],
                            columns=HS_REF["htmt"]["colnames"])
    lav = {(p["lhs"], p["rhs"]): p["std.all"] for p in CFA_REF["parameters"]
           if p["op"] == "~~" and p["lhs"] != p["rhs"] and p["lhs"] in table.index}
    for f in table.index:
        others = ref_htmt.loc[f].drop(f)
        assert table.loc[f, "max_htmt"] == pytest.approx(others.max(), abs=TOL)
        assert table.loc[f, "max_htmt_with"] == others.idxmax()
        corr = {b if a == f else a: abs(r) for (a, b), r in lav.items() if f in (a, b)}
        assert table.loc[f, "max_correlation"] == pytest.approx(max(corr.values()), abs=TOL)
        assert table.loc[f, "max_correlation_with"] == max(corr, key=corr.get)
    # semTools' numbers judged by hand: CR >= .70 and AVE >= .50 only for textual
    assert table["cr_ok"].tolist() == [False, True, False]
    assert table["ave_ok"].tolist() == [False, True, False]
    assert table["fornell_larcker"].all() and (table["htmt_verdict"] == "< 0.85").all()


def test_discriminant_pairs_match_references(hs, hs_fit):
    pairs = rel.discriminant_validity(hs_fit, hs)
    ref_htmt = pd.DataFrame(HS_REF["htmt"]["values"], index=HS_REF["htmt"]["rownames"],
                            columns=HS_REF["htmt"]["colnames"])
    lav = {(p["lhs"], p["rhs"]): p["std.all"] for p in CFA_REF["parameters"]
           if p["op"] == "~~" and p["lhs"] != p["rhs"] and p["lhs"] in ref_htmt.index}
    assert len(pairs) == 3
    for (a, b), row in pairs.iterrows():
        assert row["htmt"] == pytest.approx(ref_htmt.loc[a, b], abs=TOL)
        assert row["correlation"] == pytest.approx(lav.get((a, b), lav.get((b, a))), abs=TOL)
        assert row["sqrt_ave_a"] == pytest.approx(np.sqrt(HS_REF["AVE"][a]), abs=TOL)
        assert row["verdict"] == "distinct"
    original = rel.discriminant_validity(hs_fit, hs, htmt2=False)
    ref_orig = HS_REF["htmt_original"]["values"]
    assert original.loc[("visual", "speed"), "htmt"] == pytest.approx(ref_orig[0][2], abs=TOL)


def _two_factor(r, n=500, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=n)
    x = np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(n, 6))
    data = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    return data, sem.fit(data, "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3")


def test_verdicts_follow_the_cutoffs():
    data, fit = _two_factor(0.97)
    pair = rel.discriminant_validity(fit, data).iloc[0]
    assert pair["htmt"] >= 0.90 and not pair["htmt_liberal"] and pair["verdict"] == "not distinct"
    table = rel.validity_table(fit, data)
    assert (table["htmt_verdict"] == ">= 0.90").all()
    text = rel.describe_validity(table)
    assert "not empirically distinct" in text and f"{pair['htmt']:.2f}" in text
    data, fit = _two_factor(0.2)
    text = rel.describe_validity(rel.validity_table(fit, data))
    assert "Every HTMT ratio is below 0.85" in text and "2 of 2 factors" in text


def test_difference_score_reliability_population_check():
    # classical test theory, in the population: X = Tx + Ex, Y = Ty + Ey
    var_tx, var_ty, cov_t = 1.44, 0.64, 0.42
    var_ex, var_ey = 0.36, 0.30
    var_x, var_y = var_tx + var_ex, var_ty + var_ey
    rel_x, rel_y = var_tx / var_x, var_ty / var_y
    r_xy = cov_t / np.sqrt(var_x * var_y)
    truth = (var_tx + var_ty - 2 * cov_t) / (var_x + var_y - 2 * cov_t)  # var(Tx-Ty) / var(X-Y)
    got = rel.difference_score_reliability(rel_x, rel_y, r_xy, sd_x=np.sqrt(var_x), sd_y=np.sqrt(var_y))
    assert got == pytest.approx(truth, abs=1e-12)


def test_difference_score_reliability_lord_form():
    # Lord (1963), equal variances: ((rxx + ryy)/2 - rxy) / (1 - rxy)
    for rxx, ryy, rxy in ((0.8, 0.8, 0.5), (0.9, 0.7, 0.3), (0.75, 0.85, -0.2)):
        lord = ((rxx + ryy) / 2 - rxy) / (1 - rxy)
        assert rel.difference_score_reliability(rxx, ryy, rxy) == pytest.approx(lord, abs=1e-12)
        assert rel.difference_score_reliability(rxx, ryy, rxy, sd_x=2.0, sd_y=2.0) == pytest.approx(lord, abs=1e-12)
    # two reliable scales correlating .6: the difference is far less reliable than either
    assert rel.difference_score_reliability(0.8, 0.8, 0.6) == pytest.approx(0.5, abs=1e-12)


def test_errors_name_the_parameter(hs, hs_fit):
    with pytest.raises(ValueError, match="The 'r_xy' parameter of difference_score_reliability must be a float in \\(-1, 1\\). Got 1"):
        rel.difference_score_reliability(0.8, 0.8, 1)
    with pytest.raises(ValueError, match="The 'rel_x' parameter of difference_score_reliability"):
        rel.difference_score_reliability(1.2, 0.8, 0.3)
    with pytest.raises(ValueError, match="The 'sd_y' parameter of difference_score_reliability must be a positive"):
        rel.difference_score_reliability(0.8, 0.8, 0.3, sd_y=0)
    with pytest.raises(TypeError, match="The 'fit' parameter of validity_table"):
        rel.validity_table("model", hs)
    with pytest.raises(ValueError, match="The 'table' parameter of describe_validity"):
        rel.describe_validity(pd.DataFrame({"x": [1]}))
    one = hs_fit.estimates[hs_fit.estimates["lhs"].isin(["visual", "x1", "x2", "x3"])]
    with pytest.raises(ValueError, match="The 'fit' parameter of discriminant_validity must be a CFA with at least two"):
        rel.discriminant_validity(one, hs)
