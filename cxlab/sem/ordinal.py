"""WLSMV for ordinal indicators, as lavaan's ``estimator = "WLSMV"`` (delta parameterisation).

Steps, each as lavaan 0.6-14 does it (validated in ``tests/test_sem_wlsmv.py``):

* **Sample statistics** ``s = (thresholds, polychoric correlations)`` and ``Gamma`` = lavaan's
  ``NACOV`` (``N`` times their asymptotic covariance) from :func:`cxlab.polychoric.polychoric_corr`.
* **Model** (delta parameterisation, scaling factors ``~*~`` fixed to 1): the latent
  responses ``y*`` have unit variances, so the residual variances of the items are not
  parameters but solved from ``diag(Sigma*) = 1`` (``1 - diag(Lambda Psi Lambda')`` in a
  CFA); the implied statistics are the thresholds (free; item intercepts and latent means
  fixed to 0) and the off-diagonal elements of ``Sigma*``.
* **DWLS** estimates minimise ``F = (s - m)' W (s - m)`` with ``W = diag(Gamma)^-1``
  (Gauss-Newton with step halving, to a gradient below 1e-10). The thresholds enter only
  their own moments, so their estimates are the sample thresholds.
* lavaan uses ``N - 1`` as the sample size of non-ML estimators: ``chisq = (N - 1) F``,
  the covariance of the estimates and RMSEA, CN, MFI all with ``N - 1``.
* **Robust standard errors** (``se = "robust.sem"``): ``vcov = E^-1 D'W Gamma W D E^-1 / (N - 1)``
  with ``D`` the Jacobian of ``m`` and ``E = D'WD`` (expected information).
* **Mean-and-variance adjusted test** ("scaled.shifted", Asparouhov & Muthen 2010) with
  ``U = W - W D E^-1 D'W``: ``a = sqrt(df / tr((U Gamma)^2))``, ``shift = df - a tr(U Gamma)``,
  ``chisq_scaled = a chisq + shift``, ``chisq_scaling_factor = 1/a``
  (``chisq_shift_parameter`` = shift); the baseline (independence) model the same way.
* **Fit measures**: CFI/TLI/NFI/... from the unscaled and the scaled statistics; RMSEA
  (the scaled one from ``chisq_scaled`` and ``df``); SRMR/RMR/CRMR on the correlation
  residuals (``_nomean``) and with the threshold residuals (zero) counted; GFI/AGFI with
  the DWLS weights; WRMR; and lavaan's categorical ``*_robust`` indices (Savalei 2021,
  ``lav_fit_catml_dwls``: ML on the polychoric matrix at the DWLS estimates). There is no
  likelihood: ``logl``, ``aic``, ``bic`` are NaN, as lavaan leaves them out.
* **Just-identified models** (``df = 0``), as lavaan: the scaled statistic is the unscaled
  one (no scaling factor), TLI/NNFI, RFI, AGFI and CN are 1, PGFI 0, the RMSEA (unscaled,
  scaled and robust) and its interval 0, and the p-values NaN
  (:func:`cxlab.sem.fitmeasures.scaled_shifted`, ``incremental_indices``, ``rmsea_measures``).

Observed exogenous covariates (lavaan's ``conditional.x``) are fitted by
:mod:`cxlab.sem.ordinal_covariates`. Not covered yet (:class:`NotImplementedError`): mixes of
ordinal and continuous indicators, intercepts in the syntax, the theta parameterisation,
``missing="fiml"``, groups and bootstrap. The robust indices are NaN, as lavaan's, when the
polychoric matrix is not positive definite (an eigenvalue below ``sqrt(eps)``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from ..polychoric import polychoric_corr
from .diagnostics import collect_warnings, near_one_correlations
from .estimate import scoring_step, start_values
from .fitmeasures import (catml_possible, f_ml_value, incremental_indices, rmsea_ci, rmsea_measures,
                          saturated_robust, scaled_shifted)
from .identify import check_identified, parameter_names
from .model import RamModel
from .moments import prepare_data
from .ordinal_covariates import fit_wlsmv_covariates
from .result import ESTIMATE_COLUMNS, assemble, defined_rows, parameter_table
from .robust import w_vech_dense
from .standardize import r_squared, std_all
from .syntax import build_partable, parse_model

__all__ = ["fit_wlsmv", "WLSMVFit"]

MAX_ITER = 500
GRAD_TOL = 1e-10
_Z975 = stats.norm.ppf(0.975)


def _check_ordered(ordered, ov, data: pd.DataFrame) -> None:
    if ordered is True:
        return
    if ordered is None or ordered is False or (hasattr(ordered, "__len__") and len(ordered) == 0):
        raise NotImplementedError(
            "estimator='WLSMV' with continuous (not ordered) observed variables is not implemented yet; "
            "list the ordinal items in 'ordered' (or ordered=True) or use ML/MLR."
        )
    if isinstance(ordered, str) or not hasattr(ordered, "__iter__"):
        raise ValueError(
            "The 'ordered' parameter of fit must be True or a list of ordinal column names when "
            f"estimator='WLSMV'. Got {ordered!r} instead."
        )
    ordered = list(ordered)
    unknown = [v for v in ordered if v not in data.columns]
    if unknown:
        raise ValueError(f"The 'ordered' parameter of fit names columns that are not in 'data': {unknown}.")
    continuous = [v for v in ov if v not in ordered]
    if continuous:
        raise NotImplementedError(
            "estimator='WLSMV' with continuous (not ordered) observed variables is not implemented yet; "
            f"declare them ordered or use ML/MLR. Continuous: {continuous}."
        )


class WLSMVFit:
    """The DWLS model of ordinal data: sample statistics, weights and implied statistics.

    Parameters
    ----------
    ram : RamModel
        Model whose item residual variances are fixed (their values are computed).
    resid_rows : ndarray of int
        Parameter-table rows of the item residual variances.
    pc : PolychoricResult
        Sample statistics with ``nacov``.
    """

    def __init__(self, ram: RamModel, resid_rows: np.ndarray, pc):
        self.ram = ram
        self.resid_rows = resid_rows
        p = ram.p
        self.p = p
        il, jl = [], []
        for j in range(p - 1):
            for i in range(j + 1, p):
                il.append(i)
                jl.append(j)
        self.il, self.jl = np.array(il, dtype=int), np.array(jl, dtype=int)
        self.vec_idx = self.il * p + self.jl  # positions in vec(Sigma)
        self.diag_idx = np.arange(p) * (p + 1)
        self.tau = pc.thresholds.to_numpy()
        self.th_names = list(pc.thresholds.index)
        self.nth = len(self.tau)
        self.r = pc.corr.to_numpy()[self.il, self.jl]
        self.gamma = pc.nacov.to_numpy()
        self.w = 1.0 / np.diag(self.gamma)
        self.w_r = self.w[self.nth:]
        self.resid_pos = [tuple(ram.pos[k]) for k in resid_rows]

    def with_residuals(self, theta: np.ndarray) -> RamModel:
        """The model with the item residual variances that make ``diag(Sigma*) = 1``.

        Solved jointly, so an ordinal item that predicts other variables has its own residual
        variance counted in theirs (lavaan >= 0.6-20; lavaan 0.6-14 leaves it out, see
        ``tests/test_sem_wlsmv_ordinal_predictor.py``).
        """
        fixed = self.ram.fixed.copy()
        fixed[self.resid_rows] = 0.0
        ram0 = replace(self.ram, fixed=fixed)
        B, sig, _ = ram0.implied_all(theta)
        p = self.p
        items = [i for i, _ in self.resid_pos]
        Bo = B[:p, items]
        t = np.linalg.solve(Bo**2, 1.0 - np.diag(sig)[:p])
        fixed[self.resid_rows] = t
        return replace(self.ram, fixed=fixed)

    def implied_r(self, theta: np.ndarray) -> tuple[np.ndarray, RamModel]:
        ram_t = self.with_residuals(theta)
        return ram_t.implied(theta).ravel()[self.vec_idx], ram_t

    def jacobian_r(self, theta: np.ndarray, ram_t: RamModel) -> np.ndarray:
        """d(off-diagonal Sigma*)/d theta, including the computed residual variances (lavaan's
        analytic Delta leaves out those of an ordinal item that predicts others)."""
        J = ram_t.jacobian(theta)
        Jt = ram_t.jacobian_rows(theta, ["S"] * len(self.resid_pos), self.resid_pos)
        dt = -np.linalg.solve(Jt[self.diag_idx, :], J[self.diag_idx, :])
        return (J + Jt @ dt)[self.vec_idx, :]

    def estimate(self, theta0: np.ndarray):
        """Gauss-Newton DWLS on the correlations; returns (theta, converged, iterations, message)."""
        theta = theta0.astype(float).copy()
        w = self.w_r

        def f_of(t):
            try:
                m, _ = self.implied_r(t)
            except np.linalg.LinAlgError:
                return np.inf
            e = self.r - m
            return float(np.sum(w * e * e))

        f = f_of(theta)
        message = "maximum number of iterations reached"
        for it in range(1, MAX_ITER + 1):
            m, ram_t = self.implied_r(theta)
            J = self.jacobian_r(theta, ram_t)
            e = self.r - m
            g = -2.0 * J.T @ (w * e)
            if np.max(np.abs(g)) < GRAD_TOL:
                return theta, True, it, "converged"
            H = J.T @ (w[:, None] * J)
            step = scoring_step(H, -J.T @ (w * e))  # least squares where H is singular (a zero start covariance)
            if not np.all(np.isfinite(step)):
                return theta, False, it, "singular information matrix"
            alpha = 1.0
            for _ in range(40):
                cand = theta + alpha * step
                fc = f_of(cand)
                if np.isfinite(fc) and fc <= f + 1e-4 * alpha * float(g @ step) + 1e-15 * max(1.0, f):
                    break
                alpha /= 2.0
            else:
                ok = np.max(np.abs(g)) < 1e-6
                return theta, ok, it, "converged (no further decrease possible)" if ok else "line search failed"
            theta, f_old, f = cand, f, fc
            if np.max(np.abs(alpha * step)) < 1e-13 and abs(f_old - f) <= 1e-15 * max(1.0, f):
                ok = np.max(np.abs(g)) < 1e-6
                return theta, ok, it, "converged" if ok else "no progress"
        return theta, False, MAX_ITER, message


_ROBUST_KEYS = ("cfi_robust", "rni_robust", "tli_robust", "nnfi_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust")


def _catml_robust(R, sigma, WiU, gamma_r, n, df) -> pd.Series:
    """lavaan's categorical ``*_robust`` indices (Savalei 2021, ``lav_fit_catml_dwls``).

    The model is evaluated by ML on the polychoric matrix at the DWLS estimates (``catML``,
    statistic ``N F_ML``); its scaling factor is ``tr(WiU' V WiU Gamma) / df`` with ``V`` the
    normal-theory weight of the correlations at the implied matrix and ``WiU = I - D E^-1 D'W``
    the DWLS residual projector; the baseline's factor is ``tr(Gamma) / df_b``. All NaN when
    ``R`` is not positive definite (:func:`cxlab.sem.fitmeasures.catml_possible`).
    """
    if not catml_possible(R):  # lavaan: NA for a polychoric matrix that is not positive definite
        return pd.Series(np.nan, index=list(_ROBUST_KEYS), dtype=float)
    p = R.shape[0]
    n1 = n - 1
    pairs = [(i, j) for j in range(p) for i in range(j, p)]
    off = np.array([k for k, (i, j) in enumerate(pairs) if i != j])
    V = w_vech_dense(np.linalg.inv(sigma))[np.ix_(off, off)]
    x3 = n * f_ml_value(R, sigma)
    dfb = len(off)
    x3b = n * f_ml_value(R, np.eye(p))
    c3b = float(np.trace(gamma_r)) / dfb
    nb = x3b - c3b * dfb
    if df == 0:  # lavaan's conventions for a saturated model
        return pd.Series(saturated_robust(x3, nb), dtype=float)[list(_ROBUST_KEYS)]
    c3 = float(np.trace(WiU.T @ V @ WiU @ gamma_r)) / df
    num = x3 - c3 * df
    den = max(num, nb, 0.0)
    out = {
        "cfi_robust": 1.0 - max(num, 0.0) / den if den > 0 else 1.0,
        "rni_robust": 1.0 - num / nb,
        "tli_robust": 1.0 - (num / df) / (nb / dfb),
        "nnfi_robust": 1.0 - (num / df) / (nb / dfb),
        "rmsea_robust": np.sqrt(max(x3 / n1 / df - c3 / n1, 0.0)),
    }
    lo, hi = rmsea_ci(x3 / c3, df, n1)
    out["rmsea_ci_lower_robust"], out["rmsea_ci_upper_robust"] = np.sqrt(c3) * lo, np.sqrt(c3) * hi
    out["rmsea_pvalue_robust"] = float(stats.ncx2.sf(x3 / c3, df, n1 * df / c3 * 0.05**2))
    out["rmsea_notclose_pvalue_robust"] = float(stats.ncx2.cdf(x3 / c3, df, n1 * df / c3 * 0.08**2))
    return pd.Series(out, dtype=float)[list(_ROBUST_KEYS)]


def fit_wlsmv(data: pd.DataFrame, model: str, *, ordered=True, missing: str = "listwise", group=None,
              group_equal=(), bootstrap: int = 0, seed=None, estimator: str = "WLSMV"):
    """WLSMV fit of a model whose observed variables are all ordinal (used by :func:`cxlab.sem.fit`).

    Parameters
    ----------
    data : DataFrame
        One row per respondent; ordinal items coded as ordered numbers (e.g. 1..5).
    model : str
        lavaan syntax (``=~``, ``~``, ``~~``, labels, ``:=``).
    ordered : True or list of str
        The ordinal items (all observed variables of the model must be ordinal).
    missing, group, group_equal, bootstrap, seed
        Only the defaults are supported with WLSMV.
    estimator : {"WLSMV", "DWLS"}, default="WLSMV"
        "DWLS": the same estimates with lavaan's ``se = "standard"`` (expected information
        ``(Delta' W Delta)^-1 / (N - 1)``, no sandwich) and ``test = "standard"`` (the
        unscaled statistic and the fit measures computed from it only).

    Returns
    -------
    SemResult
        Estimates in lavaan's row order (loadings, thresholds ``"|"`` ``"t1"``..., variances,
        scaling factors ``"~*~"``, intercepts ``"~1"``), fit measures with the scaled test.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> f = rng.normal(size=(800, 1))
    >>> ystar = 0.7 * f + np.sqrt(1 - 0.49) * rng.normal(size=(800, 4))
    >>> items = pd.DataFrame(np.digitize(ystar, [-1, 0, 1]) + 1, columns=["q1", "q2", "q3", "q4"])
    >>> res = fit_wlsmv(items, "f =~ q1 + q2 + q3 + q4")
    >>> res.converged, int(res.fit_measures["df"]), int(res.fit_measures["npar"])
    (True, 2, 16)
    >>> res.estimates.loc[4:6, ["lhs", "op", "rhs"]].values.tolist()
    [['q1', '|', 't1'], ['q1', '|', 't2'], ['q1', '|', 't3']]
    """
    if missing != "listwise":
        raise NotImplementedError(f"estimator='WLSMV' with missing={missing!r} is not implemented yet; use missing='listwise'.")
    if group is not None or group_equal:
        raise NotImplementedError("estimator='WLSMV' with groups (group, group_equal) is not implemented yet.")
    if bootstrap:
        raise NotImplementedError(f"estimator='WLSMV' with bootstrap={bootstrap!r} is not implemented yet.")
    parsed = parse_model(model)
    if parsed.constraints or parsed.inequalities:
        raise NotImplementedError("estimator='WLSMV' with explicit constraints ('==', '<', '>') is not implemented "
                                  "yet.")
    if any(f[1] == "~1" for f in parsed.formulas):
        raise NotImplementedError("estimator='WLSMV' with intercepts ('~ 1') in the model is not implemented yet.")
    pt, names = build_partable(parsed, fixed_x=True)
    ov, lv = names["ov"], names["lv"]
    if names["ov.x"]:  # conditional on the covariates (lavaan's conditional.x): cxlab.sem.ordinal_covariates
        return fit_wlsmv_covariates(data, model, ordered=ordered, estimator=estimator)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    _check_ordered(ordered, ov, data)
    sub = prepare_data(data, ov)
    n = len(sub)
    pc = polychoric_corr(sub, acov=True)
    R = pc.corr.to_numpy()

    # item residual variances: computed (delta parameterisation), not free
    resid = ((pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & pt["lhs"].isin(ov)).to_numpy()
    pt = pt.copy()
    pt.loc[resid, "fixed"] = 0.0
    pt.loc[resid, "free"] = 0
    # renumber the remaining free parameters 1..q (shared labels keep one index)
    old = pt["free"].to_numpy()
    uniq = list(dict.fromkeys(old[old > 0]))
    remap = {o: k + 1 for k, o in enumerate(uniq)}
    pt["free"] = np.array([remap.get(o, 0) for o in old], dtype=int)
    ram = RamModel.from_partable(pt, ov, lv, R)
    model_obj = WLSMVFit(ram, np.flatnonzero(resid), pc)
    q = ram.npar
    theta0 = start_values(ram, pt, R)
    p_items = len(ov)
    check_identified([ram], theta0, parameter_names(pt), n_moments=p_items * (p_items - 1) // 2,
                     moment_jacobian=lambda t: model_obj.jacobian_r(t, model_obj.implied_r(t)[1]))
    theta, converged, iterations, message = model_obj.estimate(theta0)
    m_r, ram_t = model_obj.implied_r(theta)
    nth = model_obj.nth

    # ---- robust vcov (thresholds first, then the structural parameters)
    k = nth + len(model_obj.r)
    D = np.zeros((k, nth + q))
    D[:nth, :nth] = np.eye(nth)
    D[nth:, nth:] = model_obj.jacobian_r(theta, ram_t)
    W = model_obj.w
    G = model_obj.gamma
    WD = W[:, None] * D
    E = D.T @ WD
    se_ok = True
    try:
        Einv = np.linalg.inv(E)
        eig = np.linalg.eigvalsh(E)
        se_ok = eig.min() > 1e-10 * max(eig.max(), 1e-300)
    except np.linalg.LinAlgError:
        Einv = np.full_like(E, np.nan)
        se_ok = False
    n1 = n - 1  # lavaan's sample size for estimators other than ML
    dwls = estimator.upper() == "DWLS"
    vcov_full = (Einv if dwls else Einv @ (WD.T @ G @ WD) @ Einv) / n1

    # ---- test statistics
    e = np.concatenate([np.zeros(nth), model_obj.r - m_r])
    F = float(np.sum(W * e * e))
    chisq = n1 * F
    df = int(k - (nth + q))
    U = np.diag(W) - WD @ Einv @ WD.T
    t_scaled, c, shift = scaled_shifted(chisq, df, U @ G)  # lavaan: the unscaled statistic at df 0
    Wr = model_obj.w_r
    tb = n1 * float(np.sum(Wr * model_obj.r**2))
    dfb = len(model_obj.r)
    UGb = Wr[:, None] * G[nth:, nth:]
    tb_scaled, cb, shift_b = scaled_shifted(tb, dfb, UGb)

    sigma = ram_t.implied(theta)
    fm = _fit_measures(chisq, df, t_scaled, c, shift, tb, dfb, tb_scaled, cb, shift_b, n=n, npar=nth + q, nth=nth,
                       R=R, sigma=sigma, W=W, s=np.concatenate([model_obj.tau, model_obj.r]), e=e)
    if se_ok:
        WiU = np.eye(dfb) - D[nth:, nth:] @ np.linalg.solve(E[nth:, nth:], D[nth:, nth:].T * Wr)
        fm = pd.concat([fm, _catml_robust(R, sigma, WiU, G[nth:, nth:], n, df)])
    else:  # no robust indices without an invertible information (lavaan: NA after a try-error)
        fm = pd.concat([fm, pd.Series(np.nan, index=_ROBUST_KEYS)])

    if dwls:  # test = "standard": no scaled or robust measures
        fm = fm[[k for k in fm.index if not k.endswith(("_scaled", "_robust", "scaling_factor", "shift_parameter"))]]
    # ---- parameter table in lavaan's order
    table, vcov_tab, pt_rows = _table(pt, ram_t, theta, model_obj, vcov_full, se_ok, names)
    if parsed.defined:
        core = vcov_full[nth:, nth:]
        table = pd.concat([table, defined_rows(parsed.defined, ram_t, pt, theta, core)], ignore_index=True)
    table = table[ESTIMATE_COLUMNS]

    _, sig_all, _ = ram_t.implied_all(theta)
    p = len(ov)
    warnings = collect_warnings(
        converged=converged, message=message, estimates=table, sample_cov=R, implied_cov=sigma,
        latent_cov=sig_all[p:, p:], n=n, npar=nth + q, df=df, se_ok=se_ok,
    )
    warnings[:0] = near_one_correlations(pc.corr)
    if not pc.converged:
        warnings.insert(0, "A polychoric correlation did not converge; the sample statistics are not trustworthy.")
    return assemble(estimates=table, fit_measures=fm, converged=converged and pc.converged, warnings=warnings,
                    r2=r_squared(ram_t, theta), implied_cov=pd.DataFrame(sigma, index=ov, columns=ov),
                    sample_cov=pc.corr, n=n, model=model, estimator=estimator.upper(), vcov=vcov_tab, iterations=iterations,
                    partable=pt_rows, ram=ram_t, theta=theta, dwls=model_obj)


def _table(pt, ram_t, theta, model_obj, vcov_full, se_ok, names):
    """Rows: user rows, thresholds, default rows, ``~*~``, item and latent intercepts; (estimates, vcov in
    their order, the parameter table of the rows)."""
    nth = model_obj.nth
    est = ram_t.row_values(theta)
    std = std_all(ram_t, pt, theta)
    core_se = np.sqrt(np.clip(np.diag(vcov_full)[nth:], 0, None))
    th_se = np.sqrt(np.clip(np.diag(vcov_full)[:nth], 0, None))
    free = pt["free"].to_numpy()
    rows = pd.DataFrame({
        "lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
        "label": pt["label"].to_numpy(), "est": est,
        "se": np.where(free > 0, core_se[np.maximum(free - 1, 0)], 0.0),
        "std_all": std, "_free": np.where(free > 0, nth + free, 0), "_pt": np.arange(len(pt)),
    })
    ov = list(names["ov"])
    lhs_th, rhs_th = zip(*(name.split("|") for name in model_obj.th_names))
    thr = pd.DataFrame({
        "lhs": list(lhs_th), "op": "|", "rhs": list(rhs_th), "label": "", "est": model_obj.tau, "se": th_se,
        "std_all": model_obj.tau, "_free": np.arange(1, nth + 1), "_pt": -1,
    })
    scal = pd.DataFrame({"lhs": ov, "op": "~*~", "rhs": ov, "label": "", "est": 1.0, "se": 0.0, "std_all": 1.0, "_free": 0,
                         "_pt": -1})
    ints = pd.DataFrame({"lhs": ov + list(names["lv"]), "op": "~1", "rhs": "", "label": "", "est": 0.0, "se": 0.0,
                         "std_all": 0.0, "_free": 0, "_pt": -1})
    user = pt["user"].to_numpy().astype(bool)
    table = pd.concat([rows[user], thr, rows[~user], scal, ints], ignore_index=True)
    fr = table["_free"].to_numpy()
    if not se_ok:
        table["se"] = np.where(fr > 0, np.nan, 0.0)
    est_v, se_v = table["est"].to_numpy(float), table["se"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(fr > 0, est_v / se_v, np.nan)
    table["z"] = z
    table["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    table["ci_lower"] = np.where(fr > 0, est_v - _Z975 * se_v, est_v)
    table["ci_upper"] = np.where(fr > 0, est_v + _Z975 * se_v, est_v)
    # vcov in the order the free parameters appear in the table (lavaan's numbering)
    order = list(dict.fromkeys(int(f) for f in fr if f > 0))
    idx = np.array(order) - 1
    vc = vcov_full[np.ix_(idx, idx)]
    npar = len(order)
    number = {f: k + 1 for k, f in enumerate(order)}
    partable = parameter_table(pt, table, table.pop("_pt"), [number.get(int(f), 0) for f in fr])
    return (table.drop(columns="_free"), pd.DataFrame(vc, index=range(1, npar + 1), columns=range(1, npar + 1)),
            partable)


def _fit_measures(chisq, df, t_scaled, c, shift, tb, dfb, tb_scaled, cb, shift_b, *, n, npar, nth, R, sigma, W, s, e):
    n1 = n - 1  # lavaan: N - 1 for estimators other than ML
    out = {
        "npar": float(npar),
        "fmin": chisq / (2.0 * n),
        "chisq": chisq,
        "df": float(df),
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "chisq_scaled": t_scaled,
        "df_scaled": float(df),
        "pvalue_scaled": float(stats.chi2.sf(t_scaled, df)) if df > 0 else np.nan,
        "chisq_scaling_factor": c,
        "chisq_shift_parameter": shift,
        "baseline_chisq": tb,
        "baseline_df": float(dfb),
        "baseline_pvalue": float(stats.chi2.sf(tb, dfb)),
        "baseline_chisq_scaled": tb_scaled,
        "baseline_df_scaled": float(dfb),
        "baseline_pvalue_scaled": float(stats.chi2.sf(tb_scaled, dfb)),
        "baseline_chisq_scaling_factor": cb,
        "baseline_chisq_shift_parameter": shift_b,
    }
    out.update(incremental_indices(chisq, df, tb, dfb))
    out.update(incremental_indices(t_scaled, df, tb_scaled, dfb, "_scaled"))
    out.update({"logl": np.nan, "unrestricted_logl": np.nan, "aic": np.nan, "bic": np.nan, "ntotal": float(n),
                "bic2": np.nan})
    out.update(rmsea_measures(chisq, df, n1))
    out.update({"rmsea_ci_level": 0.90, "rmsea_close_h0": 0.05, "rmsea_notclose_h0": 0.08})
    out.update(rmsea_measures(t_scaled, df, n1, "_scaled"))
    # residual-based: correlations (diagonal residuals are 0); "_nomean" leaves the thresholds out
    p = R.shape[0]
    res = (R - sigma)[np.tril_indices(p, -1)]
    ss = float(np.sum(res**2))
    nel_cor = p * (p + 1) / 2
    srmr_nomean = np.sqrt(ss / nel_cor)
    srmr = np.sqrt(ss / (nel_cor + nth))
    crmr_nomean = np.sqrt(ss / (p * (p - 1) / 2))
    crmr = np.sqrt(ss / (p * (p - 1) / 2 + nth))
    out.update({
        "rmr": srmr, "rmr_nomean": srmr_nomean, "srmr": srmr_nomean, "srmr_bentler": srmr,
        "srmr_bentler_nomean": srmr_nomean, "crmr": crmr, "crmr_nomean": crmr_nomean,
        "srmr_mplus": np.nan, "srmr_mplus_nomean": np.nan,
    })
    nel = len(s)
    for key, level in (("cn_05", 0.95), ("cn_01", 0.99)):  # lavaan: 1 at df 0
        out[key] = stats.chi2.ppf(level, df) / (chisq / n1) + 1.0 if df > 0 and chisq > 0 else (1.0 if df == 0 else np.nan)
    gfi = 1.0 - float(np.sum(W * e * e)) / float(np.sum(W * s * s))
    out["gfi"] = gfi
    out["agfi"] = 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0
    out["pgfi"] = (df / nel) * gfi
    out["mfi"] = np.exp(-0.5 * (chisq - df) / n1)
    out["wrmr"] = np.sqrt(chisq / nel)
    return pd.Series(out, name="value", dtype=float)
