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
# # Measurement quality and SERVQUAL
#
# Do the 22 SERVQUAL perception items measure the five dimensions they claim to measure,
# and how large are the gaps between what customers expect and what they perceive?
# This report follows the usual order: sampling adequacy, number of factors, exploratory
# factor analysis, reliability, then the expectation–perception gaps.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"rotation": "varimax"}

# %%
import cxlab
import pandas as pd
from cxlab import factor, plots, reliability, servqual
from cxlab.data import load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
survey = load_processed_survey(study)
dims = cb.servqual_items("p")
items = [i for cols in dims.values() for i in cols]

# %% [markdown]
# ## Is the correlation matrix fit for factor analysis?
#
# Kaiser–Meyer–Olkin's measure compares correlations with partial correlations: above 0.8
# is "meritorious", below 0.5 "unacceptable". Bartlett's test checks that the items are
# correlated at all (the correlation matrix is not an identity matrix).

# %%
kmo_overall, kmo_items = factor.kmo(survey[items])
chisq, df, pvalue = factor.bartlett(survey[items])
adequacy = pd.DataFrame(
    {"statistic": ["KMO (overall)", "lowest item KMO", "Bartlett chi-square", "Bartlett df", "Bartlett p-value"],
     "value": [kmo_overall, kmo_items.min(), chisq, df, pvalue]})
adequacy

# %% [markdown]
# ## How many factors?
#
# Horn's parallel analysis keeps the factors whose eigenvalues exceed those of random data
# of the same size (simulated with the study's seed).

# %%
pa = factor.parallel_analysis(survey[items], n_iter=50, seed=p["seed"])
n_factors = p["n_factors"] or pa.n_factors
print(f"Parallel analysis suggests {pa.n_factors} factor(s); the analysis uses {n_factors}.")

# %%
plots.scree_chart(pa.eigenvalues, title="Scree plot with parallel analysis");

# %% [markdown]
# ## Exploratory factor analysis
#
# Loadings below the study's cut-off are hidden for reading; `h2` is the communality
# (variance of the item explained by the factors), `u2` its uniqueness.

# %%
efa = factor.efa(survey[items], n_factors, method=p["efa_method"], rotation=p["rotation"])
factor.loading_table(efa, cutoff=p["loading_cutoff"]).style.format("{:.2f}", na_rep="")

# %%
efa.variance.round(3)

# %% [markdown]
# ## Reliability of each dimension
#
# Cronbach's alpha of the perception items per dimension, with a 95 % confidence
# interval; values above 0.7 are usually called acceptable, above 0.8 good.

# %%
reliability.scale_reliability(survey, dims).round(3)

# %% [markdown]
# ## Gaps between expectation and perception
#
# The SERVQUAL gap is perception minus expectation (P − E) per dimension, with a paired
# t confidence interval. Negative gaps show where the service falls short.

# %%
gaps = servqual.gap_scores(survey, cb.servqual["dimensions"], ci=p["ci_level"],
                           expectation_prefix=cb.servqual["expectation_prefix"],
                           perception_prefix=cb.servqual["perception_prefix"])
gaps.round(3)

# %%
plots.gap_chart(gaps, title="SERVQUAL gap (P − E) per dimension");
