"""lavaan's convenience options against lavaan 0.6-14 (``tests/data/r/18_hs_options.R``).

``std_lv=True`` (also on the second-order model: first-order disturbance variances and
g's variance fixed to 1), ``orthogonal=True`` (the factor covariances stay in the table,
fixed to 0), ``meanstructure=True`` (intercept rows) and ``missing="ml"`` (lavaan's
spelling of FIML). Tolerance 1e-4 (fit measures relative above 1); measured max
differences: estimates 9.7e-6, SEs 1.5e-5, std_all 2.8e-6, fit measures 7.2e-8.
"""

import pandas as pd
import pytest

from cxlab.sem import fit

from _lavaan import assert_estimates, assert_fit_measures
from conftest import DATA, load_reference

REF = load_reference("hs_options")
TOL = 1e-4
RUNS = {
    "std_lv": ("HolzingerSwineford1939.csv", "model_syntax", {"std_lv": True}),
    "std_lv_second_order": ("HolzingerSwineford1939.csv", "second_order_syntax", {"std_lv": True}),
    "orthogonal": ("HolzingerSwineford1939.csv", "model_syntax", {"orthogonal": True}),
    "meanstructure": ("HolzingerSwineford1939.csv", "model_syntax", {"meanstructure": True}),
    "missing_ml": ("HolzingerSwineford1939_missing.csv", "model_syntax", {"missing": "ml"}),
}


@pytest.fixture(scope="module")
def results():
    return {name: fit(pd.read_csv(DATA / csv), REF[syntax], **opts) for name, (csv, syntax, opts) in RUNS.items()}


@pytest.mark.parametrize("case", list(RUNS))
def test_estimates(results, case):
    assert_estimates(results[case], REF["cases"][case], atol=TOL)


@pytest.mark.parametrize("case", list(RUNS))
def test_fit_measures(results, case):
    assert_fit_measures(results[case], REF["cases"][case], tol=TOL)


def test_missing_ml_is_fiml(results):
    miss = pd.read_csv(DATA / "HolzingerSwineford1939_missing.csv")
    pd.testing.assert_frame_equal(fit(miss, REF["model_syntax"], missing="fiml").estimates,
                                  results["missing_ml"].estimates)


def test_orthogonal_keeps_user_covariances(results):
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    res = fit(hs, REF["model_syntax"] + "\nvisual ~~ textual", orthogonal=True)
    rows = res.estimates.set_index(["lhs", "op", "rhs"])
    assert rows.loc[("visual", "~~", "textual"), "se"] > 0 and rows.loc[("visual", "~~", "speed"), "est"] == 0


def test_options_validated():
    hs = pd.read_csv(DATA / "HolzingerSwineford1939.csv")
    with pytest.raises(ValueError, match="'std_lv' parameter of fit must be True or False. Got 'yes'"):
        fit(hs, REF["model_syntax"], std_lv="yes")
    with pytest.raises(ValueError, match="'missing' parameter of fit must be one of 'listwise', 'fiml'"):
        fit(hs, REF["model_syntax"], missing="pairwise")
