"""Nonparametric bootstrap of a fitted model: standard errors, percentile and bias-corrected intervals.

As lavaan's ``se = "bootstrap"``: rows are resampled with replacement (within each group
for multigroup models; all rows, incomplete ones included, under FIML; the complete rows
otherwise), and the model is refitted from the full-sample estimates. Point estimates and
``std_all`` are those of the full sample.

* **Refits that fail fast.** A refit starts at the full-sample solution and may take at
  most :data:`MAX_ITER` Newton steps (analytic Hessian, Fisher scoring where it is not
  positive definite; :data:`MAX_ITER_MEANS` scoring steps for mean-structure models) with
  at most :data:`MAX_HALVINGS` step halvings each; a resample that has not converged by
  then (typically one running along a ridge of an ill-conditioned model towards an
  improper solution) fails and is dropped. Failures are counted in
  :class:`BootstrapInfo`, and more than :data:`WARN_FAILED` of them put a warning in
  ``SemResult.warnings``.
* **Intervals.** ``ci="perc"`` (default): the 2.5 % and 97.5 % percentiles of the draws
  (``numpy.percentile``, linear interpolation); ``ci="bc"``: bias-corrected percentiles
  (lavaan's ``bca.simple``: ``z0 = Phi^-1(share of draws below the estimate)``, levels
  ``Phi(2 z0 -+ 1.96)``). Both are in :attr:`BootstrapInfo.intervals`.
* **p-values that agree with the interval**: the p-value of a parameter is the smallest
  ``alpha`` for which 0 lies outside its ``1 - alpha`` interval of the chosen kind, so
  ``p < .05`` exactly when the 95 % interval excludes 0 (``0`` when 0 lies outside every
  interval the draws can give). ``z`` is NaN (no normal approximation is used); ``se`` is
  the standard deviation of the draws (``ddof=1``).

Resample ``b`` draws its rows from its own generator,
``default_rng(SeedSequence(seed).spawn(B)[b])``, so the draws do not depend on how the
resamples are spread over processes: the work runs on all cores
(:class:`~concurrent.futures.ProcessPoolExecutor`, one BLAS thread per process) and is
reproducible for a given ``seed`` whatever ``n_jobs``. ``progress(done, total)`` is called
after each chunk of :data:`CHUNK` resamples.
"""

from __future__ import annotations

import dataclasses
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import numpy as np
import pandas as pd
from scipy import stats

from . import defined as _defined
from .estimate import fit_ml
from .fiml import missing_patterns
from .meanstructure import Block, complete_block, fit_blocks
from .model import RamModel
from .moments import group_frames, model_columns, prepare_data, sample_cov
from .syntax import parse_model, variable_names
from .threads import single_blas_thread

__all__ = ["fit_bootstrap", "bootstrap_draws", "apply_draws", "BootstrapInfo", "interval_pvalues"]

#: resamples per task sent to a worker process
CHUNK = 25
#: gradient tolerance of the refits: estimates to ~1e-7, far below the Monte-Carlo error
GRAD_TOL = 1e-8
#: iteration cap of a refit (Newton steps from the full-sample solution)
MAX_ITER = 30
#: iteration cap of a mean-structure refit (Fisher scoring)
MAX_ITER_MEANS = 100
#: step halvings allowed per iteration of a refit
MAX_HALVINGS = 5
#: share of failed resamples above which the result carries a warning
WARN_FAILED = 0.10
_Z975 = stats.norm.ppf(0.975)


@dataclasses.dataclass(frozen=True)
class BootstrapInfo:
    """How a bootstrap went (``SemResult.bootstrap_info``).

    Attributes
    ----------
    n_boot, n_ok, n_failed : int
        Resamples drawn, converged (used) and failed (dropped).
    seconds : float
        Wall time of the resamples.
    n_jobs : int
        Processes used.
    seed : int or None
    ci : str
        ``"perc"`` or ``"bc"``: the interval in the ``ci_lower``/``ci_upper`` columns.
    intervals : DataFrame
        Per free or defined parameter: ``lhs, op, rhs`` (and ``group``), ``est``,
        ``se_boot``, ``se_model`` (the ML/robust SE of the fit without bootstrap),
        ``perc_lower, perc_upper, perc_pvalue, bc_lower, bc_upper, bc_pvalue``.
    """

    n_boot: int
    n_ok: int
    n_failed: int
    seconds: float
    n_jobs: int
    seed: int | None
    ci: str
    intervals: pd.DataFrame = dataclasses.field(repr=False)

    @property
    def failed_share(self) -> float:
        return self.n_failed / self.n_boot if self.n_boot else 0.0


@dataclasses.dataclass(frozen=True)
class _Refitter:
    """Everything a worker needs to refit one resample (picklable)."""

    arrays: tuple  # per group: the rows (complete rows, or all rows with NaN under FIML)
    partables: tuple  # per group
    ov: tuple
    lv: tuple
    defined: tuple
    theta: np.ndarray
    means: bool  # mean-structure likelihood (groups, FIML, intercepts)

    def __call__(self, rng: np.random.Generator):
        samples = [X[rng.integers(0, len(X), len(X))] for X in self.arrays]
        try:
            values, ok = self._refit(samples)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            values, ok = None, False
        if values is None or not np.all(np.isfinite(values)):
            values, ok = np.full(self._width(), np.nan), False
        return values, ok

    def _ram(self, S: np.ndarray) -> RamModel:
        """The model of a resample: the table's model with the fixed.x rows set from ``S``."""
        cache = self.__dict__.get("_template")  # built once per process, kept on the (frozen) refitter
        if cache is None:
            pt = self.partables[0]
            ram = RamModel.from_partable(pt, self.ov, self.lv, np.zeros((len(self.ov),) * 2))
            exo = np.flatnonzero(pt["exo"].to_numpy(bool) & (ram.mat == "S"))
            cache = (ram, exo)
            object.__setattr__(self, "_template", cache)
        ram, exo = cache
        if len(exo) == 0:
            return ram
        fixed = ram.fixed.copy()
        fixed[exo] = S[ram.pos[exo, 0], ram.pos[exo, 1]]
        return dataclasses.replace(ram, fixed=fixed)

    def _width(self) -> int:
        return sum(len(pt) for pt in self.partables) + len(self.defined)

    def _refit(self, samples):
        q = len(self.theta)
        if self.means:
            blocks = []
            for X, pt in zip(samples, self.partables):
                ram = RamModel.from_partable(pt, self.ov, self.lv, None, None, n_theta=q)
                if np.isnan(X).any():
                    blocks.append(Block(ram, missing_patterns(X)))
                else:
                    blocks.append(complete_block(ram, X))
            res = fit_blocks(blocks, self.theta, grad_tol=GRAD_TOL, max_iter=MAX_ITER_MEANS)
            rams = [b.ram for b in blocks]
        else:
            S = sample_cov(samples[0])
            ram = self._ram(S)
            res = fit_ml(ram, S, self.theta, grad_tol=GRAD_TOL, max_iter=MAX_ITER, newton=True,
                         max_halvings=MAX_HALVINGS)
            rams = [ram]
        values = np.concatenate([r.row_values(res.theta) for r in rams])
        if self.defined:
            labels = _defined.label_values([pt["label"] for pt in self.partables],
                                           [r.row_values(res.theta) for r in rams])
            dv = _defined.defined_values(self.defined, labels)
            values = np.concatenate([values, [dv[d[0]] for d in self.defined]])
        return values, bool(res.converged)


_WORKER: _Refitter | None = None


def _init_worker(refitter):
    global _WORKER
    _WORKER = refitter
    single_blas_thread()


def _run_chunk(seeds):
    return [_WORKER(np.random.default_rng(s)) for s in seeds]


def bootstrap_draws(refitter: _Refitter, n_boot: int, seed=None, *, n_workers: int | None = None, progress=None):
    """Refit ``n_boot`` resamples; returns (draws ``(n_boot, k)``, converged flags).

    ``progress(done, total)`` is called after every chunk; draws of failed resamples are NaN.
    """
    seeds = np.random.SeedSequence(seed).spawn(n_boot)
    if n_workers is None:
        n_workers = os.cpu_count() or 1
    chunks = [seeds[i:i + CHUNK] for i in range(0, n_boot, CHUNK)]
    parts = [None] * len(chunks)
    done = 0
    if n_workers <= 1 or len(chunks) == 1:
        _init_worker(refitter)
        for i, ch in enumerate(chunks):
            parts[i] = _run_chunk(ch)
            done += len(ch)
            if progress is not None:
                progress(done, n_boot)
    else:
        with ProcessPoolExecutor(max_workers=min(n_workers, len(chunks)), initializer=_init_worker,
                                 initargs=(refitter,)) as ex:
            futures = {ex.submit(_run_chunk, ch): i for i, ch in enumerate(chunks)}
            for fut in as_completed(futures):
                i = futures[fut]
                parts[i] = fut.result()
                done += len(chunks[i])
                if progress is not None:
                    progress(done, n_boot)
    out = [r for part in parts for r in part]
    return np.array([o[0] for o in out]), np.array([o[1] for o in out], dtype=bool)


def _refitter(data, model, base, *, missing, group) -> _Refitter:
    parsed = parse_model(model)
    if parsed.constraints or parsed.inequalities:
        raise NotImplementedError("bootstrap with explicit constraints ('==', '<', '>') is not implemented yet: the "
                                  "resamples would be refitted without them.")
    names = variable_names(parsed.formulas)  # the groups' tables come from base.partable
    ov, lv = tuple(names["ov"]), tuple(names["lv"])
    pt = base.partable
    fiml = missing == "fiml"
    if group is None:
        frames, pts = [data], [pt]
    else:
        _, frames = group_frames(data, group)
        pts = [pt[pt["group"] == g].drop(columns="group") for g in range(1, len(frames) + 1)]
    means = bool(base.ram.has_means)
    arrays = []
    for frame in frames:
        X = model_columns(frame, ov, fiml) if means else prepare_data(frame, ov).to_numpy()
        arrays.append(X[~np.isnan(X).all(axis=1)])
    return _Refitter(tuple(arrays), tuple(pts), ov, lv, tuple(parsed.defined), np.asarray(base.theta), means)


def fit_bootstrap(data: pd.DataFrame, model: str, base, *, bootstrap: int, seed=None, n_jobs=None, progress=None,
                  ci: str = "perc", missing: str = "listwise", group=None):
    """The bootstrap of :func:`cxlab.sem.fit` with ``bootstrap > 0`` (see the module notes).

    ``base`` is the full-sample fit (a :class:`~cxlab.sem.result.SemResult` of the same
    ``data``, ``model``, ``missing`` and ``group``); the resamples start from its solution.

    Returns
    -------
    SemResult
        The full-sample fit with ``se``, ``pvalue``, ``ci_lower``, ``ci_upper`` of free and
        defined parameters from the bootstrap (``z`` NaN), ``vcov`` the covariance of the
        draws, ``bootstrap_info`` (:class:`BootstrapInfo`) and a warning when more than
        10 % of the resamples failed.
    """
    ref = _refitter(data, model, base, missing=missing, group=group)
    n_workers = (os.cpu_count() or 1) if n_jobs is None else int(n_jobs)
    t0 = time.perf_counter()
    draws, ok = bootstrap_draws(ref, bootstrap, seed, n_workers=n_workers, progress=progress)
    seconds = time.perf_counter() - t0
    return apply_draws(base, draws, ok, ci=ci, seconds=seconds, n_jobs=n_workers, seed=seed)


def interval_pvalues(draws: np.ndarray, est: np.ndarray, ci: str = "perc") -> np.ndarray:
    """p-values that agree with the ``ci`` intervals of ``draws`` (one column per parameter).

    The smallest ``alpha`` for which 0 lies outside the ``1 - alpha`` interval:
    ``2 Phi(-|Phi^-1(q0) - 2 z0|)``, with ``q0`` the position of 0 among the sorted draws
    (the inverse of ``numpy.percentile``'s linear interpolation) and ``z0`` the bias
    correction (0 for ``"perc"``).

    Examples
    --------
    >>> d = np.linspace(-1, 3, 401)[:, None]  # 0 sits at the 25th percentile
    >>> float(interval_pvalues(d, np.array([1.0]))[0])
    0.5
    """
    n, k = draws.shape
    out = np.full(k, np.nan)
    if n < 2:
        return out
    z0 = _bias(draws, est) if ci == "bc" else np.zeros(k)
    for j in range(k):
        d = np.sort(draws[:, j])
        if d[0] == d[-1]:
            continue
        if 0 <= d[0] or 0 >= d[-1]:
            q0 = 0.0 if 0 <= d[0] else 1.0
            q0 = 0.5 if d[0] == 0 == d[-1] else q0
        else:
            i = int(np.searchsorted(d, 0.0, side="right")) - 1  # d[i] <= 0 < d[i + 1]
            frac = (0.0 - d[i]) / (d[i + 1] - d[i])
            q0 = (i + frac) / (n - 1)
        with np.errstate(invalid="ignore"):
            w = stats.norm.ppf(q0) - 2 * z0[j]
        out[j] = 2 * stats.norm.sf(abs(w))
    return out


def _bias(draws: np.ndarray, est: np.ndarray) -> np.ndarray:
    """lavaan's bca.simple bias correction ``z0 = Phi^-1(share of draws below the estimate)``."""
    with np.errstate(divide="ignore"):
        return stats.norm.ppf(np.mean(draws < est, axis=0))


def _intervals(good: np.ndarray, est: np.ndarray):
    """(perc_lower, perc_upper, bc_lower, bc_upper) of every column of ``good``."""
    k = good.shape[1]
    if len(good) == 0:
        nan = np.full(k, np.nan)
        return nan, nan, nan, nan
    lo, hi = np.percentile(good, [2.5, 97.5], axis=0)
    z0 = _bias(good, est)
    bc_lo, bc_hi = np.full(k, np.nan), np.full(k, np.nan)
    fin = np.isfinite(z0)
    for j in np.flatnonzero(fin):
        levels = 100 * stats.norm.cdf(2 * z0[j] + np.array([-_Z975, _Z975]))
        bc_lo[j], bc_hi[j] = np.percentile(good[:, j], levels)
    return lo, hi, bc_lo, bc_hi


def apply_draws(base, draws: np.ndarray, ok: np.ndarray, *, ci: str = "perc", seconds: float = np.nan,
                n_jobs: int = 1, seed=None):
    """Replace the Wald columns of ``base`` by bootstrap ones computed from ``draws``."""
    if ci not in ("perc", "bc"):
        raise ValueError(f"The 'boot_ci' parameter of fit must be one of 'perc', 'bc'. Got {ci!r} instead.")
    est = base.estimates.copy()
    good = draws[ok]
    pt = base.partable
    n_pt = len(pt)
    free = np.concatenate([pt["free"].to_numpy(), np.ones(len(est) - n_pt, dtype=int)]) > 0
    point = est["est"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        se = good.std(axis=0, ddof=1) if len(good) > 1 else np.full(len(est), np.nan)
    lo, hi, bc_lo, bc_hi = _intervals(good, point)
    p_perc = interval_pvalues(good, point, "perc")
    p_bc = interval_pvalues(good, point, "bc")
    use_lo, use_hi, use_p = (lo, hi, p_perc) if ci == "perc" else (bc_lo, bc_hi, p_bc)
    se_model = est["se"].to_numpy(float)
    est["se"] = np.where(free, se, 0.0)
    est["z"] = np.nan
    est["pvalue"] = np.where(free, use_p, np.nan)
    est["ci_lower"] = np.where(free, use_lo, point)
    est["ci_upper"] = np.where(free, use_hi, point)
    keys = [c for c in ("lhs", "op", "rhs", "group") if c in est.columns]
    intervals = est.loc[free, keys].assign(
        est=point[free], se_boot=se[free], se_model=se_model[free], perc_lower=lo[free], perc_upper=hi[free],
        perc_pvalue=p_perc[free], bc_lower=bc_lo[free], bc_upper=bc_hi[free], bc_pvalue=p_bc[free],
    ).reset_index(drop=True)
    q = base.vcov.shape[0]
    first = {}
    for k, fr in enumerate(pt["free"].to_numpy()):
        if fr > 0:
            first.setdefault(fr, k)
    cols = [first[i] for i in range(1, q + 1)]
    vcov = np.cov(good[:, cols], rowvar=False) if len(good) > 1 else np.full((q, q), np.nan)
    warnings = list(base.warnings)
    n_boot, n_bad = len(ok), int((~ok).sum())
    if n_boot and n_bad / n_boot > WARN_FAILED:
        warnings.append(
            f"{n_bad} of {n_boot} bootstrap resamples ({100 * n_bad / n_boot:.0f} %) failed (no convergence within "
            f"{MAX_ITER} iterations from the full-sample solution) and were dropped: the bootstrap standard errors, "
            f"intervals and p-values rest on the {n_boot - n_bad} that converged and may understate the uncertainty; "
            "compare them with the model-based standard errors (bootstrap_info.intervals, column se_model).")
    info = BootstrapInfo(n_boot=n_boot, n_ok=n_boot - n_bad, n_failed=n_bad, seconds=float(seconds),
                         n_jobs=int(n_jobs), seed=None if seed is None else int(seed), ci=ci, intervals=intervals)
    return dataclasses.replace(base, estimates=est, warnings=warnings, bootstrap_info=info,
                               vcov=pd.DataFrame(np.atleast_2d(vcov), index=base.vcov.index, columns=base.vcov.columns))
