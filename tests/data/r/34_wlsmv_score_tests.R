## Case wlsmv_score_tests: univariate score tests of the constraints of the failed steps of the
## ordinal invariance sequence of r/29_wlsmv_groups.R (bfi A1-A5, C1-C5 by gender, WLSMV,
## Wu & Estabrook 2016 identification written by semTools::measEq.syntax): the metric step
## (thresholds and loadings equal) and the scalar step (item intercepts also fixed to 0 in
## group 2) both fail there (scaled difference tests p = .007 and p < .001).
## Does lavaan 0.6-14 have a score test for WLSMV fits? lavTestScore() runs, but warns
## "se is not `standard'; not implemented yet; falling back to ordinary score test": it
## gives the ordinary (non-robust) score test of the DWLS fit function, N g' P g with g the
## gradient and P from the expected DWLS information (Delta' W Delta, W the diagonal weight),
## not a robust (generalised) score test, so its chi-square p-values are approximate. That is
## the quantity stored here and matched by cxlab (tolerance 1e-3): it ranks the constraints
## whose release lowers the DWLS fit function most, which is what the invariance table uses.
## * metric: lavTestScore(fit) on the measEq.syntax model; its "==" rows (from the shared
##   labels) are mapped to the parameter-table rows (lhs, op, rhs, group) of both sides;
## * scalar: the new restrictions are the group-2 intercepts fixed to 0 (not "==" rows), so
##   the score tests of freeing them are lavaan's modification indices of those rows
##   (modindices(fit), the same univariate score test for a fixed parameter; the other
##   "==" constraints held).
## Made with lavaan 0.6-14, semTools (Debian), R 4.2. Run from tests/data: Rscript r/34_wlsmv_score_tests.R
source("r/helpers.R")
suppressPackageStartupMessages(library(semTools))
X <- read_anchor_csv("bfi.csv")
ITEMS <- c(paste0("A", 1:5), paste0("C", 1:5))
MODEL <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
we <- function(equal) {
  s <- measEq.syntax(MODEL, data = X, ordered = ITEMS, group = "gender", parameterization = "delta",
                     ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = equal)
  cfa(as.character(s), data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV")
}
metric <- we(c("thresholds", "loadings"))
scalar <- we(c("thresholds", "loadings", "intercepts"))

uni_named <- function(fit) {
  st <- lavTestScore(fit, warn = FALSE)
  pt <- parTable(fit)
  side <- function(lab) pt[match(lab, pt$plabel), c("lhs", "op", "rhs", "group")]
  u <- as.data.frame(st$uni)
  a <- side(u$lhs); b <- side(u$rhs)
  data.frame(plabel_lhs = u$lhs, plabel_rhs = u$rhs, lhs = a$lhs, op = a$op, rhs = a$rhs,
             group_lhs = a$group, group_rhs = b$group, same_row = a$lhs == b$lhs & a$op == b$op & a$rhs == b$rhs,
             X2 = u$X2, df = u$df, p.value = u$p.value, stringsAsFactors = FALSE)
}
mi <- modindices(scalar, sort. = FALSE, minimum.value = 0)
mi_int <- mi[mi$op == "~1" & mi$lhs %in% ITEMS, c("lhs", "op", "rhs", "group", "mi")]
st_metric <- lavTestScore(metric, warn = FALSE)
write_anchor(list(
  description = "Score tests (lavaan's ordinary DWLS score test) of the failed metric and scalar steps of the Wu-Estabrook sequence, bfi by gender, WLSMV.",
  data = list(file = "bfi.csv", items = ITEMS, group = "gender"),
  model_syntax = MODEL,
  metric = list(call = "lavTestScore(cfa(measEq.syntax(..., group.equal = c('thresholds', 'loadings')), estimator = 'WLSMV'), warn = FALSE)",
                converged = lavInspect(metric, "converged"), chisq = fitMeasures(metric, "chisq")[[1]],
                total = as.list(as.data.frame(st_metric$test)), uni = uni_named(metric)),
  scalar = list(call = "modindices(cfa(measEq.syntax(..., group.equal = c('thresholds', 'loadings', 'intercepts')), estimator = 'WLSMV'))",
                converged = lavInspect(scalar, "converged"), chisq = fitMeasures(scalar, "chisq")[[1]],
                intercepts_mi = mi_int),
  timing_seconds = list(lavTestScore_metric = time_median(function() lavTestScore(metric, warn = FALSE), reps = 3))
), "wlsmv_score_tests")
u <- uni_named(metric); print(head(u[order(-u$X2), ], 8)); print(mi_int)
