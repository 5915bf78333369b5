"""Benchmark inhd.simulation_study.simulate_final_model (issue 13: 200 replications in under 3 minutes
on 2 cores).

Each replication runs the participatory-benefits pipeline on the shipped SYNTHETIC cohort's design
(2,073 respondents in 34 networks): responses to the nine items drawn from the published final
model, a Rasch calibration (JMLE), then the final three-level model (full ML, HLM's tests).
Figures: the wall time of 200 replications on every CPU (workers with single-threaded BLAS), and
of 20 in this process (multi-threaded BLAS, start-up included) for scale, with the machine's load
average beside them.

Run: ``.venv/bin/python benchmarks/bench_simulation.py``
"""

import os
import time

import pandas as pd

from inhd import DATA_DIR
from inhd.simulation_study import simulate_final_model

N_REPLICATIONS = 200
GOAL_SECONDS = 180.0


def timed(respondents, networks, *, n_replications, n_jobs):
    start = time.perf_counter()
    study = simulate_final_model(respondents, networks, n_replications=n_replications, rng=20250212,
                                 n_jobs=n_jobs)
    return time.perf_counter() - start, study


def main():
    r = pd.read_csv(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv")
    n = pd.read_csv(DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    cpus = os.cpu_count() or 1
    print(f"design: {len(r):,} respondents in {n['network_id'].nunique()} networks; {cpus} CPUs; "
          f"load average {os.getloadavg()[0]:.2f}")
    one, _ = timed(r, n, n_replications=20, n_jobs=1)
    print(f"1 process, 20 replications: {one:.1f} s ({one / 20:.2f} s a replication)")
    seconds, study = timed(r, n, n_replications=N_REPLICATIONS, n_jobs=None)
    errors = study.converged["error"].fillna("")
    failed = int((errors != "").sum())
    print(f"{cpus} processes, {N_REPLICATIONS} replications: {seconds:.1f} s "
          f"(goal {GOAL_SECONDS:.0f} s: {'met' if seconds < GOAL_SECONDS else 'NOT met'}); "
          f"{seconds / N_REPLICATIONS:.3f} s a replication; "
          f"{failed} replication(s) failed; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
