"""Modification indices of single-group WLSMV and DWLS fits against lavaan 0.6-14 (modindices_wlsmv.json).

lavaan's ``modindices`` on such a fit is the ordinary score test of the DWLS fit function
(expected information ``Delta' W Delta``), made by ``tests/data/r/38_modindices_wlsmv.R``
on bfi (two factors, ten six-category items) and a three-factor ordinal mediation model.
Measured max abs differences: mi 2.2e-4 (indices up to 276), epc 1.2e-6, sepc_all 2.8e-6.
Tolerances as the ML reference (test_sem_reference.py): mi 5e-4, epc and sepc_all 5e-5.
The regression candidates (``~``) are checked in test_sem_modindices_regressions.py.
"""

import numpy as np
import pandas as pd
import pytest

from cxlab.sem import fit, modification_indices

from conftest import DATA, load_reference


@pytest.fixture(scope="module")
def ref():
    return load_reference("modindices_wlsmv")


def _fit(r):
    data = pd.read_csv(DATA / r["file"])[r["items"]].dropna()
    return fit(data, r["model_syntax"], ordered=r["items"], estimator=r["estimator"])


@pytest.mark.parametrize("case", ["bfi_wlsmv", "bfi_dwls", "mediation"])
def test_modification_indices_match_lavaan(ref, case):
    r = ref[case]
    got = modification_indices(_fit(r), top=None).dropna(subset=["mi"])
    exp = pd.DataFrame(r["modindices"])
    both = got.merge(exp, on=["lhs", "op", "rhs"], how="outer", indicator=True, suffixes=("", "_lavaan"))
    assert (both["_merge"] == "both").all(), both.loc[both["_merge"] != "both", ["lhs", "op", "rhs"]]
    # the regressions (mediation) against lavaan's equivalent candidates: test_sem_modindices_regressions.py
    both = both[both["op"] != "~"]
    assert len(both) >= 55
    np.testing.assert_allclose(both["mi"], both["mi_lavaan"], rtol=0, atol=5e-4)
    np.testing.assert_allclose(both["epc"], both["epc_lavaan"], rtol=0, atol=5e-5)
    np.testing.assert_allclose(both["sepc_all"], both["sepc.all"], rtol=0, atol=5e-5)


def test_top_indices_in_lavaan_order(ref):
    r = ref["bfi_wlsmv"]
    top = modification_indices(_fit(r), top=5)
    exp = pd.DataFrame(r["modindices"]).sort_values("mi", ascending=False).head(5)
    assert top[["lhs", "op", "rhs"]].values.tolist() == exp[["lhs", "op", "rhs"]].values.tolist()
    assert top.loc[0, ["lhs", "op", "rhs"]].tolist() == ["consc", "=~", "A4"]  # lavaan: mi 99.806


def test_text_names_the_largest_index_from_the_numbers(ref):
    from cxlab.sem import describe_modification_indices

    res = _fit(ref["bfi_wlsmv"])
    top = modification_indices(res, top=5)
    text = describe_modification_indices(res, top)
    mi = top.loc[0, "mi"]  # lavaan: consc =~ A4, mi 99.806, epc 0.313
    assert text.startswith(f"The largest index would free the loading of A4 on consc (a cross-loading): the "
                           f"chi-square would drop by about {mi:.1f}, with an expected value of {top.loc[0, 'epc']:.2f}")
    assert "score tests of the DWLS fit function" in text
    assert describe_modification_indices(res, top.iloc[0:0]).startswith("No parameter the model fixes")
