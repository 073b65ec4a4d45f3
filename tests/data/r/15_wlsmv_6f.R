## Case wlsmv_6f: a well-fitting ordinal CFA (scaled chi-square below its df): 18
## seven-category items, six factors, N = 1,800, simulated from the model itself by
## tests/data/make_ordinal_6f.py (seed 2026) into ordinal_6f.csv. WLSMV (delta
## parameterisation). Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
X <- read_anchor_csv("ordinal_6f.csv")
ITEMS <- names(X)
MODEL <- paste(sprintf("f%d =~ q%d + q%d + q%d", 1:6, 3 * (0:5) + 1, 3 * (0:5) + 2, 3 * (0:5) + 3),
               collapse = "\n")
f_ord <- function() cfa(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV")
fit <- f_ord()
timing <- time_median(f_ord, 3)
write_anchor(list(
  description = "6-factor CFA of 18 simulated 7-category items (N=1800), WLSMV; chisq.scaled < df.",
  data = list(file = "ordinal_6f.csv", n = lavInspect(fit, "nobs"), items = ITEMS),
  model_syntax = MODEL,
  call = "cfa(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "wlsmv_6f")
print(fitMeasures(fit, c("chisq", "df", "chisq.scaled", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
                         "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
                         "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")))
