## Case hs_options: lavaan's convenience options on the Holzinger-Swineford CFA (ML):
## std.lv = TRUE, orthogonal = TRUE, meanstructure = TRUE, and missing = "ml" (spelling of
## FIML) on the data with missing values. Made with lavaan 0.6-14 (Debian r-cran-lavaan), R 4.2.
source("r/helpers.R")
HS <- read_anchor_csv("HolzingerSwineford1939.csv")
HS_MISS <- read_anchor_csv("HolzingerSwineford1939_missing.csv")
SECOND <- paste(HS_MODEL, "g =~ visual + textual + speed", sep = "\n")
one <- function(fit, call) list(call = call, converged = lavInspect(fit, "converged"),
                                parameters = pe_rows(fit), fit_all = fit_all(fit))
write_anchor(list(
  description = "HS CFA with std.lv, orthogonal, meanstructure, missing = 'ml' (ML).",
  data = list(file = "HolzingerSwineford1939.csv", missing_file = "HolzingerSwineford1939_missing.csv"),
  model_syntax = HS_MODEL,
  second_order_syntax = SECOND,
  cases = list(
    std_lv = one(cfa(HS_MODEL, data = HS, std.lv = TRUE), "cfa(HS_MODEL, data = HS, std.lv = TRUE)"),
    std_lv_second_order = one(cfa(SECOND, data = HS, std.lv = TRUE), "cfa(SECOND, data = HS, std.lv = TRUE)"),
    orthogonal = one(cfa(HS_MODEL, data = HS, orthogonal = TRUE), "cfa(HS_MODEL, data = HS, orthogonal = TRUE)"),
    meanstructure = one(cfa(HS_MODEL, data = HS, meanstructure = TRUE),
                        "cfa(HS_MODEL, data = HS, meanstructure = TRUE)"),
    missing_ml = one(cfa(HS_MODEL, data = HS_MISS, missing = "ml"), "cfa(HS_MODEL, data = HS_MISS, missing = 'ml')")
  )
), "hs_options")
