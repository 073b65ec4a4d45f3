## Case hs_inequality: inequality constraints on labels (ML). "inactive": the bound holds at
## the unconstrained optimum (nothing changes); "active": the bound binds, lavaan holds the
## parameter at it (SE 0, z NA) and counts neither npar nor df differently.
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
MODELS <- list(
  inactive = "f =~ x1 + x2 + x3 + x9\nx9 ~~ v*x9\nv > 0.6",
  active = paste("visual =~ x1 + a*x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9", "a > 0.7",
                 sep = "\n"),
  active_upper = paste("visual =~ x1 + x2 + x3", "textual =~ x4 + x5 + x6", "speed =~ x7 + x8 + x9",
                       "visual ~~ c*textual", "c < 0.3", sep = "\n")
)
cases <- lapply(MODELS, function(m) {
  fit <- cfa(m, data = HS)
  list(model_syntax = m, converged = lavInspect(fit, "converged"), parameters = pe_rows(fit),
       fit_all = fit_all(fit))
})
write_anchor(list(description = "HS CFAs with inequality constraints (ML).",
                  data = list(file = "HolzingerSwineford1939.csv"), call = "cfa(model, data = HS)",
                  cases = cases), "hs_inequality")
