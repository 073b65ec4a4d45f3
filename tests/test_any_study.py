"""Any study, not just the demo: a plain survey gives every report it can feed, the rest are skipped.

The minimal study has one scale, one single-item outcome, no id, no segment, no wave, no
date, no durations and no contact log. `cxlab check` prints the plan, `cxlab run` renders
what applies, and nothing of the demo's wording, its parameters or its sections survives.
"""

from __future__ import annotations

import re
import shutil
import textwrap

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, cxlab_cmd

pytestmark = pytest.mark.slow

#: Wording that belongs to the demo study (SERVQUAL, its outcomes, its contact log) and must
#: not appear in a report of a study that lacks them.
DEMO_PHRASES = (
    "SERVQUAL", "perception items", "service-quality dimensions", "service quality dimensions",
    "intention to stay", "Intention to stay", "satisfaction → loyalty", "only through satisfaction",
    "contact log", "contact window", "speeders finish", "Nothing here is real customer data",
    "Respondents per wave and segment", "Linking survey answers to contacts", "five dimensions",
)


def minimal_study(root, n=240, seed=11):
    """A project in ``root`` with one 4-item scale (1-5) and a single-item outcome (1-10)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    items = {f"Q{i}": np.clip(np.round(3 + 0.9 * f + rng.normal(scale=0.7, size=n)), 1, 5).astype(int)
             for i in range(1, 5)}
    overall = np.clip(np.round(6 + 1.3 * f + rng.normal(scale=1.2, size=n)), 1, 10).astype(int)
    survey = pd.DataFrame({**items, "overall": overall})
    folder = root / "data" / "raw" / "plain"
    folder.mkdir(parents=True)
    survey.to_csv(folder / "survey.csv", index=False)
    (folder / "study.yaml").write_text(textwrap.dedent("""\
        name: plain
        title: "A plain survey"
        data: {survey: survey.csv}
        codebook:
          scales:
            Q: {items: [Q1, Q2, Q3, Q4], range: [1, 5], label: Service}
          single_items:
            overall: {column: overall, range: [1, 10], label: Overall rating}
        models:
          measurement: |
            Q =~ Q1 + Q2 + Q3 + Q4
          structural: |
            Q =~ Q1 + Q2 + Q3 + Q4
            overall ~ Q
        parameters:
          outcome: overall
          bootstrap: 20
        """))
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("*.ipynb"))
    return folder / "study.yaml"


def visible_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script"]):
        tag.decompose()
    return " ".join(soup.get_text(" ").split())


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("plain")
    study = minimal_study(root)
    env = {"CXLAB_ROOT": str(root)}
    check = cxlab_cmd("check", study, env=env)
    run = cxlab_cmd("run", study, env=env)
    return root / "reports" / "plain", check, run


def test_check_prints_the_plan(plain_run):
    _, check, _ = plain_run
    assert check.returncode == 0, check.stderr
    assert "4 of 5 reports will run" in check.stdout
    for name in ("01_data_quality", "02_servqual_factors", "03_sem_drivers", "04_contact_levers"):
        assert f"  {name}: runs" in check.stdout
    assert re.search(r"05_monitoring: skipped — no NPS, CSAT, CES, intention-to-stay or Temkin items", check.stdout)
    assert "speeder" not in check.stdout  # not checked without durations, so not reported as 0


def test_run_renders_what_applies_and_lists_the_skipped(plain_run):
    out, _, run = plain_run
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in out.glob("*.html")) == [
        "01_data_quality.html", "02_servqual_factors.html", "03_sem_drivers.html", "04_contact_levers.html",
        "index.html"]
    index = visible_text((out / "index.html").read_text())
    assert "05_monitoring: skipped — no NPS" in index


def test_reports_follow_the_study_not_the_demo(plain_run):
    out, _, _ = plain_run
    for page in out.glob("0*.html"):
        text = visible_text(page.read_text())
        for phrase in DEMO_PHRASES:
            assert phrase not in text, (page.name, phrase)
        assert not re.search(r"\bstd_\d\b", text), page.name
    quality = visible_text((out / "01_data_quality.html").read_text())
    assert "Speeders: not checked (the survey has no completion-time column)" in quality
    sem = visible_text((out / "03_sem_drivers.html").read_text())
    assert "In this model, Service acts on Overall rating directly." in sem
    assert "Overall rating" in visible_text((out / "04_contact_levers.html").read_text())


def test_overview_lists_only_the_parameters_used(plain_run):
    out, _, _ = plain_run
    html = (out / "index.html").read_text()
    shown = set(re.findall(r"<tr><td><code>([a-z_]+)</code></td>", html))
    assert {"outcome", "bootstrap", "seed", "estimator", "ci_level", "min_cell_size"} <= shown
    # no contacts, no waves, no expectations, no monitoring: their parameters are not claimed
    assert not shown & {"contact_window_days", "waves", "baseline_wave", "loyalty"}


def test_reports_open_in_chromium_without_errors(plain_run):
    from cxlab.browser import check_pages, ensure_chromium

    try:
        chromium = ensure_chromium()
    except RuntimeError as exc:  # pragma: no cover - only where apt-get cannot run
        pytest.skip(f"headless Chromium unavailable: {exc}")
    out, _, _ = plain_run
    for check in check_pages(sorted(out.glob("*.html")), chromium=chromium):
        assert check.console_errors == (), (check.path, check.console_errors)
        assert check.broken_images == (), (check.path, check.broken_images)


def test_degenerate_survey_gives_reports_with_reasons_not_a_failed_run(tmp_path):
    # 25 respondents, one item answered the same by everyone, one item nobody answered
    study = minimal_study(tmp_path, n=25)
    survey = pd.read_csv(study.parent / "survey.csv")
    survey["Q4"] = 3
    survey["Q5"] = ""
    survey.to_csv(study.parent / "survey.csv", index=False)
    study.write_text(study.read_text().replace("items: [Q1, Q2, Q3, Q4]", "items: [Q1, Q2, Q3, Q4, Q5]")
                     .replace("bootstrap: 20", "bootstrap: 0").replace("  measurement: |\n    Q =~ Q1 + Q2 + Q3 + Q4\n",
                                                                       "  measurement: |\n    Q =~ Q1 + Q2 + Q3 + Q4 + Q5\n"))
    env = {"CXLAB_ROOT": str(tmp_path)}
    check = cxlab_cmd("check", study, env=env)
    assert check.returncode == 0, check.stderr
    assert "03_sem_drivers: skipped — the structural model uses columns no model can use (Q4: the same answer" \
        in check.stdout
    run = cxlab_cmd("run", study, "--only", "02_servqual_factors", "--only", "03_sem_drivers", env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    text = visible_text((tmp_path / "reports" / "plain" / "02_servqual_factors.html").read_text())
    assert "Left out: Q4 (the same answer from everyone (3)); Q5 (no answers)." in text
    assert "A confirmatory factor analysis is not shown: the measurement model uses columns no model can use (Q4: " \
        "the same answer from everyone (3); Q5: no answers)." in text


#: every choice of the choice parameters, in two runs (the defaults: ML, listwise, minres, oblimin, shapley, pls)
CHOICES = [("estimator=WLSMV", "efa_method=pa", "rotation=promax", "importance_method=relative_weights", "pls=false"),
           ("estimator=MLR", "missing=fiml", "efa_method=ml", "rotation=varimax", "bootstrap=0")]


@pytest.mark.parametrize("overrides", CHOICES, ids=["wlsmv", "fiml"])
def test_every_choice_of_every_parameter_runs(tmp_path, overrides):
    """Each report runs under every value a choice parameter offers, on a study not the demo:
    WLSMV (ordinal items, no bootstrap: delta-method intervals, said in the methods), FIML,
    each extraction, rotation and importance method; modification indices under each."""
    study = minimal_study(tmp_path)
    args = [a for o in overrides for a in ("-p", o)]
    run = cxlab_cmd("run", study, *args, env={"CXLAB_ROOT": str(tmp_path)})
    assert run.returncode == 0, run.stderr
    out = tmp_path / "reports" / "plain"
    assert len(list(out.glob("0*.html"))) == 4
    sem = visible_text((out / "03_sem_drivers.html").read_text())
    if "estimator=WLSMV" in overrides:
        assert "Top modification indices" in sem and "estimated by WLSMV" in sem
        assert "delta-method standard errors (no bootstrap under WLSMV)" in sem
        assert "relative weights" in visible_text((out / "04_contact_levers.html").read_text()).lower()
    else:
        assert "Top modification indices" in sem and "estimated by MLR (missing data: fiml)" in sem
