"""``==`` constraints with estimator="MLR" against lavaan 0.6-14 (``tests/data/r/22_hs_equality_mlr.R``).

The sandwich and the Yuan-Bentler scaling are computed in the free coordinates of the
constrained model (``theta = K phi + t0``); lavaan reports ``scaling_factor_h0`` as
``tr(A^-1 B)`` over the free parameters before the constraints (21, not 19). Tolerance 1e-4
(fit measures relative above 1); measured: estimates 9.5e-7, robust SEs 7.7e-7, std_all 4.5e-7.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit

DATA = Path(__file__).parent / "data"
REF = json.loads((DATA / "hs_equality_mlr.json").read_text())
TOL = 1e-4


@pytest.fixture(scope="module")
def res():
    return fit(pd.read_csv(DATA / "HolzingerSwineford1939.csv"), REF["model_syntax"], estimator="MLR")


def test_estimates(res):
    pe = pd.DataFrame(REF["parameters"])
    assert res.converged and res.warnings == []
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()
    for col, ref_col in (("est", "est"), ("se", "se"), ("std_all", "std.all")):
        np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[ref_col].to_numpy(float), rtol=0, atol=TOL,
                                   err_msg=col)


def test_fit_measures(res):
    for key, value in REF["fit_all"].items():
        if value is None:
            continue
        assert res.fit_measures[key.replace(".", "_")] == pytest.approx(value, rel=TOL, abs=TOL), key
