"""SERVQUAL gap scores against the paired t-interval formula, computed independently."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab.servqual import gap_scores


@pytest.fixture()
def sample():
    rng = np.random.default_rng(1)
    n = 60
    df = pd.DataFrame({f"{k}_{s}": rng.integers(1, 8, n).astype(float)
                       for k in ("e", "p") for s in ("a1", "a2", "b1")})
    df.loc[3, "p_a1"] = np.nan
    return df


def test_item_gap_matches_paired_t_interval(sample):
    res = gap_scores(sample, {"A": ["a1", "a2"], "B": ["b1"]}, level="item", ci=0.9)
    d = (sample["p_a1"] - sample["e_a1"]).dropna()
    # scipy's t interval of the mean difference, an independent route to the same number
    lo, hi = stats.t.interval(0.9, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    row = res.loc["a1"]
    assert row["n"] == 59
    assert row["gap"] == pytest.approx(d.mean(), abs=1e-12)
    assert (row["ci_lower"], row["ci_upper"]) == pytest.approx((lo, hi), abs=1e-12)


def test_dimension_gap_uses_respondent_means(sample):
    res = gap_scores(sample, {"A": ["a1", "a2"]})
    e = sample[["e_a1", "e_a2"]].mean(axis=1)
    p = sample[["p_a1", "p_a2"]].mean(axis=1)  # respondent 3 keeps p_a2 (half answered)
    assert res.loc["A", "gap"] == pytest.approx((p - e).mean(), abs=1e-12)
    assert res.loc["A", "n"] == 60


def test_bad_level_is_named(sample):
    with pytest.raises(ValueError, match="The 'level' parameter of gap_scores must be one of"):
        gap_scores(sample, {"A": ["a1"]}, level="scale")
