# Reference values for inhd.validity's three-level known-variance models, from metafor::rma.mv.
# Run from the repository root after reference/validity/make_data.py:
#   Rscript reference/validity/metafor_reference.R
# Writes reference/validity/metafor_three_level.json and metafor_growth.json (values, versions).
suppressPackageStartupMessages(library(metafor))
dir <- "reference/validity"
num <- function(x) unname(as.numeric(x))
versions <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")))
write_json <- function(x, path) {
  # minimal JSON writer (no jsonlite dependency): named list of numeric vectors / strings
  enc <- function(v) {
    if (is.character(v)) return(paste0('"', v, '"'))
    if (length(v) == 1 && is.null(names(v))) return(formatC(v, digits = 15, format = "g"))
    if (!is.null(names(v))) {
      return(paste0("{", paste0('"', names(v), '": ', formatC(num(v), digits = 15, format = "g"), collapse = ", "), "}"))
    }
    paste0("[", paste(formatC(v, digits = 15, format = "g"), collapse = ", "), "]")
  }
  body <- paste0('  "', names(x), '": ', vapply(x, function(v) if (is.list(v)) paste0("{", paste0('"', names(v), '": ', vapply(v, enc, ""), collapse = ", "), "}") else enc(v), ""), collapse = ",\n")
  writeLines(paste0("{\n", body, "\n}"), path)
}

# three-level unconditional model: persons in schools in networks
d <- read.csv(file.path(dir, "three_level.csv"))
fit <- rma.mv(measure, known_variance, random = ~ 1 | network_id / school_id / respondent_id,
              data = d, method = "REML", control = list(rel.tol = 1e-10, iter.max = 2000, eval.max = 4000))
re <- ranef(fit)[["network_id"]]
write_json(list(
  versions = versions,
  intercept = num(coef(fit)), intercept_se = num(fit$se),
  tau_network = fit$sigma2[1], tau_school = fit$sigma2[2], sigma2 = fit$sigma2[3],
  loglik_reml = num(logLik(fit)),
  network_eb = setNames(num(re$intrcpt), rownames(re)),
  network_eb_se = setNames(num(re$se), rownames(re))
), file.path(dir, "metafor_three_level.json"))

# growth model: network random intercept and slope (struct = "GEN": a general 2 x 2 covariance of
# intercept and slope, metafor >= 3.0; "UN" would treat t as a factor), schools, persons
g <- read.csv(file.path(dir, "growth.csv"))
gfit <- rma.mv(measure, known_variance, mods = ~ t,
               random = list(~ t | network_id, ~ 1 | school_id, ~ 1 | respondent_id),
               struct = "GEN", data = g, method = "REML", control = list(rel.tol = 1e-10, iter.max = 2000, eval.max = 4000))
write_json(list(
  versions = versions,
  intercept = num(coef(gfit)[1]), slope = num(coef(gfit)[2]),
  intercept_se = num(gfit$se[1]), slope_se = num(gfit$se[2]),
  tau_intercept = gfit$tau2[1], tau_slope = gfit$tau2[2], rho = gfit$rho,
  tau_school = gfit$sigma2[1], sigma2 = gfit$sigma2[2],
  loglik_reml = num(logLik(gfit))
), file.path(dir, "metafor_growth.json"))
