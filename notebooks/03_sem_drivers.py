# ---
# jupyter:
#   cxlab:
#     needs: [structural_model]
#     parameters: {waves: wave, estimator: null, missing: null, bootstrap: null, seed: null, alpha_level: null, pls: null}
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
# # Drivers of the outcomes: the structural model
#
# A structural equation model links the study's drivers to its outcomes. First the
# measurement model is checked, then the fit of the structural model is judged against
# the usual cut-offs, and only then are the paths, the direct, indirect and total effects
# and the differences between segments read.

# %% tags=["parameters"]
study_file = "../data/raw/demo/study.yaml"  # the study to analyse
parameters = {}  # overrides of the study's parameters, e.g. {"estimator": "MLR"}

# %%
import cxlab
from IPython.display import Markdown
from cxlab import plots, sem, tables
from cxlab.data import load_processed_survey

plots.set_theme()
study = cxlab.load_study(study_file, overrides=parameters)
cb, p, segment = study.codebook, study.parameters, study.codebook.segment
tables.use_publication_tables(labels=cb.label, values=(cb.segment, cb.wave, "group"))
survey = load_processed_survey(study)
model = study.models["structural"]
Markdown(sem.describe_model(model, labels=cb.label))

# %% [markdown] tags=["needs-measurement_model"]
# ## Measurement model
#
# A confirmatory factor analysis of the study's measurement model alone: every item should
# load clearly (standardised loading ≥ 0.5) on its construct and the model should fit
# before the constructs are used as drivers.

# %% tags=["needs-measurement_model"]
cfa = sem.fit(survey, study.models["measurement"], **cxlab.plan.sem_options(p))
plots.fit_warnings(cfa)

# %% caption="Fit of the measurement model against Hu & Bentler's cut-offs." tags=["needs-measurement_model"]
tables.fit_apa(sem.fit_table(cfa))

# %% caption="Loadings of the measurement model (the first loading of each construct fixed to 1)." tags=["needs-measurement_model"]
tables.loadings_table(cfa).round(3)

# %% [markdown] tags=["needs-measurement_model"]
# ### Are the constructs of the structural model distinct?
#
# Paths from two drivers can only be told apart if the drivers are different constructs:
# Fornell–Larcker (√AVE above the correlation) and HTMT (below 0.85 strict, 0.90 liberal)
# for every pair of the structural model's constructs.

# %% caption="Discriminant validity of the structural model's constructs: Fornell–Larcker and HTMT." tags=["needs-measurement_model"]
distinct = cxlab.reliability.structural_discriminant(cfa, survey, model)
distinct if distinct is None else distinct.round(3)

# %% tags=["needs-measurement_model"]
Markdown(cxlab.reliability.describe_discriminant(distinct, labels=cb.label))

# %% [markdown]
# ## Structural model
#
# The model below labels every structural path and defines its indirect and total effects
# (`:=`). With bootstrap resamples (the study's `bootstrap` and `seed`) their intervals are
# percentile intervals; without, and always under WLSMV, delta-method intervals. Warnings are
# shown first: a model that did not converge is not interpreted.

# %%
fit = sem.fit(survey, sem.with_effects(model), **cxlab.plan.sem_options(p), n_boot=cxlab.plan.sem_resamples(p),
              seed=p["seed"],
              progress=cxlab.progress.reporter("bootstrap resamples"))
plots.fit_warnings(fit)

# %% [markdown]
# ### Model fit
#
# Each index is compared with the cut-off of Hu & Bentler (1999): CFI and TLI at least
# 0.95, RMSEA at most 0.06, SRMR at most 0.08. The chi-square test rejects almost every
# model at large sample sizes, so it is reported but not used alone.

# %% caption="Fit of the structural model against Hu & Bentler's cut-offs."
tables.fit_apa(sem.fit_table(fit))

# %% [markdown]
# ### Structural paths
#
# Standardised coefficients (β) can be compared across paths: they are the change in the
# outcome, in standard deviations, for one standard deviation more of the driver.

# %% caption="Structural paths: unstandardised (B) and standardised (β) coefficients."
tables.paths_table(fit).round(3)

# %% caption="Variance explained (R²) of the structural outcomes."
tables.r2_table(fit).round(3)

# %% caption="Path diagram: standardised coefficients, significance marked."
plots.path_chart(fit, title="Standardised paths of the structural model", alpha=p["alpha_level"],
                 labels=cb.label);

# %% [markdown]
# ## Direct, indirect and total effects
#
# An indirect effect is the product of the paths through the intermediate outcomes; the
# total effect is the direct effect plus all indirect ones. The standardised effect puts
# every effect in standard deviations (only a direct effect is a path coefficient, β).

# %% caption="Direct, indirect and total effects."
effects = sem.effects_table(fit)
tables.effects_apa(effects).round(3)

# %% [markdown]
# ## PLS path modelling beside CB-SEM
#
# Satisfaction indices (ECSI, ACSI) and many studies estimate the same kind of model by
# partial least squares (PLS): each construct is a weighted sum of its items (a composite)
# rather than a common factor. Below, the structural model is also estimated by PLS (path
# weighting scheme; the study's bootstrap resamples and seed, percentile intervals) and by
# consistent PLS (PLSc), beside the standardised CB-SEM estimates above. PLS uses the
# complete cases. The study's `pls` parameter turns this section off.

# %%
why_not = cxlab.pls.unsupported(model) if p["pls"] else "the study's `pls` parameter is off"
pls_tables = None
if why_not is None:
    ranges = cb.item_ranges()
    if cb.servqual:
        ranges.update({i: tuple(cb.servqual["range"]) for kind in "ep" for its in cb.servqual_items(kind).values()
                       for i in its})
    items = cxlab.study.model_columns(model)
    try:
        pls_fit = cxlab.pls.fit(survey, model, bootstrap=p["bootstrap"], seed=p["seed"],
                                scale_range={i: ranges[i] for i in items} if items <= set(ranges) else None,
                                progress=cxlab.progress.reporter("PLS bootstrap resamples"))
        pls_tables = cxlab.pls.compare_sem(pls_fit, fit, consistent=cxlab.pls.fit(survey, model, consistent=True))
    except ValueError as exc:  # e.g. too few complete cases, or PLSc without a positive rho_A
        why_not = str(exc)
Markdown(f"The structural model is not estimated by PLS: {why_not}" if why_not else
         f"PLS used {pls_fit.n:,} complete cases and "
         + (f"{pls_fit.n_boot:,} bootstrap resamples. " if pls_fit.n_boot else "no bootstrap (no intervals or p). ")
         + " ".join(pls_fit.warnings))

# %% caption="Standardised structural paths by CB-SEM and by PLS, with PLS bootstrap intervals and consistent PLS (PLSc)."
pls_tables if pls_tables is None else pls_tables["paths"].round(3)

# %% caption="Variance explained (R²) of the outcomes by CB-SEM, PLS and PLSc."
pls_tables if pls_tables is None else pls_tables["r2"].round(3)

# %% caption="Mean standardised loadings per construct by CB-SEM and by PLS, and the composites' reliability (ρA)."
pls_tables if pls_tables is None else pls_tables["loadings"].round(3)

# %% caption="PLS index of each construct on a 0–100 scale (item weights rescaled to the items' range, ECSI/ACSI style), with bootstrap intervals."
pls_tables if pls_tables is None else pls_tables["index"].round(1)

# %%
Markdown(cxlab.pls.describe_comparison(pls_tables, alpha=p["alpha_level"], labels=cb.label,
                                       sem_ok=sem.judge.interpretation_gate(fit).ok) if pls_tables else "")

# %% [markdown] tags=["needs-segment"]
# ## Segments
#
# Paths can only be compared between segments if the items measure the same thing in each
# (metric invariance: equal loadings). The invariance tests come first, then each path is
# estimated per segment (loadings held equal) and tested for equality across segments
# with a chi-square difference test.

# %% caption="Measurement invariance across segments." tags=["needs-segment", "needs-measurement_model"]
invariance = sem.invariance(survey, study.models["measurement"], group=segment, missing=p["missing"])
invariance.to_frame().round(3)

# %% tags=["needs-segment"]
segments = sem.compare_segments(survey, model, group=segment, missing=p["missing"])
plots.fit_warnings(segments.fit)

# %% caption="Standardised paths per segment and the tests of equal paths across segments (per path with Holm-adjusted p-values, then all paths at once)." tags=["needs-segment"]
sem.effects.segment_tests(segments, labels=cb.label).round(3)

# %% [markdown]
# ## Modification indices

# %% [markdown] tags=["needs-ml_estimator"]
# The five changes to the model that would lower the chi-square most (`mi`), with the
# expected parameter change (`epc`, and standardised: `sepc_all`). They suggest where the
# model could be wrong; freeing parameters only because of them capitalises on chance.

# %% caption="Top modification indices with expected parameter change." tags=["needs-ml_estimator"]
indices = sem.modification_indices(fit, top=5)
indices.round(3)

# %% tags=["needs-ml_estimator"]
Markdown(sem.describe_modification_indices(fit, indices, labels=cb.label))

# %% tags=["unless-ml_estimator"]
Markdown(cxlab.plan.not_run("The table of modification indices", study, "ml_estimator"))

# %% tags=["summary"]
sem.judge.interpretation_gate({"measurement model": globals().get("cfa"), "structural model": fit,
                               "multigroup model of the segments": getattr(globals().get("segments"), "fit", None)},
                              labels=cb.label).box()

# %% [markdown]
# ## Summary

# %% tags=["summary"]
Markdown(sem.describe_drivers(fit, effects=effects, alpha=p["alpha_level"], labels=cb.label,
                              segments=globals().get("segments"), invariance=globals().get("invariance")))

# %% [markdown]
# ## Methods

# %%
Markdown(cxlab.report.methods_section(study, "sem"))
