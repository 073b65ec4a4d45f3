"""The omega bootstrap's array route gives exactly what omega() gives on each resample.

:func:`cxlab.reliability.omega_table` refits one factor per bootstrap resample without
building DataFrames (:func:`cxlab.reliability._omega_total_one_factor`); its intervals are
published, so the shortcut must not change a single bit of any resample's omega.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cxlab import factor, reliability
from cxlab.reliability import _omega_total_one_factor, omega, omega_table


def _omega_slow(x: np.ndarray) -> float:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return omega(pd.DataFrame(x, columns=[f"q{i}" for i in range(x.shape[1])]), n_factors=1).omega_total


def _likert(rng, n, k, *, negative=()):
    f = rng.normal(size=(n, 1))
    load = np.linspace(0.4, 0.9, k)
    load[list(negative)] *= -1
    x = f * load + rng.normal(scale=0.7, size=(n, k))
    return np.clip(np.round(3 + 1.2 * x), 1, 5)


@pytest.mark.parametrize("k", [3, 4, 5, 8, 11])
def test_equal_bit_for_bit_on_resamples(k):
    rng = np.random.default_rng(k)
    x = _likert(rng, 400, k)
    for _ in range(25):
        sample = x[rng.integers(0, len(x), len(x))]
        assert _omega_total_one_factor(sample) == _omega_slow(sample)


def test_equal_with_flipped_items():
    """An item loading negatively is reflected as psych does (and omega() does)."""
    rng = np.random.default_rng(7)
    x = _likert(rng, 300, 5, negative=(1, 3))
    for _ in range(10):
        sample = x[rng.integers(0, len(x), len(x))]
        assert _omega_total_one_factor(sample) == _omega_slow(sample)


def test_constant_column_left_to_omega():
    """A resample with an item that does not vary goes the ordinary way (omega's own error)."""
    x = _likert(np.random.default_rng(1), 50, 4)
    x[:, 2] = 3.0
    assert _omega_total_one_factor(x) is None
    with pytest.raises(factor.DegenerateDataError, match="vary"):
        _omega_slow(x)


def test_table_unchanged_by_the_shortcut(monkeypatch):
    """The whole table, intervals included, equals the one computed through omega() per resample."""
    rng = np.random.default_rng(3)
    data = pd.DataFrame(np.column_stack([_likert(rng, 250, 4), _likert(rng, 250, 5)]),
                        columns=[f"a{i}" for i in range(4)] + [f"b{i}" for i in range(5)])
    scales = {"a": [f"a{i}" for i in range(4)], "b": [f"b{i}" for i in range(5)]}
    fast = omega_table(data, scales, n_boot=40, seed=11)
    monkeypatch.setattr(reliability, "_omega_total_one_factor", lambda x: None)
    slow = omega_table(data, scales, n_boot=40, seed=11)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
