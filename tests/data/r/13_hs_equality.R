## Case hs_equality: HS CFA with explicit equality constraints between labels (`==`),
## a simple one (a == b) and a linear one (d + e == 2).
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
MODEL <- "visual  =~ x1 + a*x2 + b*x3
textual =~ x4 + d*x5 + e*x6
speed   =~ x7 + x8 + x9
a == b
d + e == 2"
fit <- cfa(MODEL, data = HS)
timing <- time_median(function() cfa(MODEL, data = HS), reps = 11)
write_anchor(list(
  description = "HS 3-factor CFA with a == b and d + e == 2 (ML).",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = MODEL,
  call = "cfa(model, data = HS)",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "hs_equality")
