"""Judge a model's fit against stated cut-offs (Hu & Bentler 1999)."""

from __future__ import annotations

import pandas as pd

from .._text import md, number

__all__ = ["CUTOFFS", "fit_table", "describe_fit"]

#: Hu & Bentler (1999) cut-offs: (direction, threshold). "min" means at least.
CUTOFFS = {"cfi": ("min", 0.95), "tli": ("min", 0.95), "rmsea": ("max", 0.06), "srmr": ("max", 0.08)}


def fit_table(fit, *, cutoffs: dict | None = None) -> pd.DataFrame:
    """Fit indices beside their cut-offs, with a verdict for each.

    For MLR and WLSMV fits the scaled indices (``cfi_scaled``, ...) are judged where
    present. The chi-square test is reported without a verdict: at survey sample sizes
    it rejects nearly every model.

    Parameters
    ----------
    fit : result of :func:`cxlab.sem.fit` (anything with ``fit_measures``), or a Series
    cutoffs : dict, optional
        ``{index: ("min" | "max", threshold)}``; default :data:`CUTOFFS`.

    Returns
    -------
    DataFrame indexed by ``index`` with ``value``, ``cutoff`` (text), ``meets`` (bool or
    None) and ``source`` (the fit measure used).

    Examples
    --------
    >>> fm = pd.Series({"chisq": 85.3, "df": 24, "pvalue": 1e-8, "cfi": 0.931, "tli": 0.896,
    ...                 "rmsea": 0.092, "srmr": 0.065})
    >>> fit_table(fm)[["value", "cutoff", "meets"]]
                 value cutoff  meets
    index
    chi-square  85.300         None
    df          24.000         None
    p-value      0.000         None
    CFI          0.931 ≥ 0.95  False
    TLI          0.896 ≥ 0.95  False
    RMSEA        0.092 ≤ 0.06  False
    SRMR         0.065 ≤ 0.08   True
    """
    fm = fit if isinstance(fit, pd.Series) else fit.fit_measures
    cutoffs = CUTOFFS if cutoffs is None else cutoffs

    def pick(name):
        scaled = f"{name}_scaled"
        return (scaled, fm[scaled]) if scaled in fm.index and pd.notna(fm[scaled]) else (name, fm.get(name))

    rows = []
    for label, name in (("chi-square", "chisq"), ("df", "df"), ("p-value", "pvalue")):
        source, value = pick(name)
        rows.append({"index": label, "value": value, "cutoff": "", "meets": None, "source": source})
    for name, (direction, threshold) in cutoffs.items():
        source, value = pick(name)
        if value is None:
            continue
        meets = bool(value >= threshold) if direction == "min" else bool(value <= threshold)
        rows.append({"index": name.upper(), "value": float(value),
                     "cutoff": f"{'≥' if direction == 'min' else '≤'} {threshold:g}", "meets": meets,
                     "source": source})
    out = pd.DataFrame(rows).set_index("index")
    out["value"] = out["value"].astype(float).round(3)
    return out


def describe_fit(fit, *, alpha: float = 0.05) -> str:
    """Plain-words summary of a fitted model: convergence, fit verdict, structural paths, R².

    Generated from the numbers: which indices meet Hu & Bentler's cut-offs, the
    significant structural paths ordered by their standardised size, and the R² of the
    structural outcomes. A non-converged fit or one with warnings says so first.
    """
    if not fit.converged:
        return "**The model did not converge**: its estimates must not be interpreted. " + " ".join(map(md, fit.warnings))
    table = fit_table(fit)
    judged = table[table["meets"].notna()]
    met = [f"{i} {v:.3f}" for i, v, m in zip(judged.index, judged["value"], judged["meets"]) if m]
    missed = [f"{i} {v:.3f} ({c})" for i, v, c, m in zip(judged.index, judged["value"], judged["cutoff"],
                                                           judged["meets"]) if not m]
    if not missed:
        text = f"The model fits well: {', '.join(met)} all meet Hu & Bentler's (1999) cut-offs."
    elif not met:
        text = f"The model fits poorly: none of the indices meets its cut-off ({', '.join(missed)})."
    else:
        text = f"The fit is mixed: {', '.join(met)} meet the cut-offs, {', '.join(missed)} do not."
    paths = fit.estimates[fit.estimates["op"] == "~"]
    for outcome, rows in paths.groupby("lhs", sort=False):
        sig = rows[rows["pvalue"] < alpha].sort_values("std_all", key=abs, ascending=False)
        ns = rows[~(rows["pvalue"] < alpha)]
        r2 = fit.r2.get(outcome)
        effects = ", ".join(f"{md(r.rhs)} (β = {number(r.std_all)})" for r in sig.itertuples())
        text += f" **{md(outcome)}**" + (f" (R² = {r2:.2f})" if r2 is not None else "") + ": "
        text += (f"significant drivers, strongest first: {effects}" if len(sig) else "no significant driver")
        if len(ns):
            text += f"; not significant at α = {alpha:g}: {', '.join(map(md, ns['rhs']))}"
        text += "."
    if fit.warnings:
        text += " Warnings: " + " ".join(map(md, fit.warnings))
    return text
