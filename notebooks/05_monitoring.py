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
from IPython.display import Markdown

from cxlab import monitor, plots
from cxlab.data import load_contact_features, load_processed_survey

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
waves = dict(wave=cb.wave, date=cb.date, min_n=p["min_cell_size"], ci=p["ci_level"])
baseline = None if p["baseline_wave"] is None else f"wave {p['baseline_wave']}"

# %% [markdown]
# ## Headline metrics per wave
#
# NPS and the Temkin index in points (−100 to 100), CSAT and intention to stay as the
# percentage in the top two boxes, CES as the mean on its 1–7 scale; `n` is the number of
# valid answers. Cells with fewer answers than the study's minimum cell size are suppressed.

# %%
table = monitor.trends(survey, metrics=metrics, **waves)
table.round(2)

# %% caption="Headline metrics per wave with confidence bands."
plots.trend_band_chart(table, title=f"Headline metrics per wave ({p['ci_level']:.0%} CI)");

# %% [markdown]
# ## What changed, in words
#
# Each wave is compared with the one before it and with the baseline wave; a change is
# called significant only when its Holm-adjusted p-value is below the study's alpha. The
# sentences are written from the numbers in the table below them.

# %% tags=["summary"]
changes = monitor.compare_periods(table, baseline=baseline, alpha=p["alpha_level"],
                                  ci=p["ci_level"])
Markdown(monitor.describe_changes(changes, ci=p["ci_level"]))

# %% caption="Changes between waves, Holm-adjusted."
changes.round(4)

# %% [markdown]
# ## Per segment
#
# The same metrics per customer segment. The tests per segment form their own family
# (Holm over all segments and metrics), so a segment needs a larger change to count.

# %%
segments = monitor.trends(survey, metrics=metrics, by=cb.segment, total=False, **waves)
segments.round(2)

# %%
segment_changes = monitor.compare_periods(segments, baseline=baseline, alpha=p["alpha_level"],
                                          ci=p["ci_level"])
Markdown(monitor.describe_changes(segment_changes, group=None, ci=p["ci_level"]))

# %% [markdown]
# ## Per contact channel
#
# Respondents grouped by the channel they used most in the contact window before the
# survey ("no contact" when they had none). Small channels are suppressed.

# %%
features = load_contact_features(study)

# %%
with_channel = monitor.add_channel(survey, features)

# %%
channels = monitor.trends(with_channel, metrics=metrics, by="channel", total=False, **waves)
channels[channels["metric"] == "nps"].round(2)

# %% [markdown]
# ## Weekly control chart of the NPS
#
# Short-cycle monitoring: the NPS per survey week against limits computed from the pooled
# baseline wave (3 standard errors, allowing for the baseline's own uncertainty) and a run
# rule. Only a week outside the limits, or a long run on one side, is a signal.

# %%
chart = monitor.control_chart(survey, metric={"nps": metrics["nps"]}, freq="week",
                              wave=cb.wave, date=cb.date, min_n=p["min_cell_size"],
                              baseline={cb.wave: p["baseline_wave"] or int(survey[cb.wave].min())})

# %% caption="Control chart of the weekly NPS."
plots.control_chart_plot(chart, title="NPS per survey week, limits from the baseline wave");

# %%
chart.round(2)

# %% [markdown]
# ## Close the loop
#
# Detractors (NPS 0–6) who had a bad contact experience in the window before the survey
# (a long wait, a repeat contact about an unresolved issue, or an escalation). The list,
# keyed by pseudonyms only, is written to the study's processed data for follow-up by the
# team that can re-identify customers; this report shows only the counts.

# %%
follow_up = monitor.follow_up_list(survey, features, nps=metrics["nps"],
                                   key="respondent_key", customer_key="customer_key",
                                   date=cb.date)
monitor.write_follow_up(follow_up, study.processed_dir / "follow_up.parquet");

# %% caption="Close the loop: detractors with a recent bad contact (counts only)."
monitor.follow_up_counts(follow_up, min_n=p["min_cell_size"])

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "monitoring"))
