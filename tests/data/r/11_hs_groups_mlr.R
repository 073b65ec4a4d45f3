## Case hs_groups_mlr: HS CFA by school (metric invariance: group.equal = "loadings") with
## estimator = "MLR" on complete data: robust SEs and scaled test with a mean structure.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
fit <- cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings", estimator = "MLR")
timing <- time_median(function() cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings",
                                     estimator = "MLR"), reps = 11)
tst <- lavInspect(fit, "test")
write_anchor(list(
  description = "HS 3-factor CFA by school, loadings equal across groups, estimator MLR (complete data).",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = HS_MODEL,
  call = "cfa(model, data = HS, group = 'school', group.equal = 'loadings', estimator = 'MLR')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  group_labels = lavInspect(fit, "group.label"),
  test = lapply(tst, function(t) t[intersect(names(t), c("test", "stat", "df", "pvalue", "scaling.factor",
                                                          "scaling.factor.h1", "scaling.factor.h0", "trace.UGamma"))]),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing)
), "hs_groups_mlr")
