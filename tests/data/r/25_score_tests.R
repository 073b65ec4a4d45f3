## Case score_tests: lavTestScore (univariate and total score tests of the equality
## constraints, expected information) on the HS metric and scalar invariance models by
## school (ML; the metric one also by MLR), on the partial scalar model (x3 and x7
## intercepts free), on the single-group model with explicit constraints of
## 13_hs_equality.R and on a single-group model with shared labels.
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
## the model of 13_hs_equality.R, from its reference
EQ_MODEL <- fromJSON(file.path(ANCHOR_ROOT, "hs_equality.json"))$model_syntax

score_case <- function(fit, call) {
  st <- lavTestScore(fit, warn = FALSE)
  list(call = call,
       converged = lavInspect(fit, "converged"),
       chisq = fitMeasures(fit, "chisq")[[1]],
       total = as.list(as.data.frame(st$test)),
       uni = as.data.frame(st$uni))
}

metric <- cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings")
scalar <- cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts"))
equality <- cfa(EQ_MODEL, data = HS)
partial <- cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts"),
               group.partial = c("x3~1", "x7~1"))
LABEL_MODEL <- "visual  =~ x1 + a*x2 + a*x3
textual =~ x4 + b*x5 + b*x6
speed   =~ x7 + x8 + x9"
labels <- cfa(LABEL_MODEL, data = HS)
HSm <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
metric_fiml <- cfa(HS_MODEL, data = HSm, group = "school", group.equal = "loadings", missing = "fiml")
## MLR: lavTestScore warns and falls back to the ordinary (expected-information) score test
metric_mlr <- cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings", estimator = "MLR")
timing <- time_median(function() lavTestScore(scalar), reps = 7)
scalar_cumulative <- as.data.frame(lavTestScore(scalar, cumulative = TRUE)$cumulative)
write_anchor(list(
  description = "lavTestScore on HS metric/scalar invariance models by school and on HS with a == b, d + e == 2 (ML).",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(metric, "ntotal")),
  model_syntax = HS_MODEL,
  equality_syntax = EQ_MODEL,
  metric = score_case(metric, "lavTestScore(cfa(model, data = HS, group = 'school', group.equal = 'loadings'))"),
  scalar_cumulative = scalar_cumulative,
  scalar = score_case(scalar, "lavTestScore(cfa(model, data = HS, group = 'school', group.equal = c('loadings', 'intercepts')))"),
  equality = score_case(equality, "lavTestScore(cfa(equality_syntax, data = HS))"),
  label_syntax = LABEL_MODEL,
  partial = score_case(partial, "lavTestScore(cfa(model, data = HS, group = 'school', group.equal = c('loadings', 'intercepts'), group.partial = c('x3~1', 'x7~1')))"),
  labels = score_case(labels, "lavTestScore(cfa(label_syntax, data = HS))"),
  metric_fiml = score_case(metric_fiml, "lavTestScore(cfa(model, data = HSm, group = 'school', group.equal = 'loadings', missing = 'fiml'))"),
  metric_mlr = score_case(metric_mlr, "lavTestScore(cfa(model, data = HS, group = 'school', group.equal = 'loadings', estimator = 'MLR'), warn = FALSE)"),
  timing_seconds = list(lavTestScore_scalar = timing)
), "score_tests")
