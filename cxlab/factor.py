"""Exploratory factor analysis the way R's ``psych`` does it.

Extraction (``minres``, ``ml``, ``pa``), rotation (``varimax``, ``promax``,
``oblimin``), sampling adequacy (KMO, Bartlett), parallel analysis and scree
data, written with numpy/scipy so that every step follows ``psych::fa`` 2.2.9
and ``GPArotation`` 2022.10-2 and is checked against them
(``tests/test_factor.py``, reference ``tests/data/bfi_efa.json``).

Conventions copied from psych, so results can be read side by side with R:

* minres minimises the unweighted least-squares residual over the
  uniquenesses (bounds 0.005..1) starting from ``1 - SMC``; ``ml`` minimises the
  factanal likelihood; ``pa`` iterates principal axes from SMCs until the sum
  of communalities changes by less than 0.001 (at most 50 iterations).
* ``varimax`` is R's ``stats::varimax`` (Kaiser normalisation, ``eps=1e-5``);
  ``oblimin`` is GPArotation's ``GPFoblq`` with ``gam=0``, no normalisation,
  ``eps=1e-5`` from the identity; ``promax`` is psych's Kaiser-normalised
  ``Promax`` (power 4).
* After rotation each factor is reflected so its loadings sum to a positive
  number, and factors are sorted by the variance they account for
  (``diag(Phi L'L)`` for oblique solutions). Factor labels keep psych's names
  (``MR``/``ML``/``PA`` + the position before sorting), e.g. ``MR2, MR1, ...``.

The uniquenesses are optimised exactly as psych calls R's ``optim``: L-BFGS-B on
psych's objective and gradient, ``parscale=0.01``, bounds 0.005..1, memory 5,
``factr=1e7``, at most 100 iterations (scipy runs the same L-BFGS-B code). On
the bfi reference this reproduces psych to ~1e-14, and it matters where the
optimum is not unique (e.g. ``omega``'s default 3 factors on 5 items), where a
tighter optimiser would land elsewhere on the set of exact fits (~3e-4 away in
omega hierarchical). Goodness-of-fit statistics (chi-square, RMSEA with its
interval, TLI, BIC) come from :func:`efa_fit`. Known differences from psych: no
factor scores yet;
``promax`` and ``pa`` follow psych's code but have no R reference here yet;
covariance-matrix input (psych ``covar=TRUE``) is not supported. factor-analyzer
is not used (its ``phi_`` is misordered, its oblique communalities are wrong,
and it breaks with scikit-learn >= 1.8).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ._validation import check_choice, check_ci, check_float, check_frame, check_int, param_error

__all__ = [
    "FactorResult",
    "ParallelAnalysisResult",
    "efa",
    "efa_from_corr",
    "unrotated_loadings",
    "kmo",
    "bartlett",
    "parallel_analysis",
    "scree",
    "loading_table",
    "DegenerateDataError",
    "ItemSelection",
    "drop_degenerate_items",
]

METHODS = ("minres", "ml", "pa")
ROTATIONS = ("none", "varimax", "promax", "oblimin")
MISSING = ("listwise", "pairwise")
_PREFIX = {"minres": "MR", "ml": "ML", "pa": "PA"}
_EPS = np.finfo(float).eps


# --------------------------------------------------------------------------- validation
def numeric_frame(data, caller: str, *, min_columns: int = 2) -> pd.DataFrame:
    check_frame(data, caller)
    bad = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise param_error("data", caller,
                          "hold numeric columns only", None,
                          got=f"non-numeric columns {bad}")
    if data.shape[1] < min_columns:
        raise param_error("data", caller,
                          f"have at least {min_columns} columns", None,
                          got=f"{data.shape[1]}")
    return data.astype(float)


class DegenerateDataError(ValueError):
    """Data a method cannot use, with the items at fault named.

    Items without any answer or with the same answer from everyone, too few complete
    rows, or perfectly collinear items (a singular correlation matrix).
    :func:`drop_degenerate_items` leaves out the first two kinds, with a note.
    """


def _degenerate_items(data: pd.DataFrame) -> dict[str, str]:
    """{item: why it is unusable} for items without answers or without variation."""
    out = {}
    for col in data.columns:
        answers = data[col].dropna()
        if answers.empty:
            out[col] = "no answers"
        elif answers.nunique() == 1:
            out[col] = f"the same answer from everyone ({answers.iloc[0]:g})"
    return out


def _check_degenerate(data: pd.DataFrame, caller: str) -> None:
    bad = _degenerate_items(data)
    if bad:
        raise DegenerateDataError(
            f"The 'data' parameter of {caller} must hold items whose answers vary. Got "
            + "; ".join(f"{c!r} with {why}" for c, why in bad.items())
            + " instead. Leave them out first (cxlab.factor.drop_degenerate_items does, with a note)."
        )


@dataclass(frozen=True, eq=False)
class ItemSelection:
    """The usable items and one note per item left out (unpacks as ``data, notes``).

    Attributes
    ----------
    data : DataFrame
        The items that can be analysed.
    notes : DataFrame
        ``item, reason``: one row per item left out.
    """

    data: pd.DataFrame
    notes: pd.DataFrame

    def __iter__(self):
        return iter((self.data, self.notes))


def drop_degenerate_items(data: pd.DataFrame) -> ItemSelection:
    """Leave out items that no method can use, and say which and why.

    An item without any answer, or with the same answer from every respondent, has no
    correlation with anything: KMO, Bartlett's test, EFA, parallel analysis and
    reliability refuse it (:class:`DegenerateDataError`). Call this first to analyse
    the other items and report the note.

    Parameters
    ----------
    data : DataFrame
        Numeric items.

    Returns
    -------
    ItemSelection
        ``data`` (the usable items, in their order) and ``notes`` (``item``, ``reason``).

    Examples
    --------
    >>> df = pd.DataFrame({"a": [1, 2, 3], "b": [4, 4, 4], "c": [None, None, None], "d": [3, 1, 2]})
    >>> kept, notes = drop_degenerate_items(df)
    >>> list(kept.columns)
    ['a', 'd']
    >>> notes.to_dict("records")
    [{'item': 'b', 'reason': 'the same answer from everyone (4)'}, {'item': 'c', 'reason': 'no answers'}]
    """
    if isinstance(data, pd.DataFrame):  # a column without any answer may have come in as text
        data = data.astype({c: float for c in data.columns if data[c].isna().all()})
    data = numeric_frame(data, "drop_degenerate_items", min_columns=1)
    bad = _degenerate_items(data)
    notes = pd.DataFrame({"item": list(bad), "reason": list(bad.values())}, columns=["item", "reason"])
    return ItemSelection(data.drop(columns=list(bad)), notes)


def _check_rank(r: np.ndarray, n_obs: int, columns, caller: str) -> None:
    """A singular correlation matrix (collinear items, or fewer rows than items) has no inverse."""
    if n_obs <= r.shape[0] or np.linalg.cond(r) > 1e12:
        raise param_error("data", caller,
                          "give an invertible correlation matrix", None,
                          got=f"a singular one ({n_obs} complete rows for {r.shape[0]} items "
                              f"{list(columns)}; items that are exact copies or sums of others, or"
                              " fewer rows than items, cause this)", exc=DegenerateDataError)


def corr_from_data(data: pd.DataFrame, missing: str, caller: str) -> tuple[pd.DataFrame, int]:
    """Pearson correlations and the number of observations behind them."""
    check_choice(missing, "missing", caller, MISSING)
    _check_degenerate(data, caller)
    if missing == "listwise":
        complete = data.dropna()
        n_obs = len(complete)
        if n_obs < 3:
            raise param_error("data", caller,
                              "have at least 3 complete rows", None,
                              got=f"{n_obs}", exc=DegenerateDataError)
        corr = complete.corr()
    else:
        n_obs = len(data)
        corr = data.corr(min_periods=3)
    zero = [c for c in corr.columns if not np.isfinite(corr.loc[c, c])]
    if zero or not np.isfinite(corr.to_numpy()).all():
        raise param_error("data", caller,
                          "have columns with non-zero variance and enough overlapping rows", None,
                          got=f"an undefined correlation for {zero or 'some pairs'}", exc=DegenerateDataError)
    return corr, n_obs


def _check_corr(corr, caller: str) -> pd.DataFrame:
    check_frame(corr, caller, "corr")
    values = corr.to_numpy(dtype=float)
    if (
        values.shape[0] != values.shape[1]
        or list(corr.index) != list(corr.columns)
        or not np.allclose(values, values.T, atol=1e-10)
        or not np.allclose(np.diag(values), 1.0, atol=1e-8)
    ):
        raise param_error("corr", caller,
                          "be a symmetric correlation matrix with matching row and column labels "
                          "and a unit diagonal", None,
                          got=f"a {values.shape} frame")
    if values.shape[0] < 2:
        raise param_error("corr", caller,
                          "have at least 2 variables", None,
                          got=f"{values.shape[0]}")
    return corr.astype(float)


# --------------------------------------------------------------------------- extraction
def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1/diag(R^-1)`` (psych::smc)."""
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    out = 1.0 - 1.0 / np.diag(inv)
    return np.clip(out, 0.0, 1.0)


def _eigh_desc(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    vals, vecs = np.linalg.eigh(m)
    return vals[::-1], vecs[:, ::-1]


def _loadings_uls(psi: np.ndarray, r: np.ndarray, nf: int) -> np.ndarray:
    """psych FAout.wls: principal axes of ``R`` with ``1 - psi`` on the diagonal."""
    s = r.copy()
    np.fill_diagonal(s, 1.0 - psi)
    vals, vecs = _eigh_desc(s)
    return vecs[:, :nf] * np.sqrt(np.maximum(vals[:nf], 0.0))


def _loadings_ml(psi: np.ndarray, r: np.ndarray, nf: int) -> np.ndarray:
    """psych/factanal FAout."""
    sc = 1.0 / np.sqrt(psi)
    vals, vecs = _eigh_desc(r * np.outer(sc, sc))
    load = vecs[:, :nf] * np.sqrt(np.maximum(vals[:nf] - 1.0, 0.0))
    return load * np.sqrt(psi)[:, None]


def _minres_objective(psi: np.ndarray, r: np.ndarray, nf: int) -> float:
    """psych ``fit.residuals`` for minres: squared off-diagonal residuals (lower triangle)."""
    s = r.copy()
    np.fill_diagonal(s, 1.0 - psi)
    vals, vecs = _eigh_desc(s)
    vals = np.where(vals < _EPS, 100 * _EPS, vals)
    load = vecs[:, :nf] * np.sqrt(vals[:nf])
    resid = (s - load @ load.T)[np.tril_indices(r.shape[0], -1)]
    return float(np.sum(resid**2))


def _minres_gradient(psi: np.ndarray, r: np.ndarray, nf: int) -> np.ndarray:
    """psych ``FAgr.minres``: the diagonal residual of the reduced matrix.

    It is the exact gradient of the full ULS discrepancy, whose minimiser is the
    minres solution (the diagonal is then reproduced exactly).
    """
    vals, vecs = _eigh_desc(r - np.diag(psi))
    load = vecs[:, :nf] * np.sqrt(np.maximum(vals[:nf], 0.0))
    return np.sum(load**2, axis=1) + psi - np.diag(r)


def _ml_objective(psi: np.ndarray, r: np.ndarray, nf: int) -> float:
    """factanal's ``FAfn``."""
    sc = 1.0 / np.sqrt(psi)
    e = _eigh_desc(r * np.outer(sc, sc))[0][nf:]
    return float(-(np.sum(np.log(e) - e) - nf + r.shape[0]))


def _ml_gradient(psi: np.ndarray, r: np.ndarray, nf: int) -> np.ndarray:
    """factanal's ``FAgr``."""
    load = _loadings_ml(psi, r, nf)
    return (np.sum(load**2, axis=1) + psi - np.diag(r)) / psi**2


def _extract(r: np.ndarray, nf: int, method: str) -> tuple[np.ndarray, int]:
    """Unrotated loadings, psych's ``fac`` extraction step; returns (loadings, iterations)."""
    if method == "pa":
        r_mat = r.copy()
        np.fill_diagonal(r_mat, smc(r))
        comm = np.trace(r_mat)
        err, it = comm, 0
        while err > 0.001:
            vals, vecs = _eigh_desc(r_mat)
            load = vecs[:, :nf] * np.sqrt(vals[:nf])
            new = np.sum(load**2, axis=1)
            comm1 = new.sum()
            np.fill_diagonal(r_mat, new)
            err = abs(comm - comm1)
            comm = comm1
            it += 1
            if it >= 50:
                break
        return load, it
    # psych: optim(start, fn, gr, method="L-BFGS-B", lower=.005, upper=1,
    # control=list(parscale=rep(.01, p))) with R's defaults (m=5, factr=1e7, maxit=100).
    # Reproducing the optimiser, not only the objective, matters where the optimum is
    # not unique (more factors than the data identify, e.g. omega's 3 factors on 5 items).
    start = np.clip(1.0 - smc(r), 0.005, 1.0)
    fun, jac = (
        (_minres_objective, _minres_gradient)
        if method == "minres"
        else (_ml_objective, _ml_gradient)
    )
    from scipy import optimize  # here: the run's study plan imports this module for drop_degenerate_items

    scale = 0.01
    res = optimize.minimize(
        lambda x: fun(x * scale, r, nf),
        start / scale,
        jac=lambda x: jac(x * scale, r, nf) * scale,
        method="L-BFGS-B",
        bounds=[(0.005 / scale, 1.0 / scale)] * r.shape[0],
        options={"maxcor": 5, "ftol": 1e7 * _EPS, "gtol": 0.0, "maxiter": 100},
    )
    psi = res.x * scale
    loader = _loadings_uls if method == "minres" else _loadings_ml
    return loader(psi, r, nf), int(res.nit)


# --------------------------------------------------------------------------- rotation
def _varimax(x: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """R's ``stats::varimax(x, normalize=TRUE, eps=1e-5)``: (loadings, rotmat)."""
    nc = x.shape[1]
    sc = np.sqrt(np.sum(x**2, axis=1))
    x = x / sc[:, None]
    p = x.shape[0]
    tt = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ tt
        b = x.T @ (z**3 - z @ np.diag(np.sum(z**2, axis=0)) / p)
        u, sv, vt = np.linalg.svd(b)
        tt = u @ vt
        dpast, d = d, np.sum(sv)
        if d < dpast * (1 + eps):
            break
    return (x @ tt) * sc[:, None], tt


def _oblimin_vgq(lam: np.ndarray) -> tuple[float, np.ndarray]:
    """GPArotation vgQ.oblimin with gam = 0 (quartimin)."""
    l2 = lam**2
    x = l2 @ (1.0 - np.eye(lam.shape[1]))
    return float(np.sum(l2 * x) / 4.0), lam * x


def gpf_oblq(a: np.ndarray, eps: float = 1e-5, maxit: int = 1000):
    """GPArotation ``GPFoblq`` (oblimin, identity start): (loadings, Phi, T, converged)."""
    tmat = np.eye(a.shape[1])
    al = 1.0
    lam = a @ np.linalg.inv(tmat).T
    f, gq = _oblimin_vgq(lam)
    g = -(lam.T @ gq @ np.linalg.inv(tmat)).T
    s = np.inf
    for _ in range(maxit + 1):
        gp = g - tmat @ np.diag(np.sum(tmat * g, axis=0))
        s = np.sqrt(np.sum(gp**2))
        if s < eps:
            break
        al *= 2.0
        for _ in range(11):
            x = tmat - al * gp
            tmatt = x / np.sqrt(np.sum(x**2, axis=0))
            lam = a @ np.linalg.inv(tmatt).T
            ft, gqt = _oblimin_vgq(lam)
            if f - ft > 0.5 * s**2 * al:
                break
            al /= 2.0
        tmat, f = tmatt, ft
        g = -(lam.T @ gqt @ np.linalg.inv(tmatt)).T
    return lam, tmat.T @ tmat, tmat, bool(s < eps)


def _promax(x: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych ``kaiser(x, rotate="Promax")``: (loadings, Phi)."""
    w = np.sqrt(np.sum(x**2, axis=1))
    xn = x / w[:, None]
    v, rot = _varimax(xn)
    q = v * np.abs(v) ** (m - 1)
    u = np.linalg.lstsq(v, q, rcond=None)[0]
    d = np.diag(np.linalg.inv(u.T @ u))
    u = u @ np.diag(np.sqrt(d))
    z = v @ u
    ui = np.linalg.inv(rot @ u)
    return z * w[:, None], ui @ ui.T


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class FactorResult:
    """An exploratory factor solution (psych ``fa`` layout, snake_case).

    Attributes
    ----------
    loadings : DataFrame
        Pattern loadings, items x factors, sorted and signed as psych does.
    structure : DataFrame
        Structure matrix ``loadings @ phi`` (equal to ``loadings`` when orthogonal).
    phi : DataFrame or None
        Factor correlations for oblique rotations (``promax``, ``oblimin``), else None.
    communalities : Series
        ``h2`` per item, ``diag(L Phi L')`` (invariant to rotation).
    uniquenesses : Series
        ``u2 = 1 - h2``.
    variance : DataFrame
        psych's ``Vaccounted``: rows ``ss_loadings``, ``proportion_var``,
        ``cumulative_var``, ``proportion_explained``, ``cumulative_proportion``.
    eigenvalues : DataFrame
        ``pc`` (eigenvalues of the correlation matrix, psych ``e.values``) and
        ``common`` (of the reduced matrix with communalities, psych ``values``).
    method, rotation : str
    n_obs : int or None
    converged : bool
        Whether the rotation met its tolerance (always True for ``none``).
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    phi: pd.DataFrame | None
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    eigenvalues: pd.DataFrame
    method: str
    rotation: str
    n_obs: int | None
    converged: bool


def efa_from_corr(
    corr: pd.DataFrame,
    n_factors: int,
    *,
    method: str = "minres",
    rotation: str = "oblimin",
    n_obs: int | None = None,
) -> FactorResult:
    """Exploratory factor analysis of a correlation matrix (e.g. polychoric).

    Parameters
    ----------
    corr : DataFrame
        Symmetric correlation matrix with the item names as index and columns.
    n_factors : int
        Number of factors, from 1 to the number of items minus 1.
    method : {"minres", "ml", "pa"}, default="minres"
        Extraction: minimum residual (ULS), maximum likelihood, principal axis.
    rotation : {"none", "varimax", "promax", "oblimin"}, default="oblimin"
    n_obs : int, optional
        Sample size behind ``corr`` (stored on the result only).

    Returns
    -------
    FactorResult

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame([[1, .5, .4, .1], [.5, 1, .45, .1], [.4, .45, 1, .1],
    ...                   [.1, .1, .1, 1]], index=list("abcd"), columns=list("abcd"))
    >>> res = efa_from_corr(r, 1)
    >>> res.loadings.round(2)
        MR1
    a  0.67
    b  0.75
    c  0.60
    d  0.15
    """
    caller = "efa_from_corr"
    corr = _check_corr(corr, caller)
    return _fit(corr, n_factors, method=method, rotation=rotation, n_obs=n_obs, caller=caller)


def unrotated_loadings(corr: np.ndarray, n_factors: int, *, method: str = "minres") -> np.ndarray:
    """Unrotated factor loadings of a correlation matrix as an array, for resampling loops.

    The extraction of :func:`efa_from_corr` alone: the same optimiser and arithmetic,
    each factor reflected so that its loadings sum positive (exact zeros become 1e-15),
    without the checks, frames and tables of a :class:`FactorResult`, which cost several
    times the extraction itself. With one factor (no rotation applies) the result equals
    ``efa_from_corr(corr, 1, method=method).loadings`` bit for bit. The caller checks
    ``corr`` (square, symmetric, unit diagonal).

    Parameters
    ----------
    corr : ndarray
        Correlation matrix, ``p x p``.
    n_factors : int
        Number of factors, from 1 to ``p - 1``.
    method : {"minres", "ml", "pa"}, default="minres"

    Returns
    -------
    ndarray
        ``p x n_factors`` loadings.

    Examples
    --------
    >>> r = np.array([[1, .5, .4, .1], [.5, 1, .45, .1], [.4, .45, 1, .1], [.1, .1, .1, 1]])
    >>> unrotated_loadings(r, 1).round(2).ravel().tolist()
    [0.67, 0.75, 0.6, 0.15]
    """
    check_choice(method, "method", "unrotated_loadings", METHODS)
    check_int(n_factors, "n_factors", "unrotated_loadings", low=1, high=corr.shape[0] - 1)
    load, _ = _extract(np.asarray(corr, dtype=float), int(n_factors), method)
    sign = np.sign(load.sum(axis=0))
    sign[sign == 0] = 1.0
    load = load * sign
    load[load == 0.0] = 1e-15
    return load


def efa(
    data: pd.DataFrame,
    n_factors: int,
    *,
    method: str = "minres",
    rotation: str = "oblimin",
    missing: str = "listwise",
) -> FactorResult:
    """Exploratory factor analysis of raw item data (Pearson correlations).

    Matches ``psych::fa(X, nfactors, fm=method, rotate=rotation)``; see the module
    notes for the conventions. For polychoric or other correlations use
    :func:`efa_from_corr`.

    Parameters
    ----------
    data : DataFrame
        One numeric column per item, one row per respondent.
    n_factors : int
        Number of factors, from 1 to the number of items minus 1.
    method : {"minres", "ml", "pa"}, default="minres"
    rotation : {"none", "varimax", "promax", "oblimin"}, default="oblimin"
    missing : {"listwise", "pairwise"}, default="listwise"
        Rows with a missing item are dropped, or correlations use pairwise
        complete cases (psych's default ``use="pairwise"``).

    Returns
    -------
    FactorResult
        ``loadings``, ``structure``, ``phi``, ``communalities``, ``uniquenesses``,
        ``variance`` (psych ``Vaccounted``), ``eigenvalues``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 2))
    >>> x = np.hstack([f[:, [0]] * .8, f[:, [0]] * .7, f[:, [0]] * .6,
    ...                f[:, [1]] * .8, f[:, [1]] * .7, f[:, [1]] * .6])
    >>> data = pd.DataFrame(x + rng.normal(scale=.6, size=x.shape),
    ...                     columns=["q1", "q2", "q3", "q4", "q5", "q6"])
    >>> res = efa(data, 2, rotation="varimax")
    >>> (res.loadings.abs().idxmax(axis=1) == ["MR1"] * 3 + ["MR2"] * 3).all()
    np.True_
    >>> res.phi is None
    True
    """
    caller = "efa"
    data = numeric_frame(data, caller)
    corr, n_obs = corr_from_data(data, missing, caller)
    return _fit(corr, n_factors, method=method, rotation=rotation, n_obs=n_obs, caller=caller)


def _fit(corr, n_factors, *, method, rotation, n_obs, caller) -> FactorResult:
    check_choice(method, "method", caller, METHODS)
    check_choice(rotation, "rotation", caller, ROTATIONS)
    p = corr.shape[0]
    check_int(n_factors, "n_factors", caller, low=1, high=p - 1)
    r = corr.to_numpy(dtype=float)
    items = list(corr.columns)
    nf = int(n_factors)

    # reflected so that each factor's loadings sum positive (psych, before rotation)
    load = unrotated_loadings(r, nf, method=method)
    model = load @ load.T
    h2 = np.diag(model).copy()

    phi = None
    converged = True
    rotated = load
    if nf > 1 and rotation == "varimax":
        rotated, _ = _varimax(load)
    elif nf > 1 and rotation == "promax":
        rotated, phi = _promax(load)
    elif nf > 1 and rotation == "oblimin":
        rotated, phi, _, converged = gpf_oblq(load)

    sign = np.sign(rotated.sum(axis=0))
    sign[sign == 0] = 1.0
    rotated = rotated * sign
    if phi is not None:
        phi = phi * np.outer(sign, sign)
    labels = [f"{_PREFIX[method]}{i + 1}" for i in range(nf)]
    if nf > 1:
        ev = np.diag(phi @ rotated.T @ rotated) if phi is not None else np.sum(rotated**2, axis=0)
        order = np.argsort(-ev, kind="stable")
        rotated = rotated[:, order]
        labels = [labels[i] for i in order]
        if phi is not None:
            phi = phi[np.ix_(order, order)]

    reduced = r.copy()
    np.fill_diagonal(reduced, h2)
    eig = pd.DataFrame(
        {"pc": _eigh_desc(r)[0], "common": _eigh_desc(reduced)[0]},
        index=pd.RangeIndex(1, p + 1, name="factor"),
    )
    if phi is None:
        vx = np.sum(rotated**2, axis=0)
        structure = rotated
    else:
        vx = np.diag(phi @ rotated.T @ rotated)
        structure = rotated @ phi
    u2 = np.diag(r) - h2
    vtotal = np.sum(h2 + u2)
    variance = pd.DataFrame(
        [vx, vx / vtotal, np.cumsum(vx / vtotal), vx / vx.sum(), np.cumsum(vx / vx.sum())],
        index=[
            "ss_loadings",
            "proportion_var",
            "cumulative_var",
            "proportion_explained",
            "cumulative_proportion",
        ],
        columns=labels,
    )
    return FactorResult(
        loadings=pd.DataFrame(rotated, index=items, columns=labels),
        structure=pd.DataFrame(structure, index=items, columns=labels),
        phi=None if phi is None else pd.DataFrame(phi, index=labels, columns=labels),
        communalities=pd.Series(h2, index=items, name="communality"),
        uniquenesses=pd.Series(u2, index=items, name="uniqueness"),
        variance=variance,
        eigenvalues=eig,
        method=method,
        rotation=rotation if nf > 1 else "none",
        n_obs=n_obs,
        converged=converged,
    )


# --------------------------------------------------------------------------- adequacy
@dataclass(frozen=True, eq=False)
class KMOResult:
    """Kaiser–Meyer–Olkin measure: the overall MSA and each item's (unpacks as a pair).

    Attributes
    ----------
    overall : float
        Overall MSA.
    per_item : Series
        MSA of each item, named ``msa``.
    """

    overall: float
    per_item: pd.Series

    def __iter__(self):
        return iter((self.overall, self.per_item))

    def to_frame(self) -> pd.DataFrame:
        """One row per item (``msa``), then ``overall``."""
        return pd.concat([self.per_item, pd.Series({"overall": self.overall}, name="msa")]).to_frame()


@dataclass(frozen=True)
class BartlettResult:
    """Bartlett's test of sphericity (unpacks as ``chisq, df, pvalue``).

    Attributes
    ----------
    chisq : float
    df : int
    pvalue : float
    """

    chisq: float
    df: int
    pvalue: float

    def __iter__(self):
        return iter((self.chisq, self.df, self.pvalue))

    def to_frame(self) -> pd.DataFrame:
        """One row, ``bartlett``, with ``chisq``, ``df`` and ``pvalue``."""
        return pd.DataFrame([dataclasses.asdict(self)], index=["bartlett"])


def kmo(data: pd.DataFrame, *, missing: str = "listwise") -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy (psych ``KMO``).

    Parameters
    ----------
    data : DataFrame
        Numeric items.
    missing : {"listwise", "pairwise"}, default="listwise"

    Returns
    -------
    KMOResult
        ``overall``, the overall MSA (>= 0.8 is "meritorious", < 0.5 "unacceptable",
        Kaiser 1974), and ``per_item``, the MSA of each item (``MSAi``); unpacks as
        ``overall, per_item``; ``.to_frame()`` gives one table.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> data = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> overall, per_item = kmo(data)
    >>> round(overall, 2), per_item.round(2).tolist()
    (0.78, [0.76, 0.79, 0.8, 0.78])
    >>> kmo(data).to_frame().round(2)["msa"].tolist()
    [0.76, 0.79, 0.8, 0.78, 0.78]
    """
    data = numeric_frame(data, "kmo")
    corr, n_obs = corr_from_data(data, missing, "kmo")
    r = corr.to_numpy()
    _check_rank(r, n_obs, corr.columns, "kmo")
    q = np.linalg.inv(r)
    d = 1.0 / np.sqrt(np.diag(q))
    partial = q * np.outer(d, d)
    np.fill_diagonal(partial, 0.0)
    r0 = r.copy()
    np.fill_diagonal(r0, 0.0)
    overall = np.sum(r0**2) / (np.sum(r0**2) + np.sum(partial**2))
    per = np.sum(r0**2, axis=0) / (np.sum(r0**2, axis=0) + np.sum(partial**2, axis=0))
    return KMOResult(float(overall), pd.Series(per, index=corr.columns, name="msa"))


def bartlett(data: pd.DataFrame, *, missing: str = "listwise") -> BartlettResult:
    """Bartlett's test of sphericity (psych ``cortest.bartlett(cor(X), n)``).

    ``chisq = -(n - 1 - (2p + 5) / 6) * log|R|`` with ``p(p - 1)/2`` degrees of
    freedom; a small p-value says the items are correlated enough to factor.

    Returns
    -------
    BartlettResult
        ``chisq``, ``df`` and ``pvalue``; unpacks in that order; ``.to_frame()`` gives
        a one-row table.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> data = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> chisq, df, p = bartlett(data)
    >>> round(chisq, 1), df, p < 0.001
    (313.4, 6, True)
    >>> bartlett(data).to_frame().round(1)
              chisq  df  pvalue
    bartlett  313.4   6     0.0
    """
    data = numeric_frame(data, "bartlett")
    corr, n = corr_from_data(data, missing, "bartlett")
    _check_rank(corr.to_numpy(), n, corr.columns, "bartlett")
    p = corr.shape[0]
    _, logdet = np.linalg.slogdet(corr.to_numpy())
    chisq = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    from scipy import stats

    return BartlettResult(float(chisq), int(df), float(stats.chi2.sf(chisq, df)))


def adequacy_table(data: pd.DataFrame, *, missing: str = "listwise") -> pd.DataFrame:
    """KMO (overall and the lowest item's) and Bartlett's test as one table for a report.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> data = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> adequacy_table(data)["value"].round(2).tolist()
    [0.78, 0.76, 313.39, 6.0, 0.0]
    """
    k, b = kmo(data, missing=missing), bartlett(data, missing=missing)
    lowest = k.per_item.idxmin()
    return pd.DataFrame({
        "statistic": ["KMO (overall)", f"lowest item KMO ({lowest})", "Bartlett chi-square", "Bartlett df",
                      "Bartlett p-value"],
        "value": [k.overall, k.per_item.min(), b.chisq, float(b.df), b.pvalue]})


# --------------------------------------------------------------------------- number of factors
def _fa1_values(r: np.ndarray) -> np.ndarray:
    """Eigenvalues of ``R`` reduced by a one-factor minres fit (psych ``fa(r)$values``)."""
    load, _ = _extract(r, 1, "minres")
    reduced = r.copy()
    np.fill_diagonal(reduced, np.sum(load**2, axis=1))
    return _eigh_desc(reduced)[0]


def scree(data: pd.DataFrame, *, missing: str = "listwise") -> pd.DataFrame:
    """Scree data: eigenvalues of the correlation matrix and of the reduced matrix.

    Returns
    -------
    DataFrame
        Indexed by ``factor`` (1..p) with columns ``pc`` (eigenvalues of the
        correlation matrix) and ``fa`` (eigenvalues after a one-factor minres fit
        puts communalities on the diagonal, as ``psych::scree``/``fa.parallel``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> data = pd.DataFrame(f + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> scree(data).round(2)
              pc    fa
    factor
    1       2.42  1.90
    2       0.60  0.03
    3       0.52  0.02
    4       0.46 -0.05
    """
    data = numeric_frame(data, "scree")
    corr, _ = corr_from_data(data, missing, "scree")
    r = corr.to_numpy()
    return pd.DataFrame(
        {"pc": _eigh_desc(r)[0], "fa": _fa1_values(r)},
        index=pd.RangeIndex(1, r.shape[0] + 1, name="factor"),
    )


@dataclass(frozen=True)
class ParallelAnalysisResult:
    """Horn's parallel analysis (psych ``fa.parallel``, ``fa="fa"`` semantics).

    Attributes
    ----------
    n_factors : int
        Suggested number of factors: how many leading observed ``fa`` eigenvalues
        exceed the mean eigenvalue of simulated normal data (psych ``nfact``).
    n_components : int
        The same rule applied to principal-component eigenvalues (psych ``ncomp``).
    eigenvalues : DataFrame
        Indexed by ``factor`` (1..p): ``fa_observed``, ``fa_simulated``,
        ``fa_resampled``, ``pc_observed``, ``pc_simulated``, ``pc_resampled``
        (means over iterations) and ``fa_simulated_sd``, ``fa_resampled_sd``
        (standard deviations across iterations).
    n_iter : int
    seed : int or None
    """

    n_factors: int
    n_components: int
    eigenvalues: pd.DataFrame
    n_iter: int
    seed: int | None


def parallel_analysis(
    data: pd.DataFrame, *, n_iter: int = 100, seed: int | None = None
) -> ParallelAnalysisResult:
    """Parallel analysis for the number of factors, as ``psych::fa.parallel``.

    Each iteration (1) simulates standard normal data of the same shape and
    (2) resamples every column independently with replacement; both give
    eigenvalues of the correlation matrix and of the matrix reduced by a
    one-factor minres fit. The suggestion counts the leading observed reduced
    eigenvalues that are larger than the simulated means, as psych does for
    ``fa="fa"``. Rows with missing items are dropped first. psych uses R's random
    numbers, so simulated values agree only up to Monte-Carlo error.

    Parameters
    ----------
    data : DataFrame
        Numeric items (raw data, not a correlation matrix).
    n_iter : int, default=100
        Number of simulated and of resampled data sets.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for reproducible results.

    Returns
    -------
    ParallelAnalysisResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(400, 2))
    >>> x = np.repeat(f, 3, axis=1) + rng.normal(size=(400, 6))
    >>> res = parallel_analysis(pd.DataFrame(x), n_iter=10, seed=1)
    >>> res.n_factors
    2
    """
    caller = "parallel_analysis"
    data = numeric_frame(data, caller)
    check_int(n_iter, "n_iter", caller, low=1)
    check_int(seed, "seed", caller, allow_none=True, must="an int or None")
    _check_degenerate(data, caller)
    complete = data.dropna()
    _check_degenerate(complete, caller)  # an item may vary only in rows that other items leave incomplete
    x = complete.to_numpy()
    n, p = x.shape
    if n < 3:
        raise param_error("data", caller,
                          "have at least 3 complete rows", None,
                          got=f"{n}", exc=DegenerateDataError)
    r = np.corrcoef(x, rowvar=False)
    fa_obs = _fa1_values(r)
    pc_obs = _eigh_desc(r)[0]
    rng = np.random.default_rng(seed)
    out = {k: np.empty((n_iter, p)) for k in ("fa_sim", "fa_res", "pc_sim", "pc_res")}
    for i in range(n_iter):
        while True:  # psych resamples again if a column comes out constant
            idx = rng.integers(0, n, size=(n, p))
            xs = np.take_along_axis(x, idx, axis=0)
            if np.all(xs.std(axis=0) > 0):
                break
        c = np.corrcoef(xs, rowvar=False)
        out["pc_res"][i] = _eigh_desc(c)[0]
        out["fa_res"][i] = _fa1_values(c)
        c = np.corrcoef(rng.standard_normal((n, p)), rowvar=False)
        out["pc_sim"][i] = _eigh_desc(c)[0]
        out["fa_sim"][i] = _fa1_values(c)
    ddof = 1 if n_iter > 1 else 0
    table = pd.DataFrame(
        {
            "fa_observed": fa_obs,
            "fa_simulated": out["fa_sim"].mean(axis=0),
            "fa_resampled": out["fa_res"].mean(axis=0),
            "pc_observed": pc_obs,
            "pc_simulated": out["pc_sim"].mean(axis=0),
            "pc_resampled": out["pc_res"].mean(axis=0),
            "fa_simulated_sd": out["fa_sim"].std(axis=0, ddof=ddof),
            "fa_resampled_sd": out["fa_res"].std(axis=0, ddof=ddof),
        },
        index=pd.RangeIndex(1, p + 1, name="factor"),
    )

    def _count(obs, ref):
        below = np.flatnonzero(~(obs > ref))
        return int(below[0]) if below.size else len(obs)

    return ParallelAnalysisResult(
        n_factors=_count(fa_obs, table["fa_simulated"].to_numpy()),
        n_components=_count(pc_obs, table["pc_simulated"].to_numpy()),
        eigenvalues=table,
        n_iter=int(n_iter),
        seed=seed,
    )


# --------------------------------------------------------------------------- presentation
def loading_table(result: FactorResult, *, cutoff: float = 0.3) -> pd.DataFrame:
    """Loadings sorted for reading: items grouped by their main factor.

    Items are ordered by the factor with their largest absolute loading, and
    within a factor by decreasing absolute loading (psych ``fa.sort``). Loadings
    with absolute value below ``cutoff`` become NaN (shown blank with
    ``df.style.format(na_rep="")``). The last columns are ``h2`` (communality)
    and ``u2`` (uniqueness), never blanked.

    Parameters
    ----------
    result : FactorResult
    cutoff : float, default=0.3
        In [0, 1).

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame([[1, .6, .5, .1, .15, .1], [.6, 1, .45, .1, .1, .05],
    ...                   [.5, .45, 1, .2, .1, .1], [.1, .1, .2, 1, .5, .4],
    ...                   [.15, .1, .1, .5, 1, .35], [.1, .05, .1, .4, .35, 1]],
    ...                  index=list("abcdef"), columns=list("abcdef"))
    >>> loading_table(efa_from_corr(r, 2, rotation="varimax")).round(2)
        MR1   MR2    h2    u2
    a  0.81   NaN  0.66  0.34
    b  0.74   NaN  0.54  0.46
    c  0.60   NaN  0.38  0.62
    d   NaN  0.77  0.59  0.41
    e   NaN  0.64  0.42  0.58
    f   NaN  0.53  0.28  0.72
    """
    _check_result(result, "loading_table")
    check_float(cutoff, "cutoff", "loading_table", low=0, high=1, closed="left")
    lo = result.loadings
    main = lo.abs().to_numpy().argmax(axis=1)
    peak = lo.abs().to_numpy().max(axis=1)
    order = np.lexsort((-peak, main))
    table = lo.iloc[order].where(lo.iloc[order].abs() >= cutoff)
    table["h2"] = result.communalities.iloc[order]
    table["u2"] = result.uniquenesses.iloc[order]
    return table


# --------------------------------------------------------------------------- goodness of fit
__all__ += ["efa_fit", "dimension_recovery", "describe_structure", "describe_items", "usable_blocks", "adequacy_table", "KMOResult", "BartlettResult"]


def _check_result(result, caller: str) -> None:
    if not isinstance(result, FactorResult):
        raise param_error("result", caller, "be a FactorResult", result, exc=TypeError,
                          got=type(result).__name__)


def _noncentrality(chisq: float, df: float, target: float) -> float:
    """The non-centrality ``lam`` with ``P(chi2_df(lam) <= chisq) == target`` (0 if none)."""
    from scipy import optimize, stats

    if stats.chi2.cdf(chisq, df) <= target:
        return 0.0
    upper = max(chisq, 1.0) * 4 + 100.0
    while stats.ncx2.cdf(chisq, df, upper) > target:
        upper *= 2
    return float(optimize.brentq(lambda lam: stats.ncx2.cdf(chisq, df, lam) - target,
                                 0.0, upper, xtol=1e-12, rtol=1e-14))


def efa_fit(
    result: FactorResult,
    data: pd.DataFrame | None = None,
    *,
    corr: pd.DataFrame | None = None,
    n_obs: int | None = None,
    missing: str = "listwise",
    ci: float = 0.90,
) -> pd.Series:
    """Goodness-of-fit statistics of an EFA solution, as ``psych::fa`` reports them.

    psych's ``fa.stats`` (2.2.9) compares the correlation matrix ``R`` with the
    model ``L Phi L'`` whose diagonal is set to 1:

    * ``objective = tr(M^-1 R) - log det(M^-1 R) - p`` (the ML discrepancy);
    * ``chisq = objective * (N - 1 - (2p + 5)/6 - 2k/3)`` (Bartlett's correction, as
      ``factanal``), ``df = p(p-1)/2 - pk + k(k-1)/2``, ``pvalue`` from chi-square;
    * ``rms``: root mean square of the off-diagonal residuals ``R - L Phi L'``;
    * ``rmsea = sqrt(max(chisq / (df N) - 1 / (N - 1), 0))`` and its interval from
      the non-central chi-square, ``sqrt(lam / ((N - 1) df))`` (a bound that does
      not contain the estimate is NaN, as in psych);
    * ``tli`` (Tucker–Lewis) from the objective of the model and of the null model
      (``F0 = -log det R``): ``(M0 - Mm) / (M0 - 1/nm)`` with ``Mm = objective/df``,
      ``M0 = F0 / (p(p-1)/2)``, ``nm = N - 1 - (2p + 5)/6 - 2k/3``;
    * ``bic = chisq - df log N``; ``null_chisq = F0 (N - 1 - (2p + 5)/6)``.

    The statistics are the same for every rotation of one extraction. Known
    differences from psych: no ``cor.smooth`` of a non-positive-definite matrix (a
    ValueError instead), and with ``missing="pairwise"`` N is the number of rows
    (psych additionally weights its *empirical* chi-square by pairwise counts,
    which is not reported here).

    Parameters
    ----------
    result : FactorResult
        From :func:`efa` or :func:`efa_from_corr`.
    data : DataFrame, optional
        The item data the solution was fitted to (its columns include the items of
        ``result.loadings``). Give either ``data`` or ``corr``.
    corr : DataFrame, optional
        The correlation matrix the solution was fitted to.
    n_obs : int, optional
        Sample size; default ``result.n_obs`` (or the rows of ``data`` used).
    missing : {"listwise", "pairwise"}, default="listwise"
        How ``data`` is turned into correlations (as in :func:`efa`).
    ci : float, default=0.90
        Confidence level of the RMSEA interval (psych's ``alpha=.1``).

    Returns
    -------
    Series
        Indexed by ``objective, chisq, df, pvalue, rms, rmsea, rmsea_ci_lower,
        rmsea_ci_upper, tli, bic, null_chisq, null_df, n_obs``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 2))
    >>> x = np.repeat(f, 3, axis=1) + rng.normal(size=(500, 6))
    >>> data = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> stats_ = efa_fit(efa(data, 2), data)
    >>> stats_[["chisq", "df", "rmsea", "rmsea_ci_upper", "tli"]].round(3)
    chisq             4.799
    df                4.000
    rmsea             0.020
    rmsea_ci_upper    0.073
    tli               0.995
    dtype: float64
    """
    caller = "efa_fit"
    _check_result(result, caller)
    if (data is None) == (corr is None):
        raise ValueError(
            f"The 'data' and 'corr' parameters of {caller} are alternatives: give exactly one. "
            f"Got {'both' if data is not None else 'neither'} instead."
        )
    check_ci(ci, caller)
    items = list(result.loadings.index)
    if data is not None:
        check_frame(data, caller)
        absent = [c for c in items if c not in data.columns]
        if absent:
            raise param_error("data", caller,
                              "hold every item of the solution", None,
                              got=f"no columns {absent}")
        r_frame, rows = corr_from_data(numeric_frame(data[items], caller), missing, caller)
    else:
        r_frame = _check_corr(corr, caller)
        absent = [c for c in items if c not in r_frame.columns]
        if absent:
            raise param_error("corr", caller,
                              "hold every item of the solution", None,
                              got=f"no rows/columns {absent}")
        r_frame, rows = r_frame.loc[items, items], None
    n = n_obs if n_obs is not None else (result.n_obs if result.n_obs is not None else rows)
    if n is None:
        raise param_error("n_obs", caller,
                          "be given when the result carries no sample size", None,
                          got="None")
    check_int(n, "n_obs", caller, low=3)
    r = r_frame.to_numpy(dtype=float)
    p, k = result.loadings.shape
    lam = result.loadings.to_numpy()
    phi = np.eye(k) if result.phi is None else result.phi.to_numpy()
    model = lam @ phi @ lam.T
    resid = r - model
    np.fill_diagonal(resid, 0.0)
    rms = float(np.sqrt(np.sum(resid**2) / (p * (p - 1))))
    np.fill_diagonal(model, np.diag(r))
    if np.linalg.eigvalsh(r).min() <= 0 or np.linalg.eigvalsh(model).min() <= 0:
        raise param_error("result", caller,
                          "come from a positive-definite correlation matrix with a "
                          "positive-definite model matrix", None,
                          got="a singular matrix")
    m_inv_r = np.linalg.solve(model, r)
    objective = float(np.trace(m_inv_r) - np.linalg.slogdet(m_inv_r)[1] - p)
    df = p * (p - 1) / 2 - p * k + k * (k - 1) / 2
    nm = (n - 1) - (2 * p + 5) / 6 - 2 * k / 3
    chisq = max(objective * nm, 0.0)
    from scipy import stats

    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    f0 = float(np.trace(r) - np.linalg.slogdet(r)[1] - p)
    null_df = p * (p - 1) / 2
    null_chisq = f0 * ((n - 1) - (2 * p + 5) / 6)
    tli = rmsea = lower = upper = bic = np.nan
    if df > 0:
        tli = ((f0 / null_df) - objective / df) / ((f0 / null_df) - 1 / nm)
        rmsea = float(np.sqrt(max(chisq / (df * n) - 1 / (n - 1), 0.0)))
        tail = (1 - ci) / 2
        upper = np.sqrt(_noncentrality(chisq, df, tail) / ((n - 1) * df))
        lower = np.sqrt(_noncentrality(chisq, df, 1 - tail) / ((n - 1) * df))
        upper = upper if upper >= rmsea else np.nan
        lower = lower if lower <= rmsea else np.nan
        bic = chisq - df * np.log(n)
    return pd.Series(
        {"objective": objective, "chisq": chisq, "df": df, "pvalue": pvalue, "rms": rms,
         "rmsea": rmsea, "rmsea_ci_lower": lower, "rmsea_ci_upper": upper, "tli": tli,
         "bic": bic, "null_chisq": null_chisq, "null_df": null_df, "n_obs": float(n)}
    )


def dimension_recovery(result: FactorResult, dimensions) -> pd.DataFrame:
    """Does the EFA put each intended dimension's items on one factor of their own?

    Each item is assigned to the factor of its largest absolute loading. A
    dimension is *recovered* when all its items share one factor and no other
    dimension's items are assigned to that factor.

    Parameters
    ----------
    result : FactorResult
    dimensions : mapping
        Dimension name -> its item columns (as in ``result.loadings.index``).

    Returns
    -------
    DataFrame
        Indexed by ``dimension``: ``factor`` (the factor most of its items load on),
        ``n_items``, ``n_on_factor``, ``min_loading`` (smallest absolute loading of
        its items on that factor), ``max_cross_loading`` (largest absolute loading of
        its items on any other factor), ``shared_with`` (other dimensions with items
        on that factor, comma-separated, or empty) and ``recovered`` (bool).

    Examples
    --------
    >>> import pandas as pd
    >>> r = pd.DataFrame([[1, .6, .5, .1, .15, .1], [.6, 1, .45, .1, .1, .05],
    ...                   [.5, .45, 1, .2, .1, .1], [.1, .1, .2, 1, .5, .4],
    ...                   [.15, .1, .1, .5, 1, .35], [.1, .05, .1, .4, .35, 1]],
    ...                  index=list("abcdef"), columns=list("abcdef"))
    >>> res = efa_from_corr(r, 2, rotation="varimax")
    >>> dimension_recovery(res, {"A": ["a", "b", "c"], "D": ["d", "e", "f"]})[["factor", "recovered"]]
              factor  recovered
    dimension
    A            MR1       True
    D            MR2       True
    """
    caller = "dimension_recovery"
    _check_result(result, caller)
    lo = result.loadings.abs()
    if not hasattr(dimensions, "items") or not dimensions:
        raise param_error("dimensions", caller, "be a non-empty mapping of dimension to items", dimensions)
    absent = [i for items in dimensions.values() for i in items if i not in lo.index]
    if absent:
        raise param_error("dimensions", caller,
                          "name items of the solution", None,
                          got=f"unknown items {absent}")
    main = lo.idxmax(axis=1)
    owner = {i: d for d, items in dimensions.items() for i in items}
    rows = []
    for dim, items in dimensions.items():
        items = list(items)
        fac = main[items].value_counts().index[0]
        others = sorted({owner[i] for i in main.index[main == fac] if i in owner and owner[i] != dim},
                        key=list(dimensions).index)
        on = int((main[items] == fac).sum())
        rows.append({
            "dimension": dim, "factor": fac, "n_items": len(items), "n_on_factor": on,
            "min_loading": float(lo.loc[items, fac].min()),
            "max_cross_loading": float(lo.loc[items].drop(columns=fac).to_numpy().max())
            if lo.shape[1] > 1 else 0.0,
            "shared_with": ", ".join(others), "recovered": on == len(items) and not others,
        })
    return pd.DataFrame(rows).set_index("dimension")


def describe_structure(recovery: pd.DataFrame, *, labels: Callable[[str], str] | None = None) -> str:
    """A sentence on how well the exploratory factors recover the intended constructs.

    Parameters
    ----------
    recovery : DataFrame
        :func:`dimension_recovery` output.
    labels : callable, optional
        Display label of a construct name (e.g. ``Codebook.label``).

    Examples
    --------
    >>> import pandas as pd
    >>> rec = pd.DataFrame({"factor": ["MR1", "MR1"], "n_items": [3, 2], "n_on_factor": [3, 2],
    ...                     "min_loading": [.6, .5], "max_cross_loading": [.2, .3], "shared_with": ["B", "A"],
    ...                     "recovered": [False, False]}, index=pd.Index(["A", "B"], name="dimension"))
    >>> print(describe_structure(rec))
    **Structure.** The exploratory factor analysis recovers 0 of 2 constructs; not recovered: A (3 of 3 items on MR1, shared with B); B (2 of 2 items on MR1, shared with A).
    """
    from ._text import md, number

    def name(x):
        return md(labels(x) if labels else x)

    ok = recovery["recovered"]
    if ok.all():
        return (f"**Structure.** The exploratory factor analysis recovers all {len(recovery)} constructs: "
                "every item loads most strongly on its own construct's factor (smallest main loading "
                f"{number(recovery['min_loading'].min())}, largest cross-loading "
                f"{number(recovery['max_cross_loading'].max())}).")
    bad = "; ".join(f"{name(d)} ({r.n_on_factor} of {r.n_items} items on {md(r.factor)}"
                    + (f", shared with {', '.join(name(x.strip()) for x in r.shared_with.split(','))}"
                       if r.shared_with else "") + ")"
                    for d, r in recovery[~ok].iterrows())
    return (f"**Structure.** The exploratory factor analysis recovers {int(ok.sum())} of "
            f"{len(recovery)} constructs; not recovered: {bad}.")


def describe_items(blocks, *, labels: Callable[[str], str] | None = None) -> str:
    """One sentence naming the constructs analysed and their number of items.

    >>> describe_items({"IMAG": ["i1", "i2", "i3"], "CUSA": ["s1", "s2"]}, labels=lambda n: n.title())
    'The analysis covers 5 items of 2 constructs: Imag (3 items), Cusa (2 items).'
    >>> describe_items({"IMAG": ["i1", "i2", "i3"]})
    'The analysis covers 3 items of 1 construct: IMAG (3 items).'
    """
    from ._text import md

    def name(x):
        return md(labels(x) if labels else x)

    n_items = sum(len(v) for v in blocks.values())
    plural = "s" if len(blocks) != 1 else ""
    return (f"The analysis covers {n_items} items of {len(blocks)} construct{plural}: "
            + ", ".join(f"{name(k)} ({len(v)} items)" for k, v in blocks.items()) + ".")


def usable_blocks(data: pd.DataFrame, blocks) -> tuple[dict[str, list[str]], str]:
    """The constructs' items that can be analysed, and a sentence on those left out.

    Items without answers or with one answer from everyone are dropped
    (:func:`drop_degenerate_items`); a construct left with fewer than two items is
    dropped too. The sentence is empty when nothing was left out.

    Examples
    --------
    >>> df = pd.DataFrame({"a1": [1, 2, 3, 4], "a2": [2, 2, 4, 3], "b1": [5, 5, 5, 5], "b2": [1, 3, 2, 4]})
    >>> kept, note = usable_blocks(df, {"A": ["a1", "a2"], "B": ["b1", "b2"]})
    >>> kept
    {'A': ['a1', 'a2']}
    >>> print(note)
    Left out: b1 (the same answer from everyone (5)); construct B (fewer than two usable items).
    """
    from ._text import md

    items = [i for cols in blocks.values() for i in cols]
    kept, notes = drop_degenerate_items(data[items])
    usable = {k: [i for i in v if i in kept.columns] for k, v in blocks.items()}
    short = [k for k, v in usable.items() if len(v) < 2]
    parts = [f"{md(r.item)} ({r.reason})" for r in notes.itertuples()]
    parts += [f"construct {md(k)} (fewer than two usable items)" for k in short]
    return {k: v for k, v in usable.items() if k not in short}, ("Left out: " + "; ".join(parts) + "." if parts else "")
