"""Data-quality summaries: counts, suppression and flags on hand-made examples."""

import numpy as np
import pandas as pd
import pytest

from cxlab import quality


@pytest.fixture()
def survey():
    return pd.DataFrame({
        "wave": [1] * 12 + [2] * 3,
        "segment": ["a"] * 12 + ["b"] * 3,
        "q1": [4, 4, 1, 2, 3, np.nan, 5, 5, 2, 3, 1, 4, 4, 2, 3],
        "q2": [4, 3, 2, 2, 3, np.nan, 5, 1, 2, 3, 1, 4, 4, 2, 3],
        "sec": [30, 400, 380, 420, 390, 410, 405, 395, 30, 400, 401, 399, 398, 402, 396],
    })


def test_sample_overview_suppresses_small_cells(survey):
    t = quality.sample_overview(survey, group=["wave", "segment"], min_n=5)
    assert t["suppressed"].tolist() == [False, True]
    assert t.loc[0, "n"] == 12 and pd.isna(t.loc[1, "n"]) and pd.isna(t.loc[1, "share"])
    assert t.loc[0, "share"] == pytest.approx(12 / 15)


def test_missingness_and_scale_scores(survey):
    m = quality.missingness(survey, {"s": ["q1", "q2"]}).iloc[0]
    assert (m["cells"], m["missing"], m["complete_cases"]) == (30, 2, 14)
    assert m["missing_share"] == pytest.approx(2 / 30)
    scores = quality.scale_scores(survey, {"s": ["q1", "q2"]})["s"]
    assert scores.iloc[1] == 3.5 and pd.isna(scores.iloc[5])


def test_straightliners_and_speeders(survey):
    flat = quality.straightliners(survey, ["q1", "q2"], min_answered=2)
    # identical answers on both items, among respondents who answered both
    expected = (survey["q1"] == survey["q2"]) & survey[["q1", "q2"]].notna().all(axis=1)
    assert flat.tolist() == expected.tolist()
    fast = quality.speeders(survey, "sec")  # a third of the median (398 s) is 132.7 s
    assert fast[fast].index.tolist() == [0, 8]
    summary = quality.flags_summary({"speeder": fast}).set_index("flag")
    assert summary.loc["any flag", "respondents"] == 2


def test_missing_columns_are_named(survey):
    with pytest.raises(ValueError, match=r"The 'scales' parameter of scale_scores names columns not in the data: \['q9'\]"):
        quality.scale_scores(survey, {"s": ["q1", "q9"]})
    with pytest.raises(ValueError, match=r"The 'duration' parameter of speeders names columns not in the data"):
        quality.speeders(survey, "seconds")
    with pytest.raises(ValueError, match=r"The 'group' parameter of sample_overview"):
        quality.sample_overview(survey, group=["region"])
