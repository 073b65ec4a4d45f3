"""Importance-performance map analysis (IPMA): rescaled performance against impact, in quadrants."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import TableResult
from .._validation import check_column_list, check_frame, param_error
from .design import check_lever_columns, design_matrix, listwise

__all__ = ["rescale_performance", "importance_performance", "importance_performance_result", "ipma", "ipma_result",
           "ImportancePerformance"]

_QUADRANTS = {
    (True, False): "concentrate here",
    (True, True): "keep up the good work",
    (False, False): "low priority",
    (False, True): "possible overkill",
}
#: The quadrant of a lone lever under a data-centred cut (see :func:`importance_performance`).
NO_QUADRANT = "no quadrant (one lever)"


@dataclass(frozen=True, eq=False)
class ImportancePerformance(TableResult):
    """The result of :func:`importance_performance_result` and :func:`ipma_result`.

    Attributes
    ----------
    table : pandas.DataFrame
        Indexed by ``lever``: ``importance``, ``performance``, ``quadrant``.
    importance_cut, performance_cut : float
        Where the axes were split into quadrants.
    outcome_performance : float or None
        The mean rescaled outcome (0-100) of :func:`ipma_result`; None otherwise.
    n : int or None
        Rows used by :func:`ipma_result`; None otherwise.
    """

    table: pd.DataFrame
    importance_cut: float
    performance_cut: float
    outcome_performance: float | None = None
    n: int | None = None


def rescale_performance(data: pd.DataFrame, *, ranges) -> pd.DataFrame:
    """Rescale scores to 0-100 with their scale's range (Ringle & Sarstedt 2016).

    ``(x - min) / (max - min) * 100``, where min and max are the *scale's*
    endpoints (e.g. 1 and 7), not the observed extremes.

    Parameters
    ----------
    data : pandas.DataFrame
        Numeric score columns (e.g. scale means of 1-7 items).
    ranges : tuple (min, max) or dict of column -> (min, max)
        One range for every column, or one per column (all columns of ``data``
        must then be listed).

    Returns
    -------
    pandas.DataFrame
        Same shape, index and columns as ``data``, on 0-100.

    Examples
    --------
    >>> import pandas as pd
    >>> rescale_performance(pd.DataFrame({"a": [1.0, 4.0, 7.0]}), ranges=(1, 7))["a"].tolist()
    [0.0, 50.0, 100.0]
    """
    caller = "rescale_performance"
    check_frame(data, caller)
    check_lever_columns(data, list(data.columns), caller, numeric=list(data.columns))
    if isinstance(ranges, Mapping):
        missing = [c for c in data.columns if c not in ranges]
        if missing:
            raise param_error("ranges", caller, "give a range for every column", None,
                              got=f"none for {missing}", instead=False)
        pairs = {c: ranges[c] for c in data.columns}
    else:
        pairs = {c: ranges for c in data.columns}
    out = {}
    for col, pair in pairs.items():
        try:
            lo, hi = (float(v) for v in pair)
        except (TypeError, ValueError):
            lo, hi = np.nan, np.nan
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise param_error("ranges", caller, "hold (min, max) pairs with max > min", None,
                              got=f"{pair!r} for {col!r}")
        out[col] = (data[col].astype(float) - lo) / (hi - lo) * 100.0
    return pd.DataFrame(out, index=data.index)


def importance_performance(
    importance: pd.Series,
    performance: pd.Series,
    *,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> pd.DataFrame:
    """Importance-performance analysis (IPA): sort levers into four quadrants.

    Any importance measure works (Shapley shares from :func:`driver_importance`,
    regression coefficients, SEM total effects, IPMA importance from :func:`ipma`);
    performance is the lever's mean score, a share meeting a target, or a 0-100
    rescaled score.

    Parameters
    ----------
    importance : pandas.Series
        Importance per lever (index = lever names).
    performance : pandas.Series
        Performance per lever, same index (any order).
    importance_cut, performance_cut : float or None, default=None
        Where to split the axes; None splits at the mean over the levers
        (Martilla & James 1977, data-centred).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lever`` (the importance order), with ``importance``,
        ``performance`` and ``quadrant``:

        * ``"concentrate here"``: importance above the cut, performance at or below;
        * ``"keep up the good work"``: both above;
        * ``"low priority"``: both at or below;
        * ``"possible overkill"``: importance at or below, performance above;
        * ``"no quadrant (one lever)"``: a single lever split at its own mean (a
          data-centred cut needs two or more levers to mean anything).

        :func:`importance_performance_result` returns it with the cuts.

    References
    ----------
    .. [1] Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
       *Journal of Marketing*, 41(1), 77-79.

    Examples
    --------
    >>> import pandas as pd
    >>> imp = pd.Series({"reliability": 0.4, "empathy": 0.2, "tangibles": 0.05})
    >>> perf = pd.Series({"reliability": 4.8, "empathy": 5.0, "tangibles": 5.3})
    >>> importance_performance(imp, perf)["quadrant"].tolist()
    ['concentrate here', 'low priority', 'possible overkill']
    >>> importance_performance(imp[:1], perf[:1])["quadrant"].tolist()
    ['no quadrant (one lever)']
    """
    return importance_performance_result(importance, performance, importance_cut=importance_cut,
                                         performance_cut=performance_cut).table


def importance_performance_result(
    importance: pd.Series,
    performance: pd.Series,
    *,
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> ImportancePerformance:
    """:func:`importance_performance` with the cut points of its quadrants.

    Parameters are those of :func:`importance_performance`.

    Examples
    --------
    >>> import pandas as pd
    >>> res = importance_performance_result(pd.Series({"a": 0.4, "b": 0.2}), pd.Series({"a": 4.0, "b": 6.0}))
    >>> round(res.importance_cut, 2), res.performance_cut
    (0.3, 5.0)
    """
    caller = "importance_performance"
    for name, value in (("importance", importance), ("performance", performance)):
        if not isinstance(value, pd.Series):
            raise param_error(name, caller, "be a pandas Series indexed by lever", value, exc=TypeError,
                              got=type(value).__name__)
    if set(importance.index) != set(performance.index):
        raise ValueError(
            f"The 'importance' and 'performance' parameters of {caller} must have the same "
            f"levers. Only in importance: {sorted(set(importance.index) - set(performance.index))}; "
            f"only in performance: {sorted(set(performance.index) - set(importance.index))}."
        )
    imp = importance.astype(float)
    perf = performance.reindex(importance.index).astype(float)
    cuts = {}
    for name, cut, values in (("importance_cut", importance_cut, imp),
                              ("performance_cut", performance_cut, perf)):
        if cut is None:
            cut = float(values.mean())
        elif not (isinstance(cut, float | int) and not isinstance(cut, bool) and np.isfinite(cut)):
            raise param_error(name, caller, "be a finite number or None", cut)
        cuts[name] = float(cut)
    result = pd.DataFrame(
        {"importance": imp.to_numpy(), "performance": perf.to_numpy()},
        index=pd.Index(importance.index, name="lever"),
    )
    result["quadrant"] = [
        _QUADRANTS[(i > cuts["importance_cut"], q > cuts["performance_cut"])]
        for i, q in zip(result["importance"], result["performance"])
    ]
    if len(result) < 2 and (importance_cut is None or performance_cut is None):
        result["quadrant"] = NO_QUADRANT  # its own mean is no benchmark: "low priority" would mislead
    return ImportancePerformance(result, **cuts)


def ipma(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    ranges,
    controls: Sequence[str] = (),
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> pd.DataFrame:
    """Importance-performance map analysis on a 0-100 scale (Ringle & Sarstedt 2016).

    Outcome and drivers are rescaled to 0-100 with :func:`rescale_performance`;
    performance is a driver's mean rescaled score and importance its
    unstandardised total effect on the rescaled outcome: here the OLS
    coefficient of the rescaled outcome on all rescaled drivers (and the
    controls), which *is* the total effect in a model with one structural layer.
    For effects through mediators, fit the model on the rescaled scores and pass
    its total effects to :func:`importance_performance` yourself.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    outcome : str
        Outcome score column (e.g. satisfaction, 1-7).
    drivers : list of str
        Driver score columns (e.g. the SERVQUAL perception dimensions, 1-7).
    ranges : tuple (min, max) or dict of column -> (min, max)
        The scale range(s) of outcome and drivers, as in :func:`rescale_performance`.
    controls : list of str, default=()
        Extra regressors (not rescaled; non-numeric ones as dummies).
    importance_cut, performance_cut : float or None, default=None
        Quadrant split points (None: the means over the drivers).

    Returns
    -------
    pandas.DataFrame
        As :func:`importance_performance`: ``importance`` (outcome points on 0-100
        per point of the driver on 0-100), ``performance`` (0-100), ``quadrant``.
        :func:`ipma_result` adds the cuts, the mean rescaled outcome and n.

    References
    ----------
    .. [1] Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM
       results: the importance-performance map analysis. *Industrial Management &
       Data Systems*, 116(9), 1865-1886.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"rel": rng.integers(1, 6, 300), "emp": rng.integers(3, 8, 300)})
    >>> df["sat"] = (1 + 0.6 * df.rel + 0.2 * df.emp + rng.normal(0, 0.5, 300)).clip(1, 7)
    >>> res = ipma(df.astype(float), "sat", ["rel", "emp"], ranges=(1, 7))
    >>> res.round(2)
           importance  performance           quadrant
    lever
    rel          0.61        35.83   concentrate here
    emp          0.19        67.28  possible overkill
    """
    return ipma_result(data, outcome, drivers, ranges=ranges, controls=controls, importance_cut=importance_cut,
                       performance_cut=performance_cut).table


def ipma_result(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str],
    *,
    ranges,
    controls: Sequence[str] = (),
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> ImportancePerformance:
    """:func:`ipma` with the quadrant cuts, the mean rescaled outcome and n.

    Parameters are those of :func:`ipma`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"rel": [1.0, 4, 7, 4], "sat": [1.0, 3, 7, 5]})
    >>> res = ipma_result(df, "sat", ["rel"], ranges=(1, 7))
    >>> res.outcome_performance, res.n
    (50.0, 4)
    """
    caller = "ipma"
    check_frame(data, caller)
    drivers = check_column_list(drivers, "drivers", caller, allow_empty=False)
    controls = check_column_list(controls, "controls", caller)
    check_lever_columns(data, [outcome, *drivers, *controls], caller, numeric=[outcome, *drivers])
    frame = listwise(data, [outcome, *drivers, *controls], caller)
    scores = rescale_performance(frame[[outcome, *drivers]], ranges=ranges)
    x, _, _ = design_matrix(pd.concat([scores[drivers], frame[controls]], axis=1), drivers, controls)
    coef = np.linalg.lstsq(x, scores[outcome].to_numpy(), rcond=None)[0]
    result = importance_performance_result(
        pd.Series(coef[1:len(drivers) + 1], index=drivers), scores[drivers].mean(),
        importance_cut=importance_cut, performance_cut=performance_cut,
    )
    return dataclasses.replace(result, outcome_performance=float(scores[outcome].mean()), n=int(len(frame)))
