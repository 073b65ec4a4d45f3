"""Every parameter does what the reports say: a report that claims a parameter changes with it, the others do not.

The plain study of ``test_any_study`` runs once as it is and once per changed parameter;
each report's visible text (figures included, as image data) is compared with the first
run's. The reports whose declared parameters (:mod:`cxlab.plan`) include the changed one
must differ, all others must be identical. ``waves`` needs a wave column: it is checked on
the data layer, through which every report reads the survey.
"""

from __future__ import annotations

import re

import pytest

from conftest import cxlab_cmd
from test_any_study import minimal_study

pytestmark = pytest.mark.slow

#: parameter -> a changed value (the plain study's defaults: ci_level 0.95, bootstrap 20, ...)
CHANGES = {
    "ci_level": 0.9,
    "bootstrap": 30,
    "seed": 7,
    "alpha_level": 0.01,
    "estimator": "MLR",
}


def fingerprint(html: str) -> str:
    """What the reader sees of a report: its text and its figures (without the run's time stamp)."""
    from test_any_study import visible_text

    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC", "", visible_text(html))
    return text + "".join(re.findall(r'<img[^>]*src="([^"]*)"', html))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("params")
    study = minimal_study(root)
    env = {"CXLAB_ROOT": str(root)}
    out = {}
    for name, value in [(None, None), *CHANGES.items()]:
        args = ["run", study, "--out", root / f"out-{name}"] + ([] if name is None else ["-p", f"{name}={value}"])
        done = cxlab_cmd(*args, env=env)
        assert done.returncode == 0, (name, done.stderr[-2000:])
        folder = root / f"out-{name}" / "plain"
        out[name] = {p.stem: fingerprint(p.read_text()) for p in folder.glob("0*.html")}
    return study, out


@pytest.mark.parametrize("parameter", sorted(CHANGES))
def test_reports_that_claim_a_parameter_change_with_it(runs, parameter):
    from cxlab.runner import study_plan
    from cxlab.study import load_study

    study, out = runs
    claims = {r.name for r in study_plan(load_study(study)).reports if r.run and parameter in r.parameters}
    assert claims, f"no report claims {parameter}"
    changed = {name for name, page in out[parameter].items() if page != out[None][name]}
    assert changed == claims, (parameter, "changed", sorted(changed), "claimed", sorted(claims))


def test_waves_filter_every_report_through_the_data_layer(project):
    from cxlab.data import load_processed_survey, respondent_table
    from cxlab.study import load_study

    path = project / "data" / "raw" / "demo" / "study.yaml"
    everyone = load_processed_survey(load_study(path))
    second = load_study(path, overrides={"waves": [2]})
    only = load_processed_survey(second)
    assert set(only["wave"]) == {2} and 0 < len(only) < len(everyone)
    assert len(respondent_table(second)) == len(only)
