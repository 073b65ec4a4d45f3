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

__all__ = ["ml_fit_measures", "f_ml_value"]


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


def _rmsea_ci(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's RMSEA confidence interval (non-centrality search, N in the denominator)."""
    if df <= 0:
        return np.nan, np.nan
    lo_p, hi_p = (1 + level) / 2, (1 - level) / 2

    def ncp_for(target):
        f = lambda lam: stats.ncx2.cdf(chisq, df, lam) - target if lam > 0 else stats.chi2.cdf(chisq, df) - target
        if f(0.0) < 0:  # even the central chi-square puts chisq below the target
            return 0.0
        hi = max(chisq, 1.0)
        while f(hi) > 0:
            hi *= 2
        return optimize.brentq(f, 0.0, hi, xtol=1e-14, rtol=1e-15, maxiter=500)

    lam_l = ncp_for(lo_p)
    lam_u = ncp_for(hi_p)
    return np.sqrt(lam_l / (n * df)), np.sqrt(lam_u / (n * df))


def _srmr_family(S: np.ndarray, sigma: np.ndarray) -> dict:
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
    fml = f_ml_value(S, sigma)
    chisq = n * fml
    pvalue = float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan

    # baseline: independence of all non-exogenous variables; covariate block kept
    sigma0 = np.diag(np.diag(S))
    if nx:
        ix = np.ix_(exo_idx, exo_idx)
        sigma0[ix] = S[ix]
    base_chisq = n * f_ml_value(S, sigma0)
    base_df = pstar - (p - nx)
    base_p = float(stats.chi2.sf(base_chisq, base_df)) if base_df > 0 else np.nan

    cfi_den = max(chisq - df, base_chisq - base_df, 0.0)
    cfi = 1.0 - max(chisq - df, 0.0) / cfi_den if cfi_den > 0 else 1.0
    rb = base_chisq / base_df
    rm = chisq / df if df > 0 else np.nan
    tli = (rb - rm) / (rb - 1.0) if df > 0 else np.nan
    rfi = (rb - rm) / rb if df > 0 else np.nan
    nfi = (base_chisq - chisq) / base_chisq
    pnfi = df / base_df * nfi
    ifi = (base_chisq - chisq) / (base_chisq - df)
    rni = 1.0 - (chisq - df) / (base_chisq - base_df)

    ll_x = 0.0
    ll_x_sat = 0.0
    if nx:
        Sxx = S[np.ix_(exo_idx, exo_idx)]
        ll_x = ll_x_sat = _loglik(Sxx, Sxx, n)
    logl = _loglik(S, sigma, n) - ll_x
    logl_h1 = _loglik(S, S, n) - ll_x_sat
    aic = -2 * logl + 2 * npar
    bic = -2 * logl + npar * np.log(n)
    bic2 = -2 * logl + npar * np.log((n + 2) / 24)

    if df > 0 and np.isfinite(chisq):
        rmsea = np.sqrt(max(chisq - df, 0.0) / (df * n))
        lo, hi = _rmsea_ci(chisq, df, n)
        rmsea_p = float(stats.ncx2.sf(chisq, df, n * df * 0.05**2))
        notclose_p = float(stats.ncx2.cdf(chisq, df, n * df * 0.08**2))
    else:
        rmsea = lo = hi = rmsea_p = notclose_p = 0.0 if (df == 0 and np.isfinite(chisq)) else np.nan

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
    nel = p * (p + 1) // 2
    agfi = 1.0 - (nel / df) * (1.0 - gfi) if df > 0 else np.nan
    pgfi = (df / nel) * gfi if df > 0 else np.nan

    fmin = fml / 2.0
    cn05 = stats.chi2.ppf(0.95, df) / (chisq / n) + 1.0 if df > 0 and chisq > 0 else np.nan
    cn01 = stats.chi2.ppf(0.99, df) / (chisq / n) + 1.0 if df > 0 and chisq > 0 else np.nan
    mfi = np.exp(-0.5 * (chisq - df) / n)
    ecvi = chisq / n + 2.0 * npar / n

    out = {
        "npar": float(npar),
        "fmin": fmin,
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
    out.update(_srmr_family(S, sigma))
    out.update({"cn_05": cn05, "cn_01": cn01, "gfi": gfi, "agfi": agfi, "pgfi": pgfi, "mfi": mfi, "ecvi": ecvi})
    return pd.Series(out, name="value", dtype=float)
