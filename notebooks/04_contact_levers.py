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
# # Contacts and improvement levers
#
# What customers experience in their contacts (waits, abandoned calls, repeat contacts,
# transfers, escalations) is linked to their survey answers over a window before the
# survey date. Which of the service-quality dimensions and contact factors weigh most
# for satisfaction? The relations shown are associations, not proven causes.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"contact_window_days": 60}

# %%
import cxlab
import pandas as pd
from cxlab import contacts, levers, plots, quality
from cxlab.data import load_contact_features, load_linkage, load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
survey = load_processed_survey(study)
log = study.data["contacts"]

# %% [markdown]
# ## The contact log
#
# Channel mix, queue waits, abandonment, first-contact resolution and escalation from
# digital channels to an agent (aggregated in DuckDB; no customer appears here).

# %%
overview = contacts.channel_overview(log)
overview.round(3)

# %%
plots.bar_chart(overview, x="share", y="channel", title="Channel mix", xlabel="share of contacts", ylabel="");

# %%
curve = contacts.wait_abandonment(log)
plots.abandonment_chart(curve, title="When do callers hang up? (cumulative share of abandoned calls)");

# %% [markdown]
# ## Linking contacts to respondents

# %%
linkage = load_linkage(study)
pd.Series(linkage, name="count").to_frame()

# %% [markdown]
# ## Which levers matter most for satisfaction?
#
# Shapley (LMG) importance splits the explained variance of satisfaction (R²) fairly over
# the drivers: each driver's share is its average gain in R² over all orders of entry.

# %%
features = load_contact_features(study)
scores = quality.scale_scores(survey, {name: cb.scales[name]["items"] for name in (p["outcome"],)})
dims = quality.scale_scores(survey, {d: items for d, items in cb.servqual_items("p").items()})
data = pd.concat([survey[["respondent_key"]], scores, dims], axis=1).merge(features, on="respondent_key")
contact_levers = ["repeat_contacts", "abandoned", "long_waits", "transfers", "escalations"]
drivers = list(dims.columns) + contact_levers
importance = levers.driver_importance(data, p["outcome"], drivers, method=p["importance_method"],
                                      bootstrap=min(p["bootstrap"], 100), seed=p["seed"])
importance.round(4)

# %%
plots.importance_chart(importance, title=f"Driver importance for {p['outcome']} ({p['importance_method']})");
