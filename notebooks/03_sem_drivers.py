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
# # Drivers of satisfaction and loyalty: the structural model
#
# A structural equation model links the five service-quality dimensions (as latent
# variables measured by their perception items) to satisfaction and satisfaction to
# loyalty (intention to stay). First the fit of the model is judged against the usual
# cut-offs, then the paths are read.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"estimator": "MLR"}

# %%
import cxlab
from IPython.display import Markdown
from cxlab import plots, sem
from cxlab.data import load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
p = study.parameters
survey = load_processed_survey(study)
model = study.models["structural"]

# %%
fit = sem.fit(survey, model, estimator=p["estimator"], missing=p["missing"])
plots.fit_warnings(fit)

# %% [markdown]
# ## Model fit
#
# Each index is compared with the cut-off of Hu & Bentler (1999): CFI and TLI at least
# 0.95, RMSEA at most 0.06, SRMR at most 0.08. The chi-square test rejects almost every
# model at this sample size, so it is reported but not used alone.

# %%
sem.fit_table(fit)

# %% [markdown]
# ## Structural paths
#
# Standardised coefficients (`std_all`) can be compared across paths: they are the change
# in the outcome, in standard deviations, for one standard deviation more of the driver.

# %%
paths = fit.estimates.query("op == '~'")[["lhs", "rhs", "est", "se", "pvalue", "ci_lower", "ci_upper", "std_all"]]
paths.round(3)

# %% [markdown]
# Variance explained (R²) of the outcomes of the structural model:

# %%
fit.r2[fit.r2.index.isin(paths["lhs"])].rename("R²").to_frame().round(3)

# %%
plots.path_chart(fit, title="Standardised paths: drivers → satisfaction → loyalty");

# %% [markdown]
# ## Summary

# %% tags=["summary"]
Markdown(sem.describe_fit(fit, alpha=p["alpha_level"]))
