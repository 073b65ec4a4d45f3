"""Shared data preparation of the lever analyses: column checks, listwise deletion, the design matrix."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .._validation import check_columns
from ..measures import holm

__all__ = ["ASSOCIATION_NOTE", "check_lever_columns", "listwise", "design_matrix", "holm_finite"]

ASSOCIATION_NOTE = (
    "Associations, not causal effects: the contact factors were not assigned at random. "
    "Customers with complex issues both contact more often and rate lower, so unmeasured "
    "differences between customers (confounding), reverse causation (dissatisfied customers "
    "call back) and the survey's own measurement error can bias these coefficients."
)


def check_lever_columns(data: pd.DataFrame, columns: Sequence[str], caller: str,
                        numeric: Sequence[str] = ()) -> None:
    """Columns given once each, present in ``data``, and numeric where ``numeric`` says."""
    if len(set(columns)) != len(columns):
        dup = sorted({c for c in columns if list(columns).count(c) > 1})
        raise ValueError(f"Columns {dup} are passed to {caller} more than once.")
    check_columns(data, columns, caller, numeric=numeric)


def listwise(data: pd.DataFrame, columns: Sequence[str], caller: str) -> pd.DataFrame:
    """The complete rows of ``data[columns]``, with a ``UserWarning`` saying how many were dropped."""
    frame = data[list(columns)]
    complete = frame.notna().all(axis=1)
    dropped = int((~complete).sum())
    if dropped:
        gaps = [c for c in frame.columns if frame[c].isna().any()]
        warnings.warn(
            f"{caller} dropped {dropped} of {len(frame)} rows with a missing value in "
            f"{gaps} (listwise deletion).",
            UserWarning,
            stacklevel=3,
        )
    return frame[complete]


def design_matrix(frame: pd.DataFrame, numeric: Sequence[str], controls: Sequence[str]):
    """Design matrix with an intercept; non-numeric controls become 0/1 dummies.

    Returns (matrix, term names, roles); a categorical control ``c`` with levels
    ``a < b < c`` gives terms ``c[b]`` and ``c[c]`` against the reference ``a``.
    """
    cols = [np.ones(len(frame))]
    terms, roles = ["Intercept"], ["intercept"]
    for name in numeric:
        cols.append(frame[name].to_numpy(dtype=float))
        terms.append(name)
        roles.append("lever")
    for name in controls:
        col = frame[name]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            cols.append(col.to_numpy(dtype=float))
            terms.append(name)
            roles.append("control")
            continue
        levels = sorted(col.astype(str).unique())
        for level in levels[1:]:
            cols.append((col.astype(str) == level).to_numpy(dtype=float))
            terms.append(f"{name}[{level}]")
            roles.append("control")
    x = np.column_stack(cols)
    rank = np.linalg.matrix_rank(x)
    if rank < x.shape[1]:
        raise ValueError(
            f"The design matrix of terms {terms[1:]} is rank deficient (rank {rank} for "
            f"{x.shape[1]} columns): a lever or control is constant or a combination of others."
        )
    return x, terms, roles


def holm_finite(pvalues) -> np.ndarray:
    """Holm-adjusted p-values of one family; a missing p-value stays missing and is not counted.

    Examples
    --------
    >>> holm_finite([0.01, float("nan"), 0.04]).round(3).tolist()
    [0.02, nan, 0.04]
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = holm(p[ok])
    return out
