"""Scale reliability and convergent/discriminant validity, matching psych and semTools.

* :func:`alpha` and :func:`alpha_table` follow ``psych::alpha`` 2.2.9 (raw and
  standardised alpha, Guttman's lambda 6, alpha-if-item-dropped, item-total,
  item-rest ``r.drop`` correlations, Duhachek's ``ase``) and add Feldt's (1987)
  F-distribution confidence interval for every alpha shown.
* :func:`omega` follows ``psych::omega``: a Schmid–Leiman transformation of a
  minres/oblimin solution gives omega total, omega hierarchical and the
  general-factor loadings.
* :func:`composite_reliability`, :func:`ave` and :func:`fornell_larcker` take a
  fitted CFA (an object with an ``.estimates`` DataFrame in lavaan
  ``parameterEstimates`` layout: ``lhs, op, rhs, est``) and follow semTools'
  ``compRelSEM`` and ``AVE``.
* :func:`htmt` follows ``semTools::htmt`` (both the geometric-mean ``htmt2``
  default and Henseler et al.'s original arithmetic-mean ratio).

Reverse-keyed items (psych's ``keys``): pass ``reverse=[...]`` and optionally
``response_range=(low, high)``; a reversed response is ``low + high - x``. Without
``response_range`` psych's rule is used: the lowest and highest response over
all items of the scale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from cxlab import factor as _factor
from cxlab._text import md
from cxlab._validation import (check_choice, check_ci, check_float, check_frame, check_int, check_probability,
                               param_error)

__all__ = [
    "alpha",
    "alpha_table",
    "scale_reliability",
    "OmegaResult",
    "omega",
    "composite_reliability",
    "ave",
    "fornell_larcker",
    "htmt",
    "HTMT_CUTOFFS",
]

#: Usual HTMT thresholds for discriminant validity (Henseler, Ringle & Sarstedt 2015):
#: 0.85 for conceptually distinct constructs, 0.90 for similar ones.
HTMT_CUTOFFS = {"strict": 0.85, "liberal": 0.90}

_MISSING = ("listwise", "pairwise")


# --------------------------------------------------------------------------- helpers
_LEAVE_OUT = "Leave them out first (cxlab.factor.drop_degenerate_items does, with a note)."


def _prepare_items(
    data, reverse, response_range, missing, caller
) -> tuple[pd.DataFrame, list[str]]:
    """Validate, reverse-key and (listwise) drop missing rows; returns (items, reversed)."""
    data = _factor.numeric_frame(data, caller)
    check_choice(missing, "missing", caller, _MISSING)
    if reverse is None:
        reverse = []
    elif isinstance(reverse, str) or not isinstance(reverse, Sequence):
        raise param_error("reverse", caller, "be a list of column names or None", reverse)
    reverse = list(reverse)
    unknown = [c for c in reverse if c not in data.columns]
    if unknown:
        raise param_error("reverse", caller, "name columns of data", None, got=f"unknown columns {unknown}")
    if response_range is not None:
        ok = (
            isinstance(response_range, Sequence)
            and len(response_range) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in response_range)
            and response_range[0] < response_range[1]
        )
        if not ok:
            raise param_error("response_range", caller, "be a (low, high) pair with low < high", response_range)
    empty = [c for c in data.columns if data[c].isna().all()]
    if empty:
        raise _factor.DegenerateDataError(
            f"The 'data' parameter of {caller} must have answers to every item. Got items without any "
            f"answer {empty} instead. {_LEAVE_OUT}"
        )
    if missing == "listwise":
        data = data.dropna()
    if len(data) < 3:
        raise param_error("data", caller,
                          "have at least 3 complete rows", None,
                          got=f"{len(data)}", exc=_factor.DegenerateDataError)
    constant = [c for c in data.columns if not data[c].std() > 0]
    if constant:
        raise _factor.DegenerateDataError(
            f"The 'data' parameter of {caller} must have items that vary. "
            f"Got constant (or empty) columns {constant} instead. {_LEAVE_OUT}"
        )
    if reverse:
        low, high = (
            response_range
            if response_range is not None
            else (np.nanmin(data.to_numpy()), np.nanmax(data.to_numpy()))
        )
        data = data.copy()
        data[reverse] = low + high - data[reverse]
    return data, reverse


def _alpha_stats(c: np.ndarray, n_obs: int) -> dict[str, float]:
    """psych alpha.1 on a covariance matrix (plus var.r / med.r)."""
    k = c.shape[0]
    sd = np.sqrt(np.diag(c))
    r = c / np.outer(sd, sd)
    total, tr = c.sum(), np.trace(c)
    raw = (1 - tr / total) * k / (k - 1)
    sum_r = r.sum()
    std = (1 - k / sum_r) * k / (k - 1)
    g6 = 1 - (k - _factor.smc(r).sum()) / sum_r
    av_r = (sum_r - k) / (k * (k - 1))
    off = r[np.tril_indices(k, -1)]
    q = (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(c @ c) + tr**2) - 2 * tr * (c @ c).sum()
    )
    return {
        "n_items": k,
        "alpha": raw,
        "std_alpha": std,
        "g6_smc": g6,
        "average_r": av_r,
        "median_r": float(np.median(off)),
        "var_r": float(np.var(off, ddof=1)) if off.size > 1 else np.nan,
        "s_n": k * av_r / (1 - av_r),
        "ase": float(np.sqrt(q / n_obs)),
    }


def _feldt(a: float, n_obs: int, k: int, ci: float) -> tuple[float, float]:
    """Feldt, Woodruff & Salih (1987) confidence interval for alpha."""
    df1, df2 = n_obs - 1, (n_obs - 1) * (k - 1)
    lower = 1 - (1 - a) * stats.f.ppf(1 - (1 - ci) / 2, df1, df2)
    upper = 1 - (1 - a) * stats.f.ppf((1 - ci) / 2, df1, df2)
    return float(lower), float(upper)


# --------------------------------------------------------------------------- alpha
def alpha(
    data: pd.DataFrame,
    *,
    reverse: Sequence[str] | None = None,
    response_range: tuple[float, float] | None = None,
    missing: str = "listwise",
) -> float:
    """Cronbach's alpha (raw, from the item covariances), as ``psych::alpha``.

    Parameters
    ----------
    data : DataFrame
        One numeric column per item of the scale.
    reverse : list of str, optional
        Reverse-keyed items (psych ``keys``), scored ``low + high - x``.
    response_range : (low, high), optional
        Response scale bounds for reversing; default: the lowest and highest
        response observed over all items (psych's rule).
    missing : {"listwise", "pairwise"}, default="listwise"
        Drop incomplete rows, or use pairwise covariances (psych's default).

    Returns
    -------
    float

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3],
    ...                      "q3": [5, 4, 3, 2, 1, 3]})
    >>> round(alpha(data, reverse=["q3"]), 4)
    0.9621
    """
    items, _ = _prepare_items(data, reverse, response_range, missing, "alpha")
    c = items.cov().to_numpy()
    k = c.shape[0]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def alpha_table(
    data: pd.DataFrame,
    *,
    reverse: Sequence[str] | None = None,
    response_range: tuple[float, float] | None = None,
    missing: str = "listwise",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Alpha of the scale and of the scale without each item, with item statistics.

    Parameters
    ----------
    data, reverse, response_range, missing
        As in :func:`alpha`.
    ci : float, default=0.95
        Level of the Feldt confidence intervals.

    Returns
    -------
    DataFrame
        Indexed by ``item``: first the row ``"total"`` (the full scale), then one
        row per item. Columns describing a scale (for an item row: the scale
        *without* that item, psych's ``alpha.drop``):

        * ``n_items``: items in that scale.
        * ``alpha``: raw Cronbach's alpha; ``std_alpha``: from correlations.
        * ``ci_lower``, ``ci_upper``: Feldt (1987) interval for ``alpha``
          (F distribution with ``n - 1`` and ``(n - 1)(k - 1)`` df; the interval
          pingouin reports).
        * ``ase``: Duhachek & Iacobucci's asymptotic SE (psych ``ase`` / ``alpha se``).
        * ``g6_smc``: Guttman's lambda 6; ``average_r``, ``median_r``, ``var_r``:
          mean, median and variance of the inter-item correlations; ``s_n``:
          signal/noise ratio.

        Columns describing the item (NaN on the total row, except ``mean``/``sd``
        which there describe the mean score): ``r_total`` (item–total correlation,
        psych ``raw.r``), ``std_r``, ``r_cor`` (corrected for overlap with SMCs),
        ``r_drop`` (item–rest correlation), ``mean``, ``sd``, ``reversed``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3],
    ...                      "q3": [5, 4, 3, 2, 1, 3]})
    >>> alpha_table(data, reverse=["q3"])[["alpha", "r_drop"]].round(3)
           alpha  r_drop
    item
    total  0.962     NaN
    q1     0.908   0.968
    q2     1.000   0.847
    q3     0.908   0.968
    """
    caller = "alpha_table"
    check_ci(ci, caller)
    items, rev = _prepare_items(data, reverse, response_range, missing, caller)
    names = list(items.columns)
    k = len(names)
    if k < 2:
        raise param_error("data", caller,
                          "have at least 2 columns", None,
                          got=f"{k}")
    n_obs = len(items)
    c = items.cov().to_numpy()
    sd = np.sqrt(np.diag(c))
    r = c / np.outer(sd, sd)

    rows = [_alpha_stats(c, n_obs)]
    for i in range(k):
        keep = [j for j in range(k) if j != i]
        if k > 2:
            rows.append(_alpha_stats(c[np.ix_(keep, keep)], n_obs))
        else:  # a one-item "scale": psych reports the correlation
            rows.append({"n_items": 1, "alpha": r[0, 1], "std_alpha": r[0, 1]})
    table = pd.DataFrame(rows, index=pd.Index(["total", *names], name="item"))
    bounds = [
        _feldt(a, n_obs, int(m), ci) if m > 1 else (np.nan, np.nan)
        for a, m in zip(table["alpha"], table["n_items"])
    ]
    table["ci_lower"] = [b[0] for b in bounds]
    table["ci_upper"] = [b[1] for b in bounds]

    score = items.mean(axis=1)
    rc = r.copy()
    np.fill_diagonal(rc, _factor.smc(r))
    total_cov = c.sum()
    r_drop = [  # item-rest correlation from the covariances, as psych
        (c[:, i].sum() - c[i, i]) / np.sqrt(c[i, i] * (total_cov - 2 * c[:, i].sum() + c[i, i]))
        for i in range(k)
    ]
    item_cols = {
        "r_total": [items[name].corr(score) for name in names],
        "std_r": r.sum(axis=0) / np.sqrt(r.sum()),
        "r_cor": rc.sum(axis=0) / np.sqrt(rc.sum()),
        "r_drop": r_drop,
        "mean": items.mean().to_numpy(),
        "sd": items.std().to_numpy(),
    }
    for col, values in item_cols.items():
        table[col] = np.concatenate([[np.nan], np.asarray(values, dtype=float)])
    table.loc["total", "mean"] = score.mean()
    table.loc["total", "sd"] = score.std()
    table["reversed"] = [False] + [name in rev for name in names]
    table["n_items"] = table["n_items"].astype(int)
    order = ["n_items", "alpha", "std_alpha", "ci_lower", "ci_upper", "ase", "g6_smc",
             "average_r", "median_r", "var_r", "s_n", "r_total", "std_r", "r_cor", "r_drop",
             "mean", "sd", "reversed"]
    return table[order]


# --------------------------------------------------------------------------- omega
@dataclass(frozen=True)
class OmegaResult:
    """McDonald's omega from a Schmid–Leiman solution (psych ``omega``).

    Attributes
    ----------
    omega_total : float
        ``(Vt - sum(u2)) / Vt``, ``Vt`` the sum of the correlation matrix.
    omega_hierarchical : float
        ``(sum g)^2 / Vt``: share of total-score variance due to the general factor.
    omega_limit : float
        ``(sum g)^2 / (Vt - sum(u2))`` (psych ``omega.lim``).
    alpha : float
        Standardised alpha (psych's ``alpha`` in ``omega``).
    g6 : float
        Guttman's lambda 6 (psych ``G6``).
    ecv : float
        Explained common variance of the general factor.
    loadings : DataFrame
        Schmid–Leiman loadings: ``g``, ``F1*``..``Fk*``, ``h2``, ``u2``, ``p2``
        (share of the communality due to g); reverse-keyed items, and items
        reflected for a negative g loading, are marked ``-`` as in psych.
    groups : DataFrame
        psych's ``omega.group``: rows ``g`` (whole scale) and ``F1*``..; columns
        ``total``, ``general``, ``group``.
    n_factors : int
    """

    omega_total: float
    omega_hierarchical: float
    omega_limit: float
    alpha: float
    g6: float
    ecv: float
    loadings: pd.DataFrame
    groups: pd.DataFrame
    n_factors: int


def _schmid(r: np.ndarray, nf: int, method: str):
    """psych ``schmid``: returns (sl loadings array g|F*|h2|u2|p2, oblique pattern)."""
    corr = pd.DataFrame(r)
    orth = _factor.efa_from_corr(corr, nf, method=method, rotation="varimax").loadings.to_numpy()
    if nf == 1:
        fload, gload = orth, np.array([1.0])
    else:
        fload, phi, _, _ = _factor.gpf_oblq(orth)
        if nf > 2:
            gres = _factor.efa_from_corr(pd.DataFrame(phi), 1, method=method, rotation="none")
            gload = gres.loadings.to_numpy()[:, 0]
        else:  # psych option="equal"
            root = np.sqrt(abs(phi[0, 1]))
            gload = np.array([root, np.sign(phi[0, 1]) * root])
    g = fload @ gload
    h2 = np.sum(orth**2, axis=1)
    u2 = np.diag(r) - h2
    uniq2 = fload**2 - (fload * gload) ** 2
    sm = np.sign(fload) * np.sqrt(np.clip(uniq2, 0, None))
    return np.column_stack([g, sm, h2, u2, g**2 / h2])


def omega(
    data: pd.DataFrame,
    *,
    n_factors: int = 3,
    reverse: Sequence[str] | None = None,
    response_range: tuple[float, float] | None = None,
    method: str = "minres",
    missing: str = "listwise",
) -> OmegaResult:
    """McDonald's omega total and hierarchical, as ``psych::omega(X, nfactors)``.

    The items' correlations are factored with ``method`` into ``n_factors``
    factors, rotated by varimax and then oblimin; with three or more factors a
    general factor is extracted from the factor correlations (Schmid–Leiman);
    with two, both group factors load equally on g (psych ``option="equal"``);
    with one, omega hierarchical is just ``(sum of loadings)^2 / Vt`` (psych warns
    it is not meaningful). Items with negative general loadings are reflected
    (psych ``flip=TRUE``) unless reverse-keyed with ``reverse``.

    Parameters
    ----------
    data : DataFrame
        Numeric items.
    n_factors : int, default=3
        Group factors (psych's default is 3).
    reverse, response_range, missing
        As in :func:`alpha`.
    method : {"minres", "ml", "pa"}, default="minres"

    Returns
    -------
    OmegaResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(400, 1))
    >>> data = pd.DataFrame(f * .8 + rng.normal(scale=.6, size=(400, 5)),
    ...                     columns=["q1", "q2", "q3", "q4", "q5"])
    >>> res = omega(data, n_factors=1)
    >>> round(res.omega_total, 3), round(res.alpha, 3)
    (0.906, 0.906)
    """
    caller = "omega"
    items, rev = _prepare_items(data, reverse, response_range, missing, caller)
    check_choice(method, "method", caller, _factor.METHODS)
    names = [n + ("-" if n in rev else "") for n in items.columns]  # psych marks keyed items
    k = len(names)
    check_int(n_factors, "n_factors", caller, low=1, high=k - 1)
    r = items.corr().to_numpy()
    sl = _schmid(r, int(n_factors), method)
    # psych flips items with a negative general loading unless keys were given
    key = np.where((sl[:, 0] < 0) & (not rev), -1.0, 1.0)
    if np.any(key < 0):
        r = r * np.outer(key, key)
        sl[:, : n_factors + 1] *= key[:, None]
        names = [n + ("-" if s < 0 else "") for n, s in zip(names, key)]
    vt, vitem = r.sum(), np.trace(r)
    gload = sl[:, 0]
    gsq = gload.sum() ** 2
    uniq = sl[:, n_factors + 2].sum()
    ev = np.sum(sl[:, : n_factors + 1] ** 2, axis=0)
    cols = ["g", *[f"F{i + 1}*" for i in range(n_factors)], "h2", "u2", "p2"]
    loadings = pd.DataFrame(sl, index=pd.Index(names, name="item"), columns=cols)

    group_rows = {"g": ((vt - uniq) / vt, gsq / vt, np.nan)}
    sub = np.abs(sl[:, 1 : n_factors + 1]).argmax(axis=1)
    grs = 0.0
    for j in range(n_factors):
        idx = np.flatnonzero(sub == j)
        if idx.size == 0:
            group_rows[f"F{j + 1}*"] = (np.nan, np.nan, np.nan)
            continue
        vgr = r[np.ix_(idx, idx)].sum()
        gr = sl[idx, j + 1].sum()
        grs += gr**2
        ge = sl[idx, 0].sum() ** 2
        group_rows[f"F{j + 1}*"] = ((gr**2 + ge) / vgr, ge / vgr, gr**2 / vgr)
    group_rows["g"] = (group_rows["g"][0], group_rows["g"][1], grs / vt)
    groups = pd.DataFrame.from_dict(
        group_rows, orient="index", columns=["total", "general", "group"]
    )
    return OmegaResult(
        omega_total=float((vt - uniq) / vt),
        omega_hierarchical=float(gsq / vt),
        omega_limit=float(gsq / (vt - uniq)),
        alpha=float((vt - vitem) / vt * k / (k - 1)),
        g6=float((vt + _factor.smc(r).sum() - vitem) / vt),
        ecv=float(ev[0] / ev.sum()),
        loadings=loadings,
        groups=groups,
        n_factors=int(n_factors),
    )


# --------------------------------------------------------------------------- CFA-based indices
def _estimates(fit, caller: str) -> pd.DataFrame:
    est = fit if isinstance(fit, pd.DataFrame) else getattr(fit, "estimates", None)
    if not isinstance(est, pd.DataFrame) or not {"lhs", "op", "rhs", "est"} <= set(est.columns):
        raise param_error("fit", caller,
                          "be a fitted CFA with an .estimates DataFrame (or that DataFrame) "
                          "holding columns lhs, op, rhs, est", None,
                          got=f"{type(fit).__name__}", exc=TypeError)
    if "group" in est.columns and est["group"].nunique() > 1:
        raise param_error("fit", caller,
                          "be a single-group model", None,
                          got=f"{est['group'].nunique()} groups")
    return est


def _matrices(est: pd.DataFrame):
    """Lambda, Psi, Theta (as DataFrames) from a lavaan-style parameter table."""
    load = est[est["op"] == "=~"]
    factors = list(dict.fromkeys(load["lhs"]))
    indicators = list(dict.fromkeys(load["rhs"]))
    lam = pd.DataFrame(0.0, index=indicators, columns=factors)
    for row in load.itertuples():
        lam.loc[row.rhs, row.lhs] = row.est
    psi = pd.DataFrame(0.0, index=factors, columns=factors)
    theta = pd.DataFrame(0.0, index=indicators, columns=indicators)
    for row in est[est["op"] == "~~"].itertuples():
        for mat in (psi, theta):
            if row.lhs in mat.index and row.rhs in mat.index:
                mat.loc[row.lhs, row.rhs] = mat.loc[row.rhs, row.lhs] = row.est
    return lam, psi, theta


def _select(data, columns: list[str], caller: str) -> pd.DataFrame:
    """The model's indicator columns of ``data``, checked to exist and be numeric."""
    check_frame(data, caller)
    absent = [c for c in columns if c not in data.columns]
    if absent:
        raise param_error("data", caller,
                          "hold every indicator of the model", None,
                          got=f"no columns {absent}")
    return _factor.numeric_frame(data[columns], caller, min_columns=1)


def _sigma(lam, psi, theta, data, caller) -> pd.DataFrame:
    if data is None:
        return lam @ psi @ lam.T + theta
    x = _select(data, list(lam.index), caller).dropna()
    return x.cov(ddof=0)


def _factor_blocks(fit, data, caller):
    """Per factor: its name, its indicators' loadings, its variance and their (co)variance block."""
    lam, psi, theta = _matrices(_estimates(fit, caller))
    sigma = _sigma(lam, psi, theta, data, caller)
    for f in lam.columns:
        idx = lam.index[lam[f] != 0]
        yield f, lam.loc[idx, f].to_numpy(), psi.loc[f, f], sigma.loc[idx, idx].to_numpy()


def composite_reliability(fit, *, data: pd.DataFrame | None = None) -> pd.Series:
    """Omega-type composite reliability per factor (semTools ``compRelSEM``).

    ``CR_f = (sum lambda_f)^2 psi_ff / var(sum of f's indicators)``. With ``data``
    the denominator is the observed variance of the sum score (N-divisor sample
    covariances, as lavaan), which is semTools' default ``compRelSEM(fit)``
    (``obs.var=TRUE``); without ``data`` it is the model-implied variance
    (``obs.var=FALSE``), including residual covariances and cross-loadings.

    Parameters
    ----------
    fit : fitted CFA result or DataFrame
        An object whose ``.estimates`` is a lavaan-style parameter table
        (``lhs, op, rhs, est``; e.g. from ``cxlab.sem.fit``), or that table.
    data : DataFrame, optional
        The data the model was fitted to (listwise complete rows are used).

    Returns
    -------
    Series
        Indexed by factor, named ``composite_reliability``.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({"lhs": ["f", "f", "f", "f", "a", "b", "c"],
    ...                     "op": ["=~", "=~", "=~", "~~", "~~", "~~", "~~"],
    ...                     "rhs": ["a", "b", "c", "f", "a", "b", "c"],
    ...                     "est": [1.0, 0.8, 0.9, 0.5, 0.5, 0.6, 0.4]})
    >>> composite_reliability(est).round(4)
    f    0.7085
    Name: composite_reliability, dtype: float64
    """
    out = {f: loadings.sum() ** 2 * var_f / sigma.sum()
           for f, loadings, var_f, sigma in _factor_blocks(fit, data, "composite_reliability")}
    return pd.Series(out, name="composite_reliability")


def ave(fit, *, data: pd.DataFrame | None = None) -> pd.Series:
    """Average variance extracted per factor (semTools ``AVE``).

    ``AVE_f = sum(lambda_i^2 psi_ff) / sum(var(x_i))`` over f's indicators; with
    ``data`` the variances are observed (N-divisor; semTools' default
    ``obs.var=TRUE``), else model-implied.

    Parameters
    ----------
    fit, data
        As in :func:`composite_reliability`.

    Returns
    -------
    Series
        Indexed by factor, named ``ave``.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({"lhs": ["f", "f", "f", "f", "a", "b", "c"],
    ...                     "op": ["=~", "=~", "=~", "~~", "~~", "~~", "~~"],
    ...                     "rhs": ["a", "b", "c", "f", "a", "b", "c"],
    ...                     "est": [1.0, 0.8, 0.9, 0.5, 0.5, 0.6, 0.4]})
    >>> ave(est).round(4)
    f    0.4495
    Name: ave, dtype: float64
    """
    out = {f: (loadings ** 2).sum() * var_f / np.trace(sigma)
           for f, loadings, var_f, sigma in _factor_blocks(fit, data, "ave")}
    return pd.Series(out, name="ave")


def fornell_larcker(fit, *, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """Fornell–Larcker table: sqrt(AVE) on the diagonal, factor correlations off it.

    Discriminant validity holds for a factor when its diagonal entry exceeds the
    absolute correlations in its row and column (Fornell & Larcker 1981).

    Parameters
    ----------
    fit, data
        As in :func:`ave` (``data`` only changes the AVE denominators).

    Returns
    -------
    DataFrame
        Factors x factors.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({
    ...     "lhs": ["f", "f", "g", "g", "f", "g", "f", "a", "b", "c", "d"],
    ...     "op": ["=~", "=~", "=~", "=~", "~~", "~~", "~~", "~~", "~~", "~~", "~~"],
    ...     "rhs": ["a", "b", "c", "d", "f", "g", "g", "a", "b", "c", "d"],
    ...     "est": [1, .9, 1, .8, .6, .5, .2, .4, .5, .5, .6]})
    >>> fornell_larcker(est).round(3)
           f      g
    f  0.739  0.365
    g  0.365  0.654
    """
    caller = "fornell_larcker"
    lam, psi, _ = _matrices(_estimates(fit, caller))
    sd = np.sqrt(np.diag(psi))
    table = psi / np.outer(sd, sd)
    root = np.sqrt(ave(fit, data=data))
    for f in table.index:
        table.loc[f, f] = root[f]
    return table


# --------------------------------------------------------------------------- HTMT
_MEASURE = re.compile(r"^\s*([A-Za-z_.][\w.]*)\s*=~\s*(.+)$")


def _parse_measurement(model, caller: str) -> dict[str, list[str]]:
    if isinstance(model, Mapping):
        spec = {str(k): list(v) for k, v in model.items()}
    elif isinstance(model, str):
        spec: dict[str, list[str]] = {}
        for line in re.split(r"[\n;]", model):
            line = line.split("#")[0]
            m = _MEASURE.match(line)
            if m:
                terms = [t.strip().split("*")[-1].strip() for t in m.group(2).split("+")]
                spec.setdefault(m.group(1), []).extend(t for t in terms if t)
    else:
        spec = {}
    if len(spec) < 2 or any(len(v) < 1 for v in spec.values()):
        raise param_error("model", caller,
                          "define at least two factors, as lavaan syntax ('f =~ x1 + x2') "
                          "or a mapping of factor to items", model)
    return spec


def htmt(
    data: pd.DataFrame,
    model,
    *,
    htmt2: bool = True,
    absolute: bool = True,
    missing: str = "listwise",
) -> pd.DataFrame:
    """Heterotrait–monotrait ratio of correlations (semTools ``htmt``).

    For factors i and j: the mean correlation between their items divided by the
    geometric mean of the average within-factor (off-diagonal) correlations.
    ``htmt2=True`` (semTools 0.5-6 default; Roemer, Schuberth & Henseler 2021)
    uses geometric means throughout; ``htmt2=False`` arithmetic means (the
    original Henseler, Ringle & Sarstedt 2015 HTMT). Values above 0.85 (strict)
    or 0.90 (liberal) signal a lack of discriminant validity
    (:data:`HTMT_CUTOFFS`).

    Parameters
    ----------
    data : DataFrame
        Indicator data.
    model : str or mapping
        Measurement model in lavaan syntax (only ``=~`` lines are read) or a
        mapping ``{factor: [items]}``.
    htmt2 : bool, default=True
    absolute : bool, default=True
        Use absolute correlations (semTools default).
    missing : {"listwise", "pairwise"}, default="listwise"

    Returns
    -------
    DataFrame
        Factors x factors, 1 on the diagonal.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 2))
    >>> x = np.repeat(f, 3, axis=1) + rng.normal(size=(300, 6))
    >>> data = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> htmt(data, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3").round(3)
          A     B
    A  1.00  0.06
    B  0.06  1.00
    """
    caller = "htmt"
    spec = _parse_measurement(model, caller)
    items = list(dict.fromkeys(i for v in spec.values() for i in v))
    data = _select(data, items, caller)
    corr, _ = _factor.corr_from_data(data, missing, caller)
    r = corr.abs() if absolute else corr

    def mean(block: np.ndarray) -> float:
        if htmt2:
            return float(np.exp(np.mean(np.log(block))))
        return float(np.mean(block))

    def within(f: str) -> float:
        block = r.loc[spec[f], spec[f]].to_numpy()
        return mean(block[~np.eye(len(spec[f]), dtype=bool)])

    factors = list(spec)
    mono = {f: within(f) for f in factors}
    out = pd.DataFrame(1.0, index=factors, columns=factors)
    for a in factors:
        for b in factors:
            if a != b:
                hetero = mean(r.loc[spec[a], spec[b]].to_numpy().ravel())
                out.loc[a, b] = hetero / np.sqrt(mono[a] * mono[b])
    return out


def scale_reliability(
    data: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    *,
    missing: str = "listwise",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Cronbach's alpha of several scales, one row each, from :func:`alpha_table`.

    Parameters
    ----------
    data : DataFrame
        Item responses (reverse-keyed items already recoded).
    scales : mapping
        Scale name -> its item columns.
    missing, ci
        As in :func:`alpha_table`.

    Returns
    -------
    DataFrame
        Indexed by ``scale``: ``n_items``, ``n`` (respondents used), ``alpha``,
        ``ci_lower``, ``ci_upper`` (Feldt), ``average_r`` (mean inter-item correlation),
        ``min_r_drop`` (the weakest item-rest correlation), ``weakest_item`` and
        ``alpha_if_weakest_dropped``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 2, 3, 4, 5, 3]})
    >>> scale_reliability(data, {"s": ["q1", "q2", "q3"]})[["n_items", "alpha"]].round(3)
           n_items  alpha
    scale
    s            3  0.962
    """
    rows = []
    for name, items in scales.items():
        table = alpha_table(data[list(items)], missing=missing, ci=ci)
        total, per_item = table.loc["total"], table.drop(index="total")
        weakest = per_item["r_drop"].idxmin()
        n = len(data[list(items)].dropna()) if missing == "listwise" else len(data)
        rows.append({"scale": name, "n_items": len(items), "n": n, "alpha": total["alpha"],
                     "ci_lower": total["ci_lower"], "ci_upper": total["ci_upper"],
                     "average_r": total["average_r"], "min_r_drop": per_item["r_drop"].min(),
                     "weakest_item": weakest, "alpha_if_weakest_dropped": per_item.loc[weakest, "alpha"]})
    return pd.DataFrame(rows).set_index("scale")


# --------------------------------------------------------------------------- validity verdicts
__all__ += [
    "VALIDITY_CUTOFFS",
    "difference_score_reliability",
    "discriminant_validity",
    "validity_table",
    "describe_validity",
]

#: Usual convergent-validity thresholds (Fornell & Larcker 1981; Hair et al. 2019):
#: composite reliability at least 0.70, AVE at least 0.50.
VALIDITY_CUTOFFS = {"composite_reliability": 0.70, "ave": 0.50}


def difference_score_reliability(
    rel_x: float, rel_y: float, r_xy: float, *, sd_x: float = 1.0, sd_y: float = 1.0
) -> float:
    """Reliability of a difference score ``D = X - Y`` (Lord 1963; Johns 1981).

    ``r_DD = (sd_x^2 r_xx + sd_y^2 r_yy - 2 r_xy sd_x sd_y) /
    (sd_x^2 + sd_y^2 - 2 r_xy sd_x sd_y)``. With equal standard deviations this is
    Lord's ``((r_xx + r_yy)/2 - r_xy) / (1 - r_xy)``: the more X and Y correlate, the
    less reliable their difference, even when both are reliable. This is the
    classic argument against SERVQUAL's gap scores (Peter, Churchill & Brown 1993).

    Parameters
    ----------
    rel_x, rel_y : float
        Reliabilities of X and Y (e.g. Cronbach's alpha), in [0, 1].
    r_xy : float
        Correlation of X and Y, in (-1, 1).
    sd_x, sd_y : float, default=1.0
        Standard deviations of X and Y (positive).

    Returns
    -------
    float

    References
    ----------
    .. [1] Lord, F. M. (1963). Elementary models for measuring change. In C. W. Harris
       (Ed.), *Problems in measuring change* (pp. 21-38). University of Wisconsin Press.
    .. [2] Johns, G. (1981). Difference score measures of organizational behavior
       variables: A critique. *Organizational Behavior and Human Performance*, 27,
       443-463.

    Examples
    --------
    >>> round(difference_score_reliability(0.8, 0.8, 0.5), 4)
    0.6
    >>> round(difference_score_reliability(0.85, 0.80, 0.3, sd_x=1.2, sd_y=0.9), 4)
    0.764
    """
    caller = "difference_score_reliability"
    check_probability(rel_x, "rel_x", caller, closed="both")
    check_probability(rel_y, "rel_y", caller, closed="both")
    check_float(r_xy, "r_xy", caller, low=-1, high=1)
    for name, value in (("sd_x", sd_x), ("sd_y", sd_y)):
        check_float(value, name, caller, low=0, must="a positive float")
    cov = 2 * r_xy * sd_x * sd_y
    return float((sd_x**2 * rel_x + sd_y**2 * rel_y - cov) / (sd_x**2 + sd_y**2 - cov))


def _spec_from_fit(est: pd.DataFrame) -> dict[str, list[str]]:
    load = est[est["op"] == "=~"]
    return {f: list(load.loc[load["lhs"] == f, "rhs"]) for f in dict.fromkeys(load["lhs"])}


def discriminant_validity(fit, data: pd.DataFrame, *, htmt2: bool = True) -> pd.DataFrame:
    """Fornell–Larcker and HTMT verdicts for every pair of factors of a CFA.

    Fornell & Larcker (1981): two factors are distinct when each one's square root
    of AVE exceeds their (absolute) correlation. HTMT (Henseler, Ringle & Sarstedt
    2015): distinct below 0.85 (strict, conceptually distinct constructs) or 0.90
    (liberal, similar constructs); :data:`HTMT_CUTOFFS`.

    Parameters
    ----------
    fit : fitted CFA (``cxlab.sem.fit``) or its ``estimates`` table
        Only ``=~`` and ``~~`` rows are read; the measurement model (which items
        load on which factor) for HTMT is taken from the ``=~`` rows.
    data : DataFrame
        The data the CFA was fitted to (observed variances for AVE, as semTools'
        default; item correlations for HTMT).
    htmt2 : bool, default=True
        As in :func:`htmt`.

    Returns
    -------
    DataFrame
        One row per pair (index ``factor_a``, ``factor_b``): ``correlation``
        (latent, standardised), ``sqrt_ave_a``, ``sqrt_ave_b``, ``fornell_larcker``
        (bool: both square roots exceed ``|correlation|``), ``htmt``,
        ``htmt_strict`` (bool, below 0.85), ``htmt_liberal`` (bool, below 0.90) and
        ``verdict`` (``"distinct"``, ``"distinct (liberal HTMT only)"``,
        ``"not distinct"``; see Notes).

    Notes
    -----
    ``verdict`` is ``"distinct"`` when Fornell–Larcker holds and HTMT < 0.85,
    ``"distinct (liberal HTMT only)"`` when Fornell–Larcker holds and
    0.85 <= HTMT < 0.90, else ``"not distinct"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab import sem
    >>> rng = np.random.default_rng(0)
    >>> f = rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], size=400)
    >>> data = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(scale=.7, size=(400, 6)),
    ...                     columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> fit = sem.fit(data, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3")
    >>> discriminant_validity(fit, data)[["correlation", "htmt", "verdict"]].round(2)
                      correlation  htmt   verdict
    factor_a factor_b
    A        B               0.31  0.31  distinct
    """
    caller = "discriminant_validity"
    est = _estimates(fit, caller)
    spec = _spec_from_fit(est)
    if len(spec) < 2:
        raise param_error("fit", caller,
                          "be a CFA with at least two factors", None,
                          got=f"{list(spec)}")
    corr = fornell_larcker(est, data=data)
    ratio = htmt(data, spec, htmt2=htmt2)
    factors = list(spec)
    rows = []
    for i, a in enumerate(factors):
        for b in factors[i + 1:]:
            r = float(corr.loc[a, b])
            fl = bool(corr.loc[a, a] > abs(r) and corr.loc[b, b] > abs(r))
            h = float(ratio.loc[a, b])
            strict, liberal = h < HTMT_CUTOFFS["strict"], h < HTMT_CUTOFFS["liberal"]
            verdict = ("distinct" if fl and strict else
                       "distinct (liberal HTMT only)" if fl and liberal else "not distinct")
            rows.append({"factor_a": a, "factor_b": b, "correlation": r,
                         "sqrt_ave_a": float(corr.loc[a, a]), "sqrt_ave_b": float(corr.loc[b, b]),
                         "fornell_larcker": fl, "htmt": h, "htmt_strict": bool(strict),
                         "htmt_liberal": bool(liberal), "verdict": verdict})
    return pd.DataFrame(rows).set_index(["factor_a", "factor_b"])


def validity_table(fit, data: pd.DataFrame, *, htmt2: bool = True) -> pd.DataFrame:
    """Convergent and discriminant validity per factor of a CFA, with verdicts.

    Parameters
    ----------
    fit, data, htmt2
        As in :func:`discriminant_validity`.

    Returns
    -------
    DataFrame
        Indexed by ``factor``: ``composite_reliability`` and ``ave`` (semTools
        ``compRelSEM``/``AVE`` with observed variances), ``cr_ok`` (>= 0.70),
        ``ave_ok`` (>= 0.50; :data:`VALIDITY_CUTOFFS`), ``sqrt_ave``,
        ``max_correlation`` (largest absolute latent correlation with another
        factor) and ``max_correlation_with``, ``fornell_larcker`` (bool:
        ``sqrt_ave`` exceeds it), ``max_htmt`` and ``max_htmt_with``,
        ``htmt_verdict`` (``"< 0.85"``, ``"0.85-0.90"`` or ``">= 0.90"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab import sem
    >>> rng = np.random.default_rng(0)
    >>> f = rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], size=400)
    >>> data = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(scale=.7, size=(400, 6)),
    ...                     columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> fit = sem.fit(data, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3")
    >>> validity_table(fit, data)[["composite_reliability", "ave", "fornell_larcker", "htmt_verdict"]].round(2)
            composite_reliability   ave  fornell_larcker htmt_verdict
    factor
    A                        0.85  0.65             True       < 0.85
    B                        0.87  0.69             True       < 0.85
    """
    caller = "validity_table"
    est = _estimates(fit, caller)
    cr = composite_reliability(est, data=data)
    av = ave(est, data=data)
    if len(cr) < 2:  # one factor: convergent validity only, nothing to discriminate from
        return pd.DataFrame([{
            "factor": f, "composite_reliability": float(cr[f]), "ave": float(av[f]),
            "cr_ok": bool(cr[f] >= VALIDITY_CUTOFFS["composite_reliability"]),
            "ave_ok": bool(av[f] >= VALIDITY_CUTOFFS["ave"]), "sqrt_ave": float(np.sqrt(av[f])),
            "max_correlation": np.nan, "max_correlation_with": None, "fornell_larcker": None,
            "max_htmt": np.nan, "max_htmt_with": None, "htmt_verdict": None} for f in cr.index]).set_index("factor")
    pairs = discriminant_validity(est, data, htmt2=htmt2)
    both = pd.concat([pairs, pairs.swaplevel().rename_axis(["factor_a", "factor_b"])])
    rows = []
    for f in cr.index:
        mine = both.xs(f, level="factor_a")
        top_r = mine["correlation"].abs().idxmax()
        top_h = mine["htmt"].idxmax()
        h = float(mine.loc[top_h, "htmt"])
        rows.append({
            "factor": f, "composite_reliability": float(cr[f]), "ave": float(av[f]),
            "cr_ok": bool(cr[f] >= VALIDITY_CUTOFFS["composite_reliability"]),
            "ave_ok": bool(av[f] >= VALIDITY_CUTOFFS["ave"]), "sqrt_ave": float(np.sqrt(av[f])),
            "max_correlation": float(abs(mine.loc[top_r, "correlation"])), "max_correlation_with": top_r,
            "fornell_larcker": bool(np.sqrt(av[f]) > abs(mine.loc[top_r, "correlation"])),
            "max_htmt": h, "max_htmt_with": top_h,
            "htmt_verdict": "< 0.85" if h < HTMT_CUTOFFS["strict"] else
            "0.85-0.90" if h < HTMT_CUTOFFS["liberal"] else ">= 0.90",
        })
    return pd.DataFrame(rows).set_index("factor")


def describe_validity(table: pd.DataFrame) -> str:
    """A plain-words summary of :func:`validity_table`, generated from its numbers.

    Parameters
    ----------
    table : DataFrame
        The result of :func:`validity_table`.

    Returns
    -------
    str
        A few sentences (Markdown) on convergent and discriminant validity.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"composite_reliability": [.86, .65], "ave": [.61, .42], "cr_ok": [True, False],
    ...                   "ave_ok": [True, False], "sqrt_ave": [.78, .65], "max_correlation": [.5, .5],
    ...                   "max_correlation_with": ["B", "A"], "fornell_larcker": [True, False],
    ...                   "max_htmt": [.55, .55], "max_htmt_with": ["B", "A"],
    ...                   "htmt_verdict": ["< 0.85", "< 0.85"]}, index=pd.Index(["A", "B"], name="factor"))
    >>> print(describe_validity(t))
    Convergent validity: 1 of 2 factors reach composite reliability ≥ 0.70 and AVE ≥ 0.50; short: B (CR 0.65, AVE 0.42). Discriminant validity: the Fornell–Larcker criterion fails for B (√AVE 0.65 vs r = 0.50 with A). Every HTMT ratio is below 0.85 (highest 0.55, A–B).
    """
    caller = "describe_validity"
    need = {"composite_reliability", "ave", "cr_ok", "ave_ok", "sqrt_ave", "max_correlation",
            "max_correlation_with", "fornell_larcker", "max_htmt", "max_htmt_with"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise param_error("table", caller,
                          "be the DataFrame of validity_table", None,
                          got=f"{type(table).__name__} without columns "
                              f"{sorted(need - set(getattr(table, 'columns', [])))}")
    n = len(table)
    ok = table["cr_ok"] & table["ave_ok"]
    cr_min, ave_min = VALIDITY_CUTOFFS["composite_reliability"], VALIDITY_CUTOFFS["ave"]
    head = f"Convergent validity: {int(ok.sum())} of {n} factors reach composite reliability ≥ {cr_min:.2f} and AVE ≥ {ave_min:.2f}"
    if ok.all():
        parts = [head + f" (CR {table['composite_reliability'].min():.2f}–{table['composite_reliability'].max():.2f}, "
                        f"AVE {table['ave'].min():.2f}–{table['ave'].max():.2f})."]
    else:
        short = "; ".join(f"{md(f)} (CR {r.composite_reliability:.2f}, AVE {r.ave:.2f})" for f, r in table[~ok].iterrows())
        parts = [head + f"; short: {short}."]
    if n < 2:
        parts.append("Discriminant validity: not assessed (the model has one factor).")
        return " ".join(parts)
    fails = table[~table["fornell_larcker"].astype(bool)]
    if fails.empty:
        parts.append(f"Discriminant validity: every factor's √AVE exceeds its correlations with the others "
                     f"(Fornell–Larcker; largest correlation {table['max_correlation'].max():.2f}).")
    else:
        bad = "; ".join(f"{md(f)} (√AVE {r.sqrt_ave:.2f} vs r = {r.max_correlation:.2f} with {md(r.max_correlation_with)})"
                        for f, r in fails.iterrows())
        parts.append(f"Discriminant validity: the Fornell–Larcker criterion fails for {bad}.")
    top = table["max_htmt"].idxmax()
    h, other = table.loc[top, "max_htmt"], md(table.loc[top, "max_htmt_with"])
    top = md(top)
    if h < HTMT_CUTOFFS["strict"]:
        parts.append(f"Every HTMT ratio is below {HTMT_CUTOFFS['strict']:.2f} (highest {h:.2f}, {top}–{other}).")
    elif h < HTMT_CUTOFFS["liberal"]:
        parts.append(f"The highest HTMT ratio ({h:.2f}, {top}–{other}) passes only the liberal "
                     f"{HTMT_CUTOFFS['liberal']:.2f} cut-off, not the strict {HTMT_CUTOFFS['strict']:.2f}.")
    else:
        parts.append(f"The HTMT ratio of {top} and {other} is {h:.2f}, at or above {HTMT_CUTOFFS['liberal']:.2f}: "
                     "these factors are not empirically distinct.")
    return " ".join(parts)


# --------------------------------------------------------------------------- beside a structural model
__all__ += ["structural_discriminant", "describe_discriminant"]


def structural_discriminant(fit, data: pd.DataFrame, model: str, *, htmt2: bool = True) -> pd.DataFrame | None:
    """Fornell–Larcker and HTMT for the pairs of constructs that a structural model uses.

    The drivers of a structural model must be distinct constructs for their paths to be
    separable; this is :func:`discriminant_validity` of the measurement model (``fit``)
    restricted to the latent variables of ``model`` (its ``=~`` lines).

    Parameters
    ----------
    fit : fitted CFA of the measurement model (``cxlab.sem.fit``) or its ``estimates``
    data : DataFrame
        The data the CFA was fitted to.
    model : str
        The structural model (lavaan syntax).
    htmt2 : bool, default=True

    Returns
    -------
    DataFrame or None
        The :func:`discriminant_validity` rows of the pairs of the model's constructs;
        None when the model has fewer than two constructs that the CFA measures.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab import sem
    >>> rng = np.random.default_rng(0)
    >>> f = rng.multivariate_normal([0, 0, 0], [[1, .3, .2], [.3, 1, .2], [.2, .2, 1]], size=400)
    >>> data = pd.DataFrame(np.repeat(f, 3, axis=1) + rng.normal(scale=.7, size=(400, 9)),
    ...                     columns=[f"{c}{i}" for c in "abc" for i in (1, 2, 3)])
    >>> cfa = sem.fit(data, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nC =~ c1 + c2 + c3")
    >>> structural_discriminant(cfa, data, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3\\nB ~ A").index.tolist()
    [('A', 'B')]
    """
    caller = "structural_discriminant"
    if not isinstance(model, str):
        raise param_error("model", caller, "be a lavaan model string", model)
    wanted = [m.group(1) for m in map(_MEASURE.match, re.split(r"[\n;]", model)) if m]
    spec = _spec_from_fit(_estimates(fit, caller))
    constructs = [f for f in dict.fromkeys(wanted) if f in spec]
    if len(constructs) < 2 or len(spec) < 2:
        return None
    pairs = discriminant_validity(fit, data, htmt2=htmt2)
    keep = [a in constructs and b in constructs for a, b in pairs.index]
    return pairs[keep]


def describe_discriminant(pairs: pd.DataFrame | None, *, labels=None) -> str:
    """One sentence on whether the structural model's constructs are distinct (Markdown).

    Names every pair whose HTMT reaches 0.85 (strict) or 0.90 (liberal;
    :data:`HTMT_CUTOFFS`) or that fails Fornell–Larcker: the paths of such drivers
    cannot be told apart (collinear constructs).

    Parameters
    ----------
    pairs : DataFrame or None
        :func:`structural_discriminant` (or :func:`discriminant_validity`).
    labels : callable, optional
        Display label of a construct (e.g. ``Codebook.label``).

    Examples
    --------
    >>> pairs = pd.DataFrame({"htmt": [0.93, 0.5], "fornell_larcker": [False, True]},
    ...                      index=pd.MultiIndex.from_tuples([("A", "B"), ("A", "C")]))
    >>> print(describe_discriminant(pairs))
    Not every pair of the structural model's constructs is distinct: A and B (HTMT 0.93 ≥ 0.90; Fornell–Larcker fails). Their paths cannot be separated: combine these constructs or read their effects together.
    """
    if pairs is None or len(pairs) == 0:
        return ""
    name = (lambda v: md(labels(v))) if labels else md
    strict, liberal = HTMT_CUTOFFS["strict"], HTMT_CUTOFFS["liberal"]
    bad = []
    for (a, b), r in pairs.iterrows():
        why = []
        if r["htmt"] >= liberal:
            why.append(f"HTMT {r['htmt']:.2f} ≥ {liberal:.2f}")
        elif r["htmt"] >= strict:
            why.append(f"HTMT {r['htmt']:.2f} ≥ {strict:.2f}")
        if not r["fornell_larcker"]:
            why.append("Fornell–Larcker fails")
        if why:
            bad.append(f"{name(a)} and {name(b)} ({'; '.join(why)})")
    if not bad:
        return (f"The structural model's constructs are distinct: every HTMT is below {strict:.2f} (highest "
                f"{pairs['htmt'].max():.2f}) and the Fornell–Larcker criterion holds for every pair.")
    return ("Not every pair of the structural model's constructs is distinct: " + ", ".join(bad)
            + ". Their paths cannot be separated: combine these constructs or read their effects together.")


def _corr(x: np.ndarray) -> np.ndarray:
    """Pearson correlations of the columns of ``x``, bit for bit as ``DataFrame.corr()`` computes them."""
    try:
        from pandas._libs.algos import nancorr
    except ImportError:  # pragma: no cover - pandas moved its kernel: the public (slower) route
        return pd.DataFrame(x).corr().to_numpy()
    return nancorr(np.asarray(x, dtype=float))


def _omega_total_one_factor(x: np.ndarray) -> float | None:
    """``omega(pd.DataFrame(x), n_factors=1).omega_total`` of complete rows ``x``, without pandas.

    The bootstrap of :func:`omega_table` refits one factor per resample, and the frames,
    checks and tables of :func:`omega` cost several times the fit itself. This is the
    same arithmetic with fewer frames (the same factor extraction and operations, so the
    same floating-point result; ``tests/test_reliability_omega_bootstrap.py`` checks equality).
    None when a column does not vary: :func:`omega` then raises its own error.
    """
    if x.shape[1] < 3 or np.any(x.max(axis=0) <= x.min(axis=0)):
        return None
    r = _corr(x)
    load = _factor.unrotated_loadings(r, 1, method="minres")  # efa_from_corr's one-factor loadings, bit for bit
    h2 = np.sum(load**2, axis=1)  # as _schmid with one factor
    u2 = np.diag(r) - h2
    key = np.where(load[:, 0] < 0, -1.0, 1.0)  # psych's flip of negative general loadings
    if np.any(key < 0):
        r = r * np.outer(key, key)
    vt = r.sum()
    return float((vt - u2.sum()) / vt)


def omega_table(
    data: pd.DataFrame,
    scales: Mapping[str, Sequence[str]],
    *,
    n_boot: int = 0,
    seed: int | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """McDonald's omega total of each scale (one factor, psych ``omega(x, nfactors = 1)$omega.tot``).

    Parameters
    ----------
    data : DataFrame
        Item responses (reverse-keyed items already recoded).
    scales : mapping
        Scale name -> its item columns (at least three items each; two-item scales get NaN).
    n_boot : int, default=0
        Bootstrap resamples of the respondents for a percentile interval (0: none).
        Resample ``b`` uses the ``b``-th child of ``numpy.random.SeedSequence(seed)``.
    seed : int, optional
    ci : float, default=0.95

    Returns
    -------
    DataFrame
        Indexed by ``scale``: ``n_items``, ``omega_total``, ``ci_lower``, ``ci_upper``.

    Examples
    --------
    >>> from cxlab.datasets import load_dataset
    >>> hs = load_dataset("holzinger_swineford")
    >>> omega_table(hs, {"visual": ["x1", "x2", "x3"]})["omega_total"].round(4).tolist()
    [0.6351]
    """
    caller = "omega_table"
    check_int(n_boot, "n_boot", caller, low=0)
    check_ci(ci, caller)

    def one(block: pd.DataFrame) -> float:
        import warnings

        if block.shape[1] < 3:
            return float("nan")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # psych's "omega_h for 1 factor is not meaningful": only omega_t is used
            return omega(block, n_factors=1).omega_total

    def resample(values: np.ndarray, columns) -> float:
        fast = _omega_total_one_factor(values)
        return one(pd.DataFrame(values, columns=columns)) if fast is None else fast

    rows = []
    children = np.random.SeedSequence(seed).spawn(n_boot) if n_boot else []
    for name, items in scales.items():
        block = data[list(items)].astype(float).dropna()
        est = one(block)
        lo = hi = float("nan")
        if n_boot and not np.isnan(est):
            values = block.to_numpy()
            boots = [resample(values[np.random.default_rng(c).integers(0, len(values), len(values))], block.columns)
                     for c in children]
            lo, hi = np.nanquantile(boots, [(1 - ci) / 2, (1 + ci) / 2])
        rows.append({"scale": name, "n_items": len(items), "omega_total": est, "ci_lower": lo, "ci_upper": hi})
    return pd.DataFrame(rows).set_index("scale")


__all__ += ["omega_table"]
