## Case hs_missing_fiml_mlr: the hs_missing_fiml CFA with estimator = "MLR":
## Huber-White SEs (observed information, first-order meat of casewise scores),
## Yuan-Bentler (Mplus) scaled test, FIML-corrected robust CFI/TLI/RMSEA (Zhang & Savalei).
source("r/helpers.R")
HSm <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
fit <- cfa(HS_MODEL, data = HSm, missing = "fiml", estimator = "MLR")
timing <- time_median(function() cfa(HS_MODEL, data = HSm, missing = "fiml", estimator = "MLR"), reps = 11)
tst <- lavInspect(fit, "test")
write_anchor(list(
  description = "3-factor HS CFA with missing = 'fiml' and estimator = 'MLR' (robust.huber.white SEs, yuan.bentler.mplus test). N = 301, 216 complete rows.",
  data = list(file = "HolzingerSwineford1939_missing.csv", n = lavInspect(fit, "nobs"),
              recipe = "x1 <- NA if id %% 7 == 0; x5 <- NA if id %% 11 == 0; x9 <- NA if id %% 13 == 0"),
  model_syntax = HS_MODEL,
  call = "cfa(model, data = HSm, missing = 'fiml', estimator = 'MLR')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  test = lapply(tst, function(t) t[intersect(names(t), c("test", "stat", "df", "pvalue", "scaling.factor",
                                                          "scaling.factor.h1", "scaling.factor.h0", "trace.UGamma"))]),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "hs_missing_fiml_mlr")
print(fitMeasures(fit, c("chisq", "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "cfi.robust", "rmsea.robust")))
