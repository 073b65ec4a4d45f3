## Case multilevel_pastes: three levels (samples in casks in batches), lme4::lmer
## strength ~ 1 + (1 | batch/cask), the reference for cxlab.multilevel.nested_icc
## (customers in agents in teams). Run from tests/data:
##   cd tests/data && Rscript r/51_multilevel_pastes.R
## Needs Debian's r-base-core r-cran-lme4 r-cran-jsonlite.
## Data: lme4::Pastes (Davies & Goldsmith 1972): 10 batches x 3 casks x 2 samples, written
## to multilevel_pastes.csv (columns batch, cask, strength; cask labels a-c repeat across
## batches, so the cask id is batch:cask).
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
stopifnot(file.exists(file.path("r", "51_multilevel_pastes.R")))
p <- data.frame(batch = as.character(lme4::Pastes$batch), cask = as.character(lme4::Pastes$cask),
                strength = lme4::Pastes$strength)
write.csv(p, "multilevel_pastes.csv", row.names = FALSE)
p <- read.csv("multilevel_pastes.csv")
ctrl <- lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5))
rows <- function(fit) {
  vc <- as.data.frame(VarCorr(fit))
  v <- setNames(vc$vcov, vc$grp)
  tot <- sum(v)
  cf <- summary(fit)$coefficients
  list(REML = isREML(fit), intercept = unname(cf[1, "Estimate"]), intercept_se = unname(cf[1, "Std. Error"]),
       var_batch = unname(v["batch"]), var_cask = unname(v["cask:batch"]),
       var_residual = unname(v["Residual"]),
       icc_batch = unname(v["batch"] / tot),
       icc_cask_in_batch = unname((v["batch"] + v["cask:batch"]) / tot),
       loglik = as.numeric(logLik(fit)), df = attr(logLik(fit), "df"), AIC = AIC(fit), BIC = BIC(fit),
       nobs = nobs(fit), singular = isSingular(fit))
}
f <- strength ~ 1 + (1 | batch/cask)
obj <- list(
  description = "lme4::lmer strength ~ 1 + (1 | batch/cask) on lme4::Pastes, REML and ML.",
  file = "multilevel_pastes.csv", formula = deparse(f),
  icc_definitions = list(icc_batch = "var_batch / total",
                         icc_cask_in_batch = "(var_batch + var_cask) / total: two samples of one cask"),
  reml = rows(lmer(f, data = p, REML = TRUE, control = ctrl)),
  ml = rows(lmer(f, data = p, REML = FALSE, control = ctrl)),
  case = "multilevel_pastes",
  software = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  lme4 = as.character(packageVersion("lme4")), platform = R.version$platform),
  generated_utc = format(Sys.time(), tz = "UTC", usetz = TRUE))
writeLines(toJSON(obj, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null", null = "null"),
           "multilevel_pastes.json")
cat("wrote multilevel_pastes.json\n")
