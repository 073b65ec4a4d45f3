"""Standardised solution (lavaan's ``std.all``) and R-squared from the implied moments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import RamModel

__all__ = ["std_all", "r_squared", "ram_from_estimates"]


def std_all(model: RamModel, pt: pd.DataFrame, theta: np.ndarray) -> np.ndarray:
    """``std.all`` of every parameter-table row.

    Loadings and regressions are scaled by the implied standard deviations of both
    variables; variances by the implied total variance; covariances by the square roots
    of the two (residual) variance parameters, as lavaan does with ``cov.std = TRUE``.
    """
    _, sig_all, S = model.implied_all(theta)
    est = model.row_values(theta)
    var = np.diag(sig_all)
    out = np.full(len(pt), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        for k, (m, (i, j)) in enumerate(zip(model.mat, model.pos)):
            if m == "A":  # effect of j on i
                out[k] = est[k] * np.sqrt(var[j]) / np.sqrt(var[i])
            elif i == j:
                out[k] = est[k] / var[i]
            else:
                out[k] = est[k] / np.sqrt(S[i, i] * S[j, j])
    return out


def r_squared(model: RamModel, theta: np.ndarray) -> pd.Series:
    """R-squared of every endogenous variable (observed first, then latent)."""
    A, S = model.matrices(theta)
    _, sig_all, _ = model.implied_all(theta)
    names = list(model.ov) + list(model.lv)
    endo = [i for i in range(model.n_vars) if np.any(A[i, :] != 0) or _has_incoming(model, i)]
    vals = {names[i]: 1.0 - S[i, i] / sig_all[i, i] for i in endo}
    return pd.Series(vals, name="r2", dtype=float)


def _has_incoming(model: RamModel, i: int) -> bool:
    return bool(np.any((model.mat == "A") & (model.pos[:, 0] == i)))


def ram_from_estimates(rows: pd.DataFrame) -> tuple[list[str], np.ndarray, np.ndarray]:
    """RAM matrices of one group from its estimates table: variable names, A (paths) and S (covariances).

    ``A[i, j]`` is the effect of variable ``j`` on ``i`` (``=~``, ``~`` and ``<~`` rows), ``S`` the
    symmetric (residual) covariances (``~~`` rows); the implied covariance matrix is
    ``(I - A)^-1 S (I - A)^-T``.

    >>> rows = pd.DataFrame({"lhs": ["f", "f", "f", "x"], "op": ["=~", "=~", "~~", "~~"], "rhs": ["x", "y", "f", "x"],
    ...                      "est": [1.0, 0.5, 2.0, 0.3]})
    >>> names, A, S = ram_from_estimates(rows)
    >>> names, float(A[names.index("y"), names.index("f")]), float(S[names.index("f"), names.index("f")])
    (['f', 'x', 'y'], 0.5, 2.0)
    """
    mats = rows[rows["op"].isin(["=~", "~", "<~", "~~"])]
    names = list(dict.fromkeys(list(mats["lhs"]) + list(mats["rhs"])))
    idx = {v: i for i, v in enumerate(names)}
    n = len(names)
    A, S = np.zeros((n, n)), np.zeros((n, n))
    for r in mats.itertuples(index=False):
        if r.op == "=~":
            A[idx[r.rhs], idx[r.lhs]] = r.est
        elif r.op in ("~", "<~"):
            A[idx[r.lhs], idx[r.rhs]] = r.est
        else:
            S[idx[r.lhs], idx[r.rhs]] = S[idx[r.rhs], idx[r.lhs]] = r.est
    return names, A, S
