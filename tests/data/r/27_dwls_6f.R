## Case dwls_6f: the ordinal six-factor CFA of 15_wlsmv_6f.R estimated by DWLS (lavaan's
## estimator = "DWLS": WLSMV's estimates, but se = "standard" (expected information,
## no sandwich) and test = "standard" (no mean-and-variance correction).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
X <- read_anchor_csv("ordinal_6f.csv")
ITEMS <- names(X)
MODEL <- fromJSON(file.path(ANCHOR_ROOT, "wlsmv_6f.json"))$model_syntax
f_dwls <- function() cfa(MODEL, data = X, ordered = ITEMS, estimator = "DWLS")
fit <- f_dwls()
timing <- time_median(f_dwls, 3)
write_anchor(list(
  description = "6-factor CFA of 18 simulated 7-category items (N=1800), DWLS (standard SEs and test).",
  data = list(file = "ordinal_6f.csv", n = lavInspect(fit, "nobs"), items = ITEMS),
  model_syntax = MODEL,
  call = "cfa(model, data = X, ordered = ITEMS, estimator = 'DWLS')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "dwls_6f")
