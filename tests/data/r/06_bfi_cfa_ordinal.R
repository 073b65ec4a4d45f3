## Case bfi_cfa_ordinal: 5-factor CFA of bfi with all 25 items ordered, WLSMV.
## Copied from the shared reference set (../shared/reference/r/06_bfi_cfa_ordinal.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/06_bfi_cfa_ordinal.R
source("r/helpers.R")
bfi <- read_anchor_csv("bfi.csv")
ITEMS <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
X <- na.omit(bfi[, ITEMS])
MODEL <- "agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5
extra =~ E1 + E2 + E3 + E4 + E5
neuro =~ N1 + N2 + N3 + N4 + N5
open  =~ O1 + O2 + O3 + O4 + O5"
f_ord <- function() cfa(MODEL, data = X, ordered = ITEMS, estimator = "WLSMV")
fit <- f_ord()
## continuous ML fit of the same model (for libraries that cannot do ordinal)
fit_ml <- cfa(MODEL, data = X, estimator = "ML")
## ULSMV on the same polychorics (for libraries that can only do unweighted LS on a polychoric matrix)
fit_uls <- cfa(MODEL, data = X, ordered = ITEMS, estimator = "ULSMV")
ss <- lavInspect(fit, "sampstat")
timing_fit <- time_median(f_ord, 5)
timing_full <- time_median(function() { f <- f_ord(); parameterEstimates(f, standardized = TRUE); fitMeasures(f) }, 5)
write_anchor(list(
  description = "5-factor CFA of bfi (raw item scoring, no reversal: reversed items just get negative loadings), items declared ordered, estimator WLSMV (DWLS estimates, robust SEs, mean-and-variance adjusted test), delta parameterization, listwise complete cases N=2436.",
  data = list(file = "bfi.csv", n = lavInspect(fit, "nobs"), items = ITEMS),
  model_syntax = MODEL,
  call = "cfa(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  fit = fit_headline(fit, scaled = TRUE),
  fit_all = fit_all(fit),
  polychoric_correlations = mat_json(ss$cov),
  thresholds = as.list(ss$th),
  ULSMV_same_model = list(call = "cfa(model, data = X, ordered = ITEMS, estimator = 'ULSMV')",
                          parameters = pe_rows(fit_uls), fit = fit_headline(fit_uls, scaled = TRUE)),
  continuous_ML_same_model = list(call = "cfa(model, data = X, estimator = 'ML')",
                                  parameters = pe_rows(fit_ml), fit = fit_headline(fit_ml)),
  timing_seconds = list(cfa_call = timing_fit, cfa_plus_pe_fitmeasures = timing_full,
                        ml_continuous_cfa_call = time_median(function() cfa(MODEL, data = X), 5))
), "bfi_cfa_ordinal")
print(fitMeasures(fit, c("npar", "chisq", "df", "chisq.scaled", "df.scaled", "pvalue.scaled", "cfi.scaled", "tli.scaled", "rmsea.scaled", "srmr", "cfi.robust", "rmsea.robust")))
pe <- parameterEstimates(fit, standardized = TRUE); print(pe[pe$op == "=~", c(1:3, 4:5, 12)])
