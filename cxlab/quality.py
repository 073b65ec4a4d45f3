"""Data-quality summaries of a coded survey: sample, missingness, straight-lining, speeders.

Pure functions over the processed survey (see :func:`cxlab.data.clean_survey`): they flag,
never drop.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"a": [1, 2, None, 4], "b": [1, 5, 3, None]})
>>> missingness(df, {"scale": ["a", "b"]})["missing_share"].round(3).tolist()
[0.25]
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from ._text import and_join, md
from ._validation import check_columns, renamed_parameters

__all__ = ["describe_quality", "scale_scores", "sample_overview", "missingness", "straightliners", "speeders",
           "flags_summary", "determined_items"]


def _columns(survey: pd.DataFrame, columns: Sequence[str], caller: str, param: str) -> pd.DataFrame:
    """``survey[columns]``, or a ValueError naming the parameter and the missing columns."""
    return survey[check_columns(survey, columns, caller, param)]


def scale_scores(survey: pd.DataFrame, scales: Mapping[str, Sequence[str]], *, min_share: float = 0.5) -> pd.DataFrame:
    """Per-respondent mean of each scale's items.

    A score needs answers to at least ``min_share`` of the scale's items; otherwise it is
    missing.

    >>> df = pd.DataFrame({"a": [1, 2, None], "b": [3, None, None]})
    >>> scale_scores(df, {"s": ["a", "b"]})["s"].tolist()
    [2.0, 2.0, nan]
    """
    out = {}
    for name, items in scales.items():
        block = _columns(survey, items, "scale_scores", "scales").astype(float)
        enough = block.notna().sum(axis=1) >= min_share * len(items)
        out[name] = block.mean(axis=1).where(enough)
    return pd.DataFrame(out, index=survey.index)


@renamed_parameters({"by": "group"})
def sample_overview(survey: pd.DataFrame, *, group: Sequence[str], min_n: int = 10) -> pd.DataFrame:
    """Respondents per combination of ``group`` columns, with small cells marked.

    Returns a DataFrame with the ``group`` columns, ``n``, ``share`` and ``suppressed``
    (``n < min_n``: the count is shown as missing so that no small group is published).
    With no ``group`` columns (a survey without waves or segments) it has one row, ``all``.
    ``by``, the old name of ``group``, still works with a ``DeprecationWarning``.

    >>> sample_overview(pd.DataFrame({"a": range(12)}), group=[])
      sample   n  share  suppressed
    0    all  12    1.0       False
    """
    group = [c for c in group if c is not None]
    _columns(survey, group, "sample_overview", "group")
    if not group:
        out = pd.DataFrame({"sample": ["all"], "n": [len(survey)]})
    else:
        out = survey.groupby(list(group), observed=True).size().rename("n").reset_index()
    out["share"] = out["n"] / out["n"].sum()
    out["suppressed"] = out["n"] < min_n
    out["n"] = out["n"].astype("Int64")
    out.loc[out["suppressed"], ["n", "share"]] = pd.NA
    return out


@renamed_parameters({"groups": "item_groups"})
def missingness(survey: pd.DataFrame, item_groups: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """Share of missing answers per item group.

    ``item_groups`` maps a group name (a scale, a dimension) to its item columns (old name
    ``groups``, deprecated). Returns one row per group: ``group``, ``items``, ``cells``,
    ``missing``, ``missing_share`` and ``complete_cases`` (respondents who answered every
    item of the group).
    """
    rows = []
    for name, items in item_groups.items():
        block = _columns(survey, items, "missingness", "item_groups")
        rows.append({"group": name, "items": len(items), "cells": block.size,
                     "missing": int(block.isna().sum().sum()),
                     "missing_share": float(block.isna().to_numpy().mean()),
                     "complete_cases": int(block.notna().all(axis=1).sum())})
    return pd.DataFrame(rows)


def straightliners(survey: pd.DataFrame, items: Sequence[str], *, min_answered: int = 5) -> pd.Series:
    """True for respondents who gave the same answer to every item they answered.

    Only respondents with at least ``min_answered`` answers can be flagged.
    """
    block = _columns(survey, items, "straightliners", "items")
    answered = block.notna().sum(axis=1)
    same = block.nunique(axis=1, dropna=True) == 1
    return (same & (answered >= min_answered)).rename("straightliner")


def speeders(survey: pd.DataFrame, duration: str, *, min_seconds: float | None = None) -> pd.Series:
    """True for respondents faster than ``min_seconds`` (default: a third of the median)."""
    d = pd.to_numeric(_columns(survey, [duration], "speeders", "duration")[duration], errors="coerce")
    limit = d.median() / 3 if min_seconds is None else min_seconds
    return (d < limit).rename("speeder")


#: :func:`determined_items` judges a pair on at least this many answers beyond the first of each answer.
MIN_PAIRS = 30


def determined_items(survey: pd.DataFrame, items: Sequence[str], *, min_pairs: int = MIN_PAIRS) -> pd.DataFrame:
    """Items whose answers are fixed by another item's: a copy or a recode left in the data.

    Item ``b`` is determined by item ``a`` when, over the respondents who answered both,
    every answer to ``a`` goes with a single answer to ``b``. A scale that holds both
    counts one question twice, and a polychoric correlation between them sits at its
    bound (±0.999, as in lavaan), which makes DWLS weights and factor solutions degenerate.
    Only pairs with two or more distinct answers on each side, and at least ``min_pairs``
    common answers beyond the first of each distinct answer, are judged (a perfect
    association in a handful of answers, or with an identifier, proves nothing).

    Parameters
    ----------
    survey : DataFrame
    items : sequence of str
        The item columns to compare pairwise.
    min_pairs : int, default=MIN_PAIRS

    Returns
    -------
    DataFrame
        One row per pair found, in the items' order: ``item`` (the determined one),
        ``by``, ``pairs`` (respondents who answered both) and ``kind``: ``"same answers"``,
        ``"one-to-one recode"`` (each determines the other) or ``"recode"`` (``item``
        has fewer distinct answers: several answers to ``by`` map to one of ``item``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"q1": rng.integers(1, 8, 200), "q2": rng.integers(1, 8, 200)})
    >>> df["q3"] = df["q1"].clip(upper=5)     # a 7-point item recoded to 5 points
    >>> df["q4"] = 8 - df["q2"]               # a reversed copy
    >>> determined_items(df, ["q1", "q2", "q3", "q4"])
      item  by  pairs               kind
    0   q3  q1    200             recode
    1   q4  q2    200  one-to-one recode
    """
    block = _columns(survey, list(dict.fromkeys(items)), "determined_items", "items")
    codes = {c: pd.factorize(block[c])[0] for c in block.columns}  # -1 where missing
    rows = []
    for i, a in enumerate(block.columns):
        for b in block.columns[i + 1:]:
            both = (codes[a] >= 0) & (codes[b] >= 0)
            if both.sum() < min_pairs:
                continue
            ca, cb = codes[a][both], codes[b][both]
            na, nb = len(np.unique(ca)), len(np.unique(cb))
            if min(na, nb) < 2 or both.sum() - max(na, nb) < min_pairs:  # constant, or an id-like column
                continue
            joint = len(np.unique(ca.astype(np.int64) * (cb.max() + 1) + cb))
            if joint == na == nb:
                same = bool((block[a][both].to_numpy() == block[b][both].to_numpy()).all())
                rows.append((b, a, int(both.sum()), "same answers" if same else "one-to-one recode"))
            elif joint == na:  # b is a function of a
                rows.append((b, a, int(both.sum()), "recode"))
            elif joint == nb:
                rows.append((a, b, int(both.sum()), "recode"))
    return pd.DataFrame(rows, columns=["item", "by", "pairs", "kind"])


def flags_summary(flags: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Counts and shares of each quality flag, and of respondents with any flag."""
    frame = pd.DataFrame(dict(flags)).fillna(False).astype(bool)
    frame["any flag"] = frame.any(axis=1)
    return pd.DataFrame({"flag": frame.columns, "respondents": frame.sum().to_numpy(),
                         "share": frame.mean().to_numpy()})


@renamed_parameters({"segment": "group"})
def describe_quality(survey: pd.DataFrame, *, missing: pd.DataFrame, flags: pd.DataFrame,
                     wave: str | None = None, group: str | None = None,
                     not_checked: Mapping[str, str] | None = None, determined: pd.DataFrame | None = None) -> str:
    """Plain-words summary of the sample and data quality, generated from the tables.

    Parameters
    ----------
    survey : DataFrame
        The processed survey.
    missing : DataFrame
        :func:`missingness` output.
    flags : DataFrame
        :func:`flags_summary` output.
    wave, group : str, optional
        Column names, to count waves and segments (``segment``, the old name of
        ``group``, still works with a ``DeprecationWarning``).
    not_checked : mapping, optional
        Checks that could not be made, with the reason (``{"speeders": "no duration
        column"}``); each is said in the summary.
    determined : DataFrame, optional
        :func:`determined_items` output: items that copy or recode another are named.

    Examples
    --------
    >>> s = pd.DataFrame({"w": [1, 1, 2, 2], "a": [1, None, 3, 4]})
    >>> m = missingness(s, {"a": ["a"]})
    >>> f = flags_summary({"speeder": pd.Series([False, True, False, False])})
    >>> print(describe_quality(s, missing=m, flags=f, wave="w"))
    4 respondents in 2 waves. Missing answers per scale range from 25.0 % (a) to 25.0 % (a). 1 respondent (25.0 %) is flagged for careless responding (speeder 1); flagged respondents are kept and can be excluded in a sensitivity analysis.
    """
    parts = [f"{len(survey):,} respondents"]
    if wave:
        parts.append(f" in {survey[wave].nunique()} waves")
    if group:
        parts.append(f" and {survey[group].nunique()} segments")
    text = "".join(parts) + "."
    lo, hi = missing.loc[missing["missing_share"].idxmin()], missing.loc[missing["missing_share"].idxmax()]
    text += (f" Missing answers per scale range from {lo['missing_share']:.1%} ({md(lo['group'])}) to "
             f"{hi['missing_share']:.1%} ({md(hi['group'])}).").replace("%", " %")
    any_flag = flags.set_index("flag")
    n_any = int(any_flag.loc["any flag", "respondents"])
    detail = ", ".join(f"{md(name)} {int(row['respondents'])}" for name, row in any_flag.drop(index="any flag").iterrows())
    who = "respondent" if n_any == 1 else "respondents"
    verb = "is" if n_any == 1 else "are"
    text += (f" {n_any:,} {who} ({any_flag.loc['any flag', 'share']:.1%}) {verb} flagged for careless responding "
             f"({detail}); flagged respondents are kept and can be excluded in a sensitivity analysis.").replace("%)", " %)")
    if determined is not None and len(determined):
        what = {"same answers": "the same answers as", "one-to-one recode": "a one-to-one recode of",
                "recode": "a recode of"}
        by_item: dict[str, list[str]] = {}  # an item fixed by two others is one item, named once
        for d in determined.itertuples():
            by_item.setdefault(d.item, []).append(f"{what[d.kind]} {md(d.by)}")
        items = [f"{md(item)} ({and_join(of)})" for item, of in by_item.items()]
        one, single_pair = len(items) == 1, len(determined) == 1
        text += (f" {'One item duplicates' if one else f'{len(items)} items duplicate'} another: {and_join(items)}. "
                 f"Each answer to the second fixes the answer to the first, so a scale or model holding both "
                 f"counts one question twice; keep one of {'the' if single_pair else 'each'} pair.")
    for check, reason in (not_checked or {}).items():
        text += f" {check[:1].upper() + check[1:]}: not checked ({reason})."
    return text
