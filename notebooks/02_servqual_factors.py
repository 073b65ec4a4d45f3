# ---
# jupyter:
#   cxlab:
#     needs: [scales]
#     parameters: {waves: wave, n_factors: null, seed: null, efa_method: null, rotation: null, loading_cutoff: null, ci_level: null, bootstrap: null, estimator: measurement_model, missing: measurement_model, alpha_level: expectations, outcome: expectations}
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
# # Measurement quality
#
# Do the items measure the constructs they claim to measure? This report follows the
# usual order: sampling adequacy, number of factors, exploratory factor analysis and
# reliability.

# %% [markdown] tags=["needs-measurement_model"]
# The study's measurement model is then tested by confirmatory factor analysis, with
# convergent and discriminant validity.

# %% [markdown] tags=["needs-expectations"]
# The survey asks SERVQUAL expectations as well as perceptions: the expectation–perception
# gaps and the known criticism of SERVQUAL follow.

# %% [markdown] tags=["needs-pillars"]
# The survey carries KPMG Nunwood's Six Pillars: their scores and reliability follow.

# %% [markdown] tags=["needs-sacrifice"]
# It asks what customers want exactly and what they settle for: the customer sacrifice per
# attribute follows.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"rotation": "varimax"}

# %%
import cxlab
from IPython.display import Markdown
from cxlab import factor, pillars, plots, reliability, sacrifice, sem, servqual, tables
from cxlab.data import load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
tables.use_publication_tables(labels=cb.label, values=(cb.segment, cb.wave, "group"))
survey = load_processed_survey(study)
blocks, left_out = factor.usable_blocks(survey, study.measurement_blocks())
items = [i for cols in blocks.values() for i in cols]
Markdown(factor.describe_items(blocks, labels=cb.label) + " " + left_out)

# %% [markdown]
# ## Is the correlation matrix fit for factor analysis?
#
# Kaiser–Meyer–Olkin's measure compares correlations with partial correlations: above 0.8
# is "meritorious", below 0.5 "unacceptable". Bartlett's test checks that the items are
# correlated at all (the correlation matrix is not an identity matrix).

# %% caption="Sampling adequacy (KMO) and Bartlett's test of sphericity."
factor.adequacy_table(survey[items])

# %% [markdown]
# ## How many factors?
#
# Horn's parallel analysis keeps the factors whose eigenvalues exceed those of random data
# of the same size (simulated with the study's seed).

# %%
pa = factor.parallel_analysis(survey[items], n_iter=50, seed=p["seed"])
n_factors = p["n_factors"] or pa.n_factors
Markdown(f"Parallel analysis suggests {pa.n_factors} factor(s); the analysis uses {n_factors}"
         + (" (set by the study's n_factors)." if p["n_factors"] else "."))

# %% caption="Eigenvalues of the items against random data (parallel analysis)."
plots.scree_chart(pa.eigenvalues, title="Scree plot with parallel analysis");

# %% [markdown]
# ## Exploratory factor analysis
#
# Loadings below the study's cut-off are hidden for reading; `h2` is the communality
# (variance of the item explained by the factors), `u2` its uniqueness.

# %% caption="Exploratory factor loadings (small loadings hidden)."
efa = factor.efa(survey[items], n_factors, method=p["efa_method"], rotation=p["rotation"])
factor.loading_table(efa, cutoff=p["loading_cutoff"]).rename_axis("item").round(2)

# %% caption="Variance explained by each factor."
efa.variance.rename_axis("statistic").round(3)

# %% [markdown]
# How well do the factors reproduce the item correlations? These are the statistics
# R's `psych::fa` prints: the chi-square test (it rejects almost any model at survey
# sample sizes), RMSEA with its 90 % interval (below 0.06 is good), the Tucker–Lewis
# index (above 0.95 is good), the root mean square of the residual correlations and BIC.

# %% caption="Fit of the exploratory factor model."
factor.efa_fit(efa, survey).to_frame("value").round(4)

# %% [markdown]
# Does each construct come out as a factor of its own? An item belongs to the factor it
# loads on most strongly; a construct is *recovered* when all its items share one factor
# and no other construct's items join them.

# %% caption="Recovery of the study's constructs by the exploratory factors."
recovery = factor.dimension_recovery(efa, blocks)
recovery.round(3)

# %% [markdown]
# ## Reliability
#
# Cronbach's alpha of each construct's items with a Feldt confidence interval at the
# study's confidence level; values above 0.7 are usually called acceptable, above 0.8 good.
# McDonald's omega (total, one factor per construct) does not assume equal loadings; its
# interval is a percentile bootstrap over respondents (the study's resamples and seed).

# %% caption="Cronbach's alpha per construct with confidence intervals."
reliability.scale_reliability(survey, blocks, ci=p["ci_level"]).round(3)

# %% caption="McDonald's omega per construct with bootstrap intervals (constructs of three or more items)."
reliability.omega_table(survey, blocks, n_boot=p["bootstrap"], seed=p["seed"], ci=p["ci_level"]).round(3)

# %% tags=["unless-measurement_model"]
Markdown(cxlab.plan.not_run("A confirmatory factor analysis", study, "measurement_model", survey))

# %% [markdown] tags=["needs-measurement_model"]
# ## Confirmatory factor analysis
#
# The study's measurement model (`models.measurement`) lets each item load on its own
# construct only. Check the warnings first: a model that did not converge, a negative
# variance (Heywood case) or a non-positive-definite matrix makes the rest meaningless.
# Fit indices are judged against Hu & Bentler's (1999) cut-offs: CFI and TLI at least
# 0.95, RMSEA at most 0.06, SRMR at most 0.08.

# %% tags=["needs-measurement_model"]
cfa = sem.fit(survey, study.models["measurement"], **cxlab.plan.sem_options(p))
plots.fit_warnings(cfa)

# %% tags=["summary", "needs-measurement_model"]
sem.judge.interpretation_gate({"measurement model": cfa}, labels=cb.label).box()

# %% caption="Fit of the measurement model against Hu & Bentler's cut-offs." tags=["needs-measurement_model"]
tables.fit_apa(sem.fit_table(cfa))

# %% caption="Loadings of the measurement model (the first loading of each construct fixed to 1)." tags=["needs-measurement_model"]
tables.loadings_table(cfa).round(3)

# %% [markdown] tags=["needs-measurement_model"]
# ## Convergent and discriminant validity
#
# From the CFA: composite reliability (at least 0.70) and average variance extracted
# (AVE, at least 0.50) per construct; Fornell & Larcker's criterion (√AVE above the
# construct's correlations with the others) and the heterotrait–monotrait ratio (HTMT,
# below 0.85 strict or 0.90 liberal).

# %% caption="Convergent validity: composite reliability and AVE per construct." tags=["needs-measurement_model"]
validity = reliability.validity_table(cfa, survey)
validity.drop(columns=["cr_ok", "ave_ok"]).round(3)

# %% caption="Discriminant validity: Fornell–Larcker and HTMT per pair of constructs." tags=["needs-several_factors"]
reliability.discriminant_validity(cfa, survey).round(3)

# %% [markdown] tags=["needs-expectations"]
# ## SERVQUAL: gaps between expectation and perception
#
# The SERVQUAL gap is perception minus expectation (P − E) per dimension, with a paired
# t confidence interval at the study's confidence level. Negative gaps show where the
# service falls short.

# %% caption="SERVQUAL gaps per dimension: perception, expectation and their difference." tags=["needs-expectations"]
sq = dict(expectation_prefix=cb.servqual["expectation_prefix"], perception_prefix=cb.servqual["perception_prefix"])
gaps = servqual.gap_scores(survey, cb.servqual["dimensions"], ci=p["ci_level"], **sq)
gaps.round(3)

# %% caption="SERVQUAL gaps (perception − expectation) with confidence intervals." tags=["needs-expectations"]
plots.gap_chart(gaps, title="SERVQUAL gap (P − E) per dimension");

# %% [markdown] tags=["needs-expectations"]
# SERVPERF (Cronin & Taylor 1992) uses the perceptions alone:

# %% caption="SERVPERF: mean perception per dimension." tags=["needs-expectations"]
servqual.servperf_scores(survey, cb.servqual["dimensions"], ci=p["ci_level"],
                         perception_prefix=sq["perception_prefix"]).round(3)

# %% [markdown] tags=["needs-expectations"]
# ## The criticism of SERVQUAL, tested on these data
#
# **Are difference scores less reliable?** A gap P − E carries the measurement error of
# both scores, while what they share cancels out. Below: alpha of the perception, the
# expectation and the gap items per dimension, and the reliability of the dimension's
# difference score from Johns' (1981) formula.

# %% caption="Reliability of perception, expectation and gap items per dimension." tags=["needs-expectations"]
gap_rel = servqual.gap_reliability(survey, cb.servqual["dimensions"], **sq)
gap_rel.drop(columns=["sd_perception", "sd_expectation"]).round(3)

# %% caption="Reliability of perception items and of gap scores per dimension." tags=["needs-expectations"]
plots.difference_reliability_chart(gap_rel, title="Reliability: perceptions vs gap scores");

# %% [markdown] tags=["needs-expectations", "needs-outcome"]
# **Which explains more: gaps or perceptions?** The outcome regressed on the perception
# scores (SERVPERF), on the gaps (SERVQUAL), and on perceptions and expectations together
# (P + E), on the same respondents. Both rival models are nested in P + E; the F and
# likelihood-ratio tests ask what each one's restriction costs.

# %% caption="SERVQUAL and SERVPERF models of the outcome." tags=["needs-expectations", "needs-outcome"]
comparison = servqual.compare_servqual_servperf(
    survey, cb.servqual["dimensions"], outcome=cb.columns_of(p["outcome"]),
    outcome_name=cb.label(p["outcome"]), **sq)
comparison.models.round(3)

# %% caption="Tests of SERVQUAL (gaps) against SERVPERF (perceptions)." tags=["needs-expectations", "needs-outcome"]
comparison.tests.round(4)

# %% caption="Variance in the outcome explained by SERVQUAL and SERVPERF." tags=["needs-expectations", "needs-outcome"]
plots.variance_explained_chart(comparison.models, title=f"Variance in {cb.label(p['outcome'])} explained");

# %% [markdown] tags=["needs-pillars"]
# ## The Six Pillars
#
# KPMG Nunwood's Six Pillars of customer experience (personalisation, integrity,
# expectations, resolution, time & effort, empathy), each scored as the mean of its items
# (at least half answered). The mean score has a t interval at the study's confidence
# level; reliability is Cronbach's alpha (Feldt interval) and McDonald's omega (pillars of
# three or more items; percentile bootstrap over respondents).

# %% caption="Six Pillars: mean score and reliability per pillar." tags=["needs-pillars"]
pillar_rel = pillars.pillar_reliability(survey, cb.pillars["items"], ci=p["ci_level"], n_boot=p["bootstrap"],
                                        seed=p["seed"])
pillar_rel.round(3)

# %% caption="Six Pillars: mean score per pillar with confidence intervals." tags=["needs-pillars"]
lo, hi = cb.pillars["range"]
plots.interval_chart(pillar_rel, value="mean", labels=cb.label, title="Six Pillars: mean score per pillar",
                     xlabel=f"mean score ({lo}–{hi})", origin=lo);

# %% [markdown] tags=["needs-sacrifice"]
# ## Customer sacrifice
#
# Pine & Gilmore's customer sacrifice is the gap between what a customer wants exactly and
# what they settle for. Per attribute the survey asks both on one scale; the sacrifice is
# their difference (wanted − settled) per respondent, averaged with a paired t interval.
# Positive values mean customers settle for less than they want.

# %% caption="Customer sacrifice per attribute: what customers want exactly, what they settle for, and the difference." tags=["needs-sacrifice"]
sac = sacrifice.sacrifice_gaps(survey, cb.sacrifice["attributes"], ci=p["ci_level"])
sac.round(3)

# %% caption="Customer sacrifice (wanted − settled) per attribute with confidence intervals." tags=["needs-sacrifice"]
plots.interval_chart(sac, value="sacrifice", labels=cb.label, zero=True, title="Customer sacrifice per attribute",
                     xlabel="sacrifice: wanted − settled (scale points)");

# %% [markdown]
# ## Conclusion
#
# Written from the numbers above (rerun with other data and it changes with them).

# %% tags=["summary"]
Markdown(factor.describe_structure(recovery, labels=cb.label))

# %% tags=["summary", "needs-expectations"]
Markdown(servqual.describe(gaps=gaps, reliability=gap_rel, alpha=p["alpha_level"]))

# %% tags=["summary", "needs-expectations", "needs-outcome"]
Markdown(servqual.describe(comparison=comparison, alpha=p["alpha_level"]))

# %% tags=["needs-measurement_model"]
Markdown(reliability.describe_validity(validity))

# %% tags=["summary", "needs-pillars"]
Markdown(pillars.describe(reliability=pillar_rel, labels=cb.label))

# %% tags=["summary", "needs-sacrifice"]
Markdown(sacrifice.describe(sac, labels=cb.label))

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "measurement"))
