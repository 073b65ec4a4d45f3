## Case hs_mediation: observed predictor visual_sum = x1 + x2 + x3, latent mediator/outcome,
## labelled paths, defined indirect and total effects with delta-method SEs.
## NOTE: textual and speed are not columns of HS, so they are latent factors measured by
## x4-x6 and x7-x9 (the only reading under which the brief's syntax can be fitted).
## Copied from the shared reference set (../shared/reference/r/07_hs_mediation.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/07_hs_mediation.R
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
HS$visual_sum <- HS$x1 + HS$x2 + HS$x3
MODEL <- "textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ a*visual_sum
speed ~ b*textual + c*visual_sum
ind := a*b
total := c + a*b"
f_med <- function() sem(MODEL, data = HS)
fit <- f_med()
fit_fx <- sem(MODEL, data = HS, fixed.x = FALSE)
pe <- pe_rows(fit)
timing_fit <- time_median(f_med, 15)
timing_full <- time_median(function() { f <- f_med(); parameterEstimates(f, standardized = TRUE); fitMeasures(f) }, 15)
write_anchor(list(
  description = "Mediation on HS: visual_sum (observed, = x1+x2+x3) -> textual (latent) -> speed (latent), ML, default fixed.x = TRUE (variance of visual_sum not a model parameter), SEs of := parameters by the delta method.",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs"),
              transform = "visual_sum <- x1 + x2 + x3"),
  model_syntax = MODEL,
  call = "sem(model, data = HS)",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe,
  defined = pe[pe$op == ":=", ],
  fit = fit_headline(fit),
  fit_all = fit_all(fit),
  fixed_x_false = list(call = "sem(model, data = HS, fixed.x = FALSE)",
                       parameters = pe_rows(fit_fx), fit = fit_headline(fit_fx)),
  timing_seconds = list(sem_call = timing_fit, sem_plus_pe_fitmeasures = timing_full)
), "hs_mediation")
print(pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std.all")])
print(fitMeasures(fit, c("npar", "chisq", "df", "cfi", "rmsea", "srmr")))
print(fitMeasures(fit_fx, c("npar", "chisq", "df", "cfi", "rmsea", "srmr")))
