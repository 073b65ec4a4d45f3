## Case wlsmv_6f_two_item: six factors over the 18 items of ordinal_6f.csv, one of them with
## two items (f6 =~ q17 + q18; q16 put on f5). This is the configuration that crashed
## cxlab before issue 13 ("ValueError: The function value at x=0.0 is NaN" from _rmsea_ci
## via ordinal._fit_measures): the zero start covariances made the first Gauss-Newton
## matrix singular, the estimation stopped, and the NaN scaled statistic reached the RMSEA
## interval. WLSMV. Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
X <- read_anchor_csv("ordinal_6f.csv")
ITEMS <- names(X)
MODEL <- "f1 =~ q1 + q2 + q3
f2 =~ q4 + q5 + q6
f3 =~ q7 + q8 + q9
f4 =~ q10 + q11 + q12
f5 =~ q13 + q14 + q15 + q16
f6 =~ q17 + q18"
fit <- cfa(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV")
write_anchor(list(
  description = "Six factors, one with two items, on 18 simulated 7-category items (N=1800), WLSMV.",
  data = list(file = "ordinal_6f.csv", n = lavInspect(fit, "nobs"), items = ITEMS),
  model_syntax = MODEL,
  call = "cfa(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  fit_all = fit_all(fit)
), "wlsmv_6f_two_item")
