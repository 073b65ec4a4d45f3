## Case hs_fiml_covariate: the hs_missing_fiml CFA with an observed exogenous covariate
## (visual ~ ageyr; lavaan's defaults fixed.x = TRUE, conditional.x = FALSE), missing = "fiml",
## with ML and with MLR.
source("r/helpers.R")
HSm <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
MODEL <- paste(HS_MODEL, "visual ~ ageyr", sep = "\n")
for (est in c("ML", "MLR")) {
  fit <- sem(MODEL, data = HSm, missing = "fiml", estimator = est)
  timing <- time_median(function() sem(MODEL, data = HSm, missing = "fiml", estimator = est), reps = 11)
  case <- if (est == "ML") "hs_fiml_covariate" else "hs_fiml_covariate_mlr"
  write_anchor(list(
    description = paste("HS CFA with visual ~ ageyr (fixed.x covariate), missing = 'fiml', estimator", est),
    data = list(file = "HolzingerSwineford1939_missing.csv", n = lavInspect(fit, "nobs")),
    model_syntax = MODEL,
    call = paste0("sem(model, data = HSm, missing = 'fiml', estimator = '", est, "')"),
    options = lav_opts(fit),
    converged = lavInspect(fit, "converged"),
    parameters = pe_rows(fit),
    fit_all = fit_all(fit),
    timing_seconds = list(sem_call = timing)
  ), case)
}
