"""Normal-theory ML with a mean structure, for one or several groups and missing data.

The data of each group (a :class:`Block`) are summarised per missing-data pattern (a
:class:`~cxlab.sem.fiml.Pattern`: the rows sharing the same observed variables, with their N-divisor
means and covariance); complete data is the special case of one pattern. The
log-likelihood of a pattern with ``n_k`` rows observing the variables ``o`` is

    -n_k / 2 [|o| log(2 pi) + log|Sigma_oo| + tr(Sigma_oo^-1 (S_k + d d'))],  d = ybar_k - mu_o

which is lavaan's casewise (FIML) likelihood aggregated by pattern. Its gradient is
analytic (chain rule through :meth:`RamModel.jacobian` and
:meth:`RamModel.jacobian_mean`); the estimator is Fisher scoring with the expected
information ``sum_k n_k [1/2 J_oo' (W (x) W) J_oo + Jmu_o' W Jmu_o]`` (``W = Sigma_oo^-1``)
and step halving. The observed information (lavaan's default for FIML) is the Hessian of
``-logl``, analytic too: the pattern-wise chain rule of
:func:`cxlab.sem.casewise.observed_information` plus the second derivatives of the implied
moments (:meth:`RamModel.hessian_contraction`). :func:`information_observed_numeric`
(central differences of the analytic gradient) is kept as a test oracle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .casewise import observed_information as _casewise_observed
from .estimate import MLFit, backtrack, factored_gradient, numeric_hessian, scoring_step, to_parameters, trace_products
from .fiml import Pattern, pattern_loglik
from .model import RamModel
from .standardize import std_all

__all__ = ["Block", "complete_block", "loglik", "gradient", "information_expected", "information_observed",
           "information_observed_numeric", "fit_blocks", "std_all_means", "saturated_loglik"]

_LOG2PI = np.log(2 * np.pi)
MAX_ITER = 500
GRAD_TOL = 1e-10  # on the gradient of -logl / N


@dataclass(frozen=True)
class Block:
    """One group: its model and its data patterns."""

    ram: RamModel
    patterns: tuple

    @property
    def n(self) -> int:
        return int(sum(pat.n for pat in self.patterns))


def complete_block(ram: RamModel, X: np.ndarray) -> Block:
    """A block of complete data (one pattern)."""
    mean = X.mean(axis=0)
    Xc = X - mean
    p = X.shape[1]
    return Block(ram, (Pattern(np.arange(p), len(X), mean, Xc.T @ Xc / len(X), p, X),))


def loglik(blocks, theta: np.ndarray) -> float:
    """Log-likelihood; ``-inf`` where an implied covariance is not positive definite."""
    total = 0.0
    for b in blocks:
        sigma = b.ram.implied(theta)
        mu = b.ram.implied_mean(theta)
        for pat in b.patterns:
            o = pat.obs
            try:
                ll, _, _ = pattern_loglik(sigma[pat.ix], pat.mean - mu[o], pat.cov, pat.n)
            except np.linalg.LinAlgError:
                return -np.inf
            total += ll
    return float(total)


def _grad_info(blocks, theta, with_info: bool):
    """Gradient of ``-logl`` and (``with_info``) the expected information.

    The covariance part is computed by table row from the factored derivatives of
    ``Sigma`` (:meth:`RamModel.sigma_factors`, :func:`~cxlab.sem.estimate.trace_products`):
    the same sums as ``J_oo' vec(dS)`` and ``J_oo' (W (x) W) J_oo`` without forming the
    Jacobian over every group's parameters.
    """
    q = len(theta)
    g = np.zeros(q)
    H = np.zeros((q, q)) if with_info else None
    for b in blocks:
        sigma = b.ram.implied(theta)
        mu = b.ram.implied_mean(theta)
        Y, u, v, c, param = b.ram.sigma_factors(theta)
        Jm = b.ram.jacobian_mean(theta)
        rows_g = np.zeros(len(u))
        rows_h = np.zeros((len(u), len(u))) if with_info else None
        for pat in b.patterns:
            o = pat.obs
            d = pat.mean - mu[o]
            _, W, M = pattern_loglik(sigma[pat.ix], d, pat.cov, pat.n)
            Yo = Y[o]
            Jmo = Jm[o]
            dS = 0.5 * pat.n * (W - W @ M @ W)
            rows_g += factored_gradient(Yo.T @ dS @ Yo, u, v, c)
            g -= pat.n * (Jmo.T @ (W @ d))
            if with_info:
                YW = Yo.T @ W
                MW = YW @ Yo
                rows_h += (0.5 * pat.n) * trace_products(MW, MW, u, v, c)
                H += pat.n * (Jmo.T @ W @ Jmo)
        g += to_parameters(rows_g, param, q)
        if with_info:
            H += to_parameters(rows_h, param, q)
    return g, H


def gradient(blocks, theta: np.ndarray) -> np.ndarray:
    """Analytic gradient of ``-logl``."""
    return _grad_info(blocks, theta, False)[0]


def information_expected(blocks, theta: np.ndarray) -> np.ndarray:
    """Expected information of ``-logl`` (pattern-wise, lavaan's ``information="expected"``)."""
    return _grad_info(blocks, theta, True)[1]


def information_observed(blocks, theta: np.ndarray) -> np.ndarray:
    """Observed information: the analytic Hessian of ``-logl`` (total over groups and rows)."""
    q = len(theta)
    H = np.zeros((q, q))
    for b in blocks:
        ram = b.ram
        H += _casewise_observed(b.patterns, ram.implied_mean(theta), ram.implied(theta), ram.jacobian(theta),
                                ram.jacobian_mean(theta),
                                second=lambda gS, gm, ram=ram: ram.hessian_contraction(theta, gS, gm))
    return H


def information_observed_numeric(blocks, theta: np.ndarray) -> np.ndarray:
    """Observed information by central differences of the analytic gradient (the test oracle)."""
    return numeric_hessian(lambda t: gradient(blocks, t), theta)


def fit_blocks(blocks, theta0: np.ndarray, *, max_iter: int = MAX_ITER, grad_tol: float = GRAD_TOL) -> MLFit:
    """Maximise the log-likelihood by Fisher scoring with step halving.

    Stops when the largest gradient entry of ``-logl / N`` is below ``grad_tol``.
    ``MLFit.fmin`` is ``-logl / N``.
    """
    n = sum(b.n for b in blocks)
    theta = theta0.astype(float).copy()
    f = -loglik(blocks, theta) / n
    if not np.isfinite(f):
        return MLFit(theta, np.inf, False, 0, "starting values give a non-positive-definite implied covariance")
    message, converged, it = "maximum number of iterations reached", False, 0
    for it in range(1, max_iter + 1):
        g, H = _grad_info(blocks, theta, True)
        g, H = g / n, H / n
        if np.max(np.abs(g)) < grad_tol:
            converged, message = True, "converged"
            break
        step = scoring_step(H, g)
        if not np.all(np.isfinite(step)):
            message = "singular information matrix"
            break
        found = backtrack(lambda t: -loglik(blocks, t) / n, theta, f, g, step)
        if found is None:
            converged = bool(np.max(np.abs(g)) < 1e-6)
            message = "converged (no further decrease possible)" if converged else "line search failed"
            break
        theta, f, _ = found
    return MLFit(theta=theta, fmin=float(f), converged=converged, iterations=it, message=message)


def saturated_loglik(S: np.ndarray, n: int) -> float:
    """Log-likelihood of the saturated model of complete data (``Sigma = S``, ``mu = ybar``)."""
    p = S.shape[0]
    return float(-0.5 * n * (p * _LOG2PI + np.linalg.slogdet(S)[1] + p))


def std_all_means(ram: RamModel, pt: pd.DataFrame, theta: np.ndarray) -> np.ndarray:
    """``std.all`` of every row, intercepts included (intercept / implied SD, as lavaan)."""
    out = std_all(ram, pt, theta)
    isM = ram.mat == "M"
    if isM.any():
        _, sig_all, _ = ram.implied_all(theta)
        sd = np.sqrt(np.diag(sig_all))
        out[isM] = ram.row_values(theta)[isM] / sd[ram.pos[isM, 0]]
    return out
