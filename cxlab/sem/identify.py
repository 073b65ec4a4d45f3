"""Identification before estimation: the rank of the Jacobian of the implied moments.

A model is (locally) identified when no direction of its free parameters leaves the
implied moments (variances, covariances and, with a mean structure, means) unchanged,
i.e. when the Jacobian of the moments with respect to the free parameters has full
column rank. The rank is taken at two points near the start values, perturbed at random
(fixed seed) so that zeros in the start values (covariances, regressions) do not make an
identified model look rank deficient; the numerical rank uses the singular values of the
column-normalised Jacobian (relative tolerance :data:`RANK_TOL`). A deficient rank is
refused with :class:`NotIdentifiedError` naming the parameters of the null space.
Formative constructs (``f <~ x1 + x2``) are checked first by the rules of MacCallum &
Browne (1993) (:func:`check_formative`), so that the error names the construct.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from cxlab.sem import fit
>>> rng = np.random.default_rng(0)
>>> f = rng.normal(size=300)
>>> df = pd.DataFrame({f"x{i}": f + rng.normal(size=300) for i in (1, 2, 3, 4)})
>>> try:
...     fit(df, "f =~ NA*x1 + x2 + x3 + x4")
... except ValueError as err:
...     print(err.parameters)
['f =~ x1', 'f =~ x2', 'f =~ x3', 'f =~ x4', 'f ~~ f']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["NotIdentifiedError", "check_identified", "check_formative", "parameter_names", "n_moments", "RANK_TOL"]

#: singular values below this fraction of the largest count as zero
RANK_TOL = 1e-8
#: a parameter belongs to the non-identified set when its share of a null vector exceeds this
NULL_TOL = 1e-4


class NotIdentifiedError(ValueError):
    """The model is not identified; ``parameters`` names the free parameters involved."""

    def __init__(self, message: str, parameters=()):
        super().__init__(message)
        self.parameters = list(parameters)


def check_formative(pt: pd.DataFrame) -> None:
    """Refuse a formative construct whose weights cannot be identified, naming it.

    A composite ``f <~ x1 + x2`` is known only through what it affects: it needs at least
    one outgoing path (a regression on it, ``y ~ f``, or a loading ``g =~ f``), and at
    least two when its residual variance is free (``f ~~ f``; MacCallum & Browne 1993).
    Other deficiencies are left to the rank check of :func:`check_identified`.

    :func:`cxlab.sem.syntax.build_partable` runs it on every table with a composite:

    >>> from cxlab.sem.syntax import build_partable, parse_model
    >>> try:
    ...     build_partable(parse_model("f <~ x1 + x2; y ~ z"))
    ... except NotIdentifiedError as err:
    ...     print(err.parameters)
    ['f <~ x2']
    """
    weights = pt[pt["op"] == "<~"]
    for f in dict.fromkeys(weights["lhs"]):
        out = pt[(pt["rhs"] == f) & pt["op"].isin(["~", "=~", "<~"])]
        var = pt[(pt["op"] == "~~") & (pt["lhs"] == f) & (pt["rhs"] == f)]
        free_var = bool(len(var)) and bool((var["free"] > 0).any())
        need = 2 if free_var else 1
        if len(out) < need:
            written = f"{f} <~ " + " + ".join(weights.loc[weights["lhs"] == f, "rhs"])
            involved = [f"{r.lhs} <~ {r.rhs}" for r in weights[(weights["lhs"] == f) & (weights["free"] > 0)]
                        .itertuples(index=False)] + ([f"{f} ~~ {f}"] if free_var else [])
            raise NotIdentifiedError(
                f"The formative construct {f!r} ({written}) is not identified: its weights are estimated from "
                f"its effects, and it has {len(out)} outgoing path(s) where it needs {need}"
                + (" (its residual variance is free)" if free_var else "")
                + f". Add regressions on it ('y ~ {f}')" + (f", or fix its residual variance ('{f} ~~ 0*{f}')"
                                                            if free_var else "") + ".", involved)


def n_moments(p: int, px: int = 0, means: bool = False) -> int:
    """Sample moments of one group a model is fitted to (fixed.x covariate moments do not count).

    >>> n_moments(9), n_moments(4, 1, means=True)
    (45, 12)
    """
    return p * (p + 1) // 2 - px * (px + 1) // 2 + ((p - px) if means else 0)


def parameter_names(pt: pd.DataFrame) -> list[str]:
    """Name of each free parameter (``lhs op rhs`` of its first row; labels and groups added)."""
    names = {}
    has_group = "group" in pt.columns and pt["group"].nunique() > 1
    for row in pt.itertuples(index=False):
        if row.free > 0 and row.free not in names:
            name = f"{row.lhs} {row.op} {row.rhs}".strip()
            if row.label:
                name += f" ({row.label})"
            if has_group:
                name += f" [group {row.group}]"
            names[row.free] = name
    return [names.get(k, f"parameter {k}") for k in range(1, max(names, default=0) + 1)]


def _perturbed(rams, theta0: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``theta0`` moved at random: variances by up to 20 %, other parameters by up to 0.1 (scaled)."""
    theta = theta0.astype(float).copy()
    u = rng.uniform(-1.0, 1.0, size=len(theta))
    done = set()
    for ram in rams:
        var = {}
        for m, (i, j), v in zip(ram.mat, ram.pos, ram.row_values(theta0)):
            if m == "S" and i == j:
                var[i] = abs(v) if np.isfinite(v) and v != 0 else 1.0
        for m, (i, j), fr in zip(ram.mat, ram.pos, ram.free):
            k = fr - 1
            if fr <= 0 or k in done:
                continue
            done.add(k)
            if m == "S" and i == j:
                theta[k] = (theta0[k] if theta0[k] > 0 else 1.0) * (1.0 + 0.2 * u[k])
            elif m == "S":
                theta[k] = theta0[k] + 0.1 * u[k] * np.sqrt(var.get(i, 1.0) * var.get(j, 1.0))
            else:
                theta[k] = theta0[k] + 0.1 * u[k] * max(abs(theta0[k]), 1.0)
    return theta


def _moment_jacobian(models, theta: np.ndarray, means: bool) -> np.ndarray:
    parts = []
    for mdl in models:
        p = mdl.p
        J = mdl.jacobian(theta)
        vech = [a * p + b for b in range(p) for a in range(b, p)]
        parts.append(J[vech])
        if means:
            parts.append(mdl.jacobian_mean(theta))
    return np.vstack(parts)


def check_identified(models, theta0: np.ndarray, names, *, rams=None, reparam=None, n_moments=None,
                     means: bool = False, moment_jacobian=None, seed: int = 20261202) -> None:
    """Raise :class:`NotIdentifiedError` when the free parameters are not identified.

    Parameters
    ----------
    models : sequence
        One model per group sharing the parameter vector, each with ``p``,
        ``jacobian(theta)`` (``d vec(Sigma)``) and, with ``means``, ``jacobian_mean(theta)``.
    theta0 : ndarray
        Start values (in the models' coordinates).
    names : list of str
        Names of the free parameters of the parameter table (:func:`parameter_names`).
    rams : sequence of RamModel, optional
        The RAM models behind ``models`` (default: ``models``), used to perturb ``theta0``.
    reparam : Reparam, optional
        Linear constraints (:mod:`cxlab.sem.constraints`): ``models`` then take the reduced
        parameters ``phi`` while ``theta0`` and ``names`` are the table's.
    n_moments : int, optional
        Number of sample moments the model is fitted to (without fixed.x covariate moments).
    means : bool
        Whether the means are modelled (mean structure).
    moment_jacobian : callable, optional
        ``theta -> d moments / d theta`` replacing the covariance (and mean) Jacobian of
        ``models``, e.g. the polychoric correlations of a WLSMV model.
    """
    rams = models if rams is None else rams
    q = len(theta0) if reparam is None else reparam.K.shape[1]
    if n_moments is not None and q > n_moments:
        raise NotIdentifiedError(
            f"The model is not identified: it has {q} free parameters but only {n_moments} sample moments "
            f"({'variances, covariances and means' if means else 'variances and covariances'}); "
            "fix or constrain parameters, or add indicators.", names)
    rng = np.random.default_rng(seed)
    null = None
    for _ in range(2):
        theta = _perturbed(rams, theta0, rng)
        phi = theta if reparam is None else reparam.phi(theta)
        J = moment_jacobian(phi) if moment_jacobian is not None else _moment_jacobian(models, phi, means)
        norms = np.linalg.norm(J, axis=0)
        if np.any(norms == 0):
            null = (norms == 0).astype(float)[:, None]
            break
        # the singular values alone first (a fraction of the cost): the vectors only for a rank deficit
        s = np.linalg.svd(J / norms, compute_uv=False)
        if int(np.sum(s > RANK_TOL * s[0])) == q:
            return
        # all right singular vectors (the null space) come with the thin SVD when rows >= columns
        s, vt = np.linalg.svd(J / norms, full_matrices=J.shape[0] < J.shape[1])[1:]
        rank = int(np.sum(s > RANK_TOL * s[0]))
        if rank == q:
            return
        null = (vt[rank:].T / norms[:, None])
    if reparam is not None:
        null = reparam.K @ null
    weight = np.linalg.norm(null / np.abs(null).max(axis=0), axis=1)
    involved = [names[k] for k in np.flatnonzero(weight > NULL_TOL)]
    raise NotIdentifiedError(
        "The model is not identified: the implied moments do not change along a combination of "
        f"{', '.join(involved)} (rank of the moment Jacobian {q - null.shape[1]} < {q} free parameters). "
        "Scale every latent variable (fix a loading or its variance), give each factor enough indicators or "
        "relations, or fix/constrain one of these parameters.", involved)
