"""WLSMV on a well-fitting ordinal model (scaled chi-square below its df) against lavaan 0.6-14.

Data: ``ordinal_6f.csv``, 18 seven-category items, six factors, N = 1,800, simulated from
the model by ``tests/data/make_ordinal_6f.py`` (seed 2026); reference by
``tests/data/r/15_wlsmv_6f.R``. lavaan: chisq 51.27, chisq_scaled 102.41 on df 120, so
the RMSEA point estimates and lower bounds are 0 and the unscaled upper bound is 0 too
(the central chi-square already puts the statistic below its 5 % point).
Tolerance 1e-3 (WLSMV); measured: estimates 1.0e-7, SEs 8.2e-9, std_all 1.8e-7, every
fit measure lavaan reports within 1e-6 relative.

The issue's crash (``ValueError: The function value at x=0.0 is NaN`` from ``_rmsea_ci``
via ``ordinal._fit_measures``) is reproduced on the same data by six factors with one of
two items (``wlsmv_6f_two_item``, ``tests/data/r/21_wlsmv_6f_two_item.R``; the code before
issue 13 raises exactly that error on it): the zero start covariances made the first
Gauss-Newton matrix singular, the estimation stopped at the start values, and the NaN scaled
statistic reached the RMSEA interval. Now the step is a least-squares one there, the model
converges and matches lavaan (estimates 2.9e-6, SEs 1.7e-7, fit measures 1.2e-7 relative),
and ``_rmsea_ci`` returns NaN for a NaN statistic (lavaan's NA) with lavaan's brackets.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit
from cxlab.sem.fitmeasures import _rmsea_ci

from _lavaan import assert_estimates, assert_fit_measures
from conftest import DATA, load_reference

REF = load_reference("wlsmv_6f")
TOL = 1e-3


@pytest.fixture(scope="module")
def res():
    data = pd.read_csv(DATA / "ordinal_6f.csv")
    return fit(data, REF["model_syntax"], estimator="WLSMV", ordered=REF["data"]["items"])


def test_data_is_what_the_generator_writes():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_ordinal_6f", DATA / "make_ordinal_6f.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    pd.testing.assert_frame_equal(pd.DataFrame(gen.simulate()), pd.read_csv(DATA / "ordinal_6f.csv"))


@pytest.mark.parametrize("col,ref_col", [("est", "est"), ("se", "se"), ("std_all", "std.all")])
def test_estimates(res, col, ref_col):
    pe = pd.DataFrame(REF["parameters"])
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=TOL)


def test_fit_measures_including_rmsea_intervals(res):
    fm = res.fit_measures
    assert fm["chisq_scaled"] < fm["df"]
    assert_fit_measures(res, REF, tol=TOL)
    assert fm["rmsea_ci_lower_scaled"] == 0 and fm["rmsea_ci_upper"] == 0 and fm["rmsea_ci_upper_scaled"] > 0


def test_rmsea_interval_of_a_missing_statistic_is_missing():
    assert all(np.isnan(_rmsea_ci(np.nan, 120, 1799)))
    assert all(np.isnan(_rmsea_ci(np.inf, 120, 1799)))
    assert _rmsea_ci(51.27, 120, 1799) == (0.0, 0.0)


def test_two_item_factor_case_that_crashed():
    ref = load_reference("wlsmv_6f_two_item")
    data = pd.read_csv(DATA / "ordinal_6f.csv")
    res = fit(data, ref["model_syntax"], estimator="WLSMV", ordered=ref["data"]["items"])
    assert_estimates(res, ref, atol=TOL)
    assert_fit_measures(res, ref, tol=TOL)
