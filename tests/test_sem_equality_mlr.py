"""``==`` constraints with estimator="MLR" against lavaan 0.6-14 (``tests/data/r/22_hs_equality_mlr.R``).

The sandwich and the Yuan-Bentler scaling are computed in the free coordinates of the
constrained model (``theta = K phi + t0``); lavaan reports ``scaling_factor_h0`` as
``tr(A^-1 B)`` over the free parameters before the constraints (21, not 19). Tolerance 1e-4
(fit measures relative above 1); measured: estimates 9.5e-7, robust SEs 7.7e-7, std_all 4.5e-7.
"""

import pandas as pd
import pytest

from cxlab.sem import fit

from _lavaan import assert_estimates, assert_fit_measures
from conftest import DATA, load_reference

REF = load_reference("hs_equality_mlr")
TOL = 1e-4


@pytest.fixture(scope="module")
def res():
    return fit(pd.read_csv(DATA / "HolzingerSwineford1939.csv"), REF["model_syntax"], estimator="MLR")


def test_estimates(res):
    assert_estimates(res, REF, atol=TOL)


def test_fit_measures(res):
    assert_fit_measures(res, REF, tol=TOL, skip_missing=True)
