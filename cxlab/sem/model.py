"""RAM representation of a single-group covariance structure model.

All variables (observed first, in lavaan's order, then latent) are indexed together;
``A[i, j]`` is the effect of variable ``j`` on variable ``i`` (loadings and regressions),
``S`` the symmetric matrix of (residual) variances and covariances, and the implied
covariance of all variables is ``B S B'`` with ``B = (I - A)^-1``. The implied covariance
of the observed variables is its upper-left ``p x p`` block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["RamModel"]


@dataclass(frozen=True)
class RamModel:
    """Matrices and parameter positions of a model (immutable).

    Attributes
    ----------
    ov : tuple of str
        Observed variables, lavaan's order.
    lv : tuple of str
        Latent variables.
    mat : ndarray of str
        Per parameter-table row: ``"A"`` or ``"S"``.
    pos : ndarray of int, shape (n_rows, 2)
        Per row: (row, column) in the matrix.
    free : ndarray of int
        Per row: 1-based free-parameter index, 0 when fixed.
    fixed : ndarray of float
        Per row: the fixed value (including fixed.x sample moments).
    """

    ov: tuple
    lv: tuple
    mat: np.ndarray
    pos: np.ndarray
    free: np.ndarray
    fixed: np.ndarray

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def n_vars(self) -> int:
        return len(self.ov) + len(self.lv)

    @property
    def npar(self) -> int:
        return int(self.free.max()) if len(self.free) else 0

    @classmethod
    def from_partable(cls, pt: pd.DataFrame, ov, lv, sample_cov: np.ndarray) -> "RamModel":
        ov, lv = tuple(ov), tuple(lv)
        index = {v: i for i, v in enumerate(ov + lv)}
        mat, pos, fixed = [], [], []
        for row in pt.itertuples(index=False):
            if row.op == "=~":
                mat.append("A")
                pos.append((index[row.rhs], index[row.lhs]))
            elif row.op == "~":
                mat.append("A")
                pos.append((index[row.lhs], index[row.rhs]))
            elif row.op == "~~":
                mat.append("S")
                pos.append((index[row.lhs], index[row.rhs]))
            else:  # pragma: no cover - the parser rejects other operators
                raise NotImplementedError(row.op)
            value = row.fixed
            if row.exo:
                value = sample_cov[index[row.lhs], index[row.rhs]]
            fixed.append(value)
        return cls(
            ov=ov,
            lv=lv,
            mat=np.array(mat),
            pos=np.array(pos, dtype=int).reshape(-1, 2),
            free=pt["free"].to_numpy(dtype=int),
            fixed=np.array(fixed, dtype=float),
        )

    # ------------------------------------------------------------------ values
    def row_values(self, theta: np.ndarray) -> np.ndarray:
        """Value of every parameter-table row for the free parameters ``theta``."""
        vals = self.fixed.copy()
        is_free = self.free > 0
        vals[is_free] = theta[self.free[is_free] - 1]
        return vals

    def matrices(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = self.n_vars
        A = np.zeros((n, n))
        S = np.zeros((n, n))
        vals = self.row_values(theta)
        isA = self.mat == "A"
        A[self.pos[isA, 0], self.pos[isA, 1]] = vals[isA]
        isS = ~isA
        S[self.pos[isS, 0], self.pos[isS, 1]] = vals[isS]
        S[self.pos[isS, 1], self.pos[isS, 0]] = vals[isS]
        return A, S

    def implied_all(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(B, implied covariance of all variables, S)."""
        A, S = self.matrices(theta)
        B = np.linalg.inv(np.eye(self.n_vars) - A)
        return B, B @ S @ B.T, S

    def implied(self, theta: np.ndarray) -> np.ndarray:
        _, sig, _ = self.implied_all(theta)
        p = self.p
        return sig[:p, :p]

    # --------------------------------------------------------------- jacobian
    def jacobian_rows(self, theta: np.ndarray, mat, pos) -> np.ndarray:
        """d vec(Sigma) / d value for each (matrix, position) given: shape (p*p, k)."""
        B, sig_all, _ = self.implied_all(theta)
        p = self.p
        Bp = B[:p, :]
        out = np.empty((p * p, len(mat)))
        for k, (m, (i, j)) in enumerate(zip(mat, pos)):
            if m == "A":
                g = Bp[:, i]
                h = sig_all[j, :p]
                d = np.outer(g, h)
                d = d + d.T
            else:
                gi, gj = Bp[:, i], Bp[:, j]
                d = np.outer(gi, gj)
                if i != j:
                    d = d + d.T
            out[:, k] = d.ravel()
        return out

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """d vec(Sigma) / d theta, shape (p*p, npar); rows sharing a label are summed."""
        is_free = self.free > 0
        J = self.jacobian_rows(theta, self.mat[is_free], self.pos[is_free])
        out = np.zeros((J.shape[0], self.npar))
        np.add.at(out.T, self.free[is_free] - 1, J.T)
        return out
