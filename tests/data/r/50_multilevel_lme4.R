## Case multilevel_lme4: random-intercept models fitted with lme4::lmer, the reference for
## cxlab.multilevel (tests/test_multilevel.py). Run from tests/data:
##   cd tests/data && Rscript r/50_multilevel_lme4.R
## Needs Debian's r-base-core r-cran-lme4 r-cran-mlmrev r-cran-jsonlite (R is used for the
## references only; cxlab does not need R).
## Data (public, shipped with R packages; the script writes the CSV copies it uses):
##   * mlmRev::Exam (Goldstein et al. 1993, inner-London schools): 4059 pupils in 65 schools;
##     normexam ~ standLRT (level 1) + schavg (level 2) + (1 | school). Written to
##     multilevel_exam.csv (columns school, normexam, standLRT, schavg).
##   * lme4::Dyestuff (Davies & Goldsmith 1972): 6 batches x 5 preparations, balanced;
##     Yield ~ 1 + (1 | Batch). Written to multilevel_dyestuff.csv.
##   * lme4::Dyestuff2 (Box & Tiao 1973): same design, the between-batch variance estimate
##     is zero (a singular fit). Written to multilevel_dyestuff2.csv.
suppressPackageStartupMessages({ library(lme4); library(mlmRev); library(jsonlite) })
stopifnot(file.exists(file.path("r", "50_multilevel_lme4.R")))

exam <- mlmRev::Exam[, c("school", "normexam", "standLRT", "schavg")]
exam$school <- as.integer(as.character(exam$school))
dy <- data.frame(Batch = as.character(lme4::Dyestuff$Batch), Yield = lme4::Dyestuff$Yield)
dy2 <- data.frame(Batch = as.character(lme4::Dyestuff2$Batch), Yield = lme4::Dyestuff2$Yield)
write.csv(exam, "multilevel_exam.csv", row.names = FALSE)
write.csv(dy, "multilevel_dyestuff.csv", row.names = FALSE)
write.csv(dy2, "multilevel_dyestuff2.csv", row.names = FALSE)
## refit on the CSV copies, as the Python side reads them
exam <- read.csv("multilevel_exam.csv"); exam$school <- factor(exam$school)
dy <- read.csv("multilevel_dyestuff.csv"); dy2 <- read.csv("multilevel_dyestuff2.csv")

fit_rows <- function(fit) {
  cf <- summary(fit)$coefficients
  ci <- confint(fit, parm = "beta_", method = "Wald")
  vc <- as.data.frame(VarCorr(fit))
  tau2 <- vc$vcov[vc$grp != "Residual"]; sigma2 <- vc$vcov[vc$grp == "Residual"]
  list(
    REML = isREML(fit),
    fixed = lapply(setNames(rownames(cf), rownames(cf)), function(nm) list(
      est = unname(cf[nm, "Estimate"]), se = unname(cf[nm, "Std. Error"]),
      t = unname(cf[nm, "t value"]), ci_lower = unname(ci[nm, 1]), ci_upper = unname(ci[nm, 2]))),
    group_var = tau2, residual_var = sigma2, icc = tau2 / (tau2 + sigma2),
    loglik = as.numeric(logLik(fit)), df = attr(logLik(fit), "df"),
    AIC = AIC(fit), BIC = BIC(fit), nobs = nobs(fit),
    ngroups = as.integer(ngrps(fit)), singular = isSingular(fit),
    deviance_criterion = unname(if (isREML(fit)) REMLcrit(fit) else deviance(fit)))
}

## ANOVA (one-way, unbalanced) ICC(1): n0 = (N - sum n_j^2 / N) / (J - 1)
anova_icc <- function(y, g) {
  a <- anova(lm(y ~ factor(g)))
  msb <- a[1, "Mean Sq"]; msw <- a[2, "Mean Sq"]
  nj <- table(g); N <- sum(nj); J <- length(nj)
  n0 <- (N - sum(nj^2) / N) / (J - 1)
  list(msb = msb, msw = msw, n0 = n0, icc1 = (msb - msw) / (msb + (n0 - 1) * msw),
       tau2 = (msb - msw) / n0)
}

f_exam <- normexam ~ standLRT + schavg + (1 | school)
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
exam_reml <- lmer(f_exam, data = exam, REML = TRUE, control = ctrl)
exam_ml <- lmer(f_exam, data = exam, REML = FALSE, control = ctrl)
exam_null_reml <- lmer(normexam ~ 1 + (1 | school), data = exam, REML = TRUE, control = ctrl)
dy_reml <- lmer(Yield ~ 1 + (1 | Batch), data = dy, REML = TRUE, control = ctrl)
dy_ml <- lmer(Yield ~ 1 + (1 | Batch), data = dy, REML = FALSE, control = ctrl)
dy2_reml <- lmer(Yield ~ 1 + (1 | Batch), data = dy2, REML = TRUE, control = ctrl)

obj <- list(
  description = "lme4::lmer random-intercept fits (REML and ML), the reference for cxlab.multilevel.",
  call = "lmer(formula, data, REML = TRUE/FALSE, control = lmerControl(optimizer = 'bobyqa'))",
  ci = "Wald 95% intervals (confint(method = 'Wald'))",
  exam = list(file = "multilevel_exam.csv", formula = deparse(f_exam),
              reml = fit_rows(exam_reml), ml = fit_rows(exam_ml),
              null_reml = fit_rows(exam_null_reml),
              anova_icc = anova_icc(exam$normexam, exam$school)),
  dyestuff = list(file = "multilevel_dyestuff.csv", formula = "Yield ~ 1 + (1 | Batch)",
                  reml = fit_rows(dy_reml), ml = fit_rows(dy_ml),
                  anova_icc = anova_icc(dy$Yield, dy$Batch)),
  dyestuff2 = list(file = "multilevel_dyestuff2.csv", formula = "Yield ~ 1 + (1 | Batch)",
                   reml = fit_rows(dy2_reml), anova_icc = anova_icc(dy2$Yield, dy2$Batch)),
  case = "multilevel_lme4",
  software = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  lme4 = as.character(packageVersion("lme4")),
                  mlmRev = as.character(packageVersion("mlmRev")),
                  platform = R.version$platform),
  generated_utc = format(Sys.time(), tz = "UTC", usetz = TRUE))
writeLines(toJSON(obj, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null", null = "null"),
           "multilevel_lme4.json")
cat("wrote multilevel_lme4.json\n")
