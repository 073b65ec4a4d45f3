"""Nonparametric bootstrap of a fitted model: standard errors and percentile intervals.

As lavaan's ``se = "bootstrap"`` with ``parameterEstimates(boot.ci.type = "perc")``:
rows are resampled with replacement (within each group for multigroup models; all rows,
incomplete ones included, under FIML; the complete rows otherwise), the model is refitted
from the full-sample estimates, non-converged resamples are dropped, the standard error
of every free parameter and defined parameter (``:=``) is the standard deviation of its
bootstrap draws (``ddof=1``), ``z = est / se`` and the 95 % interval is the 2.5 % and
97.5 % percentiles of the draws. Point estimates and ``std_all`` are those of the full
sample.

Resample ``b`` draws its rows from its own generator,
``default_rng(SeedSequence(seed).spawn(B)[b])``, so the draws do not depend on how the
resamples are spread over processes: the work runs on all cores
(:class:`~concurrent.futures.ProcessPoolExecutor`) and is reproducible for a given
``seed``.
"""

from __future__ import annotations

import dataclasses
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from scipy import stats

from . import defined as _defined
from .estimate import fit_ml
from .fiml import missing_patterns
from .meanstructure import Block, complete_block, fit_blocks
from .model import RamModel
from .moments import prepare_data, sample_cov
from .syntax import build_partable, parse_model

__all__ = ["fit_bootstrap", "bootstrap_draws"]

#: resamples per task sent to a worker process
CHUNK = 25
#: gradient tolerance of the refits: estimates to ~1e-7, far below the Monte-Carlo error
GRAD_TOL = 1e-8


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
        q = len(self.theta)
        if self.means:
            blocks = []
            for X, pt in zip(samples, self.partables):
                ram = RamModel.from_partable(pt, self.ov, self.lv, None, None, n_theta=q)
                if np.isnan(X).any():
                    blocks.append(Block(ram, missing_patterns(X)))
                else:
                    blocks.append(complete_block(ram, X))
            res = fit_blocks(blocks, self.theta, grad_tol=GRAD_TOL)
            rams = [b.ram for b in blocks]
        else:
            S = sample_cov(samples[0])
            ram = RamModel.from_partable(self.partables[0], self.ov, self.lv, S)
            res = fit_ml(ram, S, self.theta, grad_tol=GRAD_TOL)
            rams = [ram]
        values = np.concatenate([r.row_values(res.theta) for r in rams])
        if self.defined:
            labels = {}
            for lab, v in zip(self.partables[0]["label"], rams[0].row_values(res.theta)):
                if lab:
                    labels.setdefault(lab, v)
            dv = _defined.defined_values(self.defined, labels)
            values = np.concatenate([values, [dv[d[0]] for d in self.defined]])
        return values, bool(res.converged)


_WORKER: _Refitter | None = None


def _init_worker(refitter):
    global _WORKER
    _WORKER = refitter


def _run_chunk(seeds):
    return [_WORKER(np.random.default_rng(s)) for s in seeds]


def bootstrap_draws(refitter: _Refitter, n_boot: int, seed=None, *, n_workers: int | None = None):
    """Refit ``n_boot`` resamples; returns (draws ``(n_boot, k)``, converged flags)."""
    seeds = np.random.SeedSequence(seed).spawn(n_boot)
    if n_workers is None:
        n_workers = os.cpu_count() or 1
    chunks = [seeds[i:i + CHUNK] for i in range(0, n_boot, CHUNK)]
    if n_workers <= 1 or len(chunks) == 1:
        _init_worker(refitter)
        out = [r for ch in chunks for r in _run_chunk(ch)]
    else:
        with ProcessPoolExecutor(max_workers=min(n_workers, len(chunks)), initializer=_init_worker,
                                 initargs=(refitter,)) as ex:
            out = [r for part in ex.map(_run_chunk, chunks) for r in part]
    return np.array([o[0] for o in out]), np.array([o[1] for o in out])


def _refitter(data, model, base, *, missing, group) -> _Refitter:
    from .multigroup import _group_data, _model_columns

    parsed = parse_model(model)
    _, names = build_partable(parsed, fixed_x=True)
    ov, lv = tuple(names["ov"]), tuple(names["lv"])
    pt = base._partable
    fiml = missing == "fiml"
    if group is None:
        frames, pts = [data], [pt]
    else:
        _, frames = _group_data(data, group)
        pts = [pt[pt["group"] == g].drop(columns="group") for g in range(1, len(frames) + 1)]
    means = bool(base._ram.has_means)
    arrays = []
    for frame in frames:
        X = _model_columns(frame, ov, fiml) if means else prepare_data(frame, ov).to_numpy()
        arrays.append(X[~np.isnan(X).all(axis=1)])
    return _Refitter(tuple(arrays), tuple(pts), ov, lv, tuple(parsed.defined), np.asarray(base._theta), means)


def fit_bootstrap(data: pd.DataFrame, model: str, *, bootstrap: int, seed=None, **options):
    """:func:`cxlab.sem.fit` with ``bootstrap > 0`` (see the module notes).

    Returns
    -------
    SemResult
        The full-sample fit with ``se``, ``z``, ``pvalue``, ``ci_lower``, ``ci_upper``
        of free and defined parameters from the bootstrap, ``vcov`` the covariance of the
        draws, and a warning when resamples failed to converge.
    """
    from .engine import fit

    base = fit(data, model, bootstrap=0, seed=None, **options)
    ref = _refitter(data, model, base, missing=options.get("missing", "listwise"), group=options.get("group"))
    draws, ok = bootstrap_draws(ref, bootstrap, seed)
    return apply_draws(base, draws, ok)


def apply_draws(base, draws: np.ndarray, ok: np.ndarray):
    """Replace the Wald columns of ``base`` by bootstrap ones computed from ``draws``."""
    est = base.estimates.copy()
    good = draws[ok]
    pt = base._partable
    n_pt = len(pt)
    free = np.concatenate([pt["free"].to_numpy(), np.ones(len(est) - n_pt, dtype=int)])
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.where(free > 0, good.std(axis=0, ddof=1) if len(good) > 1 else np.nan, 0.0)
        z = np.where(free > 0, est["est"].to_numpy() / se, np.nan)
    lo, hi = (np.percentile(good, q, axis=0) if len(good) else np.full(len(est), np.nan) for q in (2.5, 97.5))
    est["se"] = se
    est["z"] = z
    est["pvalue"] = 2 * stats.norm.sf(np.abs(z))
    est["ci_lower"] = np.where(free > 0, lo, est["est"])
    est["ci_upper"] = np.where(free > 0, hi, est["est"])
    q = base.vcov.shape[0]
    first = {}
    for k, fr in enumerate(pt["free"].to_numpy()):
        if fr > 0:
            first.setdefault(fr, k)
    cols = [first[i] for i in range(1, q + 1)]
    vcov = np.cov(good[:, cols], rowvar=False) if len(good) > 1 else np.full((q, q), np.nan)
    warnings = list(base.warnings)
    n_bad = int((~ok).sum())
    if n_bad:
        warnings.append(f"{n_bad} of {len(ok)} bootstrap resamples did not converge and were dropped.")
    return dataclasses.replace(base, estimates=est, warnings=warnings,
                               vcov=pd.DataFrame(np.atleast_2d(vcov), index=base.vcov.index, columns=base.vcov.columns))
