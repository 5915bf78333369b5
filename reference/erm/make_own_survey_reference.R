# eRm::RSM reference for `inhd run --method cml` on a survey export (issue 11).
#
# Run from the repository root:   Rscript reference/erm/make_own_survey_reference.R
# Reads reference/erm/own_survey_respondents.csv (make_own_survey.py), takes the eight items
# q01..q08 on the scale 1-6, recodes the reverse-keyed q03 as 1 + 6 - x (what `--reverse q03` does),
# shifts the codes to 0-5 and fits eRm::RSM; writes reference/erm/own_survey_rsm.json with the item
# difficulties and the Andrich thresholds in inhd's parametrisation (the mapping of make_reference.R:
# delta_i = Location_i - mean(Location), tau_h = thr_ih - Location_i; difficulties and thresholds sum
# to zero). The thresholds are those into categories 2..6 of the 1-6 scale.
#
# Convergence: nlm tightened to gradtol 1e-10, steptol 1e-12 as in make_reference.R.
suppressPackageStartupMessages({library(eRm); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "reference/erm"

source(file.path(here, "tight_fitcml.R"))   # default_fitcml, tight_fitcml
assignInNamespace("fitcml", tight_fitcml, "eRm")

respondents <- read.csv(file.path(here, "own_survey_respondents.csv"), na.strings = "",
                        colClasses = c(respondent_id = "character"))
items <- sprintf("q%02d", 1:8)
X <- as.matrix(respondents[, items])
storage.mode(X) <- "double"
X[, "q03"] <- 1 + 6 - X[, "q03"]          # --reverse q03 on the scale 1-6
X <- X - 1                                # codes 0-5
stopifnot(all(apply(X, 2, function(v) all(0:5 %in% v))))
fit <- RSM(X, se = TRUE, sum0 = TRUE)

k <- ncol(X); m <- 5
B <- matrix(fit$betapar, k, m, byrow = TRUE)          # easiness, item-major
thr <- -(B - cbind(0, B[, -m, drop = FALSE]))          # item-specific thresholds
loc <- rowMeans(thr)
difficulty <- loc - mean(loc)
thresholds <- thr[1, ] - loc[1]
stopifnot(max(abs(sweep(thr - loc, 2, thresholds))) < 1e-8)   # one set of thresholds: an RSM

out <- list(
  dataset = "own_survey", source = "reference/erm/own_survey_respondents.csv (make_own_survey.py)",
  items = items, recoding = "q03 as 1 + 6 - x (--reverse q03), then codes minus 1 (0-5)",
  n_persons = nrow(X), n_missing = sum(is.na(X)),
  call = "eRm::RSM(X, se = TRUE, sum0 = TRUE) with nlm gradtol = 1e-10, steptol = 1e-12",
  R_version = R.version.string, eRm_version = as.character(packageVersion("eRm")),
  difficulty = difficulty, threshold_steps = 2:6, thresholds = thresholds,
  loglik = fit$loglik, iterations = fit$iter, nlm_code = fit$convergence)
path <- file.path(here, "own_survey_rsm.json")
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), path)
cat("own_survey: loglik", fit$loglik, " iter", fit$iter, " code", fit$convergence, " ->", path, "\n")
