"""Headline CX metrics with honest uncertainty: NPS, CSAT, CES, Temkin XI, intention to stay.

Every metric returns a small frozen result with the same core fields
(``metric, value, se, ci_lower, ci_upper, n, n_eff, n_missing, ci, method``);
share-type metrics are in percent (0-100) and net scores (NPS, Temkin) in
percentage points (-100..100). Missing answers (NaN/None) are dropped and
counted in ``n_missing``; any other value outside the scale, or not a whole
number, raises ``ValueError`` naming how many and where.

Weighted versions take survey weights: shares become weighted shares, standard
errors come from Taylor linearisation of the ratio estimator, and ``n_eff`` is
Kish's effective sample size (sum w)² / sum w².

``compare`` tests the change between two independent periods,
``compare_to_baseline`` does so for several periods with Holm's adjustment, and
``summarise`` builds a tidy table per group with small-cell suppression.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._validation import check_choice, check_ci, check_frame, check_int, param_error, renamed_parameters

__all__ = [
    "MetricResult",
    "NPSResult",
    "CSATResult",
    "CESResult",
    "TemkinResult",
    "ComparisonResult",
    "nps",
    "csat",
    "ces",
    "temkin_xi",
    "intention_to_stay",
    "compare",
    "compare_to_baseline",
    "holm",
    "summarise",
]

_NPS_METHODS = ("wald", "adjusted_wald", "score", "bootstrap")
_MEAN_SHARE_METHODS = ("wald", "bootstrap")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class MetricResult:
    """A headline metric with its uncertainty.

    Attributes
    ----------
    metric : str
        Name of the metric (``"nps"``, ``"csat"``, ...).
    value : float
        The estimate (percent for shares, points for net scores, scale units for means).
    se : float
        Standard error of ``value`` (analytic, whatever the CI method).
    ci_lower, ci_upper : float
        Confidence interval at level ``ci``.
    n : int
        Valid answers used.
    n_eff : float
        Kish effective sample size (equals ``n`` without weights).
    n_missing : int
        Missing answers dropped.
    ci : float
        Confidence level.
    method : str
        CI method.
    """

    metric: str
    value: float
    se: float
    ci_lower: float
    ci_upper: float
    n: int
    n_eff: float
    n_missing: int
    ci: float
    method: str


@dataclass(frozen=True)
class NPSResult(MetricResult):
    """NPS result; ``promoters``, ``passives``, ``detractors`` are shares in [0, 1]."""

    promoters: float
    passives: float
    detractors: float


@dataclass(frozen=True)
class CSATResult(MetricResult):
    """CSAT: ``value`` is the top-box share (percent); the mean has its own SE and CI."""

    mean: float
    mean_se: float
    mean_ci_lower: float
    mean_ci_upper: float


@dataclass(frozen=True)
class CESResult(MetricResult):
    """CES: ``value`` is the mean score; ``share`` is the percent agreeing (top box)."""

    share: float
    share_se: float
    share_ci_lower: float
    share_ci_upper: float


@dataclass(frozen=True)
class TemkinResult(MetricResult):
    """Temkin Experience Index; ``questions`` has one row per question."""

    questions: pd.DataFrame


@dataclass(frozen=True)
class ComparisonResult:
    """Difference ``b - a`` between two independent estimates, with a z-test."""

    diff: float
    se: float
    z: float
    pvalue: float
    ci_lower: float
    ci_upper: float
    ci: float


# ---------------------------------------------------------------------------- checks
def _check_scale(scale, caller):
    ok = (
        isinstance(scale, tuple | list)
        and len(scale) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in scale)
        and scale[0] < scale[1]
    )
    if not ok:
        raise param_error("scale", caller, "be a (low, high) pair of integers with low < high", scale)
    return int(scale[0]), int(scale[1])


def _check_top(top, scale, caller):
    width = scale[1] - scale[0] + 1
    check_int(top, "top", caller, low=1, high=width - 1,
              must=f"an int from 1 to {width - 1} for scale {scale}")


def _as_float_array(values, name, caller):
    if isinstance(values, pd.DataFrame):
        raise param_error(name, caller,
                          "be one-dimensional", None,
                          got="a DataFrame")
    if isinstance(values, pd.Series):
        arr = values.to_numpy(dtype=object) if values.dtype == object else values.to_numpy()
    else:
        arr = np.asarray(values, dtype=object) if not isinstance(values, np.ndarray) else values
    if arr.ndim != 1:
        raise param_error(name, caller,
                          "be one-dimensional", None,
                          got=f"shape {arr.shape}")
    if arr.dtype.kind in "fiub":
        return arr.astype(float)
    out = np.empty(arr.shape[0])
    for i, v in enumerate(arr):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out[i] = np.nan
        elif isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
            out[i] = float(v)
        else:
            raise ValueError(
                f"The {name!r} parameter of {caller} must hold numbers. "
                f"Got {v!r} at position {i}."
            )
    return out


def _clean(scores, low, high, caller, weights=None, name="scores"):
    """Validate scores on an integer scale; return (values, weights or None, n_missing)."""
    x = _as_float_array(scores, name, caller)
    missing = np.isnan(x)
    present = ~missing
    bad = present & ((x < low) | (x > high) | (np.floor(x) != x) | ~np.isfinite(x))
    if bad.any():
        pos = np.flatnonzero(bad)
        shown = ", ".join(repr(float(v)) if not float(v).is_integer() else str(int(v))
                          for v in x[pos[:5]])
        raise ValueError(
            f"The {name!r} parameter of {caller} must hold whole numbers from {low} to {high} "
            f"(missing values are dropped). Got {bad.sum()} invalid value(s), first at "
            f"positions {pos[:5].tolist()}: {shown}."
        )
    w = None
    if weights is not None:
        w = _as_float_array(weights, "weights", caller)
        if w.shape != x.shape:
            raise ValueError(
                f"The 'weights' parameter of {caller} must have the same length as {name!r}. "
                f"Got {w.shape[0]} weights for {x.shape[0]} values."
            )
        badw = ~np.isfinite(w) | (w < 0)
        if badw.any():
            pos = np.flatnonzero(badw)
            raise ValueError(
                f"The 'weights' parameter of {caller} must hold finite non-negative numbers. "
                f"Got {badw.sum()} invalid weight(s), first at positions {pos[:5].tolist()}."
            )
        w = w[present]
    x = x[present]
    if x.size == 0:
        raise ValueError(f"The {name!r} parameter of {caller} holds no valid answers.")
    if w is not None and w.sum() <= 0:
        raise ValueError(f"The 'weights' parameter of {caller} must not sum to zero.")
    return x, w, int(missing.sum())


def _zcrit(ci):
    return float(stats.norm.ppf(0.5 + ci / 2))


def _kish(w, n):
    return float(n) if w is None else float(w.sum() ** 2 / np.sum(w**2))


def _wmean_se(z, w):
    """Weighted mean of z and its linearised SE (plug-in, divisor sum(w)²).

    With equal weights this is sqrt(sum (z - mean)² / n²) = population SD / sqrt(n),
    i.e. the textbook multinomial variance p(1 - p) / n for indicators.
    """
    if w is None:
        m = float(z.mean())
        se = float(np.sqrt(np.mean((z - m) ** 2) / z.size))
        return m, se
    sw = w.sum()
    m = float(np.sum(w * z) / sw)
    se = float(np.sqrt(np.sum(w**2 * (z - m) ** 2)) / sw)
    return m, se


def _boot_rng(seed):
    return np.random.default_rng(np.random.SeedSequence(seed))


def _boot_means(z, w, n_boot, seed, chunk=200):
    """Bootstrap distribution of the (weighted) mean of z, rows resampled."""
    rng = _boot_rng(seed)
    n = z.size
    out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        stop = min(n_boot, start + chunk)
        idx = rng.integers(0, n, size=(stop - start, n))
        if w is None:
            out[start:stop] = z[idx].mean(axis=1)
        else:
            ww = w[idx]
            out[start:stop] = (ww * z[idx]).sum(axis=1) / ww.sum(axis=1)
    return out


def _wilson(p, n, z):
    """Wilson score interval for a proportion (n may be an effective sample size)."""
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


# ------------------------------------------------------------------------------- NPS
def _tango_restricted_detractor(b, c, n, delta):
    """Restricted MLE of the detractor share given promoters - detractors = delta.

    Tango (1998), eq. for the paired-difference score test; promoters play the
    role of the (1, 2) cell and detractors the (2, 1) cell.
    """
    a_ = 2.0 * n
    b_ = -b - c + (2.0 * n - b + c) * delta
    c_ = -c * delta * (1.0 - delta)
    disc = max(b_ * b_ - 4.0 * a_ * c_, 0.0)
    return (-b_ + math.sqrt(disc)) / (2.0 * a_)


def _tango_z(b, c, n, delta):
    q21 = _tango_restricted_detractor(b, c, n, delta)
    var = n * (2.0 * q21 + delta * (1.0 - delta))
    num = b - c - n * delta
    if var <= 0:
        return math.copysign(math.inf, num) if num != 0 else 0.0
    return num / math.sqrt(var)


def _nps_score_interval(b, c, n, z):
    """Score (Tango 1998) interval for promoters - detractors, on the [-1, 1] scale."""
    est = (b - c) / n
    eps = 1e-12
    if est <= -1 + eps:
        lower = -1.0
    else:
        lower = optimize.brentq(lambda d: _tango_z(b, c, n, d) - z, -1 + eps, est, xtol=1e-13)
    if est >= 1 - eps:
        upper = 1.0
    else:
        upper = optimize.brentq(lambda d: _tango_z(b, c, n, d) + z, est, 1 - eps, xtol=1e-13)
    return lower, upper


def nps(
    scores,
    *,
    weights=None,
    ci: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = None,
) -> NPSResult:
    """Net Promoter Score with standard error and confidence interval.

    Parameters
    ----------
    scores : array-like of int
        Likelihood-to-recommend answers on 0-10; missing values (NaN/None) are dropped.
    weights : array-like of float, optional
        Survey weights (same length as ``scores``).
    ci : float, default=0.95
        Confidence level.
    method : {"wald", "adjusted_wald", "score", "bootstrap"}, default="wald"
        Interval: ``"wald"`` value ± z·se (clipped to [-100, 100]);
        ``"adjusted_wald"`` adds 3/4 of a respondent to promoters and to
        detractors and 3/2 to passives (n + 3) before the Wald formula
        (Rocks 2016); ``"score"`` inverts the trinomial score test of
        promoters - detractors = delta with the restricted MLE of Tango (1998),
        a Wilson-type interval that stays inside [-100, 100] and behaves at small
        n and extreme scores (Rocks 2016 found it among the best);
        ``"bootstrap"`` percentile interval from ``n_boot`` row resamples.
        With weights, ``adjusted_wald`` and ``score`` use the weighted shares
        with Kish's effective sample size in place of n.
    n_boot : int, default=2000
        Bootstrap resamples (``method="bootstrap"`` only).
    seed : int or None, default=None
        Seed for the bootstrap.

    Returns
    -------
    NPSResult
        ``value`` (points, -100..100), ``se`` (points), ``ci_lower``, ``ci_upper``,
        ``n``, ``n_eff``, ``n_missing``, and ``promoters``, ``passives``,
        ``detractors`` as shares in [0, 1].

    Notes
    -----
    Promoters answer 9-10, passives 7-8, detractors 0-6. With shares p and d,
    NPS = 100 (p - d) and, the three categories being one multinomial draw,
    Var(p̂ - d̂) = [p + d - (p - d)²] / n, so se = 100·sqrt of that. With
    weights w, NPS is the weighted mean of z_i in {-100, 0, 100} and the
    linearised variance is sum w_i² (z_i - NPS)² / (sum w_i)², which reduces to
    the trinomial formula for equal weights.

    References
    ----------
    .. [1] Rocks, B. (2016). Interval estimation for the "Net Promoter Score".
       *The American Statistician*, 70(4), 365-372.
    .. [2] Tango, T. (1998). Equivalence test and confidence interval for the
       difference in proportions for the paired-sample design. *Statistics in
       Medicine*, 17(8), 891-908.
    .. [3] Kish, L. (1965). *Survey Sampling*. Wiley.

    Examples
    --------
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 0])
    >>> r.value, r.promoters, r.detractors
    (20.0, 0.5, 0.3)
    >>> round(r.se, 3)
    27.568
    >>> r = nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 0], method="score")
    >>> -100 <= r.ci_lower < r.value < r.ci_upper <= 100
    True
    """
    caller = "nps"
    check_choice(method, "method", caller, _NPS_METHODS)
    check_ci(ci, caller)
    if method == "bootstrap":
        check_int(n_boot, "n_boot", caller, low=100)
    x, w, n_missing = _clean(scores, 0, 10, caller, weights)
    n = x.size
    pro = (x >= 9).astype(float)
    det = (x <= 6).astype(float)
    zi = 100.0 * (pro - det)
    value, se = _wmean_se(zi, w)
    pas = 1.0 - pro - det
    if w is None:
        p, d, q = float(pro.mean()), float(det.mean()), float(pas.mean())
    else:
        sw = w.sum()
        p, d, q = (float(np.sum(w * pro) / sw), float(np.sum(w * det) / sw),
                   float(np.sum(w * pas) / sw))
    n_eff = _kish(w, n)
    zc = _zcrit(ci)
    if method == "wald":
        lo, hi = value - zc * se, value + zc * se
    elif method == "adjusted_wald":
        na = n_eff + 3.0
        pa, da = (p * n_eff + 0.75) / na, (d * n_eff + 0.75) / na
        centre = 100.0 * (pa - da)
        sea = 100.0 * math.sqrt(max(pa + da - (pa - da) ** 2, 0.0) / na)
        lo, hi = centre - zc * sea, centre + zc * sea
    elif method == "score":
        lo, hi = _nps_score_interval(p * n_eff, d * n_eff, n_eff, zc)
        lo, hi = 100.0 * lo, 100.0 * hi
    else:
        boot = _boot_means(zi, w, n_boot, seed)
        lo, hi = np.quantile(boot, [(1 - ci) / 2, (1 + ci) / 2])
    return NPSResult(
        metric="nps", value=value, se=se,
        ci_lower=float(max(lo, -100.0)), ci_upper=float(min(hi, 100.0)),
        n=n, n_eff=n_eff, n_missing=n_missing, ci=float(ci), method=method,
        promoters=p, passives=q, detractors=d,
    )


# ------------------------------------------------------------ shares and means (CSAT)
def _share(x, w, hit, ci, method, n_boot, seed):
    """Percent of answers in ``hit``: (value, se, lower, upper) with a Wilson CI."""
    ind = hit.astype(float)
    p, se = _wmean_se(ind, w)
    n_eff = _kish(w, x.size)
    if method == "bootstrap":
        boot = _boot_means(ind, w, n_boot, seed)
        lo, hi = np.quantile(boot, [(1 - ci) / 2, (1 + ci) / 2])
    else:
        lo, hi = _wilson(p, n_eff, _zcrit(ci))
    return 100.0 * p, 100.0 * se, 100.0 * float(lo), 100.0 * float(hi)


def _mean(x, w, ci, method, n_boot, seed):
    """Mean with SE (sample SD / sqrt(n); linearised when weighted) and t interval."""
    n = x.size
    if w is None:
        m = float(x.mean())
        se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        df = n - 1
    else:
        m, se = _wmean_se(x, w)
        n_eff = _kish(w, n)
        se *= math.sqrt(n_eff / (n_eff - 1)) if n_eff > 1 else math.nan
        df = n_eff - 1
    if method == "bootstrap":
        boot = _boot_means(x, w, n_boot, seed)
        lo, hi = np.quantile(boot, [(1 - ci) / 2, (1 + ci) / 2])
    elif df > 0:
        tc = float(stats.t.ppf(0.5 + ci / 2, df))
        lo, hi = m - tc * se, m + tc * se
    else:
        lo = hi = math.nan
    return m, se, float(lo), float(hi)


def _top_box(caller, scores, scale, top, weights, ci, method, n_boot, seed, *, with_mean=True):
    """Validate, clean and score a rating item: (x, w, n_missing, share of top box, mean)."""
    scale = _check_scale(scale, caller)
    _check_top(top, scale, caller)
    check_choice(method, "method", caller, _MEAN_SHARE_METHODS)
    check_ci(ci, caller)
    if method == "bootstrap":
        check_int(n_boot, "n_boot", caller, low=100)
    x, w, n_missing = _clean(scores, scale[0], scale[1], caller, weights)
    share = _share(x, w, x > scale[1] - top, ci, method, n_boot, seed)
    mean = _mean(x, w, ci, method, n_boot, seed) if with_mean else None
    return x, w, n_missing, share, mean


def csat(
    scores,
    *,
    scale: tuple[int, int] = (1, 5),
    top: int = 2,
    weights=None,
    ci: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = None,
) -> CSATResult:
    """Customer satisfaction: top-box share (Wilson CI) and mean score (t CI).

    Parameters
    ----------
    scores : array-like of int
        Answers on ``scale``; missing values are dropped.
    scale : (int, int), default=(1, 5)
        Lowest and highest answer, e.g. ``(1, 5)`` or ``(1, 7)``.
    top : int, default=2
        Number of top categories counted as satisfied (2 = top-2-box).
    weights : array-like of float, optional
        Survey weights; the Wilson interval then uses Kish's n_eff.
    ci : float, default=0.95
        Confidence level.
    method : {"wald", "bootstrap"}, default="wald"
        ``"wald"``: Wilson score interval for the share and a t interval for
        the mean; ``"bootstrap"``: percentile intervals for both.
    n_boot, seed : int, int or None
        Bootstrap resamples and seed.

    Returns
    -------
    CSATResult
        ``value`` = top-box share in percent with ``se``, ``ci_lower``,
        ``ci_upper``; ``mean``, ``mean_se``, ``mean_ci_lower``, ``mean_ci_upper``.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and
       statistical inference. *JASA*, 22(158), 209-212.

    Examples
    --------
    >>> r = csat([5, 4, 4, 3, 5, 2, 4, 5, 1, 4])
    >>> r.value, r.mean
    (70.0, 3.7)
    >>> round(r.ci_lower, 2), round(r.ci_upper, 2)
    (39.68, 89.22)
    """
    x, w, n_missing, share, mean = _top_box("csat", scores, scale, top, weights, ci, method, n_boot, seed)
    (value, se, lo, hi), (m, mse, mlo, mhi) = share, mean
    return CSATResult(
        metric="csat", value=value, se=se, ci_lower=lo, ci_upper=hi,
        n=x.size, n_eff=_kish(w, x.size), n_missing=n_missing, ci=float(ci), method=method,
        mean=m, mean_se=mse, mean_ci_lower=mlo, mean_ci_upper=mhi,
    )


def ces(
    scores,
    *,
    scale: tuple[int, int] = (1, 7),
    top: int = 3,
    weights=None,
    ci: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = None,
) -> CESResult:
    """Customer Effort Score: mean agreement that the task was easy, and share agreeing.

    Parameters
    ----------
    scores : array-like of int
        Answers to "The company made it easy for me to handle my issue" on
        ``scale`` (higher = easier); missing values are dropped.
    scale : (int, int), default=(1, 7)
        Lowest and highest answer.
    top : int, default=3
        Top categories counted as agreeing (on 1-7: 5, 6, 7).
    weights, ci, method, n_boot, seed
        As in :func:`csat`.

    Returns
    -------
    CESResult
        ``value`` = mean with ``se`` and t interval; ``share``, ``share_se``,
        ``share_ci_lower``, ``share_ci_upper`` = percent agreeing (Wilson CI).

    Examples
    --------
    >>> r = ces([7, 6, 5, 5, 4, 2, 7, 6])
    >>> r.value, r.share
    (5.25, 75.0)
    """
    x, w, n_missing, share, mean = _top_box("ces", scores, scale, top, weights, ci, method, n_boot, seed)
    (s, sse, slo, shi), (m, mse, mlo, mhi) = share, mean
    return CESResult(
        metric="ces", value=m, se=mse, ci_lower=mlo, ci_upper=mhi,
        n=x.size, n_eff=_kish(w, x.size), n_missing=n_missing, ci=float(ci), method=method,
        share=s, share_se=sse, share_ci_lower=slo, share_ci_upper=shi,
    )


def intention_to_stay(
    scores,
    *,
    scale: tuple[int, int] = (1, 5),
    top: int = 2,
    weights=None,
    ci: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = None,
) -> MetricResult:
    """Intention to stay: percent in the top ``top`` categories, Wilson interval.

    Parameters
    ----------
    scores : array-like of int
        Answers on ``scale``; missing values are dropped.
    scale : (int, int), default=(1, 5)
    top : int, default=2
    weights, ci, method, n_boot, seed
        As in :func:`csat`.

    Returns
    -------
    MetricResult

    Examples
    --------
    >>> intention_to_stay([5, 4, 3, 5, 2, None]).value
    60.0
    """
    x, w, n_missing, share, _ = _top_box("intention_to_stay", scores, scale, top, weights, ci, method, n_boot, seed,
                                         with_mean=False)
    value, se, lo, hi = share
    return MetricResult(
        metric="intention_to_stay", value=value, se=se, ci_lower=lo, ci_upper=hi,
        n=x.size, n_eff=_kish(w, x.size), n_missing=n_missing, ci=float(ci), method=method,
    )


# ---------------------------------------------------------------------------- Temkin
def temkin_xi(
    useful,
    easy,
    enjoyable,
    *,
    weights=None,
    ci: float = 0.95,
    method: str = "wald",
    n_boot: int = 2000,
    seed: int | None = None,
) -> TemkinResult:
    """Temkin Experience Index on three 1-7 questions (useful, easy, enjoyable).

    Parameters
    ----------
    useful, easy, enjoyable : array-like of int
        Answers on 1-7 from the same respondents (equal lengths).
    weights : array-like of float, optional
        Survey weights per respondent.
    ci : float, default=0.95
    method : {"wald", "bootstrap"}, default="wald"
        ``"wald"``: estimate ± z·se (clipped to [-100, 100]); ``"bootstrap"``:
        percentile interval, resampling respondents.
    n_boot, seed : int, int or None

    Returns
    -------
    TemkinResult
        ``value`` = the index in points (mean of the three net scores) with
        ``se`` and interval; ``n`` = respondents who answered all three.
        ``questions`` is a DataFrame indexed by question with ``value, se,
        ci_lower, ci_upper, n, positive, negative`` (``positive``/``negative``
        as shares in [0, 1]), each from all who answered that question.

    Notes
    -----
    Per question k, respondent i scores z_ik = 100 if the answer is 6-7,
    -100 if 1-3 and 0 otherwise; the question's net score is the mean of z_ik
    (share positive minus share negative) with the trinomial variance
    [pos + neg - (pos - neg)²] / n. The index is (1/3) sum_k net_k. Being
    linear in the answers, on the complete cases it equals the mean of
    d_i = (z_i1 + z_i2 + z_i3) / 3, so the delta method is exact:
    Var(index) = Var(d) / n = (1/9) sum_k sum_l Cov(z_k, z_l) / n, which
    accounts for the (usually strong) correlation between the three
    questions. Weighted: linearised as for :func:`nps`.

    References
    ----------
    .. [1] Temkin Group (2016). *Temkin Experience Ratings* methodology:
       percentage of 6-7 minus percentage of 1-3 on a 7-point scale.

    Examples
    --------
    >>> r = temkin_xi([7, 6, 5, 2], [7, 7, 3, 4], [6, 5, 4, 1])
    >>> r.questions["value"].tolist()
    [25.0, 25.0, 0.0]
    >>> round(r.value, 4)
    16.6667
    """
    caller = "temkin_xi"
    check_choice(method, "method", caller, _MEAN_SHARE_METHODS)
    check_ci(ci, caller)
    if method == "bootstrap":
        check_int(n_boot, "n_boot", caller, low=100)
    names = ("useful", "easy", "enjoyable")
    arrays = [_as_float_array(v, nm, caller) for v, nm in zip((useful, easy, enjoyable), names)]
    if len({a.size for a in arrays}) != 1:
        raise ValueError(
            f"The 'useful', 'easy' and 'enjoyable' parameters of {caller} must have equal "
            f"lengths. Got {[a.size for a in arrays]}."
        )
    wfull = None
    if weights is not None:
        wfull = _as_float_array(weights, "weights", caller)
        if wfull.size != arrays[0].size:
            raise ValueError(
                f"The 'weights' parameter of {caller} must have the same length as the "
                f"answers. Got {wfull.size} weights for {arrays[0].size} respondents."
            )
    zc = _zcrit(ci)
    rows = {}
    for k, (a, nm) in enumerate(zip(arrays, names)):
        x, w, _ = _clean(a, 1, 7, caller, wfull, name=nm)
        pos, neg = (x >= 6).astype(float), (x <= 3).astype(float)
        v, s = _wmean_se(100.0 * (pos - neg), w)
        sw = x.size if w is None else w.sum()
        ppos = float(pos.sum() / sw if w is None else np.sum(w * pos) / sw)
        pneg = float(neg.sum() / sw if w is None else np.sum(w * neg) / sw)
        rows[nm] = {"value": v, "se": s, "ci_lower": max(v - zc * s, -100.0),
                    "ci_upper": min(v + zc * s, 100.0), "n": x.size,
                    "positive": ppos, "negative": pneg}
    questions = pd.DataFrame.from_dict(rows, orient="index")
    questions.index.name = "question"

    stacked = np.column_stack(arrays)
    complete = ~np.isnan(stacked).any(axis=1)
    n_missing = int((~complete).sum())
    xs = stacked[complete]
    if xs.shape[0] == 0:
        raise ValueError(f"No respondent answered all three questions passed to {caller}.")
    w = None if wfull is None else wfull[complete]
    if w is not None and w.sum() <= 0:
        raise ValueError(f"The 'weights' parameter of {caller} must not sum to zero.")
    d = (100.0 * ((xs >= 6).astype(float) - (xs <= 3).astype(float))).mean(axis=1)
    value, se = _wmean_se(d, w)
    if method == "bootstrap":
        boot = _boot_means(d, w, n_boot, seed)
        lo, hi = np.quantile(boot, [(1 - ci) / 2, (1 + ci) / 2])
    else:
        lo, hi = value - zc * se, value + zc * se
    return TemkinResult(
        metric="temkin_xi", value=value, se=se,
        ci_lower=float(max(lo, -100.0)), ci_upper=float(min(hi, 100.0)),
        n=xs.shape[0], n_eff=_kish(w, xs.shape[0]), n_missing=n_missing, ci=float(ci),
        method=method, questions=questions,
    )


# ------------------------------------------------------------------------ comparisons
def compare(a, b, *, ci: float = 0.95) -> ComparisonResult:
    """Test the change from ``a`` to ``b`` (two independent samples, e.g. two waves).

    Parameters
    ----------
    a, b : MetricResult
        Results of the same metric for two independent samples (``a`` = earlier).
    ci : float, default=0.95
        Level of the interval for the difference.

    Returns
    -------
    ComparisonResult
        ``diff`` = b.value - a.value, ``se`` = sqrt(se_a² + se_b²),
        ``z`` = diff / se, two-sided normal ``pvalue``, and ``ci_lower``,
        ``ci_upper`` = diff ± z·se.

    Notes
    -----
    For NPS the SEs are the trinomial (or linearised) ones, so this is the
    usual two-sample z-test for a difference of net scores.

    Examples
    --------
    >>> before = nps([10] * 40 + [8] * 30 + [3] * 30)
    >>> after = nps([10] * 50 + [8] * 30 + [3] * 20)
    >>> r = compare(before, after)
    >>> round(r.diff, 1), round(r.pvalue, 4)
    (20.0, 0.0794)
    """
    caller = "compare"
    check_ci(ci, caller)
    for name, r in (("a", a), ("b", b)):
        if not hasattr(r, "value") or not hasattr(r, "se"):
            raise param_error(name, caller,
                              "be a metric result with 'value' and 'se'", None,
                              got=f"{type(r).__name__}")
        if not (math.isfinite(r.se) and math.isfinite(r.value)):
            raise ValueError(
                f"The {name!r} parameter of {caller} must have a finite value and se. "
                f"Got value={r.value!r}, se={r.se!r}."
            )
    if getattr(a, "metric", None) != getattr(b, "metric", None):
        raise ValueError(
            f"The 'a' and 'b' parameters of {caller} must be the same metric. "
            f"Got {a.metric!r} and {b.metric!r}."
        )
    diff = float(b.value - a.value)
    se = math.hypot(a.se, b.se)
    if se == 0:
        z = 0.0 if diff == 0 else math.copysign(math.inf, diff)
    else:
        z = diff / se
    pvalue = float(2 * stats.norm.sf(abs(z)))
    zc = _zcrit(ci)
    return ComparisonResult(diff=diff, se=se, z=z, pvalue=pvalue,
                            ci_lower=diff - zc * se, ci_upper=diff + zc * se, ci=float(ci))


def holm(pvalues):
    """Holm (1979) step-down adjusted p-values (family-wise error control).

    Parameters
    ----------
    pvalues : array-like or pandas.Series of float in [0, 1]

    Returns
    -------
    numpy.ndarray or pandas.Series
        Adjusted p-values, same shape and (for a Series) index as the input.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).tolist()
    [0.03, 0.06, 0.06]
    """
    index = pvalues.index if isinstance(pvalues, pd.Series) else None
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1 or np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise param_error("pvalues", "holm", "be a one-dimensional array of numbers in [0, 1]", pvalues)
    m = p.size
    order = np.argsort(p, kind="stable")
    adj_sorted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    adj = np.empty(m)
    adj[order] = adj_sorted
    return pd.Series(adj, index=index, name="pvalue_holm") if index is not None else adj


def compare_to_baseline(results: Mapping, *, baseline, ci: float = 0.95) -> pd.DataFrame:
    """Compare several periods with a baseline period, Holm-adjusted.

    Parameters
    ----------
    results : mapping of label -> MetricResult
        One result per period (independent samples), e.g. ``{"2024Q1": nps(...)}``.
    baseline : hashable
        The key of the baseline period.
    ci : float, default=0.95

    Returns
    -------
    pandas.DataFrame
        Indexed by ``period`` (all periods but the baseline, in the given order),
        with ``value`` (the period's estimate), ``diff`` (period - baseline),
        ``se``, ``z``, ``pvalue``, ``pvalue_holm`` (Holm over the periods
        compared), ``ci_lower``, ``ci_upper`` (unadjusted interval of ``diff``).

    Examples
    --------
    >>> res = {"w1": nps([10] * 40 + [3] * 60), "w2": nps([10] * 45 + [3] * 55),
    ...        "w3": nps([10] * 60 + [3] * 40)}
    >>> compare_to_baseline(res, baseline="w1")[["diff", "pvalue_holm"]].round(3)
            diff  pvalue_holm
    period
    w2      10.0        0.474
    w3      40.0        0.008
    """
    if not isinstance(results, Mapping) or len(results) < 2:
        raise ValueError(
            "The 'results' parameter of compare_to_baseline must be a mapping with at least "
            f"two periods. Got {type(results).__name__} of length "
            f"{len(results) if hasattr(results, '__len__') else 'n/a'}."
        )
    if baseline not in results:
        raise param_error("baseline", "compare_to_baseline", f"be one of {list(results)}", baseline)
    base = results[baseline]
    rows = {}
    for label, r in results.items():
        if label == baseline:
            continue
        c = compare(base, r, ci=ci)
        rows[label] = {"value": r.value, "diff": c.diff, "se": c.se, "z": c.z,
                       "pvalue": c.pvalue, "ci_lower": c.ci_lower, "ci_upper": c.ci_upper}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "period"
    out.insert(5, "pvalue_holm", holm(out["pvalue"].to_numpy()))
    return out


# -------------------------------------------------------------------------- summarise
_SUMMARY_METRICS = {
    "nps": lambda cols, w, ci, **kw: nps(cols[0], weights=w, ci=ci, **kw),
    "csat": lambda cols, w, ci, **kw: csat(cols[0], weights=w, ci=ci, **kw),
    "csat_mean": lambda cols, w, ci, **kw: _as_mean(csat(cols[0], weights=w, ci=ci, **kw)),
    "ces": lambda cols, w, ci, **kw: ces(cols[0], weights=w, ci=ci, **kw),
    "ces_share": lambda cols, w, ci, **kw: _as_share(ces(cols[0], weights=w, ci=ci, **kw)),
    "temkin_xi": lambda cols, w, ci, **kw: temkin_xi(*cols, weights=w, ci=ci, **kw),
    "intention_to_stay": lambda cols, w, ci, **kw: intention_to_stay(
        cols[0], weights=w, ci=ci, **kw),
}


def _as_mean(r: CSATResult):
    return dataclasses.replace(
        r, metric="csat_mean", value=r.mean, se=r.mean_se,
        ci_lower=r.mean_ci_lower, ci_upper=r.mean_ci_upper)


def _as_share(r: CESResult):
    return dataclasses.replace(
        r, metric="ces_share", value=r.share, se=r.share_se,
        ci_lower=r.share_ci_lower, ci_upper=r.share_ci_upper)


def _parse_spec(name, spec, data):
    caller = "summarise"
    if name not in _SUMMARY_METRICS:
        raise param_error("metrics", caller,
                          f"use metric names from {', '.join(repr(k) for k in _SUMMARY_METRICS)}", name)
    options = {}
    if isinstance(spec, Mapping):
        spec = dict(spec)
        cols = spec.pop("columns", None) or spec.pop("column", None)
        options = spec
    else:
        cols = spec
    cols = [cols] if isinstance(cols, str) else list(cols) if cols is not None else []
    need = 3 if name == "temkin_xi" else 1
    if len(cols) != need:
        raise param_error("metrics", caller, f"give {need} column(s) for {name!r}", cols)
    absent = [c for c in cols if c not in data.columns]
    if absent:
        raise ValueError(f"Columns {absent} passed to {caller} are not in 'data'.")
    return cols, options


@renamed_parameters({"by": "group"})
def summarise(
    data: pd.DataFrame,
    *,
    metrics: Mapping,
    group=None,
    weights: str | None = None,
    min_n: int = 10,
    ci: float = 0.95,
    total: bool = True,
) -> pd.DataFrame:
    """Tidy table of several metrics per group, with small-cell suppression.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    metrics : mapping
        Metric name -> column (or 3 columns for ``"temkin_xi"``), or a dict with
        ``"column"``/``"columns"`` plus options of that metric function (e.g.
        ``{"column": "sat", "scale": (1, 7)}``). Names: ``"nps"``, ``"csat"``
        (top-box %), ``"csat_mean"``, ``"ces"`` (mean), ``"ces_share"``,
        ``"temkin_xi"``, ``"intention_to_stay"``.
    group : str or list of str, optional
        Grouping column(s), e.g. wave, segment, channel (old name ``by``, deprecated).
    weights : str, optional
        Column of survey weights.
    min_n : int, default=10
        Cells with fewer valid answers are suppressed: ``value``, ``se``,
        ``ci_lower``, ``ci_upper`` set to NaN and ``suppressed`` True.
    ci : float, default=0.95
    total : bool, default=True
        Add a row per metric for all respondents (``group == "all"``).

    Returns
    -------
    pandas.DataFrame
        Columns ``metric, group, value, se, ci_lower, ci_upper, n, suppressed``;
        ``group`` is the group label (several ``group`` columns joined with
        ``" / "``).

    Examples
    --------
    >>> df = pd.DataFrame({"ltr": [10, 9, 3, 8] * 5 + [10] * 4,
    ...                    "channel": ["phone"] * 20 + ["chat"] * 4})
    >>> t = summarise(df, metrics={"nps": "ltr"}, group="channel")
    >>> t[["group", "value", "n", "suppressed"]].round(1)
       group  value   n  suppressed
    0    all   37.5  24       False
    1   chat    NaN   4        True
    2  phone   25.0  20       False
    """
    caller = "summarise"
    check_frame(data, caller)
    if not isinstance(metrics, Mapping) or not metrics:
        raise param_error("metrics", caller, "be a non-empty mapping of metric name to column(s)", metrics)
    check_int(min_n, "min_n", caller, low=1)
    check_ci(ci, caller)
    specs = {name: _parse_spec(name, spec, data) for name, spec in metrics.items()}
    by_cols = [] if group is None else [group] if isinstance(group, str) else list(group)
    absent = [c for c in by_cols + ([weights] if weights else []) if c not in data.columns]
    if absent:
        raise ValueError(f"Columns {absent} passed to {caller} are not in 'data'.")

    groups = []
    if total or not by_cols:
        groups.append(("all", data))
    if by_cols:
        for key, sub in data.groupby(by_cols, sort=True, dropna=False, observed=True):
            key = key if isinstance(key, tuple) else (key,)
            groups.append((" / ".join(str(k) for k in key), sub))

    records = []
    for name, (cols, options) in specs.items():
        fn = _SUMMARY_METRICS[name]
        for label, sub in groups:
            w = sub[weights] if weights else None
            values = [sub[c] for c in cols]
            valid = pd.concat(values, axis=1).notna().all(axis=1) if name == "temkin_xi" \
                else values[0].notna()
            n_valid = int(valid.sum())
            rec = {"metric": name, "group": label, "value": np.nan, "se": np.nan,
                   "ci_lower": np.nan, "ci_upper": np.nan, "n": n_valid, "suppressed": True}
            if n_valid >= min_n:
                r = fn(values, w, ci, **options)
                rec.update(value=r.value, se=r.se, ci_lower=r.ci_lower, ci_upper=r.ci_upper,
                           n=r.n, suppressed=False)
            records.append(rec)
    out = pd.DataFrame.from_records(
        records, columns=["metric", "group", "value", "se", "ci_lower", "ci_upper", "n",
                          "suppressed"])
    return out
