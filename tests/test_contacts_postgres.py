"""The same contact aggregation on PostgreSQL as in DuckDB.

Starts a throwaway PostgreSQL server (Debian's ``postgresql`` package; installed with
apt-get when missing and running as root) in a temporary folder on a free localhost
port, loads the demo contact log and compares the per-customer (and per-respondent)
features with DuckDB's. Skipped, saying why, only where PostgreSQL cannot be installed.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from cxlab import contacts
from conftest import apt_install

pytestmark = pytest.mark.slow


def _pg_bin() -> Path | None:
    found = shutil.which("initdb", path=os.environ.get("PATH", "") + ":" + ":".join(
        sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)))
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    why = apt_install("postgresql", present=_pg_bin)
    bindir = _pg_bin()
    if bindir is None:
        pytest.skip(f"no PostgreSQL server to test against: {why}")
    folder = Path(tempfile.mkdtemp(prefix="cxlab-pg-"))
    data, port = folder / "data", _free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: run the server as the postgres user
        shutil.chown(folder, user="postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    run = lambda *cmd: subprocess.run([*as_user, *map(str, cmd)], capture_output=True, text=True, timeout=120)  # noqa: E731
    done = run(bindir / "initdb", "-D", data, "-A", "trust", "-U", "cx", "--locale=C", "-E", "UTF8", "--no-sync")
    assert done.returncode == 0, done.stderr
    opts = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    done = run(bindir / "pg_ctl", "-D", data, "-o", opts, "-l", folder / "log", "-w", "start")
    assert done.returncode == 0, done.stderr + (folder / "log").read_text()
    try:
        yield f"postgres://cx@127.0.0.1:{port}/postgres"
    finally:
        run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


_TYPES = {"int64": "bigint", "float64": "double precision", "bool": "boolean", "str": "text",
          "datetime64[us, UTC]": "timestamptz", "datetime64[ns, UTC]": "timestamptz"}


def _load(url: str, df: pd.DataFrame, table: str) -> None:
    """Bulk-load a DataFrame into PostgreSQL with COPY (what a contact centre's ETL would have done)."""
    import psycopg

    cols = ", ".join(f"{c} {_TYPES[str(t)]}" for c, t in df.dtypes.items())
    buf = io.StringIO()
    df.to_csv(buf, index=False, header=False, date_format="%Y-%m-%d %H:%M:%S%z")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TABLE {table} ({cols})")
        with con.cursor().copy(f"COPY {table} FROM STDIN WITH (FORMAT csv)") as copy:
            copy.write(buf.getvalue())


def test_customer_features_same_on_postgres_as_in_duckdb(postgres_url, demo_contacts):
    log = pd.read_parquet(demo_contacts)
    _load(postgres_url, log, "contacts")
    t0 = time.perf_counter()
    duck = contacts.customer_features(demo_contacts)
    t1 = time.perf_counter()
    pg = contacts.customer_features((postgres_url, "contacts"))
    t2 = time.perf_counter()
    print(f"\nper-customer features of {len(log):,} contacts: DuckDB {t1 - t0:.2f} s, PostgreSQL {t2 - t1:.2f} s")
    assert len(pg) == len(duck) == log["customer_id"].nunique()
    pd.testing.assert_frame_equal(pg, duck, check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-9)
    pd.testing.assert_frame_equal(contacts.service_levels((postgres_url, "contacts")),
                                  contacts.service_levels(demo_contacts), rtol=1e-12)


def test_respondent_window_and_messy_rows_same_on_postgres(postgres_url):
    log = pd.DataFrame({
        "contact_id": [1, 2, 3, 4, 5, 6], "customer_id": ["a", "a", "b", None, "b", "c"],
        "issue_id": [1, 1, 2, 3, 2, 4], "channel": ["phone", "chat", "fax", "phone", "phone", "email"],
        "started_at": pd.to_datetime(["2025-05-01 10:00", "2025-05-03 09:00", "2025-05-02 08:00",
                                      "2025-05-02 08:00", "2025-05-20 12:00", "2025-05-30 23:30"], utc=True),
        "queue_wait_sec": [30.0, -5.0, 20.0, 10.0, 400.0, 1e6], "abandoned": [False, True, False, False, False, False],
        "callback_offered": False, "callback_accepted": False, "callback_kept": False,
        "handle_time_sec": [100.0, 200.0, 50.0, 10.0, 300.0, 20.0], "resolved_first_contact": [True, False, True,
                                                                                                True, False, True],
        "transfers": [0, 1, 0, 0, 2, 0], "escalated_to_agent": False, "agent_id": "A", "team_id": "T"})
    _load(postgres_url, log, "messy")
    survey = pd.DataFrame({"rid": ["r1", "r2", "r3"], "cust": ["a", "b", "c"],
                           "when": ["2025-05-10", "2025-06-01", "2025-05-31"]})
    for fn in (lambda src: contacts.customer_features(src),
               lambda src: contacts.respondent_features(survey, src, customer="cust", respondent="rid", date="when",
                                                        window_days=14),
               lambda src: contacts.contact_problems(src)):
        pd.testing.assert_frame_equal(fn((postgres_url, "messy")), fn(log), check_dtype=False, rtol=1e-12)
    feats = contacts.customer_features((postgres_url, "messy")).set_index("customer_id")
    assert list(feats.index) == ["a", "b", "c"]                      # the customer-less contact is left out
    assert feats.loc["a", "mean_wait_sec"] == 30.0                    # -5 s set missing
    assert pd.isna(feats.loc["c", "mean_wait_sec"])                   # 1e6 s set missing
