"""Which report sections a study's parameters allow (cxlab.plan.capabilities)."""

import pytest

from cxlab import plan
from cxlab.study import load_study

from conftest import DEMO


@pytest.mark.parametrize("overrides,has", [({}, True), ({"estimator": "MLR"}, True), ({"estimator": "WLSMV"}, True),
                                           ({"missing": "fiml"}, False), ({"estimator": "MLR", "missing": "fiml"}, False)])
def test_modification_indices_need_complete_data(overrides, has):
    # cxlab.sem.modification_indices refuses FIML fits and WLSMV fits with covariates (test_sem_mlr.py)
    caps = plan.capabilities(load_study(DEMO / "study.yaml", overrides=overrides, check_data=False))
    assert caps["ml_estimator"] == (None if has else plan.CAPABILITIES["ml_estimator"])
    if not has:
        assert "parameters.missing, parameters.estimator" in caps["ml_estimator"]


def test_wlsmv_with_an_observed_covariate_has_no_modification_indices():
    assert plan._observed_covariates("f =~ a + b + c\nf ~ x1") == ["x1"]
    assert plan._observed_covariates("f =~ a + b + c\ng =~ d + e + h\ng ~ f") == []
