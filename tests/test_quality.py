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


def test_determined_items_finds_copies_and_recodes_and_nothing_else():
    rng = np.random.default_rng(3)
    n = 120
    df = pd.DataFrame({"q1": rng.integers(1, 8, n).astype(float), "q2": rng.integers(1, 6, n).astype(float),
                       "q3": rng.integers(1, 6, n).astype(float), "id": np.arange(n)})
    df["r1"] = df["q1"].map({1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5, 7: 5})  # 7 points recoded to 5
    df["r2"] = 6 - df["q2"]  # reversed: each determines the other
    df["c3"] = df["q3"]  # a copy
    df.loc[[0, 5, 9], "r1"] = np.nan  # missing answers are left out of the comparison
    found = quality.determined_items(df, ["q1", "q2", "q3", "r1", "r2", "c3", "id"])
    assert found.to_dict("records") == [
        {"item": "r1", "by": "q1", "pairs": n - 3, "kind": "recode"},
        {"item": "r2", "by": "q2", "pairs": n, "kind": "one-to-one recode"},
        {"item": "c3", "by": "q3", "pairs": n, "kind": "same answers"}]  # never the id, which fixes everything
    df.loc[1, "r1"] = 5.0 if df.loc[1, "q1"] < 6 else 1.0  # one answer off: no longer determined
    assert "r1" not in quality.determined_items(df, ["q1", "r1"])["item"].tolist()
    few = df.head(20)  # a perfect association in 20 answers proves nothing
    assert quality.determined_items(few, ["q2", "r2"]).empty
    assert quality.determined_items(df.assign(k=1.0), ["q1", "k"]).empty  # a constant item
    text = quality.describe_quality(df, missing=quality.missingness(df, {"q": ["q1"]}),
                                    flags=quality.flags_summary({"speeder": pd.Series(False, index=df.index)}),
                                    determined=found.head(1))
    assert text.endswith("One item duplicates another: r1 (a recode of q1). Each answer to the second fixes the "
                         "answer to the first, so a scale or model holding both counts one question twice; keep "
                         "one of the pair.")
    two = pd.DataFrame({"item": ["s4", "s4", "s2"], "by": ["q6", "s1", "q7"], "pairs": 40, "kind": "recode"})
    text = quality.describe_quality(df, missing=quality.missingness(df, {"q": ["q1"]}),
                                    flags=quality.flags_summary({"speeder": pd.Series(False, index=df.index)}),
                                    determined=two)  # an item fixed by two others is named once
    assert ("2 items duplicate another: s4 (a recode of q6 and a recode of s1) and s2 (a recode of q7). "
            "Each answer") in text and text.endswith("keep one of each pair.")


def test_the_corporate_reputation_survey_has_recoded_items(tmp_path, monkeypatch):
    """corp_rep's switching-cost items are recodes of quality items: the data layer flags each pair."""
    from conftest import SHARED
    from cxlab.data import load_survey
    from cxlab.draft import new_study_from_survey
    from cxlab.study import load_study

    path = SHARED / "data" / "external" / "corp_rep" / "corp_rep_data.csv"
    if not path.is_file():
        pytest.skip("../shared/data/external is not here")
    monkeypatch.setenv("CXLAB_ROOT", str(tmp_path))
    study = load_study(new_study_from_survey("corp", path))
    quality_table = load_survey(study.data["survey"], study.codebook).quality
    flagged = quality_table[quality_table["problem"].str.startswith("recode of")]
    assert list(zip(flagged["column"], flagged["problem"])) == [
        ("switch_3", "recode of qual_5"), ("switch_1", "recode of qual_6"), ("switch_4", "recode of qual_6"),
        ("switch_2", "recode of qual_7"), ("switch_4", "recode of switch_1")]
    assert set(flagged["handling"]) == {"flagged"}
