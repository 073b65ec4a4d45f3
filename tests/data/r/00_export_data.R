## Export the datasets used by the reference results 01-09 as CSV (tests/data/).
## Copied from the shared reference set (../shared/reference/r/00_export_data.R), paths adjusted to tests/data:
##   cd tests/data && Rscript r/00_export_data.R
source("r/helpers.R")
d <- ANCHOR_ROOT
hs <- lavaan::HolzingerSwineford1939
write.csv(hs, file.path(d, "HolzingerSwineford1939.csv"), row.names = FALSE, na = "")
write.csv(lavaan::PoliticalDemocracy, file.path(d, "PoliticalDemocracy.csv"), row.names = FALSE, na = "")
data(bfi, package = "psych")
bfi <- psych::bfi
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
write.csv(bfi[, c(items, "gender", "education", "age")], file.path(d, "bfi.csv"), row.names = FALSE, na = "")
## deterministic missingness for case hs_missing_fiml
hsm <- hs
hsm$x1[hsm$id %% 7 == 0] <- NA
hsm$x5[hsm$id %% 11 == 0] <- NA
hsm$x9[hsm$id %% 13 == 0] <- NA
write.csv(hsm, file.path(d, "HolzingerSwineford1939_missing.csv"), row.names = FALSE, na = "")
cat("HS", dim(hs), "\nPoliticalDemocracy", dim(lavaan::PoliticalDemocracy),
    "\nbfi", dim(bfi), " complete 25 items:", sum(complete.cases(bfi[, items])),
    "\nHS missing: x1", sum(is.na(hsm$x1)), " x5", sum(is.na(hsm$x5)), " x9", sum(is.na(hsm$x9)),
    " complete rows", sum(complete.cases(hsm[, paste0("x", 1:9)])), "\n")
