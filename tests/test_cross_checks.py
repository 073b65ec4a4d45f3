"""semopy as a cross-check: where it agrees with cxlab and lavaan, and where it does not.

cxlab never imports semopy (it is a test extra). On the Holzinger-Swineford CFA semopy 2.3.11
reaches the same ML optimum as lavaan 0.6-14 and cxlab.sem, and its chi-square based
indices (chi2, CFI, TLI, NFI) agree; its RMSEA divides by N - 1 where lavaan divides by N,
its "LogLik" is not the model log-likelihood (so AIC and BIC are on another scale), and its
GFI and AGFI are not lavaan's. That is why cxlab has its own engine: the reports quote
lavaan's definitions.
"""

import math

import pytest

from cxlab.datasets import load_dataset, load_reference, reference_table
from cxlab.sem import fit

semopy = pytest.importorskip("semopy")


@pytest.fixture(scope="module")
def fits():
    ref = load_reference("hs_cfa")
    hs = load_dataset("holzinger_swineford")
    model = semopy.Model(ref["model_syntax"])
    model.fit(hs, options={"ftol": 1e-12})
    return ref, fit(hs, ref["model_syntax"]), model


def _key(lhs, op, rhs):
    return (lhs, op, rhs) if op == "=~" else ("~~",) + tuple(sorted((lhs, rhs)))


def test_ml_estimates_agree_with_lavaan_and_cxlab(fits):
    ref, ours, model = fits
    lavaan = {_key(r.lhs, r.op, r.rhs): r.est for r in reference_table(ref, "parameters").itertuples()}
    theirs = {}
    for r in model.inspect().itertuples(index=False):
        theirs[(r.rval, "=~", r.lval) if r.op == "~" else _key(r.lval, "~~", r.rval)] = float(r.Estimate)
    cxlab = {_key(r.lhs, r.op, r.rhs): r.est for r in ours.estimates.itertuples()}
    assert set(theirs) == set(lavaan) == set(cxlab) and len(theirs) == 24
    # semopy stops at ftol 1e-12 on the objective: estimates agree to 1e-5 with both
    assert max(abs(theirs[k] - lavaan[k]) for k in lavaan) < 1e-5
    assert max(abs(theirs[k] - cxlab[k]) for k in cxlab) < 1e-5


def test_chi_square_indices_agree_the_others_do_not(fits):
    ref, ours, model = fits
    stats = semopy.calc_stats(model).T["Value"]
    lav = ref["fit"]
    same = {"chi2": "chisq", "DoF": "df", "CFI": "cfi", "TLI": "tli", "NFI": "nfi"}
    for theirs, name in same.items():
        assert stats[theirs] == pytest.approx(lav[name], rel=1e-6), name
        assert ours.fit_measures[name] == pytest.approx(lav[name], rel=1e-6), name
    n = ref["data"]["n"]
    # RMSEA: semopy divides by N - 1, lavaan (and cxlab) by N
    assert stats["RMSEA"] == pytest.approx(math.sqrt((lav["chisq"] - lav["df"]) / (lav["df"] * (n - 1))), rel=1e-6)
    assert abs(stats["RMSEA"] - lav["rmsea"]) > 1e-4
    assert ours.fit_measures["rmsea"] == pytest.approx(lav["rmsea"], rel=1e-6)
    # semopy's "LogLik" is not the log-likelihood, so its AIC and BIC are on another scale
    assert abs(stats["LogLik"] - lav["logl"]) > 1000 and abs(stats["AIC"] - lav["aic"]) > 1000
    assert ours.fit_measures["aic"] == pytest.approx(lav["aic"], rel=1e-9)
    # semopy's GFI is not lavaan's (here it equals its NFI)
    assert abs(stats["GFI"] - lav["gfi"]) > 0.02
    assert ours.fit_measures["gfi"] == pytest.approx(lav["gfi"], rel=1e-6)
