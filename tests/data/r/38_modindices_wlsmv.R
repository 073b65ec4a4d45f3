## Case modindices_wlsmv: lavaan's modification indices of single-group WLSMV fits (delta
## parameterisation): the univariate score test of the DWLS fit function with the expected
## information Delta' W Delta (W the diagonal weight), not a robust test; the same for DWLS.
## * bfi: bfi.csv, agree =~ A1..A5, consc =~ C1..C5 (six categories), WLSMV and DWLS;
## * mediation: ordinal_6f.csv (see 15_wlsmv_6f.R), f1 =~ q1-q3, f2 =~ q4-q6, f3 =~ q7-q9,
##   f2 ~ f1, f3 ~ f2 (no direct path), WLSMV.
## All candidate rows are kept (lavaan's order, not sorted; NA rows dropped as na.remove).
## Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2. Run from tests/data:
##   Rscript r/38_modindices_wlsmv.R
source("r/helpers.R")
mi_all <- function(fit) as.data.frame(modindices(fit))[, c("lhs", "op", "rhs", "mi", "epc", "sepc.lv", "sepc.all")]
B <- read_anchor_csv("bfi.csv")
BITEMS <- c(paste0("A", 1:5), paste0("C", 1:5))
BFI <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
Q <- read_anchor_csv("ordinal_6f.csv")
MED <- "f1 =~ q1 + q2 + q3\nf2 =~ q4 + q5 + q6\nf3 =~ q7 + q8 + q9\nf2 ~ f1\nf3 ~ f2"
bw <- cfa(BFI, data = B, ordered = BITEMS, estimator = "WLSMV")
bd <- cfa(BFI, data = B, ordered = BITEMS, estimator = "DWLS")
med <- sem(MED, data = Q, ordered = paste0("q", 1:9), estimator = "WLSMV")
write_anchor(list(
  description = "Modification indices of single-group WLSMV/DWLS fits (ordinary score test of the DWLS fit).",
  bfi_wlsmv = list(file = "bfi.csv", items = BITEMS, model_syntax = BFI, estimator = "WLSMV", modindices = mi_all(bw)),
  bfi_dwls = list(file = "bfi.csv", items = BITEMS, model_syntax = BFI, estimator = "DWLS", modindices = mi_all(bd)),
  mediation = list(file = "ordinal_6f.csv", items = paste0("q", 1:9), model_syntax = MED, estimator = "WLSMV",
                   modindices = mi_all(med))
), "modindices_wlsmv")
print(head(modindices(bw, sort. = TRUE), 5))
print(head(modindices(med, sort. = TRUE), 5))
