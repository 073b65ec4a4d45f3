## Case hs_equality_mlr: the hs_equality model (a == b, d + e == 2) with estimator = "MLR".
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
MODEL <- fromJSON(file.path(ANCHOR_ROOT, "hs_equality.json"))$model_syntax  # the model of 13_hs_equality.R
fit <- cfa(MODEL, data = HS, estimator = "MLR")
write_anchor(list(
  description = "HS 3-factor CFA with a == b and d + e == 2 (MLR).",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = MODEL,
  call = "cfa(model, data = HS, estimator = 'MLR')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit)
), "hs_equality_mlr")
