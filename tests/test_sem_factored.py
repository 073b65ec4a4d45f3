"""The factored derivatives of Sigma against the Jacobian they replace in the estimators.

:meth:`cxlab.sem.model.RamModel.sigma_factors` and :func:`cxlab.sem.estimate.trace_products`
compute the gradient, the expected information ``J' (W (x) W) J`` and the observed Hessian
of the ML discrepancy by table row, without the Jacobian ``J``. The Jacobian-based forms
(:func:`~cxlab.sem.estimate.expected_information`, :func:`~cxlab.sem.estimate.observed_hessian`,
``J' vec(R)``) are the oracle; they are the same sums in another order, so the agreement
required is 1e-12 relative to the largest entry (measured: ~1e-15). The lavaan reference
tests (``test_sem_reference.py``, ``test_sem_multigroup.py``, ...) check the fits themselves.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem import meanstructure as ms
from cxlab.sem.estimate import (_logdet_inv, _observed_factored, expected_information, factored_gradient,
                                observed_hessian, to_parameters, trace_products)

from conftest import DATA, in_fresh_python, load_reference

TOL = 1e-12


def _rel(a, b):
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("case, file", [("hs_cfa", "HolzingerSwineford1939.csv"),
                                        ("poldem_sem", "PoliticalDemocracy.csv")])
def test_single_group_gradient_and_information_match_the_jacobian(case, file):
    ref = load_reference(case)
    res = fit(pd.read_csv(DATA / file), ref["model_syntax"])
    ram, S = res.ram, res.sample_cov.to_numpy()
    theta = res.theta * 1.05  # away from the optimum: the gradient is not zero there
    sigma = ram.implied(theta)
    W = _logdet_inv(sigma)[1]
    J = ram.jacobian(theta)
    Y, u, v, c, param = ram.sigma_factors(theta)
    M = Y.T @ W @ Y
    R = W @ (sigma - S) @ W
    assert _rel(to_parameters(factored_gradient(Y.T @ R @ Y, u, v, c), param, ram.npar), J.T @ R.ravel()) < TOL
    assert _rel(to_parameters(trace_products(M, M, u, v, c), param, ram.npar), expected_information(J, W)) < TOL
    assert _rel(_observed_factored(ram, theta, W, S, Y, M, u, v, c, param), observed_hessian(ram, theta, J, W, S)) < TOL


def test_multigroup_and_fiml_gradient_and_information_match_the_jacobian(monkeypatch):
    """Groups with equal loadings (parameters shared across blocks) and missing-data patterns."""
    captured = []
    original = ms.fit_blocks
    monkeypatch.setattr("cxlab.sem.multigroup.fit_blocks", lambda b, t, **kw: captured.append(b) or original(b, t, **kw))
    ref = load_reference("hs_missing_fiml")
    data = pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    data["school"] = np.where(np.arange(len(data)) % 2, "a", "b")
    res = fit(data, ref["model_syntax"], missing="fiml", group="school", group_equal=["loadings"])
    blocks, theta = captured[-1], res.theta + 0.01
    assert sum(len(b.patterns) for b in blocks) > 2
    g, H = ms._grad_info(blocks, theta, True)
    g0, H0 = np.zeros(len(theta)), np.zeros((len(theta), len(theta)))
    for b in blocks:  # the previous, Jacobian-based sums
        sigma, mu = b.ram.implied(theta), b.ram.implied_mean(theta)
        J, Jm = b.ram.jacobian(theta), b.ram.jacobian_mean(theta)
        for pat in b.patterns:
            d = pat.mean - mu[pat.obs]
            _, W, M = ms.pattern_loglik(sigma[pat.ix], d, pat.cov, pat.n)
            Joo, Jmo = J[pat.flat], Jm[pat.obs]
            g0 += Joo.T @ (0.5 * pat.n * (W - W @ M @ W)).ravel() - pat.n * (Jmo.T @ (W @ d))
            H0 += pat.n * (0.5 * expected_information(Joo, W) + Jmo.T @ W @ Jmo)
    assert _rel(g, g0) < 1e-10  # a gradient of differences: its largest entry is small
    assert _rel(H, H0) < TOL


def test_rows_sharing_a_label_are_summed():
    values = np.arange(9.0).reshape(3, 3)
    out = to_parameters(values, np.array([0, 1, 0]), 2)
    assert out.tolist() == [[0 + 2 + 6 + 8, 1 + 7], [3 + 5, 4]]
    assert to_parameters(np.array([1.0, 2.0, 3.0]), np.array([0, 1, 0]), 2).tolist() == [4.0, 2.0]


def test_the_package_loads_lazily_and_keeps_its_names():
    code = ("import sys, cxlab.sem as sem; assert 'scipy.stats' not in sys.modules; "
            "import cxlab.sem.invariance; assert callable(sem.invariance) and sem.invariance.__name__ == 'invariance'; "
            "from cxlab.sem import fit, SemResult; assert sem.judge.CUTOFFS is sem.CUTOFFS; "
            "assert set(sem.__all__) <= set(dir(sem))")
    in_fresh_python(code)
