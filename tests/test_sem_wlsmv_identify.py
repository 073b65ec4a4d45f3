"""WLSMV: identification before estimation, and a two-item factor (``tests/data/r/20_wlsmv_two_indicator.R``).

On ``ordinal_6f.csv`` (lavaan 0.6-14): the identified model (a two-item factor correlated
with a three-item one) used to stop at the start values (a zero start covariance makes the
first Gauss-Newton matrix singular; now a least-squares step) and matches lavaan within
1e-3 (WLSMV; measured below 1e-5); the non-identified ones, which lavaan fits with "Could
not compute standard errors" (its fitMeasures then fails), are refused.
"""

import pandas as pd
import pytest

from cxlab.sem import NotIdentifiedError, fit

from _lavaan import assert_estimates, assert_fit_measures
from conftest import DATA, load_reference

REF = load_reference("wlsmv_two_indicator")
ITEMS = REF["data"]["items"]
TOL = 1e-3


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA / "ordinal_6f.csv")


def test_identified_two_item_factor(data):
    ref = REF["cases"]["identified"]
    res = fit(data, ref["model_syntax"], estimator="WLSMV", ordered=ITEMS)
    assert_estimates(res, ref, atol=TOL)
    assert_fit_measures(res, ref, tol=TOL, skip_missing=True)


@pytest.mark.parametrize("case,involved", [
    ("unscaled", ["f =~ q1", "f =~ q2", "f =~ q4", "f =~ q5", "f ~~ f"]),
    ("two_alone", ["f1 =~ q2", "f1 ~~ f1"]),
])
def test_not_identified_is_refused(data, case, involved):
    ref = REF["cases"][case]
    assert ref["information_rank"] < ref["npar"] and any("standard errors" in w for w in ref["warnings"])
    with pytest.raises(NotIdentifiedError) as err:
        fit(data, ref["model_syntax"], estimator="WLSMV", ordered=ITEMS)
    assert err.value.parameters == involved
