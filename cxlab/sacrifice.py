"""Customer sacrifice (Pine & Gilmore): what customers want exactly minus what they settle for.

Pine & Gilmore (1999, *The Experience Economy*; Pine 1993, *Mass Customization*) set
**customer sacrifice** beside customer satisfaction: satisfaction is the gap between what
customers expect and what they perceive they get; sacrifice is the gap between what a
customer *wants exactly* and what they *settle for*. A company that customises
removes sacrifice rather than managing expectations.

A study measures it per attribute of the service (opening hours, response time, ...) with
two items on one response scale: the level that would be exactly right for the customer
(``wanted``) and the level they get and accept now (``settled``), both from the same
respondent. The sacrifice of a respondent on an attribute is ``wanted − settled``;
positive where they settle for less than they want. :func:`sacrifice_gaps` gives its
mean per attribute with a paired t interval (the interval of the mean of the
within-respondent differences; scipy's ``ttest_rel`` gives the same) and the share of
respondents who sacrifice at all; :func:`describe` writes it in words.
:func:`sacrifice_relations` asks how much each respondent's sacrifice goes with their
outcomes (satisfaction, NPS, loyalty): Pearson correlations with Fisher-z intervals and
Holm-adjusted p-values, and the study's driver-importance method over the gaps;
:func:`describe_relations` writes that in words.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"hours_w": [7, 6, 7, 6], "hours_s": [5, 5, 6, 4]})
>>> sacrifice_gaps(df, {"opening_hours": {"wanted": "hours_w", "settled": "hours_s"}})[
...     ["wanted", "settled", "sacrifice", "share_sacrificing"]]
               wanted  settled  sacrifice  share_sacrificing
attribute
opening_hours     6.5      5.0        1.5                1.0
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._text import and_join, md, number
from ._validation import check_ci, check_frame, param_error

__all__ = ["SIDES", "sacrifice_gaps", "paired_interval", "respondent_gaps", "correlation_interval",
           "sacrifice_relations", "describe", "describe_relations"]

#: The two items of an attribute: what the customer wants exactly, what they settle for.
SIDES = ("wanted", "settled")


def paired_interval(wanted, settled, *, ci: float = 0.95) -> tuple[float, float, float, float, int]:
    """Mean of the paired differences ``wanted − settled`` with its t interval (pairs with both answers).

    The textbook interval d̄ ± t(1 − α/2; n − 1) · s_d / √n of the mean difference.

    Returns
    -------
    tuple
        ``(mean, se, ci_lower, ci_upper, n)``; NaN statistics with fewer than two pairs.

    Examples
    --------
    >>> m, se, lo, hi, n = paired_interval([7, 6, 7, 6], [5, 5, 6, 4])
    >>> round(m, 2), round(lo, 3), round(hi, 3), n
    (1.5, 0.581, 2.419, 4)
    """
    check_ci(ci, "paired_interval")
    w, s = np.asarray(wanted, dtype=float), np.asarray(settled, dtype=float)
    both = ~(np.isnan(w) | np.isnan(s))
    d = w[both] - s[both]
    n = len(d)
    if n < 2:
        return (float(d.mean()) if n else np.nan), np.nan, np.nan, np.nan, n
    mean, se = float(d.mean()), float(d.std(ddof=1) / np.sqrt(n))
    half = float(stats.t.ppf(0.5 + ci / 2, n - 1)) * se
    return mean, se, mean - half, mean + half, n


def _check_attributes(data: pd.DataFrame, attributes, caller: str) -> dict[str, dict[str, str]]:
    check_frame(data, caller)
    if not isinstance(attributes, Mapping) or not attributes:
        raise param_error("attributes", caller, "map each attribute to {'wanted': column, 'settled': column}",
                          attributes)
    out = {}
    for name, pair in attributes.items():
        if not isinstance(pair, Mapping) or any(not isinstance(pair.get(side), str) for side in SIDES):
            absent = [side for side in SIDES if not isinstance(pair, Mapping) or not isinstance(pair.get(side), str)]
            raise param_error("attributes", caller, "give each attribute a 'wanted' and a 'settled' column", pair,
                              got=f"attribute {name!r} without {' and '.join(absent)}", instead=False)
        for side in SIDES:
            col = pair[side]
            if col not in data.columns:
                raise param_error("attributes", caller, "name columns of data", col,
                                  got=f"{col!r} ({name}.{side}) not in data", instead=False)
            if not pd.api.types.is_numeric_dtype(data[col]):
                raise param_error("attributes", caller, "name numeric columns", col,
                                  got=f"non-numeric {col!r} ({name}.{side})", instead=False)
        out[name] = {side: pair[side] for side in SIDES}
    return out


def sacrifice_gaps(data: pd.DataFrame, attributes: Mapping[str, Mapping[str, str]], *,
                   ci: float = 0.95) -> pd.DataFrame:
    """Customer sacrifice per attribute: mean of ``wanted − settled`` with a paired t interval.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    attributes : mapping
        Attribute name -> ``{"wanted": column, "settled": column}`` (both on one scale).
    ci : float, default=0.95
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        Indexed by ``attribute``, in the order given: ``wanted`` and ``settled`` (means),
        ``sacrifice`` (mean of the paired differences), ``se``, ``ci_lower``, ``ci_upper``
        (t interval, :func:`paired_interval`), ``share_sacrificing`` (share of respondents
        whose wanted level is above the one they settle for) and ``n`` (respondents who
        answered both items).

    Notes
    -----
    Only respondents with both answers count, so ``wanted − settled`` of the means equals
    ``sacrifice``. The interval is the one-sample t interval of the differences, i.e. the
    paired t test's; it relies on the mean being near normal (large samples), not on the
    answers being normal.

    Examples
    --------
    >>> df = pd.DataFrame({"w": [7, 6, 7, 6, 5], "s": [5, 5, 6, 7, 5]})
    >>> sacrifice_gaps(df, {"hours": {"wanted": "w", "settled": "s"}})[["sacrifice", "ci_lower", "ci_upper", "n"]].round(3)
               sacrifice  ci_lower  ci_upper  n
    attribute
    hours            0.6    -0.816     2.016  5
    """
    caller = "sacrifice_gaps"
    attributes = _check_attributes(data, attributes, caller)
    check_ci(ci, caller)
    rows = []
    for name, pair in attributes.items():
        w, s = data[pair["wanted"]].astype(float), data[pair["settled"]].astype(float)
        both = w.notna() & s.notna()
        mean, se, lo, hi, n = paired_interval(w[both], s[both], ci=ci)
        rows.append({"attribute": name, "wanted": w[both].mean(), "settled": s[both].mean(), "sacrifice": mean,
                     "se": se, "ci_lower": lo, "ci_upper": hi,
                     "share_sacrificing": float((w[both] > s[both]).mean()) if n else np.nan, "n": n})
    return pd.DataFrame(rows).set_index("attribute")



def _namers(labels):
    """``(name, names)``: an attribute's display label (escaped), and a list of them in words."""
    def name(a) -> str:
        shown = labels(a) if labels is not None else None
        return md(shown if shown else str(a).replace("_", " "))

    return name, lambda items: and_join(name(i) for i in items)

def describe(gaps: pd.DataFrame, *, labels=None) -> str:
    """Say in plain words where customers settle, from :func:`sacrifice_gaps`.

    Parameters
    ----------
    gaps : DataFrame
        :func:`sacrifice_gaps`.
    labels : callable, optional
        Display label of an attribute name (e.g. ``Codebook.label``).

    Returns
    -------
    str
        One Markdown paragraph.

    Examples
    --------
    >>> gaps = pd.DataFrame({"sacrifice": [1.4, 0.1], "ci_lower": [1.3, -0.1], "ci_upper": [1.5, 0.3],
    ...                      "share_sacrificing": [0.71, 0.3]}, index=pd.Index(["hours", "price"], name="attribute"))
    >>> print(describe(gaps))
    **Customer sacrifice.** Customers settle for less than they want exactly on 1 of 2 attributes (confidence intervals above zero): hours (1.40 scale points; 71% of them settle). The largest sacrifice is hours; price shows no sacrifice beyond chance.
    """
    need = {"sacrifice", "ci_lower", "ci_upper", "share_sacrificing"}
    if not isinstance(gaps, pd.DataFrame) or not need <= set(gaps.columns):
        raise param_error("gaps", "describe", "be the result of sacrifice_gaps", gaps,
                          got=type(gaps).__name__, instead=True)

    name, names = _namers(labels)

    some = gaps[gaps["ci_lower"] > 0].sort_values("sacrifice", ascending=False)
    over = gaps[gaps["ci_upper"] < 0]
    rest = gaps.index.difference(some.index.union(over.index), sort=False)
    text = (f"**Customer sacrifice.** Customers settle for less than they want exactly on {len(some)} of "
            f"{len(gaps)} attributes (confidence intervals above zero)")
    text += (": " + "; ".join(f"{name(a)} ({number(r.sacrifice)} scale points; {r.share_sacrificing:.0%} of them "
                              "settle)" for a, r in some.iterrows()) + "." if len(some) else ".")
    parts = [f"the largest sacrifice is {name(some.index[0])}"] if len(some) else []
    if len(over):
        parts.append(f"on {names(over.index)} they get more than they want")
    if len(rest):
        parts.append(f"{names(rest)} show{'s' if len(rest) == 1 else ''} no sacrifice beyond chance")
    if parts:
        text += " " + parts[0][:1].upper() + parts[0][1:] + "".join("; " + p for p in parts[1:]) + "."
    return text


def respondent_gaps(data: pd.DataFrame, attributes: Mapping[str, Mapping[str, str]]) -> pd.DataFrame:
    """Each respondent's sacrifice per attribute, ``wanted − settled`` (missing unless both are answered).

    Examples
    --------
    >>> df = pd.DataFrame({"w": [7, 6, None], "s": [5, 6, 4]})
    >>> respondent_gaps(df, {"hours": {"wanted": "w", "settled": "s"}})["hours"].tolist()
    [2.0, 0.0, nan]
    """
    attributes = _check_attributes(data, attributes, "respondent_gaps")
    return pd.DataFrame({name: data[pair["wanted"]].astype(float) - data[pair["settled"]].astype(float)
                         for name, pair in attributes.items()}, index=data.index)


def correlation_interval(x, y, *, ci: float = 0.95) -> tuple[float, float, float, float, int]:
    """Pearson's r of the pairs with both values, its Fisher-z interval and its two-sided p-value.

    The textbook interval tanh(atanh(r) ± z(1 − α/2) / √(n − 3)) and the t test
    t = r √((n − 2) / (1 − r²)) on n − 2 degrees of freedom.

    Returns
    -------
    tuple
        ``(r, ci_lower, ci_upper, pvalue, n)``; NaN statistics with fewer than four pairs
        or a constant variable.

    Examples
    --------
    >>> r, lo, hi, p, n = correlation_interval([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> round(r, 3), round(lo, 3), round(hi, 3), round(p, 4), n
    (0.829, 0.052, 0.981, 0.0416, 6)
    """
    check_ci(ci, "correlation_interval")
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    both = ~(np.isnan(x) | np.isnan(y))
    x, y = x[both], y[both]
    n = len(x)
    if n < 4 or x.std() == 0 or y.std() == 0:
        return np.nan, np.nan, np.nan, np.nan, n
    r = float(np.clip(np.corrcoef(x, y)[0, 1], -1.0, 1.0))
    half = stats.norm.ppf(0.5 + ci / 2) / np.sqrt(n - 3)
    z = np.arctanh(r) if abs(r) < 1 else np.sign(r) * np.inf
    t = r * np.sqrt((n - 2) / max(1 - r * r, 1e-300))
    return r, float(np.tanh(z - half)), float(np.tanh(z + half)), float(2 * stats.t.sf(abs(t), n - 2)), n


def sacrifice_relations(data: pd.DataFrame, attributes: Mapping[str, Mapping[str, str]],
                        outcomes: Mapping[str, str | Sequence[str]], *, method: str = "shapley", n_boot: int = 0,
                        seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """How much each attribute's sacrifice goes with each outcome: correlations and driver importance.

    For every respondent the sacrifice on an attribute is ``wanted − settled``
    (:func:`respondent_gaps`). Per outcome (a column, or item columns scored as their mean:
    :func:`cxlab.pillars.outcome_scores`) and attribute: Pearson's r with its Fisher-z interval
    (:func:`correlation_interval`, respondents with both), p-values Holm-adjusted over every
    (outcome, attribute) pair; and the gaps together as drivers of the outcome, their
    explained variance split by :func:`cxlab.levers.driver_importance` (listwise).
    Associations, not causes.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    attributes : mapping
        Attribute -> ``{"wanted": column, "settled": column}``.
    outcomes : mapping
        Outcome name -> its column or item columns.
    method : {"shapley", "relative_weights"}, default="shapley"
        Passed to :func:`cxlab.levers.driver_importance`.
    n_boot, seed, ci
        Bootstrap resamples and seed of the importance intervals; confidence level of
        every interval.

    Returns
    -------
    DataFrame
        Indexed by (``outcome``, ``attribute``): ``sacrifice`` (mean gap of the respondents
        with the outcome), ``r``, ``ci_lower``, ``ci_upper`` (Fisher z), ``pvalue``,
        ``pvalue_holm``, ``n`` (pairs), ``importance``, ``share`` and ``rank`` (driver
        importance of the gaps; ``importance_ci_lower`` / ``importance_ci_upper`` with
        ``n_boot > 0``), ``r2`` (the outcome's R² on all gaps) and ``n_model`` (respondents
        with every gap and the outcome). With a single attribute its importance is its r².

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> w, s = rng.integers(4, 8, 400), rng.integers(1, 8, 400)
    >>> df = pd.DataFrame({"w": w, "s": s, "stay": 5 - 0.3 * (w - s) + rng.normal(0, 1, 400)})
    >>> rel = sacrifice_relations(df, {"hours": {"wanted": "w", "settled": "s"}}, {"stay": "stay"})
    >>> rel[["sacrifice", "r", "ci_lower", "ci_upper", "n"]].round(2)
                       sacrifice     r  ci_lower  ci_upper    n
    outcome attribute
    stay    hours           1.51 -0.58     -0.64     -0.51  400
    """
    import warnings

    from statsmodels.stats.multitest import multipletests

    from .levers import driver_importance
    from .pillars import outcome_scores

    caller = "sacrifice_relations"
    attributes = _check_attributes(data, attributes, caller)
    check_ci(ci, caller)
    gaps = respondent_gaps(data, attributes)
    names = list(attributes)
    tables = []
    for name, y in outcome_scores(data, outcomes, caller=caller).items():
        rows = []
        for a in names:
            r, lo, hi, p, n = correlation_interval(gaps[a], y, ci=ci)
            rows.append({"attribute": a, "sacrifice": float(gaps[a][y.notna()].mean()), "r": r, "ci_lower": lo,
                         "ci_upper": hi, "pvalue": p, "n": n})
        t = pd.DataFrame(rows).set_index("attribute")
        work = gaps.assign(__outcome__=y).dropna()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # listwise: n_model is in the table
            imp = driver_importance(work, "__outcome__", names, method=method, n_boot=n_boot, seed=seed, ci=ci)
        t["importance"], t["share"], t["rank"] = imp["importance"], imp["share"], imp["rank"]
        if "ci_lower" in imp.columns:
            t["importance_ci_lower"], t["importance_ci_upper"] = imp["ci_lower"], imp["ci_upper"]
        t["r2"], t["n_model"] = float(imp["importance"].sum()), len(work)
        t.index = pd.MultiIndex.from_product([[name], names], names=["outcome", "attribute"])
        tables.append(t)
    out = pd.concat(tables)
    ok = out["pvalue"].notna().to_numpy()
    out["pvalue_holm"] = np.nan
    if ok.any():
        out.loc[ok, "pvalue_holm"] = multipletests(out.loc[ok, "pvalue"].to_numpy(), method="holm")[1]
    cols = ["sacrifice", "r", "ci_lower", "ci_upper", "pvalue", "pvalue_holm", "n", "importance",
            "importance_ci_lower", "importance_ci_upper", "share", "rank", "r2", "n_model"]
    return out[[c for c in cols if c in out.columns]]


def describe_relations(table: pd.DataFrame, *, alpha: float = 0.05, labels=None) -> str:
    """Say in plain words whether sacrifice goes with the outcomes, from :func:`sacrifice_relations`.

    A relation is claimed only when its Holm-adjusted p-value is below ``alpha``. Each
    outcome with a relation claimed gets a paragraph: the variance the gaps explain
    together, each relation with its direction, r and interval, and where to act first (an
    attribute customers settle on, a positive mean gap, whose sacrifice goes with a lower
    outcome). The outcomes without one share a paragraph: the variance explained, the
    strongest correlation, and where customers settle most.

    Examples
    --------
    >>> t = pd.DataFrame({"sacrifice": [1.4, 0.2], "r": [-0.21, 0.03], "ci_lower": [-0.25, -0.01],
    ...                   "ci_upper": [-0.17, 0.07], "pvalue": [1e-9, 0.2], "pvalue_holm": [2e-9, 0.2],
    ...                   "n": [1900, 1900], "r2": 0.045, "n_model": 1880},
    ...                  index=pd.MultiIndex.from_product([["stay"], ["hours", "price"]],
    ...                                                   names=["outcome", "attribute"]))
    >>> print(describe_relations(t))
    **Sacrifice and stay.** Together the sacrifice gaps explain 4.5% of its variance (n = 1,880). Customers who sacrifice more on hours score lower on it (r = −0.21, −0.25 to −0.17; Holm-adjusted p < 0.001). Act on hours first: customers settle there (1.40 scale points) and it goes with stay.
    >>> t["pvalue_holm"] = [0.2, 0.2]
    >>> print(describe_relations(t))
    **Sacrifice and stay.** The sacrifice gaps explain 4.5% of its variance (n = 1,880), and no gap goes with it beyond chance (every Holm-adjusted p-value at least 0.05); the strongest correlation is hours (r = −0.21, −0.25 to −0.17). Customers settle most on hours (1.40 scale points), but removing that sacrifice is not shown here to move stay.
    """
    from ._text import pvalue as fmt_p

    need = {"sacrifice", "r", "ci_lower", "ci_upper", "pvalue_holm", "r2", "n_model"}
    if not isinstance(table, pd.DataFrame) or not need <= set(table.columns):
        raise param_error("table", "describe_relations", "be the result of sacrifice_relations", table,
                          got=type(table).__name__, instead=True)

    name, names = _namers(labels)

    out, quiet = [], []
    for outcome, t in table.groupby(level="outcome", sort=False):
        t = t.droplevel("outcome")
        claimed = t[t["pvalue_holm"] < alpha].sort_values("r", key=abs, ascending=False)
        if not len(claimed):
            quiet.append(outcome)
            continue
        o = name(outcome)
        text = (f"**Sacrifice and {o}.** Together the sacrifice gaps explain {t['r2'].iloc[0]:.1%} of its variance "
                f"(n = {int(t['n_model'].iloc[0]):,}).")
        text += " " + " ".join(
            f"Customers who sacrifice more on {name(a)} score {'lower' if r.r < 0 else 'higher'} on it "
            f"(r = {number(r.r)}, {number(r.ci_lower)} to {number(r.ci_upper)}; Holm-adjusted "
            f"{fmt_p(r.pvalue_holm)})." for a, r in claimed.iterrows())
        act = [a for a, r in claimed.iterrows() if r.r < 0 and t.loc[a, "sacrifice"] > 0]
        if act:
            text += (f" Act on {name(act[0])} first: customers settle there "
                     f"({number(t.loc[act[0], 'sacrifice'])} scale points) and it goes with {o}.")
        out.append(text)
    if quiet:
        part = table[table.index.get_level_values("outcome").isin(quiet)]
        r2 = part.groupby(level="outcome")["r2"].first()
        n = part.groupby(level="outcome")["n_model"].first()
        (o_top, a_top) = part["r"].abs().idxmax()
        top = part.loc[(o_top, a_top)]
        one = len(quiet) == 1
        text = (f"**Sacrifice and {names(quiet)}.** The sacrifice gaps explain "
                + (f"{r2.iloc[0]:.1%} of its variance (n = {int(n.iloc[0]):,})" if one else
                   f"{r2.min():.1%} to {r2.max():.1%} of their variance (n = {int(n.min()):,} to {int(n.max()):,})")
                + f", and no gap goes with {'it' if one else 'any of them'} beyond chance (every Holm-adjusted "
                  f"p-value at least {alpha:g}); the strongest correlation is {name(a_top)}"
                + ("" if one else f" with {name(o_top)}")
                + f" (r = {number(top['r'])}, {number(top['ci_lower'])} to {number(top['ci_upper'])}).")
        gaps = part.groupby(level="attribute", sort=False)["sacrifice"].mean()
        if (gaps > 0).any():
            text += (f" Customers settle most on {name(gaps.idxmax())} ({number(gaps.max())} scale points), but "
                     f"removing that sacrifice is not shown here to move {names(quiet)}.")
        out.append(text)
    return "\n\n".join(out)
