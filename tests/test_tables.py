"""Publication tables: no pandas row numbers, headers in words, counts as integers, APA p-values."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from cxlab.tables import apa_p, publication_html


def cells(html: str, tag: str = "td") -> list[str]:
    return re.findall(rf"<{tag}(?: class=\"cx-text\")?>(.*?)</{tag}>", html)


def test_an_unnamed_integer_index_is_dropped_a_named_one_kept():
    paths = pd.DataFrame({"lhs": ["sat", "loy"], "est": [0.4, 0.7]}, index=[14, 27])
    assert cells(publication_html(paths), "th") == ["Outcome or construct", "Estimate"]
    assert "14" not in cells(publication_html(paths)) and "27" not in cells(publication_html(paths))
    named = paths.set_index("lhs").rename_axis("driver")
    assert cells(publication_html(named), "th") == ["Driver", "Estimate"]
    assert cells(publication_html(pd.DataFrame({"x": [1.5]})), "th") == ["x"]


def test_headers_from_the_glossary_then_the_codebook_then_words():
    t = pd.DataFrame({"mean_wait_sec": [1.0], "fcr_rate": [0.5], "std_est": [0.2], "reliability": [3.1],
                      "some_thing": [1.5], "std_Prepaid": [0.3]})
    heads = cells(publication_html(t, labels=lambda v: {"reliability": "Reliability"}.get(v, v)), "th")
    assert heads == ["Mean wait (s)", "First-contact resolution", "Standardised estimate", "Reliability",
                     "Some thing", "Standardised, Prepaid"]
    assert not any(re.fullmatch(r"[a-z]+(_[a-z]+)+", h) for h in heads)


def test_numbers_by_kind():
    t = pd.DataFrame({"contacts": [194564.0, 12.0], "pvalue_holm": [0.0004, 0.05], "est": [-0.12345, np.nan],
                      "meets": [True, False], "n": pd.array([3, 4], dtype="Int64")})
    body = cells(publication_html(t))
    assert body == ["194,564", "&lt; .001", "\u22120.123", "yes", "3", "12", ".050", "", "no", "4"]
    assert [apa_p(p) for p in (0.0009, 0.001, 0.5249, 1.0)] == ["< .001", ".001", ".525", "1.000"]


def test_values_are_escaped_and_labelled():
    t = pd.DataFrame({"lhs": ["<b>x</b>", "CUSA"]})
    body = cells(publication_html(t, labels=lambda v: {"CUSA": "Satisfaction"}.get(v, v)))
    assert body == ["&lt;b&gt;x&lt;/b&gt;", "Satisfaction"]
    with pytest.raises(TypeError, match="The 'table' parameter of publication_html must be a pandas DataFrame"):
        publication_html([1, 2])


def test_long_tables_format_each_value_by_its_row():
    levels = pd.DataFrame({"metric": ["contacts", "mean_wait_sec", "long_wait_rate", "Bartlett p-value"],
                           "value": [194564.0, 123.4361, 0.0904, 0.0], "base": ["all", "queued", "queued", ""]})
    assert cells(publication_html(levels)) == ["Contacts", "194,564", "all", "Mean wait (s)", "123.436", "queued",
                                               "Long-wait rate", "9.0 %", "queued", "Bartlett p-value", "&lt; .001", ""]
    wide = levels.assign(se=1.5, n=3)  # a wide table keeps one format per column
    assert cells(publication_html(wide))[1] == "194,564.000"


def test_apa_tables_leave_fixed_parameters_blank():
    from cxlab.tables import loadings_table

    est = pd.DataFrame({"lhs": ["f", "f"], "op": "=~", "rhs": ["a", "b"], "est": [1.0, 0.8123], "se": [0.0, 0.0512],
                        "pvalue": [np.nan, 1e-9], "ci_lower": [1.0, 0.7], "ci_upper": [1.0, 0.9],
                        "std_all": [0.7112, 0.6634]})
    html = publication_html(loadings_table(est), labels={"f": "Factor"}.get)
    assert cells(html, "th") == ["Construct", "Item", "B", "SE", "95% CI", "λ", "p"]
    assert cells(html) == ["Factor", "a", "1.000", "", "", "0.711", "", "Factor", "b", "0.812", "0.051",
                           "[0.700, 0.900]", "0.663", "&lt; .001"]
    assert "λ = standardised loading" in html and "B = unstandardised coefficient" in html


def test_words_left_numbers_right():
    t = pd.DataFrame({"lhs": ["sat"], "est": [0.4123], "meets": [True]})
    html = publication_html(t)
    assert '<th class="cx-text">Outcome or construct</th><th>Estimate</th><th class="cx-text">' in html
    assert '<td class="cx-text">sat</td><td>0.412</td><td class="cx-text">yes</td>' in html


def test_data_values_are_never_relabelled_even_when_they_name_a_variable():
    # a segment called like a scale (found by the hostile-input test): the value stays as it is
    t = pd.DataFrame({"segment": ["satisfaction", "b"], "scale": ["satisfaction", "x"], "n": [1, 2]})
    cells = re.findall(r"<td[^>]*>(.*?)</td>", publication_html(t, labels={"satisfaction": "Satisfaction"}.get,
                                                                 values=("segment",)))
    assert cells == ["satisfaction", "Satisfaction", "1", "b", "x", "2"]


def test_negative_numbers_carry_a_minus_sign_not_a_hyphen():
    from cxlab.tables import paths_table

    minus = "\u2212"
    t = pd.DataFrame({"est": [-0.5, 1.25], "count": [-3.0, 4.0]})
    assert cells(publication_html(t)) == [f"{minus}0.50", f"{minus}3", "1.25", "4"]
    long = pd.DataFrame({"metric": ["change", "drop", "p"], "value": [-1234.0, -0.25, 0.2]})
    assert cells(publication_html(long))[1::2] == [f"{minus}1,234", f"{minus}0.250", ".200"]
    est = pd.DataFrame({"lhs": ["y"], "op": "~", "rhs": ["x"], "est": [-0.5], "se": [0.1], "pvalue": [0.01],
                        "ci_lower": [-0.7], "ci_upper": [-0.3], "std_all": [-0.4]})
    row = cells(publication_html(paths_table(est)))
    assert row[2] == f"{minus}0.5" and row[4] == f"[{minus}0.700, {minus}0.300]" and "-" not in "".join(row)


def test_values_must_be_a_list_of_columns():
    from cxlab.tables import use_publication_tables

    t = pd.DataFrame({"segment": ["satisfaction"]})
    for bad in ("segment", 3):
        with pytest.raises(ValueError, match=r"The 'values' parameter of publication_html must be a list of "
                                             r"column names\. Got"):
            publication_html(t, values=bad)
    with pytest.raises(ValueError, match=r"The 'values' parameter of use_publication_tables must be a list"):
        use_publication_tables(values="segment")
    assert cells(publication_html(t, labels={"satisfaction": "S"}.get, values=["segment", None])) == ["satisfaction"]


def test_missingness_table_names_scales_not_segments():
    from cxlab.quality import missingness
    from cxlab.tables import missingness_table

    survey = pd.DataFrame({"q1": [1.0, np.nan, 3.0], "q2": [2.0, 2.0, np.nan]})
    missing = missingness(survey, {"Quality": ["q1", "q2"]})
    table = missingness_table(missing)
    assert table.columns[0] == "scale" and table["scale"].tolist() == ["Quality"]
    assert cells(publication_html(table), "th")[0] == "Scale or item"
    pd.testing.assert_frame_equal(table.drop(columns="scale"), missing.drop(columns="group"))
    with pytest.raises(ValueError, match=r"The 'missing' parameter of missingness_table names columns not in the data"):
        missingness_table(missing.drop(columns="group"))


def test_every_statistic_of_the_efa_tables_reads_as_words():
    """Report 02's variance and fit tables: row names are statistics, each with a label (none left snake_case)."""
    from cxlab import factor
    from cxlab.tables import GLOSSARY

    rng = np.random.default_rng(1)
    f = rng.normal(size=(300, 2))
    items = pd.DataFrame(f.repeat(3, axis=1) + rng.normal(scale=0.8, size=(300, 6)), columns=list("abcdef"))
    efa = factor.efa(items, 2)
    for table in (efa.variance.rename_axis("statistic"), factor.efa_fit(efa, items).to_frame("value")):
        rows = [r for r in table.index if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", r)]
        assert rows and all(r in GLOSSARY for r in rows), [r for r in rows if r not in GLOSSARY]
        body = cells(publication_html(table.reset_index()))
        assert not [c for c in body if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", c)]
