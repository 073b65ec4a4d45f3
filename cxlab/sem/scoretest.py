"""Score (Lagrange multiplier) tests of the equality constraints of a fitted model.

lavaan's ``lavTestScore(fit)``: every equality of a fitted ML model (parameters held
equal across groups by ``group_equal``, parameters sharing a label, explicit ``a == b``
constraints) is a row ``R x = r`` on the *unconstrained* parameters ``x`` (every
parameter-table row its own free parameter, as lavaan's partable with its ``==`` rows).
At the constrained estimate, with ``s`` the gradient of ``logl / N`` and ``J`` the
expected unit information of the unconstrained model (``N`` all observations):

* total test: ``X2 = N s' J^+ s`` on all constraints (``J^+`` the Moore-Penrose
  inverse, tolerance ``sqrt(eps)`` as ``MASS::ginv``);
* univariate test of constraint ``r``: ``X2 = N s' P s`` with ``P`` the upper-left block
  of ``[[J, R_r'], [R_r, 0]]^+`` and ``R_r`` the other constraints, i.e. the score test of
  releasing that constraint alone (1 df).

A large univariate statistic names a parameter whose equality the data reject: after a
failed metric or scalar step of :func:`cxlab.sem.invariance`, the loadings or intercepts
to free first (``group_partial``). As lavaan, the tests use the expected information also
for an MLR fit (lavaan warns that it falls back to the ordinary score test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
from scipy import linalg, stats

from .constraints import linear_constraints
from .meanstructure import Block, Pattern, gradient, information_expected
from .model import RamModel
from .syntax import parse_model

__all__ = ["score_tests", "rank_constraints", "bordered_score_tests", "SCORE_COLUMNS"]

#: columns of :func:`score_tests`
SCORE_COLUMNS = ["lhs", "op", "rhs", "x2", "df", "pvalue", "parameter", "group", "kind"]
_GINV_TOL = np.sqrt(np.finfo(float).eps)  # MASS::ginv


def _kind(op: str, lhs: str, rhs: str, lv) -> str:
    """lavaan's ``group.equal`` class of a parameter-table row."""
    latent = lhs in lv
    if op != "~~":
        return {"=~": "loadings", "<~": "composite.loadings", "~": "regressions",
                "~1": "means" if latent else "intercepts"}[op]
    name = ("variances" if lhs == rhs else "covariances") if latent else ("s" if lhs == rhs else ".covariances")
    return f"lv.{name}" if latent else f"residual{name}"


def unconstrained_blocks(result, pt: pd.DataFrame, free_x: np.ndarray, q: int, values=None) -> list:
    """One :class:`Block` per group of the unconstrained model (free index ``free_x``).

    ``values``: the rows' values where fixed (default: the fit's estimates, row for row).
    """
    ram0 = result._ram
    ov, lv, p = ram0.ov, ram0.lv, ram0.p
    if result._patterns is None and ram0.has_means:
        raise NotImplementedError("score_tests needs the data moments of the fit, which this result does not hold.")
    if result._patterns is None:  # covariance structure only: the means do not enter the likelihood
        ram = replace(ram0, free=free_x, n_theta=q)
        return [Block(ram, (Pattern(np.arange(p), result.n, np.zeros(p), result.sample_cov.to_numpy(), p),))]
    groups = pt["group"].to_numpy() if "group" in pt.columns else np.ones(len(pt), dtype=int)
    if values is None:  # fixed rows (fixed.x moments included)
        values = result.estimates["est"].to_numpy(float)[: len(pt)]
    blocks = []
    for g, patterns in enumerate(result._patterns, start=1):
        in_g = groups == g
        ram = RamModel.from_partable(pt.loc[in_g].assign(free=free_x[in_g]), ov, lv, np.eye(p), np.zeros(p),
                                     n_theta=q)
        blocks.append(Block(replace(ram, fixed=values[in_g]), patterns))
    return blocks


def constraint_rows(result, pt: pd.DataFrame, free_x: np.ndarray, q: int):
    """Rows of ``R`` and their table entries: explicit ``==`` first, then shared parameters (lavaan's order)."""
    lv = set(result._ram.lv)
    plabel = [f".p{i + 1}." for i in range(len(pt))]
    groups = result.estimates["group"].to_numpy()[: len(pt)] if "group" in result.estimates.columns else None
    param = [f"{r.lhs}{r.op}{r.rhs}" for r in pt.itertuples(index=False)]
    labels = pt["label"].fillna("").to_numpy()
    label_x = {}
    for i, lab in enumerate(labels):
        if lab and free_x[i] > 0 and lab not in label_x:
            label_x[lab] = free_x[i] - 1
    rows, info = [], []
    for lhs_expr, rhs_expr in parse_model(result.model).constraints:
        K = linear_constraints([(lhs_expr, rhs_expr)], label_x, q).K
        rows.append(linalg.null_space(K.T)[:, 0])
        used = [lab for lab in label_x if lab in _names(lhs_expr + " " + rhs_expr)]
        where = [param[labels.tolist().index(lab)] for lab in used]
        info.append(dict(lhs=lhs_expr, op="==", rhs=rhs_expr, parameter=", ".join(where), group=None,
                         kind="constraint"))
    free = pt["free"].to_numpy()
    first = {}
    for i, k in enumerate(free):
        if k <= 0:
            continue
        if k not in first:
            first[k] = i
            continue
        j = first[k]
        row = np.zeros(q)
        row[free_x[j] - 1], row[free_x[i] - 1] = 1.0, -1.0
        rows.append(row)
        r = pt.iloc[i]
        info.append(dict(lhs=plabel[j], op="==", rhs=plabel[i], parameter=param[i],
                         group=None if groups is None else groups[i], kind=_kind(r.op, r.lhs, r.rhs, lv)))
    return np.array(rows).reshape(-1, q), info


def _names(text: str) -> set:
    return set(re.findall(r"[A-Za-z_.][A-Za-z0-9_.]*", text))


def _ginv(M: np.ndarray) -> np.ndarray:
    """Moore-Penrose inverse with ``MASS::ginv``'s tolerance."""
    u, d, vt = np.linalg.svd(M)
    keep = d > _GINV_TOL * d[0]
    return (vt[keep].T / d[keep]) @ u[:, keep].T


def projected_inverse(J: np.ndarray, R1: np.ndarray) -> np.ndarray:
    """Upper-left block of the Moore-Penrose inverse of the bordered information."""
    q, m = J.shape[0], R1.shape[0]
    Z = np.block([[J, R1.T], [R1, np.zeros((m, m))]])
    return _ginv(Z)[:q, :q]


def bordered_score_tests(s: np.ndarray, J: np.ndarray, R: np.ndarray, n: int) -> tuple[float, list]:
    """Total and univariate score statistics of the constraints ``R x = r`` (lavaan's formulas).

    ``s`` is the gradient (per observation) and ``J`` the unit information of the
    unconstrained parameters at the constrained estimate, ``n`` the number of
    observations: total ``n s' J^+ s``; for each row ``r`` of ``R``, ``n s' P s`` with ``P``
    the upper-left block of the inverse of ``J`` bordered by the other rows.

    >>> J = np.eye(2); R = np.array([[1.0, -1.0]])
    >>> bordered_score_tests(np.array([0.1, -0.1]), J, R, 100)
    (2.0..., [2.0...])
    """
    total = float(n * s @ _ginv(J) @ s)
    return total, [float(n * s @ projected_inverse(J, np.delete(R, r, axis=0)) @ s) for r in range(len(R))]


@dataclass(frozen=True)
class ScoreTests:
    """Score tests of a fit's equality constraints (the result of :func:`score_tests`).

    Attributes
    ----------
    table : DataFrame
        One row per constraint (see :func:`score_tests`).
    total : mapping
        The total test of all constraints: ``{"x2", "df", "pvalue"}``.
    cumulative : DataFrame or None
        lavaan's cumulative tests (``cumulative=True``), else None.
    """

    table: pd.DataFrame
    total: Mapping[str, float]
    cumulative: pd.DataFrame | None = None

    def __post_init__(self):
        object.__setattr__(self, "total", MappingProxyType(dict(self.total)))

    def to_frame(self) -> pd.DataFrame:
        """The univariate tests, one row per constraint (a copy)."""
        return self.table.copy()

    def _repr_html_(self) -> str:
        return self.table._repr_html_()


def score_tests(result, *, cumulative: bool = False) -> ScoreTests:
    """Univariate score tests of every equality constraint of a fit (lavaan's ``lavTestScore``).

    Parameters
    ----------
    result : SemResult
        An ML or MLR fit (:func:`cxlab.sem.fit`) with equality constraints: ``group_equal``,
        labels shared between parameters, or ``==`` constraints (complete data or FIML).
    cumulative : bool, default=False
        Also lavaan's cumulative tests (``cumulative = TRUE``): the constraints ordered by
        their univariate statistic, the ``k``-th row testing the release of the first
        ``k`` together (``df = k``), in ``.cumulative`` (same columns).

    Returns
    -------
    ScoreTests
        ``.table`` has one row per constraint, in lavaan's order: ``lhs, op, rhs`` as lavaan writes the
        constraint (``.p2. == .p38.``, the rows' parameter labels, for parameters held
        equal by ``group_equal`` or a shared label; the expressions of an explicit ``==``),
        ``x2`` (score statistic, 1 df), ``df``, ``pvalue``, ``parameter`` (the parameter
        the constraint frees, e.g. ``visual=~x2`` or ``x7~1``), ``group`` (the group whose
        parameter is held equal to the first group's; None for a single group) and
        ``kind`` (the ``group_equal`` class, or ``"constraint"`` for ``==``).
        ``.total`` holds the total test, ``{"x2", "df", "pvalue"}``.

    Raises
    ------
    ValueError
        The model has no equality constraint, or did not converge.
    NotImplementedError
        Inequality constraints (as lavaan) or WLSMV fits (for ordinal multigroup fits see
        :func:`cxlab.sem.ordinal_groups.ordinal_score_tests`).

    Examples
    --------
    >>> from pathlib import Path
    >>> import pandas as pd, cxlab
    >>> from cxlab.sem import fit, score_tests
    >>> hs = pd.read_csv(Path(cxlab.__file__).parents[1] / "tests" / "data" / "HolzingerSwineford1939.csv")
    >>> model = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
    >>> scalar = fit(hs, model, group="school", group_equal=("loadings", "intercepts"))
    >>> st = score_tests(scalar)
    >>> st.table.sort_values("x2", ascending=False)[["parameter", "x2", "pvalue"]].head(2).round(4)
       parameter       x2  pvalue
    8       x3~1  19.1925  0.0000
    12      x7~1  15.0214  0.0001
    >>> round(st.total["x2"], 3), st.total["df"]
    (46.956, 15)
    """
    if result.estimator not in ("ML", "MLR"):
        raise NotImplementedError(f"score_tests is implemented for ML and MLR fits; "
                                  f"got estimator={result.estimator!r}.")
    if not result.converged:
        raise ValueError("score_tests needs a converged fit; this model did not converge.")
    if parse_model(result.model).inequalities:
        raise NotImplementedError("score_tests does not handle inequality constraints ('<', '>'), as lavaan.")
    pt = result._partable.reset_index(drop=True)
    free = pt["free"].to_numpy()
    free_x = np.zeros(len(pt), dtype=int)
    free_x[free > 0] = np.arange(1, int((free > 0).sum()) + 1)
    q = int(free_x.max())
    R, info = constraint_rows(result, pt, free_x, q)
    if not info:
        raise ValueError("score_tests found no equality constraint in this model (no group_equal, shared label or "
                         "'==').")
    x = np.zeros(q)
    x[free_x[free > 0] - 1] = result._theta[free[free > 0] - 1]
    blocks = unconstrained_blocks(result, pt, free_x, q)
    n = sum(b.n for b in blocks)
    s = -gradient(blocks, x) / n  # gradient of logl / N
    J = information_expected(blocks, x) / n
    total, x2 = bordered_score_tests(s, J, R, n)
    table = pd.DataFrame(info)
    table.insert(3, "x2", x2)
    table.insert(4, "df", 1)
    table.insert(5, "pvalue", stats.chi2.sf(table["x2"], 1))
    table = table[SCORE_COLUMNS]
    total = {"x2": total, "df": len(R), "pvalue": float(stats.chi2.sf(total, len(R)))}
    cum = None
    if cumulative:
        order = np.argsort(-np.asarray(x2), kind="stable")
        cum = table.iloc[order].copy()
        cum["x2"] = [float(n * s @ projected_inverse(J, np.delete(R, order[: k + 1], axis=0)) @ s) for k in range(len(R))]
        cum["df"] = np.arange(1, len(R) + 1)
        cum["pvalue"] = stats.chi2.sf(cum["x2"], cum["df"])
    return ScoreTests(table, total, cum)


def rank_constraints(result, kinds=None) -> pd.DataFrame:
    """:func:`score_tests` of the constraints of the given ``kinds``, largest statistic first.

    Parameters
    ----------
    result : SemResult
    kinds : collection of str, optional
        ``group_equal`` classes (``"loadings"``, ``"intercepts"``, ...) or
        ``"constraint"``; all constraints when None.

    Returns
    -------
    DataFrame
        The rows of :func:`score_tests` (index kept), sorted by ``x2`` descending; the
        first rows name the parameters whose equality the data reject most.

    Examples
    --------
    >>> from pathlib import Path
    >>> import pandas as pd, cxlab
    >>> from cxlab.sem import fit
    >>> hs = pd.read_csv(Path(cxlab.__file__).parents[1] / "tests" / "data" / "HolzingerSwineford1939.csv")
    >>> model = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
    >>> scalar = fit(hs, model, group="school", group_equal=("loadings", "intercepts"))
    >>> rank_constraints(scalar, kinds={"intercepts"})["parameter"].head(3).tolist()
    ['x3~1', 'x7~1', 'x2~1']
    """
    table = score_tests(result).table
    if kinds is not None:
        table = table[table["kind"].isin(set(kinds))]
    return table.sort_values("x2", ascending=False, kind="stable")
