"""Summaries never claim what only an unadjusted p-value supports.

Every family of tests a summary draws from is Holm-adjusted (and the text says so): the
levers of :func:`cxlab.levers.rank_levers`, the contact effects of
:func:`cxlab.levers.contact_effects`, and the per-segment changes of the monitoring
report, which are named only after a significant omnibus test. The data are built so
that an unadjusted p-value is below .05 where the adjusted one is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxlab import levers, monitor
from cxlab.measures import holm


def _lever_data(seed=1, n=300):
    """resp has a small true effect: unadjusted p = .026, Holm over the five levers p = .103."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({k: rng.normal(4, 1, n) for k in ["rel", "resp", "tan", "emp"]})
    df["waits"] = rng.poisson(0.5, n)
    df["sat"] = 0.6 * df.rel + 0.12 * df.resp + rng.normal(0, 1, n)
    return df


def test_lever_summary_claims_only_holm_adjusted_effects():
    ranking = levers.rank_levers_result(_lever_data(), "sat", ["rel", "resp", "tan", "emp"], ["waits"], n_boot=0)
    t = ranking.table
    # the p-values are those of the HC3 regression, adjusted over the five levers
    import statsmodels.formula.api as smf
    ref = smf.ols("sat ~ rel + resp + tan + emp + waits", _lever_data()).fit(cov_type="HC3", use_t=True)
    assert np.allclose(t["pvalue"], ref.pvalues[t.index], rtol=1e-10)
    assert np.allclose(t["pvalue_holm"], holm(ref.pvalues[t.index].to_numpy()), rtol=1e-10)
    resp = t.loc["resp"]
    assert resp["pvalue"] < 0.05 < resp["pvalue_holm"]  # the case this test is about
    assert resp["impact_ci_lower"] > 0  # the unadjusted interval excludes zero
    text = str(levers.describe_levers(ranking))
    assert "Holm's adjustment for the 5 levers tested together (α = 0.05)" in text
    assert "the effects of rel are significant" in text
    no_gain = text.split("no gain is demonstrated for")[1].split(":")[0]
    assert "resp" in no_gain and "rel" not in no_gain
    assert "For resp the unadjusted 95% interval excludes zero, but not the adjusted test." in text


def test_contact_effect_summary_uses_holm_over_all_contact_effects():
    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"waits": rng.poisson(0.6, n), "repeats": rng.poisson(0.5, n),
                       "transfers": rng.poisson(0.3, n), "quality": rng.normal(5, 1, n)})
    df["sat"] = 0.5 * df.quality - 0.5 * df.waits + rng.normal(0, 1, n)
    df["stay"] = 0.3 * df.quality + rng.normal(0, 1, n)
    effects = levers.contact_effects(df, ["sat", "stay"], ["waits", "repeats", "transfers"], controls=["quality"])
    family = levers.contact_family(effects)
    assert len(family) == 6 and (family["role"] == "contact").all()
    assert np.allclose(family["pvalue_holm"], holm(family["pvalue"].to_numpy()))
    # an effect with p < .05 that does not survive the adjustment is not called significant
    fake = effects.copy()
    contact = fake["role"] == "contact"
    fake.loc[contact, "pvalue"] = [1e-6, 0.02, 0.5, 0.6, 0.03, 0.7]
    text = levers.describe_contact_effects(fake, labels={"sat": "Satisfaction", "stay": "Loyalty"}.get)
    significant, rest = text.split("Not significant after the adjustment:")
    assert "Holm's adjustment for the 6 contact effects tested" in significant
    assert "waits on Satisfaction" in significant and "repeats" not in significant
    assert "repeats on Satisfaction" in rest and "repeats on Loyalty" in rest
    assert "associations, not causes" in text
    with pytest.raises(ValueError, match="'effects' parameter of contact_family"):
        levers.contact_family(pd.DataFrame({"x": [1]}))


def _segment_trends(z_by_segment: dict, se: float = 2.0) -> pd.DataFrame:
    """Two waves per segment; wave 2 differs from wave 1 by z * se * sqrt(2) (so the change has that z)."""
    rows = []
    for group, z in z_by_segment.items():
        rows += [{"metric": "nps", "group": group, "period": "wave 1", "value": 20.0, "se": se, "suppressed": False},
                 {"metric": "nps", "group": group, "period": "wave 2", "value": 20.0 + z * se * np.sqrt(2),
                  "se": se, "suppressed": False}]
    return pd.DataFrame(rows)


def test_segment_changes_need_the_omnibus_test_and_holm():
    # one of eight segments moves: p = .0037 unadjusted, .030 after Holm, but the omnibus test
    # over the eight segments is not significant (χ²(8) = 8.41, p = .39): no segment is named
    z = {"a": 2.9, **{s: 0.0 for s in "bcdefgh"}}
    changes = monitor.compare_periods(_segment_trends(z))
    a = changes.set_index("group").loc["a"]
    assert a["pvalue"] < 0.005 and a["pvalue_adj"] < 0.05 and a["significant"]
    omnibus = monitor.segment_omnibus(changes)
    assert omnibus["chisq"].iloc[0] == pytest.approx(2.9 ** 2)
    assert omnibus["pvalue"].iloc[0] == pytest.approx(stats.chi2.sf(2.9 ** 2, 8))
    assert not omnibus["significant"].iloc[0]
    text = monitor.describe_segment_changes(changes)
    assert text.startswith("NPS: no segment changed significantly between wave 1 and wave 2")
    assert "χ²(8) = 8.41" in text and "rose" not in text
    assert "For a: NPS rose" in monitor.describe_changes(changes, group=None)  # what the old text claimed

    # unadjusted p = .028 in one of two segments, .056 after Holm: not named either
    changes = monitor.compare_periods(_segment_trends({"a": 2.2, "b": 0.0}))
    assert changes["pvalue"].min() < 0.05 < changes["pvalue_adj"].min()
    assert "no segment changed significantly" in monitor.describe_segment_changes(changes)

    # a real change: omnibus and Holm both significant, the segment is named with its numbers
    changes = monitor.compare_periods(_segment_trends({"a": 4.0, "b": 0.5, "c": -0.3}))
    text = monitor.describe_segment_changes(changes)
    assert "the segments changed between wave 1 and wave 2" in text
    assert "for a, NPS rose from 20.0 to 31.3 points" in text and "for b" not in text
    assert "after Holm correction" in text
