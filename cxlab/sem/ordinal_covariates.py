"""WLSMV for ordinal indicators with observed exogenous covariates (lavaan's ``conditional.x = TRUE``).

A model with ordered items and continuous covariates ``x`` (a MIMIC model, or latent
variables regressed on ``x`` in a structural model) is fitted as lavaan 0.6-14 does by
default for ordered data (validated in ``tests/test_sem_wlsmv_covariates.py``):

* **Sample statistics** conditional on ``x`` (:mod:`cxlab.sem.ordinal_conditional`):
  thresholds and slopes of a probit regression per item, residual polychoric
  correlations, and their ``Gamma`` (``NACOV``).
* **Model** (delta parameterisation, scaling factors 1): with ``B = (I - A)^-1`` of the
  RAM model and the covariances of ``x`` set to 0, the implied slopes are ``PI = B[y, x]``
  (the total effects of ``x`` on the latent responses), the implied residual correlations
  the item block of ``B S B'``, whose diagonal is held at 1 by solving the item residual
  variances, and the implied thresholds the free thresholds (item intercepts and latent
  means 0).
* **DWLS** on ``(thresholds, vec(PI), correlations)`` with ``W = diag(Gamma)^-1``; robust
  standard errors, the scaled-shifted test, baseline model (thresholds and slopes free,
  correlations 0) and fit measures as :mod:`cxlab.sem.ordinal`, with ``N - 1``.
* **Parameter table** as lavaan's: the covariates' variances and covariances (``N - 1``
  divisor) and means as fixed rows, standardised values (``std_all``) from the marginal
  variances, i.e. with the covariates' covariance.

lavaan's categorical ``*_robust`` indices are NaN (lavaan gives NA with covariates).
Not covered (:class:`NotImplementedError`): ordered covariates, continuous endogenous
indicators, groups, missing data other than listwise, intercepts and constraints.

References
----------
Asparouhov, T., & Muthen, B. (2010). Simple second order chi-square correction. Mplus
technical appendix. Muthen, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference
using weighted least squares and quadratic estimating equations in latent variable modeling
with categorical and continuous outcomes. Unpublished manuscript.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from .diagnostics import collect_warnings, near_one_correlations
from .estimate import start_values
from .fitmeasures import incremental_indices, rmsea_measures, scaled_shifted
from .identify import check_identified, parameter_names
from .model import RamModel
from .moments import prepare_data
from .ordinal_conditional import conditional_polychoric
from .result import ESTIMATE_COLUMNS, assemble, defined_rows, parameter_table
from .standardize import r_squared, std_all
from .syntax import build_partable, parse_model

__all__ = ["fit_wlsmv_covariates"]

_MAX_ITER = 300
_Z975 = stats.norm.ppf(0.975)


class _ConditionalModel:
    """Implied ``(vec(PI), residual correlations)`` of the structural parameters."""

    def __init__(self, ram: RamModel, resid_rows, items, xs):
        self.ram = ram
        self.resid_rows = np.asarray(resid_rows, dtype=int)
        self.items, self.xs = np.asarray(items), np.asarray(xs)
        fixed0 = ram.fixed.copy()
        fixed0[self.resid_rows] = 0.0
        x_set = set(self.xs.tolist())
        for k in range(len(fixed0)):  # covariates' (co)variances 0: the moments are conditional on x
            if ram.mat[k] == "S" and ram.pos[k][0] in x_set and ram.pos[k][1] in x_set:
                fixed0[k] = 0.0
        self.ram0 = replace(ram, fixed=fixed0)
        self.resid_items = [int(ram.pos[k][0]) for k in self.resid_rows]
        py = len(self.items)
        pairs = [(i, j) for j in range(py - 1) for i in range(j + 1, py)]
        self.il = np.array([i for i, _ in pairs], dtype=int)
        self.jl = np.array([j for _, j in pairs], dtype=int)

    def solved(self, theta):
        """(B, residual covariance of the items, item residual variances) with a unit diagonal."""
        B, sig, _ = self.ram0.implied_all(theta)
        Bo = B[np.ix_(self.items, self.resid_items)]
        t = np.linalg.solve(Bo**2, 1.0 - np.diag(sig)[self.items])
        sig_y = sig[np.ix_(self.items, self.items)] + (Bo * t) @ Bo.T
        return B, sig_y, t

    def with_residuals(self, theta) -> RamModel:
        """The RAM model (covariates' moments as sampled) with the solved item residual variances."""
        fixed = self.ram.fixed.copy()
        fixed[self.resid_rows] = self.solved(theta)[2]
        return replace(self.ram, fixed=fixed)

    def implied(self, theta) -> np.ndarray:
        B, sig_y, _ = self.solved(theta)
        pi = B[np.ix_(self.items, self.xs)]
        return np.concatenate([pi.ravel(order="F"), sig_y[self.il, self.jl]])

    def jacobian(self, theta) -> np.ndarray:
        """Central differences (relative error ~1e-9, far below the 1e-3 tolerance)."""
        m0 = self.implied(theta)
        J = np.zeros((len(m0), len(theta)))
        for k in range(len(theta)):
            h = 1e-6 * max(1.0, abs(theta[k]))
            tp, tm = theta.copy(), theta.copy()
            tp[k] += h
            tm[k] -= h
            J[:, k] = (self.implied(tp) - self.implied(tm)) / (2 * h)
        return J


def _estimate(model: _ConditionalModel, s, w, theta0):
    """Gauss-Newton with step halving on ``sum w (s - m)^2``: (theta, converged, iterations).

    Stops at a gradient below 1e-10, or where a step no longer lowers the objective beyond
    rounding (converged if the gradient is below 1e-6 there).
    """
    def objective(t):
        try:
            e = s - model.implied(t)
        except np.linalg.LinAlgError:
            return np.inf
        return float(np.sum(w * e * e))

    theta, f = theta0.copy(), objective(theta0)
    for it in range(1, _MAX_ITER + 1):
        J = model.jacobian(theta)
        e = s - model.implied(theta)
        g = -2.0 * J.T @ (w * e)
        if np.max(np.abs(g)) < 1e-10:
            return theta, True, it
        H = 2.0 * J.T @ (w[:, None] * J)
        step = -np.linalg.lstsq(H, g, rcond=None)[0]
        alpha = 1.0
        for _ in range(40):
            cand = theta + alpha * step
            fc = objective(cand)
            if np.isfinite(fc) and fc <= f + 1e-4 * alpha * float(g @ step) + 1e-15 * max(1.0, f):
                break
            alpha /= 2.0
        else:
            return theta, bool(np.max(np.abs(g)) < 1e-6), it
        theta, f_old, f = cand, f, fc
        # the objective flat to rounding: the central-difference gradient cannot fall below ~1e-9
        # (Gauss-Newton converges only linearly when the residuals are large)
        if abs(f_old - f) <= 1e-15 * max(1.0, f):
            return theta, bool(np.max(np.abs(g)) < 1e-6), it
    return theta, False, _MAX_ITER


_ROBUST_KEYS = ("cfi_robust", "tli_robust", "nnfi_robust", "rni_robust", "rmsea_robust", "rmsea_ci_lower_robust",
                "rmsea_ci_upper_robust", "rmsea_pvalue_robust", "rmsea_notclose_pvalue_robust")


def _fit_measures(chisq, df, scaled, base, *, n, npar, s, e, W, nth, nsl, py, p_all):
    """lavaan's ``fitMeasures`` of a WLSMV fit with covariates (``N - 1`` as its sample size)."""
    n1 = n - 1
    t_s, c, shift = scaled
    tb, dfb, tb_s, cb, shift_b = base
    out = {"npar": float(npar), "fmin": chisq / (2.0 * n), "chisq": chisq, "df": float(df),
           "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan, "chisq_scaled": t_s,
           "df_scaled": float(df), "pvalue_scaled": float(stats.chi2.sf(t_s, df)) if df > 0 else np.nan, "chisq_scaling_factor": c, "chisq_shift_parameter": shift,
           "baseline_chisq": tb, "baseline_df": float(dfb), "baseline_pvalue": float(stats.chi2.sf(tb, dfb)),
           "baseline_chisq_scaled": tb_s, "baseline_df_scaled": float(dfb),
           "baseline_pvalue_scaled": float(stats.chi2.sf(tb_s, dfb)), "baseline_chisq_scaling_factor": cb,
           "baseline_chisq_shift_parameter": shift_b}
    out.update(incremental_indices(chisq, df, tb, dfb))
    out.update(incremental_indices(t_s, df, tb_s, dfb, "_scaled"))
    out.update({"logl": np.nan, "unrestricted_logl": np.nan, "aic": np.nan, "bic": np.nan, "ntotal": float(n),
                "bic2": np.nan})
    out.update(rmsea_measures(chisq, df, n1))
    out.update({"rmsea_ci_level": 0.90, "rmsea_close_h0": 0.05, "rmsea_notclose_h0": 0.08})
    out.update(rmsea_measures(t_s, df, n1, "_scaled"))
    # lavaan's residual summaries: the residual correlations, with the threshold residuals in the "total"
    # (rmr, srmr_bentler, crmr); the slopes are left out and p(p+1)/2 counts every observed variable
    ss = float(np.sum(e[nth + nsl:] ** 2))
    ss_all = ss + float(np.sum(e[:nth] ** 2))
    pstar = py * (py - 1) / 2
    srmr, rmr = np.sqrt(ss / (pstar + p_all)), np.sqrt(ss_all / (pstar + nth + p_all))
    out.update({"rmr": rmr, "rmr_nomean": srmr, "srmr": srmr, "srmr_bentler": rmr, "srmr_bentler_nomean": srmr,
                "crmr": np.sqrt(ss_all / (pstar + nth)), "crmr_nomean": np.sqrt(ss / pstar), "srmr_mplus": np.nan,
                "srmr_mplus_nomean": np.nan})
    nel = len(s)
    for key, level in (("cn_05", 0.95), ("cn_01", 0.99)):  # lavaan: 1 at df 0
        out[key] = stats.chi2.ppf(level, df) / (chisq / n1) + 1.0 if df > 0 and chisq > 0 else (1.0 if df == 0 else np.nan)
    gfi = 1.0 - float(np.sum(W * e * e)) / float(np.sum(W * s * s))
    out.update({"gfi": gfi, "agfi": 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0,
                "pgfi": (df / nel) * gfi,
                "mfi": np.exp(-0.5 * (chisq - df) / n1), "wrmr": np.sqrt(chisq / nel)})
    out.update(dict.fromkeys(_ROBUST_KEYS, np.nan))  # lavaan: NA with conditional.x
    return pd.Series(out, name="value", dtype=float)


def _check_columns(data, ordered, items, xs):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if ordered is None or ordered is False or (hasattr(ordered, "__len__") and len(ordered) == 0):
        raise NotImplementedError("estimator='WLSMV' with continuous (not ordered) indicators is not implemented "
                                  f"yet; list the ordinal items in 'ordered' or use ML/MLR. Items: {items}.")
    if ordered is True:  # as lavaan: every endogenous observed variable, the covariates stay continuous
        return
    if isinstance(ordered, str) or not hasattr(ordered, "__iter__"):
        raise ValueError("The 'ordered' parameter of fit must be True or a list of ordinal column names when "
                         f"estimator='WLSMV'. Got {ordered!r} instead.")
    ordered = list(ordered)
    unknown = [v for v in ordered if v not in data.columns]
    if unknown:
        raise ValueError(f"The 'ordered' parameter of fit names columns that are not in 'data': {unknown}.")
    ordinal_x = [x for x in xs if x in ordered]
    if ordinal_x:
        raise NotImplementedError("estimator='WLSMV' with ordered observed exogenous covariates is not implemented "
                                  f"yet; ordered covariates: {ordinal_x}. List only the ordinal items in 'ordered' "
                                  "(covariates continuous or dummy-coded).")
    continuous = [v for v in items if v not in ordered]
    if continuous:
        raise NotImplementedError("estimator='WLSMV' with continuous (not ordered) indicators is not implemented "
                                  f"yet; declare them ordered or use ML/MLR. Continuous: {continuous}.")


def fit_wlsmv_covariates(data: pd.DataFrame, model: str, *, ordered=True, estimator: str = "WLSMV"):
    """WLSMV (or DWLS) fit of ordinal indicators with observed covariates; called by :func:`cxlab.sem.fit`.

    Parameters
    ----------
    data : DataFrame
        Ordinal items (ordered numeric codes) and continuous covariates; incomplete rows
        are dropped (listwise).
    model : str
        lavaan syntax with regressions on observed covariates (``f ~ x1 + x2``).
    ordered : True or list of str
        The ordinal items: every observed variable but the covariates (``True``: all of them,
        the covariates continuous, as lavaan's ``ordered = TRUE``).
    estimator : {"WLSMV", "DWLS"}

    Returns
    -------
    SemResult
        Rows in lavaan's order: user rows, thresholds (at ``x = 0``), variances and
        covariances (the covariates' fixed at their sample values), ``~*~``, intercepts
        (the covariates' means fixed). ``sample_cov`` and ``implied_cov`` are the residual
        polychoric correlations of the items given the covariates (sample and implied).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab.sem import fit
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=800)
    >>> f = 0.5 * x + rng.normal(size=800)
    >>> d = pd.DataFrame({f"q{k}": np.digitize(0.8 * f + rng.normal(size=800), [-1, 0, 1]) for k in range(1, 5)})
    >>> d["x"] = x
    >>> res = fit(d, "f =~ q1 + q2 + q3 + q4\\nf ~ x", ordered=["q1", "q2", "q3", "q4"], estimator="WLSMV")
    >>> res.converged, int(res.fit_measures["df"])  # 22 statistics (12 thresholds, 4 slopes, 6 correlations)
    (True, 5)
    >>> row = res.estimates.query("op == '~'")
    >>> row[["lhs", "op", "rhs"]].values.tolist(), bool(abs(row["est"].iloc[0] - 0.4) < 0.1)
    ([['f', '~', 'x']], True)
    """
    parsed = parse_model(model)
    pt, names = build_partable(parsed, fixed_x=True)
    ov, lv, xs = list(names["ov"]), list(names["lv"]), list(names["ov.x"])
    items = [v for v in ov if v not in xs]
    _check_columns(data, ordered, items, xs)
    sub = prepare_data(data, ov)
    n = len(sub)
    st = conditional_polychoric(sub[items], sub[xs])
    ix = {v: k for k, v in enumerate(ov)}

    # item residual variances: computed (delta parameterisation), not free; renumber 1..q
    resid = ((pt["op"] == "~~") & (pt["lhs"] == pt["rhs"]) & pt["lhs"].isin(items)).to_numpy()
    pt = pt.copy()
    pt.loc[resid, "fixed"] = 0.0
    pt.loc[resid, "free"] = 0
    old = pt["free"].to_numpy()
    remap = {o: k + 1 for k, o in enumerate(dict.fromkeys(old[old > 0]))}
    pt["free"] = np.array([remap.get(o, 0) for o in old], dtype=int)

    p_all = len(ov)
    S_full = np.zeros((p_all, p_all))  # the covariates' block: their sample covariance (N - 1, as lavaan)
    x_idx = [ix[x] for x in xs]
    y_idx = [ix[y] for y in items]
    S_full[np.ix_(x_idx, x_idx)] = st.cov_x
    mean_full = np.zeros(p_all + len(lv))
    mean_full[x_idx] = st.mean_x
    ram = RamModel.from_partable(pt, ov, lv, S_full, mean_full)
    cm = _ConditionalModel(ram, np.flatnonzero(resid), y_idx, x_idx)

    nth = len(st.thresholds)
    nsl = len(items) * len(xs)
    s_struct = st.stats[nth:]
    gamma = st.nacov
    w = 1.0 / np.diag(gamma)
    S_start = S_full.copy()
    S_start[np.ix_(y_idx, y_idx)] = st.corr.to_numpy()
    theta0 = start_values(ram, pt, S_start)
    q = ram.npar
    check_identified([ram], theta0, parameter_names(pt), n_moments=len(s_struct), moment_jacobian=cm.jacobian)
    theta, converged, iterations = _estimate(cm, s_struct, w[nth:], theta0)

    # robust vcov: (thresholds, structural parameters)
    k = len(st.stats)
    D = np.zeros((k, nth + q))
    D[:nth, :nth] = np.eye(nth)
    D[nth:, nth:] = cm.jacobian(theta)
    WD = w[:, None] * D
    E = D.T @ WD
    eig = np.linalg.eigvalsh(E)
    se_ok = bool(eig.min() > 1e-10 * max(eig.max(), 1e-300))
    Einv = np.linalg.inv(E) if se_ok else np.full_like(E, np.nan)
    n1 = n - 1
    dwls = estimator.upper() == "DWLS"
    vcov_full = (Einv if dwls else Einv @ (WD.T @ gamma @ WD) @ Einv) / n1

    # tests: the model and the baseline (thresholds and slopes free, residual correlations 0)
    e = np.concatenate([np.zeros(nth), s_struct - cm.implied(theta)])
    chisq = n1 * float(np.sum(w * e * e))
    df = int(k - (nth + q))
    U = np.diag(w) - WD @ Einv @ WD.T
    scaled = scaled_shifted(chisq, df, U @ gamma)  # lavaan: the unscaled statistic at df 0
    r = st.stats[nth + nsl:]
    wr = w[nth + nsl:]
    tb = n1 * float(np.sum(wr * r * r))
    dfb = len(r)
    base = (tb, dfb, *scaled_shifted(tb, dfb, wr[:, None] * gamma[nth + nsl:, nth + nsl:]))
    fm = _fit_measures(chisq, df, scaled, base, n=n, npar=nth + q, s=st.stats, e=e, W=w, nth=nth, nsl=nsl,
                       py=len(items), p_all=p_all)
    if dwls:  # test = "standard": no scaled or robust measures
        fm = fm[[c for c in fm.index if not c.endswith(("_scaled", "_robust", "scaling_factor", "shift_parameter"))]]

    ram_t = cm.with_residuals(theta)
    table, vcov_tab, pt_rows = _table(pt, ram_t, theta, st, vcov_full, se_ok, items, xs, lv, ov)
    if parsed.defined:
        table = pd.concat([table, defined_rows(parsed.defined, ram_t, pt, theta, vcov_full[nth:, nth:])],
                          ignore_index=True)
    table = table[ESTIMATE_COLUMNS]
    _, sig_all, _ = ram_t.implied_all(theta)
    sigma_y = cm.solved(theta)[1]
    warnings = collect_warnings(converged=converged, message="iteration limit", estimates=table,
                                sample_cov=st.corr.to_numpy(), implied_cov=sigma_y, latent_cov=sig_all[p_all:, p_all:],
                                n=n, npar=nth + q, df=df, se_ok=se_ok)
    warnings[:0] = near_one_correlations(st.corr)
    if not st.converged:
        warnings.insert(0, "A probit regression or residual polychoric correlation did not converge; the sample "
                           "statistics are not trustworthy.")
    return assemble(estimates=table, fit_measures=fm, converged=converged and st.converged, warnings=warnings,
                    r2=r_squared(ram_t, theta), implied_cov=pd.DataFrame(sigma_y, index=items, columns=items),
                    sample_cov=st.corr, n=n, model=model, estimator=estimator.upper(), vcov=vcov_tab,
                    iterations=iterations, partable=pt_rows, ram=ram_t, theta=theta)


def _table(pt, ram_t, theta, st, vcov_full, se_ok, items, xs, lv, ov):
    """lavaan's rows: user rows, thresholds, other rows, ``~*~``, intercepts (items, covariates, latents);
    (estimates, vcov in their order, the parameter table of the rows)."""
    nth = len(st.thresholds)
    est = ram_t.row_values(theta)
    se_all = np.sqrt(np.clip(np.diag(vcov_full), 0, None))
    free = pt["free"].to_numpy()
    _, sig_all, _ = ram_t.implied_all(theta)
    sd = np.sqrt(np.diag(sig_all))  # marginal SDs (latent responses, covariates, latents)
    ix = {v: k for k, v in enumerate(ov + lv)}
    rows = pd.DataFrame({"lhs": pt["lhs"].to_numpy(), "op": pt["op"].to_numpy(), "rhs": pt["rhs"].to_numpy(),
                         "label": pt["label"].to_numpy(), "est": est, "std_all": std_all(ram_t, pt, theta),
                         "_free": np.where(free > 0, nth + free, 0), "_pt": np.arange(len(pt))})
    lhs_th, rhs_th = zip(*(nm.split("|") for nm in st.thresholds.index))
    tau = st.thresholds.to_numpy()
    thr = pd.DataFrame({"lhs": list(lhs_th), "op": "|", "rhs": list(rhs_th), "label": "", "est": tau,
                        "std_all": tau / sd[[ix[v] for v in lhs_th]], "_free": np.arange(1, nth + 1), "_pt": -1})
    scal = pd.DataFrame({"lhs": items, "op": "~*~", "rhs": items, "label": "", "est": 1.0, "std_all": 1.0, "_free": 0,
                         "_pt": -1})
    means = np.zeros(len(ov) + len(lv))
    means[[ix[x] for x in xs]] = st.mean_x
    ints = pd.DataFrame({"lhs": ov + lv, "op": "~1", "rhs": "", "label": "", "est": means, "std_all": means / sd,
                         "_free": 0, "_pt": -1})
    user = pt["user"].to_numpy().astype(bool)
    table = pd.concat([rows[user], thr, rows[~user], scal, ints], ignore_index=True)
    fr, pt_row = table.pop("_free").to_numpy(), table.pop("_pt").to_numpy()
    se = np.where(fr > 0, se_all[np.maximum(fr - 1, 0)], 0.0) if se_ok else np.where(fr > 0, np.nan, 0.0)
    est_v = table["est"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(fr > 0, est_v / se, np.nan)
    table["se"], table["z"], table["pvalue"] = se, z, 2 * stats.norm.sf(np.abs(z))
    table["ci_lower"] = np.where(fr > 0, est_v - _Z975 * se, est_v)
    table["ci_upper"] = np.where(fr > 0, est_v + _Z975 * se, est_v)
    order = list(dict.fromkeys(int(f) for f in fr if f > 0))  # lavaan's numbering: order of appearance
    idx = np.array(order) - 1
    npar = len(order)
    vc = pd.DataFrame(vcov_full[np.ix_(idx, idx)], index=range(1, npar + 1), columns=range(1, npar + 1))
    number = {f: k + 1 for k, f in enumerate(order)}
    return table, vc, parameter_table(pt, table, pt_row, [number.get(int(f), 0) for f in fr])
