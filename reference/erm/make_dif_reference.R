# eRm reference values on REAL data for inhd.dif (Andersen's likelihood-ratio test, per-group
# item locations) and for the partial credit model (eRm::PCM; item locations, item-specific
# thresholds, the RSM-vs-PCM comparison). Issue 14, items 1 and 2.
#
# Run from the repository root:   Rscript reference/erm/make_dif_reference.R
# (about 5 minutes on one core). It writes
#   verbal_aggression.csv          psychotools::VerbalAggression: 316 persons, 24 items, codes
#                                  0-2 (no/perhaps/yes), gender, trait anger
#   gcbs.csv                       psychotools::ConspiracistBeliefs2016: 2449 persons, 15 items,
#                                  codes 0-4, 106 missing responses, childhood area, gender
#   verbal_aggression_lrtest.json  eRm::LRtest(RSM(X), splitcr = gender) and the default median
#                                  split (which excludes an item, as eRm does)
#   gcbs_lrtest.json               eRm::LRtest(RSM(X), splitcr = gender) (three groups, missing
#                                  data) and the default median split (per missing-data pattern)
#   verbal_aggression_pcm.json     eRm::PCM(X) and the RSM-vs-PCM likelihood-ratio comparison
#   gcbs_pcm.json                  the same on the conspiracist-beliefs data
# Sources and licences of the two data sets: reference/erm/README_dif_pcm.md.
#
# Parametrisation (the same mapping as make_reference.R; see README_dif_pcm.md):
#   eRm: P(X_ni = h) ∝ exp(h theta_n + beta_ih), beta_i0 = 0 (betapar, EASINESS).
#   Item-specific thresholds (eRm::thresholds): thr_ih = -(beta_ih - beta_i,h-1), the theta at
#   which categories h-1 and h are equally likely. Location_i = mean_h thr_ih = -beta_im / m;
#   c = mean_i Location_i.
#   RSM -> inhd: difficulty_i = Location_i - c; tau_h = thr_ih - Location_i (any i).
#   PCM -> inhd: location_i = Location_i - c; threshold_ih = thr_ih - c (positions on the logit
#   scale, centred so that the item locations average 0); step_ih = thr_ih - Location_i.
#   SEs: delta method through the linear map from eta, with eRm's Hessian (nlm's). Every
#   reported quantity is invariant to the shift that the conditional likelihood does not
#   identify, so its SE does not depend on eRm's normalisation.
#
# Convergence: RSM()/PCM() have no control argument; eRm:::fitcml calls nlm with the default
# gradtol = 1e-6. As in make_reference.R we patch it to gradtol = 1e-10, steptol = 1e-12
# (assignInNamespace); LRtest() calls RSM() for each group, so the group fits are tightened too.
suppressPackageStartupMessages({library(eRm); library(psychotools); library(jsonlite)})

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
here <- if (length(script)) dirname(normalizePath(script)) else "reference/erm"

source(file.path(here, "tight_fitcml.R"))   # default_fitcml, tight_fitcml
assignInNamespace("fitcml", tight_fitcml, "eRm")
tight_call <- "nlm gradtol = 1e-10, steptol = 1e-12 (eRm:::fitcml patched)"
versions <- list(R = R.version.string, eRm = as.character(packageVersion("eRm")),
                 psychotools = as.character(packageVersion("psychotools")))

# betapar (item-major: I1.c1..I1.cm, I2.c1, ...) -> linear maps of the quantities we report
threshold_map <- function(k, m) {          # thr_ih = -(beta_ih - beta_i,h-1), row (i-1)*m + h
  A <- matrix(0, k * m, k * m)
  for (i in 1:k) for (h in 1:m) {
    r <- (i - 1) * m + h
    A[r, r] <- -1
    if (h > 1) A[r, r - 1] <- 1
  }
  A
}

params <- function(fit) {
  X <- fit$X
  k <- ncol(X); m <- max(X, na.rm = TRUE)
  beta <- fit$betapar
  stopifnot(length(beta) == k * m)
  A <- threshold_map(k, m)
  Lloc <- matrix(0, k, k * m)                               # Location_i = mean_h thr_ih
  for (i in 1:k) Lloc[i, ((i - 1) * m + 1):(i * m)] <- 1 / m
  Lloc <- Lloc %*% A
  Cc <- matrix(1 / k, 1, k) %*% Lloc                        # c = mean_i Location_i
  Ldiff <- Lloc - matrix(1, k, 1) %*% Cc                    # location_i - c
  Lthr <- A - matrix(1, k * m, 1) %*% Cc                    # thr_ih - c
  Lstep <- A - Lloc[rep(1:k, each = m), ]                   # thr_ih - Location_i
  V_beta <- fit$W %*% solve(fit$hessian) %*% t(fit$W)
  se <- function(L) sqrt(pmax(diag(L %*% V_beta %*% t(L)), 0))
  shape <- function(v) matrix(v, k, m, byrow = TRUE)
  list(k = k, m = m, items = colnames(X),
       location = as.vector(Ldiff %*% beta), location_se = se(Ldiff),
       thresholds = shape(Lthr %*% beta), thresholds_se = shape(se(Lthr)),
       steps = shape(Lstep %*% beta), steps_se = shape(se(Lstep)),
       shift_c = as.vector(Cc %*% beta))
}

rsm_summary <- function(fit) {
  p <- params(fit)
  tau <- p$steps[1, ]                       # identical rows in an RSM
  list(items = p$items, n_persons = nrow(fit$X), loglik = fit$loglik, npar = fit$npar,
       iterations = fit$iter, nlm_code = fit$convergence,
       difficulty = p$location, difficulty_se = p$location_se,
       thresholds = tau, thresholds_se = p$steps_se[1, ],
       tau_spread_across_items = max(abs(sweep(p$steps, 2, tau))),
       betapar = unname(fit$betapar), etapar = unname(fit$etapar))
}

lrtest_summary <- function(fit, splitcr, label, what, group_labels) {
  lr <- LRtest(fit, splitcr = splitcr)
  groups <- lapply(lr$fitobj, rsm_summary)
  used <- groups[[1]]$items
  excluded <- setdiff(colnames(fit$X), used)
  pooled <- if (length(excluded)) RSM(fit$X[, used], se = TRUE, sum0 = TRUE) else fit
  stopifnot(abs(sum(lr$likgroup) - pooled$loglik - lr$LR / 2) < 1e-8)
  cat(label, ": LR", lr$LR, "df", lr$df, "excluded:", excluded, "\n")
  list(split = what, call = label, group_labels = group_labels,
       group_sizes = unname(sapply(lr$X.list, nrow)),
       statistic = lr$LR, df = lr$df, p_value = lr$pvalue,
       loglik_groups = lr$likgroup, loglik_pooled = pooled$loglik,
       excluded_items = I(excluded), groups = unname(groups),
       pooled = rsm_summary(pooled))
}

median_membership <- function(X) {
  # which persons eRm's splitcr = "median" puts in the high group, in the ORIGINAL row order
  # (with missing data eRm reorders the rows by missing-data pattern and splits at the median
  # raw score of each pattern; without missing data at the overall median)
  rs <- rowSums(X, na.rm = TRUE)
  if (!any(is.na(X))) return(as.integer(rs > median(rs)))
  pat <- apply(ifelse(is.na(X), 1, 0), 1, paste, collapse = "")
  med <- tapply(rs, pat, median)
  as.integer(rs > med[pat])
}

write_json_file <- function(obj, name) {
  path <- file.path(here, name)
  writeLines(toJSON(obj, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"), path)
  cat("  ->", path, "\n")
}

run_dataset <- function(name, X, covariates, source, split_name) {
  X <- as.matrix(X)
  storage.mode(X) <- "double"
  rownames(X) <- paste0("P", seq_len(nrow(X)))
  out <- cbind(data.frame(person = seq_len(nrow(X))), covariates, as.data.frame(X))
  write.csv(out, file.path(here, paste0(name, ".csv")), row.names = FALSE, na = "")
  t0 <- proc.time()[["elapsed"]]
  rsm <- RSM(X, se = TRUE, sum0 = TRUE)
  split_var <- covariates[[split_name]]
  by_group <- lrtest_summary(rsm, split_var,
                             sprintf("eRm::LRtest(eRm::RSM(X), splitcr = %s)", split_name),
                             split_name, sort(unique(split_var)))
  by_median <- lrtest_summary(rsm, "median", "eRm::LRtest(eRm::RSM(X))  # splitcr = \"median\"",
                              "median", c("low", "high"))
  by_median$high_group <- median_membership(X)   # 1 = "Raw Scores > Median"
  stopifnot(all(by_median$group_sizes == as.vector(table(by_median$high_group))))
  write_json_file(list(dataset = name, source = source, n_persons = nrow(X), n_items = ncol(X),
                       n_categories = max(X, na.rm = TRUE) + 1, n_missing = sum(is.na(X)),
                       items = colnames(X), versions = versions, convergence = tight_call,
                       rsm = rsm_summary(rsm), lrtest = list(by_group, by_median),
                       seconds = proc.time()[["elapsed"]] - t0),
                  paste0(name, "_lrtest.json"))
  t0 <- proc.time()[["elapsed"]]
  pcm <- PCM(X, se = TRUE, sum0 = TRUE)
  p <- params(pcm)
  th <- thresholds(pcm)
  av <- anova(pcm, rsm)$statistics
  cat(name, ": PCM loglik", pcm$loglik, " RSM loglik", rsm$loglik, "\n")
  write_json_file(list(
    dataset = name, source = source, n_persons = nrow(X), n_items = ncol(X),
    n_categories = max(X, na.rm = TRUE) + 1, items = colnames(X), versions = versions,
    call = "eRm::PCM(X, se = TRUE, sum0 = TRUE)", convergence = tight_call,
    loglik = pcm$loglik, npar = pcm$npar, iterations = pcm$iter, nlm_code = pcm$convergence,
    location = p$location, location_se = p$location_se,
    thresholds = p$thresholds, thresholds_se = p$thresholds_se,
    steps = p$steps, steps_se = p$steps_se, shift_c = p$shift_c,
    betapar = unname(pcm$betapar), se_beta = unname(pcm$se.beta),
    erm_thresholds = list(threshtable = unname(th$threshtable[[1]]),
                          threshpar = unname(th$threshpar), se_thresh = unname(th$se.thresh)),
    rsm_vs_pcm = list(
      loglik_rsm = rsm$loglik, loglik_pcm = pcm$loglik, npar_rsm = rsm$npar, npar_pcm = pcm$npar,
      statistic = 2 * (pcm$loglik - rsm$loglik), df = pcm$npar - rsm$npar,
      p_value = pchisq(2 * (pcm$loglik - rsm$loglik), pcm$npar - rsm$npar, lower.tail = FALSE),
      erm_anova = list(call = "anova(pcm, rsm)", LR = av$LR[2], df = av$df[2], p = av$p[2],
                       deviance = av$dev),
      note = paste("eRm 1.0.2's anova() reports LR = |logLik difference| (half the deviance",
                   "difference) and refers that to chi-square; the likelihood-ratio statistic is",
                   "2 * (loglik_pcm - loglik_rsm) = the difference of the deviances")),
    seconds = proc.time()[["elapsed"]] - t0),
    paste0(name, "_pcm.json"))
}

data(VerbalAggression, package = "psychotools")
va <- VerbalAggression
run_dataset("verbal_aggression", va$resp,
            data.frame(gender = as.character(va$gender), anger = va$anger),
            paste("psychotools::VerbalAggression (De Boeck & Wilson 2004, Explanatory Item",
                  "Response Models, online materials): 316 first-year psychology students,",
                  "24 items, 0 = no, 1 = perhaps, 2 = yes"),
            "gender")

data(ConspiracistBeliefs2016, package = "psychotools")
cb <- ConspiracistBeliefs2016
run_dataset("gcbs", cb$resp,
            data.frame(area = as.character(cb$area), gender = as.character(cb$gender)),
            paste("psychotools::ConspiracistBeliefs2016: Generic Conspiracist Beliefs Scale",
                  "(Brotherton, French & Pickering 2013), 2016 online data of the Open Source",
                  "Psychometrics Project, 2449 persons, 15 items, 0 = disagree .. 4 = agree"),
            "gender")
