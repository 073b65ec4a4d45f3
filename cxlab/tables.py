"""Publication tables: what a DataFrame looks like in a report.

A report's tables are pandas DataFrames. :func:`publication_html` writes one as a
journal reader expects it: no pandas row numbers (an unnamed integer index is dropped;
a named index such as ``driver`` is a meaningful first column and stays), headers in
words (a :data:`GLOSSARY` entry for a statistic, the study's label for a variable, else
the name with spaces for underscores), counts as integers with thousands separators,
shares as percentages, p-values in APA style (``< .001``, ``.042``) and other numbers with
the decimals they were rounded to (at most three) and a minus sign (U+2212) before negative
ones, and a note under the table spelling out
the abbreviations of its headers (:data:`ABBREVIATIONS`).
:func:`use_publication_tables` makes this the HTML of every DataFrame a notebook shows.

:func:`loadings_table`, :func:`paths_table`, :func:`effects_apa` and :func:`fit_apa` lay
out a structural equation model's estimates as APA-style tables (B, SE, β, p, 95 % CI).
"""

from __future__ import annotations

import html
import math
import re
from typing import Callable

import numpy as np
import pandas as pd

from ._text import MINUS
from ._validation import check_columns, check_frame, param_error

__all__ = ["GLOSSARY", "ABBREVIATIONS", "publication_html", "table_note", "use_publication_tables", "apa_p",
           "loadings_table", "paths_table", "effects_apa", "fit_apa", "r2_table", "linkage_table", "missingness_table"]

#: Column names of statistics and measures, in words.
GLOSSARY = {
    "lhs": "Outcome or construct", "op": "Operator", "rhs": "Driver or item",
    "est": "Estimate", "se": "SE", "z": "z", "pvalue": "p", "pvalue_diff": "p (Δχ²)", "pvalue_holm": "p (Holm)",
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
    # data quality
    "construct": "Construct", "item": "Item", "predictor": "Predictor",
    "scale": "Scale or item", "items": "Items", "cells": "Answers", "missing_share": "Missing (share)",
    "complete_cases": "Complete cases",
    "complete_share": "Complete (share)", "respondents": "Respondents", "flag": "Flag", "flagged": "Flagged",
    "problem": "Problem", "linkage": "Linkage", "column": "Column", "rows": "Rows", "action": "Handling",
    "wave": "Wave",
    "segment": "Segment", "total": "Total", "suppressed": "Suppressed",
    # monitoring
    "metric": "Metric", "period": "Period", "ci_level": "CI level", "comparison": "Compared with",
    "reference": "Reference period", "reference_value": "Reference value", "diff": "Difference",
    "significant": "Significant (Holm)", "lcl": "Lower control limit", "ucl": "Upper control limit",
    "center": "Centre line", "signal": "Signal", "week": "Week", "mean": "Mean", "std": "SD", "min": "Min",
    "max": "Max", "25%": "25th percentile", "50%": "Median", "75%": "75th percentile",
    "missing": "Missing answers", "handling": "Handling", "reason": "Reason", "phase": "Phase",
    "centre": "Centre line", "segments": "Segments", "run": "Run", "base": "Base",
    # measurement, SERVQUAL and model comparison
    "statistic": "Statistic", "dimension": "Dimension", "recovered": "Recovered", "alpha": "Cronbach's α",
    "n_items": "Items", "n_on_factor": "Items on the factor", "min_loading": "Lowest loading",
    "max_cross_loading": "Largest cross-loading", "shared_with": "Shared with", "h2": "Communality (h²)",
    "u2": "Uniqueness (u²)", "expectation": "Expectation", "perception": "Perception", "gap": "Gap (P − E)",
    "r_pe": "r (P, E)", "model": "Model", "n_predictors": "Predictors", "adj_r2": "Adjusted R²", "f": "F",
    "f_pvalue": "p (F)", "loglik": "Log-likelihood", "aic": "AIC", "bic": "BIC", "restricted": "Restricted model",
    "full": "Full model", "df_num": "df (numerator)", "df_den": "df (denominator)", "lr": "LR χ²",
    "lr_pvalue": "p (LR)", "npar": "Parameters", "rmsea_diff": "ΔRMSEA",
    # Six Pillars and customer sacrifice
    "pillar": "Pillar", "omega_total": "McDonald's omega", "alpha_ci_lower": "α CI lower", "alpha_ci_upper": "α CI upper",
    "omega_ci_lower": "Omega CI lower", "omega_ci_upper": "Omega CI upper", "attribute": "Attribute",
    "wanted": "Wanted exactly", "settled": "Settled for", "sacrifice": "Sacrifice (wanted − settled)",
    "share_sacrificing": "Settling for less (share)",
    # contacts and levers
    "team_id": "Team", "agents": "Agents", "mean_handle_time_sec": "Mean handle time (s)", "term": "Term",
    "quadrant": "Quadrant",
    # importance-performance map of the pillars, customer sacrifice against the outcomes
    "importance_ci_lower": "Importance CI lower", "importance_ci_upper": "Importance CI upper",
    "performance_ci_lower": "Performance CI lower", "performance_ci_upper": "Performance CI upper",
    "potential": "Potential (outcome points)", "n_model": "n (model)",
    # row names of long tables and contact factors (text cells are looked up here too)
    "ss_loadings": "Sum of squared loadings", "proportion_var": "Proportion of variance",
    "cumulative_var": "Cumulative proportion of variance", "objective": "Objective function",
    "proportion_explained": "Share of the explained variance", "cumulative_proportion": "Cumulative share of the "
    "explained variance", "rmsea_ci_lower": "RMSEA 90 % CI lower", "rmsea_ci_upper": "RMSEA 90 % CI upper",
    "null_chisq": "χ² of the null model", "null_df": "df of the null model", "n_obs": "n",
    "rms": "Root mean square residual", "queued_contacts": "Queued contacts", "long_wait_rate": "Long-wait rate",
    "repeat_contacts": "Repeat contacts", "long_waits": "Long waits", "abandoned": "Abandoned contacts",
    "transfers": "Transfers", "escalations": "Escalations", "channel_switches": "Channel switches",
}

#: Abbreviations a table header may use, spelled out in the note under the table (APA style).
ABBREVIATIONS = {
    "B": "unstandardised coefficient", "β": "standardised coefficient of a direct path",
    "λ": "standardised loading", "SE": "standard error", "SD": "standard deviation",
    "CI": "confidence interval", "CR": "composite reliability", "AVE": "average variance extracted",
    "√AVE": "square root of the AVE", "HTMT": "heterotrait–monotrait ratio of correlations",
    "CFI": "comparative fit index", "ΔCFI": "change in the comparative fit index", "TLI": "Tucker–Lewis index",
    "RMSEA": "root mean square error of approximation", "SRMR": "standardised root mean square residual",
    "VIF": "variance inflation factor", "MI": "modification index", "EPC": "expected parameter change",
    "χ²": "chi-square statistic", "Δχ²": "chi-square difference", "df": "degrees of freedom",
    "Δdf": "difference in degrees of freedom", "R²": "share of variance explained", "p": "p-value",
    "z": "Wald z statistic", "KMO": "Kaiser–Meyer–Olkin measure of sampling adequacy",
    "NPS": "Net Promoter Score", "CSAT": "customer satisfaction", "CES": "customer effort score",
    "AIC": "Akaike information criterion", "BIC": "Bayesian information criterion", "LR": "likelihood ratio",
    "F": "F statistic", "r": "correlation", "ΔRMSEA": "change in the RMSEA", "α": "Cronbach's alpha",
}
#: A one-letter abbreviation counts only at the start of a header ("p (Holm)", not "Segment B").
_ABBREVIATION = {k: re.compile(("^" if len(k) == 1 else r"(?<![\w√Δ])") + re.escape(k) + r"(?![\w²])")
                 for k in ABBREVIATIONS}

_P_COLUMNS = ("pvalue", "p_value", "p")
_SHARE_COLUMNS = ("share", "reach", "p_first")


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
            rest = name[len(prefix):]
            named = rest in GLOSSARY or (labels is not None and labels(rest) != rest)
            return word + (_header(rest, labels) if named else rest.replace("_", " "))
    words = name.replace("_", " ").strip()
    first = words.split(" ")[0]
    if " " not in words or len(first) < 2 or not first.isascii():
        return words  # a variable name, or a symbol such as p, β or λ that keeps its case
    return words[:1].upper() + words[1:]


def _is_p(name) -> bool:
    return isinstance(name, str) and (name in _P_COLUMNS or name.startswith("pvalue") or name.endswith("_pvalue"))


def _is_share(name) -> bool:
    return isinstance(name, str) and (name in _SHARE_COLUMNS or name.endswith(("_share", "_rate"))
                                      or name.startswith("share_"))


def _signed(text: str) -> str:
    """A formatted number with the typographic minus sign (U+2212) instead of a hyphen."""
    return text.replace("-", MINUS)


def _decimals(finite: pd.Series) -> int:
    """The fewest decimals (at most three) that show every value as it was rounded."""
    for k in range(1, 3):
        if bool(np.allclose(finite, np.round(finite, k), rtol=0, atol=1e-9)):
            return k
    return 3


def _cell_formatter(name, values: pd.Series, labels) -> Callable:
    if _is_p(name) and pd.api.types.is_numeric_dtype(values):
        return apa_p
    if pd.api.types.is_bool_dtype(values):
        return lambda v: "yes" if v else "no"
    if pd.api.types.is_numeric_dtype(values):
        finite = values[np.isfinite(values.astype(float))].astype(float)
        whole = len(finite) > 0 and bool((finite == np.round(finite)).all())
        if _is_share(name) and len(finite) and finite.between(0, 1).all() and not pd.api.types.is_integer_dtype(values):
            return lambda v: "" if pd.isna(v) else f"{100 * v:.1f} %"
        if pd.api.types.is_integer_dtype(values) or whole:
            return lambda v: "" if pd.isna(v) else _signed(f"{v:,.0f}" if np.isfinite(v) else str(v))
        digits = _decimals(finite) if len(finite) else 3
        return lambda v: "" if pd.isna(v) else _signed(f"{v:,.{digits}f}")

    def text(v):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return ""
        if isinstance(v, bool | np.bool_):
            return "yes" if v else "no"
        if not isinstance(v, str):
            return str(v)
        shown = labels(v) if labels is not None else v
        return str(GLOSSARY.get(v, v) if shown == v else shown)

    return text


def _value_by_row(name, v) -> str:
    """A cell of a long table's ``value`` column, formatted by the kind its row names."""
    if v is None or pd.isna(v):
        return ""
    if not isinstance(v, int | float | np.number) or isinstance(v, bool | np.bool_):
        return str(v)
    row = str(name)
    if _is_p(row) or row.lower().endswith(("p-value", "p value")):
        return apa_p(float(v))
    if _is_share(row) and 0 <= v <= 1:
        return f"{100 * v:.1f} %"
    if not np.isfinite(v):
        return _signed(str(v))
    return _signed(f"{v:,.0f}" if float(v) == round(float(v)) else f"{v:,.3f}")


def _row_formats(frame: pd.DataFrame, formats: list) -> list:
    """Long tables (a text column naming each row, ``value`` and at most one more column): the
    value formatted by the kind its row names (a count, a share, a p-value)."""
    if ("value" not in frame.columns or len(frame.columns) > 3 or frame.columns[0] == "value"
            or pd.api.types.is_numeric_dtype(frame.iloc[:, 0])):
        return [formats] * len(frame)
    j = list(frame.columns).index("value")
    return [formats[:j] + [lambda v, r=r: _value_by_row(r, v)] + formats[j + 1:] for r in frame.iloc[:, 0]]


def _meaningful_index(index: pd.Index) -> bool:
    if isinstance(index, pd.MultiIndex):
        return True
    if isinstance(index, pd.RangeIndex):
        return False
    return not (index.name is None and pd.api.types.is_integer_dtype(index))


def _value_columns(values, func: str) -> tuple:
    """The ``values`` columns as a tuple without ``None``; a bare string or a non-iterable is an error."""
    if isinstance(values, str) or not hasattr(values, "__iter__"):
        raise param_error("values", func, "be a list of column names", values)
    return tuple(v for v in values if v is not None)


def publication_html(table: pd.DataFrame, *, labels: Callable[[str], str] | None = None, values=()) -> str:
    """A DataFrame as a publication table (HTML): see the module notes.

    Parameters
    ----------
    table : DataFrame
    labels : callable, optional
        Display label of a variable name (e.g. ``Codebook.label``): used for headers and
        for text cells (construct and item names).
    values : list of str, optional
        Columns whose cells are data values (e.g. the segment and wave columns): shown as
        they are, never relabelled, even when a value happens to be a variable's name.
        ``None`` entries are skipped (a codebook without a wave column); a bare string is
        an error (it is not a list of columns).

    Returns
    -------
    str
        An HTML ``<table class="dataframe cx-table">``; every value escaped.

    Examples
    --------
    >>> t = pd.DataFrame({"lhs": ["sat"], "rhs": ["rel"], "est": [0.41234], "pvalue": [0.0002],
    ...                   "n": [194564.0]}, index=[34])
    >>> import re
    >>> re.findall(r'<t[hd](?: class="cx-text")?>(.*?)</t[hd]>', publication_html(t, labels={"sat": "Satisfaction"}.get))
    ['Outcome or construct', 'Driver or item', 'Estimate', 'p', 'n', 'Satisfaction', 'rel', '0.412', '&lt; .001', '194,564']
    """
    check_frame(table, "publication_html", "table")
    plain = set(_value_columns(values, "publication_html"))
    look = (lambda v: labels(v) if labels(v) is not None else v) if labels is not None else None
    frame = table.reset_index() if _meaningful_index(table.index) else table.reset_index(drop=True)
    if isinstance(frame.columns, pd.MultiIndex):
        frame.columns = [" ".join(str(c) for c in col if str(c)) for col in frame.columns]
    esc = html.escape
    # words left-aligned, numbers right-aligned (APA): a text column's cells carry a class
    numeric = [pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col) for _, col in frame.items()]
    kinds = ["" if number else ' class="cx-text"' for number in numeric]
    heads = "".join(f"<th{k}>{esc(_header(c, look))}</th>" for k, c in zip(kinds, frame.columns))
    formats = [_cell_formatter(c, frame.iloc[:, j], None if c in plain else look) for j, c in enumerate(frame.columns)]
    rows = "".join("<tr>" + "".join(f"<td{k}>{esc(f(v))}</td>" for k, f, v in zip(kinds, fs, cells)) + "</tr>"
                   for fs, cells in zip(_row_formats(frame, formats), frame.itertuples(index=False, name=None)))
    note = table_note([_header(c, look) for c in frame.columns])
    foot = (f'<tfoot><tr><td class="cx-table-note" colspan="{len(frame.columns)}">{esc(note)}</td></tr></tfoot>'
            if note else "")
    return f'<table class="dataframe cx-table"><thead><tr>{heads}</tr></thead><tbody>{rows}</tbody>{foot}</table>'


def table_note(headers) -> str:
    """The note under a table spelling out the abbreviations its headers use (APA style).

    Examples
    --------
    >>> print(table_note(["Outcome", "B", "SE", "β", "p (Holm)", "95% CI", "ΔCFI", "Segment B"]))
    Note. B = unstandardised coefficient; SE = standard error; β = standardised coefficient of a direct path; p = p-value; CI = confidence interval; ΔCFI = change in the comparative fit index.
    >>> table_note(["Driver", "Importance"])
    ''
    """
    found = {}
    for head in headers:
        for abbr, pattern in _ABBREVIATION.items():
            if pattern.search(str(head)):
                found.setdefault(abbr, head)
    order = sorted(found, key=lambda a: next(i for i, h in enumerate(headers) if _ABBREVIATION[a].search(str(h))))
    return ("Note. " + "; ".join(f"{a} = {ABBREVIATIONS[a]}" for a in order) + ".") if order else ""


def use_publication_tables(labels: Callable[[str], str] | None = None, values=()) -> None:
    """Show every DataFrame of the running notebook as a publication table.

    Call it in a notebook's first code cell. Outside IPython it does nothing.

    Parameters
    ----------
    labels : callable, optional
        As in :func:`publication_html`.
    values : list of str, optional
        As in :func:`publication_html`.
    """
    values = _value_columns(values, "use_publication_tables")
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.display_formatter.formatters["text/html"].for_type(
        pd.DataFrame, lambda df: publication_html(df, labels=labels, values=values))


# ------------------------------------------------------------------ APA-style SEM tables
def _estimates(fit, func: str) -> pd.DataFrame:
    table = fit if isinstance(fit, pd.DataFrame) else getattr(fit, "estimates", None)
    need = {"lhs", "op", "rhs", "est", "se", "pvalue"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise param_error("fit", func, f"be a cxlab.sem fit or its estimates table (columns {sorted(need)})", fit,
                          got=type(fit).__name__)
    return table


def _interval(lower: pd.Series, upper: pd.Series, digits: int = 3) -> list[str]:
    return ["" if pd.isna(lo) or pd.isna(hi) else _signed(f"[{lo:.{digits}f}, {hi:.{digits}f}]")
            for lo, hi in zip(lower, upper)]


def _apa(rows: pd.DataFrame, first: dict, *, standardised: str, level: float) -> pd.DataFrame:
    """Columns ``first`` (name -> source column), then B, SE, CI, the standardised value and p."""
    out = pd.DataFrame({name: rows[col].to_numpy() for name, col in first.items()})
    if "group" in rows.columns:
        out.insert(0, "group", rows["group"].to_numpy())
    se = rows["se"].to_numpy(dtype=float)
    fixed = ~(se > 0)  # a fixed parameter (a marker loading): no SE, interval or p
    out["B"] = rows["est"].to_numpy(dtype=float)
    out["SE"] = np.where(fixed, np.nan, se)
    if {"ci_lower", "ci_upper"} <= set(rows.columns):
        out[f"{100 * level:g}% CI"] = np.where(fixed, "", _interval(rows["ci_lower"], rows["ci_upper"]))
    if "std_all" in rows.columns:
        out[standardised] = rows["std_all"].to_numpy(dtype=float)
    out["p"] = np.where(fixed, np.nan, rows["pvalue"].to_numpy(dtype=float))
    return out


def loadings_table(fit) -> pd.DataFrame:
    """The loadings of a measurement model as an APA table: construct, item, B, SE, λ, p.

    Parameters
    ----------
    fit : cxlab.sem fit, or its ``estimates`` DataFrame

    Returns
    -------
    DataFrame
        One row per loading (``=~``), in model order: ``construct``, ``item``, ``B``
        (unstandardised), ``SE``, ``95% CI``, ``λ`` (standardised, std.all) and ``p``;
        a first ``group`` column for multigroup fits. A fixed (marker) loading has no
        SE, interval or p.

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["f", "f"], "op": "=~", "rhs": ["a", "b"], "est": [1.0, 0.8],
    ...                     "se": [np.nan, 0.05], "pvalue": [np.nan, 1e-9], "std_all": [0.71, 0.66]})
    >>> loadings_table(est).columns.tolist()
    ['construct', 'item', 'B', 'SE', 'λ', 'p']
    """
    rows = _estimates(fit, "loadings_table")
    return _apa(rows[rows["op"] == "=~"], {"construct": "lhs", "item": "rhs"}, standardised="λ", level=0.95)


def paths_table(fit, *, predictors=None) -> pd.DataFrame:
    """The structural paths of a model as an APA table: outcome, predictor, B, SE, 95% CI, β, p.

    β is the standardised coefficient (std.all) of the *direct* path; the interval is the
    one of B from the fit (Wald, or bootstrap percentile for a bootstrapped fit).
    ``predictors`` keeps only the paths from these variables (e.g. the contact factors).

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["y", "f"], "op": ["~", "=~"], "rhs": ["x", "a"], "est": [0.5, 1.0],
    ...                     "se": [0.1, np.nan], "pvalue": [2e-6, np.nan], "ci_lower": [0.3, np.nan],
    ...                     "ci_upper": [0.7, np.nan], "std_all": [0.42, 0.8]})
    >>> paths_table(est)
      outcome predictor    B   SE          95% CI     β         p
    0       y         x  0.5  0.1  [0.300, 0.700]  0.42  0.000002
    >>> paths_table(est, predictors=["z"]).empty
    True
    """
    rows = _estimates(fit, "paths_table")
    rows = rows[rows["op"] == "~"]
    if predictors is not None:
        if isinstance(predictors, str):
            raise param_error("predictors", "paths_table", "be a list of variable names", predictors)
        rows = rows[rows["rhs"].isin(list(predictors))]
    return _apa(rows, {"outcome": "lhs", "predictor": "rhs"}, standardised="β", level=0.95)


def effects_apa(effects: pd.DataFrame) -> pd.DataFrame:
    """A :func:`cxlab.sem.effects_table` as an APA table (the standardised effect is not a β).

    Examples
    --------
    >>> e = pd.DataFrame({"driver": ["x"], "outcome": ["y"], "effect": ["total"], "est": [0.3], "se": [0.1],
    ...                   "pvalue": [0.003], "ci_lower": [0.1], "ci_upper": [0.5], "std_all": [0.25]})
    >>> effects_apa(e).columns.tolist()
    ['driver', 'outcome', 'effect', 'B', 'SE', '95% CI', 'Standardised effect', 'p']
    """
    if not isinstance(effects, pd.DataFrame) or not {"driver", "outcome", "effect", "est"} <= set(effects.columns):
        raise param_error("effects", "effects_apa", "be the result of cxlab.sem.effects_table", effects,
                          got=type(effects).__name__)
    return _apa(effects, {"driver": "driver", "outcome": "outcome", "effect": "effect"},
                standardised="Standardised effect", level=0.95)


def fit_apa(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`cxlab.sem.fit_table` as an APA table: each index with its own number format.

    χ² with two decimals, df as an integer, p in APA style, the other indices with three
    decimals; ``(scaled)`` marks a robust (scaled) index.

    Examples
    --------
    >>> t = pd.DataFrame({"value": [85.3, 24, 1e-8, 0.931], "cutoff": ["", "", "", "≥ 0.95"],
    ...                   "meets": [None, None, None, False], "source": ["chisq", "df", "pvalue", "cfi_scaled"]},
    ...                  index=pd.Index(["chi-square", "df", "p-value", "CFI"], name="index"))
    >>> fit_apa(t).values.tolist()
    [['χ²', '85.30', '', ''], ['df', '24', '', ''], ['p', '< .001', '', ''], ['CFI (scaled)', '0.931', '≥ 0.95', 'no']]
    """
    if not isinstance(table, pd.DataFrame) or not {"value", "cutoff", "meets"} <= set(table.columns):
        raise param_error("table", "fit_apa", "be the result of cxlab.sem.fit_table", table, got=type(table).__name__)
    names = {"chi-square": "χ²", "p-value": "p"}
    rows = []
    for index, r in table.iterrows():
        v = r["value"]
        text = ("" if pd.isna(v) else apa_p(v) if index == "p-value" else f"{v:,.0f}" if index == "df"
                else f"{v:.2f}" if index == "chi-square" else _signed(f"{v:.3f}"))
        scaled = " (scaled)" if str(r.get("source", "")).endswith("_scaled") and index not in ("df",) else ""
        meets = "" if r["meets"] is None or pd.isna(r["meets"]) else ("yes" if r["meets"] else "no")
        rows.append({"index": names.get(index, index) + scaled, "value": text, "cutoff": r["cutoff"] or "",
                     "meets": meets})
    return pd.DataFrame(rows, columns=["index", "value", "cutoff", "meets"])


def r2_table(fit) -> pd.DataFrame:
    """R² of the structural outcomes (variables with a ``~`` path into them) of a fit.

    A multigroup fit (``r2`` indexed by group and variable) gives one row per group and
    outcome, with a first ``group`` column.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> est = pd.DataFrame({"lhs": ["y", "f"], "op": ["~", "=~"], "rhs": ["x", "a"]})
    >>> r2_table(SimpleNamespace(estimates=est, r2=pd.Series({"y": 0.31, "a": 0.5}))).values.tolist()
    [['y', 0.31]]
    >>> r2 = pd.Series([0.31, 0.5, 0.2], index=pd.MultiIndex.from_tuples([("m", "y"), ("m", "a"), ("w", "y")]))
    >>> r2_table(SimpleNamespace(estimates=est, r2=r2)).values.tolist()
    [['m', 'y', 0.31], ['w', 'y', 0.2]]
    """
    outcomes = list(dict.fromkeys(fit.estimates.loc[fit.estimates["op"] == "~", "lhs"]))
    r2 = fit.r2
    if isinstance(r2.index, pd.MultiIndex):  # (group, variable)
        rows = [(g, o, float(r2[(g, o)])) for g in pd.unique(r2.index.get_level_values(0)) for o in outcomes
                if (g, o) in r2.index]
        return pd.DataFrame(rows, columns=["group", "outcome", "R²"])
    return pd.DataFrame({"outcome": [o for o in outcomes if o in r2.index],
                         "R²": [float(r2[o]) for o in outcomes if o in r2.index]})


def linkage_table(linkage) -> pd.DataFrame:
    """The linkage report of :func:`cxlab.data.load_linkage` (or a mapping of its counts) as a table in words.

    Examples
    --------
    >>> linkage_table({"window_days": 90, "respondents_in_contact_log": 1890}).values.tolist()
    [['Contact window (days)', 90], ['Respondents in contact log', 1890]]
    """
    if hasattr(linkage, "to_frame"):  # a cxlab.data.Linkage
        linkage = linkage.to_frame()["count"].to_dict()
    words = {"window_days": "Contact window (days)"}
    return pd.DataFrame({"linkage": [words.get(k, k.replace("_", " ").capitalize()) for k in linkage],
                         "count": [int(v) for v in linkage.values()]})


def missingness_table(missing: pd.DataFrame) -> pd.DataFrame:
    """A :func:`cxlab.quality.missingness` table for a report: its item groups named as scales.

    The ``group`` column of the missingness table holds scales and single items, not
    segments, so it is renamed ``scale`` (headed "Scale or item").

    Examples
    --------
    >>> m = pd.DataFrame({"group": ["Reliability"], "items": [4], "cells": [400], "missing": [8],
    ...                   "missing_share": [0.02], "complete_cases": [95]})
    >>> missingness_table(m).columns.tolist()
    ['scale', 'items', 'cells', 'missing', 'missing_share', 'complete_cases']
    """
    check_frame(missing, "missingness_table", "missing")
    check_columns(missing, ["group", "missing_share"], "missingness_table", "missing")
    return missing.rename(columns={"group": "scale"})
