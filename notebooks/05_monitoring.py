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
# # Monitoring: NPS, CSAT, CES and Temkin's index per wave
#
# Headline metrics move from wave to wave by chance alone. Every estimate here carries a
# confidence interval, and a change is called a change only when a test (corrected for
# the number of comparisons, Holm) says it is unlikely to be noise.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"baseline_wave": 1}

# %%
import cxlab
from cxlab import measures, plots
from cxlab.data import load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
survey = load_processed_survey(study)
if p["waves"]:
    survey = survey[survey[cb.wave].isin(p["waves"])]
scale = tuple(cb.scales[p["outcome"]]["range"])
metrics = {
    "nps": cb.single_items["nps"]["column"],
    "csat": {"column": cb.scales[p["outcome"]]["items"][0], "scale": scale},
    "ces": {"column": cb.single_items["ces"]["column"], "scale": tuple(cb.single_items["ces"]["range"])},
    "temkin_xi": list(cb.scales["temkin"]["items"]),
    "intention_to_stay": {"column": cb.scales[p["loyalty"]]["items"][0], "scale": scale},
}

# %% [markdown]
# ## Headline metrics per wave

# %%
table = measures.summarise(survey.astype({cb.wave: "int64"}), metrics=metrics, by=cb.wave,
                           min_n=p["min_cell_size"], ci=p["ci_level"])
table.round(2)

# %%
plots.trend_chart(table, group="group", title="Headline metrics per wave (95 % CI)");

# %% [markdown]
# ## Per segment

# %%
measures.summarise(survey, metrics={"nps": metrics["nps"]}, by=[cb.segment, cb.wave],
                   min_n=p["min_cell_size"], ci=p["ci_level"]).round(2)
