"""Rank improvement levers by the expected gain in an outcome (impact x reach x headroom)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import TableResult
from .._validation import (check_choice, check_ci, check_column_list, check_frame, check_int, param_error,
                           renamed_parameters)
from .design import ASSOCIATION_NOTE, check_lever_columns, design_matrix, holm_finite, listwise

__all__ = ["rank_levers", "rank_levers_result", "LeverRanking"]


@dataclass(frozen=True, eq=False)
class LeverRanking(TableResult):
    """The result of :func:`rank_levers_result`: the ranked levers and what the ranking rests on.

    Attributes
    ----------
    table : pandas.DataFrame
        What :func:`rank_levers` returns (indexed by ``lever``, sorted by ``rank``).
    outcome : str
    n : int
        Rows used (complete on the outcome, levers, controls and group).
    n_dropped : int
        Rows dropped for a missing value.
    r2 : float
        R² of the outcome on all levers and controls.
    n_boot : int
        Bootstrap resamples (0: HC3 t-intervals for ``impact`` only).
    seed : int or None
    ci : float
        Confidence level of the intervals; 1 - ``ci`` is the level of the Holm-adjusted tests.
    ci_method : str
        ``"bootstrap percentile"`` or ``"HC3 t-interval (impact only)"``.
    priority_basis : str
        ``"expected_gain"``, or ``"gain_per_cost"`` with costs.
    note : str
        Why these are associations and not causal effects (for the report).
    """

    table: pd.DataFrame
    outcome: str
    n: int
    n_dropped: int
    r2: float
    n_boot: int
    seed: int | None
    ci: float
    ci_method: str
    priority_basis: str
    note: str = ASSOCIATION_NOTE


def _better_directions(levers, drivers, better, caller):
    direction = {lev: (1.0 if lev in drivers else -1.0) for lev in levers}
    if better is None:
        return direction
    if not isinstance(better, Mapping):
        raise param_error("better", caller, "be a dict of lever -> 'higher' or 'lower'", better)
    for lev, way in better.items():
        if lev not in direction:
            raise ValueError(
                f"The 'better' parameter of {caller} names {lev!r}, which is not a lever. "
                f"Levers: {levers}."
            )
        if way not in ("higher", "lower"):
            check_choice(way, f"better[{lev!r}]", caller, ("higher", "lower"))
        direction[lev] = 1.0 if way == "higher" else -1.0
    return direction


def _lever_mapping(value, name, levers, caller, *, positive=False, unit=False, complete=False):
    """Validate a lever -> number mapping (targets, reach, costs)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise param_error(name, caller, "be a dict of lever -> number or None", value)
    unknown = [k for k in value if k not in levers]
    if unknown:
        raise ValueError(
            f"The {name!r} parameter of {caller} names {unknown}, which are not levers. "
            f"Levers: {levers}."
        )
    if complete and set(value) != set(levers):
        raise param_error(name, caller, "give a value for every lever", None,
                          got=f"none for {[lev for lev in levers if lev not in value]}", instead=False)
    out = {}
    for k, v in value.items():
        ok = not isinstance(v, bool) and isinstance(v, float | int | np.number) and np.isfinite(v)
        ok = ok and (not positive or v > 0) and (not unit or 0 <= v <= 1)
        if not ok:
            what = "a number > 0" if positive else "a number in [0, 1]" if unit else "a finite number"
            raise param_error(name, caller, f"map each lever to {what}", None, got=f"{v!r} for {k!r}")
        out[k] = float(v)
    return out


def _lever_targets(frame, levers, direction, given, group, min_n):
    targets, basis = {}, {}
    groups = None
    if group is not None:
        sizes = frame[group].value_counts()
        keep = sizes.index[sizes >= min_n]
        groups = frame[frame[group].isin(keep)].groupby(group, observed=True)
    for lev in levers:
        if lev in given:
            targets[lev], basis[lev] = given[lev], "given"
        elif groups is not None and groups.ngroups > 0:
            means = groups[lev].mean()
            best = means.idxmax() if direction[lev] > 0 else means.idxmin()
            targets[lev], basis[lev] = float(means[best]), f"best segment ({best})"
        else:
            col = frame[lev].astype(float)
            targets[lev] = float(col.max() if direction[lev] > 0 else col.min())
            basis[lev] = "best value"
    return targets, basis


def _ols_coef(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.linalg.lstsq(x, y, rcond=None)[0]


def _lever_scores(impact, shortfall, d, reach_fixed, costs):
    """Per-lever reach, headroom, expected gain and priority for one data set.

    ``shortfall`` is (n, L); ``reach_fixed`` holds NaN where reach is estimated.
    """
    reach_hat = (shortfall > 0).mean(axis=0)
    mean_short = shortfall.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        headroom = np.where(reach_hat > 0, mean_short / reach_hat, 0.0)
    reach = np.where(np.isnan(reach_fixed), reach_hat, reach_fixed)
    gain = impact * d * reach * headroom
    priority = gain / costs if costs is not None else gain
    return reach, headroom, gain, priority


@renamed_parameters({"bootstrap": "n_boot", "segment": "group", "min_segment_size": "min_n"})
def rank_levers(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str] = (),
    contact_features: Sequence[str] = (),
    *,
    controls: Sequence[str] = (),
    better: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
    group: str | None = None,
    min_n: int = 30,
    reach: Mapping[str, float] | None = None,
    costs: Mapping[str, float] | None = None,
    n_boot: int = 200,
    seed: int | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Rank improvement levers by the expected gain in an outcome (customer signals first).

    A lever is a survey driver dimension (e.g. perceived reliability, higher is
    better) or a contact factor (e.g. repeat contacts per respondent, lower is
    better). Each lever is scored from the customer's side (impact on the outcome)
    and the organisation's (how many customers it touches, how far performance is
    from target, and optionally what moving it costs). All levers enter one
    regression, so their impacts are comparable and adjusted for each other.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent: outcome, driver scores, contact features (e.g.
        ``cxlab.data.load_contact_features`` merged on ``respondent_key``) and
        controls.
    outcome : str
        Outcome column (satisfaction, NPS, intention to stay).
    drivers : list of str, default=()
        Driver levers; higher is better unless ``better`` says otherwise.
    contact_features : list of str, default=()
        Contact levers; lower is better unless ``better`` says otherwise
        (e.g. ``better={"fcr_rate": "higher"}``).
    controls : list of str, default=()
        Adjusted for but not ranked (e.g. ``segment``; non-numeric ones as dummies).
    better : dict of lever -> {"higher", "lower"} or None, default=None
        Overrides of the direction of improvement.
    targets : dict of lever -> float or None, default=None
        Target level per lever. Levers without one get the best segment's mean
        when ``group`` is given, otherwise the best value observed (the maximum
        for higher-is-better, the minimum, usually 0 events, for lower-is-better).
    group : str or None, default=None
        Grouping column (e.g. the segment) for best-group targets (groups with fewer
        than ``min_n`` complete rows are ignored). Old name: ``segment``.
    min_n : int, default=30
        Smallest group considered for targets. Old name: ``min_segment_size``.
    reach : dict of lever -> float in [0, 1] or None, default=None
        Reach taken from elsewhere (e.g. the share of *all* customers in the
        contact log with such an event) instead of the share of respondents short
        of target; it then replaces that share in ``expected_gain``.
    costs : dict of lever -> float > 0 or None, default=None
        Cost of moving each lever to its target (any unit, all levers); the
        ranking is then by ``gain_per_cost``.
    n_boot : int, default=200
        Bootstrap resamples of the rows for the intervals (seeded, reproducible:
        replicate ``b`` uses the ``b``-th child of ``numpy.random.SeedSequence(seed)``).
        0 gives HC3 t-intervals for ``impact`` and no other intervals.
    seed : int or None, default=None
    ci : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lever``, sorted by ``rank``, with columns:

        * ``kind``: ``"driver"`` or ``"contact"``; ``better``: ``"higher"``/``"lower"``.
        * ``impact``, ``impact_ci_lower``, ``impact_ci_upper``: OLS coefficient of the
          outcome on the lever (per unit *increase*, all levers and controls in the
          model) with its interval.
        * ``reach``: share of respondents short of target (or the given reach).
        * ``performance``: the lever's mean; ``target`` and ``target_basis``
          (``"given"``, ``"best segment (name)"`` or ``"best value"``, the best observed).
        * ``headroom``: mean distance to target among the respondents short of it.
        * ``expected_gain`` (+ ``_ci_lower``, ``_ci_upper``): associated change in
          the mean outcome if everyone short of target reached it.
        * ``cost``, ``gain_per_cost``: NaN without ``costs``.
        * ``priority``: ``gain_per_cost`` with costs, else ``expected_gain``.
        * ``rank``: 1 = pick up first (ties share the smaller rank);
          ``rank_ci_lower``, ``rank_ci_upper``: bootstrap percentile interval of the
          rank; ``p_first``: share of resamples in which the lever ranks first.
        * ``pvalue``: two-sided HC3 t-test of ``impact`` = 0; ``pvalue_holm``: Holm-adjusted
          over the levers of the table (one family of tests).

        :func:`rank_levers_result` returns this table with the outcome, n, R² and the
        options (:class:`LeverRanking`), which :func:`describe_levers` writes about.

    Notes
    -----
    With direction d = +1 (higher is better) or -1 (lower is better), target t and
    lever value x_i of respondent i:

    * impact b: OLS coefficient of the lever, so b * d is the gain per unit of
      improvement;
    * shortfall s_i = max(0, d * (t - x_i)); reach r = share of s_i > 0;
      headroom h = mean of s_i over those with s_i > 0;
    * expected_gain = b * d * r * h (= b * d * mean s_i), the change in the mean
      outcome if every respondent short of target moved to it, other levers held;
    * gain_per_cost = expected_gain / cost; priority as above; rank by priority.

    Targets are goals, not estimates: the bootstrap holds them fixed and
    re-estimates impact, reach and headroom on each resample. The impacts are
    associations (see :func:`contact_effects`); a lever with an interval that
    includes 0, or with a Holm-adjusted p-value at or above 1 - ``ci`` (the levers
    are one family of tests), has no demonstrated gain (:func:`describe_levers`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({"reliability": rng.normal(5, 1, 600).clip(1, 7),
    ...                    "tangibles": rng.normal(5, 1, 600).clip(1, 7),
    ...                    "repeat_contacts": rng.poisson(0.8, 600)})
    >>> df["sat"] = 0.5 * df.reliability - 0.4 * df.repeat_contacts + rng.normal(0, 0.5, 600)
    >>> table = rank_levers(df, "sat", ["reliability", "tangibles"], ["repeat_contacts"],
    ...                     n_boot=50, seed=1)
    >>> table.index.tolist()
    ['reliability', 'repeat_contacts', 'tangibles']
    >>> row = table.loc["repeat_contacts"]
    >>> bool(np.isclose(row.expected_gain, row.impact * -1 * row.reach * row.headroom))
    True
    """
    return rank_levers_result(data, outcome, drivers, contact_features, controls=controls, better=better,
                              targets=targets, group=group, min_n=min_n, reach=reach, costs=costs, n_boot=n_boot,
                              seed=seed, ci=ci).table


@renamed_parameters({"bootstrap": "n_boot", "segment": "group", "min_segment_size": "min_n"})
def rank_levers_result(
    data: pd.DataFrame,
    outcome: str,
    drivers: Sequence[str] = (),
    contact_features: Sequence[str] = (),
    *,
    controls: Sequence[str] = (),
    better: Mapping[str, str] | None = None,
    targets: Mapping[str, float] | None = None,
    group: str | None = None,
    min_n: int = 30,
    reach: Mapping[str, float] | None = None,
    costs: Mapping[str, float] | None = None,
    n_boot: int = 200,
    seed: int | None = None,
    ci: float = 0.95,
) -> LeverRanking:
    """:func:`rank_levers` with the outcome, n, R² and options the ranking rests on.

    Parameters are those of :func:`rank_levers`.

    Returns
    -------
    LeverRanking
        ``.table`` is :func:`rank_levers`' table; pass the whole result to
        :func:`describe_levers` and :func:`cxlab.plots.lever_chart`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({"reliability": rng.normal(5, 1, 300), "waits": rng.poisson(0.8, 300)})
    >>> df["sat"] = 0.5 * df.reliability - 0.4 * df.waits + rng.normal(0, 0.5, 300)
    >>> res = rank_levers_result(df, "sat", ["reliability"], ["waits"], n_boot=0)
    >>> res.outcome, res.n, res.ci_method
    ('sat', 300, 'HC3 t-interval (impact only)')
    """
    caller = "rank_levers"
    drivers, controls, levers, extra, direction, given = _checked_levers(
        data, outcome, drivers, contact_features, controls, better=better, targets=targets, group=group,
        min_n=min_n, reach=reach, costs=costs, n_boot=n_boot, ci=ci)
    frame = listwise(data, [outcome, *levers, *controls, *extra], caller)
    x, _, _ = design_matrix(frame, levers, controls)
    if len(frame) <= x.shape[1] + 1:
        raise ValueError(
            f"{caller} needs more complete rows than terms + 1. Got {len(frame)} rows for "
            f"{x.shape[1]} terms."
        )
    y = frame[outcome].to_numpy(dtype=float)
    d = np.array([direction[lev] for lev in levers])
    target, basis = _lever_targets(frame, levers, direction, given["targets"], group, min_n)
    t = np.array([target[lev] for lev in levers])
    values = frame[levers].to_numpy(dtype=float)
    shortfall = np.maximum(0.0, d * (t - values))
    reach_fixed = np.array([given["reach"].get(lev, np.nan) for lev in levers])
    cost = np.array([given["costs"][lev] for lev in levers]) if given["costs"] else None

    coef = _ols_coef(x, y)
    impact = coef[1:len(levers) + 1]
    r2 = float(1 - np.sum((y - x @ coef) ** 2) / np.sum((y - y.mean()) ** 2))
    reach_est, headroom, gain, priority = _lever_scores(impact, shortfall, d, reach_fixed, cost)
    hc3 = _hc3_intervals(x, y, len(levers), ci)  # also the p-values, one family (Holm)
    if n_boot > 0:
        intervals = _bootstrap_intervals(x, y, shortfall, d, reach_fixed, cost, n_boot=n_boot, seed=seed, ci=ci)
    else:
        intervals = hc3

    from scipy import stats

    result = pd.DataFrame(
        {
            "kind": ["driver" if lev in drivers else "contact" for lev in levers],
            "better": ["higher" if direction[lev] > 0 else "lower" for lev in levers],
            "impact": impact,
            "impact_ci_lower": intervals["impact"][0],
            "impact_ci_upper": intervals["impact"][1],
            "reach": reach_est,
            "performance": values.mean(axis=0),
            "target": t,
            "target_basis": [basis[lev] for lev in levers],
            "headroom": headroom,
            "expected_gain": gain,
            "expected_gain_ci_lower": intervals["gain"][0],
            "expected_gain_ci_upper": intervals["gain"][1],
            "cost": cost if cost is not None else np.nan,
            "gain_per_cost": gain / cost if cost is not None else np.nan,
            "priority": priority,
            "rank": stats.rankdata(-priority, method="min").astype(int),
            "rank_ci_lower": intervals["rank"][0],
            "rank_ci_upper": intervals["rank"][1],
            "p_first": intervals["p_first"],
            "pvalue": hc3["pvalue"],
            "pvalue_holm": holm_finite(hc3["pvalue"]),
        },
        index=pd.Index(levers, name="lever"),
    ).sort_values(["rank", "priority"], ascending=[True, False], kind="stable")
    return LeverRanking(result, outcome=outcome, n=len(frame), n_dropped=len(data) - len(frame), r2=r2,
                        n_boot=int(n_boot), seed=seed, ci=float(ci), ci_method=intervals["method"],
                        priority_basis="gain_per_cost" if cost is not None else "expected_gain")


def _checked_levers(data, outcome, drivers, contact_features, controls, *, better, targets, group, min_n,
                    reach, costs, n_boot, ci):
    """Validate rank_levers' arguments.

    Returns drivers, controls and levers as lists, the extra (group) column, each lever's
    direction (+1 higher is better, -1 lower) and the given targets, reach and costs.
    """
    caller = "rank_levers"
    check_frame(data, caller)
    drivers = check_column_list(drivers, "drivers", caller)
    contact_features = check_column_list(contact_features, "contact_features", caller)
    controls = check_column_list(controls, "controls", caller)
    levers = drivers + contact_features
    if not levers:
        raise ValueError(
            f"The 'drivers' and 'contact_features' parameters of {caller} must name at least "
            f"one lever between them. Got [] and [] instead."
        )
    if outcome in levers + controls:
        raise param_error("outcome", caller, "not also be a lever or control", outcome, instead=False)
    if group is not None and not isinstance(group, str):
        raise param_error("group", caller, "be a column name or None", group)
    extra = [group] if group is not None and group not in controls else []
    check_lever_columns(data, [outcome, *levers, *controls], caller, numeric=[outcome, *levers])
    check_lever_columns(data, extra, caller)
    check_int(n_boot, "n_boot", caller, low=0)
    check_int(min_n, "min_n", caller, low=1)
    check_ci(ci, caller)
    direction = _better_directions(levers, drivers, better, caller)
    given = {"targets": _lever_mapping(targets, "targets", levers, caller),
             "reach": _lever_mapping(reach, "reach", levers, caller, unit=True),
             "costs": _lever_mapping(costs, "costs", levers, caller, positive=True, complete=costs is not None)}
    return drivers, controls, levers, extra, direction, given


def _bootstrap_intervals(x, y, shortfall, d, reach_fixed, cost, *, n_boot, seed, ci):
    """Percentile intervals of impact, gain and rank over row resamples (targets held fixed)."""
    from scipy import stats

    n, n_lev = len(y), len(d)
    boot_impact, boot_gain, boot_rank = (np.empty((n_boot, n_lev)) for _ in range(3))
    for b, child in enumerate(np.random.SeedSequence(seed).spawn(n_boot)):
        idx = np.random.default_rng(child).integers(0, n, n)
        imp_b = _ols_coef(x[idx], y[idx])[1:n_lev + 1]
        _, _, gain_b, prio_b = _lever_scores(imp_b, shortfall[idx], d, reach_fixed, cost)
        boot_impact[b], boot_gain[b] = imp_b, gain_b
        boot_rank[b] = stats.rankdata(-prio_b, method="min")
    alpha = (1 - ci) / 2
    return {"impact": np.quantile(boot_impact, [alpha, 1 - alpha], axis=0),
            "gain": np.quantile(boot_gain, [alpha, 1 - alpha], axis=0),
            "rank": np.quantile(boot_rank, [alpha, 1 - alpha], axis=0, method="inverted_cdf"),
            "p_first": (boot_rank == 1).mean(axis=0), "method": "bootstrap percentile"}


def _hc3_intervals(x, y, n_lev, ci):
    """HC3 t-intervals and p-values of the impacts (the intervals when there is no bootstrap)."""
    import statsmodels.api as sm

    fit = sm.OLS(y, x).fit(cov_type="HC3", use_t=True)
    bounds = np.asarray(fit.conf_int(alpha=1 - ci))[1:n_lev + 1]
    nan = np.full(n_lev, np.nan)
    return {"impact": (bounds[:, 0], bounds[:, 1]), "gain": (nan, nan), "rank": (nan, nan),
            "p_first": nan, "method": "HC3 t-interval (impact only)",
            "pvalue": np.asarray(fit.pvalues)[1:n_lev + 1]}
