"""Polychoric correlations, thresholds and their asymptotic covariance, as lavaan computes them.

Ordinal items (Likert scales) are read as coarse cuts of latent standard-normal responses.
:func:`polychoric_corr` estimates, like lavaan 0.6 (``lavCor(..., ordered = TRUE)`` and the
sample statistics of ``estimator = "WLSMV"``), in two steps:

1. the **thresholds** of every item from its marginal proportions,
   ``tau_k = Phi^-1(P(y <= k))`` (the univariate probit ML estimate);
2. each **polychoric correlation** by maximum likelihood on the bivariate frequency table,
   with both items' thresholds held at their step-1 values (Olsson 1979's two-step
   estimator): Newton's method with the analytic gradient and Hessian, started at the
   Pearson correlation of the codes, to a step below 1e-12, within lavaan's bounds
   ``[-0.999, 0.999]`` (``nlminb``'s ``lower``/``upper``): a table whose maximum lies beyond,
   such as one item determining the other, gets +-0.999 and finite weights.

The **asymptotic covariance** of (thresholds, correlations) is lavaan's ``NACOV``
(Muthen 1984, lavaan's ``muthen1984``) from the casewise scores: with ``SC`` the
``N x (n_thresholds + n_pairs)`` matrix of the univariate threshold scores and the
bivariate correlation scores, ``INNER = SC'SC``, and ``A`` the block lower-triangular
matrix with the per-item blocks of ``INNER`` (thresholds), the cross-products of the
correlation scores with the bivariate threshold scores, and the diagonal of ``INNER`` for
the correlations, ``NACOV = N A^-1 INNER A^-T`` (``lavInspect(fit, "gamma")``). Its
diagonal gives the DWLS weights and the whole matrix the robust standard errors and the
mean-and-variance adjusted test of WLSMV (:mod:`cxlab.sem.ordinal`).

The bivariate normal distribution function is Genz's (2004) algorithm (Drezner-Wesolowsky
with Gauss-Legendre quadrature, the code behind R's ``pbivnorm``), vectorised with numpy;
it is accurate to about 1e-15. Zero cells need no correction in tables larger than 2 x 2
(lavaan's default ``zero.add = c(0.5, 0)``); 2 x 2 tables with one empty cell get 0.5 added
keeping the margins, as lavaan does.

Conventions: categories of an item are its sorted distinct observed values; rows with a
missing value in any column are dropped (listwise); every column must be ordinal (no
polyserial correlations with continuous columns yet). Names follow lavaan: thresholds
``"A1|t1"``, correlations ``"A2~~A1"`` in lavaan's column-wise order of the lower triangle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ._validation import check_bool, check_frame, param_error

__all__ = ["PolychoricResult", "polychoric_corr", "bvn_cdf"]

_SQRT_EPS = np.sqrt(np.finfo(float).eps)
_TWO_PI = 2.0 * np.pi
MAX_ITER = 100
STEP_TOL = 1e-12
#: lavaan's bounds on a polychoric correlation (``nlminb(lower = -0.999, upper = +0.999)``)
RHO_BOUND = 0.999

# Gauss-Legendre nodes/weights of Genz's BVNU (3, 6 and 10 points on half the interval)
_GL = {
    3: (np.array([0.1713244923791705, 0.3607615730481384, 0.4679139345726904]),
        np.array([0.9324695142031522, 0.6612093864662647, 0.2386191860831970])),
    6: (np.array([0.04717533638651177, 0.1069393259953183, 0.1600783285433464,
                  0.2031674267230659, 0.2334925365383547, 0.2491470458134029]),
        np.array([0.9815606342467191, 0.9041172563704750, 0.7699026741943050,
                  0.5873179542866171, 0.3678314989981802, 0.1252334085114692])),
    10: (np.array([0.01761400713915212, 0.04060142980038694, 0.06267204833410906,
                   0.08327674157670475, 0.1019301198172404, 0.1181945319615184,
                   0.1316886384491766, 0.1420961093183821, 0.1491729864726037,
                   0.1527533871307259]),
         np.array([0.9931285991850949, 0.9639719272779138, 0.9122344282513259,
                   0.8391169718222188, 0.7463319064601508, 0.6360536807265150,
                   0.5108670019508271, 0.3737060887154196, 0.2277858511416451,
                   0.07652652113349733])),
}


# --------------------------------------------------------------------------- bivariate normal
def _bvnu(h: np.ndarray, k: np.ndarray, r: float) -> np.ndarray:
    """Genz's BVNU: ``P(X > h, Y > k)`` for finite arrays ``h, k`` and one correlation ``r``."""
    ar = abs(r)
    w, x = _GL[3] if ar < 0.3 else _GL[6] if ar < 0.75 else _GL[10]
    hk = h * k
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        if ar < 0.925:
            hs = (h * h + k * k) / 2.0
            asr = np.arcsin(r)
            sn = np.sin(asr * np.concatenate([1.0 - x, 1.0 + x]) / 2.0)  # (2 lg,)
            ww = np.concatenate([w, w])
            e = np.exp((hk[..., None] * sn - hs[..., None]) / (1.0 - sn * sn))
            bvn = (e @ ww) * asr / (2.0 * _TWO_PI) + ndtr(-h) * ndtr(-k)
        else:
            if r < 0:
                k = -k
                hk = -hk
            bvn = np.zeros_like(h)
            if ar < 1.0:
                as_ = (1.0 - r) * (1.0 + r)
                a = np.sqrt(as_)
                bs = (h - k) ** 2
                c = (4.0 - hk) / 8.0
                d = (12.0 - hk) / 16.0
                asr = -(bs / as_ + hk) / 2.0
                bvn = np.where(asr > -100, a * np.exp(asr) * (1 - c * (bs - as_) * (1 - d * bs / 5) / 3
                                                             + c * d * as_ * as_ / 5), 0.0)
                b = np.sqrt(bs)
                sp = np.sqrt(_TWO_PI) * ndtr(-b / a)
                bvn = bvn - np.where(hk > -100, np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs / 5) / 3), 0.0)
                a = a / 2.0
                for wi, xi in zip(w, x):
                    for sgn in (-1.0, 1.0):
                        xs = (a * (sgn * xi + 1.0)) ** 2
                        rs = np.sqrt(1.0 - xs)
                        asr = -(bs / xs + hk) / 2.0
                        spp = 1.0 + c * xs * (1.0 + d * xs)
                        ep = np.exp(-hk * xs / (2.0 * (1.0 + rs) ** 2)) / rs
                        bvn = bvn + np.where(asr > -100, a * wi * np.exp(asr) * (ep - spp), 0.0)
                bvn = -bvn / _TWO_PI
            if r > 0:
                bvn = bvn + ndtr(-np.maximum(h, k))
            else:
                lo = np.where(h < 0, ndtr(k) - ndtr(h), ndtr(-h) - ndtr(-k))
                bvn = np.where(h >= k, -bvn, lo - bvn)
    return np.clip(bvn, 0.0, 1.0)


def bvn_cdf(x, y, rho: float) -> np.ndarray:
    """Standard bivariate normal distribution function ``P(X <= x, Y <= y)``.

    Parameters
    ----------
    x, y : array_like
        Upper limits (may be ``-inf``/``inf``), broadcast together.
    rho : float
        Correlation, in [-1, 1].

    Returns
    -------
    ndarray
        Probabilities, accurate to about 1e-15 (Genz 2004).

    Examples
    --------
    >>> float(bvn_cdf(0.0, 0.0, 0.5))  # 1/4 + asin(0.5)/(2 pi) = 1/3
    0.3333333333333333
    >>> bvn_cdf([-np.inf, 1.0, np.inf], [0.0, np.inf, 0.0], 0.3).round(6)
    array([0.      , 0.841345, 0.5     ])
    """
    if not np.isfinite(rho) or abs(rho) > 1:
        raise param_error("rho", "bvn_cdf", "be a correlation in [-1, 1]", rho)
    x, y = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    out = np.empty(x.shape)
    fin = np.isfinite(x) & np.isfinite(y)
    out[fin] = _bvnu(-x[fin], -y[fin], float(rho))
    nf = ~fin
    xi, yi = x[nf], y[nf]
    out[nf] = np.where((xi == -np.inf) | (yi == -np.inf), 0.0, np.where(xi == np.inf, ndtr(yi), ndtr(xi)))
    return out


def _dbinorm(u, v, rho):
    r2 = 1.0 - rho * rho
    return np.exp(-(u * u - 2.0 * rho * u * v + v * v) / (2.0 * r2)) / (_TWO_PI * np.sqrt(r2))


# --------------------------------------------------------------------------- one pair
def _pad(t):
    return np.concatenate([[-np.inf], t, [np.inf]])


def _cell_probs(t1, t2, rho):
    """Cell probabilities of the (K1 x K2) table (floored at sqrt(eps), as lavaan)."""
    g1, g2 = _pad(t1), _pad(t2)
    BI = bvn_cdf(g1[:, None], g2[None, :], rho)
    PI = BI[1:, 1:] - BI[:-1, 1:] - BI[1:, :-1] + BI[:-1, :-1]
    return np.maximum(PI, _SQRT_EPS)


def _cell_diff(D):
    """Cell differences of a corner table ``D`` given on the interior threshold grid."""
    P = np.zeros((D.shape[0] + 2, D.shape[1] + 2))
    P[1:-1, 1:-1] = D
    return P[1:, 1:] - P[:-1, 1:] - P[1:, :-1] + P[:-1, :-1]


def _pair_derivs(t1, t2, rho):
    """(PI, dPI/drho, d2PI/drho2) cell tables."""
    PI = _cell_probs(t1, t2, rho)
    u, v = t1[:, None], t2[None, :]
    dens = _dbinorm(u, v, rho)
    r2 = 1.0 - rho * rho
    guv = (u * v * r2 - rho * (u * u - 2 * rho * u * v + v * v) + rho * r2) / (r2 * r2)
    return PI, _cell_diff(dens), _cell_diff(dens * guv)


def _fit_pair(freq, t1, t2, start):
    """Two-step ML polychoric correlation of one frequency table (Newton, step halving), within +-0.999."""
    rho = float(np.clip(start, -0.99, 0.99)) if np.isfinite(start) else 0.0

    def loglik(r):
        return float(np.sum(freq * np.log(_cell_probs(t1, t2, r))))

    ll = loglik(rho)
    for it in range(1, MAX_ITER + 1):
        PI, phi, gn = _pair_derivs(t1, t2, rho)
        g = float(np.sum(freq * phi / PI))
        H = float(np.sum(freq * gn / PI) - np.sum(freq * phi * phi / (PI * PI)))
        step = -g / H if H < 0 else np.sign(g) * 0.05
        lam = 1.0
        while True:  # projected onto lavaan's bounds: a maximum beyond them stops at the bound
            cand = float(np.clip(rho + lam * step, -RHO_BOUND, RHO_BOUND))
            llc = loglik(cand)
            if llc >= ll - 1e-12 * abs(ll) or lam < 1e-10:
                break
            lam /= 2.0
        done = abs(cand - rho) < STEP_TOL
        rho, ll = cand, llc
        if done:
            return rho, True, it
    return rho, False, MAX_ITER


# --------------------------------------------------------------------------- result
@dataclass(frozen=True)
class PolychoricResult:
    """Polychoric correlations of ordinal items (read-only).

    Attributes
    ----------
    corr : DataFrame
        Polychoric correlation matrix (unit diagonal), items as index and columns.
    thresholds : Series
        Thresholds indexed ``"item|t1"``, ``"item|t2"``, ... (lavaan's names and order).
    nacov : DataFrame or None
        ``N`` times the asymptotic covariance matrix of (thresholds, correlations), lavaan's
        ``NACOV``; rows and columns are the threshold names followed by the correlation
        names ``"A2~~A1"`` in lavaan's order (column-wise lower triangle). None when
        ``acov=False``.
    n : int
        Number of complete rows used.
    categories : dict
        Item -> tuple of its observed category values (sorted), coded 1..K internally.
    converged : bool
        Whether every correlation's Newton iterations converged.
    """

    corr: pd.DataFrame
    thresholds: pd.Series
    nacov: pd.DataFrame | None
    n: int
    categories: dict
    converged: bool = True
    _codes: np.ndarray = field(default=None, repr=False)

    @property
    def acov(self) -> pd.DataFrame | None:
        """Asymptotic covariance matrix of the estimates (``nacov / n``)."""
        return None if self.nacov is None else self.nacov / self.n

    def __repr__(self) -> str:
        p = self.corr.shape[0]
        return f"PolychoricResult(n={self.n}, items={p}, thresholds={len(self.thresholds)}, converged={self.converged})"


def _check_data(data, caller: str) -> tuple[pd.DataFrame, np.ndarray, dict]:
    check_frame(data, caller)
    if data.shape[1] < 2:
        raise param_error("data", caller,
                          "have at least 2 columns", None,
                          got=f"{data.shape[1]}")
    bad = [c for c in data.columns if not (pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]))]
    if bad:
        raise param_error("data", caller,
                          "hold numeric (ordinal) columns only", None,
                          got=f"non-numeric columns {bad}")
    sub = data.astype(float).dropna(axis=0, how="any")
    if len(sub) < 2:
        raise param_error("data", caller,
                          "have at least 2 complete rows", None,
                          got=f"{len(sub)}")
    codes = np.empty(sub.shape, dtype=np.intp)
    cats = {}
    for j, c in enumerate(sub.columns):
        values, inv = np.unique(sub[c].to_numpy(), return_inverse=True)
        if len(values) < 2:
            raise param_error("data", caller,
                              "have at least 2 observed categories in every column", None,
                              got=f"{len(values)} in column {c!r}")
        codes[:, j] = inv
        cats[c] = tuple(values.tolist())
    return sub, codes, cats


def polychoric_corr(data: pd.DataFrame, *, acov: bool = True) -> PolychoricResult:
    """Polychoric correlations and thresholds of ordinal items (lavaan's two-step estimator).

    Parameters
    ----------
    data : DataFrame
        One row per respondent, one numeric column per ordinal item (e.g. Likert codes
        1..5); the sorted distinct values of a column are its ordered categories. Rows
        with a missing value are dropped (listwise).
    acov : bool, default=True
        Also compute ``nacov``, the asymptotic covariance of (thresholds, correlations)
        needed by WLSMV. Set False when only the correlations are wanted (e.g. an EFA).

    Returns
    -------
    PolychoricResult
        ``.corr`` (DataFrame), ``.thresholds`` (Series), ``.nacov`` (DataFrame or None),
        ``.n``, ``.categories``, ``.converged``.

    Raises
    ------
    TypeError
        If ``data`` is not a DataFrame.
    ValueError
        Non-numeric columns, fewer than 2 columns or complete rows, or a column with a
        single observed category.

    Notes
    -----
    Matches lavaan 0.6-14 on the bfi items (``tests/test_polychoric.py``): thresholds to
    ~1e-14 and correlations to ~4e-8 (lavaan's optimiser tolerance). Correlations stay within
    +-0.999 (lavaan's bounds) except in bivariate 2 x 2 tables with two empty cells, which give
    a correlation of +-1 (as lavaan); a pair whose Newton iterations do not converge sets
    ``converged`` to False.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, 0.6], [0.6, 1]], size=2000)
    >>> items = pd.DataFrame({"q1": np.digitize(z[:, 0], [-1, 0, 1]) + 1,
    ...                       "q2": np.digitize(z[:, 1], [-0.5, 0.5]) + 1})
    >>> res = polychoric_corr(items)
    >>> round(float(res.corr.loc["q1", "q2"]), 2)
    0.6
    >>> res.thresholds.round(2).tolist()
    [-1.03, -0.02, 1.04, -0.51, 0.49]
    >>> res.nacov.shape  # 5 thresholds + 1 correlation
    (6, 6)
    """
    check_bool(acov, "acov", "polychoric_corr")
    caller = "polychoric_corr"
    sub, Y, cats = _check_data(data, caller)
    names = [str(c) for c in sub.columns]
    n, p = Y.shape
    ncat = [len(cats[c]) for c in sub.columns]

    # step 1: thresholds from the marginal proportions
    TH, marg = [], []
    for j in range(p):
        counts = np.bincount(Y[:, j], minlength=ncat[j]).astype(float)
        prop = counts / n
        TH.append(ndtri(np.cumsum(prop)[:-1]))
        marg.append(prop)
    th_names = [f"{names[j]}|t{k + 1}" for j in range(p) for k in range(ncat[j] - 1)]

    # step 2: one correlation per pair, lavaan's order (j outer, i > j inner)
    R = np.eye(p)
    pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]
    freqs = {}
    converged = True
    pearson = np.corrcoef(Y, rowvar=False) if n > 1 else np.zeros((p, p))
    for i, j in pairs:
        freq = np.zeros((ncat[i], ncat[j]))
        np.add.at(freq, (Y[:, i], Y[:, j]), 1.0)
        freqs[(i, j)] = freq  # raw counts: the scores are casewise
        freq, special = _zero_cells(freq)
        if special is not None:
            rho = special
        else:
            rho, ok, _ = _fit_pair(freq, TH[i], TH[j], pearson[i, j])
            converged &= ok
        R[i, j] = R[j, i] = rho

    corr = pd.DataFrame(R, index=names, columns=names)
    thresholds = pd.Series(np.concatenate(TH), index=th_names, name="threshold")
    nacov = None
    if acov:
        G = _nacov(Y, TH, marg, R, pairs, freqs, ncat)
        labels = th_names + [f"{names[i]}~~{names[j]}" for i, j in pairs]
        nacov = pd.DataFrame(G, index=labels, columns=labels)
    return PolychoricResult(corr=corr, thresholds=thresholds, nacov=nacov, n=n, categories=cats,
                            converged=bool(converged), _codes=Y)


def _zero_cells(freq):
    """lavaan's zero-cell handling: only 2 x 2 tables are corrected (zero.add = 0.5)."""
    if freq.shape != (2, 2) or not np.any(freq == 0):
        return freq, None
    zero = np.flatnonzero(freq.ravel() == 0)
    if len(zero) >= 2:
        return freq, (1.0 if freq[0, 0] > 0 else -1.0)
    freq = freq.copy()
    if zero[0] in (0, 3):  # main diagonal: add there, compensate off it (margins kept)
        freq += np.array([[0.5, -0.5], [-0.5, 0.5]])
    else:
        freq += np.array([[-0.5, 0.5], [0.5, -0.5]])
    return freq, None


def _th_scores(y, t, prop):
    """Casewise scores of the univariate probit thresholds, shape (N, K - 1)."""
    K = len(prop)
    dens = np.exp(-0.5 * t * t) / np.sqrt(_TWO_PI)
    cell = np.zeros((K, K - 1))  # category -> score per threshold
    for a in range(K):
        if a < K - 1:
            cell[a, a] = dens[a] / prop[a]
        if a > 0:
            cell[a, a - 1] = -dens[a - 1] / prop[a]
    return cell[y]


def _bivariate_th_part(t1, t2, rho):
    """``G[k, b] = phi(t1_k) (Phi((t2_b - rho t1_k)/R) - Phi((t2_{b-1} - rho t1_k)/R))``."""
    R = np.sqrt(1.0 - rho * rho)
    g2 = _pad(t2)
    dens = np.exp(-0.5 * t1 * t1) / np.sqrt(_TWO_PI)
    if R == 0.0:
        cdf = np.where(np.isneginf(g2), 0.0, np.where(np.isposinf(g2), 1.0, 0.5))[None, :] * np.ones((len(t1), 1))
    else:
        with np.errstate(invalid="ignore"):
            cdf = ndtr((g2[None, :] - rho * t1[:, None]) / R)
    return dens[:, None] * np.diff(cdf, axis=1)


def _nacov(Y, TH, marg, R, pairs, freqs, ncat):
    """lavaan's NACOV = N A^-1 INNER A^-T from the casewise scores (Muthen 1984)."""
    n, p = Y.shape
    nth = [len(t) for t in TH]
    th_end = np.cumsum(nth)
    th_start = th_end - nth
    n_th = int(th_end[-1])
    npair = len(pairs)
    SC = np.empty((n, n_th + npair))
    for j in range(p):
        SC[:, th_start[j]:th_end[j]] = _th_scores(Y[:, j], TH[j], marg[j])
    A21 = np.zeros((npair, n_th))
    for q, (i, j) in enumerate(pairs):
        rho = R[i, j]
        t1, t2 = TH[i], TH[j]
        PI, phi, _ = _pair_derivs(t1, t2, rho)
        ok = PI > _SQRT_EPS
        sr = np.where(ok, phi / PI, 0.0)
        SC[:, n_th + q] = sr[Y[:, i], Y[:, j]]
        M = np.where(ok, freqs[(i, j)] * sr / PI, 0.0)
        G1 = _bivariate_th_part(t1, t2, rho)  # (K1 - 1, K2)
        G2 = _bivariate_th_part(t2, t1, rho)  # (K2 - 1, K1)
        A21[q, th_start[i]:th_end[i]] = np.sum(G1 * (M[:-1, :] - M[1:, :]), axis=1)
        A21[q, th_start[j]:th_end[j]] = np.sum(G2 * (M[:, :-1] - M[:, 1:]).T, axis=1)
    INNER = SC.T @ SC
    A = np.zeros_like(INNER)
    for j in range(p):
        s = slice(th_start[j], th_end[j])
        A[s, s] = INNER[s, s]
    A[n_th:, :n_th] = A21
    idx = np.arange(n_th, n_th + npair)
    A[idx, idx] = INNER[idx, idx]
    Ainv = np.linalg.inv(A)
    return n * (Ainv @ INNER @ Ainv.T)
