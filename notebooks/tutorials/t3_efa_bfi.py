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
# # Tutorial 3 — Exploratory factor analysis and reliability: the Big Five (psych's bfi)
#
# An *exploratory* factor analysis (EFA) asks which groups of questions hang together,
# without saying in advance which question belongs where. Researchers use it to check that
# a new questionnaire (say, the 22 SERVQUAL items) has the dimensions it was designed to
# have, before confirming them with a CFA (tutorial 1).
#
# We use the `bfi` data of William Revelle's R package *psych*: 25 personality items
# (agreeableness A1–A5, conscientiousness C1–C5, extraversion E1–E5, neuroticism N1–N5,
# openness O1–O5), answered on a 1–6 scale by 2,800 people. Every number is put beside
# psych's (R 4.2.2, psych 2.2.9, GPArotation 2022.10-2) with the difference.
#
# **You will learn:** whether data are fit for factor analysis (KMO, Bartlett), how many
# factors to keep (parallel analysis), how to read an oblique solution (loadings,
# communalities, factor correlations), and how reverse-keyed items enter Cronbach's alpha.

# %% tags=["parameters"]
n_factors = 5  # factors to extract (the Big Five; parallel analysis may suggest another number)
method = "minres"  # extraction: minres, ml or pa
rotation = "oblimin"  # rotation: oblimin, promax, varimax or none
n_iter = 20  # simulated data sets in parallel analysis (psych's reference used 20)
seed = 42  # random seed of the parallel analysis
tolerance = 1e-4  # largest accepted |cxlab - psych| difference for deterministic results
tolerance_simulation = 0.05  # parallel analysis: simulated eigenvalues differ by Monte-Carlo error

# %%
import pandas as pd
from cxlab import datasets, factor, plots
from cxlab import reliability as rel

plots.set_theme()
pd.set_option("display.float_format", "{:.6g}".format)
psych = datasets.load_reference("bfi_efa")
bfi = datasets.load_dataset("bfi")
items = bfi[psych["data"]["items"]].dropna()  # the 25 items, complete cases as in psych's reference
print(f"{len(bfi)} respondents, {len(items)} with all 25 items answered")

# %% [markdown]
# ## 1. Are the data fit for factor analysis?
#
# - **Kaiser–Meyer–Olkin (KMO)** compares each correlation with the *partial* correlation
#   (the correlation left after removing all other items). When items share common
#   factors, partial correlations are small and KMO is near 1. Kaiser's labels: above
#   0.9 marvellous, 0.8 meritorious, 0.7 middling, 0.6 mediocre, below 0.5 unacceptable.
#   Per-item KMO finds items that share little with the rest.
# - **Bartlett's test of sphericity** tests whether the correlation matrix is an identity
#   matrix (no correlations at all). It almost always rejects with hundreds of
#   respondents, so it is a minimum check, not evidence of good structure.

# %%
kmo_overall, kmo_items = factor.kmo(items)
chisq, df, pvalue = factor.bartlett(items)
adequacy = pd.Series({"kmo": kmo_overall, "chisq": chisq, "df": df, "p_value": pvalue})
adequacy_ref = pd.concat([pd.Series({"kmo": psych["kmo"]["MSA"]}), datasets.reference_values(psych, "bartlett")])
adequacy_cmp = datasets.compare_to_reference(adequacy, adequacy_ref)
adequacy_cmp

# %%
kmo_cmp = datasets.compare_to_reference(kmo_items, datasets.reference_values(psych, "kmo/MSAi"))
kmo_cmp.sort_values("ours").head(5)

# %% [markdown]
# Overall KMO 0.85 is meritorious; the weakest item (A1, 0.75) is still fine.
#
# ## 2. How many factors? Parallel analysis
#
# Eigenvalues measure how much variance each successive factor could explain. Random data
# also give positive eigenvalues, so Horn's *parallel analysis* keeps the factors whose
# observed eigenvalue beats the mean eigenvalue of random normal data of the same size.
# (The old rule "eigenvalue above 1" keeps far too many factors with many items.)
#
# Parallel analysis is random: the simulated eigenvalues differ from psych's by Monte-Carlo
# error (psych uses R's random numbers), but the *observed* eigenvalues must agree exactly
# and the suggestion should too. psych suggests 6 factors here (with seed 42 and five other
# seeds). The sixth factor is small (eigenvalue 0.22 against 0.10 for random data); the
# instrument was built for five, so we extract five — a judgement the numbers inform but
# do not make for us.

# %%
pa = factor.parallel_analysis(items, n_iter=n_iter, seed=seed)
print(f"Parallel analysis suggests {pa.n_factors} factors (psych: {psych['parallel']['nfact']}).")
plots.scree_chart(pa.eigenvalues, title="Parallel analysis of the 25 bfi items");

# %%
eigen_ref = pd.DataFrame({"fa_observed": psych["parallel"]["fa_values"], "fa_simulated": psych["parallel"]["fa_sim"]},
                         index=pa.eigenvalues.index)
eigen_cmp = datasets.compare_to_reference(pa.eigenvalues, eigen_ref)
suggestion_cmp = datasets.compare_to_reference(pd.Series({"n_factors": pa.n_factors}),
                                               pd.Series({"n_factors": psych["parallel"]["nfact"]}))
eigen_cmp.head(12)

# %% [markdown]
# ## 3. The factor solution
#
# **minres** (minimum residual) finds loadings that best reproduce the off-diagonal
# correlations; **oblimin** then *rotates* the factors to a simple structure (each item
# loading mainly on one factor) while letting the factors correlate — personality traits,
# like service-quality dimensions, are not independent.
#
# - A **loading** is the item's regression weight on the factor (the *pattern* matrix);
#   |loading| ≥ 0.3 is the usual threshold for "belongs to" (smaller ones are blank).
#   Negative loadings belong to reverse-worded items ("I am indifferent to the feelings of
#   others").
# - **h2** (communality) is the share of an item's variance the factors explain; **u2** =
#   1 − h2 is its uniqueness.
# - Factor names (MR1…MR5) are psych's: numbered in extraction order, sorted by variance.

# %%
efa = factor.efa(items, n_factors, method=method, rotation=rotation)
factor.loading_table(efa, cutoff=0.3).style.format("{:.2f}", na_rep="")

# %% [markdown]
# The factor correlations (**Phi**) and the variance each factor accounts for: **SS
# loadings** is the variance explained by the factor (in items' units), **proportion_var**
# its share of the total variance of the 25 items.

# %%
efa.phi

# %%
efa.variance

# %% [markdown]
# cxlab beside psych's `fa(X, nfactors = 5, fm = "minres", rotate = "oblimin")`: loadings
# here; communalities, Phi and the variance table in the summary at the end. psych's
# reference is for these settings only: with other parameters the comparison is skipped.

# %%
solution_cmp = {}
if (n_factors, method, rotation) == (5, "minres", "oblimin"):
    solution_cmp = {
        "loadings": datasets.compare_to_reference(
            efa.loadings, datasets.reference_table(psych, "fa_minres_oblimin/loadings")),
        "communalities": datasets.compare_to_reference(
            efa.communalities, datasets.reference_values(psych, "fa_minres_oblimin/communalities")),
        "factor correlations": datasets.compare_to_reference(
            efa.phi, datasets.reference_table(psych, "fa_minres_oblimin/Phi")),
        "variance": datasets.compare_to_reference(
            efa.variance, datasets.reference_table(psych, "fa_minres_oblimin/Vaccounted").set_axis(efa.variance.index)),
    }
    display(solution_cmp["loadings"].query("name in ['A1', 'A2', 'N1']"))

# %% [markdown]
# ## 4. Reliability: Cronbach's alpha with reverse keys
#
# **Cronbach's alpha** is the share of a scale score's variance that is not measurement
# error, if all items measure the same thing equally well. It rises with the number of
# items and their average correlation (**average_r**); above 0.7 is usually acceptable,
# above 0.8 good. The confidence interval (Feldt) shows the sampling uncertainty.
#
# Reverse-keyed items must be recoded first, or they cancel the others out: on a 1–6
# scale the recoded answer is 7 − x. psych marks them with a minus (`-A1`).

# %%
scales = {"agree": ["A1", "A2", "A3", "A4", "A5"], "conscientious": ["C1", "C2", "C3", "C4", "C5"],
          "extraversion": ["E1", "E2", "E3", "E4", "E5"], "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
          "openness": ["O1", "O2", "O3", "O4", "O5"]}
reverse_keyed = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
keyed = items.assign(**{item: 7 - items[item] for item in reverse_keyed})
alphas = rel.scale_reliability(keyed, scales)
alphas

# %%
alpha_ref = pd.DataFrame({s: datasets.reference_values(psych, f"alpha/{s}/total") for s in scales}).T
alpha_cmp = datasets.compare_to_reference(alphas, alpha_ref.rename(columns={"raw_alpha": "alpha"}),
                                          columns=["alpha", "average_r"])
alpha_cmp

# %% [markdown]
# Without the reverse keys alpha collapses: see exercise 2.
#
# ## 5. How close is cxlab to psych?
#
# Largest absolute difference per comparison and statistic. Deterministic results must
# agree within `tolerance`; simulated eigenvalues within `tolerance_simulation` (Monte-Carlo
# error with only `n_iter` data sets); the suggested number of factors exactly.

# %% tags=["reference-check"]
check = datasets.comparison_summary(
    {"adequacy (KMO, Bartlett)": adequacy_cmp, "KMO per item": kmo_cmp, "eigenvalues": eigen_cmp,
     "suggested factors": suggestion_cmp, **solution_cmp, "alpha": alpha_cmp},
    tolerance={"fa_simulated": tolerance_simulation, "suggested factors": 0, "default": tolerance})
assert check["within"].all(), check[~check["within"]]
check

# %% [markdown]
# ## Exercises
#
# 1. Extract 6 factors, as parallel analysis suggests. Which items form the sixth factor,
#    and how large are its loadings? Would you keep it?
# 2. Compute alpha of the agreeableness scale *without* recoding A1
#    (`rel.alpha(items[scales["agree"]])`). Why does it drop?
# 3. Rotate with `rotation="varimax"` (orthogonal factors). Which loadings change most,
#    and why is varimax a poor choice when `efa.phi` shows correlations of 0.2–0.3?
# 4. Run the parallel analysis with five other seeds and `n_iter=100`. Does the suggestion
#    stay at 6? How much do the simulated eigenvalues move?
