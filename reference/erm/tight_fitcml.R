# Sourced by the eRm reference scripts of this folder (after library(eRm)): eRm's RSM() and PCM() have no
# control argument, and their internal eRm:::fitcml calls nlm(..., iterlim = 5000L) with nlm's default
# gradtol = 1e-6. This defines `default_fitcml` and `tight_fitcml`, the same function with
# gradtol = 1e-10, steptol = 1e-12; a script installs the one it wants with
# assignInNamespace("fitcml", tight_fitcml, "eRm").
default_fitcml <- eRm:::fitcml
tight_fitcml <- default_fitcml
body(tight_fitcml) <- parse(text = sub(
  "iterlim = 5000L)", "iterlim = 5000L, gradtol = 1e-10, steptol = 1e-12)",
  paste(deparse(body(default_fitcml)), collapse = "\n"), fixed = TRUE))[[1]]
stopifnot(any(grepl("gradtol = 1e-10", deparse(body(tight_fitcml)))))
environment(tight_fitcml) <- asNamespace("eRm")
