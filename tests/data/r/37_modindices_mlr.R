## Case modindices_mlr: lavaan's modification indices of MLR fits (complete data), which
## use the expected information and the ML gradient, so equal those of the ML fit:
## * hs: HolzingerSwineford1939.csv, the 3-factor CFA (HS_MODEL), estimator = "MLR";
## * poldem: PoliticalDemocracy.csv, Bollen's SEM of r/02_poldem_sem.R, estimator = "MLR".
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/37_modindices_mlr.R
source("r/helpers.R")
mi_top <- function(fit) as.data.frame(modindices(fit, sort. = TRUE, maximum.number = 10))[
  , c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all", "sepc.nox")]
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
PD <- read_anchor_csv("PoliticalDemocracy.csv")
POLDEM <- fromJSON(file.path(ANCHOR_ROOT, "poldem_sem.json"))$model_syntax  # r/02_poldem_sem.R
hs <- cfa(HS_MODEL, data = HS, estimator = "MLR")
pd <- sem(POLDEM, data = PD, estimator = "MLR")
write_anchor(list(
  description = "Modification indices (top 10, sorted) of MLR fits of complete data.",
  hs = list(file = "HolzingerSwineford1939.csv", model_syntax = HS_MODEL, options = lav_opts(hs), modindices_top10 = mi_top(hs)),
  poldem = list(file = "PoliticalDemocracy.csv", model_syntax = POLDEM, options = lav_opts(pd), modindices_top10 = mi_top(pd))
), "modindices_mlr")
