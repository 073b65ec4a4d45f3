## Case wlsmv_mimic: an ordinal MIMIC model, WLSMV with observed exogenous covariates
## (lavaan's defaults for ordered indicators: conditional.x = TRUE, fixed.x = TRUE, delta
## parameterisation). Two factors of four ordinal items each (y1-y7 four categories, y8
## three) regressed on two continuous covariates x1 (standard normal) and x2 (not
## centred, mean about 4). The data are simulated here (seed 20261202, N = 600) and
## written to ordinal_mimic.csv, which 32_wlsmv_covariate_sem.R reads too. "dif": a
## one-factor MIMIC with a direct effect of x1 on an item (y1 ~ x1, uniform DIF). "binary":
## the one-factor MIMIC on y1-y4 dichotomised (category >= 3 -> 1; one threshold each).
## "dwls": the two-factor MIMIC with estimator = "DWLS" (standard SEs, unscaled test).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/31_wlsmv_mimic.R
source("r/helpers.R")
set.seed(20261202)
N <- 600
x1 <- round(rnorm(N), 3)
x2 <- round(rnorm(N, 4, 1.5), 2)
f1 <- 0.5 * x1 - 0.2 * (x2 - 4) + rnorm(N, sd = 0.8)
f2 <- 0.5 * f1 + 0.3 * x1 + rnorm(N, sd = 0.8)
lam <- c(0.8, 0.7, 0.75, 0.6)
cut4 <- function(z, t) findInterval(z, t) + 1L
Y <- data.frame(
  y1 = cut4(lam[1] * f1 + rnorm(N, sd = 0.6), c(-0.8, 0.1, 0.9)),
  y2 = cut4(lam[2] * f1 + rnorm(N, sd = 0.7), c(-0.5, 0.3, 1.1)),
  y3 = cut4(lam[3] * f1 + rnorm(N, sd = 0.6), c(-1.0, -0.1, 0.7)),
  y4 = cut4(lam[4] * f1 + rnorm(N, sd = 0.8), c(-0.6, 0.4, 1.2)),
  y5 = cut4(lam[1] * f2 + rnorm(N, sd = 0.6), c(-0.9, 0.0, 0.8)),
  y6 = cut4(lam[2] * f2 + rnorm(N, sd = 0.7), c(-0.4, 0.2, 1.0)),
  y7 = cut4(lam[3] * f2 + rnorm(N, sd = 0.6), c(-1.1, -0.2, 0.6)),
  y8 = cut4(lam[4] * f2 + rnorm(N, sd = 0.8), c(-0.3, 0.7))
)
X <- cbind(Y, x1 = x1, x2 = x2)
write.csv(X, file.path(ANCHOR_ROOT, "ordinal_mimic.csv"), row.names = FALSE)
ITEMS <- paste0("y", 1:8)
MODEL <- "f1 =~ y1 + y2 + y3 + y4\nf2 =~ y5 + y6 + y7 + y8\nf1 ~ x1 + x2\nf2 ~ x1 + x2"
f_sem <- function() sem(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV")
fit <- f_sem()
ss <- lavInspect(fit, "sampstat")
MODEL_DIF <- "f1 =~ y1 + y2 + y3 + y4\nf1 ~ x1 + x2\ny1 ~ x1"
fit_dif <- sem(MODEL_DIF, data = X, ordered = ITEMS[1:4], estimator = "WLSMV")
XB <- X
for (v in ITEMS[1:4]) XB[[v]] <- as.integer(XB[[v]] >= 3)
MODEL_BIN <- "f1 =~ y1 + y2 + y3 + y4\nf1 ~ x1 + x2"
fit_bin <- sem(MODEL_BIN, data = XB, ordered = ITEMS[1:4], estimator = "WLSMV")
fit_dwls <- sem(MODEL, data = X, ordered = ITEMS, estimator = "DWLS")
write_anchor(list(
  description = "Ordinal MIMIC (two factors of 4 ordinal items on x1, x2), WLSMV, conditional.x = TRUE; N = 600 simulated.",
  data = list(file = "ordinal_mimic.csv", n = lavInspect(fit, "nobs"), items = ITEMS, covariates = c("x1", "x2")),
  model_syntax = MODEL,
  call = "sem(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  r2 = as.list(lavInspect(fit, "r2")),
  fit_all = fit_all(fit),
  sample_stats = list(wls_obs = as.numeric(lavInspect(fit, "wls.obs")),
                      nacov_diag = as.numeric(diag(lavInspect(fit, "gamma"))),
                      res_slopes = mat_json(ss$res.slopes), res_cov = mat_json(ss$res.cov)),
  binary = list(model_syntax = MODEL_BIN, items = ITEMS[1:4], cut = "item >= 3", parameters = pe_rows(fit_bin),
                fit_all = fit_all(fit_bin)),
  dwls = list(parameters = pe_rows(fit_dwls), fit_all = fit_all(fit_dwls)),
  dif = list(model_syntax = MODEL_DIF, items = ITEMS[1:4], parameters = pe_rows(fit_dif), fit_all = fit_all(fit_dif)),
  timing_seconds = list(sem_call = time_median(f_sem, 5))
), "wlsmv_mimic")
write.csv(lavInspect(fit, "gamma"), "/tmp/semx/mimic_gamma.csv")
print(fitMeasures(fit, c("chisq", "df", "chisq.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr",
                         "cfi.robust", "rmsea.robust")))
