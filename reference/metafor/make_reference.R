# Reference values for inhd.hlm.fit_known_variance from metafor::rma.mv.
# Run from the repository root:  Rscript reference/metafor/make_reference.R
# Writes reference/metafor/konstantopoulos2011.csv (the real data set, copied from metadat so that
# the tests never need R) and reference/metafor/reference.json (all fitted quantities + versions).
# Every model is fitted by REML and, for HLM 8's conventions (full maximum likelihood), by ML; keys
# "<fit>_ranef" hold the EB estimates of the struct = "GEN" fits (see ranef_G below).
suppressPackageStartupMessages({library(metafor); library(jsonlite)})

here <- "reference/metafor"
# Tight nlminb tolerances; the tightest rel.tol at which nlminb reports convergence is used and
# recorded per fit (1e-12 fails on some fits with "false convergence").
fit_tight <- function(yname, vname, mods, random, data, method, struct = "CS") {
  for (rt in c(1e-12, 1e-11, 1e-10)) {
    fit <- try(rma.mv(yi = data[[yname]], V = data[[vname]], mods = mods, random = random,
                      struct = struct, data = data, method = method,
                      control = list(rel.tol = rt, iter.max = 10000, eval.max = 10000)),
               silent = TRUE)
    if (!inherits(fit, "try-error")) { fit$rel_tol_used <- rt; return(fit) }
  }
  stop("rma.mv did not converge")
}

dat <- as.data.frame(dat.konstantopoulos2011)
dat <- dat[, c("district", "school", "study", "year", "yi", "vi")]
write.csv(dat, file.path(here, "konstantopoulos2011.csv"), row.names = FALSE)
sim <- read.csv(file.path(here, "simulated_persons.csv"), stringsAsFactors = FALSE)

extract <- function(fit, call_text, ranef_levels = NULL) {
  out <- list(
    call = call_text,
    method = fit$method,
    beta = setNames(as.list(as.vector(fit$beta)), rownames(fit$beta)),
    se = setNames(as.list(as.vector(fit$se)), rownames(fit$beta)),
    sigma2 = setNames(as.list(fit$sigma2), fit$s.names),
    logLik = as.numeric(logLik(fit)),
    k = fit$k,
    rel_tol = fit$rel_tol_used
  )
  if (fit$withG) {
    out$tau2 <- fit$tau2
    out$rho <- fit$rho
    out$G <- fit$G
  }
  if (!is.null(ranef_levels)) {
    re <- ranef(fit)
    out$ranef <- list()
    for (nm in names(re)) {
      r <- re[[nm]]
      out$ranef[[nm]] <- list(id = rownames(r), estimate = r$intrcpt, se = r$se)
    }
  }
  out
}

# Empirical Bayes estimates of the struct = "GEN" effects (~ t | outer), which ranef() of metafor
# 3.8 does not return for G-structures: with the fit's own marginal covariance M (W = M^-1) and
# P = W - W X (X'WX)^-1 X'W, u_j = G Z_j' W (y - X b) and Var(u_j - u_hat_j) = G - G Z_j' P Z_j G,
# the formulas ranef() uses for the sigma2 levels. Stored under new keys "<fit>_ranef".
ranef_G <- function(fit, data, outer, slope, call_text) {
  W <- chol2inv(chol(fit$M))
  r <- as.vector(fit$yi - fit$X %*% fit$beta)
  WX <- W %*% fit$X
  P <- W - WX %*% fit$vb %*% t(WX)
  ids <- sort(unique(data[[outer]]))
  est <- se <- matrix(NA_real_, length(ids), 2)
  for (i in seq_along(ids)) {
    Z <- cbind(1, data[[slope]]) * (data[[outer]] == ids[i])
    est[i, ] <- fit$G %*% crossprod(Z, W %*% r)
    se[i, ] <- sqrt(diag(fit$G - fit$G %*% crossprod(Z, P %*% Z) %*% fit$G))
  }
  out <- list(call = call_text)
  out[[outer]] <- list(id = ids, estimate = est[, 1], se = se[, 1],
                       slope_estimate = est[, 2], slope_se = se[, 2])
  re <- ranef(fit)   # the sigma2 levels (intercepts), as extract() stores them
  for (nm in setdiff(names(re), "person_id")) {
    out[[nm]] <- list(id = rownames(re[[nm]]), estimate = re[[nm]]$intrcpt, se = re[[nm]]$se)
  }
  out
}

res <- list()
res$versions <- list(R = R.version.string,
                     metafor = as.character(packageVersion("metafor")),
                     metadat = as.character(packageVersion("metadat")),
                     method = NULL)

fit <- fit_tight("yi", "vi", mods = ~ year, random = ~ 1 | district/school, data = dat,
              method = "REML")
res$konstantopoulos_reml <- extract(fit,
  "rma.mv(yi, vi, mods = ~ year, random = ~ 1 | district/school, data = dat, method = 'REML')", TRUE)

fit <- fit_tight("yi", "vi", mods = ~ year, random = ~ 1 | district/school, data = dat,
              method = "ML")
res$konstantopoulos_ml <- extract(fit,
  "rma.mv(yi, vi, mods = ~ year, random = ~ 1 | district/school, data = dat, method = 'ML')", TRUE)

fit <- fit_tight("y", "v", mods = ~ x_person + lead + net_z, random = ~ 1 | network_id/person_id,
              data = sim, method = "REML")
res$sim_two_level_reml <- extract(fit,
  "rma.mv(y, v, mods = ~ x_person + lead + net_z, random = ~ 1 | network_id/person_id, method = 'REML')", TRUE)

fit <- fit_tight("y", "v", mods = ~ x_person + lead + net_z, random = ~ 1 | network_id/person_id,
              data = sim, method = "ML")
res$sim_two_level_ml <- extract(fit,
  "rma.mv(y, v, mods = ~ x_person + lead + net_z, random = ~ 1 | network_id/person_id, method = 'ML')", TRUE)

fit <- fit_tight("y", "v", mods = ~ x_person + lead + net_z,
              random = ~ 1 | network_id/school_id/person_id,
              data = sim, method = "REML")
res$sim_three_level_reml <- extract(fit,
  "rma.mv(y, v, mods = ~ x_person + lead + net_z, random = ~ 1 | network_id/school_id/person_id, method = 'REML')", TRUE)

# ML fits of the three-level and growth models (HLM 8's HLM3 module estimates by full ML)
fit <- fit_tight("y", "v", mods = ~ x_person + lead + net_z,
              random = ~ 1 | network_id/school_id/person_id,
              data = sim, method = "ML")
res$sim_three_level_ml <- extract(fit,
  "rma.mv(y, v, mods = ~ x_person + lead + net_z, random = ~ 1 | network_id/school_id/person_id, method = 'ML')", TRUE)

fit <- fit_tight("y_growth", "v", mods = ~ wave + x_person,
              random = list(~ wave | network_id, ~ 1 | person_id), struct = "GEN",
              data = sim, method = "REML")
res$sim_growth_reml <- extract(fit,
  "rma.mv(y_growth, v, mods = ~ wave + x_person, random = list(~ wave | network_id, ~ 1 | person_id), struct = 'GEN', method = 'REML')")
res$sim_growth_reml_ranef <- ranef_G(fit, sim, "network_id", "wave",
  "network_id: G Z' W (y - X b) and sqrt(diag(G - G Z' P Z G)) from fit$M of sim_growth_reml")

fit <- fit_tight("y_growth", "v", mods = ~ wave + x_person,
              random = list(~ wave | network_id, ~ 1 | person_id), struct = "GEN",
              data = sim, method = "ML")
res$sim_growth_ml <- extract(fit,
  "rma.mv(y_growth, v, mods = ~ wave + x_person, random = list(~ wave | network_id, ~ 1 | person_id), struct = 'GEN', method = 'ML')")
res$sim_growth_ml_ranef <- ranef_G(fit, sim, "network_id", "wave",
  "network_id: G Z' W (y - X b) and sqrt(diag(G - G Z' P Z G)) from fit$M of sim_growth_ml")

fit <- fit_tight("y_growth_school", "v", mods = ~ wave + x_person,
              random = list(~ wave | network_id, ~ 1 | school_id, ~ 1 | person_id), struct = "GEN",
              data = sim, method = "REML")
res$sim_growth_school_reml <- extract(fit,
  "rma.mv(y_growth_school, v, mods = ~ wave + x_person, random = list(~ wave | network_id, ~ 1 | school_id, ~ 1 | person_id), struct = 'GEN', method = 'REML')")
res$sim_growth_school_reml_ranef <- ranef_G(fit, sim, "network_id", "wave",
  "network_id: G Z' W (y - X b) and sqrt(diag(G - G Z' P Z G)) from fit$M of sim_growth_school_reml; school_id: ranef(fit)$school_id")

fit <- fit_tight("y_growth_school", "v", mods = ~ wave + x_person,
              random = list(~ wave | network_id, ~ 1 | school_id, ~ 1 | person_id), struct = "GEN",
              data = sim, method = "ML")
res$sim_growth_school_ml <- extract(fit,
  "rma.mv(y_growth_school, v, mods = ~ wave + x_person, random = list(~ wave | network_id, ~ 1 | school_id, ~ 1 | person_id), struct = 'GEN', method = 'ML')")
res$sim_growth_school_ml_ranef <- ranef_G(fit, sim, "network_id", "wave",
  "network_id: G Z' W (y - X b) and sqrt(diag(G - G Z' P Z G)) from fit$M of sim_growth_school_ml; school_id: ranef(fit)$school_id")

writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path(here, "reference.json"))
