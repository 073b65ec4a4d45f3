"""Judge a model's fit against stated cut-offs (Hu & Bentler 1999)."""

from __future__ import annotations

import pandas as pd

__all__ = ["CUTOFFS", "fit_table"]

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
