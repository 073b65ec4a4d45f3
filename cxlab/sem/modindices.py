"""Modification indices (lavaan's ``modindices``, expected information).

Candidates as lavaan's (``lav_partable_full``): loadings of every latent variable on every
observed variable that is not in a regression; covariances of pairs of indicators and of
latent variables; and, in a model with regressions, the regression of every variable of
the model's regressions (either side of a ``~``) on every other, e.g. the missing direct
path ``loyalty ~ driver`` of a mediation. Reverse arrows and cycles are candidates too;
those whose release is not identified have NaN. An indicator regressed on a latent
variable is a loading, so not a regression candidate; a CFA has no regression candidate.
Equivalent candidates (models that fit equally) have equal indices and are each listed.
With ``fixed.x`` covariates the information leaves out the covariates' moments, as
lavaan's (it moves a candidate regressing a covariate on another variable); lavaan also
lists those fixed moments as candidates (index 0): cxlab does not.

ML and MLR fits: lavaan's indices of an MLR fit use the expected information and the ML
gradient, so they are those of the ML fit (its estimates are the same). With a mean
structure (FIML, several groups) each candidate is a score test of releasing it with the
model's equality constraints held (:func:`cxlab.sem.scoretest.bordered_score_tests`, the
pattern-wise expected information), and a loading fixed to 1 is a candidate too (lavaan
lists it where freeing it is identified, e.g. with loadings equal across groups). WLSMV and DWLS fits of one group (ordinal items, no covariates): lavaan's
ordinary score test of the DWLS fit function, with the expected information
``Delta' W Delta`` (``W`` the diagonal weight) and lavaan's ``N - 1``; not a robust test, so
it ranks the candidates and its chi-square is approximate. WLSMV fits with several groups
or covariates are refused.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .._text import md, number
from .._validation import check_int
from .estimate import expected_information
from .meanstructure import gradient, information_expected

__all__ = ["modification_indices", "describe_modification_indices"]


def _candidates(result):
    """lavaan's candidates (``lav_partable_full``) not in the model: ``(lhs, op, rhs, matrix, position)``.

    ``eqs`` are the variables of the model's regressions (``~`` left sides, then right
    sides). Loadings of every latent variable on every observed variable outside ``eqs``;
    covariances of pairs of indicators and of latent variables; regressions of every
    variable of ``eqs`` on every other, except an indicator on a latent variable (a
    loading). Reverse arrows and cycles are candidates too (NaN where not identified).
    """
    pt = result.partable
    ram = result.ram
    ov, lv = list(ram.ov), list(ram.lv)
    index = {v: i for i, v in enumerate(ov + lv)}
    present = set()
    for r in pt.itertuples(index=False):
        if r.op == "~~":
            present.add(("~~",) + tuple(sorted((r.lhs, r.rhs))))
        else:
            present.add((r.lhs, r.op, r.rhs))
    exo = set(pt.loc[pt["exo"], "lhs"])
    regressions = pt[pt["op"] == "~"]
    eqs = list(dict.fromkeys(list(regressions["lhs"]) + list(pt.loc[pt["op"].isin(["~", "<~"]), "rhs"])))
    indicators = set(pt.loc[pt["op"] == "=~", "rhs"]) - set(lv)
    rows = []
    for f in lv:
        for x in ov:
            if x in exo or x in eqs or (f, "=~", x) in present:
                continue
            rows.append((f, "=~", x, "A", (index[x], index[f])))
    # residual covariances among indicators, then among latent variables
    for a, b in itertools.combinations([v for v in ov if v not in exo and v in indicators], 2):
        if ("~~",) + tuple(sorted((a, b))) in present:
            continue
        rows.append((a, "~~", b, "S", (index[a], index[b])))
    for a, b in itertools.combinations(lv, 2):
        if ("~~",) + tuple(sorted((a, b))) in present:
            continue
        rows.append((a, "~~", b, "S", (index[a], index[b])))
    for y, x in itertools.product(eqs, eqs):
        if y == x or (y in indicators and x in lv) or (y, "~", x) in present:
            continue
        rows.append((y, "~", x, "A", (index[y], index[x])))
    return rows


def _ml_parts(result, mats, positions):
    """ML: the unit expected information of the model and candidate parameters, the candidates' score."""
    ram, theta = result.ram, result.theta
    S = result.sample_cov.to_numpy()
    sigma = ram.implied(theta)
    W = np.linalg.inv(sigma)
    J2 = ram.jacobian_rows(theta, mats, positions)
    J = np.hstack([ram.jacobian(theta), J2]).reshape(ram.p, ram.p, -1)
    exo = _covariates(result)  # lavaan's fixed.x information: without the covariates' moments
    J[np.ix_(exo, exo)] = 0.0
    info = 0.5 * expected_information(J.reshape(ram.p**2, -1), W)
    return info, 0.5 * J2.T @ (W @ (S - sigma) @ W).ravel()


def _general(result, cand) -> pd.DataFrame:
    """ML with a mean structure (FIML, groups): ``lhs, op, rhs, group, mi, epc, sepc_all`` of every candidate.

    lavaan's formula: with ``J`` the unit expected information of the model's parameters
    (each row its own) and the candidates, ``P`` the inverse of the model block under the
    model's equality constraints, ``V = J_cc - J_cm P J_mc`` and ``mi = N s_c^2 / V``,
    ``epc = s_c / V`` (``s`` the gradient of ``logl / N``); NaN where ``V < eps^(1/3)``.
    """
    from .scoretest import unconstrained_blocks, constraint_rows, projected_inverse

    pt = result.partable.reset_index(drop=True)
    labels = list(pd.unique(result.estimates["group"])) if "group" in result.estimates.columns else [None]
    free = pt["free"].to_numpy()
    extra = []
    for g in range(1, len(labels) + 1):
        extra += [dict(lhs=c[0], op=c[1], rhs=c[2], label="", user=False, free=0, fixed=0.0, start=np.nan, exo=False,
                       **({"group": g} if "group" in pt.columns else {})) for c in cand]
    ext = pd.concat([pt, pd.DataFrame(extra, columns=pt.columns)], ignore_index=True)
    free_x = np.zeros(len(ext), dtype=int)
    free_x[np.flatnonzero(free > 0)] = np.arange(1, int((free > 0).sum()) + 1)
    m = int(free_x.max())
    # candidates: the fixed loadings (markers), released at their value, then the new rows
    released = np.r_[np.flatnonzero((pt["op"] == "=~").to_numpy() & (free == 0)), np.arange(len(pt), len(ext))]
    free_x[released] = np.arange(m + 1, m + 1 + len(released))
    q = int(free_x.max())
    values = np.r_[result.estimates["est"].to_numpy(float)[: len(pt)], np.zeros(len(extra))]
    x = np.zeros(q)
    x[free_x[: len(pt)][free > 0] - 1] = result.theta[free[free > 0] - 1]
    x[m:] = values[released]
    blocks = unconstrained_blocks(result, ext, free_x, q, values=values)
    n = sum(b.n for b in blocks)
    s = -gradient(blocks, x)[m:] / n
    exo = _covariates(result)
    J = (_information_fixed_x(blocks, x, exo) if exo else information_expected(blocks, x)) / n
    R, _ = constraint_rows(result, pt, free_x[: len(pt)], m)
    P = projected_inverse(J[:m, :m], R)
    V = np.diag(J)[m:] - np.einsum("ij,ij->j", J[:m, m:], P @ J[:m, m:])
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = V >= np.finfo(float).eps ** (1 / 3)
        mi, epc = np.where(ok, n * s**2 / V, np.nan), np.where(ok, s / V, np.nan)
    index = {v: i for i, v in enumerate(result.ram.ov + result.ram.lv)}
    out = []
    for k, row in enumerate(ext.iloc[released].itertuples(index=False)):
        g = int(getattr(row, "group", 1))
        _, sig_all, Smat = blocks[g - 1].ram.implied_all(x)
        i1, i2 = index[row.lhs], index[row.rhs]
        with np.errstate(invalid="ignore"):
            if row.op == "~~":
                sepc = epc[k] / np.sqrt(Smat[i1, i1] * Smat[i2, i2])
            else:  # =~ (lhs the factor) or ~ (rhs the predictor): times sd(cause) / sd(effect)
                cause, effect = (i1, i2) if row.op == "=~" else (i2, i1)
                sepc = epc[k] * np.sqrt(sig_all[cause, cause]) / np.sqrt(sig_all[effect, effect])
        out.append(dict(lhs=row.lhs, op=row.op, rhs=row.rhs, group=labels[g - 1], mi=mi[k], epc=epc[k],
                        sepc_all=sepc))
    frame = pd.DataFrame(out)
    return frame if labels != [None] else frame.drop(columns="group")


def _covariates(result) -> list:
    """Positions of the ``fixed.x`` covariates among the observed variables."""
    pt = result.partable
    return [result.ram.ov.index(v) for v in pd.unique(pt.loc[pt["exo"], "lhs"])]


def _information_fixed_x(blocks, theta, exo) -> np.ndarray:
    """The pattern-wise expected information without the covariates' moments (lavaan's ``fixed.x``).

    lavaan zeroes the covariates' means and covariances in the saturated model's
    information; this moves the candidates that regress a covariate on another variable.
    """
    q = len(theta)
    H = np.zeros((q, q))
    for b in blocks:
        ram, p = b.ram, b.ram.p
        sigma = ram.implied(theta)
        J = ram.jacobian(theta).reshape(p, p, q)
        Jm = ram.jacobian_mean(theta)
        J[np.ix_(exo, exo)] = 0.0
        Jm[exo] = 0.0
        for pat in b.patterns:
            o = pat.obs
            W = np.linalg.inv(sigma[np.ix_(o, o)])
            H += pat.n * (0.5 * expected_information(J[np.ix_(o, o)].reshape(len(o) ** 2, q), W) + Jm[o].T @ W @ Jm[o])
    return H


def _dwls_parts(result, mats, positions):
    """DWLS: the same of the correlations (item residual variances solved from diag = 1)."""
    model, theta, n = result.dwls, result.theta, result.n
    m, ram_t = model.implied_r(theta)
    Jc = ram_t.jacobian_rows(theta, mats, positions)
    Jt = ram_t.jacobian_rows(theta, ["S"] * len(model.resid_pos), model.resid_pos)
    J2 = (Jc - Jt @ np.linalg.solve(Jt[model.diag_idx, :], Jc[model.diag_idx, :]))[model.vec_idx, :]
    J = np.hstack([model.jacobian_r(theta, ram_t), J2])
    # lavaan: the gradient (N - 1) / N Delta' W e of its objective, the information Delta' W Delta
    return J.T @ (model.w_r[:, None] * J), (n - 1) / n * J2.T @ (model.w_r * (model.r - m))


def modification_indices(result, *, top: int | None = 10) -> pd.DataFrame:
    """Modification indices of the parameters not in the model (lavaan's ``modindices``).

    Candidates are lavaan's (see the module): the loadings of every latent variable on
    every observed variable outside the model's regressions, the covariances between pairs
    of indicators (residuals) and of latent variables, and the regressions between the
    variables of the model's regressions (``~``, a direct path), that the model fixes to
    zero. The score test uses the expected information, as lavaan; an MLR fit has the
    indices of the ML fit (lavaan's too: the robust correction does not enter them); a
    WLSMV or DWLS fit those of its DWLS fit function (see the module).

    Parameters
    ----------
    result : SemResult
        A fit from :func:`cxlab.sem.fit` with ``estimator="ML"`` or ``"MLR"`` (any missing-data
        option and groups) or ``"WLSMV"``/``"DWLS"`` (one group, ordinal items without
        covariates).
    top : int or None, default=10
        Keep the ``top`` largest indices (sorted decreasingly; equal ones in candidate
        order); ``None`` keeps all, in lavaan's candidate order (loadings, residual
        covariances, latent covariances, regressions; per group).

    Returns
    -------
    DataFrame
        Columns ``lhs, op, rhs, mi, epc, sepc_all``: the chi-square (1 df) drop expected
        when the parameter is freed, its expected change, and the change standardised
        like ``std_all``; with several groups a ``group`` column (the group's value) after
        ``rhs``. A candidate whose release is not identified has NaN.

    Raises
    ------
    NotImplementedError
        For a WLSMV fit with several groups or covariates.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab.sem import fit
    >>> rng = np.random.default_rng(1)
    >>> f, g = rng.normal(size=(2, 300))
    >>> df = pd.DataFrame({"a1": f + rng.normal(size=300), "a2": f + rng.normal(size=300),
    ...                    "a3": f + g + rng.normal(size=300), "b1": g + rng.normal(size=300),
    ...                    "b2": g + rng.normal(size=300), "b3": g + rng.normal(size=300)})
    >>> res = fit(df, "F =~ a1 + a2 + a3\\nG =~ b1 + b2 + b3")
    >>> mi = modification_indices(res, top=1)
    >>> mi[["lhs", "op", "rhs"]].values.tolist()
    [['G', '=~', 'a3']]
    """
    check_int(top, "top", "modification_indices", low=1, allow_none=True)
    ordinal = result.estimator in ("WLSMV", "DWLS")
    if ordinal and result.dwls is None:
        raise NotImplementedError("modification_indices: a WLSMV fit with several groups or covariates is not "
                                  "implemented yet.")
    ram, theta = result.ram, result.theta
    cand = _candidates(result)
    cols = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]
    if result.patterns is not None:  # a mean structure: FIML, several groups
        return _top(_general(result, cand), top)
    if not cand:
        return pd.DataFrame(columns=cols)
    mats, positions = [c[3] for c in cand], [c[4] for c in cand]
    info, score = (_dwls_parts if ordinal else _ml_parts)(result, mats, positions)
    n, q = result.n, info.shape[0] - len(cand)
    I11, I12, I22 = info[:q, :q], info[:q, q:], info[q:, q:]
    V = np.diag(I22) - np.einsum("ij,ij->j", I12, np.linalg.solve(I11, I12))
    with np.errstate(invalid="ignore", divide="ignore"):
        small = V < np.sqrt(np.finfo(float).eps)
        mi = np.where(small, np.nan, n * score**2 / V)  # N s' P s of the unit score s
        epc = np.where(small, np.nan, score / V)
    _, sig_all, Smat = ram.implied_all(theta)
    var = np.diag(sig_all)
    sepc = np.empty(len(cand))
    for k, c in enumerate(cand):
        i, j = c[4]
        if c[3] == "A":
            sepc[k] = epc[k] * np.sqrt(var[j]) / np.sqrt(var[i])
        else:
            with np.errstate(invalid="ignore"):
                sepc[k] = epc[k] / np.sqrt(Smat[i, i] * Smat[j, j])
    out = pd.DataFrame({"lhs": [c[0] for c in cand], "op": [c[1] for c in cand], "rhs": [c[2] for c in cand],
                        "mi": mi, "epc": epc, "sepc_all": sepc})
    return _top(out, top)


def _top(out: pd.DataFrame, top: int | None) -> pd.DataFrame:
    """The ``top`` largest indices; equal ones (equivalent models) keep the candidates' order."""
    if top is None:
        return out
    key = out["mi"].round(6)  # rounding makes ties exact
    order = key.sort_values(ascending=False, kind="stable", na_position="last").index
    return out.loc[order].head(top).reset_index(drop=True)


def describe_modification_indices(result, table: pd.DataFrame, *, labels=None) -> str:
    """A sentence on the largest modification index of ``table`` (from :func:`modification_indices`).

    Names the parameter and what freeing it means (a cross-loading, a residual or latent
    covariance, a direct path), the expected drop of the chi-square and the expected
    change; names the candidates of ``table`` with the same index (equivalent models, e.g.
    a path and its reverse); under WLSMV or DWLS adds that the indices come from the DWLS
    fit function (not robust).

    >>> t = pd.DataFrame({"lhs": ["F"], "op": ["=~"], "rhs": ["b2"], "mi": [12.34], "epc": [0.41],
    ...                   "sepc_all": [0.22]})
    >>> class R: estimator = "ML"
    >>> describe_modification_indices(R(), t)
    'The largest index would free the loading of b2 on F (a cross-loading): the chi-square would drop by about 12.3, with an expected value of 0.41 (standardised 0.22).'
    >>> t = pd.DataFrame({"lhs": ["loyalty", "price"], "op": ["~", "~"], "rhs": ["price", "loyalty"],
    ...                   "mi": [9.87, 9.87], "epc": [0.3, 0.2], "sepc_all": [0.25, 0.25]})
    >>> describe_modification_indices(R(), t)
    'The largest index would free the direct path from price to loyalty (a regression of loyalty on price): the chi-square would drop by about 9.9, with an expected value of 0.30 (standardised 0.25). Freeing the direct path from loyalty to price would fit equally (an equivalent model): the data cannot tell them apart.'
    """
    def name(v) -> str:
        shown = labels(v) if labels is not None else None
        return md(shown if shown else v)

    latent = set(result.ram.lv) if getattr(result, "ram", None) is not None else set()

    def what(r, long: bool = True) -> str:
        if r["op"] == "=~":
            return f"the loading of {name(r['rhs'])} on {name(r['lhs'])}" + (" (a cross-loading)" if long else "")
        if r["op"] == "~":
            return (f"the direct path from {name(r['rhs'])} to {name(r['lhs'])}"
                    + (f" (a regression of {name(r['lhs'])} on {name(r['rhs'])})" if long else ""))
        kind = "latent" if r["lhs"] in latent else "residual"
        return f"the {kind} covariance of {name(r['lhs'])} and {name(r['rhs'])}"

    rows = table.dropna(subset=["mi"]) if table is not None else table
    if rows is None or rows.empty:
        text = "No parameter the model fixes has a defined modification index (releasing any of them is not identified)."
    else:
        # equal indices (equivalent models, to rounding): the first in the table's order leads
        tied = rows[np.isclose(rows["mi"], rows["mi"].max(), rtol=1e-5, atol=1e-6)]
        r = tied.iloc[0]
        where = f" in group {md(r['group'])}" if "group" in rows.columns else ""
        text = (f"The largest index would free {what(r)}{where}: the chi-square would drop by about "
                f"{number(r['mi'], 1)}, with an expected value of {number(r['epc'])} (standardised "
                f"{number(r['sepc_all'])}).")
        same = tied.iloc[1:]
        if "group" in rows.columns:
            same = same[same["group"] == r["group"]]
        if len(same):
            names = [what(o, long=False) for _, o in same.iterrows()]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
            kind = "an equivalent model" if len(names) == 1 else "equivalent models"
            text += f" Freeing {listed} would fit equally ({kind}): the data cannot tell them apart."
    if result.estimator in ("WLSMV", "DWLS"):
        text += (" Under WLSMV the indices are score tests of the DWLS fit function, not robust: a ranking whose "
                 "chi-square is approximate.")
    return text
