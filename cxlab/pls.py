"""PLS path modelling (PLS-SEM) beside the covariance-based route of :mod:`cxlab.sem`.

``fit`` estimates a composite path model with the Lohmöller/Wold PLS algorithm as R's
plspm and seminr (and SmartPLS) implement it, from the same lavaan-style syntax as
``cxlab.sem.fit``: ``=~`` reflective blocks (outer mode A), ``<~`` formative blocks (mode
B), ``~`` inner paths. The result carries the estimates in ``cxlab.sem``'s vocabulary, the
assessment of Hair et al.'s primer (indicator reliability, alpha, rho_c, rho_A, AVE, HTMT,
VIF, f², R²), direct, indirect and total effects with bootstrap intervals, and ECSI/ACSI
style 0–100 index scores per construct.

Every statistic is a function of the indicators' covariance matrix and the outer weights,
so the bootstrap refits the model on each resample's covariance matrix (fast), in parallel
worker processes (``n_jobs``) with one seed per resample. :func:`predict` is PLSpredict
(k-fold predictions against a linear-model benchmark), :func:`ipma` the importance-
performance map, and :func:`compare_sem` / :func:`describe_comparison` set a PLS fit beside
a :func:`cxlab.sem.fit` of the same model.

Sources, by statistic (page ranges of the articles; the primer's chapters):

* Algorithm and weighting schemes: Lohmöller (1989), *Latent Variable Path Modeling with
  Partial Least Squares* (Physica); Tenenhaus et al. (2005), *Computational Statistics &
  Data Analysis* 48(1), pp. 159–205.
* Indicator reliability, Cronbach's alpha, rho_c, AVE, HTMT thresholds, VIF, f², R²,
  bootstrap intervals: Hair, Hult, Ringle & Sarstedt (2022), *A Primer on Partial Least
  Squares Structural Equation Modeling* (3rd ed., Sage), ch. 4 (reflective measurement
  models), ch. 5 (formative: weights, VIF) and ch. 6 (structural model: R², f²,
  bootstrap, PLSpredict).
* rho_A and consistent PLS (PLSc): Dijkstra & Henseler (2015), *MIS Quarterly* 39(2),
  pp. 297–316.
* HTMT: Henseler, Ringle & Sarstedt (2015), *Journal of the Academy of Marketing Science*
  43(1), pp. 115–135.
* PLSpredict, the LM benchmark, Q²_predict and the predictive-power verdict: Shmueli,
  Ray, Velasquez Estrada & Chatla (2016), *Journal of Business Research* 69(10),
  pp. 4552–4564; Shmueli, Sarstedt, Hair, Cheah, Ting, Vaithilingam & Ringle (2019),
  *European Journal of Marketing* 53(11), pp. 2322–2347.
* IPMA: Ringle & Sarstedt (2016), *Industrial Management & Data Systems* 116(9),
  pp. 1865–1886.
* 0–100 index scores: Fornell, Johnson, Anderson, Cha & Bryant (1996), *Journal of
  Marketing* 60(4), pp. 7–18.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import check_choice, check_ci, check_frame, check_int, param_error
from .sem.syntax import parse_model

__all__ = ["fit", "ipma", "predict", "compare_sem", "describe_comparison", "unsupported", "PlsResult",
           "PlsPrediction", "SCHEMES", "APPROACHES"]

SCHEMES = ("path", "factorial", "centroid")
#: bootstrap resamples from which ``n_jobs=None`` uses every core
_PARALLEL_FROM = 100
_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"


@dataclass(frozen=True)
class PlsResult:
    """Result of :func:`fit`.

    Attributes
    ----------
    estimates : DataFrame
        One row per parameter with columns ``lhs, op, rhs, est, se, z, pvalue, ci_lower,
        ci_upper``: loadings of reflective blocks (``=~``), outer weights of formative
        blocks (``<~``) and inner path coefficients (``~``, ``lhs`` the outcome). ``se`` is
        the bootstrap standard deviation, ``z = est / se``, ``pvalue`` two-sided normal,
        ``ci_*`` the bootstrap interval; all NaN without ``bootstrap``.
    outer : DataFrame
        One row per indicator: ``construct, item, mode, weight, loading, communality``
        (= indicator reliability, loading²) and ``vif`` (within its block). ``weight`` is
        in the working metric: standardised items (``scaled=True``) or centred raw items.
    r2 : DataFrame
        ``r2`` and ``r2_adj`` per endogenous construct.
    f2 : DataFrame
        Cohen's f² of every inner path (``lhs, rhs, f2``) and the inner ``vif``:
        :math:`(R^2_{incl} - R^2_{excl}) / (1 - R^2_{incl})`, the excluded R² from the model
        re-estimated without the path (as seminr does), or, where dropping the path would
        leave the predictor unconnected, from the same scores without the predictor.
    effects : DataFrame
        ``from, to, direct, indirect, total`` for every pair linked by a directed route;
        with ``bootstrap`` also ``se``, ``ci_lower``, ``ci_upper`` of the indirect and
        total effects (``indirect_se``, ..., ``total_ci_upper``).
    reliability : DataFrame
        Per construct: ``mode, n_items, alpha`` (standardised Cronbach's alpha),
        ``rho_c`` (composite reliability), ``rho_a`` (Dijkstra–Henseler) and ``ave``.
    htmt : DataFrame
        Heterotrait–monotrait ratios (Henseler et al. 2015, arithmetic means) between
        constructs; a single-item block counts as monotrait correlation 1. With
        ``bootstrap``, ``htmt_ci`` holds the intervals.
    htmt_ci : DataFrame or None
        ``lhs, rhs, htmt, ci_lower, ci_upper`` (bootstrap), else None.
    scores : DataFrame
        Standardised construct scores (mean 0, population variance 1), one row per case.
    index : DataFrame
        ECSI/ACSI-style 0–100 index per construct: ``index`` (mean) and, with
        ``bootstrap``, ``se, ci_lower, ci_upper``.
    index_scores : DataFrame
        The 0–100 index of each case.
    scheme, modes, n, iterations, converged, n_boot, consistent, warnings
        Settings and diagnostics; ``n_boot`` counts the converged bootstrap resamples.
    """

    estimates: pd.DataFrame
    outer: pd.DataFrame
    r2: pd.DataFrame
    f2: pd.DataFrame
    effects: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    htmt_ci: pd.DataFrame | None
    scores: pd.DataFrame
    index: pd.DataFrame
    index_scores: pd.DataFrame
    scheme: str
    modes: dict
    n: int
    iterations: int
    converged: bool
    n_boot: int = 0
    consistent: bool = False
    warnings: tuple = field(default=())


# ---------------------------------------------------------------- model specification
@dataclass(frozen=True)
class _Spec:
    constructs: tuple          # construct names, in order of first appearance
    items: tuple               # all indicators, block after block
    blocks: tuple              # per construct: index array into items
    modes: tuple               # per construct: "A" or "B"
    paths: tuple               # (outcome, predictor) in model order
    adj: np.ndarray            # adj[i, j] = 1 if construct i -> construct j
    preds: tuple = ()          # per construct: (index array of its predecessors, np.ix_ of them)
    dummy: np.ndarray | None = None   # dummy[k, j] = 1 if item k is in block j


def _parse(model: str, modes, func: str = "fit") -> _Spec:
    if not isinstance(model, str) or not model.strip():
        raise param_error("model", func, "be a non-empty model string", model)
    formative = set(re.findall(rf"({_NAME})\s*<~", model))
    parsed = parse_model(model.replace("<~", "=~"))
    if parsed.defined or parsed.constraints or parsed.inequalities:
        raise ValueError("PLS models take only '=~', '<~' and '~' statements (no ':=', '==', '<', '>').")
    blocks: dict[str, list[str]] = {}
    paths: list[tuple[str, str]] = []
    for lhs, op, rhs, mod in parsed.formulas:
        if mod:
            raise ValueError(f"PLS takes no labels, fixed values or starts: {lhs} {op} {rhs} has {mod}.")
        if op == "=~":
            blocks.setdefault(lhs, []).append(rhs)
        elif op == "~":
            if (lhs, rhs) not in paths:
                paths.append((lhs, rhs))
        else:
            raise ValueError(f"PLS takes only '=~', '<~' and '~' statements; found {lhs} {op} {rhs}.")
    owner: dict[str, str] = {}
    for c, its in blocks.items():
        for it in its:
            if it in blocks:
                raise ValueError(f"{it!r} is a construct and cannot be an indicator of {c!r} "
                                 "(higher-order constructs are not supported).")
            if it in owner:
                raise ValueError(f"Indicator {it!r} is in two blocks ({owner[it]!r} and {c!r}).")
            owner[it] = c
    if not paths:
        raise ValueError("The model has no inner path ('~'): PLS path modelling needs a structural model.")
    for lhs, rhs in paths:
        for v in (lhs, rhs):
            if v in blocks:
                continue
            if v in owner:
                raise ValueError(f"{v!r} in the inner path '{lhs} ~ {rhs}' is an indicator of {owner[v]!r}; "
                                 "an inner path links constructs.")
            blocks[v], owner[v] = [v], v    # an observed variable (as lavaan allows): a single-item construct
    names = list(blocks)
    linked = {v for p in paths for v in p}
    for c in names:
        if c not in linked:
            raise ValueError(f"Construct {c!r} is in no inner path; PLS needs every construct connected.")
    mode_map = {c: ("B" if c in formative else "A") for c in names}
    for c, m in (modes or {}).items():
        if c not in mode_map:
            raise param_error("modes", func, f"name constructs of the model ({', '.join(names)})", c)
        if str(m).upper() not in ("A", "B"):
            raise param_error("modes", func, "give each construct the mode 'A' or 'B'", m, got=f"{m!r} for {c!r}",
                              instead=False)
        mode_map[c] = str(m).upper()
    items = [it for c in names for it in blocks[c]]
    idx, start = [], 0
    for c in names:
        idx.append(np.arange(start, start + len(blocks[c])))
        start += len(blocks[c])
    pos = {c: i for i, c in enumerate(names)}
    adj = np.zeros((len(names), len(names)))
    for lhs, rhs in paths:
        adj[pos[rhs], pos[lhs]] = 1.0
    if _has_cycle(adj):
        raise ValueError("The inner model has a feedback loop; PLS path modelling needs a recursive model.")
    preds = tuple((pr, np.ix_(pr, pr)) for pr in (np.flatnonzero(adj[:, j]) for j in range(len(names))))
    dummy = np.zeros((len(items), len(names)))
    for j, ix in enumerate(idx):
        dummy[ix, j] = 1.0
    return _Spec(tuple(names), tuple(items), tuple(idx), tuple(mode_map[c] for c in names), tuple(paths), adj,
                 preds, dummy)


def _has_cycle(adj: np.ndarray) -> bool:
    m = adj.shape[0]
    power = adj.copy()
    for _ in range(m):
        if np.trace(power) > 0:
            return True
        power = power @ adj
    return False


# ---------------------------------------------------------------- the algorithm
def _inner_weights(C: np.ndarray, spec: _Spec, scheme: str) -> np.ndarray:
    """E[i, j]: weight of construct i in the inner proxy of construct j."""
    adj = spec.adj
    both = adj + adj.T
    if scheme == "centroid":
        return np.sign(C) * both
    if scheme == "factorial":
        return C * both
    E = C * adj.T                      # successors k of j (j -> k): correlation
    for j, (pred, grid) in enumerate(spec.preds):
        if pred.size:                  # predecessors: regression of j on them
            E[pred, j] = np.linalg.solve(C[grid], C[pred, j])
    return E


def _normalise(W: np.ndarray, S: np.ndarray) -> np.ndarray:
    return W / np.sqrt(np.einsum("ij,ik,kj->j", W, S, W))


def _weights(S: np.ndarray, spec: _Spec, scheme: str, tol: float, max_iter: int):
    """Outer weights (p x m, unit construct variance) from the indicator covariance ``S``."""
    W = _normalise(spec.dummy.copy(), S)
    formative = [(j, ix, np.ix_(ix, ix)) for j, ix in enumerate(spec.blocks) if spec.modes[j] == "B"]
    for it in range(1, max_iter + 1):
        C = W.T @ S @ W
        SWE = S @ W @ _inner_weights(C, spec, scheme)    # cov(items, inner proxies)
        new = SWE * spec.dummy                           # mode A: the covariances
        for j, ix, grid in formative:                    # mode B: regression of the proxy on the items
            new[ix, j] = np.linalg.solve(S[grid], SWE[ix, j])
        new = _normalise(new, S)
        delta = np.max(np.abs(new - W))
        W = new
        if delta < tol:
            return W, it, True
    return W, max_iter, False


def _regress(C: np.ndarray, y: int, xs) -> tuple[np.ndarray, float]:
    xs = np.asarray(xs, dtype=int)
    if xs.size == 0:
        return np.zeros(0), 0.0
    beta = np.linalg.solve(C[np.ix_(xs, xs)], C[xs, y])
    return beta, float(C[y, xs] @ beta)


def _rho_a(S: np.ndarray, W: np.ndarray, spec: _Spec) -> np.ndarray:
    """Dijkstra-Henseler rho_A per block (1 for a single item)."""
    sd = np.sqrt(np.diag(S))
    out = np.ones(len(spec.blocks))
    for j, ix in enumerate(spec.blocks):
        if len(ix) > 1:
            w = W[ix, j] * sd[ix]                     # weights on standardised items
            off = _block_corr(S, ix) - np.eye(len(ix))
            ww = np.outer(w, w) - np.diag(w ** 2)
            out[j] = (w @ w) ** 2 * (w @ off @ w) / (w @ ww @ w)
    return out


def _estimate(S: np.ndarray, spec: _Spec, scheme: str, tol: float, max_iter: int,
              consistent: bool = False) -> dict:
    """Weights, loadings, paths, R² and effects from one covariance matrix."""
    W, iterations, converged = _weights(S, spec, scheme, tol, max_iter)
    C = W.T @ S @ W
    m = len(spec.constructs)
    sd = np.sqrt(np.diag(S))
    load = (S @ W * spec.dummy).sum(axis=1) / sd
    rho = _rho_a(S, W, spec)
    if consistent:                  # PLSc: disattenuate the mode A composites (Dijkstra & Henseler 2015)
        q = np.array([r if mode == "A" else 1.0 for r, mode in zip(rho, spec.modes)])
        with np.errstate(invalid="ignore"):
            C = C / np.sqrt(np.outer(q, q))
            np.fill_diagonal(C, 1.0)
            for j, ix in enumerate(spec.blocks):
                if spec.modes[j] == "A" and len(ix) > 1:
                    w = W[ix, j] * sd[ix]
                    load[ix] = w * np.sqrt(rho[j]) / (w @ w)
    B = np.zeros((m, m))
    r2 = np.full(m, np.nan)
    for j, (pred, _) in enumerate(spec.preds):
        if pred.size:
            beta, r2[j] = _regress(C, j, pred)
            B[pred, j] = beta
    total = np.linalg.inv(np.eye(m) - B) - np.eye(m)
    w = W.sum(axis=1)
    return {"W": W, "w": w, "C": C, "loadings": load, "B": B, "r2": r2, "total": total, "rho_a": rho,
            "iterations": iterations, "converged": converged and bool(np.all(np.isfinite(C)))}


# ---------------------------------------------------------------- assessment
def _block_corr(S: np.ndarray, ix) -> np.ndarray:
    sub = S[np.ix_(ix, ix)]
    d = np.sqrt(np.diag(sub))
    return sub / np.outer(d, d)


def _reliability(S: np.ndarray, spec: _Spec, est: dict) -> pd.DataFrame:
    rows = []
    for j, (c, ix) in enumerate(zip(spec.constructs, spec.blocks)):
        k = len(ix)
        lam = est["loadings"][ix]
        R = _block_corr(S, ix)
        alpha = 1.0
        if k > 1:
            rbar = (R.sum() - k) / (k * (k - 1))
            alpha = k * rbar / (1 + (k - 1) * rbar)
        rho_a = est["rho_a"][j]
        rho_c = lam.sum() ** 2 / (lam.sum() ** 2 + (1 - lam ** 2).sum())
        rows.append({"construct": c, "mode": spec.modes[j], "n_items": k, "alpha": alpha, "rho_c": rho_c,
                     "rho_a": rho_a, "ave": float(np.mean(lam ** 2))})
    return pd.DataFrame(rows).set_index("construct")


def _htmt_matrix(S: np.ndarray, spec: _Spec) -> np.ndarray:
    d = np.sqrt(np.diag(S))
    D = np.zeros((S.shape[0], len(spec.constructs)))
    for j, ix in enumerate(spec.blocks):
        D[ix, j] = 1.0
    k = D.sum(axis=0)
    sums = D.T @ (S / np.outer(d, d)) @ D
    mono = np.where(k > 1, (np.diag(sums) - k) / np.maximum(k * (k - 1), 1), 1.0)
    H = sums / np.outer(k, k) / np.sqrt(np.outer(mono, mono))
    np.fill_diagonal(H, 1.0)
    return H


def _vif(R: np.ndarray) -> np.ndarray:
    if R.shape[0] == 1:
        return np.ones(1)
    return np.diag(np.linalg.inv(R))


def _index_weights(est: dict, spec: _Spec, sd: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   scaled: bool) -> np.ndarray:
    """Per item weight on the 0-100 rescaled item, normalised to sum 1 within its block."""
    raw = est["w"] / sd if scaled else est["w"].copy()      # weight on the item's own scale
    on100 = raw * (hi - lo) / 100.0
    out = np.zeros_like(on100)
    for ix in spec.blocks:
        out[ix] = on100[ix] / on100[ix].sum()
    return out


def _index_means(means, lo, hi, iw, spec) -> np.ndarray:
    rescaled = 100.0 * (means - lo) / (hi - lo)
    return np.array([iw[ix] @ rescaled[ix] for ix in spec.blocks])


# ---------------------------------------------------------------- data handling
def _prepare(data: pd.DataFrame, spec: _Spec, missing: str, na_values, func: str = "fit") -> pd.DataFrame:
    check_frame(data, func)
    check_choice(missing, "missing", func, ("listwise", "mean"))
    absent = [c for c in spec.items if c not in data.columns]
    if absent:
        raise ValueError(f"Indicator column(s) {', '.join(map(repr, absent))} not found in the data "
                         f"(columns: {', '.join(map(str, data.columns[:20]))}{' ...' if data.shape[1] > 20 else ''}).")
    X = data.loc[:, list(spec.items)]
    bad = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise ValueError(f"Indicator column(s) {', '.join(map(repr, bad))} are not numeric.")
    X = X.astype(float)
    if na_values is not None:
        X = X.mask(X.isin(np.atleast_1d(na_values)))
    X = X.dropna() if missing == "listwise" else X.fillna(X.mean())
    if len(X) < len(spec.constructs) + 3:
        raise ValueError(f"Too few complete cases for PLS: {len(X)} rows.")
    const = [c for c in X.columns if X[c].std(ddof=0) == 0 or X[c].isna().all()]
    if const:
        raise ValueError(f"Indicator column(s) {', '.join(map(repr, const))} have no variance.")
    return X


def _ranges(X: pd.DataFrame, scale_range) -> tuple[np.ndarray, np.ndarray]:
    if scale_range is None:
        return X.min().to_numpy(float), X.max().to_numpy(float)
    if isinstance(scale_range, dict):
        missing = [c for c in X.columns if c not in scale_range]
        if missing:
            raise param_error("scale_range", "fit", "give a (min, max) for every indicator", missing,
                              got=f"none for {', '.join(map(repr, missing))}", instead=False)
        pairs = [scale_range[c] for c in X.columns]
    else:
        pairs = [scale_range] * X.shape[1]
    lo, hi = np.array([float(p[0]) for p in pairs]), np.array([float(p[1]) for p in pairs])
    if np.any(hi <= lo):
        raise param_error("scale_range", "fit", "have min < max", scale_range)
    return lo, hi


def _cov(X: np.ndarray, scaled: bool) -> tuple[np.ndarray, np.ndarray]:
    """The working covariance (correlations if ``scaled``) and the items' standard deviations."""
    S = np.cov(X, rowvar=False, ddof=0)
    d = np.sqrt(np.diag(S))
    return (S / np.outer(d, d) if scaled else S), d


# ---------------------------------------------------------------- bootstrap
def _interval(draws: np.ndarray, est: np.ndarray, level: float, method: str, jack: np.ndarray | None):
    a = (1 - level) / 2
    if method == "percentile":
        return np.quantile(draws, a, axis=0), np.quantile(draws, 1 - a, axis=0)
    # BCa (Efron 1987): bias from the share of draws below the estimate, acceleration from the jackknife
    with np.errstate(divide="ignore", invalid="ignore"):
        z0 = stats.norm.ppf(np.mean(draws < est, axis=0) + 0.5 * np.mean(draws == est, axis=0))
        d = jack.mean(axis=0) - jack
        acc = (d ** 3).sum(axis=0) / (6 * ((d ** 2).sum(axis=0)) ** 1.5)
        acc = np.nan_to_num(acc)
        out = []
        for q in (a, 1 - a):
            zq = stats.norm.ppf(q)
            adj = stats.norm.cdf(z0 + (z0 + zq) / (1 - acc * (z0 + zq)))
            adj = np.where(np.isfinite(adj), adj, q)
            out.append(np.array([np.quantile(draws[:, k], adj[k]) for k in range(draws.shape[1])]))
    return out[0], out[1]


@dataclass(frozen=True)
class _Resampler:
    """Refits one bootstrap resample of the rows (picklable: runs in worker processes)."""

    X: np.ndarray
    spec: _Spec
    scheme: str
    scaled: bool
    tol: float
    max_iter: int
    lo: np.ndarray
    hi: np.ndarray
    consistent: bool

    def __call__(self, rng: np.random.Generator):
        n = len(self.X)
        try:
            vec, ok = _stat_vector(self.X[rng.integers(0, n, n)], self.spec, self.scheme, self.scaled, self.tol,
                                   self.max_iter, self.lo, self.hi, self.consistent)
        except (np.linalg.LinAlgError, FloatingPointError):
            p, m = self.X.shape[1], len(self.spec.constructs)
            return np.full(2 * p + 2 * m * m + m + m * (m - 1) // 2, np.nan), False
        return vec, bool(ok and np.all(np.isfinite(vec)))


def _draws(resampler: _Resampler, n_boot: int, seed, n_jobs, progress):
    """The converged draws, one row per resample; resample ``b`` uses child ``b`` of ``SeedSequence(seed)``."""
    from .sem.bootstrap import bootstrap_draws   # process pool with one BLAS thread per worker

    if n_jobs is None:      # below ~100 resamples starting the pool costs more than it saves
        n_jobs = (os.cpu_count() or 1) if n_boot >= _PARALLEL_FROM else 1
    draws, ok = bootstrap_draws(resampler, n_boot, seed, n_workers=n_jobs, progress=progress)
    return draws[ok]


def _stat_vector(X: np.ndarray, spec: _Spec, scheme, scaled, tol, max_iter, lo, hi, consistent):
    S, sd = _cov(X, scaled)
    e = _estimate(S, spec, scheme, tol, max_iter, consistent)
    iw = _index_weights(e, spec, sd, lo, hi, scaled)
    m = len(spec.constructs)
    tri = np.triu_indices(m, 1)
    vec = np.concatenate([e["loadings"], e["w"], e["B"].ravel(), e["total"].ravel(),
                          _index_means(X.mean(axis=0), lo, hi, iw, spec), _htmt_matrix(S, spec)[tri]])
    return vec, e["converged"]


# ---------------------------------------------------------------- public entry point
def fit(data: pd.DataFrame, model: str, *, scheme: str = "path", modes: dict | None = None,
        scaled: bool = True, missing: str = "listwise", na_values=None, bootstrap: int = 0,
        seed: int | None = None, ci: float = 0.95, boot_ci: str = "percentile", scale_range=None,
        tol: float = 1e-7, max_iter: int = 300, consistent: bool = False, n_jobs: int | None = None,
        progress=None) -> PlsResult:
    """Fit a PLS path model (PLS-SEM) with the Lohmöller/Wold algorithm.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; the indicators named in ``model`` must be numeric columns.
    model : str
        lavaan-style syntax: ``C =~ x1 + x2`` a reflective block (outer mode A),
        ``C <~ x1 + x2`` a formative block (mode B), ``Y ~ C + D`` inner paths. An observed
        variable in an inner path (``Y ~ C + age``) is a single-item construct of that name.
    scheme : {"path", "factorial", "centroid"}, default="path"
        Inner weighting scheme (Lohmöller 1989): path weighting (regression weights for a
        construct's predecessors, correlations for its successors), factorial (correlations)
        or centroid (signs of the correlations).
    modes : dict, optional
        Override the outer mode per construct, e.g. ``{"IMAG": "B"}``.
    scaled : bool, default=True
        Standardise the indicators (SmartPLS, seminr). ``False`` only centres them (plspm's
        ``scaled=FALSE``): mode A weights then follow the covariances.
    missing : {"listwise", "mean"}, default="listwise"
        Drop incomplete rows, or replace missing values by the item mean (seminr's
        ``mean_replacement``).
    na_values : scalar or list, optional
        Codes that mean missing (e.g. ``-99``).
    bootstrap : int, default=0
        Number of bootstrap resamples for standard errors and intervals.
    seed : int, optional
        Seed of the bootstrap: resample ``b`` draws its rows with the ``b``-th child of
        ``numpy.random.SeedSequence(seed)``, so the result is the same whatever ``n_jobs``.
    ci : float, default=0.95
        Level of the bootstrap intervals.
    boot_ci : {"percentile", "bca"}, default="percentile"
        Percentile or bias-corrected and accelerated intervals (BCa uses a jackknife).
    scale_range : tuple or dict, optional
        ``(min, max)`` of the item scale (e.g. ``(1, 10)``), or one pair per item, for the
        0–100 index; default the observed minimum and maximum of each item.
    tol : float, default=1e-7
        Convergence: largest change of an outer weight between iterations.
    max_iter : int, default=300
    consistent : bool, default=False
        Consistent PLS (PLSc; Dijkstra & Henseler 2015): the correlations of the mode A
        constructs are divided by the square roots of their rho_A, and their loadings
        corrected, before the paths are estimated. ``scores`` stay the composites.
    n_jobs : int, optional
        Worker processes of the bootstrap (one BLAS thread each). Default: every core from
        100 resamples on, else one process.
    progress : callable, optional
        ``progress(done, total)``, called as bootstrap resamples finish (e.g.
        ``cxlab.progress.reporter("bootstrap resamples")``).

    Returns
    -------
    PlsResult
        See :class:`PlsResult` for every attribute.

    Notes
    -----
    Indicators are centred (and standardised if ``scaled``); outer weights start at 1 and
    are rescaled so that every construct score has unit (population) variance. Each
    iteration forms the inner proxies from the scheme's inner weights, then updates the
    outer weights: covariances of the items with the proxy (mode A) or the multiple
    regression of the proxy on the items (mode B). No sign correction is applied, as in
    plspm, seminr and SmartPLS. Path coefficients are OLS on the standardised scores;
    total effects are :math:`(I - B)^{-1} - I`. The index of a construct rescales every item
    to 0–100 and averages them with the unstandardised outer weights normalised to sum 1
    (Fornell et al. 1996, ACSI). rho_A follows Dijkstra & Henseler (2015); HTMT Henseler,
    Ringle & Sarstedt (2015).

    Validated against SmartPLS 2 (ECSI, three schemes), plspm (satisfaction) and seminr
    (corporate reputation); see ``tests/test_pls.py``.

    References
    ----------
    .. [1] Tenenhaus, M., Esposito Vinzi, V., Chatelin, Y.-M., & Lauro, C. (2005). PLS path
       modeling. Computational Statistics & Data Analysis, 48(1), 159-205.
    .. [2] Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A Primer on
       Partial Least Squares Structural Equation Modeling (3rd ed.). Sage. Ch. 3
       (algorithm), ch. 4 (reflective assessment), ch. 5 (formative), ch. 6 (structural
       model, bootstrap).
    .. [3] Dijkstra, T. K., & Henseler, J. (2015). Consistent partial least squares path
       modeling. MIS Quarterly, 39(2), 297-316 (rho_A and PLSc).
    .. [4] Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
       discriminant validity in variance-based structural equation modeling. Journal of
       the Academy of Marketing Science, 43(1), 115-135 (HTMT).
    .. [5] Fornell, C., Johnson, M. D., Anderson, E. W., Cha, J., & Bryant, B. E. (1996).
       The American Customer Satisfaction Index: Nature, purpose, and findings. Journal of
       Marketing, 60(4), 7-18 (0-100 index).

    Examples
    --------
    >>> from cxlab.datasets import load_dataset
    >>> from cxlab import pls
    >>> pd_data = load_dataset("political_democracy")
    >>> res = pls.fit(pd_data, '''ind60 =~ x1 + x2 + x3
    ...                           dem60 =~ y1 + y2 + y3 + y4
    ...                           dem65 =~ y5 + y6 + y7 + y8
    ...                           dem60 ~ ind60
    ...                           dem65 ~ ind60 + dem60''')
    >>> res.estimates.query("op == '~'")[["lhs", "rhs", "est"]].round(3)
          lhs    rhs    est
    11  dem60  ind60  0.403
    12  dem65  ind60  0.196
    13  dem65  dem60  0.786
    >>> res.r2.round(3)
              r2  r2_adj
    dem60  0.162   0.151
    dem65  0.780   0.774
    >>> res.reliability[["rho_c", "rho_a", "ave"]].round(3)
               rho_c  rho_a    ave
    construct
    ind60      0.964  0.954  0.899
    dem60      0.911  0.882  0.721
    dem65      0.921  0.886  0.744
    """
    check_choice(scheme, "scheme", "fit", SCHEMES)
    check_choice(boot_ci, "boot_ci", "fit", ("percentile", "bca"))
    check_int(bootstrap, "bootstrap", "fit", low=0)
    check_int(n_jobs, "n_jobs", "fit", low=1, allow_none=True)
    if modes is not None and not isinstance(modes, dict):
        raise param_error("modes", "fit", "be a dict such as {'IMAG': 'B'}", modes)
    check_ci(ci, "fit")
    spec = _parse(model, modes)
    Xdf = _prepare(data, spec, missing, na_values)
    X = Xdf.to_numpy(float)
    n, p, m = X.shape[0], X.shape[1], len(spec.constructs)
    lo, hi = _ranges(Xdf, scale_range)
    S = _cov(X, scaled)[0]
    est = _estimate(S, spec, scheme, tol, max_iter, consistent)
    warnings: list[str] = []
    if consistent and not np.all(np.isfinite(est["C"])):
        raise ValueError("Consistent PLS failed: a block's rho_A is not positive "
                         f"({dict(zip(spec.constructs, np.round(est['rho_a'], 3)))}).")
    if consistent and np.any(np.abs(est["C"][~np.eye(m, dtype=bool)]) > 1):
        warnings.append("Consistent PLS gave a construct correlation above 1 in absolute value.")
    if not est["converged"]:
        warnings.append(f"The PLS algorithm did not converge in {max_iter} iterations (tol={tol}).")
    names, items = spec.constructs, spec.items
    sd_raw = Xdf.std(ddof=0).to_numpy()

    # scores and index
    Xc = X - X.mean(axis=0)
    Xw = Xc / sd_raw if scaled else Xc
    scores = pd.DataFrame(Xw @ est["W"], index=Xdf.index, columns=list(names))
    iw = _index_weights(est, spec, sd_raw, lo, hi, scaled)
    resc = 100.0 * (X - lo) / (hi - lo)
    index_scores = pd.DataFrame({c: resc[:, ix] @ iw[ix] for c, ix in zip(names, spec.blocks)}, index=Xdf.index)
    for c, ix in zip(names, spec.blocks):
        if np.any(iw[ix] < 0):
            warnings.append(f"The index of {c!r} has negative item weights; read it with care.")

    # bootstrap
    tri = np.triu_indices(m, 1)
    point = np.concatenate([est["loadings"], est["w"], est["B"].ravel(), est["total"].ravel(),
                            _index_means(X.mean(axis=0), lo, hi, iw, spec), _htmt_matrix(S, spec)[tri]])
    boot = None
    n_boot = 0
    if bootstrap:
        draws = _draws(_Resampler(X, spec, scheme, scaled, tol, max_iter, lo, hi, consistent), bootstrap, seed,
                       n_jobs, progress)
        n_boot = len(draws)
        if n_boot < bootstrap:
            warnings.append(f"{bootstrap - n_boot} of {bootstrap} bootstrap resamples did not converge and were dropped.")
        if n_boot < 2:
            raise ValueError("Fewer than 2 bootstrap resamples converged; no standard errors.")
        jack = None
        if boot_ci == "bca":
            jack = np.array([_stat_vector(np.delete(X, i, axis=0), spec, scheme, scaled, tol, max_iter, lo, hi, consistent)[0]
                             for i in range(n)])
        lower, upper = _interval(draws, point, ci, boot_ci, jack)
        boot = {"se": draws.std(axis=0, ddof=1), "lower": lower, "upper": upper}

    def summary(k):
        if boot is None:
            return np.nan, np.nan, np.nan, np.nan, np.nan
        se = boot["se"][k]
        z = point[k] / se if se > 1e-12 else np.nan
        return se, z, 2 * stats.norm.sf(abs(z)), boot["lower"][k], boot["upper"][k]

    # estimates table
    pos = {c: i for i, c in enumerate(names)}
    rows = []
    for j, (c, ix) in enumerate(zip(names, spec.blocks)):
        for k in ix:
            kk, op = (k, "=~") if spec.modes[j] == "A" else (p + k, "<~")
            rows.append((c, op, items[k], point[kk], *summary(kk)))
    off_b, off_t = 2 * p, 2 * p + m * m
    for lhs, rhs in spec.paths:
        kk = off_b + pos[rhs] * m + pos[lhs]
        rows.append((lhs, "~", rhs, point[kk], *summary(kk)))
    estimates = pd.DataFrame(rows, columns=["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"])

    # outer model
    block_of = {items[k]: j for j, ix in enumerate(spec.blocks) for k in ix}
    vif_outer = np.concatenate([_vif(_block_corr(S, ix)) for ix in spec.blocks])
    outer = pd.DataFrame({"construct": [names[block_of[it]] for it in items], "item": list(items),
                          "mode": [spec.modes[block_of[it]] for it in items], "weight": est["w"],
                          "loading": est["loadings"], "communality": est["loadings"] ** 2, "vif": vif_outer})

    # inner model: R², f², inner VIF
    C = est["C"]
    endo = [j for j in range(m) if spec.adj[:, j].any()]
    r2 = pd.DataFrame({"r2": [est["r2"][j] for j in endo]}, index=[names[j] for j in endo])
    npred = np.array([spec.adj[:, j].sum() for j in endo])
    r2["r2_adj"] = 1 - (1 - r2["r2"].to_numpy()) * (n - 1) / (n - npred - 1)
    f2_rows = []
    for lhs, rhs in spec.paths:
        j, i = pos[lhs], pos[rhs]
        pred = np.flatnonzero(spec.adj[:, j])
        others = pred[pred != i]
        r2_in = est["r2"][j]
        r2_out = _r2_without(S, spec, i, j, scheme, tol, max_iter, consistent)
        if r2_out is None:          # the predictor would be cut off: R² of the same scores without it
            r2_out = _regress(C, j, others)[1]
        vif = _vif(C[np.ix_(pred, pred)])[list(pred).index(i)]
        f2_rows.append((lhs, rhs, (r2_in - r2_out) / (1 - r2_in), vif))
    f2 = pd.DataFrame(f2_rows, columns=["lhs", "rhs", "f2", "vif"])

    # effects
    eff_rows = []
    reach = _reach(spec.adj)
    for i in range(m):
        for j in range(m):
            kk = off_t + i * m + j
            if not reach[i, j]:
                continue
            direct = est["B"][i, j]
            row = {"from": names[i], "to": names[j], "direct": direct, "indirect": point[kk] - direct,
                   "total": point[kk]}
            if boot is not None:
                se, _, _, lo_, up_ = summary(kk)
                row.update(total_se=se, total_ci_lower=lo_, total_ci_upper=up_)
            eff_rows.append(row)
    effects = pd.DataFrame(eff_rows)
    if boot is not None and len(effects):
        ind = _indirect_intervals(draws, point, spec, off_b, off_t, ci, boot_ci, jack)
        keys = list(zip(effects["from"], effects["to"]))
        for col in ("indirect_se", "indirect_ci_lower", "indirect_ci_upper"):
            effects[col] = [ind[col][pos[a], pos[b]] for a, b in keys]

    # assessment
    reliability = _reliability(S, spec, est)
    H = _htmt_matrix(S, spec)
    htmt = pd.DataFrame(H, index=list(names), columns=list(names))
    htmt_ci = None
    if boot is not None:
        off_h = off_t + m * m + m
        htmt_ci = pd.DataFrame([(names[a], names[b], H[a, b], boot["lower"][off_h + k], boot["upper"][off_h + k])
                                for k, (a, b) in enumerate(zip(*tri))],
                               columns=["lhs", "rhs", "htmt", "ci_lower", "ci_upper"])
    off_i = off_t + m * m
    index = pd.DataFrame({"index": point[off_i:off_i + m]}, index=list(names))
    if boot is not None:
        index["se"] = boot["se"][off_i:off_i + m]
        index["ci_lower"] = boot["lower"][off_i:off_i + m]
        index["ci_upper"] = boot["upper"][off_i:off_i + m]
    return PlsResult(estimates=estimates, outer=outer, r2=r2, f2=f2, effects=effects, reliability=reliability,
                     htmt=htmt, htmt_ci=htmt_ci, scores=scores, index=index, index_scores=index_scores,
                     scheme=scheme, modes=dict(zip(names, spec.modes)), n=n, iterations=est["iterations"],
                     converged=est["converged"], n_boot=n_boot, consistent=consistent,
                     warnings=tuple(warnings))


def _r2_without(S, spec: _Spec, i: int, j: int, scheme, tol, max_iter, consistent) -> float | None:
    """R² of construct j when the model is re-estimated without the path i -> j (seminr's f²)."""
    adj = spec.adj.copy()
    adj[i, j] = 0.0
    if not (adj[i].any() or adj[:, i].any()):
        return None
    preds = tuple((pr, np.ix_(pr, pr)) for pr in (np.flatnonzero(adj[:, k]) for k in range(adj.shape[0])))
    reduced = _Spec(spec.constructs, spec.items, spec.blocks, spec.modes, spec.paths, adj, preds, spec.dummy)
    return float(_estimate(S, reduced, scheme, tol, max_iter, consistent)["r2"][j]) if preds[j][0].size else 0.0


def _reach(adj: np.ndarray) -> np.ndarray:
    """reach[i, j]: a directed route leads from construct i to construct j."""
    reach, power = adj.copy(), adj.copy()
    for _ in range(adj.shape[0]):
        power = power @ adj
        reach = reach + power
    return reach > 0


def _indirect_intervals(draws, point, spec, off_b, off_t, ci, boot_ci, jack):
    m = len(spec.constructs)
    pick = lambda a, off: a[..., off:off + m * m]  # noqa: E731
    ind_draws = pick(draws, off_t) - pick(draws, off_b)
    ind_point = pick(point, off_t) - pick(point, off_b)
    ind_jack = None if jack is None else pick(jack, off_t) - pick(jack, off_b)
    lower, upper = _interval(ind_draws, ind_point, ci, boot_ci, ind_jack)
    return {"indirect_se": ind_draws.std(axis=0, ddof=1).reshape(m, m),
            "indirect_ci_lower": lower.reshape(m, m), "indirect_ci_upper": upper.reshape(m, m)}


def ipma(result: PlsResult, target: str) -> pd.DataFrame:
    """Importance-performance map analysis (IPMA) of one target construct.

    Parameters
    ----------
    result : PlsResult
        A fit from :func:`fit`.
    target : str
        The construct whose drivers are mapped (e.g. ``"Loyalty"``).

    Returns
    -------
    DataFrame
        One row per construct with a route to ``target``: ``importance`` (the total effect
        in index points of the target per index point of the driver: the unstandardised
        total effect on the 0–100 scores), ``total_effect`` (standardised) and
        ``performance`` (the driver's mean index), sorted by importance.

    Notes
    -----
    The 0–100 index scores are linear in the standardised scores, so the unstandardised total
    effect is the standardised one times sd(target index) / sd(driver index) (Ringle &
    Sarstedt 2016).

    References
    ----------
    .. [1] Ringle, C. M., & Sarstedt, M. (2016). Gain more insight from your PLS-SEM results:
       The importance-performance map analysis. Industrial Management & Data Systems,
       116(9), 1865-1886.
    .. [2] Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A Primer on
       Partial Least Squares Structural Equation Modeling (3rd ed.). Sage, ch. 8.

    Examples
    --------
    >>> from cxlab.datasets import load_dataset
    >>> from cxlab import pls
    >>> res = pls.fit(load_dataset("political_democracy"),
    ...               "ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4; dem65 =~ y5 + y6 + y7 + y8;"
    ...               "dem60 ~ ind60; dem65 ~ ind60 + dem60")
    >>> pls.ipma(res, "dem65").round(3)
           importance  total_effect  performance
    dem60       0.735         0.786       49.953
    ind60       0.586         0.512       47.647
    """
    _check_result(result, "ipma")
    if target not in result.index.index:
        raise param_error("target", "ipma", f"be a construct of the model ({', '.join(result.index.index)})", target)
    eff = result.effects[result.effects["to"] == target] if len(result.effects) else result.effects
    if not len(eff):
        raise ValueError(f"No construct has a route to {target!r}: it is exogenous.")
    sd = result.index_scores.std(ddof=0)
    out = pd.DataFrame({"importance": eff["total"].to_numpy() * sd[target] / sd[eff["from"]].to_numpy(),
                        "total_effect": eff["total"].to_numpy(),
                        "performance": result.index.loc[eff["from"], "index"].to_numpy()},
                       index=eff["from"].to_numpy())
    return out.sort_values("importance", ascending=False)


# ---------------------------------------------------------------- PLSpredict
APPROACHES = ("earliest", "direct")


@dataclass(frozen=True)
class PlsPrediction:
    """Result of :func:`predict`.

    Attributes
    ----------
    metrics : DataFrame
        One row per indicator of an endogenous construct (index ``item``): ``construct``,
        ``pls_rmse``, ``pls_mae`` (out-of-sample errors of the PLS path model), ``lm_rmse``,
        ``lm_mae`` (the linear-model benchmark), ``q2_predict`` (PLS against the training
        mean) and ``lm_q2_predict``; errors pooled over the folds and repetitions.
    predictions, lm_predictions : DataFrame
        Out-of-sample predictions of each case's endogenous indicators (PLS and LM; the
        mean over the repetitions), in the rows of the data used.
    folds : ndarray
        The fold (1 ... ``n_folds``) of every case in each repetition, shape ``(n, n_repeats)``.
    approach : str
    n_folds, n_repeats, n : int
    """

    metrics: pd.DataFrame
    predictions: pd.DataFrame
    lm_predictions: pd.DataFrame
    folds: np.ndarray
    approach: str
    n_folds: int
    n_repeats: int
    n: int

    @property
    def predictive_power(self) -> str:
        """Shmueli et al.'s (2019) verdict from the items whose PLS RMSE is below the LM's.

        ``"high"`` (all items), ``"medium"`` (the majority or half of them), ``"low"`` (a
        minority) or ``"none"`` (no item). The comparison presupposes Q²_predict > 0 for
        every item (the model beats the training mean); ``metrics`` shows it.
        """
        better = int((self.metrics["pls_rmse"] < self.metrics["lm_rmse"]).sum())
        k = len(self.metrics)
        return "high" if better == k else "medium" if better >= k / 2 else "low" if better else "none"


def _fold_ids(n: int, n_folds: int, seed) -> np.ndarray:
    """Folds 1..k as contiguous blocks of a random order of the rows (R's ``cut``, as seminr)."""
    order = np.random.default_rng(seed).permutation(n)
    out = np.empty(n, dtype=int)
    for k, block in enumerate(np.array_split(order, n_folds), start=1):
        out[block] = k
    return out


def _predict_fold(X: np.ndarray, train: np.ndarray, spec: _Spec, approach: str, scheme: str, scaled: bool,
                  tol: float, max_iter: int, endo_items: np.ndarray, lm_inputs: list):
    """PLS, LM and naive (training mean) predictions of the held-out rows' endogenous items."""
    test = ~train
    Xtr, Xte = X[train], X[test]
    mu, sd = Xtr.mean(axis=0), Xtr.std(axis=0)
    est = _estimate(_cov(Xtr, scaled)[0], spec, scheme, tol, max_iter)
    scores = ((Xte - mu) / (sd if scaled else 1.0)) @ est["W"]
    if approach == "direct":                 # each construct from its direct antecedents' scores
        predicted = scores @ est["B"]
    else:                                     # from the exogenous constructs' scores, through the total effects
        exo = ~spec.adj.any(axis=0)
        predicted = scores[:, exo] @ est["total"][exo]
    owner = spec.dummy[endo_items].argmax(axis=1)
    pls_hat = predicted[:, owner] * est["loadings"][endo_items] * sd[endo_items] + mu[endo_items]
    lm_hat = np.empty_like(pls_hat)
    for cols, xs in lm_inputs:              # OLS of the construct's items on the benchmark's items
        A = np.column_stack([np.ones(len(Xtr)), Xtr[:, xs]])
        beta = np.linalg.lstsq(A, Xtr[:, endo_items[cols]], rcond=None)[0]
        lm_hat[:, cols] = np.column_stack([np.ones(len(Xte)), Xte[:, xs]]) @ beta
    return pls_hat, lm_hat, np.broadcast_to(mu[endo_items], pls_hat.shape), est["converged"]


def predict(data: pd.DataFrame, model: str, *, n_folds: int = 10, n_repeats: int = 1, approach: str = "earliest",
            seed: int | None = None, folds=None, scheme: str = "path", modes: dict | None = None,
            scaled: bool = True, missing: str = "listwise", na_values=None, tol: float = 1e-7,
            max_iter: int = 300) -> PlsPrediction:
    """PLSpredict: k-fold cross-validated predictions of the endogenous indicators (Shmueli et al.).

    The model is estimated on all folds but one and predicts the indicators of the
    endogenous constructs in the held-out fold; every fold is held out once. The errors are
    compared with a linear-model (LM) benchmark that regresses each endogenous indicator
    on the indicators of the exogenous constructs (``approach="earliest"``) or of the
    construct's direct antecedents (``"direct"``), and with the training mean (Q²_predict).

    Parameters
    ----------
    data, model, scheme, modes, scaled, missing, na_values, tol, max_iter
        As in :func:`fit`.
    n_folds : int, default=10
        Folds of the cross-validation (2 ... number of cases; the number of cases is
        leave-one-out).
    n_repeats : int, default=1
        Repetitions with new random folds (Hair et al. recommend 10).
    approach : {"earliest", "direct"}, default="earliest"
        Predict an endogenous construct from the scores of the exogenous constructs through
        the total effects (earliest antecedents; Shmueli et al. 2016, cSEM's default) or
        from its direct antecedents' scores and paths (seminr's default).
    seed : int, optional
        Repetition ``r`` orders the rows at random with the ``r``-th child of
        ``numpy.random.SeedSequence(seed)`` and cuts that order into ``n_folds`` contiguous
        folds of (nearly) equal size, as seminr does.
    folds : array-like, optional
        The fold of every row of ``data`` (any labels); replaces the random folds (one
        repetition).

    Returns
    -------
    PlsPrediction
        ``metrics`` per indicator (RMSE and MAE of PLS and LM, Q²_predict) and the
        predictions; ``predictive_power`` gives Shmueli et al.'s verdict.

    Notes
    -----
    A held-out case's items are standardised with the training folds' means and standard
    deviations, weighted by the training fit's outer weights, predicted through its paths
    and returned to the item scale with its loadings: :math:`\\hat x = \\hat\\xi \\lambda
    s_x + \\bar x`. RMSE and MAE pool the errors of all folds and repetitions;
    :math:`Q^2_{predict} = 1 - \\sum (x - \\hat x)^2 / \\sum (x - \\bar x_{train})^2`
    (Shmueli et al. 2019). The LM benchmark is ordinary least squares with an
    intercept on the raw items of the training folds. Validated against the Python port of
    seminr's ``predict_pls`` with the same folds (``tests/test_pls_predict.py``).

    References
    ----------
    .. [1] Shmueli, G., Ray, S., Velasquez Estrada, J. M., & Chatla, S. B. (2016). The
       elephant in the room: Predictive performance of PLS models. Journal of Business
       Research, 69(10), 4552-4564.
    .. [2] Shmueli, G., Sarstedt, M., Hair, J. F., Cheah, J.-H., Ting, H., Vaithilingam, S.,
       & Ringle, C. M. (2019). Predictive model assessment in PLS-SEM: Guidelines for using
       PLSpredict. European Journal of Marketing, 53(11), 2322-2347.
    .. [3] Hair, J. F., Hult, G. T. M., Ringle, C. M., & Sarstedt, M. (2022). A Primer on
       Partial Least Squares Structural Equation Modeling (3rd ed.). Sage, ch. 6.

    Examples
    --------
    >>> from cxlab.datasets import load_dataset
    >>> from cxlab import pls
    >>> res = pls.predict(load_dataset("political_democracy"),
    ...                   "ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4; dem60 ~ ind60",
    ...                   n_folds=5, seed=1)
    >>> res.metrics[["pls_rmse", "lm_rmse", "q2_predict"]].round(3)
          pls_rmse  lm_rmse  q2_predict
    item
    y1       2.498    2.476       0.114
    y2       3.878    3.964       0.039
    y3       3.188    3.187       0.064
    y4       3.024    3.042       0.197
    >>> res.predictive_power
    'medium'
    """
    check_choice(approach, "approach", "predict", APPROACHES)
    check_choice(scheme, "scheme", "predict", SCHEMES)
    check_int(n_folds, "n_folds", "predict", low=2)
    check_int(n_repeats, "n_repeats", "predict", low=1)
    spec = _parse(model, modes, "predict")
    check_frame(data, "predict")
    given = None
    if folds is not None:
        given = np.asarray(folds)
        if given.ndim != 1 or len(given) != len(data):
            raise param_error("folds", "predict", f"give one fold per row of the data ({len(data)} rows)", folds,
                              got=f"shape {given.shape}")
        n_repeats = 1
    Xdf = _prepare(data.reset_index(drop=True), spec, missing, na_values, "predict")
    X = Xdf.to_numpy(float)
    n = len(X)
    rows = data.index[Xdf.index.to_numpy()]
    if given is not None:
        labels, fold_of = np.unique(given[Xdf.index.to_numpy()], return_inverse=True)
        if len(labels) < 2:
            raise param_error("folds", "predict", "name at least two folds among the rows used", folds,
                              got=f"{len(labels)} fold", instead=False)
        fold_table = fold_of[:, None] + 1
        n_folds = len(labels)
    else:
        if n_folds > n:
            raise param_error("n_folds", "predict", f"be at most the number of cases ({n})", n_folds)
        children = np.random.SeedSequence(seed).spawn(n_repeats)
        fold_table = np.column_stack([_fold_ids(n, n_folds, c) for c in children])

    endo = [j for j in range(len(spec.constructs)) if spec.adj[:, j].any()]
    exo = [j for j in range(len(spec.constructs)) if not spec.adj[:, j].any()]
    endo_items = np.concatenate([spec.blocks[j] for j in endo])
    lm_inputs, start = [], 0
    for j in endo:
        ante = np.flatnonzero(spec.adj[:, j]) if approach == "direct" else exo
        k = len(spec.blocks[j])
        lm_inputs.append((np.arange(start, start + k), np.concatenate([spec.blocks[a] for a in ante])))
        start += k
    shape = (n_repeats, n, len(endo_items))
    pls_hat, lm_hat, naive = np.empty(shape), np.empty(shape), np.empty(shape)
    failed = 0
    for r in range(n_repeats):
        for f in np.unique(fold_table[:, r]):
            train = fold_table[:, r] != f
            a, b, c, ok = _predict_fold(X, train, spec, approach, scheme, scaled, tol, max_iter, endo_items,
                                        lm_inputs)
            pls_hat[r, ~train], lm_hat[r, ~train], naive[r, ~train] = a, b, c
            failed += not ok
    actual = X[:, endo_items][None]
    names = [spec.items[k] for k in endo_items]

    def rmse(hat):
        return np.sqrt(np.mean((actual - hat) ** 2, axis=(0, 1)))

    def mae(hat):
        return np.mean(np.abs(actual - hat), axis=(0, 1))

    sse_naive = np.sum((actual - naive) ** 2, axis=(0, 1))
    metrics = pd.DataFrame({
        "construct": [spec.constructs[spec.dummy[k].argmax()] for k in endo_items],
        "pls_rmse": rmse(pls_hat), "pls_mae": mae(pls_hat), "lm_rmse": rmse(lm_hat), "lm_mae": mae(lm_hat),
        "q2_predict": 1 - np.sum((actual - pls_hat) ** 2, axis=(0, 1)) / sse_naive,
        "lm_q2_predict": 1 - np.sum((actual - lm_hat) ** 2, axis=(0, 1)) / sse_naive,
    }, index=pd.Index(names, name="item"))
    if failed:
        import warnings

        warnings.warn(f"The PLS algorithm did not converge in {failed} training fit(s) of PLSpredict "
                      f"(max_iter={max_iter}).", RuntimeWarning, stacklevel=2)
    return PlsPrediction(metrics=metrics,
                         predictions=pd.DataFrame(pls_hat.mean(axis=0), index=rows, columns=names),
                         lm_predictions=pd.DataFrame(lm_hat.mean(axis=0), index=rows, columns=names),
                         folds=fold_table, approach=approach, n_folds=int(n_folds), n_repeats=int(n_repeats), n=n)


# ---------------------------------------------------------------- beside CB-SEM
def _check_result(result, func: str) -> None:
    if not isinstance(result, PlsResult):
        raise param_error("result", func, "be a PlsResult from cxlab.pls.fit", result, exc=TypeError,
                          got=type(result).__name__)


def _ci_text(lower, upper, digits: int = 3) -> str:
    return "" if pd.isna(lower) or pd.isna(upper) else f"[{lower:.{digits}f}, {upper:.{digits}f}]"


def _sem_rows(sem_fit, op: str) -> pd.DataFrame:
    est = getattr(sem_fit, "estimates", None)
    if not isinstance(est, pd.DataFrame) or not {"lhs", "op", "rhs", "std_all", "pvalue"} <= set(est.columns):
        raise param_error("sem_fit", "compare_sem", "be a cxlab.sem.fit result (estimates with std_all)", sem_fit,
                          exc=TypeError, got=type(sem_fit).__name__)
    return est[est["op"] == op].drop_duplicates(["lhs", "rhs"]).set_index(["lhs", "rhs"])


def compare_sem(result: PlsResult, sem_fit, *, consistent: PlsResult | None = None) -> dict:
    """The structural model by PLS beside the covariance-based (CB-SEM) estimates, as report tables.

    Parameters
    ----------
    result : PlsResult
        A PLS fit of the model (with ``bootstrap`` for intervals and p-values).
    sem_fit : cxlab.sem fit
        The same model fitted by :func:`cxlab.sem.fit`; its standardised estimates
        (``std_all``) are compared, since PLS paths are standardised.
    consistent : PlsResult, optional
        The PLSc fit (``consistent=True``) for a third column.

    Returns
    -------
    dict of DataFrame
        Headers in words. ``"paths"``: outcome, predictor, β and p of CB-SEM, β, 95 % CI and p of PLS (the
        last two with a bootstrap), β of PLSc and the difference PLS − CB-SEM; ``"r2"``: R² of each outcome by each method;
        ``"loadings"``: construct, mean standardised loading of CB-SEM and of PLS, ρA;
        ``"index"``: construct, its 0–100 PLS index and the bootstrap interval. p-values
        are APA-style text.

    Examples
    --------
    >>> from cxlab.datasets import load_dataset
    >>> from cxlab import pls, sem
    >>> data = load_dataset("political_democracy")
    >>> model = "ind60 =~ x1 + x2 + x3; dem60 =~ y1 + y2 + y3 + y4; dem60 ~ ind60"
    >>> tables = pls.compare_sem(pls.fit(data, model), sem.fit(data, model))
    >>> tables["paths"][["outcome", "predictor", "β (CB-SEM)", "β (PLS)"]].round(3)
      outcome predictor  β (CB-SEM)  β (PLS)
    0   dem60     ind60        0.46    0.415
    """
    from .tables import apa_p

    _check_result(result, "compare_sem")
    cb = _sem_rows(sem_fit, "~")
    plsc = None if consistent is None else consistent.estimates.set_index(["lhs", "op", "rhs"])["est"]
    rows = []
    for r in result.estimates[result.estimates["op"] == "~"].itertuples():
        key = (r.lhs, r.rhs)
        b_cb = float(cb.loc[key, "std_all"]) if key in cb.index else np.nan
        row = {"outcome": r.lhs, "predictor": r.rhs, "β (CB-SEM)": b_cb,
               "p (CB-SEM)": apa_p(float(cb.loc[key, "pvalue"])) if key in cb.index else "", "β (PLS)": r.est}
        if result.n_boot:
            row.update({"95% CI (PLS)": _ci_text(r.ci_lower, r.ci_upper), "p (PLS)": apa_p(r.pvalue)})
        if plsc is not None:
            row["β (PLSc)"] = float(plsc[(r.lhs, "~", r.rhs)])
        row["PLS − CB-SEM"] = r.est - b_cb
        rows.append(row)
    sem_r2 = getattr(sem_fit, "r2", pd.Series(dtype=float))
    r2 = pd.DataFrame({"outcome": result.r2.index,
                       "R² (CB-SEM)": [float(sem_r2.get(o, np.nan)) for o in result.r2.index],
                       "R² (PLS)": result.r2["r2"].to_numpy()})
    if consistent is not None:
        r2["R² (PLSc)"] = consistent.r2["r2"].reindex(result.r2.index).to_numpy()
    lam = _sem_rows(sem_fit, "=~")["std_all"]
    loadings = pd.DataFrame([
        {"construct": c, "items": len(g), "λ (CB-SEM, mean)": float(np.mean([lam.get((c, i), np.nan) for i in g["item"]])),
         "Loading (PLS, mean)": float(g["loading"].mean()), "ρA": float(result.reliability.loc[c, "rho_a"])}
        for c, g in result.outer.groupby("construct", sort=False)])
    index = pd.DataFrame({"construct": result.index.index, "Index (0–100)": result.index["index"].to_numpy()})
    if "ci_lower" in result.index:
        index["95% CI"] = [_ci_text(a, b, 1) for a, b in zip(result.index["ci_lower"], result.index["ci_upper"])]
    return {"paths": pd.DataFrame(rows), "r2": r2, "loadings": loadings, "index": index}


def unsupported(model: str) -> str | None:
    """Why ``model`` cannot be set beside CB-SEM by PLS (reflective blocks and inner paths only), or None.

    An observed variable in an inner path is a single-item construct, as in :func:`fit`.

    Examples
    --------
    >>> unsupported("f =~ a + b; g =~ c + d; g ~ f + e") is None
    True
    >>> unsupported("f =~ a + b; g =~ c + d; g ~ f; a ~~ c")
    "PLS takes only '=~', '<~' and '~' statements; found a ~~ c."
    """
    try:
        spec = _parse(model, None, "unsupported")
    except ValueError as exc:
        return str(exc)
    formative = [c for c, mode in zip(spec.constructs, spec.modes) if mode == "B"]
    if formative:
        return f"the block(s) {', '.join(formative)} are formative ('<~'); the comparison needs reflective blocks."
    return None


def _significant(p_text: pd.Series, alpha: float) -> pd.Series:
    """``p < alpha`` from APA-style p-values (``"< .001"``, ``".042"``); None where there is none."""
    def one(v):
        v = str(v).strip()
        if not v:
            return None
        return True if v.startswith("<") and float(v[1:]) <= alpha else float(v.lstrip("<")) < alpha
    return p_text.map(one)


def describe_comparison(tables: dict, *, alpha: float = 0.05, labels=None, sem_ok: bool = True) -> str:
    """A paragraph on where the PLS and CB-SEM estimates of :func:`compare_sem` differ, and why.

    Written from the numbers: how many paths PLS gives smaller in absolute value, the
    largest difference, the R², the loadings, the paths whose significance at ``alpha``
    differs, and how close PLSc comes to CB-SEM. With ``sem_ok=False`` (the CB-SEM
    solution failed :func:`cxlab.sem.judge.interpretation_gate`) no comparison is drawn.

    Examples
    --------
    >>> from cxlab.datasets import load_dataset
    >>> from cxlab import pls, sem
    >>> hs = load_dataset("holzinger_swineford")
    >>> m = "visual =~ x1 + x2 + x3; speed =~ x7 + x8 + x9; speed ~ visual"
    >>> text = pls.describe_comparison(pls.compare_sem(pls.fit(hs, m), sem.fit(hs, m)))
    >>> print(text.split(". ")[0])
    PLS gives 1 of the 1 paths a smaller absolute value than CB-SEM; the largest difference is visual → speed (β = 0.401 by PLS, 0.460 by CB-SEM)
    """
    name = (lambda v: labels(v) if labels is not None and labels(v) is not None else v)
    paths, r2, load = tables["paths"], tables["r2"], tables["loadings"]
    if not sem_ok:
        return ("The CB-SEM solution is improper (see the box at the top), so its column is no benchmark and the "
                "two methods are not compared. PLS composites always exist, whatever the covariance structure; "
                "their paths are those of weighted sums of the items, attenuated by the items' measurement error.")
    b_pls, b_cb = paths["β (PLS)"].to_numpy(float), paths["β (CB-SEM)"].to_numpy(float)
    smaller = int(np.sum(np.abs(b_pls) < np.abs(b_cb)))
    k = len(paths)
    big = int(np.nanargmax(np.abs(b_pls - b_cb)))
    top = paths.iloc[big]
    text = [f"PLS gives {smaller} of the {k} paths a smaller absolute value than CB-SEM; the largest difference "
            f"is {name(top['predictor'])} → {name(top['outcome'])} (β = {top['β (PLS)']:.3f} by PLS, "
            f"{top['β (CB-SEM)']:.3f} by CB-SEM)."]
    r2_less = int(np.sum(r2["R² (PLS)"] < r2["R² (CB-SEM)"]))
    text.append(f"PLS explains less variance than CB-SEM for {r2_less} of the {len(r2)} outcomes "
                f"(R² {', '.join(f'{name(o)} {a:.2f} vs {b:.2f}' for o, a, b in zip(r2['outcome'], r2['R² (PLS)'], r2['R² (CB-SEM)']))}).")
    lam_pls, lam_cb = load["Loading (PLS, mean)"].mean(), load["λ (CB-SEM, mean)"].mean()
    multi = load["items"] > 1
    rho = load.loc[multi, "ρA"] if multi.any() else load["ρA"]      # a single item's ρA is 1 by definition
    text.append(f"The reason is what each method relates: CB-SEM estimates paths between common factors, free of "
                f"measurement error, while PLS relates weighted sums of the items (composites) that keep the "
                f"items' error. A correlation between two composites is the factors' correlation shrunk by the "
                f"square root of the product of their reliabilities (ρA here {rho.min():.2f} to {rho.max():.2f}), "
                f"so the path from a single driver is attenuated and R² tends to be lower; with several correlated drivers the shrinkage also "
                f"redistributes weight between them, so a small path can come out larger. Conversely the PLS "
                f"loadings are inflated (mean {lam_pls:.2f} against {lam_cb:.2f} for CB-SEM's standardised "
                f"loadings), because each item is part of the composite it is correlated with.")
    if "p (PLS)" in paths:
        sig_pls, sig_cb = _significant(paths["p (PLS)"], alpha), _significant(paths["p (CB-SEM)"], alpha)
        differ = [f"{name(d)} → {name(o)} (significant by {'PLS' if a else 'CB-SEM'} only)"
                  for o, d, a, b in zip(paths["outcome"], paths["predictor"], sig_pls, sig_cb)
                  if a is not None and b is not None and a != b]
        level = f"{alpha:g}".lstrip("0")
        text.append(f"Significance at α = {level} differs for {'; '.join(differ)}: a path near the threshold "
                    "crosses it when its estimate shrinks or grows and the standard errors differ (PLS's come "
                    "from the bootstrap of the composites)."
                    if differ else f"Both methods agree on which paths are significant at α = {level}.")
    if "β (PLSc)" in paths:
        gap = np.nanmax(np.abs(paths["β (PLSc)"].to_numpy(float) - b_cb))
        text.append(f"Consistent PLS (PLSc), which corrects the composites' correlations by ρA, comes within "
                    f"{gap:.3f} of every CB-SEM path.")
    return " ".join(text)
