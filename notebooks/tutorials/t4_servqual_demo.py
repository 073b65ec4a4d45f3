# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python (cxlab)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tutorial 4 — A SERVQUAL analysis with a known answer
#
# SERVQUAL (Parasuraman, Zeithaml & Berry 1988) asks 22 questions twice: what customers
# *expect* of an excellent company (E) and what they *perceive* of this one (P). The
# *gap* P − E per dimension — tangibles, reliability, responsiveness, assurance, empathy —
# shows where service falls short. It is also much criticised: difference scores are
# unreliable, and perceptions alone (SERVPERF, Cronin & Taylor 1992) often predict
# satisfaction better. This tutorial tests both claims.
#
# Real surveys have no answer key. cxlab's demo study does: it was *simulated* from a
# known model (`data/raw/demo/truth.yaml`), so every estimate can be checked against the
# value that generated it. The "reference" here is the planted truth, and differences are
# sampling error plus what the questionnaire's 1–7 answer scale loses — not software
# differences as in tutorials 1–3.
#
# **You will learn:** gap scores with confidence intervals, why gap scores are less
# reliable than perception scores, whether the five dimensions come out of an EFA, and
# SERVQUAL against SERVPERF.

# %% tags=["parameters"]
study_file = "../../data/raw/demo/study.yaml"  # the demo study (relative to this notebook)
wave = 1  # survey wave whose gaps are compared with the planted truth (1 or 2)
ci_level = 0.95  # confidence level of the gap intervals
seed = 2026  # random seed of the parallel analysis
tolerance_gap = 0.15  # accepted |sample - true| gap: about 4 standard errors with 1,000 respondents
tolerance_loading = 0.15  # accepted |EFA - true| loading: 1-7 answers attenuate loadings (see section 4)

# %%
import pandas as pd
import yaml
import cxlab
from cxlab import datasets, factor, plots, servqual
from cxlab.data import load_processed_survey

plots.set_theme()
pd.set_option("display.precision", 3)
study = cxlab.load_study(study_file)
cb = study.codebook
survey = load_processed_survey(study)
truth = yaml.safe_load(study.data["truth"].read_text())
dims = cb.servqual["dimensions"]  # dimension -> item stems (e_<stem> and p_<stem> columns)
perception = cb.servqual_items("p")  # dimension -> perception columns
print(f"{len(survey)} respondents in waves {sorted(survey[cb.wave].dropna().unique().tolist())}")

# %% [markdown]
# ## 1. Gap scores
#
# Per respondent and dimension, the *dimension score* is the mean of its items; the gap
# is perception minus expectation. The table gives the mean expectation, perception and
# gap, the gap's standard error (**se**: sd / √n of the respondents' gaps) and a paired
# t confidence interval. A negative gap whose interval excludes 0 means customers
# perceive less than they expect.

# %%
sample = survey[survey[cb.wave] == wave]
gaps = servqual.gap_scores(sample, dims, ci=ci_level)
gaps

# %%
plots.gap_chart(gaps, title=f"SERVQUAL gap (P − E), wave {wave}");

# %% [markdown]
# **Against the truth.** The planted population gaps (the same model simulated for
# 200,000 respondents) beside the sample's. `covered` says whether the confidence
# interval contains the true value: at 95 % that should fail for about one dimension in
# twenty.

# %%
true_gaps = pd.Series(truth["population"][f"wave_{wave}"]["gap_mean"]).reindex(gaps.index)
covered = true_gaps.between(gaps["ci_lower"], gaps["ci_upper"])
gap_cmp = datasets.compare_to_reference(gaps["gap"], true_gaps)
gap_cmp.assign(covered=gap_cmp["name"].map(covered))

# %% [markdown]
# ## 2. Are gap scores reliable?
#
# Cronbach's alpha (tutorial 3) of the perception items, of the expectation items, and of
# the item gaps p_i − e_i per dimension. A difference of two reliable scores is *less*
# reliable than either, the more so the more they correlate (**r_pe**): subtracting
# removes the shared true variance but keeps both errors. `reliability_difference` is
# Johns' (1981) formula for the reliability of the difference score. This is Peter,
# Churchill & Brown's (1993) case against SERVQUAL — and in the demo data, too, the gaps
# lose reliability against perceptions alone (`gap_minus_perception` < 0).

# %%
reliability = servqual.gap_reliability(survey, dims)
reliability[["alpha_perception", "alpha_expectation", "alpha_gap", "r_pe", "reliability_difference",
             "gap_minus_perception"]]

# %% [markdown]
# ## 3. Do the five dimensions come out of the perception items?
#
# Sampling adequacy (KMO) and parallel analysis as in tutorial 3, then a minres EFA with
# oblimin rotation. The truth has five correlated perception factors, so parallel analysis
# should suggest 5 and each dimension should own one factor (`recovered`).

# %%
items = [column for columns in perception.values() for column in columns]
kmo_overall, _ = factor.kmo(survey[items])
pa = factor.parallel_analysis(survey[items], n_iter=20, seed=seed)
print(f"KMO {kmo_overall:.2f}; parallel analysis suggests {pa.n_factors} factors "
      f"(truth: {len(truth['measurement']['perception'])}).")

# %%
efa = factor.efa(survey[items], 5)
recovery = factor.dimension_recovery(efa, perception)
recovery

# %% [markdown]
# ## 4. Loadings against the planted loadings
#
# The simulation gave each item a loading on its dimension's latent variable (a
# standardised regression weight). The EFA estimates the same thing — but from answers
# rounded to the 1–7 scale and cut off at its ends, plus a few careless respondents. That
# loses information, so estimated loadings are systematically a little *lower*
# (attenuated) than the true ones: look at the sign of `difference`. A difference of this
# kind is a property of the data, not an error of the method.

# %%
factor_of = recovery["factor"]
estimated = pd.Series({item: efa.loadings.loc[item, factor_of[dim]]
                       for dim, columns in perception.items() for item in columns})
true_loadings = pd.Series({item: loading for spec in truth["measurement"]["perception"].values()
                           for item, loading in zip(spec["items"], spec["loadings"])})
loading_cmp = datasets.compare_to_reference(estimated, true_loadings)
loading_cmp

# %% [markdown]
# ## 5. SERVQUAL or SERVPERF?
#
# Three regressions of satisfaction (mean of its three items) on the dimension scores:
# perceptions only (SERVPERF), gaps (SERVQUAL), and perceptions and expectations side by
# side (P + E). **r2** is the share of satisfaction's variance explained; **aic/bic**
# penalise extra predictors (smaller is better). The F tests ask whether restricting
# P + E to each rival loses explanation. The demo's truth: expectations have no effect on
# satisfaction (`expectation_effect: 0`), so SERVPERF should do at least as well as SERVQUAL
# and not be rejected against P + E.

# %%
comparison = servqual.compare_servqual_servperf(survey, dims, outcome=cb.scales["satisfaction"]["items"])
comparison.models[["n", "r2", "adj_r2", "aic", "bic"]]

# %%
comparison.tests[["f", "pvalue"]]

# %% [markdown]
# ## 6. Did we recover the truth?
#
# Gaps within `tolerance_gap` of the population values, loadings within
# `tolerance_loading`, five factors suggested, every dimension recovered, gaps less
# reliable than perceptions, and SERVPERF explaining at least as much as SERVQUAL.

# %% tags=["reference-check"]
findings = pd.Series({
    "n_factors": pa.n_factors,
    "dimensions recovered": recovery["recovered"].sum(),
    "gap less reliable than perception": (reliability["gap_minus_perception"] < 0).sum(),
    "SERVPERF r2 >= SERVQUAL r2": int(comparison.models.loc["SERVPERF", "r2"] >= comparison.models.loc["SERVQUAL", "r2"]),
})
expected = pd.Series({"n_factors": 5, "dimensions recovered": 5, "gap less reliable than perception": 5,
                      "SERVPERF r2 >= SERVQUAL r2": 1})
check = datasets.comparison_summary(
    {"gap (P - E)": gap_cmp, "loadings": loading_cmp,
     "findings": datasets.compare_to_reference(findings, expected)},
    tolerance={"gap (P - E)": tolerance_gap, "loadings": tolerance_loading, "findings": 0})
assert check["within"].all(), check[~check["within"]]
check

# %% [markdown]
# ## Exercises
#
# 1. Set `wave = 2`. The company shortened phone waiting times between the waves; which gap
#    changed, and does the truth (`truth["population"]["change"]["gap_mean"]`) agree?
# 2. Compute the gaps for a random 10 % of wave 1 (`sample.sample(frac=0.1, random_state=1)`).
#    How much wider are the intervals, and how many still cover the truth?
# 3. Run the EFA on the *gap* items (`p_x - e_x` for every item) instead of perceptions. Are
#    the five dimensions still recovered? What does that say about analysing gap scores?
# 4. In `comparison.coefficients`, compare the P and E coefficients of the P + E model.
#    Which SERVQUAL assumption (E's weight is minus P's) do they contradict?
