## Case hs_mimic_mlr: a MIMIC model on complete data, the HS three factors regressed on
## sex and ageyr (observed exogenous covariates: lavaan's defaults fixed.x = TRUE,
## conditional.x = FALSE, no mean structure), estimator MLR (Huber-White SEs, observed
## information, Yuan-Bentler scaled test).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
MODEL <- paste(HS_MODEL, "visual + textual + speed ~ sex + ageyr", sep = "\n")
fit <- sem(MODEL, data = HS, estimator = "MLR")
timing <- time_median(function() sem(MODEL, data = HS, estimator = "MLR"), reps = 11)
write_anchor(list(
  description = "HS MIMIC: three factors on sex and ageyr (fixed.x), complete data, MLR.",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = MODEL,
  call = "sem(model, data = HS, estimator = 'MLR')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  r2 = as.list(lavInspect(fit, "r2")),
  fit_all = fit_all(fit),
  timing_seconds = list(sem_call = timing)
), "hs_mimic_mlr")
