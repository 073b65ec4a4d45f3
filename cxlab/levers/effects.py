"""Effects of contact factors on an outcome (OLS with robust errors) and the drivers' collinearity (VIF)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import TableResult
from .._validation import check_choice, check_ci, check_column_list, check_frame, param_error
from .design import ASSOCIATION_NOTE, check_lever_columns, design_matrix, holm_finite, listwise

__all__ = ["contact_effects", "contact_effects_result", "ContactEffects", "contact_family", "variance_inflation",
           "VIF_CUTOFF"]

_COV_TYPES = ("HC3", "HC2", "HC1", "HC0", "nonrobust")


@dataclass(frozen=True, eq=False)
class ContactEffects(TableResult):
    """The result of :func:`contact_effects_result`: the effects table and what it rests on.

    Attributes
    ----------
    table : pandas.DataFrame
        What :func:`contact_effects` returns (one row per outcome and term).
    n : dict of str -> int
        Rows used per outcome.
    r2 : dict of str -> float
        R² per outcome.
    cov_type : str
        The covariance estimator of the standard errors.
    ci : float
        Confidence level of the intervals.
    note : str
        Why these are associations and not causal effects (for the report).
    """

    table: pd.DataFrame
    n: dict
    r2: dict
    cov_type: str
    ci: float
    note: str = ASSOCIATION_NOTE


def contact_effects(
    data: pd.DataFrame,
    outcome: str | Sequence[str],
    contact_features: Sequence[str],
    *,
    controls: Sequence[str] = (),
    cov_type: str = "HC3",
    ci: float = 0.95,
) -> pd.DataFrame:
    """Associations of contact-experience features with survey outcomes (OLS, robust SEs).

    Each outcome (satisfaction, NPS, intention to stay, ...) is regressed by ordinary
    least squares on the contact features and the controls (survey-based, e.g. the
    perceived service-quality dimensions and the segment), with
    heteroskedasticity-robust standard errors. The coefficients are **associations**:
    the contact factors are not randomised (see Notes).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent with the outcome(s), contact features and controls.
    outcome : str or list of str
        Outcome column(s); one regression per outcome.
    contact_features : list of str
        Numeric contact features (e.g. ``repeat_contacts``, ``long_waits``).
    controls : list of str, default=()
        Control columns. Numeric ones enter as they are; others (e.g. ``segment``)
        as 0/1 dummies against their first level in sorted order, named
        ``column[level]``.
    cov_type : {"HC3", "HC2", "HC1", "HC0", "nonrobust"}, default="HC3"
        Covariance estimator (statsmodels); HC3 (MacKinnon & White 1985) suits
        survey sizes and heteroskedastic outcomes.
    ci : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per outcome and term, with columns:

        * ``outcome``: the regression's outcome.
        * ``term``: ``Intercept``, a contact feature or a control (dummy).
        * ``role``: ``"intercept"``, ``"contact"`` or ``"control"``.
        * ``est``: unstandardised coefficient (outcome units per unit of the term).
        * ``se``: robust standard error (``cov_type``).
        * ``t``: ``est / se``; ``pvalue``: two-sided, t distribution with the
          residual degrees of freedom n - k.
        * ``ci_lower``, ``ci_upper``: t-based confidence interval at level ``ci``.
        * ``std_est``: ``est * sd(term) / sd(outcome)`` on the estimation sample
          (NaN for the intercept).

        Rows with a missing value are dropped per outcome (listwise, with a
        ``UserWarning``). :func:`contact_effects_result` returns this table with n and R²
        per outcome and the association caveat (:class:`ContactEffects`).

    Notes
    -----
    Why only associations: customers with difficult issues contact more *and* rate
    lower (confounding by issue complexity); dissatisfied customers call back
    (reverse causation); and features counted over a window before the survey
    mix experiences of different ages. Controlling for perceptions removes the
    part of a contact factor's association that runs through them, so the
    coefficient is the association *over and above* perceived service quality.

    References
    ----------
    .. [1] MacKinnon, J. G., & White, H. (1985). Some heteroskedasticity-consistent
       covariance matrix estimators with improved finite sample properties.
       *Journal of Econometrics*, 29(3), 305-325.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"waits": rng.poisson(0.5, 400), "quality": rng.normal(5, 1, 400),
    ...                    "segment": rng.choice(["a", "b"], 400)})
    >>> df["sat"] = 2 + 0.5 * df.quality - 0.4 * df.waits + rng.normal(0, 0.5, 400)
    >>> res = contact_effects(df, "sat", ["waits"], controls=["quality", "segment"])
    >>> res["term"].tolist()
    ['Intercept', 'waits', 'quality', 'segment[b]']
    >>> round(float(res.loc[res.term == "waits", "est"].iloc[0]), 1)
    -0.4
    """
    return contact_effects_result(data, outcome, contact_features, controls=controls, cov_type=cov_type,
                                  ci=ci).table


def contact_effects_result(
    data: pd.DataFrame,
    outcome: str | Sequence[str],
    contact_features: Sequence[str],
    *,
    controls: Sequence[str] = (),
    cov_type: str = "HC3",
    ci: float = 0.95,
) -> ContactEffects:
    """:func:`contact_effects` with n and R² per outcome and the association caveat.

    Parameters are those of :func:`contact_effects`.

    Returns
    -------
    ContactEffects

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> df = pd.DataFrame({"waits": rng.poisson(0.5, 200)})
    >>> df["sat"] = 5 - 0.4 * df.waits + rng.normal(0, 0.5, 200)
    >>> res = contact_effects_result(df, "sat", ["waits"])
    >>> res.n, res.note.split(":")[0]
    ({'sat': 200}, 'Associations, not causal effects')
    """
    import statsmodels.api as sm
    from scipy import stats

    caller = "contact_effects"
    check_frame(data, caller)
    outcomes = check_column_list(outcome, "outcome", caller, allow_empty=False)
    features = check_column_list(contact_features, "contact_features", caller, allow_empty=False)
    controls = check_column_list(controls, "controls", caller)
    check_choice(cov_type, "cov_type", caller, _COV_TYPES)
    check_ci(ci, caller)
    overlap = sorted(set(outcomes) & set(features + controls))
    if overlap:
        raise param_error("outcome", caller, "not also be a contact feature or control", overlap, instead=False)
    check_lever_columns(data, features + controls, caller, numeric=features)
    check_lever_columns(data, outcomes, caller, numeric=outcomes)

    parts, ns, r2s = [], {}, {}
    for out in outcomes:
        frame = listwise(data, [out, *features, *controls], caller)
        x, terms, roles = design_matrix(frame, features, controls)
        y = frame[out].to_numpy(dtype=float)
        if x.shape[0] <= x.shape[1]:
            raise ValueError(
                f"{caller} needs more complete rows than terms for outcome {out!r}. "
                f"Got {x.shape[0]} rows for {x.shape[1]} terms."
            )
        fit = sm.OLS(y, x).fit(cov_type=cov_type, use_t=True) if cov_type != "nonrobust" \
            else sm.OLS(y, x).fit()
        est, se = np.asarray(fit.params), np.asarray(fit.bse)
        tval = est / se
        df_resid = float(fit.df_resid)
        crit = stats.t.ppf(0.5 + ci / 2, df_resid)
        sd = x.std(axis=0, ddof=1)
        std_est = np.where(sd > 0, est * sd / y.std(ddof=1), np.nan)
        parts.append(pd.DataFrame({
            "outcome": out,
            "term": terms,
            "role": [r if r != "lever" else "contact" for r in roles],
            "est": est,
            "se": se,
            "t": tval,
            "pvalue": 2 * stats.t.sf(np.abs(tval), df_resid),
            "ci_lower": est - crit * se,
            "ci_upper": est + crit * se,
            "std_est": std_est,
        }))
        ns[out], r2s[out] = int(x.shape[0]), float(fit.rsquared)
    return ContactEffects(pd.concat(parts, ignore_index=True), n=ns, r2=r2s, cov_type=cov_type, ci=float(ci))


#: A variance inflation factor above this signals problematic collinearity (James et al. 2021, sec. 3.3.3:
#: "a VIF value that exceeds 5 or 10 indicates a problematic amount of collinearity"; the stricter 5 here).
VIF_CUTOFF = 5.0


def variance_inflation(data: pd.DataFrame, drivers: Sequence[str]) -> pd.DataFrame:
    """Variance inflation factor of each driver: ``1 / (1 - R²)`` of it regressed on the others.

    The sampling variance of a driver's coefficient in a regression with all the drivers
    is inflated by this factor through its overlap with the others; importance and
    impact of drivers with large VIFs cannot be told apart. Rows with a missing value in
    a driver are left out (listwise, with a warning).

    Parameters
    ----------
    data : DataFrame
    drivers : list of str
        At least two numeric columns.

    Returns
    -------
    DataFrame
        Indexed by ``driver``: ``r2`` (of the driver on the others), ``vif`` and
        ``high`` (``vif`` above :data:`VIF_CUTOFF`). ``vif`` is infinite for a driver that
        is an exact linear combination of the others, NaN for a constant one.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> a = rng.normal(size=500)
    >>> df = pd.DataFrame({"a": a, "b": a + rng.normal(scale=0.3, size=500), "c": rng.normal(size=500)})
    >>> variance_inflation(df, ["a", "b", "c"]).round(2)
              r2    vif   high
    driver
    a       0.93  14.03   True
    b       0.93  14.02   True
    c       0.00   1.00  False
    """
    caller = "variance_inflation"
    check_frame(data, caller)
    drivers = check_column_list(drivers, "drivers", caller)
    if len(drivers) < 2:
        raise param_error("drivers", caller, "name at least two columns", drivers)
    check_lever_columns(data, drivers, caller, numeric=drivers)
    x = listwise(data, drivers, caller).to_numpy(dtype=float)
    x = x - x.mean(axis=0)
    rows = []
    for j, d in enumerate(drivers):
        y, others = x[:, j], np.delete(x, j, axis=1)
        coef, *_ = np.linalg.lstsq(others, y, rcond=None)
        tss = float(y @ y)
        if tss > 0:
            r2 = min(max(1.0 - float(((y - others @ coef) ** 2).sum()) / tss, 0.0), 1.0)
            vif = 1.0 / (1.0 - r2) if r2 < 1 - 1e-12 else np.inf
        else:  # a constant column: no variance to inflate
            r2, vif = np.nan, np.nan
        rows.append({"driver": d, "r2": r2, "vif": vif, "high": bool(vif > VIF_CUTOFF)})
    return pd.DataFrame(rows).set_index("driver")


def contact_family(effects: pd.DataFrame) -> pd.DataFrame:
    """The contact-factor rows of :func:`contact_effects` with Holm-adjusted p-values (one family).

    ``effects`` is the table of :func:`contact_effects` or a :class:`ContactEffects`.

    Every contact factor on every outcome is one test of one family: ``pvalue_holm`` is
    inserted after ``pvalue``.

    Examples
    --------
    >>> e = pd.DataFrame({"outcome": "sat", "term": ["waits", "repeat", "seg[b]"],
    ...                   "role": ["contact", "contact", "control"], "pvalue": [0.01, 0.04, 0.001]})
    >>> contact_family(e)["pvalue_holm"].tolist()
    [0.02, 0.04]
    """
    if isinstance(effects, ContactEffects):
        effects = effects.table
    if not isinstance(effects, pd.DataFrame) or not {"role", "pvalue"} <= set(effects.columns):
        raise param_error("effects", "contact_family", "be the result of contact_effects", effects,
                          got=type(effects).__name__)
    rows = effects[effects["role"] == "contact"].copy()
    rows.insert(list(rows.columns).index("pvalue") + 1, "pvalue_holm", holm_finite(rows["pvalue"]))
    return rows
