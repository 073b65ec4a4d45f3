"""`cxlab run` / `cxlab check`: real papermill runs, atomic report folders, clear failures."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import cxlab_cmd

pytestmark = pytest.mark.slow
NB = "01_data_quality"


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder -> sha256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_run_writes_index_and_every_report(demo_run):
    out, done = demo_run
    names = ["01_data_quality", "02_servqual_factors", "03_sem_drivers", "04_contact_levers", "05_monitoring"]
    for name in names:
        html = (out / f"{name}.html").read_text()
        assert "<img" in html or name == "03_sem_drivers"
        assert "require.min.js" not in html and "MathJax" not in html  # nothing from a CDN
        assert 'class="jp-CodeMirrorEditor' not in html  # publication mode: no code
        assert "Traceback" not in html
        assert "<h2" in html and "Methods" in html and "References" in html  # every report ends with its methods
        assert f"[{names.index(name) + 1}/5]" in done.stderr or name in done.stderr
    index = (out / "index.html").read_text()
    for name in names:
        assert f'href="{name}.html"' in index
    # every report's generated summary is a headline on the index and sits at the top of its report
    reports = index[index.index('<ol class="reports">'):index.index("<h2>Team reports</h2>")]
    assert reports.count('class="headline"') == 5
    teams = index[index.index('<ul class="teams">'):]  # the demo run is --by team: a summary per team
    assert teams.count('class="headline"') == len(list((out / "teams").glob("*.html"))) == 20
    sem_report = (out / "03_sem_drivers.html").read_text()
    assert sem_report.index("The model fits") < sem_report.index("Structural paths")
    # provenance: parameters, input sha256, versions, time
    from cxlab.data import sha256
    from conftest import DEMO

    assert sha256(DEMO / "survey.csv") in index and sha256(DEMO / "study.yaml") in index
    assert "statsmodels 0.15.0" in index and "semopy" not in index and "bootstrap" in index and "UTC" in index
    assert not list(out.parent.glob(".demo.*")), "temporary folders left behind"


def test_reports_never_show_identifiers(demo_run):
    import pandas as pd
    from conftest import DEMO

    out, _ = demo_run
    raw = pd.read_csv(DEMO / "survey.csv", dtype=str)
    html = " ".join(p.read_text() for p in out.glob("*.html"))
    for col in ("customer_id", "respondent_id", "email"):
        leaked = [v for v in raw[col].dropna().unique() if v in html]
        assert not leaked, f"{col} values in a report: {leaked[:3]}"


def test_teaching_mode_shows_code_and_ignores_registered_kernels(project, tmp_path):
    # A registered "python3" kernel pointing nowhere: the runner must not depend on it.
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text('{"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", '
                                      '"-f", "{connection_file}"], "display_name": "broken", "language": "python"}')
    env = {"CXLAB_ROOT": str(project), "JUPYTER_PATH": str(tmp_path / "jupyter")}
    done = cxlab_cmd("run", "--only", NB, "--code", "--out", project / "reports", env=env)
    assert done.returncode == 0, done.stderr
    html = (project / "reports" / "demo" / f"{NB}.html").read_text()
    assert 'class="jp-CodeMirrorEditor' in html and "load_processed_survey" in html


def test_broken_notebook_keeps_the_others_and_leaves_previous_reports_untouched(project):
    env = {"CXLAB_ROOT": str(project)}
    reports = project / "reports" / "demo"
    first = cxlab_cmd("run", "--only", NB, "--out", project / "reports", env=env)
    assert first.returncode == 0, first.stderr
    before = tree(reports)

    broken = "05_monitoring"
    nb = project / "notebooks" / f"{broken}.py"
    nb.write_text(nb.read_text() + '\n# %%\nraise ValueError("planted failure in the notebook")\n')
    second = cxlab_cmd("run", "--only", NB, "--only", broken, "--out", project / "reports", env=env)
    assert second.returncode == 1
    assert f"notebook {broken} failed in cell" in second.stderr
    assert "ValueError: planted failure in the notebook" in second.stderr
    assert "demo.incomplete" in second.stderr and "Traceback" not in second.stderr
    assert tree(reports) == before  # the previous published set, byte for byte
    kept = tree(project / "reports" / "demo.incomplete")
    assert {f"{NB}.html", f"{broken}.ipynb", "index.html", ".cxlab-run.json"} == set(kept)  # + the failed notebook
    index = (project / "reports" / "demo.incomplete" / "index.html").read_text()
    assert f"{broken}: failed" in index and "planted failure" in index
    assert not list((project / "reports").glob(".demo.*"))


def test_bad_parameter_fails_before_running(project):
    env = {"CXLAB_ROOT": str(project)}
    reports = project / "reports" / "demo"
    reports.mkdir(parents=True)
    (reports / "index.html").write_text("previous report")
    done = cxlab_cmd("run", "-p", "alpha_level=2", "-p", "bootstrap=lots", "--out", project / "reports", env=env)
    assert done.returncode == 2
    assert "override.alpha_level: must be in (0, 0.5]; got 2" in done.stderr
    assert "override.bootstrap: must be an integer; got 'lots'" in done.stderr
    assert tree(reports) == {"index.html": hashlib.sha256(b"previous report").hexdigest()}


def test_check_reports_ok_and_problems(project):
    study = project / "data" / "raw" / "demo" / "study.yaml"
    ok = cxlab_cmd("check", study)
    assert ok.returncode == 0 and "OK" in ok.stdout
    study.write_text(study.read_text().replace("seed: 2026", "seed: -1").replace("name: demo", "name: demo\nfoo: 1"))
    bad = cxlab_cmd("check", study)
    assert bad.returncode == 2
    assert "parameters.seed: must be in [0, 4294967295]; got -1" in bad.stderr
    assert "foo: unknown key" in bad.stderr


def test_a_study_is_named_by_its_folder_in_data_raw(project):
    env = {"CXLAB_ROOT": str(project)}
    ok = cxlab_cmd("check", "demo", env=env, cwd=project)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{project / 'data' / 'raw' / 'demo' / 'study.yaml'}: OK")
    (project / "demo").write_text("name: [")  # a file of that name is the study: it wins over the folder
    assert "not valid YAML" in cxlab_cmd("check", "demo", env=env, cwd=project).stderr
    missing = cxlab_cmd("check", "nosuch", env=env, cwd=project)
    assert missing.returncode == 2
    assert missing.stderr.strip() == (f"cxlab: Study file not found: {project / 'nosuch'} (give a study's YAML "
                                      f"file, or the name of a study in {project / 'data' / 'raw'}: demo)")


def test_output_into_a_closed_pipe_is_no_error(project):
    study = project / "data" / "raw" / "demo" / "study.yaml"
    done = subprocess.run(f"{sys.executable} -m cxlab.cli check {study} | head -c 1", shell=True,
                          capture_output=True, text=True, cwd=project)
    assert done.stdout == "/" and done.stderr == ""


def test_check_names_bad_data_rows(project):
    survey = project / "data" / "raw" / "demo" / "survey.csv"
    lines = survey.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("nps")
    row = lines[3].split(",")
    row[col] = "12"
    lines[3] = ",".join(row)
    survey.write_text("\n".join(lines) + "\n")
    bad = cxlab_cmd("check", project / "data" / "raw" / "demo" / "study.yaml")
    assert bad.returncode == 1
    assert "survey.csv, column 'nps': 1 value(s) outside 0..10 at row(s) 4" in bad.stderr


def test_unwritable_output_folder_is_named(project):
    done = cxlab_cmd("run", "--only", NB, "--out", "/dev/null/reports", env={"CXLAB_ROOT": str(project)})
    assert done.returncode == 2
    assert "cxlab: " in done.stderr and "/dev/null/reports" in done.stderr and "Traceback" not in done.stderr
