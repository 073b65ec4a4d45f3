"""Real surveys from scratch: `cxlab new --survey`, the edits a user must make, `check`, `run`.

The three public CX surveys in ``../shared/data/external/`` (skipped where that folder is
absent) each become a study through the draft command. The test then does only what a user
must: choose the outcomes, write the structural model (the draft carries it as a
commented template), and — for the test's run time — fewer bootstrap resamples. The
reports must render in headless Chromium without console errors and follow the study:
none of the demo's wording, segment labels instead of codes, only the parameters used.
"""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT, SHARED, cxlab_cmd
from test_any_study import DEMO_PHRASES, visible_text

pytestmark = pytest.mark.slow

EXTERNAL = SHARED / "data" / "external"

#: name -> (survey file, edits: outcome, loyalty, structural paths, extra codebook lines)
STUDIES = {
    "mobi": ("ecsi_mobi/mobi.csv", "CUSA", "CUSL", """\
    CUEX ~ IMAG
    PERQ ~ CUEX
    PERV ~ CUEX + PERQ
    CUSA ~ IMAG + CUEX + PERQ + PERV
    CUSCO ~ CUSA
    CUSL ~ IMAG + CUSA + CUSCO
""", ""),
    "corp": ("corp_rep/corp_rep_data.csv", "cusa", "cusl", """\
    comp ~ qual + perf + csor + attr
    like ~ qual + perf + csor + attr
    cusa ~ comp + like
    cusl ~ comp + like + cusa
""", "segment: {column: servicetype, labels: {1: Postpaid, 2: Prepaid}}"),
    "bank": ("plspm_satisfaction/satisfaction.csv", "sat", "loy", """\
    expe ~ imag
    qual ~ expe
    val ~ expe + qual
    sat ~ imag + expe + qual + val
    loy ~ imag + sat
""", ""),
}


def edit_draft(path, outcome, loyalty, paths, segment):
    """What a user must change in the draft: outcomes, the structural model, (a segment's labels)."""
    text = path.read_text()
    text = re.sub(r"(?m)^  outcome: null.*$", f"  outcome: {outcome}", text)
    text = re.sub(r"(?m)^  loyalty: null.*$", f"  loyalty: {loyalty}\n  bootstrap: 50", text)
    measurement = re.search(r"(?ms)^  measurement: \|\n(.*?)(?=^  #|^\S)", text).group(1)
    used = set(re.findall(r"\w+", paths))  # the structural model keeps the constructs its paths use
    measurement = "".join(line + "\n" for line in measurement.splitlines() if line.split("=~")[0].strip() in used)
    text = re.sub(r"(?m)^parameters:", "  structural: |\n" + measurement + paths + "\nparameters:", text, count=1)
    if segment:
        text = re.sub(r"(?m)^  segment: .*$", f"  {segment}", text)
    path.write_text(text)


def make_study(root, name):
    """A project in ``root`` with study ``name`` drafted by `cxlab new --survey` and edited as a user must."""
    if not EXTERNAL.is_dir():
        pytest.skip("../shared/data/external is not here")
    survey, outcome, loyalty, paths, segment = STUDIES[name]
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    new = cxlab_cmd("new", name, "--survey", EXTERNAL / survey, env={"CXLAB_ROOT": str(root)}, cwd=root)
    assert new.returncode == 0, new.stderr
    study = root / "data" / "raw" / name / "study.yaml"
    edit_draft(study, outcome, loyalty, paths, segment)
    return study


@pytest.fixture(scope="module", params=sorted(STUDIES))
def external_run(request, tmp_path_factory):
    name = request.param
    root = tmp_path_factory.mktemp(name)
    study = make_study(root, name)
    env = {"CXLAB_ROOT": str(root)}
    check = cxlab_cmd("check", study, env=env, cwd=root)
    run = cxlab_cmd("run", study, env=env, cwd=root)
    return name, root / "reports" / name, check, run


def test_check_prints_the_plan_and_run_succeeds(external_run):
    name, out, check, run = external_run
    assert check.returncode == 0, check.stderr
    for report in ("01_data_quality", "02_servqual_factors", "03_sem_drivers", "04_contact_levers"):
        assert f"  {report}: runs" in check.stdout, (name, check.stdout)
    assert "05_monitoring: skipped — no NPS" in check.stdout
    assert run.returncode == 0, (name, run.stderr[-3000:])
    assert "Traceback" not in run.stderr
    assert len(list(out.glob("0*.html"))) == 4


def test_reports_follow_the_study(external_run):
    name, out, _, run = external_run
    assert run.returncode == 0, run.stderr[-3000:]
    for page in out.glob("0*.html"):
        text = visible_text(page.read_text())
        for phrase in DEMO_PHRASES:
            assert phrase not in text, (name, page.name, phrase)
        assert not re.search(r"\bstd_\d\b", text), (name, page.name)
    if name == "corp":  # segments by their labels
        sem = visible_text((out / "03_sem_drivers.html").read_text())
        assert "Postpaid" in sem and "Prepaid" in sem
    shown = set(re.findall(r"<tr><td><code>([a-z_]+)</code></td>", (out / "index.html").read_text()))
    assert {"outcome", "bootstrap", "estimator"} <= shown
    assert not shown & {"contact_window_days", "waves", "baseline_wave"}


def test_reports_open_in_chromium(external_run):
    from cxlab.browser import check_pages, ensure_chromium

    name, out, _, run = external_run
    assert run.returncode == 0, run.stderr[-3000:]
    try:
        chromium = ensure_chromium()
    except RuntimeError as exc:  # pragma: no cover - only where apt-get cannot run
        pytest.skip(f"headless Chromium unavailable: {exc}")
    for check in check_pages(sorted(out.glob("*.html")), chromium=chromium):
        assert check.title, (name, check.path)
        assert check.console_errors == (), (name, check.path, check.console_errors)
        assert check.broken_images == (), (name, check.path, check.broken_images)


def test_a_model_that_does_not_converge_gives_a_report_not_a_failed_run(tmp_path):
    # A user's first attempt on corp_rep: the draft's switching-cost factor left in the structural
    # model, which then does not converge (lavaan-style iteration limit); no segments, no bootstrap.
    study = make_study(tmp_path, "corp")
    text = study.read_text().replace("  structural: |\n",
                                     "  structural: |\n    switch =~ switch_1 + switch_2 + switch_3 + switch_4\n")
    study.write_text(re.sub(r"(?m)^  segment: .*$", "  segment: null", text))
    run = cxlab_cmd("run", study, "--only", "03_sem_drivers", "-p", "bootstrap=0", env={"CXLAB_ROOT": str(tmp_path)},
                    cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    text = visible_text((tmp_path / "reports" / "corp" / "03_sem_drivers.html").read_text())
    assert "did not converge" in text and "Do not interpret these estimates" in text
