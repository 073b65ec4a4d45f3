## Case identification: models that are not identified, and lavaan's verdict on each (it
## fits them and warns; cxlab refuses them before estimation). Recorded per model: the
## number of free parameters, the rank of lavaan's information matrix at its solution, and
## lavaan's warnings. Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
MODELS <- list(
  unscaled = "f =~ NA*x1 + x2 + x3 + x4",
  two_indicators_alone = "f1 =~ x1 + x2\nf2 =~ x4 + x5 + x6\nf1 ~~ 0*f2",
  second_order_two_factors = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\ng =~ visual + textual",
  more_parameters_than_moments = "f =~ x1 + x2",
  two_indicators_correlated = "f1 =~ x1 + x2\nf2 =~ x4 + x5 + x6"
)
out <- lapply(names(MODELS), function(nm) {
  w <- character(0)
  fit <- withCallingHandlers(cfa(MODELS[[nm]], data = HS),
                             warning = function(m) { w <<- c(w, conditionMessage(m)); invokeRestart("muffleWarning") })
  info <- lavInspect(fit, "information")
  list(name = nm, model_syntax = MODELS[[nm]], npar = lavInspect(fit, "npar"),
       information_rank = qr(info, tol = 1e-8)$rank, warnings = w)
})
write_anchor(list(description = "Non-identified models: lavaan's npar, information rank and warnings.",
                  data = list(file = "HolzingerSwineford1939.csv"), cases = out), "identification")
