"""Publication tables: what a DataFrame looks like in a report.

A report's tables are pandas DataFrames. :func:`publication_html` writes one as a
journal reader expects it: no pandas row numbers (an unnamed integer index is dropped;
a named index such as ``driver`` is a meaningful first column and stays), headers in
words (a :data:`GLOSSARY` entry for a statistic, the study's label for a variable, else
the name with spaces for underscores), counts as integers with thousands separators,
p-values in APA style (``< .001``, ``.042``) and other numbers with three decimals.
:func:`use_publication_tables` makes this the HTML of every DataFrame a notebook shows.
"""

from __future__ import annotations

import html
import math
from typing import Callable

import numpy as np
import pandas as pd

__all__ = ["GLOSSARY", "publication_html", "use_publication_tables", "apa_p"]

#: Column names of statistics and measures, in words.
GLOSSARY = {
    "lhs": "Outcome or construct", "op": "Operator", "rhs": "Driver or item",
    "est": "Estimate", "se": "SE", "z": "z", "pvalue": "p", "pvalue_diff": "p", "pvalue_holm": "p (Holm)",
    "pvalue_adj": "p (adjusted)", "ci_lower": "CI lower", "ci_upper": "CI upper", "std_all": "Standardised",
    "std_est": "Standardised estimate", "std_range": "Range of standardised paths",
    "chisq": "χ²", "chisq_diff": "Δχ²", "df": "df", "df_diff": "Δdf", "cfi": "CFI", "cfi_diff": "ΔCFI",
    "tli": "TLI", "rmsea": "RMSEA", "srmr": "SRMR", "r2": "R²", "R²": "R²", "vif": "VIF", "high": "Above cut-off",
    "index": "Index", "value": "Value", "cutoff": "Cut-off", "meets": "Meets cut-off", "source": "Measure",
    "composite_reliability": "Composite reliability (CR)", "ave": "AVE", "sqrt_ave": "√AVE",
    "sqrt_ave_a": "√AVE (first)", "sqrt_ave_b": "√AVE (second)", "correlation": "Correlation",
    "max_correlation": "Largest correlation", "max_correlation_with": "with", "fornell_larcker": "Fornell–Larcker met",
    "htmt": "HTMT", "htmt_strict": "HTMT < 0.85", "htmt_liberal": "HTMT < 0.90", "max_htmt": "Largest HTMT",
    "max_htmt_with": "with", "htmt_verdict": "HTMT", "verdict": "Verdict", "factor_a": "Construct",
    "factor_b": "Construct", "factor": "Construct", "mi": "MI", "epc": "EPC", "sepc_all": "Standardised EPC",
    "n": "n", "count": "Count", "share": "Share", "importance": "Importance", "rank": "Rank",
    "rank_ci_lower": "Rank CI lower", "rank_ci_upper": "Rank CI upper", "p_first": "P(first)",
    "expected_gain": "Expected gain", "impact": "Impact", "reach": "Reach", "headroom": "Headroom",
    "performance": "Performance", "target": "Target", "kind": "Kind", "driver": "Driver", "lever": "Lever",
    "outcome": "Outcome", "effect": "Effect", "path": "Path", "group": "Segment", "role": "Role",
    "mean_wait_sec": "Mean wait (s)", "fcr_rate": "First-contact resolution", "abandon_rate": "Abandonment rate",
    "contacts": "Contacts", "customers": "Customers", "channel": "Channel", "team": "Team",
}

_P_COLUMNS = ("pvalue", "p_value", "p")


def apa_p(p: float) -> str:
    """A p-value in APA style: no leading zero, three decimals, ``< .001`` below that.

    Examples
    --------
    >>> apa_p(0.0004), apa_p(0.0421), apa_p(1.0), apa_p(float("nan"))
    ('< .001', '.042', '1.000', '')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    if p < 0.001:
        return "< .001"
    text = f"{p:.3f}"
    return text[1:] if text.startswith("0.") else text


def _header(name, labels) -> str:
    if not isinstance(name, str):
        return str(name)
    if name in GLOSSARY:
        return GLOSSARY[name]
    if labels is not None and labels(name) != name:
        return str(labels(name))
    for prefix, word in (("std_", "Standardised, "), ("p_", "P ")):
        if name.startswith(prefix) and len(name) > len(prefix):
            return word + _header(name[len(prefix):], labels)
    return name.replace("_", " ")


def _is_p(name) -> bool:
    return isinstance(name, str) and (name in _P_COLUMNS or name.startswith("pvalue"))


def _cell_formatter(name, values: pd.Series, labels) -> Callable:
    if _is_p(name) and pd.api.types.is_numeric_dtype(values):
        return apa_p
    if pd.api.types.is_bool_dtype(values):
        return lambda v: "yes" if v else "no"
    if pd.api.types.is_numeric_dtype(values):
        finite = values[np.isfinite(values.astype(float))]
        whole = len(finite) > 0 and bool((finite == np.round(finite)).all())
        if pd.api.types.is_integer_dtype(values) or whole:
            return lambda v: "" if pd.isna(v) else (f"{v:,.0f}" if np.isfinite(v) else str(v))
        return lambda v: "" if pd.isna(v) else f"{v:.3f}"

    def text(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, bool | np.bool_):
            return "yes" if v else "no"
        return str(labels(v)) if labels is not None and isinstance(v, str) else str(v)

    return text


def _meaningful_index(index: pd.Index) -> bool:
    if isinstance(index, pd.MultiIndex):
        return True
    if isinstance(index, pd.RangeIndex):
        return False
    return not (index.name is None and pd.api.types.is_integer_dtype(index))


def publication_html(table: pd.DataFrame, *, labels: Callable[[str], str] | None = None) -> str:
    """A DataFrame as a publication table (HTML): see the module notes.

    Parameters
    ----------
    table : DataFrame
    labels : callable, optional
        Display label of a variable name (e.g. ``Codebook.label``): used for headers and
        for text cells (construct and item names).

    Returns
    -------
    str
        An HTML ``<table class="dataframe cx-table">``; every value escaped.

    Examples
    --------
    >>> t = pd.DataFrame({"lhs": ["sat"], "rhs": ["rel"], "est": [0.41234], "pvalue": [0.0002],
    ...                   "n": [194564.0]}, index=[34])
    >>> import re
    >>> re.findall(r"<t[hd]>(.*?)</t[hd]>", publication_html(t, labels={"sat": "Satisfaction"}.get))
    ['Outcome or construct', 'Driver or item', 'Estimate', 'p', 'n', 'Satisfaction', 'rel', '0.412', '&lt; .001', '194,564']
    """
    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"The 'table' parameter of publication_html must be a DataFrame. "
                         f"Got {type(table).__name__} instead.")
    look = (lambda v: labels(v) if labels(v) is not None else v) if labels is not None else None
    frame = table.reset_index() if _meaningful_index(table.index) else table.reset_index(drop=True)
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(c) for c in col if str(c)) for col in frame.columns]
    esc = html.escape
    heads = "".join(f"<th>{esc(_header(c, look))}</th>" for c in frame.columns)
    formats = [_cell_formatter(c, frame.iloc[:, j], look) for j, c in enumerate(frame.columns)]
    rows = "".join("<tr>" + "".join(f"<td>{esc(f(v))}</td>" for f, v in zip(formats, values)) + "</tr>"
                   for values in frame.itertuples(index=False, name=None))
    return f'<table class="dataframe cx-table"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>'


def use_publication_tables(labels: Callable[[str], str] | None = None) -> None:
    """Show every DataFrame of the running notebook as a publication table.

    Call it in a notebook's first code cell. Outside IPython it does nothing.

    Parameters
    ----------
    labels : callable, optional
        As in :func:`publication_html`.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.display_formatter.formatters["text/html"].for_type(
        pd.DataFrame, lambda df: publication_html(df, labels=labels))
