"""Study files: validation on load, every problem reported at once, each naming its key."""

from __future__ import annotations

import shutil

import pytest
import yaml

from cxlab.study import PARAMETERS, StudyError, load_study, parse_override
from conftest import DEMO


@pytest.fixture()
def study_copy(tmp_path):
    """Copy of the demo study folder whose YAML a test can edit."""
    dst = tmp_path / "data" / "raw" / "demo"
    shutil.copytree(DEMO, dst, ignore=shutil.ignore_patterns("contacts.parquet"))
    return dst / "study.yaml"


def edit(path, change):
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def test_demo_study_loads_with_defaults_and_overrides():
    study = load_study(DEMO / "study.yaml", overrides={"seed": 11, "estimator": "MLR"})
    assert study.name == "demo"
    assert study.parameters["seed"] == 11 and study.parameters["estimator"] == "MLR"
    assert dict(study.overrides) == {"seed": 11, "estimator": "MLR"}
    assert study.parameters["min_cell_size"] == 10
    assert set(study.parameters) == set(PARAMETERS)
    # SERVQUAL dimensions become e_/p_ scales with the SERVQUAL range
    assert study.codebook.scales["p_reliability"]["items"] == ("p_rel1", "p_rel2", "p_rel3", "p_rel4", "p_rel5")
    assert study.codebook.item_ranges()["nps"] == (0, 10)
    assert study.root == DEMO.parent.parent.parent
    assert study.processed_dir == study.root / "data" / "processed" / "demo"


def test_all_problems_reported_at_once_each_naming_its_key(study_copy):
    def break_it(doc):
        doc["colour"] = "blue"                              # unknown top-level key
        doc["parameters"]["alpha_level"] = 2                # out of range
        doc["parameters"]["bootstrap"] = "many"             # wrong type
        doc["parameters"]["estimatr"] = "ML"                # unknown parameter
        doc["data"]["survey"] = "nowhere.csv"               # missing file
        doc["codebook"]["scales"]["satisfaction"]["range"] = [7, 1]
        doc["codebook"]["reverse_keyed"] = ["not_an_item"]

    edit(study_copy, break_it)
    with pytest.raises(StudyError) as info:
        load_study(study_copy)
    problems = info.value.problems
    expected = ["colour: unknown key", "parameters.alpha_level: must be in (0, 0.5]",
                "parameters.bootstrap: must be an integer", "parameters.estimatr: unknown parameter",
                "data.survey: file not found", "codebook.scales.satisfaction.range: low must be below high",
                "codebook.reverse_keyed: 'not_an_item'"]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected), problems
    assert str(study_copy) in str(info.value)


def test_columns_named_by_codebook_and_models_must_exist(study_copy):
    def break_it(doc):
        doc["codebook"]["single_items"]["nps"]["column"] = "recommend"
        doc["models"]["measurement"] += "extra =~ p_tan1 + p_typo\n"

    edit(study_copy, break_it)
    with pytest.raises(StudyError) as info:
        load_study(study_copy)
    msg = str(info.value)
    assert "codebook.single_items.nps: column 'recommend' not in survey.csv" in msg
    assert "models.measurement: 'p_typo' is neither a latent variable" in msg


def test_bad_override_is_named():
    with pytest.raises(StudyError, match=r"override.estimator: must be one of 'ML', 'MLR', 'WLSMV'; got 'OLS'"):
        load_study(DEMO / "study.yaml", overrides={"estimator": "OLS"})
    with pytest.raises(StudyError, match=r"override.n_factors: must be in \[1, 50\]; got 0"):
        load_study(DEMO / "study.yaml", overrides={"n_factors": 0})


def test_wlsmv_with_fiml_is_refused_before_anything_runs():
    with pytest.raises(StudyError, match=r"parameters.missing: 'fiml' is not available with estimator 'WLSMV'"):
        load_study(DEMO / "study.yaml", overrides={"estimator": "WLSMV", "missing": "fiml"})
    load_study(DEMO / "study.yaml", overrides={"estimator": "WLSMV"})  # listwise: fine


def test_parse_override():
    assert parse_override("alpha_level=0.01") == ("alpha_level", 0.01)
    assert parse_override("n_factors=null") == ("n_factors", None)
    with pytest.raises(StudyError, match="expected NAME=VALUE"):
        parse_override("seed")


def test_missing_study_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="Study file not found"):
        load_study(tmp_path / "nope.yaml")


def test_not_a_mapping(tmp_path):
    (tmp_path / "s.yaml").write_text("- just\n- a list\n")
    with pytest.raises(StudyError, match="must hold a mapping"):
        load_study(tmp_path / "s.yaml")


def test_new_study_copies_the_demo(tmp_path, monkeypatch, demo_contacts):
    from cxlab.study import new_study

    shutil.copytree(DEMO, tmp_path / "data" / "raw" / "demo")
    monkeypatch.setenv("CXLAB_ROOT", str(tmp_path))
    path = new_study("wave3")
    study = load_study(path)
    assert study.name == "wave3" and study.root == tmp_path
    assert (path.parent / "survey.csv").read_bytes() == (DEMO / "survey.csv").read_bytes()
    with pytest.raises(ValueError, match="already exists"):
        new_study("wave3")
    with pytest.raises(ValueError, match="The 'name' parameter of new_study must use letters"):
        new_study("no spaces")


# ------------------------------------------------------------- data read options and policies
def test_data_read_options_and_policies(study_copy):
    def configure(doc):
        doc["data"]["survey"] = {"path": "survey.csv", "delimiter": ",", "decimal": ".", "encoding": "utf-8"}
        doc["data"]["contacts"] = {"path": "contacts.parquet", "timezone": "Europe/Amsterdam",
                                   "on_invalid": {"bad_duration": "drop"}, "columns": {"customer_id": "customer_id"}}
        doc["codebook"]["on_invalid"] = "set_missing"
        doc["codebook"]["free_text"] = []

    edit(study_copy, configure)
    study = load_study(study_copy, check_data=False)
    assert study.data["survey"].name == "survey.csv"
    assert dict(study.data_options["survey"]) == {"delimiter": ",", "decimal": ".", "encoding": "utf-8"}
    assert study.data_options["contacts"]["on_invalid"]["bad_duration"] == "drop"
    assert study.data_options["contacts"]["on_invalid"]["missing_customer"] == "drop"
    # one word sets every problem where it applies; duplicates cannot be "set missing"
    assert dict(study.codebook.on_invalid) == {"non_numeric": "set_missing", "out_of_range": "set_missing",
                                               "duplicate_id": "error", "missing_id": "error",
                                               "undeclared_identifier": "drop"}
    # a bare path still works, with the defaults
    demo = load_study(DEMO / "study.yaml")
    assert dict(demo.data_options["survey"]) == {} and demo.codebook.on_invalid["out_of_range"] == "error"


def test_bad_data_options_are_named(study_copy):
    def break_it(doc):
        doc["data"]["survey"] = {"path": "survey.csv", "delimiter": ";;", "decimal": "x", "encoding": "klingon",
                                 "header_rows": 0, "colour": 1}
        doc["data"]["contacts"] = {"database": "postgres://h/db", "timezone": "Mars/Olympus",
                                   "on_invalid": {"bad_duration": "ignore", "late": "drop"}}
        doc["codebook"]["on_invalid"] = {"duplicate_id": "set_missing"}

    edit(study_copy, break_it)
    with pytest.raises(StudyError) as info:
        load_study(study_copy)
    expected = [
        "data.survey.colour: unknown key",
        "data.survey.delimiter: must be one character such as ';' or ','; got ';;'",
        "data.survey.decimal: must be '.' or ','; got 'x'",
        "data.survey.encoding: unknown encoding 'klingon'",
        "data.survey.header_rows: must be an integer in [1, 10]; got 0",
        "data.contacts.table: required with 'database' (the table name); got None",
        "data.contacts.timezone: unknown time zone 'Mars/Olympus'",
        "data.contacts.on_invalid.bad_duration: must be one of 'set_missing', 'drop', 'error'; got 'ignore'",
        "data.contacts.on_invalid.late: unknown problem",
        "codebook.on_invalid.duplicate_id: must be one of 'error', 'drop'; got 'set_missing'",
    ]
    problems = info.value.problems
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected), problems


def test_free_text_columns_must_exist(study_copy):
    edit(study_copy, lambda doc: doc["codebook"].update(free_text=["no_such_column"]))
    with pytest.raises(StudyError, match="codebook.free_text: column 'no_such_column' not in survey.csv"):
        load_study(study_copy)
