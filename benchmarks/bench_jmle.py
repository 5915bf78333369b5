"""Benchmark: JMLE on 1,000,000 respondents x 40 items, 5 categories, 5% missing (issue 10).

Goal: ``inhd.rasch.fit_rating_scale(data)`` (JMLE, everything it reports: measures, SEs,
extreme scores, fit statistics, point-measure correlations, reliabilities) in under 30 s and
under 4 GB. The responses are simulated here (``inhd.rsm.simulate_rating_scale``) and saved to a
temporary file; a fresh Python process loads them into a DataFrame and fits, so the peak
resident memory it reports (``resource.getrusage``: the process's maximum RSS, interpreter,
data and DataFrame included) belongs to the fit alone. Also prints the largest error of the
difficulties against the simulated truth and the machine's load average (timings are noisy on a
shared machine: compare wall-clock with CPU seconds).

    .venv/bin/python benchmarks/bench_jmle.py [--persons 1000000] [--missing 0.05 0.0]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from inhd.rsm import simulate_rating_scale  # noqa: E402

N_ITEMS = 40
TAU = np.array([-1.5, -0.5, 0.5, 1.5])
GOAL_SECONDS, GOAL_GB = 30.0, 4.0

CHILD = r"""
import json, resource, sys, time
import numpy as np, pandas as pd
from inhd.rasch import fit_rating_scale
x = np.load(sys.argv[1])
data = pd.DataFrame(x, columns=[f"item{j:02d}" for j in range(x.shape[1])])
del x
t0, c0 = time.perf_counter(), time.process_time()
res = fit_rating_scale(data)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"seconds": seconds, "cpu": cpu, "n_iter": res.n_iter,
                  "converged": res.converged, "difficulty": res.items["difficulty"].tolist(),
                  "n_extreme": int(res.persons["extreme"].sum()),
                  "rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--missing", type=float, nargs="+", default=[0.05])
    a = ap.parse_args()
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    print(f"JMLE, {a.persons:,} respondents x {N_ITEMS} items, {TAU.size + 1} categories")
    rng = np.random.default_rng(2025)
    delta = np.linspace(-2.0, 2.0, N_ITEMS)
    for missing in a.missing:
        theta = rng.normal(0.0, 1.5, a.persons)
        x = simulate_rating_scale(theta, delta, TAU, rng=rng, missing=missing)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "responses.npy"
            np.save(path, x)
            del x
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True,
                                 text=True, cwd=Path(__file__).resolve().parents[1])
        if out.returncode != 0:
            print("fit failed:", out.stderr[-2000:])
            sys.exit(1)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        err = np.abs(np.array(r["difficulty"]) - delta).max()
        met = r["seconds"] < GOAL_SECONDS and r["rss_gb"] < GOAL_GB
        print(f"  missing {missing:4.0%}: {r['seconds']:6.2f} s wall ({r['cpu']:.2f} s CPU), "
              f"peak resident memory {r['rss_gb']:.2f} GB, converged={r['converged']} in "
              f"{r['n_iter']} Newton iterations, {r['n_extreme']} extreme persons, "
              f"max |difficulty error| {err:.3f} logits "
              f"(goal < {GOAL_SECONDS:.0f} s and < {GOAL_GB:.0f} GB: "
              f"{'met' if met else 'NOT met'})")
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
