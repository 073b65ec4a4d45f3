"""Explicit linear equality constraints between labels (lavaan's ``lhs == rhs``).

A constraint such as ``a == b``, ``a == 2*b`` or ``d + e == 2`` is linear in the free
parameters: ``C theta = c``. The model is refitted in the free coordinates ``phi`` of
the solution set, ``theta = K phi + theta_0`` (``K`` an orthonormal basis of the null space
of ``C``), which is what lavaan does for linear equality constraints. Standard errors
follow as ``vcov(theta) = K vcov(phi) K'`` (lavaan's augmented-information inverse gives
the same for linear constraints); ``npar`` is the number of free parameters minus the
number of independent constraints. Nonlinear constraints raise
:class:`NotImplementedError`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg

from .defined import evaluate, labels_in

__all__ = ["Reparam", "linear_constraints", "ConstrainedModel"]


@dataclass(frozen=True)
class Reparam:
    """``theta = K phi + t0``."""

    K: np.ndarray
    t0: np.ndarray

    def theta(self, phi: np.ndarray) -> np.ndarray:
        return self.K @ phi + self.t0

    def phi(self, theta: np.ndarray) -> np.ndarray:
        return self.K.T @ (theta - self.t0)

    def vcov(self, vcov_phi: np.ndarray) -> np.ndarray:
        return self.K @ vcov_phi @ self.K.T


def linear_constraints(constraints, label_index: dict, q: int) -> Reparam:
    """Build the reparameterisation of ``constraints`` (``(lhs, rhs)`` expression pairs).

    Parameters
    ----------
    constraints : sequence of (str, str)
    label_index : dict
        Label -> 0-based index of its free parameter.
    q : int
        Number of free parameters.

    Raises
    ------
    ValueError
        A constraint names an unknown label, or the constraints contradict each other.
    NotImplementedError
        A constraint is not linear.
    """
    rows, rhs = [], []
    rng = np.random.default_rng(0)
    for lhs_expr, rhs_expr in constraints:
        text = f"{lhs_expr} == {rhs_expr}"
        unknown = (labels_in(lhs_expr) | labels_in(rhs_expr)) - set(label_index)
        if unknown:
            raise ValueError(f"The constraint {text!r} uses unknown label(s) {sorted(unknown)}; "
                             f"labels of free parameters: {sorted(label_index)}.")

        def f(theta):
            vals = {lab: theta[k] for lab, k in label_index.items()}
            return evaluate(lhs_expr, vals) - evaluate(rhs_expr, vals)

        zero = np.zeros(q)
        f0 = f(zero)
        row = np.array([f(np.eye(q)[k]) - f0 for k in range(q)])
        for _ in range(3):  # linear: f(x) = f0 + row @ x everywhere
            x = rng.normal(size=q) * 3
            if not np.isclose(f(x), f0 + row @ x, rtol=1e-9, atol=1e-9):
                raise NotImplementedError(f"The constraint {text!r} is not linear in the parameters; only linear "
                                          "equality constraints are implemented.")
        rows.append(row)
        rhs.append(-f0)
    C = np.array(rows)
    c = np.array(rhs)
    t0, *_ = np.linalg.lstsq(C, c, rcond=None)
    if not np.allclose(C @ t0, c, atol=1e-9):
        raise ValueError(f"The equality constraints {[' == '.join(x) for x in constraints]} contradict each other.")
    return Reparam(linalg.null_space(C), t0)


class ConstrainedModel:
    """A model (:class:`~cxlab.sem.model.RamModel`) seen through ``theta = K phi + t0``.

    Offers what the estimators use: ``p``, ``npar``, ``implied``, ``implied_all``,
    ``implied_mean``, ``jacobian``, ``jacobian_mean`` and ``hessian_contraction`` (MLR's
    observed information) in the coordinates ``phi``.
    """

    def __init__(self, ram, rep: Reparam):
        self.ram = ram
        self.rep = rep

    @property
    def p(self) -> int:
        return self.ram.p

    @property
    def npar(self) -> int:
        return self.rep.K.shape[1]

    def implied(self, phi):
        return self.ram.implied(self.rep.theta(phi))

    def implied_all(self, phi):
        return self.ram.implied_all(self.rep.theta(phi))

    def implied_mean(self, phi):
        return self.ram.implied_mean(self.rep.theta(phi))

    def jacobian(self, phi):
        return self.ram.jacobian(self.rep.theta(phi)) @ self.rep.K

    def jacobian_mean(self, phi):
        return self.ram.jacobian_mean(self.rep.theta(phi)) @ self.rep.K

    def hessian_contraction(self, phi, g_sigma, g_mu=None):
        """:meth:`RamModel.hessian_contraction` in ``phi`` (``theta`` is linear in ``phi``)."""
        K = self.rep.K
        return K.T @ self.ram.hessian_contraction(self.rep.theta(phi), g_sigma, g_mu) @ K
