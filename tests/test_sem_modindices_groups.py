"""Modification indices of ML fits with a mean structure against lavaan 0.6-14 (modindices_groups_fiml.json).

FIML (ML and MLR) on the Holzinger-Swineford data with missing values, and two groups
(schools) with equal loadings, and with equal loadings and intercepts (the constraints
held). lavaan's formula ``V = J_cc - J_cm P J_mc`` with ``P`` the constrained inverse, made
by ``tests/data/r/39_modindices_groups_fiml.R``; every candidate row, fixed loadings
(markers) included where releasing them is identified (two groups). Measured max abs
differences: mi 1.5e-4, epc 1.1e-5, sepc_all 1.0e-5. Tolerances as the ML reference
(test_sem_reference.py): mi 5e-4, epc and sepc_all 5e-5.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, modification_indices

from _lavaan import modindices_like_lavaan
from conftest import DATA, load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference("modindices_groups_fiml")


def _fit(r):
    options = dict(r["options"])
    if "group_equal" in options:
        options["group_equal"] = tuple(options["group_equal"])
    return fit(pd.read_csv(DATA / r["file"]), r["model_syntax"], **options)


@pytest.mark.parametrize("case", ["fiml", "fiml_mlr", "groups_metric", "groups_scalar"])
def test_modification_indices_match_lavaan(ref, case):
    r = ref[case]
    res = _fit(r)
    got = modindices_like_lavaan(res)
    exp = pd.DataFrame(r["modindices"])
    both = got.dropna(subset=["mi"]).merge(exp, on=["lhs", "op", "rhs", "group"], how="outer", indicator=True,
                                           suffixes=("", "_lavaan"))
    assert (both["_merge"] == "both").all(), both.loc[both["_merge"] != "both", ["lhs", "op", "rhs", "group"]]
    assert len(both) == len(exp) and len(exp) >= 54
    np.testing.assert_allclose(both["mi"], both["mi_lavaan"], rtol=0, atol=5e-4)
    np.testing.assert_allclose(both["epc"], both["epc_lavaan"], rtol=0, atol=5e-5)
    np.testing.assert_allclose(both["sepc_all"], both["sepc.all"], rtol=0, atol=5e-5)


def test_released_marker_loadings_are_candidates_with_equal_loadings(ref):
    top = modification_indices(_fit(ref["groups_metric"]), top=None)
    markers = top[(top["op"] == "=~") & top.apply(lambda r: (r.lhs, r.rhs) in {("visual", "x1"), ("textual", "x4"),
                                                                                  ("speed", "x7")}, axis=1)]
    assert len(markers) == 6 and markers["mi"].notna().all()  # lavaan: visual=~x1 1.932 in both schools
    assert top.columns.tolist() == ["lhs", "op", "rhs", "group", "mi", "epc", "sepc_all"]


def test_text_under_ml_names_the_group_and_no_dwls_caveat(ref):
    from cxlab.sem import describe_modification_indices

    res = _fit(ref["groups_metric"])
    top = modification_indices(res, top=3)
    text = describe_modification_indices(res, top, labels=lambda v: {"visual": "Visual ability"}.get(v, v))
    # lavaan's largest: visual =~ x9 in the second school (Grant-White), mi 21.190
    assert text.startswith("The largest index would free the loading of x9 on Visual ability (a cross-loading) in "
                           "group Grant-White: the chi-square would drop by about 21.2")
    assert "DWLS" not in text
    residual = top[top["op"] == "~~"].head(1)
    assert "the residual covariance of" in describe_modification_indices(res, residual)
