"""Many reports in one pool: published whole, errors named across the process boundary, Ctrl-C honoured."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from inhd.batch import ReportFailure, publish_reports, render_reports
from inhd.data import load_survey
from inhd.publish import MANIFEST_NAME
from inhd.report import calibrate, report_data
from surveys import executable_content, write_survey

SIZES = {"N1": 25, "North/East": 20, "North_East": 15, "North East": 12, "tiny": 4}


@pytest.fixture(scope="module")
def survey(tmp_path_factory):
    folder = tmp_path_factory.mktemp("survey")
    r, n, items = write_survey(folder, SIZES)
    data = report_data(calibrate(load_survey(r, n, items=items).respondents, items=items), min_cell=10)
    return r, n, data


def test_reports_are_published_whole_with_index_and_manifest(tmp_path, survey):
    r, n, data = survey
    before = (r.read_bytes(), n.read_bytes())
    written = publish_reports(data, tmp_path / "out", inputs=[r, n], jobs=2, progress=False)
    assert len(written) == len(SIZES) == len({p.name for p in written})     # three look-alike ids, three files
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text())
    listed = {f["file"]: f for f in manifest["files"]}
    assert {f["network_id"] for f in manifest["files"]} == set(SIZES) | {None}
    for name, entry in listed.items():
        assert hashlib.sha256((tmp_path / "out" / name).read_bytes()).hexdigest() == entry["sha256"]
    index = (tmp_path / "out" / "index.html").read_text()
    assert all(f'href="{p.name}"' in index for p in written) and executable_content(index) == []
    assert (r.read_bytes(), n.read_bytes()) == before
    # the same data give the same files (stable names, deterministic pages), with one process or two
    again = publish_reports(data, tmp_path / "again", jobs=1, progress=False)
    for one, two in zip(written, again):
        assert one.name == two.name and one.read_bytes() == two.read_bytes()


def test_a_worker_error_comes_back_with_its_network_and_message(tmp_path, survey):
    _, _, data = survey
    with pytest.raises(ReportFailure, match=r"report of network 'nowhere' failed: ValueError: network 'nowhere' is not"):
        publish_reports(data, tmp_path / "out", network_ids=["N1", "nowhere", "tiny"], jobs=2, progress=False)
    assert not (tmp_path / "out").exists()                           # nothing published, no manifest


def test_jobs_must_be_at_least_one(tmp_path, survey):
    with pytest.raises(ValueError, match="jobs must be a whole number of at least 1"):
        render_reports(survey[2], ["N1"], tmp_path, jobs=0)


INTERRUPTED = textwrap.dedent("""
    import sys
    import pandas as pd
    from inhd.batch import publish_reports
    from inhd.report import calibrate, report_data
    respondents = pd.read_csv(sys.argv[1], dtype={"respondent_id": str, "network_id": str})
    items = [c for c in respondents.columns if c.startswith("q")]
    data = report_data(calibrate(respondents, items=items), min_cell=10)
    print("rendering", flush=True)
    try:
        publish_reports(data, sys.argv[2], jobs=2, progress=False)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
""")


def _children(pid):
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


@pytest.mark.slow
def test_ctrl_c_stops_the_workers_within_seconds_and_leaves_no_manifest(tmp_path):
    r, _, _ = write_survey(tmp_path, [12] * 400)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", INTERRUPTED, str(r), str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "rendering"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(out.glob(".inhd-staging-*/*.html")):
        time.sleep(0.05)
    workers = _children(process.pid)
    assert len(workers) == 2
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 5, "Ctrl-C took more than 5 s to stop the run"
    assert process.returncode == 130 and "interrupted" in stdout, stderr
    assert not any(Path(f"/proc/{w}").exists() and "zombie" not in Path(f"/proc/{w}/status").read_text().lower()
                   for w in workers)
    assert not out.exists()                                          # nothing published, no manifest


@pytest.mark.slow
def test_sigterm_is_handled_like_ctrl_c(tmp_path):
    r, _, _ = write_survey(tmp_path, [12] * 400)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-c", INTERRUPTED, str(r), str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "rendering"
    while not any(out.glob(".inhd-staging-*/*.html")):
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 130 and not out.exists()
