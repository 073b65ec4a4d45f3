"""Defined parameters (``name := expression``) and their delta-method standard errors."""

from __future__ import annotations

import ast
import math
import operator

import numpy as np

__all__ = ["evaluate", "delta_method", "label_values"]

_BINOPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_FUNCS = {"exp": math.exp, "log": math.log, "sqrt": math.sqrt, "abs": abs, "sin": math.sin, "cos": math.cos, "tan": math.tan}


def evaluate(expr: str, values: dict) -> float:
    """Evaluate a lavaan ``:=`` expression (arithmetic on labels, numbers and exp/log/sqrt/abs).

    Examples
    --------
    >>> evaluate("c+a*b", {"a": 2.0, "b": 3.0, "c": 1.0})
    7.0
    >>> evaluate("a^2", {"a": 3.0})
    9.0
    """
    tree = ast.parse(expr.replace("^", "**"), mode="eval")

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise ValueError(f"Unknown label {node.id!r} in the defined parameter expression {expr!r}.")
            return float(values[node.id])
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return _BINOPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](ev(node.operand))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS and len(node.args) == 1:
            return float(_FUNCS[node.func.id](ev(node.args[0])))
        raise ValueError(f"Unsupported element in the defined parameter expression {expr!r}.")

    return ev(tree)


def labels_in(expr: str) -> set:
    """Names used in an expression (labels or earlier definitions)."""
    tree = ast.parse(expr.replace("^", "**"), mode="eval")
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and not (n.id in _FUNCS)}


def label_values(labels, values) -> dict:
    """``{label: value}`` over the rows of every group (first occurrence of a label wins).

    ``labels`` and ``values``: per group, the rows' labels (``""`` for none) and values.

    Examples
    --------
    >>> label_values([["a", "", "b"], ["a", "c"]], [[1.0, 2.0, 3.0], [9.0, 4.0]])
    {'a': 1.0, 'b': 3.0, 'c': 4.0}
    """
    out = {}
    for labs, vals in zip(labels, values):
        for lab, v in zip(labs, vals):
            if lab:
                out.setdefault(lab, v)
    return out


def defined_values(defined, label_values: dict) -> dict:
    """Values of all defined parameters (later ones may use earlier ones)."""
    vals = dict(label_values)
    out = {}
    for name, expr in defined:
        out[name] = vals[name] = evaluate(expr, vals)
    return out


def delta_method(defined, label_fn, theta: np.ndarray, vcov: np.ndarray):
    """Estimates, Jacobian and standard errors of defined parameters.

    ``label_fn(theta)`` returns the dict label -> value. The Jacobian is taken by central
    differences (step ``1e-6 * max(1, |theta_k|)``, error ~1e-12).
    """
    names = [d[0] for d in defined]
    est = np.array([defined_values(defined, label_fn(theta))[n] for n in names])
    k = len(theta)
    jac = np.zeros((len(names), k))
    for j in range(k):
        h = 1e-6 * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += h
        tm[j] -= h
        fp = defined_values(defined, label_fn(tp))
        fm = defined_values(defined, label_fn(tm))
        jac[:, j] = [(fp[n] - fm[n]) / (2 * h) for n in names]
    cov = jac @ vcov @ jac.T
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    return est, se, jac
