## Case reliability_hs: composite reliability, AVE and HTMT for the hs_cfa model.
## Copied from the shared reference set (../shared/reference/r/08_reliability_hs.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/08_reliability_hs.R
source("r/helpers.R")
suppressPackageStartupMessages(library(semTools))
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
fit <- cfa(HS_MODEL, data = HS)
cr <- compRelSEM(fit)                      # default obs.var = TRUE (observed total-score variance)
cr_impl <- compRelSEM(fit, obs.var = FALSE) # model-implied denominator
ave <- AVE(fit)                            # default obs.var = TRUE
ave_impl <- AVE(fit, obs.var = FALSE)
h2 <- htmt(HS_MODEL, data = HS)                 # semTools 0.5.6 default htmt2 = TRUE (geometric means)
h1 <- htmt(HS_MODEL, data = HS, htmt2 = FALSE)  # original Henseler et al. (2015) arithmetic-mean HTMT
alpha_sem <- compRelSEM(fit, tau.eq = TRUE)     # coefficient alpha-type (tau-equivalent) composite
timing <- list(
  compRelSEM = time_median(function() compRelSEM(fit), 11),
  AVE = time_median(function() AVE(fit), 11),
  htmt = time_median(function() htmt(HS_MODEL, data = HS), 11))
write_anchor(list(
  description = "Reliability/validity indices from the hs_cfa model (ML, marker identification). compRelSEM = omega-type composite reliability (Bentler/Raykov): (sum lambda)^2 var(eta) / var(sum x). AVE = sum(lambda^2 var(eta)) / sum(var(x)). With obs.var=TRUE the denominators use the observed (N-divisor) sample variances/covariances; obs.var=FALSE uses model-implied ones.",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fit, "nobs")),
  model_syntax = HS_MODEL,
  calls = list(compRelSEM = "compRelSEM(fit)", compRelSEM_implied = "compRelSEM(fit, obs.var = FALSE)",
               compRelSEM_tau_eq = "compRelSEM(fit, tau.eq = TRUE)",
               AVE = "AVE(fit)", AVE_implied = "AVE(fit, obs.var = FALSE)",
               htmt = "htmt(model, data = HS)  # htmt2 = TRUE default in semTools 0.5.6",
               htmt_original = "htmt(model, data = HS, htmt2 = FALSE)"),
  compRelSEM = as.list(cr), compRelSEM_implied = as.list(cr_impl), compRelSEM_tau_eq = as.list(alpha_sem),
  AVE = as.list(ave), AVE_implied = as.list(ave_impl),
  htmt = mat_json(h2), htmt_original = mat_json(h1),
  htmt_note = "htmt() uses Pearson correlations of the indicators (absolute values by default, absolute=TRUE); htmt2=TRUE uses geometric means of the correlations.",
  timing_seconds = timing
), "reliability_hs")
print(cr); print(cr_impl); print(alpha_sem); print(ave); print(ave_impl); print(h2); print(h1)
