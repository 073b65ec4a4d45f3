# McDonald's omega total of one-factor scales (psych::omega, nfactors = 1), the reference of
# cxlab.reliability.omega_table. Made with psych 2.2.9 (Debian r-cran-psych):
#   Rscript tests/data/r/24_omega_one_factor.R  (from the project root) > tests/data/omega_one_factor.json
suppressMessages(library(psych))
d <- read.csv("tests/data/HolzingerSwineford1939.csv")
scales <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
out <- sapply(scales, function(s) suppressWarnings(omega(d[, s], nfactors = 1, plot = FALSE))$omega.tot)
cat("{\n  \"psych\": \"", as.character(packageVersion("psych")), "\",\n  \"omega_total\": {",
    paste(sprintf("\"%s\": %.12f", names(out), out), collapse = ", "), "}\n}\n", sep = "")
