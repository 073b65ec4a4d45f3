"""Parse lavaan model syntax into a lavaan-style parameter table.

Supported: ``=~`` (measurement), ``~`` (regression), ``~~`` (variance/covariance),
modifiers ``a*x`` (label), ``0.5*x`` (fixed value), ``NA*x`` (free), ``start(v)*x``,
``label("a")*x`` and ``equal("a")*x``, group-specific modifiers ``c(a, b)*x``,
``c(1, NA)*x`` (one label, value or ``NA`` per group: :func:`group_modifiers`), several
left-hand sides (``y1 + y2 ~ x``), formulas spread over several lines, ``#``/``!`` comments, ``;`` as separator, and
defined parameters ``name := expression``, and intercepts ``y ~ 1`` (``y ~ a*1``,
``y ~ 0*1``; op ``"~1"`` with an empty ``rhs``, as lavaan), formative constructs
``f <~ x1 + x2 + x3`` (op ``"<~"``, see below). Thresholds (``|``) raise
:class:`NotImplementedError`; bounds ``a > 0`` /
``a < 1`` on a label are kept in :attr:`ParsedModel.inequalities`; equality constraints ``lhs == rhs`` between labels are kept
in :attr:`ParsedModel.constraints` (:mod:`cxlab.sem.constraints`).

With ``meanstructure=True`` (lavaan's default when the model has intercepts, with
missing-data FIML and with groups) the table ends with the intercepts of the observed
variables (free; fixed to the sample means for ``fixed.x`` covariates) and of the latent
variables (fixed to 0), after the user's rows and the default (co)variances.

The parameter table follows lavaan's ``cfa()``/``sem()`` defaults: first loading of each
factor fixed to 1 (unless the user fixes or frees it), residual variances of observed and
latent variables free (but fixed to 0 for the only indicator of a latent, ``auto.fix.single``), covariances among exogenous latent variables free (a latent that
is an indicator of another latent, as in a second-order factor, is not exogenous), covariances
among purely dependent latent (and observed) variables free, and variances/covariances of
observed exogenous covariates fixed to their sample values (``fixed.x = TRUE``).

A formative construct ``f <~ x1 + x2 + x3`` is, as in lavaan 0.6, a latent variable
regressed on its indicators (rows with op ``"<~"``, ``A[f, x]`` of the RAM model) whose
residual variance is fixed to 0 (:func:`formative_names`); indicators that are nothing
else are exogenous covariates (``fixed.x``), and ``f`` itself counts as an exogenous
latent variable (free covariances with the other exogenous latent variables, as lavaan).
Unlike lavaan 0.6-14, which leaves every weight free (a model that is not identified:
lavaan returns zero weights and no standard errors), the first weight is fixed to 1
unless the user fixes or frees it, as the first loading of a reflective factor; the
estimates then equal lavaan's for ``f <~ 1*x1 + x2 + x3``.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass

import pandas as pd

from .._validation import param_error
from .identify import check_formative

__all__ = ["ParsedModel", "parse_model", "check_model_text", "build_partable", "group_modifiers", "formative_names"]

_OPERATORS = ("=~", "~~", ":=", "==", "<~", "~", "<", ">", "|")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class ParsedModel:
    """Statements of a model string, before lavaan's defaults are added.

    Attributes
    ----------
    formulas : tuple of (lhs, op, rhs, modifier) tuples
        One entry per ``lhs op rhs`` pair, in the order written. ``modifier`` is a dict
        with optional keys ``fixed`` (float), ``free`` (True for ``NA*``), ``label``
        (str) and ``start`` (float).
    defined : tuple of (name, expression) tuples
        The ``:=`` definitions, expressions with whitespace removed (lavaan's ``rhs``).
    constraints : tuple of (lhs, rhs) expression pairs
        Explicit equality constraints ``lhs == rhs`` (whitespace removed).
    inequalities : tuple of (label, op, value)
        Bounds ``label > value`` / ``label < value`` (``value > label`` is stored as
        ``label < value``); ``op`` is ``">"`` or ``"<"``.
    """

    formulas: tuple
    defined: tuple
    constraints: tuple = ()
    inequalities: tuple = ()


def _strip_comments(text: str) -> str:
    lines = []
    for line in text.splitlines():
        line = re.split(r"[#!]", line, maxsplit=1)[0]
        lines.append(line)
    return "\n".join(lines)


def _find_operator(statement: str) -> str | None:
    for op in _OPERATORS:
        if op in statement:
            return op
    return None


def _statements(text: str) -> list[str]:
    raw = []
    for chunk in _strip_comments(text).replace(";", "\n").splitlines():
        chunk = chunk.strip()
        if chunk:
            raw.append(chunk)
    merged: list[str] = []
    for chunk in raw:
        if merged and (
            merged[-1].endswith(("+", "*", "=~", "~", "~~", ":="))
            or chunk.startswith(("+", "*"))
            or _find_operator(chunk) is None
        ):
            merged[-1] = merged[-1] + " " + chunk
        else:
            merged.append(chunk)
    return merged


def _parse_modifier(text: str, statement: str) -> dict:
    mod: dict = {}
    for part in _split_top(text, "*"):
        part = part.strip()
        if not part:
            continue
        if part == "NA":
            mod["free"] = True
            continue
        m = re.fullmatch(r"(start|label|equal)\((.*)\)", part)
        if m:
            kind, arg = m.group(1), m.group(2).strip()
            if kind == "start":
                try:
                    mod["start"] = float(arg)
                except ValueError:
                    raise ValueError(f"Cannot parse the start value {part!r} in the model statement {statement!r}; "
                                     "write one number, as start(0.5).") from None
            else:
                mod["label"] = arg.strip("'\"")
            continue
        if part.startswith("c(") and part.endswith(")"):
            groups = [_parse_modifier(el.strip(), statement) if el.strip() != "NA" else {"free": True}
                      for el in _split_top(part[2:-1], ",")]
            if any(not el or "groups" in el for el in groups):
                raise ValueError(f"Cannot parse the group-specific modifier {part!r} in the model statement "
                                 f"{statement!r}; write one label, number or NA per group, as c(a, b).")
            if "groups" in mod and len(mod["groups"]) != len(groups):
                raise ValueError(f"The group-specific modifiers of {statement!r} have different lengths.")
            mod["groups"] = [{**old, **el} for old, el in zip(mod.get("groups", [{}] * len(groups)), groups)]
            continue
        try:
            mod["fixed"] = float(part)
            continue
        except ValueError:
            pass
        if _NAME.match(part):
            mod["label"] = part
            continue
        raise ValueError(f"Cannot parse the modifier {part!r} in the model statement {statement!r}.")
    return mod


def _split_top(text: str, sep: str) -> list[str]:
    """Split on ``sep`` outside parentheses."""
    out, depth, cur = [], 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == sep and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def check_model_text(model, caller: str) -> str:
    """``model`` if it is a non-empty string; the standard parameter error of ``caller`` otherwise.

    >>> check_model_text(" ", "fit")
    Traceback (most recent call last):
    ValueError: The 'model' parameter of fit must be a non-empty lavaan model string. Got ' ' instead.
    """
    if not isinstance(model, str) or not model.strip():
        raise param_error("model", caller, "be a non-empty lavaan model string", model)
    return model


def parse_model(model: str, *, caller: str = "parse_model") -> ParsedModel:
    """Split a lavaan model string into formulas and defined parameters.

    Parameters
    ----------
    model : str
        Model in lavaan syntax.
    caller : str, default="parse_model"
        The public function that received ``model``, named in the error for an empty model.

    Returns
    -------
    ParsedModel

    Examples
    --------
    >>> pm = parse_model("f =~ x1 + a*x2 + 0.5*x3\\nd := a*2")
    >>> [f[:3] for f in pm.formulas]
    [('f', '=~', 'x1'), ('f', '=~', 'x2'), ('f', '=~', 'x3')]
    >>> pm.defined
    (('d', 'a*2'),)
    """
    check_model_text(model, caller)
    formulas = []
    defined = []
    constraints = []
    inequalities = []
    for st in _statements(model):
        op = _find_operator(st)
        if op is None:
            raise ValueError(f"No operator found in the model statement {st!r}.")
        lhs_text, rhs_text = st.split(op, 1)
        lhs_text, rhs_text = lhs_text.strip(), rhs_text.strip()
        if op == ":=":
            if not _NAME.match(lhs_text):
                raise ValueError(f"Invalid name for a defined parameter: {lhs_text!r} in {st!r}.")
            expr = re.sub(r"\s+", "", rhs_text)
            try:
                ast.parse(expr, mode="eval")
            except SyntaxError as exc:
                raise ValueError(f"Cannot parse the expression of {lhs_text!r}: {rhs_text!r}.") from exc
            defined.append((lhs_text, expr))
            continue
        if op == "==":
            sides = [re.sub(r"\s+", "", t) for t in (lhs_text, rhs_text)]
            for side in sides:
                try:
                    ast.parse(side.replace("^", "**"), mode="eval")
                except SyntaxError as exc:
                    raise ValueError(f"Cannot parse the constraint {st!r}.") from exc
            constraints.append(tuple(sides))
            continue
        if op in ("<", ">"):
            inequalities.append(_inequality(lhs_text, op, rhs_text, st))
            continue
        if op == "|":
            raise NotImplementedError(f"Thresholds ('|') are not supported yet: {st!r}.")
        lhs_names = [s.strip() for s in lhs_text.split("+")]
        for name in lhs_names:
            if not _NAME.match(name):
                raise ValueError(f"Invalid variable name {name!r} on the left of {op!r} in {st!r}.")
        terms = [t.strip() for t in _split_top(rhs_text, "+")]
        for lhs in lhs_names:
            for term in terms:
                if not term:
                    raise ValueError(f"Empty term in the model statement {st!r}.")
                pieces = _split_top(term, "*")
                var = pieces[-1].strip()
                modtext = "*".join(pieces[:-1])
                if var == "1" and op == "~":
                    mod = _parse_modifier(modtext, st) if modtext else {}
                    formulas.append((lhs, "~1", "", mod))
                    continue
                if not _NAME.match(var):
                    raise ValueError(f"Invalid variable name {var!r} in the model statement {st!r}.")
                if op in ("=~", "<~") and var == lhs:
                    raise ValueError(f"The latent variable {lhs!r} cannot be measured by itself ({st!r}); give the "
                                     f"latent variable a name of its own, e.g. '{lhs}_f =~ {var}'.")
                mod = _parse_modifier(modtext, st) if modtext else {}
                formulas.append((lhs, op, var, mod))
    if not formulas:
        raise ValueError("The model has no '=~', '~' or '~~' statement.")
    return ParsedModel(formulas=tuple(formulas), defined=tuple(defined), constraints=tuple(constraints),
                       inequalities=tuple(inequalities))


def _inequality(lhs: str, op: str, rhs: str, statement: str) -> tuple:
    """``(label, op, value)`` of ``label > value``, ``label < value`` or ``value < label``."""
    def number(text):
        try:
            return float(text)
        except ValueError:
            return None

    if _NAME.match(lhs) and number(rhs) is not None:
        return lhs, op, number(rhs)
    if _NAME.match(rhs) and number(lhs) is not None:
        return rhs, "<" if op == ">" else ">", number(lhs)
    raise NotImplementedError(f"Inequality constraints ('>', '<') must bound one label by a number, as 'a > 0'; "
                              f"got {statement!r}.")


def _unique(seq):
    return list(dict.fromkeys(seq))


def variable_names(formulas) -> dict:
    """lavaan's variable classes (``lv``, ``ov``, ``ov.x``, ``ov.nox``, ``lv.x``, ``lv.y``, ``ov.y``).

    The left-hand sides of ``<~`` are latent, their indicators predictors (lavaan's ``eqs.x``).
    """
    lv = _unique(f[0] for f in formulas if f[1] in ("=~", "<~"))
    ov_ind = _unique(f[2] for f in formulas if f[1] == "=~" and f[2] not in lv)
    reg = [f for f in formulas if f[1] == "~"]
    eqs_y = _unique(f[0] for f in reg)
    eqs_x = _unique(f[2] for f in formulas if f[1] in ("~", "<~"))
    ov_y = _unique(v for v in eqs_y if v not in lv and v not in ov_ind)
    ov_x = _unique(v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y)
    cov_vars = _unique(v for f in formulas if f[1] == "~~" for v in (f[0], f[2]))
    ov_cov = [v for v in cov_vars if v not in lv and v not in ov_ind + ov_y + ov_x]
    int_vars = _unique(f[0] for f in formulas if f[1] == "~1")
    ov_int = [v for v in int_vars if v not in lv and v not in ov_ind + ov_y + ov_x + ov_cov]
    ov = ov_ind + ov_y + ov_x + ov_cov + ov_int
    # exogenous covariates: only predictors, never dependent, never indicators
    ov_x_pure = [v for v in ov_x if v not in eqs_y]
    # a latent that indicates another latent (second-order factor) is endogenous too
    lv_ind = {f[2] for f in formulas if f[1] == "=~" and f[2] in lv}
    lv_x = [v for v in lv if v not in eqs_y and v not in lv_ind]
    lv_y = [v for v in lv if v in eqs_y and v not in eqs_x]
    ov_y_pure = [v for v in ov_y if v not in eqs_x]
    return {
        "lv": lv,
        "ov": ov,
        "ov.x": ov_x_pure,
        "ov.nox": [v for v in ov if v not in ov_x_pure],
        "lv.x": lv_x,
        "lv.y": lv_y,
        "ov.y": ov_y_pure,
    }


def formative_names(formulas) -> list:
    """The formative constructs (left-hand sides of ``<~``), in order.

    >>> formative_names(parse_model("f <~ x1 + x2; y ~ f").formulas)
    ['f']
    """
    return _unique(f[0] for f in formulas if f[1] == "<~")


def has_intercepts(parsed: ParsedModel) -> bool:
    """Whether the model states an intercept (``~ 1``): lavaan then uses a mean structure."""
    return any(f[1] == "~1" for f in parsed.formulas)


def group_modifiers(formulas, group: int = 1, n_groups: int = 1) -> tuple:
    """Formulas with each group-specific modifier ``c(...)`` resolved for ``group`` (1-based).

    Raises ``ValueError`` when a ``c(...)`` does not hold one entry per group.

    Examples
    --------
    >>> pm = parse_model("f =~ x1 + c(a, NA)*x2 + c(1, 0.5)*x3")
    >>> [f[3] for f in group_modifiers(pm.formulas, 2, 2)]
    [{}, {'free': True}, {'fixed': 0.5}]
    """
    out = []
    for lhs, op, rhs, mod in formulas:
        if "groups" in mod:
            per_group = mod["groups"]
            if len(per_group) != n_groups:
                written = f"{lhs} {op} {rhs}" if op != "~1" else f"{lhs} ~ 1"
                raise ValueError(f"The group-specific modifier of '{written}' has {len(per_group)} values but the "
                                 f"model has {n_groups} group(s); write one value per group.")
            mod = {**{k: v for k, v in mod.items() if k != "groups"}, **per_group[group - 1]}
            if "fixed" in mod and mod.get("free"):
                mod.pop("free" if "fixed" in per_group[group - 1] else "fixed")
        out.append((lhs, op, rhs, mod))
    return tuple(out)


def build_partable(parsed: ParsedModel, *, fixed_x: bool = True, meanstructure: bool = False, std_lv: bool = False,
                   orthogonal: bool = False, group: int = 1, n_groups: int = 1) -> tuple[pd.DataFrame, dict]:
    """Build lavaan's parameter table (rows in ``parameterEstimates`` order).

    ``meanstructure=True`` appends the default intercept rows (see the module notes).
    ``std_lv=True`` scales every latent variable by its (residual) variance fixed to 1
    instead of its first loading; ``orthogonal=True`` fixes the default covariances among
    latent variables to 0 (lavaan's ``std.lv`` and ``orthogonal``). ``group`` of
    ``n_groups``: the table of that group, with the group's entry of every ``c(...)``.

    Returns
    -------
    partable : DataFrame
        Columns ``lhs, op, rhs, label, user, free, fixed, start, exo``: ``free`` is the
        1-based index of the free parameter (shared by rows with the same label, 0 for
        fixed rows), ``fixed`` the value of fixed rows (NaN for free rows, and for
        ``exo`` rows whose value is the sample moment), ``start`` a user start value.
    names : dict
        Variable classes (see :func:`variable_names`).

    Examples
    --------
    >>> pt, names = build_partable(parse_model("f =~ x1 + x2 + x3"))
    >>> pt[["lhs", "op", "rhs", "free"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['f', '=~', 'x1', 0], ['f', '=~', 'x2', 1], ['f', '=~', 'x3', 2],
     ['x1', '~~', 'x1', 3], ['x2', '~~', 'x2', 4], ['x3', '~~', 'x3', 5], ['f', '~~', 'f', 6]]
    """
    formulas = group_modifiers(parsed.formulas, group, n_groups)
    names = variable_names(formulas)
    lv = names["lv"]
    composites = formative_names(formulas)
    if composites and std_lv:
        raise NotImplementedError(
            f"std_lv=True with the formative construct(s) {composites} is not implemented: lavaan 0.6 then fixes "
            "the composite's residual variance to 1, which does not identify its weights. Fit without std_lv "
            "(the first weight is fixed to 1) or fix a weight yourself, as 'f <~ 1*x1 + x2'.")
    ov_x = names["ov.x"] if fixed_x else []

    rows = []
    seen = {}

    def key(lhs, op, rhs):
        if op == "~~":
            return (op,) + tuple(sorted((lhs, rhs)))
        return (lhs, op, rhs)

    for lhs, op, rhs, mod in formulas:
        k = key(lhs, op, rhs)
        row = {"lhs": lhs, "op": op, "rhs": rhs, "mod": dict(mod), "user": True}
        if k in seen:
            # lavaan merges repeated statements: the later modifier wins
            rows[seen[k]]["mod"].update(mod)
            continue
        seen[k] = len(rows)
        rows.append(row)

    defaults = []
    for v in names["ov.nox"]:
        defaults.append((v, "~~", v))
    for v in lv:
        defaults.append((v, "~~", v))
    for a, b in itertools.combinations(names["lv.x"], 2):
        defaults.append((a, "~~", b))
    for a, b in itertools.combinations(names["lv.y"], 2):
        defaults.append((a, "~~", b))
    for a, b in itertools.combinations(names["ov.y"], 2):
        defaults.append((a, "~~", b))
    nx = len(ov_x)
    for j in range(nx):
        for i in range(j, nx):
            defaults.append((ov_x[j], "~~", ov_x[i]))
    if meanstructure:
        for v in names["ov"]:
            defaults.append((v, "~1", ""))
        for v in lv:
            defaults.append((v, "~1", ""))
    for lhs, op, rhs in defaults:
        k = key(lhs, op, rhs)
        if k in seen:
            continue
        seen[k] = len(rows)
        rows.append({"lhs": lhs, "op": op, "rhs": rhs, "mod": {}, "user": False})

    lv_set = set(lv)
    for row in rows:
        if row["op"] != "~~" or row["lhs"] not in lv_set or row["rhs"] not in lv_set:
            continue
        mod = row["mod"]
        if std_lv and row["lhs"] == row["rhs"] and "fixed" not in mod and not mod.get("free"):
            mod["fixed"] = 1.0
        elif orthogonal and row["lhs"] != row["rhs"] and not row["user"]:
            mod["fixed"] = 0.0

    # formative constructs: residual variance fixed to 0 unless the user wrote it (lavaan)
    for row in rows:
        if row["op"] == "~~" and not row["user"] and row["lhs"] == row["rhs"] and row["lhs"] in composites:
            row["mod"]["fixed"] = 0.0

    # first loading (weight) of each factor (composite) fixed to 1 unless the user fixed/freed it (or std_lv)
    first_done = set() if not std_lv else set(lv)
    for row in rows:
        if row["op"] in ("=~", "<~") and row["lhs"] not in first_done:
            first_done.add(row["lhs"])
            mod = row["mod"]
            if "fixed" not in mod and not mod.get("free"):
                mod["fixed"] = 1.0
                mod["auto_fixed"] = True

    # lavaan's auto.fix.single: the residual variance of the only (observed) indicator of a
    # latent variable is fixed to 0 unless the user wrote it
    n_ind = {}
    for row in rows:
        if row["op"] == "=~":
            n_ind.setdefault(row["lhs"], []).append(row["rhs"])
    single = {inds[0] for inds in n_ind.values() if len(inds) == 1 and inds[0] not in lv}
    for row in rows:
        if row["op"] == "~~" and not row["user"] and row["lhs"] == row["rhs"] and row["lhs"] in single:
            row["mod"]["fixed"] = 0.0

    exo_set = set(ov_x)
    out = []
    label_index: dict[str, int] = {}
    n_free = 0
    for row in rows:
        mod = row["mod"]
        label = mod.get("label", "")
        exo = (
            (row["op"] == "~~" and row["lhs"] in exo_set and row["rhs"] in exo_set)
            or (row["op"] == "~1" and row["lhs"] in exo_set)
        ) and "fixed" not in mod and not mod.get("free")
        if "fixed" in mod and not mod.get("free"):
            free, fixed = 0, mod["fixed"]
        elif row["op"] == "~1" and not row["user"] and row["lhs"] in lv:
            free, fixed = 0, 0.0  # latent means fixed to 0 (identification)
        elif exo:
            free, fixed = 0, float("nan")
        else:
            if label and label in label_index:
                free = label_index[label]
            else:
                n_free += 1
                free = n_free
                if label:
                    label_index[label] = free
            fixed = float("nan")
        out.append(
            {
                "lhs": row["lhs"],
                "op": row["op"],
                "rhs": row["rhs"],
                "label": label,
                "user": row["user"],
                "free": free,
                "fixed": fixed,
                "start": mod.get("start", float("nan")),
                "exo": exo,
            }
        )
    pt = pd.DataFrame(out)
    pt["free"] = pt["free"].astype(int)
    labels_used = set(pt["label"]) - {""}
    for name, _expr in parsed.defined:
        if name in labels_used:
            raise ValueError(f"The defined parameter {name!r} reuses the name of a parameter label.")
    if composites:
        check_formative(pt)
    return pt, names
