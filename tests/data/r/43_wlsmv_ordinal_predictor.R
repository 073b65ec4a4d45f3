## Case wlsmv_ordinal_predictor: an ordinal item that is both regressed on latent variables and a
## predictor of another latent variable (WLSMV, every item ordered, delta parameterisation).
## lavaan represents such an item as a single-indicator latent variable (an 'ov.y.dummy') whose
## residual variance sits in PSI. lavaan 0.6-14's setResidualElements.LISREL sets that PSI
## element to 0 before it computes the fixed residual variances of the ordinal indicators,
## THETA = 1 - diag(Lambda (I-B)^-1 Psi (I-B)^-T Lambda'), and only then puts the item's own
## residual variance back into PSI. The indicators of a latent variable that the item predicts
## therefore miss lambda^2 * (total effect of the item)^2 * psi_item in THETA: their implied
## variances are 1 + that term instead of 1 (their std.all, R^2 and the CRMR change; the
## estimates and the chi-square do not, as THETA enters only the diagonal). lavaan 0.6-20 replaced the function (lav_lisrel_residual_variances; source
## commit a8210031, 30 Oct 2024: "parameterization = 'delta' now also handles recursive models
## with observed mediators"): the residual variances of observed mediators are set first,
## in topological order, and all implied variances are 1 - cxlab's values.
##
## "sim": simulated here (seed 20261203, N = 500, written to ordinal_predictor.csv): f1 and f2
## with three four-category items each, the ordinal item m ~ f1 + f2, and g (three items)
## regressed on f1 and m. "corp": the structural model of the corporate-reputation survey
## (tests/test_any_study_external.py STUDIES["corp"], measurement lines drafted by cxlab) on
## ../shared/data/external/corp_rep (GPL, not copied here; the case is left out without it):
## cusa, a single ordinal item, ~ comp + like and a predictor of cusl.
##
## "sim" is fitted with optim.gradient = "numerical": lavaan's default analytic gradient is wrong
## here (see delta_check) and its default call stops with "the optimizer warns that a solution has
## NOT been found" (recorded in default_call). "corp" is lavaan's default call (it converges).
## Each case is written twice: by Debian's lavaan 0.6-14 (R 4.2; the reference of the tests,
## with "explain": lavaan 0.6-14's rule recomputed from its own matrices), and by lavaan 0.6-21
## (source commit f2d7970b installed into a library LIB with R CMD INSTALL --library=LIB):
##   cd tests/data && Rscript r/43_wlsmv_ordinal_predictor.R
##   cd tests/data && LAVAAN_LIB=LIB Rscript r/43_wlsmv_ordinal_predictor.R   # *_lavaan_0_6_21.json
if (nzchar(Sys.getenv("LAVAAN_LIB"))) .libPaths(c(Sys.getenv("LAVAAN_LIB"), .libPaths()))
source("r/helpers.R")
VERSION <- as.character(packageVersion("lavaan"))
SUFFIX <- if (VERSION == "0.6.14") "" else paste0("_lavaan_", gsub("[.-]", "_", VERSION))

set.seed(20261203)
N <- 500
f1 <- rnorm(N)
f2 <- 0.4 * f1 + rnorm(N, sd = sqrt(1 - 0.16))
cut4 <- function(z, t) findInterval(z, t) + 1L
m_star <- 0.5 * f1 + 0.3 * f2 + rnorm(N, sd = 0.75)
g <- 0.4 * f1 + 0.5 * m_star + rnorm(N, sd = 0.7)
item <- function(f, lam, t) cut4(lam * f + rnorm(N, sd = sqrt(1 - lam^2)), t)
SIM <- data.frame(
  x1 = item(f1, 0.8, c(-0.9, 0.0, 0.8)), x2 = item(f1, 0.7, c(-0.5, 0.3, 1.1)),
  x3 = item(f1, 0.75, c(-1.0, -0.1, 0.7)),
  x4 = item(f2, 0.8, c(-0.8, 0.1, 0.9)), x5 = item(f2, 0.65, c(-0.4, 0.4, 1.2)),
  x6 = item(f2, 0.7, c(-1.1, -0.2, 0.6)),
  m = cut4(m_star, c(-0.8, 0.2, 1.0)),
  y1 = item(g / sd(g), 0.8, c(-0.7, 0.2, 1.0)), y2 = item(g / sd(g), 0.75, c(-0.3, 0.5, 1.3)),
  y3 = item(g / sd(g), 0.6, c(-1.0, 0.0, 0.9))
)
if (SUFFIX == "") write.csv(SIM, file.path(ANCHOR_ROOT, "ordinal_predictor.csv"), row.names = FALSE)
SIM_MODEL <- "f1 =~ x1 + x2 + x3
f2 =~ x4 + x5 + x6
g =~ y1 + y2 + y3
m ~ f1 + f2
g ~ f1 + m"

CORP_MODEL <- paste0(sub("\nswitch =~[^\n]*", "", CORP_MEASUREMENT), "\n",  # helpers.R
                     "comp ~ qual + perf + csor + attr\nlike ~ qual + perf + csor + attr\n",
                     "cusa ~ comp + like\ncusl ~ comp + like + cusa")

## lavaan 0.6-14's rule, from its estimated matrices: the dummies' PSI set to 0, THETA of the
## ordinal items = 1 - diag(Sigma) of that model; the difference to a model whose implied
## variances are 1 is the part of diag(Sigma) that comes from the dummies' residual variances.
explain <- function(fit) {
  est <- lavInspect(fit, "est")
  dummy_lv <- fit@Model@ov.y.dummy.lv.idx[[1]]
  psi0 <- est$psi
  psi0[cbind(dummy_lv, dummy_lv)] <- 0
  ib_inv <- solve(diag(nrow(est$beta)) - est$beta)
  lam_ib <- est$lambda %*% ib_inv
  sigma0 <- lam_ib %*% psi0 %*% t(lam_ib)
  psi_d <- est$psi - psi0
  from_dummies <- diag(lam_ib %*% psi_d %*% t(lam_ib))
  names(from_dummies) <- rownames(est$lambda)
  list(dummies = colnames(est$psi)[dummy_lv],
       theta_rule_0_6_14 = as.list(setNames(1 - diag(sigma0), rownames(est$lambda))),
       variance_from_dummy_residuals = as.list(from_dummies))
}

## lavaan's analytic Delta (d WLS.est / d x: computeDelta, lav_model_delta from 0.6-20) treats the
## dummies' residual variances as constants, though lav_model_set_parameters computes them from
## the free parameters (psi_m = 1 - var(part of m predicted)): the columns of the parameters they
## depend on are wrong, and so are the analytic gradient (the default call of "sim" stops with
## "the optimizer warns that a solution has NOT been found"), the SEs and the scaled test. Here
## Delta by numerical differentiation of lavaan's own WLS.est(x), and the robust SEs and the
## mean-and-variance adjusted test from it by the formulas that reproduce lavaan's numbers from
## its analytic Delta (checked, to 1e-10). nlminb stops short of the minimum by up to 1.6e-5 on
## "corp" (numerical gradient; 9e-6 with the default analytic one): "minimum" is the DWLS
## minimum of lavaan's own WLS.est(x) reached by Gauss-Newton steps with the numerical Delta
## from lavaan's solution, and the numerical SEs and test are evaluated there.
delta_check <- function(fit) {
  x0 <- lav_model_get_parameters(fit@Model)
  wls <- function(x) unlist(lavaan:::lav_model_wls_est(lav_model_set_parameters(fit@Model, x)))
  analytic <- if (exists("computeDelta", asNamespace("lavaan"))) lavaan:::computeDelta else lavaan:::lav_model_delta
  d_ana <- analytic(fit@Model)[[1]]
  W <- lavInspect(fit, "WLS.V"); G <- lavInspect(fit, "gamma"); N <- lavInspect(fit, "nobs")
  obs <- unlist(lavInspect(fit, "wls.obs"))
  x <- x0
  for (i in 1:4) {
    d_num <- numDeriv::jacobian(wls, x)
    x <- x + drop(solve(t(d_num) %*% W %*% d_num, t(d_num) %*% W %*% (obs - wls(x))))
  }
  d_num <- numDeriv::jacobian(wls, x)
  df <- fitMeasures(fit, "df")
  se <- function(D) {  # lavaan's robust.sem sandwich, Gamma with N/(N-1)
    A <- solve(t(D) %*% W %*% D)
    sqrt(diag(A %*% t(D) %*% W %*% G %*% W %*% D %*% A) / (N - 1))
  }
  scaled <- function(D, chisq) {  # lavaan's scaled.shifted test
    WD <- W %*% D
    UG <- (W - WD %*% solve(t(D) %*% WD) %*% t(WD)) %*% G
    a <- sqrt(df / sum(diag(UG %*% UG))); b <- df - a * sum(diag(UG))
    list(chisq.scaled = unname(a * chisq + b), chisq.scaling.factor = unname(1 / a),
         chisq.shift.parameter = unname(b))
  }
  free <- fit@ParTable$free > 0
  labels <- paste0(fit@ParTable$lhs, fit@ParTable$op, fit@ParTable$rhs)[free][order(fit@ParTable$free[free])]
  lav_se <- fit@ParTable$se[free][order(fit@ParTable$free[free])]
  stopifnot(max(abs(se(d_ana) - lav_se)) < 1e-10,
            abs(scaled(d_ana, fitMeasures(fit, "chisq"))$chisq.scaled - fitMeasures(fit, "chisq.scaled")) < 1e-8)
  wrong <- which(apply(abs(d_num - d_ana), 2, max) > 1e-6)
  r <- obs - wls(x)
  r0 <- obs - wls(x0)  # lavaan's chi-square, in its own N convention, at the minimum:
  chisq <- unname(fitMeasures(fit, "chisq")) * drop(t(r) %*% W %*% r) / drop(t(r0) %*% W %*% r0)
  list(max_abs_difference = max(abs(d_num - d_ana)), wrong_columns = labels[wrong],
       minimum = list(x = as.list(setNames(x, labels)), chisq = chisq,
                      step_from_lavaan = max(abs(x - x0)),
                      gradient = max(abs(t(d_num) %*% W %*% r))),
       se_numerical = as.list(setNames(se(d_num), labels)), test_numerical = scaled(d_num, chisq),
       test_analytic = scaled(d_ana, fitMeasures(fit, "chisq")))
}

reference <- function(case, description, data, model, data_info, gradient = "analytic") {
  items <- lavNames(lavaanify(model), "ov")
  f_sem <- function(gradient) sem(model, data = data[items], ordered = items, estimator = "WLSMV",
                                  optim.gradient = gradient)
  default <- suppressWarnings(f_sem("analytic"))
  fit <- f_sem(gradient)
  implied <- lavInspect(fit, "implied")
  est <- lavInspect(fit, "est")
  write_anchor(list(
    description = description,
    data = c(data_info, list(n = lavInspect(fit, "nobs"), items = items)),
    model_syntax = model,
    call = "sem(model, data = X, ordered = ITEMS, estimator = 'WLSMV')",
    options = lav_opts(fit),
    converged = lavInspect(fit, "converged"),
    optim = list(gradient = gradient, iterations = lavInspect(fit, "iterations"), fx = fit@optim$fx),
    default_call = list(converged = lavInspect(default, "converged"), fx = default@optim$fx),
    parameters = pe_rows(fit),
    r2 = as.list(lavInspect(fit, "r2")),
    fit_all = fit_all(fit),
    implied_cov = mat_json(implied$cov),
    implied_var = as.list(diag(implied$cov)),
    fitted_cov = mat_json(fitted(fit)$cov),
    est = list(lambda = mat_json(est$lambda), theta = mat_json(est$theta), psi = mat_json(est$psi),
               beta = mat_json(est$beta)),
    explain = explain(fit),
    delta = delta_check(fit),
    timing_seconds = list(sem_call = time_median(function() f_sem(gradient), 3))
  ), paste0(case, SUFFIX))
  print(fitMeasures(fit, c("chisq", "df", "chisq.scaled")))
  print(round(diag(implied$cov), 4))
}

reference("wlsmv_ordinal_predictor",
          paste("Simulated: ordinal item m ~ f1 + f2 and g ~ f1 + m (f1, f2, g three ordinal items",
                "each), WLSMV, delta parameterisation; N = 500."),
          SIM, SIM_MODEL, list(file = "ordinal_predictor.csv", seed = 20261203), gradient = "numerical")
if (file.exists(CORP_FILE)) {
  raw <- read.csv(CORP_FILE)
  raw[raw == -99] <- NA
  reference("wlsmv_ordinal_predictor_corp_rep",
            paste("corp_rep structural model (tests/test_any_study_external.py STUDIES['corp']),",
                  "every item ordered, WLSMV; the single ordinal item cusa ~ comp + like predicts cusl."),
            raw, CORP_MODEL,
            list(file = "../shared/data/external/corp_rep/corp_rep_data.csv", missing_code = -99))
}
