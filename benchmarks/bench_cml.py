"""Benchmark: CML for the rating-scale model, inhd.cml against psychotools::rsmodel and eRm::RSM;
and a line for the partial credit model (inhd.cml.cml_partial_credit against psychotools::pcmodel
and eRm::PCM on the same data).

3,000 respondents x 14 items, 5 categories, 5% of responses missing (issue 10): completely at
random, and concentrated on 30% of the respondents (more distinct missing-data patterns). Times
``inhd.cml.cml_rating_scale`` (best of ``--repeat`` runs, wall clock); if ``Rscript`` is on the
PATH, writes the same data to a temporary CSV and times ``psychotools::rsmodel`` and
``eRm::RSM`` there with their default settings (R's own clock around each call only), then
prints the ratios measured in this run, the largest difference of the estimates and of the
conditional log-likelihoods, and the load average. Goals: at least 30x faster than psychotools
and 300x faster than eRm, with the same estimates. eRm is timed on the first set only (the
issue's; on the second it takes about three minutes) unless ``--erm-all``. The partial credit
model (14 x 4 = 56 thresholds instead of 13 + 3 parameters) is reported beside it on the first
set, with the same goals printed for comparison (no goal was set for it); eRm::PCM takes about
six minutes there and is timed only with ``--erm-all``.

    .venv/bin/python benchmarks/bench_cml.py [--repeat 5] [--no-r] [--erm-all]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from inhd.cml import cml_partial_credit, cml_rating_scale  # noqa: E402
from inhd.rsm import simulate_rating_scale  # noqa: E402

GOALS = {"psychotools::rsmodel": 30.0, "eRm::RSM": 300.0,
         "psychotools::pcmodel": 30.0, "eRm::PCM": 300.0}

R_CODE = r"""
suppressPackageStartupMessages({library(eRm); library(psychotools)})
X <- as.matrix(read.csv(commandArgs(TRUE)[1], na.strings = "NA"))
report <- function(name, seconds, difficulty, loglik) {
  cat(name, sprintf("%.6f", seconds), sprintf("%.10f", loglik),
      paste(sprintf("%.10f", difficulty), collapse = " "), "\n")
}
t0 <- proc.time()[["elapsed"]]
fit <- rsmodel(X)
el <- proc.time()[["elapsed"]] - t0
report("psychotools::rsmodel", el, itempar(fit), as.numeric(logLik(fit)))
if (commandArgs(TRUE)[2] == "no-erm") quit(save = "no")
t0 <- proc.time()[["elapsed"]]
fit <- RSM(X)
el <- proc.time()[["elapsed"]] - t0
B <- matrix(fit$betapar, ncol(X), max(X, na.rm = TRUE), byrow = TRUE)
loc <- -B[, ncol(B)] / ncol(B)
report("eRm::RSM", el, loc - mean(loc), fit$loglik)
"""

R_PCM = r"""
suppressPackageStartupMessages({library(eRm); library(psychotools)})
X <- as.matrix(read.csv(commandArgs(TRUE)[1], na.strings = "NA"))
report <- function(name, seconds, location, loglik) {
  cat(name, sprintf("%.6f", seconds), sprintf("%.10f", loglik),
      paste(sprintf("%.10f", location), collapse = " "), "\n")
}
t0 <- proc.time()[["elapsed"]]
fit <- pcmodel(X)
el <- proc.time()[["elapsed"]] - t0
report("psychotools::pcmodel", el, itempar(fit), as.numeric(logLik(fit)))
if (commandArgs(TRUE)[2] == "no-erm") quit(save = "no")
t0 <- proc.time()[["elapsed"]]
fit <- PCM(X)
el <- proc.time()[["elapsed"]] - t0
B <- matrix(fit$betapar, ncol(X), max(X, na.rm = TRUE), byrow = TRUE)
loc <- -B[, ncol(B)] / ncol(B)
report("eRm::PCM", el, loc - mean(loc), fit$loglik)
"""


def simulate(n=3000, k=14, n_categories=5, missing=0.05, rng=20261122, spread=False):
    """Rating-scale responses; ``missing`` of the cells NaN: completely at random, or with
    ``spread=True`` concentrated on 30% of respondents (1 + Poisson items each) so that the
    missing-data patterns are as varied as 5% missing allows."""
    rng = np.random.default_rng(rng)
    m = n_categories - 1
    delta = np.linspace(-1.5, 1.5, k)
    tau = np.linspace(-1.2, 1.2, m)
    theta = rng.normal(0.0, 1.5, n)
    X = simulate_rating_scale(theta, delta, tau, rng=rng)
    if spread:
        who = rng.random(n) < 0.3
        n_miss = np.where(who, 1 + rng.poisson(missing * k / 0.3 - 1, n), 0).clip(0, k - 1)
        for i in np.flatnonzero(n_miss):
            X[i, rng.choice(k, n_miss[i], replace=False)] = np.nan
    else:
        X[rng.random(X.shape) < missing] = np.nan
    return X[~np.isnan(X).all(axis=1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--erm-all", action="store_true", help="time eRm on both data sets")
    a = ap.parse_args()
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    for spread in (False, True):
        how = "concentrated on 30% of respondents" if spread else "completely at random"
        print(f"--- missing {how}")
        run(simulate(spread=spread), a, erm=a.erm_all or not spread)
    print("--- the partial credit model, missing completely at random")
    run(simulate(), a, erm=a.erm_all, model="pcm")
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg())


def run(X, a, erm=True, model="rsm"):
    fit = cml_rating_scale if model == "rsm" else cml_partial_credit
    n_patterns = np.unique(np.isnan(X), axis=0).shape[0]
    print(f"data: {X.shape[0]} respondents x {X.shape[1]} items, 5 categories, "
          f"{np.isnan(X).mean():.1%} missing, {n_patterns} missing-data patterns")
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        est = fit(X, n_categories=5)
        times.append(time.perf_counter() - t0)
    ours = min(times)
    all_t = ", ".join(f"{t:.3f}" for t in times)
    print(f"inhd.cml.{fit.__name__}: best of {a.repeat}: {ours:.4f} s (all: {all_t});"
          f" {est.n_iter} Newton iterations, converged={est.converged}, "
          f"{est.n_patterns} patterns used, loglik {est.llf:.6f}")
    if a.no_r or shutil.which("Rscript") is None:
        print("psychotools::rsmodel, eRm::RSM: not timed (no Rscript on the PATH, or --no-r)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "bench.csv", Path(tmp) / "bench.R"
        lines = [",".join(f"i{j + 1}" for j in range(X.shape[1]))]
        lines += [",".join("NA" if np.isnan(v) else str(int(v)) for v in row) for row in X]
        csv.write_text("\n".join(lines) + "\n")
        script.write_text(R_CODE if model == "rsm" else R_PCM)
        out = subprocess.run(["Rscript", str(script), str(csv), "erm" if erm else "no-erm"],
                             capture_output=True, text=True)
    if out.returncode != 0:
        print("R failed:", out.stderr[-2000:])
        return
    for line in out.stdout.strip().splitlines():
        name, seconds, loglik, *difficulty = line.split()
        r_time = float(seconds)
        ours_location = est.difficulty if model == "rsm" else est.location
        diff = np.max(np.abs(np.array(difficulty, dtype=float) - ours_location))
        ratio = r_time / ours
        goal = GOALS[name]
        print(f"{name}: {r_time:.3f} s inside R; loglik {float(loglik):.6f} "
              f"(inhd - R: {est.llf - float(loglik):+.2e}); max |location difference| "
              f"{diff:.1e}; inhd is {ratio:.0f}x faster (goal >= {goal:.0f}x: "
              f"{'met' if ratio >= goal else 'NOT met'})")
    if not erm:
        name = "eRm::RSM" if model == "rsm" else "eRm::PCM"
        print(f"{name}: not timed on this set (minutes; --erm-all to include it)")


if __name__ == "__main__":
    main()
