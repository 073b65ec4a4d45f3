"""WLSMV: identification before estimation, and a two-item factor (``tests/data/r/20_wlsmv_two_indicator.R``).

On ``ordinal_6f.csv`` (lavaan 0.6-14): the identified model (a two-item factor correlated
with a three-item one) used to stop at the start values (a zero start covariance makes the
first Gauss-Newton matrix singular; now a least-squares step) and matches lavaan within
1e-3 (WLSMV; measured below 1e-5); the non-identified ones, which lavaan fits with "Could
not compute standard errors" (its fitMeasures then fails), are refused.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import NotIdentifiedError, fit

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "wlsmv_two_indicator.json").read_text())
ITEMS = REF["data"]["items"]
TOL = 1e-3


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA / "ordinal_6f.csv")


def test_identified_two_item_factor(data):
    ref = REF["cases"]["identified"]
    res, pe = fit(data, ref["model_syntax"], estimator="WLSMV", ordered=ITEMS), pd.DataFrame(ref["parameters"])
    assert res.converged and res.warnings == []
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    for col, ref_col in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=TOL,
                                   err_msg=col)
    for key, value in ref["fit_all"].items():
        if value is not None:
            assert res.fit_measures[key.replace(".", "_")] == pytest.approx(value, rel=TOL, abs=TOL), key


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
