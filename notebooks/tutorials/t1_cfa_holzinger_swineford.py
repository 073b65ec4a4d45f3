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
# # Tutorial 1 — Confirmatory factor analysis: Holzinger & Swineford (1939)
#
# A *confirmatory* factor analysis (CFA) tests a measurement model that you write down
# before looking at the data: which questions (indicators) measure which unobserved
# construct (latent factor). It is the first step of every satisfaction model: before
# asking what drives satisfaction, we check that our questionnaire measures the
# constructs we think it measures.
#
# We reproduce the first example of the [lavaan tutorial](https://lavaan.ugent.be/tutorial/cfa.html):
# nine mental-ability tests taken by 301 children in two schools. Three tests each are
# meant to measure a *visual*, a *textual* and a *speed* factor. Every number cxlab
# computes is put beside lavaan's (R 4.2.2, lavaan 0.6-14), with the difference.
#
# **You will learn:** how to write a measurement model, how to judge its fit (χ², CFI,
# TLI, RMSEA, SRMR), how to read estimates and the standardised solution, and how to use
# modification indices without fooling yourself.

# %% tags=["parameters"]
tolerance = 1e-4  # largest accepted |cxlab - lavaan| difference in this tutorial
top_mi = 10  # how many modification indices to show (lavaan's reference keeps 10)

# %%
import pandas as pd
from cxlab import datasets, plots, sem

plots.set_theme()
pd.set_option("display.float_format", "{:.6g}".format)
hs = datasets.load_dataset("holzinger_swineford")
lavaan = datasets.load_reference("hs_cfa")
hs.head()

# %% [markdown]
# ## 1. The model
#
# lavaan's syntax reads like the path diagram: `visual =~ x1 + x2 + x3` says "the latent
# factor *visual* is measured by x1, x2 and x3". Each factor needs a scale: by default the
# loading of its first indicator is fixed to 1 (the *marker variable*), so the factor is
# measured in x1's units. The factors may correlate; every indicator gets a residual
# variance (what the factor does not explain).

# %%
model = lavaan["model_syntax"]
print(model)

# %%
fit = sem.fit(hs, model)
plots.fit_warnings(fit)

# %% [markdown]
# ## 2. Does the model fit?
#
# The model implies a covariance matrix for the nine tests; fit measures say how far it
# is from the observed one.
#
# - **χ² (chi-square)** tests exact fit: "the model reproduces the population covariances
#   perfectly". With df degrees of freedom (observed variances and covariances minus
#   free parameters: 45 − 21 = 24) a small p-value rejects exact fit. With a few hundred
#   respondents almost every model is rejected, so we also look at approximate fit.
# - **CFI** and **TLI** compare the model with a *baseline* model in which the tests are
#   uncorrelated: 1 is perfect, at least 0.95 is good (Hu & Bentler 1999). TLI penalises
#   complexity.
# - **RMSEA** is the misfit per degree of freedom in the population, with a 90 % interval:
#   at most 0.06 is good, above 0.10 poor.
# - **SRMR** is the average difference between observed and implied correlations: at most
#   0.08 is good.
#
# These cut-offs are rules of thumb, not tests. Here χ² rejects, CFI/TLI and RMSEA fall
# short and SRMR is fine: the model is close but something is missing (section 5).

# %%
sem.fit_table(fit)

# %% [markdown]
# The same fit measures beside lavaan's `fitMeasures(fit)`. `difference` is cxlab minus
# lavaan; all 46 measures are compared below and summarised at the end, the headline ones
# are shown here. AIC and BIC compare non-nested models (smaller is better); `logl` is the
# log-likelihood they are computed from.

# %%
fit_cmp = datasets.compare_to_reference(fit.fit_measures, datasets.reference_values(lavaan, "fit_all"))
headline = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "aic", "bic"]
fit_cmp.set_index("name").loc[headline, ["ours", "reference", "difference"]]

# %% [markdown]
# ## 3. Parameter estimates
#
# One row per parameter: `=~` loadings, `~~` variances and covariances. For each:
#
# - **est** — the maximum-likelihood estimate, in the units of the data;
# - **se** — its standard error (how much it would vary from sample to sample);
# - **z** = est / se and its **pvalue** — the test that the parameter is zero in the
#   population (|z| > 1.96 means p < 0.05);
# - **ci_lower, ci_upper** — the 95 % confidence interval, est ± 1.96 se.
#
# Fixed parameters (the marker loadings) have se 0 and no test.

# %%
fit.estimates[["lhs", "op", "rhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper"]]

# %% [markdown]
# cxlab's estimates beside lavaan's `parameterEstimates(fit)`. The standard errors, z,
# p-values and intervals are compared too; their largest differences are in the summary at
# the end.

# %%
estimates_cmp = datasets.compare_to_reference(
    fit.estimates, datasets.reference_table(lavaan, "parameters"), keys=["lhs", "op", "rhs"],
    columns=["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"])
estimates_cmp.query("statistic == 'est'")

# %% [markdown]
# ## 4. The standardised solution
#
# Unstandardised loadings depend on each test's scale. **std_all** rescales every
# variable, observed and latent, to variance 1: a loading becomes the correlation of the
# test with its factor, a covariance between factors becomes their correlation, and a
# residual variance becomes the share of the test's variance the factor does *not*
# explain. Standardised loadings above about 0.5 (better 0.7) make a good indicator; x2
# (0.42) is weak. **R²** is 1 − the standardised residual variance: the share of each
# test explained by its factor.

# %%
loadings = fit.estimates.query("op == '=~'")[["lhs", "rhs", "est", "std_all"]]
loadings.assign(r2=loadings["rhs"].map(fit.r2))

# %%
estimates_cmp.query("statistic == 'std_all'")

# %% [markdown]
# ## 5. Modification indices
#
# A modification index (**mi**) is the drop in χ² (1 df) expected if one parameter the
# model fixes at zero were freed; **epc** is the expected value of that parameter and
# **sepc_all** its standardised value. An mi above 3.84 is "significant" at 5 %, but with
# dozens of candidates some are large by chance. Free a parameter only when theory
# supports it — and confirm it on new data. Here the largest says x9 (a speed test) also
# measures *visual* ability, which has a plausible reading; the residual covariance of x7
# and x8 says the two speed tests share something the speed factor does not capture.

# %%
mi = sem.modification_indices(fit, top=top_mi)
mi

# %%
mi_cmp = datasets.compare_to_reference(mi, datasets.reference_table(lavaan, "modindices_top10"),
                                       keys=["lhs", "op", "rhs"], columns=["mi", "epc", "sepc_all"])
mi_cmp.query("statistic == 'mi'")

# %% [markdown]
# ## 6. How close is cxlab to lavaan?
#
# The largest absolute difference per statistic over every compared number. The run stops
# with an error if any is above the tolerance (a parameter of this notebook). Differences
# of about 1e-6 come from the optimisers' stopping rules, not from different methods.

# %% tags=["reference-check"]
check = datasets.comparison_summary(
    {"fit measures": fit_cmp, "estimates": estimates_cmp, "modification indices": mi_cmp},
    tolerance=tolerance)
assert check["within"].all(), check[~check["within"]]
check

# %% [markdown]
# ## Exercises
#
# 1. Add the cross-loading suggested by the largest modification index
#    (`visual =~ x1 + x2 + x3 + x9`) and refit. How much does χ² drop — close to the mi?
#    Do CFI and RMSEA now meet the cut-offs?
# 2. Identify the factors by fixing their variances instead: write `visual =~ NA*x1 + x2 + x3`
#    and `visual ~~ 1*visual` (and the same for the others). Which numbers change, and
#    which (χ², std_all) stay exactly the same? Why?
# 3. Fit a one-factor model (`g =~ x1 + ... + x9`). Compare its AIC and BIC with the
#    three-factor model. Which do the data prefer?
# 4. Refit on the `Pasteur` school only (`hs[hs.school == "Pasteur"]`). Which fit measures
#    and standard errors change most with half the sample?
