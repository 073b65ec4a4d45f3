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
# and confirmatory factor analysis, reliability and validity, the expectation–perception
# gaps, and finally the known criticism of SERVQUAL tested on these data.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"rotation": "varimax"}

# %%
import cxlab
import pandas as pd
from IPython.display import Markdown
from cxlab import factor, plots, reliability, sem, servqual
from cxlab.data import load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
survey = load_processed_survey(study)
dims = cb.servqual_items("p")
items = [i for cols in dims.values() for i in cols]
sq = dict(expectation_prefix=cb.servqual["expectation_prefix"], perception_prefix=cb.servqual["perception_prefix"])

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

# %% caption="Eigenvalues of the perception items against random data (parallel analysis)."
plots.scree_chart(pa.eigenvalues, title="Scree plot with parallel analysis");

# %% [markdown]
# ## Exploratory factor analysis
#
# Loadings below the study's cut-off are hidden for reading; `h2` is the communality
# (variance of the item explained by the factors), `u2` its uniqueness.

# %%
efa = factor.efa(survey[items], n_factors, method=p["efa_method"], rotation=p["rotation"])
factor.loading_table(efa, cutoff=p["loading_cutoff"]).style.format("{:.2f}", na_rep="")

# %% caption="Variance explained by each factor."
efa.variance.round(3)

# %% [markdown]
# How well do the factors reproduce the item correlations? These are the statistics
# R's `psych::fa` prints: the chi-square test (it rejects almost any model at survey
# sample sizes), RMSEA with its 90 % interval (below 0.06 is good), the Tucker–Lewis
# index (above 0.95 is good), the root mean square of the residual correlations and BIC.

# %% caption="Fit of the exploratory factor model."
factor.efa_fit(efa, survey).to_frame("value").round(4)

# %% [markdown]
# Does each SERVQUAL dimension come out as a factor of its own? An item belongs to the
# factor it loads on most strongly; a dimension is *recovered* when all its items share
# one factor and no other dimension's items join them.

# %%
recovery = factor.dimension_recovery(efa, dims)
recovery.round(3)

# %% [markdown]
# ## Confirmatory factor analysis of the five dimensions
#
# The study's measurement model (`models.measurement`) lets each perception item load on
# its own dimension only. Check the warnings first: a model that did not converge, a
# negative variance (Heywood case) or a non-positive-definite matrix makes the rest
# meaningless.

# %%
cfa = sem.fit(survey, study.models["measurement"], estimator=p["estimator"], missing=p["missing"])
plots.fit_warnings(cfa)

# %% [markdown]
# Fit indices against Hu & Bentler's (1999) cut-offs: CFI and TLI at least 0.95, RMSEA at
# most 0.06, SRMR at most 0.08.

# %% caption="Fit of the five-dimension CFA against Hu & Bentler's cut-offs."
sem.fit_table(cfa)

# %% [markdown]
# ## Reliability of each dimension
#
# Cronbach's alpha of the perception items per dimension, with a 95 % confidence
# interval; values above 0.7 are usually called acceptable, above 0.8 good.

# %% caption="Cronbach's alpha per SERVQUAL dimension."
reliability.scale_reliability(survey, dims).round(3)

# %% [markdown]
# ## Convergent and discriminant validity
#
# From the CFA: composite reliability (at least 0.70) and average variance extracted
# (AVE, at least 0.50) per dimension; Fornell & Larcker's criterion (√AVE above the
# dimension's correlations with the others) and the heterotrait–monotrait ratio (HTMT,
# below 0.85 strict or 0.90 liberal).

# %%
validity = reliability.validity_table(cfa, survey)
validity.drop(columns=["cr_ok", "ave_ok"]).round(3)

# %% caption="Discriminant validity: Fornell–Larcker and HTMT per pair of dimensions."
reliability.discriminant_validity(cfa, survey).round(3)

# %% [markdown]
# ## Gaps between expectation and perception
#
# The SERVQUAL gap is perception minus expectation (P − E) per dimension, with a paired
# t confidence interval. Negative gaps show where the service falls short.

# %%
gaps = servqual.gap_scores(survey, cb.servqual["dimensions"], ci=p["ci_level"], **sq)
gaps.round(3)

# %% caption="SERVQUAL gaps (perception − expectation) with confidence intervals."
plots.gap_chart(gaps, title="SERVQUAL gap (P − E) per dimension");

# %% [markdown]
# SERVPERF (Cronin & Taylor 1992) uses the perceptions alone:

# %%
servqual.servperf_scores(survey, cb.servqual["dimensions"], ci=p["ci_level"],
                         perception_prefix=sq["perception_prefix"]).round(3)

# %% [markdown]
# ## The criticism of SERVQUAL, tested on these data
#
# **Are difference scores less reliable?** A gap P − E carries the measurement error of
# both scores, while what they share cancels out. Below: alpha of the perception, the
# expectation and the gap items per dimension, and the reliability of the dimension's
# difference score from Johns' (1981) formula.

# %%
gap_rel = servqual.gap_reliability(survey, cb.servqual["dimensions"], **sq)
gap_rel.drop(columns=["sd_perception", "sd_expectation"]).round(3)

# %% caption="Reliability of perception items and of gap scores per dimension."
plots.difference_reliability_chart(gap_rel, title="Reliability: perceptions vs gap scores");

# %% [markdown]
# **Which explains more: gaps or perceptions?** Overall satisfaction regressed on the
# five perception scores (SERVPERF), on the five gaps (SERVQUAL), and on perceptions and
# expectations together (P + E), on the same respondents. Both rival models are nested
# in P + E; the F and likelihood-ratio tests ask what each one's restriction costs.

# %%
comparison = servqual.compare_servqual_servperf(
    survey, cb.servqual["dimensions"], outcome=list(cb.scales[p["outcome"]]["items"]),
    outcome_name=p["outcome"], **sq)
comparison.models.round(3)

# %% caption="Tests of SERVQUAL (gaps) against SERVPERF (perceptions)."
comparison.tests.round(4)

# %% caption="Variance in the outcome explained by SERVQUAL and SERVPERF."
plots.variance_explained_chart(comparison.models, title=f"Variance in {p['outcome']} explained");

# %% [markdown]
# ## Conclusion
#
# Written from the numbers above (rerun with other data and it changes with them).

# %% tags=["summary"]
Markdown(servqual.describe(recovery=recovery, gaps=gaps, reliability=gap_rel, comparison=comparison,
                           alpha_level=p["alpha_level"]))

# %%
Markdown(reliability.describe_validity(validity))

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "measurement"))
