## Case formative: formative constructs (`<~`) in covariance-based SEM by ML, lavaan 0.6-14
## (Debian r-cran-lavaan), R 4.2.
## (a) Holzinger-Swineford: a composite of x1-x3 predicting the textual and speed factors;
## (a') the same by school (two groups, nothing held equal), and by MLR (robust SEs and test);
## (b) the ECSI mobile-phone data (../shared/data/external/ecsi_mobi/mobi.csv, 250
##     respondents; not copied here): image as a formative block predicting expectation and
##     satisfaction (reflective).
## lavaan 0.6-14 leaves every weight of `f <~ x1 + x2 + x3` free and fixes only the
## composite's residual variance to 0: that model is not identified (lavaan returns zero
## weights and "Could not compute standard errors"; with std.lv = TRUE it fixes the residual
## variance to 1 instead, also not identified). cxlab fixes the first weight to 1 by default,
## so the references are fitted with the weight written: `f <~ 1*x1 + x2 + x3`.
## The references are lavaan's default fits (nlminb). nlminb stops ~1e-5 short on these
## likelihoods, so each fit is also polished by a Gauss-Newton restart from its own solution
## (start = fit, optim.method = "GN"); its estimates are stored as `est_gn` (the tests match
## cxlab's estimates to them) and the largest change is printed. The polished fit is not the
## reference for the rest: with start = fit and GN, lavaan 0.6-14 refits with fixed.x = FALSE
## (the indicators' variances and covariances become free parameters: npar 17 -> 23 on HS,
## SEs of the weights for stochastic indicators), and nlminb with tighter tolerances
## (rel.tol = 1e-12) ends in "the optimizer warns that a solution has NOT been found".
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
HS_FORM <- "f <~ 1*x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9
textual ~ f
speed ~ f"
ECSI_FORM <- "IMAG <~ 1*IMAG1 + IMAG2 + IMAG3 + IMAG4 + IMAG5
CUEX =~ CUEX1 + CUEX2 + CUEX3
CUSA =~ CUSA1 + CUSA2 + CUSA3
CUEX ~ IMAG
CUSA ~ IMAG + CUEX"

polished <- function(model, data, ...) {
  fit0 <- sem(model, data = data, ...)
  gn <- sem(model, data = data, start = fit0, optim.method = "GN", ...)
  key <- function(pe) paste(pe$lhs, pe$op, pe$rhs, if (is.null(pe$group)) 1 else pe$group)
  b <- parameterEstimates(gn)
  pe <- pe_rows(fit0)
  pe$est_gn <- b$est[match(key(pe), key(b))]  # fixed.x rows: GN's free estimates (= sample moments)
  cat("max |GN - nlminb| estimate change:", max(abs(pe$est_gn - pe$est)), "\n")
  list(fit = fit0, pe = pe)
}

case <- function(model, data, call, data_info, ...) {
  p <- polished(model, data, ...)
  list(data = data_info, model_syntax = model, call = call, options = lav_opts(p$fit),
       converged = lavInspect(p$fit, "converged"), parameters = p$pe,
       r2 = if (lavInspect(p$fit, "ngroups") == 1) as.list(lavInspect(p$fit, "r2")) else
         lapply(lavInspect(p$fit, "r2"), as.list),  # per group, by group label
              fit_all = fit_all(p$fit),
       timing_seconds = time_median(function() sem(model, data = data, ...), reps = 5))
}

hs <- case(HS_FORM, HS, "sem(model, data = HS); est_gn: sem(model, data = HS, start = fit, optim.method = 'GN')",
           list(file = "HolzingerSwineford1939.csv", n = nrow(HS)))
hs_groups <- case(HS_FORM, HS, "sem(model, data = HS, group = 'school'); est_gn: the same with start = fit, optim.method = 'GN'",
                  list(file = "HolzingerSwineford1939.csv", n = nrow(HS), group = "school"), group = "school")
hs_mlr <- case(HS_FORM, HS, "sem(model, data = HS, estimator = 'MLR'); est_gn: the same with start = fit, optim.method = 'GN'",
               list(file = "HolzingerSwineford1939.csv", n = nrow(HS)), estimator = "MLR")
mobi_path <- file.path(ANCHOR_ROOT, "..", "..", "..", "shared", "data", "external", "ecsi_mobi", "mobi.csv")
mobi <- read.csv(mobi_path, row.names = 1)
ecsi <- case(ECSI_FORM, mobi, "sem(model, data = mobi); est_gn: sem(model, data = mobi, start = fit, optim.method = 'GN')",
             list(file = "../shared/data/external/ecsi_mobi/mobi.csv", n = nrow(mobi)))
## lavaan 0.6-14 on the model as usually written (all weights free): not identified
unscaled <- suppressWarnings(sem(sub("1\\*x1", "x1", HS_FORM), data = HS))
## ... and with the composite's residual variance freed: its two outcomes (textual, speed) have
## correlated residuals, so the model is not identified (MacCallum & Browne 1993); lavaan:
## "Could not compute standard errors", "some estimated lv variances are negative"
disturbance <- suppressWarnings(sem(sub("speed ~ f", "speed ~ f\nf ~~ f", HS_FORM), data = HS))
## equal weights by a shared label, and lavTestScore of that equality
HS_LABELS <- sub("x2 \\+ x3", "a*x2 + a*x3", HS_FORM)
labelled <- sem(HS_LABELS, data = HS)
write_anchor(list(
  description = "Formative constructs (<~) by ML: HS composite of x1-x3; ECSI image as a formative block.",
  hs = hs, hs_groups = hs_groups, hs_mlr = hs_mlr, ecsi = ecsi,
  lavaan_all_weights_free = list(
    note = "lavaan 0.6-14 with 'f <~ x1 + x2 + x3' (no weight fixed): weights stay 0, no SEs",
    npar = fitMeasures(unscaled, "npar")[[1]],
    weights = coef(unscaled)[1:3]),
  labels = list(model_syntax = HS_LABELS, chisq = fitMeasures(labelled, "chisq")[[1]],
                uni = as.data.frame(lavTestScore(labelled)$uni)),
  lavaan_free_disturbance = list(
    note = "lavaan 0.6-14 with 'f ~~ f' added to the HS model: no standard errors (not identified)",
    model_syntax = sub("speed ~ f", "speed ~ f\nf ~~ f", HS_FORM),
    npar = fitMeasures(disturbance, "npar")[[1]],
    se_available = any(!is.na(parameterEstimates(disturbance)$se[parameterEstimates(disturbance)$se > 0])))
), "formative")
