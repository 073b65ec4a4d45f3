"""Multilevel analysis of the Service Profit Chain: customers nested in agents or teams.

Heskett et al. (1994) link engaged employees to satisfied, loyal customers. The customers
one agent (or team) served share that agent, so their outcomes are not independent: the
intraclass correlation measures how much, the design effect how much it inflates a naive
variance, and a random-intercept model lets a team-level predictor (engagement) sit beside
contact-level ones (first-contact resolution) with honest standard errors.

Attribution rule (the caller's data, one row per customer contact or respondent): the row
belongs to the cluster (agent or team) that handled that contact. A respondent whose
contacts in the window went to several teams appears once per contact, or the caller keeps
the last contact; this module does not choose, it only requires one cluster id per row.

* :func:`anova_icc` — one-way ANOVA estimator of ICC(1) for unbalanced clusters, with the
  design effect.
* :func:`random_intercept` — a random-intercept model (statsmodels ``MixedLM``, REML or ML):
  fixed effects with GLS standard errors as lme4 reports them, variance components, ICC,
  log-likelihood, AIC and BIC; convergence and singular fits are flagged in the result.
* :func:`nested_icc` — customers in agents in teams: team and agent variance components
  and both ICCs (lme4's ``(1 | team/agent)``).
* :func:`chain_indirect` — the chain's indirect effect x -> m -> y (a·b) with a cluster
  bootstrap (clusters resampled, not rows), percentile intervals, seeded; with several
  mediators (parallel), each one's indirect effect and their total.
* :func:`simulate_chain` — seeded teams with a planted engagement -> FCR -> satisfaction
  chain, to show the method recovers it.

Checked against R's ``lme4::lmer`` on ``mlmRev::Exam``, ``lme4::Dyestuff``/``Dyestuff2`` and
``lme4::Pastes`` (``tests/data/r/50_multilevel_lme4.R``, ``51_multilevel_pastes.R``,
``tests/test_multilevel.py``).

Examples
--------
>>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
>>> round(anova_icc(data, "satisfaction", "team").icc1, 3)
0.077
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ._text import md, number
from ._validation import check_ci, check_columns, check_float, check_frame, check_int, param_error

__all__ = [
    "AnovaICC", "anova_icc", "design_effect", "RandomInterceptResult", "random_intercept",
    "NestedICC", "nested_icc", "ChainResult", "chain_indirect", "describe_chain", "simulate_chain",
    "icc_table", "chain_table", "describe_service_chain", "CHAIN_MIN_BOOT", "chain_resamples",
]

#: lme4's ``isSingular`` tolerance on theta = tau / sigma (the relative random-effect sd).
SINGULAR_TOL = 1e-4


def _check_frame(data, columns: Sequence[str], func: str, numeric: Sequence[str] = ()) -> pd.DataFrame:
    """The columns of ``data`` (``numeric`` ones numeric), without a missing value."""
    check_frame(data, func)
    check_columns(data, columns, func, numeric=numeric)
    sub = data[list(columns)]
    for col in columns:
        na = sub[col].isna().to_numpy()
        if na.any():
            row = sub.index[np.argmax(na)]
            raise ValueError(f"column {col!r} has {int(na.sum())} missing value(s) "
                             f"(first at row {row!r}); drop or impute them first")
    return sub


def design_effect(icc: float, cluster_size: float) -> float:
    """Kish's design effect ``1 + (m - 1) * icc`` for clusters of (mean) size ``m``.

    >>> design_effect(0.1, 11)
    2.0
    """
    check_float(cluster_size, "cluster_size", "design_effect", low=1, closed="left")
    return float(1.0 + (cluster_size - 1.0) * icc)


@dataclass(frozen=True)
class AnovaICC:
    """One-way ANOVA ICC(1) for customers nested in clusters.

    Attributes
    ----------
    icc1 : float
        ``(MSB - MSW) / (MSB + (n0 - 1) MSW)``; negative when clusters differ less than
        chance would make them (reported as is, not truncated).
    msb, msw : float
        Between- and within-cluster mean squares.
    n0 : float
        Effective cluster size ``(N - sum n_j^2 / N) / (J - 1)`` (the size when balanced).
    between_var, within_var : float
        ``(MSB - MSW) / n0`` and ``MSW``.
    nobs, ngroups : int
    mean_cluster_size : float
    design_effect : float
        ``1 + (mean_cluster_size - 1) * icc1``.
    """

    icc1: float
    msb: float
    msw: float
    n0: float
    between_var: float
    within_var: float
    nobs: int
    ngroups: int
    mean_cluster_size: float
    design_effect: float


def anova_icc(data: pd.DataFrame, outcome: str, cluster: str) -> AnovaICC:
    """ICC(1) by the one-way ANOVA estimator, for unbalanced clusters.

    Parameters
    ----------
    data : DataFrame
        One row per customer (contact or respondent).
    outcome : str
        Numeric outcome column.
    cluster : str
        Column with the agent or team id that handled the row.

    Returns
    -------
    AnovaICC

    Notes
    -----
    With balanced clusters this is Shrout & Fleiss's ICC(1) (``pingouin.intraclass_corr``'s
    ``ICC1``); pingouin needs a fully crossed targets x raters table, which nested customers
    do not give, hence this estimator for unequal cluster sizes (Snijders & Bosker 2012,
    §3.3.1). It equals the REML random-intercept ICC when the latter is interior and the
    design balanced.

    Examples
    --------
    >>> df = pd.DataFrame({"team": list("aabbcc"), "y": [1.0, 2, 3, 4, 6, 5]})
    >>> r = anova_icc(df, "y", "team")
    >>> round(r.icc1, 4), r.n0
    (0.8824, 2.0)
    """
    sub = _check_frame(data, [outcome, cluster], "anova_icc", numeric=[outcome])
    y = sub[outcome].astype(float)
    g = sub.groupby(cluster, sort=False)[outcome]
    nj = g.size().to_numpy(float)
    J, N = len(nj), float(nj.sum())
    if J < 2:
        raise ValueError(f"column {cluster!r} has {J} cluster(s); the ICC needs at least 2")
    if N <= J:
        raise ValueError(f"column {cluster!r}: every cluster has one row; no within-cluster variance")
    means = g.mean().to_numpy(float)
    ssb = float((nj * (means - y.mean()) ** 2).sum())
    ssw = float(((y - g.transform("mean")) ** 2).sum())
    msb, msw = ssb / (J - 1), ssw / (N - J)
    n0 = (N - (nj ** 2).sum() / N) / (J - 1)
    icc1 = (msb - msw) / (msb + (n0 - 1) * msw)
    m = N / J
    return AnovaICC(icc1=float(icc1), msb=msb, msw=msw, n0=float(n0),
                    between_var=float((msb - msw) / n0), within_var=msw, nobs=int(N),
                    ngroups=J, mean_cluster_size=m, design_effect=design_effect(icc1, m))


@dataclass(frozen=True)
class RandomInterceptResult:
    """A fitted random-intercept model ``y_ij = x_ij'b + u_j + e_ij``.

    Attributes
    ----------
    estimates : DataFrame
        One row per fixed effect (``Intercept`` first), columns ``est``, ``se`` (GLS,
        ``(X'V^-1 X)^-1`` at the variance estimates, as lme4's ``vcov``), ``z`` (= lme4's
        "t value"), ``p`` (two-sided, normal), ``ci_lower``, ``ci_upper`` (Wald).
    group_var, residual_var : float
        Variance of the random intercept (tau^2) and of the residual (sigma^2).
    icc : float
        ``tau^2 / (tau^2 + sigma^2)`` (conditional on the fixed effects).
    loglik, aic, bic : float
        (Restricted, when ``reml``) log-likelihood; AIC and BIC with ``df`` parameters.
    df, nobs, ngroups : int
    reml, converged, singular : bool
        ``singular`` when tau / sigma < :data:`SINGULAR_TOL` (the variance component is at
        its zero boundary), as lme4's ``isSingular``.
    notes : tuple of str
        Warnings from the optimiser and the flags above, in words.
    """

    estimates: pd.DataFrame
    group_var: float
    residual_var: float
    icc: float
    loglik: float
    aic: float
    bic: float
    df: int
    nobs: int
    ngroups: int
    reml: bool
    converged: bool
    singular: bool
    outcome: str
    cluster: str
    notes: tuple = field(default=())

    def __str__(self) -> str:
        head = (f"Random-intercept model of {self.outcome!r} by {self.cluster!r} "
                f"({'REML' if self.reml else 'ML'}; {self.nobs} rows in {self.ngroups} clusters)")
        vc = (f"cluster variance {self.group_var:.4g}, residual variance {self.residual_var:.4g}, "
              f"ICC {self.icc:.3f}; logLik {self.loglik:.2f}, AIC {self.aic:.2f}, BIC {self.bic:.2f}")
        flags = "".join(f"\nNOTE: {n}" for n in self.notes)
        return f"{head}\n{self.estimates.round(4).to_string()}\n{vc}{flags}"


def _design(sub: pd.DataFrame, level1: Sequence[str], level2: Sequence[str], cluster: str):
    for col in level2:
        nun = sub.groupby(cluster, sort=False)[col].nunique()
        if (nun > 1).any():
            bad = nun.index[np.argmax((nun > 1).to_numpy())]
            raise ValueError(f"level-2 column {col!r} varies within cluster {bad!r} of {cluster!r}; "
                             f"a cluster-level predictor must be constant in each cluster")
    X = sub[list(level1) + list(level2)].astype(float)
    X.insert(0, "Intercept", 1.0)
    return X


class _Profile:
    """The random-intercept (restricted) log-likelihood profiled over beta and sigma^2.

    With lambda = tau^2 / sigma^2, V_j / sigma^2 = I + lambda 11' has the closed-form inverse
    I - c_j 11' (c_j = lambda / (1 + n_j lambda)) and log-determinant log(1 + n_j lambda), so
    the likelihood is a function of the one scalar theta = sqrt(lambda) (lme4's theta).
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, codes: np.ndarray, ngroups: int, reml: bool):
        self.y, self.X, self.reml = y, X, reml
        self.n, self.p = X.shape
        self.nj = np.bincount(codes, minlength=ngroups).astype(float)
        self.Sx = np.zeros((ngroups, self.p))
        np.add.at(self.Sx, codes, X)
        self.Sy = np.bincount(codes, weights=y, minlength=ngroups)
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)

    def solve(self, theta: float):
        lam = theta * theta
        c = lam / (1.0 + self.nj * lam)
        M = self.XtX - self.Sx.T @ (c[:, None] * self.Sx)
        rhs = self.Xty - self.Sx.T @ (c * self.Sy)
        beta = np.linalg.solve(M, rhs)
        q = self.yty - float(np.sum(c * self.Sy ** 2)) - float(beta @ rhs)
        dof = self.n - self.p if self.reml else self.n
        sigma2 = q / dof
        ll = -0.5 * dof * (1.0 + math.log(2 * math.pi * sigma2)) - 0.5 * float(np.log1p(self.nj * lam).sum())
        if self.reml:
            ll -= 0.5 * np.linalg.slogdet(M)[1]
        return ll, beta, sigma2, M

    def fit(self, theta0: float | None = None):
        """Maximise over theta in [0, hi] (bounded Brent, then the boundary checked)."""
        from scipy.optimize import minimize_scalar

        hi = 10.0 if theta0 is None else max(10.0, 4 * theta0)
        while self.solve(hi)[0] > self.solve(hi / 2)[0] and hi < 1e6:
            hi *= 4
        opt = minimize_scalar(lambda t: -self.solve(t)[0], bounds=(0.0, hi), method="bounded",
                              options={"xatol": 1e-10, "maxiter": 500})
        theta = float(opt.x)
        if self.solve(0.0)[0] >= -opt.fun:
            theta = 0.0
        ll, beta, sigma2, M = self.solve(theta)
        return theta, ll, beta, sigma2, M, bool(opt.success)


def _fixed_table(beta: np.ndarray, cov: np.ndarray, names, ci: float) -> pd.DataFrame:
    """Fixed effects with SE, z, two-sided normal p and Wald interval."""
    se = np.sqrt(np.diag(cov))
    z = beta / se
    q = stats.norm.ppf(0.5 + ci / 2)
    est = pd.DataFrame({"est": beta, "se": se, "z": z, "p": 2 * stats.norm.sf(np.abs(z)),
                        "ci_lower": beta - q * se, "ci_upper": beta + q * se}, index=names)
    est.index.name = "term"
    return est


def random_intercept(data: pd.DataFrame, outcome: str, cluster: str,
                     level1: Sequence[str] = (), level2: Sequence[str] = (),
                     reml: bool = True, ci: float = 0.95,
                     _crosscheck: bool = True) -> RandomInterceptResult:
    """Fit a random-intercept model of ``outcome`` with customers nested in ``cluster``.

    Parameters
    ----------
    data : DataFrame
        One row per customer contact or respondent (see the module's attribution rule).
    outcome : str
        Numeric outcome (e.g. satisfaction).
    cluster : str
        Agent or team id.
    level1 : sequence of str
        Contact-level predictors (e.g. first-contact resolution, wait).
    level2 : sequence of str
        Cluster-level predictors (e.g. team engagement); each must be constant within a
        cluster, else a ``ValueError`` names the column and cluster.
    reml : bool
        REML (default, lme4's default) or ML (for comparing fixed-effect structures).
    ci : float
        Level of the Wald intervals.

    Returns
    -------
    RandomInterceptResult

    Notes
    -----
    Fitted with ``statsmodels.regression.mixed_linear_model.MixedLM``, then polished on the
    likelihood profiled over beta and sigma^2 (a one-dimensional bounded search over
    theta = tau / sigma, the zero boundary checked); if MixedLM stopped short of that optimum
    a note says so. The fixed-effect covariance is the GLS one, ``sigma^2 (X'V^-1 X)^-1`` at
    the variance estimates (what lme4's ``vcov`` reports), not statsmodels' observed
    information, which mixes in the variance parameters. A variance component at zero is
    flagged (``singular``) and a non-converged fit (``converged``), both with a note;
    neither raises. Matches ``lme4::lmer`` to 1e-5 relative (``tests/test_multilevel.py``).

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
    >>> fit = random_intercept(data, "satisfaction", "team", level1=["fcr"], level2=["engagement"])
    >>> fit.estimates[["est", "se"]].round(2)
                 est    se
    term
    Intercept   6.86  0.10
    fcr         0.82  0.09
    engagement  0.06  0.08
    >>> fit.converged, fit.singular
    (True, False)
    """
    check_ci(ci, "random_intercept")
    level1, level2 = list(level1), list(level2)
    named = [outcome, cluster] + level1 + level2
    dup = sorted({c for c in named if named.count(c) > 1})
    if dup:
        raise ValueError(f"column(s) {dup} given twice (outcome, cluster, level1, level2)")
    sub = _check_frame(data, named, "random_intercept", numeric=[outcome] + level1 + level2)
    codes, uniques = pd.factorize(sub[cluster], sort=True)
    J = len(uniques)
    if J < 2:
        raise ValueError(f"column {cluster!r} has {J} cluster(s); a random intercept needs at least 2")
    X = _design(sub, level1, level2, cluster)
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise ValueError(f"predictors {list(X.columns[1:])} are collinear (with each other or a "
                         f"constant); drop one")
    y = sub[outcome].astype(float).to_numpy()
    return _fit(y, X, codes, J, reml, ci, outcome, cluster, crosscheck=_crosscheck)


def _mixedlm(y: np.ndarray, X: pd.DataFrame, codes: np.ndarray, reml: bool):
    from statsmodels.regression.mixed_linear_model import MixedLM

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mdf = MixedLM(pd.Series(y, index=X.index), X, groups=codes).fit(reml=reml)
    msgs = []
    for w in caught:
        msg = str(w.message).strip()
        if msg and msg not in msgs:
            msgs.append(msg)
    return mdf, msgs


def _fit(y, X, codes, J, reml, ci, outcome, cluster, crosscheck=True) -> RandomInterceptResult:
    prof = _Profile(y, X.to_numpy(), codes, J, reml)
    notes = []
    theta0 = None
    mdf = None
    if crosscheck:
        try:
            mdf, msgs = _mixedlm(y, X, codes, reml)
            tau2_m = max(float(np.asarray(mdf.cov_re)[0, 0]), 0.0)
            theta0 = math.sqrt(tau2_m / float(mdf.scale))
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            notes.append(f"statsmodels MixedLM failed ({exc}); the profiled optimum is reported")
            mdf, theta0 = None, None
        if theta0 is not None and not np.isfinite(theta0):
            theta0 = None
    theta, llf, beta, sigma2, M, ok = prof.fit(theta0)
    if mdf is not None:
        gap = llf - float(mdf.llf) if np.isfinite(mdf.llf) else np.inf
        if not mdf.converged or gap > 1e-6 * max(1.0, abs(llf)):
            notes.append(f"statsmodels MixedLM stopped short of the optimum (converged={mdf.converged}, "
                         f"logLik {float(mdf.llf):.6f} vs {llf:.6f}); the profiled optimum is reported"
                         + (f" [MixedLM: {'; '.join(msgs)}]" if msgs else ""))
    converged = ok and np.isfinite(llf)
    tau2 = theta * theta * sigma2
    singular = theta < SINGULAR_TOL
    if singular:
        notes.append(f"singular fit: the {cluster!r} variance is at zero (tau/sigma < {SINGULAR_TOL}); "
                     f"clusters do not differ beyond chance, the model reduces to ordinary regression")
    if not converged:
        notes.append("the optimiser did not converge; estimates are not reliable")
    est = _fixed_table(beta, sigma2 * np.linalg.inv(M), X.columns, ci)
    k, n = X.shape[1] + 2, len(y)
    return RandomInterceptResult(
        estimates=est, group_var=tau2, residual_var=sigma2, icc=tau2 / (tau2 + sigma2),
        loglik=llf, aic=-2 * llf + 2 * k, bic=-2 * llf + math.log(n) * k, df=k, nobs=n,
        ngroups=J, reml=bool(reml), converged=bool(converged), singular=bool(singular),
        outcome=outcome, cluster=cluster, notes=tuple(notes))


@dataclass(frozen=True)
class NestedICC:
    """Variance components of customers in agents in teams (a three-level intercept model).

    Attributes
    ----------
    estimates : DataFrame
        Fixed effects as in :class:`RandomInterceptResult` (``Intercept`` and any covariates).
    team_var, agent_var, residual_var : float
        Between-team, between-agent-within-team and within-agent variances.
    icc_team : float
        ``team_var / total``: the correlation of two customers of one team, different agents.
    icc_agent : float
        ``(team_var + agent_var) / total``: two customers of the same agent.
    loglik, aic, bic : float
    df, nobs, nteams, nagents : int
    reml, converged : bool
    singular : tuple of str
        The components at zero (``"team"``, ``"agent"``), empty when none.
    notes : tuple of str
    """

    estimates: pd.DataFrame
    team_var: float
    agent_var: float
    residual_var: float
    icc_team: float
    icc_agent: float
    loglik: float
    aic: float
    bic: float
    df: int
    nobs: int
    nteams: int
    nagents: int
    reml: bool
    converged: bool
    singular: tuple
    notes: tuple = field(default=())


class _NestedProfile:
    """The profiled (restricted) log-likelihood of y = Xb + u_team + v_agent + e.

    lme4's formulation per team g: Z_g = [1, agent dummies], Lambda_g = diag(theta_t,
    theta_a, ...), M_g = I + Lambda Z'Z Lambda; V_g / sigma^2 = I + Z Lambda Lambda Z', so
    V^-1 and log|V| follow from M_g by Woodbury and the determinant lemma.
    """

    def __init__(self, y, X, team_codes, agent_codes, reml):
        self.n, self.p = X.shape
        self.reml = reml
        self.XtX, self.Xty, self.yty = X.T @ X, X.T @ y, float(y @ y)
        self.blocks = []
        for g in np.unique(team_codes):
            rows = np.flatnonzero(team_codes == g)
            ag = pd.factorize(agent_codes[rows])[0]
            Z = np.column_stack([np.ones(len(rows)), np.eye(ag.max() + 1)[ag]])
            self.blocks.append((Z.T @ Z, Z.T @ X[rows], Z.T @ y[rows], Z.shape[1]))

    def solve(self, theta):
        tt, ta = float(theta[0]), float(theta[1])
        M_x, r_x, q_y, logdet = self.XtX.copy(), self.Xty.copy(), self.yty, 0.0
        for A, B, c, q in self.blocks:
            lam = np.full(q, ta)
            lam[0] = tt
            M = np.eye(q) + lam[:, None] * A * lam[None, :]
            L = np.linalg.cholesky(M)
            logdet += 2 * float(np.log(np.diag(L)).sum())
            LB = np.linalg.solve(L, lam[:, None] * B)
            Lc = np.linalg.solve(L, lam * c)
            M_x -= LB.T @ LB
            r_x -= LB.T @ Lc
            q_y -= float(Lc @ Lc)
        beta = np.linalg.solve(M_x, r_x)
        dof = self.n - self.p if self.reml else self.n
        sigma2 = (q_y - float(beta @ r_x)) / dof
        ll = -0.5 * dof * (1.0 + math.log(2 * math.pi * sigma2)) - 0.5 * logdet
        if self.reml:
            ll -= 0.5 * np.linalg.slogdet(M_x)[1]
        return ll, beta, sigma2, M_x

    def fit(self, start):
        """L-BFGS-B from several starts, then Nelder-Mead on |theta| to polish the flat ridge.

        Returns theta, and whether the (projected) gradient vanishes there.
        """
        from scipy.optimize import minimize

        f = lambda t: -self.solve(np.abs(t))[0]  # noqa: E731 (|theta|: the boundary by reflection)
        best = None
        for x0 in (start, np.ones(2), np.array([0.1, 1.0]), np.array([1.0, 0.1])):
            opt = minimize(f, np.asarray(x0, float), method="L-BFGS-B",
                           bounds=[(0.0, None), (0.0, None)], options={"maxiter": 2000})
            if best is None or opt.fun < best.fun:
                best = opt
        # Nelder-Mead can wander on rounding noise near the optimum: capped, the gradient decides
        nm = minimize(f, np.maximum(best.x, 1e-3), method="Nelder-Mead",
                      options={"xatol": 1e-8, "fatol": 1e-11, "maxiter": 600})
        theta = np.abs(nm.x) if nm.fun <= best.fun else best.x
        theta = np.where(theta < SINGULAR_TOL, 0.0, theta)
        if f(theta) > min(nm.fun, best.fun) + 1e-9:
            theta = np.abs(nm.x) if nm.fun <= best.fun else best.x
        grad = []
        for i in range(2):
            h = 1e-5 * max(1.0, theta[i])
            up, dn = theta.copy(), theta.copy()
            up[i] += h
            dn[i] = max(theta[i] - h, 0.0)
            grad.append((f(up) - f(dn)) / (up[i] - dn[i]))
        # at the zero boundary only an increasing objective is required
        ok = all(abs(g) < 1e-4 or (theta[i] == 0 and g > 0) for i, g in enumerate(grad))
        return theta, bool(ok)


def nested_icc(data: pd.DataFrame, outcome: str, team: str, agent: str,
               covariates: Sequence[str] = (), reml: bool = True, ci: float = 0.95) -> NestedICC:
    """ICCs of customers nested in agents nested in teams (``(1 | team/agent)`` in lme4).

    Parameters
    ----------
    data : DataFrame
        One row per customer contact or respondent.
    outcome : str
        Numeric outcome.
    team, agent : str
        Team id and agent id; an agent id is taken within its team (agent "a" of two teams
        is two agents), and an agent must belong to one team only when ids are global.
    covariates : sequence of str
        Contact-level predictors (default none: the variance decomposition itself).
    reml : bool
    ci : float
        Level of the Wald intervals of the fixed effects.

    Returns
    -------
    NestedICC

    Notes
    -----
    Maximised on the likelihood profiled over the fixed effects and sigma^2: a bounded
    (L-BFGS-B) search over the two relative standard deviations from several starts, polished
    by Nelder-Mead; convergence is checked on the gradient, and a component at zero is
    reported in ``singular``. Matches ``lme4::lmer`` on
    ``lme4::Pastes`` to 1e-5 relative (``tests/test_multilevel.py``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"team": np.repeat(np.arange(8), 20),
    ...                    "agent": np.tile(np.repeat(np.arange(4), 5), 8)})
    >>> df["y"] = (rng.normal(0, 0.7, 8)[df.team] + rng.normal(0, 0.5, 32)[df.team * 4 + df.agent]
    ...            + rng.normal(0, 1, 160))
    >>> r = nested_icc(df, "y", team="team", agent="agent")
    >>> round(r.icc_team, 2), round(r.icc_agent, 2), r.singular
    (0.2, 0.27, ())
    """
    check_ci(ci, "nested_icc")
    covariates = list(covariates)
    named = [outcome, team, agent] + covariates
    dup = sorted({c for c in named if named.count(c) > 1})
    if dup:
        raise ValueError(f"column(s) {dup} given twice (outcome, team, agent, covariates)")
    sub = _check_frame(data, named, "nested_icc", numeric=[outcome] + covariates)
    team_codes = pd.factorize(sub[team], sort=True)[0]
    agent_codes = sub.groupby([team, agent], sort=True).ngroup().to_numpy()
    T, A = int(team_codes.max()) + 1, int(agent_codes.max()) + 1
    if T < 2 or A <= T:
        raise ValueError(f"need at least 2 teams ({team!r}: {T}) and more agents than teams "
                         f"({agent!r}: {A}) to separate team and agent variance")
    X = sub[covariates].astype(float)
    X.insert(0, "Intercept", 1.0)
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise ValueError(f"covariates {covariates} are collinear (with each other or a constant)")
    y = sub[outcome].astype(float).to_numpy()
    prof = _NestedProfile(y, X.to_numpy(), team_codes, agent_codes, reml)
    # start from the two-level fits' relative standard deviations
    start = np.array([math.sqrt(max(_Profile(y, X.to_numpy(), c, k, reml).fit()[0] ** 2, 1e-4))
                      for c, k in ((team_codes, T), (agent_codes, A))])
    theta, ok = prof.fit(start)
    llf, beta, sigma2, M = prof.solve(theta)
    tv, av = float(theta[0] ** 2 * sigma2), float(theta[1] ** 2 * sigma2)
    total = tv + av + sigma2
    singular = tuple(name for name, t in (("team", theta[0]), ("agent", theta[1])) if t < SINGULAR_TOL)
    notes = [f"singular fit: the {name} variance is at zero" for name in singular]
    converged = ok and np.isfinite(llf)
    if not converged:
        notes.append("the optimiser did not converge (gradient not zero); estimates are not reliable")
    est = _fixed_table(beta, sigma2 * np.linalg.inv(M), X.columns, ci)
    k, n = X.shape[1] + 3, len(y)
    return NestedICC(estimates=est, team_var=tv, agent_var=av, residual_var=float(sigma2),
                     icc_team=tv / total, icc_agent=(tv + av) / total, loglik=float(llf),
                     aic=-2 * llf + 2 * k, bic=-2 * llf + math.log(n) * k, df=k, nobs=n,
                     nteams=T, nagents=A, reml=bool(reml), converged=converged,
                     singular=singular, notes=tuple(notes))


@dataclass(frozen=True)
class ChainResult:
    """The indirect effect of a cluster-level ``x`` on ``y`` through one or more mediators.

    Attributes
    ----------
    estimates : DataFrame
        One mediator: rows ``a`` (x -> m), ``b`` (m -> y given x), ``direct`` (x -> y given m)
        and ``indirect`` (a·b). Several mediators (parallel): per mediator ``a_<m>``, ``b_<m>``
        (given x and the other mediators) and ``indirect_<m>`` (its a·b), then ``direct`` and
        ``indirect`` (the total indirect effect, the sum over the mediators). Columns ``est``
        (full-sample fit), ``boot_se``, ``ci_lower``, ``ci_upper`` (bootstrap percentiles).
    n_boot, n_failed : int
        Resamples drawn and resamples dropped (a fit raised or did not converge).
    n_singular : int
        Kept resamples in which any model had a zero cluster variance.
    seed : int
    ci : float
    cluster : str
    a_model, b_model : RandomInterceptResult
        The full-sample fits of the (first) mediator and of the outcome.
    x, m, y : str
        The column names of the chain; ``m`` is the first mediator.
    mediators : tuple of str
        Every mediator, in the order given (``(m,)`` for one).
    a_models : tuple of RandomInterceptResult
        The full-sample fit of each mediator.
    """

    estimates: pd.DataFrame
    n_boot: int
    n_failed: int
    n_singular: int
    seed: int
    ci: float
    cluster: str
    a_model: RandomInterceptResult
    b_model: RandomInterceptResult
    x: str = "x"
    m: str = "m"
    y: str = "y"
    mediators: tuple = ()
    a_models: tuple = ()


def _chain_rows(mediators: Sequence[str]) -> list[str]:
    if len(mediators) == 1:
        return ["a", "b", "direct", "indirect"]
    return ([f"a_{m}" for m in mediators] + [f"b_{m}" for m in mediators]
            + [f"indirect_{m}" for m in mediators] + ["direct", "indirect"])


def _chain_estimates(a: np.ndarray, b: np.ndarray, direct: float, single: bool) -> np.ndarray:
    """The chain's numbers in the order of :func:`_chain_rows`."""
    ab = a * b
    return np.array([a[0], b[0], direct, ab[0]]) if single else np.r_[a, b, ab, direct, ab.sum()]


def _chain_fit(data, cluster, x, mediators, y, covariates, reml):
    fas = [random_intercept(data, m, cluster, level1=covariates, level2=[x], reml=reml) for m in mediators]
    fb = random_intercept(data, y, cluster, level1=list(mediators) + covariates, level2=[x], reml=reml)
    a = np.array([fa.estimates.at[x, "est"] for fa in fas])
    b = np.array([fb.estimates.at[m, "est"] for m in mediators])
    return fas, fb, _chain_estimates(a, b, fb.estimates.at[x, "est"], len(mediators) == 1)


#: Fewest team resamples of the chain's cluster bootstrap: its intervals have no other source,
#: so a study's ``bootstrap = 0`` (no bootstrap elsewhere) still gets this many here.
CHAIN_MIN_BOOT = 199


def chain_resamples(bootstrap: int) -> int:
    """Resamples of the chain's cluster bootstrap for a study's ``bootstrap`` parameter.

    >>> chain_resamples(0), chain_resamples(1000)
    (199, 1000)
    """
    return max(int(bootstrap), CHAIN_MIN_BOOT)


def chain_indirect(data: pd.DataFrame, cluster: str, x: str, m: str | Sequence[str], y: str,
                   covariates: Sequence[str] = (), n_boot: int = 999, seed: int = 0,
                   ci: float = 0.95, reml: bool = True) -> ChainResult:
    """Indirect effect x -> m -> y with a cluster bootstrap (2-1-1 multilevel mediation).

    Random-intercept models by ``cluster``: ``m ~ x + covariates`` for each mediator (path
    a) and ``y ~ mediators + x + covariates`` (paths b and direct); a mediator's indirect
    effect is its a·b, and with several mediators (parallel mediation, Preacher & Hayes
    2008) the total indirect effect is their sum. The bootstrap draws whole clusters with
    replacement (a cluster drawn twice enters as two clusters), refits every model and takes
    percentile intervals. The resamples are fitted on the profiled likelihood alone (the
    same estimator as :func:`random_intercept`, without its statsmodels cross-check, which
    would cost most of the time).

    Parameters
    ----------
    data : DataFrame
        One row per customer contact or respondent.
    cluster : str
        The cluster resampled (team when ``x`` is team engagement).
    x : str
        Cluster-level predictor (constant within a cluster), e.g. team engagement.
    m : str or sequence of str
        Contact-level mediator(s), e.g. first-contact resolution (0/1: a linear probability
        model for path a) and a handle-quality score.
    y : str
        Contact-level outcome, e.g. satisfaction.
    covariates : sequence of str
        Contact-level controls in every model.
    n_boot : int
        Bootstrap resamples.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same intervals.
    ci : float
        Interval level.
    reml : bool
        REML (default) or ML fits.

    Returns
    -------
    ChainResult

    References
    ----------
    Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for assessing
    and comparing indirect effects in multiple mediator models. Behavior Research Methods,
    40(3), 879–891.

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
    >>> res = chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=20, seed=3)
    >>> float(res.estimates.loc["indirect", "est"].round(3)), res.n_failed
    (0.051, 0)
    >>> data["quality"] = 80 + 2 * data["engagement"] + np.random.default_rng(2).normal(0, 8, len(data))
    >>> two = chain_indirect(data, "team", "engagement", ["fcr", "quality"], "satisfaction", n_boot=20, seed=3)
    >>> two.estimates.index.tolist()
    ['a_fcr', 'a_quality', 'b_fcr', 'b_quality', 'indirect_fcr', 'indirect_quality', 'direct', 'indirect']
    """
    covariates = list(covariates)
    mediators = [m] if isinstance(m, str) else list(m)
    check_int(n_boot, "n_boot", "chain_indirect", low=1)
    check_ci(ci, "chain_indirect")
    if not mediators or not all(isinstance(v, str) for v in mediators) or len(set(mediators)) < len(mediators):
        raise param_error("m", "chain_indirect", "be a column name or a list of distinct column names", m)
    sub = _check_frame(data, [cluster, x, *mediators, y] + covariates, "chain_indirect").reset_index(drop=True)
    fas, fb, full = _chain_fit(sub, cluster, x, mediators, y, covariates, reml)
    codes, uniques = pd.factorize(sub[cluster], sort=True)
    J, k = len(uniques), len(mediators)
    rows_of = [np.flatnonzero(codes == j) for j in range(J)]
    # the resamples work on arrays: the same estimator as random_intercept, without its
    # per-call validation and statsmodels cross-check
    Xa = _design(sub, covariates, [x], cluster).to_numpy()
    Xb = _design(sub, mediators + covariates, [x], cluster).to_numpy()
    models = [(sub[v].to_numpy(float), Xa) for v in mediators] + [(sub[y].to_numpy(float), Xb)]
    ia, ix = Xa.shape[1] - 1, Xb.shape[1] - 1
    rng = np.random.default_rng(seed)
    draws, failed, singular = [], 0, 0
    for _ in range(n_boot):
        pick = rng.integers(0, J, size=J)
        idx = np.concatenate([rows_of[j] for j in pick])
        bcodes = np.repeat(np.arange(J), [len(rows_of[j]) for j in pick])
        try:
            fits = []
            for yy, XX in models:
                Xr = XX[idx]
                if np.linalg.matrix_rank(Xr) < Xr.shape[1]:
                    raise np.linalg.LinAlgError("collinear resample")
                fits.append(_Profile(yy[idx], Xr, bcodes, J, reml).fit())
        except (ValueError, np.linalg.LinAlgError, FloatingPointError):
            failed += 1
            continue
        beta_b = fits[-1][2]
        est = _chain_estimates(np.array([f[2][ia] for f in fits[:k]]), beta_b[1:1 + k], beta_b[ix], k == 1)
        if not all(f[5] and np.isfinite(f[1]) for f in fits) or not np.all(np.isfinite(est)):
            failed += 1
            continue
        singular += any(f[0] < SINGULAR_TOL for f in fits)
        draws.append(est)
    D = np.array(draws).reshape(-1, len(full))
    lo, hi = (np.quantile(D, [(1 - ci) / 2, (1 + ci) / 2], axis=0) if len(D)
              else (np.full(len(full), np.nan), np.full(len(full), np.nan)))
    est = pd.DataFrame({"est": full, "boot_se": D.std(axis=0, ddof=1) if len(D) > 1 else np.nan,
                        "ci_lower": lo, "ci_upper": hi},
                       index=pd.Index(_chain_rows(mediators), name="path"))
    return ChainResult(estimates=est, n_boot=int(n_boot), n_failed=failed, n_singular=int(singular),
                       seed=int(seed), ci=ci, cluster=cluster, a_model=fas[0], b_model=fb,
                       x=x, m=mediators[0], y=y, mediators=tuple(mediators), a_models=tuple(fas))


def describe_chain(result: ChainResult, digits: int = 2) -> str:
    """A plain-words paragraph (Markdown) on the chain, written from ``result``.

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
    >>> res = chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=20, seed=3)
    >>> print(describe_chain(res))  # doctest: +ELLIPSIS
    **Service Profit Chain.** ... The indirect effect engagement → fcr → satisfaction is 0.05 (95 % cluster-bootstrap interval 0.04 to 0.07, 20 resamples of team, 0 failed): it excludes zero, so the chain is supported. ...
    """
    if not isinstance(result, ChainResult):
        raise param_error("result", "describe_chain", "be a ChainResult from chain_indirect", result, exc=TypeError,
                          got=type(result).__name__)
    e, fb = result.estimates, result.b_model
    x, m, y, g = md(result.x), md(result.m), md(result.y), md(result.cluster)
    lvl = f"{result.ci * 100:g} %"

    def path(row: str, fine: bool = False) -> str:
        r = e.loc[row]
        d = digits + 1 if fine and abs(r["est"]) < 0.1 else digits  # small slopes keep a digit more
        return (f"{number(r['est'], d)} ({lvl} interval {number(r['ci_lower'], d)} to "
                f"{number(r['ci_upper'], d)})")

    out = [f"**Service Profit Chain.** {y} of {fb.nobs} customer contacts nested in {fb.ngroups} {g} "
           f"clusters: {number(fb.icc * 100, 0)} % of its variance (after the predictors) lies "
           f"between clusters (ICC {number(fb.icc, 3)})."]
    if fb.singular:
        out.append(f"The {g} variance of {y} is at zero (a singular fit): clusters do not differ "
                   f"beyond chance.")
    r = e.loc["indirect"]
    kept = result.n_boot - result.n_failed
    verdict = ("it excludes zero, so the chain is supported" if r["ci_lower"] > 0 or r["ci_upper"] < 0
               else "it includes zero, so the data do not show the chain")
    boot = (f"{lvl} cluster-bootstrap interval {number(r['ci_lower'], digits)} to {number(r['ci_upper'], digits)}, "
            f"{result.n_boot} resamples of {g}, {result.n_failed} failed")
    mediators = result.mediators or (result.m,)
    if len(mediators) == 1:
        out.append(f"One unit more {x} goes with {path('a')} more {m}, and {m} with {path('b')} "
                   f"more {y} at equal {x}.")
        out.append(f"The indirect effect {x} → {m} → {y} is {number(r['est'], digits)} ({boot}): {verdict}.")
    else:
        names = [md(v) for v in mediators]
        rows = [str(v) for v in result.estimates.index if v.startswith("a_")]
        keys = [v[2:] for v in rows]  # the mediators' column names, as the rows name them
        out.append(f"One unit more {x} goes with " + " and ".join(
            f"{path('a_' + k, True)} more {n}" for k, n in zip(keys, names)) + f". At equal {x} and "
            "equal other mediators, one unit more " + ", and one unit more ".join(
            f"{n} goes with {path('b_' + k, True)} more {y}" for k, n in zip(keys, names)) + ".")
        parts = []
        for k, n in zip(keys, names):
            q = e.loc[f"indirect_{k}"]
            shown = "excludes" if q["ci_lower"] > 0 or q["ci_upper"] < 0 else "includes"
            parts.append(f"through {n} {path('indirect_' + k, True)}, an interval that {shown} zero")
        out.append(f"The indirect effect of {x} on {y} is, " + "; ".join(parts)
                   + f". In total, {x} → ({', '.join(names)}) → {y} is {number(r['est'], digits)} ({boot}): "
                   f"{verdict}.")
    if result.n_failed > 0.05 * result.n_boot:
        out.append(f"Only {kept} of {result.n_boot} resamples could be fitted; treat the interval "
                   f"with care.")
    out.append(f"The direct effect of {x} on {y} is {path('direct')}.")
    return " ".join(out)


def simulate_chain(n_teams: int = 40, contacts_per_team: int = 50, a: float = 0.08,
                   b: float = 0.8, direct: float = 0.2, team_sd_fcr: float = 0.04,
                   team_sd_sat: float = 0.3, resid_sd: float = 1.0, seed: int = 0):
    """Teams with a planted chain: engagement -> first-contact resolution -> satisfaction.

    ``engagement`` is a standardised team score; ``fcr`` is 0/1 with
    ``P(fcr) = 0.7 + a * engagement + v_team`` (clipped to [0.02, 0.98], linear in the
    range drawn); ``satisfaction = 7 + b * fcr + direct * engagement + u_team + e``.

    Returns
    -------
    data : DataFrame
        Columns ``team``, ``engagement``, ``fcr``, ``satisfaction``; one row per contact.
    truth : dict
        ``a``, ``b``, ``direct``, ``indirect`` (= a·b) and the variance settings.

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=3, contacts_per_team=2, seed=0)
    >>> data.shape, truth["indirect"]
    ((6, 4), 0.064)
    """
    for name, v in (("n_teams", n_teams), ("contacts_per_team", contacts_per_team)):
        check_int(v, name, "simulate_chain", low=1)
    rng = np.random.default_rng(seed)
    eng = rng.standard_normal(n_teams)
    eng = (eng - eng.mean()) / eng.std() if n_teams > 1 else eng
    team = np.repeat(np.arange(1, n_teams + 1), contacts_per_team)
    e_row = np.repeat(eng, contacts_per_team)
    p = np.clip(0.7 + a * e_row + np.repeat(rng.normal(0, team_sd_fcr, n_teams), contacts_per_team),
                0.02, 0.98)
    fcr = (rng.random(len(p)) < p).astype(float)
    sat = (7.0 + b * fcr + direct * e_row
           + np.repeat(rng.normal(0, team_sd_sat, n_teams), contacts_per_team)
           + rng.normal(0, resid_sd, len(p)))
    data = pd.DataFrame({"team": [f"T{t:02d}" for t in team], "engagement": e_row,
                         "fcr": fcr, "satisfaction": sat})
    truth = {"a": a, "b": b, "direct": direct, "indirect": round(a * b, 12),
             "team_sd_fcr": team_sd_fcr, "team_sd_sat": team_sd_sat, "resid_sd": resid_sd}
    return data, truth


def icc_table(data: pd.DataFrame, outcomes: Sequence[str], team: str, agent: str | None = None,
              labels=None) -> pd.DataFrame:
    """ICCs of several outcomes for customers nested in teams (and agents): one row per outcome.

    Parameters
    ----------
    data : DataFrame
        One row per attributed respondent.
    outcomes : sequence of str
        Numeric columns.
    team : str
        Team id column.
    agent : str, optional
        Agent id (or pseudonym) column; with it, :func:`nested_icc` (team and agent
        variance), else :func:`random_intercept` by team.
    labels : callable, optional
        Display label of an outcome name (e.g. ``study.codebook.label``).

    Returns
    -------
    DataFrame
        Indexed by ``outcome``: ``n``, ``teams``, ``icc_team`` (share of the variance between
        teams), ``icc_agent`` (between agents, team included; with ``agent``), ``design_effect``
        (Kish's, at the mean team size and ``icc_team``) and ``singular`` (components at zero).

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
    >>> icc_table(data, ["satisfaction"], team="team")[["n", "teams"]]
                    n  teams
    outcome
    satisfaction  600     20
    """
    rows = {}
    for y in outcomes:
        sub = data[[y, team] + ([agent] if agent else [])].dropna()
        size = len(sub) / sub[team].nunique()
        if agent:
            r = nested_icc(sub, y, team=team, agent=agent)
            row = {"n": r.nobs, "teams": r.nteams, "icc_team": r.icc_team, "icc_agent": r.icc_agent,
                   "singular": ", ".join(r.singular)}
        else:
            r = random_intercept(sub, y, team)
            row = {"n": r.nobs, "teams": r.ngroups, "icc_team": r.icc, "singular": "team" if r.singular else ""}
        row["design_effect"] = design_effect(row["icc_team"], size)
        rows[labels(y) if labels else y] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "outcome"
    cols = ["n", "teams", "icc_team", *(["icc_agent"] if agent else []), "design_effect", "singular"]
    return out[cols]


def chain_table(chain: ChainResult, stay: RandomInterceptResult | None = None, labels=None) -> pd.DataFrame:
    """The chain's paths in one table: a, b, direct, indirect (cluster bootstrap) and the link to ``stay``.

    With several mediators the rows are those of :class:`ChainResult` (``a_<m>``, ``b_<m>``,
    ``indirect_<m>`` per mediator, ``direct``, ``indirect`` the total), each named in ``path``.

    ``stay`` is a random-intercept fit of loyalty with ``chain.y`` among its level-1
    predictors; its row ``c`` carries the Wald interval (``boot_se`` empty), and
    ``indirect_to_stay`` = a·b·c the product of the estimates (no interval). ``labels``
    (a dict of column name to display label) names the paths.

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
    >>> res = chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=20, seed=3)
    >>> list(chain_table(res).index)
    ['a', 'b', 'direct', 'indirect']
    """
    lab = (labels or {}).get
    x, y = lab(chain.x, chain.x), lab(chain.y, chain.y)
    mediators = chain.mediators or (chain.m,)
    ms = [lab(v, v) for v in mediators]
    e = chain.estimates.copy()
    if len(ms) == 1:
        m = ms[0]
        e.insert(0, "path", [f"{x} → {m}", f"{m} → {y}", f"{x} → {y} (direct)", f"{x} → {m} → {y}"])
    else:
        m = f"({', '.join(ms)})"
        e.insert(0, "path", [f"{x} → {v}" for v in ms] + [f"{v} → {y}" for v in ms]
                 + [f"{x} → {v} → {y}" for v in ms] + [f"{x} → {y} (direct)", f"{x} → {m} → {y} (total indirect)"])
    if stay is not None:
        r = stay.estimates.loc[chain.y]
        z = lab(stay.outcome, stay.outcome)
        e.loc["c"] = [f"{y} → {z}", r["est"], np.nan, r["ci_lower"], r["ci_upper"]]
        e.loc["indirect_to_stay"] = [f"{x} → {m} → {y} → {z}",
                                     e.loc["indirect", "est"] * r["est"], np.nan, np.nan, np.nan]
    e.index.name = "effect"
    return e


def describe_service_chain(chain: ChainResult, stay: RandomInterceptResult | None = None, labels=None,
                           digits: int = 2) -> str:
    """:func:`describe_chain` with display labels, and a sentence on the link to loyalty.

    ``labels`` maps a column name to its display label (a dict or a callable such as
    ``study.codebook.label``); unnamed columns keep their names.

    Examples
    --------
    >>> data, truth = simulate_chain(n_teams=20, contacts_per_team=30, seed=1)
    >>> res = chain_indirect(data, "team", "engagement", "fcr", "satisfaction", n_boot=20, seed=3)
    >>> print(describe_service_chain(res, labels={"fcr": "first-contact resolution"}))  # doctest: +ELLIPSIS
    **Service Profit Chain.** ... engagement → first-contact resolution → satisfaction is 0.05 ...
    """
    import dataclasses

    def label(name):
        if callable(labels):
            return labels(name)
        return (labels or {}).get(name, name)

    mediators = chain.mediators or (chain.m,)
    est = chain.estimates
    if len(mediators) > 1:  # rows named by the mediators' labels, as the text names them
        est = est.rename(index={f"{p}_{v}": f"{p}_{label(v)}" for v in mediators for p in ("a", "b", "indirect")})
    named = dataclasses.replace(chain, x=label(chain.x), m=label(chain.m), y=label(chain.y),
                                cluster=label(chain.cluster), mediators=tuple(label(v) for v in mediators),
                                estimates=est)
    text = describe_chain(named, digits=digits)
    if stay is None:
        return text
    r = stay.estimates.loc[chain.y]
    lvl = f"{chain.ci * 100:g} %"
    verdict = ("so satisfaction carries loyalty" if r["ci_lower"] > 0
               else "so the data do not show satisfaction carrying loyalty")
    ab = chain.estimates.loc["indirect", "est"]
    return (f"{text} One point more {md(named.y)} goes with {number(r['est'], digits)} ({lvl} interval "
            f"{number(r['ci_lower'], digits)} to {number(r['ci_upper'], digits)}) more {md(label(stay.outcome))} "
            f"at equal contact experience and {md(named.x)} (random intercept by {md(named.cluster)}), {verdict}; "
            f"along the whole chain one point more {md(named.x)} goes with {number(ab * r['est'], 3)} more "
            f"{md(label(stay.outcome))}.")
