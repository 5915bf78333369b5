"""Benchmark ``inhd validate`` on a national-scale export (issue 12).

A respondents file of 3,000,000 rows (9 items, the contract columns; about 210 MB) and its networks
file, validated in a fresh process. Goals: under 60 s and under 1.5 GB peak memory (the peak resident
set of the validating process, read from ``getrusage``).

Run: ``.venv/bin/python benchmarks/bench_validate.py [--rows 3000000]``
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

VALIDATE = """
import sys, time
from inhd.data import validate
start = time.perf_counter()
report = validate(sys.argv[1], sys.argv[2], items=[f"b{k + 1:02d}" for k in range(9)])
if not report.ok:
    sys.exit("the benchmark's export does not validate: " + report.summary()[:2000])
print(f"{time.perf_counter() - start:.2f}", report.ok, report.n_persons, report.n_networks)
"""


def write_export(folder: Path, rows: int, *, n_networks: int = 3000, rng: int = 1) -> tuple[Path, Path]:
    """A valid export of ``rows`` respondents, written in blocks (never the whole file in memory)."""
    rng = np.random.default_rng(rng)
    respondents, networks = folder / "respondents.csv", folder / "networks.csv"
    items = [f"b{k + 1:02d}" for k in range(9)]
    header = ("respondent_id,network_id,school_id,wave,team_lead,tenure_years,intensity,gender,race,"
              + ",".join(items) + "\n")
    pick = lambda choices, n: np.asarray(choices, dtype=object)[rng.integers(0, len(choices), n)].tolist()
    with open(respondents, "w", encoding="utf-8", newline="") as handle:
        handle.write(header)
        for start in range(0, rows, 250_000):
            n = min(250_000, rows - start)
            net = rng.integers(0, n_networks, n)
            answers = np.asarray(["", "1", "2", "3", "4", "5"], dtype=object)[
                np.where(rng.random((n, 9)) < 0.03, 0, rng.integers(1, 6, (n, 9)))]
            columns = [[f"R{i}" for i in range(start, start + n)], [f"NET{j}" for j in net],
                       [f"S{j}-{i % 7}" for i, j in zip(range(start, start + n), net)],
                       pick(["2023", "2024"], n), pick(["0", "1"], n), pick([str(k) for k in range(12)], n),
                       pick(["0", "0.5", "1", "1.5"], n), pick(["woman", "man", "undisclosed"], n),
                       pick(["white", "black", "latinx", "asian", "undisclosed"], n), *answers.T.tolist()]
            handle.write("\n".join(map(",".join, zip(*columns))) + "\n")
    with open(networks, "w", encoding="utf-8", newline="") as handle:
        handle.write("network_id,single_district,archetype,duration_years,hub_type\n")
        handle.writelines(f"NET{j},1,instructional,3,ta\n" for j in range(n_networks))
    return respondents, networks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inhd-bench-validate-") as work:
        t = time.perf_counter()
        respondents, networks = write_export(Path(work), args.rows)
        size = respondents.stat().st_size
        print(f"wrote {args.rows:,} rows ({size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s")
        load_before = os.getloadavg()
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", VALIDATE, str(respondents), str(networks)],
                              capture_output=True, text=True)
        wall = time.perf_counter() - start
        load_after = os.getloadavg()
        if done.returncode:
            sys.exit(done.stderr)
        seconds, ok, n_respondents, n_networks = done.stdout.split()
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024      # kilobytes on Linux
    print(f"validate: {float(seconds):.1f} s inside the process ({wall:.1f} s with start-up), ok={ok}, "
          f"{int(n_respondents):,} respondents in {int(n_networks):,} networks")
    print(f"  goal < 60 s: {'met' if wall < 60 else 'NOT met'}; peak memory {peak / 1e9:.2f} GB "
          f"({peak / size:.1f}x the file; goal < 1.5 GB: {'met' if peak < 1.5e9 else 'NOT met'})")
    print(f"  load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
