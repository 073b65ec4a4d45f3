## Case bfi_efa: EFA + sampling adequacy + parallel analysis + alpha + omega on psych::bfi.
## All analyses use the 2436 complete cases of the 25 items unless stated otherwise.
## Copied from the shared reference set (../shared/reference/r/05_bfi_efa.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/05_bfi_efa.R
## A rerun reproduces bfi_efa.json exactly except parallel$fa_sim and $fa_simr: fa.parallel's simulated
## eigenvalues change from run to run despite set.seed (psych draws them with mclapply), so
## tests/test_factor.py compares them as Monte-Carlo means.
source("r/helpers.R")
suppressPackageStartupMessages({ library(psych); library(GPArotation) })
bfi <- read_anchor_csv("bfi.csv")
ITEMS <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
X <- na.omit(bfi[, ITEMS])
n <- nrow(X)

fa_out <- function(f) list(
  loadings = mat_json(unclass(f$loadings)),
  communalities = as.list(f$communality),
  uniquenesses = as.list(f$uniquenesses),
  Phi = if (is.null(f$Phi)) NULL else mat_json(f$Phi),
  Vaccounted = mat_json(f$Vaccounted),
  factor_order_note = "psych sorts factors by (rotated) variance accounted for; column names MRk/MLk keep the pre-sort number",
  fit = list(objective = f$objective, STATISTIC = f$STATISTIC, dof = f$dof, PVAL = f$PVAL,
             rms = f$rms, RMSEA = unname(f$RMSEA[1]), TLI = f$TLI, BIC = f$BIC),
  eigen_values_R = f$e.values, eigen_values_common = f$values)

f_minres <- function() fa(X, nfactors = 5, fm = "minres", rotate = "oblimin")
f_ml     <- function() fa(X, nfactors = 5, fm = "ml", rotate = "varimax")
f_minres_none <- function() fa(X, nfactors = 5, fm = "minres", rotate = "none")
fa1 <- f_minres(); fa2 <- f_ml(); fa0 <- f_minres_none()

kmo <- KMO(X)
bart <- cortest.bartlett(cor(X), n = n)

set.seed(42)
pa <- fa.parallel(X, fa = "fa", fm = "minres", n.iter = 20, plot = FALSE)
pa_other <- sapply(c(1, 2, 3, 7, 123), function(s) {
  set.seed(s); capture.output(p <- fa.parallel(X, fa = "fa", fm = "minres", n.iter = 20, plot = FALSE)); p$nfact })

KEYS <- list(agree = c("-A1", "A2", "A3", "A4", "A5"),
             conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
             extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
             neuroticism = c("N1", "N2", "N3", "N4", "N5"),
             openness = c("O1", "-O2", "O3", "O4", "-O5"))
alpha_one <- function(D, k) {
  items <- sub("^-", "", k); rev <- items[grepl("^-", k)]
  a <- psych::alpha(D[, items], keys = if (length(rev)) rev else NULL, warnings = FALSE)
  list(items = items, reversed = rev,
       total = as.list(a$total),
       alpha_drop = cbind(item = rownames(a$alpha.drop), as.data.frame(a$alpha.drop)),
       item_stats = cbind(item = rownames(a$item.stats), as.data.frame(a$item.stats)[, c("n", "raw.r", "std.r", "r.cor", "r.drop", "mean", "sd")]))
}
alphas <- lapply(KEYS, function(k) alpha_one(X, k))
alphas_available <- lapply(KEYS, function(k) {
  items <- sub("^-", "", k); rev <- items[grepl("^-", k)]
  a <- psych::alpha(bfi[, items], keys = if (length(rev)) rev else NULL, warnings = FALSE)
  list(raw_alpha = a$total$raw_alpha, std.alpha = a$total$std.alpha, n_rows = nrow(bfi))
})

Nitems <- paste0("N", 1:5)
om1 <- omega(X[, Nitems], nfactors = 1, plot = FALSE)
om3 <- suppressWarnings(omega(X[, Nitems], nfactors = 3, plot = FALSE))
omega_all1 <- lapply(KEYS, function(k) {
  it <- sub("^-", "", k); o <- omega(X[, it], nfactors = 1, plot = FALSE)
  list(omega_tot = o$omega.tot, alpha = o$alpha)})

timing <- list(
  fa_minres_oblimin = time_median(f_minres, 7),
  fa_ml_varimax = time_median(f_ml, 7),
  KMO = time_median(function() KMO(X), 7),
  cortest_bartlett = time_median(function() cortest.bartlett(cor(X), n = n), 7),
  alpha_5_scales = time_median(function() lapply(KEYS, function(k) alpha_one(X, k)), 7),
  omega_N_nfactors1 = time_median(function() omega(X[, Nitems], nfactors = 1, plot = FALSE), 7),
  fa_parallel_20iter = time_median(function() capture.output(fa.parallel(X, fa = "fa", n.iter = 20, plot = FALSE)), 3))

write_anchor(list(
  description = "psych on bfi: 25 items, listwise complete cases (N=2436).",
  data = list(file = "bfi.csv", n_rows_file = nrow(bfi), n_complete = n, items = ITEMS),
  calls = list(minres_oblimin = "fa(X, nfactors=5, fm='minres', rotate='oblimin')",
               ml_varimax = "fa(X, nfactors=5, fm='ml', rotate='varimax')",
               minres_unrotated = "fa(X, nfactors=5, fm='minres', rotate='none')",
               kmo = "KMO(X)", bartlett = "cortest.bartlett(cor(X), n=nrow(X))",
               parallel = "set.seed(42); fa.parallel(X, fa='fa', fm='minres', n.iter=20, plot=FALSE)",
               alpha = "psych::alpha(X[, items], keys = <reversed item names>)",
               omega = "omega(X[, N1..N5], nfactors=1) and nfactors=3 (default)"),
  fa_minres_oblimin = fa_out(fa1),
  fa_ml_varimax = fa_out(fa2),
  fa_minres_unrotated = fa_out(fa0),
  kmo = list(MSA = kmo$MSA, MSAi = as.list(kmo$MSAi)),
  bartlett = list(chisq = bart$chisq, df = bart$df, p_value = bart$p.value),
  parallel = list(seed = 42, n_iter = 20, nfact = pa$nfact, fa_values = pa$fa.values,
                  fa_sim = pa$fa.sim, fa_simr = pa$fa.simr,
                  nfact_other_seeds = setNames(as.list(pa_other), c("1", "2", "3", "7", "123")),
                  note = "fa.parallel is random (simulated + resampled data); the suggested nfact can change with the seed / RNG."),
  alpha_keys = KEYS,
  alpha = alphas,
  alpha_available_cases = alphas_available,
  alpha_available_note = "psych::alpha on all 2800 rows, default use='pairwise'",
  omega_neuroticism = list(
    nfactors1 = list(omega_tot = om1$omega.tot, omega_h = om1$omega_h, alpha = om1$alpha, G6 = om1$G6,
                     loadings = unname(om1$schmid$sl[, 1])),
    nfactors3 = list(omega_tot = om3$omega.tot, omega_h = om3$omega_h, alpha = om3$alpha, G6 = om3$G6)),
  omega_tot_nfactors1_all_scales = omega_all1,
  timing_seconds = timing
), "bfi_efa")
print(fa1$loadings, cutoff = 0.3); print(round(fa1$Phi, 3)); print(fa1$Vaccounted)
cat("KMO", kmo$MSA, " Bartlett", bart$chisq, bart$df, bart$p.value, " parallel nfact", pa$nfact, "others", pa_other, "\n")
print(sapply(alphas, function(a) c(a$total$raw_alpha, a$total$std.alpha)))
cat("omega N nf1", om1$omega.tot, " nf3", om3$omega.tot, om3$omega_h, "\n")
str(timing)
