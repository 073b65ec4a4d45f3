## Cases hs_cfa_mlr and poldem_sem_mlr: the same models with estimator = "MLR"
## (Huber-White robust SEs, Yuan-Bentler scaled test).
## Copied from the shared reference set (../shared/reference/r/09_mlr.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/09_mlr.R
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
PD <- read_anchor_csv("PoliticalDemocracy.csv")
PD_MODEL <- "
  ind60 =~ x1 + x2 + x3
  dem60 =~ y1 + y2 + y3 + y4
  dem65 =~ y5 + y6 + y7 + y8
  dem60 ~ ind60
  dem65 ~ ind60 + dem60
  y1 ~~ y5
  y2 ~~ y4 + y6
  y3 ~~ y7
  y4 ~~ y8
  y6 ~~ y8
"
for (case in c("hs_cfa_mlr", "poldem_sem_mlr")) {
  is_hs <- case == "hs_cfa_mlr"
  model <- if (is_hs) HS_MODEL else PD_MODEL
  dat <- if (is_hs) HS else PD
  fit <- sem(model, data = dat, estimator = "MLR")
  timing <- time_median(function() sem(model, data = dat, estimator = "MLR"), reps = 11)
  write_anchor(list(
    description = paste(if (is_hs) "HS 3-factor CFA" else "Bollen political democracy SEM", "with estimator MLR."),
    data = list(file = if (is_hs) "HolzingerSwineford1939.csv" else "PoliticalDemocracy.csv", n = lavInspect(fit, "nobs")),
    model_syntax = model,
    call = "sem(model, data, estimator = 'MLR')",
    options = lav_opts(fit),
    converged = lavInspect(fit, "converged"),
    parameters = pe_rows(fit),
    fit = fit_headline(fit, scaled = TRUE),
    fit_all = fit_all(fit),
    timing_seconds = list(sem_call = timing)
  ), case)
}
