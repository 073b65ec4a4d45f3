"""The analysis table that notebooks 04 and the SEM use: scores, features, one row per respondent."""

import numpy as np
import pytest

import cxlab
from cxlab.data import load_contact_features, load_processed_survey, respondent_table
from conftest import DEMO


@pytest.fixture(scope="module")
def study(demo_contacts):
    return cxlab.load_study(DEMO / "study.yaml")


def test_scores_and_features_per_respondent(study):
    table = respondent_table(study)
    survey = load_processed_survey(study)
    features = load_contact_features(study)
    assert len(table) == len(survey) == table["respondent_key"].nunique()
    dims = list(study.codebook.servqual_items("p"))
    assert {"satisfaction", "intention_to_stay", *dims, "repeat_contacts", "nps", "segment"} <= set(table.columns)
    row = survey.set_index("respondent_key").loc[table["respondent_key"].iloc[0]]
    items = study.codebook.servqual_items("p")["reliability"]
    assert table["reliability"].iloc[0] == pytest.approx(np.nanmean(row[items].astype(float)))
    assert (table.set_index("respondent_key")["repeat_contacts"]
            == features.set_index("respondent_key")["repeat_contacts"].loc[table["respondent_key"]]).all()
    full = respondent_table(study, scores=False)
    assert "p_rel1" in full.columns and "reliability" not in full.columns and len(full) == len(survey)


def test_codebook_groups_and_ranges(study):
    cb = study.codebook
    groups = cb.item_groups()
    assert groups["nps"] == ["nps"] and groups["p_tangibles"] == ["p_tan1", "p_tan2", "p_tan3", "p_tan4"]
    assert cb.score_ranges(["satisfaction", "empathy"]) == {"satisfaction": (1, 7), "empathy": (1, 7)}
    with pytest.raises(ValueError, match="The 'names' parameter of score_ranges must hold scales"):
        cb.score_ranges(["weather"])
