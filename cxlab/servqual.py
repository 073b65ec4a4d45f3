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
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["DIMENSIONS", "gap_scores", "dimension_scores"]

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
    if level not in ("dimension", "item"):
        raise ValueError(f"The 'level' parameter of gap_scores must be one of 'dimension', 'item'. Got {level!r} instead.")
    if not 0 < ci < 1:
        raise ValueError(f"The 'ci' parameter of gap_scores must be a float in (0, 1). Got {ci!r} instead.")
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
