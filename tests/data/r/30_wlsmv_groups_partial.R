## Case wlsmv_groups_partial: the two-group ordinal CFA of r/29_wlsmv_groups.R (bfi A1-A5,
## C1-C5 by gender, WLSMV) with lavaan's group.equal = c("thresholds", "loadings") and
## group.partial = c("agree=~A2", "A1|t2", "C5|t1") (partial invariance: one loading and two
## thresholds free across groups). Made with lavaan 0.6-14 (Debian), R 4.2.
## Run from tests/data: Rscript r/30_wlsmv_groups_partial.R
source("r/helpers.R")
X <- read_anchor_csv("bfi.csv")
ITEMS <- c(paste0("A", 1:5), paste0("C", 1:5))
MODEL <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
PARTIAL <- c("agree=~A2", "A1|t2", "C5|t1")
fit <- cfa(MODEL, data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV",
           group.equal = c("thresholds", "loadings"), group.partial = PARTIAL)
full <- cfa(MODEL, data = X, ordered = ITEMS, group = "gender", estimator = "WLSMV",
            group.equal = c("thresholds", "loadings"))
t <- lavTestLRT(fit, full)
write_anchor(list(
  description = "Two-group ordinal CFA, WLSMV, equal thresholds and loadings except group.partial.",
  data = list(file = "bfi.csv", items = ITEMS, group = "gender"),
  model_syntax = MODEL, group_equal = c("thresholds", "loadings"), group_partial = PARTIAL,
  options = lav_opts(fit), converged = lavInspect(fit, "converged"), nobs = lavInspect(fit, "nobs"),
  parameters = pe_rows(fit), fit_all = fit_all(fit),
  lrt_vs_full = list(chisq_diff = t[["Chisq diff"]][2], df_diff = t[["Df diff"]][2], pvalue = t[["Pr(>Chisq)"]][2])
), "wlsmv_groups_partial")
print(fitMeasures(fit, c("npar", "chisq", "df", "chisq.scaled")))
print(t)
