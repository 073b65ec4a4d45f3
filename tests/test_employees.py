"""The employee side: the employee survey in the study schema (validated, pseudonymised), the
attribution of respondents to teams, and the demo's planted Service Profit Chain recovered by the
multilevel analysis of report 04 (planted effects inside the reported intervals)."""

from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest
import yaml

from conftest import DEMO, cxlab_cmd
from cxlab import employees, teams
from cxlab.readers import DataError
from cxlab.study import StudyError, load_study

ITEMS = ["q1", "q2", "q3"]


def _write(tmp_path, text, name="emp.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- reading and checking the employee survey ----------------------------------------


def test_a_clean_survey_gives_scores(tmp_path):
    path = _write(tmp_path, "agent_id,team_id,q1,q2,q3\nA1,T1,4,5,6\nA2,T1,,,3\nA3,T2,2,,4\n")
    out = employees.load_employee_survey(path, items=ITEMS)
    assert out["engagement"].round(4).tolist()[0] == 5.0
    assert pd.isna(out["engagement"][1])  # one of three answered: below half
    assert out["engagement"][2] == 3.0
    teams = employees.team_engagement(out)
    assert teams.set_index("team_id")["agents"].to_dict() == {"T1": 1, "T2": 1}


@pytest.mark.parametrize("text, expected", [
    ("agent_id,team_id,q1,q2\nA1,T1,4,5\n", r"emp\.csv: column\(s\) 'q3' missing"),
    ("agent_id,team_id,q1,q2,q3\n,T1,4,5,6\nA2,T1,4,5,6\n", r"emp\.csv: column 'agent_id' is empty in row 2"),
    ("agent_id,team_id,q1,q2,q3\nA1,T1,4,5,6\nA1,T2,4,5,6\n",
     r"emp\.csv: column 'agent_id' repeats an agent in rows 2, 3"),
    ("agent_id,team_id,q1,q2,q3\nA1,,4,5,6\n", r"emp\.csv: column 'team_id' is empty in row 2"),
    ("agent_id,team_id,q1,q2,q3\nA1,T1,4,5,6\nA2,T1,4,7,6\n",
     r"emp\.csv: column 'q2' has 1 answer\(s\) outside 0\.\.6 in row 3 \(7\)"),
    ("agent_id,team_id,q1,q2,q3\nA1,T1,4,5,often\n",
     r"emp\.csv: column 'q3' has 1 non-numeric answer\(s\) in row 2 \(often\)"),
    ("agent_id,team_id,q1,q2,q3\nA1,T1,4.5,5,6\n", r"emp\.csv: column 'q1' has 1 answer\(s\) non-whole in row 2"),
])
def test_bad_employee_survey_is_named(tmp_path, text, expected):
    with pytest.raises(DataError, match=expected):
        employees.load_employee_survey(_write(tmp_path, text), items=ITEMS)


def _study_with(tmp_path, employees_entry, csv=None):
    shutil.copy(DEMO / "survey.csv", tmp_path / "survey.csv")
    raw = yaml.safe_load((DEMO / "study.yaml").read_text())
    raw["data"] = {"survey": "survey.csv", "employees": employees_entry}
    if csv is not None:
        (tmp_path / "emp.csv").write_text(csv)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("entry, csv, expected", [
    ("emp.csv", "agent_id,team_id,q1\nA1,T1,4\n", r"data\.employees: must be a mapping with path and items"),
    ({"path": "emp.csv", "items": []}, "agent_id,team_id,q1\nA1,T1,4\n", r"data\.employees\.items: must be a non-empty"),
    ({"path": "emp.csv", "items": ["q1"], "range": [6, 0]}, "agent_id,team_id,q1\nA1,T1,4\n",
     r"data\.employees\.range: must be \[low, high\]"),
    ({"path": "emp.csv", "items": ["q1", "q9"], "agent_id": "staff"}, "agent_id,team_id,q1\nA1,T1,4\n",
     r"data\.employees: columns 'staff', 'q9' not in emp\.csv"),
    ({"path": "nowhere.csv", "items": ["q1"]}, None, r"data\.employees: file not found: .*nowhere\.csv"),
    ({"path": "emp.csv", "items": ["q1"], "colour": "red"}, "agent_id,team_id,q1\nA1,T1,4\n",
     r"data\.employees\.colour: unknown key"),
])
def test_bad_employee_entry_in_the_study_is_named(tmp_path, entry, csv, expected):
    with pytest.raises(StudyError, match=expected):
        load_study(_study_with(tmp_path, entry, csv))


def test_cxlab_check_names_a_bad_employee_answer(project):
    path = project / "data" / "raw" / "demo" / "employee_survey.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("dedication2")] = "9"
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    done = cxlab_cmd("check", project / "data" / "raw" / "demo" / "study.yaml", env={"CXLAB_ROOT": str(project)})
    assert done.returncode == 1, done.stderr
    assert "employee_survey.csv: column 'dedication2' has 1 answer(s) outside 0..6 in row 4 (9)" in done.stderr
    assert "Traceback" not in done.stderr


# --- the attribution rule ----------------------------------------------------------------


def test_attribution_takes_the_first_agent_contact_in_the_window():
    t = pd.to_datetime
    log = pd.DataFrame({
        "contact_id": [1, 2, 3, 4, 5, 6, 7],
        "customer_id": ["c1", "c1", "c1", "c2", "c2", "c3", "c4"],
        "started_at": t(["2025-01-01", "2025-05-10", "2025-05-20", "2025-05-05", "2025-05-05", "2025-05-02",
                         "2025-06-02"], utc=True),
        "agent_id": ["A1", None, "A2", "A4", "A3", "A5", "A6"],
        "team_id": ["T1", None, "T2", "T4", "T3", "T5", "T6"],
        "resolved_first_contact": [True, True, False, True, False, True, True],
    })
    survey = pd.DataFrame({"rid": ["r1", "r2", "r3", "r4", "r5"], "cid": ["c1", "c2", "c3", "c4", None],
                           "day": t(["2025-06-01"] * 5)})
    out = employees.attribute_respondents(survey, log, customer="cid", respondent="rid", date="day",
                                          window_days=30)
    got = out.set_index("rid")[["team_id", "agent_id", "fcr"]].to_dict("index")
    # r1: contact 1 is outside the window, 2 has no agent -> 3; r2: a tie in time -> lower contact_id (4);
    # r3: inside; r4: after the survey date -> not attributed; r5: no customer id
    assert got == {"r1": {"team_id": "T2", "agent_id": "A2", "fcr": 0.0},
                   "r2": {"team_id": "T4", "agent_id": "A4", "fcr": 1.0},
                   "r3": {"team_id": "T5", "agent_id": "A5", "fcr": 1.0}}
    assert "qa_score" not in out  # the log has no handle-quality score: no column, no error
    # with the optional qa_score the attributing contact's score comes along (contact 3 for r1,
    # 4 for r2, 6 for r3; a contact without a score gives a missing one)
    scored = employees.attribute_respondents(survey, log.assign(qa_score=[50.0, None, 71.0, 90.0, 10.0, None, 60.0]),
                                             customer="cid", respondent="rid", date="day", window_days=30)
    assert scored.set_index("rid")["qa_score"].to_dict() == pytest.approx({"r1": 71.0, "r2": 90.0,
                                                                           "r3": float("nan")}, nan_ok=True)


@pytest.mark.parametrize("values, problem", [
    (["good", "bad"], "log.csv, column 'qa_score': must be numbers; found string"),
    ([80.0, 101.5], "log.csv, column 'qa_score': 1 value(s) outside 0-100 (e.g. 101.5)"),
    ([-3.0, None], "log.csv, column 'qa_score': 1 value(s) outside 0-100 (e.g. -3)"),
])
def test_a_malformed_qa_score_is_named(demo_contacts, values, problem):
    """qa_score is optional (a log without it is valid); when present it must be a 0-100 score."""
    from cxlab.contacts import validate_contacts

    log = pd.read_parquet(demo_contacts).head(2)
    assert validate_contacts(log.drop(columns="qa_score"), name="log.csv") == []
    assert validate_contacts(log, name="log.csv") == []
    assert validate_contacts(log.assign(qa_score=values), name="log.csv") == [problem]


# --- the demo: pseudonyms and the planted chain ---------------------------------------------


@pytest.fixture(scope="module")
def demo_study(demo_run):
    """The demo study, its processed data made by the demo run."""
    from cxlab.data import prepare

    study = load_study(DEMO / "study.yaml")
    prepare(study)
    return study


def test_processed_data_hold_no_agent_id(demo_study):
    raw = set(pd.read_csv(DEMO / "employee_survey.csv")["agent_id"])
    for name in ("employees.parquet", "attribution.parquet"):
        frame = pd.read_parquet(demo_study.processed_dir / name)
        assert "agent_id" not in frame.columns
        cells = set(frame.astype(str).to_numpy().ravel())
        assert not cells & raw, name
        assert frame["agent_key"].str.fullmatch(r"a_[0-9a-f]{16}").all()


@pytest.fixture(scope="module")
def chain(demo_study):
    from cxlab import multilevel

    p = demo_study.parameters
    covs = ["long_waits", "abandoned", "transfers", "escalations"]
    data = teams.chain_data(demo_study, covariates=covs)
    assert employees.chain_mediators(data) == MEDIATORS
    fit = multilevel.chain_indirect(data, "team_id", "team_engagement", MEDIATORS, p["outcome"], covariates=covs,
                                    n_boot=multilevel.chain_resamples(p["bootstrap"]), seed=p["seed"],
                                    ci=p["ci_level"])
    stay = multilevel.random_intercept(data, p["loyalty"], "team_id", level1=[p["outcome"], *MEDIATORS, *covs],
                                       level2=["team_engagement"], ci=p["ci_level"])
    truth = yaml.safe_load((DEMO / "truth.yaml").read_text())["service_profit_chain"]["expected"]
    return data, fit, stay, truth


MEDIATORS = ["fcr", "qa_score"]
#: Every planted path of the chain (row of the chain table -> truth.yaml key).
PLANTED = {"a_fcr": "a_fcr_per_engagement_point", "a_qa_score": "a_qa_per_engagement_point",
           "b_fcr": "b_satisfaction_per_fcr", "b_qa_score": "b_satisfaction_per_qa_point",
           "indirect_fcr": "indirect_via_fcr", "indirect_qa_score": "indirect_via_qa",
           "indirect": "indirect_engagement_satisfaction", "direct": "direct_engagement_satisfaction"}


@pytest.mark.parametrize("path, key", PLANTED.items())
def test_planted_chain_inside_the_reported_intervals(chain, path, key):
    _, fit, _, truth = chain
    row = fit.estimates.loc[path]
    assert row["ci_lower"] <= truth[key] <= row["ci_upper"], (path, truth[key], row.to_dict())
    assert fit.n_failed == 0


@pytest.mark.xfail(strict=True, reason="sampling, not bias: the demo's sample gives satisfaction -> stay 0.558 "
                   "(95 % interval 0.510-0.605) against 0.611; the report's random-intercept estimator on 24 other "
                   "demo-sized worlds (synth.chain_sample, seeds 100-123, both mediators) averages 0.610 (SD 0.018), "
                   "so the demo's world is 2.9 SD low (tests/test_chain_truth.py checks the truth on a large world)")
def test_planted_stay_link_inside_the_reported_interval(chain):
    _, _, stay, truth = chain
    r = stay.estimates.loc["satisfaction"]
    assert r["ci_lower"] <= truth["c_stay_per_satisfaction"] <= r["ci_upper"]


def test_chain_sample_is_the_attributed_respondents(chain, demo_study):
    data, fit, _, _ = chain
    att = pd.read_parquet(demo_study.processed_dir / "attribution.parquet")
    assert len(data) == len(att) == fit.b_model.nobs  # every attributed respondent has complete data
    assert data["team_id"].nunique() == 20


def test_synth_chain_sample_is_the_reports_chain_data(chain, demo_study):
    """synth.chain_sample (used to check the chain truth on large worlds) rebuilds this sample."""
    from cxlab import multilevel, synth

    data, fit, _, _ = chain
    p, covs = demo_study.parameters, list(synth.CHAIN_COVARIATES)
    sample = synth.chain_sample()
    assert len(sample) == len(data)
    for mine, theirs in (("fcr", "fcr"), ("qa_score", "qa_score"), ("team_engagement", "team_engagement"),
                         ("satisfaction", p["outcome"]), ("intention_to_stay", p["loyalty"]), *zip(covs, covs)):
        assert sample[mine].sum() == pytest.approx(data[theirs].sum(), rel=1e-12), mine
    a = multilevel.random_intercept(sample, "fcr", "team", level1=covs, level2=["team_engagement"],
                                    _crosscheck=False).estimates.at["team_engagement", "est"]
    assert a == pytest.approx(fit.estimates.at["a_fcr", "est"], abs=1e-8)


def _reported_paths(page: str) -> dict:
    """The chain's table of report 04: effect -> (estimate, ci_lower, ci_upper) as printed."""
    rows = re.findall(r'<tr><td class="cx-text">(\w+)</td><td class="cx-text">[^<]*</td><td>([^<]*)</td>'
                      r'<td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>', page)
    # tables print a minus as U+2212
    return {name: tuple(float(v.replace("\u2212", "-")) if v else None for v in values) for name, *values in rows}


def test_report_04_shows_the_chain_and_its_intervals_hold_the_planted_effects(demo_run, chain):
    out, _ = demo_run
    page = (out / "04_contact_levers.html").read_text(encoding="utf-8")
    reported, (_, fit, stay, truth) = _reported_paths(page), chain
    assert set(PLANTED) <= set(reported)
    for path, key in PLANTED.items():
        est, lo, hi = reported[path]
        assert lo <= truth[key] <= hi, (path, truth[key], (lo, hi))
        # the report is this analysis (printed to 3 decimals)
        assert (est, lo, hi) == pytest.approx(tuple(fit.estimates.loc[path, ["est", "ci_lower", "ci_upper"]]),
                                              abs=5.01e-4)
    assert reported["c"][0] == pytest.approx(stay.estimates.loc["satisfaction", "est"], abs=5.01e-4)
    assert "The Service Profit Chain" in page and "Who is in the chain." in page
    assert "first agent-handled contact" in page  # the attribution rule, stated
    assert "through handle quality (QA score)" in page and "In total, team engagement" in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert re.search(r"Service Profit Chain\.</strong>.*cluster-bootstrap interval", index)


def test_methods_name_the_chain_resamples_the_report_uses():
    """With bootstrap = 0 the chain still resamples teams (its only intervals); the methods say how often."""
    from cxlab.multilevel import CHAIN_MIN_BOOT, chain_resamples
    from cxlab.report import methods_section
    from cxlab.study import load_study

    study = DEMO / "study.yaml"
    off = methods_section(load_study(study, overrides={"bootstrap": 0}), "levers")
    assert f"cluster bootstrap over teams ({CHAIN_MIN_BOOT} resamples" in off
    on = methods_section(load_study(study, overrides={"bootstrap": 500}), "levers")
    assert "cluster bootstrap over teams (500 resamples" in on
    assert chain_resamples(0) == CHAIN_MIN_BOOT and chain_resamples(500) == 500
