"""Incremental runs: a report is reused only when nothing it depends on changed (cxlab.cache)."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from cxlab.cache import ReportCache, read_parameter_log, report_key
from cxlab.data import load_processed_survey, prepare
from cxlab.plan import capabilities, notebook_spec, prune
from cxlab.runner import load_notebook, run_study
from cxlab.study import Parameters, demo_study_path, load_study


MONITORING, QUALITY = "05_monitoring", "01_data_quality"


def _unstamped(page: str) -> str:
    return re.sub(r'<span class="cx-provenance">[^<]*</span>', "", page)


def _nb(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])


def test_cache_returns_what_was_stored_unless_a_parameter_it_read_changed(tmp_path):
    cache = ReportCache(tmp_path)
    key = "a" * 64
    assert cache.get(key, {"seed": 1}) is None
    cache.put(key, _nb("x = 1"), reads={"seed": 1, "waves": [1, 2]})
    assert cache.get(key, {"seed": 1, "waves": [1, 2], "alpha_level": 0.01}).cells[0].source == "x = 1"
    assert cache.get(key, {"seed": 2, "waves": [1, 2]}) is None
    assert cache.get(key, {"seed": 1, "waves": [1]}) is None
    assert not list(tmp_path.glob(".*")), "temporary files left behind"


def test_half_written_entry_is_a_miss(tmp_path):
    cache = ReportCache(tmp_path)
    cache.put("b" * 64, _nb("x = 1"), reads={})
    (tmp_path / ("b" * 64 + ".ipynb")).write_text('{"cells": [')  # cut short
    assert cache.get("b" * 64, {}) is None


@pytest.fixture()
def prepared(project, monkeypatch):
    monkeypatch.setenv("CXLAB_ROOT", str(project))
    study = load_study(project / "data" / "raw" / "demo" / "study.yaml")
    prepare(study)
    return study


def _key(study, name, **overrides):
    if overrides:
        study = load_study(study.path, overrides=overrides)
    nb = prune(load_notebook(name), capabilities(study, load_processed_survey(study)))
    values = dict(study.parameters)
    return report_key(nb, study, {k: values[k] for k in notebook_spec(nb).parameters})


def test_key_follows_declared_parameters_notebook_and_study(prepared, project):
    base = _key(prepared, MONITORING)
    assert _key(prepared, MONITORING) == base  # deterministic
    assert _key(prepared, MONITORING, alpha_level=0.01) != base  # 05 declares alpha_level
    assert _key(prepared, QUALITY, alpha_level=0.01) == _key(prepared, QUALITY)  # 01 does not
    assert _key(prepared, QUALITY, min_cell_size=20) != _key(prepared, QUALITY)
    nb = project / "notebooks" / f"{MONITORING}.py"
    nb.write_text(nb.read_text() + "\n# %%\nprint('one more cell')\n")
    assert _key(prepared, MONITORING) != base
    before = _key(prepared, QUALITY)
    study_yaml = prepared.path.read_text()
    prepared.path.write_text(study_yaml.replace("title: \"", "title: \"Renamed — ", 1))
    assert _key(load_study(prepared.path), QUALITY) != before


def test_parameters_record_what_is_read(tmp_path, monkeypatch):
    log = tmp_path / "read.txt"
    monkeypatch.setenv("CXLAB_PARAMETER_LOG", str(log))
    p = Parameters({"seed": 1, "alpha_level": 0.05, "waves": None})
    assert list(p) == ["seed", "alpha_level", "waves"] and len(p) == 3  # names only: nothing recorded
    assert read_parameter_log(log) == []
    p["seed"], p.get("waves"), p.get("seed")
    assert read_parameter_log(log) == ["seed", "waves"]


def test_rerun_reuses_unchanged_reports_and_reruns_what_a_parameter_touches(project, monkeypatch):
    monkeypatch.setenv("CXLAB_ROOT", str(project))
    study = project / "data" / "raw" / "demo" / "study.yaml"
    out = project / "reports"
    only = [QUALITY, MONITORING]
    quiet = dict(out=out, only=only, progress=lambda msg: None)

    first = run_study(study, **quiet)
    assert [r.reused for r in first.notebooks] == [False, False]
    html = {r.name: (first.directory / r.html).read_text() for r in first.notebooks}

    again = run_study(study, **quiet)
    assert [r.reused for r in again.notebooks] == [True, True]
    index = (again.directory / "index.html").read_text()
    assert index.count("reused: nothing it depends on changed") == 2
    for r in again.notebooks:  # the same report; only the render stamp's minute may differ
        assert _unstamped((again.directory / r.html).read_text()) == _unstamped(html[r.name])

    changed = run_study(study, overrides={"alpha_level": 0.01}, **quiet)
    reused = {r.name: r.reused for r in changed.notebooks}
    assert reused == {QUALITY: True, MONITORING: False}, "only the report that declares alpha_level reruns"

    forced = run_study(study, overrides={"alpha_level": 0.01}, force=True, **quiet)
    assert not any(r.reused for r in forced.notebooks)


def test_reports_read_only_the_parameters_they_declare(demo_run, monkeypatch, tmp_path):
    """What a kernel read, recorded at run time, is what the notebook header declares.

    Besides its own, a report reads the parameters that decide what the study can do
    (``capabilities``: the outcome, the loyalty measure, the drivers...) and those of the
    processed data (the contact window); the cache keys on those too, through the values
    it stores and the data's fingerprint. The reads come from the cache entries the
    session's demo run wrote (one per report, keyed as the runner keys them).
    """
    study = load_study(demo_study_path())  # the study file the session's run used
    log = tmp_path / "capabilities.txt"
    monkeypatch.setenv("CXLAB_PARAMETER_LOG", str(log))
    fresh = load_study(study.path)
    caps = capabilities(fresh, load_processed_survey(fresh))  # (loading checks the processed data's fingerprint)
    structural = set(read_parameter_log(log))
    monkeypatch.delenv("CXLAB_PARAMETER_LOG")

    cache, values = ReportCache.for_study(study), dict(study.parameters)
    for name in study.notebooks:
        nb = prune(load_notebook(name), caps)
        declared = set(notebook_spec(nb).parameters)
        entry = cache.directory / f"{report_key(nb, study, {k: values[k] for k in declared})}.json"
        assert entry.exists(), f"{name}: the demo run left no cache entry under the runner's key"
        reads = set(json.loads(entry.read_text())["reads"])
        undeclared = reads - declared - structural
        assert not undeclared, f"{name} reads parameters its header does not declare: {sorted(undeclared)}"
        assert reads & declared, f"{name}: nothing recorded"
