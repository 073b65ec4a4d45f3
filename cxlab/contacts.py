"""Customer-contact features, aggregated inside the engine where the log lives.

A contact log has one row per contact: ``contact_id, customer_id, issue_id, channel,
started_at, queue_wait_sec, abandoned, callback_offered, callback_accepted,
callback_kept, handle_time_sec, resolved_first_contact, transfers, escalated_to_agent,
agent_id, team_id`` (the last two optional, as is ``qa_score``, the contact's
quality-assurance score 0-100, which the Service Profit Chain uses). Every aggregation is written once as an `Ibis
<https://ibis-project.org>`_ expression and runs where the data is: in an embedded
DuckDB for a DataFrame or a CSV/Parquet file (the default), or in the database that
holds the table (DuckDB, PostgreSQL, or any other Ibis backend). Millions of rows never
pass through pandas; only the per-customer result does.

The ``contacts`` argument of every function may be

- a pandas DataFrame;
- the path of a ``.parquet`` or ``.csv`` file;
- a ``(database, table)`` pair, where ``database`` is an open DuckDB connection, an Ibis
  backend (e.g. a Spark session from :func:`spark_backend`), the path of a DuckDB database
  file or a connection URL such as ``"postgres://user@host:5432/db"``;
- an Ibis table expression (e.g. from :func:`contacts_table`, which also renames columns
  and reads naive timestamps in a study's time zone).

Real logs are messy. Before aggregating, every function applies the same rules
(see :func:`contact_problems` for the counts, and the ``on_invalid`` option):

==================  =========================================  ==========================
problem             what it is                                 default handling
==================  =========================================  ==========================
missing_customer    no ``customer_id``                         ``drop``: left out of the
                                                               per-customer features
missing_timestamp   no ``started_at``                          ``drop``
bad_duration        ``queue_wait_sec`` / ``handle_time_sec``   ``set_missing``
                    negative or above ``max_duration_sec``
unknown_channel     ``channel`` not in :data:`CHANNELS`        ``keep``: counted in
                                                               ``contacts`` only
==================  =========================================  ==========================

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

import os
import re
import shutil
import socket
import tempfile
import warnings
import weakref
from pathlib import Path
from typing import Any, Mapping

import duckdb
import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pandas as pd

from ._validation import check_choice, param_error, renamed_parameters

__all__ = ["CHANNELS", "POLICIES", "REQUIRED_COLUMNS", "OPTIONAL_COLUMNS", "ContactError", "contacts_table", "validate_contacts",
           "contact_problems", "customer_features", "respondent_features", "channel_overview", "wait_abandonment",
           "service_levels", "team_features", "spark_backend"]

CHANNELS = ("phone", "email", "chat", "web", "social")

#: Problems found in contact logs and the handlings each accepts (the first is the default).
POLICIES: dict[str, tuple[str, ...]] = {
    "missing_customer": ("drop", "error"),
    "missing_timestamp": ("drop", "error"),
    "bad_duration": ("set_missing", "drop", "error"),
    "unknown_channel": ("keep", "drop", "error"),
}
_DURATIONS = ("queue_wait_sec", "handle_time_sec")
MAX_DURATION_SEC = 24 * 3600


class ContactError(ValueError):
    """A contact log breaks a rule the study says is an error; the message names it."""


# ----------------------------------------------------------------------------- sources
def _backend(db: Any, func: str):
    """An Ibis backend for a DuckDB connection, an Ibis backend, a DuckDB file or a URL."""
    if isinstance(db, duckdb.DuckDBPyConnection):
        return ibis.duckdb.from_connection(db)
    if isinstance(db, ibis.BaseBackend):
        return db
    if isinstance(db, str) and "://" in db:
        return ibis.connect(db)
    if isinstance(db, (str, Path)):
        path = Path(db)
        if not path.exists():
            raise FileNotFoundError(f"Contact database not found: {path}")
        return _Duck(str(path), read_only=True).con
    raise param_error("contacts", func, "pair a table name with a DuckDB connection, an Ibis backend, a DuckDB "
                      "file or a URL", db, exc=TypeError, got=f"{type(db).__name__} as its database", instead=False)


def spark_backend(master: str | None = None, conf: Mapping[str, Any] | None = None):
    """An Ibis backend on a Spark session, so the features run inside Spark.

    Parameters
    ----------
    master : str, optional
        Where Spark runs: ``"local[2]"`` (in this process' JVM), ``"spark://host:7077"``,
        ``"yarn"``, ``"k8s://..."``, or ``"sc://host:15002"`` for a Spark Connect server
        (Databricks, a lakehouse). Default: the running session, or Spark's own default.
    conf : mapping, optional
        Spark settings, e.g. ``{"spark.sql.catalog.lake": "org.apache.iceberg.spark.SparkCatalog"}``.
        A session that is already running keeps its static settings.

    Returns
    -------
    ibis PySpark backend
        Pair it with a table name: ``customer_features((spark_backend("local[2]"), "crm.contacts"))``.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ContactError("Reading contacts through Spark needs pyspark: pip install 'pyspark>=3.5,<4' "
                           "(and Java 17 for a local session).") from None
    builder = SparkSession.builder.appName("cxlab")
    if master and master.startswith("sc://"):
        builder = builder.remote(master)
    elif master:
        builder = builder.master(master)
    for key, value in (conf or {}).items():
        builder = builder.config(str(key), str(value))
    return ibis.pyspark.connect(builder.getOrCreate())


def _table(contacts: Any, func: str) -> ir.Table:
    """``contacts`` as an Ibis table expression, bound to the engine that holds the data."""
    if isinstance(contacts, ir.Table):
        return contacts
    if isinstance(contacts, pd.DataFrame):
        return _duck().read_in_memory(contacts)
    if isinstance(contacts, (str, Path)):
        path = Path(contacts)
        if not path.exists():
            raise FileNotFoundError(f"Contact log not found: {path}")
        if path.suffix == ".parquet":
            return _duck().read_parquet(path)
        if path.suffix == ".csv":
            return _duck().read_csv(path)
        raise ValueError(f"Contact log {path}: unsupported file type {path.suffix!r} (use .parquet or .csv)")
    if isinstance(contacts, tuple) and len(contacts) == 2:
        backend = _backend(contacts[0], func)
        return backend.table(contacts[1])
    raise param_error("contacts", func, "be a DataFrame, a file path, a (database, table) pair or an Ibis table",
                      contacts, exc=TypeError, got=type(contacts).__name__)


#: Memory a DuckDB that cxlab opens (for a DataFrame, a file or a DuckDB database file) may
#: use before it spills to disk (``CXLAB_DUCKDB_MEMORY`` overrides it). Spilled data goes to
#: a folder of its own under ``CXLAB_DUCKDB_TEMP`` (default: ``cxlab-duckdb`` in the system's
#: temporary folder), removed with the connection. :func:`customer_features` has the engine
#: write its result to Parquet there and reads it back column by column once the engine is
#: done, so the engine's memory and the result's are never held at once: 100 million
#: contacts of 9 million customers peak below 2 GB (benchmarks/bench_contacts.py). Its
#: parts of :data:`PART_ROWS` contacts each fit in this memory.
DUCKDB_MEMORY = "1500MB"


def _temp_root() -> str:
    """The folder for DuckDB's spill files and cxlab's intermediate Parquet files.

    Each process' folders in it are named ``<kind>-<host>-<pid>-...``; those of processes of
    this host that no longer run (killed before they could clean up: out of core, their
    spill files take several times the log's size) are removed here.
    """
    root = os.environ.get("CXLAB_DUCKDB_TEMP") or os.path.join(tempfile.gettempdir(), "cxlab-duckdb")
    os.makedirs(root, exist_ok=True)
    for entry in os.scandir(root):
        owner = re.fullmatch(r"(?:duckdb|features)-(.+)-(\d+)-\w+", entry.name)
        if owner and owner[1] == _HOST and entry.is_dir() and not _running(int(owner[2])):
            shutil.rmtree(entry.path, ignore_errors=True)
    return root


_HOST = socket.gethostname().replace("-", "_")


def _running(pid: int) -> bool:
    """Whether process ``pid`` of this host still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _temp_prefix(kind: str) -> str:
    """How this process names its folders under :func:`_temp_root`."""
    return f"{kind}-{_HOST}-{os.getpid()}-"


class _Duck:
    """A fresh DuckDB backend per call (no state shared between calls), capped at :data:`DUCKDB_MEMORY`.

    Each connection spills to a folder of its own (DuckDB would delete a shared folder's
    spill files, another process' included, when a connection closes); it is removed
    with the connection. Insertion order is not preserved where no ``ORDER BY`` asks
    for it, which lets DuckDB stream Parquet output out of core.
    """

    def __init__(self, database: str = ":memory:", read_only: bool = False):
        memory = os.environ.get("CXLAB_DUCKDB_MEMORY", DUCKDB_MEMORY)
        temp = tempfile.mkdtemp(prefix=_temp_prefix("duckdb"), dir=_temp_root())
        try:
            self.con = ibis.duckdb.connect(database, read_only=read_only, memory_limit=memory, temp_directory=temp,
                                           preserve_insertion_order=False)
        except duckdb.Error as exc:
            shutil.rmtree(temp, ignore_errors=True)
            if "memory" in str(exc).lower():
                raise ValueError(f"CXLAB_DUCKDB_MEMORY must be a memory size such as '1500MB' or '2GB'. "
                                 f"Got {memory!r} instead.") from None
            raise
        try:  # no bar on stderr for long queries; in a kernel without ipywidgets DuckDB refuses the setting
            self.con.con.execute("SET enable_progress_bar = false")
        except duckdb.Error:
            pass
        weakref.finalize(self.con, shutil.rmtree, temp, ignore_errors=True)

    def read_in_memory(self, df: pd.DataFrame) -> ir.Table:
        return self.con.create_table("contacts_df", ibis.memtable(df), temp=True)

    def read_parquet(self, path: Path) -> ir.Table:
        return self.con.read_parquet(path)

    def read_csv(self, path: Path) -> ir.Table:
        return self.con.read_csv(path)


def _duck() -> _Duck:
    return _Duck()


def _execute(expr: ir.Table) -> pd.DataFrame:
    """Run ``expr`` in its engine; the result comes back through Arrow (Ibis 12's
    ``to_pandas`` takes ~2 s longer for a 900,000-row result, benchmarks/bench_contacts.py)."""
    with warnings.catch_warnings():  # ibis 12 asks pandas 3 about a deprecated option
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")
        warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*")
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")  # pyspark 4.0 on pandas 3
        return expr.to_pyarrow().to_pandas()


def contacts_table(contacts: Any, *, columns: Mapping[str, str] | None = None,
                   timezone: str | None = None) -> ir.Table:
    """A contact log as an Ibis table with cxlab's column names and UTC timestamps.

    Parameters
    ----------
    contacts : DataFrame, path, (database, table) pair or Ibis table
        See the module documentation.
    columns : mapping, optional
        cxlab name -> the log's column name, e.g. ``{"customer_id": "klantnummer"}``.
    timezone : str, optional
        Time zone in which timestamps *without* an offset were recorded (e.g.
        ``"Europe/Amsterdam"``); they are converted to UTC. Timestamps with a time zone
        are converted to UTC whatever this says. Default: naive timestamps are UTC.

    Returns
    -------
    ibis Table
        Lazy: nothing is read until a feature function aggregates it.

    Examples
    --------
    >>> log = pd.DataFrame({"klant": ["a"], "started_at": pd.to_datetime(["2025-03-30 12:00"])})
    >>> t = contacts_table(log, columns={"customer_id": "klant"}, timezone="Europe/Amsterdam")
    >>> t.to_pandas()["started_at"].iloc[0]
    Timestamp('2025-03-30 10:00:00+0000', tz='UTC')
    """
    return _contacts_table(contacts, columns=columns, timezone=timezone, func="contacts_table")


def _contacts_table(contacts: Any, *, columns=None, timezone=None, func: str) -> ir.Table:
    """:func:`contacts_table`, naming ``func`` (the function the user called) in a parameter error."""
    t = _table(contacts, func)
    if columns:
        missing = [src for src in columns.values() if src not in t.columns]
        if missing:
            raise ContactError(f"Contact log: column(s) {', '.join(map(repr, missing))} named in 'columns' not found "
                               f"(the log has {', '.join(t.columns)})")
        t = t.rename({ours: theirs for ours, theirs in columns.items()})
    if "started_at" in t.columns:
        ts = t.started_at
        if ts.type().is_string():
            ts = ts.cast(dt.Timestamp(timezone="UTC")) if timezone is None else ts.cast(dt.Timestamp())
        if ts.type().is_timestamp() and ts.type().timezone is None:
            ts = _localize(ts, timezone) if timezone else ts.cast(dt.Timestamp(timezone="UTC"))
        elif ts.type().is_timestamp() and ts.type().timezone != "UTC":
            ts = ts.cast(dt.Timestamp(timezone="UTC"))
        t = t.mutate(started_at=ts)
    return t


#: Columns a contact log needs, with the kind of type each must have.
REQUIRED_COLUMNS: dict[str, str] = {
    "contact_id": "any", "customer_id": "any", "issue_id": "any", "channel": "string",
    "started_at": "timestamp", "queue_wait_sec": "numeric", "abandoned": "boolean",
    "callback_offered": "boolean", "callback_accepted": "boolean", "callback_kept": "boolean",
    "handle_time_sec": "numeric", "resolved_first_contact": "boolean", "transfers": "numeric",
    "escalated_to_agent": "boolean",
}


#: Columns a contact log may have, with their kind: agents and teams (the employee side) and
#: ``qa_score``, handle quality (the contact's quality-assurance score, 0 to :data:`QA_MAX`).
OPTIONAL_COLUMNS: dict[str, str] = {"agent_id": "any", "team_id": "any", "qa_score": "numeric"}
QA_MAX = 100


def _kind_ok(kind: str, dtype) -> bool:
    return {"any": True, "string": dtype.is_string(), "timestamp": dtype.is_timestamp() or dtype.is_string(),
            "numeric": dtype.is_numeric() and not dtype.is_boolean(), "boolean": dtype.is_boolean()}[kind]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def validate_contacts(contacts: Any, *, columns: Mapping[str, str] | None = None,
                      timezone: str | None = None, name: str | None = None) -> list[str]:
    """Every problem that would stop the features of a contact log, found before they run.

    Checks that the log can be read (a truncated or corrupt Parquet file, a CSV DuckDB
    cannot parse, a missing table), that the columns in ``columns`` exist, that every
    column in :data:`REQUIRED_COLUMNS` is there (after renaming) with a usable type
    (timestamps, numbers, booleans), that timestamps stored as text parse, and that the
    optional columns of :data:`OPTIONAL_COLUMNS` a log has are usable (``qa_score``: numbers
    from 0 to 100).

    Parameters
    ----------
    contacts : DataFrame, path, (database, table) pair or Ibis table
    columns, timezone
        As in :func:`contacts_table`.
    name : str, optional
        What to call the log in messages (default: its file name or table name).

    Returns
    -------
    list of str
        One message per problem, naming the log and the column; empty when the log is usable.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": ["a"], "started_at": ["yesterday"], "abandoned": [1]})
    >>> for problem in validate_contacts(log, name="log.csv"):
    ...     print(problem)
    log.csv: column(s) missing: 'contact_id', 'issue_id', 'channel', 'queue_wait_sec', 'callback_offered', 'callback_accepted', 'callback_kept', 'handle_time_sec', 'resolved_first_contact', 'transfers', 'escalated_to_agent' (the log has customer_id, started_at, abandoned)
    log.csv, column 'abandoned': must be true/false; found int64
    log.csv, column 'started_at': 1 value(s) that are not timestamps (e.g. 'yesterday')
    >>> validate_contacts(pd.DataFrame({"qa_score": [80.0, 140.0]}), name="log.csv")[-1]
    "log.csv, column 'qa_score': 1 value(s) outside 0-100 (e.g. 140)"
    """
    if name is None:
        name = (Path(contacts).name if isinstance(contacts, (str, Path))
                else f"table {contacts[1]!r}" if isinstance(contacts, tuple) and len(contacts) == 2
                else "contact log")
    try:
        _contacts_table(contacts, columns=columns, timezone=timezone, func="validate_contacts")  # checks renaming
        raw = _table(contacts, "validate_contacts")
        if columns:
            raw = raw.rename({ours: theirs for ours, theirs in columns.items()})
    except ContactError as exc:
        return [str(exc).replace("Contact log", name, 1)]
    except FileNotFoundError as exc:
        return [str(exc)]
    except (TypeError, ValueError) as exc:
        return [f"{name}: {exc}"]
    except Exception as exc:  # noqa: BLE001 - the engine's own error, summarised
        where = f" from {contacts[0]}" if isinstance(contacts, tuple) else ""
        return [f"{name}: cannot be read as a contact log{where} ({type(exc).__name__}: {_first_line(exc)})"]
    problems = []
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        problems.append(f"{name}: column(s) missing: {', '.join(map(repr, missing))} (the log has "
                        f"{', '.join(raw.columns)})" + (" after the study's 'columns' renaming" if columns else ""))
    schema = raw.schema()
    for col, kind in {**REQUIRED_COLUMNS, **OPTIONAL_COLUMNS}.items():
        if col in schema and not _kind_ok(kind, schema[col]):
            want = {"string": "text", "timestamp": "timestamps", "numeric": "numbers",
                    "boolean": "true/false"}[kind]
            problems.append(f"{name}, column {col!r}: must be {want}; found {schema[col]}")
    present = [c for c in REQUIRED_COLUMNS if c in raw.columns]
    try:
        # reads every needed column once: a corrupt page fails here, not in the middle of a run
        checks = {f"n_{i}": raw[c].count() for i, c in enumerate(present)}
        ts_text = "started_at" in schema and schema["started_at"].is_string()
        if ts_text:
            unparsed = raw.started_at.notnull() & raw.started_at.try_cast(dt.Timestamp(timezone="UTC")).isnull()
            checks["bad_ts"] = raw.count(where=unparsed)
        qa = "qa_score" in schema and _kind_ok("numeric", schema["qa_score"])
        if qa:
            out_of_range = raw.qa_score.notnull() & ((raw.qa_score < 0) | (raw.qa_score > QA_MAX))
            checks["bad_qa"] = raw.count(where=out_of_range)
        row = _execute(raw.aggregate(total=raw.count(), **checks)).iloc[0]
        if qa and int(row["bad_qa"]):
            example = _execute(raw.filter(out_of_range).select("qa_score").limit(1))["qa_score"].iloc[0]
            problems.append(f"{name}, column 'qa_score': {int(row['bad_qa'])} value(s) outside 0-{QA_MAX} "
                            f"(e.g. {float(example):g})")
        if ts_text and int(row["bad_ts"]):
            example = _execute(raw.filter(unparsed).select("started_at").limit(1))["started_at"].iloc[0]
            problems.append(f"{name}, column 'started_at': {int(row['bad_ts'])} value(s) that are not "
                            f"timestamps (e.g. {example!r})")
    except Exception as exc:  # noqa: BLE001 - the engine's own error, summarised
        problems.append(f"{name}: cannot be read as a contact log (truncated or corrupt?): {_first_line(exc)}")
    return problems


@ibis.udf.scalar.builtin(name="timezone")
def _tz_at(zone: str, ts: dt.Timestamp()) -> dt.Timestamp(timezone="UTC"):  # DuckDB and PostgreSQL alike
    """``timezone(zone, naive timestamp)``: the instant that wall-clock time had in ``zone``."""


@ibis.udf.scalar.builtin(name="to_utc_timestamp")
def _to_utc(ts: dt.Timestamp(), zone: str) -> dt.Timestamp(timezone="UTC"):  # Spark (its session runs in UTC)
    """``to_utc_timestamp(naive timestamp, zone)``: Spark's spelling of :func:`_tz_at`."""


def _localize(ts: ir.TimestampValue, zone: str) -> ir.TimestampValue:
    if ts._find_backend(use_default=True).name == "pyspark":
        return _to_utc(ts, zone)
    return _tz_at(zone, ts)


# ----------------------------------------------------------------------------- problems
def _policy(on_invalid: str | Mapping[str, str] | None, func: str) -> dict[str, str]:
    chosen = {k: v[0] for k, v in POLICIES.items()}
    if on_invalid is None:
        return chosen
    if isinstance(on_invalid, str):
        # One word for every problem where that handling applies.
        return {k: (on_invalid if on_invalid in ok else chosen[k]) for k, ok in POLICIES.items()}
    for key, value in on_invalid.items():
        if key not in POLICIES:
            raise param_error("on_invalid", func, f"name contact problems ({', '.join(POLICIES)})", key)
        chosen[key] = check_choice(value, f"on_invalid.{key}", func, POLICIES[key])
    return chosen


def _conditions(t: ir.Table, *, channels, max_duration_sec) -> dict[str, ir.BooleanColumn]:
    cond: dict[str, ir.BooleanColumn] = {}
    if "customer_id" in t.columns:
        cond["missing_customer"] = t.customer_id.isnull()
    if "started_at" in t.columns:
        cond["missing_timestamp"] = t.started_at.isnull()
    durs = [t[c] for c in _DURATIONS if c in t.columns]
    if durs:
        bad = None
        for d in durs:
            this = d.notnull() & ((d < 0) | (d > max_duration_sec))
            bad = this if bad is None else bad | this
        cond["bad_duration"] = bad
    if "channel" in t.columns:
        cond["unknown_channel"] = t.channel.isnull() | ~t.channel.isin(list(channels))
    return cond


def contact_problems(contacts: Any, *, channels: tuple[str, ...] = CHANNELS, max_duration_sec: float = MAX_DURATION_SEC,
                     on_invalid: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Count the problems of a contact log, in the engine that holds it.

    Parameters
    ----------
    contacts : DataFrame, path, (database, table) pair or Ibis table
    channels : tuple of str, default=CHANNELS
        The known channels.
    max_duration_sec : float, default=86400
        Waits and handle times above this (or below 0) are impossible.
    on_invalid : str or mapping, optional
        Handling per problem (see :data:`POLICIES`); shown in the ``handling`` column.

    Returns
    -------
    DataFrame
        One row per problem: ``problem``, ``contacts`` (rows with it), ``share`` of all
        rows, ``handling``, and ``total`` (rows in the log).

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": ["a", None, "b"], "channel": ["phone", "fax", "chat"],
    ...     "started_at": pd.to_datetime(["2025-01-01", "2025-01-02", None], utc=True),
    ...     "queue_wait_sec": [-5.0, 20.0, None], "handle_time_sec": [100.0, 1e6, 50.0]})
    >>> contact_problems(log)[["problem", "contacts", "handling"]]
                 problem  contacts     handling
    0   missing_customer         1         drop
    1  missing_timestamp         1         drop
    2       bad_duration         2  set_missing
    3    unknown_channel         1         keep
    """
    t = _contacts_table(contacts, func="contact_problems")
    policy = _policy(on_invalid, "contact_problems")
    cond = _conditions(t, channels=channels, max_duration_sec=max_duration_sec)
    row = _execute(t.aggregate(total=t.count(), **{k: c.sum().coalesce(0) for k, c in cond.items()})).iloc[0]
    total = int(row["total"])
    return pd.DataFrame({
        "problem": list(cond),
        "contacts": [int(row[k]) for k in cond],
        "share": [int(row[k]) / total if total else float("nan") for k in cond],
        "handling": [policy[k] for k in cond],
        "total": total,
    })


def _clean(contacts: Any, func: str, *, on_invalid, channels=CHANNELS, max_duration_sec=MAX_DURATION_SEC,
           need_customer: bool = True) -> ir.Table:
    """The contact log with the handling of each problem applied (in-engine); raise for problems whose handling is
    ``error``. ``func`` is the public function called, named in parameter errors."""
    t = _contacts_table(contacts, func=func)
    policy = _policy(on_invalid, func)
    cond = _conditions(t, channels=channels, max_duration_sec=max_duration_sec)
    if not need_customer:
        cond.pop("missing_customer", None)
    errors = {k: c for k, c in cond.items() if policy[k] == "error"}
    if errors:
        counts = _execute(t.aggregate(**{k: c.sum().coalesce(0) for k, c in errors.items()})).iloc[0]
        found = [f"{int(counts[k])} contact(s) with {k.replace('_', ' ')}" for k in errors if int(counts[k])]
        if found:
            raise ContactError("Contact log: " + "; ".join(found) + " (on_invalid says error; use contact_problems() "
                               "to see them, or choose drop / set_missing)")
    for key, c in cond.items():
        if policy[key] == "drop":
            t = t.filter(~c.fill_null(False))
    if policy.get("bad_duration") == "set_missing":
        t = t.mutate(**{d: ((t[d] < 0) | (t[d] > max_duration_sec)).ifelse(ibis.null(), t[d])
                        for d in _DURATIONS if d in t.columns})
    return t


# ----------------------------------------------------------------------------- features
def _rate(flag: ir.BooleanValue) -> ir.FloatingValue:
    """1.0 / 0.0 / NULL for true / false / missing (PostgreSQL casts booleans only to integers)."""
    return flag.cast("int32").cast("float64")


#: Columns the features need (the engine reads only these).
_FEATURE_COLUMNS = ("contact_id", "issue_id", "channel", "started_at", "queue_wait_sec", "abandoned",
                    "callback_offered", "callback_accepted", "callback_kept", "handle_time_sec",
                    "resolved_first_contact", "transfers", "escalated_to_agent")


def _key_code(key: ir.Column) -> ir.IntegerColumn:
    """A 64-bit integer standing for ``key`` (cheaper to sort and group than strings)."""
    return key.hash()


def _channel_code(channel: ir.StringColumn) -> ir.IntegerColumn:
    """1..5 for the known channels, NULL for a missing or unknown one (cheaper to sort than a string)."""
    return channel.cases(*((c, i) for i, c in enumerate(CHANNELS, start=1)), else_=None)


def _features(t: ir.Table, key: str, *, long_wait_sec: float, repeat_days: int, exact: bool = False) -> ir.Table:
    """Per-``key`` features as one lazy expression (see :func:`customer_features` for the columns).

    Two passes over the log, joined per key: the totals need no ordering; the sequence
    features (repeat contacts, channel switches) compare each contact with the previous
    one on the same issue, which needs a sort, so only the few columns it uses go
    through it.

    The sort is the expensive part. By default (``exact=False``) it is made cheaper:
    keys and channels travel as integer codes, and contacts are sorted per issue by time
    only. That is exact when (a) no two keys share a hash code, (b) no issue id is shared
    by two keys, (c) no two contacts of an issue at the same instant differ in channel
    and (d) every channel is known or missing. The result carries the evidence
    (``_code``, ``_mixed``, ``_ties``, ``_unknown``); :func:`_execute_features` checks it
    and otherwise reruns with ``exact=True``: sorted per key and issue by time and
    contact id, with the keys and channels themselves.
    """
    # the contact ids only break ties of the exact sort (the fast one needs no more; parts leave them out)
    t = t.select(key, *(c for c in _FEATURE_COLUMNS if exact or c != "contact_id"))
    per_channel = {f"contacts_{c}": t.count(where=t.channel == c) for c in CHANNELS}
    totals = t.group_by(key).aggregate(
        contacts=t.count(),
        **per_channel,
        _issue_contacts=t.issue_id.count(),
        _unknown=t.count(where=t.channel.notnull() & ~t.channel.isin(list(CHANNELS))),
        fcr_rate=_rate(t.resolved_first_contact).mean(),
        mean_wait_sec=t.queue_wait_sec.mean(),
        long_waits=t.count(where=t.queue_wait_sec > float(long_wait_sec)),
        abandoned=t.count(where=t.abandoned),
        abandoned_within_60s=t.count(where=t.abandoned & (t.queue_wait_sec <= 60)),
        callbacks_offered=t.count(where=t.callback_offered),
        callbacks_accepted=t.count(where=t.callback_accepted),
        callbacks_kept=t.count(where=t.callback_kept),
        transfers=t.transfers.sum().coalesce(0).cast("int64"),
        escalations=t.count(where=t.escalated_to_agent),
        mean_handle_time_sec=t.handle_time_sec.mean(),
    )
    totals = totals.mutate(_code=totals[key] if exact else _key_code(totals[key]))
    s = t.filter(t.issue_id.notnull())
    if exact:
        s = s.select(_code=s[key], issue_id=s.issue_id, started_at=s.started_at, contact_id=s.contact_id,
                     channel=s.channel)
        w = ibis.window(group_by=[s._code, s.issue_id], order_by=[s.started_at, s.contact_id])
    else:
        s = s.select(_code=_key_code(s[key]), issue_id=s.issue_id, started_at=s.started_at,
                     channel=_channel_code(s.channel))
        w = ibis.window(group_by=s.issue_id, order_by=s.started_at)
    s = s.mutate(prev_code=s._code.lag().over(w), prev_channel=s.channel.lag().over(w),
                 prev_start=s.started_at.lag().over(w))
    # only later contacts of an issue have a predecessor (timestamps are never missing here)
    s = s.filter(s.prev_start.notnull())
    same = s.prev_code == s._code
    seq = s.group_by("_code").aggregate(
        _later_contacts=s.count(where=same),
        repeat_contacts=s.count(where=same & (s.prev_start >= s.started_at - ibis.interval(days=int(repeat_days)))),
        channel_switches=s.count(where=same & (s.prev_channel != s.channel)),
        _mixed=s.count(where=~same),
        _ties=s.count(where=(s.prev_start == s.started_at) & ~s.prev_channel.identical_to(s.channel)),
    )
    j = totals.left_join(seq, "_code")
    out = j.select(
        key, "contacts", *per_channel,
        # an issue's first contact is the one without a predecessor
        issues=j._issue_contacts - j._later_contacts.coalesce(0),
        repeat_contacts=j.repeat_contacts.coalesce(0), channel_switches=j.channel_switches.coalesce(0),
        **{c: j[c] for c in ("fcr_rate", "mean_wait_sec", "long_waits", "abandoned", "abandoned_within_60s",
                             "callbacks_offered", "callbacks_accepted", "callbacks_kept", "transfers",
                             "escalations", "mean_handle_time_sec")},
        _code=j._code, _mixed=j._mixed.coalesce(0), _ties=j._ties.coalesce(0), _unknown=j._unknown,
    )
    return out.order_by(key)


_EVIDENCE = ("_code", "_mixed", "_ties", "_unknown")


def _fast_path_exact(out: pd.DataFrame) -> bool:
    """Whether the evidence of :func:`_features` shows its fast sort gave the exact result."""
    return not (out["_code"].duplicated().any() or out[["_mixed", "_ties", "_unknown"]].to_numpy().any())


def _execute_features(t: ir.Table, key: str, **options) -> pd.DataFrame:
    """Run :func:`_features`; where the fast sort's conditions fail, rerun it exactly."""
    out = _execute(_features(t, key, **options))
    if not _fast_path_exact(out):
        out = _execute(_features(t, key, exact=True, **options))
    return out.drop(columns=list(_EVIDENCE))


def _int_counts(df: pd.DataFrame, skip: tuple[str, ...]) -> pd.DataFrame:
    """Counts as int64, missing ones 0; column by column, leaving columns that already are untouched."""
    for c in df.columns:
        if c not in skip and df[c].dtype != "int64":
            df[c] = df[c].fillna(0).astype("int64")
    return df


def _write_parquet(expr: ir.Table, path: Path) -> None:
    """Write ``expr``'s rows, in order, to the Parquet file ``path`` without holding them in memory.

    DuckDB writes the file itself; other engines send Arrow record batches, written as
    they come.
    """
    backend = expr._find_backend(use_default=True)
    if backend.name == "duckdb":
        backend.to_parquet(expr, path)
        return
    import pyarrow.parquet as pq

    with warnings.catch_warnings():  # as in _execute
        warnings.filterwarnings("ignore", message=".*future.infer_string.*")
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        batches = expr.to_pyarrow_batches()
        with pq.ParquetWriter(path, batches.schema) as writer:
            for batch in batches:
                writer.write_batch(batch)


def _file_fast_path_exact(path: Path) -> bool:
    """:func:`_fast_path_exact` for features written to ``path``, checked by a DuckDB of its own."""
    con = duckdb.connect(config={"memory_limit": os.environ.get("CXLAB_DUCKDB_MEMORY", DUCKDB_MEMORY)})
    try:
        shared, flagged = con.execute(
            "SELECT count(*) - count(DISTINCT _code), coalesce(bool_or(_mixed > 0 OR _ties > 0 OR _unknown > 0), "
            "false) FROM read_parquet(?)", [str(path)]).fetchone()
    finally:
        con.close()
    return not (shared or flagged)


def _features_file(t: ir.Table, key: str, path: Path, exact_from: ir.Table | None = None, **options) -> dict:
    """:func:`_execute_features` written to the Parquet file ``path`` (with the evidence columns).

    Where the fast sort's evidence asks for the exact one, it runs on ``exact_from``
    (default ``t``): the same contacts with their contact ids (see :func:`_parts`).

    Returns the Arrow type of each numeric column as the expression declares it: an
    engine may write a wider one (DuckDB's sums of integers are 128-bit, which its
    Parquet writer turns into doubles); readers of the file cast back to these.
    """
    expr = _features(t, key, **options)
    _write_parquet(expr, path)
    if not _file_fast_path_exact(path):
        _write_parquet(_features(t if exact_from is None else exact_from, key, exact=True, **options), path)
    return {f.name: f.type for f in expr.schema().to_pyarrow() if _pa_numeric(f.type)}


#: :func:`customer_features` in DuckDB takes a log of more contacts than this in parts of
#: about this many, each a range of customers that fits in memory (see :func:`_parts`).
#: Writing the parts costs about half the aggregation itself, so a log that fits in memory
#: is aggregated whole: 10 million contacts take 10-11 CPU seconds whole, 16-17 in parts of
#: 4 million (benchmarks/README.md).
PART_ROWS = 12_000_000


def _parts(t: ir.Table, key: str, folder: Path) -> list[tuple[ir.Table, ir.Table]]:
    """``t`` cut into parts of about :data:`PART_ROWS` rows, each a range of ``key`` values, in order.

    A DuckDB query that outgrows its memory spills to disk, and its sorts and hash tables
    then cost far more than in memory (10x the contacts took 16x the time). So a log of
    more than :data:`PART_ROWS` rows is written once, in one pass, to Parquet files under
    ``folder``, one per range of keys (the ranges' bounds are quantiles of a sample of the
    keys), and each part is aggregated on its own: the work grows linearly with the
    log. Every key's rows are in one part, so per-key features are those of the whole
    log, and the parts' features, each ordered by key, follow one another in key order.

    Each part comes as a pair: its file, without the contact ids (they only break ties of
    the exact sort, and are a fifth of the file), and the same range of keys filtered from
    ``t``, for the rare part whose evidence asks for the exact sort. A log that is not cut
    is the pair ``(t, t)``.
    """
    n = int(_execute(t.aggregate(n=t.count()))["n"].iloc[0])
    count = -(-n // PART_ROWS)
    if count <= 1:
        return [(t, t)]
    sample = t.select(k=t[key]).sample(min(1.0, 2000 * count / n), method="row", seed=1)
    keys = _execute(sample.order_by("k"))["k"]
    bounds = sorted(set(keys.iloc[[len(keys) * i // count for i in range(1, count)]]))
    if not bounds:
        return [(t, t)]
    kind = t[key].type()

    def part(lo: int, hi: int) -> ir.IntegerValue:  # the number of bounds <= key, bounds[lo:hi] still open
        if lo == hi:
            return ibis.literal(lo, type="int16")
        mid = (lo + hi) // 2
        return ibis.ifelse(t[key] < ibis.literal(bounds[mid], type=kind), part(lo, mid), part(mid + 1, hi))

    backend = t._find_backend(use_default=True)
    columns = [c for c in _FEATURE_COLUMNS if c != "contact_id"]
    backend.to_parquet(t.select(key, *columns, _part=part(0, len(bounds))), folder, partition_by="_part")
    lows, highs = [None, *bounds], [*bounds, None]

    def keys(i: int) -> ir.Table:  # the rows of part i, from t
        lo, hi = (None if b is None else ibis.literal(b, type=kind) for b in (lows[i], highs[i]))
        return t.filter(*([] if lo is None else [t[key] >= lo]), *([] if hi is None else [t[key] < hi]))

    return [(backend.read_parquet(folder / f"_part={i}" / "*.parquet", hive_partitioning=False), keys(i))
            for i in range(len(bounds) + 1) if (folder / f"_part={i}").is_dir()]


def _pa_numeric(dtype) -> bool:
    """Whether an Arrow type is an integer or a float."""
    import pyarrow.types as pat

    return pat.is_integer(dtype) or pat.is_floating(dtype)


def _read_frame(paths: list[Path], types: Mapping[str, Any], skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """Parquet files (with the same columns) one after another as a DataFrame, read one column at a
    time (never a second copy of the whole table), numeric columns cast to ``types`` (checked: a
    fraction cannot become an integer)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    files = [pq.ParquetFile(path) for path in paths]
    names = [n for n in files[0].schema_arrow.names if n not in skip]

    def column(name: str) -> pd.Series:
        values = pa.chunked_array([chunk for file in files for chunk in file.read(columns=[name]).column(0).chunks],
                                  type=files[0].schema_arrow.field(name).type)
        if name in types and values.type != types[name]:
            values = values.cast(types[name])
        series = pa.table({name: values}).to_pandas()[name]
        del values
        pa.default_memory_pool().release_unused()  # Arrow's allocator keeps freed pages otherwise (~10 % more)
        return series

    return pd.DataFrame({n: column(n) for n in names}, copy=False)


def _copy_parquet(sources: list[Path], target: Path, types: Mapping[str, Any], skip: tuple[str, ...] = (),
                  zero: tuple[str, ...] = ()) -> None:
    """Copy Parquet files (with the same columns) one after another into one, batch by batch, in order:
    without the columns ``skip``, numeric columns as ``types``, missing values of the columns ``zero``
    as 0 (as :func:`_int_counts`)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    files = [pq.ParquetFile(source) for source in sources]
    schema = pa.schema([f.with_type(types.get(f.name, f.type)) for f in files[0].schema_arrow if f.name not in skip])
    with pq.ParquetWriter(target, schema) as writer:
        for file in files:
            for batch in file.iter_batches(columns=schema.names):
                columns = [pc.fill_null(batch[f.name], 0) if f.name in zero else batch[f.name] for f in schema]
                writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=batch.schema).cast(schema))


_MEANS = ("fcr_rate", "mean_wait_sec", "mean_handle_time_sec")


def customer_features(contacts: Any, *, long_wait_sec: float = 300, repeat_days: int = 7,
                      on_invalid: str | Mapping[str, str] | None = None,
                      out: str | os.PathLike | None = None) -> pd.DataFrame | Path:
    """One row per customer: the contact experience in the log.

    Parameters
    ----------
    contacts : DataFrame, path, (database, table) pair or Ibis table
        See the module documentation; the aggregation runs in that engine.
    long_wait_sec : float, default=300
        Queue waits above this count as long waits.
    repeat_days : int, default=7
        A contact about the same issue within this many days of the previous one is a
        repeat contact (the issue was not resolved).
    on_invalid : str or mapping, optional
        Handling of log problems (see :data:`POLICIES` and :func:`contact_problems`).
        Contacts without a customer are always left out here.
    out : str or path, optional
        A ``.parquet`` file to write the features to instead of returning them (for logs
        of many millions of customers: the result never passes through pandas). The file
        appears complete or not at all (it is written beside ``out`` and renamed); an
        existing file is replaced.

    Returns
    -------
    DataFrame with ``customer_id``, ``contacts``, ``contacts_<channel>``, ``issues``,
    ``repeat_contacts``, ``channel_switches`` (consecutive contacts on one issue in
    different channels), ``fcr_rate``, ``mean_wait_sec``, ``long_waits``, ``abandoned``,
    ``abandoned_within_60s``, ``callbacks_offered/accepted/kept``, ``transfers``,
    ``escalations`` (digital contacts that ended at an agent), ``mean_handle_time_sec``;
    sorted by ``customer_id``. With ``out``: the path of the Parquet file holding that
    table (read it with ``pd.read_parquet(path, columns=[...])`` or DuckDB).

    Notes
    -----
    In DuckDB (a DataFrame, a file or a DuckDB database) the engine writes the features
    to a Parquet file in :data:`DUCKDB_MEMORY`'s temporary folder, and the DataFrame is
    read from it one column at a time after the engine has let go of its memory. The
    peak is the larger of the engine's cap and the result, not their sum: 100 million
    contacts of 9 million customers peak under 2 GB. A log of more than :data:`PART_ROWS`
    contacts is first written, in one pass, to Parquet files of about that many contacts,
    each a range of customers, and each is aggregated on its own in memory (see
    :func:`_parts`): the engine no longer spills its hash tables and sorts to disk, which
    had made 100 million contacts cost 16x the CPU of 10 million.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> log = pd.DataFrame({"contact_id": [1, 2], "customer_id": ["a", "b"], "issue_id": [1, 2],
    ...     "channel": ["chat", "phone"], "started_at": pd.to_datetime(["2025-01-01", "2025-01-02"], utc=True),
    ...     "queue_wait_sec": [30.0, 400.0], "abandoned": False, "callback_offered": False,
    ...     "callback_accepted": False, "callback_kept": False, "handle_time_sec": [300.0, 200.0],
    ...     "resolved_first_contact": True, "transfers": 0, "escalated_to_agent": False})
    >>> path = customer_features(log, out=Path(folder.name) / "features.parquet")
    >>> pd.read_parquet(path, columns=["customer_id", "contacts", "long_waits"])
      customer_id  contacts  long_waits
    0           a         1           0
    1           b         1           1
    >>> folder.cleanup()
    """
    target = _out_path(out)
    t = _clean(contacts, "customer_features", on_invalid=on_invalid)
    t = t.filter(t.customer_id.notnull())
    options = dict(long_wait_sec=long_wait_sec, repeat_days=repeat_days)
    in_duckdb = t._find_backend(use_default=True).name == "duckdb"
    if target is None and not in_duckdb:  # the result comes back through Arrow, as from any query
        return _int_counts(_execute_features(t, "customer_id", **options), ("customer_id", *_MEANS))
    with tempfile.TemporaryDirectory(prefix=_temp_prefix("features"), dir=_temp_root()) as scratch:
        parts = _parts(t, "customer_id", Path(scratch) / "parts") if in_duckdb else [(t, t)]
        raws = [Path(scratch) / f"features_{i}.parquet" for i in range(len(parts))]
        for (part, exact_from), raw in zip(parts, raws):
            types = _features_file(part, "customer_id", raw, exact_from=exact_from, **options)
            if part is not t:  # a view of a part's file (in the caller's connection, maybe): gone with the file
                part._find_backend().con.execute(f'DROP VIEW IF EXISTS "{part.op().name}"')
        if isinstance(contacts, (pd.DataFrame, str, os.PathLike)):  # the engine is this call's own: let it go
            t._find_backend(use_default=True).disconnect()
        shutil.rmtree(Path(scratch) / "parts", ignore_errors=True)
        if target is None:
            return _int_counts(_read_frame(raws, types, skip=_EVIDENCE), ("customer_id", *_MEANS))
        partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            _copy_parquet(raws, partial, types, skip=_EVIDENCE, zero=tuple(c for c in types if c not in _MEANS))
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target


def _out_path(out: Any) -> Path | None:
    """The ``out`` parameter of :func:`customer_features` as a path, checked before any work."""
    if out is None:
        return None
    if not isinstance(out, (str, os.PathLike)):
        raise param_error("out", "customer_features", "be the path of a .parquet file", out, exc=TypeError,
                          got=type(out).__name__)
    path = Path(out)
    if path.suffix != ".parquet":
        raise param_error("out", "customer_features", "be the path of a .parquet file", str(path))
    if not path.parent.is_dir():
        raise param_error("out", "customer_features", "be in an existing folder", str(path),
                          got=f"{str(path)!r} (no folder {str(path.parent)!r})")
    if path.is_dir():
        raise param_error("out", "customer_features", "be a file, not a folder", str(path))
    return path


def respondent_features(survey: pd.DataFrame, contacts: Any, *, customer: str, respondent: str, date: str,
                        window_days: int = 90, long_wait_sec: float = 300, repeat_days: int = 7,
                        on_invalid: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Contact features of each respondent over the ``window_days`` before their survey date.

    The survey's keys are sent to the engine that holds the log and joined there.
    Respondents without contacts in the window get zero counts (and missing means).
    Naive survey dates are read as UTC.

    Returns
    -------
    DataFrame
        One row per respondent, in the survey's order, keyed by the ``respondent``
        column, with the columns of :func:`customer_features`.
    """
    t = _clean(contacts, "respondent_features", on_invalid=on_invalid)
    links = survey[[respondent, customer, date]].rename(columns={respondent: "respondent", customer: "customer_id",
                                                                 date: "survey_date"})
    links.attrs = {}  # a caller's DataFrame.attrs are not data for the engine
    links["survey_date"] = pd.to_datetime(links["survey_date"], utc=True)
    links["respondent"] = links["respondent"].astype(str)
    links["customer_id"] = links["customer_id"].astype("string").astype(object)
    lk = ibis.memtable(links.dropna(subset=["customer_id", "survey_date"]))
    t = t.filter(t.customer_id.notnull())
    j = lk.join(t, (lk.customer_id == t.customer_id)
                & (t.started_at < lk.survey_date)
                & (t.started_at >= lk.survey_date - ibis.interval(days=int(window_days))))
    j = j.select("respondent", *[c for c in t.columns])
    feats = _execute_features(j, "respondent", long_wait_sec=long_wait_sec, repeat_days=repeat_days)
    out = links[["respondent"]].merge(feats, on="respondent", how="left")
    out = _int_counts(out, ("respondent", *_MEANS))
    return out.rename(columns={"respondent": respondent})


def channel_overview(contacts: Any, *, on_invalid: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per channel: contacts, share, customers, mean wait, abandonment, FCR, transfers, escalation.

    Returns
    -------
    DataFrame with ``channel``, ``contacts``, ``share``, ``customers``, ``mean_wait_sec``,
    ``abandonment_rate``, ``fcr_rate``, ``mean_transfers``, ``escalation_rate``; most
    used channel first.
    """
    t = _clean(contacts, "channel_overview", on_invalid=on_invalid, need_customer=False)
    g = t.group_by("channel").aggregate(
        contacts=t.count(), customers=t.customer_id.nunique(), mean_wait_sec=t.queue_wait_sec.mean(),
        abandonment_rate=_rate(t.abandoned).mean(),
        fcr_rate=_rate(t.resolved_first_contact).mean(),
        mean_transfers=t.transfers.mean(), escalation_rate=_rate(t.escalated_to_agent).mean())
    out = _execute(g.order_by([ibis.desc("contacts"), "channel"]))
    out.insert(2, "share", out["contacts"] / out["contacts"].sum())
    return out


def wait_abandonment(contacts: Any, *, bin_sec: int = 30, max_sec: int = 600,
                     on_invalid: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Abandonment curve: share of abandoned queued contacts that hung up by each wait time.

    Returns
    -------
    DataFrame with ``wait_sec`` (bin start, the last bin holds everything from
    ``max_sec`` on), ``abandoned`` (contacts in the bin) and ``cumulative_share``.
    """
    t = _clean(contacts, "wait_abandonment", on_invalid=on_invalid, need_customer=False)
    t = t.filter(t.abandoned & t.queue_wait_sec.notnull())
    binned = ((t.queue_wait_sec / int(bin_sec)).floor() * int(bin_sec)).cast("float64")
    binned = ibis.least(binned, float(max_sec))
    m = t.mutate(wait_sec=binned)
    out = _execute(m.group_by("wait_sec").aggregate(abandoned=m.count()).order_by("wait_sec"))
    out["cumulative_share"] = out["abandoned"].cumsum() / out["abandoned"].sum()
    return out


def service_levels(contacts: Any, *, long_wait_sec: float = 300,
                   digital: tuple[str, ...] = ("chat", "web", "social"),
                   on_invalid: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Headline service levels of a contact log: waits, abandonment, callbacks, escalation.

    Parameters
    ----------
    contacts : DataFrame, path, (database, table) pair or Ibis table
    long_wait_sec : float, default=300
        Queue waits above this count as long.
    digital : tuple of str, default=("chat", "web", "social")
        Channels that start without an agent; escalation is measured on these.
    on_invalid : str or mapping, optional
        Handling of log problems (see :func:`contact_problems`).

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
    t = _clean(contacts, "service_levels", on_invalid=on_invalid, need_customer=False)
    queued = t.queue_wait_sec.notnull()

    def rate(cond, where=None):
        return _rate(cond).mean(where=where)

    row = _execute(t.aggregate(
        contacts=t.count(),
        queued_contacts=t.queue_wait_sec.count(),
        mean_wait_sec=t.queue_wait_sec.mean(),
        long_wait_rate=rate(t.queue_wait_sec > float(long_wait_sec)),
        abandonment_rate=rate(t.abandoned, queued),
        abandoned_within_60s_share=rate(t.queue_wait_sec <= 60, t.abandoned),
        callback_offer_rate=rate(t.callback_offered, queued),
        callback_accept_rate=rate(t.callback_accepted, t.callback_offered),
        callback_kept_rate=rate(t.callback_kept, t.callback_accepted),
        digital_escalation_rate=rate(t.escalated_to_agent, t.channel.isin(list(digital)) if digital else ibis.literal(False)),
        first_contact_resolution_rate=rate(t.resolved_first_contact),
        transfer_rate=rate(t.transfers > 0),
    )).iloc[0]
    bases = {
        "contacts": "all contacts", "queued_contacts": "contacts with a queue wait",
        "mean_wait_sec": "queued contacts", "long_wait_rate": f"queued contacts (wait > {long_wait_sec:g} s)",
        "abandonment_rate": "queued contacts", "abandoned_within_60s_share": "abandoned contacts",
        "callback_offer_rate": "queued contacts", "callback_accept_rate": "callbacks offered",
        "callback_kept_rate": "callbacks accepted",
        "digital_escalation_rate": f"contacts in {', '.join(digital)}",
        "first_contact_resolution_rate": "all contacts", "transfer_rate": "all contacts (≥ 1 transfer)",
    }
    return pd.DataFrame({"metric": list(bases), "value": [float(row[m]) if pd.notna(row[m]) else float("nan")
                                                          for m in bases],
                         "base": list(bases.values())})


@renamed_parameters({"by": "group"})
def team_features(contacts: Any, *, group: str = "team_id",
                  on_invalid: str | Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per team (or agent) handling: contacts, agents, resolution, handle time, transfers.

    Links the Service Profit Chain's employee side to the contact experience.
    Contacts without a ``group`` value (self-service, abandoned) are left out.

    Parameters
    ----------
    contacts : DataFrame, path, (database, table) pair or Ibis table
    group : {"team_id", "agent_id"}, default="team_id"
        The grouping column (old name ``by``, deprecated).
    on_invalid : str or mapping, optional
        Handling of log problems (see :func:`contact_problems`).

    Returns
    -------
    DataFrame with the ``group`` column, ``contacts``, ``customers``, ``agents``, ``fcr_rate``,
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
    check_choice(group, "group", "team_features", ("team_id", "agent_id"))
    t = _clean(contacts, "team_features", on_invalid=on_invalid, need_customer=False)
    t = t.filter(t[group].notnull())
    g = t.group_by(group).aggregate(
        contacts=t.count(), customers=t.customer_id.nunique(), agents=t.agent_id.nunique(),
        fcr_rate=_rate(t.resolved_first_contact).mean(), mean_handle_time_sec=t.handle_time_sec.mean(),
        transfer_rate=_rate(t.transfers > 0).mean(), escalations_handled=t.count(where=t.escalated_to_agent))
    return _execute(g.order_by(group))
