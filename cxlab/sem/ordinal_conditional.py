"""Sample statistics of ordinal items given observed covariates (lavaan's ``conditional.x = TRUE``).

With continuous exogenous covariates ``x`` in a WLSMV model, lavaan summarises the data
conditionally on ``x`` (Muthen 1984, ``lav_muthen1984``; lavaan 0.6-14):

* **stage 1**, per ordinal item an ordinal probit regression on ``x``:
  ``P(y <= k | x) = Phi(tau_k - x' beta)``, giving the thresholds ``tau`` (at ``x = 0``,
  not centred) and the slopes ``beta`` (ML, Newton on the concave log-likelihood);
* **stage 2**, per pair of items the residual (conditional) polychoric correlation given
  ``x``: the correlation of the bivariate probit whose rectangles are the stage-1 bounds
  ``tau - x' beta`` of each respondent (ML in ``rho`` with the stage-1 parameters fixed);
* **stage 3**, ``Gamma`` (lavaan's ``NACOV``, ``N`` times the asymptotic covariance of the
  statistics) from the casewise scores: ``N B^-1 INNER B^-T`` with ``INNER`` the
  cross-product of the stacked scores and ``B`` the block-triangular matrix of lavaan
  (per-item blocks of ``INNER`` for the univariate parameters, ``A21`` the cross-products
  of each correlation's score with the pair's scores in the univariate parameters, the
  diagonal of ``INNER`` for the correlations).

The statistics are stacked as lavaan's ``WLS.obs``: the thresholds (item by item), the
slopes ``vec(PI)`` (column by column: all items' slopes on the first covariate, then the
second, ...) and the residual correlations (column-wise lower triangle).

References
----------
Muthen, B. (1984). A general structural equation model with dichotomous, ordered
categorical, and continuous latent variable indicators. Psychometrika, 49, 115-132.
Muthen, B., & Satorra, A. (1995). Technical aspects of Muthen's LISCOMP approach to
estimation of latent variable relations with a comprehensive measurement model.
Psychometrika, 60, 489-503.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..polychoric import RHO_BOUND, bvn_cdf

__all__ = ["ConditionalStats", "conditional_polychoric"]

_BIG = 100.0  # lavaan's stand-in for the infinite outer thresholds (pnorm(100) = 1)
_MAX_ITER = 200
_LIK_FLOOR = np.finfo(float).eps ** (2.0 / 3.0)  # lavaan: smaller casewise likelihoods are NA


def _phi(z):
    return np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def _dbinorm(u, v, rho):
    r2 = 1.0 - rho * rho
    return np.exp(-(u * u - 2.0 * rho * u * v + v * v) / (2.0 * r2)) / (2.0 * np.pi * np.sqrt(r2))


@dataclass(frozen=True)
class ConditionalStats:
    """Stage-1/2/3 statistics of ordinal items given covariates (read-only).

    Attributes
    ----------
    thresholds : Series
        ``"item|tk"`` -> threshold at ``x = 0``.
    slopes : DataFrame
        Items x covariates: the probit slopes (lavaan's ``res.slopes``).
    corr : DataFrame
        Residual polychoric correlations given the covariates (unit diagonal).
    nacov : ndarray
        ``N`` times the asymptotic covariance of ``stats`` (lavaan's ``NACOV``).
    stats : ndarray
        ``(thresholds, vec(slopes), correlations)`` in lavaan's order.
    n : int
        Number of rows.
    cov_x, mean_x : ndarray
        Covariance (``N - 1`` divisor, as lavaan here) and means of the covariates.
    converged : bool
        Whether every probit and correlation converged.
    """

    thresholds: pd.Series
    slopes: pd.DataFrame
    corr: pd.DataFrame
    nacov: np.ndarray
    stats: np.ndarray
    n: int
    cov_x: np.ndarray
    mean_x: np.ndarray
    converged: bool = True


def _bounds(y, tau, eta):
    """Upper and lower latent bounds ``z1, z2`` of each respondent's category (0-based codes)."""
    return np.concatenate([tau, [_BIG]])[y] - eta, np.concatenate([[-_BIG], tau])[y] - eta


def _cell_prob(z1, z2):
    p = ndtr(z1) - ndtr(z2)
    big = z2 > 1  # upper tails where both are close to 1 (as lavaan)
    p[big] = ndtr(-z2[big]) - ndtr(-z1[big])
    return p


def _probit_parts(y, X, theta, nth):
    """Casewise (z1, z2, P, d z1, d z2) of the ordinal probit ``theta = (tau, beta)``."""
    n = len(y)
    tau, beta = theta[:nth], theta[nth:]
    eta = X @ beta
    z1, z2 = _bounds(y, tau, eta)
    P = _cell_prob(z1, z2)
    d1 = np.zeros((n, nth + X.shape[1]))
    d2 = np.zeros_like(d1)
    rows = np.arange(n)
    up, lo = y < nth, y > 0
    d1[rows[up], y[up]] = 1.0
    d2[rows[lo], y[lo] - 1] = 1.0
    d1[:, nth:] = -X
    d2[:, nth:] = -X
    return z1, z2, P, d1, d2


def _probit_fit(y, X, nth):
    """ML ordinal probit: ``(theta, scores, converged)`` with lavaan's start values."""
    theta = np.concatenate([np.zeros(1) if nth == 1 else _start_tau(nth), np.zeros(X.shape[1])])

    def loglik(t):
        z1, z2, P, _, _ = _probit_parts(y, X, t, nth)
        if np.any(P <= 0) or np.any(np.diff(t[:nth]) <= 0):
            return -np.inf
        return float(np.sum(np.log(P)))

    ll = loglik(theta)
    converged = False
    for _ in range(_MAX_ITER):
        z1, z2, P, d1, d2 = _probit_parts(y, X, theta, nth)
        p1, p2 = _phi(z1), _phi(z2)
        S = (p1[:, None] * d1 - p2[:, None] * d2) / P[:, None]
        g = S.sum(axis=0)
        H = (d1.T @ ((-z1 * p1 / P)[:, None] * d1) - d2.T @ ((-z2 * p2 / P)[:, None] * d2)) - S.T @ S
        if np.max(np.abs(g)) < 1e-10 * len(y):
            converged = True
            break
        step = -np.linalg.solve(H, g)
        lam = 1.0
        while lam > 1e-10:
            cand = theta + lam * step
            llc = loglik(cand)
            if llc >= ll - 1e-12 * abs(ll):
                break
            lam /= 2.0
        theta, ll = cand, llc
    z1, z2, P, d1, d2 = _probit_parts(y, X, theta, nth)
    S = (_phi(z1)[:, None] * d1 - _phi(z2)[:, None] * d2) / P[:, None]
    return theta, S, z1, z2, converged


def _start_tau(nth):
    return ndtri(np.arange(1, nth + 1) / (nth + 1))


def _pair_lik(a1, a2, b1, b2, rho):
    """Casewise rectangle probability of the bivariate normal (bounds ``a`` of one item, ``b`` of the other)."""
    return bvn_cdf(a1, b1, rho) - bvn_cdf(a2, b1, rho) - bvn_cdf(a1, b2, rho) + bvn_cdf(a2, b2, rho)


def _pair_fit(a1, a2, b1, b2, start):
    """ML residual correlation of a pair: Newton on ``rho`` with step halving (``rho``, converged)."""
    rho = float(np.clip(start, -0.99, 0.99)) if np.isfinite(start) else 0.0
    corners = ((a1, b1, 1.0), (a2, b1, -1.0), (a1, b2, -1.0), (a2, b2, 1.0))

    def loglik(r):  # (log-likelihood, casewise likelihood); tiny likelihoods left out, as lavaan
        lik = _pair_lik(a1, a2, b1, b2, r)
        return float(np.sum(np.log(lik[lik >= _LIK_FLOOR]))), lik

    ll, lik = loglik(rho)
    for _ in range(_MAX_ITER):
        ok = lik >= _LIK_FLOOR
        r2 = 1.0 - rho * rho
        dens = [(s * _dbinorm(u, v, rho), u, v) for u, v, s in corners]
        d = sum(f for f, _, _ in dens)
        gn = sum(f * (u * v * r2 - rho * (u * u - 2 * rho * u * v + v * v) + rho * r2) / (r2 * r2) for f, u, v in dens)
        g = float(np.sum((d / lik)[ok]))
        H = float(np.sum((gn / lik - (d / lik) ** 2)[ok]))
        step = -g / H if H < 0 else np.sign(g) * 0.05
        if abs(step) < 1e-10 and H < 0:  # Newton: the next step would be far below lavaan's tolerance
            return rho + step, True
        lam = 1.0
        while True:  # projected onto lavaan's bounds, as the unconditional pairs
            cand = float(np.clip(rho + lam * step, -RHO_BOUND, RHO_BOUND))
            llc, likc = loglik(cand)
            if llc >= ll - 1e-12 * abs(ll) or lam < 1e-10:
                break
            lam /= 2.0
        if cand == rho and abs(rho) == RHO_BOUND:  # the maximum lies beyond the bound: stop there
            return rho, True
        rho, ll, lik = cand, llc, likc
    return rho, False


def _pair_scores(z_i, z_j, rho):
    """lavaan's casewise pair scores: (d rho, d/dz1_i, d/dz2_i, d/dz1_j, d/dz2_j) pieces and likelihood."""
    (a1, a2), (b1, b2) = z_i, z_j
    lik = _pair_lik(a1, a2, b1, b2, rho)
    lik = np.where(lik < _LIK_FLOOR, np.nan, lik)
    r = np.sqrt(1.0 - rho * rho)

    def cond(u, v1, v2):  # phi(u) (Phi((v1 - rho u) / r) - Phi((v2 - rho u) / r))
        return _phi(u) * (ndtr((v1 - rho * u) / r) - ndtr((v2 - rho * u) / r))

    s_rho = (_dbinorm(a1, b1, rho) - _dbinorm(a2, b1, rho) - _dbinorm(a1, b2, rho) + _dbinorm(a2, b2, rho)) / lik
    return (np.nan_to_num(s_rho), cond(a1, b1, b2) / lik, cond(a2, b1, b2) / lik,
            cond(b1, a1, a2) / lik, cond(b2, a1, a2) / lik)


def conditional_polychoric(items: pd.DataFrame, covariates: pd.DataFrame) -> ConditionalStats:
    """Thresholds, probit slopes and residual polychoric correlations of ordinal items given covariates.

    Parameters
    ----------
    items : DataFrame
        Ordinal items (numeric codes; the sorted distinct values of a column are its categories).
    covariates : DataFrame
        Continuous covariates, same rows; no missing values in either.

    Returns
    -------
    ConditionalStats

    Raises
    ------
    ValueError
        An item with a single observed category, or linearly dependent covariates.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(1500, 1))
    >>> z = 0.5 * x + rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=1500)
    >>> y = pd.DataFrame(np.digitize(z, [-0.5, 0.5]), columns=["q1", "q2"])
    >>> st = conditional_polychoric(y, pd.DataFrame(x, columns=["x"]))
    >>> np.round(st.slopes["x"].to_numpy(), 1).tolist(), round(float(st.corr.iloc[0, 1]), 1)
    ([0.5, 0.5], 0.4)
    >>> st.nacov.shape  # 4 thresholds, 2 slopes, 1 correlation
    (7, 7)
    """
    names = [str(c) for c in items.columns]
    X = covariates.to_numpy(dtype=float)
    if np.linalg.matrix_rank(X) < X.shape[1]:  # as lavaan: no probit regression on redundant covariates
        raise ValueError(f"The covariates {[str(c) for c in covariates.columns]} are linearly dependent (or one is "
                         "constant) in the complete rows; drop a redundant covariate.")
    single = [c for c in items.columns if items[c].nunique() < 2]
    if single:
        raise ValueError(f"The ordinal items {single} have a single observed category in the complete rows; an item "
                         "needs at least 2.")
    n, p = items.shape
    nexo = X.shape[1]
    Y = np.empty((n, p), dtype=int)
    nths = []
    for j, c in enumerate(items.columns):
        _, inv = np.unique(items[c].to_numpy(dtype=float), return_inverse=True)
        Y[:, j] = inv
        nths.append(int(inv.max()))
    th_end = np.cumsum(nths)
    th_start = th_end - nths
    nth = int(th_end[-1])
    converged = True
    taus, slopes, bounds = [], np.zeros((p, nexo)), []
    sc_th = np.zeros((n, nth))
    sc_sl = np.zeros((n, p * nexo))
    for j in range(p):
        theta, S, z1, z2, ok = _probit_fit(Y[:, j], X, nths[j])
        converged &= ok
        taus.append(theta[:nths[j]])
        slopes[j] = theta[nths[j]:]
        bounds.append((z1, z2))
        sc_th[:, th_start[j]:th_end[j]] = S[:, :nths[j]]
        sc_sl[:, j::p] = S[:, nths[j]:]  # vec(PI): slope of item j on covariate k at k p + j
    pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]
    R = np.eye(p)
    pearson = np.corrcoef(Y, rowvar=False)
    sc_cor = np.zeros((n, len(pairs)))
    a11_size = nth + p * nexo
    A21 = np.zeros((len(pairs), a11_size))
    for q, (i, j) in enumerate(pairs):
        (a1, a2), (b1, b2) = bounds[j], bounds[i]
        rho, ok = _pair_fit(a1, a2, b1, b2, pearson[i, j])
        converged &= ok
        R[i, j] = R[j, i] = rho
        s_rho, c_i1, c_i2, c_j1, c_j2 = _pair_scores(bounds[i], bounds[j], rho)
        sc_cor[:, q] = s_rho
        for item, c1, c2 in ((i, c_i1, c_i2), (j, c_j1, c_j2)):
            y, k = Y[:, item], nths[item]
            d_th = np.zeros((n, k))  # (I[y=k] c1 - I[y=k+1] c2) / lik
            rows = np.arange(n)
            up, lo = y < k, y > 0
            d_th[rows[up], y[up]] += c1[up]
            d_th[rows[lo], y[lo] - 1] -= c2[lo]
            A21[q, th_start[item]:th_end[item]] = s_rho @ np.nan_to_num(d_th)
            A21[q, nth + item + p * np.arange(nexo)] = s_rho @ np.nan_to_num((c2 - c1)[:, None] * X)
    SC = np.hstack([sc_th, sc_sl, sc_cor])
    INNER = SC.T @ SC
    A11 = np.zeros((a11_size, a11_size))
    for j in range(p):
        idx = np.concatenate([np.arange(th_start[j], th_end[j]), nth + j + p * np.arange(nexo)])
        A11[np.ix_(idx, idx)] = INNER[np.ix_(idx, idx)]
    a22 = np.diag(INNER)[a11_size:]
    A11inv = np.linalg.inv(A11)
    Binv = np.zeros_like(INNER)
    Binv[:a11_size, :a11_size] = A11inv
    Binv[a11_size:, :a11_size] = -(A21 / a22[:, None]) @ A11inv
    Binv[a11_size:, a11_size:] = np.diag(1.0 / a22)
    nacov = n * (Binv @ INNER @ Binv.T)
    th_names = [f"{names[j]}|t{k + 1}" for j in range(p) for k in range(nths[j])]
    tau = np.concatenate(taus)
    r = R[[i for i, _ in pairs], [j for _, j in pairs]]
    xnames = [str(c) for c in covariates.columns]
    cov_x = np.cov(X, rowvar=False).reshape(nexo, nexo)
    return ConditionalStats(
        thresholds=pd.Series(tau, index=th_names, name="threshold"),
        slopes=pd.DataFrame(slopes, index=names, columns=xnames),
        corr=pd.DataFrame(R, index=names, columns=names),
        nacov=nacov, stats=np.concatenate([tau, slopes.ravel(order="F"), r]), n=n,
        cov_x=cov_x, mean_x=X.mean(axis=0), converged=bool(converged))
