"""The analytic observed information against central differences of the analytic gradient.

The observed information (FIML standard errors, the bread of the MLR sandwich) is the
analytic Hessian of ``-logl``: the pattern-wise chain rule through the model Jacobians
plus the second derivatives of the implied moments of the RAM form
(:meth:`cxlab.sem.model.RamModel.hessian_contraction`). The numeric Hessians
(:func:`cxlab.sem.meanstructure.information_observed_numeric`,
:func:`cxlab.sem.robust.observed_information_numeric`) are the oracle here; the
agreement required is 1e-6 relative to the largest entry (measured: ~1e-10).
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, multigroup
from cxlab.sem.casewise import scores
from cxlab.sem.estimate import numeric_hessian
from cxlab.sem.meanstructure import information_observed, information_observed_numeric
from cxlab.sem.robust import observed_information, observed_information_numeric
from cxlab.sem.robust_means import sandwich

from conftest import DATA, load_reference

TOL = 1e-6

#: cases with a mean structure (FIML and/or groups): fitted through ``multigroup.fit_groups``
MEAN_CASES = {
    "hs_missing_fiml": ("HolzingerSwineford1939_missing.csv", dict(missing="fiml")),
    "hs_missing_fiml_mlr": ("HolzingerSwineford1939_missing.csv", dict(missing="fiml", estimator="MLR")),
    "hs_fiml_covariate": ("HolzingerSwineford1939_missing.csv", dict(missing="fiml")),
    "hs_fiml_covariate_mlr": ("HolzingerSwineford1939_missing.csv", dict(missing="fiml", estimator="MLR")),
    "hs_groups_mlr": ("HolzingerSwineford1939.csv", dict(group="school", group_equal=["loadings"], estimator="MLR")),
}
#: complete-data MLR without a mean structure (``robust.robust_vcov``)
COV_CASES = {"hs_cfa_mlr": "HolzingerSwineford1939.csv", "poldem_sem_mlr": "PoliticalDemocracy.csv"}


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


def _fit(case, file, kw):
    ref = load_reference(case)
    return fit(pd.read_csv(DATA / file), ref["model_syntax"], **kw)


@pytest.fixture(scope="module")
def captured():
    """Blocks and estimates at which each mean-structure fit takes its observed information."""
    out = {}
    real = multigroup.information_observed
    for case, (file, kw) in MEAN_CASES.items():
        seen = []

        def record(blocks, theta, seen=seen):
            seen.append((blocks, theta.copy()))
            return real(blocks, theta)

        multigroup.information_observed = record
        try:
            res = _fit(case, file, kw)
        finally:
            multigroup.information_observed = real
        assert res.converged and len(seen) == 1
        out[case] = (res, *seen[0])
    return out


@pytest.mark.parametrize("case", MEAN_CASES)
def test_observed_information_with_means(captured, case):
    _, blocks, theta = captured[case]
    analytic = information_observed(blocks, theta)
    numeric = information_observed_numeric(blocks, theta)
    assert _rel(analytic, numeric) < TOL
    np.testing.assert_allclose(analytic, analytic.T, rtol=0, atol=1e-12 * np.abs(analytic).max())


@pytest.mark.parametrize("case", MEAN_CASES)
def test_standard_errors_unchanged_by_analytic_information(captured, case):
    res, blocks, theta = captured[case]
    if res.estimator == "MLR":
        vcov = multigroup._robust_vcov(blocks, theta)[0]
        score_blocks = [scores(b.patterns, b.ram.implied_mean(theta), b.ram.implied(theta), b.ram.jacobian(theta),
                               b.ram.jacobian_mean(theta)) for b in blocks]
        vcov_num = sandwich(information_observed_numeric(blocks, theta), score_blocks)[0]
    else:
        vcov = np.linalg.inv(information_observed(blocks, theta))
        vcov_num = np.linalg.inv(information_observed_numeric(blocks, theta))
    np.testing.assert_allclose(np.sqrt(np.diag(vcov)), np.sqrt(np.diag(vcov_num)), rtol=1e-7)
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov.to_numpy())), np.sqrt(np.diag(vcov)), rtol=1e-12)


@pytest.mark.parametrize("case", COV_CASES)
def test_observed_information_complete_data(case):
    res = _fit(case, COV_CASES[case], dict(estimator="MLR"))
    S = res.sample_cov.to_numpy()
    analytic = observed_information(res._ram, res._theta, S)
    numeric = observed_information_numeric(res._ram, res._theta, S)
    assert _rel(analytic, numeric) < TOL


@pytest.mark.parametrize("case,file,kw", [
    ("poldem_sem", "PoliticalDemocracy.csv", {}),  # regressions among latents, labels shared by rows
    ("hs_fiml_covariate", "HolzingerSwineford1939_missing.csv", dict(missing="fiml")),  # intercepts and a regression
])
def test_hessian_contraction_of_the_implied_moments(case, file, kw):
    res = _fit(case, file, kw)
    ram, theta = res._ram, res._theta
    rng = np.random.default_rng(7)
    G = rng.normal(size=(ram.p, ram.p))
    g = rng.normal(size=ram.p)

    def grad(t):
        return ram.jacobian(t).T @ ((G + G.T) / 2).ravel() + ram.jacobian_mean(t).T @ g

    assert _rel(ram.hessian_contraction(theta, G, g), numeric_hessian(grad, theta)) < TOL
