"""Out-of-core contact features: the engine writes Parquet, pandas reads it after (issue 15).

The 100-million-row figures are in benchmarks/README.md (benchmarks/bench_contacts.py);
these tests check that the route through Parquet gives exactly the features of the
in-memory route, that ``out=`` files appear whole or not at all, and that DuckDB's spill
folders are cxlab's own and go away.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from cxlab import contacts
from test_contacts import MESSY, _messy_log, pandas_features


def _in_memory(source) -> pd.DataFrame:
    """The features as they were computed before issue 15: the whole result through Arrow."""
    t = contacts._clean(source, "customer_features", on_invalid=None)
    t = t.filter(t.customer_id.notnull())
    out = contacts._execute_features(t, "customer_id", long_wait_sec=300, repeat_days=7)
    return contacts._int_counts(out, ("customer_id", *contacts._MEANS))


@pytest.fixture()
def temp_root(tmp_path, monkeypatch):
    root = tmp_path / "duck"
    monkeypatch.setenv("CXLAB_DUCKDB_TEMP", str(root))
    return root


def test_features_through_parquet_equal_the_in_memory_ones(demo_contacts, temp_root):
    ours = contacts.customer_features(demo_contacts)
    pd.testing.assert_frame_equal(ours, _in_memory(demo_contacts), check_exact=True)
    assert ours["customer_id"].is_monotonic_increasing
    assert list(temp_root.glob("features-*")) == []  # the intermediate file is gone


def test_out_writes_the_returned_features(demo_contacts, tmp_path, temp_root):
    target = tmp_path / "features.parquet"
    assert contacts.customer_features(demo_contacts, out=target) == target
    pd.testing.assert_frame_equal(pd.read_parquet(target), contacts.customer_features(demo_contacts),
                                  check_exact=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["duck", "features.parquet"]
    contacts.customer_features(demo_contacts, out=str(target))  # an existing file is replaced
    assert len(pd.read_parquet(target)) == pd.read_parquet(demo_contacts)["customer_id"].nunique()


@pytest.mark.parametrize("case", list(MESSY))
def test_out_takes_the_exact_sort_when_the_evidence_asks(case, tmp_path, temp_root):
    log = _messy_log(**MESSY[case])
    written = pd.read_parquet(contacts.customer_features(log, out=tmp_path / "f.parquet"))
    assert not any(c.startswith("_") for c in written.columns)
    pd.testing.assert_frame_equal(written.set_index("customer_id").astype(float), pandas_features(log).astype(float),
                                  check_names=False)


def test_engine_spilling_to_disk_gives_the_same_features(demo_contacts, temp_root, monkeypatch):
    monkeypatch.setenv("CXLAB_DUCKDB_MEMORY", "40MB")
    ours = contacts.customer_features(demo_contacts)
    monkeypatch.delenv("CXLAB_DUCKDB_MEMORY")
    pd.testing.assert_frame_equal(ours, _in_memory(demo_contacts), check_exact=True)
    import gc

    gc.collect()  # the connections' spill folders go with the connections
    assert [p.name for p in temp_root.iterdir()] == []


@pytest.mark.parametrize("out, error, words", [
    (42, TypeError, "Got int instead"),
    ("features.csv", ValueError, "be the path of a .parquet file. Got 'features.csv'"),
    ("no/such/folder/f.parquet", ValueError, "(no folder 'no/such/folder')"),
])
def test_bad_out_is_named_before_any_work(out, error, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match="'out' parameter of customer_features") as info:
        contacts.customer_features("/nonexistent/contacts.parquet", out=out)
    assert words in str(info.value)
    (tmp_path / "folder.parquet").mkdir()
    with pytest.raises(ValueError, match="be a file, not a folder"):
        contacts.customer_features("/nonexistent/contacts.parquet", out="folder.parquet")


def test_bad_memory_setting_is_named(demo_contacts, monkeypatch):
    monkeypatch.setenv("CXLAB_DUCKDB_MEMORY", "lots")
    with pytest.raises(ValueError, match="CXLAB_DUCKDB_MEMORY must be a memory size .* Got 'lots' instead"):
        contacts.customer_features(demo_contacts)


def test_failed_write_leaves_the_old_file_and_no_partial_one(demo_contacts, tmp_path, temp_root, monkeypatch):
    target = tmp_path / "features.parquet"
    target.write_bytes(b"the previous features")

    def broken(source, partial, *args, **kwargs):
        partial.write_bytes(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(contacts, "_copy_parquet", broken)
    with pytest.raises(OSError, match="disk full"):
        contacts.customer_features(demo_contacts, out=target)
    assert target.read_bytes() == b"the previous features"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["duck", "features.parquet"]
    assert list(temp_root.glob("features-*")) == []


def test_killed_write_leaves_no_output_file(demo_contacts, tmp_path):
    target = tmp_path / "features.parquet"
    # killed at the last moment: the whole file written, the rename not yet done
    script = ("import os, signal; from cxlab import contacts; "
              "os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL); "
              f"contacts.customer_features({str(demo_contacts)!r}, out={str(target)!r})")
    env = {**os.environ, "CXLAB_DUCKDB_TEMP": str(tmp_path / "duck")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, timeout=600)
    assert done.returncode == -9
    assert not target.exists()
    leftovers = [p.name for p in tmp_path.glob("*features.parquet*")]  # only the hidden partial file
    assert leftovers and all(name.startswith(".features.parquet.") and name.endswith(".tmp") for name in leftovers)


def test_folders_of_killed_processes_are_swept(demo_contacts, temp_root):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = temp_root / f"duckdb-{contacts._HOST}-{int(gone.stdout)}-abc_12"
    live = temp_root / f"features-{contacts._HOST}-{os.getpid()}-xyz"
    other_host = temp_root / f"duckdb-elsewhere-{int(gone.stdout)}-abc"
    for folder in (stale, live, other_host):
        (folder / "duckdb_temp_block-1.block").parent.mkdir(parents=True)
        (folder / "duckdb_temp_block-1.block").write_bytes(b"spilled")
    contacts.customer_features(demo_contacts)
    assert not stale.exists() and live.exists() and other_host.exists()


def test_log_taken_in_parts_gives_the_same_features(demo_contacts, tmp_path, temp_root, monkeypatch):
    whole = _in_memory(demo_contacts)
    monkeypatch.setattr(contacts, "PART_ROWS", 40_000)  # the demo log's ~200,000 contacts in ~5 parts
    taken = []
    parts = contacts._parts
    monkeypatch.setattr(contacts, "_parts", lambda *a: taken.append(parts(*a)) or taken[-1])
    ours = contacts.customer_features(demo_contacts)
    assert len(taken[0]) >= 4
    pd.testing.assert_frame_equal(ours, whole, check_exact=True)  # in customer order, as one query gives it
    target = contacts.customer_features(demo_contacts, out=tmp_path / "features.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(target), whole, check_exact=True)
    assert list(temp_root.glob("features-*")) == []  # the parts' files are gone


@pytest.mark.parametrize("case", list(MESSY))
def test_parts_take_the_exact_sort_where_their_evidence_asks(case, monkeypatch, temp_root):
    log = _messy_log(**MESSY[case])
    monkeypatch.setattr(contacts, "PART_ROWS", 3)  # 12 contacts of 4 customers: a part per customer or two
    ours = contacts.customer_features(log).set_index("customer_id")
    pd.testing.assert_frame_equal(ours.astype(float), pandas_features(log).astype(float), check_names=False)


def test_parts_of_a_table_in_a_duckdb_file_or_connection(tmp_path, monkeypatch, temp_root):
    import duckdb

    log = _messy_log()
    whole = contacts.customer_features(log)
    with duckdb.connect(str(tmp_path / "crm.duckdb")) as con:
        con.execute("CREATE TABLE contacts AS SELECT * FROM log")
    monkeypatch.setattr(contacts, "PART_ROWS", 3)
    # a file cxlab opens read-only, and the caller's own connection (left without the parts' views)
    pd.testing.assert_frame_equal(contacts.customer_features((tmp_path / "crm.duckdb", "contacts")), whole,
                                  check_exact=True)
    con = duckdb.connect()
    con.execute("CREATE TABLE contacts AS SELECT * FROM log")
    pd.testing.assert_frame_equal(contacts.customer_features((con, "contacts")), whole, check_exact=True)
    assert con.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchone() == (0,)
