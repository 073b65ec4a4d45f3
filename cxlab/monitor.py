"""Short-cycle monitoring: trends, tests of change, a control chart, and closing the loop.

Performance measurement runs weekly or monthly, and headline metrics move from period
to period by chance alone. This module reports each period's estimate with its
confidence interval (through :func:`cxlab.measures.summarise`), tests a change only
against the sampling error of both periods, controls the family-wise error over all the
comparisons it makes (Holm), and writes the conclusions in words from the numbers.

- :func:`add_period` labels each respondent's period (wave, ISO week or month);
- :func:`add_channel` adds each respondent's main contact channel;
- :func:`trends` is the tidy table of estimates per period (and per segment/channel);
- :func:`compare_periods` tests consecutive periods and each period against a baseline
  (:func:`compare_periods_result` adds how many periods there were, :class:`PeriodChanges`);
- :func:`control_chart` is a Shewhart chart with limits from a pooled baseline and a run
  rule;
- :func:`describe_changes` turns the change table into sentences;
- :func:`follow_up_list`, :func:`follow_up_counts` and :func:`write_follow_up` close the
  loop: detractors with a recent bad contact experience, keyed by pseudonyms only.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
from scipy import stats

from . import measures
from ._results import TableResult
from ._text import MINUS, md, number, pvalue
from ._validation import (check_choice, check_columns, check_float, check_frame, check_int, check_probability,
                          param_error, renamed_parameters)

__all__ = [
    "describe_levels",
    "add_period",
    "add_channel",
    "trends",
    "compare_periods",
    "compare_periods_result",
    "PeriodChanges",
    "control_chart",
    "describe_changes",
    "segment_omnibus",
    "describe_segment_changes",
    "metric_labels",
    "follow_up_list",
    "follow_up_counts",
    "write_follow_up",
]

_FREQS = ("wave", "week", "month")
_COMPARISONS = ("previous", "baseline")
_CHANNELS = ("phone", "email", "chat", "web", "social")

#: Default follow-up criteria: contact feature -> minimum count that makes it a bad experience.
FOLLOW_UP_CRITERIA = {"long_waits": 1, "repeat_contacts": 1, "escalations": 1}

_REASONS = {
    "long_waits": "long wait",
    "repeat_contacts": "repeat contact (not resolved)",
    "escalations": "escalated",
    "abandoned": "abandoned contact",
    "transfers": "transferred",
    "channel_switches": "had to switch channel",
}

# display name, kind: "points" (net score), "percent" (share), "mean" (scale mean)
_METRIC_TEXT = {
    "nps": ("NPS", "points"),
    "temkin_xi": ("The Temkin Experience Index", "points"),
    "csat": ("CSAT (top-box share)", "percent"),
    "csat_mean": ("Mean satisfaction", "mean"),
    "ces": ("CES (mean)", "mean"),
    "ces_share": ("CES (share agreeing)", "percent"),
    "intention_to_stay": ("Intention to stay (top-box share)", "percent"),
}


# --------------------------------------------------------------------------- periods
def _period_labels(data, freq, wave, date, caller, wave_labels=None):
    """Period label per row, and the labels in chronological order.

    Waves are labelled ``"wave N"`` unless ``wave_labels`` names them; without a wave
    column (``wave=None``) every row is in one period, ``"all"``.
    """
    check_choice(freq, "freq", caller, _FREQS)
    if freq == "wave" and wave is None:
        return pd.Series("all", index=data.index, dtype=object), ["all"]
    if freq == "wave":
        check_columns(data, [wave], caller, "wave")
        w = pd.to_numeric(data[wave], errors="coerce")
        names = {int(k): str(v) for k, v in (wave_labels or {}).items()}
        order = [names.get(int(v), f"wave {int(v)}") for v in sorted(w.dropna().unique())]
        labels = w.map(lambda v: names.get(int(v), f"wave {int(v)}") if pd.notna(v) else None).astype(object)
        return labels, order
    check_columns(data, [date], caller, "date")
    d = pd.to_datetime(data[date], errors="coerce")
    if freq == "week":
        iso = d.dt.isocalendar()
        labels = (iso["year"].astype("string") + "-W"
                  + iso["week"].astype("string").str.zfill(2)).astype(object)
    else:
        labels = d.dt.strftime("%Y-%m").astype(object)
    labels = labels.where(d.notna(), None)
    return labels, sorted(labels.dropna().unique())


def add_period(
    data: pd.DataFrame,
    *,
    freq: str = "wave",
    wave: str = "wave",
    date: str = "survey_date",
    column: str = "period",
) -> pd.DataFrame:
    """Add each respondent's reporting period as a text label.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    freq : {"wave", "week", "month"}, default="wave"
        ``"wave"`` labels ``"wave 1"``, ``"wave 2"``, ...; ``"week"`` the ISO week of
        ``date`` (``"2025-W23"``); ``"month"`` its month (``"2025-06"``).
    wave, date : str, default="wave", "survey_date"
        The wave and survey-date columns.
    column : str, default="period"
        Name of the new column.

    Returns
    -------
    pandas.DataFrame
        A copy of ``data`` with ``column`` added (missing when the wave or date is).

    Examples
    --------
    >>> df = pd.DataFrame({"wave": [1, 2], "survey_date": ["2025-06-02", "2025-11-30"]})
    >>> add_period(df, freq="week")["period"].tolist()
    ['2025-W23', '2025-W48']
    >>> add_period(df)["period"].tolist()
    ['wave 1', 'wave 2']
    """
    caller = "add_period"
    check_frame(data, caller, "data")
    labels, _ = _period_labels(data, freq, wave, date, caller)
    out = data.copy()
    out[column] = labels
    return out


def add_channel(
    survey: pd.DataFrame,
    features: pd.DataFrame,
    *,
    key: str = "respondent_key",
    channels: Sequence[str] = _CHANNELS,
    column: str = "channel",
) -> pd.DataFrame:
    """Add each respondent's main contact channel over the window before the survey.

    Parameters
    ----------
    survey : pandas.DataFrame
        One row per respondent, with ``key``.
    features : pandas.DataFrame
        Contact features per respondent (``cxlab.data.load_contact_features``), with
        ``key`` and ``contacts_<channel>`` counts.
    key : str, default="respondent_key"
    channels : sequence of str, default=("phone", "email", "chat", "web", "social")
        Channels in order of precedence for ties.
    column : str, default="channel"

    Returns
    -------
    pandas.DataFrame
        A copy of ``survey`` with ``column``: the channel with most contacts, or
        ``"no contact"`` when the respondent had none in the window (or no features).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_key": ["r_1", "r_2", "r_3"]})
    >>> f = pd.DataFrame({"respondent_key": ["r_1", "r_2"], "contacts_phone": [2, 0],
    ...                   "contacts_chat": [1, 0]})
    >>> add_channel(s, f, channels=["phone", "chat"])["channel"].tolist()
    ['phone', 'no contact', 'no contact']
    """
    caller = "add_channel"
    check_frame(survey, caller, "survey")
    check_frame(features, caller, "features")
    check_columns(survey, [key], caller, "key")
    cols = [f"contacts_{c}" for c in channels]
    check_columns(features, [key, *cols], caller, "channels")
    counts = features.set_index(key)[cols].reindex(survey[key].to_numpy()).fillna(0)
    main = np.asarray(channels, dtype=object)[counts.to_numpy().argmax(axis=1)]
    main = np.where(counts.to_numpy().sum(axis=1) > 0, main, "no contact")
    out = survey.copy()
    out[column] = main
    return out


# ---------------------------------------------------------------------------- trends
@renamed_parameters({"by": "group"})
def trends(
    data: pd.DataFrame,
    *,
    metrics: Mapping,
    freq: str = "wave",
    group: str | None = None,
    wave: str | None = "wave",
    date: str = "survey_date",
    weights: str | None = None,
    min_n: int = 10,
    ci: float = 0.95,
    total: bool = True,
    wave_labels: Mapping | None = None,
) -> pd.DataFrame:
    """Estimates with confidence intervals per period, overall and per group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    metrics : mapping
        As in :func:`cxlab.measures.summarise` (metric name -> column or spec).
    freq : {"wave", "week", "month"}, default="wave"
        The period (see :func:`add_period`).
    group : str, optional
        A grouping column (segment, channel): estimates per group and period
        (old name ``by``, deprecated).
    wave, date : str, default="wave", "survey_date"
        ``wave=None`` (a survey without waves): one period, ``"all"``.
    weights : str, optional
        Column of survey weights.
    min_n : int, default=10
        Cells with fewer valid answers are suppressed (values NaN, ``suppressed`` True).
    ci : float, default=0.95
    total : bool, default=True
        With ``group``, also give all respondents (``group == "all"``).
    wave_labels : mapping, optional
        Display label per wave number (``{1: "Spring 2025"}``); others are ``"wave N"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, group, period, value, se, ci_lower, ci_upper, n,
        suppressed``; ``group`` is ``"all"`` for everyone, else the ``group`` level.
        Rows are ordered by metric, group and period, periods in chronological order
        (which :func:`compare_periods` relies on).

    Examples
    --------
    >>> df = pd.DataFrame({"wave": [1] * 20 + [2] * 20,
    ...                    "ltr": [10, 9, 8, 3] * 5 + [10, 10, 10, 3] * 5})
    >>> trends(df, metrics={"nps": "ltr"})[["period", "value", "n"]]
        period  value   n
    0   wave 1   25.0  20
    1   wave 2   50.0  20
    """
    caller = "trends"
    check_frame(data, caller, "data")
    labels, order = _period_labels(data, freq, wave, date, caller, wave_labels)
    if group is not None:
        check_columns(data, [group], caller, "group")
    frame = data.assign(_period=labels)
    frame = frame[frame["_period"].notna()]
    pieces = []
    if group is None or total:
        t = measures.summarise(frame, metrics=metrics, group="_period", weights=weights,
                               min_n=min_n, ci=ci, total=False)
        pieces.append(t.rename(columns={"group": "period"}).assign(group="all"))
    if group is not None:
        # one summarise over integer cell codes, mapped back to (group, period)
        frame = frame[frame[group].notna()]
        cell = frame.groupby([group, "_period"], sort=True, observed=True).ngroup()
        keys = frame.groupby([group, "_period"], sort=True, observed=True).size().index
        lookup = pd.DataFrame({"group": [str(g) for g, _ in keys], "period": [p for _, p in keys]},
                              index=[str(i) for i in range(len(keys))])
        t = measures.summarise(frame.assign(_cell=cell.to_numpy()), metrics=metrics, group="_cell",
                               weights=weights, min_n=min_n, ci=ci, total=False)
        t[["group", "period"]] = lookup.loc[t["group"].to_numpy()].to_numpy()
        pieces.append(t)
    out = pd.concat(pieces, ignore_index=True)
    columns = ["metric", "group", "period", "value", "se", "ci_lower", "ci_upper", "n",
               "suppressed"]
    out = out[columns]
    groups = (["all"] if group is None or total else []) + (
        [str(g) for g in dict.fromkeys(g for g, _ in keys)] if group is not None else [])
    metric_order = {m: i for i, m in enumerate(metrics)}
    group_order = {g: i for i, g in enumerate(groups)}
    period_order = {p: i for i, p in enumerate(order)}
    key = pd.DataFrame({"m": out["metric"].map(metric_order), "g": out["group"].map(group_order),
                        "p": out["period"].map(period_order)})
    return out.loc[key.sort_values(["m", "g", "p"], kind="stable").index].reset_index(drop=True)


# ------------------------------------------------------------------- tests of change
@dataclass(frozen=True, eq=False)
class PeriodChanges(TableResult):
    """The result of :func:`compare_periods_result`: the change table and what it was made from.

    Attributes
    ----------
    table : pandas.DataFrame
        What :func:`compare_periods` returns (one row per comparison).
    n_periods : int
        The most periods of any metric and group in the trends table (1: only one wave, so
        nothing to compare; :func:`describe_changes` says so).
    alpha : float
        Family-wise error rate of ``significant``.
    ci : float
        Level of the intervals.
    """

    table: pd.DataFrame
    n_periods: int
    alpha: float
    ci: float


def compare_periods(
    table: pd.DataFrame,
    *,
    against: Sequence[str] = ("previous", "baseline"),
    baseline=None,
    alpha: float = 0.05,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Test changes between consecutive periods and against a baseline, Holm-adjusted.

    Parameters
    ----------
    table : pandas.DataFrame
        A :func:`trends` table (``metric, group, period, value, se, suppressed``),
        periods in chronological order within each metric and group.
    against : sequence of {"previous", "baseline"}, default=("previous", "baseline")
        Which comparisons to make: each period with the one before it, and/or each
        period with the baseline.
    baseline : str, optional
        Baseline period label; default the first period of each metric and group.
    alpha : float, default=0.05
        Family-wise error rate: ``significant`` is ``pvalue_adj < alpha``.
    ci : float, default=0.95
        Level of the (unadjusted) interval of each difference.

    Returns
    -------
    pandas.DataFrame
        One row per comparison made: ``metric, group, period, comparison``
        (``"previous"``, ``"baseline"``, or ``"previous, baseline"`` when both are the
        same pair, which is then tested once), ``reference`` (the earlier or
        baseline period), ``reference_value``, ``value``, ``diff`` (value -
        reference_value), ``ci_lower``, ``ci_upper``, ``se``, ``z``, ``pvalue``
        (two-sided z-test, :func:`cxlab.measures.compare`), ``pvalue_adj`` (Holm over
        all rows of this table) and ``significant``. Pairs with a suppressed cell are
        not tested.

    Notes
    -----
    The periods are independent samples, so the difference has variance se₁² + se₂².
    Holm's step-down procedure controls the family-wise error over every comparison
    in the table, whatever their dependence; pass a table restricted to the metrics
    and groups that form one family (e.g. ``group == "all"``).

    Examples
    --------
    >>> t = pd.DataFrame({"metric": "nps", "group": "all",
    ...                   "period": ["wave 1", "wave 2", "wave 3"],
    ...                   "value": [10.0, 12.0, 25.0], "se": [3.0, 3.0, 3.0],
    ...                   "suppressed": False})
    >>> c = compare_periods(t)
    >>> c[["period", "comparison", "reference", "diff", "pvalue_adj", "significant"]].round(4)
       period          comparison reference  diff  pvalue_adj  significant
    0  wave 2  previous, baseline    wave 1   2.0      0.6374        False
    1  wave 3            previous    wave 2  13.0      0.0044         True
    2  wave 3            baseline    wave 1  15.0      0.0012         True
    """
    return compare_periods_result(table, against=against, baseline=baseline, alpha=alpha, ci=ci).table


def compare_periods_result(
    table: pd.DataFrame,
    *,
    against: Sequence[str] = ("previous", "baseline"),
    baseline=None,
    alpha: float = 0.05,
    ci: float = 0.95,
) -> PeriodChanges:
    """:func:`compare_periods` with the number of periods compared, for :func:`describe_changes`.

    Parameters are those of :func:`compare_periods`.

    Examples
    --------
    >>> t = pd.DataFrame({"metric": "nps", "group": "all", "period": ["wave 1"], "value": [10.0],
    ...                   "se": [3.0], "suppressed": False})
    >>> res = compare_periods_result(t)
    >>> len(res.table), res.n_periods
    (0, 1)
    >>> describe_changes(res)
    'Only one wave: no change to test.'
    """
    caller = "compare_periods"
    check_frame(table, caller, "table")
    check_columns(table, ["metric", "group", "period", "value", "se"], caller, "table")
    against = (against,) if isinstance(against, str) else tuple(against)
    if not against or any(a not in _COMPARISONS for a in against):
        raise param_error("against", caller, "be a non-empty subset of ('previous', 'baseline')",
                           against)
    check_probability(alpha, "alpha", caller)
    check_probability(ci, "ci", caller)
    if baseline is not None and baseline not in set(table["period"]):
        raise param_error("baseline", caller,
                           f"be one of the periods {list(dict.fromkeys(table['period']))}", baseline)
    ok = table["value"].notna() & table["se"].notna()
    if "suppressed" in table.columns:
        ok &= ~table["suppressed"].astype(bool)
    rows = []
    for (metric, group), sub in table.groupby(["metric", "group"], sort=False):
        periods = list(sub["period"])
        cells = {r.period: r for r, good in zip(sub.itertuples(index=False), ok[sub.index])
                 if good}
        base = periods[0] if baseline is None else baseline
        pairs = {}
        for k, period in enumerate(periods):
            if "previous" in against and k > 0:
                pairs.setdefault((periods[k - 1], period), []).append("previous")
            if "baseline" in against and period != base and base in periods:
                pairs.setdefault((base, period), []).append("baseline")
        for (ref, period), kinds in pairs.items():
            if ref not in cells or period not in cells:
                continue
            a, b = cells[ref], cells[period]
            c = measures.compare(SimpleNamespace(metric=metric, value=a.value, se=a.se),
                                 SimpleNamespace(metric=metric, value=b.value, se=b.se), ci=ci)
            rows.append({"metric": metric, "group": group, "period": period,
                         "comparison": ", ".join(kinds), "reference": ref,
                         "reference_value": a.value, "value": b.value, "diff": c.diff,
                         "ci_lower": c.ci_lower, "ci_upper": c.ci_upper, "se": c.se, "z": c.z,
                         "pvalue": c.pvalue})
    columns = ["metric", "group", "period", "comparison", "reference", "reference_value",
               "value", "diff", "ci_lower", "ci_upper", "se", "z", "pvalue", "pvalue_adj",
               "significant"]
    out = pd.DataFrame.from_records(rows, columns=columns[:-2])
    out["pvalue_adj"] = measures.holm(out["pvalue"].to_numpy()) if len(out) else []
    out["significant"] = (out["pvalue_adj"] < alpha).astype(bool)
    # how many periods there were to compare: describe_changes says why nothing was compared
    n_periods = int(table.groupby(["metric", "group"])["period"].nunique().max()) if len(table) else 0
    return PeriodChanges(out[columns], n_periods=n_periods, alpha=float(alpha), ci=float(ci))


# ---------------------------------------------------------------------- control chart
def _run_flags(side, run_length):
    """True where a point completes or extends a run of ``run_length`` on one side."""
    flags = np.zeros(side.size, dtype=bool)
    count, last = 0, 0
    for i, s in enumerate(side):
        count = count + 1 if s != 0 and s == last else (1 if s != 0 else 0)
        last = s
        flags[i] = count >= run_length
    return flags


def _run_alarm_probability(q, run_length):
    """P(some run of ``run_length`` points on one side) for independent points.

    ``q`` has shape (nodes, points): the probability that each point lies above the
    centre (NaN for a point that breaks runs). Returns one probability per node.
    """
    nodes, points = q.shape
    up = np.zeros((nodes, run_length - 1))    # run of length k + 1 above, not yet alarmed
    down = np.zeros((nodes, run_length - 1))
    none = np.ones(nodes)
    alarm = np.zeros(nodes)
    for t in range(points):
        qt = q[:, t]
        if np.isnan(qt).all():
            none = none + up.sum(axis=1) + down.sum(axis=1)
            up[:] = 0.0
            down[:] = 0.0
            continue
        alarm = alarm + qt * up[:, -1] + (1 - qt) * down[:, -1]
        new_up = np.zeros_like(up)
        new_down = np.zeros_like(down)
        new_up[:, 0] = qt * (none + down.sum(axis=1))
        new_down[:, 0] = (1 - qt) * (none + up.sum(axis=1))
        new_up[:, 1:] = qt[:, None] * up[:, :-1]
        new_down[:, 1:] = (1 - qt)[:, None] * down[:, :-1]
        up, down, none = new_up, new_down, np.zeros(nodes)
    return alarm


def _calibrated_run_length(n_points, big_n, run_length, *, max_length=30):
    """Shortest run length >= ``run_length`` whose false-alarm probability, given that the
    centre is estimated from ``big_n`` baseline answers, does not exceed that of
    ``run_length`` with a known centre, over the same monitoring points.

    ``n_points`` holds the answers per monitoring point (NaN for a point that breaks
    runs). The centre's error u·σ/√N makes the points' sides dependent; given u they
    are independent with P(above) = Φ(−u·√(n/N)), so the probability is an expectation
    over u (Gauss-Hermite quadrature).
    """
    n_points = np.asarray(n_points, dtype=float)
    known = np.where(np.isnan(n_points), np.nan, 0.5)[None, :]
    target = _run_alarm_probability(known, run_length)[0]
    nodes, weights = np.polynomial.hermite_e.hermegauss(64)
    weights = weights / weights.sum()
    q = stats.norm.cdf(-nodes[:, None] * np.sqrt(n_points[None, :] / big_n))
    length = run_length
    while length < max_length:
        if weights @ _run_alarm_probability(q, length) <= target * (1 + 1e-9):
            break
        length += 1
    return length, float(target)


def control_chart(
    data: pd.DataFrame,
    *,
    metric: Mapping | None = None,
    freq: str = "week",
    wave: str = "wave",
    date: str = "survey_date",
    baseline=None,
    sigma: float = 3.0,
    run_length: int = 8,
    min_n: int = 10,
) -> pd.DataFrame:
    """Shewhart chart of a metric per period, limits from a pooled baseline, plus a run rule.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    metric : mapping, optional
        One entry in the format of :func:`cxlab.measures.summarise`'s ``metrics``;
        default ``{"nps": "nps"}``.
    freq : {"wave", "week", "month"}, default="week"
    wave, date : str, default="wave", "survey_date"
    baseline : str, list of str or mapping, optional
        The baseline: a period label, a list of labels, or a mapping ``{column: value}``
        selecting the baseline respondents (e.g. ``{"wave": 1}``; the baseline periods
        are then the periods those respondents fall in). Default the first period.
    sigma : float, default=3.0
        Width of the control limits in standard errors.
    run_length : int, default=8
        Run rule: this many consecutive monitoring periods on the same side of the
        centre line signal a shift (Nelson's rule 2 uses 9, Western Electric's 8),
        lengthened when the baseline is short (see Notes).
    min_n : int, default=10
        Periods with fewer answers are suppressed and break a run.

    Returns
    -------
    pandas.DataFrame
        One row per period: ``period, phase`` (``"baseline"`` or ``"monitoring"``),
        ``n, value, centre, se, lcl, ucl, z, beyond_limits, run, signal, run_length,
        suppressed``. ``signal`` is ``beyond_limits | run``; the run rule looks at
        monitoring periods only, and ``run_length`` is the length it used (see Notes).

    Notes
    -----
    The centre is the metric on all baseline respondents pooled (N answers) and σ its
    per-respondent standard deviation (``se·√N``; for NPS the trinomial
    √(p + d − (p − d)²) in points, for shares the binomial one, as in a p-chart).
    Because the centre is itself estimated, a period of n answers is compared with
    ``se = σ·√(1/n + 1/N)`` when outside the baseline and ``σ·√(1/n − 1/N)`` when
    part of it (the exact variance of its distance to the pooled centre), so the
    false-alarm rate stays at its nominal level even with a short baseline.

    The estimated centre also makes the monitoring points fall on the same side of it
    more often than a fair coin would (their sides are correlated, ρ ≈ n/(n + N)), so
    a run rule with a short baseline raises false alarms far more often than its
    nominal rate (with N = 4n and 12 periods, about four times as often). The chart
    therefore lengthens the run it requires to the shortest length whose false-alarm
    probability over the monitored periods, integrated over the centre's estimation
    error, is at most that of ``run_length`` with a known centre.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"wave": np.repeat([1, 2, 3], 300),
    ...                    "nps": rng.choice([10, 8, 3], 900, p=[.4, .35, .25])})
    >>> df.loc[600:, "nps"] = rng.choice([10, 8, 3], 300, p=[.55, .3, .15])
    >>> cc = control_chart(df, freq="wave")
    >>> cc[["period", "phase", "value", "signal"]].round(1)
       period       phase  value  signal
    0  wave 1    baseline    2.7   False
    1  wave 2  monitoring   15.0   False
    2  wave 3  monitoring   40.7    True
    """
    caller = "control_chart"
    check_frame(data, caller, "data")
    metric = {"nps": "nps"} if metric is None else metric
    if not isinstance(metric, Mapping) or len(metric) != 1:
        raise param_error("metric", caller, "be a mapping with exactly one metric", metric)
    check_float(sigma, "sigma", caller, low=0, must="a positive number")
    check_int(run_length, "run_length", caller, low=2)
    check_int(min_n, "min_n", caller, low=1)
    labels, order = _period_labels(data, freq, wave, date, caller)
    if isinstance(baseline, Mapping):
        check_columns(data, list(baseline), caller, "baseline")
        mask = np.logical_and.reduce([data[c] == v for c, v in baseline.items()])
        base_periods = list(dict.fromkeys(p for p in order if p in set(labels[mask])))
    else:
        base_periods = order[:1] if baseline is None else (
            [baseline] if isinstance(baseline, str) else list(baseline))
    if not base_periods or any(p not in order for p in base_periods):
        raise param_error("baseline", caller, f"be period label(s) among {order}", baseline)

    frame = data.assign(_period=labels)
    frame = frame[frame["_period"].notna()]
    table = measures.summarise(frame, metrics=metric, group="_period", min_n=min_n, total=False)
    table = table.rename(columns={"group": "period"})
    table = table.set_index("period").loc[order].reset_index()
    pooled = measures.summarise(frame[frame["_period"].isin(base_periods)], metrics=metric,
                                min_n=min_n).iloc[0]
    if pooled["suppressed"]:
        raise ValueError(
            f"The 'baseline' parameter of {caller} selects {pooled['n']} answers, fewer than "
            f"min_n={min_n}."
        )
    centre, big_n = float(pooled["value"]), float(pooled["n"])
    sd = float(pooled["se"]) * math.sqrt(big_n)
    phase = np.where(table["period"].isin(base_periods), "baseline", "monitoring")
    n = table["n"].to_numpy(dtype=float)
    sign = np.where(phase == "baseline", -1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd * np.sqrt(np.clip(1.0 / n + sign / big_n, 0.0, None))
        z = (table["value"].to_numpy(dtype=float) - centre) / se
    suppressed = table["suppressed"].to_numpy(dtype=bool)
    beyond = ~suppressed & (np.abs(z) > sigma)
    monitored = phase == "monitoring"
    length, _ = _calibrated_run_length(np.where(suppressed, np.nan, n)[monitored], big_n,
                                       run_length)
    side = np.where(suppressed | ~np.isfinite(z) | ~monitored, 0, np.sign(z))
    run = _run_flags(side.astype(int), length)
    return pd.DataFrame({
        "period": table["period"], "phase": phase, "n": table["n"], "value": table["value"],
        "centre": centre, "se": se, "lcl": centre - sigma * se, "ucl": centre + sigma * se,
        "z": z, "beyond_limits": beyond, "run": run, "signal": beyond | run,
        "run_length": length, "suppressed": suppressed,
    })


# ------------------------------------------------------------------------- in words
def _fmt(value, kind, digits):
    return number(value, digits + 1 if kind == "mean" else digits)


def _unit(kind):
    return {"points": " points", "percent": " %", "mean": ""}[kind]


def _diff_unit(kind):
    return {"points": " points", "percent": " percentage points", "mean": ""}[kind]


def _signed(value, kind, digits):
    text = _fmt(abs(value), kind, digits)
    if float(text) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text


def _level(ci):
    return f"{100 * ci:g} %"


def _where(row):
    if "previous" in row["comparison"]:
        return f"between {md(row['reference'])} and {md(row['period'])}"
    return f"in {md(row['period'])} compared with the baseline {md(row['reference'])}"


def _numbers(row, kind, digits, ci):
    return (f"{_signed(row['diff'], kind, digits)}{_diff_unit(kind)}, {_level(ci)} CI "
            f"{_fmt(row['ci_lower'], kind, digits)} to {_fmt(row['ci_upper'], kind, digits)}; "
            f"{pvalue(row['pvalue_adj'])} after Holm correction")


def _sentence_change(row, name, kind, digits, ci):
    verb = "rose" if row["diff"] > 0 else "fell"
    return (f"{name} {verb} from {_fmt(row['reference_value'], kind, digits)} to "
            f"{_fmt(row['value'], kind, digits)}{_unit(kind)} {_where(row)} "
            f"({_numbers(row, kind, digits, ci)}).")


def describe_changes(
    changes,
    *,
    group: str | None = "all",
    ci: float | None = None,
    labels: Mapping | None = None,
    digits: int = 1,
) -> str:
    """Plain-words summary of a :func:`compare_periods` table, generated from its numbers.

    Parameters
    ----------
    changes : PeriodChanges or pandas.DataFrame
        Output of :func:`compare_periods_result` or :func:`compare_periods`. Only the
        former knows that the trends had a single wave (an empty table of the latter
        says that no comparison could be made).
    group : str or None, default="all"
        Which group to describe; ``None`` describes every group (named in the text).
    ci : float or None, default=None
        The level the table's intervals were computed at (for the wording); None: the
        level of a :class:`PeriodChanges`, 0.95 for a table.
    labels : mapping, optional
        Display names per metric, overriding the defaults (``"nps"`` -> ``"NPS"``...).
    digits : int, default=1
        Decimals for points and percentages (means get one more).

    Returns
    -------
    str
        One paragraph per metric (and group), separated by blank lines: every
        significant change with its size, interval and Holm-adjusted p-value, and for a
        metric without one, that it did not change significantly, with the numbers.
        Without any comparison (a table with one wave, or only suppressed cells), one
        sentence that says so, e.g. ``"Only one wave: no change to test."``. Labels from
        the data (groups, periods) are escaped for Markdown (:func:`cxlab._text.md`).

    Examples
    --------
    >>> t = pd.DataFrame({"metric": ["nps", "ces"], "group": "all", "period": "wave 2",
    ...     "comparison": "previous, baseline", "reference": "wave 1",
    ...     "reference_value": [16.5, 4.94], "value": [29.4, 4.97], "diff": [12.9, 0.03],
    ...     "ci_lower": [6.3, -0.08], "ci_upper": [19.5, 0.13], "se": [3.4, 0.05],
    ...     "z": [3.8, 0.5], "pvalue": [0.0001, 0.63], "pvalue_adj": [0.0002, 0.63],
    ...     "significant": [True, False]})
    >>> print(describe_changes(t))
    NPS rose from 16.5 to 29.4 points between wave 1 and wave 2 (+12.9 points, 95 % CI
    6.3 to 19.5; p < 0.001 after Holm correction).
    <BLANKLINE>
    CES (mean) did not change significantly between wave 1 and wave 2 (4.94 to 4.97, +0.03,
    95 % CI −0.08 to 0.13; p = 0.630 after Holm correction).
    """
    caller = "describe_changes"
    n_periods = 2
    if isinstance(changes, PeriodChanges):
        n_periods, ci = changes.n_periods, changes.ci if ci is None else ci
        changes = changes.table
    ci = 0.95 if ci is None else ci
    check_frame(changes, caller, "changes")
    need = ["metric", "group", "period", "comparison", "reference", "reference_value", "value",
            "diff", "ci_lower", "ci_upper", "pvalue_adj", "significant"]
    check_columns(changes, need, caller, "changes")
    check_probability(ci, "ci", caller)
    check_int(digits, "digits", caller, low=0)
    if changes.empty:
        if n_periods <= 1:
            return "Only one wave: no change to test."
        return "No comparison could be made (too few periods, or suppressed cells)."
    if group is not None and group not in set(changes["group"]):
        raise param_error("group", caller,
                           f"be None or one of {list(dict.fromkeys(changes['group']))}", group)
    names = dict(_METRIC_TEXT)
    for m, v in (labels or {}).items():
        names[m] = (v, names.get(m, (m, "points"))[1])
    sub = changes if group is None else changes[changes["group"] == group]
    paragraphs = []
    for (metric, grp), rows in sub.groupby(["metric", "group"], sort=False):
        name, kind = names.get(metric, (metric, "points"))
        name = md(name)
        prefix = f"For {md(grp)}: " if group is None and grp != "all" else ""
        sig = rows[rows["significant"].astype(bool)]
        if len(sig):
            text = " ".join(_sentence_change(r, name, kind, digits, ci) for _, r in sig.iterrows())
            rest = len(rows) - len(sig)
            if rest:
                text += (f" No other change of {name} was significant ({rest} other "
                         f"comparison{'s' if rest > 1 else ''}).")
        elif len(rows) == 1:
            r = rows.iloc[0]
            text = (f"{name} did not change significantly {_where(r)} "
                    f"({_fmt(r['reference_value'], kind, digits)} to "
                    f"{_fmt(r['value'], kind, digits)}{_unit(kind)}, "
                    f"{_numbers(r, kind, digits, ci)}).")
        else:
            r = rows.loc[rows["pvalue_adj"].idxmin()]
            text = (f"{name} did not change significantly in any of the {len(rows)} "
                    f"comparisons (smallest Holm-adjusted {pvalue(r['pvalue_adj'])}: "
                    f"{md(r['period'])} against {md(r['reference'])}).")
        paragraphs.append(prefix + text)
    if not paragraphs:
        return "No comparison could be made (too few periods, or suppressed cells)."
    return "\n\n".join(paragraphs)


def segment_omnibus(changes: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Omnibus tests of the per-segment changes: did any segment change at all?

    For each metric and pair of periods, the segments' z statistics (independent samples)
    are pooled into χ² = Σ z² with one degree of freedom per segment tested. These tests
    form their own family: ``pvalue_adj`` is Holm-adjusted over all rows. A per-segment
    change is reported only when its omnibus test is significant *and* its own
    Holm-adjusted p-value is below ``alpha`` (:func:`describe_segment_changes`).

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`compare_periods` of a per-segment :func:`trends` table.
    alpha : float, default=0.05

    Returns
    -------
    pandas.DataFrame
        ``metric, period, reference, comparison, segments, chisq, df, pvalue, pvalue_adj,
        significant``.

    Examples
    --------
    >>> c = pd.DataFrame({"metric": "nps", "group": ["a", "b", "c"], "period": "w2", "reference": "w1",
    ...                   "comparison": "previous", "z": [2.4, 0.1, -0.3]})
    >>> segment_omnibus(c)[["segments", "chisq", "df", "pvalue"]].round(3).values.tolist()
    [[3.0, 5.86, 3.0, 0.119]]
    """
    caller = "segment_omnibus"
    check_frame(changes, caller, "changes")
    check_columns(changes, ["metric", "group", "period", "reference", "comparison", "z"], caller, "changes")
    check_probability(alpha, "alpha", caller)
    rows = []
    keys = ["metric", "period", "reference", "comparison"]
    for key, sub in changes.dropna(subset=["z"]).groupby(keys, sort=False):
        chisq, df = float((sub["z"] ** 2).sum()), len(sub)
        rows.append({**dict(zip(keys, key)), "segments": df, "chisq": chisq, "df": df,
                     "pvalue": float(stats.chi2.sf(chisq, df))})
    out = pd.DataFrame.from_records(rows, columns=[*keys, "segments", "chisq", "df", "pvalue"])
    out["pvalue_adj"] = measures.holm(out["pvalue"].to_numpy()) if len(out) else []
    out["significant"] = (out["pvalue_adj"] < alpha).astype(bool)
    return out


def describe_segment_changes(
    changes: pd.DataFrame,
    *,
    alpha: float = 0.05,
    ci: float = 0.95,
    labels: Mapping | None = None,
    digits: int = 1,
) -> str:
    """Plain words on the per-segment changes: an omnibus test first, then Holm-adjusted segments.

    For each metric and pair of periods, a segment's change is named only when the
    omnibus test of all segments (:func:`segment_omnibus`, Holm over its family) is
    significant and the segment's own Holm-adjusted p-value (over every segment, metric
    and comparison of ``changes``) is below ``alpha``. Otherwise the text says that no
    segment changed significantly, with the omnibus test, whatever the unadjusted
    p-values.

    Examples
    --------
    >>> c = pd.DataFrame({"metric": "nps", "group": ["a", "b", "c"], "period": "wave 2", "reference": "wave 1",
    ...     "comparison": "previous", "reference_value": [10.0, 12, 11], "value": [22.0, 13, 10],
    ...     "diff": [12.0, 1, -1], "ci_lower": [2.2, -8, -10], "ci_upper": [21.8, 10, 8], "z": [2.4, 0.2, -0.2],
    ...     "pvalue": [0.016, 0.84, 0.84], "pvalue_adj": [0.048, 1, 1], "significant": [True, False, False]})
    >>> print(describe_segment_changes(c))
    NPS: no segment changed significantly between wave 1 and wave 2 (omnibus test over 3 segments, χ²(3) = 5.84, p = 0.120 after Holm correction).
    """
    caller = "describe_segment_changes"
    check_frame(changes, caller, "changes")
    check_columns(changes, ["metric", "group", "period", "comparison", "reference", "reference_value", "value",
                             "diff", "ci_lower", "ci_upper", "z", "pvalue_adj", "significant"], caller, "changes")
    check_probability(ci, "ci", caller)
    if changes.empty:
        return "No per-segment comparison could be made (too few periods, or suppressed cells)."
    omnibus = segment_omnibus(changes, alpha=alpha)
    names = dict(_METRIC_TEXT)
    for m, v in (labels or {}).items():
        names[m] = (v, names.get(m, (m, "points"))[1])
    paragraphs = []
    for metric, tests in omnibus.groupby("metric", sort=False):
        name, kind = names.get(metric, (metric, "points"))
        name = md(name)
        sentences = []
        for t in tests.itertuples(index=False):
            sub = changes[(changes["metric"] == metric) & (changes["period"] == t.period)
                          & (changes["reference"] == t.reference) & (changes["comparison"] == t.comparison)]
            where = _where({"comparison": t.comparison, "reference": t.reference, "period": t.period})
            test = (f"omnibus test over {t.segments} segments, χ²({t.df}) = {t.chisq:.2f}, "
                    f"{pvalue(t.pvalue_adj)} after Holm correction")
            sig = sub[sub["significant"].astype(bool)] if t.significant else sub.iloc[:0]
            if not t.significant:
                sentences.append(f"no segment changed significantly {where} ({test}).")
            elif sig.empty:
                sentences.append(f"the segments together changed {where} ({test}), but no single segment's "
                                 "change is significant after Holm correction.")
            else:
                sentences.append(f"the segments changed {where} ({test}); " + " ".join(
                    f"for {md(r['group'])}, " + _sentence_change(r, name, kind, digits, ci)[:-1] + "."
                    for _, r in sig.iterrows()))
        paragraphs.append(f"{name}: " + " ".join(sentences))
    return "\n\n".join(paragraphs)


def metric_labels(labels=None):
    """Display labels for tables: a headline metric's name (``"nps"`` -> ``"NPS"``), else ``labels(name)``.

    Examples
    --------
    >>> label = metric_labels({"small_business": "Small business"}.get)
    >>> label("nps"), label("small_business"), label("other")
    ('NPS', 'Small business', 'other')
    """
    def label(name):
        if isinstance(name, str) and name in _METRIC_TEXT:
            return _METRIC_TEXT[name][0]
        found = labels(name) if labels is not None else None
        return name if found is None else found
    return label


def describe_levels(table: pd.DataFrame, *, ci: float = 0.95, digits: int = 1) -> str:
    """Plain-words levels of the metrics of a one-period :func:`trends` table (no change to test).

    Examples
    --------
    >>> t = pd.DataFrame({"metric": ["nps"], "group": "all", "period": "all", "value": [21.3],
    ...                   "ci_lower": [12.0], "ci_upper": [30.6], "n": [250], "suppressed": [False]})
    >>> print(describe_levels(t))
    With one survey period there is no change to test. NPS: 21.3 points (95 % CI 12.0 to 30.6; n = 250).
    """
    caller = "describe_levels"
    check_frame(table, caller, "table")
    check_columns(table, ["metric", "group", "value", "ci_lower", "ci_upper", "n", "suppressed"], caller, "table")
    check_probability(ci, "ci", caller)
    rows = table[(table["group"] == "all") & ~table["suppressed"].astype(bool)]
    parts = []
    for r in rows.itertuples():
        name, kind = _METRIC_TEXT.get(r.metric, (r.metric, "points"))
        parts.append(f"{name}: {_fmt(r.value, kind, digits)}{_unit(kind)} ({_level(ci)} CI "
                     f"{_fmt(r.ci_lower, kind, digits)} to {_fmt(r.ci_upper, kind, digits)}; n = {int(r.n):,}).")
    return " ".join(["With one survey period there is no change to test.", *parts])


# --------------------------------------------------------------------- close the loop
def follow_up_list(
    survey: pd.DataFrame,
    features: pd.DataFrame,
    *,
    nps: str = "nps",
    detractor_max: int = 6,
    criteria: Mapping | None = None,
    key: str = "respondent_key",
    customer_key: str = "customer_key",
    date: str | None = "survey_date",
    recent_days: int | None = None,
) -> pd.DataFrame:
    """Detractors with a recent bad contact experience, for follow-up ("close the loop").

    Parameters
    ----------
    survey : pandas.DataFrame
        The processed survey (pseudonymous keys, no direct identifiers).
    features : pandas.DataFrame
        Contact features per respondent over the window before the survey, keyed by
        ``key`` (``cxlab.data.load_contact_features``).
    nps : str, default="nps"
        The 0-10 likelihood-to-recommend column.
    detractor_max : int, default=6
        Highest score that counts as a detractor.
    criteria : mapping, optional
        Contact feature -> minimum count that makes the experience bad; a respondent
        is listed when any criterion is met. Default ``{"long_waits": 1,
        "repeat_contacts": 1, "escalations": 1}``.
    key, customer_key : str, default="respondent_key", "customer_key"
        Pseudonymous keys; only these identify a person in the output, and the user's
        own systems re-identify them.
    date : str or None, default="survey_date"
        Survey-date column, kept in the output and used by ``recent_days``.
    recent_days : int, optional
        Keep only respondents surveyed within this many days of the latest survey date.

    Returns
    -------
    pandas.DataFrame
        One row per listed respondent: ``key``, ``customer_key``, ``date``, ``nps``,
        the criteria columns, ``reasons`` (text) and ``n_reasons``; sorted by
        ``n_reasons`` (most first), then score (lowest first).

    Examples
    --------
    >>> s = pd.DataFrame({"respondent_key": ["r_a", "r_b", "r_c"],
    ...                   "customer_key": ["c_a", "c_b", "c_c"], "nps": [3, 9, 5]})
    >>> f = pd.DataFrame({"respondent_key": ["r_a", "r_b", "r_c"], "long_waits": [1, 2, 0],
    ...                   "repeat_contacts": [1, 1, 0], "escalations": [0, 0, 0]})
    >>> follow_up_list(s, f, date=None)[["respondent_key", "reasons"]]
      respondent_key                               reasons
    0            r_a  long wait, repeat contact (not resolved)
    """
    caller = "follow_up_list"
    check_frame(survey, caller, "survey")
    check_frame(features, caller, "features")
    criteria = dict(FOLLOW_UP_CRITERIA if criteria is None else criteria)
    if not criteria or not all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0
                               for v in criteria.values()):
        raise param_error("criteria", caller,
                           "be a non-empty mapping of feature column to a positive minimum",
                           criteria)
    check_int(detractor_max, "detractor_max", caller, low=0, high=9, must="an int from 0 to 9")
    if recent_days is not None:
        check_int(recent_days, "recent_days", caller, low=0)
        if date is None:
            raise param_error("date", caller, "be a column when 'recent_days' is given", date)
    keep = [key, customer_key, *([date] if date else []), nps]
    check_columns(survey, keep, caller, "survey")
    check_columns(features, [key, *criteria], caller, "criteria")
    if features[key].duplicated().any():
        raise ValueError(f"The 'features' parameter of {caller} has duplicate {key!r} values.")
    s = survey[keep]
    score = pd.to_numeric(s[nps], errors="coerce")
    s = s[score.notna() & (score <= detractor_max)]
    if recent_days is not None:
        d = pd.to_datetime(s[date])
        s = s[d >= pd.to_datetime(survey[date]).max() - pd.Timedelta(days=recent_days)]
    merged = s.merge(features[[key, *criteria]], on=key, how="inner")
    hits = pd.DataFrame({c: merged[c].fillna(0) >= m for c, m in criteria.items()})
    merged = merged[hits.any(axis=1)].copy()
    hits = hits.loc[merged.index]
    merged["reasons"] = [", ".join(_REASONS.get(c, c) for c in hits.columns if row[c])
                         for _, row in hits.iterrows()]
    merged["n_reasons"] = hits.sum(axis=1).astype(int)
    merged = merged.sort_values(["n_reasons", nps], ascending=[False, True], kind="stable")
    return merged.reset_index(drop=True)


def follow_up_counts(follow_up: pd.DataFrame, *, min_n: int = 10) -> pd.DataFrame:
    """Counts for a published report: how many detractors to follow up, and why.

    Parameters
    ----------
    follow_up : pandas.DataFrame
        Output of :func:`follow_up_list`.
    min_n : int, default=10
        Counts from 1 to ``min_n - 1`` are suppressed (shown as missing, ``<NA>``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``reason`` (``"any"`` first, then each reason): ``respondents`` and
        ``suppressed``. Never the keys.

    Examples
    --------
    >>> fu = pd.DataFrame({"respondent_key": [f"r_{i}" for i in range(12)],
    ...                    "reasons": ["long wait"] * 11 + ["escalated"]})
    >>> follow_up_counts(fu)
               respondents  suppressed
    reason
    any                 12       False
    long wait           11       False
    escalated         <NA>        True
    """
    caller = "follow_up_counts"
    check_frame(follow_up, caller, "follow_up")
    check_columns(follow_up, ["reasons"], caller, "follow_up")
    check_int(min_n, "min_n", caller, low=1)
    per = follow_up["reasons"].str.split(", ").explode().value_counts(sort=True)
    counts = pd.concat([pd.Series({"any": len(follow_up)}), per]).astype("Int64")
    small = (counts > 0) & (counts < min_n)
    out = pd.DataFrame({"respondents": counts.mask(small), "suppressed": small.astype(bool)})
    out.index.name = "reason"
    return out


def write_follow_up(follow_up: pd.DataFrame, path, *, key: str = "respondent_key") -> Path:
    """Write the follow-up list atomically to a Parquet file under ``data/processed/``.

    Parameters
    ----------
    follow_up : pandas.DataFrame
        Output of :func:`follow_up_list`.
    path : str or pathlib.Path
        Target file, e.g. ``data/processed/<study>/follow_up.parquet``; it must lie in a
        folder named ``processed`` (never ``raw`` data or a published report).
    key : str, default="respondent_key"
        The pseudonymous key that must be present.

    Returns
    -------
    pathlib.Path
        The path written. The file is written to a temporary name in the same folder
        and renamed, so a reader never sees half a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp()) / "processed" / "demo"
    >>> fu = pd.DataFrame({"respondent_key": ["r_1"], "reasons": ["long wait"]})
    >>> write_follow_up(fu, d / "follow_up.parquet").name
    'follow_up.parquet'
    """
    caller = "write_follow_up"
    check_frame(follow_up, caller, "follow_up")
    check_columns(follow_up, [key], caller, "key")
    path = Path(path)
    if "processed" not in path.parent.parts:
        raise param_error("path", caller, "be a file inside a 'processed' data folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        follow_up.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
