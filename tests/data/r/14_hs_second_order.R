## Case hs_second_order: second-order factor g over the three Holzinger-Swineford
## factors (ML). The first-order factors are indicators of g, hence endogenous: no
## covariances among them or with g, their variances are disturbance variances.
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
MODEL <- paste(HS_MODEL, "g =~ visual + textual + speed", sep = "\n")
fit <- cfa(MODEL, data = HS)
timing <- time_median(function() cfa(MODEL, data = HS), reps = 11)
write_anchor(list(
  description = "HS 3-factor CFA with a second-order factor g (ML).",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = MODEL,
  call = "cfa(model, data = HS)",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  r2 = as.list(lavInspect(fit, "r2")),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "hs_second_order")
