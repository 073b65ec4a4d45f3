"""`cxlab new NAME --survey FILE`: a draft study inferred from the user's own survey file.

Unit tests of each inference on small frames, drafts of the real surveys in
../shared/data/external (skipped when that folder is absent), and the command run for real
in a throw-away project.

Every draft written here passes ``load_study`` (``test_drafts_validate_with_load_study``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cxlab.data import DataError
from cxlab.draft import draft_study, infer_draft, item_stem, new_study_from_survey, render_study, usual_range
from cxlab.readers import Table

from conftest import DEMO, SHARED, cxlab_cmd

EXTERNAL = SHARED / "data" / "external"
needs_shared = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/data/external is absent")


def frame(**columns) -> pd.DataFrame:
    """A survey table as read_table gives it: every cell text."""
    return pd.DataFrame({k: [str(v) for v in vals] for k, vals in columns.items()})


def codebook(text: str) -> dict:
    return yaml.safe_load(text)["codebook"]


# ------------------------------------------------------------------ stems and scales
def test_item_stem_separators_and_case():
    assert item_stem("IMAG1") == ("IMAG", 1)
    assert item_stem("csor_12") == ("csor", 12)
    assert item_stem("sat.3") == ("sat", 3)
    assert item_stem("p_tan4") == ("p_tan", 4)
    assert item_stem("a01") == ("a", 1)
    for name in ("CUSCO", "cusa", "csor_global", "q1_a", "2019", "_1"):
        assert item_stem(name) is None, name


def test_items_grouped_by_stem_global_items_and_singletons():
    d = infer_draft(frame(
        IMAG1=[1, 5, 7, 4, 2], IMAG2=[2, 6, 7, 3, 3], IMAG3=[1, 4, 6, 5, 2],
        csor_2=[3, 4, 5, 1, 2], csor_1=[3, 3, 5, 2, 2], csor_global=[2, 4, 5, 1, 3],
        **{"sat.1": [1, 2, 3, 4, 5], "sat.2": [2, 2, 3, 5, 5]},
        Imag1=[1, 2, 3, 4, 5], Imag2=[1, 3, 3, 4, 5],            # another stem: case is kept
        CUSCO=[1, 10, 5, 7, 8], cusa1=[1, 2, 3, 4, 5]))
    scales = {s.name: s.items for s in d.scales}
    assert scales == {"IMAG": ("IMAG1", "IMAG2", "IMAG3"), "csor": ("csor_1", "csor_2"), "sat": ("sat.1", "sat.2"),
                      "Imag": ("Imag1", "Imag2")}                 # items ordered by number
    singles = {s.name: s.column for s in d.single_items}
    assert singles == {"csor_global": "csor_global", "CUSCO": "CUSCO", "cusa1": "cusa1"}
    notes = {s.name: s.note for s in d.single_items}
    assert "global item" in notes["csor_global"] and "csor" in notes["csor_global"]
    assert notes["cusa1"] == "the only item numbered like cusa"


def test_binary_groups_text_and_demographics_are_not_items():
    d = infer_draft(frame(
        q1=[1, 2, 3, 4, 5, 3], q2=[2, 3, 4, 5, 1, 3],
        mga_1=[1, 2, 1, 2, 1, 2], mga_2=[2, 2, 1, 1, 1, 2],      # yes/no indicators
        age=[1, 2, 3, 4, 5, 6], education=[1, 2, 3, 4, 1, 2], nphh=[1, 2, 3, 4, 5, 1],
        comment=["fine", "slow service", "ok", "good", "bad", "meh"],
        score=[1.5, 2.5, 3.0, 4.0, 2.0, 1.0],                    # not whole numbers
        flag=[0, 1, 0, 1, 1, 0]))                                # two values only
    assert [s.name for s in d.scales] == ["q"] and d.single_items == ()
    assert set(d.unused) == {"mga_1", "mga_2", "age", "education", "nphh", "comment", "score", "flag"}
    assert "only 2 values" in d.unused["mga_1"] and "demographic" in d.unused["age"]
    d = infer_draft(frame(age_group=[1, 2, 3, 4], job_satisfaction=[1, 3, 4, 5], brand_name=["A", "B", "A", "B"]))
    assert [s.column for s in d.single_items] == ["job_satisfaction"] and "age_group" in d.unused
    assert d.segment == "brand_name" and d.identifiers == ()


# ------------------------------------------------------------------ ranges and missing codes
@pytest.mark.parametrize("found, usual", [
    ((1, 5), (1, 5)), ((1, 7), (1, 7)), ((2, 7), (1, 7)), ((3, 7), (1, 7)), ((1, 6), (1, 7)),
    ((0, 10), (0, 10)), ((0, 9), (0, 10)), ((1, 10), (1, 10)), ((2, 10), (1, 10)), ((1, 9), (1, 10)),
    ((1, 4), (1, 5)), ((4, 7), (4, 7)), ((0, 100), (0, 100)), ((20, 100), (20, 100)), ((-3, 3), (-3, 3))])
def test_usual_range(found, usual):
    assert usual_range(*found) == usual


def test_scale_range_pools_its_items():
    d = infer_draft(frame(q1=[2, 3, 4, 5], q2=[3, 4, 6, 5], q3=[2, 2, 3, 4]))
    assert d.scales[0].observed == (2, 6) and d.scales[0].range == (1, 7)


def test_numeric_and_text_missing_codes():
    d = infer_draft(frame(
        a1=[1, 2, 3, -99, 5, 4], a2=[1, 99, 3, 4, 5, 2], a3=[999, 2, 3, 4, 5, 1],
        b1=[-9, 2, 3, 4, 5, 6], b2=["don't know", 2, 3, 4, 7, "N/A"],
        c=[0, 10, "weet niet", 5, 7, 8]))
    assert d.missing_codes == (-99, -9, 99, 999, "don't know", "N/A", "weet niet")
    assert {s.name: s.range for s in d.scales} == {"a": (1, 5), "b": (1, 7)}
    assert d.single_items[0].range == (0, 10)
    assert "-99 in a1" in d.notes["missing_codes"] and "'N/A' in b2" in d.notes["missing_codes"]


def test_a_code_that_is_an_answer_elsewhere_is_not_listed():
    # 99 is far outside q1's answers but an ordinary answer of the 0-100 items s1, s2
    d = infer_draft(frame(q1=[1, 2, 3, 99, 5], q2=[1, 2, 3, 4, 5],
                          s1=[0, 20, 99, 60, 100], s2=[10, 20, 40, 60, 100]))
    assert d.missing_codes == ()
    assert "NOT listed" in d.notes["missing_codes"] and "99 (an answer in s1; out of range in q1)" in d.notes["missing_codes"]
    assert d.scales[0].name == "q" and d.scales[0].range == (1, 5)  # 99 stays out of q1's range


def test_codes_near_the_answers_are_answers():
    d = infer_draft(frame(age_of_car=[1, 5, 9, 12, 30], q1=[1, 2, 3, 4, 5], q2=[2, 3, 4, 5, 1],
                          years=[10, 40, 60, 85, 99]))
    assert d.missing_codes == ()


# ------------------------------------------------------------------ roles
def test_id_guesses():
    unique = ["r1", "r2", "r3", "r4", "r5", "r6"]
    items = dict(q1=[1, 2, 3, 4, 5, 3], q2=[2, 3, 4, 5, 1, 3])
    assert infer_draft(frame(respondent_id=[11, 12, 13, 14, 15, 16], **items)).respondent_id == "respondent_id"
    assert infer_draft(frame(resp_id=unique, **items)).respondent_id == "resp_id"
    assert infer_draft(frame(ID=[1, 2, 3, 4, 5, 6], **items)).respondent_id == "ID"  # named: 1..n is an id
    assert infer_draft(frame(code=unique, **items)).respondent_id == "code"          # unique, no spaces
    d = infer_draft(frame(id=["r1", "r1", "r2", "r3", "r4", "r5"], **items))         # not unique
    assert d.respondent_id is None and "not unique" in d.unused["id"]
    d = infer_draft(frame(remark=["a b", "c d", "e f", "g h", "i j", "k l"], number=[5, 8, 9, 20, 31, 44], **items))
    assert d.respondent_id is None and "numbered by row" in d.notes["respondent_id"]
    d = infer_draft(frame(customer_id=["c1", "c1", "c2", "c3", "c4", "c5"], **items))
    assert d.customer_id == "customer_id" and d.respondent_id is None


def test_segment_guess_by_name_and_cardinality():
    items = dict(q1=[1, 2, 3, 4, 5, 3, 2, 1], q2=[2, 3, 4, 5, 1, 3, 2, 2])
    d = infer_draft(frame(serviceprovider=[1, 2, 3, 4, 1, 2, 3, 4], servicetype=[1, 2, 1, 2, 1, 2, 1, 2],
                          sample_type=[1, 2, 3, 4, 4, 3, 2, 1], **items))
    assert d.segment == "servicetype" and d.segment_codes == (1, 2)
    assert "other candidates: sample_type, serviceprovider" in d.notes["segment"]
    assert infer_draft(frame(Segment=list("abcabcab"), gender=list("mfmfmfmf"), **items)).segment == "Segment"
    assert infer_draft(frame(gender=list("mfmfmfmf"), **items)).segment == "gender"
    assert infer_draft(frame(store=["North", "South"] * 4, **items)).segment == "store"
    assert infer_draft(frame(city=list("abcdefgh"), **items)).segment is None   # 8 values in 8 rows
    assert infer_draft(frame(**items)).segment is None


def test_wave_date_duration_identifiers_by_name():
    d = infer_draft(frame(
        wave=[1, 1, 2, 2], StartDate=["2024-01-02", "2024-01-03", "2024-04-01", "2024-04-02"],
        survey_date=["2024-01-02", "2024-01-03", "2024-04-01", "2024-04-02"],
        **{"Duration (in seconds)": [300, 412, 95, 600]},
        email=["a@x.nl", "b@x.nl", "c@x.nl", "d@x.nl"], q1=[1, 2, 3, 4], q2=[2, 3, 4, 5]))
    assert (d.wave, d.date, d.duration) == ("wave", "survey_date", "Duration (in seconds)")
    assert d.identifiers == ("email",) and d.respondent_id is None
    d = infer_draft(frame(date=["soon", "later", "never", "now"], q1=[1, 2, 3, 4], q2=[2, 3, 4, 5]))
    assert d.date is None                                      # named like a date, but not dates


def test_metrics_by_name():
    d = infer_draft(frame(NPS=[0, 10, 9, 7, 3], recommend_friend=[1, 2, 3, 4, 5], CES=[1, 7, 3, 4, 2],
                          csat=[1, 5, 4, 3, 2], temkin1=[1, 2, 3, 4, 5], temkin2=[2, 3, 3, 4, 5]))
    singles = {s.name: (s.column, s.range) for s in d.single_items}
    assert singles == {"nps": ("NPS", (0, 10)), "recommend_friend": ("recommend_friend", (1, 5)),
                       "ces": ("CES", (1, 7)), "csat": ("csat", (1, 5))}
    assert dict(d.metrics) == {"nps": "nps", "ces": "ces", "csat": "csat", "temkin": "temkin"}
    # an NPS item answered 1..9 keeps the NPS range 0..10
    assert infer_draft(frame(nps=[1, 9, 5, 7])).single_items[0].range == (0, 10)


def test_a_single_item_named_like_a_scale_gets_its_own_key():
    d = infer_draft(frame(sat1=[1, 2, 3, 4], sat2=[2, 3, 4, 5], sat=[1, 3, 5, 7]))
    assert [s.name for s in d.scales] == ["sat"]
    assert [(s.name, s.column) for s in d.single_items] == [("sat_item", "sat")]


def test_no_item_like_columns_is_refused():
    table = Table(pd.DataFrame({"x": ["0.13", "-1.2"], "name": ["a b", "c d"]}), source="z.csv")
    with pytest.raises(DataError, match=r"^z\.csv: no item-like columns .* among its 2 column\(s\): x, name"):
        infer_draft(table)


# ------------------------------------------------------------------ the YAML
SURVEY = frame(respondent_id=["r1", "r2", "r3", "r4", "r5", "r6"], segment=list("ababab"),
               IMAG1=[1, 5, 7, 4, 2, -99], IMAG2=[2, 6, 7, 3, 3, 4], IMAG3=[1, 4, 6, 5, 2, 3],
               loy1=[1, 2, 3, 4, 5, 6], loy2=[2, 2, 3, 5, 5, 6], nps=[0, 10, 9, 8, 7, "don't know"],
               sat=[1, 2, 3, 4, 5, 5])


def test_yaml_follows_the_schema_and_is_deterministic():
    d = infer_draft(SURVEY)
    text = render_study(d, name="shop", survey="shop.csv")
    assert text == render_study(infer_draft(SURVEY), name="shop", survey="shop.csv")
    doc = yaml.safe_load(text)
    assert list(doc) == ["name", "title", "description", "data", "codebook", "models", "parameters"]
    assert doc["name"] == "shop" and doc["data"] == {"survey": "shop.csv"}
    cb = doc["codebook"]
    assert list(cb) == ["respondent_id", "customer_id", "segment", "wave", "date", "duration", "missing_codes",
                        "scales", "single_items", "labels", "metrics"]
    assert (cb["respondent_id"], cb["customer_id"], cb["segment"]) == ("respondent_id", None, "segment")
    assert cb["missing_codes"] == [-99, "don't know"]
    assert cb["scales"] == {"IMAG": {"items": ["IMAG1", "IMAG2", "IMAG3"], "range": [1, 7], "label": "IMAG"},
                            "loy": {"items": ["loy1", "loy2"], "range": [1, 7], "label": "loy"}}
    assert cb["single_items"] == {"nps": {"column": "nps", "range": [0, 10], "label": "nps"},
                                  "sat": {"column": "sat", "range": [1, 5], "label": "sat"}}
    assert cb["labels"] == {} and cb["metrics"] == {"nps": "nps"}
    assert doc["models"] == {"measurement": "IMAG =~ IMAG1 + IMAG2 + IMAG3\nloy  =~ loy1 + loy2\n"}
    assert doc["parameters"] == {"outcome": None, "loyalty": None}
    # what was inferred is said beside it, and the user is told what to edit
    assert "# found: -99 in IMAG1; \"don't know\" in nps" in text
    assert "loy has only two items: identified only together with the other factors" in text
    assert "(sat looks like one)" in text and "(loy looks like one)" in text
    assert "#   sat ~ IMAG\n  #   loy ~ sat\n" in text                      # the structural template
    assert "labels: {1: " not in text                                          # text segments need no labels


def test_yaml_quotes_what_yaml_needs_and_names_codes():
    table = frame(**{"yes": [1, 2, 3, 4], "no": [2, 3, 4, 5], "q: 1": [1, 2, 4, 5], "plan": [1, 2, 1, 2],
                     "x1": [1, 2, 3, 4], "x2": [4, 3, 2, 1]})
    text = render_study(infer_draft(table), name="t", survey="my survey.csv")
    doc = yaml.safe_load(text)
    assert set(doc["codebook"]["single_items"]) == {"yes", "no", "q: 1"}   # keys stay strings
    assert doc["codebook"]["segment"] == "plan" and doc["data"]["survey"] == "my survey.csv"
    assert "segment: {column: plan, labels: {1: '...', 2: '...'}}" in text
    assert "x1 + x2" in doc["models"]["measurement"]


def test_any_column_name_survives_the_yaml():
    names = ["Q 1", "ü-sat", "it's", "a #b", "1st", "x: y", "null", "true", "-x", "[a]", "{b}", '"q"', "tab\there",
             "Satisfaction\n(1-10)", "line\nbreak1", "line\nbreak2"]
    table = frame(**{n: [1, 2, 3, 4, 5] for n in names}, ok1=[1, 2, 3, 4, 5], ok2=[2, 3, 4, 5, 1])
    doc = yaml.safe_load(render_study(infer_draft(table), name="w", survey="a b #c.csv"))
    assert sorted(v["column"] for v in doc["codebook"]["single_items"].values()) == sorted(names)
    assert doc["codebook"]["scales"]["ok"]["items"] == ["ok1", "ok2"] and doc["data"]["survey"] == "a b #c.csv"


def test_one_two_item_scale_alone_is_flagged_and_no_scale_means_no_model():
    text = render_study(infer_draft(frame(q1=[1, 2, 3, 4], q2=[2, 3, 4, 5])), name="t", survey="s.csv")
    assert "q has only two items: a one-factor model of two items is not identified" in text
    text = render_study(infer_draft(frame(csat=[1, 2, 3, 4, 5])), name="t", survey="s.csv")
    assert yaml.safe_load(text)["models"] == {} and "no scale with two or more items" in text
    table = frame(**{"my sat1": [1, 2, 3, 4], "my sat2": [2, 3, 4, 5], "q1": [1, 2, 3, 4], "q2": [2, 3, 4, 4]})
    text = render_study(infer_draft(table), name="t", survey="s.csv")
    assert yaml.safe_load(text)["models"] == {"measurement": "q =~ q1 + q2\n"}
    assert "Left out: my sat (names lavaan cannot read" in text
    text = render_study(infer_draft(table[["my sat1", "my sat2"]]), name="t", survey="s.csv")
    assert yaml.safe_load(text)["models"] == {} and "my sat has names lavaan cannot read" in text


def test_an_item_another_item_fixes_is_named_beside_the_model():
    import numpy as np

    rng = np.random.default_rng(5)
    q = rng.integers(1, 8, size=(200, 3))
    table = frame(q1=q[:, 0], q2=q[:, 1], q3=q[:, 2], s1=np.minimum(q[:, 0], 5), s2=rng.integers(1, 6, 200),
                  s3=[-99] * 5 + list(rng.integers(1, 6, 195)))
    table.loc[:9, "s1"] = "-99"  # a missing code in the recoded item: left out of the comparison
    draft = infer_draft(table)
    assert draft.duplicates == (("s1", "q1", "recode"),)
    text = render_study(draft, name="t", survey="s.csv")
    assert ("  # s1 is a recode of q1 (each answer to q1 fixes s1's): one question counted twice; keep one of them.\n"
            "  measurement: |") in text
    assert not infer_draft(table.drop(columns="s1")).duplicates


def test_other_formats_and_decimal_commas(tmp_path):
    import pyreadstat

    df = pd.DataFrame({"type": [1.0, 2.0, 1.0, 2.0], "q1": [1.0, 9.0, 3.0, 4.0], "q2": [2.0, 3.0, 4.0, 5.0],
                       "duur": [300.5, 200.25, 100.0, 90.5], "wave": [1.0, 1.0, 2.0, 2.0]})
    pyreadstat.write_sav(df, tmp_path / "s.sav", variable_value_labels={
        "type": {1: "Postpaid", 2: "Prepaid"}, "q1": {1: "bad", 5: "good", 9: "weet niet"},
        "wave": {1: "Spring 2024", 2: "Autumn 2024"}})
    sav = yaml.safe_load(draft_study(tmp_path / "s.sav", "s"))
    assert sav["codebook"]["segment"] == {"column": "type", "labels": {1: "Postpaid", 2: "Prepaid"}}
    assert sav["codebook"]["wave"] == {"column": "wave", "labels": {1: "Spring 2024", 2: "Autumn 2024"}}
    assert sav["codebook"]["missing_codes"] == [9] and sav["codebook"]["duration"] == "duur"
    assert sav["codebook"]["scales"]["q"]["range"] == [1, 5]

    df.to_parquet(tmp_path / "s.parquet")
    assert yaml.safe_load(draft_study(tmp_path / "s.parquet", "s"))["codebook"]["scales"]["q"]["items"] == ["q1", "q2"]

    df.to_excel(tmp_path / "s.xlsx", index=False)
    assert yaml.safe_load(draft_study(tmp_path / "s.xlsx", "s"))["codebook"]["duration"] == "duur"

    (tmp_path / "k.csv").write_bytes("id;q1;q2;duur\nr1;1;2;300,5\nr2;3;4;20,25\nr3;5;5;99\n".encode("cp1252"))
    doc = yaml.safe_load(draft_study(tmp_path / "k.csv", "k"))
    assert doc["data"]["survey"] == {"path": "k.csv", "decimal": ","} and doc["codebook"]["duration"] == "duur"


def test_excel_with_a_two_row_header(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Respondent", "Image", None, None, "Overall"])
    ws.append(["id", "IMAG1", "IMAG2", "IMAG3", "CUSA"])
    ws.merge_cells("B1:D1")
    for i, row in enumerate([[1, 2, 1, 3], [4, 5, 5, 6], [7, 6, 7, 7], [3, 3, 2, 4]]):
        ws.append([f"r{i}", *row])
    wb.save(tmp_path / "s.xlsx")
    doc = yaml.safe_load(draft_study(tmp_path / "s.xlsx", "s"))
    assert doc["data"]["survey"] == {"path": "s.xlsx", "header_rows": 2}
    assert doc["codebook"]["scales"]["IMAG"]["items"] == ["IMAG1", "IMAG2", "IMAG3"]
    assert doc["codebook"]["respondent_id"] == "id"


def test_reverse_keyed_items_are_suggested_in_a_comment():
    d = infer_draft(frame(sat1=[1, 2, 3, 4, 5, 2], sat2=[2, 2, 3, 5, 5, 1], sat3=[5, 4, 3, 2, 1, 4]))
    assert d.reverse_keyed_hint == ("sat3",)
    text = render_study(d, name="s", survey="s.csv")
    assert "  # reverse_keyed: [sat3]  # uncomment if" in text and "reverse_keyed" not in yaml.safe_load(text)["codebook"]
    assert infer_draft(SURVEY).reverse_keyed_hint == ()


def test_unreadable_and_missing_files_are_refused(tmp_path):
    (tmp_path / "s.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(DataError, match=r"^s\.xlsx: not a readable \.xlsx workbook"):
        draft_study(tmp_path / "s.xlsx", "s")
    (tmp_path / "s.json").write_text("{}")
    with pytest.raises(DataError, match=r"^s\.json: unsupported file type '\.json'"):
        draft_study(tmp_path / "s.json", "s")
    with pytest.raises(FileNotFoundError, match="Survey file not found"):
        draft_study(tmp_path / "nope.csv", "s")
    with pytest.raises(ValueError, match="The 'name' parameter of draft_study must use letters"):
        draft_study(tmp_path / "s.xlsx", "no spaces")


# ------------------------------------------------------------------ the real data sets
@needs_shared
def test_ecsi_mobi():
    cb = codebook(draft_study(EXTERNAL / "ecsi_mobi" / "mobi.csv", "mobi"))
    assert cb["scales"] == {
        name: {"items": [f"{name}{i}" for i in range(1, k + 1)], "range": [1, 10], "label": name}
        for name, k in (("CUEX", 3), ("CUSA", 3), ("CUSL", 3), ("IMAG", 5), ("PERQ", 7), ("PERV", 2))}
    assert cb["single_items"] == {"CUSCO": {"column": "CUSCO", "range": [1, 10], "label": "CUSCO"}}
    assert cb["respondent_id"] is None and cb["segment"] is None and cb["missing_codes"] == []


@needs_shared
def test_corporate_reputation():
    text = draft_study(EXTERNAL / "corp_rep" / "corp_rep_data.csv", "corp")
    cb = codebook(text)
    for name in ("csor", "attr", "perf", "qual", "like", "comp", "cusl"):
        assert cb["scales"][name]["range"] == [1, 7], name
        assert all(i.startswith(name + "_") and i[len(name) + 1:].isdigit() for i in cb["scales"][name]["items"])
    assert len(cb["scales"]["qual"]["items"]) == 8 and cb["scales"]["cusl"]["items"] == ["cusl_1", "cusl_2", "cusl_3"]
    assert set(cb["scales"]) == {"csor", "attr", "perf", "qual", "like", "comp", "cusl", "switch"}  # switching costs
    assert {k: v["column"] for k, v in cb["single_items"].items()} == {
        "csor_global": "csor_global", "attr_global": "attr_global", "perf_global": "perf_global",
        "qual_global": "qual_global", "cusa": "cusa"}
    assert all(v["range"] == [1, 7] for v in cb["single_items"].values())
    assert cb["missing_codes"] == [-99] and cb["segment"] == "servicetype" and cb["respondent_id"] is None
    measurement = yaml.safe_load(text)["models"]["measurement"]
    assert "csor_global" not in measurement and "mga_1" not in measurement
    assert "csor   =~ csor_1 + csor_2 + csor_3 + csor_4 + csor_5\n" in measurement


@needs_shared
def test_bank_satisfaction():
    doc = yaml.safe_load(draft_study(EXTERNAL / "plspm_satisfaction" / "satisfaction.csv", "bank"))
    cb = doc["codebook"]
    assert list(cb["scales"]) == ["imag", "expe", "qual", "val", "sat", "loy"]
    assert all(s["range"] == [0, 10] for s in cb["scales"].values())
    assert cb["segment"] == "gender" and cb["single_items"] == {} and cb["respondent_id"] is None
    assert doc["models"]["measurement"].count("=~") == 6


@needs_shared
@pytest.mark.parametrize("survey", ["ecsi_mobi/mobi.csv", "corp_rep/corp_rep_data.csv",
                                    "plspm_satisfaction/satisfaction.csv"])
def test_drafts_clean_the_real_surveys_without_data_errors(survey):
    """The inferred ranges and missing codes fit every answer: cxlab.data cleans the survey as drafted."""
    from cxlab.data import clean_survey, read_table
    from cxlab.study import Codebook

    path = EXTERNAL / survey
    cb = codebook(draft_study(path, "x"))
    raw = read_table(path)
    raw.data["row"] = [str(i) for i in range(1, len(raw.data) + 1)]  # the current schema needs an id column
    book = Codebook("row", None, (), cb["segment"], None, None, None, tuple(cb["missing_codes"]), (),
                    {k: {"items": tuple(v["items"]), "range": tuple(v["range"])} for k, v in cb["scales"].items()},
                    {k: {"column": v["column"], "range": tuple(v["range"])} for k, v in cb["single_items"].items()},
                    None)
    result = clean_survey(raw, book, source=path.name)
    clean = result.data
    assert len(clean) == len(raw.data) and result.quality.empty
    if "corp_rep" in survey:                       # the 70 cells coded -99, of which these in items
        items = [i for s in cb["scales"].values() for i in s["items"]] + [s["column"] for s in cb["single_items"].values()]
        assert int(clean[items].isna().sum().sum()) == int((raw.data[items] == "-99").sum().sum()) > 0


@needs_shared
def test_drafts_validate_with_load_study(tmp_path, monkeypatch):
    from cxlab.study import load_study

    monkeypatch.setenv("CXLAB_ROOT", str(tmp_path))
    for name, survey in (("mobi", "ecsi_mobi/mobi.csv"), ("corp", "corp_rep/corp_rep_data.csv"),
                         ("bank", "plspm_satisfaction/satisfaction.csv")):
        study = load_study(new_study_from_survey(name, EXTERNAL / survey))
        assert study.name == name and study.codebook.scales


# ------------------------------------------------------------------ the command, for real
def _project(tmp_path: Path) -> Path:
    """A project with the demo study in data/raw (its committed files only)."""
    shutil.copytree(DEMO, tmp_path / "data" / "raw" / "demo", ignore=shutil.ignore_patterns("contacts.parquet"))
    return tmp_path


def _survey(tmp_path: Path) -> Path:
    p = tmp_path / "in" / "Klanten 2024.csv"
    p.parent.mkdir()
    rows = ["id;segment;q1;q2;q3;nps"] + [f"r{i};{'ab'[i % 2]};{1 + i % 5};{1 + (i * 3) % 5};{1 + (i * 2) % 5};{i % 11}"
                                          for i in range(20)]
    p.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return p


def test_cli_new_survey_writes_the_draft_and_copies_no_demo_file(tmp_path):
    root, survey = _project(tmp_path / "proj"), _survey(tmp_path)
    env = {"CXLAB_ROOT": str(root)}
    done = cxlab_cmd("new", "klanten", "--survey", survey, env=env)
    assert done.returncode == 0, done.stderr
    folder = root / "data" / "raw" / "klanten"
    assert f"created {folder / 'study.yaml'}" in done.stdout and "cxlab check" in done.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["Klanten 2024.csv", "study.yaml"]  # nothing from the demo
    assert (folder / "Klanten 2024.csv").read_bytes() == survey.read_bytes()
    doc = yaml.safe_load((folder / "study.yaml").read_text(encoding="utf-8"))
    assert doc["name"] == "klanten" and doc["data"] == {"survey": "Klanten 2024.csv"}
    assert doc["codebook"]["respondent_id"] == "id" and doc["codebook"]["segment"] == "segment"
    assert doc["codebook"]["scales"]["q"]["items"] == ["q1", "q2", "q3"] and doc["codebook"]["metrics"] == {"nps": "nps"}
    assert sorted(p.name for p in (root / "data" / "raw").iterdir()) == ["demo", "klanten"]  # no temporary left

    again = cxlab_cmd("new", "klanten", "--survey", survey, env=env)   # the name exists: refused
    assert again.returncode == 2 and "klanten already exists" in again.stderr and "Traceback" not in again.stderr
    both = cxlab_cmd("new", "x", "--survey", survey, "--from", DEMO / "study.yaml", env=env)
    assert both.returncode == 2 and "not both" in both.stderr


def test_cli_new_survey_refuses_bad_files_and_leaves_nothing(tmp_path):
    root = _project(tmp_path / "proj")
    env = {"CXLAB_ROOT": str(root)}
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    (tmp_path / "z.csv").write_text("x,y\n0.5,1.25\n-0.3,2.5\n")
    for survey, code, message in ((tmp_path / "broken.xlsx", 1, "broken.xlsx: not a readable .xlsx workbook"),
                                  (tmp_path / "z.csv", 1, "z.csv: no item-like columns"),
                                  (tmp_path / "nope.csv", 2, "Survey file not found")):
        done = cxlab_cmd("new", "s", "--survey", survey, env=env)
        assert done.returncode == code and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    assert [p.name for p in (root / "data" / "raw").iterdir()] == ["demo"]


def test_new_study_from_survey_cleans_up_after_a_failure(tmp_path, monkeypatch):
    monkeypatch.setenv("CXLAB_ROOT", str(tmp_path))
    survey = _survey(tmp_path)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copyfile", fail)
    with pytest.raises(OSError, match="disk full"):
        new_study_from_survey("s", survey)
    assert os.listdir(tmp_path / "data" / "raw") == []
    monkeypatch.undo()
    monkeypatch.setenv("CXLAB_ROOT", str(tmp_path))
    os.chmod(survey, 0o444)                                          # a read-only original
    path = new_study_from_survey("s", survey)
    assert path == tmp_path / "data" / "raw" / "s" / "study.yaml" and path.is_file()
    umask = os.umask(0)
    os.umask(umask)
    assert (path.parent.stat().st_mode & 0o777) == 0o777 & ~umask       # an ordinary folder, not mkdtemp's 0700
    assert (path.parent / survey.name).stat().st_mode & 0o200            # a fresh copy the user may replace


@needs_shared
def test_cli_new_survey_with_mobi(tmp_path):
    root = _project(tmp_path)
    done = cxlab_cmd("new", "mobi", "--survey", EXTERNAL / "ecsi_mobi" / "mobi.csv", env={"CXLAB_ROOT": str(root)})
    assert done.returncode == 0, done.stderr
    folder = root / "data" / "raw" / "mobi"
    assert sorted(p.name for p in folder.iterdir()) == ["mobi.csv", "study.yaml"]
    text = (folder / "study.yaml").read_text(encoding="utf-8")
    assert "R's row numbers 1..n, was ignored" in text and "PERV has only two items" in text
    assert len(yaml.safe_load(text)["codebook"]["scales"]) == 6
