"""Reports that never overstate: the interpretation gate, segment tests, collinearity, notes.

Fast tests build fits with known defects (a negative variance, a path beyond ±1, an
R² of 0.995, a non-positive-definite latent covariance, failed bootstrap resamples, a
non-identified model) and check that the gate names each and that the conclusions make
no claim from them; segment comparisons report per-path differences only after a
significant omnibus test, with Holm-adjusted p-values (checked against statsmodels); the
variance inflation factors are checked against 1 / (1 − R²) of an OLS fit and
statsmodels; stderr outputs become notes.
"""

from __future__ import annotations

import dataclasses

import nbformat
import numpy as np
import pandas as pd
import pytest

from cxlab import levers, reliability, sem
from cxlab.report import NotesPreprocessor, warning_notes
from cxlab.sem.effects import SegmentComparison, describe_drivers, segment_tests
from cxlab.sem.judge import MAX_FAILED_BOOTSTRAP, interpretation_gate

MODEL = """
A =~ a1 + a2 + a3
B =~ b1 + b2 + b3
Y =~ y1 + y2 + y3
Y ~ A + B
"""


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(42)
    n = 500
    lat = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    y = 0.5 * lat[:, 0] + 0.3 * lat[:, 1] + rng.normal(scale=0.8, size=n)
    cols = {}
    for name, f in (("a", lat[:, 0]), ("b", lat[:, 1]), ("y", y)):
        for i in (1, 2, 3):
            cols[f"{name}{i}"] = f + rng.normal(scale=0.6, size=n)
    return pd.DataFrame(cols)


@pytest.fixture(scope="module")
def good(data):
    return sem.fit(data, sem.with_effects(MODEL))


def with_rows(fit, change):
    """The fit with its estimates changed by ``change(estimates)`` (a defect planted)."""
    est = fit.estimates.copy()
    change(est)
    return dataclasses.replace(fit, estimates=est)


def row(est, lhs, op, rhs):
    hit = (est["lhs"] == lhs) & (est["op"] == op) & (est["rhs"] == rhs)
    assert hit.sum() == 1, (lhs, op, rhs)
    return hit


def kinds(gate):
    return {p.kind for p in gate.problems}


def test_a_proper_fit_passes(good):
    gate = interpretation_gate(good)
    assert gate.ok and gate.box() is None and gate.describe() == ""
    text = describe_drivers(good)
    assert "β = " in text and "What to try" not in text


def test_each_defect_is_named(good):
    def negative_variance(e):
        e.loc[row(e, "a2", "~~", "a2"), "est"] = -0.05

    def big_path(e):
        e.loc[row(e, "Y", "~", "A"), "std_all"] = 1.35

    def big_r2(e):  # residual variance of Y almost 0: R² ≥ 0.99
        e.loc[row(e, "Y", "~~", "Y"), "est"] = 1e-4

    def not_pd(e):  # A-B covariance larger than both variances allow
        va, vb = (float(e.loc[row(e, v, "~~", v), "est"].iloc[0]) for v in ("A", "B"))
        e.loc[row(e, "A", "~~", "B"), "est"] = 1.2 * np.sqrt(va * vb)

    cases = {"heywood": negative_variance, "std": big_path, "r2": big_r2, "not_pd": not_pd}
    for kind, plant in cases.items():
        gate = interpretation_gate({"structural model": with_rows(good, plant)}, labels=str.upper)
        assert kind in kinds(gate), (kind, gate.problems)
        assert not gate.ok and gate.box() is not None
    gate = interpretation_gate(with_rows(good, negative_variance), labels=lambda v: f"<{v}>")
    html = gate.box()._repr_html_()
    assert "Heywood" in html and "&lt;A2&gt;" not in html and "&lt;a2&gt;" in html  # labels escaped
    assert "Do not interpret" in gate.box()._repr_markdown_()
    assert "<strong>Do not interpret these estimates.</strong> The solution is improper" in html
    # one fit improper beside a proper one: the box names the improper one, not "these estimates"
    both = interpretation_gate({"measurement model": with_rows(good, not_pd), "structural model": good})
    assert [p.model for p in both.problems] == ["measurement model"]
    html = both.box()._repr_html_()
    assert ("<strong>Do not interpret the measurement model.</strong> Its solution is improper, so its estimates "
            "are not findings. The structural model has a proper solution of its own.") in html
    assert "these estimates" not in html and "Do not interpret the measurement model." in both.box()._repr_markdown_()


def test_convergence_identification_and_bootstrap(good):
    assert kinds(interpretation_gate(dataclasses.replace(good, converged=False))) >= {"convergence"}
    fm = good.fit_measures.copy()
    fm["df"] = -2
    assert "identification" in kinds(interpretation_gate(dataclasses.replace(good, fit_measures=fm)))
    no_se = with_rows(good, lambda e: e.__setitem__("se", np.where(e["op"] == "~", np.nan, e["se"])))
    assert "identification" in kinds(interpretation_gate(no_se))
    few = dataclasses.replace(good, warnings=["2 of 50 bootstrap resamples did not converge and were dropped."])
    many = dataclasses.replace(good, warnings=["12 of 50 bootstrap resamples did not converge and were dropped."])
    assert interpretation_gate(few).ok and 2 / 50 <= MAX_FAILED_BOOTSTRAP < 12 / 50
    assert kinds(interpretation_gate(many)) == {"bootstrap"}
    with pytest.raises(ValueError, match="'fit' parameter of interpretation_gate"):
        interpretation_gate({"x": pd.DataFrame()})


def test_a_real_heywood_case_is_caught(data):
    """Two near-copies of an item: the estimator returns a negative residual variance."""
    df = data.assign(a4=data["a1"] + np.random.default_rng(1).normal(scale=0.01, size=len(data)))
    fit = sem.fit(df, MODEL.replace("a1 + a2 + a3", "a1 + a2 + a3 + a4"))
    gate = interpretation_gate({"structural model": fit})
    assert not gate.ok and kinds(gate) & {"heywood", "not_pd", "std", "convergence"}


def test_conclusions_make_no_claim_from_an_improper_fit(good):
    bad = with_rows(good, lambda e: e.__setitem__("std_all", np.where(
        (e["op"] == "~") & (e["rhs"] == "A"), 3.27, e["std_all"])))
    text = describe_drivers(bad, labels={"A": "Image", "B": "Value", "Y": "Loyalty"}.get)
    assert "β" not in text and "largest indirect" not in text and "fits the data" not in text
    assert "improper" in text and "What to try" in text and "combine collinear constructs" in text
    assert "Image → Loyalty of 3.27" in text


# ------------------------------------------------------------------ segments
def comparison(p_paths, p_all, fit):
    index = [f"Y ~ X{i}" for i in range(len(p_paths))] + ["all paths"]
    tests = pd.DataFrame({"chisq_diff": 4.0, "df_diff": [1.0] * len(p_paths) + [float(len(p_paths))],
                          "pvalue_diff": list(p_paths) + [p_all], "cfi_diff": 0.0},
                         index=pd.Index(index, name="path"))
    table = tests.drop(columns="cfi_diff").assign(std_1=0.3, std_2=0.2)[["std_1", "std_2", "chisq_diff", "df_diff",
                                                                        "pvalue_diff"]]
    return SegmentComparison(paths=None, tests=tests, table=table, fit=fit, group_equal=("loadings",))


def test_no_per_path_difference_without_a_significant_omnibus_test(good):
    """The corporate-reputation pattern: two of 13 per-path p below .05, the omnibus p = .525."""
    p = [0.036, 0.022] + [0.2 + 0.05 * i for i in range(11)]
    text = describe_drivers(good, segments=comparison(p, 0.525, good))
    assert "p = .525" in text and "no per-path difference is reported" in text
    assert "Y ~ X0" not in text and "X1" not in text and ".036" not in text


def test_per_path_differences_are_holm_adjusted(good):
    from statsmodels.stats.multitest import multipletests

    p = [0.001, 0.02, 0.03, 0.6]
    cmp = comparison(p, 0.004, good)
    table = segment_tests(cmp)
    expected = multipletests(p, method="holm")[1]
    np.testing.assert_allclose(table["pvalue_holm"].iloc[:4], expected, rtol=0, atol=1e-12)
    assert np.isnan(table.loc["all paths", "pvalue_holm"])
    assert list(table.columns).index("pvalue_holm") == list(table.columns).index("pvalue_diff") + 1
    text = describe_drivers(good, segments=cmp)
    # Holm: .004, .06, .06, .6 -> only X0 differs at .05
    assert "X0 → Y" in text and "X1 → Y" not in text and "Holm-adjusted p = .004" in text
    labelled = segment_tests(cmp, labels=lambda v: {"Y": "Loyalty"}.get(v, v))
    assert "X0 → Loyalty" in labelled.index and "all paths" in labelled.index


def test_an_improper_multigroup_fit_is_not_compared(good):
    def heywood(e):
        e.loc[row(e, "y1", "~~", "y1"), "est"] = -0.2

    text = describe_drivers(good, segments=comparison([0.001, 0.002], 0.0001, with_rows(good, heywood)))
    assert "segments are not compared" in text and "Heywood" in text and "X0" not in text


# ------------------------------------------------------------------ collinearity
def test_variance_inflation_matches_one_over_one_minus_r2():
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    rng = np.random.default_rng(7)
    a = rng.normal(size=400)
    df = pd.DataFrame({"a": a, "b": 0.9 * a + rng.normal(scale=0.4, size=400), "c": rng.normal(size=400),
                       "d": 0.5 * a + rng.normal(size=400)})
    table = levers.variance_inflation(df, list(df))
    for col in df:
        r2 = sm.OLS(df[col], sm.add_constant(df.drop(columns=col))).fit().rsquared
        assert table.loc[col, "vif"] == pytest.approx(1 / (1 - r2), rel=1e-10)
    exog = sm.add_constant(df).to_numpy()
    for j, col in enumerate(df, start=1):
        assert table.loc[col, "vif"] == pytest.approx(variance_inflation_factor(exog, j), rel=1e-10)
    assert table["high"].tolist() == [True, True, False, False]
    text = levers.describe_collinearity(table, labels=str.upper)
    assert text.startswith("Collinear drivers: A (VIF") and "B (VIF" in text and "above 5" in text
    assert "not collinear" in levers.describe_collinearity(table.loc[["c", "d"]])
    one = levers.describe_collinearity(table.loc[["a", "c", "d"]], labels=str.upper)
    assert one.startswith(f"Collinear driver: A (VIF {table.loc['a', 'vif']:.1f}) has a variance inflation "
                          "factor above 5: the other drivers predict it largely, so its separate importance")
    with pytest.raises(ValueError, match="at least two columns"):
        levers.variance_inflation(df, ["a"])


def test_discriminant_validity_of_the_structural_constructs(data):
    cfa = sem.fit(data, "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\nY =~ y1 + y2 + y3")
    pairs = reliability.structural_discriminant(cfa, data, "A =~ a1 + a2 + a3\nY =~ y1 + y2 + y3\nY ~ A")
    full = reliability.discriminant_validity(cfa, data)
    assert pairs.index.tolist() == [("A", "Y")]
    pd.testing.assert_frame_equal(pairs, full.loc[[("A", "Y")]])
    assert reliability.structural_discriminant(cfa, data, "A =~ a1 + a2 + a3\ny1 ~ A") is None
    assert "distinct" in reliability.describe_discriminant(pairs) and "Not every" not in \
        reliability.describe_discriminant(pairs)
    close = pairs.assign(htmt=0.87)
    assert "HTMT 0.87 ≥ 0.85" in reliability.describe_discriminant(close, labels=str.lower)


# ------------------------------------------------------------------ warnings become notes
def test_stderr_becomes_a_notes_box():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=(
            "/tmp/ipykernel_12572/1530626946.py:1: UserWarning: contact_effects dropped 1 of 2000 rows with a "
            "missing value in ['nps'] (listwise deletion).\n  effects = levers.contact_effects(data)\n"
            "/x/numpy/core/_methods.py:206: RuntimeWarning: Degrees of freedom <= 0 for slice\n  ret = x\n"
            "bootstrap  10%\rbootstrap  50%\rbootstrap 100%\n")),
        nbformat.v4.new_output("display_data", data={"text/plain": "result"}),
    ]
    nb.cells = [cell]
    out, _ = NotesPreprocessor().preprocess(nb, {})
    outs = out.cells[0].outputs
    assert all(o.get("name") != "stderr" for o in outs)
    box = outs[0]["data"]["text/html"]
    assert box.startswith('<div class="cx-notes">') and "contact_effects dropped 1 of 2000 rows" in box
    assert "ipykernel" not in box and ".py" not in box and "bootstrap" not in box
    assert "Degrees of freedom &lt;= 0 for slice (numerical)" in box
    assert warning_notes("") == []


def test_the_warning_box_of_a_fit_names_the_gate_problems(good):
    from cxlab.plots import fit_warnings

    assert 'class="cx-ok"' in fit_warnings(good).data
    bad = with_rows(good, lambda e: e.__setitem__("std_all", np.where(
        (e["op"] == "~") & (e["rhs"] == "A"), 1.4, e["std_all"])))
    box = fit_warnings(bad, labels=str.upper).data
    assert "improper" in box and "A → Y of 1.40 (beyond ±1)" in box and "cx-ok" not in box


PAYLOADS = ("<script>window.__x=1</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_new_texts_escape_study_labels(good, payload):
    import re
    from html import unescape

    from nbconvert.filters import markdown2html

    label = lambda v: payload  # noqa: E731
    pairs = pd.DataFrame({"htmt": [0.93], "fornell_larcker": [False]}, index=pd.MultiIndex.from_tuples([("A", "B")]))
    bad = with_rows(good, lambda e: e.loc.__setitem__((row(e, "a2", "~~", "a2"), "est"), -0.05))
    texts = [reliability.describe_discriminant(pairs, labels=label),
             levers.describe_collinearity(pd.DataFrame({"vif": [9.0]}, index=["a"]), labels=label),
             interpretation_gate(bad, labels=label).box()._repr_markdown_(),
             describe_drivers(bad, labels=label)]
    for text in texts:
        html = markdown2html(text)
        assert "<script" not in html and "<img" not in html and 'href="javascript' not in html, html
        assert payload in unescape(re.sub(r"<[^>]+>", "", html)), html
    box = interpretation_gate(bad, labels=label).box()._repr_html_()
    assert "<script" not in box and "<img" not in box
