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
# # Tutorial 5 — How uncertain is an NPS? A simulation
#
# The Net Promoter Score is reported every month, and every month someone asks why it went
# down two points. Often the honest answer is: chance. This tutorial *simulates* surveys
# from a population whose NPS we know, to see how much a sample's NPS varies, whether the
# standard-error formula and the confidence intervals cxlab reports are right, and how
# large a change must be before a survey can detect it.
#
# The population is the demo study's first wave (`truth.yaml`: 39.2 % promoters,
# 24.5 % detractors, NPS 14.7). Here the known answer is mathematics: the formula for the
# standard error, the promised 95 % coverage, and the promised 80 % power.
#
# **You will learn:** the sampling distribution of NPS, its standard error, what a
# confidence interval's coverage means, Monte-Carlo error, and the minimal detectable
# change for a given sample size.

# %% tags=["parameters"]
promoters = 0.39213  # true share answering 9-10 (demo truth, wave 1)
detractors = 0.24542  # true share answering 0-6
sample_sizes = [200, 500, 1000]  # respondents per survey
n_sims = 1000  # simulated surveys per sample size (more = less Monte-Carlo error, slower)
ci_level = 0.95  # confidence level of the intervals
ci_methods = ["wald", "adjusted_wald", "score"]  # interval methods of cxlab.measures.nps to check
alpha_level = 0.05  # significance level of the change test
power = 0.80  # wanted chance of detecting a real change
seed = 2026  # random seed of the simulation

# %%
import numpy as np
import pandas as pd
import seaborn as sns
from scipy import stats
from cxlab import datasets, measures, plots

plots.set_theme()
pd.set_option("display.precision", 3)
rng = np.random.default_rng(seed)
shares = [promoters, 1 - promoters - detractors, detractors]
answers = [10, 8, 3]  # one answer of each kind: promoter, passive, detractor (NPS only uses the kind)
true_nps = 100 * (promoters - detractors)
print(f"True NPS: {true_nps:.2f}")

# %% [markdown]
# ## 1. The standard-error formula
#
# NPS = 100 (p − d), with p the share of promoters and d of detractors. Each respondent
# contributes +100, 0 or −100, so NPS is a mean and its variance follows from the
# trinomial distribution:
#
#     SE = 100 · √( (p + d − (p − d)²) / n )
#
# The SE shrinks with √n: four times the respondents halve the uncertainty.

# %%
se_formula = pd.Series({n: 100 * np.sqrt((promoters + detractors - (promoters - detractors) ** 2) / n)
                        for n in sample_sizes}, name="se_formula").rename_axis("n")
se_formula

# %% [markdown]
# ## 2. The sampling distribution
#
# We draw `n_sims` surveys of each size from the population and let cxlab compute each
# survey's NPS with its interval for every method. The spread of the simulated NPS values
# *is* the true standard error; the formula should match it.

# %%
records = []
for n in sample_sizes:
    for _ in range(n_sims):
        scores = rng.choice(answers, size=n, p=shares)
        for method in ci_methods:
            r = measures.nps(scores, ci=ci_level, method=method)
            records.append({"n": n, "method": method, "nps": r.value, "se": r.se,
                            "ci_lower": r.ci_lower, "ci_upper": r.ci_upper})
sims = pd.DataFrame(records)
wald = sims[sims["method"] == ci_methods[0]]

# %%
ax = sns.kdeplot(data=wald, x="nps", hue="n", common_norm=False, bw_adjust=1.5,
                 palette=plots.PALETTE[:len(sample_sizes)])
ax.axvline(true_nps, color="black", lw=1)
ax.set(title="Simulated NPS by sample size (line: true NPS)", xlabel="NPS");

# %% [markdown]
# Per sample size: the mean simulated NPS (unbiased: close to the true value), the
# simulated SE (standard deviation across surveys), the formula's SE and the average SE
# cxlab reported. `ratio` = simulated / formula should be 1.

# %%
summary = wald.groupby("n").agg(mean_nps=("nps", "mean"), se_simulated=("nps", "std"), se_reported=("se", "mean"))
summary = summary.assign(se_formula=se_formula, ratio=summary["se_simulated"] / se_formula)
summary

# %% [markdown]
# The simulated SE is itself an estimate from `n_sims` surveys: its relative
# **Monte-Carlo error** is about 1 / √(2 · n_sims) (2 % with 1,000 surveys). We accept
# the formula if the ratio is within four such errors of 1.

# %%
mc_se_ratio = 1 / np.sqrt(2 * n_sims)
se_cmp = datasets.compare_to_reference(summary["ratio"], pd.Series(1.0, index=summary.index))
se_cmp

# %% [markdown]
# ## 3. Do the 95 % intervals cover the truth 95 % of the time?
#
# A 95 % confidence interval method promises that, over many surveys, 95 % of its
# intervals contain the true value. **Coverage** is the share that did. With `n_sims`
# surveys, coverage has a Monte-Carlo standard error √(0.95 · 0.05 / n_sims) ≈ 0.007
# for 1,000. The Wald interval (NPS ± 1.96 SE) is fine at these sample sizes; the
# adjusted-Wald and score intervals (Rocks 2016) are safer for small samples or extreme
# scores.

# %%
sims["covered"] = (sims["ci_lower"] <= true_nps) & (true_nps <= sims["ci_upper"])
coverage = sims.pivot_table(index="method", columns="n", values="covered", aggfunc="mean")
coverage

# %%
coverage_long = sims.groupby(["method", "n"])["covered"].mean()
coverage_long.index = [f"{method}, n={n}" for method, n in coverage_long.index]
coverage_cmp = datasets.compare_to_reference(coverage_long, pd.Series(ci_level, index=coverage_long.index))
mc_se_coverage = np.sqrt(ci_level * (1 - ci_level) / n_sims)
coverage_cmp

# %% [markdown]
# ## 4. How big must a change be to be detected?
#
# Two waves of n respondents each; the change is tested with a z test (`measures.compare`:
# difference / √(SE₁² + SE₂²)). The **minimal detectable change** (MDC) is the true change
# that the test detects with probability `power` at level `alpha_level`:
#
#     MDC = (z₁₋α/₂ + z_power) · √2 · SE(n)      (with α = 0.05 and 80 % power: 2.80 · √2 · SE)
#
# Smaller changes may be real but will usually go unnoticed — and "significant" changes
# in a small survey are often exaggerated.

# %%
z_sum = stats.norm.ppf(1 - alpha_level / 2) + stats.norm.ppf(power)
mdc = (z_sum * np.sqrt(2) * se_formula).rename("minimal_detectable_change")
mdc.to_frame()

# %% [markdown]
# **Check by simulation.** Move promoters up and detractors down by MDC / 200 each (a true
# change of MDC points), simulate both waves `n_sims` times, and count how often
# `measures.compare` calls the change significant. It should be close to `power`.

# %%
detected = {}
for n in sample_sizes:
    shift = mdc[n] / 200
    after = [promoters + shift, 1 - promoters - detractors, detractors - shift]
    hits = [measures.compare(measures.nps(rng.choice(answers, size=n, p=shares)),
                             measures.nps(rng.choice(answers, size=n, p=after))).pvalue < alpha_level
            for _ in range(n_sims)]
    detected[n] = np.mean(hits)
power_cmp = datasets.compare_to_reference(pd.Series(detected), pd.Series(power, index=sample_sizes))
power_cmp

# %% [markdown]
# (Raising promoters and lowering detractors also changes the SE a little, so the
# simulated power is close to, not exactly, `power`.)
#
# ## 5. Did the simulation confirm the theory?
#
# SE ratio within 4 Monte-Carlo errors of 1, coverage within 4 Monte-Carlo errors of the
# nominal level, and power within 4 Monte-Carlo errors (0.05 with 1,000 simulations) plus
# 0.02 for the SE change noted above.

# %% tags=["reference-check"]
check = datasets.comparison_summary(
    {"SE: simulated / formula": se_cmp, "CI coverage": coverage_cmp, "power at the MDC": power_cmp},
    tolerance={"SE: simulated / formula": 4 * mc_se_ratio, "CI coverage": 4 * mc_se_coverage,
               "power at the MDC": 4 * np.sqrt(power * (1 - power) / n_sims) + 0.02})
assert check["within"].all(), check[~check["within"]]
check

# %% [markdown]
# ## Exercises
#
# 1. Add n = 30 and n = 50 to `sample_sizes`. Which interval method's coverage suffers
#    first? Why are small samples a problem for the Wald interval?
# 2. Set `promoters = 0.85, detractors = 0.02` (an NPS near the ceiling). What happens to
#    the SE and to the Wald interval's coverage?
# 3. Your monthly survey has 300 respondents and NPS dropped from 24 to 19. Using the MDC
#    table (or `measures.compare`), would you report this as a change?
# 4. How many respondents per wave do you need to detect a change of 5 points with 80 %
#    power? Solve the MDC formula for n and check it by simulation.
