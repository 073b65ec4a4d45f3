"""Runs and secrets (issues 19, 20): what a run may write, how it stops, which keys it accepts.

Every refused case checks the named rule, the raw files byte-identical and no traceback.
The hostile inputs are one parametrised corpus each (output folders, secrets, study
files): a new case is one line. Runs use a copy of the demo study in a temporary project
(``CXLAB_ROOT``), a throw-away ``HOME`` and a throw-away ``CXLAB_SECRET``, so the user's
real secret is never read or written.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import DEMO, ROOT, cxlab_cmd

NB = "01_data_quality"
SECRET = "s" * 64


def tree(folder: Path) -> dict[str, str]:
    """Every file under folder (hidden ones too) -> sha256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def env_for(project: Path, **extra) -> dict:
    """The environment of a run in ``project``: its own HOME beside it, a throw-away secret."""
    return {"CXLAB_ROOT": str(project), "HOME": str(project.parent / "home"), "CXLAB_SECRET": SECRET, **extra}


def make_project(base: Path) -> Path:
    """``base/project``: a copy of the notebooks and the demo study (with its contact log); ``base/home``."""
    project = base / "project"
    shutil.copytree(ROOT / "notebooks", project / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    shutil.copytree(DEMO, project / "data" / "raw" / "demo")
    (base / "home").mkdir()
    return project


@pytest.fixture()
def proj(tmp_path, demo_contacts):
    return make_project(tmp_path)


@pytest.fixture()
def cli(monkeypatch, capsys):
    """``cxlab ...`` run in this process (quick): ``cli(*args, env=...)`` -> returncode, stdout, stderr.

    An exception escaping ``main`` fails the test, as a traceback would fail the command.
    """
    from cxlab.cli import main

    def run(*args, env):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


@pytest.fixture(scope="module")
def ran(tmp_path_factory, demo_contacts):
    """A temporary project in which the demo study ran once (``--only 01``, default reports root)."""
    project = make_project(tmp_path_factory.mktemp("ran"))
    done = cxlab_cmd("run", "--only", NB, env=env_for(project))
    assert done.returncode == 0, done.stderr
    return project


# ------------------------------------------------------------------ output folders
def _loose_study(project: Path) -> Path:
    """The demo study outside data/raw (its own folder is then the study root)."""
    loose = project / "loose"
    shutil.copytree(project / "data" / "raw" / "demo", loose)
    return loose


# (case, --out as a function of the project, words the message must contain)
OUT_CASES = [
    ("data/raw", lambda p: p / "data" / "raw", "inside a data/raw folder"),
    ("a study folder in data/raw", lambda p: p / "data" / "raw" / "demo", "inside a data/raw folder"),
    ("below a study folder", lambda p: p / "data" / "raw" / "demo" / "out", "inside a data/raw folder"),
    ("data/processed", lambda p: p / "data" / "processed", "no reports may land among the study data"),
    ("the project root", lambda p: p, "files cxlab did not write"),
    ("a folder of someone else's files", lambda p: p / "docs", "files cxlab did not write"),
    ("a file", lambda p: p / "notebooks" / f"{NB}.py", "it is a file"),
    ("unwritable (below a file)", lambda p: p / "notebooks" / f"{NB}.py" / "reports", "cannot write there"),
]


def test_out_data_raw_as_in_the_issue(proj):
    """The reported case, end to end: ``cxlab run data/raw/S/study.yaml --out data/raw --only 01``."""
    before = tree(proj / "data" / "raw")
    done = cxlab_cmd("run", "data/raw/demo/study.yaml", "--out", "data/raw", "--only", NB, env=env_for(proj),
                     cwd=proj)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"cxlab: --out {proj / 'data' / 'raw'}: it is inside a data/raw folder")
    assert "Traceback" not in done.stderr and "preparing data" not in done.stderr
    assert tree(proj / "data" / "raw") == before


@pytest.mark.parametrize("case,out,words", OUT_CASES, ids=[c[0] for c in OUT_CASES])
def test_refused_output_folders(proj, cli, case, out, words):
    (proj / "docs").mkdir()
    (proj / "docs" / "notes.txt").write_text("not cxlab's")
    before = tree(proj)
    out = out(proj)
    done = cli("run", proj / "data" / "raw" / "demo" / "study.yaml", "--out", out, "--only", NB, env=env_for(proj))
    assert done.returncode == 2, done.stderr
    assert f"--out {out}" in done.stderr and words in done.stderr
    assert "Traceback" not in done.stderr and "preparing data" not in done.stderr  # refused before any work
    assert tree(proj) == before  # raw data, the folder itself, everything byte-identical
    assert not (proj / "data" / "processed").exists()


def test_out_inside_a_study_folder_outside_data_raw(proj, cli):
    loose = _loose_study(proj)
    before = tree(loose)
    done = cli("run", loose / "study.yaml", "--out", loose / "out", "--only", NB, env=env_for(proj))
    assert done.returncode == 2 and f"inside the study folder {loose}" in done.stderr, done.stderr
    assert tree(loose) == before


def test_output_rules_accept_new_empty_and_marked_folders(proj):
    from cxlab.safety import ROOT_MARKER, OutputError, reports_root
    from cxlab.study import load_study

    study = load_study(proj / "data" / "raw" / "demo" / "study.yaml")
    new = reports_root(study, proj / "new" / "reports")
    assert (new / ROOT_MARKER).exists()
    (new / "demo").mkdir()
    assert reports_root(study, new) == new  # cxlab's own folder: written again
    empty = proj / "empty"
    empty.mkdir()
    (empty / ".gitkeep").touch()
    assert reports_root(study, empty) == empty
    (proj / "docs").mkdir()
    (proj / "docs" / "x").touch()
    with pytest.raises(OutputError, match="files cxlab did not write"):
        reports_root(study, proj / "docs")
    assert reports_root(study, None) == proj / "reports"  # the default is always cxlab's


def test_unwritable_out_is_found_before_processed_data_are_written(proj, cli):
    if os.geteuid() == 0:  # root writes anywhere: a folder below a file is unwritable for everyone
        out = proj / "notebooks" / f"{NB}.py" / "reports"
    else:
        out = proj / "locked"
        out.mkdir()
        out.chmod(0o500)
    done = cli("run", "--out", out, "--only", NB, env=env_for(proj))
    assert done.returncode == 2 and "cannot write there" in done.stderr and str(out) in done.stderr
    assert not (proj / "data" / "processed" / "demo").exists()


# ------------------------------------------------------------------ one study name, one study file
def test_second_study_with_an_existing_name_is_refused(ran, cli):
    other = ran / "data" / "raw" / "other"
    shutil.copytree(ran / "data" / "raw" / "demo", other)  # its YAML still says name: demo
    try:
        reports, processed = tree(ran / "reports" / "demo"), tree(ran / "data" / "processed" / "demo")
        raw = tree(ran / "data" / "raw")
        for command in (["run", other / "study.yaml", "--only", NB], ["check", other / "study.yaml"]):
            done = cli(*command, env=env_for(ran))
            assert done.returncode == 2, done.stderr
            assert str(other / "study.yaml") in done.stderr
            assert str(ran / "data" / "raw" / "demo" / "study.yaml") in done.stderr
            assert "Traceback" not in done.stderr
        assert tree(ran / "reports" / "demo") == reports
        assert tree(ran / "data" / "processed" / "demo") == processed
        assert tree(ran / "data" / "raw") == raw
        marker = json.loads((ran / "reports" / "demo" / ".cxlab-run.json").read_text())
        assert marker["study_file"] == "data/raw/demo/study.yaml"
        # the study that owns the name still checks fine
        assert cli("check", ran / "data" / "raw" / "demo" / "study.yaml", env=env_for(ran)).returncode == 0
    finally:
        shutil.rmtree(other)


# ------------------------------------------------------------------ signals
def _kernels_of(project: Path) -> list[int]:
    """Live kernels started for ``project`` (their environment names it), and the warm-kernel template.

    Kernels forked from the template (:mod:`cxlab.kernels`) show its command line.
    """
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            env = (proc / "environ").read_bytes()
        except OSError:
            continue
        if (b"ipykernel_launcher" in cmd or b"cxlab.kernels" in cmd) \
                and f"CXLAB_ROOT={project}".encode() in env.split(b"\0"):
            found.append(int(proc.name))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_mid_run_stops_kernels_and_keeps_previous_reports(ran, signum):
    reports = ran / "reports"
    before = tree(reports / "demo")
    proc = subprocess.Popen([sys.executable, "-m", "cxlab.cli", "run", "--only", NB, "--force"], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, **env_for(ran)})
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if "running 1 notebook(s)" in line:
                break
        deadline = time.monotonic() + 120
        while not _kernels_of(ran) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert _kernels_of(ran), "no kernel started: " + "".join(lines)
        time.sleep(1.0)  # the notebook is executing
        t0 = time.monotonic()
        proc.send_signal(signum)
        _, rest = proc.communicate(timeout=60)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    err = "".join(lines) + rest
    assert proc.returncode == 128 + signum, err
    said = [line for line in err.splitlines() if "interrupted" in line]
    assert said == [f"cxlab: interrupted by {signal.Signals(signum).name}: notebooks stopped, "
                    "unfinished reports removed"], err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not _kernels_of(ran)
    assert not [p.name for p in reports.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert tree(reports / "demo") == before
    assert stopped_in < 30


# ------------------------------------------------------------------ secrets
def _secret_env(monkeypatch, tmp_path, *, env=None, file=None):
    from cxlab import privacy

    monkeypatch.setattr(privacy, "SECRET_FILE", tmp_path / "cfg" / "secret")
    if env is None:
        monkeypatch.delenv("CXLAB_SECRET", raising=False)
    else:
        monkeypatch.setenv("CXLAB_SECRET", env)
    if file is not None:
        (tmp_path / "cfg").mkdir()
        (tmp_path / "cfg" / "secret").write_bytes(file)


# (case, CXLAB_SECRET, secret file bytes, words in the message)
SECRET_CASES = [
    ("empty variable", "", None, "$CXLAB_SECRET is empty"),
    ("short variable", "hunter2", None, "$CXLAB_SECRET is only 7 bytes long"),
    ("31 bytes", "x" * 31, None, "is only 31 bytes long"),
    ("spaces only", " " * 40, None, "is empty"),
    ("empty file", None, b"", "secret is empty"),
    ("newline only", None, b"\n", "secret is empty"),
    ("short file", None, b"abc\n", "secret is only 3 bytes long"),
]


@pytest.mark.parametrize("case,env,file,words", SECRET_CASES, ids=[c[0] for c in SECRET_CASES])
def test_weak_secret_is_refused_with_how_to_make_one(tmp_path, monkeypatch, case, env, file, words):
    from cxlab.privacy import SecretError, load_secret

    _secret_env(monkeypatch, tmp_path, env=env, file=file)
    with pytest.raises(SecretError) as err:
        load_secret()
    message = str(err.value)
    assert words in message and "at least 32" in message
    assert 'python -c "import secrets; print(secrets.token_hex(32))" > ~/.config/cxlab/secret' in message
    assert "chmod 600" in message


def test_weak_secret_refused_by_run_before_processed_data(proj, cli):
    raw = tree(proj / "data" / "raw")
    done = cli("run", "--only", NB, env=env_for(proj, CXLAB_SECRET="short"))
    assert done.returncode == 2 and "only 5 bytes long" in done.stderr and "token_hex(32)" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (proj / "data" / "processed" / "demo").exists() and tree(proj / "data" / "raw") == raw


def test_generated_secret_is_announced_once(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("CXLAB_SECRET", None)
    code = "from cxlab.privacy import load_secret; load_secret(); load_secret()"
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    path = tmp_path / ".config" / "cxlab" / "secret"
    assert first.returncode == 0 and second.returncode == 0
    assert first.stderr.count("\n") == 1 and str(path) in first.stderr
    assert "linkage across waves" in first.stderr and "Keep it" in first.stderr
    assert second.stderr == ""
    assert len(path.read_text().strip()) == 64 and (path.stat().st_mode & 0o777) == 0o600


def test_changed_secret_changes_every_key(proj, monkeypatch):
    from cxlab.data import prepare
    from cxlab.study import load_study

    monkeypatch.setenv("CXLAB_ROOT", str(proj))
    study = load_study(proj / "data" / "raw" / "demo" / "study.yaml")
    keys = {}
    for secret in ("a" * 40, "b" * 40):
        monkeypatch.setenv("CXLAB_SECRET", secret)
        out = prepare(study)
        survey = pd.read_parquet(out.survey)
        features = pd.read_parquet(out.directory / "contact_features.parquet")
        keys[secret] = {c: survey[c] for c in survey.columns if c.endswith("_key")}
        keys[secret]["features.respondent_key"] = features["respondent_key"]
        fingerprint = out.fingerprint.read_text()
        assert secret not in fingerprint and '"secret"' in fingerprint  # a digest, never the secret
    old, new = keys.values()
    assert {"respondent_key", "customer_key", "email_key", "features.respondent_key"} <= set(old)
    for column in old:
        both = old[column].notna() & new[column].notna()
        assert both.sum() > 1000 and (old[column][both] != new[column][both]).all(), column


# ------------------------------------------------------------------ study files
def _bomb(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\nname: demo\n"


# (case, YAML text, words in the StudyError)
YAML_CASES = [
    ("billion laughs", _bomb(), "expand to more than 100,000 values"),
    ("recursive alias", "name: demo\nx: &x [1, *x]\n", "recursive alias"),
    ("too large", "name: demo\n" + "# padding\n" * 120_000, "a study file may be at most 1,000,000 bytes"),
    ("deep flow nesting", "x: " + "[" * 20_000 + "]" * 20_000 + "\n", "values nest more than 50 levels deep"),
    ("deep block nesting", "".join(" " * i + f"k{i}:\n" for i in range(400)) + " " * 400 + "v: 1\n",
     "values nest more than 50 levels deep"),
    ("not UTF-8", "name: d\u00e9mo\n".encode("latin-1"), "not UTF-8 text"),
]


@pytest.mark.parametrize("case,text,words", YAML_CASES, ids=[c[0] for c in YAML_CASES])
def test_hostile_study_files_are_refused_quickly(tmp_path, cli, case, text, words):
    from cxlab.study import StudyError, load_study

    path = tmp_path / "study.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    t0 = time.perf_counter()
    with pytest.raises(StudyError, match=words):
        load_study(path)
    assert time.perf_counter() - t0 < 5
    done = cli("check", path, env={"HOME": str(tmp_path), "CXLAB_SECRET": SECRET})
    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_ordinary_aliases_still_load(tmp_path):
    from cxlab.study import load_study

    study_dir = tmp_path / "data" / "raw" / "demo"
    shutil.copytree(DEMO, study_dir, ignore=shutil.ignore_patterns("contacts.parquet"))
    doc = yaml.safe_load((DEMO / "study.yaml").read_text())
    del doc["title"], doc["description"]
    text = 'title: &t "One title, said twice"\ndescription: *t\n' + yaml.safe_dump(doc, sort_keys=False)
    (study_dir / "study.yaml").write_text(text)
    study = load_study(study_dir / "study.yaml")
    assert study.description == study.title == "One title, said twice"


# ------------------------------------------------------------------ demo data for the demo only
def test_missing_contact_log_is_an_error_except_for_the_demo(proj, cli):
    other = proj / "data" / "raw" / "other"
    shutil.copytree(proj / "data" / "raw" / "demo", other)
    (other / "contacts.parquet").unlink()
    doc = yaml.safe_load((other / "study.yaml").read_text())
    doc["name"] = "other"
    (other / "study.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    raw = tree(proj / "data" / "raw")
    for command in (["check", other / "study.yaml"], ["run", other / "study.yaml", "--only", NB]):
        done = cli(*command, env=env_for(proj))
        assert done.returncode == 2, done.stderr
        assert f"data.contacts: file not found: {other / 'contacts.parquet'}" in done.stderr
        assert "Traceback" not in done.stderr and "generating" not in done.stderr
    assert tree(proj / "data" / "raw") == raw and not (proj / "data" / "processed").exists()
    # the demo itself still regenerates its contact log on demand
    (proj / "data" / "raw" / "demo" / "contacts.parquet").unlink()
    assert cli("check", proj / "data" / "raw" / "demo" / "study.yaml", env=env_for(proj)).returncode == 0


# ------------------------------------------------------------------ cxlab new
def test_new_from_a_folder_that_is_not_a_study_leaves_nothing(proj, cli):
    junk, broken = proj / "junk", proj / "broken"
    for folder in (junk, broken):
        folder.mkdir()
        (folder / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        (folder / "notes.txt").write_text("hello")
    (broken / "study.yaml").write_text("name: broken\ndata: {survey: missing.csv}\n")
    raw = tree(proj / "data" / "raw")
    listing = sorted(p.name for p in (proj / "data" / "raw").iterdir())
    for source in (junk, broken, broken / "study.yaml", junk / "notes.txt", proj / "nowhere"):
        done = cli("new", "x", "--from", source, env=env_for(proj))
        assert done.returncode == 2, done.stderr
        assert "Traceback" not in done.stderr
        assert sorted(p.name for p in (proj / "data" / "raw").iterdir()) == listing
        assert tree(proj / "data" / "raw") == raw


def test_new_copies_only_the_study_never_keys_or_hidden_files(proj, cli):
    src = proj / "mine"
    shutil.copytree(proj / "data" / "raw" / "demo", src)
    (src / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    (src / ".env").write_text("TOKEN=abc")
    (src / "private").mkdir()
    (src / "private" / "key.pem").write_text("secret")
    done = cli("new", "wave9", "--from", src / "study.yaml", env=env_for(proj))
    assert done.returncode == 0, done.stderr
    made = proj / "data" / "raw" / "wave9"
    assert sorted(p.name for p in made.rglob("*")) == sorted(
        ["README.md", "contacts.parquet", "employee_survey.csv", "study.yaml", "survey.csv", "truth.yaml"])
    assert (made / "survey.csv").read_bytes() == (src / "survey.csv").read_bytes()
    assert "name: wave9" in (made / "study.yaml").read_text()
    assert not [p for p in (proj / "data" / "raw").iterdir() if p.name.startswith(".")]
