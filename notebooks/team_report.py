# ---
# jupyter:
#   cxlab:
#     needs: [contacts]
#     parameters: {min_cell_size: null, ci_level: null, outcome: null, loyalty: null, drivers: null, bootstrap: null, seed: null, contact_window_days: null, waves: null}
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
# # Team report
#
# One team's results beside the organisation's: its customers' NPS and satisfaction, the
# handling of its contacts, its first levers and its close-the-loop counts. Respondents
# belong to the team that handled their first agent-handled contact in the window before
# the survey; no customer or agent appears here.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters
team = "T01"  # the team of this report (a team_id of the contact log)

# %%
import cxlab
from IPython.display import Markdown
from cxlab import tables, teams

study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
tables.use_publication_tables(labels=cb.label)
n = len(teams.team_respondents(study, team))
small = teams.suppressed(n, p["min_cell_size"])
kpis = teams.team_kpis(study, team)
top = teams.team_levers(study, team)

# %% tags=["summary"]
Markdown(teams.describe_team(team, kpis, n=n, min_n=p["min_cell_size"], levers=top, labels=cb.label))

# %% [markdown]
# ## Key figures against the organisation
#
# Survey figures of the team's respondents and contact figures of the contacts it
# handled, each with its interval, beside the organisation's. Survey figures are left out
# when too few respondents are the team's.

# %% caption="The team's key figures against the organisation's, with intervals."
kpis.round(1)

# %%
Markdown(teams.describe_kpis(kpis))

# %% [markdown]
# ## Its first levers
#
# The improvement levers ranked on this team's respondents alone (impact, reach and
# expected gain in the outcome); with few respondents the intervals are wide.

# %% caption="The team's top levers (ranked on its respondents)."
Markdown(teams.suppression_notice(team, n, p["min_cell_size"])) if small else top.round(3)

# %% [markdown]
# ## Close the loop
#
# Detractors among the team's respondents with a bad contact experience in the window,
# counted by reason; counts below the minimum cell size are hidden.

# %% caption="Close the loop: the team's detractors with a bad contact (counts only)."
Markdown(teams.suppression_notice(team, n, p["min_cell_size"])) if small else teams.team_follow_up(study, team)
