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

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from ._text import md, number
from ._validation import check_ci, check_frame, param_error

__all__ = ["SIDES", "sacrifice_gaps", "paired_interval", "describe"]

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

    def name(a) -> str:
        shown = labels(a) if labels is not None else None
        return md(shown if shown else str(a).replace("_", " "))

    def names(idx) -> str:
        idx = [name(i) for i in idx]
        return idx[0] if len(idx) == 1 else ", ".join(idx[:-1]) + " and " + idx[-1]

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
