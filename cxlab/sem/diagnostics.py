"""Diagnostics collected into ``SemResult.warnings``."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["collect_warnings", "near_one_correlations", "SMALL_N_RATIO", "NEAR_ONE"]

#: warn when the number of observations is below this multiple of the number of free
#: parameters (Bentler & Chou's 5:1 rule of thumb)
SMALL_N_RATIO = 5
#: a polychoric correlation beyond this (in absolute value) is reported, as lavaan's
#: ``lav_samplestats_step2`` warns "correlation between variables ... is (nearly) 1.0"
NEAR_ONE = 0.99


def _not_pd(m: np.ndarray) -> bool:
    if m.size == 0:
        return False
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return True
    return bool(np.linalg.eigvalsh(m).min() <= 1e-12 * max(1.0, np.abs(m).max()))


def collect_warnings(*, converged, message, estimates: pd.DataFrame, sample_cov, implied_cov,
                     latent_cov, n, npar, df, se_ok) -> list[str]:
    """Human-readable warnings: convergence, Heywood cases, definiteness, identification, n."""
    out = []
    if not converged:
        out.append(f"The model did not converge ({message}); estimates are not trustworthy.")
    if _not_pd(sample_cov):
        out.append("The sample covariance matrix is not positive definite (collinear or constant variables?).")
    if implied_cov is not None and _not_pd(implied_cov):
        out.append("The model-implied covariance matrix is not positive definite.")
    if latent_cov is not None and latent_cov.size and _not_pd(latent_cov):
        out.append("The implied covariance matrix of the latent variables is not positive definite.")
    var_rows = estimates[(estimates.op == "~~") & (estimates.lhs == estimates.rhs)]
    for r in var_rows.itertuples(index=False):
        if r.est < 0:
            out.append(f"Heywood case: negative variance estimate for {r.lhs} ({r.est:.4g}).")
    load = estimates[(estimates.op == "=~")]
    for r in load.itertuples(index=False):
        if np.isfinite(r.std_all) and abs(r.std_all) > 1:
            out.append(f"Heywood case: standardized loading of {r.rhs} on {r.lhs} is {r.std_all:.4g} (|std_all| > 1).")
    if df < 0:
        out.append(f"The model is not identified: {npar} free parameters for {npar + df} sample moments (df = {df}).")
    if not se_ok:
        out.append("Standard errors could not be computed: the information matrix is singular (the model may not be identified).")
    if n < SMALL_N_RATIO * npar:
        out.append(
            f"Small sample: n = {n} for {npar} free parameters (fewer than {SMALL_N_RATIO} observations per parameter); "
            "estimates and fit measures may be unstable."
        )
    return out


def near_one_correlations(corr: pd.DataFrame) -> list[str]:
    """One warning per pair of items whose (polychoric) correlation is beyond ±0.99.

    >>> r = pd.DataFrame([[1, .999, .2], [.999, 1, .1], [.2, .1, 1]], index=list("abc"), columns=list("abc"))
    >>> near_one_correlations(r)
    ['The polychoric correlation of a and b is 0.999 (nearly 1: the two items may duplicate each other).']
    """
    names, r = list(corr.index), corr.to_numpy()
    return [f"The polychoric correlation of {names[j]} and {names[i]} is {r[i, j]:.3f} "
            f"(nearly {'-1' if r[i, j] < 0 else '1'}: the two items may duplicate each other)."
            for j in range(len(names)) for i in range(j + 1, len(names)) if abs(r[i, j]) > NEAR_ONE]
