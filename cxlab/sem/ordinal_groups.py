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
  ``U Gamma`` over the stacked groups (not a sum of the groups' scaled statistics); at
  ``df = 0`` lavaan's conventions, as :mod:`cxlab.sem.ordinal` (the unscaled statistic,
  TLI/RFI/AGFI/CN 1, RMSEA and its interval 0, no p-values).

``group_equal`` follows lavaan's own rules for ordered items (``identification="lavaan"``,
what :func:`cxlab.sem.fit` does): ``"thresholds"`` holds the thresholds equal and frees,
beyond the first group, the scaling factors and the latent means; ``"loadings"`` (with
``"thresholds"``) holds the loadings equal; ``"intercepts"`` adds nothing (the item
intercepts stay 0). ``group_partial`` frees loadings (``"agree=~A2"``) or thresholds
(``"A1|t2"``) again. ``identification="wu_estabrook"`` gives the models of Wu & Estabrook
(2016) as ``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016", ID.fac = "std.lv")``
writes them; :func:`ordinal_invariance` (``cxlab.sem.invariance(..., ordered=...)``) fits
that sequence with lavaan's scaled difference tests (``lavTestLRT``, ``method =
"satorra.2000"``, scaled and shifted). The Jacobian of the implied statistics is taken by
central differences (relative error ~1e-9, far below the 1e-3 tolerance).

Not covered (:class:`NotImplementedError`): observed covariates, intercepts or constraints in
the syntax, ``"loadings"`` without ``"thresholds"``, ``group_partial`` with the Wu & Estabrook
identification, ``missing="fiml"``, bootstrap, the theta parameterisation. lavaan's
categorical ``*_robust`` indices (catML, Savalei 2021) are given for configural models only
and NaN otherwise, as lavaan (NA).
"""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats
from scipy.linalg import block_diag

from .._validation import check_choice
from ..polychoric import polychoric_corr
from .diagnostics import near_one_correlations
from .estimate import start_values
from .fitmeasures import catml_possible, f_ml_value, incremental_indices, rmsea_measures, saturated_robust
from .model import RamModel
from .result import assemble, parameter_table
from .moments import prepare_data
from .multigroup import parse_group_partial
from .robust import robust_measures
from .scoretest import SCORE_COLUMNS, bordered_score_tests
from .standardize import r_squared, std_all
from .syntax import build_partable, parse_model

__all__ = ["fit_wlsmv_groups", "ORDINAL_GROUP_EQUAL"]

#: group_equal combinations implemented for ordered items
ORDINAL_GROUP_EQUAL = (frozenset(), frozenset({"thresholds"}), frozenset({"thresholds", "loadings"}),
                       frozenset({"thresholds", "loadings", "intercepts"}))
_MAX_ITER = 300
_Z975 = stats.norm.ppf(0.975)


class _Block:
    """One group's sample statistics and model: ``m_g(theta) = (thresholds*, correlations*)``."""

    def __init__(self, ram: RamModel, resid_rows, pc, n: int, th_idx, delta_idx, alpha_idx, nu_idx):
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
        # positions in theta, -1 where fixed (Delta 1, alpha and nu 0; thresholds are always free)
        self.th_idx, self.delta_idx, self.alpha_idx, self.nu_idx = th_idx, delta_idx, alpha_idx, nu_idx
        self.items = [int(ram.pos[k][0]) for k in self.resid_rows]
        fixed0 = ram.fixed.copy()
        fixed0[self.resid_rows] = 0.0
        self.ram0 = replace(ram, fixed=fixed0)  # item residual variances 0
        used = [ram.free[ram.free > 0] - 1, th_idx, delta_idx, alpha_idx, nu_idx]
        self.used = np.unique(np.concatenate([np.asarray(u, dtype=int) for u in used]))
        self.used = self.used[self.used >= 0]  # the parameters this group's statistics depend on

    def parts(self, theta):
        """(thresholds tau, scaling factors Delta, latent means alpha, item intercepts nu) of this group."""
        def pick(idx, default):
            return np.where(idx >= 0, theta[np.maximum(idx, 0)], default)

        return theta[self.th_idx], pick(self.delta_idx, 1.0), pick(self.alpha_idx, 0.0), pick(self.nu_idx, 0.0)

    def solved(self, theta):
        """(B, Sigma of the items, residual variances) with ``diag(Delta Sigma Delta) = 1``."""
        B, sig, _ = self.ram0.implied_all(theta)
        delta = self.parts(theta)[1]
        p = self.ram.p
        Bo = B[:p, self.items]
        t = np.linalg.solve(Bo**2, 1.0 / delta**2 - np.diag(sig)[:p])
        return B, sig[:p, :p] + (Bo * t) @ Bo.T, t

    def with_residuals(self, theta) -> RamModel:
        """The RAM model with the item residual variances of ``diag(Sigma*) = 1``."""
        fixed = self.ram0.fixed.copy()
        fixed[self.resid_rows] = self.solved(theta)[2]
        return replace(self.ram, fixed=fixed)

    def implied(self, theta) -> np.ndarray:
        B, sig, _ = self.solved(theta)
        p = self.ram.p
        tau, delta, alpha, nu = self.parts(theta)
        mu = B[:p, :p] @ nu + B[:p, p:] @ alpha
        th = delta[self.th_item] * (tau - mu[self.th_item])
        r = (delta[:, None] * sig[:p, :p] * delta[None, :])[self.il, self.jl]
        return np.concatenate([th, r])


def _jacobian(blocks, theta) -> list[np.ndarray]:
    """d m_g / d theta by central differences, per group."""
    q = len(theta)
    out = [np.zeros((len(b.s), q)) for b in blocks]
    for b, J in zip(blocks, out):
        for k in b.used:  # other columns are 0
            h = 1e-6 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
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


def _first_loading_positive(theta, keys, key_row, pt, lv):
    """With std.lv a factor's sign is arbitrary: turn it so that its first loading is positive (as lavaan)."""
    first = {}
    for row in pt.itertuples(index=False):
        if row.op == "=~" and row.lhs not in first and row.free > 0:
            first[row.lhs] = row.free - 1
    sign = {f: (-1.0 if theta[k] < 0 else 1.0) for f, k in first.items()}
    out = theta.copy()
    for k, key in enumerate(keys):
        if key[0] == "alpha":
            out[k] *= sign.get(key[2], 1.0)
        elif key in key_row:
            op, lhs, rhs = key_row[key]
            if op == "=~":
                out[k] *= sign.get(lhs, 1.0)
            elif op in ("~~", "~") and lhs in lv and rhs in lv and lhs != rhs:
                out[k] *= sign.get(lhs, 1.0) * sign.get(rhs, 1.0)
    return out


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
    """CFI/TLI/NNFI/NFI/RNI and RMSEA (lavaan's multigroup sqrt(G) form) from a statistic (df 0: lavaan's
    conventions, :func:`cxlab.sem.fitmeasures.incremental_indices`)."""
    return {**incremental_indices(T, df, tb, dfb, suffix), **rmsea_measures(T, df, n_rmsea, suffix, n_groups)}


_ROBUST_KEYS = ("cfi_robust", "rni_robust", "tli_robust", "nnfi_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust")


def _catml_robust_groups(blocks, Js, theta, E, df, N) -> dict:
    """lavaan's categorical ``*_robust`` indices over groups (``lav_fit_catml_dwls``, Savalei 2021).

    ML on each group's polychoric matrix at the DWLS estimates (``XX3 = sum_g N_g F_ML``);
    scaling factor ``tr(WiU' V WiU Gamma) / df`` over the stacked groups with ``V`` the
    normal-theory weights of the correlations (times ``f_g``), ``W`` the DWLS weights (times
    ``f_g``), ``Gamma_g / f_g`` and ``WiU = I - D E^-1 D' W``; sample size ``N - G``. All NaN
    when a group's polychoric matrix is not positive definite (``catml_possible``).
    """
    xx3 = xx3_null = 0.0
    Vs, Ws, Gs, Ds = [], [], [], []
    for b, J in zip(blocks, Js):
        fg, p = b.n / N, b.ram.p
        delta = b.parts(theta)[1]
        sigma = delta[:, None] * b.solved(theta)[1] * delta[None, :]
        R = np.eye(p)
        R[b.il, b.jl] = R[b.jl, b.il] = b.s[b.nth:]
        if not catml_possible(R):  # lavaan: NA when a group's polychoric matrix is not positive definite
            return dict.fromkeys(_ROBUST_KEYS, np.nan)
        xx3 += b.n * f_ml_value(R, sigma)
        xx3_null += b.n * f_ml_value(R, np.eye(p))
        Si = np.linalg.inv(sigma)
        V = Si[np.ix_(b.il, b.il)] * Si[np.ix_(b.jl, b.jl)] + Si[np.ix_(b.il, b.jl)] * Si[np.ix_(b.jl, b.il)]
        Vs.append(fg * V)
        Ws.append(fg * b.w[b.nth:])
        Gs.append(b.gamma[b.nth:, b.nth:] / fg)
        Ds.append(J[b.nth:])
    V, W, G, D = block_diag(*Vs), np.concatenate(Ws), block_diag(*Gs), np.vstack(Ds)
    dfb = len(W)
    c3_null = float(np.trace(G)) / dfb
    if df == 0:  # lavaan's conventions for a saturated model
        return saturated_robust(xx3, xx3_null - c3_null * dfb)
    WiU = np.eye(len(W)) - D @ np.linalg.solve(E, D.T) * W[None, :]
    c3 = float(np.trace(WiU.T @ V @ WiU @ G)) / df
    return robust_measures(xx3, df, xx3_null, dfb, c3, c3_null, xx3 / c3, N - len(blocks), len(blocks))


def _residual_measures(blocks, theta, chisq, df, N) -> dict:
    """SRMR/RMR/CRMR (group averages weighted by N_g / N), GFI family, CN, MFI, WRMR as lavaan.

    The ``_nomean`` forms use the correlation residuals only; the others add the threshold
    residuals and count the thresholds. lavaan's WRMR divides by the number of sample
    statistics of one group (``sqrt(chisq / nel_1)``).
    """
    G = len(blocks)
    keys = ("srmr", "srmr_bentler", "crmr", "crmr_nomean", "gfi")
    acc = dict.fromkeys(keys, 0.0)
    for b in blocks:
        e = b.s - b.implied(theta)
        p, f = b.ram.p, b.n / N
        ss_r, ss_t = float(np.sum(e[b.nth:] ** 2)), float(np.sum(e[:b.nth] ** 2))
        acc["srmr"] += f * np.sqrt(ss_r / (p * (p + 1) / 2))
        acc["srmr_bentler"] += f * np.sqrt((ss_r + ss_t) / (p * (p + 1) / 2 + b.nth))
        acc["crmr_nomean"] += f * np.sqrt(ss_r / (p * (p - 1) / 2))
        acc["crmr"] += f * np.sqrt((ss_r + ss_t) / (p * (p - 1) / 2 + b.nth))
        acc["gfi"] += f * (1.0 - float(np.sum(b.w * e * e)) / float(np.sum(b.w * b.s * b.s)))
    nel = sum(len(b.s) for b in blocks)
    out = dict(acc, srmr_bentler_nomean=acc["srmr"], rmr=acc["srmr_bentler"], rmr_nomean=acc["srmr"])
    out["agfi"] = 1.0 - (nel / df) * (1.0 - acc["gfi"]) if df > 0 else 1.0  # lavaan: AGFI and CN 1 at df 0
    out["pgfi"] = (df / nel) * acc["gfi"]
    n_eff = N - G  # lavaan: N - G for estimators other than ML
    for key, level in (("cn_05", 0.95), ("cn_01", 0.99)):
        out[key] = stats.chi2.ppf(level, df) / (chisq / n_eff) + 1.0 if df > 0 and chisq > 0 else (1.0 if df == 0 else np.nan)
    out["mfi"] = np.exp(-0.5 * (chisq - df) / n_eff)
    out["wrmr"] = np.sqrt(chisq / len(blocks[0].s))
    return out


def fit_wlsmv_groups(data: pd.DataFrame, model: str, *, ordered=True, group: str, group_equal=(),
                     group_partial=(), estimator: str = "WLSMV", identification: str = "lavaan"):
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
        ``("thresholds", "loadings", "intercepts")``.
    group_partial : sequence of str, default=()
        Parameters held equal by ``group_equal`` but left free across groups (lavaan's
        ``group.partial``): ``"agree=~A2"``, thresholds as ``"A1|t2"``. With
        ``identification="lavaan"`` only.
    estimator : {"WLSMV"}
    identification : {"lavaan", "wu_estabrook"}, default="lavaan"
        "lavaan": lavaan's ``cfa(..., group.equal = ...)`` (marker loadings; beyond group 1
        equal thresholds free the scaling factors and latent means). "wu_estabrook": the
        models of ``semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016", ID.fac = "std.lv")``
        (latent variances 1 and means 0; beyond group 1 equal thresholds free the scaling
        factors and item intercepts, equal loadings the latent variances, equal intercepts
        (fixed to 0 again) the latent means).

    Returns
    -------
    SemResult
        Estimates with a ``group`` column (the group's value in ``data``; lavaan's rows per
        group: user rows, thresholds, residual variances, scaling factors, intercepts),
        robust SEs, scaled test and fit measures.

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
    >>> res.estimates["group"].unique().tolist()
    ['a', 'b']
    """
    return _fit(data, model, ordered=ordered, group=group, group_equal=group_equal, group_partial=group_partial,
                estimator=estimator, identification=identification)[0]


def _partial_keys(group_partial) -> set:
    """lavaan ``group.partial`` strings as ``(lhs, op, rhs)``; thresholds ``"A1|t2"`` as ``("A1", "|", "t2")``."""
    items = [group_partial] if isinstance(group_partial, str) else list(group_partial or ())
    thr = [it for it in items if isinstance(it, str) and "|" in it]
    keys = {tuple(part.strip() for part in (it.split("|")[0], "|", it.split("|")[1])) for it in thr}
    return keys | set(parse_group_partial([it for it in items if it not in thr]))


def _fit(data, model, *, ordered, group, group_equal, estimator, identification, group_partial=()):
    """The fit and its parts: (SemResult, blocks, theta, information E)."""
    check_choice(identification, "identification", "fit_wlsmv_groups", ("lavaan", "wu_estabrook"))
    wu = identification == "wu_estabrook"
    partial = _partial_keys(group_partial)
    if partial and wu:
        raise NotImplementedError("group_partial with identification='wu_estabrook' is not implemented yet.")
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
    pt, names = build_partable(parsed, fixed_x=True, std_lv=wu)
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
    known = {(r.lhs, r.op, r.rhs) for r in pt.itertuples(index=False)} | {tuple(nm.partition("|")) for pc in pcs
                                                                          for nm in pc.thresholds.index}
    unknown = [f"{k[0]}{k[1]}{k[2]}" for k in partial if k not in known and (k[2], k[1], k[0]) not in known]
    if unknown:
        raise ValueError(f"The 'group_partial' parameter of fit names {unknown}, which the model does not have.")
    lvset = set(lv)
    blocks, pts, starts, key_row = [], [], {}, {}
    for g, (pc, n) in enumerate(zip(pcs, ns)):
        free = np.zeros(len(pt), dtype=int)
        R = pc.corr.to_numpy()
        pt1 = pt.assign(free=pt["free"].where(pt["free"] == 0, np.cumsum(pt["free"] > 0)))
        ram1 = RamModel.from_partable(pt1, ov, lv, R)
        st = start_values(ram1, pt1, R)
        later = g > 0 and "thresholds" in equal  # beyond group 1 with equal thresholds
        for r, row in enumerate(pt.itertuples(index=False)):
            cls = _key_class(row.op, row.lhs, row.rhs, lvset)
            if row.free <= 0 and not (wu and later and "loadings" in equal and cls == "lv.variances"):
                continue
            if row.free <= 0:  # Wu & Estabrook: latent variances free beyond group 1 with equal loadings
                key = ("row", g, r)
                starts[key] = float(row.fixed)
            elif row.label:
                key = ("label", row.label)
            elif cls in equal and not {(row.lhs, row.op, row.rhs), (row.rhs, row.op, row.lhs)} & partial:
                key = ("row", r)
            else:
                key = ("row", g, r)
            free[r] = index(key) + 1
            key_row[key] = (row.op, row.lhs, row.rhs)
            if row.free > 0:
                starts.setdefault(key, st[ram1.free[r] - 1])
        th_idx = []
        for k, nm in enumerate(pc.thresholds.index):
            shared = "thresholds" in equal and tuple(nm.partition("|")) not in partial
            key = ("th", nm) if shared else ("th", g, nm)
            th_idx.append(index(key))
            starts.setdefault(key, float(pc.thresholds.iloc[k]))
        free_nu = wu and later and "intercepts" not in equal
        free_alpha = later and (not wu or "intercepts" in equal)
        delta_idx = np.array([index(("delta", g, v)) if later else -1 for v in ov])
        nu_idx = np.array([index(("nu", g, v)) if free_nu else -1 for v in ov])
        alpha_idx = np.array([index(("alpha", g, v)) if free_alpha else -1 for v in lv])
        starts.update({("delta", g, v): 1.0 for v in ov})
        starts.update({(kind, g, v): 0.0 for kind in ("nu", "alpha") for v in ov + lv})
        pts.append(pt.assign(free=free))
        blocks.append((free, pc, n, np.array(th_idx), delta_idx, alpha_idx, nu_idx))
    q = len(keys)
    blocks = [_Block(RamModel.from_partable(pts[g].assign(free=fr), ov, lv, pc.corr.to_numpy(), n_theta=q),
                     np.flatnonzero(resid), pc, n, th, de, al, nu)
              for g, (fr, pc, n, th, de, al, nu) in enumerate(blocks)]
    theta0 = np.array([starts[k] for k in keys])
    theta, converged, iterations = _estimate(blocks, theta0)
    if wu:
        theta = _first_loading_positive(theta, list(keys), key_row, pts[0], lvset)

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
    t_scaled, c, shift = _scaled(chisq, df, tr1, tr2) if df > 0 else (chisq, np.nan, np.nan)  # lavaan: unscaled at df 0
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
    fm = {"npar": float(q), "fmin": chisq / (2.0 * N), "chisq": chisq, "df": float(df),
          "pvalue": float(stats.chi2.sf(chisq, df)),
          "chisq_scaled": t_scaled, "df_scaled": float(df), "pvalue_scaled": float(stats.chi2.sf(t_scaled, df)),
          "chisq_scaling_factor": c, "chisq_shift_parameter": shift, "baseline_chisq": tb,
          "baseline_df": float(dfb), "baseline_pvalue": float(stats.chi2.sf(tb, dfb)),
          "baseline_chisq_scaled": tb_scaled, "baseline_df_scaled": float(dfb),
          "baseline_pvalue_scaled": float(stats.chi2.sf(tb_scaled, dfb)), "baseline_chisq_scaling_factor": cb,
          "baseline_chisq_shift_parameter": shift_b, "ntotal": float(N)}
    fm.update(_chisq_measures(chisq, df, tb, dfb, N - n_groups, n_groups))
    fm.update(_chisq_measures(t_scaled, df, tb_scaled, dfb, N - n_groups, n_groups, "_scaled"))
    fm.update(_residual_measures(blocks, theta, chisq, df, N))
    configural = not equal and all(len(set(b.used) & set(o.used)) == 0 for b in blocks for o in blocks if o is not b)
    if configural and se_ok:  # lavaan gives the catML robust indices for configural models only
        fm.update(_catml_robust_groups(blocks, Js, theta, E, df, N))
    else:
        fm.update(dict.fromkeys(_ROBUST_KEYS, np.nan))
    fm.update({"logl": np.nan, "aic": np.nan, "bic": np.nan, "rmsea_ci_level": 0.90, "rmsea_close_h0": 0.05,
               "rmsea_notclose_h0": 0.08, "srmr_mplus": np.nan, "srmr_mplus_nomean": np.nan})
    table, pt_rows = _table(blocks, pts, theta, vcov, se_ok, ov, lv, levels)
    warnings = [] if converged else ["The optimizer did not converge."]
    if not se_ok:
        warnings.append("The information matrix is singular: standard errors are not available.")
    warnings += [f"Group {lev}: {w}" for lev, pc in zip(levels, pcs) for w in near_one_correlations(pc.corr)]

    def by_group(frames):
        return pd.concat(frames, keys=levels, names=["group", None])

    implied = []
    for b in blocks:
        delta = b.parts(theta)[1]
        implied.append(pd.DataFrame(delta[:, None] * b.solved(theta)[1] * delta[None, :], index=ov, columns=ov))
    result = assemble(estimates=table, fit_measures=pd.Series(fm, name="value", dtype=float),
                      converged=converged and all(pc.converged for pc in pcs), warnings=warnings,
                      r2=by_group([r_squared(b.with_residuals(theta), theta) for b in blocks]),
                      implied_cov=by_group(implied), sample_cov=by_group([pc.corr for pc in pcs]), n=N, model=model,
                      estimator="WLSMV", vcov=vcov, iterations=iterations, partable=pt_rows,
                      ram=blocks[0].with_residuals(theta), theta=theta)
    return result, blocks, theta, E


def _table(blocks, pts, theta, vcov, se_ok, ov, lv, levels) -> pd.DataFrame:
    """lavaan's rows per group: user rows, thresholds, other rows, ``~*~``, intercepts; (estimates, the
    parameter table of the rows, ``free`` numbering ``theta``)."""
    se_all = np.sqrt(np.clip(np.diag(vcov), 0, None)) if se_ok else np.full(len(theta), np.nan)
    parts, partables = [], []
    for g, (b, pt) in enumerate(zip(blocks, pts), start=1):
        ram_t = b.with_residuals(theta)
        est = ram_t.row_values(theta)
        fr = pt["free"].to_numpy()
        rows = pd.DataFrame({"lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
                             "label": pt["label"].to_numpy(), "est": est, "_idx": fr - 1,
                             "std_all": std_all(ram_t, pt, theta), "_pt": np.arange(len(pt))})
        lhs_th, rhs_th = zip(*(nm.split("|") for nm in b.th_names))
        tau, delta, alpha, nu = b.parts(theta)
        # std.all: thresholds and item intercepts over the implied SD of y* (1 / Delta), latent means over theirs
        sd_lv = np.sqrt(np.diag(ram_t.implied_all(theta)[1])[len(ov):])
        thr = pd.DataFrame({"lhs": list(lhs_th), "op": "|", "rhs": list(rhs_th), "label": "",
                            "est": tau, "_idx": b.th_idx, "std_all": tau * delta[b.th_item], "_pt": -1})
        scal = pd.DataFrame({"lhs": ov, "op": "~*~", "rhs": ov, "label": "", "est": delta, "_idx": b.delta_idx,
                             "std_all": 1.0, "_pt": -1})
        ints = pd.DataFrame({"lhs": ov + lv, "op": "~1", "rhs": "", "label": "",
                             "est": np.concatenate([nu, alpha]), "_idx": np.concatenate([b.nu_idx, b.alpha_idx]),
                             "std_all": np.concatenate([nu * delta, alpha / sd_lv]), "_pt": -1})
        user = pt["user"].to_numpy().astype(bool)
        tab = pd.concat([rows[user], thr, rows[~user], scal, ints], ignore_index=True)
        tab.insert(3, "group", levels[g - 1])  # the group's value, as the continuous multigroup fit
        idx = tab["_idx"].to_numpy(int)
        partables.append(parameter_table(pt, tab, tab.pop("_pt"), np.where(idx >= 0, idx + 1, 0), group=g))
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
    table = table[["lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]]
    return table, pd.concat(partables, ignore_index=True)


def _satorra2000(m1, m0) -> tuple[float, int]:
    """lavaan's scaled chi-square difference (``lavTestLRT``, ``method = "satorra.2000"``, scaled-shifted).

    ``m1`` is the less restricted fit, ``m0`` the nested one, each ``(result, blocks, theta, E)``.
    The restrictions ``A`` are the orthogonal complement of ``H = (D1'D1)^-1 D1'D0`` (the
    Jacobians of the implied statistics of both models, lavaan's ``A.method = "delta"``).
    """
    res1, blocks1, theta1, E1 = m1
    res0, blocks0, theta0, _ = m0
    T1, T0 = res1.fit_measures["chisq"], res0.fit_measures["chisq"]
    m = int(res0.fit_measures["df"] - res1.fit_measures["df"])
    PI = _jacobian(blocks1, theta1)
    D1, D0 = np.vstack(PI), np.vstack(_jacobian(blocks0, theta0))
    H = np.linalg.solve(D1.T @ D1, D1.T @ D0)
    U_h, sv, _ = np.linalg.svd(H)
    rank = int(np.sum(sv > sv.max() * 1e-8))
    A = U_h[:, rank:].T
    Pinv = np.linalg.inv(E1)
    PAAPAAP = Pinv @ A.T @ np.linalg.pinv(A @ Pinv @ A.T) @ A @ Pinv
    N = sum(b.n for b in blocks1)
    fg = [b.n / N for b in blocks1]
    V = np.concatenate([b.w for b in blocks1])
    G = np.zeros((len(V), len(V)))
    o = 0
    for b, f in zip(blocks1, fg):
        G[o:o + len(b.s), o:o + len(b.s)] = f * b.gamma
        o += len(b.s)
    D = V[:, None] * D1
    UG = D @ PAAPAAP @ D.T @ G
    tr1 = float(np.trace(UG))  # = sum_g f_g tr(W_g Gamma_g W_g PI_g PAAPAAP PI_g')
    tr2 = float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    return (T0 - T1) * a + (m - a * tr1), m


def _remapped(block: _Block, mapping: dict, q: int) -> _Block:
    """A copy of ``block`` whose parameter indices go through ``mapping`` (old -> new, 0-based)."""
    def remap(idx):
        idx = np.asarray(idx, dtype=int)
        return np.array([mapping.get(int(k), int(k)) if k >= 0 else -1 for k in idx], dtype=int)

    out = copy.copy(block)
    free = np.where(block.ram.free > 0, remap(block.ram.free - 1) + 1, 0)
    out.ram = replace(block.ram, free=free, n_theta=q)
    out.ram0 = replace(block.ram0, free=free, n_theta=q)
    out.th_idx, out.delta_idx = remap(block.th_idx), remap(block.delta_idx)
    out.alpha_idx, out.nu_idx = remap(block.alpha_idx), remap(block.nu_idx)
    out.used = remap(block.used)
    return out


def _describe(block: _Block, k: int) -> tuple:
    """``(lhs, op, rhs, kind)`` of parameter ``k`` in ``block`` (its first row)."""
    ov, lv = block.ram.ov, block.ram.lv
    names = list(ov) + list(lv)
    if k in block.th_idx:
        lhs, _, rhs = block.th_names[list(block.th_idx).index(k)].partition("|")
        return lhs, "|", rhs, "thresholds"
    for arr, kind, vars_ in ((block.nu_idx, "intercepts", ov), (block.alpha_idx, "means", lv)):
        if k in arr:
            return vars_[list(arr).index(k)], "~1", "", kind
    if k in block.delta_idx:
        v = ov[list(block.delta_idx).index(k)]
        return v, "~*~", v, "scaling"
    r = int(np.flatnonzero(block.ram.free == k + 1)[0])
    (i, j), mat = block.ram.pos[r], block.ram.mat[r]
    if mat == "A":
        return (names[j], "=~", names[i], "loadings") if names[j] in lv and names[i] in ov else \
            (names[i], "~", names[j], "regressions")
    latent = names[i] in lv
    kind = ("lv.variances" if i == j else "lv.covariances") if latent else \
        ("residuals" if i == j else "residual.covariances")
    return names[i], "~~", names[j], kind


def _score_tests(parts, *, release_intercepts: bool = False) -> pd.DataFrame:
    """Univariate score tests of the equality constraints of an ordinal multigroup fit.

    The parameters shared by several groups are split into one copy per group, held equal
    by constraint rows (group ``g`` equal to the first group using it); with
    ``release_intercepts`` the item intercepts fixed to 0 beyond the first group (the Wu &
    Estabrook scalar step) become parameters held at 0 by constraint rows. At the
    constrained estimate, with ``e_g`` the residual statistics, ``Delta_g`` their Jacobian
    and ``W_g`` the diagonal DWLS weight, the gradient ``s = sum_g (N_g - 1) / N Delta_g' W_g e_g``
    (of lavaan's objective) and the information ``J = sum_g N_g / N Delta_g' W_g Delta_g`` give lavaan's
    ordinary score test of each constraint (:func:`cxlab.sem.scoretest.bordered_score_tests`):
    what ``lavTestScore`` computes for a WLSMV fit ("falling back to ordinary score test"),
    and ``modindices`` for a fixed intercept. The statistic ranks the constraints; it is not
    a robust (scaled) test, so its chi-square p-value is approximate.

    Returns the rows of :data:`cxlab.sem.scoretest.SCORE_COLUMNS`: ``lhs, op, rhs`` and
    ``parameter`` name the parameter of group ``group`` (a group value) released,
    ``kind`` its class (``"thresholds"``, ``"loadings"``, ``"intercepts"``, ...).
    """
    result, blocks, theta, _ = parts
    levels = list(pd.unique(result.estimates["group"]))
    users: dict = {}
    for g, b in enumerate(blocks):
        for k in b.used:
            users.setdefault(int(k), []).append(g)
    x, rows, info, maps = list(theta), [], [], []
    for g, b in enumerate(blocks):
        mapping = {}
        for k in sorted(int(k) for k in b.used):
            if users[k][0] != g:
                mapping[k] = len(x)
                x.append(theta[k])
                rows.append((k, mapping[k]))
                info.append((g, mapping[k]))
        maps.append(mapping)
    q = len(x)
    ex = [_remapped(b, m, q) for b, m in zip(blocks, maps)]
    if release_intercepts:
        for g, b in enumerate(ex[1:], start=1):
            for v in np.flatnonzero(b.nu_idx < 0):
                b.nu_idx = b.nu_idx.copy()
                b.nu_idx[v] = len(x)
                rows.append((None, len(x)))
                info.append((g, len(x)))
                x.append(0.0)
    q = len(x)
    for b in ex:
        b.ram = replace(b.ram, n_theta=q)
        b.ram0 = replace(b.ram0, n_theta=q)
        b.used = np.unique(np.concatenate([b.used, b.nu_idx[b.nu_idx >= 0]]))
    x = np.asarray(x)
    R = np.zeros((len(rows), q))
    for r, (k0, k1) in enumerate(rows):
        R[r, k1] = -1.0
        if k0 is not None:
            R[r, k0] = 1.0
    N = sum(b.n for b in ex)
    Js = _jacobian(ex, x)
    # lavaan: the gradient of its objective sum_g (N_g - 1) e_g' W_g e_g / N, the information weighted by N_g / N
    s = sum((b.n - 1) / N * J.T @ (b.w * (b.s - b.implied(x))) for b, J in zip(ex, Js))
    info_matrix = sum(b.n / N * J.T @ (b.w[:, None] * J) for b, J in zip(ex, Js))
    x2 = bordered_score_tests(s, info_matrix, R, N)[1]
    out = []
    for (g, k), stat in zip(info, x2):
        lhs, op, rhs, kind = _describe(ex[g], k)
        out.append(dict(lhs=lhs, op=op, rhs=rhs, x2=stat, df=1, pvalue=float(stats.chi2.sf(stat, 1)),
                        parameter=f"{lhs}{op}{rhs}" if op != "~1" else f"{lhs}~1", group=levels[g], kind=kind))
    return pd.DataFrame(out, columns=SCORE_COLUMNS)


#: Wu & Estabrook (2016) steps for ordered items and their group_equal
ORDINAL_LEVELS = {"configural": (), "thresholds": ("thresholds",), "metric": ("thresholds", "loadings"),
                  "scalar": ("thresholds", "loadings", "intercepts")}


def ordinal_invariance(data: pd.DataFrame, model: str, *, group: str, ordered=True,
                       levels=("configural", "thresholds", "metric", "scalar")) -> tuple[pd.DataFrame, dict]:
    """Measurement invariance of ordinal items (Wu & Estabrook 2016), WLSMV with scaled difference tests.

    Each level is fitted with the identification of ``semTools::measEq.syntax(ID.cat =
    "Wu.Estabrook.2016", ID.fac = "std.lv")`` and compared with the level before it by
    lavaan's ``lavTestLRT`` for WLSMV (``method = "satorra.2000"``, scaled and shifted).
    Used by :func:`cxlab.sem.invariance` when ``ordered`` is given. A failed step (p < .05,
    converged fit) gets the univariate score tests of the restrictions it added (equal
    thresholds, equal loadings, item intercepts fixed to 0), lavaan's ordinary score test
    of the DWLS fit (``lavTestScore``/``modindices`` on the WLSMV fit; see ``_score_tests``
    and ``tests/data/r/34_wlsmv_score_tests.R``): a ranking of the parameters to free, whose
    p-values are not robust.

    Parameters
    ----------
    data : DataFrame
    model : str
    group : str
    ordered : True or list of str
    levels : sequence of str
        Among ``"configural", "thresholds", "metric", "scalar"``, least constrained first.

    Returns
    -------
    table : DataFrame
        Indexed by level: ``npar, chisq, df, chisq_scaled, pvalue_scaled, cfi_scaled,
        tli_scaled, rmsea_scaled, chisq_diff, df_diff, pvalue_diff, cfi_diff,
        compared_with`` (``chisq_diff`` the scaled difference statistic).
    score_tests : dict of str to DataFrame
        For each failed step, the score tests of its restrictions, largest statistic first
        (columns :data:`cxlab.sem.scoretest.SCORE_COLUMNS`; ``kind`` ``"thresholds"``,
        ``"loadings"`` or ``"intercepts"``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(9)
    >>> f = rng.normal(size=(1200, 1))
    >>> d = pd.DataFrame(np.digitize(0.7 * f + 0.7 * rng.normal(size=(1200, 4)), [-1, 0, 1]) + 1,
    ...                  columns=["q1", "q2", "q3", "q4"])
    >>> d["seg"] = np.repeat(["a", "b"], 600)
    >>> t, failed = ordinal_invariance(d, "f =~ q1 + q2 + q3 + q4", group="seg")
    >>> t["df"].astype(int).tolist(), t["df_diff"].tolist()[1:]
    ([4, 8, 11, 14], [4.0, 3.0, 3.0])
    >>> failed  # no step fails on these simulated items
    {}
    """
    levels = tuple(levels)
    bad = [lev for lev in levels if lev not in ORDINAL_LEVELS]
    if bad or not levels or len(set(levels)) < len(levels):
        raise ValueError(f"The 'levels' parameter of invariance with ordered items must be distinct names among "
                         f"{tuple(ORDINAL_LEVELS)}. Got {levels!r} instead.")
    cols = ["npar", "chisq", "df", "chisq_scaled", "pvalue_scaled", "cfi_scaled", "tli_scaled", "rmsea_scaled"]
    rows, prev, failed = {}, None, {}
    for lev in levels:
        cur = _fit(data, model, ordered=ordered, group=group, group_equal=ORDINAL_LEVELS[lev], estimator="WLSMV",
                   identification="wu_estabrook")
        fm = cur[0].fit_measures
        row = {c: float(fm[c]) for c in cols}
        if prev is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, pvalue_diff=np.nan, cfi_diff=np.nan, compared_with=None)
        else:
            t, m = _satorra2000(prev[1], cur)
            row.update(chisq_diff=t, df_diff=float(m), pvalue_diff=float(stats.chi2.sf(t, m)),
                       cfi_diff=row["cfi_scaled"] - rows[prev[0]]["cfi_scaled"], compared_with=prev[0])
            new = set(ORDINAL_LEVELS[lev]) - set(ORDINAL_LEVELS[prev[0]])
            if row["pvalue_diff"] < 0.05 and cur[0].converged and new:  # failed step: its restrictions' score tests
                tests = _score_tests(cur, release_intercepts="intercepts" in new)
                failed[lev] = tests[tests["kind"].isin(new)].sort_values("x2", ascending=False, kind="stable")
        rows[lev] = row
        prev = (lev, cur)
    return pd.DataFrame(list(rows.values()), index=pd.Index(levels, name="model")), failed
