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
# for satisfaction, and which should be picked up first? The relations shown are
# associations, not proven causes.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"contact_window_days": 60}

# %%
import cxlab
from IPython.display import Markdown
import pandas as pd
from cxlab import contacts, levers, plots, sem
from cxlab.data import load_contacts, load_linkage, respondent_table

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
log = load_contacts(study)
contact_levers = ["repeat_contacts", "long_waits", "abandoned", "transfers", "escalations"]

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

# %% [markdown]
# Service levels over the whole log: how long queued contacts wait, how many hang up (and
# how many of those within a minute), what happens to callbacks, and how many digital
# contacts still end at an agent.

# %%
contacts.service_levels(log).round(3)

# %%
curve = contacts.wait_abandonment(log)
plots.abandonment_chart(curve, title="When do callers hang up? (cumulative share of abandoned calls)");

# %% [markdown]
# Per team: resolution at first contact, handle time and transfers (the employee side of
# the service-profit chain).

# %%
contacts.team_features(log).round(3)

# %% [markdown]
# ## Linking contacts to respondents
#
# Each respondent's contacts are counted over the window before their survey date; the
# customer key itself never leaves the processed data.

# %%
linkage = load_linkage(study)
pd.Series(linkage, name="count").to_frame()

# %%
data = respondent_table(study)
dimensions = list(cb.servqual_items("p"))
data[contact_levers].describe().T.round(3)

# %% [markdown]
# ## Effects of contact factors on the outcomes
#
# Satisfaction, intention to stay and NPS regressed on the contact factors, controlling
# for the perceived service-quality dimensions and the segment (OLS, HC3 robust standard
# errors). Each coefficient is the difference in the outcome per extra event, over and
# above perceived quality.

# %%
effects = levers.contact_effects(data, [p["outcome"], p["loyalty"], "nps"], contact_levers,
                                 controls=[*dimensions, cb.segment], ci=p["ci_level"])
effects.query("role == 'contact'").round(3)

# %%
print(effects.attrs["note"])

# %% [markdown]
# ## Contact factors in the structural model
#
# The same contact factors as observed exogenous predictors of satisfaction in the
# structural model of report 03, so that their effects are adjusted for the latent
# service-quality drivers (and free of their measurement error). Still associations.

# %%
contact_model = levers.contact_sem_model(study.models["structural"], outcome=p["outcome"],
                                         contact_features=contact_levers)
contact_fit = sem.fit(respondent_table(study, scores=False), contact_model,
                      estimator=p["estimator"], missing=p["missing"])
plots.fit_warnings(contact_fit)

# %% caption="Paths from contact factors to the outcome in the structural model."
contact_fit.estimates.query("op == '~' and rhs in @contact_levers")[
    ["lhs", "rhs", "est", "se", "pvalue", "ci_lower", "ci_upper", "std_all"]].round(3)

# %% [markdown]
# ## Which levers matter most for satisfaction?
#
# Shapley (LMG) importance splits the explained variance of satisfaction (R²) fairly over
# the drivers: each driver's share is its average gain in R² over all orders of entry.

# %%
drivers = dimensions + contact_levers
importance = levers.driver_importance(data, p["outcome"], drivers, method=p["importance_method"],
                                      bootstrap=min(p["bootstrap"], 100), seed=p["seed"])
importance.round(4)

# %%
plots.importance_chart(importance, title=f"Driver importance for {p['outcome']} ({p['importance_method']})");

# %% [markdown]
# ## Importance and performance
#
# The importance-performance map (Ringle & Sarstedt 2016) puts every dimension on 0–100:
# performance is its mean score rescaled with the scale's range, importance the change in
# satisfaction (0–100) per point of the dimension (0–100), adjusted for the contact
# factors and the segment. High importance with low performance means *concentrate here*.

# %%
ranges = cb.score_ranges([p["outcome"], *dimensions])
ipa = levers.ipma(data, p["outcome"], dimensions, ranges=ranges, controls=[*contact_levers, cb.segment])
ipa.round(3)

# %%
plots.ipa_chart(ipa, title=f"Importance-performance map for {p['outcome']}",
                xlabel="performance (0-100)", ylabel="importance (total effect, 0-100 scale)");

# %% [markdown]
# ## The ranked levers
#
# Every dimension and contact factor is scored in one model: its **impact** (change in
# satisfaction per unit of the lever), its **reach** (share of respondents short of the
# target: below the best score, or with at least one such contact), its **headroom**
# (average distance to target of those respondents) and the **expected gain** in mean
# satisfaction if they reached it (impact × reach × headroom). Intervals and rank ranges
# come from the bootstrap (the targets, here the best score observed and zero events, are
# held fixed). The full table also has the intervals of impact and gain, the target's basis,
# costs and gain per cost.

# %%
ranked = levers.rank_levers(data, p["outcome"], dimensions, contact_levers, controls=[cb.segment],
                            bootstrap=p["bootstrap"], seed=p["seed"], ci=p["ci_level"])
ranked[["kind", "impact", "reach", "performance", "target", "headroom", "expected_gain", "rank", "rank_ci_lower",
        "rank_ci_upper", "p_first"]].round(3)

# %%
plots.lever_chart(ranked, title=f"Expected gain in mean {p['outcome']} per lever");

# %% tags=["summary"]
levers.describe_levers(ranked)

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "levers"))
