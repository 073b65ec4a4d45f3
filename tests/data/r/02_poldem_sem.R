## Case poldem_sem: Bollen's political democracy SEM, exactly as in the lavaan tutorial.
## Copied from the shared reference set (../shared/reference/r/02_poldem_sem.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/02_poldem_sem.R
source("r/helpers.R")
PD <- read_anchor_csv("PoliticalDemocracy.csv")
MODEL <- "  # measurement model
    ind60 =~ x1 + x2 + x3
    dem60 =~ y1 + y2 + y3 + y4
    dem65 =~ y5 + y6 + y7 + y8
  # regressions
    dem60 ~ ind60
    dem65 ~ ind60 + dem60
  # residual correlations
    y1 ~~ y5
    y2 ~~ y4 + y6
    y3 ~~ y7
    y4 ~~ y8
    y6 ~~ y8"
fit <- sem(MODEL, data = PD)
mi <- modindices(fit, sort. = TRUE, maximum.number = 10)
mi <- as.data.frame(mi)[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")]
timing_fit <- time_median(function() sem(MODEL, data = PD), reps = 15)
timing_full <- time_median(function() {
  f <- sem(MODEL, data = PD); parameterEstimates(f, standardized = TRUE); fitMeasures(f)
}, reps = 15)
write_anchor(list(
  description = "Bollen (1989) political democracy SEM (N=75) from the lavaan tutorial; ML, marker identification, default options.",
  data = list(file = "PoliticalDemocracy.csv", n = lavInspect(fit, "nobs")),
  model_syntax = MODEL,
  call = "sem(model, data = PoliticalDemocracy)",
  options = lav_opts(fit),
  converged = lavInspect(fit, "converged"),
  iterations = lavInspect(fit, "iterations"),
  parameters = pe_rows(fit),
  fit = fit_headline(fit),
  fit_all = fit_all(fit),
  modindices_top10 = mi,
  sample_cov_N_divisor = mat_json(lavInspect(fit, "sampstat")$cov),
  timing_seconds = list(sem_call = timing_fit, sem_plus_pe_fitmeasures = timing_full)
), "poldem_sem")
print(parameterEstimates(fit, standardized = TRUE)[, c(1:3, 5:7, 12)])
print(fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "logl", "npar")))
