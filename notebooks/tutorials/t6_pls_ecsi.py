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
# # Tutorial 6 — PLS path modelling beside CB-SEM: the ECSI mobile-phone model
#
# National satisfaction indices (the European and American Customer Satisfaction Indices,
# ECSI and ACSI) estimate the chain *image, expectations, perceived quality → perceived
# value → satisfaction → complaints, loyalty* with **partial least squares path modelling**
# (PLS-SEM; SmartPLS, seminr, plspm) and publish 0–100 index scores per construct. Tutorial
# 2 fitted a *covariance-based* SEM (CB-SEM, lavaan's approach). Here we fit the same
# structural model both ways on the ECSI survey of 250 mobile-phone customers (Tenenhaus et
# al. 2005; items 1–10) and see where the two agree and where they differ.
#
# The PLS path coefficients are put beside SmartPLS 2's for the three inner weighting
# schemes, and the CB-SEM estimates beside lavaan's.
#
# **You will learn:** composites versus common factors, the inner weighting schemes, the
# primer's measurement checks (loadings, rho_c, rho_A, AVE, HTMT), bootstrap intervals for
# direct and indirect effects, 0–100 index scores, and why PLS paths are usually smaller
# than CB-SEM's.

# %% tags=["parameters"]
tolerance = 1e-4  # largest accepted |cxlab - SmartPLS / lavaan| difference
n_boot = 500  # bootstrap resamples (5,000 for a publication; 500 keeps the tutorial quick)
seed = 2005  # bootstrap seed

# %%
import json

import pandas as pd
from cxlab import datasets, pls, sem
from cxlab.paths import project_root

pd.set_option("display.float_format", "{:.4g}".format)
external = project_root().parent / "shared" / "data" / "external" / "ecsi_mobi"
mobi = pd.read_csv(external / "mobi.csv", index_col=0)
references = project_root() / "tests" / "data"  # SmartPLS 2 and lavaan results, with their sources
smartpls = json.loads((references / "pls_ecsi_smartpls2.json").read_text())
lavaan = json.loads((references / "ecsi_mobi.json").read_text())
mobi.describe().T[["mean", "std", "min", "max"]].head(8)

# %% [markdown]
# ## 1. The model
#
# Seven constructs: Image (5 items), Expectation (3), perceived Quality (7), perceived Value
# (2), Satisfaction (3), Complaints (1) and Loyalty (3). `=~` makes a block *reflective*
# (outer mode A: the items reflect the construct); `<~` would make it *formative* (mode B).
# `~` lines are the inner (structural) model.

# %%
model = smartpls["model_syntax"]
print(model)

# %% [markdown]
# ## 2. PLS estimates and SmartPLS 2
#
# PLS builds each construct as a weighted sum of its standardised items. It alternates an
# *inner* estimate (a construct from its neighbours in the path model) and an *outer*
# estimate (new item weights) until the weights stop changing. The inner weighting scheme
# decides how neighbours are weighted: regression weights for predecessors and
# correlations for successors (path), correlations (factorial) or their signs (centroid).
# The choice barely matters, as the three columns show.

# %%
fits = {scheme: pls.fit(mobi, model, scheme=scheme) for scheme in pls.SCHEMES}
paths = pd.concat({s: f.estimates.query("op == '~'").set_index(["lhs", "rhs"])["est"] for s, f in fits.items()},
                  axis=1)
paths

# %%
pls_cmp = pd.concat([
    datasets.compare_to_reference(
        fits[scheme].estimates.query("op == '~'").assign(scheme=scheme),
        pd.DataFrame(smartpls["paths"][scheme], columns=["lhs", "rhs", "est"]).assign(scheme=scheme),
        keys=["scheme", "lhs", "rhs"], columns=["est"])
    for scheme in pls.SCHEMES])
pls_cmp.head()

# %% [markdown]
# ## 3. The measurement model, as the PLS-SEM primer checks it
#
# - loadings ≥ 0.708 (indicator reliability, the squared loading, ≥ 0.5);
# - internal consistency: rho_c and rho_A between 0.70 and 0.95 (Cronbach's alpha is the
#   lower bound);
# - convergent validity: AVE ≥ 0.5;
# - discriminant validity: HTMT below 0.85 (conceptually distinct constructs) or 0.90.
#
# Look at CUSL2 (loading ≈ 0.2: "would you switch for a lower price?") and at
# Expectation's rho_A. The ECSI items were written for an index, not for a clean
# measurement model.

# %%
fit = fits["path"]
fit.outer.round(3)

# %%
fit.reliability.round(3)

# %%
fit.htmt.round(2)

# %% [markdown]
# ## 4. Structural model: R², f², and bootstrap intervals
#
# PLS makes no distributional assumption, so standard errors come from the bootstrap:
# resample the respondents, refit, and take the spread. The intervals below are
# percentiles of the resampled estimates (`boot_ci="bca"` gives bias-corrected ones).

# %%
boot = pls.fit(mobi, model, bootstrap=n_boot, seed=seed, scale_range=(1, 10))
boot.estimates.query("op == '~'").round(3)

# %%
boot.r2.join(fit.f2.groupby("lhs")["f2"].max().rename("largest_f2")).round(3)

# %% [markdown]
# Indirect effects need no extra syntax: every route through the model is there, with its
# bootstrap interval. Quality reaches Loyalty only through Value and Satisfaction.

# %%
boot.effects.query("to == 'Loyalty'")[["from", "direct", "indirect", "indirect_ci_lower", "indirect_ci_upper",
                                       "total"]].round(3)

# %% [markdown]
# ## 5. Index scores 0–100
#
# ECSI/ACSI report each construct as an index: every item is rescaled from its 1–10 range
# to 0–100 and averaged with the construct's (unstandardised) outer weights. The
# interval comes from the same bootstrap.

# %%
boot.index.round(1)

# %% [markdown]
# ## 6. Predictive power: PLSpredict
#
# R² describes the respondents the model was fitted to. PLSpredict (Shmueli et al. 2019)
# asks how well it predicts respondents it has not seen: in 10-fold cross-validation each
# endogenous item is predicted from the Image items through the model estimated on the
# other nine folds, and compared with a linear regression on the same items (the LM
# benchmark) and with the training mean (Q²_predict above 0: better than the mean). PLS
# has high predictive power when its RMSE beats the LM's for every item, medium for the
# majority, low for a minority.

# %%
prediction = pls.predict(mobi, model, n_folds=10, n_repeats=3, seed=seed)
prediction.metrics.round(3)

# %%
prediction.predictive_power

# %% [markdown]
# ## 7. The same structural model by CB-SEM
#
# CB-SEM treats each construct as a *common factor* and fits the covariance matrix by
# maximum likelihood; the standardised paths (`std_all`) are comparable with PLS's. The
# CB-SEM estimates are checked against lavaan (Complaints has one item: its residual
# variance is fixed to 0, so it is treated as measured without error).

# %%
cb = sem.fit(mobi, lavaan["model_syntax"])
cb_cmp = datasets.compare_to_reference(cb.estimates, datasets.reference_table(lavaan, "parameters"),
                                       keys=["lhs", "op", "rhs"], columns=["est", "std_all"])
names = {"IMAG": "Image", "CUEX": "Expectation", "PERQ": "Quality", "PERV": "Value", "CUSA": "Satisfaction",
         "COMP": "Complaints", "CUSL": "Loyalty"}
cb_paths = (cb.estimates.query("op == '~'").replace({"lhs": names, "rhs": names})
            .set_index(["lhs", "rhs"])["std_all"])
side = pd.DataFrame({"PLS (path)": paths["path"], "CB-SEM (ML, std_all)": cb_paths})
side["difference"] = side["CB-SEM (ML, std_all)"] - side["PLS (path)"]
side.round(3)

# %% [markdown]
# **Why they differ.** PLS constructs are weighted sums of items, so they keep the items'
# measurement error; correlations between error-laden composites are *attenuated*, and so
# are the paths between them (PLS is "consistent at large": only with many, highly
# reliable items would it approach the factor model). CB-SEM removes measurement error and
# estimates the correlations between the common factors, so its paths are larger wherever
# the constructs are unreliable. Here it goes further: as factors, Image, Expectation,
# Quality and Satisfaction correlate at about .99, and with such collinear predictors the
# CB-SEM paths into Value, Satisfaction and Loyalty swing past ±1 and change sign: the
# factor model cannot tell these constructs apart. Consistent PLS (`consistent=True`)
# corrects the composites' correlations by their reliabilities (rho_A): its paths grow
# where PLS is attenuated (Image → Expectation, Expectation → Quality) yet stay
# interpretable. Use PLS for prediction and index scores, CB-SEM to test a theory of
# common factors (after checking discriminant validity), and report which one you used.

# %%
plsc = pls.fit(mobi, model, consistent=True)
side["PLSc"] = plsc.estimates.query("op == '~'").set_index(["lhs", "rhs"])["est"]
side.round(3)

# %% [markdown]
# ## 8. How close is cxlab to SmartPLS and lavaan?

# %% tags=["reference-check"]
check = datasets.comparison_summary({"PLS paths (SmartPLS 2)": pls_cmp, "CB-SEM estimates (lavaan)": cb_cmp},
                                    tolerance=tolerance)
assert check["within"].all(), check[~check["within"]]
check

# %% [markdown]
# ## Exercises
#
# 1. Drop CUSL2 from Loyalty and refit. How do Loyalty's AVE, rho_c and its R² change, and
#    does any path conclusion change?
# 2. Make Quality formative (`Quality <~ PERQ1 + ... + PERQ7`). Which weights are not
#    significant, and what do the indicator VIFs (`fit.outer["vif"]`) say about
#    collinearity?
# 3. Refit with `boot_ci="bca"` and compare the intervals of the weakest paths
#    (Expectation → Value, Complaints → Loyalty) with the percentile ones.
# 4. Rerun PLSpredict with `approach="direct"` (each construct predicted from its direct
#    antecedents' scores). Which items' errors change most, and why does the LM benchmark
#    change too?
