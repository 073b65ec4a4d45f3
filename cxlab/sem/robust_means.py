"""MLR with a mean structure (FIML, groups, intercepts) and the FIML-corrected robust fit measures.

As lavaan 0.6-14's ``estimator = "MLR"`` (``se = "robust.huber.white"``,
``test = "yuan.bentler.mplus"``, ``information = "observed"``,
``h1.information = "structured"``), for complete or incomplete data:

* ``vcov = A0^-1 B0 A0^-1`` with ``A0`` the observed information (minus the Hessian of
  the log-likelihood) and ``B0`` the cross-product of the casewise scores at the
  estimates (:func:`cxlab.sem.casewise.scores`).
* Yuan-Bentler (Mplus) scaling factor ``c = (tr(A1^-1 B1) - tr(A0^-1 B0)) / df``, where
  ``A1``/``B1`` are the observed and first-order information of the saturated model at
  its (EM) estimates, per group; ``scaling_factor_h1 = tr(A1^-1 B1) / (G (p + p*))`` and
  ``scaling_factor_h0 = tr(A0^-1 B0) / q``. The baseline (independence: free means and
  variances) is scaled the same way with its own ``A0``/``B0``.
* Robust CFI/TLI/RMSEA under FIML (lavaan's ``lav_fit_fiml_corrected``, Zhang & Savalei
  2020 / Savalei 2018): the model and the baseline are evaluated (not refitted) at the EM
  moments as if these were complete-data sample moments, giving ``XX3`` and
  ``XX3_null``; their scaling factors are ``tr(.)/df`` with
  ``U = Wm - Wm D (D' Wm D)^-1 D' Wm`` (``Wm`` the incomplete-data observed h1
  information, ``D`` the model Jacobian of ``(mu, vech Sigma)``, ``Wc`` the
  complete-data information at the EM moments): ``tr(U Wm^-1 Wc Wm^-1 U Gamma)`` with
  ``Gamma = Wm^-1 Jm Wm^-1`` (``Jm`` the first-order h1 information) for MLR ("V3"),
  and ``tr(Wc Wm^-1 U Wm^-1)`` for ML ("V6").
"""

from __future__ import annotations

import numpy as np
from scipy import linalg, stats

from .fiml import available_case_moments
from .casewise import kron_quad, observed_information, saturated_jacobians, scores, vech_index
from .fitmeasures import saturated_robust
from .robust import robust_measures, scaled_measures, scaled_test

__all__ = ["H1Info", "sandwich", "trace_product", "baseline_pieces", "fiml_corrected", "complete_data_f",
           "robust_fit_measures"]


class H1Info:
    """Saturated-model pieces of one group: ``A1`` (observed) and ``B1`` (first-order) information per row."""

    def __init__(self, patterns, mu: np.ndarray, sigma: np.ndarray, exo_idx=()):
        p = len(mu)
        self.p = p
        self.n = int(sum(pat.n for pat in patterns))
        self.mu, self.sigma = mu, sigma
        self.keep = moment_mask(p, exo_idx)
        J, Jm = saturated_jacobians(p)
        J, Jm = J[:, self.keep], Jm[:, self.keep]  # fixed.x moments are not part of the h1 model
        self.A1 = observed_information(patterns, mu, sigma, J, Jm) / self.n
        sc = scores(patterns, mu, sigma, J, Jm)
        self.B1 = sc.T @ sc / self.n
        W = np.linalg.inv(sigma)
        self.Wc = 0.5 * kron_quad(J, W, W) + Jm.T @ W @ Jm  # complete-data information at the h1 moments
        self.A1_inv = np.linalg.inv(self.A1)

    @property
    def trace(self) -> float:
        """``tr(A1^-1 B1)``."""
        return float(np.sum(self.A1_inv * self.B1.T))


def moment_mask(p: int, exo_idx=()) -> np.ndarray:
    """Which of ``(mu, vech Sigma)`` are modelled: all but the means and covariances of ``fixed.x`` covariates."""
    x = np.zeros(p, dtype=bool)
    x[list(exo_idx)] = True
    pi, pj = vech_index(p)
    return np.concatenate([~x, ~(x[pi] & x[pj])])


def sandwich(A0: np.ndarray, score_blocks) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(vcov, A0^-1, B0)``: Huber-White covariance from the observed information ``A0`` (total)."""
    S = np.vstack(score_blocks)
    B0 = S.T @ S
    A0_inv = np.linalg.inv(A0)
    A0_inv = (A0_inv + A0_inv.T) / 2
    return A0_inv @ B0 @ A0_inv, A0_inv, B0


def trace_product(A0_inv: np.ndarray, B0: np.ndarray) -> float:
    """``tr(A0^-1 B0)`` (invariant to the per-row or total scaling of both)."""
    return float(np.sum(A0_inv * B0.T))


def _delta(J: np.ndarray, Jm: np.ndarray, p: int) -> np.ndarray:
    """Jacobian of ``(mu, vech Sigma)`` from those of ``vec Sigma`` and ``mu``."""
    pi, pj = vech_index(p)
    return np.vstack([Jm, J[pi * p + pj]])


def complete_data_f(mean, cov, mu, sigma) -> float:
    """``log|Sigma| + tr(S Sigma^-1) - log|S| - p + (m - mu)' Sigma^-1 (m - mu)``."""
    W = np.linalg.inv(sigma)
    d = mean - mu
    return float(np.linalg.slogdet(sigma)[1] + np.sum(W * cov) - np.linalg.slogdet(cov)[1] - len(mu) + d @ W @ d)


def baseline_pieces(patterns, p: int, exo_idx=(), sigma_x=None):
    """Independence model of one group under FIML: its moments, Jacobians and ``tr(A0^-1 B0)``.

    Its estimates are each variable's mean and (N divisor) variance over the rows that
    observe it; the parameterisation is linear, so ``A0`` is exact. ``fixed.x``
    covariates (``exo_idx``, complete) keep their sample covariance ``sigma_x`` and are
    not parameters.
    """
    mu, var, _ = available_case_moments(patterns)
    sigma = np.diag(var)
    J = np.zeros((p * p, 2 * p))
    J[np.arange(p) * (p + 1), p + np.arange(p)] = 1.0
    Jm = np.zeros((p, 2 * p))
    Jm[np.arange(p), np.arange(p)] = 1.0
    exo_idx = list(exo_idx)
    if exo_idx:
        sigma[np.ix_(exo_idx, exo_idx)] = sigma_x
        free = np.ones(p, dtype=bool)
        free[exo_idx] = False
        cols = np.concatenate([free, free])
        J, Jm = J[:, cols], Jm[:, cols]
    A0 = observed_information(patterns, mu, sigma, J, Jm)
    sc = scores(patterns, mu, sigma, J, Jm)
    trace_h0 = trace_product(np.linalg.inv(A0), sc.T @ sc)
    return mu, sigma, J, Jm, trace_h0


def fiml_corrected(groups, version: str) -> dict:
    """lavaan's ``lav_fit_fiml_corrected`` (robust CFI/TLI/RMSEA under FIML).

    Parameters
    ----------
    groups : list of dict
        Per group: ``h1`` (:class:`H1Info` at the EM moments), model ``mu``, ``sigma``,
        ``J``, ``Jm`` at the estimates and the baseline's ``mu0``, ``sigma0``, ``J0``, ``Jm0``.
    version : {"V3", "V6"}
        "V3" with a scaled test (MLR), "V6" otherwise (ML).

    Returns
    -------
    dict
        ``xx3``, ``c3``, ``xx3_null``, ``c3_null`` (the statistics evaluated at the EM moments
        and their scaling factors times df: divide by df to get lavaan's ``c.hat3``).
    """
    N = sum(g["h1"].n for g in groups)
    Wm, Wmi, Wc, Gam, D, D0 = [], [], [], [], [], []
    xx3 = xx3_null = 0.0
    for g in groups:
        h1: H1Info = g["h1"]
        fg = h1.n / N
        Wm.append(fg * h1.A1)
        Wmi.append(h1.A1_inv / fg)
        Wc.append(fg * h1.Wc)
        if version == "V3":
            Gam.append(h1.A1_inv @ h1.B1 @ h1.A1_inv / fg)
        D.append(_delta(g["J"], g["Jm"], h1.p)[h1.keep])
        D0.append(_delta(g["J0"], g["Jm0"], h1.p)[h1.keep])
        xx3 += h1.n * complete_data_f(h1.mu, h1.sigma, g["mu"], g["sigma"])
        xx3_null += h1.n * complete_data_f(h1.mu, h1.sigma, g["mu0"], g["sigma0"])
    Wm_all, Wmi_all, Wc_all = linalg.block_diag(*Wm), linalg.block_diag(*Wmi), linalg.block_diag(*Wc)
    Gam_all = linalg.block_diag(*Gam) if version == "V3" else None

    def trace(Delta):
        E_inv = np.linalg.inv(Delta.T @ Wm_all @ Delta)
        WD = Wm_all @ Delta
        U = Wm_all - WD @ E_inv @ WD.T
        if version == "V3":
            return float(np.trace(U @ Wmi_all @ Wc_all @ Wmi_all @ U @ Gam_all))
        return float(np.trace(Wc_all @ Wmi_all @ U @ Wmi_all))

    # the model's Jacobians share the parameter vector over groups; the baseline's do not
    return {"xx3": xx3, "k": trace(np.vstack(D)), "xx3_null": xx3_null, "k_null": trace(linalg.block_diag(*D0))}


def robust_fit_measures(fm, groups, *, mlr: bool, fiml: bool, trace_h0: float = np.nan, n_free_rows=None) -> dict:
    """Scaled (MLR) and robust fit measures of a model with a mean structure.

    Parameters
    ----------
    fm : Series
        The ML fit measures (:func:`~cxlab.sem.fitmeasures.mean_fit_measures`).
    groups : list of dict
        Per group as :func:`fiml_corrected` wants, plus ``trace_h0_base`` (the baseline's
        ``tr(A0^-1 B0)``).
    mlr : bool
        Add the Yuan-Bentler (Mplus) scaled measures; ``trace_h0`` is then the model's
        ``tr(A0^-1 B0)``.
    n_free_rows : int, optional
        Number of free parameter-table rows (lavaan divides ``tr(A0^-1 B0)`` by it for
        ``scaling_factor_h0``: parameters held equal count once per row); default ``npar``.
    fiml : bool
        Robust measures from :func:`fiml_corrected` (otherwise, with ``mlr``, from the
        scaled test as on complete data).
    """
    n = int(fm["ntotal"])
    G = len(groups)
    df, dfb = int(fm["df"]), int(fm["baseline_df"])
    chisq, chisq_b = float(fm["chisq"]), float(fm["baseline_chisq"])
    out = {}
    if mlr:
        trace_h1 = sum(g["h1"].trace for g in groups)
        ndat = sum(g["h1"].A1.shape[0] for g in groups)
        q = int(fm["npar"]) if n_free_rows is None else int(n_free_rows)
        c = (trace_h1 - trace_h0) / df if df > 0 else np.nan
        cb = (trace_h1 - sum(g["trace_h0_base"] for g in groups)) / dfb
        out.update(scaled_test(chisq, df, chisq_b, dfb, c, cb, trace_h1 / ndat, trace_h0 / q))
        t, tb = out["chisq_scaled"], out["baseline_chisq_scaled"]
        out.update(scaled_measures(t, df, tb, dfb, c, n, G))
    if fiml:
        fc = fiml_corrected(groups, "V3" if mlr else "V6")
        c3b = fc["k_null"] / dfb
        if df == 0:  # a saturated model, as lavaan: CFI and RNI from the statistics, TLI 1, RMSEA 0
            out.update(saturated_robust(fc["xx3"], fc["xx3_null"] - c3b * dfb))
        else:
            c3 = fc["k"] / df
            out.update(robust_measures(fc["xx3"], df, fc["xx3_null"], dfb, c3, c3b, fc["xx3"] / c3, n, G))
    elif mlr:
        out.update(robust_measures(chisq, df, chisq_b, dfb, c, cb, t, n, G))
    return out
