"""lavaan's ``fitMeasures`` for ML, computed from the sample and implied moments.

Names follow lavaan with ``.`` written ``_`` (``rmsea.ci.lower`` -> ``rmsea_ci_lower``).
With ``fixed.x`` covariates the log-likelihoods are conditional on them (lavaan subtracts
the marginal log-likelihood of the covariates), and their sample moments count neither as
parameters nor as degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, stats

__all__ = ["ml_fit_measures", "mean_fit_measures", "f_ml_value", "rmsea_ci", "chisq_family", "srmr_family",
           "tail_measures", "scaled_shifted", "incremental_indices", "rmsea_measures", "saturated_robust"]


def f_ml_value(S: np.ndarray, sigma: np.ndarray) -> float:
    """``log|Sigma| + tr(S Sigma^-1) - log|S| - p``."""
    s1, ld_sig = np.linalg.slogdet(sigma)
    s0, ld_s = np.linalg.slogdet(S)
    if s0 <= 0:
        return np.nan
    if s1 <= 0:
        return np.inf
    return float(ld_sig + np.trace(np.linalg.solve(sigma, S)) - ld_s - S.shape[0])


def _loglik(S: np.ndarray, sigma: np.ndarray, n: int) -> float:
    p = S.shape[0]
    sign, ld = np.linalg.slogdet(sigma)
    if sign <= 0:
        return np.nan
    return float(-0.5 * n * (p * np.log(2 * np.pi) + ld + np.trace(np.linalg.solve(sigma, S))))


def rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's RMSEA confidence interval (``lav_fitrmsea_ci``: non-centrality search, N in the denominator).

    NaN for a statistic that is not finite (lavaan's NA); a bound is 0 when even the
    central chi-square puts the statistic beyond its percentile (a well-fitting model);
    the upper non-centrality is searched in ``[0, max(N, 4 chisq)]`` (0 outside, as lavaan).

    Examples
    --------
    >>> [round(float(v), 4) for v in rmsea_ci(85.3055, 24, 301)]
    [0.0714, 0.1137]
    >>> [float(v) for v in rmsea_ci(90.0, 120, 1799) + rmsea_ci(float("nan"), 24, 301)]
    [0.0, 0.0, nan, nan]
    """
    if df <= 0 or not (np.isfinite(chisq) and np.isfinite(n)):
        return np.nan, np.nan
    hi_p, lo_p = (1 + level) / 2, (1 - level) / 2

    def cdf_minus(target):
        return lambda lam: (stats.ncx2.cdf(chisq, df, lam) if lam > 0 else stats.chi2.cdf(chisq, df)) - target

    f_lo, f_hi = cdf_minus(hi_p), cdf_minus(lo_p)
    lam_l = 0.0
    if f_lo(0.0) >= 0:
        try:
            lam_l = optimize.brentq(f_lo, 0.0, chisq, xtol=1e-14, rtol=1e-15, maxiter=500)
        except ValueError:  # no sign change in [0, chisq]: lavaan's uniroot fails -> NA
            lam_l = np.nan
    n_rmsea = max(n, 4 * chisq)
    lam_u = 0.0
    if not (f_hi(n_rmsea) > 0 or f_hi(0.0) < 0):
        lam_u = optimize.brentq(f_hi, 0.0, n_rmsea, xtol=1e-14, rtol=1e-15, maxiter=500)
    return np.sqrt(lam_l / (n * df)), np.sqrt(lam_u / (n * df))


_rmsea_ci = rmsea_ci  # backward-compatible name (tests)


def srmr_family(S: np.ndarray, sigma: np.ndarray) -> dict:
    """RMR, SRMR (Bentler and Mplus) and CRMR of the residual covariances ``S - sigma`` (lavaan's names)."""
    p = S.shape[0]
    il = np.tril_indices(p)
    io = np.tril_indices(p, -1)
    sd_s = np.sqrt(np.diag(S))
    sd_m = np.sqrt(np.diag(sigma))
    raw = S - sigma
    rmr = np.sqrt(np.mean(raw[il] ** 2))
    std_b = raw / np.outer(sd_s, sd_s)
    srmr_bentler = np.sqrt(np.mean(std_b[il] ** 2))
    cor_s = S / np.outer(sd_s, sd_s)
    cor_m = sigma / np.outer(sd_m, sd_m)
    cres = cor_s - cor_m
    crmr = np.sqrt(np.mean(cres[io] ** 2)) if p > 1 else np.nan
    # Mplus: correlation residuals off the diagonal, relative variance residuals on it
    mp = cres.copy()
    np.fill_diagonal(mp, (np.diag(S) - np.diag(sigma)) / np.diag(S))
    srmr_mplus = np.sqrt(np.mean(mp[il] ** 2))
    return {
        "rmr": rmr,
        "rmr_nomean": rmr,
        "srmr": srmr_bentler,
        "srmr_bentler": srmr_bentler,
        "srmr_bentler_nomean": srmr_bentler,
        "crmr": crmr,
        "crmr_nomean": crmr,
        "srmr_mplus": srmr_mplus,
        "srmr_mplus_nomean": srmr_mplus,
    }


def chisq_family(chisq, df, base_chisq, base_df, n, npar, logl, logl_h1, n_groups=1) -> dict:
    """Measures computed from the test statistics and log-likelihoods alone (lavaan order).

    With ``n_groups`` > 1 the RMSEA (and its interval) is multiplied by ``sqrt(G)`` and
    the close-fit non-centralities divided by ``G``, as lavaan.
    """
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan
    base_p = float(stats.chi2.sf(base_chisq, base_df)) if base_df > 0 else np.nan
    cfi_den = max(chisq - df, base_chisq - base_df, 0.0)
    cfi = 1.0 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    rb = base_chisq / base_df
    rm = chisq / df if df > 0 else np.nan
    tli = (rb - rm) / (rb - 1.0) if df > 0 else 1.0  # lavaan: 1 for a saturated model
    rfi = (rb - rm) / rb if df > 0 else 1.0
    nfi = (base_chisq - chisq) / base_chisq
    pnfi = df / base_df * nfi
    ifi = (base_chisq - chisq) / (base_chisq - df)
    rni = 1.0 - (chisq - df) / (base_chisq - base_df)
    aic = -2 * logl + 2 * npar
    bic = -2 * logl + npar * np.log(n)
    bic2 = -2 * logl + npar * np.log((n + 2) / 24)
    g = n_groups
    if df > 0 and np.isfinite(chisq):
        rmsea = np.sqrt(max(chisq - df, 0.0) / (df * n)) * np.sqrt(g)
        lo, hi = rmsea_ci(chisq, df, n)
        lo, hi = lo * np.sqrt(g), hi * np.sqrt(g)
        rmsea_p = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2 / g))
        notclose_p = float(stats.ncx2.cdf(chisq, df, n * df * 0.08**2 / g))
    else:  # df = 0: RMSEA and its interval 0, no p-values (lavaan)
        rmsea = lo = hi = 0.0 if (df == 0 and np.isfinite(chisq)) else np.nan
        rmsea_p = notclose_p = np.nan
    return {
        "npar": float(npar),
        "fmin": chisq / (2.0 * n),
        "chisq": chisq,
        "df": float(df),
        "pvalue": pvalue,
        "baseline_chisq": base_chisq,
        "baseline_df": float(base_df),
        "baseline_pvalue": base_p,
        "cfi": cfi,
        "tli": tli,
        "nnfi": tli,
        "rfi": rfi,
        "nfi": nfi,
        "pnfi": pnfi,
        "ifi": ifi,
        "rni": rni,
        "logl": logl,
        "unrestricted_logl": logl_h1,
        "aic": aic,
        "bic": bic,
        "ntotal": float(n),
        "bic2": bic2,
        "rmsea": rmsea,
        "rmsea_ci_lower": lo,
        "rmsea_ci_upper": hi,
        "rmsea_ci_level": 0.90,
        "rmsea_pvalue": rmsea_p,
        "rmsea_close_h0": 0.05,
        "rmsea_notclose_pvalue": notclose_p,
        "rmsea_notclose_h0": 0.08,
    }


def scaled_shifted(t: float, df: int, UG: np.ndarray) -> tuple[float, float, float]:
    """Mean-and-variance adjusted statistic of WLSMV (Asparouhov & Muthen 2010): ``(scaled, 1/a, shift)``.

    ``a = sqrt(df / tr((U Gamma)^2))``, ``shift = df - a tr(U Gamma)``. At ``df = 0`` lavaan
    reports the unscaled statistic, without a scaling factor or shift.

    >>> scaled_shifted(3.0, 0, np.eye(2))
    (3.0, nan, nan)
    """
    if df == 0:
        return t, np.nan, np.nan
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = np.sqrt(df / tr2)
    return a * t + (df - a * tr1), 1.0 / a, df - a * tr1


def incremental_indices(t: float, df: float, tb: float, dfb: float, suffix: str = "") -> dict:
    """CFI, TLI/NNFI, RFI, NFI, PNFI, IFI, RNI of a WLS-family statistic ``t`` against the baseline ``tb``.

    As lavaan 0.6-14: TLI/NNFI and RFI are 1 at ``df = 0``; NFI and RFI are NaN when the
    model has more degrees of freedom than the baseline.

    >>> incremental_indices(0.0, 0, 90.0, 3)["tli"], incremental_indices(0.0, 0, 90.0, 3)["nfi"]
    (1.0, 1.0)
    """
    den = max(t - df, tb - dfb, 0.0)
    rb, rm = tb / dfb, (t / df if df > 0 else np.nan)
    tli = (rb - rm) / (rb - 1.0) if df > 0 else 1.0
    out = {"cfi": 1.0 - max(t - df, 0.0) / den if den > 0 else 1.0, "tli": tli, "nnfi": tli,
           "rfi": ((rb - rm) / rb if df > 0 else 1.0) if df <= dfb else np.nan,
           "nfi": (tb - t) / tb if df <= dfb else np.nan, "pnfi": df / dfb * (tb - t) / tb,
           "ifi": (tb - t) / (tb - df), "rni": 1.0 - (t - df) / (tb - dfb)}
    return {k + suffix: v for k, v in out.items()}


def rmsea_measures(t: float, df: float, n: float, suffix: str = "", n_groups: int = 1) -> dict:
    """RMSEA with its 90 % interval and close/not-close p-values of statistic ``t`` (sample size ``n``).

    At ``df = 0`` the RMSEA and its interval are 0 and the p-values NaN, as lavaan. With
    ``n_groups`` = G > 1, lavaan's multigroup form: RMSEA and interval times ``sqrt(G)``, the
    close-fit non-centralities divided by G.

    >>> rmsea_measures(0.0, 0, 500)
    {'rmsea': 0.0, 'rmsea_ci_lower': 0.0, 'rmsea_ci_upper': 0.0, 'rmsea_pvalue': nan, 'rmsea_notclose_pvalue': nan}
    """
    if df == 0:
        zero = 0.0 if np.isfinite(t) else np.nan
        return {"rmsea" + suffix: zero, "rmsea_ci_lower" + suffix: zero, "rmsea_ci_upper" + suffix: zero,
                "rmsea_pvalue" + suffix: np.nan, "rmsea_notclose_pvalue" + suffix: np.nan}
    g = n_groups
    lo, hi = rmsea_ci(t, df, n)
    return {"rmsea" + suffix: np.sqrt(g) * np.sqrt(max(t / n / df - 1.0 / n, 0.0)),
            "rmsea_ci_lower" + suffix: np.sqrt(g) * lo, "rmsea_ci_upper" + suffix: np.sqrt(g) * hi,
            "rmsea_pvalue" + suffix: float(stats.ncx2.sf(t, df, n * df * 0.05**2 / g)),
            "rmsea_notclose_pvalue" + suffix: float(stats.ncx2.cdf(t, df, n * df * 0.08**2 / g))}


def catml_possible(R: np.ndarray) -> bool:
    """Whether lavaan computes its categorical ``*_robust`` indices from the polychoric matrix ``R``.

    ``lav_fit_catml_dwls(check.pd = TRUE)`` gives them as NA when an eigenvalue of ``R`` is
    below ``sqrt(.Machine$double.eps)`` (lavaan 0.6-14).

    >>> catml_possible(np.eye(2)), catml_possible(np.ones((2, 2)))
    (True, False)
    """
    return bool(np.linalg.eigvalsh(R).min() >= np.sqrt(np.finfo(float).eps))


def saturated_robust(x3: float, noncentral_null: float) -> dict:
    """lavaan's categorical ``*_robust`` indices of a just-identified (``df = 0``) WLSMV model.

    ``x3`` is the catML statistic of the model, ``noncentral_null`` the baseline's
    ``x3_null - c3_null df_null``: CFI and RNI from them, TLI/NNFI 1, the RMSEA and its
    interval 0, no p-values (lavaan 0.6-14).

    >>> saturated_robust(0.0, 800.0)["cfi_robust"], saturated_robust(0.0, 800.0)["rmsea_pvalue_robust"]
    (1.0, nan)
    """
    den = max(x3, noncentral_null, 0.0)
    return {"cfi_robust": 1.0 - max(x3, 0.0) / den if den > 0 else 1.0, "rni_robust": 1.0 - x3 / noncentral_null,
            "tli_robust": 1.0, "nnfi_robust": 1.0, **rmsea_measures(x3, 0, 1, "_robust")}


def tail_measures(chisq, df, n, npar, gfi, nel) -> dict:
    """GFI with AGFI, PGFI, Hoelter's critical N, McDonald's MFI and ECVI (``nel`` sample moments).

    At ``df = 0``, as lavaan 0.6-14: AGFI 1, PGFI 0, and Hoelter's N its formula with the
    0 quantile of a chi-square on 0 df, that is 1 when the statistic is above 0 (as a
    saturated model's rounding leaves it) and undefined when it is exactly 0.

    >>> tail_measures(1e-13, 0, 300, 6, 1.0, 6)["agfi"], tail_measures(0.0, 0, 300, 6, 1.0, 6)["cn_05"]
    (1.0, nan)
    """
    agfi = 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else 1.0
    pgfi = (df / nel) * gfi

    def hoelter(level):
        if chisq > 0:
            return (stats.chi2.ppf(level, df) if df > 0 else 0.0) / (chisq / n) + 1.0
        return np.nan

    cn05, cn01 = hoelter(0.95), hoelter(0.99)
    mfi = np.exp(-0.5 * (chisq - df) / n)
    ecvi = chisq / n + 2.0 * npar / n
    return {"cn_05": cn05, "cn_01": cn01, "gfi": gfi, "agfi": agfi, "pgfi": pgfi, "mfi": mfi, "ecvi": ecvi}


def ml_fit_measures(S: np.ndarray, sigma: np.ndarray, n: int, npar: int, exo_idx=()) -> pd.Series:
    """All ML fit measures of lavaan's ``fitMeasures`` (single group, no mean structure).

    Parameters
    ----------
    S, sigma : ndarray
        Sample (N divisor) and model-implied covariance of the observed variables.
    n : int
        Number of observations.
    npar : int
        Number of free (unique) parameters.
    exo_idx : sequence of int
        Positions of the ``fixed.x`` covariates in ``S``.

    Returns
    -------
    Series
        Indexed by lavaan's names with ``.`` written ``_``.

    Examples
    --------
    >>> S = np.array([[1.0, 0.5], [0.5, 1.0]])
    >>> fm = ml_fit_measures(S, S, 100, 3)
    >>> float(fm["chisq"]), int(fm["df"]), float(fm["cfi"])
    (0.0, 0, 1.0)
    """
    p = S.shape[0]
    exo_idx = list(exo_idx)
    nx = len(exo_idx)
    n_x_moments = nx * (nx + 1) // 2
    pstar = p * (p + 1) // 2 - n_x_moments
    df = pstar - npar
    chisq = n * f_ml_value(S, sigma)

    # baseline: independence of all non-exogenous variables; covariate block kept
    sigma0 = np.diag(np.diag(S))
    if nx:
        ix = np.ix_(exo_idx, exo_idx)
        sigma0[ix] = S[ix]
    base_chisq = n * f_ml_value(S, sigma0)
    base_df = pstar - (p - nx)

    ll_x = 0.0
    ll_x_sat = 0.0
    if nx:
        Sxx = S[np.ix_(exo_idx, exo_idx)]
        ll_x = ll_x_sat = _loglik(Sxx, Sxx, n)
    logl = _loglik(S, sigma, n) - ll_x
    logl_h1 = _loglik(S, S, n) - ll_x_sat
    out = chisq_family(chisq, df, base_chisq, base_df, n, npar, logl, logl_h1)

    # GFI family: weight Sigma^-1 (expected information at the implied covariance);
    # the fixed.x covariate moments are left out of both the residuals and the moments
    W = np.linalg.inv(sigma)
    E = S - sigma
    Sm = S.copy()
    if nx:
        ix = np.ix_(exo_idx, exo_idx)
        E[ix] = 0.0
        Sm[ix] = 0.0
    WE = W @ E
    WS = W @ Sm
    gfi = 1.0 - np.trace(WE @ WE) / np.trace(WS @ WS)
    out.update(srmr_family(S, sigma))
    out.update(tail_measures(chisq, df, n, npar, gfi, p * (p + 1) // 2))
    return pd.Series(out, name="value", dtype=float)


def _srmr_means(S, mean, sigma, mu) -> dict:
    """lavaan's rmr/srmr/crmr with a mean structure: mean residuals join the averages."""
    p = S.shape[0]
    nomean = srmr_family(S, sigma)
    il = np.tril_indices(p)
    io = np.tril_indices(p, -1)
    sd_s = np.sqrt(np.diag(S))
    sd_m = np.sqrt(np.diag(sigma))
    dm = mean - mu
    raw = S - sigma
    rmr = np.sqrt((np.sum(raw[il] ** 2) + np.sum(dm**2)) / (len(il[0]) + p))
    std_b = raw / np.outer(sd_s, sd_s)
    srmr = np.sqrt((np.sum(std_b[il] ** 2) + np.sum((dm / sd_s) ** 2)) / (len(il[0]) + p))
    cres = S / np.outer(sd_s, sd_s) - sigma / np.outer(sd_m, sd_m)
    crmr = np.sqrt((np.sum(cres[io] ** 2) + np.sum((dm / sd_s) ** 2)) / (len(io[0]) + p))
    mp = cres.copy()
    np.fill_diagonal(mp, (np.diag(S) - np.diag(sigma)) / np.diag(S))
    srmr_mplus = np.sqrt((np.sum(mp[il] ** 2) + np.sum((mean / sd_s - mu / sd_m) ** 2)) / (len(il[0]) + p))
    return {
        "rmr": rmr,
        "rmr_nomean": nomean["rmr"],
        "srmr": srmr,
        "srmr_bentler": srmr,
        "srmr_bentler_nomean": nomean["srmr"],
        "crmr": crmr,
        "crmr_nomean": nomean["crmr"],
        "srmr_mplus": srmr_mplus,
        "srmr_mplus_nomean": nomean["srmr_mplus"],
    }


def _pairwise_moments(patterns, n: int):
    """Available-case means and pairwise-complete covariances (N - 1 divisor, rescaled by (n - 1) / n).

    lavaan's sample statistics under ``missing = "ml"`` (its ``WLS.obs``, used by the GFI family).
    """
    p = patterns[0].p
    X = np.full((n, p), np.nan)
    start = 0
    for pat in patterns:
        X[start:start + pat.n][:, pat.obs] = pat.rows
        start += pat.n
    frame = pd.DataFrame(X)
    return frame.cov(ddof=1).to_numpy() * (n - 1) / n, frame.mean().to_numpy()


def mean_fit_measures(groups, npar: int, logl: float, logl_h1: float, logl_base: float, *,
                      fiml: bool = False, exo_idx=()) -> pd.Series:
    """lavaan's ``fitMeasures`` for ML with a mean structure, one or several groups.

    Covers complete data (``h1`` = the sample moments) and FIML (``h1`` = the saturated
    model estimated by EM): the test statistic is ``2 (logl_h1 - logl)``, the baseline
    statistic ``2 (logl_h1 - logl_base)`` for the independence model with free means and
    variances per group. Residual-based measures (rmr/srmr/crmr, gfi) use the ``h1``
    moments and are averaged over groups with weights ``n_g / N``; with several groups
    the RMSEA is multiplied by ``sqrt(G)``.

    Parameters
    ----------
    groups : list of dict
        Per group: ``n``, ``S`` and ``mean`` (h1 covariance, N divisor, and means),
        ``sigma`` and ``mu`` (model-implied).
    npar : int
        Number of free (unique) parameters.
    logl, logl_h1, logl_base : float
        Log-likelihoods (summed over groups) of the model, the saturated and the
        baseline model.
    fiml : bool, default=False
        Missing data: the GFI family is weighted, as lavaan, by the pattern-wise expected
        information at the implied moments (each group dict then needs ``patterns``),
        ``sum_k n_k blockdiag(W_k, 1/2 D'(W_k (x) W_k) D) / n`` with ``W_k`` the inverse of
        the implied covariance of the variables observed in pattern ``k`` (zero elsewhere),
        and its "sample" moments are the available-case means and pairwise covariances.
    exo_idx : sequence of int
        Positions of the ``fixed.x`` covariates: their means and covariances count
        neither as data nor as parameters (df, baseline df) and are left out of the GFI
        residuals and moments, as lavaan.

    Returns
    -------
    Series
    """
    G = len(groups)
    n = sum(g["n"] for g in groups)
    p = groups[0]["S"].shape[0]
    exo_idx = list(exo_idx)
    nx = len(exo_idx)
    nel = G * (p * (p + 1) // 2 + p)
    df = nel - G * (nx * (nx + 1) // 2 + nx) - npar
    base_df = nel - G * (nx * (nx + 1) // 2 + nx) - G * 2 * (p - nx)
    chisq = max(2.0 * (logl_h1 - logl), 0.0)
    base_chisq = 2.0 * (logl_h1 - logl_base)
    out = chisq_family(chisq, df, base_chisq, base_df, n, npar, logl, logl_h1, n_groups=G)
    w = np.array([g["n"] / n for g in groups])
    res = [_srmr_means(g["S"], g["mean"], g["sigma"], g["mu"]) for g in groups]
    out.update({k: float(w @ np.array([r[k] for r in res])) for k in res[0]})
    gfis = []
    for g in groups:
        E = g["S"] - g["sigma"]
        d = g["mean"] - g["mu"]
        if fiml:  # lavaan's "sample" moments here: available-case means, pairwise covariances
            S_obs, m_obs = _pairwise_moments(g["patterns"], g["n"])
            E = S_obs - g["sigma"]
            d = m_obs - g["mu"]
            weights = []
            for pat in g["patterns"]:
                W = np.zeros_like(g["sigma"])
                W[pat.ix] = np.linalg.inv(g["sigma"][pat.ix])
                weights.append((pat.n / g["n"], W))
        else:
            weights = [(1.0, np.linalg.inv(g["sigma"]))]
        S_obs, m_obs = (S_obs, m_obs) if fiml else (g["S"], g["mean"])
        if nx:  # fixed.x moments are not fitted: out of residuals and moments
            ix = np.ix_(exo_idx, exo_idx)
            E, d, S_obs, m_obs = E.copy(), d.copy(), S_obs.copy(), m_obs.copy()
            E[ix] = 0.0
            S_obs[ix] = 0.0
            d[exo_idx] = 0.0
            m_obs[exo_idx] = 0.0
        t1 = sum(f * (0.5 * np.trace(W @ E @ W @ E) + d @ W @ d) for f, W in weights)
        t2 = sum(f * (0.5 * np.trace(W @ S_obs @ W @ S_obs) + m_obs @ W @ m_obs) for f, W in weights)
        gfis.append(1.0 - t1 / t2)
    gfi = float(w @ np.array(gfis))
    out.update(tail_measures(chisq, df, n, npar, gfi, nel))
    return pd.Series(out, name="value", dtype=float)
