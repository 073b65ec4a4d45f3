"""``fit``: lavaan-compatible SEM estimation returning a frozen :class:`SemResult`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import renamed_parameters

from .bootstrap import fit_bootstrap
from .constraints import ConstrainedModel, linear_constraints
from .diagnostics import collect_warnings
from .estimate import fit_ml, start_values, vcov_expected
from .fitmeasures import ml_fit_measures
from .identify import check_identified, n_moments, parameter_names
from .model import RamModel
from .moments import prepare_data, sample_cov
from .multigroup import fit_groups
from .ordinal import fit_wlsmv
from .ordinal_groups import fit_wlsmv_groups
from .result import SemResult, assemble, defined_rows, estimate_rows
from .robust import gamma_adf, robust_vcov, scaled_fit_measures
from .standardize import r_squared, std_all
from .syntax import build_partable, check_model_text, has_intercepts, parse_model
from .threads import blas_pinned
from .wls import fit_ls

__all__ = ["SemResult", "fit"]


def _check_boot_options(n_jobs, progress, boot_ci):
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs < 1):
        raise ValueError(f"The 'n_jobs' parameter of fit must be a positive int or None. Got {n_jobs!r} instead.")
    if progress is not None and not callable(progress):
        raise ValueError(f"The 'progress' parameter of fit must be callable(done, total) or None. Got {progress!r} instead.")
    if boot_ci not in ("perc", "bc"):
        raise ValueError(f"The 'boot_ci' parameter of fit must be one of 'perc', 'bc'. Got {boot_ci!r} instead.")


def _check_options(estimator, missing, ordered, group, group_equal, bootstrap, seed, group_partial=()):
    if not isinstance(estimator, str) or estimator.upper() not in ("ML", "MLR", "WLSMV", "ULS", "GLS", "DWLS"):
        raise ValueError(f"The 'estimator' parameter of fit must be one of 'ML', 'MLR', 'WLSMV', 'ULS', 'GLS', 'DWLS'. "
                         f"Got {estimator!r} instead.")
    if missing not in ("listwise", "fiml", "ml", "direct"):
        raise ValueError(f"The 'missing' parameter of fit must be one of 'listwise', 'fiml'. Got {missing!r} instead "
                         "('ml' is accepted as lavaan's name for 'fiml').")
    if not isinstance(bootstrap, (int, np.integer)) or isinstance(bootstrap, bool) or bootstrap < 0:
        raise ValueError(f"The 'n_boot' parameter of fit must be a non-negative int. Got {bootstrap!r} instead.")
    if ordered not in (None, False) and not (isinstance(ordered, (list, tuple)) and len(ordered) == 0) \
            and estimator.upper() not in ("WLSMV", "DWLS"):
        raise NotImplementedError(f"ordered={ordered!r} with estimator={estimator!r} is not implemented yet; "
                                  "use estimator='WLSMV' for ordinal indicators.")
    if group_equal and group is None:
        raise ValueError(f"The 'group_equal' parameter of fit needs 'group'. Got group_equal={group_equal!r} with group=None.")
    if group_partial and not group_equal:
        raise ValueError(f"The 'group_partial' parameter of fit frees parameters held equal by 'group_equal', which is "
                         f"empty. Got group_partial={group_partial!r}.")
    if seed is not None and not isinstance(seed, (int, np.integer)):
        raise ValueError(f"The 'seed' parameter of fit must be an int or None. Got {seed!r} instead.")


@renamed_parameters({"bootstrap": "n_boot"})
def fit(data: pd.DataFrame, model: str, *, estimator: str = "ML", missing: str = "listwise", ordered=None,
        group=None, group_equal=(), group_partial=(), n_boot: int = 0, seed=None, boot_ci: str = "perc", n_jobs=None,
        progress=None, std_lv: bool = False, orthogonal: bool = False, meanstructure: bool = False) -> SemResult:
    """Fit a structural equation model written in lavaan syntax.

    Reproduces lavaan's ``sem()``/``cfa()`` defaults: marker identification (first loading
    fixed to 1), free residual variances, free covariances among exogenous latent
    variables, ``fixed.x = TRUE`` for observed covariates, ML with the N-divisor sample
    covariance and expected-information standard errors.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; must contain every observed variable of the model.
        Rows with a missing value in any model variable are dropped (listwise).
    model : str
        lavaan syntax: ``=~``, ``~``, ``~~``, labels/fixed values ``a*x``/``1*x``, shared
        labels for equality constraints, linear constraints ``a == b``/``d + e == 2`` and
        bounds ``a > 0``/``a < 1`` (without a mean structure; ``==`` with ML or MLR, bounds
        with ML; :mod:`cxlab.sem.constraints`; a violated bound is held active, as lavaan), defined parameters ``name := expr``,
        second-order factors (``g =~ f1 + f2 + f3``), formative constructs ``f <~ x1 + x2 + x3``
        (ML/MLR: a latent regressed on its indicators with residual variance 0, first weight
        fixed to 1; :mod:`cxlab.sem.syntax`). A model that is not identified is
        refused before estimation (:class:`cxlab.sem.NotIdentifiedError`, naming the parameters).
    estimator : {"ML", "MLR", "WLSMV", "ULS", "GLS", "DWLS"}, default="ML"
        "MLR": ML estimates with Huber-White robust standard errors (observed
        information) and the Yuan-Bentler scaled test (``chisq_scaled``, ``cfi_scaled``,
        ``cfi_robust``, ``rmsea_scaled``, ``rmsea_robust``, ...), as lavaan. "WLSMV":
        ordinal items (``ordered``), DWLS on polychoric correlations and thresholds with
        robust SEs and the mean-and-variance adjusted test (:mod:`cxlab.sem.ordinal`); with
        continuous observed covariates (``f ~ x1 + x2``, MIMIC models) conditional on them, as
        lavaan's ``conditional.x`` (:mod:`cxlab.sem.ordinal_covariates`).
        "ULS", "GLS": least squares on the covariances of continuous data, as lavaan
        (:mod:`cxlab.sem.wls`; one group, complete data). "DWLS": ordinal items as WLSMV, with lavaan's
        standard (non-robust) SEs and unscaled test.
        MLR also works with observed exogenous covariates (``fixed.x``, MIMIC models),
        ``missing="fiml"``, groups and intercepts (casewise-score
        meat, lavaan's FIML-corrected robust CFI/TLI/RMSEA: :mod:`cxlab.sem.robust_means`).
    missing : {"listwise", "fiml", "ml"}, default="listwise"
        "fiml" (lavaan's spelling "ml" is accepted too): casewise (full-information) ML over all rows with at least one observed
        model variable, with a mean structure, observed-information SEs and fit measures
        against the EM-estimated saturated model, as lavaan's ``missing = "ml"``
        (:mod:`cxlab.sem.fiml`).
    group : str, optional
        Column of ``data`` holding the groups of a multigroup model (groups in order of
        first appearance); ``estimates`` then has a ``group`` column holding the group
        values (:mod:`cxlab.sem.multigroup`).
    group_equal : sequence of str, default=()
        lavaan ``group.equal`` classes held equal across groups: ``"loadings"``,
        ``"intercepts"``, ``"means"``, ``"residuals"``, ``"residual.covariances"``,
        ``"lv.variances"``, ``"lv.covariances"``, ``"regressions"``.
    group_partial : sequence of str, default=()
        lavaan ``group.partial``: parameters of the ``group_equal`` classes freed again
        across groups (partial invariance), written ``"visual=~x2"`` (a loading),
        ``"x7~1"`` (an intercept) or ``"x1~~x1"``. Group-specific labels and values are
        written in the syntax: ``c(a, b)*x`` (one label per group; a label repeated
        across groups makes the parameters equal), ``c(1, NA)*x`` (fixed in group 1, free
        in group 2), ``c(0.5, 0.5)*x``.
    n_boot : int, default=0
        Number of nonparametric bootstrap resamples (``bootstrap``, its old name, still
        works for one release with a ``DeprecationWarning``): SEs from the draws, 95 % intervals
        and p-values that agree with them for all parameters and ``:=`` definitions,
        computed on all cores; resamples that fail to converge are counted in
        ``bootstrap_info`` and, above 10 %, reported in ``warnings`` (:mod:`cxlab.sem.bootstrap`).
    seed : int, optional
        Seed of the bootstrap; the draws do not depend on the number of processes.
    boot_ci : {"perc", "bc"}, default="perc"
        Bootstrap interval in ``ci_lower``/``ci_upper``: percentile or bias-corrected.
    n_jobs : int, optional
        Processes for the bootstrap (default: every core).
    progress : callable, optional
        ``progress(done, total)``, called as the bootstrap resamples complete.
    std_lv : bool, default=False
        lavaan's ``std.lv``: every latent variable scaled by fixing its (residual)
        variance to 1 instead of its first loading.
    orthogonal : bool, default=False
        lavaan's ``orthogonal``: the default covariances among latent variables fixed to 0.
    meanstructure : bool, default=False
        Add intercepts of the observed variables (latent means fixed to 0), as lavaan's
        ``meanstructure = TRUE``.
    ordered
        Ordinal indicators for ``estimator="WLSMV"`` (with ``group``: :mod:`cxlab.sem.ordinal_groups`).

    Returns
    -------
    SemResult
        ``estimates`` (columns ``lhs, op, rhs, label, est, se, z, pvalue, ci_lower,
        ci_upper, std_all``; 95 % Wald intervals), ``fit_measures``, ``converged``,
        ``warnings``, ``r2``, ``implied_cov``, ``sample_cov``, ``n``, ``model``.

    Raises
    ------
    ValueError
        Bad option values, model syntax errors, model variables that are not columns of
        ``data``, or a model that is not identified (:class:`~cxlab.sem.NotIdentifiedError`).

    Notes
    -----
    Validated against lavaan 0.6-14 (``tests/test_sem*.py``): estimates to ~1e-6 and
    standard errors to ~1e-6 on the Holzinger-Swineford CFA and Bollen's political
    democracy SEM; fit measures to ~1e-9 relative.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=200)
    >>> df = pd.DataFrame({f"x{i}": f + rng.normal(scale=0.6, size=200) for i in (1, 2, 3)})
    >>> res = fit(df, "f =~ x1 + x2 + x3")
    >>> res.converged, int(res.fit_measures["df"]), int(res.fit_measures["npar"])
    (True, 0, 6)
    >>> res.estimates.loc[:1, ["lhs", "op", "rhs", "est", "se"]].round(3)
      lhs  op rhs    est     se
    0   f  =~  x1  1.000  0.000
    1   f  =~  x2  1.016  0.072
    """
    bootstrap = n_boot
    check_model_text(model, "fit")
    _check_options(estimator, missing, ordered, group, group_equal, bootstrap, seed, group_partial)
    _check_boot_options(n_jobs, progress, boot_ci)
    spec = {"std_lv": std_lv, "orthogonal": orthogonal, "meanstructure": meanstructure}
    for key, value in spec.items():
        if not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"The '{key}' parameter of fit must be True or False. Got {value!r} instead.")
    missing = "fiml" if missing in ("ml", "direct") else missing
    with blas_pinned():
        return _fit(data, model, estimator=estimator, missing=missing, ordered=ordered, group=group,
                    group_equal=group_equal, group_partial=group_partial, bootstrap=bootstrap, seed=seed, boot_ci=boot_ci, n_jobs=n_jobs,
                    progress=progress, spec=spec)


def _fit(data, model, *, estimator, missing, ordered, group, group_equal, group_partial, bootstrap, seed, boot_ci, n_jobs,
         progress, spec) -> SemResult:
    if estimator.upper() in ("WLSMV", "DWLS"):  # ordinal indicators: cxlab.sem.ordinal
        if any(spec.values()):
            raise NotImplementedError(f"estimator='WLSMV' with {[k for k, v in spec.items() if v]} is not "
                                      "implemented yet.")

        if group is not None:  # ordinal multigroup models: cxlab.sem.ordinal_groups
            if missing != "listwise" or bootstrap:
                raise NotImplementedError("estimator='WLSMV' with groups is implemented for listwise deletion "
                                          "without bootstrap.")
            return fit_wlsmv_groups(data, model, ordered=ordered, group=group, group_equal=group_equal,
                                    group_partial=group_partial, estimator=estimator)
        return fit_wlsmv(data, model, ordered=ordered, missing=missing, group=group, group_equal=group_equal,
                         bootstrap=bootstrap, seed=seed, estimator=estimator)
    if estimator.upper() in ("ULS", "GLS"):  # least squares on continuous data: cxlab.sem.wls
        if group is not None or missing == "fiml" or bootstrap or spec["meanstructure"]:
            raise NotImplementedError(f"estimator={estimator!r} is implemented for one group of complete data without "
                                      "a mean structure or bootstrap.")
        return fit_ls(data, parse_model(model), model, estimator=estimator, std_lv=spec["std_lv"],
                      orthogonal=spec["orthogonal"])
    if bootstrap > 0:  # the full-sample fit, then the resamples from its solution
        base = _fit(data, model, estimator=estimator, missing=missing, ordered=ordered, group=group,
                    group_equal=group_equal, group_partial=group_partial, bootstrap=0, seed=None, boot_ci=boot_ci,
                    n_jobs=n_jobs, progress=progress, spec=spec)
        return fit_bootstrap(data, model, base, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs, progress=progress,
                             ci=boot_ci, missing=missing, group=group)
    parsed = parse_model(model)
    if missing == "fiml" or group is not None or has_intercepts(parsed) or spec["meanstructure"]:
        return fit_groups(data, parsed, model, group=group, group_equal=group_equal, group_partial=group_partial,
                          missing=missing,
                          estimator=estimator, std_lv=spec["std_lv"], orthogonal=spec["orthogonal"])
    pt, names = build_partable(parsed, fixed_x=True, std_lv=spec["std_lv"], orthogonal=spec["orthogonal"])
    ov, lv = names["ov"], names["lv"]
    sub = prepare_data(data, ov)
    n = len(sub)
    S = sample_cov(sub.to_numpy())
    ram = RamModel.from_partable(pt, ov, lv, S)
    theta0 = start_values(ram, pt, S)
    est_name = estimator.upper()
    rep = None
    labels = {lab: int(fr) - 1 for lab, fr in zip(pt["label"], pt["free"]) if lab and fr > 0}
    constraints, n_active = list(parsed.constraints), 0
    if parsed.inequalities and est_name != "ML":
        raise NotImplementedError(f"estimator={estimator!r} with inequality constraints ('<', '>') is not "
                                  "implemented yet.")
    _check_inequality_labels(parsed.inequalities, labels)
    while True:
        if constraints:
            rep = linear_constraints(constraints, labels, ram.npar)
            cmodel = ConstrainedModel(ram, rep)
            check_identified([cmodel], theta0, parameter_names(pt), rams=[ram], reparam=rep,
                             n_moments=n_moments(len(ov), len(names["ov.x"])))
            res = fit_ml(cmodel, S, rep.phi(theta0))
            vcov_phi, se_ok = vcov_expected(cmodel, res.theta, n)
            vcov = rep.vcov(vcov_phi)
            theta = rep.theta(res.theta)
            npar = cmodel.npar + n_active  # active inequalities do not count (lavaan)
        else:
            check_identified([ram], theta0, parameter_names(pt), n_moments=n_moments(len(ov), len(names["ov.x"])))
            res = fit_ml(ram, S, theta0)
            theta = res.theta
            npar = ram.npar
        # inequality constraints: a violated bound becomes active (held as an equality), as lavaan
        violated = [(lab, value) for lab, op, value in parsed.inequalities
                    if (theta[labels[lab]] < value if op == ">" else theta[labels[lab]] > value)
                    and abs(theta[labels[lab]] - value) > 1e-10]
        if not violated:
            break
        constraints += [(lab, repr(float(value))) for lab, value in violated]
        n_active += len(violated)
    if est_name == "MLR":
        gamma = gamma_adf(sub.to_numpy())
        if rep is not None:  # sandwich in the free coordinates of the constrained model
            vcov_phi, info_obs, meat, se_ok = robust_vcov(cmodel, res.theta, S, gamma, n)
            vcov = rep.vcov(vcov_phi)
        else:
            vcov, info_obs, meat, se_ok = robust_vcov(ram, theta, S, gamma, n)
        se_ok = se_ok and bool(np.all(np.isfinite(vcov)))
    elif rep is None:
        vcov, se_ok = vcov_expected(ram, theta, n)
    se_ok_report = se_ok

    std = std_all(ram, pt, theta)
    table = estimate_rows(pt, ram.row_values(theta), vcov, se_ok, std)
    if parsed.defined:
        table = pd.concat([table, defined_rows(parsed.defined, ram, pt, theta, vcov)], ignore_index=True)

    sigma = ram.implied(theta)
    exo_idx = [ov.index(v) for v in names["ov.x"]]
    fm = ml_fit_measures(S, sigma, n, npar, exo_idx)
    if est_name == "MLR":
        fm = scaled_fit_measures(fm, S, gamma, info_obs, meat, exo_idx)
        if rep is not None:  # lavaan divides tr(A^-1 B) by the free parameters before the constraints
            fm["scaling_factor_h0"] *= cmodel.npar / ram.npar
    _, sig_all, _ = ram.implied_all(theta)
    p = len(ov)
    warnings = collect_warnings(
        converged=res.converged, message=res.message, estimates=table, sample_cov=S, implied_cov=sigma,
        latent_cov=sig_all[p:, p:], n=n, npar=npar, df=int(fm["df"]), se_ok=se_ok_report,
    )
    return assemble(estimates=table, fit_measures=fm, converged=res.converged, warnings=warnings,
                    r2=r_squared(ram, theta), implied_cov=pd.DataFrame(sigma, index=ov, columns=ov),
                    sample_cov=pd.DataFrame(S, index=ov, columns=ov), n=n, model=model, estimator=est_name,
                    vcov=vcov, iterations=res.iterations, partable=pt, ram=ram, theta=theta)


def _check_inequality_labels(inequalities, labels: dict) -> None:
    for lab, op, value in inequalities:
        if lab not in labels:
            raise ValueError(f"The inequality constraint '{lab} {op} {value:g}' names {lab!r}, which is not the label "
                             f"of a free parameter; labels: {sorted(labels)}.")
