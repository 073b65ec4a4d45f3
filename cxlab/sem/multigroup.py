"""Models with a mean structure: multigroup models (``group``, ``group_equal``), FIML, intercepts.

:func:`fit_groups` is the path of :func:`cxlab.sem.fit` whenever lavaan would use a mean
structure: ``group=`` (one block per group, groups in order of first appearance, as
lavaan), ``missing="fiml"`` (casewise likelihood by missing-data pattern) or intercepts
(``~ 1``) in the model. One group is the special case ``G = 1``.

Cross-group equality follows lavaan's ``group.equal``: the free parameters of the named
classes share one value across groups and are labelled ``.pN.`` (``N`` the row number of
the parameter in the first group), as lavaan's ``parameterEstimates`` shows them. With
``"intercepts"`` (and not ``"means"``) the latent means are freed in the groups after
the first. A user label shared between groups also makes parameters equal.

Partial invariance follows lavaan's ``group.partial`` (``group_partial``: the listed
parameters, e.g. ``"visual=~x2"``, ``"x7~1"``, stay free in every group) and the
group-specific modifiers of the syntax (``c(a, b)*x``, ``c(1, NA)*x``): each group gets its
own parameter table (:func:`~cxlab.sem.syntax.build_partable` with ``group=g``), and
:func:`group_partable` combines them. Under ``group_equal`` a user label wins over the
class's equality, and a parameter fixed in group 1 but free in a later group is held at
group 1's value, as lavaan does.

:func:`invariance` fits the configural, metric and scalar (optionally strict) models and
reports lavaan's ``lavTestLRT`` chi-square difference tests and the change in CFI; its
``partial_`` levels relax a failed step with ``group_partial``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from .diagnostics import collect_warnings
from .estimate import start_values
from .fiml import baseline_loglik, em_saturated, missing_patterns
from .fitmeasures import mean_fit_measures
from .identify import check_identified, n_moments, parameter_names
from .meanstructure import (Block, complete_block, fit_blocks, information_expected, information_observed,
                            loglik, saturated_loglik, std_all_means)
from .model import RamModel
from .moments import prepare_data
from .casewise import scores
from .robust_means import H1Info, baseline_pieces, robust_fit_measures, sandwich, trace_product
from .standardize import r_squared
from .syntax import build_partable

__all__ = ["GROUP_EQUAL", "group_partable", "parse_group_partial", "fit_groups", "invariance", "INVARIANCE_LEVELS"]

#: lavaan's ``group.equal`` classes supported here
GROUP_EQUAL = ("loadings", "intercepts", "means", "residuals", "residual.covariances", "lv.variances",
               "lv.covariances", "regressions")

#: ``group_equal`` of each invariance level
INVARIANCE_LEVELS = {
    "configural": (),
    "metric": ("loadings",),
    "scalar": ("loadings", "intercepts"),
    "strict": ("loadings", "intercepts", "residuals"),
}


def _as_tuple(value, name: str, expected: str) -> tuple:
    """A string or a sequence as a tuple, else a ``ValueError`` naming the parameter."""
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        raise ValueError(f"The {name!r} parameter of fit must be a sequence of {expected}. "
                         f"Got {value!r} instead.") from None


def check_group_equal(group_equal) -> tuple:
    """Validate ``group_equal`` (a string or a sequence of lavaan class names)."""
    items = _as_tuple(group_equal, "group_equal", str(GROUP_EQUAL))
    bad = [g for g in items if g not in GROUP_EQUAL]
    if bad:
        raise ValueError(f"The 'group_equal' parameter of fit must hold names among {GROUP_EQUAL}. "
                         f"Got {group_equal!r} instead (unknown: {bad}).")
    return items


def _row_class(op, lhs, rhs, lv) -> str | None:
    if op == "=~":
        return "loadings"
    if op == "~":
        return "regressions"
    if op == "~1":
        return "means" if lhs in lv else "intercepts"
    if op == "~~":
        latent = lhs in lv
        if lhs == rhs:
            return "lv.variances" if latent else "residuals"
        return "lv.covariances" if latent else "residual.covariances"
    return None


def parse_group_partial(group_partial) -> tuple:
    """Validate lavaan ``group.partial`` strings into ``(lhs, op, rhs)`` keys.

    ``"visual=~x2"`` (a loading), ``"x7~1"`` (an intercept), ``"x1~~x1"``, ``"y~x"``;
    spaces are ignored.

    Examples
    --------
    >>> parse_group_partial(["visual =~ x2", "x7~1"])
    (('visual', '=~', 'x2'), ('x7', '~1', ''))
    """
    keys = []
    for item in _as_tuple(group_partial, "group_partial", "strings such as 'visual=~x2' or 'x7~1'"):
        text = "".join(item.split()) if isinstance(item, str) else ""
        for op in ("=~", "~~", "~"):
            if op in text:
                lhs, rhs = text.split(op, 1)
                break
        else:
            lhs = rhs = ""
        if op == "~" and rhs == "1":
            op, rhs = "~1", ""
        if not lhs or (not rhs and op != "~1"):
            raise ValueError(f"The 'group_partial' parameter of fit must hold parameters written as 'visual=~x2', "
                             f"'x7~1' or 'x1~~x1'. Got {item!r} instead.")
        keys.append(_row_key(lhs, op, rhs))
    return tuple(keys)


def _row_key(lhs, op, rhs) -> tuple:
    if op == "~~":
        lhs, rhs = sorted((lhs, rhs))
    return (lhs, op, rhs)


def group_partable(pt1, lv, n_groups: int, group_equal=(), group_partial=()) -> pd.DataFrame:
    """Combine the parameter tables of the groups with lavaan's equality rules.

    Parameters
    ----------
    pt1 : DataFrame or list of DataFrame
        Single-group table from :func:`~cxlab.sem.syntax.build_partable` (with a mean
        structure), replicated over the groups, or one such table per group (the groups'
        entries of ``c(...)`` modifiers; same rows in the same order).
    lv : sequence of str
        Latent variables.
    n_groups : int
    group_equal : sequence of str
        lavaan ``group.equal`` classes.
    group_partial : sequence of (lhs, op, rhs)
        Parameters of those classes left free across groups (lavaan ``group.partial``,
        from :func:`parse_group_partial`).

    Returns
    -------
    DataFrame
        The rows of every group in turn, with a 1-based ``group`` column and ``free``
        renumbered over all groups (equal parameters, and parameters sharing a label,
        share their index).
    """
    lv = set(lv)
    pts = list(pt1) if isinstance(pt1, (list, tuple)) else [pt1] * n_groups
    equal = set(group_equal)
    partial = set(group_partial)
    known = {_row_key(row.lhs, row.op, row.rhs) for row in pts[0].itertuples(index=False)}
    unknown = [f"{k[0]}{k[1]}{k[2]}" for k in group_partial if k not in known]
    if unknown:
        raise ValueError(f"The 'group_partial' parameter of fit names {unknown}, which the model does not have.")
    free_lv_means = "intercepts" in equal and "means" not in equal
    rows = []
    label_index: dict[str, int] = {}
    row_index: dict[int, int] = {}
    n_free = 0
    for g, ptg in enumerate(pts, start=1):
        for r, row in enumerate(ptg.itertuples(index=False)):
            d = row._asdict()
            d["group"] = g
            cls = _row_class(row.op, row.lhs, row.rhs, lv)
            is_free = row.free > 0
            if not is_free and g > 1 and free_lv_means and cls == "means" and not row.user:
                is_free = True  # lavaan frees latent means beyond the first group
                d["fixed"] = np.nan
            if not is_free:
                d["free"] = 0
            elif row.label:
                if row.label not in label_index:
                    n_free += 1
                    label_index[row.label] = n_free
                d["free"] = label_index[row.label]
            elif cls in equal and _row_key(row.lhs, row.op, row.rhs) not in partial:
                first = pts[0].iloc[r]
                if g > 1 and first.free == 0:
                    # fixed in group 1 (c(1, NA)*x): held equal to it, i.e. fixed to the same value, as lavaan
                    d["free"], d["fixed"] = 0, first.fixed
                elif g > 1 and r not in row_index:
                    raise NotImplementedError(
                        f"'{row.lhs} {row.op} {row.rhs}' has a label in group 1 but not in group {g} while "
                        f"group_equal holds {cls!r}; label it in every group, as c(a, b), or add it to group_partial.")
                else:
                    if r not in row_index:
                        n_free += 1
                        row_index[r] = n_free
                    d["free"] = row_index[r]
                    d["label"] = f".p{r + 1}."
            else:
                n_free += 1
                d["free"] = n_free
            rows.append(d)
    out = pd.DataFrame(rows)
    out["free"] = out["free"].astype(int)
    return out


def _group_data(data: pd.DataFrame, group) -> tuple[list, list]:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    if group not in data.columns:
        raise ValueError(f"The 'group' parameter of fit must name a column of data. Got {group!r} instead.")
    labels = list(pd.unique(data[group].dropna()))
    if not labels:
        raise ValueError(f"The 'group' parameter of fit names column {group!r}, which has no non-missing value.")
    return labels, [data.loc[data[group] == lab] for lab in labels]


def _model_columns(frame: pd.DataFrame, ov, fiml: bool) -> np.ndarray:
    """Model columns as floats: complete rows (listwise), or all rows with NaN kept (FIML).

    Both run :func:`~cxlab.sem.moments.prepare_data`'s checks (columns present, numeric).
    """
    if not fiml:
        return prepare_data(frame, ov).to_numpy()
    prepare_data(frame.fillna({c: 0.0 for c in ov if c in frame.columns}), ov)
    return frame.loc[:, list(ov)].to_numpy(dtype=float)


def _group_block(pt_g, ov, lv, frame, fiml: bool, n_theta: int):
    """Block of one group and its h1 (saturated) moments and log-likelihood."""
    X = _model_columns(frame, ov, fiml)
    patterns = missing_patterns(X)
    if not patterns:
        raise ValueError("The 'data' parameter of fit has no row with an observed model variable.")
    # lavaan's EM stopping rule (no moment moves by 1e-5): its h1 moments feed srmr, gfi and the
    # FIML-corrected robust measures, which would otherwise differ from lavaan's by ~1e-6
    mu, sigma, ll_h1, em_ok = em_saturated(patterns, tol=1e-5)
    ram = RamModel.from_partable(pt_g, ov, lv, sigma, mu, n_theta=n_theta)
    return Block(ram, patterns), mu, sigma, ll_h1, em_ok


def _start(blocks, pts, h1, q) -> np.ndarray:
    """lavaan-like start values per group (intercepts: the h1 means); first group wins."""
    theta = np.zeros(q)
    done = np.zeros(q, dtype=bool)
    for b, pt, (mu, sigma) in zip(blocks, pts, h1):
        st = start_values(b.ram, pt, sigma)
        for row, fr in zip(pt.itertuples(index=False), pt["free"].to_numpy()):
            k = fr - 1
            if fr <= 0 or done[k]:
                continue
            if row.op == "~1":
                st[k] = mu[b.ram.ov.index(row.lhs)] if row.lhs in b.ram.ov else 0.0
                if np.isfinite(row.start):
                    st[k] = row.start
            theta[k] = st[k]
            done[k] = True
    return theta


def _estimate_table(pt, blocks, theta, vcov, se_ok, multigroup, labels) -> pd.DataFrame:
    from .engine import wald_columns

    parts = []
    for g, b in enumerate(blocks, start=1):
        ptg = pt[pt["group"] == g]
        est = b.ram.row_values(theta)
        free = ptg["free"].to_numpy()
        cols = {"lhs": ptg["lhs"].to_numpy(), "op": ptg["op"].to_numpy(), "rhs": ptg["rhs"].to_numpy()}
        if multigroup:
            cols["group"] = labels[g - 1]
        cols["label"] = ptg["label"].to_numpy()
        cols.update(wald_columns(est, free, vcov, se_ok))
        cols["std_all"] = std_all_means(b.ram, ptg, theta)
        parts.append(pd.DataFrame(cols))
    return pd.concat(parts, ignore_index=True)


def fit_groups(data: pd.DataFrame, parsed, model: str, *, group=None, group_equal=(), group_partial=(),
               missing: str = "listwise",
               estimator: str = "ML", std_lv: bool = False, orthogonal: bool = False):
    """Fit a model with a mean structure (see the module notes); called by :func:`cxlab.sem.fit`.

    Returns
    -------
    SemResult
        With ``group`` set, ``estimates`` has a ``group`` column (the group's value in
        the data, groups in order of first appearance) after ``rhs``, and
        ``implied_cov``/``sample_cov``/``r2`` are indexed by (group, variable).
        ``sample_cov`` holds the h1 moments (the EM estimates under FIML).
        ``estimator="MLR"``: Huber-White SEs and the Yuan-Bentler (Mplus) scaled test
        (:mod:`cxlab.sem.robust_means`). Under FIML the robust CFI/TLI/RMSEA are lavaan's
        FIML-corrected ones.
    """
    from .engine import SemResult, _defined_rows

    fiml = missing == "fiml"
    group_equal = check_group_equal(group_equal)
    if parsed.inequalities:
        raise NotImplementedError("Inequality constraints ('<', '>') with a mean structure (groups, FIML or "
                                  "intercepts) are not implemented yet.")
    if parsed.constraints:
        raise NotImplementedError("Equality constraints ('==') with a mean structure (groups, FIML or intercepts) are "
                                  f"not implemented yet; constraints: {[' == '.join(c) for c in parsed.constraints]}.")
    group_partial = parse_group_partial(group_partial)
    if group is None:
        labels, frames = [None], [data]
        if not isinstance(data, pd.DataFrame):
            raise TypeError(f"The 'data' parameter of fit must be a pandas DataFrame. Got {type(data).__name__} instead.")
    else:
        labels, frames = _group_data(data, group)
    pt_groups = [build_partable(parsed, fixed_x=True, meanstructure=True, std_lv=std_lv, orthogonal=orthogonal,
                                group=g, n_groups=len(frames)) for g in range(1, len(frames) + 1)]
    names = pt_groups[0][1]
    ov, lv = names["ov"], names["lv"]
    exo_idx = [ov.index(v) for v in names["ov.x"]]
    pt = group_partable([p for p, _ in pt_groups], lv, len(frames), group_equal, group_partial)
    q = int(pt["free"].max())
    blocks, h1, h1_ll, em_ok = [], [], 0.0, True
    for g, frame in enumerate(frames, start=1):
        if fiml and names["ov.x"]:
            holes = [v for v in names["ov.x"] if v in frame.columns and frame[v].isna().any()]
            if holes:
                raise NotImplementedError(
                    f"missing='fiml' with missing values in the fixed.x covariate(s) {holes} is not implemented "
                    "(lavaan would need missing='ml.x'); drop those rows or impute the covariates.")
        b, mu, sigma, ll, ok = _group_block(pt[pt["group"] == g], ov, lv, frame, fiml, q)
        blocks.append(b)
        h1.append((mu, sigma))
        h1_ll += ll
        em_ok = em_ok and ok
    pts = [pt[pt["group"] == g] for g in range(1, len(blocks) + 1)]
    theta0 = _start(blocks, pts, h1, q)
    check_identified([b.ram for b in blocks], theta0, parameter_names(pt), means=True,
                     n_moments=len(blocks) * n_moments(len(ov), len(exo_idx), means=True))
    res = fit_blocks(blocks, theta0)
    theta = res.theta
    mlr = estimator.upper() == "MLR"
    if mlr:
        vcov, se_ok, A0_inv, B0 = _robust_vcov(blocks, theta)
    else:
        info = information_observed(blocks, theta) if fiml else information_expected(blocks, theta)
        vcov, se_ok = _invert(info)
    multigroup = group is not None
    table = _estimate_table(pt, blocks, theta, vcov, se_ok, multigroup, labels)
    if parsed.defined:
        std = [table.loc[pt["group"].to_numpy() == g, "std_all"].to_numpy() for g in range(1, len(blocks) + 1)]
        table = pd.concat([table, _defined_rows(parsed.defined, [b.ram for b in blocks], pts, theta, vcov, std=std)],
                          ignore_index=True)

    n_total = sum(b.n for b in blocks)
    moments = [dict(n=b.n, S=s, mean=m, sigma=b.ram.implied(theta), mu=b.ram.implied_mean(theta), patterns=b.patterns)
               for b, (m, s) in zip(blocks, h1)]
    logl_base = sum(_baseline_loglik(b.patterns, sig, exo_idx) for b, (_, sig) in zip(blocks, h1))
    # fixed.x: lavaan reports log-likelihoods conditional on the covariates (minus their marginal part)
    ll_x = sum(saturated_loglik(sig[np.ix_(exo_idx, exo_idx)], b.n) for b, (_, sig) in zip(blocks, h1)) if exo_idx else 0.0
    fm = mean_fit_measures(moments, q, loglik(blocks, theta) - ll_x, h1_ll - ll_x, logl_base - ll_x, fiml=fiml,
                           exo_idx=exo_idx)
    if mlr or fiml:
        rb = _robust_groups(blocks, theta, h1, moments, exo_idx)
        extra = robust_fit_measures(fm, rb, mlr=mlr, fiml=fiml,
                                    trace_h0=trace_product(A0_inv, B0) if mlr and se_ok else np.nan,
                                    n_free_rows=int((pt["free"] > 0).sum()))
        fm = pd.concat([fm, pd.Series(extra, dtype=float)])
    warnings = []
    for g, b in enumerate(blocks, start=1):
        _, sig_all, _ = b.ram.implied_all(theta)
        rows = table.iloc[: len(pt)][pt["group"].to_numpy() == g]
        w = collect_warnings(converged=res.converged, message=res.message, estimates=rows, sample_cov=h1[g - 1][1],
                             implied_cov=moments[g - 1]["sigma"], latent_cov=sig_all[len(ov):, len(ov):], n=n_total,
                             npar=q, df=int(fm["df"]), se_ok=se_ok)
        prefix = f"[group {labels[g - 1]}] " if multigroup else ""
        for msg in w:
            generic = msg.startswith(("The model did not converge", "The model is not identified", "Standard errors",
                                      "Small sample"))
            msg = msg if generic else prefix + msg
            if msg not in warnings:
                warnings.append(msg)
    if fiml and not em_ok:
        warnings.append("The EM algorithm for the saturated (h1) model did not converge; chisq and related fit "
                        "measures may be inaccurate.")

    def by_group(frames_):
        return frames_[0] if not multigroup else pd.concat(frames_, keys=labels, names=["group", None])

    return SemResult(
        estimates=table,
        fit_measures=fm,
        converged=bool(res.converged),
        warnings=warnings,
        r2=by_group([r_squared(b.ram, theta) for b in blocks]),
        implied_cov=by_group([pd.DataFrame(m["sigma"], index=ov, columns=ov) for m in moments]),
        sample_cov=by_group([pd.DataFrame(m["S"], index=ov, columns=ov) for m in moments]),
        n=n_total,
        model=model,
        estimator=estimator.upper(),
        vcov=pd.DataFrame(vcov, index=range(1, q + 1), columns=range(1, q + 1)),
        iterations=res.iterations,
        _partable=pt if multigroup else pt.drop(columns="group"),
        _ram=blocks[0].ram,
        _theta=theta,
        _patterns=tuple(tuple(replace(pat, rows=None) for pat in b.patterns) for b in blocks),
    )


def _robust_vcov(blocks, theta):
    """Huber-White covariance (observed information, casewise-score meat) and its pieces."""
    A0 = information_observed(blocks, theta)
    vcov, ok = _invert(A0)
    if not ok:
        return vcov, False, vcov, vcov
    score_blocks = [scores(b.patterns, b.ram.implied_mean(theta), b.ram.implied(theta), b.ram.jacobian(theta),
                           b.ram.jacobian_mean(theta)) for b in blocks]
    vcov, A0_inv, B0 = sandwich(A0, score_blocks)
    return vcov, bool(np.all(np.isfinite(vcov))), A0_inv, B0


def _baseline_loglik(patterns, sigma_h1, exo_idx) -> float:
    """Independence model's log-likelihood; ``fixed.x`` covariates (complete) keep their joint distribution."""
    ll = baseline_loglik(patterns)
    if len(exo_idx) > 1:
        n = sum(pat.n for pat in patterns)
        Sx = sigma_h1[np.ix_(exo_idx, exo_idx)]
        ll += saturated_loglik(Sx, n) - sum(saturated_loglik(Sx[[i]][:, [i]], n) for i in range(len(exo_idx)))
    return ll


def _robust_groups(blocks, theta, h1, moments, exo_idx=()):
    """Per-group pieces of :func:`~cxlab.sem.robust_means.robust_fit_measures`."""
    out = []
    for b, (mu1, sig1), m in zip(blocks, h1, moments):
        p = len(mu1)
        mu0, sig0, J0, Jm0, tr0 = baseline_pieces(b.patterns, p, exo_idx, sig1[np.ix_(exo_idx, exo_idx)])
        out.append(dict(h1=H1Info(b.patterns, mu1, sig1, exo_idx), mu=m["mu"], sigma=m["sigma"], J=b.ram.jacobian(theta),
                        Jm=b.ram.jacobian_mean(theta), mu0=mu0, sigma0=sig0, J0=J0, Jm0=Jm0, trace_h0_base=tr0))
    return out


def _invert(info: np.ndarray):
    q = info.shape[0]
    eig = np.linalg.eigvalsh(info)
    if not np.all(np.isfinite(eig)) or eig.min() <= 1e-10 * max(eig.max(), 1e-300):
        return np.full((q, q), np.nan), False
    return np.linalg.inv(info), True


def invariance(data: pd.DataFrame, model: str, *, group, levels=("configural", "metric", "scalar"),
               missing: str = "listwise", group_partial=(), ordered=None) -> pd.DataFrame:
    """Measurement invariance across groups: nested fits and chi-square difference tests.

    Fits the model with increasingly strict ``group_equal`` constraints (configural: none;
    metric: ``loadings``; scalar: ``loadings, intercepts``; strict: also ``residuals``)
    and compares each model with the previous one as lavaan's ``lavTestLRT`` (standard
    chi-square difference test) does, adding the change in CFI (Cheung & Rensvold 2002
    flag a drop of more than 0.01).

    Partial invariance: a level ``"partial_metric"``, ``"partial_scalar"`` or
    ``"partial_strict"`` fits that level with ``group_partial`` freed again (lavaan's
    ``group.partial``) and is compared with the last level before it that is less
    constrained (``partial_scalar`` after a failed ``scalar``: with ``metric``).

    Parameters
    ----------
    data : DataFrame
    model : str
        lavaan syntax of the measurement model.
    group : str
        Column holding the groups.
    levels : sequence of str, default=("configural", "metric", "scalar")
        Among ``"configural", "metric", "scalar", "strict"`` (and their ``"partial_"``
        forms), from least to most constrained.
    missing : {"listwise", "fiml"}, default="listwise"
    group_partial : sequence of str, default=()
        Parameters freed in the ``partial_`` levels, as ``"visual=~x2"`` or ``"x7~1"``
        (needed by, and only with, a ``partial_`` level).
    ordered : True or list of str, optional
        Ordinal items: the Wu & Estabrook (2016) sequence by WLSMV with lavaan's scaled
        difference tests, :func:`cxlab.sem.ordinal_groups.ordinal_invariance` (levels
        ``"configural", "thresholds", "metric", "scalar"``; the default ``levels`` gain
        ``"thresholds"``).

    Returns
    -------
    DataFrame
        Indexed by level, columns ``npar, chisq, df, pvalue, cfi, tli, rmsea, srmr,
        aic, bic, chisq_diff, df_diff, pvalue_diff, rmsea_diff, cfi_diff,
        compared_with`` (the ``*_diff`` columns and ``compared_with`` are NaN in the
        first row).
        ``rmsea_diff`` is lavTestLRT's RMSEA of the difference test, ``sqrt(G *
        max(chisq_diff - df_diff, 0) / (N df_diff))``; ``cfi_diff`` is this CFI minus
        that of the model in ``compared_with``.
        ``attrs["score_tests"]`` maps each level whose difference test fails (p < .05; converged fits) to
        the univariate score tests of the equalities that level added (loadings for metric,
        intercepts for scalar, residuals for strict), largest statistic first: the
        parameters to free in a ``partial_`` level (:func:`cxlab.sem.score_tests`).

    Examples
    --------
    >>> import pandas as pd
    >>> from cxlab.sem import invariance
    >>> hs = pd.read_csv("tests/data/HolzingerSwineford1939.csv")  # doctest: +SKIP
    >>> model = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
    >>> invariance(hs, model, group="school")[["chisq", "df", "chisq_diff", "pvalue_diff"]].round(3)  # doctest: +SKIP
                  chisq    df  chisq_diff  pvalue_diff
    configural  115.851  48.0         NaN          NaN
    metric      124.044  54.0       8.192        0.224
    scalar      164.103  60.0      40.059        0.000
    >>> t = invariance(hs, model, group="school", levels=("configural", "metric", "scalar", "partial_scalar"),
    ...                group_partial=("visual=~x2", "x7~1"))  # doctest: +SKIP
    >>> t[["df", "chisq_diff", "pvalue_diff", "compared_with"]].round(3)  # doctest: +SKIP
                      df  chisq_diff  pvalue_diff compared_with
    model
    configural      48.0         NaN          NaN           NaN
    metric          54.0       8.192        0.224    configural
    scalar          60.0      40.059        0.000        metric
    partial_scalar  58.0      24.543        0.000        metric
    """
    from .engine import fit

    if ordered not in (None, False):
        from .ordinal_groups import ordinal_invariance

        if missing != "listwise" or group_partial:
            raise NotImplementedError("invariance with ordered items is implemented for missing='listwise' without "
                                      "group_partial.")
        if tuple(levels) == ("configural", "metric", "scalar"):
            levels = ("configural", "thresholds", "metric", "scalar")
        return ordinal_invariance(data, model, group=group, ordered=ordered, levels=levels)
    levels = tuple(levels)
    known = tuple(INVARIANCE_LEVELS) + tuple(f"partial_{lev}" for lev in INVARIANCE_LEVELS if lev != "configural")
    bad = [lev for lev in levels if lev not in known]
    if bad or not levels or len(set(levels)) < len(levels):
        raise ValueError(f"The 'levels' parameter of invariance must be a non-empty sequence of distinct names "
                         f"among {known}. Got {levels!r} instead.")
    partial_levels = [lev for lev in levels if lev.startswith("partial_")]
    if bool(partial_levels) != bool(group_partial):
        raise ValueError("The 'group_partial' parameter of invariance goes with a 'partial_' level (e.g. "
                         f"'partial_scalar') in 'levels'. Got levels={levels!r}, group_partial={group_partial!r}.")
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic"]
    rows, failed = {}, {}
    for lev in levels:
        base = lev.removeprefix("partial_")
        res = fit(data, model, group=group, group_equal=INVARIANCE_LEVELS[base], missing=missing,
                  group_partial=group_partial if lev != base else ())
        fm = res.fit_measures
        row = {c: float(fm[c]) for c in cols}
        n_groups = res.estimates["group"].nunique()
        # a partial level relaxes its full level: compare with the last level before that one
        earlier = [p for p in rows if p.removeprefix("partial_") != base]
        prev = earlier[-1] if lev != base and earlier else (list(rows)[-1] if rows else None)
        if prev is None:
            row.update(chisq_diff=np.nan, df_diff=np.nan, pvalue_diff=np.nan, rmsea_diff=np.nan, cfi_diff=np.nan)
        else:
            dchi = row["chisq"] - rows[prev]["chisq"]
            ddf = row["df"] - rows[prev]["df"]
            row["chisq_diff"] = dchi
            row["df_diff"] = ddf
            row["pvalue_diff"] = float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else np.nan
            row["rmsea_diff"] = (np.sqrt(n_groups * max(dchi - ddf, 0.0) / (fm["ntotal"] * ddf))
                                 if ddf > 0 else np.nan)
            row["cfi_diff"] = row["cfi"] - rows[prev]["cfi"]
        row["compared_with"] = prev
        rows[lev] = row
        if prev is not None and row["pvalue_diff"] < 0.05 and res.converged:  # failed step: score tests
            from .scoretest import rank_constraints

            new = set(INVARIANCE_LEVELS[base]) - set(INVARIANCE_LEVELS[prev.removeprefix("partial_")])
            failed[lev] = rank_constraints(res, kinds=new)
    out = pd.DataFrame(list(rows.values()), index=pd.Index(levels, name="model"))
    out.attrs["score_tests"] = failed
    return out
