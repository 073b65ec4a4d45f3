# ---
# jupyter:
#   cxlab:
#     needs: [drivers]
#     parameters: {waves: wave, outcome: null, drivers: null, importance_method: null, bootstrap: null, seed: null, ci_level: null, alpha_level: contacts, loyalty: [contacts, pillar_outcomes, sacrifice], contact_window_days: contacts, estimator: contacts, missing: contacts}
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
# # Drivers and improvement levers
#
# Which drivers weigh most for the study's outcome, how well does the organisation
# perform on each, and which should be picked up first? The relations shown are
# associations, not proven causes.

# %% [markdown] tags=["needs-contacts"]
# What customers experience in their contacts (waits, abandoned calls, repeat contacts,
# transfers, escalations) joins the drivers as levers.

# %% [markdown] tags=["needs-pillar_outcomes"]
# KPMG Nunwood's Six Pillars are weighed for NPS and loyalty at the end, and mapped by
# importance and performance.

# %% [markdown] tags=["needs-sacrifice"]
# The customer sacrifice (what customers want exactly minus what they settle for) is
# related to the outcomes at the end.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"contact_window_days": 60}

# %%
import cxlab
from IPython.display import Markdown
from cxlab import contacts, levers, pillars, plan, plots, sacrifice, sem, tables
from cxlab.data import load_contacts, load_linkage, load_processed_survey, respondent_table

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
tables.use_publication_tables(labels=cb.label, values=(cb.segment, cb.wave, "group"))
outcome, drivers = p["outcome"], plan.drivers(study)
segment_control = [cb.segment] if cb.segment else []
contact_levers = []
data = respondent_table(study)
Markdown(levers.describe_setup(outcome, drivers, len(data), labels=cb.label))

# %% [markdown] tags=["needs-contacts"]
# ## The contact log
#
# Channel mix, queue waits, abandonment, first-contact resolution and escalation from
# digital channels to an agent (aggregated in the database; no customer appears here).

# %% caption="Contacts per channel." tags=["needs-contacts"]
log = load_contacts(study)
contact_levers = ["repeat_contacts", "long_waits", "abandoned", "transfers", "escalations"]
overview = contacts.channel_overview(log)
overview.round(3)

# %% caption="Channel mix: share of all contacts per channel." tags=["needs-contacts"]
plots.bar_chart(overview, x="share", y="channel", title="Channel mix", xlabel="share of contacts", ylabel="");

# %% [markdown] tags=["needs-contacts"]
# Service levels over the whole log: how long queued contacts wait, how many hang up (and
# how many of those within a minute), what happens to callbacks, and how many digital
# contacts still end at an agent.

# %% caption="Service levels over the whole contact log." tags=["needs-contacts"]
contacts.service_levels(log).round(3)

# %% caption="When callers hang up: cumulative share of abandoned calls by wait." tags=["needs-contacts"]
curve = contacts.wait_abandonment(log)
plots.abandonment_chart(curve, title="When do callers hang up? (cumulative share of abandoned calls)");

# %% [markdown] tags=["needs-contacts"]
# Per team: resolution at first contact, handle time and transfers (the employee side of
# the service-profit chain).

# %% caption="Contact handling per team." tags=["needs-contacts"]
contacts.team_features(log).round(3)

# %% [markdown] tags=["needs-contacts"]
# ## Linking contacts to respondents
#
# Each respondent's contacts are counted over the window before their survey date; the
# customer key itself never leaves the processed data.

# %% caption="Linkage of respondents and contact-log customers." tags=["needs-contacts"]
tables.linkage_table(load_linkage(study))

# %% caption="Contact experience of the respondents in the window." tags=["needs-contacts"]
data[contact_levers].describe().T.rename_axis("lever").round(3)

# %% [markdown] tags=["needs-contacts"]
# ## Effects of contact factors on the outcomes
#
# The outcomes regressed on the contact factors, controlling for the drivers and the
# segment (OLS, HC3 robust standard errors). Each coefficient is the difference in the
# outcome per extra event, over and above the drivers.

# %% caption="Effects of contact factors on the outcomes (OLS, HC3)." tags=["needs-contacts"]
outcomes = [o for o in dict.fromkeys([outcome, p["loyalty"], cb.metrics.get("nps")]) if o and o in data]
effects = levers.contact_effects_result(data, outcomes, contact_levers, controls=[*drivers, *segment_control],
                                        ci=p["ci_level"])
levers.contact_family(effects).drop(columns="role").round(3)

# %% tags=["needs-contacts"]
Markdown(levers.describe_contact_effects(effects, alpha=p["alpha_level"], labels=cb.label) + "\n\n"
         + effects.note)

# %% [markdown] tags=["needs-contacts", "needs-structural_model"]
# ## Contact factors in the structural model
#
# The same contact factors as observed exogenous predictors of the outcome in the
# structural model of report 03, so that their effects are adjusted for the latent
# drivers (and free of their measurement error). Still associations.

# %% tags=["needs-contacts", "needs-structural_model"]
contact_model = levers.contact_sem_model(study.models["structural"], outcome=outcome,
                                         contact_features=contact_levers)
contact_fit = sem.fit(respondent_table(study, scores=False), contact_model, **cxlab.plan.sem_options(p))
plots.fit_warnings(contact_fit)

# %% tags=["summary", "needs-contacts", "needs-structural_model"]
sem.judge.interpretation_gate({"structural model with the contact factors": contact_fit}, labels=cb.label).box()

# %% caption="Paths from contact factors to the outcome in the structural model." tags=["needs-contacts", "needs-structural_model"]
tables.paths_table(contact_fit, predictors=contact_levers).round(3)

# %% [markdown]
# ## Which drivers matter most?
#
# The importance method of the study (Shapley/LMG or Johnson's relative weights) splits
# the explained variance of the outcome (R²) over the drivers; intervals come from the
# study's bootstrap resamples.

# %% caption="Driver importance for the outcome with bootstrap intervals."
importance = levers.driver_importance(data, outcome, drivers + contact_levers, method=p["importance_method"],
                                      n_boot=p["bootstrap"], seed=p["seed"], ci=p["ci_level"])
importance.round(4)

# %% caption="Driver importance: share of the explained variance."
plots.importance_chart(importance, title=f"Driver importance for {cb.label(outcome)} ({p['importance_method']})");

# %% [markdown]
# ### Are the drivers collinear?
#
# A driver that is largely predicted by the others (variance inflation factor, VIF,
# above 5) shares most of its importance with them: their separate shares and impacts
# are uncertain and partly interchangeable.

# %% caption="Collinearity of the drivers: variance inflation factors (VIF = 1 / (1 − R²) of each on the others)."
vif = levers.variance_inflation(data, drivers + contact_levers) if len(drivers + contact_levers) > 1 else None
vif if vif is None else vif.round(2)

# %%
Markdown(levers.describe_collinearity(vif, labels=cb.label) if vif is not None else "")

# %% tags=["summary"]
Markdown(levers.describe_collinearity(vif, labels=cb.label)) if vif is not None and vif["high"].any() else None

# %% [markdown]
# ## Importance and performance
#
# The importance-performance map (Ringle & Sarstedt 2016) puts every driver on 0–100:
# performance is its mean score rescaled with the scale's range, importance the change in
# the outcome (0–100) per point of the driver (0–100), adjusted for the other factors.
# High importance with low performance means *concentrate here*.

# %% caption="Importance and performance of the drivers (0–100)."
ranges = cb.score_ranges([outcome, *drivers])
ipa = levers.ipma_result(data, outcome, drivers, ranges=ranges, controls=[*contact_levers, *segment_control])
ipa.table.round(3)

# %% caption="Importance-performance map."
plots.ipa_chart(ipa, title=f"Importance-performance map for {cb.label(outcome)}",
                xlabel="performance (0-100)", ylabel="importance (total effect, 0-100 scale)");

# %% [markdown]
# ## The ranked levers
#
# Every lever is scored in one model: its **impact** (change in the outcome per unit of
# the lever), its **reach** (share of respondents short of the target: below the best
# score, or with at least one such contact), its **headroom** (average distance to target
# of those respondents) and the **expected gain** in the mean outcome if they reached it
# (impact × reach × headroom). Intervals and rank ranges come from the bootstrap.

# %% caption="Improvement levers ranked by expected gain."
ranked = levers.rank_levers_result(data, outcome, drivers, contact_levers, controls=segment_control,
                                   n_boot=p["bootstrap"], seed=p["seed"], ci=p["ci_level"])
ranked.table[["kind", "impact", "reach", "performance", "target", "headroom", "expected_gain", "rank", "rank_ci_lower",
              "rank_ci_upper", "p_first", "pvalue_holm"]].round(3)

# %% caption="Expected gain in the mean outcome per lever."
plots.lever_chart(ranked, title=f"Expected gain in mean {cb.label(outcome)} per lever");

# %% tags=["summary"]
levers.describe_levers(ranked, labels=cb.label)

# %% [markdown] tags=["needs-employees"]
# ## The Service Profit Chain
#
# Engaged employees resolve more at the first contact and handle contacts better (the
# contact log's quality-assurance score, when it has one); customers whose issue is
# resolved, and who were served well, are more satisfied; and satisfied customers intend
# to stay (Heskett et al. 1994). The customers are nested in the teams that served them,
# so their outcomes are not independent: the intraclass correlations say how much,
# random-intercept models keep the standard errors honest, and the chain's indirect
# effects (one per mediator, and their total) get a bootstrap that resamples whole teams.
# Agent ids never appear: agents are keyed pseudonyms.

# %% tags=["needs-employees"]
from cxlab import employees, multilevel, teams
from cxlab.data import load_employees

chain_covariates = [c for c in ("long_waits", "abandoned", "transfers", "escalations") if c in data]
chain = teams.chain_data(study, covariates=chain_covariates)
chain_mediators = employees.chain_mediators(chain)
chain = chain.dropna(subset=chain_mediators).reset_index(drop=True)
chain_labels = {"team_engagement": "team engagement", "fcr": "first-contact resolution", "team_id": "team",
                "qa_score": "handle quality (QA score)", outcome: cb.label(outcome), p["loyalty"]: cb.label(p["loyalty"])}
Markdown(employees.describe_attribution(chain, respondents=len(data), employees=load_employees(study),
                                        range=study.data_options["employees"]["range"]))

# %% caption="Intraclass correlations: share of each outcome's variance between teams and between agents (REML)." tags=["needs-employees"]
multilevel.icc_table(chain, [outcome, p["loyalty"], *chain_mediators], team="team_id", agent="agent_key",
                     labels=lambda c: chain_labels.get(c, c)).round(3)

# %% caption="Random-intercept model (by team) of the outcome on team engagement and the contact factors (REML)." tags=["needs-employees"]
sat_fit = multilevel.random_intercept(chain, outcome, "team_id", level1=[*chain_mediators, *chain_covariates],
                                      level2=["team_engagement"], ci=p["ci_level"])
sat_fit.estimates.round(3)

# %% caption="The chain's paths: cluster bootstrap over teams for a, b and the indirect effects (per mediator and in total); Wald interval for the link to loyalty." tags=["needs-employees"]
chain_fit = multilevel.chain_indirect(chain, "team_id", "team_engagement", chain_mediators, outcome,
                                      covariates=chain_covariates, n_boot=multilevel.chain_resamples(p["bootstrap"]),
                                      seed=p["seed"], ci=p["ci_level"])
stay_fit = multilevel.random_intercept(chain, p["loyalty"], "team_id", level1=[outcome, *chain_mediators, *chain_covariates],
                                       level2=["team_engagement"], ci=p["ci_level"])
multilevel.chain_table(chain_fit, stay_fit, labels=chain_labels).round(3)

# %% tags=["summary", "needs-employees"]
Markdown(multilevel.describe_service_chain(chain_fit, stay_fit, labels=chain_labels))

# %% [markdown] tags=["needs-pillar_outcomes"]
# ## Which of the Six Pillars matter for NPS and loyalty?
#
# The pillar scores (mean of each pillar's items) as drivers of the likelihood to recommend
# (0–10) and of the loyalty outcome, each on its own: the study's importance method splits
# the outcome's explained variance (R²) over the six pillars, with bootstrap intervals.
# Associations, not proven causes.

# %% caption="Importance of the Six Pillars for NPS and loyalty, with bootstrap intervals." tags=["needs-pillar_outcomes"]
pillar_imp = pillars.pillar_importance(load_processed_survey(study), cb.pillars["items"],
                                       pillars.study_outcomes(cb, p["loyalty"]),
                                       method=p["importance_method"], n_boot=p["bootstrap"], seed=p["seed"],
                                       ci=p["ci_level"])
pillar_imp.round(4)

# %% caption="Six Pillars: share of the explained variance of NPS and loyalty." tags=["needs-pillar_outcomes"]
plots.pillar_importance_chart(pillar_imp, labels=cb.label, title="Importance of the Six Pillars");

# %% tags=["summary", "needs-pillar_outcomes"]
Markdown(pillars.describe(importance=pillar_imp, labels=cb.label))

# %% [markdown] tags=["needs-pillar_outcomes"]
# ### Which pillars to fix first?
#
# The importance-performance map of the pillars (Ringle & Sarstedt 2016): pillar scores
# and outcome rescaled to 0–100 with their scales' ranges; **performance** is a pillar's
# mean rescaled score, **importance** its total effect on the rescaled outcome (outcome
# points per point of the pillar, all six together in one regression), with bootstrap
# intervals. Pillars weighing more than the average pillar while performing below the
# average (*concentrate here*) are the ones to fix first; *potential* is what raising a
# pillar to 100 would add to the outcome.

# %% caption="Importance-performance map of the Six Pillars (0–100) for NPS and loyalty." tags=["needs-pillar_outcomes"]
pillar_outcomes = pillars.study_outcomes(cb, p["loyalty"])
pillar_map = pillars.pillar_ipma(load_processed_survey(study), cb.pillars["items"], pillar_outcomes,
                                 pillar_range=cb.pillars["range"],
                                 outcome_ranges=pillars.outcome_ranges(cb, pillar_outcomes),
                                 n_boot=p["bootstrap"], seed=p["seed"], ci=p["ci_level"])
pillar_map.drop(columns=["importance_cut", "performance_cut", "outcome_performance"]).round(3)

# %% caption="Importance-performance map of the Six Pillars: pillars to fix first in the upper left." tags=["needs-pillar_outcomes"]
plots.pillar_ipma_chart(pillar_map, labels=cb.label, title="Six Pillars: importance and performance");

# %% tags=["summary", "needs-pillar_outcomes"]
Markdown(pillars.describe_ipma(pillar_map, labels=cb.label))

# %% [markdown] tags=["needs-sacrifice"]
# ## Customer sacrifice and the outcomes
#
# Customer sacrifice (Pine & Gilmore) is what a customer wants exactly minus what they
# settle for, per attribute of the service (report 02 shows its size). Here each
# respondent's sacrifice is related to their outcomes: Pearson correlations with
# Fisher-z intervals (p-values Holm-adjusted over every pair), and the gaps together as
# drivers, their explained variance split by the study's importance method with bootstrap
# intervals. Associations, not proven causes.

# %% caption="Customer sacrifice per attribute and its relation with the outcomes." tags=["needs-sacrifice"]
sacrifice_links = sacrifice.sacrifice_relations(
    load_processed_survey(study), cb.sacrifice["attributes"], pillars.study_outcomes(cb, p["loyalty"], outcome=outcome),
    method=p["importance_method"], n_boot=p["bootstrap"], seed=p["seed"], ci=p["ci_level"])
sacrifice_links.round(3)

# %% caption="Correlation of each attribute's sacrifice with the outcomes, with confidence intervals." tags=["needs-sacrifice"]
plots.sacrifice_relation_chart(sacrifice_links, labels=cb.label, title="Customer sacrifice and the outcomes");

# %% tags=["summary", "needs-sacrifice"]
Markdown(sacrifice.describe_relations(sacrifice_links, alpha=1 - p["ci_level"], labels=cb.label))

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "levers"))
