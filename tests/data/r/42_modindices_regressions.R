## Case modindices_regressions: lavaan's modification indices of models with regressions
## ("~"). lavaan's candidate list (lav_partable_full) adds a regression y ~ x for every
## ordered pair of distinct variables that appear in a regression of the model (lhs or
## rhs of "~"), except an indicator regressed on a latent variable (that is a loading),
## and not already in the model; reverse arrows and cycles are candidates too (an
## unidentified one has NA). Loadings on such variables and residual covariances of
## observed variables that are not indicators are not candidates. Cases:
## * poldem: PoliticalDemocracy.csv, Bollen's SEM of r/02_poldem_sem.R, ML;
## * hs_sem: HolzingerSwineford1939.csv, HS_MODEL with visual ~ textual, speed ~ visual, ML;
## * hs_sem_fiml: the same on HolzingerSwineford1939_missing.csv, missing = "ml";
## * hs_sem_groups: the same by school, group.equal = "loadings";
## * hs_sem_covariates: an observed outcome (x9 ~ speed) and fixed.x covariates (ageyr,
##   sex) as predictors, ML (the covariates' fixed moments are listed with mi 0). Fitted
##   with optim.method = "BFGS", reltol = 1e-14 (converged): nlminb's default stops early
##   here (estimates 3e-5 from the optimum, chisq 152.19209034 vs 152.19209030; tighter
##   nlminb tolerances end in "solution has NOT been found"), and the indices of the
##   reverse paths move by up to 3e-3 with it (textual ~ visual 14.6403 at the default,
##   14.6379 at the optimum, as its equivalent textual ~ ageyr).
## * hs_sem_covariates_groups: the same by school, group.equal = "loadings"; BFGS with
##   reltol = 1e-16 (at reltol = 1e-14 speed ~ x9 and its equivalent x7 ~~ x8 in the
##   second school still differ by 2e-3; here by 1e-4);
## * hs_sem_covariates_fiml: the same model (one group) on HolzingerSwineford1939_missing.csv,
##   missing = "ml" (ageyr and sex complete), BFGS with reltol = 1e-16;
## * wlsmv_mediation: ordinal_6f.csv, f1 -> f2 -> f3 without the direct path, WLSMV; BFGS
##   with reltol = 1e-14 as hs_sem_covariates: at nlminb's default the five equivalent
##   candidates of the direct path (mi 275.831) spread over 1.2e-3, here over 2.4e-5.
## Every row of modindices(fit, na.remove = FALSE) in lavaan's order (NA: not identified),
## with its group (1-based; 1 for one group).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/42_modindices_regressions.R
source("r/helpers.R")
mi_all <- function(fit) {
  mi <- as.data.frame(modindices(fit, na.remove = FALSE))
  if (is.null(mi$group)) mi$group <- 1L
  mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.lv", "sepc.all")]
}
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
HSM <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
PD <- read_anchor_csv("PoliticalDemocracy.csv")
Q <- read_anchor_csv("ordinal_6f.csv")
POLDEM <- fromJSON(file.path(ANCHOR_ROOT, "poldem_sem.json"))$model_syntax  # r/02_poldem_sem.R
HS_SEM <- paste(HS_MODEL, "visual ~ textual\nspeed ~ visual", sep = "\n")
HS_COV <- paste("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8",
                "visual ~ textual + ageyr\nspeed ~ visual + sex\nx9 ~ speed", sep = "\n")
MED <- "f1 =~ q1 + q2 + q3\nf2 =~ q4 + q5 + q6\nf3 =~ q7 + q8 + q9\nf2 ~ f1\nf3 ~ f2"
one <- function(fit, file, model, options) list(file = file, model_syntax = model, options = options,
                                                modindices = mi_all(fit))
med <- sem(MED, data = Q, ordered = paste0("q", 1:9), estimator = "WLSMV", optim.method = "BFGS",
           control = list(reltol = 1e-14))
hcov <- sem(HS_COV, data = HS, optim.method = "BFGS", control = list(reltol = 1e-14))
TIGHT <- list(reltol = 1e-16, maxit = 5000)
hcovg <- sem(HS_COV, data = HS, group = "school", group.equal = "loadings", optim.method = "BFGS", control = TIGHT)
hcovm <- sem(HS_COV, data = HSM, missing = "ml", optim.method = "BFGS", control = TIGHT)
write_anchor(list(
  description = paste("Modification indices of models with regressions: every candidate row (regressions",
                      "included), lavaan's order."),
  poldem = one(sem(POLDEM, data = PD), "PoliticalDemocracy.csv", POLDEM, list()),
  hs_sem = one(sem(HS_SEM, data = HS), "HolzingerSwineford1939.csv", HS_SEM, list()),
  hs_sem_fiml = one(sem(HS_SEM, data = HSM, missing = "ml"), "HolzingerSwineford1939_missing.csv", HS_SEM,
                    list(missing = "fiml")),
  hs_sem_groups = one(sem(HS_SEM, data = HS, group = "school", group.equal = "loadings"), "HolzingerSwineford1939.csv",
                      HS_SEM, list(group = "school", group_equal = list("loadings"))),
  hs_sem_covariates = one(hcov, "HolzingerSwineford1939.csv", HS_COV, list()),
  hs_sem_covariates_groups = one(hcovg, "HolzingerSwineford1939.csv", HS_COV,
                                 list(group = "school", group_equal = list("loadings"))),
  hs_sem_covariates_fiml = one(hcovm, "HolzingerSwineford1939_missing.csv", HS_COV, list(missing = "fiml")),
  wlsmv_mediation = c(one(med, "ordinal_6f.csv", MED, list(estimator = "WLSMV")), list(items = paste0("q", 1:9))),
  converged = list(hs_sem_covariates = lavInspect(hcov, "converged"),
                   hs_sem_covariates_groups = lavInspect(hcovg, "converged"),
                   hs_sem_covariates_fiml = lavInspect(hcovm, "converged"), wlsmv_mediation = lavInspect(med, "converged"))
), "modindices_regressions")
print(head(modindices(med, sort. = TRUE), 5))
