## Helpers for the reference scripts of tests/data/ (lavaan; scripts 05 and 08 load psych,
## GPArotation and semTools themselves). Run from tests/data:
##   cd tests/data && Rscript r/10_hs_missing_fiml_mlr.R
## Needs Debian's r-base-core r-cran-lavaan r-cran-jsonlite (R is used for the references only;
## cxlab does not need R).
suppressPackageStartupMessages({ library(lavaan); library(jsonlite) })
ANCHOR_ROOT <- normalizePath(".")
stopifnot(file.exists(file.path(ANCHOR_ROOT, "r", "helpers.R")))

software_info <- function() {
  out <- list(R = paste(R.version$major, R.version$minor, sep = "."),
              lavaan = as.character(packageVersion("lavaan")))
  for (p in c("psych", "semTools", "GPArotation"))  # the versions of those a script loaded
    if (p %in% loadedNamespaces()) out[[p]] <- as.character(packageVersion(p))
  c(out, list(platform = R.version$platform, blas = tryCatch(La_library(), error = function(e) NA)))
}

read_anchor_csv <- function(name) read.csv(file.path(ANCHOR_ROOT, name), stringsAsFactors = FALSE)

time_median <- function(f, reps = 7) {
  f()
  t <- vapply(seq_len(reps), function(i) {
    t0 <- proc.time()[["elapsed"]]; f(); proc.time()[["elapsed"]] - t0
  }, numeric(1))
  list(median = median(t), reps = reps, all = t)
}

pe_rows <- function(fit, ...) {
  pe <- as.data.frame(parameterEstimates(fit, standardized = TRUE, ...))
  pe$free <- !(is.na(pe$z) & pe$se == 0) & !(pe$op %in% c(":=", "==", "<", ">"))
  pe$free[pe$op %in% c(":=", "==", "<", ">")] <- NA
  for (nm in names(pe)) if (is.factor(pe[[nm]])) pe[[nm]] <- as.character(pe[[nm]])
  pe
}

## headline fit measures (scaled and robust ones too with scaled = TRUE)
fit_headline <- function(fit, scaled = FALSE) {
  keys <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
            "cfi", "tli", "nfi", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
            "rmsea.pvalue", "srmr", "aic", "bic", "bic2", "logl",
            "unrestricted.logl", "gfi", "agfi")
  if (scaled) keys <- c(keys, "chisq.scaled", "df.scaled", "pvalue.scaled",
                        "chisq.scaling.factor", "baseline.chisq.scaled",
                        "cfi.scaled", "tli.scaled", "rmsea.scaled",
                        "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled",
                        "cfi.robust", "tli.robust", "rmsea.robust")
  fm <- fitMeasures(fit)
  keys <- keys[keys %in% names(fm)]
  as.list(setNames(as.numeric(fm[keys]), keys))
}

fit_all <- function(fit) {
  fm <- fitMeasures(fit)
  as.list(setNames(as.numeric(fm), names(fm)))
}

lav_opts <- function(fit) {
  o <- lavInspect(fit, "options")
  keep <- c("estimator", "se", "test", "information", "h1.information",
            "observed.information", "likelihood", "missing", "meanstructure",
            "fixed.x", "conditional.x", "std.lv", "parameterization",
            "group.equal", "mimic", "optim.method", "sample.cov.rescale")
  o[intersect(keep, names(o))]
}

mat_json <- function(m) {
  m <- as.matrix(m); class(m) <- "matrix"
  list(rownames = rownames(m), colnames = colnames(m),
       values = unname(lapply(seq_len(nrow(m)), function(i) unname(m[i, ]))))
}

write_anchor <- function(obj, case) {
  obj$case <- case
  obj$software <- software_info()
  obj$generated_utc <- format(Sys.time(), tz = "UTC", usetz = TRUE)
  path <- file.path(ANCHOR_ROOT, paste0(case, ".json"))
  writeLines(toJSON(obj, auto_unbox = TRUE, digits = NA, pretty = TRUE,
                    na = "null", null = "null", dataframe = "rows"), path)
  cat("wrote", path, "\n")
}

HS_MODEL <- "visual  =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed   =~ x7 + x8 + x9"

## The corporate-reputation survey (GPL: read from ../shared/data/external, never copied here)
## and the measurement model that `cxlab new corp --survey corp_rep_data.csv` drafts (scripts 40, 42).
CORP_FILE <- file.path(ANCHOR_ROOT, "..", "..", "..", "shared", "data", "external", "corp_rep",
                       "corp_rep_data.csv")
CORP_MEASUREMENT <- "csor   =~ csor_1 + csor_2 + csor_3 + csor_4 + csor_5
attr   =~ attr_1 + attr_2 + attr_3
perf   =~ perf_1 + perf_2 + perf_3 + perf_4 + perf_5
qual   =~ qual_1 + qual_2 + qual_3 + qual_4 + qual_5 + qual_6 + qual_7 + qual_8
like   =~ like_1 + like_2 + like_3
comp   =~ comp_1 + comp_2 + comp_3
cusl   =~ cusl_1 + cusl_2 + cusl_3
switch =~ switch_1 + switch_2 + switch_3 + switch_4"
