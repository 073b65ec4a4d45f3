## Case hs_uls_gls: the HS three-factor CFA estimated by ULS and by GLS (continuous data,
## lavaan's defaults for these estimators: sample covariance with the N - 1 divisor,
## se = "standard" from the expected information of the fit function, test = "standard"
## = 2 N F; ULS has no p-value). Also Bollen's political democracy SEM by GLS.
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
PD <- read_anchor_csv("PoliticalDemocracy.csv")
PD_MODEL <- fromJSON(file.path(ANCHOR_ROOT, "poldem_sem.json"))$model_syntax

one_case <- function(fit, call) {
  list(call = call, options = lav_opts(fit), converged = lavInspect(fit, "converged"),
       parameters = pe_rows(fit), r2 = as.list(lavInspect(fit, "r2")), fit_all = fit_all(fit))
}

uls <- cfa(HS_MODEL, data = HS, estimator = "ULS")
gls <- cfa(HS_MODEL, data = HS, estimator = "GLS")
pd_gls <- sem(PD_MODEL, data = PD, estimator = "GLS")
timing <- time_median(function() cfa(HS_MODEL, data = HS, estimator = "GLS"), reps = 11)
write_anchor(list(
  description = "HS 3-factor CFA by ULS and GLS; political democracy SEM by GLS.",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(uls, "nobs"), pd_file = "PoliticalDemocracy.csv"),
  model_syntax = HS_MODEL,
  pd_model_syntax = PD_MODEL,
  uls = one_case(uls, "cfa(model, data = HS, estimator = 'ULS')"),
  gls = one_case(gls, "cfa(model, data = HS, estimator = 'GLS')"),
  pd_gls = one_case(pd_gls, "sem(pd_model, data = PD, estimator = 'GLS')"),
  timing_seconds = list(cfa_gls = timing)
), "hs_uls_gls")
