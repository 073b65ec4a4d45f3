"""SERVQUAL: expectation, perception and gap (P − E) scores per item and dimension.

Parasuraman, Zeithaml & Berry (1988) ask each of 22 items twice: what customers expect
of an excellent company (E) and what they perceive of this one (P). The gap P − E is
negative where the service falls short. SERVPERF (Cronin & Taylor 1992) uses P alone.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"e_a1": [6, 7, 6, 7], "p_a1": [5, 6, 6, 5]})
>>> gap_scores(df, {"a": ["a1"]}, level="item")[["expectation", "perception", "gap"]]
      expectation  perception   gap
item
a1            6.5         5.5  -1.0

The criticism of SERVQUAL (Babakus & Boller 1992; Cronin & Taylor 1992; Peter, Churchill &
Brown 1993) can be tested on a study's own data: :func:`gap_reliability` sets the
reliability of gap (difference) scores beside that of perception scores, and
:func:`compare_servqual_servperf` asks how much of overall satisfaction the gaps and the
perceptions explain. :func:`describe` writes the plain-words conclusion from those results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._text import and_join, md, number, pvalue
from ._validation import check_choice, check_ci, check_frame, check_probability, param_error, renamed_parameters

__all__ = [
    "DIMENSIONS", "INSTRUMENT", "gap_scores", "dimension_scores",
    "instrument", "codebook_fragment", "codebook_yaml",
    "weighted_gaps", "servperf_scores", "gap_reliability",
    "ModelComparison", "compare_servqual_servperf", "describe",
]

#: The five SERVQUAL dimensions and their number of items in the 22-item instrument.
DIMENSIONS = {"tangibles": 4, "reliability": 5, "responsiveness": 4, "assurance": 4, "empathy": 5}


def _mean_ci(x: np.ndarray, ci: float) -> tuple[float, float, float, float, int]:
    x = x[~np.isnan(x)]
    n = len(x)
    mean = float(x.mean()) if n else np.nan
    se = float(x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    t = stats.t.ppf(0.5 + ci / 2, n - 1) if n > 1 else np.nan
    return mean, se, mean - t * se, mean + t * se, n


def dimension_scores(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *,
                     prefix: str) -> pd.DataFrame:
    """Per-respondent mean of each dimension's items with the given prefix (``e_`` / ``p_``).

    A respondent's dimension score is the mean of the items they answered (at least half).
    """
    from .quality import scale_scores

    return scale_scores(data, {dim: [prefix + s for s in stems] for dim, stems in dimensions.items()})


def gap_scores(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *, level: str = "dimension",
               expectation_prefix: str = "e_", perception_prefix: str = "p_", ci: float = 0.95) -> pd.DataFrame:
    """Mean expectation, perception and gap (P − E) with a paired t confidence interval.

    Parameters
    ----------
    data : DataFrame
        One row per respondent with ``<prefix><stem>`` columns.
    dimensions : mapping
        Dimension name -> item stems (``{"tangibles": ["tan1", ...], ...}``).
    level : {"dimension", "item"}, default="dimension"
        Dimension scores (mean of the dimension's items per respondent) or single items.
    ci : float, default=0.95

    Returns
    -------
    DataFrame indexed by dimension (or item) with columns ``expectation``, ``perception``,
    ``gap``, ``se`` (of the gap), ``ci_lower``, ``ci_upper`` (t interval of the mean
    paired difference) and ``n`` (respondents with both E and P).
    """
    check_choice(level, "level", "gap_scores", ("dimension", "item"))
    check_ci(ci, "gap_scores")
    if level == "dimension":
        e = dimension_scores(data, dimensions, prefix=expectation_prefix)
        p = dimension_scores(data, dimensions, prefix=perception_prefix)
        pairs = {d: (e[d], p[d]) for d in dimensions}
    else:
        pairs = {s: (data[expectation_prefix + s].astype(float), data[perception_prefix + s].astype(float))
                 for stems in dimensions.values() for s in stems}
    rows = []
    for name, (ev, pv) in pairs.items():
        both = ev.notna() & pv.notna()
        e_, p_ = ev[both].to_numpy(float), pv[both].to_numpy(float)
        gap, se, lo, hi, n = _mean_ci(p_ - e_, ci)
        rows.append({level: name, "expectation": e_.mean(), "perception": p_.mean(), "gap": gap,
                     "se": se, "ci_lower": lo, "ci_upper": hi, "n": n})
    return pd.DataFrame(rows).set_index(level)


# --------------------------------------------------------------------------- the instrument
#: The 22 items of the revised SERVQUAL (Parasuraman, Berry & Zeithaml 1991, all positively
#: worded; 7-point scale from "strongly disagree" to "strongly agree"): (dimension, stem,
#: expectation wording, perception wording). "XYZ" stands for the company.
INSTRUMENT = (
    ("tangibles", "tan1", "Excellent companies will have modern-looking equipment.",
     "XYZ has modern-looking equipment."),
    ("tangibles", "tan2", "The physical facilities at excellent companies will be visually appealing.",
     "XYZ's physical facilities are visually appealing."),
    ("tangibles", "tan3", "Employees at excellent companies will be neat-appearing.",
     "XYZ's employees are neat-appearing."),
    ("tangibles", "tan4", "Materials associated with the service (such as pamphlets or statements) "
     "will be visually appealing in an excellent company.",
     "Materials associated with the service (such as pamphlets or statements) are visually "
     "appealing at XYZ."),
    ("reliability", "rel1", "When excellent companies promise to do something by a certain time, "
     "they will do so.", "When XYZ promises to do something by a certain time, it does so."),
    ("reliability", "rel2", "When a customer has a problem, excellent companies will show a sincere "
     "interest in solving it.", "When you have a problem, XYZ shows a sincere interest in solving it."),
    ("reliability", "rel3", "Excellent companies will perform the service right the first time.",
     "XYZ performs the service right the first time."),
    ("reliability", "rel4", "Excellent companies will provide their services at the time they "
     "promise to do so.", "XYZ provides its services at the time it promises to do so."),
    ("reliability", "rel5", "Excellent companies will insist on error-free records.",
     "XYZ insists on error-free records."),
    ("responsiveness", "res1", "Employees of excellent companies will tell customers exactly when "
     "services will be performed.", "Employees of XYZ tell you exactly when services will be performed."),
    ("responsiveness", "res2", "Employees of excellent companies will give prompt service to customers.",
     "Employees of XYZ give you prompt service."),
    ("responsiveness", "res3", "Employees of excellent companies will always be willing to help "
     "customers.", "Employees of XYZ are always willing to help you."),
    ("responsiveness", "res4", "Employees of excellent companies will never be too busy to respond "
     "to customers' requests.", "Employees of XYZ are never too busy to respond to your requests."),
    ("assurance", "ass1", "The behavior of employees of excellent companies will instill confidence "
     "in customers.", "The behavior of employees of XYZ instills confidence in you."),
    ("assurance", "ass2", "Customers of excellent companies will feel safe in their transactions.",
     "You feel safe in your transactions with XYZ."),
    ("assurance", "ass3", "Employees of excellent companies will be consistently courteous with "
     "customers.", "Employees of XYZ are consistently courteous with you."),
    ("assurance", "ass4", "Employees of excellent companies will have the knowledge to answer "
     "customers' questions.", "Employees of XYZ have the knowledge to answer your questions."),
    ("empathy", "emp1", "Excellent companies will give customers individual attention.",
     "XYZ gives you individual attention."),
    ("empathy", "emp2", "Excellent companies will have operating hours convenient to all their "
     "customers.", "XYZ has operating hours convenient to all its customers."),
    ("empathy", "emp3", "Excellent companies will have employees who give customers personal "
     "attention.", "XYZ has employees who give you personal attention."),
    ("empathy", "emp4", "Excellent companies will have the customers' best interests at heart.",
     "XYZ has your best interests at heart."),
    ("empathy", "emp5", "The employees of excellent companies will understand the specific needs "
     "of their customers.", "The employees of XYZ understand your specific needs."),
)


def _check_prefix(value, name: str, caller: str) -> None:
    if not isinstance(value, str) or not value:
        raise param_error(name, caller, "be a non-empty string", value)


def instrument(*, company: str = "XYZ") -> pd.DataFrame:
    """The 22 SERVQUAL items with their standard English wording.

    Parasuraman, Berry & Zeithaml's (1991) revision of the 1988 instrument: the same
    22 items in the same five dimensions, all worded positively. Each item is asked
    twice, as an expectation of excellent companies and as a perception of this one.

    Parameters
    ----------
    company : str, default="XYZ"
        Replaces "XYZ" in the perception wording.

    Returns
    -------
    DataFrame
        Indexed by ``item`` (stem, e.g. ``tan1``): ``number`` (1-22 as in the
        questionnaire), ``dimension``, ``expectation``, ``perception``.

    References
    ----------
    .. [1] Parasuraman, A., Zeithaml, V. A., & Berry, L. L. (1988). SERVQUAL: A
       multiple-item scale for measuring consumer perceptions of service quality.
       *Journal of Retailing*, 64(1), 12-40.
    .. [2] Parasuraman, A., Berry, L. L., & Zeithaml, V. A. (1991). Refinement and
       reassessment of the SERVQUAL scale. *Journal of Retailing*, 67(4), 420-450.

    Examples
    --------
    >>> items = instrument(company="Acme")
    >>> items.groupby("dimension", sort=False).size().to_dict() == DIMENSIONS
    True
    >>> items.loc["rel3", "perception"]
    'Acme performs the service right the first time.'
    """
    _check_prefix(company, "company", "instrument")
    rows = [{"item": stem, "number": i + 1, "dimension": dim, "expectation": e,
             "perception": p.replace("XYZ", company)}
            for i, (dim, stem, e, p) in enumerate(INSTRUMENT)]
    return pd.DataFrame(rows).set_index("item")


def codebook_fragment(*, expectation_prefix: str = "e_", perception_prefix: str = "p_",
                      scale_range: tuple[int, int] = (1, 7)) -> dict:
    """The ``codebook.servqual`` section of a study for the 22-item instrument.

    Parameters
    ----------
    expectation_prefix, perception_prefix : str, default="e_", "p_"
        Column prefixes: the columns are ``<prefix><stem>`` (``e_tan1``, ``p_tan1``).
    scale_range : (int, int), default=(1, 7)
        Lowest and highest answer (PZB use 7 points).

    Returns
    -------
    dict
        ``{"range": [low, high], "expectation_prefix": ..., "perception_prefix": ...,
        "dimensions": {dimension: [stems]}}``, ready for ``codebook: servqual:``.
        :func:`codebook_yaml` gives the same as YAML text with the wording as comments.

    Examples
    --------
    >>> frag = codebook_fragment()
    >>> frag["dimensions"]["tangibles"]
    ['tan1', 'tan2', 'tan3', 'tan4']
    >>> frag["range"]
    [1, 7]
    """
    caller = "codebook_fragment"
    _check_prefix(expectation_prefix, "expectation_prefix", caller)
    _check_prefix(perception_prefix, "perception_prefix", caller)
    ok = (isinstance(scale_range, (tuple, list)) and len(scale_range) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) for v in scale_range)
          and scale_range[0] < scale_range[1])
    if not ok:
        raise param_error("scale_range", caller, "be two increasing ints (low, high)", scale_range)
    dims: dict[str, list[str]] = {}
    for dim, stem, _, _ in INSTRUMENT:
        dims.setdefault(dim, []).append(stem)
    return {"range": list(scale_range), "expectation_prefix": expectation_prefix,
            "perception_prefix": perception_prefix, "dimensions": dims}


def codebook_yaml(*, expectation_prefix: str = "e_", perception_prefix: str = "p_",
                  scale_range: tuple[int, int] = (1, 7), company: str = "XYZ") -> str:
    """:func:`codebook_fragment` as YAML to paste under ``codebook:``, wording in comments.

    Examples
    --------
    >>> text = codebook_yaml()
    >>> print(text.splitlines()[0])
    servqual:
    >>> import yaml
    >>> yaml.safe_load(text)["servqual"] == codebook_fragment()
    True
    """
    frag = codebook_fragment(expectation_prefix=expectation_prefix, perception_prefix=perception_prefix,
                             scale_range=scale_range)
    words = instrument(company=company)
    lines = [
        "servqual:",
        "  # SERVQUAL, 22 items (Parasuraman, Berry & Zeithaml 1991); each asked as expectation (E)",
        "  # of excellent companies and perception (P) of this one; gap = P - E.",
        f"  range: [{scale_range[0]}, {scale_range[1]}]"
        "  # 1 = strongly disagree ... 7 = strongly agree",
        f"  expectation_prefix: {expectation_prefix}",
        f"  perception_prefix: {perception_prefix}",
        "  dimensions:",
    ]
    for dim, stems in frag["dimensions"].items():
        lines.append(f"    {dim}: [{', '.join(stems)}]")
        for stem in stems:
            w = words.loc[stem]
            lines.append(f"      # {stem} ({w['number']}) E: {w['expectation']}")
            lines.append(f"      #   P: {w['perception']}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- scores
def _dimension_frames(data, dimensions, expectation_prefix, perception_prefix, caller):
    check_frame(data, caller)
    if not isinstance(dimensions, Mapping) or not dimensions:
        raise param_error("dimensions", caller, "be a non-empty mapping of dimension to item stems", dimensions)
    need = [pre + s for pre in (expectation_prefix, perception_prefix) if pre is not None
            for stems in dimensions.values() for s in stems]
    absent = [c for c in need if c not in data.columns]
    if absent:
        raise param_error("data", caller,
                          "hold every SERVQUAL column", None,
                          got=f"no columns {absent}")


def weighted_gaps(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *, weights: Mapping,
                  expectation_prefix: str = "e_", perception_prefix: str = "p_",
                  ci: float = 0.95) -> pd.DataFrame:
    """Weighted SERVQUAL: dimension gaps weighted by their importance.

    Parasuraman, Berry & Zeithaml (1991) let each respondent allocate 100 points over the
    five dimensions; the weighted score is ``sum_d w_d * gap_d`` with ``w_d`` the share of
    the points. Weights can be the same for everyone (numbers) or per respondent (column
    names holding each respondent's allocation). Either way they are rescaled to sum to 1
    (per respondent), so 100-point allocations, percentages and shares all work.

    Parameters
    ----------
    data : DataFrame
        Respondents with ``<prefix><stem>`` columns (and the weight columns).
    dimensions : mapping
        Dimension -> item stems.
    weights : mapping
        Dimension -> a non-negative number, or dimension -> column name (per-respondent
        points). Every dimension needs a weight.
    expectation_prefix, perception_prefix : str
    ci : float, default=0.95

    Returns
    -------
    DataFrame
        Indexed by ``dimension`` plus a last row ``overall``: ``weight`` (mean share),
        ``gap`` (mean unweighted gap; for ``overall`` the mean of the dimension gaps),
        ``weighted_gap`` (mean of ``w * gap``; for ``overall`` the weighted SERVQUAL
        score), its ``se``, ``ci_lower``, ``ci_upper`` (t interval) and ``n``
        (respondents with all dimension gaps and weights).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"e_a1": [6, 7, 6], "p_a1": [5, 6, 6], "e_b1": [5, 5, 6], "p_b1": [5, 6, 6]})
    >>> t = weighted_gaps(df, {"A": ["a1"], "B": ["b1"]}, weights={"A": 60, "B": 40})
    >>> t[["weight", "gap", "weighted_gap"]].round(3)
               weight    gap  weighted_gap
    dimension
    A             0.6 -0.667        -0.400
    B             0.4  0.333         0.133
    overall       1.0 -0.167        -0.267
    """
    caller = "weighted_gaps"
    _dimension_frames(data, dimensions, expectation_prefix, perception_prefix, caller)
    check_ci(ci, caller)
    if not isinstance(weights, Mapping) or set(weights) != set(dimensions):
        got = sorted(weights) if isinstance(weights, Mapping) else weights
        raise param_error("weights", caller, f"give one weight per dimension {sorted(dimensions)}", got)
    dims = list(dimensions)
    if all(isinstance(w, str) for w in weights.values()):
        absent = [w for w in weights.values() if w not in data.columns]
        if absent:
            raise ValueError(f"The 'weights' parameter of {caller} names columns that are not in data. "
                             f"Got {absent} instead.")
        w = pd.DataFrame({d: data[weights[d]].astype(float) for d in dims}, index=data.index)
    elif all(isinstance(w, (int, float, np.floating)) and not isinstance(w, bool) for w in weights.values()):
        w = pd.DataFrame({d: float(weights[d]) for d in dims}, index=data.index)
    else:
        raise param_error("weights", caller,
                          "map every dimension to a number or every dimension to a column name", dict(weights))
    if (w < 0).any().any() or (w.sum(axis=1) <= 0).any():
        raise param_error("weights", caller,
                          "be non-negative with a positive total per respondent", None,
                          got="negative or all-zero weights")
    e = dimension_scores(data, dimensions, prefix=expectation_prefix)
    p = dimension_scores(data, dimensions, prefix=perception_prefix)
    gap = p[dims] - e[dims]
    share = w.div(w.sum(axis=1), axis=0)
    ok = gap.notna().all(axis=1) & share.notna().all(axis=1)
    gap, share = gap[ok], share[ok]
    contrib = gap * share
    rows = []
    for d in dims:
        mean, se, lo, hi, n = _mean_ci(contrib[d].to_numpy(float), ci)
        rows.append({"dimension": d, "weight": share[d].mean(), "gap": gap[d].mean(), "weighted_gap": mean,
                     "se": se, "ci_lower": lo, "ci_upper": hi, "n": n})
    mean, se, lo, hi, n = _mean_ci(contrib.sum(axis=1).to_numpy(float), ci)
    rows.append({"dimension": "overall", "weight": 1.0, "gap": gap.mean(axis=1).mean(), "weighted_gap": mean,
                 "se": se, "ci_lower": lo, "ci_upper": hi, "n": n})
    return pd.DataFrame(rows).set_index("dimension")


def servperf_scores(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *,
                    perception_prefix: str = "p_", ci: float = 0.95) -> pd.DataFrame:
    """SERVPERF (Cronin & Taylor 1992): perception scores only, per dimension and overall.

    Parameters
    ----------
    data : DataFrame
    dimensions : mapping
        Dimension -> item stems.
    perception_prefix : str, default="p_"
    ci : float, default=0.95

    Returns
    -------
    DataFrame
        Indexed by ``dimension`` plus ``overall`` (the respondent's mean of the dimension
        scores): ``perception`` (mean), ``se``, ``ci_lower``, ``ci_upper`` (t interval),
        ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"p_a1": [5, 6, 7], "p_b1": [4, 4, 7]})
    >>> servperf_scores(df, {"A": ["a1"], "B": ["b1"]})["perception"].round(3).tolist()
    [6.0, 5.0, 5.5]
    """
    caller = "servperf_scores"
    _dimension_frames(data, dimensions, None, perception_prefix, caller)
    check_ci(ci, caller)
    p = dimension_scores(data, dimensions, prefix=perception_prefix)
    p = p.assign(overall=p[list(dimensions)].mean(axis=1).where(p[list(dimensions)].notna().all(axis=1)))
    rows = []
    for d in [*dimensions, "overall"]:
        mean, se, lo, hi, n = _mean_ci(p[d].to_numpy(float), ci)
        rows.append({"dimension": d, "perception": mean, "se": se, "ci_lower": lo, "ci_upper": hi, "n": n})
    return pd.DataFrame(rows).set_index("dimension")


# --------------------------------------------------------------------------- the criticism
def gap_reliability(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *,
                    expectation_prefix: str = "e_", perception_prefix: str = "p_") -> pd.DataFrame:
    """Reliability of gap (P − E) scores beside that of perception and expectation scores.

    Per dimension, on the respondents who answered all of its E and P items: Cronbach's
    alpha of the perception items, of the expectation items and of the item gaps
    ``p_i - e_i``; the correlation of the E and P scale scores (item means) and their
    standard deviations; and the reliability of the dimension's difference score from
    Johns' (1981) formula (:func:`cxlab.reliability.difference_score_reliability`, with the
    alphas as reliabilities). The higher E and P correlate, the lower the gap's
    reliability: Peter, Churchill & Brown's (1993) argument against SERVQUAL.

    Parameters
    ----------
    data : DataFrame
    dimensions : mapping
        Dimension -> item stems.
    expectation_prefix, perception_prefix : str

    Returns
    -------
    DataFrame
        Indexed by ``dimension``: ``n_items``, ``n``, ``alpha_perception``,
        ``alpha_expectation``, ``alpha_gap``, ``r_pe``, ``sd_perception``,
        ``sd_expectation``, ``reliability_difference`` (Johns' formula) and
        ``gap_minus_perception`` (``alpha_gap - alpha_perception``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> e = rng.normal(size=(300, 1))
    >>> p = 0.8 * e + 0.6 * rng.normal(size=(300, 1))  # P and E share much of their variance
    >>> df = pd.DataFrame(np.hstack([e + rng.normal(size=(300, 3)), p + rng.normal(size=(300, 3))]),
    ...                   columns=["e_a1", "e_a2", "e_a3", "p_a1", "p_a2", "p_a3"])
    >>> t = gap_reliability(df, {"A": ["a1", "a2", "a3"]})
    >>> t[["alpha_perception", "alpha_gap", "r_pe", "reliability_difference"]].round(2)
               alpha_perception  alpha_gap  r_pe  reliability_difference
    dimension
    A                      0.74       0.33  0.63                    0.35
    """
    from .reliability import alpha, difference_score_reliability

    caller = "gap_reliability"
    _dimension_frames(data, dimensions, expectation_prefix, perception_prefix, caller)
    rows = []
    for dim, stems in dimensions.items():
        stems = list(stems)
        if len(stems) < 2:
            raise param_error("dimensions", caller,
                              "give at least 2 items per dimension", None,
                              got=f"{stems!r} for {dim!r}")
        e_cols = [expectation_prefix + s for s in stems]
        p_cols = [perception_prefix + s for s in stems]
        block = data[e_cols + p_cols].astype(float).dropna()
        e, p = block[e_cols], block[p_cols]
        g = pd.DataFrame(p.to_numpy() - e.to_numpy(), columns=stems, index=block.index)
        es, ps = e.mean(axis=1), p.mean(axis=1)
        a_p, a_e = alpha(p), alpha(e)
        r_pe = float(np.corrcoef(ps, es)[0, 1])
        sd_p, sd_e = float(ps.std(ddof=1)), float(es.std(ddof=1))
        a_g = alpha(g)
        rows.append({"dimension": dim, "n_items": len(stems), "n": len(block), "alpha_perception": a_p,
                     "alpha_expectation": a_e, "alpha_gap": a_g, "r_pe": r_pe, "sd_perception": sd_p,
                     "sd_expectation": sd_e,
                     "reliability_difference": difference_score_reliability(
                         float(np.clip(a_p, 0, 1)), float(np.clip(a_e, 0, 1)), r_pe, sd_x=sd_p, sd_y=sd_e),
                     "gap_minus_perception": a_g - a_p})
    return pd.DataFrame(rows).set_index("dimension")


@dataclass(frozen=True)
class ModelComparison:
    """SERVQUAL (gaps) vs SERVPERF (perceptions) as predictors of an outcome.

    Attributes
    ----------
    models : DataFrame
        Indexed by ``model`` (``SERVPERF``, ``SERVQUAL``, ``P + E``): ``n``,
        ``n_predictors``, ``r2``, ``adj_r2``, ``f``, ``f_pvalue`` (overall F test),
        ``loglik``, ``aic``, ``bic`` (Gaussian OLS likelihood, intercept and error
        variance counted as parameters, as statsmodels).
    tests : DataFrame
        Indexed by ``restricted`` (``SERVPERF``, ``SERVQUAL``), each tested against the
        encompassing ``P + E`` model: ``df_num``, ``df_den``, ``f``, ``pvalue`` (nested
        F test), ``lr``, ``lr_pvalue`` (likelihood-ratio chi-square).
    coefficients : DataFrame
        OLS coefficients (``est``), one column per model, indexed by predictor.
    outcome : str
    """

    models: pd.DataFrame
    tests: pd.DataFrame
    coefficients: pd.DataFrame
    outcome: str


def _ols(y: np.ndarray, x: np.ndarray) -> dict:
    n, k = x.shape
    design = np.column_stack([np.ones(n), x])
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    rss = float(np.sum((y - design @ beta) ** 2))
    tss = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - rss / tss
    df_res = n - k - 1
    f = (r2 / k) / ((1 - r2) / df_res)
    loglik = -n / 2 * (np.log(2 * np.pi) + np.log(rss / n) + 1)
    npar = k + 1
    return {"beta": beta, "rss": rss, "df_res": df_res, "row": {
        "n": n, "n_predictors": k, "r2": r2, "adj_r2": 1 - (1 - r2) * (n - 1) / df_res, "f": f,
        "f_pvalue": float(stats.f.sf(f, k, df_res)), "loglik": loglik, "aic": -2 * loglik + 2 * npar,
        "bic": -2 * loglik + np.log(n) * npar}}


def compare_servqual_servperf(data: pd.DataFrame, dimensions: Mapping[str, Sequence[str]], *,
                              outcome: str | Sequence[str], outcome_name: str | None = None,
                              expectation_prefix: str = "e_", perception_prefix: str = "p_") -> ModelComparison:
    """How much of an outcome do SERVQUAL gaps and SERVPERF perceptions explain?

    Three OLS regressions of the outcome on the dimension scores (respondent means of the
    items), on the same respondents (complete on the outcome and on every E and P
    dimension score): SERVPERF (the P scores), SERVQUAL (the gaps P − E) and the
    encompassing model with P and E side by side. Both rival models are nested in it:
    SERVPERF fixes the E coefficients at 0, SERVQUAL fixes them at minus the P
    coefficients. Nested F and likelihood-ratio tests ask whether each restriction
    costs explained variance (Cronin & Taylor 1992; Brown, Churchill & Peter 1993).

    Parameters
    ----------
    data : DataFrame
    dimensions : mapping
        Dimension -> item stems.
    outcome : str or sequence of str
        The outcome column (e.g. overall satisfaction), or its items (the respondent's
        mean of at least half of them is used, as :func:`cxlab.quality.scale_scores`).
    outcome_name : str, optional
        How the outcome is called in :func:`describe` (default: the column name, or
        ``mean(items)``).
    expectation_prefix, perception_prefix : str

    Returns
    -------
    ModelComparison

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> e, p = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    >>> df = pd.DataFrame(np.hstack([e, p]), columns=["e_a1", "e_b1", "p_a1", "p_b1"])
    >>> df["sat"] = p.sum(axis=1) + rng.normal(size=200)
    >>> res = compare_servqual_servperf(df, {"A": ["a1"], "B": ["b1"]}, outcome="sat")
    >>> res.models[["r2", "adj_r2"]].round(3)
                r2  adj_r2
    model
    SERVPERF  0.741   0.739
    SERVQUAL  0.259   0.252
    P + E     0.748   0.743
    >>> bool(res.tests.loc["SERVQUAL", "pvalue"] < 0.001)
    True
    """
    from .quality import scale_scores

    caller = "compare_servqual_servperf"
    _dimension_frames(data, dimensions, expectation_prefix, perception_prefix, caller)
    if isinstance(outcome, str):
        if outcome not in data.columns:
            raise param_error("outcome", caller, "be a column of data", outcome)
        y, name = data[outcome].astype(float), outcome
    elif isinstance(outcome, Sequence) and outcome and all(isinstance(c, str) for c in outcome):
        absent = [c for c in outcome if c not in data.columns]
        if absent:
            raise param_error("outcome", caller,
                              "name columns of data", None,
                              got=f"unknown columns {absent}")
        y, name = scale_scores(data, {"outcome": list(outcome)})["outcome"], "mean(" + ", ".join(outcome) + ")"
    else:
        raise param_error("outcome", caller, "be a column name or a list of item columns", outcome)
    if outcome_name is not None:
        _check_prefix(outcome_name, "outcome_name", caller)
        name = outcome_name
    dims = list(dimensions)
    e = dimension_scores(data, dimensions, prefix=expectation_prefix)[dims]
    p = dimension_scores(data, dimensions, prefix=perception_prefix)[dims]
    ok = y.notna() & e.notna().all(axis=1) & p.notna().all(axis=1)
    if ok.sum() < 2 * len(dims) + 3:
        raise param_error("data", caller,
                          f"have more complete respondents than {2 * len(dims) + 2}", None,
                          got=f"{int(ok.sum())}")
    yv, ev, pv = y[ok].to_numpy(float), e[ok].to_numpy(float), p[ok].to_numpy(float)
    fits = {"SERVPERF": _ols(yv, pv), "SERVQUAL": _ols(yv, pv - ev), "P + E": _ols(yv, np.hstack([pv, ev]))}
    models = pd.DataFrame([{"model": m, **f["row"]} for m, f in fits.items()]).set_index("model")
    full = fits["P + E"]
    rows = []
    for m in ("SERVPERF", "SERVQUAL"):
        q = len(dims)
        f = ((fits[m]["rss"] - full["rss"]) / q) / (full["rss"] / full["df_res"])
        lr = 2 * (models.loc["P + E", "loglik"] - models.loc[m, "loglik"])
        rows.append({"restricted": m, "full": "P + E", "df_num": q, "df_den": full["df_res"], "f": f,
                     "pvalue": float(stats.f.sf(f, q, full["df_res"])), "lr": lr,
                     "lr_pvalue": float(stats.chi2.sf(lr, q))})
    tests = pd.DataFrame(rows).set_index("restricted")
    coef = pd.DataFrame({
        "SERVPERF": pd.Series(fits["SERVPERF"]["beta"], ["intercept", *(f"p_{d}" for d in dims)]),
        "SERVQUAL": pd.Series(fits["SERVQUAL"]["beta"], ["intercept", *(f"gap_{d}" for d in dims)]),
        "P + E": pd.Series(full["beta"], ["intercept", *(f"p_{d}" for d in dims), *(f"e_{d}" for d in dims)]),
    })
    return ModelComparison(models=models, tests=tests, coefficients=coef.rename_axis("predictor"), outcome=name)


# --------------------------------------------------------------------------- plain words
@renamed_parameters({"alpha_level": "alpha"})
def describe(*, gaps: pd.DataFrame | None = None, reliability: pd.DataFrame | None = None,
             comparison: ModelComparison | None = None, recovery: pd.DataFrame | None = None,
             alpha: float = 0.05) -> str:
    """A plain-words conclusion on SERVQUAL, written from the results given.

    Parameters
    ----------
    gaps : DataFrame, optional
        :func:`gap_scores` at dimension level.
    reliability : DataFrame, optional
        :func:`gap_reliability`.
    comparison : ModelComparison, optional
        :func:`compare_servqual_servperf`.
    recovery : DataFrame, optional
        :func:`cxlab.factor.dimension_recovery` of an EFA of the perception items.
    alpha : float, default=0.05
        Significance level for the tests mentioned (``alpha_level``, its old name, still works
        with a ``DeprecationWarning``).

    Returns
    -------
    str
        One Markdown paragraph per result given.

    Examples
    --------
    >>> import pandas as pd
    >>> gaps = pd.DataFrame({"gap": [-0.9, -0.2], "ci_lower": [-1.0, -0.3], "ci_upper": [-0.8, 0.1]},
    ...                     index=pd.Index(["reliability", "tangibles"], name="dimension"))
    >>> print(describe(gaps=gaps))
    **Gaps.** Perceptions fall short of expectations on 1 of 2 dimensions (confidence intervals below zero): reliability (−0.90). The largest gap is reliability (−0.90); tangibles does not differ from expectations.
    """
    caller = "describe"
    check_probability(alpha, "alpha", caller)
    if gaps is None and reliability is None and comparison is None and recovery is None:
        raise ValueError(f"The parameters of {caller} must include at least one result "
                         "(gaps, reliability, comparison or recovery). Got none instead.")

    def names(idx) -> str:
        return and_join(md(i) for i in idx)

    out = []
    if recovery is not None:
        from .factor import describe_structure

        out.append(describe_structure(recovery))
    if gaps is not None:
        short = gaps[gaps["ci_upper"] < 0].sort_values("gap")
        above = gaps[gaps["ci_lower"] > 0]
        text = (f"**Gaps.** Perceptions fall short of expectations on {len(short)} of {len(gaps)} dimensions "
                "(confidence intervals below zero)")
        text += (": " + ", ".join(f"{md(d)} ({number(g)})" for d, g in short["gap"].items()) + "." if len(short) else ".")
        if len(short):
            text += f" The largest gap is {md(short.index[0])} ({number(short['gap'].iloc[0])})"
        rest = gaps.index.difference(short.index.union(above.index), sort=False)
        if len(above):
            text += f"; {names(above.index)} exceed{'s' if len(above) == 1 else ''} expectations"
        if len(rest):
            text += f"; {names(rest)} do{'es' if len(rest) == 1 else ''} not differ from expectations"
        out.append(text + ".")
    if reliability is not None:
        lower = reliability[reliability["alpha_gap"] < reliability["alpha_perception"]]
        text = (f"**Reliability of difference scores.** The gap items are less reliable than the perception "
                f"items on {len(lower)} of {len(reliability)} dimensions (alpha of gaps "
                f"{number(reliability['alpha_gap'].min())}–{number(reliability['alpha_gap'].max())}, of perceptions "
                f"{number(reliability['alpha_perception'].min())}–{number(reliability['alpha_perception'].max())}). "
                f"Johns' formula gives difference-score reliabilities of "
                f"{number(reliability['reliability_difference'].min())}–"
                f"{number(reliability['reliability_difference'].max())}, with expectation and perception scores "
                f"correlating {number(reliability['r_pe'].min())}–{number(reliability['r_pe'].max())}.")
        weak = reliability[reliability["alpha_gap"] < 0.7]
        if len(weak):
            text += f" Below the usual 0.70: {names(weak.index)} (gap scores)."
        out.append(text)
    if comparison is not None:
        m, t = comparison.models, comparison.tests
        perf, qual = m.loc["SERVPERF"], m.loc["SERVQUAL"]
        better = "SERVPERF (perceptions only)" if perf["adj_r2"] >= qual["adj_r2"] else "SERVQUAL (gaps)"
        text = (f"**SERVQUAL vs SERVPERF.** Perceptions alone explain {perf['r2']:.0%} of the variance in "
                f"{md(comparison.outcome)} (adjusted R² {number(perf['adj_r2'])}), the gaps {qual['r2']:.0%} "
                f"(adjusted {number(qual['adj_r2'])}), on the same {int(perf['n'])} respondents: {better} "
                "explains more.")
        pe, pq = t.loc["SERVPERF", "pvalue"], t.loc["SERVQUAL", "pvalue"]
        text += (" Adding expectations to the perceptions "
                 + (f"does not improve the model significantly (F = {t.loc['SERVPERF', 'f']:.2f}, {pvalue(pe)})"
                    if pe >= alpha else
                    f"improves it significantly (F = {t.loc['SERVPERF', 'f']:.2f}, {pvalue(pe)})")
                 + "; the gap model's restriction that expectations count exactly against perceptions "
                 + (f"is rejected (F = {t.loc['SERVQUAL', 'f']:.2f}, {pvalue(pq)})." if pq < alpha else
                    f"is not rejected (F = {t.loc['SERVQUAL', 'f']:.2f}, {pvalue(pq)})."))
        out.append(text)
    return "\n\n".join(out)
