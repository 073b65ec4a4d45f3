## Case wlsmv_groups: ordinal (WLSMV, delta parameterisation) two-group CFA of the bfi
## agreeableness and conscientiousness items (A1-A5, C1-C5, six categories) by gender,
## and the invariance sequence for ordinal items of Wu & Estabrook (2016).
## * configural: cfa(..., group = "gender") (lavaan's default identification);
## * lavaan_thr_load: lavaan's own group.equal = c("thresholds", "loadings") (group 2 frees
##   its scaling factors, latent means and latent (co)variances);
## * we_thresholds, we_thr_load, we_scalar: semTools::measEq.syntax(ID.cat = "Wu.Estabrook.2016",
##   ID.fac = "std.lv", parameterization = "delta") with group.equal "thresholds",
##   c("thresholds","loadings"), c("thresholds","loadings","intercepts"); the syntax of each
##   step is stored; lavTestLRT (method "satorra.2000", lavaan's default for WLSMV) between steps.
## Made with lavaan 0.6-14, semTools (Debian), R 4.2. Run from tests/data: Rscript r/29_wlsmv_groups.R
source("r/helpers.R")
suppressPackageStartupMessages(library(semTools))
X <- read_anchor_csv("bfi.csv")
ITEMS <- c(paste0("A", 1:5), paste0("C", 1:5))
MODEL <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
one <- function(fit, syntax = NULL) list(
  syntax = syntax, options = lav_opts(fit), converged = lavInspect(fit, "converged"),
  nobs = lavInspect(fit, "nobs"), parameters = pe_rows(fit), fit_all = fit_all(fit))
fits <- list()
fits$configural <- cfa(MODEL, data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV")
fits$lavaan_thr_load <- cfa(MODEL, data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV",
                            group.equal = c("thresholds", "loadings"))
steps <- list(we_configural = "configural", we_thresholds = "thresholds",
              we_thr_load = c("thresholds", "loadings"), we_scalar = c("thresholds", "loadings", "intercepts"))
syn <- list()
for (nm in names(steps)) {
  s <- measEq.syntax(MODEL, data = X, ordered = ITEMS, group = "gender", parameterization = "delta",
                     ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal = steps[[nm]])
  syn[[nm]] <- as.character(s)
  fits[[nm]] <- cfa(syn[[nm]], data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV")
}
out <- lapply(names(fits), function(nm) one(fits[[nm]], syn[[nm]]))
names(out) <- names(fits)
lrt <- function(a, b) {
  t <- lavTestLRT(fits[[a]], fits[[b]])
  list(models = c(a, b), chisq_diff = t[["Chisq diff"]][2], df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2],
       method = attr(t, "heading"))
}
tests <- list(lrt("we_configural", "we_thresholds"), lrt("we_thresholds", "we_thr_load"),
              lrt("we_thr_load", "we_scalar"), lrt("configural", "lavaan_thr_load"))
f_conf <- function() cfa(MODEL, data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV")
write_anchor(list(
  description = "Two-group ordinal CFA (bfi A1-A5, C1-C5 by gender), WLSMV; configural, lavaan group.equal, Wu-Estabrook steps.",
  data = list(file = "bfi.csv", items = ITEMS, group = "gender"),
  model_syntax = MODEL, fits = out, lrt = tests,
  timing_seconds = list(configural = time_median(f_conf, 3))
), "wlsmv_groups")
for (t in tests) print(unlist(t))
