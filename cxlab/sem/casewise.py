"""Casewise scores and information matrices of the normal likelihood by missing-data pattern.

The building blocks of MLR with a mean structure (groups, intercepts, FIML) and of the
FIML-corrected robust fit measures. Everything is written for a *parameterisation* of the
moments of one group: the Jacobians ``J = d vec(Sigma) / d theta`` (``p*p x q``) and
``Jm = d mu / d theta`` (``p x q``). The saturated (h1) model is the parameterisation by
``(mu, vech(Sigma))`` itself (:func:`saturated_jacobians`, lavaan's order: means first,
then the column-wise lower triangle).

For one row with observed variables ``o`` and residual ``r = y_o - mu_o`` the score of the
log-likelihood is ``Jm_o' W r + 1/2 J_oo' vec(W r r' W - W)`` with ``W = Sigma_oo^-1``
(:func:`scores`); its cross-product over rows is lavaan's first-order information.
:func:`observed_information` is minus the Hessian of the log-likelihood: the terms of a
linear parameterisation (exact for the saturated and the independence model) plus, when
given, the second derivatives of the model moments (for structured models
:meth:`cxlab.sem.model.RamModel.hessian_contraction`, as
:func:`cxlab.sem.meanstructure.information_observed` does).
"""

from __future__ import annotations

import numpy as np

__all__ = ["vech_index", "saturated_jacobians", "scores", "observed_information", "expected_information_patterns",
           "kron_quad"]


def vech_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each ``vech`` element (column-wise lower triangle, lavaan's order)."""
    pairs = [(i, j) for j in range(p) for i in range(j, p)]
    return np.array([a for a, _ in pairs], dtype=int), np.array([b for _, b in pairs], dtype=int)


def saturated_jacobians(p: int) -> tuple[np.ndarray, np.ndarray]:
    """``J`` and ``Jm`` of the saturated parameterisation ``(mu, vech(Sigma))``."""
    pi, pj = vech_index(p)
    ps = len(pi)
    J = np.zeros((p * p, p + ps))
    cols = p + np.arange(ps)
    J[pi * p + pj, cols] = 1.0
    J[pj * p + pi, cols] = 1.0
    Jm = np.zeros((p, p + ps))
    Jm[np.arange(p), np.arange(p)] = 1.0
    return J, Jm


def kron_quad(J: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``J' (A (x) B) J`` for symmetric ``A``, ``B`` (``J``: columns are ``vec`` of ``o x o`` matrices)."""
    o = A.shape[0]
    k = J.shape[1]
    D = J.T.reshape(k, o, o)
    BDA = np.matmul(np.matmul(B, D), A).reshape(k, o * o)
    return J.T @ BDA.T


def _pattern_parts(pat, mu, sigma, J, Jm):
    o = pat.obs
    W = np.linalg.inv(sigma[pat.ix])
    W = (W + W.T) / 2
    return o, W, J[pat.flat], Jm[o]


def scores(patterns, mu: np.ndarray, sigma: np.ndarray, J: np.ndarray, Jm: np.ndarray) -> np.ndarray:
    """Casewise scores (rows of all patterns in pattern order) of the log-likelihood, ``N x q``."""
    out = []
    for pat in patterns:
        o, W, Joo, Jmo = _pattern_parts(pat, mu, sigma, J, Jm)
        R = pat.rows - mu[o]
        WR = R @ W
        k = len(o)
        G = 0.5 * (WR[:, :, None] * WR[:, None, :]).reshape(len(R), k * k) - 0.5 * W.ravel()
        out.append(WR @ Jmo + G @ Joo)
    return np.vstack(out)


def observed_information(patterns, mu: np.ndarray, sigma: np.ndarray, J: np.ndarray, Jm: np.ndarray,
                         second=None) -> np.ndarray:
    """Minus the Hessian of the log-likelihood (total over rows).

    Parameters
    ----------
    patterns : sequence of Pattern
    mu, sigma : ndarray
        Moments at which the Hessian is taken.
    J, Jm : ndarray
        Jacobians of ``vec(Sigma)`` and ``mu``.
    second : callable, optional
        ``second(gS, gm)`` returns ``sum_k gS_k d2 vec(Sigma)_k + sum_j gm_j d2 mu_j``
        (``q x q``) for the gradients ``gS`` (``p*p``) and ``gm`` (``p``) of ``-logl``
        with respect to the moments; omitted for a linear parameterisation.
    """
    q = J.shape[1]
    p = len(mu)
    H = np.zeros((q, q))
    gS = np.zeros(p * p)
    gm = np.zeros(p)
    for pat in patterns:
        o, W, Joo, Jmo = _pattern_parts(pat, mu, sigma, J, Jm)
        d = pat.mean - mu[o]
        M = pat.cov + np.outer(d, d)
        WMW = W @ M @ W
        Wd = W @ d
        n = pat.n
        WJm = W @ Jmo
        C = (Wd[:, None, None] * WJm[None, :, :]).reshape(len(o) ** 2, q)  # vec((W d)(W dmu_b)')
        X = Joo.T @ C
        H += 0.5 * n * (-kron_quad(Joo, W, W) + 2.0 * kron_quad(Joo, W, WMW) + 2.0 * (X + X.T)
                        + 2.0 * Jmo.T @ WJm)
        if second is not None:
            gS[pat.flat] += 0.5 * n * (W - WMW).ravel()
            gm[o] -= n * Wd
    if second is not None:
        H += second(gS, gm)
    return (H + H.T) / 2


def expected_information_patterns(patterns, sigma: np.ndarray, J: np.ndarray, Jm: np.ndarray) -> np.ndarray:
    """Pattern-wise expected information ``sum_k n_k [1/2 J_oo'(W (x) W)J_oo + Jm_o' W Jm_o]`` (total)."""
    q = J.shape[1]
    H = np.zeros((q, q))
    for pat in patterns:
        o, W, Joo, Jmo = _pattern_parts(pat, None, sigma, J, Jm)
        H += pat.n * (0.5 * kron_quad(Joo, W, W) + Jmo.T @ W @ Jmo)
    return H
