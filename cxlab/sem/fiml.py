"""Full-information ML (lavaan's ``missing = "ml"``): data patterns, EM saturated model, baseline.

* Rows are grouped by their pattern of observed variables (:func:`missing_patterns`);
  rows with no observed model variable are dropped, as lavaan does.
* The saturated (h1) model is the unrestricted normal model estimated by EM
  (:func:`em_saturated`); its log-likelihood is lavaan's ``unrestricted.logl`` and its
  moments are the "sample" moments of the residual-based fit measures (srmr, gfi).
* The baseline (independence) model has free means and variances: its likelihood
  factorises over variables, so its ML estimates are each variable's mean and
  (N divisor) variance over the rows observing it (:func:`baseline_loglik`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import linalg

__all__ = ["Pattern", "pattern_loglik", "missing_patterns", "em_saturated", "baseline_loglik", "available_case_moments"]

_LOG2PI = np.log(2 * np.pi)


@dataclass(frozen=True)
class Pattern:
    """Rows of one group that observe the same variables.

    Attributes
    ----------
    obs : ndarray of int
        Positions (in the model's observed variables) of the observed variables.
    n : int
        Number of rows.
    mean, cov : ndarray
        Mean and N-divisor covariance of the observed variables over these rows.
    p : int
        Number of observed variables of the model.
    rows : ndarray, optional
        The rows themselves (``n x len(obs)``), for casewise scores (MLR).
    """

    obs: np.ndarray
    n: int
    mean: np.ndarray
    cov: np.ndarray
    p: int
    rows: np.ndarray | None = field(default=None, repr=False, compare=False)

    @cached_property
    def flat(self) -> np.ndarray:
        """Positions of the ``obs x obs`` block in ``vec`` of a ``p x p`` matrix."""
        return (self.obs[:, None] * self.p + self.obs[None, :]).ravel()

    @cached_property
    def ix(self) -> tuple:
        """``np.ix_(obs, obs)``."""
        return np.ix_(self.obs, self.obs)

    @cached_property
    def mis(self) -> np.ndarray:
        """Positions of the missing variables."""
        return np.setdiff1d(np.arange(self.p), self.obs)


def pattern_loglik(sig_oo, d, S_k, n_k):
    """Log-likelihood of one pattern, with ``W = Sigma_oo^-1`` and ``M = S_k + d d'``.

    Raises :class:`numpy.linalg.LinAlgError` when ``sig_oo`` is not positive definite.
    """
    L = np.linalg.cholesky(sig_oo)
    logdet = 2.0 * np.log(np.diag(L)).sum()
    W = linalg.cho_solve((L, True), np.eye(len(L)))
    M = S_k + np.outer(d, d)
    return -0.5 * n_k * (len(d) * _LOG2PI + logdet + np.sum(W * M)), W, M


def missing_patterns(X: np.ndarray) -> tuple:
    """Group the rows of ``X`` (NaN = missing) by pattern of observed columns.

    Returns
    -------
    tuple of Pattern
        In order of first appearance; rows with every value missing are left out.
    """
    p = X.shape[1]
    mask = ~np.isnan(X)
    keep = mask.any(axis=1)
    X, mask = X[keep], mask[keep]
    keys, first, inverse = np.unique(mask, axis=0, return_index=True, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    out = []
    for k in np.argsort(first):
        obs = np.flatnonzero(keys[k])
        Xo = X[inverse == k][:, obs]
        mean = Xo.mean(axis=0)
        Xc = Xo - mean
        out.append(Pattern(obs, len(Xo), mean, Xc.T @ Xc / len(Xo), p, Xo))
    return tuple(out)


def available_case_moments(patterns):
    """Each variable's mean, N-divisor variance and count over the rows observing it."""
    p = patterns[0].p
    s1, s2, cnt = np.zeros(p), np.zeros(p), np.zeros(p)
    for pat in patterns:
        s1[pat.obs] += pat.n * pat.mean
        s2[pat.obs] += pat.n * (np.diag(pat.cov) + pat.mean**2)
        cnt[pat.obs] += pat.n
    mu = s1 / cnt
    return mu, s2 / cnt - mu**2, cnt


def _observed_loglik(patterns, mu, sigma) -> float:
    total = 0.0
    for pat in patterns:
        o = pat.obs
        total += pattern_loglik(sigma[pat.ix], pat.mean - mu[o], pat.cov, pat.n)[0]
    return float(total)


def em_saturated(patterns, *, max_iter: int = 10000, tol: float = 1e-13):
    """ML means and covariance of incomplete normal data by EM.

    Parameters
    ----------
    patterns : sequence of Pattern
    max_iter : int, default=10000
    tol : float, default=1e-13
        Stop when the largest change of a mean or covariance is below ``tol``.

    Returns
    -------
    mu : ndarray
    sigma : ndarray
    logl : float
        Observed-data log-likelihood at the estimates (lavaan's ``unrestricted.logl``).
    converged : bool
    """
    p = patterns[0].p
    n = sum(pat.n for pat in patterns)
    mu, var, _ = available_case_moments(patterns)  # start
    sigma = np.diag(var)
    converged = False
    for _ in range(max_iter):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for pat in patterns:
            o = pat.obs
            m = pat.mis
            nk, yb = pat.n, pat.mean
            Soo = pat.cov + np.outer(yb, yb)  # mean of x_o x_o'
            if len(m) == 0:
                T1 += nk * yb
                T2 += nk * Soo
                continue
            B = np.linalg.solve(sigma[np.ix_(o, o)], sigma[np.ix_(o, m)]).T  # regression of x_m on x_o
            C = sigma[np.ix_(m, m)] - B @ sigma[np.ix_(o, m)]
            a = mu[m] - B @ mu[o]
            xm = a + B @ yb  # mean of E[x_m | x_o]
            T1[o] += nk * yb
            T1[m] += nk * xm
            T2[np.ix_(o, o)] += nk * Soo
            om = nk * (np.outer(yb, a) + Soo @ B.T)
            T2[np.ix_(o, m)] += om
            T2[np.ix_(m, o)] += om.T
            T2[np.ix_(m, m)] += nk * (np.outer(a, a) + np.outer(a, B @ yb) + np.outer(B @ yb, a) + B @ Soo @ B.T + C)
        mu_new = T1 / n
        sigma_new = T2 / n - np.outer(mu_new, mu_new)
        sigma_new = (sigma_new + sigma_new.T) / 2
        change = max(np.max(np.abs(mu_new - mu)), np.max(np.abs(sigma_new - sigma)))
        mu, sigma = mu_new, sigma_new
        if change < tol:
            converged = True
            break
    return mu, sigma, _observed_loglik(patterns, mu, sigma), converged


def baseline_loglik(patterns) -> float:
    """Log-likelihood of the independence model (free means and variances) under FIML."""
    _, var, cnt = available_case_moments(patterns)
    return float(np.sum(-0.5 * cnt * (_LOG2PI + np.log(var) + 1.0)))
