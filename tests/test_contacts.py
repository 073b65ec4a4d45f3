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


def pandas_features(log: pd.DataFrame, repeat_days: int = 7, long_wait: float = 300) -> pd.DataFrame:
    c = log.sort_values(["customer_id", "issue_id", "started_at", "contact_id"]).copy()
    g = c.groupby(["customer_id", "issue_id"], sort=False)
    prev_start, prev_channel = g["started_at"].shift(), g["channel"].shift()
    c["repeat"] = prev_start.notna() & ((c["started_at"] - prev_start) <= pd.Timedelta(days=repeat_days))
    c["switch"] = prev_channel.notna() & (prev_channel != c["channel"])
    c["long"] = c["queue_wait_sec"] > long_wait
    c["ab60"] = c["abandoned"] & (c["queue_wait_sec"] <= 60)
    per = c.groupby("customer_id").agg(
        contacts=("contact_id", "size"), issues=("issue_id", "nunique"), repeat_contacts=("repeat", "sum"),
        channel_switches=("switch", "sum"), long_waits=("long", "sum"), abandoned=("abandoned", "sum"),
        abandoned_within_60s=("ab60", "sum"), transfers=("transfers", "sum"), escalations=("escalated_to_agent", "sum"),
        fcr_rate=("resolved_first_contact", "mean"), mean_wait_sec=("queue_wait_sec", "mean"))
    return per.sort_index()


def test_customer_features_match_pandas(log):
    ours = contacts.customer_features(log).set_index("customer_id").sort_index()
    ref = pandas_features(log)
    assert list(ours.index) == list(ref.index)
    for col in ref.columns:
        np.testing.assert_allclose(ours[col].to_numpy(float), ref[col].to_numpy(float), rtol=1e-12, atol=1e-9,
                                   err_msg=col)


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
    with pytest.raises(TypeError, match="The 'contacts' parameter must be a DataFrame, a file path"):
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
    agents = contacts.team_features(log, by="agent_id")
    assert len(agents) == handled.agent_id.nunique() and (agents["agents"] == 1).all()
    with pytest.raises(ValueError, match=r"The 'by' parameter of team_features must be one of "
                                         r"'team_id', 'agent_id'\. Got 'channel' instead\."):
        contacts.team_features(log, by="channel")
