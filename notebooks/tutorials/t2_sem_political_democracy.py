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
# # Tutorial 2 — A structural equation model: Bollen's political democracy
#
# A *structural equation model* (SEM) joins a measurement model (tutorial 1) with
# regressions between the latent factors. In customer-experience research this is the
# satisfaction model: service-quality perceptions → satisfaction → loyalty, each
# measured by several questions. Here we reproduce the classic SEM of the
# [lavaan tutorial](https://lavaan.ugent.be/tutorial/sem.html) (Bollen 1989): does a
# country's industrialisation in 1960 (*ind60*, three indicators) explain its political
# democracy in 1960 and 1965 (*dem60*, *dem65*, four indicators each)? 75 developing
# countries.
#
# Every number is put beside lavaan's (R 4.2.2, lavaan 0.6-14) with the difference.
#
# **You will learn:** regressions between latent variables, residual covariances for
# repeated measures, R² of latent outcomes, the standardised path diagram, and what a
# small sample does to the results.

# %% tags=["parameters"]
tolerance = 1e-4  # largest accepted |cxlab - lavaan| difference for estimates and fit measures
tolerance_mi = 5e-4  # as in the engine tests: MIs depend more on the optimiser's end point
top_mi = 10  # how many modification indices to show (lavaan's reference keeps 10)

# %%
import pandas as pd
from cxlab import datasets, plots, sem

plots.set_theme()
pd.set_option("display.float_format", "{:.6g}".format)
poldem = datasets.load_dataset("political_democracy")
lavaan = datasets.load_reference("poldem_sem")
poldem.describe().T[["mean", "std", "min", "max"]]

# %% [markdown]
# ## 1. The model
#
# Three parts:
#
# - **measurement** (`=~`): as in a CFA, each factor's first indicator is its marker;
# - **regressions** (`~`): `dem65 ~ ind60 + dem60` says democracy in 1965 depends on
#   industrialisation and on democracy five years earlier;
# - **residual covariances** (`~~`): y1–y4 and y5–y8 are the *same four* expert ratings
#   in 1960 and 1965, so the residual of a rating in 1960 may correlate with the same
#   rating in 1965 (y1 ~~ y5, ...). y2, y4, y6 and y8 come from the same source, hence
#   y2 ~~ y4 and y6 ~~ y8.

# %%
model = lavaan["model_syntax"]
print(model)

# %%
fit = sem.fit(poldem, model)
plots.fit_warnings(fit)

# %% [markdown]
# cxlab warns that 75 countries is a small sample for 31 free parameters. The estimates
# are still the maximum-likelihood ones, but standard errors and χ² lean on large-sample
# theory: read p-values near 0.05 with care, and prefer simpler models when n is small.
#
# ## 2. Fit
#
# The same measures as in tutorial 1 (χ², CFI, TLI, RMSEA, SRMR; see there). This model
# fits well: χ² does not reject exact fit (p = 0.33) and every index meets its cut-off.
# With a small sample the RMSEA interval is wide: its upper end shows how bad the fit
# could still be.

# %%
sem.fit_table(fit)

# %%
fit_cmp = datasets.compare_to_reference(fit.fit_measures, datasets.reference_values(lavaan, "fit_all"))
headline = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
            "srmr", "aic", "bic"]
fit_cmp.set_index("name").loc[headline, ["ours", "reference", "difference"]]

# %% [markdown]
# ## 3. The structural paths
#
# The regression coefficients (`op == "~"`) are the heart of an SEM. **est** is the
# change in the outcome factor for one unit more of the predictor factor (in the marker
# indicators' units), holding the other predictors constant; **std_all** is the same in
# standard deviations, comparable across paths. Democracy is very stable (dem60 → dem65,
# std 0.89); industrialisation raises democracy in 1960 (0.45) and, a little, in 1965
# beyond what 1960 democracy carries (0.18).

# %%
fit.estimates.query("op == '~'")[["lhs", "op", "rhs", "est", "se", "z", "pvalue", "std_all"]]

# %%
plots.path_chart(fit, title="Standardised paths (* p < 0.05)");

# %% [markdown]
# **R²** of a latent outcome is the share of its variance explained by its predictors:
# industrialisation explains 20 % of democracy in 1960; with 1960 democracy, 96 % of
# democracy in 1965 is explained.

# %%
fit.r2[["dem60", "dem65"]]

# %% [markdown]
# ## 4. All estimates beside lavaan's
#
# Loadings, regressions, residual covariances and variances: est, se, z, pvalue, the 95 %
# interval and std_all are all compared; here the standard errors (the estimates' own
# differences are in the summary at the end).

# %%
estimates_cmp = datasets.compare_to_reference(
    fit.estimates, datasets.reference_table(lavaan, "parameters"), keys=["lhs", "op", "rhs"],
    columns=["est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"])
estimates_cmp.query("statistic == 'se'")

# %% [markdown]
# The residual covariances in the standardised solution are residual *correlations*: how
# much two ratings share beyond their factors.

# %%
fit.estimates.query("op == '~~' and lhs != rhs")[["lhs", "op", "rhs", "est", "pvalue", "std_all"]]

# %% [markdown]
# ## 5. Modification indices
#
# With a well-fitting model no modification index is large: the largest (ind60 =~ y4,
# mi ≈ 4.8) is about what one expects as the maximum of dozens of χ²(1) values by chance.
# Freeing it would be capitalising on chance.

# %%
mi = sem.modification_indices(fit, top=top_mi)
mi_cmp = datasets.compare_to_reference(mi, datasets.reference_table(lavaan, "modindices_top10"),
                                       keys=["lhs", "op", "rhs"], columns=["mi", "epc", "sepc_all"])
mi_cmp.query("statistic == 'mi'")

# %% [markdown]
# ## 6. How close is cxlab to lavaan?
#
# The largest absolute difference per statistic; the run fails if any exceeds its
# tolerance. Modification indices get a looser tolerance: they are computed at the
# optimum, and lavaan's optimiser stops a little earlier than cxlab's (about 1e-4 here).

# %% tags=["reference-check"]
check = datasets.comparison_summary(
    {"fit measures": fit_cmp, "estimates": estimates_cmp, "modification indices": mi_cmp},
    tolerance={"fit measures": tolerance, "estimates": tolerance, "modification indices": tolerance_mi})
assert check["within"].all(), check[~check["within"]]
check

# %% [markdown]
# ## Exercises
#
# 1. Label the paths (`dem60 ~ a*ind60`, `dem65 ~ c*ind60 + b*dem60`) and add
#    `indirect := a*b` and `total := c + a*b`. How much of industrialisation's effect on
#    1965 democracy runs through 1960 democracy? Is the indirect effect significant?
# 2. Drop the six residual covariances and refit. Which fit measures get worse, and by
#    how much does χ² rise for the six degrees of freedom gained?
# 3. Bollen's model also constrains the loadings of the same rating to be equal in 1960
#    and 1965 (`dem60 =~ y1 + a*y2 + b*y3 + c*y4`, `dem65 =~ y5 + a*y6 + b*y7 + c*y8`).
#    Fit it and compare χ² with the free model: is the constraint acceptable?
# 4. Refit with `estimator="MLR"` (robust standard errors). Which standard errors change
#    most, and does any conclusion change?
