"""The same contact aggregation on Spark (Ibis' PySpark backend, local mode) as in DuckDB.

Java comes from Debian (``default-jre-headless``, installed with apt-get when ``java`` is
missing and the tests run as root); pyspark from the test extras. One local Spark session
(2 cores, 2 shuffle partitions) serves every test here. Skipped, saying why, only where
Java cannot be installed.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from cxlab import contacts
from cxlab.data import load_contact_features, load_linkage
from cxlab.study import StudyError, load_study
from conftest import DEMO, apt_install
from test_study import edit, study_copy  # noqa: F401 - the fixture

SURVEY_COLUMNS = dict(customer="customer_id", respondent="respondent_id", date="survey_date")


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    why = apt_install("default-jre-headless", present=lambda: shutil.which("java"))
    if why:
        pytest.skip(f"no Java for a local Spark session: {why}")
    backend = contacts.spark_backend("local[2]", {"spark.sql.shuffle.partitions": 2, "spark.ui.enabled": "false",
                                                  "spark.sql.execution.arrow.pyspark.enabled": "true",
                                                  "spark.sql.warehouse.dir": tmp_path_factory.mktemp("warehouse")})
    yield backend
    backend._session.stop()


def _demo_survey() -> pd.DataFrame:
    study = load_study(DEMO / "study.yaml")
    cb = study.codebook
    survey = pd.read_csv(study.data["survey"], usecols=[cb.respondent_id, cb.customer_id, cb.date])
    return survey.set_axis(["respondent_id", "customer_id", "survey_date"], axis=1)


@pytest.mark.slow
def test_every_contact_feature_same_on_spark_as_in_duckdb(spark, demo_contacts):
    log = spark.read_parquet(demo_contacts, table_name="demo_contacts")
    same = dict(check_dtype=False, check_exact=False, rtol=1e-12, atol=1e-12)
    survey = _demo_survey()
    on_spark = contacts.respondent_features(survey, (spark, "demo_contacts"), **SURVEY_COLUMNS)
    in_duckdb = contacts.respondent_features(survey, demo_contacts, **SURVEY_COLUMNS)
    assert on_spark["contacts"].sum() > 0
    pd.testing.assert_frame_equal(on_spark, in_duckdb, **same)
    pd.testing.assert_frame_equal(contacts.customer_features(log), contacts.customer_features(demo_contacts), **same)
    for summary in (contacts.contact_problems, contacts.channel_overview, contacts.wait_abandonment,
                    contacts.service_levels, contacts.team_features):
        pd.testing.assert_frame_equal(summary(log), summary(demo_contacts), **same, obj=summary.__name__)


@pytest.mark.slow
def test_features_written_from_spark_to_a_file_equal_duckdb(spark, demo_contacts, tmp_path):
    # out=: Spark's result streams into the file in Arrow batches, in order
    log = spark.read_parquet(demo_contacts, table_name="demo_contacts_out")
    written = pd.read_parquet(contacts.customer_features(log, out=tmp_path / "spark.parquet"))
    pd.testing.assert_frame_equal(written, contacts.customer_features(demo_contacts), check_dtype=True,
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spark.parquet"]


@pytest.mark.slow
def test_naive_timestamps_read_in_the_study_time_zone_on_spark(spark):
    log = pd.DataFrame({"klant": ["a", "b", "c"],
                        "started_at": pd.to_datetime(["2025-03-30 12:00", "2025-07-01 08:15", "2025-12-24 23:59"])})
    spark._session.createDataFrame(log).createOrReplaceTempView("naive_log")  # a view: nothing written
    options = dict(columns={"customer_id": "klant"}, timezone="Europe/Amsterdam")
    on_spark = contacts.contacts_table((spark, "naive_log"), **options).to_pandas().sort_values("customer_id")
    expected = pd.to_datetime(["2025-03-30 10:00", "2025-07-01 06:15", "2025-12-24 22:59"], utc=True)
    assert list(on_spark["started_at"]) == list(expected)
    pd.testing.assert_frame_equal(on_spark.reset_index(drop=True),
                                  contacts.contacts_table(log, **options).to_pandas(), check_dtype=False)


@pytest.mark.slow
def test_prepare_demo_study_reads_contacts_through_spark(spark, demo_contacts, tmp_path):
    from test_study_database import copy_demo

    file_study = load_study(copy_demo(tmp_path, "from_file", demo_contacts) / "study.yaml")
    folder = copy_demo(tmp_path, "from_spark", demo_contacts)
    yaml = (folder / "study.yaml").read_text()
    assert "  contacts: contacts.parquet" in yaml
    (folder / "study.yaml").write_text(yaml.replace("  contacts: contacts.parquet",
                                                    "  contacts: {spark: 'local[2]', path: contacts.parquet}"))
    spark_study = load_study(folder / "study.yaml")
    assert "contacts" not in spark_study.data  # Spark reads the log, not cxlab

    pd.testing.assert_frame_equal(load_contact_features(spark_study), load_contact_features(file_study),
                                  check_exact=False, rtol=1e-12, atol=1e-12)
    assert load_linkage(spark_study) == load_linkage(file_study)


def test_spark_options_in_study_file(study_copy):  # noqa: F811 - the fixture
    def spark_table(doc):
        doc["data"]["contacts"] = {"spark": "sc://lake:15002", "table": "crm.contacts",
                                   "spark_conf": {"spark.sql.shuffle.partitions": 8}, "timezone": "Europe/Amsterdam"}

    edit(study_copy, spark_table)
    study = load_study(study_copy)
    assert "contacts" not in study.data
    assert dict(study.data_options["contacts"]) == {"spark": "sc://lake:15002", "table": "crm.contacts",
                                                    "spark_conf": {"spark.sql.shuffle.partitions": 8},
                                                    "timezone": "Europe/Amsterdam"}
    edit(study_copy, lambda doc: doc["data"].update(contacts={"spark": "local[2]", "path": "logs/contacts.parquet"}))
    with pytest.raises(StudyError) as info:
        load_study(study_copy)
    assert info.value.problems == ["data.contacts.path: not found (for Spark to read): "
                                   f"{study_copy.parent / 'logs' / 'contacts.parquet'}"]
    assert load_study(study_copy, check_data=False).data_options["contacts"]["path"] == str(
        study_copy.parent / "logs" / "contacts.parquet")

    cases = [
        ({"spark": "local[2]"}, "data.contacts: with 'spark' give either 'table' (a table in Spark's catalog) or "
                                "'path' (Parquet files Spark reads), one of them"),
        ({"spark": "local[2]", "table": "t", "path": "x.parquet"}, "data.contacts: with 'spark' give either"),
        ({"spark": 7, "table": "t"}, "data.contacts.spark: must be a Spark master such as local[2]"),
        ({"spark": "yarn", "table": ["t"]}, "data.contacts.table: must be text; got ['t']"),
        ({"spark": "yarn", "table": "t", "database": "x.duckdb"}, "data.contacts: give either 'database' or 'spark'"),
        ({"spark": "yarn", "table": "t", "spark_conf": ["a"]}, "data.contacts.spark_conf: must map Spark settings"),
        ({"path": "contacts.parquet", "spark_conf": {"a": 1}}, "data.contacts.spark_conf: only with 'spark'"),
    ]
    for spec, message in cases:
        edit(study_copy, lambda doc: doc["data"].update(contacts=spec))
        with pytest.raises(StudyError) as info:
            load_study(study_copy, check_data=False)
        assert len(info.value.problems) == 1 and info.value.problems[0].startswith(message), (spec, info.value.problems)
