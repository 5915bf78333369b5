"""Benchmark the network reports at a national scale (issue 12).

1,000 networks of 50 respondents each (9 items, two waves), every network's report written by one
process pool (no kernel per network), figures embedded. Goal: under 3 minutes on 2 cores, from the
survey files to the published folder (validation, calibration, rendering, publication).

The command is run as a person runs it (``python -m inhd report ...``), start-up included.

Run: ``.venv/bin/python benchmarks/bench_reports.py [--networks 1000] [--size 50] [--jobs 2]``
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.rsm import simulate_rating_scale


def write_survey(folder: Path, n_networks: int, size: int, rng: int = 12) -> tuple[Path, Path, list[str]]:
    """A valid survey export: ``n_networks`` networks of ``size`` respondents, 9 items on 1-5, waves 2023-24."""
    rng = np.random.default_rng(rng)
    items = [f"b{k + 1:02d}" for k in range(9)]
    network = np.repeat(np.arange(n_networks), size)
    n = len(network)
    theta = rng.normal(rng.normal(0, 0.5, n_networks)[network], 1.0)
    codes = simulate_rating_scale(theta, np.linspace(-1.2, 1.2, len(items)), [-1.5, -0.5, 0.5, 1.5], rng=rng,
                                  min_category=1, missing=0.03)
    ids = np.array([f"NET{j:04d}" for j in range(n_networks)], dtype=object)
    respondents = pd.DataFrame({
        "respondent_id": [f"R{i:07d}" for i in range(n)], "network_id": ids[network], "school_id": "",
        "wave": np.where(np.arange(n) % 2, 2024, 2023), "team_lead": rng.integers(0, 2, n),
        "tenure_years": rng.integers(0, 8, n), "intensity": rng.choice([0, 0.5, 1, 1.5], n),
        "gender": rng.choice(["woman", "man", "undisclosed"], n), "race": rng.choice(["white", "black", "latinx"], n),
    })
    for k, item in enumerate(items):
        respondents[item] = pd.array(codes[:, k], dtype="Float64").astype("Int64")
    networks = pd.DataFrame({"network_id": ids, "single_district": 1, "archetype": "instructional",
                             "duration_years": 3.0, "hub_type": "ta"})
    r, nw = folder / "respondents.csv", folder / "networks.csv"
    respondents.to_csv(r, index=False)
    networks.to_csv(nw, index=False)
    return r, nw, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=1000)
    parser.add_argument("--size", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kernel-reports", type=int, default=3, metavar="K",
                        help="also time K reports made the old way, one notebook kernel each (0: skip)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="inhd-bench-reports-") as work:
        work = Path(work)
        r, n, items = write_survey(work, args.networks, args.size)
        out = work / "reports"
        command = [sys.executable, "-m", "inhd", "report", "--respondents", str(r), "--networks", str(n),
                   "--items", ",".join(items), "--out", str(out), "--jobs", str(args.jobs), "--quiet"]
        load_before = os.getloadavg()
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        total = time.perf_counter() - start
        load_after = os.getloadavg()
        if done.returncode:
            sys.exit(done.stderr)
        manifest = json.loads((out / "manifest.json").read_text())
        written = [out / f["file"] for f in manifest["files"] if f["network_id"] is not None]
        page = written[len(written) // 2].read_text()
        figures = len(re.findall(r'<img src="data:image/png;base64,', page))
        size = sum(p.stat().st_size for p in written) / len(written)
        per_kernel = kernel_reports(work, r, n, items, args.kernel_reports) if args.kernel_reports else None

    print(f"inhd report: {args.networks:,} networks x {args.size} respondents ({args.networks * args.size:,} rows, "
          f"9 items, 2 waves), --jobs {args.jobs}, {os.cpu_count()} CPUs")
    print(f"  from the files to the published folder (validation, calibration, rendering, index, manifest): "
          f"{total:.1f} s (goal < 180 s: {'met' if total < 180 else 'NOT met'}; {total / args.networks * 1000:.0f} ms "
          "a report)")
    print(f"  {len(written)} reports, {figures} embedded PNG figures each, {size / 1024:.0f} KiB a page")
    if per_kernel is not None:
        estimate = per_kernel * args.networks / args.jobs
        print(f"  the old way, a notebook kernel per network (calibration saved once, as inhd report did): "
              f"{per_kernel:.2f} s a report ({args.kernel_reports} timed), so about {estimate / 60:.0f} min for "
              f"{args.networks:,} networks on {args.jobs} processes: {estimate / total:.0f}x the pool")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")


def kernel_reports(work: Path, respondents: Path, networks: Path, items: list[str], k: int) -> float:
    """Seconds a report took the old way: notebook 07 executed by papermill for one network (a kernel
    each) from a saved calibration, then exported to HTML without code; the mean of ``k`` networks."""
    from inhd.data import load_survey
    from inhd.report import calibrate
    from inhd.runner import execute_notebook
    from inhd.workflows import NOTEBOOKS, export_html

    survey = load_survey(respondents, networks, items=items)
    calibration_dir = calibrate(survey.respondents, items=items).save(work / "calibration")
    ids = sorted(survey.respondents["network_id"].unique())[:k]
    start = time.perf_counter()
    for network_id in ids:
        executed = execute_notebook(NOTEBOOKS / "07_network_report.ipynb", work / "kernel" / f"{network_id}.ipynb",
                                    parameters={"network_id": network_id, "calibration_dir": str(calibration_dir),
                                                "item_columns": items},
                                    cwd=NOTEBOOKS, progress=False)
        export_html(executed, executed.with_suffix(".html"), hide_code=True)
    return (time.perf_counter() - start) / len(ids)


if __name__ == "__main__":
    main()
