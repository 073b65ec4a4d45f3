"""RAM representation of a single-group covariance structure model.

All variables (observed first, in lavaan's order, then latent) are indexed together;
``A[i, j]`` is the effect of variable ``j`` on variable ``i`` (loadings and regressions),
``S`` the symmetric matrix of (residual) variances and covariances, and the implied
covariance of all variables is ``B S B'`` with ``B = (I - A)^-1``. The implied covariance
of the observed variables is its upper-left ``p x p`` block.

With a mean structure (lavaan's ``meanstructure = TRUE``) the intercept rows (op
``"~1"``) fill a vector ``m`` of intercepts of all variables (matrix ``"M"``) and the
implied means are ``B m`` (observed part: the first ``p`` entries).
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
        Per parameter-table row: ``"A"``, ``"S"`` or ``"M"`` (intercept).
    pos : ndarray of int, shape (n_rows, 2)
        Per row: (row, column) in the matrix (``(variable, 0)`` for intercepts).
    free : ndarray of int
        Per row: 1-based free-parameter index, 0 when fixed.
    fixed : ndarray of float
        Per row: the fixed value (including fixed.x sample moments).
    n_theta : int
        Length of the parameter vector when it is shared with other models (the groups
        of a multigroup model); 0 means "this model's own free parameters".
    """

    ov: tuple
    lv: tuple
    mat: np.ndarray
    pos: np.ndarray
    free: np.ndarray
    fixed: np.ndarray
    n_theta: int = 0

    @property
    def p(self) -> int:
        return len(self.ov)

    @property
    def n_vars(self) -> int:
        return len(self.ov) + len(self.lv)

    @property
    def npar(self) -> int:
        own = int(self.free.max()) if len(self.free) else 0
        return max(own, self.n_theta)

    @property
    def has_means(self) -> bool:
        return bool(np.any(self.mat == "M"))

    @classmethod
    def from_partable(cls, pt: pd.DataFrame, ov, lv, sample_cov: np.ndarray, sample_mean=None,
                      n_theta: int = 0) -> "RamModel":
        """Build the model; ``exo`` rows take their value from the sample moments.

        ``sample_mean`` is needed only when the table has ``exo`` intercept rows;
        ``n_theta`` is the length of a parameter vector shared between groups.
        """
        ov, lv = tuple(ov), tuple(lv)
        index = {v: i for i, v in enumerate(ov + lv)}
        mat, pos, fixed = [], [], []
        for row in pt.itertuples(index=False):
            if row.op == "=~":
                mat.append("A")
                pos.append((index[row.rhs], index[row.lhs]))
            elif row.op in ("~", "<~"):  # a regression, or a formative weight
                mat.append("A")
                pos.append((index[row.lhs], index[row.rhs]))
            elif row.op == "~~":
                mat.append("S")
                pos.append((index[row.lhs], index[row.rhs]))
            elif row.op == "~1":
                mat.append("M")
                pos.append((index[row.lhs], 0))
            else:  # pragma: no cover - the parser rejects other operators
                raise NotImplementedError(row.op)
            value = row.fixed
            if row.exo:
                if row.op == "~1":
                    value = sample_mean[index[row.lhs]]
                else:
                    value = sample_cov[index[row.lhs], index[row.rhs]]
            fixed.append(value)
        return cls(
            ov=ov,
            lv=lv,
            mat=np.array(mat),
            pos=np.array(pos, dtype=int).reshape(-1, 2),
            free=pt["free"].to_numpy(dtype=int),
            fixed=np.array(fixed, dtype=float),
            n_theta=int(n_theta),
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
        isS = self.mat == "S"
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

    def intercepts(self, theta: np.ndarray) -> np.ndarray:
        """Intercept vector ``m`` of all variables (zeros without a mean structure)."""
        m = np.zeros(self.n_vars)
        isM = self.mat == "M"
        m[self.pos[isM, 0]] = self.row_values(theta)[isM]
        return m

    def implied_mean_all(self, theta: np.ndarray, B: np.ndarray | None = None) -> np.ndarray:
        """Implied means ``B m`` of all variables."""
        if B is None:
            B = self.implied_all(theta)[0]
        return B @ self.intercepts(theta)

    def implied_mean(self, theta: np.ndarray) -> np.ndarray:
        """Implied means of the observed variables."""
        return self.implied_mean_all(theta)[: self.p]

    # --------------------------------------------------------------- jacobian
    def jacobian_rows(self, theta: np.ndarray, mat, pos) -> np.ndarray:
        """d vec(Sigma) / d value for each (matrix, position) given: shape (p*p, k)."""
        B, sig_all, _ = self.implied_all(theta)
        p = self.p
        Bp = B[:p, :]
        mat = np.asarray(mat)
        pos = np.asarray(pos, dtype=int).reshape(-1, 2)
        out = np.zeros((p, p, len(mat)))
        i, j = pos[:, 0], pos[:, 1]
        a = mat == "A"  # effect of j on i: Bp e_i (Sigma_all)_{j, :p} + transpose
        if a.any():
            d = np.einsum("ak,kb->abk", Bp[:, i[a]], sig_all[j[a], :p])
            out[:, :, a] = d + d.transpose(1, 0, 2)
        s = mat == "S"
        if s.any():
            gi, gj = Bp[:, i[s]], Bp[:, j[s]]
            d = np.einsum("ak,bk->abk", gi, gj)
            off = (i[s] != j[s]).astype(float)
            out[:, :, s] = d + d.transpose(1, 0, 2) * off
        # "M" rows (intercepts) do not move the covariances: zero columns
        return out.reshape(p * p, len(mat))

    def sigma_factors(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The derivatives of ``Sigma`` in factored form: ``(Y, u, v, c, param)``.

        For each free row ``k`` of the table that moves the covariances (``A`` and ``S``
        rows), ``d Sigma / d value_k = c_k (y_u y_v' + y_v y_u')`` with ``y_u = Y[:, u_k]``,
        ``y_v = Y[:, v_k]``; ``Y = [B_p, Sigma_all[:p, :]]`` (``p x 2 n_vars``). An effect
        ``A[i, j]`` has ``u = i``, ``v = n_vars + j``, ``c = 1``; a covariance ``S[i, j]``
        has ``u = i``, ``v = j`` and ``c = 1`` (``1/2`` on the diagonal). ``param`` is the
        0-based free parameter of each row. Every column of :meth:`jacobian` is the sum of
        the ``vec`` of these rank-two matrices over the rows of its parameter, so
        ``J' (A (x) C) J`` is :func:`cxlab.sem.estimate.trace_products` of ``Y' A Y`` and
        ``Y' C Y`` without forming ``J`` (``O(p^2 n_vars)`` instead of ``O(p^3 npar)``).
        """
        B, sig_all, _ = self.implied_all(theta)
        p, nv = self.p, self.n_vars
        Y = np.hstack([B[:p, :], sig_all[:p, :]])
        rows = np.flatnonzero((self.free > 0) & (self.mat != "M"))
        i, j = self.pos[rows, 0], self.pos[rows, 1]
        is_a = self.mat[rows] == "A"
        v = np.where(is_a, nv + j, j)
        c = np.where(~is_a & (i == j), 0.5, 1.0)
        return Y, i, v, c, self.free[rows] - 1

    def jacobian(self, theta: np.ndarray) -> np.ndarray:
        """d vec(Sigma) / d theta, shape (p*p, npar); rows sharing a label are summed."""
        is_free = self.free > 0
        J = self.jacobian_rows(theta, self.mat[is_free], self.pos[is_free])
        P = np.zeros((J.shape[1], self.npar))
        P[np.arange(J.shape[1]), self.free[is_free] - 1] = 1.0
        return J @ P

    def jacobian_mean(self, theta: np.ndarray) -> np.ndarray:
        """d mu / d theta of the observed means, shape (p, npar); shared labels summed.

        ``mu = B_p m``: an intercept moves ``mu`` by column ``i`` of ``B_p``; an effect
        ``A[i, j]`` by column ``i`` of ``B_p`` times the implied mean of variable ``j``.
        """
        B = self.implied_all(theta)[0]
        Bp = B[: self.p, :]
        nu = B @ self.intercepts(theta)
        out = np.zeros((self.p, self.npar))
        i, j = self.pos[:, 0], self.pos[:, 1]
        rows = np.flatnonzero((self.free > 0) & (self.mat != "S"))
        scale = np.where(self.mat[rows] == "M", 1.0, nu[j[rows]])
        np.add.at(out.T, self.free[rows] - 1, (Bp[:, i[rows]] * scale).T)
        return out

    # ------------------------------------------------------ second derivatives
    def hessian_contraction(self, theta: np.ndarray, g_sigma: np.ndarray, g_mu=None) -> np.ndarray:
        """``sum_ab G_ab d2 Sigma_ab / dtheta dtheta' + sum_a g_a d2 mu_a / dtheta dtheta'``, shape (npar, npar).

        ``g_sigma`` is ``G`` (``p x p`` or its ``vec``; only its symmetric part matters),
        ``g_mu`` the vector ``g`` (``p``; omitted: zero). This is the second-derivative
        term of the observed information of any function of the implied moments whose
        gradient with respect to ``(Sigma, mu)`` is ``(G, g)``.

        The rows enter ``A``, ``S`` and ``m`` linearly, so with ``B = (I - A)^-1``,
        ``dB = B dA B`` and, with ``Gh = F' G F`` (``F`` the selection of the observed
        variables), ``Sigma_all = B S B'``, ``nu = B m``, ``T = Sigma_all Gh B``,
        ``U = B' Gh B`` and ``h = B' F' g``, the second derivatives by table row are

        * ``A[i, j]``, ``A[a, b]``: ``2 (B_ja T_bi + B_bi T_ja) + 2 Sigma_jb U_ai + B_ja h_i nu_b + B_bi h_a nu_j``;
        * ``A[i, j]``, ``S[a, b]``: ``2 (B_ja U_bi + B_jb U_ai)`` (one term when ``a = b``);
        * ``A[i, j]``, ``m[a]``: ``B_ja h_i``;
        * all others zero.

        Rows sharing a free parameter (labels, group equalities) are summed.
        """
        p, nv = self.p, self.n_vars
        G = np.asarray(g_sigma, dtype=float).reshape(p, p)
        G = (G + G.T) / 2
        B, sig_all, _ = self.implied_all(theta)
        Bp = B[:p, :]
        U = Bp.T @ G @ Bp
        T = sig_all[:, :p] @ G @ Bp
        nu = B @ self.intercepts(theta)
        h = np.zeros(nv) if g_mu is None else Bp.T @ np.asarray(g_mu, dtype=float)
        rows = np.flatnonzero(self.free > 0)
        mat = self.mat[rows]
        pos = self.pos[rows]
        n = len(rows)
        H = np.zeros((n, n))
        a = np.flatnonzero(mat == "A")
        s = np.flatnonzero(mat == "S")
        m = np.flatnonzero(mat == "M")
        if len(a):
            I, J = pos[a, 0], pos[a, 1]
            Bji = B[np.ix_(J, I)]  # (k, l) -> B[j_k, i_l]
            X = Bji * T[np.ix_(J, I)].T
            Y = Bji * np.outer(h[I], nu[J])
            H[np.ix_(a, a)] = 2.0 * (X + X.T) + 2.0 * sig_all[np.ix_(J, J)] * U[np.ix_(I, I)] + Y + Y.T
            if len(s):
                Sa, Sb = pos[s, 0], pos[s, 1]
                off = (Sa != Sb).astype(float)
                AS = 2.0 * (B[np.ix_(J, Sa)] * U[np.ix_(I, Sb)] + off * B[np.ix_(J, Sb)] * U[np.ix_(I, Sa)])
                H[np.ix_(a, s)] = AS
                H[np.ix_(s, a)] = AS.T
            if len(m):
                AM = h[I][:, None] * B[np.ix_(J, pos[m, 0])]
                H[np.ix_(a, m)] = AM
                H[np.ix_(m, a)] = AM.T
        P = np.zeros((self.npar, n))
        P[self.free[rows] - 1, np.arange(n)] = 1.0
        return P @ H @ P.T
