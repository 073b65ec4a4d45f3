"""Customer-contact features, aggregated inside DuckDB where the log lives.

A contact log has one row per contact: ``contact_id, customer_id, issue_id, channel,
started_at, queue_wait_sec, abandoned, callback_offered, callback_accepted,
callback_kept, handle_time_sec, resolved_first_contact, transfers, escalated_to_agent,
agent_id, team_id``. Aggregations run as SQL in DuckDB on a DataFrame, a CSV/Parquet
file or a table of a DuckDB database, so millions of rows never pass through pandas.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({"contact_id": [1, 2, 3], "customer_id": ["a", "a", "b"],
...     "issue_id": [10, 10, 11], "channel": ["chat", "phone", "phone"],
...     "started_at": pd.to_datetime(["2025-01-01 10:00", "2025-01-02 09:00", "2025-01-05 12:00"], utc=True),
...     "queue_wait_sec": [30.0, 400.0, 20.0], "abandoned": [False, False, True],
...     "callback_offered": [False, True, False], "callback_accepted": [False, True, False],
...     "callback_kept": [False, True, False], "handle_time_sec": [300.0, 500.0, None],
...     "resolved_first_contact": [False, True, False], "transfers": [0, 1, 0],
...     "escalated_to_agent": [True, False, False], "agent_id": ["A1", "A2", None], "team_id": ["T1", "T1", None]})
>>> customer_features(log)[["customer_id", "contacts", "repeat_contacts", "channel_switches", "long_waits"]]
  customer_id  contacts  repeat_contacts  channel_switches  long_waits
0           a         2                1                 1           1
1           b         1                0                 0           0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

__all__ = ["CHANNELS", "customer_features", "respondent_features", "channel_overview", "wait_abandonment",
           "service_levels", "team_features"]

CHANNELS = ("phone", "email", "chat", "web", "social")


def _source(con: duckdb.DuckDBPyConnection, contacts: Any) -> str:
    """Register ``contacts`` with DuckDB and return the relation name to select from."""
    if isinstance(contacts, pd.DataFrame):
        con.register("contacts_df", contacts)
        return "contacts_df"
    if isinstance(contacts, (str, Path)):
        path = Path(contacts)
        if not path.exists():
            raise FileNotFoundError(f"Contact log not found: {path}")
        reader = {".parquet": "read_parquet", ".csv": "read_csv_auto"}.get(path.suffix)
        if reader is None:
            raise ValueError(f"Contact log {path}: unsupported file type {path.suffix!r} (use .parquet or .csv)")
        return f"{reader}('{str(path).replace(chr(39), chr(39) * 2)}')"
    if isinstance(contacts, tuple) and len(contacts) == 2:  # (duckdb connection or path, table name)
        return contacts[1]
    raise TypeError("The 'contacts' parameter must be a DataFrame, a file path or a (database, table) pair. "
                    f"Got {type(contacts).__name__} instead.")


def _connect(contacts: Any) -> duckdb.DuckDBPyConnection:
    if isinstance(contacts, tuple) and len(contacts) == 2:
        db = contacts[0]
        return db if isinstance(db, duckdb.DuckDBPyConnection) else duckdb.connect(str(db), read_only=True)
    return duckdb.connect()


def _features_sql(source: str, key: str, *, long_wait_sec: float, repeat_days: int) -> str:
    per_channel = ",\n".join(f"count(*) FILTER (WHERE channel = '{c}') AS contacts_{c}" for c in CHANNELS)
    return f"""
    WITH c AS (
      SELECT *,
        lag(channel)    OVER (PARTITION BY {key}, issue_id ORDER BY started_at, contact_id) AS prev_channel,
        lag(started_at) OVER (PARTITION BY {key}, issue_id ORDER BY started_at, contact_id) AS prev_start
      FROM {source}
    )
    SELECT {key},
      count(*) AS contacts,
      {per_channel},
      count(DISTINCT issue_id) AS issues,
      count(*) FILTER (WHERE prev_start IS NOT NULL
                         AND started_at - prev_start <= INTERVAL {int(repeat_days)} DAY) AS repeat_contacts,
      count(*) FILTER (WHERE prev_channel IS NOT NULL AND prev_channel <> channel) AS channel_switches,
      avg(CAST(resolved_first_contact AS DOUBLE)) AS fcr_rate,
      avg(queue_wait_sec) AS mean_wait_sec,
      count(*) FILTER (WHERE queue_wait_sec > {float(long_wait_sec)}) AS long_waits,
      count(*) FILTER (WHERE abandoned) AS abandoned,
      count(*) FILTER (WHERE abandoned AND queue_wait_sec <= 60) AS abandoned_within_60s,
      count(*) FILTER (WHERE callback_offered) AS callbacks_offered,
      count(*) FILTER (WHERE callback_accepted) AS callbacks_accepted,
      count(*) FILTER (WHERE callback_kept) AS callbacks_kept,
      coalesce(sum(transfers), 0) AS transfers,
      count(*) FILTER (WHERE escalated_to_agent) AS escalations,
      avg(handle_time_sec) AS mean_handle_time_sec
    FROM c GROUP BY {key} ORDER BY {key}
    """


def customer_features(contacts: Any, *, long_wait_sec: float = 300, repeat_days: int = 7) -> pd.DataFrame:
    """One row per customer: the contact experience in the log.

    Parameters
    ----------
    contacts : DataFrame, path, or (duckdb connection or database path, table name)
    long_wait_sec : float, default=300
        Queue waits above this count as long waits.
    repeat_days : int, default=7
        A contact about the same issue within this many days of the previous one is a
        repeat contact (the issue was not resolved).

    Returns
    -------
    DataFrame with ``customer_id``, ``contacts``, ``contacts_<channel>``, ``issues``,
    ``repeat_contacts``, ``channel_switches`` (consecutive contacts on one issue in
    different channels), ``fcr_rate``, ``mean_wait_sec``, ``long_waits``, ``abandoned``,
    ``abandoned_within_60s``, ``callbacks_offered/accepted/kept``, ``transfers``,
    ``escalations`` (digital contacts that ended at an agent), ``mean_handle_time_sec``.
    """
    con = _connect(contacts)
    sql = _features_sql(_source(con, contacts), "customer_id", long_wait_sec=long_wait_sec, repeat_days=repeat_days)
    return con.execute(sql).df()


def respondent_features(survey: pd.DataFrame, contacts: Any, *, customer: str, respondent: str, date: str,
                        window_days: int = 90, long_wait_sec: float = 300, repeat_days: int = 7) -> pd.DataFrame:
    """Contact features of each respondent over the ``window_days`` before their survey date.

    Respondents without contacts in the window get zero counts (and missing means).
    Returns one row per respondent, keyed by the ``respondent`` column.
    """
    con = _connect(contacts)
    src = _source(con, contacts)
    links = survey[[respondent, customer, date]].rename(columns={respondent: "respondent", customer: "customer_id",
                                                                 date: "survey_date"})
    links["survey_date"] = pd.to_datetime(links["survey_date"], utc=True)
    con.register("links", links)
    window = f"""(SELECT l.respondent, c.* FROM links l JOIN {src} c ON c.customer_id = l.customer_id
                 AND c.started_at < l.survey_date
                 AND c.started_at >= l.survey_date - INTERVAL {int(window_days)} DAY)"""
    feats = con.execute(_features_sql(window, "respondent", long_wait_sec=long_wait_sec,
                                      repeat_days=repeat_days)).df()
    out = links[["respondent"]].merge(feats, on="respondent", how="left")
    counts = [c for c in out.columns if c not in ("respondent", "fcr_rate", "mean_wait_sec", "mean_handle_time_sec")]
    out[counts] = out[counts].fillna(0).astype("int64")
    return out.rename(columns={"respondent": respondent})


def channel_overview(contacts: Any) -> pd.DataFrame:
    """Per channel: contacts, share, customers, mean wait, abandonment, FCR, transfers, escalation."""
    con = _connect(contacts)
    src = _source(con, contacts)
    return con.execute(f"""
        SELECT channel, count(*) AS contacts, count(*) / sum(count(*)) OVER () AS share,
               count(DISTINCT customer_id) AS customers,
               avg(queue_wait_sec) AS mean_wait_sec,
               avg(CAST(abandoned AS DOUBLE)) AS abandonment_rate,
               avg(CAST(resolved_first_contact AS DOUBLE)) AS fcr_rate,
               avg(transfers) AS mean_transfers,
               avg(CAST(escalated_to_agent AS DOUBLE)) AS escalation_rate
        FROM {src} GROUP BY channel ORDER BY contacts DESC""").df()


def wait_abandonment(contacts: Any, *, bin_sec: int = 30, max_sec: int = 600) -> pd.DataFrame:
    """Abandonment curve: share of abandoned queued contacts that hung up by each wait time."""
    con = _connect(contacts)
    src = _source(con, contacts)
    return con.execute(f"""
        WITH a AS (SELECT least(floor(queue_wait_sec / {int(bin_sec)}) * {int(bin_sec)}, {int(max_sec)}) AS wait_bin
                   FROM {src} WHERE abandoned AND queue_wait_sec IS NOT NULL)
        SELECT wait_bin AS wait_sec, count(*) AS abandoned,
               sum(count(*)) OVER (ORDER BY wait_bin) / sum(count(*)) OVER () AS cumulative_share
        FROM a GROUP BY wait_bin ORDER BY wait_bin""").df()


def service_levels(contacts: Any, *, long_wait_sec: float = 300,
                   digital: tuple[str, ...] = ("chat", "web", "social")) -> pd.DataFrame:
    """Headline service levels of a contact log: waits, abandonment, callbacks, escalation.

    Parameters
    ----------
    contacts : DataFrame, path, or (duckdb connection or database path, table name)
    long_wait_sec : float, default=300
        Queue waits above this count as long.
    digital : tuple of str, default=("chat", "web", "social")
        Channels that start without an agent; escalation is measured on these.

    Returns
    -------
    DataFrame with one row per metric: ``metric``, ``value`` and ``base`` (what the
    rate is a share of): ``contacts``, ``queued_contacts``, ``mean_wait_sec``,
    ``long_wait_rate``, ``abandonment_rate``, ``abandoned_within_60s_share``,
    ``callback_offer_rate``, ``callback_accept_rate``, ``callback_kept_rate``,
    ``digital_escalation_rate``, ``first_contact_resolution_rate``, ``transfer_rate``.

    Examples
    --------
    >>> log = pd.DataFrame({"channel": ["phone", "phone", "chat", "web"],
    ...     "queue_wait_sec": [400.0, 30.0, 20.0, None], "abandoned": [False, True, False, False],
    ...     "callback_offered": [True, False, False, False], "callback_accepted": [True, False, False, False],
    ...     "callback_kept": [False, False, False, False], "resolved_first_contact": [True, False, True, True],
    ...     "transfers": [1, 0, 0, 0], "escalated_to_agent": [False, False, True, False]})
    >>> service_levels(log).set_index("metric")["value"].round(3).to_dict()["digital_escalation_rate"]
    0.5
    """
    con = _connect(contacts)
    src = _source(con, contacts)
    channels = ", ".join("'" + c.replace("'", "''") + "'" for c in digital) or "NULL"
    row = con.execute(f"""
        SELECT count(*) AS contacts,
               count(queue_wait_sec) AS queued_contacts,
               avg(queue_wait_sec) AS mean_wait_sec,
               avg(CAST(queue_wait_sec > {float(long_wait_sec)} AS DOUBLE)) AS long_wait_rate,
               avg(CAST(abandoned AS DOUBLE)) FILTER (WHERE queue_wait_sec IS NOT NULL) AS abandonment_rate,
               avg(CAST(queue_wait_sec <= 60 AS DOUBLE)) FILTER (WHERE abandoned) AS abandoned_within_60s_share,
               avg(CAST(callback_offered AS DOUBLE)) FILTER (WHERE queue_wait_sec IS NOT NULL) AS callback_offer_rate,
               avg(CAST(callback_accepted AS DOUBLE)) FILTER (WHERE callback_offered) AS callback_accept_rate,
               avg(CAST(callback_kept AS DOUBLE)) FILTER (WHERE callback_accepted) AS callback_kept_rate,
               avg(CAST(escalated_to_agent AS DOUBLE)) FILTER (WHERE channel IN ({channels}))
                   AS digital_escalation_rate,
               avg(CAST(resolved_first_contact AS DOUBLE)) AS first_contact_resolution_rate,
               avg(CAST(transfers > 0 AS DOUBLE)) AS transfer_rate
        FROM {src}""").df().iloc[0]
    bases = {
        "contacts": "all contacts", "queued_contacts": "contacts with a queue wait",
        "mean_wait_sec": "queued contacts", "long_wait_rate": f"queued contacts (wait > {long_wait_sec:g} s)",
        "abandonment_rate": "queued contacts", "abandoned_within_60s_share": "abandoned contacts",
        "callback_offer_rate": "queued contacts", "callback_accept_rate": "callbacks offered",
        "callback_kept_rate": "callbacks accepted",
        "digital_escalation_rate": f"contacts in {', '.join(digital)}",
        "first_contact_resolution_rate": "all contacts", "transfer_rate": "all contacts (≥ 1 transfer)",
    }
    return pd.DataFrame({"metric": list(bases), "value": [float(row[m]) for m in bases],
                         "base": list(bases.values())})


def team_features(contacts: Any, *, by: str = "team_id") -> pd.DataFrame:
    """Per team (or agent) handling: contacts, agents, resolution, handle time, transfers.

    Links the Service Profit Chain's employee side to the contact experience.
    Contacts without a ``by`` value (self-service, abandoned) are left out.

    Parameters
    ----------
    contacts : DataFrame, path, or (duckdb connection or database path, table name)
    by : {"team_id", "agent_id"}, default="team_id"

    Returns
    -------
    DataFrame with ``by``, ``contacts``, ``customers``, ``agents``, ``fcr_rate``,
    ``mean_handle_time_sec``, ``transfer_rate`` (share of contacts transferred at
    least once), ``escalations_handled`` (digital contacts escalated to it).

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": ["a", "b", "b"], "team_id": ["T1", "T1", "T2"],
    ...     "agent_id": ["A1", "A2", "A3"], "resolved_first_contact": [True, False, True],
    ...     "handle_time_sec": [100.0, 300.0, 200.0], "transfers": [0, 1, 0],
    ...     "escalated_to_agent": [False, True, False]})
    >>> team_features(log)[["team_id", "contacts", "agents", "fcr_rate"]]
      team_id  contacts  agents  fcr_rate
    0      T1         2       2       0.5
    1      T2         1       1       1.0
    """
    if by not in ("team_id", "agent_id"):
        raise ValueError(f"The 'by' parameter of team_features must be one of 'team_id', 'agent_id'. "
                         f"Got {by!r} instead.")
    con = _connect(contacts)
    src = _source(con, contacts)
    return con.execute(f"""
        SELECT {by}, count(*) AS contacts, count(DISTINCT customer_id) AS customers,
               count(DISTINCT agent_id) AS agents,
               avg(CAST(resolved_first_contact AS DOUBLE)) AS fcr_rate,
               avg(handle_time_sec) AS mean_handle_time_sec,
               avg(CAST(transfers > 0 AS DOUBLE)) AS transfer_rate,
               count(*) FILTER (WHERE escalated_to_agent) AS escalations_handled
        FROM {src} WHERE {by} IS NOT NULL GROUP BY {by} ORDER BY {by}""").df()
