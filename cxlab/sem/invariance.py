"""Measurement invariance across groups: nested multigroup fits and chi-square difference tests.

:func:`invariance` fits the configural, metric and scalar (optionally strict) models
(:data:`~cxlab.sem.multigroup.INVARIANCE_LEVELS`) with :func:`cxlab.sem.fit` and reports
lavaan's ``lavTestLRT`` chi-square difference tests and the change in CFI; its
``partial_`` levels relax a failed step with ``group_partial``. The result is an
:class:`InvarianceResult`: the table of the nested fits and, for each failed step, the
score tests that name the constraints to free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
from scipy import stats

from .engine import fit
from .multigroup import INVARIANCE_LEVELS
from .ordinal_groups import ordinal_invariance
from .scoretest import rank_constraints

__all__ = ["invariance", "InvarianceResult"]


@dataclass(frozen=True)
class InvarianceResult:
    """Result of :func:`invariance` (read-only).

    Attributes
    ----------
    table : DataFrame
        One row per level (index ``model``): the fit of each nested model and its
        difference test against the level in ``compared_with`` (columns in
        :func:`invariance`).
    score_tests : mapping of str to DataFrame
        For each level whose difference test fails (p < .05; converged fits only): the
        univariate score tests of the equality constraints that level added, largest
        statistic first (:func:`cxlab.sem.rank_constraints`: ``parameter, x2, df,
        pvalue`` and the rest), i.e. the parameters to free in a ``partial_`` level.
        Empty when no step fails.

    Examples
    --------
    >>> import pandas as pd
    >>> res = InvarianceResult(pd.DataFrame({"chisq": [1.0]}, index=pd.Index(["configural"], name="model")))
    >>> res.to_frame()
                chisq
    model
    configural    1.0
    >>> dict(res.score_tests)
    {}
    """

    table: pd.DataFrame
    score_tests: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):
        object.__setattr__(self, "score_tests", MappingProxyType(dict(self.score_tests)))

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def __repr__(self) -> str:
        return f"InvarianceResult(levels={list(self.table.index)}, failed={list(self.score_tests)})"

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


def invariance(data: pd.DataFrame, model: str, *, group, levels=("configural", "metric", "scalar"),
               missing: str = "listwise", group_partial=(), ordered=None) -> InvarianceResult:
    """Measurement invariance across groups: nested fits and chi-square difference tests.

    Fits the model with increasingly strict ``group_equal`` constraints (configural: none;
    metric: ``loadings``; scalar: ``loadings, intercepts``; strict: also ``residuals``)
    and compares each model with the previous one as lavaan's ``lavTestLRT`` (standard
    chi-square difference test) does, adding the change in CFI (Cheung & Rensvold 2002
    flag a drop of more than 0.01).

    Partial invariance: a level ``"partial_metric"``, ``"partial_scalar"`` or
    ``"partial_strict"`` fits that level with ``group_partial`` freed again (lavaan's
    ``group.partial``) and is compared with the last level before it that is less
    constrained (``partial_scalar`` after a failed ``scalar``: with ``metric``).

    Parameters
    ----------
    data : DataFrame
    model : str
        lavaan syntax of the measurement model.
    group : str
        Column holding the groups.
    levels : sequence of str, default=("configural", "metric", "scalar")
        Among ``"configural", "metric", "scalar", "strict"`` (and their ``"partial_"``
        forms), from least to most constrained.
    missing : {"listwise", "fiml"}, default="listwise"
    group_partial : sequence of str, default=()
        Parameters freed in the ``partial_`` levels, as ``"visual=~x2"`` or ``"x7~1"``
        (needed by, and only with, a ``partial_`` level).
    ordered : True or list of str, optional
        Ordinal items: the Wu & Estabrook (2016) sequence by WLSMV with lavaan's scaled
        difference tests, :func:`cxlab.sem.ordinal_groups.ordinal_invariance` (levels
        ``"configural", "thresholds", "metric", "scalar"``; the default ``levels`` gain
        ``"thresholds"``); the score tests of a failed step are lavaan's ordinary
        (non-robust) score tests of the DWLS fit, a ranking of the thresholds, loadings or
        intercepts to free.

    Returns
    -------
    InvarianceResult
        ``table``: indexed by level, columns ``npar, chisq, df, pvalue, cfi, tli, rmsea, srmr,
        aic, bic, chisq_diff, df_diff, pvalue_diff, rmsea_diff, cfi_diff,
        compared_with`` (the ``*_diff`` columns and ``compared_with`` are NaN in the
        first row).
        ``rmsea_diff`` is lavTestLRT's RMSEA of the difference test, ``sqrt(G *
        max(chisq_diff - df_diff, 0) / (N df_diff))``; ``cfi_diff`` is this CFI minus
        that of the model in ``compared_with``.
        ``score_tests`` maps each level whose difference test fails (p < .05; converged fits) to
        the univariate score tests of the equalities that level added (loadings for metric,
        intercepts for scalar, residuals for strict), largest statistic first: the
        parameters to free in a ``partial_`` level (:func:`cxlab.sem.score_tests`).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlab.sem import invariance
    >>> hs = pd.read_csv("tests/data/HolzingerSwineford1939.csv")  # doctest: +SKIP
    >>> model = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
    >>> invariance(hs, model, group="school").table[["chisq", "df", "chisq_diff", "pvalue_diff"]].round(3)  # doctest: +SKIP
                  chisq    df  chisq_diff  pvalue_diff
    configural  115.851  48.0         NaN          NaN
    metric      124.044  54.0       8.192        0.224
    scalar      164.103  60.0      40.059        0.000
    >>> t = invariance(hs, model, group="school", levels=("configural", "metric", "scalar", "partial_scalar"),
    ...                group_partial=("visual=~x2", "x7~1")).table  # doctest: +SKIP
    >>> t[["df", "chisq_diff", "pvalue_diff", "compared_with"]].round(3)  # doctest: +SKIP
                      df  chisq_diff  pvalue_diff compared_with
    model
    configural      48.0         NaN          NaN           NaN
    metric          54.0       8.192        0.224    configural
    scalar          60.0      40.059        0.000        metric
    partial_scalar  58.0      24.543        0.000        metric
    """
    if ordered not in (None, False):
        if missing != "listwise" or group_partial:
            raise NotImplementedError("invariance with ordered items is implemented for missing='listwise' without "
                                      "group_partial.")
        if tuple(levels) == ("configural", "metric", "scalar"):
            levels = ("configural", "thresholds", "metric", "scalar")
        return InvarianceResult(*ordinal_invariance(data, model, group=group, ordered=ordered, levels=levels))
    levels = tuple(levels)
    known = tuple(INVARIANCE_LEVELS) + tuple(f"partial_{lev}" for lev in INVARIANCE_LEVELS if lev != "configural")
    bad = [lev for lev in levels if lev not in known]
    if bad or not levels or len(set(levels)) < len(levels):
        raise ValueError(f"The 'levels' parameter of invariance must be a non-empty sequence of distinct names "
                         f"among {known}. Got {levels!r} instead.")
    partial_levels = [lev for lev in levels if lev.startswith("partial_")]
    if bool(partial_levels) != bool(group_partial):
        raise ValueError("The 'group_partial' parameter of invariance goes with a 'partial_' level (e.g. "
                         f"'partial_scalar') in 'levels'. Got levels={levels!r}, group_partial={group_partial!r}.")
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
    rows, failed = {}, {}
    for lev in levels:
        base = lev.removeprefix("partial_")
        res = fit(data, model, group=group, group_equal=INVARIANCE_LEVELS[base], missing=missing,
                  group_partial=group_partial if lev != base else ())
        fm = res.fit_measures
        row = {c: float(fm[c]) for c in cols}
        n_groups = res.estimates["group"].nunique()
        # a partial level relaxes its full level: compare with the last level before that one
        earlier = [p for p in rows if p.removeprefix("partial_") != base]
        prev = earlier[-1] if lev != base and earlier else (list(rows)[-1] if rows else None)
        if prev is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, pvalue_diff=np.nan, rmsea_diff=np.nan, cfi_diff=np.nan)
        else:
            dchi = row["chisq"] - rows[prev]["chisq"]
            ddf = row["df"] - rows[prev]["df"]
            row["chisq_diff"] = dchi
            row["df_diff"] = ddf
            row["pvalue_diff"] = float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else np.nan
            row["rmsea_diff"] = (np.sqrt(n_groups * max(dchi - ddf, 0.0) / (fm["ntotal"] * ddf))
                                 if ddf > 0 else np.nan)
            row["cfi_diff"] = row["cfi"] - rows[prev]["cfi"]
        row["compared_with"] = prev
        rows[lev] = row
        if prev is not None and row["pvalue_diff"] < 0.05 and res.converged:  # failed step: score tests
            new = set(INVARIANCE_LEVELS[base]) - set(INVARIANCE_LEVELS[prev.removeprefix("partial_")])
            failed[lev] = rank_constraints(res, kinds=new)
    out = pd.DataFrame(list(rows.values()), index=pd.Index(levels, name="model"))
    return InvarianceResult(out, failed)
