"""Which report sections a study's parameters allow (cxlab.plan.capabilities)."""

import pytest

from cxlab import plan
from cxlab.study import load_study

from conftest import DEMO
from test_any_study import minimal_study
from test_study import edit, study_copy  # noqa: F401 (a fixture): a copy of the demo study to edit


@pytest.mark.parametrize("overrides", [{}, {"estimator": "MLR"}, {"estimator": "WLSMV"}, {"missing": "fiml"},
                                       {"estimator": "MLR", "missing": "fiml"}])
def test_modification_indices_for_every_estimator(overrides):
    # cxlab.sem.modification_indices refuses WLSMV fits with covariates only (test_sem_mlr.py)
    caps = plan.capabilities(load_study(DEMO / "study.yaml", overrides=overrides, check_data=False))
    assert caps["ml_estimator"] is None


def test_wlsmv_with_an_observed_covariate_has_no_modification_indices(tmp_path):
    study = minimal_study(tmp_path)
    study.write_text(study.read_text().replace("    Q =~ Q1 + Q2 + Q3 + Q4\n    overall ~ Q",
                                               "    Q =~ Q1 + Q2 + Q3\n    overall ~ Q + Q4"))
    assert plan._observed_covariates(load_study(study).models["structural"]) == ["Q4"]
    wlsmv = plan.capabilities(load_study(study, overrides={"estimator": "WLSMV"}))
    assert wlsmv["ml_estimator"] == plan.CAPABILITIES["ml_estimator"]
    assert plan.capabilities(load_study(study))["ml_estimator"] is None


def test_wlsmv_on_a_study_without_a_structural_model(tmp_path):
    """`cxlab run -p estimator=WLSMV` on a study with a measurement model only (it crashed in the plan)."""
    from conftest import cxlab_cmd

    study = minimal_study(tmp_path)
    study.write_text(study.read_text().replace("  structural: |\n    Q =~ Q1 + Q2 + Q3 + Q4\n    overall ~ Q\n", ""))
    loaded = load_study(study, overrides={"estimator": "WLSMV"})
    assert "structural" not in loaded.models
    caps = plan.capabilities(loaded)
    assert caps["ml_estimator"] is None and caps["structural_model"] == plan.CAPABILITIES["structural_model"]
    done = cxlab_cmd("run", study, "-p", "estimator=WLSMV", "--only", "02_servqual_factors",
                     env={"CXLAB_ROOT": str(tmp_path)}, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reports" / "plain" / "02_servqual_factors.html").is_file()


def test_a_parameter_used_under_any_of_several_capabilities(study_copy):
    """Report 04 reads ``loyalty`` in its contact, Six Pillars and sacrifice sections: a study
    with the pillars but no contact log still lists it among the parameters the run used."""
    import jupytext

    from conftest import ROOT

    nb = jupytext.read(ROOT / "notebooks" / "04_contact_levers.py")
    spec = plan.notebook_spec(nb)
    assert spec.parameters["loyalty"] == ("contacts", "pillar_outcomes", "sacrifice")

    def drop_contacts(doc):
        del doc["data"]["contacts"]
    edit(study_copy, drop_contacts)
    study = load_study(study_copy)
    caps = plan.capabilities(study)
    assert caps["contacts"] is not None and caps["pillar_outcomes"] is None
    assert spec.uses("loyalty", caps) and not spec.uses("contact_window_days", caps)
    assert "loyalty" in plan.plan(study, {"04_contact_levers": nb}).reports[0].parameters
    none = {c: "absent" for c in caps}
    assert not spec.uses("loyalty", none) and spec.uses("outcome", none)
