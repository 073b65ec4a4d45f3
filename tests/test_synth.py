"""Tests of cxlab.synth: reproducibility, schema, and recovery of the planted truth.

Recovery checks use plain numpy/pandas/statsmodels, independent of cxlab's methods.
"""

import hashlib

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import yaml

from conftest import DEMO as DEMO_DIR
from cxlab import synth

DIGITAL = ["chat", "web", "social"]


@pytest.fixture(scope="module")
def demo():
    return synth.generate_demo()


@pytest.fixture(scope="module")
def clean(demo):
    """Survey without careless respondents, 99 as missing, sat3 reversed, scale means."""
    careless = set(demo.truth["careless"]["speeders"]) | set(
        demo.truth["careless"]["straightliners"])
    sv = demo.survey[~demo.survey["respondent_id"].isin(careless)].copy()
    items = synth.E_ITEMS + synth.P_ITEMS
    sv[items] = sv[items].where(sv[items] != synth.DONT_KNOW_CODE)
    sv["sat3"] = 8 - sv["sat3"]
    out = pd.DataFrame({
        "respondent_id": sv["respondent_id"], "customer_id": sv["customer_id"],
        "wave": sv["wave"], "segment": sv["segment"], "survey_date": sv["survey_date"],
        "sat": sv[synth.SAT_ITEMS].astype(float).mean(axis=1),
        "nps": sv["nps"].astype(float), "ces": sv["ces"].astype(float),
    })
    for dim, names in synth.SERVQUAL_ITEMS.items():
        out[dim] = sv[[f"p_{n}" for n in names]].astype(float).mean(axis=1)
    return out


@pytest.fixture(scope="module")
def features(demo):
    """CONTACT_FEATURES per respondent, computed independently with pandas."""
    cx = demo.contacts.sort_values(["started_at", "contact_id"])
    cx = cx.assign(repeat_contacts=cx.groupby("issue_id").cumcount() > 0,
                   long_waits=cx["queue_wait_sec"] > synth.LONG_WAIT_SEC,
                   escalations=cx["escalated_to_agent"])
    sv = demo.survey[["respondent_id", "customer_id", "survey_date"]]
    m = cx.merge(sv, on="customer_id")
    end = m["survey_date"].dt.tz_localize("UTC")
    m = m[(m["started_at"] >= end - pd.Timedelta(days=synth.WINDOW_DAYS)) & (m["started_at"] < end)]
    cols = list(synth.CONTACT_FEATURES)
    sums = m.groupby("respondent_id")[cols].sum().astype(float)
    return sums.reindex(sv["respondent_id"], fill_value=0.0)


def _sha(frame):
    hashes = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return hashlib.sha256(hashes.tobytes()).hexdigest()


def _nps(scores):
    s = scores.dropna()
    return 100 * ((s >= 9).mean() - (s <= 6).mean()), s


# --- Reproducibility ------------------------------------------------------------------


def test_committed_files_are_the_generators_output(demo):
    assert (DEMO_DIR / "survey.csv").read_bytes() == synth.survey_csv_bytes(demo.survey)
    assert (DEMO_DIR / "truth.yaml").read_bytes() == synth.truth_yaml_bytes(demo.truth)
    assert (DEMO_DIR / "README.md").read_bytes() == synth.readme_bytes(demo.truth)
    assert (DEMO_DIR / "employee_survey.csv").read_bytes() == synth.employee_csv_bytes(demo.employees)


def test_same_seed_same_data_other_seed_other_data(demo):
    again = synth.generate_demo()
    assert _sha(again.contacts) == _sha(demo.contacts)
    assert _sha(again.survey) == _sha(demo.survey)
    other = synth.generate_demo(seed=synth.DEFAULT_SEED + 1)
    assert _sha(other.contacts) != _sha(demo.contacts)
    assert _sha(other.survey) != _sha(demo.survey)


def test_write_demo_and_ensure_contacts(tmp_path, demo):
    paths = synth.write_demo(tmp_path, contacts=False)
    assert set(paths) == {"survey", "truth", "readme", "employees"}
    assert paths["survey"].read_bytes() == synth.survey_csv_bytes(demo.survey)
    path = synth.ensure_demo_contacts(tmp_path)
    assert path == tmp_path / "contacts.parquet"
    stamp = path.stat().st_mtime_ns
    assert synth.ensure_demo_contacts(tmp_path).stat().st_mtime_ns == stamp  # left alone
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, demo.contacts, check_dtype=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md", "contacts.parquet", "employee_survey.csv", "survey.csv", "truth.yaml"]  # no temp files left


def test_truth_is_plain_yaml_and_matches_the_constants(demo):
    loaded = yaml.safe_load(synth.truth_yaml_bytes(demo.truth))
    assert loaded == demo.truth
    assert loaded["satisfaction"]["beta"] == synth.SAT_BETA
    assert loaded["satisfaction"]["contact_effects"] == synth.SAT_GAMMA
    assert loaded["expected"]["driver_ranking"] == [
        "reliability", "responsiveness", "empathy", "assurance", "tangibles"]
    assert loaded["expected"]["top_contact_levers"] == ["repeat_contacts", "long_waits"]
    # The population NPS is realistic and rises by about 8-10 points.
    pop = loaded["population"]
    assert 10 <= pop["wave_1"]["nps"] <= 25
    assert 7.5 <= pop["change"]["nps"] <= 10.5
    assert "ces_mean" in pop["practically_unchanged"]


# --- Schema ---------------------------------------------------------------------------


def test_survey_schema(demo):
    sv = demo.survey
    assert list(sv.columns) == synth.SURVEY_COLUMNS
    assert len(sv) == 2000 and sv["respondent_id"].is_unique and sv["customer_id"].is_unique
    assert sv["respondent_id"].str.fullmatch(r"R\d{5}").all()
    assert sv["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert sv["email"].str.fullmatch(r"[a-z]+\.[a-z]+\d+@example\.com").all()
    assert sv["email"].is_unique
    assert sv["customer_id"].isin(demo.contacts["customer_id"].unique()).mean() > 0.8
    shares = sv["segment"].value_counts(normalize=True)
    assert set(shares.index) == set(synth.SEGMENTS)
    # +- 0.04 covers sampling noise of 2,000 draws (SD of a 0.6 share is 0.011).
    planted = dict(zip(synth.SEGMENTS, synth.SEGMENT_SHARES))
    assert shares.to_dict() == pytest.approx(planted, abs=0.04)
    assert sv["wave"].value_counts().to_dict() == {1: 1000, 2: 1000}
    months = sv.groupby("wave")["survey_date"].agg(lambda d: set(d.dt.strftime("%Y-%m")))
    assert months.to_dict() == {1: {"2025-06"}, 2: {"2025-11"}}
    for col in synth.SURVEY_COLUMNS[7:]:
        assert str(sv[col].dtype) == "Int64", col
    servqual = sv[synth.E_ITEMS + synth.P_ITEMS]
    assert servqual.isin(list(range(1, 8)) + [99]).where(servqual.notna(), True).all().all()
    others = sv[synth.SAT_ITEMS + synth.STAY_ITEMS + list(synth.SINGLE_ITEMS)]
    assert others.isin(range(1, 8)).where(others.notna(), True).all().all()
    assert sv["nps"].dropna().between(0, 10).all()


def test_survey_mess(demo):
    sv = demo.survey
    servqual = sv[synth.E_ITEMS + synth.P_ITEMS]
    items = sv[synth.E_ITEMS + synth.P_ITEMS + synth.SAT_ITEMS + synth.STAY_ITEMS
               + list(synth.SINGLE_ITEMS)]
    assert 0.01 <= items.isna().to_numpy().mean() <= 0.02
    assert 0.005 <= servqual.eq(99).fillna(False).to_numpy(dtype=bool).mean() <= 0.015
    assert 1 <= sv["nps"].isna().sum() <= 20
    speeders = sv.loc[sv["duration_sec"] < 150, "respondent_id"]
    assert 0.02 <= len(speeders) / len(sv) <= 0.04
    assert set(speeders) == set(demo.truth["careless"]["speeders"])
    straight = sv.loc[sv[synth.P_ITEMS].nunique(axis=1) == 1, "respondent_id"]
    assert set(demo.truth["careless"]["straightliners"]) <= set(straight)
    assert 0.005 <= len(straight) / len(sv) <= 0.02


def test_contacts_schema(demo):
    cx = demo.contacts
    assert list(cx.columns) == synth.CONTACT_COLUMNS
    assert 180_000 <= len(cx) <= 220_000
    assert cx["contact_id"].dtype == np.int64 and cx["contact_id"].is_unique
    assert cx["issue_id"].dtype == np.int64 and cx["transfers"].dtype == np.int64
    assert str(cx["started_at"].dt.tz) == "UTC"
    assert cx["started_at"].min() >= pd.Timestamp("2025-01-01", tz="UTC")
    assert cx["started_at"].max() < pd.Timestamp("2026-01-01", tz="UTC")
    assert cx["customer_id"].str.fullmatch(r"C\d{6}").all()
    assert 0 < 20_000 - cx["customer_id"].nunique() < 5_000  # some customers never contact
    for col in ["abandoned", "callback_offered", "callback_accepted", "callback_kept",
                "resolved_first_contact", "escalated_to_agent"]:
        assert cx[col].dtype == bool, col
    assert (cx.groupby("issue_id")["customer_id"].nunique() == 1).all()
    phone, chat = cx["channel"] == "phone", cx["channel"] == "chat"
    queued = phone | (chat & cx["escalated_to_agent"])
    assert (cx["queue_wait_sec"].notna() == queued).all()
    assert not cx.loc[~(phone | chat), "abandoned"].any()
    assert cx.loc[cx["abandoned"], "handle_time_sec"].isna().all()
    callbacks = ["callback_offered", "callback_accepted", "callback_kept"]
    assert not cx.loc[~phone, callbacks].any().any()
    assert (cx["callback_accepted"] <= cx["callback_offered"]).all()
    assert (cx["callback_kept"] <= cx["callback_accepted"]).all()
    assert (cx["transfers"] >= 0).all()
    assert not cx.loc[~cx["channel"].isin(DIGITAL), "escalated_to_agent"].any()
    no_agent = cx["agent_id"].isna()
    assert (no_agent == cx["team_id"].isna()).all()
    assert no_agent[cx["abandoned"]].all()
    assert no_agent[cx["channel"].isin(DIGITAL) & ~cx["escalated_to_agent"]].all()
    assert cx["agent_id"].dropna().str.fullmatch(r"A\d{4}").all()
    assert cx.dropna(subset=["agent_id"]).groupby("agent_id")["team_id"].nunique().eq(1).all()
    assert 15 <= cx["team_id"].nunique() <= 25


def test_contacts_follow_domain_facts(demo):
    cx = demo.contacts
    mix = cx["channel"].value_counts(normalize=True)
    assert list(mix.index) == ["phone", "email", "chat", "web", "social"]  # DOMAIN.md order
    phone = cx[cx["channel"] == "phone"]
    abandons = phone[phone["abandoned"]]
    # DOMAIN.md: 60 % of callers who hang up do so within a minute.
    assert 0.5 <= (abandons["queue_wait_sec"] <= 60).mean() <= 0.7
    offered = phone[phone["callback_offered"]]
    assert offered["callback_accepted"].mean() == pytest.approx(0.6, abs=0.05)
    # DOMAIN.md: about 35 % of digital contacts end at a live agent.
    digital = cx[cx["channel"].isin(DIGITAL)]
    assert digital["escalated_to_agent"].mean() == pytest.approx(0.35, abs=0.05)
    # Repeat contacts and channel switches exist.
    per_issue = cx.groupby("issue_id")["channel"]
    assert (per_issue.size() > 1).mean() > 0.1
    assert (per_issue.nunique() > 1).mean() > 0.05


def test_segment_and_wait_differences(demo, clean):
    sat = clean.groupby("segment")["sat"].mean()
    # True difference is about +0.27 scale points; its SE with ~190 premium answers is 0.08.
    assert sat["premium"] > sat["consumer"]
    phone = demo.contacts[demo.contacts["channel"] == "phone"]
    segment = demo.survey.set_index("customer_id")["segment"]
    waits = (phone.assign(segment=phone["customer_id"].map(segment))
             .groupby("segment")["queue_wait_sec"].mean())
    assert waits["small_business"] > 1.1 * waits["consumer"]  # planted 1.5 x the queue
    # Phone queues are shorter after the planted change date.
    after = phone["started_at"] >= pd.Timestamp(synth.CHANGE_DATE, tz="UTC")
    wait = phone["queue_wait_sec"]
    assert wait[after].mean() < 0.8 * wait[~after].mean()


def test_feature_definitions_match_the_generator(demo, features):
    world = synth._simulate(synth.DEFAULT_SEED, n_customers=20000, n_contacts=200000,
                            n_respondents=2000)
    np.testing.assert_array_equal(features.to_numpy(), world["features"])


# --- Recovery of the planted truth ----------------------------------------------------


def test_driver_ordering_is_recovered(clean, demo):
    data = clean.dropna(subset=["sat", *synth.DIMENSIONS])
    fit = sm.OLS(data["sat"], sm.add_constant(data[list(synth.DIMENSIONS)])).fit()
    recovered = fit.params[list(synth.DIMENSIONS)].sort_values(ascending=False).index.tolist()
    # Planted gaps between adjacent betas are about 3 standard errors at n = 2,000.
    assert recovered == demo.truth["expected"]["driver_ranking"]
    # Tangibles is planted near zero; measurement error lends it a little of the others.
    assert fit.params["tangibles"] < 0.1


def test_contact_levers_are_recovered(clean, features, demo):
    data = clean.join(features, on="respondent_id").dropna(subset=["sat", *synth.DIMENSIONS])
    # Raw comparison: customers with repeat contacts are less satisfied.
    has_repeat = data["repeat_contacts"] > 0
    assert data.loc[has_repeat, "sat"].mean() < data.loc[~has_repeat, "sat"].mean() - 0.1
    # Adjusted for perceptions, standardised effects: the planted top two come out on top.
    levers = list(synth.CONTACT_FEATURES)
    x = data[list(synth.DIMENSIONS) + levers]
    fit = sm.OLS(data["sat"], sm.add_constant((x - x.mean()) / x.std())).fit()
    assert (fit.params[levers] < 0.02).all()  # every planted contact effect is harmful
    top = fit.params[levers].sort_values().index[:2].tolist()
    assert sorted(top) == sorted(demo.truth["expected"]["top_contact_levers"])


def test_wave_change_is_recovered(clean, demo):
    pop = demo.truth["population"]
    (n1, s1), (n2, s2) = (_nps(clean.loc[clean["wave"] == w, "nps"]) for w in (1, 2))

    def var(s):  # variance of a single answer's promoter - detractor score
        score = (s >= 9).astype(float) - (s <= 6).astype(float)
        return score.var()

    se = 100 * np.sqrt(var(s1) / len(s1) + var(s2) / len(s2))
    # Two independent samples of ~1,000: a 99 % interval around the true change.
    assert abs((n2 - n1) - pop["change"]["nps"]) <= 2.58 * se
    assert n2 > n1
    means = clean.groupby("wave")[list(synth.DIMENSIONS) + ["ces", "sat"]].mean()
    diff = means.loc[2] - means.loc[1]
    # SE of a wave difference in a scale mean is about 0.05: true +0.33 vs 0.15 is 3.6 SE,
    # true 0 vs 0.2 is 4 SE.
    assert diff["responsiveness"] > 0.15
    for dim in ["tangibles", "reliability", "assurance", "empathy"]:
        assert abs(diff[dim]) < 0.2, dim
    assert abs(diff["ces"]) < 0.2  # CES moves by only ~0.05 in truth; its SE is ~0.06
    assert diff["sat"] > 0


def test_expectations_exceed_perceptions_most_for_reliability(demo):
    gaps = demo.truth["population"]["wave_1"]["gap_mean"]
    assert all(g < 0 for g in gaps.values())
    assert min(gaps, key=gaps.get) == "reliability"


# --- Argument validation --------------------------------------------------------------


@pytest.mark.parametrize("kwargs, message", [
    ({"n_respondents": 3},
     "The 'n_respondents' parameter of generate_demo must be an int >= 50. Got 3 instead."),
    ({"n_respondents": 100, "n_customers": 60},
     "The 'n_customers' parameter of generate_demo must be an int >= n_respondents (100). "
     "Got 60 instead."),
    ({"seed": -1}, "The 'seed' parameter of generate_demo must be an int >= 0. Got -1 instead."),
    ({"n_contacts": 2.5},
     "The 'n_contacts' parameter of generate_demo must be an int >= 0. Got 2.5 instead."),
    ({"seed": True},
     "The 'seed' parameter of generate_demo must be an int >= 0. Got True instead."),
])
def test_generate_demo_validates_arguments(kwargs, message):
    with pytest.raises(ValueError) as excinfo:
        synth.generate_demo(**kwargs)
    assert str(excinfo.value) == message


def test_write_demo_validates_contacts(tmp_path):
    with pytest.raises(ValueError, match="The 'contacts' parameter of write_demo must be a bool"):
        synth.write_demo(tmp_path, contacts="yes")


# --- The employee side: the planted Service Profit Chain --------------------------------------


def test_employee_survey_matches_the_contact_log_and_the_planted_chain(demo):
    emp, chain = demo.employees, demo.truth["service_profit_chain"]
    handled = demo.contacts.dropna(subset=["agent_id"])
    assert set(emp["agent_id"]) <= set(handled["agent_id"])
    assert (emp["agent_id"].map(dict(zip(handled["agent_id"], handled["team_id"]))) == emp["team_id"]).all()
    assert 0.85 < len(emp) / (synth.N_TEAMS * synth.AGENTS_PER_TEAM) < 0.95  # response rate 0.9
    items = emp[list(synth.UWES_ITEMS)]
    assert items.min().min() >= 0 and items.max().max() <= 6
    # the planted direction: latent team engagement goes with the team's resolution shift
    eng = pd.Series(chain["planted"]["team_engagement_latent"])
    tau = pd.Series(demo.truth["contact_model"]["teams"]["team_resolution_logit"])
    assert eng.corr(tau) > 0.5
    # and the measured team engagement with the team's first-contact resolution in the log
    measured = emp.assign(score=items.astype(float).mean(axis=1)).groupby("team_id")["score"].mean()
    fcr = handled.groupby("team_id")["resolved_first_contact"].mean()
    assert measured.corr(fcr) > 0.4
    exp = chain["expected"]
    assert exp["indirect_via_fcr"] == pytest.approx(
        exp["a_fcr_per_engagement_point"] * exp["b_satisfaction_per_fcr"], abs=1e-4)
    assert exp["indirect_engagement_satisfaction"] == pytest.approx(
        exp["indirect_via_fcr"] + exp["indirect_via_qa"], abs=1e-4)
    # handle quality: scored exactly for agent-handled contacts, whole points in 0-100, and the
    # measured team engagement goes with the team's mean QA score (planted loading 0.4 on E)
    qa = demo.contacts["qa_score"]
    assert (qa.notna() == demo.contacts["agent_id"].notna()).all()
    assert qa.dropna().between(0, 100).all() and (qa.dropna() % 1 == 0).all()
    assert 80 < qa.mean() < 88 and 6 < qa.std() < 10
    assert measured.corr(handled.groupby("team_id")["qa_score"].mean()) > 0.6
