"""Result assembly: :class:`SemResult`, the Wald columns and the rows of ``:=`` parameters.

Every estimation path (one group: :mod:`cxlab.sem.engine`; mean structure and groups:
:mod:`cxlab.sem.multigroup`; WLSMV: :mod:`cxlab.sem.ordinal`) builds its result with
:func:`assemble`, its parameter rows with :func:`wald_columns` (or :func:`estimate_rows`)
and its defined parameters with :func:`defined_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from . import defined as _defined
from .model import RamModel
from .standardize import std_all

__all__ = ["SemResult", "ESTIMATE_COLUMNS", "assemble", "wald_columns", "estimate_rows", "defined_rows",
           "parameter_table"]

#: columns of ``SemResult.estimates`` (multigroup results add ``group`` after ``rhs``)
ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]
_Z975 = stats.norm.ppf(0.975)


@dataclass(frozen=True)
class SemResult:
    """Result of :func:`cxlab.sem.fit` (read-only).

    Attributes
    ----------
    estimates : DataFrame
        One row per parameter in lavaan's ``parameterEstimates`` order, columns
        ``lhs, op, rhs, label, est, se, z, pvalue, ci_lower, ci_upper, std_all``.
        Fixed parameters have ``se`` 0 and ``z``/``pvalue`` NaN (as lavaan); defined
        parameters (``:=``) come last with delta-method standard errors.
    fit_measures : Series
        lavaan's ``fitMeasures`` with ``.`` written ``_``.
    converged : bool
    warnings : list of str
    r2 : Series
        R-squared of every endogenous variable.
    implied_cov, sample_cov : DataFrame
        Model-implied and sample (N divisor) covariance of the observed variables.
    n : int
        Number of observations used (after listwise deletion).
    model : str
        The model syntax.
    estimator : str
    vcov : DataFrame
        Covariance matrix of the free parameters (index ``1..npar``).
    bootstrap_info : BootstrapInfo or None
        With ``bootstrap > 0``: resamples drawn, converged and failed, seconds, processes,
        and every parameter's percentile and bias-corrected intervals beside its
        model-based SE (:class:`cxlab.sem.bootstrap.BootstrapInfo`).
    partable : DataFrame
        lavaan's parameter table of the model (``lhs, op, rhs, free, fixed, label, ...``;
        with a ``group`` column for multigroup models), row for row the rows of
        ``estimates`` before the ``:=`` rows; ``free`` numbers the rows and columns of
        ``vcov`` (0 for fixed rows). WLSMV/DWLS: with lavaan's threshold (``|``),
        scaling-factor (``~*~``) and intercept rows.
    ram : RamModel
        The model's RAM matrices (the first group's for multigroup models).
    theta : ndarray
        The free parameters at the estimates (``ram.row_values(theta)`` gives ``est``;
        WLSMV/DWLS: the structural parameters, without the thresholds, of ``ram``'s rows).
    """

    estimates: pd.DataFrame
    fit_measures: pd.Series
    converged: bool
    warnings: list
    r2: pd.Series
    implied_cov: pd.DataFrame
    sample_cov: pd.DataFrame
    n: int
    model: str
    estimator: str = "ML"
    vcov: pd.DataFrame = field(default=None, repr=False)
    iterations: int = 0
    bootstrap_info: object = None
    partable: pd.DataFrame = field(default=None, repr=False)
    ram: RamModel = field(default=None, repr=False)
    theta: np.ndarray = field(default=None, repr=False)
    #: per group, the missing-data patterns' moments (no rows); None for complete data without means
    patterns: tuple = field(default=None, repr=False)
    #: WLSMV/DWLS of one group without covariates: the DWLS model (sample correlations, weights,
    #: implied correlations; :class:`cxlab.sem.ordinal.WLSMVFit`), for the modification indices
    dwls: object = field(default=None, repr=False)

    @property
    def _patterns(self) -> tuple:
        return self.patterns

    @property
    def _partable(self) -> pd.DataFrame:  # backward-compatible names (tests, code written before)
        return self.partable

    @property
    def _ram(self) -> RamModel:
        return self.ram

    @property
    def _theta(self) -> np.ndarray:
        return self.theta

    def __repr__(self) -> str:
        fm = self.fit_measures
        return (
            f"SemResult(n={self.n}, estimator={self.estimator!r}, converged={self.converged}, "
            f"chisq={fm.get('chisq', np.nan):.3f}, df={fm.get('df', np.nan):.0f}, "
            f"cfi={fm.get('cfi', np.nan):.3f}, rmsea={fm.get('rmsea', np.nan):.3f}, warnings={len(self.warnings)})"
        )


def assemble(*, estimates: pd.DataFrame, fit_measures: pd.Series, converged, warnings, r2, implied_cov, sample_cov,
             n: int, model: str, estimator: str, vcov, iterations: int, partable: pd.DataFrame, ram: RamModel,
             theta: np.ndarray, patterns: tuple | None = None, dwls=None) -> SemResult:
    """The :class:`SemResult` of an estimation path.

    ``vcov`` may be an array (then indexed ``1..npar``) or a DataFrame; ``estimator`` is
    stored upper-case and ``converged`` as a bool. Formative constructs (``<~``) get no
    R-squared (lavaan counts them as exogenous latent variables).
    """
    if partable is not None and r2 is not None and (partable["op"] == "<~").any():
        composites = set(partable.loc[partable["op"] == "<~", "lhs"])
        r2 = r2[~r2.index.get_level_values(-1).isin(composites)]
    if not isinstance(vcov, pd.DataFrame):
        q = vcov.shape[0]
        vcov = pd.DataFrame(vcov, index=range(1, q + 1), columns=range(1, q + 1))
    return SemResult(
        estimates=estimates,
        fit_measures=fit_measures,
        converged=bool(converged),
        warnings=warnings,
        r2=r2,
        implied_cov=implied_cov,
        sample_cov=sample_cov,
        n=n,
        model=model,
        estimator=estimator.upper(),
        vcov=vcov,
        iterations=iterations,
        partable=partable,
        ram=ram,
        theta=theta,
        patterns=patterns,
        dwls=dwls,
    )


def wald_columns(est: np.ndarray, free: np.ndarray, vcov: np.ndarray, se_ok: bool) -> dict:
    """``est, se, z, pvalue, ci_lower, ci_upper`` (95 % Wald) of parameter-table rows.

    Fixed rows (``free == 0``) get ``se`` 0, ``z``/``pvalue`` NaN and a zero-width interval, as lavaan.
    """
    se = np.where(free > 0, np.sqrt(np.clip(np.diag(vcov), 0, None))[np.maximum(free - 1, 0)], 0.0)
    if not se_ok:
        se = np.where(free > 0, np.nan, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where((free > 0) & (se != 0), est / se, np.nan)  # SE 0: fixed, or held at an active bound
    return {
        "est": est,
        "se": se,
        "z": z,
        "pvalue": 2 * stats.norm.sf(np.abs(z)),
        "ci_lower": np.where(free > 0, est - _Z975 * se, est),
        "ci_upper": np.where(free > 0, est + _Z975 * se, est),
    }


def estimate_rows(pt: pd.DataFrame, est: np.ndarray, vcov: np.ndarray, se_ok: bool, std: np.ndarray,
                  group=None) -> pd.DataFrame:
    """Rows of ``estimates`` for the parameter-table rows ``pt`` (one group's), in :data:`ESTIMATE_COLUMNS`
    order with a ``group`` column (holding ``group``) after ``rhs`` when ``group`` is given."""
    cols = {"lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy()}
    if group is not None:
        cols["group"] = group
    cols["label"] = pt["label"].to_numpy()
    cols.update(wald_columns(est, pt["free"].to_numpy(), vcov, se_ok))
    cols["std_all"] = std
    return pd.DataFrame(cols)


def _label_values(pts, rams):
    """``theta -> {label: value}`` over the rows of every group (first occurrence wins)."""
    labels = [list(pt["label"]) for pt in pts]
    return lambda theta: _defined.label_values(labels, [ram.row_values(theta) for ram in rams])


def defined_rows(defined, ram, pt, theta, vcov, std=None) -> pd.DataFrame:
    """Rows of the ``:=`` parameters (delta-method SEs); ``ram``/``pt`` (and ``std``, the std.all of
    the rows) may be sequences, one per group, so that labels of every group can be used."""
    rams = list(ram) if isinstance(ram, (list, tuple)) else [ram]
    pts = list(pt) if isinstance(pt, (list, tuple)) else [pt]
    label_fn = _label_values(pts, rams)
    known = set().union(*(set(p["label"]) for p in pts)) - {""}
    for i, (name, expr) in enumerate(defined):
        unknown = _defined.labels_in(expr) - known - {d[0] for d in defined[:i]}
        if unknown:
            raise ValueError(f"The defined parameter {name!r} uses unknown label(s) {sorted(unknown)}: {expr!r}.")
    est, se, _ = _defined.delta_method(defined, label_fn, theta, vcov)
    # std.all of a defined parameter: the expression applied to the std.all values
    stds = std if std is not None else [std_all(r, p, theta) for r, p in zip(rams, pts)]
    std_labels = _defined.label_values([p["label"] for p in pts], stds)
    std_def = _defined.defined_values(defined, std_labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = est / se
    return pd.DataFrame(
        {
            "lhs": [d[0] for d in defined],
            "op": ":=",
            "rhs": [d[1] for d in defined],
            "label": [d[0] for d in defined],
            "est": est,
            "se": se,
            "z": z,
            "pvalue": 2 * stats.norm.sf(np.abs(z)),
            "ci_lower": est - _Z975 * se,
            "ci_upper": est + _Z975 * se,
            "std_all": [std_def[d[0]] for d in defined],
        }
    )


def parameter_table(pt: pd.DataFrame, table: pd.DataFrame, pt_row, free, group=None) -> pd.DataFrame:
    """lavaan's parameter table of the rows of an estimates ``table`` (before its ``:=`` rows).

    Row ``k`` is ``pt``'s row ``pt_row[k]`` (its columns kept) or, where ``pt_row[k] < 0``,
    a row the estimation path added (thresholds, scaling factors, intercepts of WLSMV):
    ``lhs, op, rhs, label`` of the table, not a user row, ``fixed`` its estimate when it is
    fixed. ``free`` numbers the rows in the order of ``vcov`` (0: fixed); ``group``, when
    given, is stored as a ``group`` column (lavaan's group number).

    >>> pt = pd.DataFrame({"lhs": ["f"], "op": ["=~"], "rhs": ["y1"], "label": [""], "user": [True], "free": [1],
    ...                    "fixed": [np.nan], "exo": [False]})
    >>> table = pd.DataFrame({"lhs": ["f", "y1"], "op": ["=~", "|"], "rhs": ["y1", "t1"], "label": "", "est": [0.8, -0.2]})
    >>> parameter_table(pt, table, [0, -1], [2, 1])[["lhs", "op", "rhs", "user", "free"]].values.tolist()
    [['f', '=~', 'y1', True, 2], ['y1', '|', 't1', False, 1]]
    """
    pt = pt.reset_index(drop=True)
    pt_row, free = np.asarray(pt_row, dtype=int), np.asarray(free, dtype=int)
    own = pt_row >= 0
    est = table["est"].to_numpy(float)
    defaults = {"user": False, "exo": False, "fixed": np.where(free > 0, np.nan, est)}
    out = {}
    for col in pt.columns:
        if col in ("lhs", "op", "rhs", "label"):
            out[col] = table[col].to_numpy()
        elif col == "free":
            out[col] = free
        else:
            base = pt[col].to_numpy()[np.maximum(pt_row, 0)]
            fill = defaults.get(col, np.nan)
            out[col] = np.where(own, base, fill)
            if pt[col].dtype == bool:
                out[col] = out[col].astype(bool)
    frame = pd.DataFrame(out, columns=list(pt.columns))
    if group is not None:
        frame["group"] = group
    return frame
