## Case hs_cfa: classic 3-factor CFA on Holzinger & Swineford (1939), ML.
## Copied from the shared reference set (../shared/reference/r/01_hs_cfa.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/01_hs_cfa.R
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
fit <- cfa(HS_MODEL, data = HS, estimator = "ML")
mi <- modindices(fit, sort. = TRUE, maximum.number = 10)
mi <- as.data.frame(mi)[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")]
timing_fit <- time_median(function() cfa(HS_MODEL, data = HS, estimator = "ML"), reps = 15)
timing_full <- time_median(function() {
  f <- cfa(HS_MODEL, data = HS, estimator = "ML")
  parameterEstimates(f, standardized = TRUE); fitMeasures(f)
}, reps = 15)
write_anchor(list(
  description = "3-factor CFA, HolzingerSwineford1939 (N=301), ML, marker-variable identification (first loading = 1), default lavaan options.",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = HS_MODEL,
  call = "cfa(model, data = HS, estimator = 'ML')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  iterations = lavInspect(fit, "iterations"),
  parameters = pe_rows(fit),
  fit = fit_headline(fit),
  fit_all = fit_all(fit),
  modindices_top10 = mi,
  sample_cov_N_divisor = mat_json(lavInspect(fit, "sampstat")$cov),
  implied_cov = mat_json(lavInspect(fit, "implied")$cov),
  timing_seconds = list(cfa_call = timing_fit, cfa_plus_pe_fitmeasures = timing_full)
), "hs_cfa")
print(summary(fit, fit.measures = TRUE, standardized = TRUE))
print(mi)
