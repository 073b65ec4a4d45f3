## Case wlsmv_effects: WLSMV (delta parameterisation) references for what reads a fit's
## estimates beside its parameter table (cxlab.sem.effects_table and the reports), and for
## the fit measures of a just-identified ordinal model without covariates.
## * mediation: ordinal_6f.csv (18 seven-category items, N = 1,800; see 15_wlsmv_6f.R),
##   three factors f1 (q1-q3), f2 (q4-q6), f3 (q7-q9), f2 ~ a*f1, f3 ~ b*f2 + c*f1,
##   ind := a*b and total := c + a*b (delta-method SEs from the robust vcov);
## * just_identified: ordinal_mimic.csv (see 31_wlsmv_mimic.R), f1 =~ y1 + y2 + y3, no
##   covariate, df = 0, WLSMV and DWLS (lavaan's conventions for a saturated model);
## * groups: bfi.csv (A1-A5, C1-C5, E1-E5, six categories) by gender, agree -> consc ->
##   extra with a direct path, group-specific labels c(a1, a2)* ... and one ind/total per
##   group; configural and group.equal = c("thresholds", "loadings") (group 2 frees its
##   scaling factors ~*~ and latent means);
## * groups_just_identified: agree =~ A1 + A2 + A3 by gender, configural (df = 0 in two groups).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/35_wlsmv_effects.R
source("r/helpers.R")
one <- function(fit, syntax) list(model_syntax = syntax, options = lav_opts(fit),
                                  converged = lavInspect(fit, "converged"), parameters = pe_rows(fit),
                                  fit_all = fit_all(fit))
Q <- read_anchor_csv("ordinal_6f.csv")
MED <- "f1 =~ q1 + q2 + q3\nf2 =~ q4 + q5 + q6\nf3 =~ q7 + q8 + q9\nf2 ~ a*f1\nf3 ~ b*f2 + c*f1\nind := a*b\ntotal := c + a*b"
f_med <- function() sem(MED, data = Q, ordered = paste0("q", 1:9), estimator = "WLSMV")
med <- f_med()
M <- read_anchor_csv("ordinal_mimic.csv")
JI <- "f1 =~ y1 + y2 + y3"
ji <- cfa(JI, data = M, ordered = c("y1", "y2", "y3"), estimator = "WLSMV")
ji_dwls <- cfa(JI, data = M, ordered = c("y1", "y2", "y3"), estimator = "DWLS")
B <- read_anchor_csv("bfi.csv")
BITEMS <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5))
GRP <- paste("agree =~ A1 + A2 + A3 + A4 + A5", "consc =~ C1 + C2 + C3 + C4 + C5",
             "extra =~ E1 + E2 + E3 + E4 + E5", "consc ~ c(a1, a2)*agree",
             "extra ~ c(b1, b2)*consc + c(c1, c2)*agree", "ind1 := a1*b1", "ind2 := a2*b2",
             "total1 := c1 + a1*b1", "total2 := c2 + a2*b2", sep = "\n")
GRP_PLAIN <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\nextra =~ E1 + E2 + E3 + E4 + E5\nconsc ~ agree\nextra ~ consc + agree"
g_conf <- sem(GRP, data = B, ordered = BITEMS, group = "gender", estimator = "WLSMV")
g_eq <- sem(GRP, data = B, ordered = BITEMS, group = "gender", estimator = "WLSMV",
            group.equal = c("thresholds", "loadings"))
GJI <- "agree =~ A1 + A2 + A3"
g_ji <- cfa(GJI, data = B, ordered = c("A1", "A2", "A3"), group = "gender", estimator = "WLSMV")
write_anchor(list(
  description = "WLSMV effects (:= of paths) without covariates, one group and two groups; a just-identified ordinal CFA.",
  mediation = c(one(med, MED), list(data = list(file = "ordinal_6f.csv", items = paste0("q", 1:9)),
                                    r2 = as.list(lavInspect(med, "r2")))),
  just_identified = list(data = list(file = "ordinal_mimic.csv", items = c("y1", "y2", "y3")),
                         wlsmv = one(ji, JI), dwls = one(ji_dwls, JI)),
  groups = list(data = list(file = "bfi.csv", items = BITEMS, group = "gender"), model_plain = GRP_PLAIN,
                configural = one(g_conf, GRP),
                thr_load = c(one(g_eq, GRP), list(group_equal = c("thresholds", "loadings")))),
  groups_just_identified = c(one(g_ji, GJI), list(data = list(file = "bfi.csv", items = c("A1", "A2", "A3"),
                                                             group = "gender"))),
  timing_seconds = list(mediation = time_median(f_med, 3))
), "wlsmv_effects")
print(parameterEstimates(med)[parameterEstimates(med)$op == ":=", ])
print(fitMeasures(g_ji, c("chisq", "df", "chisq.scaled", "tli", "cfi.robust", "rmsea.robust", "agfi")))
print(fitMeasures(ji, c("chisq", "df", "chisq.scaled", "tli", "rfi", "agfi", "cn_05", "rmsea.ci.upper", "pgfi")))
