## Case wlsmv_covariate_sem: a structural model with ordinal indicators and an observed
## covariate, WLSMV (conditional.x = TRUE, fixed.x = TRUE, delta parameterisation): the
## latent f1 (four ordinal items) is regressed on x1 and predicts the latent f2 (four
## ordinal items). Data: ordinal_mimic.csv, written by 31_wlsmv_mimic.R (x2 is not in
## this model). "defined": the same model with labels and the indirect effect of x1 on f2
## (ind := a*b, delta-method SE from the robust vcov). "just_identified": f1 (y1, y2) on x1,
## df = 0 (lavaan's conventions for the fit measures of a saturated model). Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/32_wlsmv_covariate_sem.R
source("r/helpers.R")
X <- read_anchor_csv("ordinal_mimic.csv")
ITEMS <- paste0("y", 1:8)
MODEL <- "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf1 ~ x1\nf2 ~ f1"
f_sem <- function() sem(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV")
fit <- f_sem()
MODEL_DEF <- "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf1 ~ a*x1\nf2 ~ b*f1\nind := a*b"
fit_def <- sem(MODEL_DEF, data = X, ordered = ITEMS, estimator = "WLSMV")
MODEL_JI <- "f1 =~ y1 + y2\nf1 ~ x1"
fit_ji <- sem(MODEL_JI, data = X, ordered = c("y1", "y2"), estimator = "WLSMV")
write_anchor(list(
  description = "Ordinal SEM: f1 (4 ordinal items) on x1, f2 (4 ordinal items) on f1; WLSMV, conditional.x = TRUE.",
  data = list(file = "ordinal_mimic.csv", n = lavInspect(fit, "nobs"), items = ITEMS, covariates = "x1"),
  model_syntax = MODEL,
  call = "sem(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  r2 = as.list(lavInspect(fit, "r2")),
  fit_all = fit_all(fit),
  defined = list(model_syntax = MODEL_DEF, parameters = pe_rows(fit_def)),
  just_identified = list(model_syntax = MODEL_JI, items = c("y1", "y2"), parameters = pe_rows(fit_ji),
                         fit_all = fit_all(fit_ji)),
  timing_seconds = list(sem_call = time_median(f_sem, 5))
), "wlsmv_covariate_sem")
print(fitMeasures(fit, c("chisq", "df", "chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr")))
