"""Judge a model: its fit against stated cut-offs (Hu & Bentler 1999), and whether it may be interpreted at all."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._text import md, number
from .standardize import ram_from_estimates

__all__ = ["CUTOFFS", "fit_table", "describe_fit"]

#: Hu & Bentler (1999) cut-offs: (direction, threshold). "min" means at least.
CUTOFFS = {"cfi": ("min", 0.95), "tli": ("min", 0.95), "rmsea": ("max", 0.06), "srmr": ("max", 0.08)}


def fit_table(fit, *, cutoffs: dict | None = None) -> pd.DataFrame:
    """Fit indices beside their cut-offs, with a verdict for each.

    For MLR and WLSMV fits the scaled indices (``cfi_scaled``, ...) are judged where
    present. The chi-square test is reported without a verdict: at survey sample sizes
    it rejects nearly every model.

    Parameters
    ----------
    fit : result of :func:`cxlab.sem.fit` (anything with ``fit_measures``), or a Series
    cutoffs : dict, optional
        ``{index: ("min" | "max", threshold)}``; default :data:`CUTOFFS`.

    Returns
    -------
    DataFrame indexed by ``index`` with ``value``, ``cutoff`` (text), ``meets`` (bool or
    None) and ``source`` (the fit measure used).

    Examples
    --------
    >>> fm = pd.Series({"chisq": 85.3, "df": 24, "pvalue": 1e-8, "cfi": 0.931, "tli": 0.896,
    ...                 "rmsea": 0.092, "srmr": 0.065})
    >>> fit_table(fm)[["value", "cutoff", "meets"]]
                 value cutoff  meets
    index
    chi-square  85.300         None
    df          24.000         None
    p-value      0.000         None
    CFI          0.931 ≥ 0.95  False
    TLI          0.896 ≥ 0.95  False
    RMSEA        0.092 ≤ 0.06  False
    SRMR         0.065 ≤ 0.08   True
    """
    fm = fit if isinstance(fit, pd.Series) else fit.fit_measures
    cutoffs = CUTOFFS if cutoffs is None else cutoffs

    def pick(name):
        scaled = f"{name}_scaled"
        return (scaled, fm[scaled]) if scaled in fm.index and pd.notna(fm[scaled]) else (name, fm.get(name))

    rows = []
    for label, name in (("chi-square", "chisq"), ("df", "df"), ("p-value", "pvalue")):
        source, value = pick(name)
        rows.append({"index": label, "value": value, "cutoff": "", "meets": None, "source": source})
    for name, (direction, threshold) in cutoffs.items():
        source, value = pick(name)
        if value is None:
            continue
        meets = bool(value >= threshold) if direction == "min" else bool(value <= threshold)
        rows.append({"index": name.upper(), "value": float(value),
                     "cutoff": f"{'≥' if direction == 'min' else '≤'} {threshold:g}", "meets": meets,
                     "source": source})
    out = pd.DataFrame(rows).set_index("index")
    out["value"] = out["value"].astype(float).round(3)
    return out


def describe_fit(fit, *, alpha: float = 0.05) -> str:
    """Plain-words summary of a fitted model: convergence, fit verdict, structural paths, R².

    Generated from the numbers: which indices meet Hu & Bentler's cut-offs, the
    significant structural paths ordered by their standardised size, and the R² of the
    structural outcomes. A non-converged fit or one with warnings says so first.
    """
    if not fit.converged:
        return "**The model did not converge**: its estimates must not be interpreted. " + " ".join(map(md, fit.warnings))
    table = fit_table(fit)
    judged = table[table["meets"].notna()]
    met = [f"{i} {v:.3f}" for i, v, m in zip(judged.index, judged["value"], judged["meets"]) if m]
    missed = [f"{i} {v:.3f} ({c})" for i, v, c, m in zip(judged.index, judged["value"], judged["cutoff"],
                                                           judged["meets"]) if not m]
    if not missed:
        text = f"The model fits well: {', '.join(met)} all meet Hu & Bentler's (1999) cut-offs."
    elif not met:
        text = f"The model fits poorly: none of the indices meets its cut-off ({', '.join(missed)})."
    else:
        text = f"The fit is mixed: {', '.join(met)} meet the cut-offs, {', '.join(missed)} do not."
    paths = fit.estimates[fit.estimates["op"] == "~"]
    for outcome, rows in paths.groupby("lhs", sort=False):
        sig = rows[rows["pvalue"] < alpha].sort_values("std_all", key=abs, ascending=False)
        ns = rows[~(rows["pvalue"] < alpha)]
        r2 = fit.r2.get(outcome)
        effects = ", ".join(f"{md(r.rhs)} (β = {number(r.std_all)})" for r in sig.itertuples())
        text += f" **{md(outcome)}**" + (f" (R² = {r2:.2f})" if r2 is not None else "") + ": "
        text += (f"significant drivers, strongest first: {effects}" if len(sig) else "no significant driver")
        if len(ns):
            text += f"; not significant at α = {alpha:g}: {', '.join(map(md, ns['rhs']))}"
        text += "."
    if fit.warnings:
        text += " Warnings: " + " ".join(map(md, fit.warnings))
    return text


# ------------------------------------------------------------------ the interpretation gate
__all__ += ["interpretation_gate", "InterpretationGate", "Problem", "MAX_R2", "MAX_FAILED_BOOTSTRAP"]

#: An outcome's R² at or above this is taken as a sign of collinear constructs (an improper solution).
MAX_R2 = 0.99
#: Share of failed bootstrap resamples above which the bootstrap intervals are not trusted: the
#: resamples that converged are then a selected, not a random, subset of the bootstrap distribution.
MAX_FAILED_BOOTSTRAP = 0.10
#: Tolerance on |standardised coefficient| > 1 (a single indicator gives exactly 1).
_STD_TOL = 1e-6

#: What to try, per kind of problem.
REMEDIES = {
    "convergence": "simplify or fix the model (an item that does not belong, a path that is not meant) and fit it again",
    "identification": "fix the model so that every parameter is identified (at least three items per construct, "
                      "or constraints; fewer free parameters than sample moments)",
    "heywood": "fix the model (drop or move the offending item, give a construct more items) or constrain the "
               "negative variance to a small positive value",
    "not_pd": "combine or drop constructs that measure nearly the same thing, and check the items for redundancy",
    "std": "combine collinear constructs (drivers that correlate near 1) into one, or drop one of them",
    "r2": "combine collinear constructs (drivers that correlate near 1) into one, or drop one of them",
    "bootstrap": "simplify the model or use more respondents; the intervals rest on the resamples that converged",
}


@dataclass(frozen=True)
class Problem:
    """One reason not to interpret a fit.

    Attributes
    ----------
    model : str
        Name of the fit it concerns (e.g. ``"structural model"``).
    group : str or None
        The segment (multigroup fits), else None.
    kind : str
        One of :data:`REMEDIES`'s keys.
    detail : str
        Plain text (not escaped) saying what is wrong.
    """

    model: str
    group: object
    kind: str
    detail: str

    def text(self) -> str:
        where = f" (segment {self.group})" if self.group is not None else ""
        return f"{self.detail}{where}"


@dataclass(frozen=True)
class InterpretationGate:
    """The verdict of :func:`interpretation_gate`: ``ok`` or the problems found, with what to try."""

    problems: tuple
    models: tuple

    @property
    def ok(self) -> bool:
        return not self.problems

    def failed(self, model: str | None = None) -> bool:
        """Whether the named fit (any fit when None) has a problem."""
        return any(model is None or p.model == model for p in self.problems)

    def remedies(self, model: str | None = None) -> list[str]:
        kinds = dict.fromkeys(p.kind for p in self.problems if model is None or p.model == model)
        return list(dict.fromkeys(REMEDIES[k] for k in kinds))

    def describe(self, model: str | None = None, *, limit: int = 4) -> str:
        """Markdown: what is wrong (at most ``limit`` problems named) and what to try; "" when ok."""
        probs = [p for p in self.problems if model is None or p.model == model]
        if not probs:
            return ""
        names = list(dict.fromkeys(p.model for p in probs))
        shown = "; ".join(md(p.text()) for p in probs[:limit])
        more = f"; and {len(probs) - limit} more" if len(probs) > limit else ""
        return (f"The {_join(names, ' the ')} {'is' if len(names) == 1 else 'are'} not interpretable: {shown}{more}. "
                f"What to try: {'; '.join(self.remedies(model))}.")

    def box(self):
        """A display object (HTML and Markdown) for the top of a report, or None when the fits are fine."""
        return None if self.ok else _GateBox(self)

    def headline(self) -> tuple[str, str]:
        """The box's verdict (bold) and what it means, naming the fits that failed where others did not.

        >>> gate = InterpretationGate((Problem("measurement model", None, "not_pd", "x"),),
        ...                           ("measurement model", "structural model"))
        >>> verdict, meaning = gate.headline()
        >>> verdict
        'Do not interpret the measurement model.'
        >>> meaning.endswith("The structural model has a proper solution of its own.")
        True
        """
        failed = list(dict.fromkeys(p.model for p in self.problems))
        fine = [m for m in self.models if m not in failed]
        if not fine:
            return ("Do not interpret these estimates.",
                    "The solution is improper, so its paths, effects and fit indices are not findings.")
        one = len(failed) == 1
        return (f"Do not interpret the {_join(failed, ' the ')}.",
                f"{'Its solution is' if one else 'Their solutions are'} improper, so {'its' if one else 'their'} "
                f"estimates are not findings. The {_join(fine, ' the ')} {'has' if len(fine) == 1 else 'have'} "
                f"a proper solution of {'its' if len(fine) == 1 else 'their'} own.")


class _GateBox:
    def __init__(self, gate: InterpretationGate):
        self.gate = gate

    def _repr_markdown_(self) -> str:
        verdict, meaning = self.gate.headline()
        return f"**{verdict}** {meaning} " + self.gate.describe()

    def _repr_html_(self) -> str:
        from html import escape

        verdict, meaning = self.gate.headline()
        items = "".join(f"<li>{escape(p.model[:1].upper() + p.model[1:])}: {escape(p.text())}</li>"
                        for p in self.gate.problems)
        tries = "".join(f"<li>{escape(r[:1].upper() + r[1:])}.</li>" for r in self.gate.remedies())
        return (f'<div class="cx-stop" role="alert"><p><strong>{escape(verdict)}</strong> {escape(meaning)}</p>'
                f"<ul>{items}</ul><p><strong>What to try</strong></p><ul>{tries}</ul></div>")


def _join(words: list[str], article: str = " ") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" and{article}" + words[-1]


def _not_pd(m: np.ndarray) -> bool:
    if m.size == 0:
        return False
    if not np.all(np.isfinite(m)):
        return True
    return bool(np.linalg.eigvalsh((m + m.T) / 2).min() <= 1e-10 * max(1.0, float(np.abs(m).max())))


def _group_problems(rows: pd.DataFrame, name: str, group, label) -> list[Problem]:
    """Heywood cases, non-PD matrices, |std| > 1 and R² >= MAX_R2 of one group's estimates."""
    out = []
    add = lambda kind, detail: out.append(Problem(name, group, kind, detail))  # noqa: E731
    names, A, S = ram_from_estimates(rows)
    latent = list(dict.fromkeys(rows.loc[rows["op"] == "=~", "lhs"]))
    idx = {v: i for i, v in enumerate(names)}
    n = len(names)
    for v in names:
        if S[idx[v], idx[v]] < 0:
            add("heywood", f"negative variance of {label(v)} ({number(S[idx[v], idx[v]], 3)}, a Heywood case)")
    lat = [idx[v] for v in latent]
    obs = [idx[v] for v in names if v not in latent and S[idx[v], idx[v]] != 0]
    try:
        implied = np.linalg.inv(np.eye(n) - A)
        implied = implied @ S @ implied.T
    except np.linalg.LinAlgError:
        implied = np.full((n, n), np.nan)
    if _not_pd(implied[np.ix_(lat, lat)]):
        add("not_pd", "the covariance matrix of the latent variables is not positive definite")
    elif _not_pd(S[np.ix_(lat, lat)]):
        add("not_pd", "the (residual) covariance matrix of the latent variables is not positive definite")
    if _not_pd(S[np.ix_(obs, obs)]):
        add("not_pd", "the residual covariance matrix of the observed variables is not positive definite")
    std = rows[rows["op"].isin(["=~", "~"]) & (rows["std_all"].abs() > 1 + _STD_TOL)]
    for r in std.itertuples(index=False):
        kind = "loading" if r.op == "=~" else "path"
        a, b = (r.lhs, r.rhs) if r.op == "=~" else (r.rhs, r.lhs)
        add("std", f"standardised {kind} {label(a)} → {label(b)} of {number(r.std_all)} (beyond ±1)")
    cor = rows[(rows["op"] == "~~") & (rows["lhs"] != rows["rhs"]) & (rows["std_all"].abs() > 1 + _STD_TOL)]
    for r in cor.itertuples(index=False):
        add("std", f"correlation of {label(r.lhs)} and {label(r.rhs)} of {number(r.std_all)} (beyond ±1)")
    outcomes = list(dict.fromkeys(rows.loc[rows["op"] == "~", "lhs"]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for v in outcomes:
            i = idx[v]
            r2 = 1 - S[i, i] / implied[i, i] if implied[i, i] > 0 else np.nan
            if np.isfinite(r2) and r2 >= MAX_R2 and S[i, i] >= 0:
                add("r2", f"R² of {label(v)} is {r2:.3f} (≥ {MAX_R2:g}: its drivers are nearly collinear with it)")
    return out


_BOOT = re.compile(r"(\d+) of (\d+) bootstrap resamples")


def _fit_problems(fit, name: str, label, max_failed: float) -> list[Problem]:
    out = []
    if not fit.converged:
        out.append(Problem(name, None, "convergence", "the estimation did not converge"))
    df = fit.fit_measures.get("df", np.nan)
    if pd.notna(df) and df < 0:
        out.append(Problem(name, None, "identification",
                           f"the model is not identified (df = {df:.0f}: more free parameters than sample moments)"))
    est = fit.estimates
    params = est[est["op"] != ":="]
    if params["se"].isna().any():
        out.append(Problem(name, None, "identification",
                           "standard errors could not be computed (a singular information matrix: the model may "
                           "not be identified)"))
    failed = getattr(fit, "bootstrap_failed", None)
    total = getattr(fit, "bootstrap_resamples", None)
    if failed is None:
        found = [m for w in fit.warnings for m in _BOOT.finditer(w)]
        if found:
            failed, total = int(found[-1].group(1)), int(found[-1].group(2))
    if failed and total and failed / total > max_failed:
        out.append(Problem(name, None, "bootstrap", f"{failed} of {total} bootstrap resamples failed "
                                                    f"(more than {100 * max_failed:g} %)"))
    if "group" in est.columns:
        for g, rows in est.groupby("group", sort=False):
            out += _group_problems(rows, name, g, label)
    else:
        out += _group_problems(est, name, None, label)
    return out


def interpretation_gate(fit, *, labels=None, max_failed_bootstrap: float = MAX_FAILED_BOOTSTRAP
                        ) -> InterpretationGate:
    """Whether a fit may be interpreted: the checks between estimation and interpretation.

    A fit fails the gate when it did not converge, is not identified (negative degrees of
    freedom or standard errors that cannot be computed), has a Heywood case (a negative
    variance), a latent or residual covariance matrix that is not positive definite, a
    standardised loading, path or correlation beyond ±1, a structural outcome with
    R² ≥ :data:`MAX_R2`, or more than ``max_failed_bootstrap`` of its bootstrap resamples
    failed. Multigroup fits are checked segment by segment. Each of these is an improper
    solution: its estimates are not findings (Kolenikov & Bollen 2012; Chen et al. 2001).

    Parameters
    ----------
    fit : SemResult, or a mapping of name -> SemResult (None values are skipped)
        A single fit is named ``"model"``.
    labels : callable, optional
        Display label of a variable name (e.g. ``Codebook.label``).
    max_failed_bootstrap : float, default=MAX_FAILED_BOOTSTRAP
        Largest acceptable share of failed bootstrap resamples (read from the fit's
        ``bootstrap_failed``/``bootstrap_resamples`` attributes or its warning).

    Returns
    -------
    InterpretationGate
        ``ok``, ``problems`` (:class:`Problem`), ``describe()`` (Markdown: what is wrong
        and what to try) and ``box()`` (a "do not interpret" box for a report, None when ok).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from cxlab import sem
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"x{i}": f + rng.normal(scale=.7, size=300) for i in (1, 2, 3)})
    >>> df["y"] = 0.5 * f + rng.normal(size=300)
    >>> interpretation_gate(sem.fit(df, "f =~ x1 + x2 + x3\\ny ~ f")).ok
    True
    >>> df["x4"] = df["x1"] + rng.normal(scale=.01, size=300)   # a near copy of x1: improper
    >>> gate = interpretation_gate({"structural model": sem.fit(df, "f =~ x1 + x2 + x3 + x4\\ny ~ f")})
    >>> gate.ok, sorted({p.kind for p in gate.problems})
    (False, ['convergence', 'heywood', 'not_pd', 'std'])
    """
    if not (isinstance(max_failed_bootstrap, float) and 0 <= max_failed_bootstrap < 1):
        raise ValueError("The 'max_failed_bootstrap' parameter of interpretation_gate must be a float in [0, 1). "
                         f"Got {max_failed_bootstrap!r} instead.")
    fits = dict(fit) if isinstance(fit, Mapping) else {"model": fit}
    label = (lambda v: str(labels(v))) if labels else str
    problems = []
    for name, f in fits.items():
        if f is None:
            continue
        if not hasattr(f, "estimates") or not hasattr(f, "converged"):
            raise ValueError(f"The 'fit' parameter of interpretation_gate must be a result of cxlab.sem.fit "
                             f"(or a mapping of them). Got {type(f).__name__} for {name!r} instead.")
        problems += _fit_problems(f, str(name), label, max_failed_bootstrap)
    return InterpretationGate(problems=tuple(problems), models=tuple(k for k, v in fits.items() if v is not None))
