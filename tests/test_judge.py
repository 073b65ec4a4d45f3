"""Fit verdicts and generated plain-words summaries follow the numbers."""

from types import SimpleNamespace

import pandas as pd

from cxlab.sem.judge import describe_fit, fit_table


def fake_fit(cfi, rmsea, converged=True, warnings=()):
    fm = pd.Series({"chisq": 100.0, "df": 50, "pvalue": 0.001, "cfi": cfi, "tli": cfi, "rmsea": rmsea, "srmr": 0.05,
                    "cfi_scaled": None})
    est = pd.DataFrame({"lhs": ["sat", "sat", "loy"], "op": ["~"] * 3, "rhs": ["rel", "tan", "sat"],
                        "pvalue": [0.001, 0.4, 0.0], "std_all": [0.41, -0.02, 0.7]})
    return SimpleNamespace(fit_measures=fm, estimates=est, r2=pd.Series({"sat": 0.5, "loy": 0.49}),
                           converged=converged, warnings=list(warnings))


def test_fit_table_uses_scaled_measures_when_present():
    fm = pd.Series({"chisq": 10.0, "df": 5, "pvalue": 0.07, "cfi": 0.90, "cfi_scaled": 0.97, "tli": 0.96,
                    "rmsea": 0.05, "srmr": 0.09})
    t = fit_table(fm)
    assert t.loc["CFI", "source"] == "cfi_scaled" and bool(t.loc["CFI", "meets"])
    assert not t.loc["SRMR", "meets"]


def test_describe_fit_good_and_poor():
    good = describe_fit(fake_fit(0.97, 0.04))
    assert good.startswith("The model fits well: CFI 0.970, TLI 0.970, RMSEA 0.040, SRMR 0.050")
    assert "**sat** (R² = 0.50): significant drivers, strongest first: rel (β = 0.41); not significant" in good
    assert "tan" in good.split("not significant")[1]
    mixed = describe_fit(fake_fit(0.90, 0.04))
    assert mixed.startswith("The fit is mixed: RMSEA 0.040, SRMR 0.050 meet the cut-offs, CFI 0.900 (≥ 0.95)")


def test_describe_fit_refuses_non_converged():
    text = describe_fit(fake_fit(0.99, 0.01, converged=False, warnings=["did not converge after 500 iterations"]))
    assert text.startswith("**The model did not converge**") and "500 iterations" in text
