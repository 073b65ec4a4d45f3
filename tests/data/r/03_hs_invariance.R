## Case hs_invariance: multigroup CFA by school: configural, metric, scalar + LRT.
## Copied from the shared reference set (../shared/reference/r/03_hs_invariance.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/03_hs_invariance.R
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
f_conf <- function() cfa(HS_MODEL, data = HS, group = "school")
f_metr <- function() cfa(HS_MODEL, data = HS, group = "school", group.equal = "loadings")
f_scal <- function() cfa(HS_MODEL, data = HS, group = "school", group.equal = c("loadings", "intercepts"))
fits <- list(configural = f_conf(), metric = f_metr(), scalar = f_scal())
lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar)
lrt_df <- data.frame(model = names(fits), Df = lrt$Df, AIC = lrt$AIC, BIC = lrt$BIC,
                     Chisq = lrt$Chisq, Chisq_diff = lrt[["Chisq diff"]],
                     RMSEA_diff = if ("RMSEA" %in% names(lrt)) lrt[["RMSEA"]] else NA,
                     Df_diff = lrt[["Df diff"]], Pr_gt_Chisq = lrt[["Pr(>Chisq)"]])
keys <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr", "aic", "bic", "logl")
per_model <- lapply(fits, function(f) list(
  fit = as.list(fitMeasures(f, keys)),
  chisq_per_group = setNames(as.list(lavInspect(f, "test")$standard$stat.group), lavInspect(f, "group.label")),
  options = lav_opts(f),
  parameters = pe_rows(f)))
per_model$configural$call <- "cfa(model, data = HS, group = 'school')"
per_model$metric$call <- "cfa(model, data = HS, group = 'school', group.equal = 'loadings')"
per_model$scalar$call <- "cfa(model, data = HS, group = 'school', group.equal = c('loadings','intercepts'))"
write_anchor(list(
  description = "Measurement invariance across school (Pasteur = group 1, Grant-White = group 2; lavaan orders groups by first appearance). ML, meanstructure on, marker identification per group; scalar model frees latent means in group 2.",
  data = list(file = "HolzingerSwineford1939.csv", n = lavInspect(fits$configural, "nobs"),
              group_labels = lavInspect(fits$configural, "group.label")),
  model_syntax = HS_MODEL,
  models = per_model,
  lavTestLRT = lrt_df,
  lavTestLRT_note = "lavTestLRT(configural, metric, scalar): standard chi-square difference tests (ML, method 'standard').",
  timing_seconds = list(configural = time_median(f_conf, 7), metric = time_median(f_metr, 7),
                        scalar = time_median(f_scal, 7),
                        all_three_plus_lrt = time_median(function() lavTestLRT(f_conf(), f_metr(), f_scal()), 5))
), "hs_invariance")
print(lrt)
print(sapply(fits, function(f) fitMeasures(f, keys)))
