"""Sample moments and data checks for SEM fitting."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["prepare_data", "sample_cov", "group_frames", "model_columns"]


def prepare_data(data: pd.DataFrame, observed) -> pd.DataFrame:
    """Select the observed variables, check them and drop incomplete rows (listwise).

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    ValueError
        If a variable named in the model is not a column of ``data``, is not numeric, or
        fewer than two complete rows remain.
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    missing = [v for v in observed if v not in data.columns]
    if missing:
        raise ValueError(
            "The 'data' parameter of fit lacks column(s) named in the model: "
            + ", ".join(repr(m) for m in missing)
            + f". Got columns {list(map(str, data.columns))} instead."
        )
    sub = data.loc[:, list(observed)]
    bad = [c for c in sub.columns if not (pd.api.types.is_numeric_dtype(sub[c]) and not pd.api.types.is_bool_dtype(sub[c]))]
    if bad:
        raise ValueError(
            "The 'data' parameter of fit must hold numeric columns for the observed variables; "
            f"non-numeric: {bad} (dtypes {[str(sub[c].dtype) for c in bad]})."
        )
    sub = sub.astype(float).dropna(axis=0, how="any")
    if len(sub) < 2:
        raise ValueError(f"The 'data' parameter of fit has {len(sub)} complete row(s) for the model variables; at least 2 are needed.")
    return sub


def sample_cov(values: np.ndarray) -> np.ndarray:
    """Covariance matrix with divisor N (lavaan's ML sample statistics).

    Examples
    --------
    >>> sample_cov(np.array([[1.0, 2.0], [3.0, 6.0]]))
    array([[1., 2.],
           [2., 4.]])
    """
    x = values - values.mean(axis=0)
    return x.T @ x / len(values)


def group_frames(data: pd.DataFrame, group) -> tuple[list, list]:
    """The groups' values (in order of first appearance) and each group's rows of ``data``."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if group not in data.columns:
        raise ValueError(f"The 'group' parameter of fit must name a column of data. Got {group!r} instead.")
    labels = list(pd.unique(data[group].dropna()))
    if not labels:
        raise ValueError(f"The 'group' parameter of fit names column {group!r}, which has no non-missing value.")
    return labels, [data.loc[data[group] == lab] for lab in labels]


def model_columns(frame: pd.DataFrame, ov, fiml: bool) -> np.ndarray:
    """Model columns as floats: complete rows (listwise), or all rows with NaN kept (FIML).

    Both run :func:`~cxlab.sem.moments.prepare_data`'s checks (columns present, numeric).
    """
    if not fiml:
        return prepare_data(frame, ov).to_numpy()
    prepare_data(frame.fillna({c: 0.0 for c in ov if c in frame.columns}), ov)
    return frame.loc[:, list(ov)].to_numpy(dtype=float)
