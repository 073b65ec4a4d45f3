## Case ml_just_identified: lavaan's fit measures of just-identified (df = 0) models under
## ML, MLR and FIML, one group and two groups (its conventions for a saturated model: TLI,
## NNFI and RFI 1, RMSEA and its interval 0, no p-values).
## * cfa3: HolzingerSwineford1939.csv, visual =~ x1 + x2 + x3 (ML and MLR);
## * regression: x4 ~ x1 + x2 + x3 (ML; observed variables only, fixed.x);
## * fiml: HolzingerSwineford1939_missing.csv, visual =~ x1 + x2 + x3, missing = "ml";
## * groups: visual =~ x1 + x2 + x3 by school (ML).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/36_ml_just_identified.R
source("r/helpers.R")
one <- function(fit, syntax) list(model_syntax = syntax, options = lav_opts(fit),
                                  converged = lavInspect(fit, "converged"), parameters = pe_rows(fit),
                                  fit_all = fit_all(fit))
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
HSM <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
CFA <- "visual =~ x1 + x2 + x3"
REG <- "x4 ~ x1 + x2 + x3"
write_anchor(list(
  description = "Just-identified (df = 0) models: lavaan's fit measures under ML, MLR and FIML, one and two groups.",
  cfa3_ml = one(cfa(CFA, data = HS), CFA),
  cfa3_mlr = one(cfa(CFA, data = HS, estimator = "MLR"), CFA),
  regression_ml = one(sem(REG, data = HS), REG),
  fiml = one(cfa(CFA, data = HSM, missing = "ml"), CFA),
  groups_ml = one(cfa(CFA, data = HS, group = "school"), CFA)
), "ml_just_identified")
print(fitMeasures(cfa(CFA, data = HS, estimator = "MLR"), c("chisq", "df", "tli", "rfi", "rmsea", "tli.robust", "rmsea.robust", "cn_05", "agfi")))
