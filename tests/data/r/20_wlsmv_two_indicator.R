## Case wlsmv_two_indicator: WLSMV models on ordinal_6f.csv (tests/data/make_ordinal_6f.py).
## "identified": a factor with two items, identified through its correlation with a
## three-item factor (the zero start covariance makes the first Gauss-Newton matrix
## singular). "unscaled" and "two_alone": not identified; lavaan fits them and warns.
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
X <- read_anchor_csv("ordinal_6f.csv")
ITEMS <- c("q1", "q2", "q4", "q5", "q6")
MODELS <- list(identified = "f1 =~ q1 + q2\nf2 =~ q4 + q5 + q6",
               unscaled = "f =~ NA*q1 + q2 + q4 + q5",
               two_alone = "f1 =~ q1 + q2\nf2 =~ q4 + q5 + q6\nf1 ~~ 0*f2")
cases <- lapply(MODELS, function(m) {
  w <- character(0)
  fit <- withCallingHandlers(cfa(m, data = X, ordered = ITEMS, estimator = "WLSMV"),
                             warning = function(c) { w <<- c(w, conditionMessage(c)); invokeRestart("muffleWarning") })
  list(model_syntax = m, converged = lavInspect(fit, "converged"), npar = lavInspect(fit, "npar"),
       information_rank = qr(lavInspect(fit, "information"), tol = 1e-8)$rank, warnings = as.list(w),
       parameters = pe_rows(fit), fit_all = tryCatch(fit_all(fit), error = function(e) conditionMessage(e)))
})
write_anchor(list(description = "WLSMV: an identified two-item factor and two non-identified models.",
                  data = list(file = "ordinal_6f.csv", items = ITEMS),
                  call = "cfa(model, data = X, ordered = ITEMS, estimator = 'WLSMV')", cases = cases),
             "wlsmv_two_indicator")
