"""MLR: Huber-White robust standard errors and the Yuan-Bentler (Mplus) scaled test.

As lavaan's ``estimator = "MLR"`` on complete data (no mean structure):

* ``vcov = A^-1 B A^-1 / N`` with ``A`` the observed information (the analytic Hessian of
  ``F_ML/2`` at the estimates: :func:`observed_information`; the central differences of
  :func:`observed_information_numeric` are kept as a test oracle) and
  ``B = Delta' W Gamma W Delta``, ``W = 1/2 D'(Sigma^-1 (x) Sigma^-1) D`` the expected
  h1 information at the implied covariance and ``Gamma`` the (N-divisor) covariance of the
  casewise products ``vech((x_i - xbar)(x_i - xbar)')``.
* scaling factor ``c = (p* c_h1 - q c_h0) / df`` with ``c_h1 = tr(Gamma W_S)/p*``
  (``W_S`` the unstructured information at ``S``) and ``c_h0 = tr(A^-1 B)/q``;
  ``chisq_scaled = chisq / c``. The baseline model is scaled the same way.
* RMSEA: ``rmsea_scaled`` from ``chisq_scaled``; its interval and p-values from the
  unscaled chisq with ``c * df`` degrees of freedom; ``rmsea_robust`` (Brosseau-Liard,
  Savalei & Li 2012) from ``chisq - c * df``, its interval ``sqrt(c)`` times the interval
  of ``chisq_scaled`` and its p-values with the non-centrality divided by ``c``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .casewise import kron_quad
from .fitmeasures import incremental_indices, rmsea_ci, rmsea_measures
from .estimate import numeric_hessian
from .model import RamModel

__all__ = ["gamma_adf", "w_vech_dense", "observed_information", "observed_information_numeric", "robust_vcov", "scaling_factor",
           "scaled_fit_measures", "scaled_test", "scaled_measures", "robust_measures"]


def _vech_index(p):
    pairs = [(i, j) for j in range(p) for i in range(j, p)]
    return np.array([a for a, _ in pairs]), np.array([b for _, b in pairs])


def gamma_adf(X: np.ndarray) -> np.ndarray:
    """N-divisor covariance of ``vech((x_i - xbar)(x_i - xbar)')`` (lavaan's Gamma)."""
    pi, pj = _vech_index(X.shape[1])
    Xc = X - X.mean(axis=0)
    d = Xc[:, pi] * Xc[:, pj]
    d = d - d.mean(axis=0)
    return d.T @ d / len(X)


def w_vech_dense(W: np.ndarray) -> np.ndarray:
    """``0.5 D' (W kron W) D`` with ``D`` the duplication matrix: the normal-theory weight of ``vech(S)``."""
    p = W.shape[0]
    pi, pj = _vech_index(p)
    D = np.zeros((p * p, len(pi)))
    for k, (i, j) in enumerate(zip(pi, pj)):
        D[i * p + j, k] = 1.0
        D[j * p + i, k] = 1.0
    return 0.5 * D.T @ np.kron(W, W) @ D


def _jac_vech(J: np.ndarray, p: int) -> np.ndarray:
    pi, pj = _vech_index(p)
    return J.reshape(p, p, -1)[pi, pj, :]


def observed_information(model: RamModel, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Analytic Hessian of ``F_ML / 2`` (per observation).

    With ``W = Sigma^-1``: ``J' (W (x) W S W - 1/2 W (x) W) J`` plus the second derivatives
    of ``Sigma`` contracted with the gradient ``1/2 (W - W S W)``
    (:meth:`~cxlab.sem.model.RamModel.hessian_contraction`).
    """
    sigma = model.implied(theta)
    W = np.linalg.inv(sigma)
    W = (W + W.T) / 2
    WSW = W @ S @ W
    J = model.jacobian(theta)
    H = kron_quad(J, W, WSW) - 0.5 * kron_quad(J, W, W) + model.hessian_contraction(theta, 0.5 * (W - WSW))
    return (H + H.T) / 2


def observed_information_numeric(model: RamModel, theta: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Hessian of ``F_ML / 2`` (per observation) by central differences of the gradient (test oracle)."""

    def grad(t):
        sg = model.implied(t)
        w = np.linalg.inv(sg)
        return 0.5 * model.jacobian(t).T @ (w @ (sg - S) @ w).ravel()

    return numeric_hessian(grad, theta)


def robust_vcov(model: RamModel, theta: np.ndarray, S: np.ndarray, gamma: np.ndarray, n: int):
    """Sandwich covariance of the estimates and the pieces reused by the scaled test."""
    p = S.shape[0]
    sigma = model.implied(theta)
    A = observed_information(model, theta, S)
    Jv = _jac_vech(model.jacobian(theta), p)
    Wv = w_vech_dense(np.linalg.inv(sigma))
    B = Jv.T @ Wv @ gamma @ Wv @ Jv
    try:
        Ainv = np.linalg.inv(A)
    except np.linalg.LinAlgError:
        q = len(theta)
        return np.full((q, q), np.nan), A, B, False
    return Ainv @ B @ Ainv / n, A, B, True


def scaling_factor(S: np.ndarray, gamma: np.ndarray, A: np.ndarray, B: np.ndarray, df: int,
                   exo_idx=()) -> tuple[float, float, float]:
    """Yuan-Bentler (Mplus) scaling factor and its h1/h0 parts.

    With ``fixed.x`` covariates (``exo_idx``) the h1 part is lavaan's ``tr(A1^-1 B1)`` over
    the moments that are not covariances among the covariates (``A1 = W_S``,
    ``B1 = W_S Gamma W_S`` restricted to them).
    """
    W1 = w_vech_dense(np.linalg.inv(S))
    keep = ~_exo_moments(S.shape[0], exo_idx)
    pstar = int(keep.sum())
    if keep.all():
        c_h1 = float(np.trace(gamma @ W1)) / pstar
    else:
        B1 = (W1 @ gamma @ W1)[np.ix_(keep, keep)]
        c_h1 = float(np.trace(np.linalg.solve(W1[np.ix_(keep, keep)], B1))) / pstar
    q = A.shape[0]
    c_h0 = float(np.trace(np.linalg.solve(A, B))) / q if q else 0.0
    c = (pstar * c_h1 - q * c_h0) / df if df > 0 else np.nan
    return c, c_h1, c_h0


def _exo_moments(p: int, exo_idx) -> np.ndarray:
    """Mask of the ``vech`` moments that are (co)variances among the ``fixed.x`` covariates."""
    pi, pj = _vech_index(p)
    return np.isin(pi, list(exo_idx)) & np.isin(pj, list(exo_idx))


def _baseline_scaling(S: np.ndarray, gamma: np.ndarray, df_b: int, exo_idx=()) -> float:
    p = S.shape[0]
    sigma0 = np.diag(np.diag(S))
    exo = list(exo_idx)
    if exo:  # the covariates keep their sample covariances (fixed.x)
        sigma0[np.ix_(exo, exo)] = S[np.ix_(exo, exo)]
    free = [k for k in range(p) if k not in exo]
    pi, pj = _vech_index(p)
    Jv = np.zeros((len(pi), len(free)))
    for c, k in enumerate(free):
        Jv[(pi == k) & (pj == k), c] = 1.0
    Wv = w_vech_dense(np.linalg.inv(sigma0))
    W0 = np.linalg.inv(sigma0)
    # Hessian of F/2 for a linear structure: D'(W (x) W S W - 1/2 W (x) W)D restricted
    A = np.empty((len(free), len(free)))
    for i, a in enumerate(free):
        for j, b in enumerate(free):
            A[i, j] = W0[a, b] * (W0 @ S @ W0)[a, b] * 1.0 - 0.5 * W0[a, b] ** 2
    A = (A + A.T) / 2
    B = Jv.T @ Wv @ gamma @ Wv @ Jv
    c, _, _ = scaling_factor(S, gamma, A, B, df_b, exo)
    return c


def scaled_fit_measures(fm: pd.Series, S: np.ndarray, gamma: np.ndarray, A: np.ndarray, B: np.ndarray,
                        exo_idx=()) -> pd.Series:
    """Add lavaan's ``*.scaled``/``*.robust`` measures (MLR) to the ML fit measures.

    ``exo_idx``: positions of the ``fixed.x`` covariates in ``S``.
    """
    n = fm["ntotal"]
    df = int(fm["df"])
    dfb = int(fm["baseline_df"])
    chisq, chisq_b = fm["chisq"], fm["baseline_chisq"]
    c, c_h1, c_h0 = scaling_factor(S, gamma, A, B, df, exo_idx)
    cb = _baseline_scaling(S, gamma, dfb, exo_idx)
    out = scaled_test(chisq, df, chisq_b, dfb, c, cb, c_h1, c_h0)
    t = out["chisq_scaled"]
    out.update(scaled_measures(t, df, chisq_b / cb, dfb, c, int(n)))
    out.update(robust_measures(chisq, df, chisq_b, dfb, c, cb, t, int(n)))
    return pd.concat([fm, pd.Series(out, dtype=float)])


def scaled_test(chisq: float, df: int, chisq_b: float, dfb: int, c: float, cb: float, c_h1: float,
                c_h0: float) -> dict:
    """The scaled test statistics of the model and the baseline (lavaan's names).

    At ``df = 0`` (a saturated model), as lavaan: the scaled statistic is the unscaled one,
    without a scaling factor or p-value.
    """
    if df == 0:
        c = np.nan
    t, tb = (chisq / c if df > 0 else chisq), chisq_b / cb
    return {
        "chisq_scaled": t,
        "df_scaled": float(df),
        "pvalue_scaled": float(stats.chi2.sf(t, df)) if df > 0 else np.nan,
        "chisq_scaling_factor": c,
        "baseline_chisq_scaled": tb,
        "baseline_df_scaled": float(dfb),
        "baseline_pvalue_scaled": float(stats.chi2.sf(tb, dfb)),
        "baseline_chisq_scaling_factor": cb,
        "scaling_factor_h1": c_h1,
        "scaling_factor_h0": c_h0,
    }


def scaled_measures(t: float, df: int, tb: float, dfb: int, c: float, n: int, n_groups: int = 1) -> dict:
    """``*_scaled`` incremental indices and RMSEA from the scaled statistics ``t``, ``tb``.

    As lavaan 0.6-14: the RMSEA interval and p-values use the unscaled statistic
    ``t * c`` with ``c * df`` degrees of freedom; at ``df = 0`` the incremental indices follow
    :func:`incremental_indices` and the scaled RMSEA is undefined.
    """
    if df == 0:
        nan = dict.fromkeys(("rmsea_scaled", "rmsea_ci_lower_scaled", "rmsea_ci_upper_scaled", "rmsea_pvalue_scaled",
                             "rmsea_notclose_pvalue_scaled"), np.nan)
        return {**incremental_indices(t, 0, tb, dfb, "_scaled"), **nan}
    g = n_groups
    out = {}
    cfi_den = max(t - df, tb - dfb, 0.0)
    out["cfi_scaled"] = 1.0 - max(t - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    rb, rm = tb / dfb, t / df
    out["tli_scaled"] = out["nnfi_scaled"] = (rb - rm) / (rb - 1.0)
    out["rfi_scaled"] = (rb - rm) / rb
    out["nfi_scaled"] = (tb - t) / tb
    out["pnfi_scaled"] = df / dfb * out["nfi_scaled"]
    out["ifi_scaled"] = (tb - t) / (tb - df)
    out["rni_scaled"] = 1.0 - (t - df) / (tb - dfb)
    out["rmsea_scaled"] = np.sqrt(max(t / df - 1.0, 0.0) / n) * np.sqrt(g)
    chisq, df_c = t * c, c * df
    lo, hi = rmsea_ci(chisq, df_c, n)
    out["rmsea_ci_lower_scaled"], out["rmsea_ci_upper_scaled"] = lo * np.sqrt(g), hi * np.sqrt(g)
    out["rmsea_pvalue_scaled"] = float(stats.ncx2.sf(chisq, df_c, n * df_c * 0.05**2 / g))
    out["rmsea_notclose_pvalue_scaled"] = float(stats.ncx2.cdf(chisq, df_c, n * df_c * 0.08**2 / g))
    return out


def robust_measures(xx3: float, df: int, xx3_null: float, dfb: int, c3: float, c3_null: float, xx3_scaled: float,
                    n: int, n_groups: int = 1) -> dict:
    """lavaan's ``*_robust`` CFI/TLI/RNI and RMSEA (Brosseau-Liard, Savalei & Li; Zhang & Savalei under FIML).

    ``xx3`` is the test statistic (under FIML: of the model evaluated at the EM moments),
    ``c3`` its scaling factor and ``xx3_scaled = xx3 / c3``; ``*_null`` the same for the
    baseline model. The non-centrality is ``xx3 - c3 * df``. At ``df = 0`` (complete data),
    as lavaan: no robust CFI/TLI/RNI, the robust RMSEA and its interval 0, no p-values.
    """
    if df == 0:
        return {**dict.fromkeys(("cfi_robust", "rni_robust", "tli_robust", "nnfi_robust"), np.nan),
                **rmsea_measures(xx3, 0, n, "_robust")}
    g = n_groups
    out = {}
    num = max(xx3 - c3 * df, 0.0)
    den = max(xx3 - c3 * df, xx3_null - c3_null * dfb, 0.0)
    out["cfi_robust"] = 1.0 - num / den if den > 0 else 1.0
    out["rni_robust"] = 1.0 - (xx3 - c3 * df) / (xx3_null - c3_null * dfb)
    out["tli_robust"] = out["nnfi_robust"] = 1.0 - ((xx3 - c3 * df) * dfb) / ((xx3_null - c3_null * dfb) * df)
    out["rmsea_robust"] = np.sqrt(max(xx3 - c3 * df, 0.0) / (n * df)) * np.sqrt(g)
    lo, hi = rmsea_ci(xx3_scaled, df, n)
    out["rmsea_ci_lower_robust"] = np.sqrt(c3) * lo * np.sqrt(g)
    out["rmsea_ci_upper_robust"] = np.sqrt(c3) * hi * np.sqrt(g)
    out["rmsea_pvalue_robust"] = float(stats.ncx2.sf(xx3_scaled, df, n * df * 0.05**2 / c3 / g))
    out["rmsea_notclose_pvalue_robust"] = float(stats.ncx2.cdf(xx3_scaled, df, n * df * 0.08**2 / c3 / g))
    return out
