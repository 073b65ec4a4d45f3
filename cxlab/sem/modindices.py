"""Modification indices (lavaan's ``modindices``, expected information)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .._validation import check_int
from .estimate import expected_information

__all__ = ["modification_indices"]


def _candidates(result):
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
    rows = []
    # loadings: every latent on every observed (non-covariate) indicator not in the model
    for f in lv:
        for x in ov:
            if x in exo or (f, "=~", x) in present:
                continue
            rows.append((f, "=~", x, "A", (index[x], index[f])))
    # residual covariances among observed variables, then among latent variables
    for a, b in itertools.combinations([v for v in ov if v not in exo], 2):
        if ("~~",) + tuple(sorted((a, b))) in present:
            continue
        rows.append((a, "~~", b, "S", (index[a], index[b])))
    for a, b in itertools.combinations(lv, 2):
        if ("~~",) + tuple(sorted((a, b))) in present:
            continue
        rows.append((a, "~~", b, "S", (index[a], index[b])))
    return rows


def modification_indices(result, *, top: int | None = 10) -> pd.DataFrame:
    """Modification indices of the parameters not in the model (lavaan's ``modindices``).

    Candidates are the loadings of every latent variable on every observed indicator and
    the covariances between pairs of observed (residuals) and of latent variables that
    the model fixes to zero. The score test uses the expected information, as lavaan.

    Parameters
    ----------
    result : SemResult
        A fit from :func:`cxlab.sem.fit`.
    top : int or None, default=10
        Keep the ``top`` largest indices (sorted decreasingly); ``None`` keeps all, in
        candidate order.

    Returns
    -------
    DataFrame
        Columns ``lhs, op, rhs, mi, epc, sepc_all``: the chi-square (1 df) drop expected
        when the parameter is freed, its expected change, and the change standardised
        like ``std_all``.

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
    if result.estimator != "ML":
        raise NotImplementedError("Modification indices are implemented for estimator='ML' only.")
    ram, theta, n = result.ram, result.theta, result.n
    cand = _candidates(result)
    cols = ["lhs", "op", "rhs", "mi", "epc", "sepc_all"]
    if not cand:
        return pd.DataFrame(columns=cols)
    S = result.sample_cov.to_numpy()
    sigma = ram.implied(theta)
    W = np.linalg.inv(sigma)
    J1 = ram.jacobian(theta)
    J2 = ram.jacobian_rows(theta, [c[3] for c in cand], [c[4] for c in cand])
    info = 0.5 * n * expected_information(np.hstack([J1, J2]), W)
    q = J1.shape[1]
    I11, I12, I22 = info[:q, :q], info[:q, q:], info[q:, q:]
    V = np.diag(I22) - np.einsum("ij,ij->j", I12, np.linalg.solve(I11, I12))
    score = 0.5 * n * J2.T @ (W @ (S - sigma) @ W).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        small = V < np.sqrt(np.finfo(float).eps)
        mi = np.where(small, np.nan, score**2 / V)
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
    if top is not None:
        # equal indices (equivalent models) keep the candidates' order: rounding makes ties exact
        key = out["mi"].round(6)
        order = key.sort_values(ascending=False, kind="stable", na_position="last").index
        out = out.loc[order].head(top).reset_index(drop=True)
    return out
