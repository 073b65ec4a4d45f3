"""Maximum-likelihood estimation of covariance structure models (lavaan's ML).

The discrepancy is lavaan's ``F_ML = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` with the
N-divisor sample covariance ``S``; it is minimised by Fisher scoring (Newton steps with the
expected information) with step halving, which converges to machine precision in a few
dozen iterations on well-posed models. Standard errors use the expected information,
``vcov = (N/2 * Delta' (Sigma^-1 (x) Sigma^-1) Delta)^-1`` as lavaan's default
``information = "expected"``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .model import RamModel

__all__ = ["MLFit", "fit_ml", "f_ml", "start_values", "expected_information", "numeric_hessian", "backtrack",
           "trace_products", "factored_gradient", "to_parameters"]

MAX_ITER = 1000
GRAD_TOL = 1e-10


@dataclass(frozen=True)
class MLFit:
    """Raw optimisation output."""

    theta: np.ndarray
    fmin: float  # F_ML (lavaan's fmin is half of it)
    converged: bool
    iterations: int
    message: str


def _logdet_inv(sigma: np.ndarray):
    try:
        L = np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:
        return None
    logdet = 2.0 * np.log(np.diag(L)).sum()
    Linv = np.linalg.inv(L)
    return logdet, Linv.T @ Linv


def f_ml(sigma: np.ndarray, S: np.ndarray, logdet_s: float) -> float:
    """ML discrepancy; ``inf`` when ``sigma`` is not positive definite."""
    r = _logdet_inv(sigma)
    if r is None:
        return np.inf
    logdet, W = r
    return float(logdet + np.sum(S * W) - logdet_s - S.shape[0])


def expected_information(J: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``J' (W (x) W) J`` for a Jacobian ``J`` of vec(Sigma), ``W = Sigma^-1``."""
    p = W.shape[0]
    k = J.shape[1]
    D = J.T.reshape(k, p, p)
    WDW = np.matmul(np.matmul(W, D), W).reshape(k, p * p)
    return J.T @ WDW.T


def trace_products(MA: np.ndarray, MC: np.ndarray, u: np.ndarray, v: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``tr(dSigma_k A dSigma_l C)`` for every pair of rows, from :meth:`RamModel.sigma_factors`.

    ``MA = Y' A Y`` and ``MC = Y' C Y`` for symmetric ``A``, ``C``; with
    ``dSigma_k = c_k (y_u y_v' + y_v y_u')`` the trace is
    ``c_k c_l (MA_vu MC_uv + MA_vv MC_uu + MA_uu MC_vv + MA_uv MC_vu)`` (indices ``k, l``).
    With ``A = C = W`` this is the expected information ``J' (W (x) W) J`` by table row.

    Examples
    --------
    >>> Y = np.array([[1.0, 0.5], [0.2, 1.0]]); W = np.eye(2)
    >>> u, v, c = np.array([0, 0]), np.array([0, 1]), np.array([0.5, 1.0])
    >>> D = [np.outer(Y[:, 0], Y[:, 0]), np.outer(Y[:, 0], Y[:, 1]) + np.outer(Y[:, 1], Y[:, 0])]
    >>> M = Y.T @ W @ Y
    >>> bool(np.allclose(trace_products(M, M, u, v, c), [[np.trace(a @ W @ b @ W) for b in D] for a in D]))
    True
    """
    uu, vv, uv = np.ix_(u, u), np.ix_(v, v), np.ix_(u, v)
    vu = np.ix_(v, u)
    out = MA[vu] * MC[uv] + MA[vv] * MC[uu] + MA[uu] * MC[vv] + MA[uv] * MC[vu]
    return out * np.outer(c, c)


def factored_gradient(MR: np.ndarray, u: np.ndarray, v: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``tr(R dSigma_k)`` per row (``J' vec(R)`` by table row) from ``MR = Y' R Y``, ``R`` symmetric."""
    return 2.0 * c * MR[u, v]


def to_parameters(values: np.ndarray, param: np.ndarray, q: int) -> np.ndarray:
    """Sum per-row values (a vector, or a matrix over pairs of rows) into the ``q`` free parameters."""
    if values.ndim == 1:
        return np.bincount(param, weights=values, minlength=q).astype(float)
    out = np.zeros((q, q))
    if len(np.unique(param)) == len(param):
        out[np.ix_(param, param)] = values
    else:  # rows sharing a parameter (labels, equalities)
        np.add.at(out, (param[:, None], param[None, :]), values)
    return out


def observed_hessian(model: RamModel, theta: np.ndarray, J: np.ndarray, W: np.ndarray, S: np.ndarray) -> np.ndarray:
    """Hessian of ``F_ML`` (the analytic observed information, up to the factor ``N/2``).

    With ``G = W (Sigma - S) W`` the gradient is ``J' vec(G)``; its derivative is
    ``J' [(WSW (x) W) + (W (x) WSW) - (W (x) W)] J`` plus ``sum_ab G_ab d2 Sigma_ab``
    (:meth:`RamModel.hessian_contraction`). Equals :func:`expected_information` when ``Sigma = S``.
    """
    p = W.shape[0]
    k = J.shape[1]
    D = J.T.reshape(k, p, p)
    # (WSW (x) W) + (W (x) WSW) - (W (x) W) applied to D: W D T + T D W with T = WSW - W/2
    WS = W @ S
    X = np.matmul(np.matmul(W, D), WS @ W - 0.5 * W)
    H = J.T @ (X + X.transpose(0, 2, 1)).reshape(k, p * p).T
    H = H + model.hessian_contraction(theta, W - WS @ W)
    return (H + H.T) / 2


def numeric_hessian(grad, theta: np.ndarray, rel_step: float = 1e-5) -> np.ndarray:
    """Jacobian of the analytic gradient ``grad`` by central differences, symmetrised."""
    q = len(theta)
    H = np.empty((q, q))
    for k in range(q):
        h = rel_step * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        H[:, k] = (grad(tp) - grad(tm)) / (2 * h)
    return (H + H.T) / 2


def scoring_step(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    """The Fisher-scoring step ``-H^{-1} g`` (least squares where ``H`` is singular)."""
    try:
        return -np.linalg.solve(H, g)
    except np.linalg.LinAlgError:
        return -np.linalg.lstsq(H, g, rcond=None)[0]


def backtrack(objective, theta: np.ndarray, f: float, g: np.ndarray, step: np.ndarray, max_halvings: int = 40):
    """Armijo step halving along ``step``: ``(theta_new, f_new, alpha)``, or ``None`` if no decrease is found."""
    alpha = 1.0
    for _ in range(max_halvings):
        cand = theta + alpha * step
        fc = objective(cand)
        if np.isfinite(fc) and fc <= f + 1e-4 * alpha * float(g @ step) + 1e-15 * max(1.0, abs(f)):
            return cand, fc, alpha
        alpha *= 0.5
    return None


def start_values(model: RamModel, pt: pd.DataFrame, S: np.ndarray) -> np.ndarray:
    """Simple lavaan-like starting values.

    Residual variances of observed variables: half the sample variance; latent variances
    from the marker indicator (reliability 0.5); free loadings from the covariance with
    the marker; regressions and covariances 0; user ``start()`` values win.
    """
    theta = np.zeros(model.npar)
    set_ = np.zeros(model.npar, dtype=bool)
    ovi = {v: i for i, v in enumerate(model.ov)}
    # marker (first fixed non-zero loading) of each latent
    marker = {}
    for row in pt.itertuples(index=False):
        if row.op == "=~" and row.free == 0 and row.fixed not in (0.0,) and row.lhs not in marker and row.rhs in ovi:
            marker[row.lhs] = (row.rhs, row.fixed)
    lv_var = {}
    for lv in model.lv:
        if lv in marker:
            m, c = marker[lv]
            lv_var[lv] = 0.5 * S[ovi[m], ovi[m]] / (c * c)
        else:
            lv_var[lv] = 1.0
    for row in pt.itertuples(index=False):
        if row.op == "~~" and row.lhs == row.rhs and row.lhs in lv_var and row.free == 0:
            if np.isfinite(row.fixed) and row.fixed > 0:
                lv_var[row.lhs] = float(row.fixed)
    for row in pt.itertuples(index=False):
        if row.free == 0:
            continue
        k = row.free - 1
        if set_[k]:
            continue
        if np.isfinite(row.start):
            val = row.start
        elif row.op == "=~":
            val = 1.0
            if row.rhs in ovi:
                if row.lhs in marker:
                    m, c = marker[row.lhs]
                    val = S[ovi[row.rhs], ovi[m]] / (c * lv_var[row.lhs])
                else:
                    val = np.sqrt(0.5 * S[ovi[row.rhs], ovi[row.rhs]] / lv_var[row.lhs])
        elif row.op == "~~" and row.lhs == row.rhs:
            if row.lhs in ovi:
                val = 0.5 * S[ovi[row.lhs], ovi[row.lhs]]
            else:
                val = lv_var.get(row.lhs, 1.0)
        else:
            val = 0.0
        theta[k] = val
        set_[k] = True
    return theta


def fit_ml(model: RamModel, S: np.ndarray, theta0: np.ndarray, *, max_iter: int | None = None,
           grad_tol: float = GRAD_TOL, newton: bool = False, max_halvings: int = 40,
           max_move: np.ndarray | None = None) -> MLFit:
    """Minimise ``F_ML`` by Fisher scoring with step halving (stop when max |gradient| < ``grad_tol``).

    ``newton=True`` takes Newton steps with the analytic Hessian (:func:`observed_hessian`)
    where it is positive definite and the previous step was not halved (Fisher scoring
    elsewhere): quadratic convergence from a nearby start, as in the bootstrap refits from the full-sample solution. ``max_move``
    (per parameter) stops the search, not converged, as soon as a parameter moves further
    than that from ``theta0`` (a resample running off along a ridge of the likelihood).
    """
    max_iter = MAX_ITER if max_iter is None else max_iter
    sign_s, logdet_s = np.linalg.slogdet(S)
    if sign_s <= 0:  # singular sample covariance: the constant does not matter for the argmin
        logdet_s = 0.0
    theta = theta0.astype(float).copy()
    f = f_ml(model.implied(theta), S, logdet_s)
    if not np.isfinite(f):
        # fall back: inflate variances until the start is positive definite
        for _ in range(30):
            theta = theta * 0.5 + np.where(_is_variance(model), 1.0, 0.0) * 0.5
            f = f_ml(model.implied(theta), S, logdet_s)
            if np.isfinite(f):
                break
        if not np.isfinite(f):
            return MLFit(theta, np.inf, False, 0, "starting values give a non-positive-definite implied covariance")
    message = "maximum number of iterations reached"
    converged = False
    it = 0
    full_step = True  # Newton is tried from the start and after every full (unhalved) step
    factored = hasattr(model, "sigma_factors")  # a RamModel: no Jacobian needed (see trace_products)
    for it in range(1, max_iter + 1):
        sigma = model.implied(theta)
        _, W = _logdet_inv(sigma)
        resid = W @ (sigma - S) @ W
        if factored:
            Y, u, v, c, param = model.sigma_factors(theta)
            M = Y.T @ W @ Y
            g = to_parameters(factored_gradient(Y.T @ resid @ Y, u, v, c), param, model.npar)
        else:
            J = model.jacobian(theta)
            g = J.T @ resid.ravel()
        H = None
        if newton and full_step:
            if factored:
                H = _observed_factored(model, theta, W, S, Y, M, u, v, c, param)
            else:
                H = observed_hessian(model, theta, J, W, S)
            try:
                np.linalg.cholesky(H)
            except np.linalg.LinAlgError:
                H = None
        if H is None:
            H = to_parameters(trace_products(M, M, u, v, c), param, model.npar) if factored \
                else expected_information(J, W)
        step = scoring_step(H, g)
        if not np.all(np.isfinite(step)):
            message = "singular information matrix"
            break
        if np.max(np.abs(g)) < grad_tol:
            converged = True
            message = "converged"
            break
        found = backtrack(lambda t: f_ml(model.implied(t), S, logdet_s), theta, f, g, step, max_halvings)
        if found is None:
            # no descent possible: at the optimum up to rounding, or stuck
            if np.max(np.abs(g)) < 1e-6:
                converged = True
                message = "converged (no further decrease possible)"
            else:
                message = "line search failed"
            break
        f_old = f
        theta, f, alpha = found
        full_step = alpha == 1.0
        if max_move is not None and np.any(np.abs(theta - theta0) > max_move):
            message = "left the admissible range (a parameter moved beyond max_move)"
            break
        if np.max(np.abs(alpha * step)) < 1e-12 and abs(f_old - f) < 1e-15:
            converged = np.max(np.abs(g)) < 1e-6
            message = "converged" if converged else "no progress"
            break
    return MLFit(theta=theta, fmin=float(f), converged=converged, iterations=it, message=message)


def _observed_factored(model: RamModel, theta, W, S, Y, M, u, v, c, param) -> np.ndarray:
    """:func:`observed_hessian` from the factored derivatives (:meth:`RamModel.sigma_factors`)."""
    WS = W @ S
    MT = Y.T @ (WS @ W - 0.5 * W) @ Y
    X = trace_products(MT, M, u, v, c)  # tr(dSigma_k T dSigma_l W)
    H = to_parameters(X + X.T, param, model.npar) + model.hessian_contraction(theta, W - WS @ W)
    return (H + H.T) / 2


def _is_variance(model: RamModel) -> np.ndarray:
    out = np.zeros(model.npar)
    for m, (i, j), fr in zip(model.mat, model.pos, model.free):
        if fr > 0 and m == "S" and i == j:
            out[fr - 1] = 1.0
    return out


def vcov_expected(model: RamModel, theta: np.ndarray, n: int) -> tuple[np.ndarray, bool]:
    """Covariance matrix of the estimates from the expected information (N-scaled).

    Returns the matrix and whether the information was invertible.
    """
    sigma = model.implied(theta)
    r = _logdet_inv(sigma)
    if r is None:
        return np.full((model.npar, model.npar), np.nan), False
    W = r[1]
    J = model.jacobian(theta)
    info = 0.5 * n * expected_information(J, W)
    eig = np.linalg.eigvalsh(info)
    if eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        return np.full((model.npar, model.npar), np.nan), False
    return np.linalg.inv(info), True
