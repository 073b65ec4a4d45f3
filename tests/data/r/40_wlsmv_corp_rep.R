## Case wlsmv_corp_rep: the measurement model that `cxlab new corp --survey corp_rep_data.csv`
## drafts (eight constructs, one per item stem, 34 seven- and five-category items), by WLSMV
## with every item ordered, on the corporate-reputation survey of
## ../shared/data/external/corp_rep (not copied here: GPL). The study's missing code -99 is
## NA and the fit is listwise: 336 of 344 rows. lavaan converges to an improper solution
## (the latent covariance matrix is not positive definite). Five pairs of items (switch_* with
## qual_5..7, switch_1 with switch_4) have tables in which one item determines the other: their
## polychoric correlations stop at lavaan's bound 0.999 (nlminb's lower/upper); cxlab, which had
## no bound, took them to 1 - 1e-13 with weights ~1e13, and its fit stopped short at chi-square
## 3408.2 ("did not converge (no progress)"). Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
raw <- read.csv(CORP_FILE)
MODEL <- CORP_MEASUREMENT
ITEMS <- lavNames(lavaanify(MODEL), "ov")
X <- raw[ITEMS]
X[X == -99] <- NA
f_ord <- function() cfa(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV")
fit <- suppressWarnings(f_ord())
warns <- character(0)
invisible(withCallingHandlers(f_ord(), warning = function(w) {
  warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")
}))
timing <- time_median(function() suppressWarnings(f_ord()), 3)
cov_lv <- lavInspect(fit, "cov.lv")
write_anchor(list(
  description = paste("Measurement model drafted for corp_rep_data.csv (8 factors, 34 ordered items,",
                      "N=336 listwise), WLSMV; improper (latent covariance not positive definite)."),
  data = list(file = "../shared/data/external/corp_rep/corp_rep_data.csv", missing_code = -99,
              n = lavInspect(fit, "nobs"), items = ITEMS),
  model_syntax = MODEL,
  call = "cfa(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  iterations = lavInspect(fit, "iterations"),
  optim = list(method = lavInspect(fit, "options")$optim.method,
               fx = as.numeric(fit@optim$fx)),
  warnings = warns,
  cov_lv_min_eigenvalue = min(eigen(cov_lv, symmetric = TRUE, only.values = TRUE)$values),
  cov_lv = mat_json(cov_lv),
  ## the sample statistics: five polychoric correlations sit at lavaan's bound 0.999 (one
  ## item determines the other in the table), and their DWLS weights (diag of WLS.V)
  sample_cor = mat_json(lavInspect(fit, "sampstat")$cov),
  wls_v_diag = unname(diag(lavInspect(fit, "WLS.V"))),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "wlsmv_corp_rep")
print(fitMeasures(fit, c("chisq", "df", "chisq.scaled", "cfi.scaled", "rmsea.scaled")))
cat("iterations", lavInspect(fit, "iterations"), " fx", fit@optim$fx, " min eig cov.lv",
    min(eigen(cov_lv, only.values = TRUE)$values), "\n")
print(warns)
