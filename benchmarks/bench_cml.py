"""Benchmark: CML for the rating-scale model, inhd.cml versus eRm::RSM (issue 3).

3,000 respondents x 14 items, 5 categories, 5% of responses missing completely at random
(about a thousand missing-data patterns). Times ``inhd.cml.cml_rating_scale``; if ``Rscript``
with eRm is available, writes the same data to a temporary CSV, times ``eRm::RSM`` there (default
settings, R's own clock around the call only) and prints the ratio. Goal: at least 20x faster.

    .venv/bin/python benchmarks/bench_cml.py [--repeat 3] [--no-r]
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from inhd.cml import cml_rating_scale  # noqa: E402
from inhd.rsm import simulate_rating_scale  # noqa: E402

R_CODE = r"""
suppressPackageStartupMessages(library(eRm))
X <- as.matrix(read.csv(commandArgs(TRUE)[1], na.strings = "NA"))
t0 <- proc.time()[["elapsed"]]
fit <- RSM(X)
el <- proc.time()[["elapsed"]] - t0
B <- matrix(fit$betapar, ncol(X), max(X, na.rm = TRUE), byrow = TRUE)
loc <- -B[, ncol(B)] / ncol(B)
cat(sprintf("%.6f\n", el))
cat(paste(sprintf("%.10f", loc - mean(loc)), collapse = " "), "\n")
cat(sprintf("%.10f\n", fit$loglik))
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
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-r", action="store_true")
    a = ap.parse_args()
    for spread in (False, True):
        how = "concentrated on 30% of respondents" if spread else "completely at random"
        print(f"--- missing {how}")
        run(simulate(spread=spread), a)


def run(X, a):
    n_patterns = np.unique(np.isnan(X), axis=0).shape[0]
    print(f"data: {X.shape[0]} respondents x {X.shape[1]} items, 5 categories, "
          f"{np.isnan(X).mean():.1%} missing, {n_patterns} missing-data patterns")
    times = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        est = cml_rating_scale(X, n_categories=5)
        times.append(time.perf_counter() - t0)
    ours = min(times)
    all_t = ", ".join(f"{t:.3f}" for t in times)
    print(f"inhd.cml: best of {a.repeat}: {ours:.3f} s (all: {all_t});"
          f" {est.n_iter} Newton iterations, converged={est.converged}, "
          f"{est.n_patterns} patterns used, loglik {est.llf:.6f}")
    if a.no_r or shutil.which("Rscript") is None:
        print("eRm: not timed (no Rscript or --no-r)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "bench.csv", Path(tmp) / "bench.R"
        lines = [",".join(f"i{j + 1}" for j in range(X.shape[1]))]
        lines += [",".join("NA" if np.isnan(v) else str(int(v)) for v in row) for row in X]
        csv.write_text("\n".join(lines) + "\n")
        script.write_text(R_CODE)
        t0 = time.perf_counter()
        out = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if out.returncode != 0:
        print("eRm failed:", out.stderr[-2000:])
        return
    lines = out.stdout.strip().splitlines()
    r_time = float(lines[0])
    r_delta = np.array(lines[1].split(), dtype=float)
    r_ll = float(lines[2])
    print(f"eRm::RSM: {r_time:.3f} s inside R ({wall:.1f} s wall with R start-up and CSV read); "
          f"loglik {r_ll:.6f}")
    print(f"max |difficulty difference| inhd vs eRm (default nlm settings): "
          f"{np.max(np.abs(r_delta - est.difficulty)):.2e}")
    print(f"speed-up: {r_time / ours:.1f}x (goal: >= 20x)")


if __name__ == "__main__":
    main()
