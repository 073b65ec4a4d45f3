"""Contact features computed in DuckDB against an independent pandas computation."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxlab import contacts


@pytest.fixture(scope="module")
def log(demo_contacts):
    return pd.read_parquet(demo_contacts)


CHANNELS = ("phone", "email", "chat", "web", "social")


def pandas_features(log: pd.DataFrame, repeat_days: int = 7, long_wait: float = 300) -> pd.DataFrame:
    """Every column of ``customer_features``, written independently in plain pandas (clean log assumed)."""
    c = log.sort_values(["customer_id", "issue_id", "started_at", "contact_id"])
    g = c.groupby(["customer_id", "issue_id"], sort=False)
    prev_start, prev_channel = g["started_at"].shift(), g["channel"].shift()
    flags = pd.DataFrame({
        "customer_id": c["customer_id"], "issue_id": c["issue_id"],
        **{f"contacts_{ch}": c["channel"] == ch for ch in CHANNELS},
        "repeat": prev_start.notna() & ((c["started_at"] - prev_start) <= pd.Timedelta(days=repeat_days)),
        # a missing channel is no switch (nor is a switch from one)
        "switch": prev_channel.notna() & c["channel"].notna() & (prev_channel != c["channel"]),
        "long": c["queue_wait_sec"] > long_wait,
        "ab60": c["abandoned"] & (c["queue_wait_sec"] <= 60),
        **{k: c[k] for k in ("abandoned", "callback_offered", "callback_accepted", "callback_kept", "transfers",
                             "escalated_to_agent", "queue_wait_sec", "handle_time_sec")},
        "fcr": c["resolved_first_contact"].astype("float64"),
    })
    per = flags.groupby("customer_id").agg(
        contacts=("issue_id", "size"), **{f"contacts_{ch}": (f"contacts_{ch}", "sum") for ch in CHANNELS},
        issues=("issue_id", "nunique"), repeat_contacts=("repeat", "sum"), channel_switches=("switch", "sum"),
        fcr_rate=("fcr", "mean"), mean_wait_sec=("queue_wait_sec", "mean"), long_waits=("long", "sum"),
        abandoned=("abandoned", "sum"), abandoned_within_60s=("ab60", "sum"),
        callbacks_offered=("callback_offered", "sum"), callbacks_accepted=("callback_accepted", "sum"),
        callbacks_kept=("callback_kept", "sum"), transfers=("transfers", "sum"),
        escalations=("escalated_to_agent", "sum"), mean_handle_time_sec=("handle_time_sec", "mean"))
    return per.sort_index()


def test_customer_features_match_pandas(log):
    ours = contacts.customer_features(log).set_index("customer_id").sort_index()
    ref = pandas_features(log)
    assert list(ours.index) == list(ref.index)
    assert list(ours.columns) == list(ref.columns)
    for col in ref.columns:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, atol=1e-9,
                                   err_msg=col)


def _messy_log(**changes) -> pd.DataFrame:
    """A small log with issues of 1-4 contacts; ``changes`` column -> {row: value} breaks it."""
    log = pd.DataFrame({
        "contact_id": range(1, 13),
        "customer_id": ["a", "a", "a", "a", "b", "b", "b", "c", "c", "c", "d", "d"],
        "issue_id": [1, 1, 1, 2, 3, 3, 4, 5, 5, 5, 6, None],
        "channel": ["phone", "chat", "chat", "email", "web", "phone", "phone", "chat", "chat", "phone", "social",
                    "phone"],
        "started_at": pd.to_datetime(["2025-01-01 09:00", "2025-01-03 10:00", "2025-01-20 11:00", "2025-01-02 08:00",
                                      "2025-02-01 12:00", "2025-02-08 12:00", "2025-02-02 09:00", "2025-03-01 10:00",
                                      "2025-03-01 11:00", "2025-03-02 10:00", "2025-03-05 10:00", "2025-03-06 10:00"],
                                     utc=True),
        "queue_wait_sec": [30.0, None, 20.0, None, None, 400.0, 500.0, 10.0, 15.0, 70.0, None, 5.0],
        "abandoned": [False, False, False, False, False, True, False, False, False, True, False, False],
        "callback_offered": [False] * 5 + [True] + [False] * 6,
        "callback_accepted": [False] * 5 + [True] + [False] * 6,
        "callback_kept": [False] * 12,
        "handle_time_sec": [300.0, 200.0, 100.0, 50.0, 80.0, None, 400.0, 60.0, 70.0, None, 30.0, 90.0],
        "resolved_first_contact": [False, False, True, True, False, False, True, False, False, False, True, True],
        "transfers": [0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0],
        "escalated_to_agent": [False, True, False, False, True, False, False, False, True, False, False, False],
    })
    for col, rows in changes.items():
        for row, value in rows.items():
            log.loc[row, col] = value
    return log


def _evidence(log: pd.DataFrame) -> pd.DataFrame:
    t = contacts._clean(log, "customer_features", on_invalid=None)
    return contacts._execute(contacts._features(t, "customer_id", long_wait_sec=300, repeat_days=7))


# Each case breaks one condition of the fast sort (see contacts._features); the result must
# still equal the pandas computation, because the evidence sends it to the exact sort.
MESSY = {
    "clean": {},
    "issue shared by two customers": {"issue_id": {7: 1}},  # c's first contact joins a's issue 1
    "tie with different channels": {"started_at": {1: pd.Timestamp("2025-01-01 09:00", tz="UTC")}},
    "unknown channel": {"channel": {2: "fax"}},
}


@pytest.mark.parametrize("case", list(MESSY))
def test_fast_sort_used_only_when_its_evidence_holds(case):
    log = _messy_log(**MESSY[case])
    assert contacts._fast_path_exact(_evidence(log)) == (case == "clean")
    ours = contacts.customer_features(log).set_index("customer_id")
    ref = pandas_features(log)
    pd.testing.assert_frame_equal(ours.astype(float), ref.astype(float), check_names=False)


def test_tie_with_same_channel_and_missing_channel_stay_on_the_fast_sort():
    log = _messy_log(started_at={8: pd.Timestamp("2025-03-01 10:00", tz="UTC")}, channel={2: None})
    assert contacts._fast_path_exact(_evidence(log))
    ours = contacts.customer_features(log).set_index("customer_id")
    pd.testing.assert_frame_equal(ours.astype(float), pandas_features(log).astype(float), check_names=False)


def test_keys_sharing_a_hash_code_get_the_exact_sort(monkeypatch, log):
    # a code with many collisions (the length of the id): the fast result would merge customers
    monkeypatch.setattr(contacts, "_key_code", lambda key: key.length().cast("int64"))
    sample = log[log["customer_id"].isin(log["customer_id"].drop_duplicates().iloc[:300])]
    assert not contacts._fast_path_exact(_evidence(sample))
    ours = contacts.customer_features(sample).set_index("customer_id")
    pd.testing.assert_frame_equal(ours.astype(float), pandas_features(sample).astype(float), check_names=False)


def test_same_features_from_file_dataframe_and_database(log, demo_contacts, tmp_path):
    from_file = contacts.customer_features(demo_contacts)
    db = tmp_path / "contacts.duckdb"
    con = duckdb.connect(str(db))
    con.execute(f"CREATE TABLE contacts AS SELECT * FROM read_parquet('{demo_contacts}')")
    con.close()
    from_db = contacts.customer_features((db, "contacts"))
    pd.testing.assert_frame_equal(from_file, from_db)
    pd.testing.assert_frame_equal(from_file, contacts.customer_features(log))


def test_channel_overview_shares_and_abandonment_curve(log):
    ov = contacts.channel_overview(log).set_index("channel")
    assert ov["share"].sum() == pytest.approx(1.0, abs=1e-12)
    assert ov.loc["phone", "contacts"] == (log["channel"] == "phone").sum()
    curve = contacts.wait_abandonment(log, bin_sec=60)
    ab = log[log["abandoned"] & log["queue_wait_sec"].notna()]
    # first bin [0, 60) s: share of abandoned calls that hung up within the first minute
    assert curve["cumulative_share"].iloc[0] == pytest.approx((ab["queue_wait_sec"] < 60).mean(), abs=1e-12)
    assert curve["cumulative_share"].iloc[-1] == pytest.approx(1.0)


def test_bad_contacts_argument_is_named():
    with pytest.raises(TypeError, match="The 'contacts' parameter of customer_features must be a DataFrame, a file path"):
        contacts.customer_features(42)
    with pytest.raises(FileNotFoundError, match="Contact log not found"):
        contacts.customer_features("/nonexistent/contacts.parquet")


# ------------------------------------------- service levels and per-team features
def test_service_levels_match_pandas(log):
    res = contacts.service_levels(log).set_index("metric")["value"]
    queued = log[log.queue_wait_sec.notna()]
    offered = log[log.callback_offered]
    accepted = log[log.callback_accepted]
    digital = log[log.channel.isin(["chat", "web", "social"])]
    expected = {
        "contacts": len(log),
        "queued_contacts": len(queued),
        "mean_wait_sec": queued.queue_wait_sec.mean(),
        "long_wait_rate": (queued.queue_wait_sec > 300).mean(),
        "abandonment_rate": queued.abandoned.mean(),
        "abandoned_within_60s_share": (log[log.abandoned].queue_wait_sec <= 60).mean(),
        "callback_offer_rate": queued.callback_offered.mean(),
        "callback_accept_rate": offered.callback_accepted.mean(),
        "callback_kept_rate": accepted.callback_kept.mean(),
        "digital_escalation_rate": digital.escalated_to_agent.mean(),
        "first_contact_resolution_rate": log.resolved_first_contact.mean(),
        "transfer_rate": (log.transfers > 0).mean(),
    }
    assert list(res.index) == list(expected)
    for metric, value in expected.items():
        assert res[metric] == pytest.approx(value, rel=1e-12), metric


def test_team_features_match_pandas(log):
    res = contacts.team_features(log).set_index("team_id")
    handled = log[log.team_id.notna()]
    g = handled.groupby("team_id")
    assert res["contacts"].to_dict() == g.size().to_dict()
    assert res["agents"].to_dict() == g.agent_id.nunique().to_dict()
    assert np.allclose(res["fcr_rate"], g.resolved_first_contact.mean().reindex(res.index))
    assert np.allclose(res["mean_handle_time_sec"], g.handle_time_sec.mean().reindex(res.index))
    assert res["escalations_handled"].to_dict() == g.escalated_to_agent.sum().to_dict()
    agents = contacts.team_features(log, group="agent_id")
    assert len(agents) == handled.agent_id.nunique() and (agents["agents"] == 1).all()
    with pytest.raises(ValueError, match=r"The 'group' parameter of team_features must be one of "
                                         r"'team_id', 'agent_id'\. Got 'channel' instead\."):
        contacts.team_features(log, group="channel")
