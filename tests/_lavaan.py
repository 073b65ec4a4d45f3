"""Comparing a :func:`cxlab.sem.fit` result with a lavaan reference, one way for every test.

A reference (``load_reference(name)``, written by ``tests/data/r/*.R``) holds lavaan's
``parameters`` (parameterEstimates merged with standardizedSolution), ``r2`` and
``fit_all`` (fitMeasures). The tolerances stay with each test, which states them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

#: cxlab's estimates column -> lavaan's column in the reference.
LAVAAN_COLUMNS = {"est": "est", "se": "se", "std_all": "std.all", "ci_lower": "ci.lower", "ci_upper": "ci.upper",
                  "z": "z", "pvalue": "pvalue"}


def assert_rows(res, ref) -> None:
    """The fit converged without warnings and has lavaan's parameter rows in lavaan's order."""
    pe = pd.DataFrame(ref["parameters"])
    assert res.converged and res.warnings == [], res.warnings
    assert res.estimates[["lhs", "op", "rhs"]].values.tolist() == pe[["lhs", "op", "rhs"]].values.tolist()


def assert_column(res, ref, col: str, *, atol: float) -> None:
    """One estimates column within ``atol`` (absolute) of lavaan's, row by row."""
    pe = pd.DataFrame(ref["parameters"])
    np.testing.assert_allclose(res.estimates[col].to_numpy(float), pe[LAVAAN_COLUMNS[col]].to_numpy(float), rtol=0,
                               atol=atol, err_msg=col)


def assert_estimates(res, ref, *, atol: float, columns=("est", "se", "std_all")) -> None:
    """:func:`assert_rows`, then each of ``columns`` within ``atol`` of lavaan's."""
    assert_rows(res, ref)
    for col in columns:
        assert_column(res, ref, col, atol=atol)


def assert_r2(res, ref, *, atol: float) -> None:
    """R² of every endogenous variable within ``atol`` of lavaan's ``inspect(fit, "r2")``."""
    for name, value in ref["r2"].items():
        assert res.r2[name] == pytest.approx(value, abs=atol), name


def assert_fit_measures(res, ref, *, tol: float, skip_missing: bool = False) -> None:
    """Every measure of lavaan's ``fitMeasures`` within ``tol`` (relative, and absolute near 0).

    A measure lavaan leaves missing (None) must be NaN here too, or is skipped with
    ``skip_missing``.
    """
    fm = res.fit_measures
    for key, value in ref["fit_all"].items():
        key = key.replace(".", "_")
        assert key in fm.index, key
        if value is None:
            assert skip_missing or np.isnan(fm[key]), key
        else:
            assert fm[key] == pytest.approx(value, rel=tol, abs=tol), key


def modindices_like_lavaan(res, **kwargs) -> pd.DataFrame:
    """Every candidate of :func:`cxlab.sem.modification_indices`, ``group`` numbered as lavaan's.

    lavaan's groups are 1-based in the order of the data; 1 for one group.
    """
    from cxlab.sem import modification_indices

    got = modification_indices(res, top=None, **kwargs)
    if "group" in got.columns:  # lavaan numbers the groups in the order of the data
        got["group"] = got["group"].map({v: i + 1 for i, v in enumerate(pd.unique(res.estimates["group"]))})
    else:
        got["group"] = 1
    return got
