## Case hs_partial_invariance: partial measurement invariance of the HS CFA by school
## (Pasteur = group 1, Grant-White = group 2), ML with mean structure, expected information.
##   partial: group.equal = c("loadings", "intercepts"),
##            group.partial = c("visual=~x2", "x7~1") (those two freed again across groups);
##   labels:  group-specific labels and values written with c() in the syntax (no group.equal);
##   labels_equal, fixed_equal: c() under group.equal; partial_mlr: the partial model with MLR;
##   partial_fiml: the partial model with missing = "ml" on HolzingerSwineford1939_missing.csv.
## Each fit is polished with a Gauss-Newton restart from lavaan's own solution
## (start = fit, optim.method = "GN") so that nlminb's early stop does not enter the reference.
## Generated with lavaan 0.6-14 (see software in the JSON):
##   cd tests/data && Rscript r/23_hs_partial_invariance.R
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")

LABELS_MODEL <- "visual  =~ x1 + c(a, a)*x2 + c(1, NA)*x3
textual =~ x4 + c(l5, l5)*x5 + c(l6g1, l6g2)*x6
speed   =~ x7 + x8 + x9
x9 ~~ c(0.5, 0.5)*x9
x4 ~ c(i4, i4)*1
d6 := l6g2 - l6g1
ratio := l5 / l6g1"

LABELS_EQUAL_MODEL <- "visual  =~ x1 + c(a, b)*x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"
FIXED_EQUAL_MODEL <- "visual  =~ x1 + x2 + c(1, NA)*x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"

HS_MISSING <- read_anchor_csv("HolzingerSwineford1939_missing.csv")

polish <- function(fit, model, data = HS, ...) {
  gn <- tryCatch(cfa(model, data = data, group = "school", start = fit, optim.method = "GN", ...),
                 error = function(e) NULL)
  if (!is.null(gn) && lavInspect(gn, "converged") &&
      fitMeasures(gn, "fmin") <= fitMeasures(fit, "fmin")) gn else fit
}

one <- function(model, call, data = HS, ...) {
  fit0 <- cfa(model, data = data, group = "school", ...)
  fit <- polish(fit0, model, data = data, ...)
  timing <- time_median(function() cfa(model, data = data, group = "school", ...), reps = 7)
  list(model_syntax = model, call = call, options = lav_opts(fit),
       converged = lavInspect(fit, "converged"),
       polished = !identical(fit, fit0),
       fmin_nlminb = unname(fitMeasures(fit0, "fmin")), fmin = unname(fitMeasures(fit, "fmin")),
       parameters = pe_rows(fit), fit_all = fit_all(fit), timing_seconds = timing)
}

partial <- one(HS_MODEL, "cfa(model, data = HS, group = 'school', group.equal = c('loadings', 'intercepts'), group.partial = c('visual=~x2', 'x7~1'))",
               group.equal = c("loadings", "intercepts"), group.partial = c("visual=~x2", "x7~1"))
scalar <- one(HS_MODEL, "cfa(model, data = HS, group = 'school', group.equal = c('loadings', 'intercepts'))",
              group.equal = c("loadings", "intercepts"))
labels <- one(LABELS_MODEL, "cfa(model, data = HS, group = 'school')")
## user labels under group.equal: c(a, b) keeps its own labels (x2 free per group), the other
## loadings and intercepts are equal
labels_equal <- one(LABELS_EQUAL_MODEL, "cfa(model, data = HS, group = 'school', group.equal = c('loadings', 'intercepts'))",
                    group.equal = c("loadings", "intercepts"))
## fixed in group 1, NA in group 2 under group.equal = "loadings": lavaan holds group 2 equal to
## group 1's fixed value (x3's loading fixed to 1 in both groups)
fixed_equal <- one(FIXED_EQUAL_MODEL, "cfa(model, data = HS, group = 'school', group.equal = 'loadings')",
                   group.equal = "loadings")
partial_mlr <- one(HS_MODEL, "cfa(model, data = HS, group = 'school', group.equal = c('loadings', 'intercepts'), group.partial = c('visual=~x2', 'x7~1'), estimator = 'MLR')",
                   group.equal = c("loadings", "intercepts"), group.partial = c("visual=~x2", "x7~1"), estimator = "MLR")
partial_fiml <- one(HS_MODEL, "cfa(model, data = HS_MISSING, group = 'school', group.equal = c('loadings', 'intercepts'), group.partial = c('visual=~x2', 'x7~1'), missing = 'ml')",
                    data = HS_MISSING, group.equal = c("loadings", "intercepts"),
                    group.partial = c("visual=~x2", "x7~1"), missing = "ml")
fit_scalar <- cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts"))
fit_partial <- cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts"),
                   group.partial = c("visual=~x2", "x7~1"))
fit_metric <- cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings")
lrt <- as.data.frame(lavTestLRT(fit_metric, fit_partial))

write_anchor(list(
  description = paste("Partial invariance (group.partial) and group-specific c() labels/values, HS CFA by school,",
                      "ML with mean structure."),
  data = list(file = "HolzingerSwineford1939.csv", n = nrow(HS), group_labels = lavInspect(fit_scalar, "group.label")),
  models = list(partial = partial, scalar = scalar, labels = labels, labels_equal = labels_equal,
                fixed_equal = fixed_equal, partial_mlr = partial_mlr, partial_fiml = partial_fiml),
  lavTestLRT_metric_partial = list(chisq_diff = lrt[["Chisq diff"]][2], df_diff = lrt[["Df diff"]][2],
                                   pvalue = lrt[["Pr(>Chisq)"]][2])
), "hs_partial_invariance")
