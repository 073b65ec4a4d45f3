"""Which report sections a study's parameters allow (cxlab.plan.capabilities)."""

import pytest

from cxlab import plan
from cxlab.study import load_study

from conftest import DEMO
from test_any_study import minimal_study


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
