# ---
# jupyter:
#   cxlab:
#     needs: [metrics]
#     parameters: {waves: wave, baseline_wave: waves, ci_level: null, alpha_level: waves, min_cell_size: null, contact_window_days: contacts}
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
# # Monitoring the headline metrics
#
# NPS, CSAT, CES, intention to stay and Temkin's index, whichever the survey carries.
# Headline metrics move from wave to wave by chance alone: every estimate here carries a
# confidence interval, and a change is called a change only when a test (corrected for
# the number of comparisons, Holm) says it is unlikely to be noise.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"baseline_wave": 1}

# %%
import cxlab
from IPython.display import Markdown

from cxlab import monitor, plots, tables
from cxlab.data import load_contact_features, load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p = study.codebook, study.parameters
tables.use_publication_tables(labels=monitor.metric_labels(cb.label), values=(cb.segment, cb.wave, "group"))
survey = load_processed_survey(study)
metrics = cb.metric_specs()
waves = dict(wave=cb.wave, date=cb.date, min_n=p["min_cell_size"], ci=p["ci_level"], wave_labels=cb.wave_labels)
baseline = None if p["baseline_wave"] is None else cb.wave_labels.get(p["baseline_wave"], f"wave {p['baseline_wave']}")

# %% [markdown]
# ## Headline metrics
#
# NPS and the Temkin index in points (−100 to 100), CSAT and intention to stay as the
# percentage in the top two boxes, CES as the mean on its scale; `n` is the number of valid
# answers, per wave where the survey has waves. Cells with fewer answers than the study's
# minimum cell size are suppressed.

# %% caption="Headline metrics with confidence intervals."
table = monitor.trends(survey, metrics=metrics, **waves)
table.round(2)

# %% caption="Headline metrics per wave with confidence bands." tags=["needs-waves"]
plots.trend_band_chart(table, title=f"Headline metrics per wave ({p['ci_level']:.0%} CI)");

# %% [markdown] tags=["needs-waves"]
# ## What changed, in words
#
# Each wave is compared with the one before it and with the baseline wave; a change is
# called significant only when its Holm-adjusted p-value is below the study's alpha. The
# sentences are written from the numbers in the table below them.

# %% tags=["summary", "needs-waves"]
changes = monitor.compare_periods(table, baseline=baseline, alpha=p["alpha_level"], ci=p["ci_level"])
Markdown(monitor.describe_changes(changes, ci=p["ci_level"]))

# %% caption="Changes between waves, Holm-adjusted." tags=["needs-waves"]
changes.round(4)

# %% tags=["summary", "unless-waves"]
Markdown(monitor.describe_levels(table, ci=p["ci_level"]))

# %% [markdown] tags=["needs-segment"]
# ## Per segment
#
# The same metrics per customer segment. A segment's change is named only after an
# omnibus test says that the segments changed at all (χ² over the segments' z statistics,
# Holm over the metrics), and only when its own p-value, Holm-adjusted over all segments
# and metrics, is below the study's alpha: a segment needs a larger change to count.

# %% caption="Headline metrics per segment." tags=["needs-segment"]
segments = monitor.trends(survey, metrics=metrics, group=cb.segment, total=False, **waves)
segments.round(2)

# %% tags=["needs-segment", "needs-waves"]
segment_changes = monitor.compare_periods(segments, baseline=baseline, alpha=p["alpha_level"], ci=p["ci_level"])
Markdown(monitor.describe_segment_changes(segment_changes, alpha=p["alpha_level"], ci=p["ci_level"]))

# %% caption="Omnibus tests of the changes per segment (Holm-adjusted over the metrics)." tags=["needs-segment", "needs-waves"]
monitor.segment_omnibus(segment_changes, alpha=p["alpha_level"]).round(3)

# %% [markdown] tags=["needs-contacts"]
# ## Per contact channel
#
# Respondents grouped by the channel they used most in the contact window before the
# survey ("no contact" when they had none). Small channels are suppressed.

# %% caption="Headline metrics per main contact channel." tags=["needs-contacts"]
features = load_contact_features(study)
with_channel = monitor.add_channel(survey, features)
channels = monitor.trends(with_channel, metrics=metrics, group="channel", total=False, **waves)
channels.round(2)

# %% [markdown] tags=["needs-nps", "needs-date"]
# ## Weekly control chart of the NPS
#
# Short-cycle monitoring: the NPS per survey week against limits computed from the pooled
# baseline (the baseline wave, or the first week without waves; 3 standard errors,
# allowing for the baseline's own uncertainty) and a run rule. Only a week outside the
# limits, or a long run on one side, is a signal.

# %% tags=["needs-nps", "needs-date"]
base = {cb.wave: p["baseline_wave"] or int(survey[cb.wave].min())} if cb.wave else None
chart = monitor.control_chart(survey, metric={"nps": metrics["nps"]}, freq="week", wave=cb.wave, date=cb.date,
                              min_n=p["min_cell_size"], baseline=base)

# %% caption="Control chart of the weekly NPS." tags=["needs-nps", "needs-date"]
plots.control_chart_plot(chart, title="NPS per survey week, limits from the baseline");

# %% caption="Weekly NPS against the control limits." tags=["needs-nps", "needs-date"]
chart.round(2)

# %% [markdown] tags=["needs-contacts", "needs-nps"]
# ## Close the loop
#
# Detractors (NPS 0–6) who had a bad contact experience in the window before the survey
# (a long wait, a repeat contact about an unresolved issue, or an escalation). The list,
# keyed by pseudonyms only, is written to the study's processed data for follow-up by the
# team that can re-identify customers; this report shows only the counts.

# %% tags=["needs-contacts", "needs-nps"]
follow_up = monitor.follow_up_list(survey, features, nps=metrics["nps"],
                                   key="respondent_key", customer_key="customer_key",
                                   date=cb.date)
monitor.write_follow_up(follow_up, study.processed_dir / "follow_up.parquet");

# %% caption="Close the loop: detractors with a recent bad contact (counts only)." tags=["needs-contacts", "needs-nps"]
monitor.follow_up_counts(follow_up, min_n=p["min_cell_size"])

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "monitoring"))
