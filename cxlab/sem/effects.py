"""Direct, indirect and total effects of a structural model, and path comparisons across segments.

Effects come from the fitted regression coefficients. With ``B`` the matrix of the
structural paths (``B[i, j]`` the effect of ``j`` on ``i``, the ``~`` rows), the total
effects are ``T = (I - B)^-1 - I``, the direct effects ``B`` and the indirect effects
``T - B`` (Bollen 1987). Standard errors use the delta method with the exact Jacobian
``dT / dB_ij = (I - B)^-1 e_i e_j' (I - B)^-1`` and the fit's covariance matrix of the
free parameters; standardised effects scale ``T[i, j]`` by ``sd_j / sd_i`` from the
model-implied variances (lavaan's ``std.all`` of a ``:=`` product of paths is the same
number).

For bootstrap percentile intervals, fit :func:`with_effects` (the model with a label on
every structural path and one ``:=`` definition per indirect and total effect) with
``fit(..., n_boot=B)``: :func:`effects_table` then reads the bootstrapped ``:=``
rows instead of the delta method.

:func:`compare_segments` fits a multigroup model (loadings equal across segments by
default, so that the latent variables have the same metric) and tests, path by path and
all paths together, whether a structural path is the same in every segment: the
chi-square difference between the model and the model with that path held equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from scipy import stats

from .._text import and_join, md, number
from .._validation import param_error
from ..measures import holm
from .engine import fit as sem_fit
from .invariance import InvarianceResult
from .judge import fit_table, interpretation_gate
from .multigroup import check_group_equal
from .standardize import ram_from_estimates
from .syntax import parse_model

__all__ = ["with_effects", "effects_table", "compare_segments", "SegmentComparison", "segment_tests",
           "describe_drivers"]

_Z975 = stats.norm.ppf(0.975)
_EFFECT_COLUMNS = ["driver", "outcome", "effect", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]


# ------------------------------------------------------------------ model syntax helpers
def _modifier_text(mod: dict) -> str:
    parts = []
    if mod.get("free"):
        parts.append("NA")
    elif "fixed" in mod:
        parts.append(repr(float(mod["fixed"])))
    if "start" in mod:
        parts.append(f"start({float(mod['start'])!r})")
    if mod.get("label"):
        parts.append(mod["label"])
    return "".join(p + "*" for p in parts)


def _write_model(formulas, defined) -> str:
    """lavaan syntax of parsed formulas, consecutive terms of one left-hand side on one line."""
    lines, last = [], None
    for lhs, op, rhs, mod in formulas:
        term = f"{_modifier_text(mod)}{'1' if op == '~1' else rhs}"
        if (lhs, op) == last:
            lines[-1] += f" + {term}"
        else:
            lines.append(f"{lhs} {'~' if op == '~1' else op} {term}")
        last = (lhs, op)
    lines += [f"{name} := {expr}" for name, expr in defined]
    return "\n".join(lines)


def _path_label(lhs: str, rhs: str) -> str:
    return f"b__{lhs}__{rhs}"


def _effect_name(kind: str, driver: str, outcome: str) -> str:
    return f"{kind}__{driver}__{outcome}"


def _check_model(model, caller: str):
    return parse_model(model, caller=caller)


def _simple_paths(adj: dict, start: str, end: str) -> list[list[str]]:
    """All directed paths start -> end in an acyclic graph (``adj[v]``: the variables v affects)."""
    out, stack = [], [(start, [start])]
    while stack:
        node, path = stack.pop()
        for nxt in adj.get(node, ()):
            if nxt == end:
                out.append(path + [nxt])
            elif nxt not in path:
                stack.append((nxt, path + [nxt]))
    return sorted(out, key=lambda p: (len(p), p))


def _check_recursive(adj: dict, caller: str):
    state: dict = {}

    def visit(v, trail):
        state[v] = 1
        for w in adj.get(v, ()):
            if state.get(w) == 1:
                cycle = " -> ".join(trail[trail.index(w):] + [w]) if w in trail else f"{v} -> {w}"
                raise ValueError(f"The 'model' parameter of {caller} must be recursive (no feedback loop); "
                                 f"got the cycle {cycle}.")
            if w not in state:
                visit(w, trail + [w])
        state[v] = 2

    for v in list(adj):
        if v not in state:
            visit(v, [v])


def with_effects(model: str) -> str:
    """The model with a label on every structural path and ``:=`` definitions of its effects.

    Every regression (``~``) without a label gets ``b__<outcome>__<driver>``; user labels
    are kept. For every pair (driver, outcome) joined by a path of two or more arrows it
    defines ``ind__<driver>__<outcome>`` (the sum over those paths of the products of
    their coefficients) and, when there is also a direct path,
    ``total__<driver>__<outcome>`` (direct + indirect). The result is plain lavaan
    syntax, one statement per line; fitting it gives the same estimates as ``model``
    (labels only name parameters) plus the effects with delta-method standard errors,
    or bootstrap percentile intervals with ``fit(..., n_boot=B)``.

    Parameters
    ----------
    model : str
        lavaan syntax of a recursive (acyclic) single-group structural model. In a
        multigroup fit a label shared by the groups makes the paths equal, so use
        :func:`effects_table` on a fit of the plain model there.

    Returns
    -------
    str
        The augmented lavaan syntax.

    Raises
    ------
    ValueError
        When ``model`` is not a model string, has a feedback loop, or already uses one of
        the generated names for something else.

    Examples
    --------
    >>> print(with_effects("m ~ x\\ny ~ m + x"))
    m ~ b__m__x*x
    y ~ b__y__m*m + b__y__x*x
    ind__x__y := b__m__x*b__y__m
    total__x__y := b__y__x+ind__x__y
    """
    parsed = _check_model(model, "with_effects")
    formulas, labels = [], {}
    taken = {f[3].get("label") for f in parsed.formulas} | {d[0] for d in parsed.defined}
    for lhs, op, rhs, mod in parsed.formulas:
        mod = dict(mod)
        if op == "~":
            if not mod.get("label"):
                mod["label"] = _path_label(lhs, rhs)
                if mod["label"] in taken:
                    raise ValueError(f"The 'model' parameter of with_effects already uses the name {mod['label']!r}.")
            labels[(lhs, rhs)] = mod["label"]
        formulas.append((lhs, op, rhs, mod))
    adj: dict = {}
    for (lhs, rhs) in labels:
        adj.setdefault(rhs, [])
        if lhs not in adj[rhs]:
            adj[rhs].append(lhs)
    _check_recursive(adj, "with_effects")
    order = list(dict.fromkeys([r for (_, r) in labels] + [lh for (lh, _) in labels]))
    defined = list(parsed.defined)
    for outcome in order:
        for driver in order:
            if driver == outcome:
                continue
            long_paths = [p for p in _simple_paths(adj, driver, outcome) if len(p) > 2]
            if not long_paths:
                continue
            ind = _effect_name("ind", driver, outcome)
            terms = ["*".join(labels[(b, a)] for a, b in zip(p[:-1], p[1:])) for p in long_paths]
            new = [(ind, "+".join(terms))]
            if (outcome, driver) in labels:
                new.append((_effect_name("total", driver, outcome), f"{labels[(outcome, driver)]}+{ind}"))
            for name, _ in new:
                if name in taken:
                    raise ValueError(f"The 'model' parameter of with_effects already uses the name {name!r}.")
            defined += new
    return _write_model(formulas, defined)


# ------------------------------------------------------------------ effects from the matrices
def _blocks(fit):
    """(group value or None, estimate rows, free indices) of each group of a fit."""
    pt = fit.partable
    if pt is None:
        raise param_error("fit", "effects_table", "be a result of cxlab.sem.fit", fit, got="one without its parameter table",
                          instead=False)
    est = fit.estimates.iloc[: len(pt)]
    if not (np.array_equal(est["lhs"].to_numpy(), pt["lhs"].to_numpy())
            and np.array_equal(est["op"].to_numpy(), pt["op"].to_numpy())):
        raise ValueError("The 'fit' parameter's estimates do not line up with its parameter table.")
    free = pt["free"].to_numpy()
    if "group" in est.columns and "group" in pt.columns:
        g = pt["group"].to_numpy()
        return [(est["group"].to_numpy()[g == k][0], est[g == k], free[g == k]) for k in pd.unique(g)]
    return [(None, est, free)]


def _implied_sd(rows: pd.DataFrame) -> dict:
    """Model-implied standard deviations of the variables of one group, from its estimates."""
    names, A, S = ram_from_estimates(rows)
    Binv = np.linalg.inv(np.eye(len(names)) - A)
    var = np.diag(Binv @ S @ Binv.T)
    with np.errstate(invalid="ignore"):
        return dict(zip(names, np.sqrt(var)))


def _matrix_effects(rows: pd.DataFrame, free: np.ndarray, vcov: np.ndarray) -> pd.DataFrame:
    reg = rows["op"].to_numpy() == "~"
    lhs, rhs = rows["lhs"].to_numpy()[reg], rows["rhs"].to_numpy()[reg]
    est, fr = rows["est"].to_numpy(dtype=float)[reg], free[reg]
    names = list(dict.fromkeys(list(rhs) + list(lhs)))
    idx = {v: i for i, v in enumerate(names)}
    n = len(names)
    B = np.zeros((n, n))
    P = np.zeros((n, n), dtype=int)
    ii, jj = np.array([idx[v] for v in lhs], dtype=int), np.array([idx[v] for v in rhs], dtype=int)
    B[ii, jj] = est
    P[ii, jj] = 1
    reach, power = np.zeros_like(P), P.copy()
    for _ in range(n):
        reach |= power > 0
        power = (power @ P > 0).astype(int)
    longer = (P @ reach) > 0  # a path of two or more arrows
    Binv = np.linalg.inv(np.eye(n) - B)
    T = Binv - np.eye(n)
    q = vcov.shape[0]
    dT = np.zeros((n, n, q))  # d T / d theta
    dB = np.zeros((n, n, q))
    for i, j, k in zip(ii, jj, fr):
        if k > 0:
            dT[:, :, k - 1] += np.outer(Binv[:, i], Binv[j, :])
            dB[i, j, k - 1] += 1.0
    sd = _implied_sd(rows)
    out = []
    outcomes = list(dict.fromkeys(lhs))
    for o in outcomes:
        i = idx[o]
        for d in names:
            j = idx[d]
            if i == j or not reach[i, j]:
                continue
            scale = sd.get(d, np.nan) / sd.get(o, np.nan)
            kinds = [("direct", B[i, j], dB[i, j])] if P[i, j] else []
            if longer[i, j]:
                kinds.append(("indirect", T[i, j] - B[i, j], dT[i, j] - dB[i, j]))
            kinds.append(("total", T[i, j], dT[i, j]))
            for kind, value, grad in kinds:
                se = float(np.sqrt(max(grad @ vcov @ grad, 0.0))) if np.all(np.isfinite(vcov)) else np.nan
                out.append({"driver": d, "outcome": o, "effect": kind, "est": float(value), "se": se,
                            "std_all": float(value * scale)})
    table = pd.DataFrame(out, columns=["driver", "outcome", "effect", "est", "se", "std_all"])
    with np.errstate(invalid="ignore", divide="ignore"):
        table["z"] = table["est"] / table["se"]
    table["pvalue"] = 2 * stats.norm.sf(np.abs(table["z"]))
    table["ci_lower"] = table["est"] - _Z975 * table["se"]
    table["ci_upper"] = table["est"] + _Z975 * table["se"]
    return table


def _use_defined(table: pd.DataFrame, rows: pd.DataFrame, defined: pd.DataFrame) -> pd.DataFrame:
    """Take the inference columns from the fit's own rows (``~`` and generated ``:=``)."""
    cols = ["est", "se", "z", "pvalue", "ci_lower", "ci_upper"]
    direct = {(r.rhs, r.lhs): r for r in rows[rows["op"] == "~"].itertuples(index=False)}
    named = {r.lhs: r for r in defined.itertuples(index=False)}
    through = set(zip(table.loc[table["effect"] == "indirect", "driver"], table.loc[table["effect"] == "indirect", "outcome"]))
    table = table.copy()
    for k, r in table.iterrows():
        d, o, kind = r["driver"], r["outcome"], r["effect"]
        source = None
        if kind == "direct":
            source = direct.get((d, o))
        elif kind == "indirect":
            source = named.get(_effect_name("ind", d, o))
        else:
            has_direct = (d, o) in direct
            has_ind = _effect_name("ind", d, o) in named
            if has_direct and has_ind:
                source = named.get(_effect_name("total", d, o))
            elif has_ind:
                source = named.get(_effect_name("ind", d, o))
            elif has_direct and (d, o) not in through:  # the total is the direct path only without an indirect one
                source = direct.get((d, o))
        if source is not None:
            for c in cols:
                table.at[k, c] = getattr(source, c)
    return table


def effects_table(fit) -> pd.DataFrame:
    """Direct, indirect and total effects of every driver on every outcome of the structural model.

    Parameters
    ----------
    fit : SemResult
        A fit from :func:`cxlab.sem.fit` (single or multigroup). When the fit was made on
        :func:`with_effects` syntax, the inference columns come from its ``~`` and ``:=``
        rows, so a bootstrapped fit (``n_boot=B``) gives bootstrap standard errors and
        percentile intervals; otherwise from the delta method (95 % Wald intervals).

    Returns
    -------
    DataFrame
        One row per (driver, outcome, effect) for every outcome (variable with a ``~``
        path into it) and every variable with a path to it, outcomes in model order
        (+ a first ``group`` column for multigroup fits). Columns:

        * ``driver``, ``outcome``: the variables.
        * ``effect``: ``"direct"`` (only when there is a direct path), ``"indirect"``
          (only when there is a path through other variables) or ``"total"``.
        * ``est``, ``se``, ``z``, ``pvalue``, ``ci_lower``, ``ci_upper``: the effect in
          the variables' units, its standard error, Wald test and 95 % interval.
        * ``std_all``: the effect in standard deviations of the outcome per standard
          deviation of the driver (model-implied variances).

    Notes
    -----
    ``T = (I - B)^-1 - I``; ``indirect = T - B``. Delta-method SEs use the analytic
    Jacobian and match lavaan's ``:=`` results (``tests/test_sem_effects.py``,
    ``hs_mediation``: estimates, SEs and ``std.all`` within 1e-6).

    References
    ----------
    .. [1] Bollen, K. A. (1987). Total, direct, and indirect effects in structural
       equation models. *Sociological Methodology*, 17, 37-69.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab.sem import fit
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=400)
    >>> m = 0.5 * x + rng.normal(size=400)
    >>> y = 0.4 * m + 0.2 * x + rng.normal(size=400)
    >>> res = fit(pd.DataFrame({"x": x, "m": m, "y": y}), "m ~ x\\ny ~ m + x")
    >>> effects_table(res)[["driver", "outcome", "effect", "est", "se"]].round(3)
      driver outcome    effect    est     se
    0      x       m    direct  0.424  0.049
    1      x       m     total  0.424  0.049
    2      x       y    direct  0.220  0.053
    3      x       y  indirect  0.142  0.027
    4      x       y     total  0.361  0.051
    5      m       y    direct  0.334  0.050
    6      m       y     total  0.334  0.050
    """
    if not hasattr(fit, "estimates") or not hasattr(fit, "partable"):
        raise param_error("fit", "effects_table", "be a result of cxlab.sem.fit", fit, got=type(fit).__name__)
    vcov = np.asarray(fit.vcov, dtype=float)
    defined = fit.estimates[fit.estimates["op"] == ":="]
    parts = []
    for group, rows, free in _blocks(fit):
        table = _matrix_effects(rows, free, vcov)
        if len(defined) and group is None:
            table = _use_defined(table, rows, defined)
        if group is not None:
            table.insert(0, "group", group)
        parts.append(table)
    out = pd.concat(parts, ignore_index=True)
    lead = ["group"] if "group" in out.columns else []
    return out[lead + _EFFECT_COLUMNS]


# ------------------------------------------------------------------ segments
@dataclass(frozen=True)
class SegmentComparison:
    """Result of :func:`compare_segments` (read-only).

    Attributes
    ----------
    paths : DataFrame
        One row per structural path and segment: ``lhs, rhs, group, est, se, pvalue,
        ci_lower, ci_upper, std_all`` (from the multigroup fit ``fit``).
    tests : DataFrame
        Indexed by ``path`` (``"outcome ~ driver"``, then ``"all paths"``): ``chisq_diff,
        df_diff, pvalue_diff`` of holding the path (all paths) equal across segments,
        ``cfi_diff`` (constrained minus free) and ``std_range`` (largest minus smallest
        standardised coefficient over the segments).
    table : DataFrame
        The same, wide: one row per path, the standardised coefficient of each segment
        (columns ``std_<segment>``) beside the test.
    fit : SemResult
        The multigroup fit the paths come from.
    group_equal : tuple of str
        The constraints of that fit.
    """

    paths: pd.DataFrame
    tests: pd.DataFrame
    table: pd.DataFrame
    fit: object
    group_equal: tuple

    def __repr__(self) -> str:
        return (f"SegmentComparison(paths={len(self.tests) - 1}, segments={self.paths['group'].nunique()}, "
                f"group_equal={self.group_equal!r})")


def compare_segments(data: pd.DataFrame, model: str, *, group: str, group_equal=("loadings",),
                     missing: str = "listwise") -> SegmentComparison:
    """Compare the structural paths of a model between segments.

    Fits the model in every segment at once (a multigroup model, loadings held equal by
    default so that the latent variables are on the same scale everywhere) and, for each
    structural path, the same model with that path held equal across the segments; the
    chi-square difference tests whether the path differs between segments (lavaan's
    ``lavTestLRT``). A last test holds all paths equal at once (``group_equal`` +
    ``"regressions"``).

    Parameters
    ----------
    data : DataFrame
        The respondents, with the model's variables and the ``group`` column.
    model : str
        lavaan syntax with at least one regression (``~``); labels on paths would make
        them equal across segments, so leave the paths unlabelled.
    group : str
        Column holding the segments.
    group_equal : sequence of str, default=("loadings",)
        Constraints of the base model (lavaan ``group.equal``); must not contain
        ``"regressions"``.
    missing : {"listwise", "fiml"}, default="listwise"

    Returns
    -------
    SegmentComparison
        ``paths`` (per-segment estimates), ``tests`` (chi-square difference per path and
        for all paths), ``table`` (both, wide) and the base ``fit``.

    Raises
    ------
    ValueError
        When ``model`` has no regression or labelled paths, ``group_equal`` contains
        ``"regressions"``, or the data and options are rejected by :func:`cxlab.sem.fit`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> seg = np.repeat(["a", "b"], 300)
    >>> f = rng.normal(size=600)
    >>> df = pd.DataFrame({f"x{i}": f + rng.normal(scale=0.6, size=600) for i in (1, 2, 3)})
    >>> df["y"] = np.where(seg == "a", 0.2, 0.6) * f + rng.normal(size=600)
    >>> df["seg"] = seg
    >>> cmp = compare_segments(df, "f =~ x1 + x2 + x3\\ny ~ f", group="seg")
    >>> cmp.table[["std_a", "std_b", "chisq_diff", "df_diff"]].round(3)
           std_a  std_b  chisq_diff  df_diff
    path
    y ~ f  0.173  0.503      15.586      1.0
    """
    parsed = _check_model(model, "compare_segments")
    group_equal = check_group_equal(group_equal)
    if "regressions" in group_equal:
        raise ValueError(f"The 'group_equal' parameter of compare_segments must not contain 'regressions' "
                         f"(the paths are what is compared). Got {group_equal!r} instead.")
    regs = [f for f in parsed.formulas if f[1] == "~"]
    if not regs:
        raise ValueError("The 'model' parameter of compare_segments must contain a regression ('~'). "
                         f"Got {model!r} instead.")
    labelled = [f"{f[0]} ~ {f[2]}" for f in regs if f[3].get("label")]
    if labelled:
        raise ValueError(f"The 'model' parameter of compare_segments has labelled paths {labelled}, which a "
                         "multigroup model holds equal across segments; remove the labels.")
    if not isinstance(group, str) or group not in data.columns:
        raise ValueError(f"The 'group' parameter of compare_segments must name a column of data. Got {group!r} instead.")

    base = sem_fit(data, model, group=group, group_equal=group_equal, missing=missing)
    est = base.estimates
    paths = est[est["op"] == "~"][["lhs", "rhs", "group", "est", "se", "pvalue", "ci_lower", "ci_upper",
                                    "std_all"]].reset_index(drop=True)
    fm0 = base.fit_measures

    def test(constrained) -> dict:
        fm = constrained.fit_measures
        dchi, ddf = float(fm["chisq"] - fm0["chisq"]), float(fm["df"] - fm0["df"])
        return {"chisq_diff": dchi, "df_diff": ddf,
                "pvalue_diff": float(stats.chi2.sf(dchi, ddf)) if ddf > 0 else np.nan,
                "cfi_diff": float(fm["cfi"] - fm0["cfi"]), "converged": bool(constrained.converged)}

    rows, index = [], []
    for lhs, _, rhs, _ in regs:
        formulas = [(a, op, b, dict(mod, label=f"eq__{a}__{b}") if (a, op, b) == (lhs, "~", rhs) else mod)
                    for a, op, b, mod in parsed.formulas]
        constrained = sem_fit(data, _write_model(formulas, parsed.defined), group=group, group_equal=group_equal,
                              missing=missing)
        std = paths.loc[(paths["lhs"] == lhs) & (paths["rhs"] == rhs), "std_all"]
        rows.append({**test(constrained), "std_range": float(std.max() - std.min())})
        index.append(f"{lhs} ~ {rhs}")
    if len(regs) > 1:
        all_eq = sem_fit(data, model, group=group, group_equal=group_equal + ("regressions",), missing=missing)
        rows.append({**test(all_eq), "std_range": np.nan})
        index.append("all paths")
    tests = pd.DataFrame(rows, index=pd.Index(index, name="path"))
    wide = paths.assign(path=paths["lhs"] + " ~ " + paths["rhs"]).pivot(index="path", columns="group",
                                                                          values="std_all")
    order = [i for i in index if i in wide.index]
    wide = wide.loc[order, list(pd.unique(paths["group"]))]
    wide.columns = [f"std_{g}" for g in wide.columns]
    wide.columns.name = None
    table = wide.join(tests.drop(columns=["std_range", "converged"]), how="outer").loc[index]
    return SegmentComparison(paths=paths, tests=tests, table=table, fit=base, group_equal=group_equal)


# ------------------------------------------------------------------ conclusions
def describe_model(model: str, *, labels: Callable[[str], str] | None = None) -> str:
    """How each driver reaches each outcome in a model's path graph, in words (Markdown).

    For every variable that predicts others and every final outcome it reaches, the
    sentence says whether it acts directly, only through the intermediate outcomes (named),
    or both. Written from the model's regressions (``~``), so it is true of any model.

    Parameters
    ----------
    model : str
        lavaan syntax.
    labels : callable, optional
        Display label of a variable name (e.g. ``Codebook.label``).

    Examples
    --------
    >>> print(describe_model("m ~ x + z\\ny ~ m + x"))
    In this model, x acts on y directly and through m; z acts on y only through m; m acts on y directly.
    """
    caller = "describe_model"
    parsed = _check_model(model, caller)
    name = _labeller(labels)
    adj: dict[str, list[str]] = {}
    for lhs, op, rhs, _ in parsed.formulas:
        if op == "~":
            adj.setdefault(rhs, []).append(lhs)
    if not adj:
        return "The model has no regressions (`~`): it is a measurement model only."
    _check_recursive(adj, caller)
    outcomes = {v for targets in adj.values() for v in targets}
    final = [v for v in dict.fromkeys(t for ts in adj.values() for t in ts) if v not in adj]
    starts = [v for v in adj if v not in outcomes] + [v for v in adj if v in outcomes]
    groups: dict[tuple[str, str], list[str]] = {}
    for outcome in final:
        for driver in starts:
            paths = _simple_paths(adj, driver, outcome)
            if not paths:
                continue
            direct = any(len(p) == 2 for p in paths)
            via = list(dict.fromkeys(v for p in paths if len(p) > 2 for v in p[1:-1]))
            how = ("directly and through " + and_join([name(v) for v in via]) if direct and via
                   else "only through " + and_join([name(v) for v in via]) if via else "directly")
            groups.setdefault((name(outcome), how), []).append(name(driver))
    parts = [f"{and_join(drivers)} act{'s' if len(drivers) == 1 else ''} on {outcome} {how}"
             for (outcome, how), drivers in groups.items()]
    return "In this model, " + "; ".join(parts) + "."


def _labeller(labels: Callable[[str], str] | None) -> Callable[[str], str]:
    """Display label of a variable, escaped for Markdown (labels come from the study)."""
    return lambda v: md(labels(v) if labels else v)




def describe_drivers(fit, *, effects: pd.DataFrame | None = None, segments: SegmentComparison | None = None,
                     invariance: InvarianceResult | None = None, alpha: float = 0.05,
                     labels: Callable[[str], str] | None = None) -> str:
    """Plain-words conclusions of a driver model, generated from the numbers (Markdown).

    In order: whether the model converged (if not, only that: its estimates are not to be
    read), the warnings, the fit against Hu & Bentler's cut-offs, the drivers of each
    outcome ranked by their standardised total effect with significance, the variance
    explained, the indirect effects, and the segment findings (measurement invariance and
    paths that differ).

    Parameters
    ----------
    fit : SemResult
    effects : DataFrame, optional
        :func:`effects_table` of ``fit`` (computed when omitted).
    segments : SegmentComparison, optional
    invariance : InvarianceResult, optional
        The result of :func:`cxlab.sem.invariance` (its metric step and, when that step
        fails, its score tests).
    alpha : float, default=0.05
        Significance level, in (0, 1).
    labels : callable, optional
        Display label of a variable name (e.g. ``Codebook.label``).

    Returns
    -------
    str
        Direct paths are given as standardised coefficients (β); a driver with no direct
        path to an outcome is given with its standardised total effect, named as such.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab.sem import fit
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=400)
    >>> m = 0.5 * x + rng.normal(size=400)
    >>> y = 0.4 * m + rng.normal(size=400)
    >>> print(describe_drivers(fit(pd.DataFrame({"x": x, "m": m, "y": y}), "m ~ x\\ny ~ m")))
    The model fits the data well: CFI = 1.000, TLI = 1.022, RMSEA = 0.000, SRMR = 0.007 all meet
    Hu & Bentler's cut-offs. **m** (R² = 0.16): x (β = 0.40). **y** (R² = 0.12): m (β = 0.35),
    x (no direct path; total effect 0.14). The largest indirect effect is x → y (standardised 0.14),
    through the intermediate outcomes.
    """
    if not (isinstance(alpha, float) and 0 < alpha < 1):
        raise ValueError(f"The 'alpha' parameter of describe_drivers must be a float in (0, 1). Got {alpha!r} instead.")
    gate = interpretation_gate({"structural model": fit}, labels=labels)
    if not fit.converged:
        return ("**The model did not converge: its estimates must not be interpreted.** "
                + " ".join(map(md, fit.warnings)) + " What to try: " + "; ".join(gate.remedies()) + ".")
    if not gate.ok:
        return "**No finding is drawn from this model: its solution is improper.** " + gate.describe(limit=2)
    parts = []
    if fit.warnings:
        parts.append("**Read with care:** " + " ".join(map(md, fit.warnings)))
    table = fit_table(fit)
    judged = table[table["meets"].notna()]
    met = [f"{i} = {v:.3f}" for i, v, m in zip(judged.index, judged["value"], judged["meets"]) if m]
    missed = [f"{i} = {v:.3f} (cut-off {c})" for i, v, c, m in
              zip(judged.index, judged["value"], judged["cutoff"], judged["meets"]) if not m]
    if not missed:
        parts.append(f"The model fits the data well: {', '.join(met)} all meet Hu & Bentler's cut-offs.")
    elif not met:
        parts.append(f"The model fits poorly ({', '.join(missed)}): the paths below are not trustworthy.")
    else:
        parts.append(f"The fit is mixed: {', '.join(met)} meet the cut-offs but {', '.join(missed)} do not.")
    eff = effects_table(fit) if effects is None else effects
    if "group" in eff.columns:
        eff = eff[eff["group"] == eff["group"].iloc[0]]
    name = _labeller(labels)
    total = eff[eff["effect"] == "total"]
    direct = eff[eff["effect"] == "direct"].set_index(["driver", "outcome"])
    r2 = fit.r2
    for outcome, rows in total.groupby("outcome", sort=False):
        rows = rows.sort_values("std_all", key=abs, ascending=False)
        items = []
        for r in rows.itertuples():
            if (r.driver, outcome) in direct.index:
                d = direct.loc[(r.driver, outcome)]
                mark = "" if d["pvalue"] < alpha else ", not significant"
                items.append(f"{name(r.driver)} (β = {number(d['std_all'])}{mark})")
            else:
                mark = "" if r.pvalue < alpha else ", not significant"
                items.append(f"{name(r.driver)} (no direct path; total effect {number(r.std_all)}{mark})")
        head = f"**{name(outcome)}**" + (f" (R² = {r2[outcome]:.2f})" if outcome in r2.index else "")
        parts.append(f"{head}: {', '.join(items)}.")
    ind = eff[(eff["effect"] == "indirect") & (eff["pvalue"] < alpha)].sort_values("std_all", key=abs,
                                                                                 ascending=False)
    if len(ind):
        top = ind.iloc[0]
        parts.append(f"The largest indirect effect is {name(top['driver'])} → {name(top['outcome'])} "
                     f"(standardised {number(top['std_all'])}), through the intermediate outcomes.")
    if invariance is not None and "metric" in invariance.table.index:
        row = invariance.table.loc["metric"]
        ok = not (row["pvalue_diff"] < alpha) or row["cfi_diff"] > -0.01
        parts.append("Metric invariance across segments " + ("holds" if ok else "fails")
                     + f" (Δχ² = {row['chisq_diff']:.1f}, df = {row['df_diff']:.0f}, p = {row['pvalue_diff']:.3f}, "
                     f"ΔCFI = {round(row['cfi_diff'], 3) + 0.0:+.3f})"
                     + (", so paths can be compared between segments." if ok else
                        ": compare paths between segments with caution."))
        ranked = invariance.score_tests.get("metric")  # cxlab.sem.score_tests of the failed step
        if not ok and ranked is not None and (ranked["pvalue"] < alpha).any():
            top = ranked[ranked["pvalue"] < alpha].head(3)
            parts.append("The loadings that differ most between segments (score tests): " + ", ".join(
                f"{name(p.split('=~')[1])} on {name(p.split('=~')[0])} (χ² = {x2:.1f}, p = {pv:.3f})"
                for p, x2, pv in zip(top["parameter"], top["x2"], top["pvalue"])) + ".")
    if segments is not None:
        parts.append(_describe_segments(segments, alpha=alpha, labels=labels))
    return " ".join(parts)


def segment_tests(segments: SegmentComparison, *, labels: Callable[[str], str] | None = None) -> pd.DataFrame:
    """The table of a segment comparison with Holm-adjusted p-values of the per-path tests.

    The per-path chi-square difference tests are one family: their p-values are adjusted
    by Holm's (1979) step-down method (``pvalue_holm``). The omnibus test (``"all
    paths"``, every path held equal at once) is a single test and is not adjusted. With
    ``labels``, paths are written with the variables' display labels.

    Parameters
    ----------
    segments : SegmentComparison
        The result of :func:`compare_segments`.
    labels : callable, optional
        Display label of a variable name (e.g. ``Codebook.label``).

    Returns
    -------
    DataFrame
        ``segments.table`` with ``pvalue_holm`` after ``pvalue_diff``.

    Examples
    --------
    >>> t = pd.DataFrame({"chisq_diff": [6.0, 4.2, 0.1, 9.0], "df_diff": [1.0, 1, 1, 3],
    ...                   "pvalue_diff": [0.014, 0.040, 0.75, 0.029]},
    ...                  index=pd.Index(["y ~ a", "y ~ b", "y ~ c", "all paths"], name="path"))
    >>> s = SegmentComparison(paths=None, tests=t, table=t, fit=None, group_equal=("loadings",))
    >>> segment_tests(s)["pvalue_holm"].round(3).tolist()
    [0.043, 0.08, 0.75, nan]
    """
    table = segments.table.copy()
    per_path = [i for i in table.index if i != "all paths"]
    adjusted = pd.Series(np.nan, index=table.index)
    p = table.loc[per_path, "pvalue_diff"]
    ok = p.notna()
    if ok.any():
        adjusted[p[ok].index] = holm(p[ok].to_numpy())
    table.insert(list(table.columns).index("pvalue_diff") + 1, "pvalue_holm", adjusted)
    if labels is not None:
        table.index = pd.Index([_path_text(i, labels) for i in table.index], name=table.index.name)
    return table


def _path_text(path: str, labels) -> str:
    """``"y ~ x"`` as ``"x → y"`` in display labels; other rows as they are."""
    if " ~ " not in path:
        return path
    lhs, rhs = path.split(" ~ ", 1)
    return f"{labels(rhs)} → {labels(lhs)}"


def _describe_segments(segments: SegmentComparison, *, alpha: float, labels) -> str:
    """The segment sentence: per-path differences only after a significant omnibus test (Holm)."""
    name = _labeller(labels)
    gate = interpretation_gate({"multigroup model of the segments": segments.fit}, labels=labels)
    if not gate.ok:
        return "**The segments are not compared: the multigroup model is improper.** " + gate.describe(limit=2)
    text = []
    if segments.fit.warnings:
        text.append("The segment comparison warns: " + " ".join(map(md, segments.fit.warnings)))
    table = segment_tests(segments)
    per_path = table.drop(index="all paths", errors="ignore")
    omnibus = table.loc["all paths"] if "all paths" in table.index else per_path.iloc[0]
    p_all = omnibus["pvalue_diff"]
    what = "the paths" if "all paths" in table.index else "the path"
    stat = f"Δχ² = {omnibus['chisq_diff']:.1f}, df = {omnibus['df_diff']:.0f}, {_pvalue(p_all)}"
    if not p_all < alpha:
        text.append(f"Holding {what} equal across segments does not worsen the fit significantly ({stat}): "
                    "no structural path is shown to differ between segments, so no per-path difference is reported.")
        return " ".join(text)
    differ = per_path[per_path["pvalue_holm"] < alpha]
    if "all paths" not in table.index:
        text.append(f"The path differs between segments ({stat}).")
    elif len(differ):
        text.append(f"The paths differ between segments as a whole ({stat}); after Holm's correction over the "
                    f"{len(per_path)} per-path tests: "
                    + ", ".join(f"{_path_text(p, name)} (Δχ² = {r.chisq_diff:.1f}, Holm-adjusted "
                                f"{_pvalue(r.pvalue_holm)})" for p, r in differ.iterrows()) + ".")
    else:
        text.append(f"The paths differ between segments as a whole ({stat}), but no single path does after "
                    f"Holm's correction over the {len(per_path)} per-path tests.")
    return " ".join(text)


def _pvalue(p: float) -> str:
    """APA style: p < .001 or p = .042 (no leading zero)."""
    return "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".", 1)
