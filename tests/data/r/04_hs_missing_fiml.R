## Case hs_missing_fiml: 3-factor CFA with deterministic MCAR-style holes, FIML.
## NA pattern (made by r/00_export_data.R): x1 where id %% 7 == 0, x5 where id %% 11 == 0,
## x9 where id %% 13 == 0.
## Copied from the shared reference set (../shared/reference/r/04_hs_missing_fiml.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/04_hs_missing_fiml.R
source("r/helpers.R")
HSm <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
fit <- cfa(HS_MODEL, data = HSm, missing = "fiml")
## alternative SE flavour for comparison with libraries that use expected information
fit_exp <- cfa(HS_MODEL, data = HSm, missing = "fiml", information = "expected")
pe_exp <- parameterEstimates(fit_exp)
timing_fit <- time_median(function() cfa(HS_MODEL, data = HSm, missing = "fiml"), reps = 11)
timing_full <- time_median(function() {
  f <- cfa(HS_MODEL, data = HSm, missing = "fiml"); parameterEstimates(f, standardized = TRUE); fitMeasures(f)
}, reps = 11)
write_anchor(list(
  description = "3-factor HS CFA with missing = 'fiml' (casewise ML, meanstructure on; lavaan default SEs for FIML use observed information, h1.information = structured). N = 301, 216 complete rows.",
  data = list(file = "HolzingerSwineford1939_missing.csv", n = lavInspect(fit, "nobs"),
              n_missing = list(x1 = sum(is.na(HSm$x1)), x5 = sum(is.na(HSm$x5)), x9 = sum(is.na(HSm$x9))),
              n_patterns = nrow(lavInspect(fit, "patterns")),
              recipe = "x1 <- NA if id %% 7 == 0; x5 <- NA if id %% 11 == 0; x9 <- NA if id %% 13 == 0"),
  model_syntax = HS_MODEL,
  call = "cfa(model, data = HSm, missing = 'fiml')",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  parameters = pe_rows(fit),
  se_expected_information = setNames(as.list(pe_exp$se), paste(pe_exp$lhs, pe_exp$op, pe_exp$rhs)),
  fit = fit_headline(fit),
  fit_all = fit_all(fit),
  timing_seconds = list(cfa_call = timing_fit, cfa_plus_pe_fitmeasures = timing_full)
), "hs_missing_fiml")
print(parameterEstimates(fit, standardized = TRUE)[, c(1:7, 12)])
print(fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl", "npar")))
