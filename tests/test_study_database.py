"""A study whose contact log lives in a database table gives the same processed data as one with a file."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd

from cxlab.contacts import channel_overview
from cxlab.data import load_attribution, load_contact_features, load_contacts, load_linkage
from cxlab.study import load_study
from conftest import DEMO


def copy_demo(root, name, demo_contacts):
    folder = root / "data" / "raw" / name
    shutil.copytree(DEMO, folder)
    text = (folder / "study.yaml").read_text().replace("name: demo", f"name: {name}", 1)
    (folder / "study.yaml").write_text(text)
    return folder


def test_contacts_from_database_table_match_file(tmp_path, demo_contacts):
    file_study = load_study(copy_demo(tmp_path, "from_file", demo_contacts) / "study.yaml")
    folder = copy_demo(tmp_path, "from_db", demo_contacts)
    con = duckdb.connect(str(folder / "crm.duckdb"))
    con.execute(f"CREATE TABLE contact_log AS SELECT * FROM read_parquet('{folder / 'contacts.parquet'}')")
    con.close()
    (folder / "contacts.parquet").unlink()
    yaml = (folder / "study.yaml").read_text()
    yaml = yaml.replace("  contacts: contacts.parquet", "  contacts: {database: crm.duckdb, table: contact_log}")
    (folder / "study.yaml").write_text(yaml)
    db_study = load_study(folder / "study.yaml")

    pd.testing.assert_frame_equal(load_contact_features(db_study), load_contact_features(file_study))
    assert load_linkage(db_study) == load_linkage(file_study)
    pd.testing.assert_frame_equal(load_attribution(db_study), load_attribution(file_study))  # respondents' teams
    pd.testing.assert_frame_equal(channel_overview(load_contacts(db_study)),
                                  channel_overview(load_contacts(file_study)))
