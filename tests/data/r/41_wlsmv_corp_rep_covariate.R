## Case wlsmv_corp_rep_covariate: a MIMIC model on the corp_rep survey of
## ../shared/data/external/corp_rep (not copied here: GPL), WLSMV with a covariate (lavaan's
## conditional.x): switching costs (switch_1..4) and three quality items (qual_5..7), each
## factor regressed on the service type (1 postpaid, 2 prepaid, taken as continuous). Five
## residual polychoric correlations stop at lavaan's bound 0.999 (one item determines the
## other); the solution is improper (latent covariance matrix not positive definite). cxlab
## reached lavaan's estimates but ran to its iteration limit (its central-difference gradient
## cannot fall below ~1e-9). Missing code -99 is NA, listwise. Made with lavaan 0.6-14
## (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
raw <- read.csv(CORP_FILE)
ITEMS <- c(paste0("switch_", 1:4), paste0("qual_", 5:7))
MODEL <- "switch =~ switch_1 + switch_2 + switch_3 + switch_4
qual =~ qual_5 + qual_6 + qual_7
switch ~ servicetype
qual ~ servicetype"
X <- raw[c(ITEMS, "servicetype")]
X[X == -99] <- NA
fit <- suppressWarnings(sem(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV"))
cov_lv <- lavInspect(fit, "cov.lv")
write_anchor(list(
  description = paste("MIMIC on corp_rep: switch and qual_5..7 factors on servicetype, WLSMV (conditional.x);",
                      "residual polychorics at the bound 0.999; improper."),
  data = list(file = "../shared/data/external/corp_rep/corp_rep_data.csv", missing_code = -99,
              n = lavInspect(fit, "nobs"), items = ITEMS, covariates = "servicetype"),
  model_syntax = MODEL,
  call = "sem(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  iterations = lavInspect(fit, "iterations"),
  cov_lv_min_eigenvalue = min(eigen(cov_lv, symmetric = TRUE, only.values = TRUE)$values),
  residual_cor = mat_json(lavInspect(fit, "sampstat")$res.cov),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit)
), "wlsmv_corp_rep_covariate")
cat("iterations", lavInspect(fit, "iterations"), " min eig cov.lv",
    min(eigen(cov_lv, only.values = TRUE)$values), "\n")
