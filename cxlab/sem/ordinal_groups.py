"""WLSMV for ordinal indicators in several groups (lavaan's ``group =`` with ordered items).

One parameter vector is shared by the groups; each group has its own sample statistics
(thresholds and polychoric correlations with their NACOV ``Gamma_g``, from
:func:`cxlab.polychoric.polychoric_corr`) and its own block of the model, in the delta
parameterisation as :mod:`cxlab.sem.ordinal`:

* implied correlations ``Sigma*_g = Delta_g (Lambda Psi Lambda' + Theta) Delta_g`` with the
  item residual variances solved from ``diag(Sigma*_g) = 1`` (``Delta_g`` the scaling
  factors ``~*~``), implied thresholds ``Delta_g (tau_g - mu_g)`` with ``mu_g = Lambda alpha_g``
  (item intercepts fixed to 0, ``alpha_g`` the latent means);
* estimates minimise lavaan's ``sum_g (N_g - 1) e_g' W_g e_g`` (``W_g = diag(Gamma_g)^-1``);
  ``chisq`` is that minimum, so a configural fit's statistic is the sum of the groups' fits;
* robust vcov as lavaan's ``lav_model_nvcov_robust_sem`` with the group weights
  ``f_g = N_g / N``; the mean-and-variance adjusted (scaled-shifted) test from the traces of
  ``U Gamma`` over the stacked groups (not a sum of the groups' scaled statistics).

``group_equal`` follows lavaan's own rules for ordered items: ``"thresholds"`` holds the
thresholds equal and frees, beyond the first group, the scaling factors and the latent
means; ``"loadings"`` (with ``"thresholds"``) holds the loadings equal; ``"intercepts"``
adds nothing (the item intercepts are fixed to 0). The Jacobian of the implied statistics
is taken by central differences (relative error ~1e-9, far below the 1e-3 tolerance).

Not covered (:class:`NotImplementedError`): observed covariates, intercepts or constraints in
the syntax, ``group_partial``, ``"loadings"`` without ``"thresholds"``, the Wu & Estabrook
(2016) identification of :func:`semTools::measEq.syntax`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from ..polychoric import polychoric_corr
from .estimate import start_values
from .fitmeasures import _rmsea_ci  # private helper shared with ordinal.py (issue 13 makes it public)
from .model import RamModel
from .moments import prepare_data
from .syntax import build_partable, parse_model

__all__ = ["fit_wlsmv_groups", "ORDINAL_GROUP_EQUAL"]

#: group_equal combinations implemented for ordered items
ORDINAL_GROUP_EQUAL = (frozenset(), frozenset({"thresholds"}), frozenset({"thresholds", "loadings"}),
                       frozenset({"thresholds", "loadings", "intercepts"}))
_MAX_ITER = 300
_Z975 = stats.norm.ppf(0.975)


class _Block:
    """One group's sample statistics and model: ``m_g(theta) = (thresholds*, correlations*)``."""

    def __init__(self, ram: RamModel, resid_rows, pc, n: int, th_idx, delta_idx, alpha_idx):
        self.ram, self.resid_rows, self.n = ram, np.asarray(resid_rows), n
        p = ram.p
        pairs = [(i, j) for j in range(p - 1) for i in range(j + 1, p)]
        self.il = np.array([i for i, _ in pairs], dtype=int)
        self.jl = np.array([j for _, j in pairs], dtype=int)
        self.th_names = list(pc.thresholds.index)
        self.th_item = np.array([ram.ov.index(nm.split("|")[0]) for nm in self.th_names])
        self.s = np.concatenate([pc.thresholds.to_numpy(), pc.corr.to_numpy()[self.il, self.jl]])
        self.nth = len(self.th_names)
        self.gamma = pc.nacov.to_numpy()
        self.w = 1.0 / np.diag(self.gamma)
        self.th_idx, self.delta_idx, self.alpha_idx = th_idx, delta_idx, alpha_idx  # -1: fixed (tau: never)
        self.items = [int(ram.pos[k][0]) for k in self.resid_rows]

    def parts(self, theta):
        """(thresholds tau, scaling factors Delta, latent means alpha) of this group."""
        tau = theta[self.th_idx]
        delta = np.where(self.delta_idx >= 0, theta[np.maximum(self.delta_idx, 0)], 1.0)
        alpha = np.where(self.alpha_idx >= 0, theta[np.maximum(self.alpha_idx, 0)], 0.0)
        return tau, delta, alpha

    def with_residuals(self, theta) -> RamModel:
        """The RAM model with the item residual variances of ``diag(Sigma*) = 1``."""
        fixed = self.ram.fixed.copy()
        fixed[self.resid_rows] = 0.0
        ram0 = replace(self.ram, fixed=fixed)
        B, sig, _ = ram0.implied_all(theta)
        _, delta, _ = self.parts(theta)
        p = self.ram.p
        fixed[self.resid_rows] = np.linalg.solve(B[:p, self.items] ** 2, 1.0 / delta**2 - np.diag(sig)[:p])
        return replace(self.ram, fixed=fixed)

    def implied(self, theta) -> np.ndarray:
        ram_t = self.with_residuals(theta)
        B, sig, _ = ram_t.implied_all(theta)
        p = ram_t.p
        tau, delta, alpha = self.parts(theta)
        mu = B[:p, p:] @ alpha
        th = delta[self.th_item] * (tau - mu[self.th_item])
        r = (delta[:, None] * sig[:p, :p] * delta[None, :])[self.il, self.jl]
        return np.concatenate([th, r])


def _jacobian(blocks, theta) -> list[np.ndarray]:
    """d m_g / d theta by central differences, per group."""
    q = len(theta)
    out = [np.zeros((len(b.s), q)) for b in blocks]
    for k in range(q):
        h = 1e-6 * max(1.0, abs(theta[k]))
        tp, tm = theta.copy(), theta.copy()
        tp[k] += h
        tm[k] -= h
        for b, J in zip(blocks, out):
            J[:, k] = (b.implied(tp) - b.implied(tm)) / (2 * h)
    return out


def _objective(blocks, theta) -> float:
    try:
        return float(sum((b.n - 1) * np.sum(b.w * (b.s - b.implied(theta)) ** 2) for b in blocks))
    except np.linalg.LinAlgError:
        return np.inf


def _estimate(blocks, theta0):
    """Gauss-Newton with step halving: (theta, converged, iterations)."""
    theta = theta0.copy()
    f = _objective(blocks, theta)
    for it in range(1, _MAX_ITER + 1):
        Js = _jacobian(blocks, theta)
        g = np.zeros(len(theta))
        H = np.zeros((len(theta), len(theta)))
        for b, J in zip(blocks, Js):
            e = b.s - b.implied(theta)
            g -= 2 * (b.n - 1) * J.T @ (b.w * e)
            H += 2 * (b.n - 1) * J.T @ (b.w[:, None] * J)
        scale = max(1.0, f)
        if np.max(np.abs(g)) < 1e-9 * scale:
            return theta, True, it
        step = -np.linalg.lstsq(H, g, rcond=None)[0]
        alpha = 1.0
        for _ in range(40):
            cand = theta + alpha * step
            fc = _objective(blocks, cand)
            if np.isfinite(fc) and fc <= f + 1e-4 * alpha * float(g @ step):
                break
            alpha /= 2
        else:
            return theta, bool(np.max(np.abs(g)) < 1e-6 * scale), it
        theta, f_old, f = cand, f, fc
        if abs(f_old - f) <= 1e-15 * scale and np.max(np.abs(alpha * step)) < 1e-12:
            return theta, True, it
    return theta, False, _MAX_ITER


def _key_class(op, lhs, rhs, lv) -> str:
    if op == "=~":
        return "loadings"
    if op == "~~" and lhs in lv and rhs in lv:
        return "lv.variances" if lhs == rhs else "lv.covariances"
    return "regressions" if op == "~" else "other"


def _traces(UG):
    return float(np.trace(UG)), float(np.sum(UG * UG.T))


def _scaled(T, df, tr1, tr2):
    a = np.sqrt(df / tr2)
    shift = df - a * tr1
    return a * T + shift, 1.0 / a, shift


def _chisq_measures(T, df, tb, dfb, n_rmsea, n_groups, suffix="") -> dict:
    """CFI/TLI/NNFI/NFI/RNI and RMSEA (lavaan's multigroup sqrt(G) form) from a statistic."""
    den = max(T - df, tb - dfb, 0.0)
    out = {
        "cfi": 1.0 - max(T - df, 0.0) / den if den > 0 else 1.0,
        "tli": ((tb / dfb) - (T / df)) / ((tb / dfb) - 1.0),
        "nfi": (tb - T) / tb if df <= dfb else np.nan,  # lavaan: NA when df exceeds the baseline df
        "rni": 1.0 - (T - df) / (tb - dfb),
    }
    out["nnfi"] = out["tli"]
    g = np.sqrt(n_groups)
    out["rmsea"] = g * np.sqrt(max(T / n_rmsea / df - 1.0 / n_rmsea, 0.0))
    lo, hi = _rmsea_ci(T, df, n_rmsea)
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = g * lo, g * hi
    out["rmsea_pvalue"] = float(stats.ncx2.sf(T, df, n_rmsea * df * 0.05**2 / n_groups))
    return {k + suffix: v for k, v in out.items()}


def fit_wlsmv_groups(data: pd.DataFrame, model: str, *, ordered=True, group: str, group_equal=(),
                     estimator: str = "WLSMV"):
    """WLSMV fit of an ordinal model in several groups (called by :func:`cxlab.sem.fit`).

    Parameters
    ----------
    data : DataFrame
        One row per respondent; ordinal items coded as ordered numbers; the ``group`` column.
    model : str
        lavaan syntax (``=~``, ``~``, ``~~`` among latent variables, labels).
    ordered : True or list of str
        The ordinal items (every observed variable of the model).
    group : str
        Column of the groups (lavaan's order: first appearance in ``data``).
    group_equal : sequence of str
        ``()``, ``("thresholds",)``, ``("thresholds", "loadings")`` or
        ``("thresholds", "loadings", "intercepts")`` (lavaan's rules for ordered items).
    estimator : {"WLSMV"}

    Returns
    -------
    SemResult
        Estimates with a ``group`` column (lavaan's rows per group: user rows, thresholds,
        residual variances, scaling factors, intercepts), robust SEs, scaled test and fit
        measures.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> f = rng.normal(size=(1200, 1))
    >>> ystar = 0.7 * f + np.sqrt(1 - 0.49) * rng.normal(size=(1200, 4))
    >>> d = pd.DataFrame(np.digitize(ystar, [-1, 0, 1]) + 1, columns=["q1", "q2", "q3", "q4"])
    >>> d["seg"] = np.repeat(["a", "b"], 600)
    >>> res = fit_wlsmv_groups(d, "f =~ q1 + q2 + q3 + q4", group="seg")
    >>> res.converged, int(res.fit_measures["df"]), int(res.fit_measures["npar"])
    (True, 4, 32)
    """
    from .engine import SemResult

    if estimator.upper() != "WLSMV":
        raise NotImplementedError(f"estimator={estimator!r} with groups and ordered items is not implemented yet; "
                                  "use estimator='WLSMV'.")
    equal = frozenset(group_equal or ())
    if equal not in ORDINAL_GROUP_EQUAL:
        raise NotImplementedError(
            f"group_equal={sorted(equal)} with ordered items is not implemented yet; implemented: (), "
            "('thresholds',), ('thresholds', 'loadings'), ('thresholds', 'loadings', 'intercepts').")
    parsed = parse_model(model)
    if parsed.constraints or parsed.inequalities or parsed.defined:
        raise NotImplementedError("estimator='WLSMV' with groups and constraints or ':=' is not implemented yet.")
    if any(f[1] == "~1" for f in parsed.formulas):
        raise NotImplementedError("estimator='WLSMV' with groups and intercepts ('~ 1') is not implemented yet.")
    pt, names = build_partable(parsed, fixed_x=True)
    ov, lv = list(names["ov"]), list(names["lv"])
    if names["ov.x"]:
        raise NotImplementedError(f"estimator='WLSMV' with observed covariates is not implemented yet; covariates in "
                                  f"this model: {names['ov.x']}.")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if group not in data.columns:
        raise ValueError(f"The 'group' parameter of fit names {group!r}, which is not a column of 'data'.")
    not_ordered = [] if ordered is True else [v for v in ov if v not in list(ordered or [])]
    if not_ordered:
        raise NotImplementedError(f"estimator='WLSMV' with continuous observed variables is not implemented yet; "
                                  f"declare them ordered. Continuous: {not_ordered}.")
    frame = data.loc[data[group].notna()]
    levels = list(pd.unique(frame[group]))
    if len(levels) < 2:
        raise ValueError(f"The 'group' column {group!r} has fewer than two groups ({levels}).")

    resid = ((pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & pt["lhs"].isin(ov)).to_numpy()
    pt = pt.copy()
    pt.loc[resid, ["fixed", "free"]] = [0.0, 0]
    keys: dict = {}

    def index(key):
        return keys.setdefault(key, len(keys))

    pcs, ns = [], []
    for lev in levels:
        sub = prepare_data(frame.loc[frame[group] == lev], ov)
        pcs.append(polychoric_corr(sub, acov=True))
        ns.append(len(sub))
    if "thresholds" in equal and any(list(pc.thresholds.index) != list(pcs[0].thresholds.index) for pc in pcs):
        raise ValueError("group_equal='thresholds' needs the same categories of every item in every group; "
                         "some item has a category missing in a group.")
    lvset = set(lv)
    blocks, pts, starts = [], [], {}
    for g, (pc, n) in enumerate(zip(pcs, ns)):
        free = np.zeros(len(pt), dtype=int)
        R = pc.corr.to_numpy()
        pt1 = pt.assign(free=pt["free"].where(pt["free"] == 0, np.cumsum(pt["free"] > 0)))
        ram1 = RamModel.from_partable(pt1, ov, lv, R)
        st = start_values(ram1, pt1, R)
        for r, row in enumerate(pt.itertuples(index=False)):
            if row.free <= 0:
                continue
            cls = _key_class(row.op, row.lhs, row.rhs, lvset)
            if row.label:
                key = ("label", row.label)
            elif cls in equal:
                key = ("row", r)
            else:
                key = ("row", g, r)
            free[r] = index(key) + 1
            starts.setdefault(key, st[ram1.free[r] - 1])
        th_idx = []
        for k, nm in enumerate(pc.thresholds.index):
            key = ("th", nm) if "thresholds" in equal else ("th", g, nm)
            th_idx.append(index(key))
            starts.setdefault(key, float(pc.thresholds.iloc[k]))
        later = g > 0 and "thresholds" in equal  # lavaan frees Delta and latent means beyond group 1
        delta_idx = np.array([index(("delta", g, v)) if later else -1 for v in ov])
        alpha_idx = np.array([index(("alpha", g, v)) if later else -1 for v in lv])
        if later:
            starts.update({("delta", g, v): 1.0 for v in ov})
            starts.update({("alpha", g, v): 0.0 for v in lv})
        pts.append(pt.assign(free=free))
        blocks.append((free, pc, n, np.array(th_idx), delta_idx, alpha_idx))
    q = len(keys)
    blocks = [_Block(RamModel.from_partable(pts[g].assign(free=fr), ov, lv, pc.corr.to_numpy(), n_theta=q),
                     np.flatnonzero(resid), pc, n, th, de, al)
              for g, (fr, pc, n, th, de, al) in enumerate(blocks)]
    theta0 = np.array([starts[k] for k in keys])
    theta, converged, iterations = _estimate(blocks, theta0)

    # ---- robust vcov (lavaan's nvcov_robust_sem with f_g = N_g / N) and the scaled test
    N = sum(ns)
    Js = _jacobian(blocks, theta)
    E = sum(b.n / N * J.T @ (b.w[:, None] * J) for b, J in zip(blocks, Js))
    Einv = np.linalg.inv(E)
    eig = np.linalg.eigvalsh(E)
    se_ok = bool(eig.min() > 1e-10 * eig.max())
    M = sum((b.n / N) ** 2 / ((b.n - 1) / N) * (b.w[:, None] * J).T @ b.gamma @ (b.w[:, None] * J)
            for b, J in zip(blocks, Js))
    vcov = Einv @ M @ Einv / N
    chisq = _objective(blocks, theta)
    k_all = sum(len(b.s) for b in blocks)
    df = k_all - q
    # stacked U Gamma: V = blockdiag(f_g W_g), Gamma* = blockdiag(Gamma_g / f_g)
    D = np.vstack(Js)
    fw = np.concatenate([b.n / N * b.w for b in blocks])
    G = np.zeros((k_all, k_all))
    o = 0
    for b in blocks:
        G[o:o + len(b.s), o:o + len(b.s)] = b.gamma / (b.n / N)
        o += len(b.s)
    VD = fw[:, None] * D
    U = np.diag(fw) - VD @ Einv @ VD.T
    tr1, tr2 = _traces(U @ G)
    t_scaled, c, shift = _scaled(chisq, df, tr1, tr2) if df > 0 else (np.nan, np.nan, np.nan)
    # baseline: independence per group, thresholds free
    tb, dfb, b1, b2 = 0.0, 0, 0.0, 0.0
    for b in blocks:
        wr, r = b.w[b.nth:], b.s[b.nth:]
        tb += (b.n - 1) * float(np.sum(wr * r * r))
        dfb += len(r)
        t1, t2 = _traces(wr[:, None] * b.gamma[b.nth:, b.nth:])
        b1, b2 = b1 + t1, b2 + t2
    tb_scaled, cb, shift_b = _scaled(tb, dfb, b1, b2)
    n_groups = len(blocks)
    fm = {"npar": float(q), "chisq": chisq, "df": float(df), "pvalue": float(stats.chi2.sf(chisq, df)),
          "chisq_scaled": t_scaled, "df_scaled": float(df), "pvalue_scaled": float(stats.chi2.sf(t_scaled, df)),
          "chisq_scaling_factor": c, "chisq_shift_parameter": shift, "baseline_chisq": tb,
          "baseline_df": float(dfb), "baseline_chisq_scaled": tb_scaled, "baseline_chisq_scaling_factor": cb,
          "baseline_chisq_shift_parameter": shift_b, "ntotal": float(N)}
    fm.update(_chisq_measures(chisq, df, tb, dfb, N - n_groups, n_groups))
    fm.update(_chisq_measures(t_scaled, df, tb_scaled, dfb, N - n_groups, n_groups, "_scaled"))
    fm.update({"logl": np.nan, "aic": np.nan, "bic": np.nan, "srmr": np.nan})
    table = _table(blocks, pts, theta, vcov, se_ok, ov, lv, levels)
    warnings = [] if converged else ["The optimizer did not converge."]
    if not se_ok:
        warnings.append("The information matrix is singular: standard errors are not available.")
    return SemResult(estimates=table, fit_measures=pd.Series(fm, name="value", dtype=float),
                     converged=bool(converged and all(pc.converged for pc in pcs)), warnings=warnings, r2=None,
                     implied_cov=None, sample_cov=None, n=N, model=model, estimator="WLSMV",
                     vcov=pd.DataFrame(vcov), iterations=iterations, _partable=pd.concat(pts, ignore_index=True),
                     _ram=blocks[0].with_residuals(theta), _theta=theta)


def _table(blocks, pts, theta, vcov, se_ok, ov, lv, levels) -> pd.DataFrame:
    """lavaan's rows per group: user rows, thresholds, other rows, ``~*~``, intercepts."""
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None)) if se_ok else np.full(len(theta), np.nan)
    parts = []
    for g, (b, pt) in enumerate(zip(blocks, pts), start=1):
        ram_t = b.with_residuals(theta)
        est = ram_t.row_values(theta)
        fr = pt["free"].to_numpy()
        rows = pd.DataFrame({"lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
                             "label": pt["label"].to_numpy(), "est": est, "_idx": fr - 1})
        lhs_th, rhs_th = zip(*(nm.split("|") for nm in b.th_names))
        thr = pd.DataFrame({"lhs": list(lhs_th), "op": "|", "rhs": list(rhs_th), "label": "",
                            "est": theta[b.th_idx], "_idx": b.th_idx})
        tau, delta, alpha = b.parts(theta)
        scal = pd.DataFrame({"lhs": ov, "op": "~*~", "rhs": ov, "label": "", "est": delta, "_idx": b.delta_idx})
        ints = pd.DataFrame({"lhs": ov + lv, "op": "~1", "rhs": "", "label": "",
                             "est": np.concatenate([np.zeros(len(ov)), alpha]),
                             "_idx": np.concatenate([np.full(len(ov), -1), b.alpha_idx])})
        user = pt["user"].to_numpy().astype(bool)
        tab = pd.concat([rows[user], thr, rows[~user], scal, ints], ignore_index=True)
        tab.insert(3, "group", g)
        parts.append(tab)
    table = pd.concat(parts, ignore_index=True)
    idx = table.pop("_idx").to_numpy(int)
    free = idx >= 0
    se = np.where(free, se_all[np.maximum(idx, 0)], 0.0)
    est = table["est"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(free, est / se, np.nan)
    table["se"], table["z"], table["pvalue"] = se, z, 2 * stats.norm.sf(np.abs(z))
    table["ci_lower"] = np.where(free, est - _Z975 * se, est)
    table["ci_upper"] = np.where(free, est + _Z975 * se, est)
    table.attrs["group_labels"] = list(levels)
    return table
