"""KPMG Nunwood's Six Pillars of customer experience: pillar scores, reliability and importance.

The Six Pillars (KPMG Nunwood, *Customer Experience Excellence*, yearly since 2010) are
the qualities of the experiences that, in their analyses, drive loyalty and advocacy:
**personalisation** (individual attention, an emotional connection), **integrity**
(being trustworthy), **expectations** (managing, meeting and exceeding them),
**resolution** (turning a poor experience into a great one), **time & effort**
(minimising effort, removing obstacles) and **empathy** (understanding the customer's
circumstances).

A study declares them in its codebook (``codebook.pillars``: items per pillar, one
response range). This module scores each pillar as the mean of its items
(:func:`pillar_scores`), reports the scores with their reliability (Cronbach's alpha with
Feldt intervals, McDonald's omega with bootstrap intervals: :func:`pillar_reliability`),
splits the explained variance of NPS and of loyalty over the pillars with the study's
driver-importance method (:func:`pillar_importance`, through
:func:`cxlab.levers.driver_importance`), maps importance against performance on 0–100
(:func:`pillar_ipma`, through :func:`cxlab.levers.ipma_result`) and writes the results in
words (:func:`describe`, :func:`describe_ipma`).
Importance is association in the data at hand, not a proven cause.

Examples
--------
>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(3)
>>> z = rng.normal(size=(300, 2))
>>> df = pd.DataFrame({f"i{k}": np.clip(np.rint(4 + 1.2 * (z[:, 0] + 0.6 * rng.normal(size=300))), 1, 7)
...                    for k in (1, 2, 3)})
>>> df = df.assign(**{f"e{k}": np.clip(np.rint(4 + 1.2 * (z[:, 1] + 0.6 * rng.normal(size=300))), 1, 7)
...                   for k in (1, 2, 3)})
>>> df["nps"] = np.clip(np.rint(5 + 2 * z[:, 0] + 0.5 * z[:, 1] + rng.normal(size=300)), 0, 10)
>>> imp = pillar_importance(df, {"integrity": ["i1", "i2", "i3"], "empathy": ["e1", "e2", "e3"]},
...                         {"nps": "nps"})
>>> imp.loc["nps", "rank"].to_dict()
{'integrity': 1, 'empathy': 2}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._text import and_join, md, number
from ._validation import check_ci, check_frame, check_int, param_error

__all__ = ["PILLARS", "PILLAR_LABELS", "pillar_scores", "pillar_reliability", "pillar_importance", "pillar_ipma",
           "outcome_scores", "study_outcomes", "outcome_ranges", "describe", "describe_ipma"]

#: The six pillars, as codebook keys, in KPMG Nunwood's order.
PILLARS = ("personalisation", "integrity", "expectations", "resolution", "time_and_effort", "empathy")
#: Display label of each pillar.
PILLAR_LABELS = {"personalisation": "Personalisation", "integrity": "Integrity", "expectations": "Expectations",
                 "resolution": "Resolution", "time_and_effort": "Time & effort", "empathy": "Empathy"}


def _check_pillars(data: pd.DataFrame, pillars, caller: str) -> dict[str, list[str]]:
    """``pillars`` as ``{pillar: [columns]}``: known names, at least one item each, numeric columns in ``data``."""
    check_frame(data, caller)
    if not isinstance(pillars, Mapping) or not pillars:
        raise param_error("pillars", caller, f"map pillar names ({', '.join(PILLARS)}) to item columns", pillars)
    out = {}
    for name, items in pillars.items():
        if name not in PILLARS:
            raise param_error("pillars", caller, f"name only the six pillars ({', '.join(PILLARS)})", name,
                              got=f"unknown pillar {name!r}", instead=False)
        items = [items] if isinstance(items, str) else list(items)
        if not items:
            raise param_error("pillars", caller, "give each pillar at least one item column", pillars,
                              got=f"no items for {name!r}", instead=False)
        missing = [c for c in items if c not in data.columns]
        if missing:
            raise param_error("pillars", caller, "name columns of data", missing,
                              got=f"{missing} (pillar {name!r}) not in data", instead=False)
        text = [c for c in items if not pd.api.types.is_numeric_dtype(data[c])]
        if text:
            raise param_error("pillars", caller, "name numeric columns", text,
                              got=f"non-numeric {text} (pillar {name!r})", instead=False)
        out[name] = items
    return out


def pillar_scores(data: pd.DataFrame, pillars: Mapping[str, Sequence[str]], *,
                  min_share: float = 0.5) -> pd.DataFrame:
    """Each respondent's score on each pillar: the mean of the pillar's items they answered.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the item columns.
    pillars : mapping
        Pillar name (one of :data:`PILLARS`) -> its item columns.
    min_share : float, default=0.5
        A score needs answers to at least this share of the pillar's items, else it is missing.

    Returns
    -------
    DataFrame
        One column per pillar, same index as ``data``.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [5, 6, None], "b": [7, None, None]})
    >>> pillar_scores(df, {"integrity": ["a", "b"]})["integrity"].tolist()
    [6.0, 6.0, nan]
    """
    from .quality import scale_scores

    return scale_scores(data, _check_pillars(data, pillars, "pillar_scores"), min_share=min_share)


def pillar_reliability(data: pd.DataFrame, pillars: Mapping[str, Sequence[str]], *, ci: float = 0.95,
                       n_boot: int = 0, seed: int | None = None) -> pd.DataFrame:
    """Pillar scores with their reliability: mean, SD, Cronbach's alpha and McDonald's omega.

    Parameters
    ----------
    data : DataFrame
        Item responses (reverse-keyed items already recoded).
    pillars : mapping
        Pillar name -> its item columns.
    ci : float, default=0.95
        Confidence level of every interval.
    n_boot : int, default=0
        Bootstrap resamples for omega's percentile interval (0: no interval).
    seed : int, optional
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        Indexed by ``pillar``: ``n_items``, ``n`` (respondents with a score), ``mean`` and
        ``ci_lower`` / ``ci_upper`` (t interval of the mean score), ``std``, ``alpha`` with
        ``alpha_ci_lower`` / ``alpha_ci_upper`` (Feldt, listwise), ``omega_total`` with
        ``omega_ci_lower`` / ``omega_ci_upper`` (one factor; pillars of three or more items,
        else missing). Alpha and omega are :func:`cxlab.reliability.scale_reliability` and
        :func:`cxlab.reliability.omega_table`; a one-item pillar has no reliability (missing).

    Examples
    --------
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 3], "q2": [2, 2, 3, 5, 4, 3], "q3": [1, 2, 3, 4, 5, 3]})
    >>> pillar_reliability(df, {"integrity": ["q1", "q2", "q3"]})[["n_items", "mean", "alpha"]].round(3)
              n_items  mean  alpha
    pillar
    integrity        3   3.0  0.962
    """
    from scipy import stats

    from .reliability import omega_table, scale_reliability

    caller = "pillar_reliability"
    pillars = _check_pillars(data, pillars, caller)
    check_ci(ci, caller)
    check_int(n_boot, "n_boot", caller, low=0)
    scores = pillar_scores(data, pillars)
    multi = {k: v for k, v in pillars.items() if len(v) >= 2}
    alpha = scale_reliability(data, multi, ci=ci) if multi else pd.DataFrame()
    omega = omega_table(data, multi, n_boot=n_boot, seed=seed, ci=ci) if multi else pd.DataFrame()
    rows = []
    for name, items in pillars.items():
        s = scores[name].dropna().to_numpy(float)
        n = len(s)
        mean, sd = (float(s.mean()) if n else np.nan), (float(s.std(ddof=1)) if n > 1 else np.nan)
        half = stats.t.ppf(0.5 + ci / 2, n - 1) * sd / np.sqrt(n) if n > 1 else np.nan
        a = alpha.loc[name] if name in alpha.index else None
        o = omega.loc[name] if name in omega.index else None
        rows.append({"pillar": name, "n_items": len(items), "n": n, "mean": mean, "ci_lower": mean - half,
                     "ci_upper": mean + half, "std": sd,
                     "alpha": np.nan if a is None else a["alpha"],
                     "alpha_ci_lower": np.nan if a is None else a["ci_lower"],
                     "alpha_ci_upper": np.nan if a is None else a["ci_upper"],
                     "omega_total": np.nan if o is None else o["omega_total"],
                     "omega_ci_lower": np.nan if o is None else o["ci_lower"],
                     "omega_ci_upper": np.nan if o is None else o["ci_upper"]})
    return pd.DataFrame(rows).set_index("pillar")


def pillar_importance(data: pd.DataFrame, pillars: Mapping[str, Sequence[str]],
                      outcomes: Mapping[str, str | Sequence[str]], *, method: str = "shapley",
                      n_boot: int = 0, seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Importance of each pillar for each outcome (NPS, loyalty), from :func:`cxlab.levers.driver_importance`.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the pillar items and the outcome columns.
    pillars : mapping
        Pillar name -> its item columns (at least two pillars).
    outcomes : mapping
        Outcome name -> its column (e.g. the 0-10 likelihood to recommend) or its item
        columns (scored as their mean, at least half answered; e.g. intention to stay).
    method : {"shapley", "relative_weights"}, default="shapley"
        Passed to :func:`cxlab.levers.driver_importance`.
    n_boot, seed, ci
        Bootstrap resamples, seed and confidence level of the importance intervals.

    Returns
    -------
    DataFrame
        Indexed by (``outcome``, ``pillar``) with ``importance`` (share of the outcome's R²
        in R² units), ``share`` (of R², sums to 1 per outcome), ``rank`` (1 = most
        important), ``ci_lower`` / ``ci_upper`` (bootstrap percentile interval of the
        importance, with ``n_boot > 0``), ``r2`` (the outcome's R² on all pillars) and
        ``n`` (respondents with every pillar score and the outcome). Respondents missing
        any of them are left out (listwise), per outcome.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 8, size=(200, 4)), columns=["i1", "i2", "r1", "r2"])
    >>> df["stay"] = df.i1 + df.i2 + rng.integers(0, 3, 200)
    >>> imp = pillar_importance(df, {"integrity": ["i1", "i2"], "resolution": ["r1", "r2"]}, {"stay": "stay"})
    >>> imp[["rank", "n"]]
                        rank    n
    outcome pillar
    stay    integrity      1  200
            resolution     2  200
    """
    import warnings

    from .levers import driver_importance

    caller = "pillar_importance"
    pillars = _check_pillars(data, pillars, caller)
    if len(pillars) < 2:
        raise param_error("pillars", caller, "hold at least two pillars to compare", list(pillars))
    frame = pillar_scores(data, pillars)
    tables = []
    for name, y in outcome_scores(data, outcomes, caller=caller).items():
        work = frame.assign(**{"__outcome__": y}).dropna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # listwise deletion: n is reported in the table
            imp = driver_importance(work, "__outcome__", list(pillars), method=method, n_boot=n_boot,
                                    seed=seed, ci=ci)
        keep = [c for c in ("importance", "share", "rank", "ci_lower", "ci_upper") if c in imp.columns]
        t = imp[keep].copy()
        t["r2"] = float(imp["importance"].sum())
        t["n"] = len(work)
        t.index = pd.MultiIndex.from_product([[name], list(pillars)], names=["outcome", "pillar"])
        tables.append(t)
    return pd.concat(tables)


def outcome_scores(data: pd.DataFrame, outcomes: Mapping[str, str | Sequence[str]], *,
                   caller: str = "outcome_scores") -> dict[str, pd.Series]:
    """Each outcome's score per respondent: its column, or the mean of its items (at least half answered).

    Parameters
    ----------
    data : DataFrame
    outcomes : mapping
        Outcome name -> its column or its item columns (e.g. :func:`study_outcomes`).
    caller : str, default="outcome_scores"
        The function named in error messages.

    Returns
    -------
    dict
        Outcome name -> Series (same index as ``data``).

    Examples
    --------
    >>> df = pd.DataFrame({"s1": [5, 7, None], "s2": [6, 5, None], "nps": [9, 3, 8]})
    >>> {k: v.tolist() for k, v in outcome_scores(df, {"stay": ["s1", "s2"], "nps": "nps"}).items()}
    {'stay': [5.5, 6.0, nan], 'nps': [9.0, 3.0, 8.0]}
    """
    from .quality import scale_scores

    check_frame(data, caller)
    if not isinstance(outcomes, Mapping) or not outcomes:
        raise param_error("outcomes", caller, "map outcome names to a column or item columns", outcomes)
    out = {}
    for name, cols in outcomes.items():
        cols = [cols] if isinstance(cols, str) else list(cols)
        missing = [c for c in cols if c not in data.columns]
        if not cols or missing:
            raise param_error("outcomes", caller, "name columns of data", cols,
                              got=f"{missing or cols} (outcome {name!r}) not in data", instead=False)
        text = [c for c in cols if not pd.api.types.is_numeric_dtype(data[c])]
        if text:
            raise param_error("outcomes", caller, "name numeric columns", text,
                              got=f"non-numeric {text} (outcome {name!r})", instead=False)
        out[name] = scale_scores(data, {name: cols})[name].astype(float)
    return out


def pillar_ipma(data: pd.DataFrame, pillars: Mapping[str, Sequence[str]],
                outcomes: Mapping[str, str | Sequence[str]], *, pillar_range, outcome_ranges: Mapping,
                n_boot: int = 0, seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Importance-performance map of the pillars for each outcome (Ringle & Sarstedt 2016), on 0–100.

    Pillar scores and outcome are rescaled to 0–100 with their scales' ranges,
    ``100 · (x − min) / (max − min)`` (:func:`cxlab.levers.rescale_performance`).
    **Performance** is a pillar's mean rescaled score; **importance** its total effect on
    the rescaled outcome: the OLS coefficient of the outcome on all six rescaled pillars
    (:func:`cxlab.levers.ipma_result`), i.e. the outcome points (of 100) gained per point
    the pillar gains. Quadrants split at the means over the pillars: *concentrate here* is
    above-average importance with below-average performance, the pillars to fix first.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with the pillar items and the outcome columns.
    pillars : mapping
        Pillar name -> its item columns (at least two pillars).
    outcomes : mapping
        Outcome name -> its column or item columns (:func:`outcome_scores`).
    pillar_range : (min, max)
        The pillar items' response range (``codebook.pillars["range"]``).
    outcome_ranges : mapping
        Outcome name -> its (min, max) (:func:`outcome_ranges`).
    n_boot : int, default=0
        Bootstrap resamples (respondents drawn with replacement) for percentile intervals
        of the importance; 0 for none.
    seed : int, optional
        Seed of the bootstrap.
    ci : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        Indexed by (``outcome``, ``pillar``), per outcome in the order of importance:
        ``importance`` (total effect, 0–100 per 0–100), ``importance_ci_lower`` /
        ``importance_ci_upper`` (bootstrap percentile, with ``n_boot > 0``),
        ``performance`` (0–100) with ``performance_ci_lower`` / ``performance_ci_upper``
        (t interval of the mean), ``quadrant`` (:func:`cxlab.levers.importance_performance`),
        ``potential`` (importance × (100 − performance): outcome points gained were the
        pillar raised to 100), ``importance_cut`` and ``performance_cut`` (the quadrant
        split points), ``outcome_performance`` (the mean rescaled outcome) and ``n``
        (respondents with every pillar score and the outcome: listwise, per outcome).

    References
    ----------
    .. [1] Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results: the
       importance-performance map analysis. *Industrial Management & Data Systems*, 116(9), 1865-1886.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame(rng.integers(1, 8, size=(300, 4)), columns=["i1", "i2", "r1", "r2"])
    >>> df["stay"] = (df.i1 + df.i2) / 2 + 0.3 * df.r1 + rng.integers(-1, 2, 300)
    >>> m = pillar_ipma(df, {"integrity": ["i1", "i2"], "resolution": ["r1", "r2"]}, {"stay": "stay"},
    ...                 pillar_range=(1, 7), outcome_ranges={"stay": (0, 10)})
    >>> m[["importance", "performance", "quadrant"]].round(2)
                        importance  performance               quadrant
    outcome pillar
    stay    integrity         0.62        53.69  keep up the good work
            resolution        0.18        49.11           low priority
    """
    from scipy import stats

    from .levers import ipma_result

    caller = "pillar_ipma"
    pillars = _check_pillars(data, pillars, caller)
    if len(pillars) < 2:
        raise param_error("pillars", caller, "hold at least two pillars to compare", list(pillars))
    check_ci(ci, caller)
    check_int(n_boot, "n_boot", caller, low=0)
    ys = outcome_scores(data, outcomes, caller=caller)
    if not isinstance(outcome_ranges, Mapping) or set(ys) - set(outcome_ranges):
        raise param_error("outcome_ranges", caller, "give a (min, max) for every outcome", outcome_ranges,
                          got=f"none for {sorted(set(ys) - set(outcome_ranges or {}))}", instead=False)
    names = list(pillars)
    frame = pillar_scores(data, pillars)
    tables = []
    for name, y in ys.items():
        work = frame.assign(__outcome__=y).dropna()
        ranges = {"__outcome__": outcome_ranges[name], **{p: pillar_range for p in names}}
        res = ipma_result(work, "__outcome__", names, ranges=ranges)
        t = res.table.reindex(names)
        lo, hi = (float(v) for v in pillar_range)
        perf = (work[names].to_numpy(float) - lo) / (hi - lo) * 100
        n = len(work)
        half = stats.t.ppf(0.5 + ci / 2, n - 1) * perf.std(axis=0, ddof=1) / np.sqrt(n)
        t["performance_ci_lower"], t["performance_ci_upper"] = t["performance"] - half, t["performance"] + half
        if n_boot:
            olo, ohi = (float(v) for v in outcome_ranges[name])
            x = np.column_stack([np.ones(n), perf])
            yy = (work["__outcome__"].to_numpy(float) - olo) / (ohi - olo) * 100
            rng = np.random.default_rng(np.random.SeedSequence(seed))
            draws = np.empty((n_boot, len(names)))
            for b in range(n_boot):
                i = rng.integers(0, n, n)
                draws[b] = np.linalg.lstsq(x[i], yy[i], rcond=None)[0][1:]
            t["importance_ci_lower"] = np.quantile(draws, (1 - ci) / 2, axis=0)
            t["importance_ci_upper"] = np.quantile(draws, (1 + ci) / 2, axis=0)
        t["potential"] = t["importance"] * (100 - t["performance"])
        t["importance_cut"], t["performance_cut"] = res.importance_cut, res.performance_cut
        t["outcome_performance"], t["n"] = res.outcome_performance, res.n
        t = t.sort_values("importance", ascending=False)
        t.index = pd.MultiIndex.from_product([[name], list(t.index)], names=["outcome", "pillar"])
        tables.append(t)
    cols = ["importance", "importance_ci_lower", "importance_ci_upper", "performance", "performance_ci_lower",
            "performance_ci_upper", "quadrant", "potential", "importance_cut", "performance_cut",
            "outcome_performance", "n"]
    out = pd.concat(tables)
    return out[[c for c in cols if c in out.columns]]


def outcome_ranges(codebook, outcomes: Mapping[str, Sequence[str]]) -> dict[str, tuple[float, float]]:
    """The response range of each outcome of :func:`study_outcomes`: its scale's or item's, 0–10 for NPS.

    Examples
    --------
    >>> from cxlab.study import load_study, demo_study_path
    >>> cb = load_study(demo_study_path()).codebook
    >>> outcome_ranges(cb, study_outcomes(cb, "intention_to_stay"))
    {'nps': (0, 10), 'intention_to_stay': (1, 7)}
    """
    nps = codebook.metrics.get("nps")
    out = {}
    for name, cols in outcomes.items():
        if list(cols) == [nps] and name not in codebook.single_items:
            out[name] = (0, 10)  # the likelihood to recommend, by definition
        else:
            out[name] = tuple(codebook.score_ranges([name])[name])
    return out


def study_outcomes(codebook, loyalty: str | None = None, *, outcome: str | None = None) -> dict[str, list[str]]:
    """The outcomes a study's pillars are weighed for: its NPS item and its loyalty outcome.

    Parameters
    ----------
    codebook : cxlab.study.Codebook
    loyalty : str, optional
        The study's ``loyalty`` parameter (a scale or single item).
    outcome : str, optional
        The study's ``outcome`` parameter, put first when given (e.g. satisfaction, the
        counterpart of customer sacrifice).

    Returns
    -------
    dict
        ``{name: [columns]}``: the ``outcome``'s item columns when given, the NPS item of
        ``codebook.metrics`` (named as its single item when it is one) and the loyalty
        outcome's item columns.

    Examples
    --------
    >>> from cxlab.study import load_study, demo_study_path
    >>> study = load_study(demo_study_path())
    >>> study_outcomes(study.codebook, study.parameters["loyalty"])
    {'nps': ['nps'], 'intention_to_stay': ['stay1', 'stay2', 'stay3']}
    """
    own = codebook.columns_of(outcome) if outcome else []
    out = {outcome: list(own)} if own else {}
    nps = codebook.metrics.get("nps")
    if nps:
        name = next((n for n, s in codebook.single_items.items() if s["column"] == nps), nps)
        out[name] = [nps]
    if loyalty:
        out[loyalty] = codebook.columns_of(loyalty)
    return out


def _label(name, labels) -> str:
    shown = labels(name) if labels is not None else None
    return md(shown if shown and shown != name else PILLAR_LABELS.get(name, str(name).replace("_", " ")))




def describe(*, reliability: pd.DataFrame | None = None, importance: pd.DataFrame | None = None,
             labels=None) -> str:
    """A plain-words conclusion on the Six Pillars, written from the results given.

    Parameters
    ----------
    reliability : DataFrame, optional
        :func:`pillar_reliability`.
    importance : DataFrame, optional
        :func:`pillar_importance` (with or without bootstrap intervals).
    labels : callable, optional
        Display label of a pillar or outcome name (e.g. ``Codebook.label``).

    Returns
    -------
    str
        One Markdown paragraph per result given.

    Examples
    --------
    >>> rel = pd.DataFrame({"mean": [5.1, 4.2], "ci_lower": [5.0, 4.1], "ci_upper": [5.2, 4.3],
    ...                     "alpha": [0.84, 0.66]}, index=pd.Index(["integrity", "time_and_effort"], name="pillar"))
    >>> print(describe(reliability=rel))
    **Pillar scores.** Customers rate Integrity highest (5.10) and Time &amp; effort lowest (4.20). Reliability (Cronbach's alpha) ranges from 0.66 to 0.84; below the usual 0.70: Time &amp; effort.
    """
    if reliability is None and importance is None:
        raise ValueError("The parameters of describe must include at least one result "
                         "(reliability or importance). Got none instead.")
    out = []
    if reliability is not None:
        r = reliability.sort_values("mean", ascending=False)
        text = (f"**Pillar scores.** Customers rate {_label(r.index[0], labels)} highest ({number(r['mean'].iloc[0])}) "
                f"and {_label(r.index[-1], labels)} lowest ({number(r['mean'].iloc[-1])})")
        if len(r) > 2 and r["ci_upper"].iloc[-1] < r["ci_lower"].iloc[-2]:
            text += ", clearly below the others (confidence intervals apart)"
        text += "."
        a = reliability["alpha"].dropna()
        if len(a):
            text += (f" Reliability (Cronbach's alpha) ranges from {number(a.min())} to {number(a.max())}"
                     if len(a) > 1 else f" Reliability (Cronbach's alpha) is {number(a.iloc[0])}")
            weak = [_label(k, labels) for k in a[a < 0.7].index]
            text += f"; below the usual 0.70: {and_join(weak)}." if weak else ", all at least the usual 0.70."
        out.append(text)
    if importance is not None:
        for outcome, t in importance.groupby(level="outcome", sort=False):
            t = t.droplevel("outcome").sort_values("importance", ascending=False)
            first, second = t.index[0], t.index[1]
            text = (f"**Pillars behind {_label(outcome, labels)}.** Together the pillars explain "
                    f"{t['r2'].iloc[0]:.0%} of its variance (n = {int(t['n'].iloc[0]):,}). "
                    f"{_label(first, labels)} weighs most ({t['share'].iloc[0]:.0%} of the explained variance), "
                    f"then {_label(second, labels)} ({t['share'].iloc[1]:.0%})")
            if {"ci_lower", "ci_upper"} <= set(t.columns):
                apart = t.loc[first, "ci_lower"] > t.loc[second, "ci_upper"]
                text += ("; the bootstrap intervals of the first two do not overlap, so the lead is clear" if apart
                         else "; their bootstrap intervals overlap, so their order is uncertain")
            text += f". {_label(t.index[-1], labels)} weighs least ({t['share'].iloc[-1]:.0%})."
            out.append(text)
    return "\n\n".join(out)


def describe_ipma(table: pd.DataFrame, *, labels=None) -> str:
    """Which pillars to fix first, per outcome, from :func:`pillar_ipma`: high importance, low performance.

    Per outcome one paragraph: the pillars in the *concentrate here* quadrant (importance
    above the mean over the pillars, performance at or below it) by their potential, with
    their numbers, whether the bootstrap interval of the first one's importance stays above
    the mean, the pillars to keep up and the one with the least weight.

    Parameters
    ----------
    table : DataFrame
        :func:`pillar_ipma`.
    labels : callable, optional
        Display label of a pillar or outcome name (e.g. ``Codebook.label``).

    Returns
    -------
    str
        Markdown, one paragraph per outcome.

    Examples
    --------
    >>> t = pd.DataFrame({"importance": [0.37, 0.21, 0.05], "performance": [70.5, 60.5, 56.5],
    ...                   "quadrant": ["keep up the good work", "concentrate here", "low priority"],
    ...                   "potential": [10.9, 8.3, 2.2], "importance_cut": 0.2, "performance_cut": 62.5,
    ...                   "outcome_performance": 78.2, "n": 1980},
    ...                  index=pd.MultiIndex.from_product([["nps"], ["integrity", "personalisation", "empathy"]],
    ...                                                   names=["outcome", "pillar"]))
    >>> print(describe_ipma(t))  # doctest: +NORMALIZE_WHITESPACE
    **Fix first for nps: Personalisation.** It weighs more than the average pillar (0.21 points of nps on 0–100 per point of the pillar, against a mean of 0.20) and performs below the average (60.5 of 100, against 62.5); raised to 100 it would add about 8.3 points. Keep up the good work on Integrity (performance 70.5). Empathy weighs least (0.05).
    """
    need = {"importance", "performance", "quadrant", "potential", "importance_cut", "performance_cut"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise param_error("table", "describe_ipma", "be the result of pillar_ipma", table,
                          got=type(table).__name__, instead=True)
    out = []
    for outcome, t in table.groupby(level="outcome", sort=False):
        t = t.droplevel("outcome")
        o = _label(outcome, labels)
        cut_i, cut_p = float(t["importance_cut"].iloc[0]), float(t["performance_cut"].iloc[0])
        fix = t[t["quadrant"] == "concentrate here"].sort_values("potential", ascending=False)
        if len(fix):
            first = fix.iloc[0]
            text = (f"**Fix first for {o}: {and_join([_label(k, labels) for k in fix.index])}.** "
                    f"{'It weighs' if len(fix) == 1 else f'{_label(fix.index[0], labels)} weighs'} more than the "
                    f"average pillar ({number(first['importance'])} points of {o} on 0–100 per point of the pillar, "
                    f"against a mean of {number(cut_i)}) and performs below the average "
                    f"({number(first['performance'], 1)} of 100, against {number(cut_p, 1)}); raised to 100 it would "
                    f"add about {number(first['potential'], 1)} points.")
            if "importance_ci_lower" in t.columns and first["importance_ci_lower"] <= cut_i:
                text += (" Its importance interval reaches below the average "
                         f"({number(first['importance_ci_lower'])} to {number(first['importance_ci_upper'])}), "
                         "so this call is uncertain.")
        else:
            best = t.sort_values("potential", ascending=False)
            text = (f"**Six Pillars for {o}.** No pillar both weighs more than average and performs below "
                    f"average; the largest improvement potential is {_label(best.index[0], labels)} (about "
                    f"{number(best['potential'].iloc[0], 1)} points of {o} were it raised to 100).")
        keep = t[t["quadrant"] == "keep up the good work"]
        if len(keep):
            text += (f" Keep up the good work on {and_join([_label(k, labels) for k in keep.index])} (performance "
                     + ", ".join(number(v, 1) for v in keep["performance"]) + ").")
        least = t["importance"].idxmin()
        text += f" {_label(least, labels)} weighs least ({number(t.loc[least, 'importance'])})."
        out.append(text)
    return "\n\n".join(out)
