"""Plain-words summaries of the lever analyses (Markdown), written from their numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._results import check_result
from .._text import and_join, md, number, pvalue
from .._validation import check_int, param_error, renamed_parameters
from .effects import VIF_CUTOFF, contact_family
from .ranking import LeverRanking

__all__ = ["describe_setup", "describe_levers", "LeverSummary", "describe_collinearity", "describe_contact_effects"]

@dataclass(frozen=True)
class LeverSummary:
    """Plain-words text (Markdown) that renders as Markdown in a notebook.

    Attributes
    ----------
    text : str
        The Markdown; ``str(summary)`` gives the same.

    Examples
    --------
    >>> s = LeverSummary("**a** first")
    >>> str(s), s._repr_markdown_()
    ('**a** first', '**a** first')
    """

    text: str

    def __str__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return self.text


def _name(lever: str) -> str:
    """A variable name as words (``repeat_contacts`` -> repeat contacts)."""
    return md(str(lever).replace("_", " "))


def _namer(labels=None):
    """:func:`_name` after ``labels`` (a name without a label of its own is written as words)."""
    if labels is None:
        return _name
    return lambda lever: _name(lever) if labels(lever) == lever else md(labels(lever))


@renamed_parameters({"table": "ranking"})
def describe_levers(ranking: LeverRanking, *, top: int = 3, labels=None) -> LeverSummary:
    """Say in plain words what :func:`rank_levers_result` found, from its numbers.

    Parameters
    ----------
    ranking : LeverRanking
        The result of :func:`rank_levers_result` (it gives the outcome name, n and the
        confidence level). The bare table of :func:`rank_levers` is accepted for one
        release with a ``DeprecationWarning`` (the text then says "the outcome").
    top : int, default=3
        How many levers to describe one by one.
    labels : callable, optional
        ``labels(name)`` gives the display label of a lever or the outcome (a study's
        ``codebook.label``); without it, names are written as words
        (``repeat_contacts`` -> repeat contacts).

    Returns
    -------
    LeverSummary
        Its ``.text`` (Markdown) is what a notebook displays as formatted text.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(7)
    >>> df = pd.DataFrame({"reliability": rng.normal(5, 1, 400), "waits": rng.poisson(0.4, 400)})
    >>> df["sat"] = 0.5 * df.reliability - 0.3 * df.waits + rng.normal(0, 0.5, 400)
    >>> from cxlab.levers import rank_levers_result
    >>> summary = describe_levers(rank_levers_result(df, "sat", ["reliability"], ["waits"], seed=1))
    >>> summary.text.splitlines()[0]
    'Ranked by the expected gain in mean **sat** (n = 400), reliability comes first.'
    """
    caller = "describe_levers"
    result = check_result(ranking, LeverRanking, "ranking", caller, made_by="rank_levers_result")
    table = ranking if result is None else result.table
    needed = ["kind", "better", "impact", "impact_ci_lower", "impact_ci_upper", "reach",
              "target", "target_basis", "headroom", "expected_gain", "cost", "gain_per_cost",
              "rank", "rank_ci_lower", "rank_ci_upper", "p_first"]
    lacking = [c for c in needed if c not in table.columns]
    if lacking:
        raise param_error("ranking", caller, "be the result of rank_levers_result", table,
                          got=f"a table without columns {lacking}", instead=False)
    check_int(top, "top", caller, low=1)
    table = table.sort_values("rank", kind="stable")
    _name = _namer(labels)
    outcome = md(labels(result.outcome) if labels else result.outcome) if result is not None else "the outcome"
    ci = result.ci if result is not None else 0.95
    level = f"{ci:.0%}"
    by_cost = bool(table["cost"].notna().all())
    n = result.n if result is not None else None
    lines = [
        f"Ranked by the {'expected gain per unit of cost' if by_cost else 'expected gain'} "
        f"in mean **{outcome}**{f' (n = {n})' if n else ''}, {_name(table.index[0])} comes first."
    ]
    lines.append("")
    for i, (lever, row) in enumerate(table.head(top).iterrows(), start=1):
        d = 1.0 if row["better"] == "higher" else -1.0
        per_unit = row["impact"] * d
        lo, hi = sorted([row["impact_ci_lower"] * d, row["impact_ci_upper"] * d])
        step = "higher" if d > 0 else "lower"
        text = (
            f"{i}. **{_name(lever)}** ({row['kind']}): one unit {step} goes with "
            f"{number(per_unit, sign=True)} in {outcome} ({level} CI {number(lo)} to {number(hi)}). "
            f"{row['reach']:.0%} of respondents are short of the target {number(row['target'])} "
            f"({row['target_basis']}), by {number(row['headroom'])} on average; bringing them "
            f"there goes with {number(row['expected_gain'], 3, sign=True)} in mean {outcome}"
        )
        if np.isfinite(row["expected_gain_ci_lower"] if "expected_gain_ci_lower" in row else np.nan):
            text += (f" ({level} CI {number(row['expected_gain_ci_lower'], 3)} to "
                     f"{number(row['expected_gain_ci_upper'], 3)})")
        text += "."
        if by_cost:
            text += f" At a cost of {row['cost']:g}, that is {row['gain_per_cost']:.3g} per unit of cost."
        text += _rank_range(row)
        lines.append(text)
    lines.append("")
    shown = set(table.head(top)["kind"])
    for kind in dict.fromkeys(table["kind"]):
        if kind in shown:
            continue
        lever, row = next(iter(table[table["kind"] == kind].iterrows()))
        lines.append(
            f"The best-ranked {kind} lever is **{_name(lever)}** at rank {int(row['rank'])}: bringing the "
            f"{row['reach']:.0%} of respondents short of its target {number(row['target'])} there "
            f"goes with {number(row['expected_gain'], 3, sign=True)} in mean {outcome}."
            + _rank_range(row)
        )
    if len(shown) < table["kind"].nunique():
        lines.append("")
    signed_lo = np.where(table["better"] == "higher", table["impact_ci_lower"],
                         -table["impact_ci_upper"])
    signed_hi = np.where(table["better"] == "higher", table["impact_ci_upper"],
                         -table["impact_ci_lower"])
    includes_zero = (signed_lo <= 0) & (signed_hi >= 0)
    lines += _holm_sentences(table, includes_zero, level, 1 - ci, _name)
    wrong = [_name(x) for x in table.index[signed_hi < 0]]
    if wrong:
        lines.append(
            f"For {and_join(wrong)} an improvement goes with a *lower* {outcome}: check the "
            f"direction and the measure before acting."
        )
    lines.append(
        "These are associations in survey and contact data, not proven causes; "
        "see the caveats with the effects table."
    )
    return LeverSummary("\n".join(lines))


def _rank_range(row: pd.Series) -> str:
    if not np.isfinite(row["p_first"]):
        return ""
    lo_r, hi_r = int(row["rank_ci_lower"]), int(row["rank_ci_upper"])
    span = f"rank {lo_r}" if lo_r == hi_r else f"ranks {lo_r} to {hi_r}"
    text = f" Over the bootstrap resamples it takes {span}"
    if row["p_first"] > 0:
        text += f" and comes first in {row['p_first']:.0%} of them"
    return text + "."




def describe_setup(outcome: str, drivers: Sequence[str], n: int, *, labels=None) -> str:
    """One sentence: the outcome, its drivers and the number of respondents of a driver analysis.

    >>> print(describe_setup("CUSA", ["IMAG", "PERQ"], 250))
    Outcome: **CUSA**. Drivers: IMAG, PERQ (scores: the mean of each construct's items), for 250 respondents.
    """
    def name(x):
        return md(labels(x) if labels else x)

    return (f"Outcome: **{name(outcome)}**. Drivers: {', '.join(name(d) for d in drivers)} "
            f"(scores: the mean of each construct's items), for {n:,} respondents.")


def describe_collinearity(table: pd.DataFrame, *, labels=None) -> str:
    """One sentence on the drivers' collinearity from :func:`variance_inflation` (Markdown).

    Examples
    --------
    >>> t = pd.DataFrame({"vif": [7.2, 6.1, 1.4]}, index=pd.Index(["a", "b", "c"], name="driver"))
    >>> print(describe_collinearity(t))
    Collinear drivers: a (VIF 7.2), b (VIF 6.1) have variance inflation factors above 5, so their separate importance and impact are uncertain and partly interchangeable; read them together, or combine them into one driver.
    """
    name = (lambda v: md(labels(v))) if labels else md
    high = table[table["vif"] > VIF_CUTOFF].sort_values("vif", ascending=False)
    if high.empty:
        return (f"The drivers are not collinear: every variance inflation factor is at most {VIF_CUTOFF:g} "
                f"(highest {table['vif'].max():.1f}).")
    items = ", ".join(f"{name(d)} (VIF {v:.1f})" for d, v in high["vif"].items())
    if len(high) == 1:
        return (f"Collinear driver: {items} has a variance inflation factor above {VIF_CUTOFF:g}: the other "
                "drivers predict it largely, so its separate importance and impact are uncertain and partly "
                "interchangeable with theirs; read it together with the drivers it correlates with, or "
                "combine them into one.")
    return (f"Collinear drivers: {items} have variance inflation factors above {VIF_CUTOFF:g}, so their "
            "separate importance and impact are uncertain and partly interchangeable; read them together, "
            "or combine them into one driver.")


def _holm_sentences(table: pd.DataFrame, includes_zero: np.ndarray, level: str, alpha: float,
                    _name=_name) -> list[str]:
    """Which levers show a gain, judged by Holm-adjusted p-values over all levers of the table.

    A lever counts only when its Holm-adjusted p-value is below 1 - ci *and* its interval
    excludes zero; one whose unadjusted interval alone excludes zero is named as such.
    """
    if "pvalue_holm" not in table.columns:  # a table from before the p-values: intervals only
        unclear = [_name(x) for x in table.index[includes_zero]]
        return [f"For {and_join(unclear)} the {level} interval of the effect includes zero: no gain is "
                f"demonstrated, so {'it is not a lever' if len(unclear) == 1 else 'they are not levers'} on "
                f"this evidence."] if unclear else []
    adjusted = table["pvalue_holm"].to_numpy(dtype=float)
    shown = ~includes_zero & (adjusted < alpha)
    family = (f"Holm's adjustment for the {int(np.isfinite(adjusted).sum())} levers tested together "
              f"(α = {alpha:g})")
    lines = []
    if shown.any():
        lines.append(f"After {family}, the effects of {and_join(_name(x) for x in table.index[shown])} are "
                     f"significant.")
    unclear = [_name(x) for x in table.index[~shown]]
    if unclear:
        lines.append(
            f"{'After ' + family if not shown.any() else 'After the same adjustment'}, no gain is demonstrated "
            f"for {and_join(unclear)}: {'it is not a lever' if len(unclear) == 1 else 'they are not levers'} on "
            f"this evidence.")
    only_raw = [_name(x) for x in table.index[~shown & ~includes_zero]]
    if only_raw:
        lines.append(f"(For {and_join(only_raw)} the unadjusted {level} interval excludes zero, but not the "
                     f"adjusted test.)")
    return lines


def describe_contact_effects(effects, *, alpha: float = 0.05, labels=None) -> str:
    """Which contact factors go with the outcomes, judged by Holm-adjusted p-values over all of them.

    ``effects`` is a :class:`ContactEffects` (from :func:`contact_effects_result`) or the table
    of :func:`contact_effects`; the text is the same (the caveat is ``ContactEffects.note``).

    Examples
    --------
    >>> e = pd.DataFrame({"outcome": "sat", "term": ["long_waits", "repeat_contacts", "transfers"],
    ...                   "role": "contact", "est": [-0.3, -0.1, -0.05], "pvalue": [0.001, 0.03, 0.04]})
    >>> print(describe_contact_effects(e))
    After Holm's adjustment for the 3 contact effects tested (α = 0.05), these are significant: long waits on sat (−0.300 per unit, adjusted p = 0.003). Not significant after the adjustment: repeat contacts on sat and transfers on sat. These are associations, not causes.
    """
    rows = contact_family(effects)
    label = labels or (lambda v: v)
    tested = int(rows["pvalue_holm"].notna().sum())
    family = f"After Holm's adjustment for the {tested} contact effects tested (α = {alpha:g})"
    sig = rows[rows["pvalue_holm"] < alpha]
    parts = []
    if len(sig):
        parts.append(family + ", these are significant: " + and_join(
            f"{_name(r.term)} on {md(label(r.outcome))} ({number(r.est, 3, sign=True)} per unit, "
            f"adjusted {pvalue(r.pvalue_holm)})" for r in sig.itertuples()) + ".")
    rest = rows.drop(sig.index)
    if len(rest):
        prefix = ("Not significant after the adjustment: " if len(sig)
                  else family + ", no contact factor is significant: ")
        parts.append(prefix + and_join(f"{_name(r.term)} on {md(label(r.outcome))}" for r in rest.itertuples()) + ".")
    parts.append("These are associations, not causes.")
    return " ".join(parts)
