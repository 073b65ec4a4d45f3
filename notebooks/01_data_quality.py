# ---
# jupyter:
#   cxlab:
#     needs: []
#     parameters: {waves: wave, min_cell_size: null, contact_window_days: contacts}
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
# # Data quality and sample
#
# Before any model, a researcher checks who answered, how complete the answers are and
# whether some respondents did not really read the questions. This report describes the
# processed survey: identifiers are already replaced by keyed pseudonyms, missing-value
# codes are missing and reverse-keyed items are recoded.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"min_cell_size": 20}

# %%
import cxlab
from IPython.display import Markdown
from cxlab import plots, quality, tables
from cxlab.data import duplicated_items, load_linkage, load_processed_survey, load_quality

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
tables.use_publication_tables(labels=cb.label, values=(cb.segment, cb.wave, "group"))
survey = load_processed_survey(study)

# %% [markdown]
# ## Sample
#
# How many respondents the sample holds, broken down by wave and segment where the study
# has them. Groups with fewer respondents than the study's minimum cell size are
# suppressed (shown empty) so that no small group can be singled out.

# %% caption="Respondents in the sample (cells below the minimum size suppressed)."
quality.sample_overview(survey, group=[cb.wave, cb.segment], min_n=p["min_cell_size"])

# %% [markdown]
# ## Missing answers
#
# The share of missing answers per scale and single item, after missing-value codes were
# set to missing, and how many respondents answered every item of the scale (complete
# cases, which a listwise analysis keeps).

# %% caption="Missing answers per scale, after missing-value codes."
missing = quality.missingness(survey, cb.item_groups(labelled=True))
tables.missingness_table(missing)

# %% caption="Share of missing answers per scale."
plots.bar_chart(missing, x="missing_share", y="group", title="Missing answers per scale",
                xlabel="share missing", ylabel="");

# %% [markdown]
# ## Careless responding
#
# Straight-liners give the same answer to every item of the study's scales. They are
# flagged here, not removed: the study decides what to do with them.

# %% [markdown] tags=["needs-duration"]
# The survey records completion times: speeders finish in less than a third of the median
# time, and are flagged too.

# %% caption="Respondents flagged for careless responding."
flags = {"straight-lining": survey["straightliner"]}
if cb.duration:
    flags["speeder"] = survey["speeder"]
flag_table = quality.flags_summary(flags)
flag_table

# %% [markdown]
# ## What the data layer did
#
# Every problem the data layer met on reading the raw file, and how the study says to
# handle it: answers dropped or set missing (with the file's row numbers), respondents
# flagged, and items whose answers another item fixes (a copy, or a recode to fewer
# points left in the export, which counts one question twice). Nothing is removed silently.

# %% caption="Problems found in the raw survey and their handling."
load_quality(study)

# %% [markdown] tags=["needs-contacts"]
# ## Linking survey answers to contacts
#
# Respondents are linked to their contacts in the window before their survey date through
# the pseudonymous customer key. Unmatched counts on each side show how complete the link is.

# %% caption="Linkage of respondents and contact-log customers." tags=["needs-contacts"]
tables.linkage_table(load_linkage(study))

# %% [markdown] tags=["needs-outcome"]
# ## Answer distributions
#
# Shares of each answer on the items of the study's outcomes.

# %% caption="Answer distributions of the outcome items." tags=["needs-outcome"]
outcome_items = [i for name in (p["outcome"], p["loyalty"]) if name for i in cb.columns_of(name)]
plots.distribution_chart(survey, outcome_items, title="Outcome items (reverse-keyed items recoded)");

# %% [markdown]
# ## Summary

# %% tags=["summary"]
not_checked = {} if cb.duration else {"speeders": "the survey has no completion-time column"}
determined = duplicated_items(survey, cb)  # items that copy or recode another
Markdown(quality.describe_quality(survey, missing=missing, flags=flag_table, wave=cb.wave, group=cb.segment,
                                  not_checked=not_checked, determined=determined))

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "data_quality"))
