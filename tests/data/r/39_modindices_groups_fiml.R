## Case modindices_groups_fiml: lavaan's modification indices of ML fits with a mean
## structure: FIML (missing = "ml") and several groups (with equality constraints held):
## * fiml: HolzingerSwineford1939_missing.csv, the 3-factor CFA (HS_MODEL), missing = "ml";
## * fiml_mlr: the same with estimator = "MLR" (the indices do not depend on the SEs);
## * groups_metric: HolzingerSwineford1939.csv by school, group.equal = "loadings";
## * groups_scalar: the same with group.equal = c("loadings", "intercepts").
## Every candidate row (lavaan's order; na.remove), with its group (1-based).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/39_modindices_groups_fiml.R
source("r/helpers.R")
mi_all <- function(fit) {
  mi <- as.data.frame(modindices(fit))
  if (is.null(mi$group)) mi$group <- 1L
  mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all")]
}
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
HSM <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
one <- function(fit, file, options) list(file = file, model_syntax = HS_MODEL, options = options,
                                         modindices = mi_all(fit))
write_anchor(list(
  description = "Modification indices of ML fits with a mean structure: FIML, and two groups with equal loadings (and intercepts).",
  fiml = one(cfa(HS_MODEL, data = HSM, missing = "ml"), "HolzingerSwineford1939_missing.csv", list(missing = "fiml")),
  fiml_mlr = one(cfa(HS_MODEL, data = HSM, missing = "ml", estimator = "MLR"), "HolzingerSwineford1939_missing.csv",
                 list(missing = "fiml", estimator = "MLR")),
  groups_metric = one(cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings"),
                      "HolzingerSwineford1939.csv", list(group = "school", group_equal = list("loadings"))),
  groups_scalar = one(cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts")),
                      "HolzingerSwineford1939.csv", list(group = "school", group_equal = list("loadings", "intercepts")))
), "modindices_groups_fiml")
print(head(modindices(cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings"), sort. = TRUE), 8))
