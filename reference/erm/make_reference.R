# eRm::RSM reference values for inhd.cml (issue 3).
#
# Run from the repository root:   Rscript reference/erm/make_reference.R
# Writes reference/erm/<name>_rsm.json for
#   lfs        Liking for Science (Wright & Masters 1982), 75 x 25, codes 0-2 (lfs.csv)
#   rsmdat     eRm's own example data set data(rsmdat), 20 x 6, codes 0-3 (written to rsmdat.csv)
#   simulated  simulated.csv (reference/erm/make_simulated.py), 500 x 10, codes 0-4, ~5% NA,
#              extreme scorers
#
# Parametrisation mapping (eRm -> inhd):
#   eRm: P(X_ni = h) ∝ exp(h * theta_n + beta_ih), beta_ih = betapar (EASINESS), h = 1..m,
#        beta_i0 = 0; betapar = W %*% eta, with eRm's sum0 item constraint.
#   inhd: P(X_ni = h) ∝ exp(sum_{k<=h}(theta_n - delta_i - tau_k)), sum(delta) = 0, sum(tau) = 0.
#   Item-specific thresholds (what eRm::thresholds() reports): thr_ih = -(beta_ih - beta_i,h-1).
#   Location_i = mean_h thr_ih = -beta_im / m;   c = mean_i Location_i;
#   delta_i = Location_i - c;   tau_h = thr_ih - Location_i (the same for every item in an RSM);
#   theta_inhd = theta_eRm - c   (eRm::person.parameter on eRm's scale).
#   SEs of delta and tau: delta method through the linear map from eta, using eRm's Hessian
#   (solve(fit$hessian) is the covariance of eta; nlm's finite-difference Hessian).
#
# Convergence: RSM() has no control argument; its internal eRm:::fitcml calls
# nlm(cml, eta, hessian = se, iterlim = 5000L) with nlm's default gradtol = 1e-6. We patch that
# call to gradtol = 1e-10, steptol = 1e-12 (assignInNamespace) and record how far the default
# fit is from the tightened one (max_abs_diff_default_vs_tight).
suppressPackageStartupMessages({library(eRm); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "reference/erm"

source(file.path(here, "tight_fitcml.R"))   # default_fitcml, tight_fitcml

fit_rsm <- function(X, tight) {
  assignInNamespace("fitcml", if (tight) tight_fitcml else default_fitcml, "eRm")
  on.exit(assignInNamespace("fitcml", default_fitcml, "eRm"))
  RSM(X, se = TRUE, sum0 = TRUE)
}

map_params <- function(fit, k, m) {
  # linear map betapar (item-major: I1.c1..I1.cm, I2.c1, ...) -> (delta, tau)
  nb <- k * m
  idx <- function(i, h) (i - 1) * m + h
  Ld <- matrix(0, k, nb)             # delta_i = -beta_im/m + mean_j beta_jm/m
  for (i in 1:k) {
    Ld[i, idx(i, m)] <- Ld[i, idx(i, m)] - 1 / m
    for (j in 1:k) Ld[i, idx(j, m)] <- Ld[i, idx(j, m)] + 1 / (m * k)
  }
  Lt <- matrix(0, m, nb)             # tau_h = -(beta_1h - beta_1,h-1) + beta_1m/m
  for (h in 1:m) {
    Lt[h, idx(1, h)] <- Lt[h, idx(1, h)] - 1
    if (h > 1) Lt[h, idx(1, h - 1)] <- Lt[h, idx(1, h - 1)] + 1
    Lt[h, idx(1, m)] <- Lt[h, idx(1, m)] + 1 / m
  }
  beta <- fit$betapar
  stopifnot(length(beta) == nb)
  B <- matrix(beta, k, m, byrow = TRUE)
  thr <- -(B - cbind(0, B[, -m, drop = FALSE]))
  loc <- rowMeans(thr)
  tau_all <- thr - loc                                # identical rows in an RSM
  V_eta <- solve(fit$hessian)
  V_beta <- fit$W %*% V_eta %*% t(fit$W)              # fit$W maps eta (unnegated) to betapar
  list(difficulty = as.vector(Ld %*% beta), thresholds = as.vector(Lt %*% beta),
       difficulty_se = sqrt(diag(Ld %*% V_beta %*% t(Ld))),
       thresholds_se = sqrt(diag(Lt %*% V_beta %*% t(Lt))),
       shift_c = mean(loc), tau_spread_across_items = max(abs(sweep(tau_all, 2, tau_all[1, ]))))
}

run_one <- function(name, X, source) {
  X <- as.matrix(X)
  storage.mode(X) <- "double"
  rownames(X) <- paste0("P", seq_len(nrow(X)))
  k <- ncol(X); m <- max(X, na.rm = TRUE)
  t0 <- proc.time()[["elapsed"]]
  fit <- fit_rsm(X, tight = TRUE)
  t_tight <- proc.time()[["elapsed"]] - t0
  t0 <- proc.time()[["elapsed"]]
  fit_def <- fit_rsm(X, tight = FALSE)
  t_def <- proc.time()[["elapsed"]] - t0
  p <- map_params(fit, k, m)
  p_def <- map_params(fit_def, k, m)
  th <- thresholds(fit)$threshtable[[1]]
  pp <- person.parameter(fit)
  theta <- unlist(unname(pp$thetapar)); se_theta <- unlist(unname(pp$se.theta))
  nans <- rowSums(!is.na(X)); score <- rowSums(X, na.rm = TRUE)
  keep <- names(theta)
  rows <- match(keep, rownames(X))
  nonext <- score[rows] > 0 & score[rows] < m * nans[rows]
  ord <- order(rows[nonext])
  persons <- data.frame(row = rows[nonext][ord],              # 1-based row of the input file
                        raw_score = score[rows][nonext][ord],
                        n_answered = nans[rows][nonext][ord],
                        theta_erm = theta[nonext][ord], se_erm = se_theta[nonext][ord],
                        theta = theta[nonext][ord] - p$shift_c)
  out <- list(
    dataset = name, source = source, n_persons = nrow(X), n_items = k, n_categories = m + 1,
    n_missing = sum(is.na(X)), items = colnames(X),
    R_version = R.version.string, eRm_version = as.character(packageVersion("eRm")),
    call = "eRm::RSM(X, se = TRUE, sum0 = TRUE) with nlm gradtol = 1e-10, steptol = 1e-12",
    difficulty = p$difficulty, difficulty_se = p$difficulty_se,
    thresholds = p$thresholds, thresholds_se = p$thresholds_se,
    loglik = fit$loglik, npar = fit$npar, iterations = fit$iter, nlm_code = fit$convergence,
    etapar = unname(fit$etapar), se_eta = unname(fit$se.eta),
    betapar = unname(fit$betapar), se_beta = unname(fit$se.beta),
    erm_threshold_table = list(location = unname(th[, 1]), thresholds = unname(th[, -1])),
    shift_c = p$shift_c, tau_spread_across_items = p$tau_spread_across_items,
    default_fit = list(loglik = fit_def$loglik, iterations = fit_def$iter,
                       nlm_code = fit_def$convergence,
                       max_abs_diff_default_vs_tight = max(abs(c(p$difficulty - p_def$difficulty,
                                                                 p$thresholds - p_def$thresholds)))),
    seconds = list(tight = t_tight, default = t_def),
    persons = persons)
  path <- file.path(here, paste0(name, "_rsm.json"))
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), path)
  cat(name, ": loglik", fit$loglik, " iter", fit$iter, " code", fit$convergence,
      " default-vs-tight", out$default_fit$max_abs_diff_default_vs_tight, " ->", path, "\n")
}

lfs <- read.csv(file.path(here, "lfs.csv"), check.names = FALSE)
# eRm cannot fit the full LFS: "GO TO MUSEUM" has no 0 response, and eRm's datcheck() then
# shifts that item's codes down by one (lowest observed category becomes 0), after which
# datprep_RSM() stops ("number of categories are not the same for each item"). The rating-scale
# model itself is estimable without that category (inhd.cml fits it); for the reference we drop
# every item that does not use all categories, and record which.
full <- sapply(lfs, function(v) all(0:2 %in% v))
cat("LFS items dropped for eRm:", names(lfs)[!full], "\n")
run_one("lfs", lfs[, full], paste0("Liking for Science, Wright & Masters (1982); reference/erm/lfs.csv",
        " without the item(s) eRm cannot fit (not all categories used): ",
        paste(names(lfs)[!full], collapse = "; ")))
data(rsmdat, package = "eRm")
write.csv(rsmdat, file.path(here, "rsmdat.csv"), row.names = FALSE)   # shipped for the tests
run_one("rsmdat", rsmdat, "eRm::rsmdat")
sim <- read.csv(file.path(here, "simulated.csv"), na.strings = "NA")
run_one("simulated", sim, "reference/erm/simulated.csv (make_simulated.py, seed 20261122)")
