"""Least-squares estimators for continuous data: ULS and GLS (lavaan's ``estimator="ULS"|"GLS"``).

Both minimise ``F = 1/2 (s - sigma(theta))' W (s - sigma(theta))`` over the non-duplicated
elements ``s = vech(S)`` of the sample covariance, which lavaan takes with the ``N - 1``
divisor for these estimators:

* ULS: ``W = I``;
* GLS: the normal-theory weight at the sample, ``W = 1/2 D' (S^-1 (x) S^-1) D`` (``D`` the
  duplication matrix).

The estimate is found by Gauss-Newton with step halving. As lavaan's defaults for these
estimators: standard errors from ``(Delta' W Delta)^-1 / (N - 1)`` (``Delta = d sigma / d
theta``; lavaan's ``se = "standard"``, expected information), test statistic
``2 (N - 1) F`` (``N - 1`` also in the RMSEA, CN, MFI and ECVI; ULS: no p-value, as
lavaan), baseline model the independence model fitted by the same estimator (linear, so
in closed form), GFI ``1 - e'We / s'Ws``.

Single group, no mean structure, complete data; ``fixed.x`` covariates, groups, intercepts
and constraints raise :class:`NotImplementedError`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .diagnostics import collect_warnings
from .estimate import backtrack, start_values
from .fitmeasures import chisq_family, srmr_family, tail_measures
from .identify import check_identified, n_moments, parameter_names
from .model import RamModel
from .moments import prepare_data
from .result import SemResult, assemble, wald_columns
from .standardize import r_squared, std_all
from .syntax import build_partable

__all__ = ["LS_ESTIMATORS", "ls_weight", "fit_ls"]

#: estimators of this module
LS_ESTIMATORS = ("ULS", "GLS")
_MAX_ITER = 500
_TOL = 1e-12  # on the largest absolute gradient element of F


def _vech_flat(p: int) -> np.ndarray:
    """Positions in ``vec`` (row-major) of the lower-triangle elements, column by column (lavaan's vech)."""
    return np.array([i * p + j for j in range(p) for i in range(j, p)])


def ls_weight(estimator: str, S: np.ndarray) -> np.ndarray:
    """Weight matrix ``W`` of ULS (identity) or GLS (normal theory at ``S``) on ``vech``.

    Examples
    --------
    >>> S = np.array([[2.0, 0.5], [0.5, 1.0]])
    >>> ls_weight("ULS", S).shape
    (3, 3)
    >>> bool(np.allclose(ls_weight("GLS", S)[0, 0], 0.5 * np.linalg.inv(S)[0, 0] ** 2))
    True
    """
    p = S.shape[0]
    flat = _vech_flat(p)
    if estimator == "ULS":
        return np.eye(len(flat))
    D = np.zeros((p * p, len(flat)))  # duplication matrix: vec(A) = D vech(A)
    for k, f in enumerate(flat):
        i, j = divmod(int(f), p)
        D[i * p + j, k] = D[j * p + i, k] = 1.0
    Si = np.linalg.inv(S)
    return 0.5 * D.T @ np.kron(Si, Si) @ D


def _estimate(ram: RamModel, s: np.ndarray, W: np.ndarray, theta0: np.ndarray):
    """Gauss-Newton on ``F``: ``(theta, converged, iterations)``.

    Stops when the largest gradient element is below ``_TOL`` or no step decreases ``F``
    any more; converged means a gradient below ``1e-8`` at the returned point.
    """
    flat = _vech_flat(ram.p)

    def objective(theta):
        try:
            e = s - ram.implied(theta).ravel()[flat]
        except np.linalg.LinAlgError:
            return np.inf
        return 0.5 * float(e @ W @ e)

    def gradient(theta):
        delta = ram.jacobian(theta)[flat]
        return -delta.T @ W @ (s - ram.implied(theta).ravel()[flat]), delta

    theta, f = theta0.copy(), objective(theta0)
    for it in range(1, _MAX_ITER + 1):
        g, delta = gradient(theta)
        if np.max(np.abs(g)) < _TOL:
            return theta, True, it
        H = delta.T @ W @ delta
        try:
            step = -np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
        moved = backtrack(objective, theta, f, g, step)
        if moved is None:
            break
        theta, f_new, _ = moved
        if abs(f - f_new) <= 1e-16 * max(1.0, f):
            break
        f = f_new
    return theta, bool(np.max(np.abs(gradient(theta)[0])) < 1e-8), it


def _fit_measures(estimator, s, sigma_v, W, S, sigma, n, npar):
    """lavaan's ``fitMeasures`` for ULS/GLS (no likelihood-based measures)."""
    p = S.shape[0]
    flat = _vech_flat(p)
    e = s - sigma_v
    chisq = (n - 1) * float(e @ W @ e)  # lavaan: 2 (N - 1) F for these estimators
    df = len(flat) - npar
    diag = np.array([f // p == f % p for f in flat])  # baseline: free variances only
    D0 = np.eye(len(flat))[:, diag]
    d = np.linalg.solve(D0.T @ W @ D0, D0.T @ W @ s)
    e0 = s - D0 @ d
    base_chisq = (n - 1) * float(e0 @ W @ e0)
    # lavaan uses N - 1 for these estimators in the RMSEA, CN, MFI and ECVI too; fmin is chisq / (2 N)
    out = chisq_family(chisq, df, base_chisq, len(flat) - p, n - 1, npar, np.nan, np.nan)
    out["fmin"] = chisq / (2.0 * n)
    for key in ("logl", "unrestricted_logl", "aic", "bic", "bic2", "ntotal"):
        out.pop(key)
    if estimator == "ULS":  # lavaan gives no p-values for ULS
        out["pvalue"] = out["baseline_pvalue"] = np.nan
    out.update(srmr_family(S, sigma))
    gfi = 1.0 - float(e @ W @ e) / float(s @ W @ s)
    out.update(tail_measures(chisq, df, n - 1, npar, gfi, len(flat)))
    return pd.Series(out, name="value", dtype=float)


def fit_ls(data: pd.DataFrame, parsed, model: str, *, estimator: str, std_lv: bool = False,
           orthogonal: bool = False):
    """Fit a single-group covariance structure by ULS or GLS; called by :func:`cxlab.sem.fit`.

    Returns
    -------
    SemResult
        As ML's, with ``estimator`` "ULS" or "GLS"; ``sample_cov`` has the ``N - 1`` divisor.
    """

    estimator = estimator.upper()
    if parsed.constraints or parsed.inequalities or parsed.defined:
        raise NotImplementedError(f"estimator={estimator!r} with constraints ('==', '<', '>') or defined "
                                  "parameters (':=') is not implemented yet.")
    pt, names = build_partable(parsed, fixed_x=True, std_lv=std_lv, orthogonal=orthogonal)
    ov, lv = names["ov"], names["lv"]
    if names["ov.x"]:
        raise NotImplementedError(f"estimator={estimator!r} with observed exogenous covariates is not implemented "
                                  f"yet; covariates in this model: {names['ov.x']}.")
    X = prepare_data(data, ov).to_numpy()
    n = len(X)
    if n < 2:
        raise ValueError(f"estimator={estimator!r} needs at least 2 complete rows; got {n}.")
    S = np.cov(X, rowvar=False).reshape(len(ov), len(ov))
    ram = RamModel.from_partable(pt, ov, lv, S)
    theta0 = start_values(ram, pt, S)
    check_identified([ram], theta0, parameter_names(pt), n_moments=n_moments(len(ov), 0))
    flat = _vech_flat(len(ov))
    s = S.ravel()[flat]
    W = ls_weight(estimator, S)
    theta, converged, iterations = _estimate(ram, s, W, theta0)
    sigma = ram.implied(theta)
    delta = ram.jacobian(theta)[flat]
    info = delta.T @ W @ delta
    eig = np.linalg.eigvalsh(info)
    se_ok = bool(eig.min() > 1e-10 * max(eig.max(), 1e-300))
    vcov = np.linalg.inv(info) / (n - 1) if se_ok else np.full(info.shape, np.nan)
    table = pd.DataFrame({"lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
                          "label": pt["label"].to_numpy(),
                          **wald_columns(ram.row_values(theta), pt["free"].to_numpy(), vcov, se_ok),
                          "std_all": std_all(ram, pt, theta)})
    fm = _fit_measures(estimator, s, sigma.ravel()[flat], W, S, sigma, n, ram.npar)
    _, sig_all, _ = ram.implied_all(theta)
    warnings = collect_warnings(converged=converged, message="iteration limit", estimates=table, sample_cov=S,
                                implied_cov=sigma, latent_cov=sig_all[len(ov):, len(ov):], n=n, npar=ram.npar,
                                df=int(fm["df"]), se_ok=se_ok)
    return assemble(estimates=table, fit_measures=fm, converged=converged, warnings=warnings,
                    r2=r_squared(ram, theta), implied_cov=pd.DataFrame(sigma, index=ov, columns=ov),
                    sample_cov=pd.DataFrame(S, index=ov, columns=ov), n=n, model=model, estimator=estimator,
                    vcov=vcov, iterations=iterations, partable=pt, ram=ram, theta=theta)
