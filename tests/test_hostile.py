"""Hostile inputs through ``inhd validate``, ``inhd run`` and ``inhd report`` (issue 12).

Every case asserts the exit code, the message, that the input files are byte-identical afterwards,
and, for reports, that the HTML holds nothing a browser could run or fetch (event handlers,
``javascript:`` URLs, Mermaid blocks, scripts or styles reaching another host). The numbered findings
of issue 12 are named in the test names (``f1`` ... ``f12``).
"""

import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from inhd import workflows
from inhd.cli import main
from inhd.publish import MANIFEST_NAME, OutputFolder
from surveys import executable_content, page_text, write_survey

def cli(argv, capsys):
    """Run ``inhd argv`` in-process: (exit code, stdout, stderr); argparse's exit counts as a code."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as stop:
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(*paths):
    return [Path(p).read_bytes() for p in paths]


def no_traceback(text):
    assert "Traceback" not in text and not re.search(r"^\w+Error:", text, re.M), text


# ---------------------------------------------------------------------------------------------------
# inhd validate: hostile files are refused with file, line, column; never modified

VALID = ("respondent_id,network_id,school_id,wave,team_lead,tenure_years,intensity,gender,race,b01,b02\n"
         "R1,N1,S1,2023,1,2,0.5,woman,white,4,5\n")
NETWORKS = "network_id,single_district,archetype,duration_years,hub_type\nN1,1,instructional,3,ta\n"


def _row(network_id='N1', respondent_id='R2'):
    field = lambda v: '"' + v.replace('"', '""') + '"'
    return f"{field(respondent_id)},{field(network_id)},S1,2023,0,1,1,man,black,3,2\n"


def _with(network_id):
    """Respondents and networks files whose second respondent and one network carry ``network_id``."""
    quoted = '"' + network_id.replace('"', '""') + '"'
    return VALID + _row(network_id), NETWORKS + f"{quoted},0,ewr,2,ihe\n"


BAD_IDS = {
    "f9_5000_characters": ("x" * 5000, r"line 3, column network_id: .*5000 characters.*at most 200"),
    "201_characters": ("y" * 201, r"line 3, column network_id: .*201 characters.*at most 200"),
    "bell": ("N\x07bell", r"line 3, column network_id: .*control character"),
    "escape_sequence": ("\x1b[31mred", r"line 3, column network_id: .*control character"),
    "newline": ("North\nEast", r"line 3, column network_id: .*control character"),
    "leading_tab": ("\t=1+1", r"line 3, column network_id: .*control character"),
    "carriage_return": ("N\r2", r"line 3, column network_id: .*control character"),
    "right_to_left_override": ("N\u202e1", r"line 3, column network_id: .*control character"),
    "line_separator": ("N\u20281", r"line 3, column network_id: .*control character"),
    "zero_width": ("N\u200b1", r"line 3, column network_id: .*control character"),
}


@pytest.mark.parametrize("case", list(BAD_IDS))
def test_validate_refuses_long_ids_and_control_characters_with_line_and_column(tmp_path, capsys, survey_files, case):
    network_id, message = BAD_IDS[case]
    r, n = survey_files(*_with(network_id))
    before = snapshot(r, n)
    code, out, err = cli(["validate", "--respondents", r, "--networks", n, "--items", "b01,b02"], capsys)
    assert code == 2 and re.search(message, out, re.S), out
    assert "\x1b" not in out and "\x07" not in out            # the message shows the character, escaped
    assert snapshot(r, n) == before


def test_validate_refuses_a_long_respondent_id_too(capsys, survey_files):
    r, n = survey_files(VALID + _row(respondent_id="r" * 300), NETWORKS)
    code, out, _ = cli(["validate", "--respondents", r, "--networks", n, "--items", "b01,b02"], capsys)
    assert code == 2 and re.search(r"line 3, column respondent_id: .*300 characters", out)


@pytest.mark.parametrize("length", [1, 200])
def test_validate_accepts_ids_up_to_200_characters(capsys, survey_files, length):
    r, n = survey_files(*_with("é" * length))
    code, out, _ = cli(["validate", "--respondents", r, "--networks", n, "--items", "b01,b02"], capsys)
    assert code == 0, out


FORMULA_IDS = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\")"]


@pytest.mark.parametrize("network_id", FORMULA_IDS)
def test_validate_accepts_formula_like_ids_as_data(capsys, survey_files, network_id):
    r, n = survey_files(*_with(network_id))
    code, out, _ = cli(["validate", "--respondents", r, "--networks", n, "--items", "b01,b02"], capsys)
    assert code == 0, out                                      # neutralised where they are written, below


HOSTILE_FILES = {
    "utf16": ("\ufeffrespondent_id,network_id\n".encode("utf-16"), r"UTF-16"),
    "latin1": (VALID.replace("woman", "woman").encode() + "R3,N1,S,2023,0,1,1,man,white,1,1,caf\xe9\n".encode("latin-1"),
               r"not valid UTF-8"),
    "semicolons": (VALID.replace(",", ";").encode(), r"separated by semicolons"),
    "png_bytes": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), r"not valid UTF-8|cannot be parsed"),
    "empty": (b"", r"file is empty"),
    "unclosed_quote": ((VALID + 'R2,"N1,S1\n').encode(), r"quote opened on this line"),
    "nul_byte": ((VALID + "R2,N\x001,S1,2023,0,1,1,man,black,3,2\n").encode(), r"line 3|NUL|control character"),
    "out_of_scale": ((VALID + "R2,N1,S1,2023,0,1,1,man,black,9,2\n").encode(), r"line 3, column b01: 9 is outside"),
    "duplicate_header": (VALID.replace("b02", "b01").encode(), r"appears twice"),
}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_validate_refuses_hostile_files(capsys, survey_files, case):
    content, message = HOSTILE_FILES[case]
    r, n = survey_files(content, NETWORKS)
    before = snapshot(r, n)
    code, out, err = cli(["validate", "--respondents", r, "--networks", n, "--items", "b01,b02"], capsys)
    assert code == 2 and re.search(message, out), out
    no_traceback(out + err)
    assert snapshot(r, n) == before


def test_validate_refuses_a_folder_and_a_missing_file(tmp_path, capsys):
    (tmp_path / "n.csv").write_text(NETWORKS)
    code, out, err = cli(["validate", "--respondents", tmp_path, "--networks", tmp_path / "n.csv"], capsys)
    assert code == 2 and "is a folder" in out
    code, out, err = cli(["validate", "--respondents", tmp_path / "nope.csv", "--networks", tmp_path / "n.csv"], capsys)
    assert code == 2 and "file not found" in out
    no_traceback(out + err)


def test_validate_refuses_a_pipe_instead_of_waiting_on_it(tmp_path):
    """A FIFO (or a device such as /dev/zero) never ends: it is refused, not read forever."""
    fifo = tmp_path / "respondents.csv"
    os.mkfifo(fifo)
    (tmp_path / "n.csv").write_text(NETWORKS)
    done = subprocess.run([sys.executable, "-m", "inhd", "validate", "--respondents", str(fifo), "--networks",
                           str(tmp_path / "n.csv")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "not a regular file" in done.stdout, done.stdout + done.stderr


# ---------------------------------------------------------------------------------------------------
# inhd run


@pytest.fixture
def stub_paper(tmp_path, monkeypatch):
    """A tiny paper notebook that writes each network's size, keyed by network_id, to output_dir."""

    def register(*, fail=False):
        folder = tmp_path / "notebooks"
        folder.mkdir(exist_ok=True)
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell("respondents_path = None\nnetworks_path = None\nitem_columns = None\n"
                                      "output_dir = None\nmin_cell = 10\nthreshold = 1",
                                      metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("raise RuntimeError('the stub was told to fail')" if fail else
                                      "import pandas as pd, pathlib\n"
                                      "r = pd.read_csv(respondents_path, dtype={'network_id': str})\n"
                                      "out = pathlib.Path(output_dir); out.mkdir(parents=True, exist_ok=True)\n"
                                      "r.groupby('network_id').size().rename('n_persons').to_csv(out / 'sizes.csv')\n"
                                      "print('min_cell', min_cell)"),
        ]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, folder / "99_stub.ipynb")
        monkeypatch.setattr(workflows, "NOTEBOOKS", folder)
        monkeypatch.setitem(workflows.PAPERS, "stub", workflows.Paper("stub", "99_stub.ipynb", "a stub paper"))

    return register


@pytest.fixture
def small(tmp_path):
    return write_survey(tmp_path / "data", {"N1": 30, "N2": 20, "tiny": 9})


@pytest.mark.parametrize("parameter", ["output_dir={elsewhere}", "respondents_path=other.csv",
                                       "networks_path=other.csv", "item_columns=[q01]", "min_cell=1"])
def test_f6_run_refuses_parameters_the_cli_owns(tmp_path, capsys, stub_paper, small, parameter):
    stub_paper()
    r, n, items = small
    before = snapshot(r, n)
    elsewhere = tmp_path / "elsewhere"
    code, out, err = cli(["run", "stub", "--respondents", r, "--networks", n, "--out", tmp_path / "out", "--quiet",
                          "-p", parameter.format(elsewhere=elsewhere)], capsys)
    name = parameter.split("=")[0]
    assert code == 2 and re.search(rf"{name}.*set by inhd run.*--", err), err
    assert not (tmp_path / "out").exists() and not elsewhere.exists()
    assert snapshot(r, n) == before


@pytest.mark.parametrize("command", ["run", "report"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_f3_min_cell_must_be_at_least_one(tmp_path, capsys, stub_paper, small, command, value):
    stub_paper()
    r, n, items = small
    paper = (["stub"] if command == "run" else []) + ["--items", ",".join(items)]
    code, out, err = cli([command, *paper, "--respondents", r, "--networks", n, "--out", tmp_path / "out", "--quiet",
                          "--min-cell", value], capsys)
    assert code == 2 and "--min-cell" in err and "at least 1" in err, err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["run", "report"])
def test_f10_out_holding_an_input_is_refused_even_with_force(tmp_path, capsys, stub_paper, small, command):
    stub_paper()
    r, n, items = small
    before = snapshot(r, n)
    paper = (["stub"] if command == "run" else []) + ["--items", ",".join(items)]
    for out in (r.parent, r.parent.parent):
        listing = sorted(p.name for p in r.parent.iterdir())
        code, _, err = cli([command, *paper, "--respondents", r, "--networks", n, "--out", out, "--force", "--quiet"],
                           capsys)
        assert code == 2 and "holds the input file" in err, err
        assert sorted(p.name for p in r.parent.iterdir()) == listing
    assert snapshot(r, n) == before


@pytest.mark.parametrize("command", ["run", "report"])
def test_f11_out_below_a_file_gets_a_sentence(tmp_path, capsys, stub_paper, small, command):
    stub_paper()
    r, n, items = small
    paper = (["stub"] if command == "run" else []) + ["--items", ",".join(items)]
    code, out, err = cli([command, *paper, "--respondents", r, "--networks", n, "--out", r / "reports", "--quiet"],
                         capsys)
    assert code == 2 and "which is a file" in err, err
    no_traceback(out + err)


@pytest.mark.parametrize("command", ["run", "report"])
def test_f4_a_second_run_into_a_folder_in_use_is_refused(tmp_path, capsys, stub_paper, small, command):
    stub_paper()
    r, n, items = small
    paper = (["stub"] if command == "run" else []) + ["--items", ",".join(items)]
    out = tmp_path / "out"
    with OutputFolder(out):                               # another run holds the folder
        code, _, err = cli([command, *paper, "--respondents", r, "--networks", n, "--out", out, "--force",
                            "--quiet"], capsys)
    assert code == 2 and "another inhd run is writing into" in err, err


@pytest.mark.slow
def test_f4_run_publishes_whole_and_a_second_run_needs_force(tmp_path, capsys, stub_paper, small):
    stub_paper()
    r, n, items = small
    out = tmp_path / "out"
    args = ["run", "stub", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out", out, "--quiet"]
    code, _, err = cli(args, capsys)
    assert code == 0, err
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert {f["file"] for f in manifest["files"]} >= {"99_stub.ipynb", "99_stub.html", "tables/sizes.csv",
                                                      "index.html"}
    stamp = (out / MANIFEST_NAME).read_bytes()
    code, _, err = cli(args, capsys)
    assert code == 2 and "not empty" in err and (out / MANIFEST_NAME).read_bytes() == stamp


@pytest.mark.slow
def test_f2_f8_run_tables_are_suppressed_and_formulas_neutralised(tmp_path, capsys, stub_paper):
    stub_paper()
    ids = {"=1+2": 12, "@SUM(A1)": 11, "+x": 10, "-y": 14, "-7": 15, "small=": 9}
    r, n, items = write_survey(tmp_path / "data", ids)
    out = tmp_path / "out"
    code, _, err = cli(["run", "stub", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out", out,
                        "--quiet"], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((out / "tables" / "sizes.csv").read_text())))
    cells = {row["network_id"]: row for row in rows}
    assert set(cells) == {"'=1+2", "'@SUM(A1)", "'+x", "'-y", "-7", "small="}
    assert cells["small="]["n_persons"] == "" and cells["small="]["suppressed"] == "True"   # 9 < min_cell
    assert cells["-7"]["n_persons"] == "15"


@pytest.mark.slow
def test_f3_a_failing_notebook_is_named_and_kept_but_not_published(tmp_path, capsys, stub_paper, small):
    stub_paper(fail=True)
    r, n, items = small
    out = tmp_path / "out"
    code, _, err = cli(["run", "stub", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out", out,
                        "--quiet"], capsys)
    assert code == 1 and "99_stub.ipynb failed in cell 1" in err and "the stub was told to fail" in err
    assert (out / "99_stub.ipynb").is_file() and not (out / MANIFEST_NAME).exists()


@pytest.mark.slow
def test_f2_participatory_benefits_suppresses_a_small_network_in_network_eb(tmp_path, capsys):
    from inhd import DATA_DIR

    respondents = pd.read_csv(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv", dtype=str,
                              keep_default_na=False)
    counts = respondents["network_id"].value_counts()
    small = counts.index[-1]
    keep = respondents[respondents["network_id"] != small].index.tolist() + \
        respondents[respondents["network_id"] == small].index[:9].tolist()
    r = tmp_path / "respondents.csv"
    respondents.loc[sorted(keep)].to_csv(r, index=False)
    n = DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv"
    items = [c for c in respondents.columns if c.startswith("pb_")]
    code, _, err = cli(["run", "participatory-benefits", "--respondents", r, "--networks", n, "--items",
                        ",".join(items), "--out", tmp_path / "out", "--quiet"], capsys)
    assert code == 0, err
    eb = pd.read_csv(tmp_path / "out" / "tables" / "network_eb.csv", dtype={"network_id": str})
    row = eb[eb["network_id"] == small].iloc[0]
    assert bool(row["suppressed"]) and row[["n_persons", "mean", "se", "mean_0_10", "se_0_10"]].isna().all()
    assert (~eb.loc[eb["network_id"] != small, "suppressed"].astype(bool)).all()


def _panel_with_a_small_network(folder):
    """A survey of 12 networks in three waves in which NET01 has 6 respondents a wave (18 rows, every
    network-wave cell below 10); the others 90-120 respondents. Returns (respondents path, items, frame)."""
    from surveys import make_survey

    r, _, items = make_survey(folder, n_categories=5, n_networks=12, per_network=(90, 120), n_items=6,
                              schools=False, waves=(1, 2, 3), covariates=False, reversed_item=None)
    frame = pd.read_csv(r, dtype=str, keep_default_na=False)
    small = frame[frame["network_id"] == "NET01"].groupby("wave").head(6)       # 6 a wave, 18 rows
    assert len(small) == 18
    frame = pd.concat([frame[frame["network_id"] != "NET01"], small], ignore_index=True)
    frame.to_csv(r, index=False)
    return r, items, frame


@pytest.mark.slow
def test_a_network_small_in_every_wave_is_suppressed_in_inhd_run_tables(tmp_path, capsys):
    # a newcomer's panel (multilevel::univbct): companies of 5-6 soldiers surveyed in three waves had
    # 15-18 rows and were published in network_eb.csv, though each of their network-wave cells is
    # below --min-cell
    r, items, frame = _panel_with_a_small_network(tmp_path)
    for paper in ("measure-validity", "participatory-benefits"):
        out = tmp_path / paper
        code, _, err = cli(["run", paper, "--respondents", r, "--items", ",".join(items), "--out", out,
                            "--quiet"], capsys)
        assert code == 0, err
        eb = pd.read_csv(out / "tables" / "network_eb.csv", dtype={"network_id": str})
        row = eb[eb["network_id"] == "NET01"].iloc[0]
        assert bool(row["suppressed"]) and row.drop(["network_id", "suppressed"]).isna().all(), paper
        assert (~eb.loc[eb["network_id"] != "NET01", "suppressed"].astype(bool)).all(), paper


def _output_text(notebook: Path) -> str:
    """Everything the executed notebook shows: streams, text/plain, text/html, Markdown, image metadata (alt
    text) and the Vega-Lite JSON of charts; the images' base64 bytes left out."""
    shown = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            data = {k: v for k, v in output.get("data", {}).items() if not k.startswith("image/")}
            shown.append(json.dumps({"text": output.get("text", ""), "data": data,
                                     "metadata": output.get("metadata", {})}))
    return "\n".join(shown)


@pytest.mark.slow
def test_a_network_small_in_every_wave_is_not_drawn_on_inhd_run_pages(tmp_path, capsys):
    # the tables blank a network of 6 respondents in each of three waves; the pages drew it anyway (its EB
    # estimate in the caterpillars, the profile heatmap, the clusters table, the four categories by network)
    r, items, frame = _panel_with_a_small_network(tmp_path)
    others = sorted(set(frame["network_id"]) - {"NET01"})
    assert not any("NET01" in other for other in others)
    sentence = "1 network(s) with fewer than 10 respondents in a survey wave are not shown"
    for paper in ("measure-validity", "network-variation", "participatory-benefits"):
        out = tmp_path / paper
        code, _, err = cli(["run", paper, "--respondents", r, "--items", ",".join(items), "--out", out,
                            "--quiet"], capsys)
        assert code == 0, err
        notebook = next(out.glob("*.ipynb"))
        outputs = _output_text(notebook)
        html = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=\s]+", "", notebook.with_suffix(".html")
                      .read_text(encoding="utf-8"))
        assert "NET01" not in outputs, (paper, outputs[max(0, outputs.find("NET01") - 300):][:600])
        assert "NET01" not in html.replace(sentence, ""), paper
        assert sentence in outputs and sentence in html, paper
        assert all(other in outputs for other in others), paper      # the charts' data, the tables
        if paper == "network-variation":     # the HTML draws charts from their data in the browser; tables are text
            assert all(other in html for other in others), paper


# ---------------------------------------------------------------------------------------------------
# inhd report: one run over hostile ids and item names

HOSTILE_REPORT_IDS = [
    '"><img src=x onerror=alert(1)>',
    "[click me](javascript:alert(1))",
    "```mermaid graph TD; A-->B ```",
    '<script src="https://evil.example/x.js"></script>',
    "<svg onload=alert(1)>",
    "<style>body{background:url(https://evil.example/t.png)}</style>",
    "javascript:alert(1)",
    "North/East", "North_East", "North East",
    "../../escape",
    "index", "manifest",
    '=HYPERLINK("http://evil.example")',
    "$\\frac{1}{0}$ $",
    "é" * 150,
]
HOSTILE_ITEMS = ["q01", "<img src=x onerror=alert(1)>", "=cmd", "$x$", "q05"]


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    sizes = {network_id: 12 for network_id in HOSTILE_REPORT_IDS} | {"tiny<b>": 5}
    r, n, items = write_survey(folder / "data", sizes, items=HOSTILE_ITEMS)
    before = snapshot(r, n)
    out = folder / "reports"
    done = subprocess.run([sys.executable, "-m", "inhd", "report", "--respondents", str(r), "--networks", str(n),
                           "--items", ",".join(items), "--out", str(out), "--quiet"], capture_output=True, text=True)
    return done, out, before, snapshot(r, n)


def _pages(out):
    return {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.html") if p.name != "index.html"}


def test_report_over_hostile_ids_succeeds_and_leaves_inputs_alone(hostile_reports):
    done, out, before, after = hostile_reports
    assert done.returncode == 0, done.stderr
    assert before == after


def test_f7_every_id_gets_its_own_report_listed_in_the_index(hostile_reports):
    done, out, _, _ = hostile_reports
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    by_network = {f["network_id"]: f["file"] for f in manifest["files"] if f["network_id"] is not None}
    assert set(by_network) == set(HOSTILE_REPORT_IDS) | {"tiny<b>"}
    assert len(set(by_network.values())) == len(by_network)
    index = (out / "index.html").read_text()
    assert all(f'href="{name}"' in index for name in by_network.values())
    assert all((out / name).resolve().parent == out.resolve() for name in by_network.values())


@pytest.mark.parametrize("network_id", HOSTILE_REPORT_IDS)
def test_f1_f9_report_pages_are_inert(hostile_reports, network_id):
    done, out, _, _ = hostile_reports
    name = {f["network_id"]: f["file"] for f in json.loads((out / MANIFEST_NAME).read_text())["files"]}[network_id]
    page = (out / name).read_text(encoding="utf-8")
    assert executable_content(page) == []
    text = page_text(page)
    assert network_id in text and all(item in text for item in HOSTILE_ITEMS)
    assert len(re.findall(r'<img src="data:image/png;base64,', page)) == 3   # one wave: no trend figure


def test_f1_index_and_every_page_carry_the_content_security_policy(hostile_reports):
    done, out, _, _ = hostile_reports
    for name, page in [*_pages(out).items(), ("index.html", (out / "index.html").read_text())]:
        assert executable_content(page) == [], name
        assert "default-src 'none'" in page


def test_f5_manifest_lists_every_file_with_its_sha256(hostile_reports):
    import hashlib

    done, out, _, _ = hostile_reports
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    files = {f["file"]: f["sha256"] for f in manifest["files"]}
    assert set(files) == {p.name for p in out.iterdir()} - {MANIFEST_NAME}
    assert all(hashlib.sha256((out / name).read_bytes()).hexdigest() == digest for name, digest in files.items())


def test_f9_a_5000_character_id_is_refused_before_any_report(tmp_path, capsys):
    r, n, items = write_survey(tmp_path / "data", {"N1": 12, "x" * 5000: 12})
    code, out, err = cli(["report", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out",
                          tmp_path / "out", "--quiet"], capsys)
    assert code == 2 and "5000 characters" in err, err
    no_traceback(out + err)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_f11_data_that_cannot_be_modelled_name_the_network(tmp_path, capsys):
    r, n, items = write_survey(tmp_path / "data", {"N1": 30, "LONE": 1}, rng=0)   # singular on main
    code, out, err = cli(["report", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out",
                          tmp_path / "out", "--quiet"], capsys)
    assert code == 2 and "LONE" in err and re.search(r"cannot be modelled|cannot fit", err), err
    no_traceback(out + err)


# ---------------------------------------------------------------------------------------------------
# Small groups and differencing (finding 2), through inhd report


def _numbers(page, heading):
    """The rows of the table after ``heading`` as lists of cell texts."""
    section = page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    table = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]


@pytest.fixture(scope="module")
def small_groups(tmp_path_factory):
    """A network of 9 alone in wave 2025; item q06 answered by 3 people of N1; N4 with 9 people."""
    folder = tmp_path_factory.mktemp("small")
    r, n, items = write_survey(folder / "data", {"N1": 40, "N2": 30, "N3": 25, "ALONE": 9, "N4": 9},
                               waves={"N1": [2023, 2024], "N2": [2023, 2024], "N3": [2024], "ALONE": [2025],
                                      "N4": [2023]})
    frame = pd.read_csv(r)
    frame.loc[(frame["network_id"] == "N1") & (np.arange(len(frame)) % 40 >= 3), "q06"] = np.nan
    frame.to_csv(r, index=False)
    out = folder / "reports"
    done = subprocess.run([sys.executable, "-m", "inhd", "report", "--respondents", str(r), "--networks", str(n),
                           "--items", ",".join(items), "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return r, n, items, out


def test_f2_a_network_alone_in_a_wave_is_not_shown_as_all_networks(small_groups):
    r, n, items, out = small_groups
    for name, page in _pages(out).items():
        waves = {row[0]: row for row in _numbers(page, "Trend across survey waves")}
        assert waves["2025"][3] == "suppressed", name        # the all-networks figure of wave 2025


def test_f2_an_item_answered_by_three_is_suppressed_in_every_report(small_groups):
    r, n, items, out = small_groups
    n1 = next(page for page in _pages(out).values() if "<h1>Network N1</h1>" in page)
    q06 = {row[0]: row for row in _numbers(n1, "Item profile")}["q06"]
    assert q06[2] == "suppressed"


def test_f2_differencing_published_figures_recovers_no_suppressed_group(small_groups):
    """All-networks figures times their counts equal the sum over the shown networks' published
    figures: nothing is left over for a suppressed group to be recovered from."""
    r, n, items, out = small_groups
    pages = _pages(out)
    shown = [p for p in pages.values() if "ranking" in p]
    any_page = next(iter(pages.values()))
    for heading, key in (("Item profile", items), ("Trend across survey waves", ["2023", "2024", "2025"])):
        pooled = {row[0]: row for row in _numbers(any_page, heading)}
        for label in key:
            all_cells = pooled[label][-2:] if heading == "Item profile" else pooled[label][3:5]
            if all_cells[0] == "suppressed":
                continue
            total, count = float(all_cells[0]) * int(all_cells[1]), int(all_cells[1])
            for page in shown:
                row = {r_[0]: r_ for r_ in _numbers(page, heading)}[label]
                cells = row[2:4] if heading == "Item profile" else row[1:3]
                if cells[0] != "suppressed":
                    total -= float(cells[0]) * int(cells[1])
                    count -= int(cells[1])
            assert count == 0, (heading, label)                  # no respondent left to recover
            assert abs(total) < 0.01 * 60, (heading, label)       # rounding of two-decimal means only


def test_f2_min_cell_75_leaves_no_network_alone_as_all_networks(tmp_path, capsys):
    r, n, items = write_survey(tmp_path / "data", {"BIG": 160, "MID": 80, "FOURTH": 60},
                               waves={"BIG": [2023, 2024], "MID": [2023], "FOURTH": [2026]})
    out = tmp_path / "out"
    code, _, err = cli(["report", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out", out,
                        "--min-cell", "75", "--quiet"], capsys)
    assert code == 0, err
    for page in _pages(out).values():
        waves = {row[0]: row for row in _numbers(page, "Trend across survey waves")}
        assert waves["2026"][3] == "suppressed"


# ---------------------------------------------------------------------------------------------------
# Ctrl-C (finding 5)


@pytest.mark.slow
def test_f5_ctrl_c_stops_inhd_report_within_seconds_and_leaves_no_manifest(tmp_path):
    r, n, items = write_survey(tmp_path / "data", [12] * 400)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "inhd", "report", "--respondents", str(r), "--networks", str(n),
                                "--items", ",".join(items), "--out", str(out), "--quiet"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (any(out.glob(".inhd-staging-*/*.html")) or any(out.glob("*.html"))):
        time.sleep(0.05)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("inhd report went on for 20 s after Ctrl-C")
    assert time.monotonic() - started < 5
    assert process.returncode == 130 and "interrupted" in err, err
    no_traceback(err)
    assert not (out / MANIFEST_NAME).exists() and not any(out.glob("*.html"))


@pytest.mark.slow
def test_f1_notebook_07_through_inhd_run_shows_a_hostile_id_as_text(tmp_path, capsys):
    """The network-report notebook displays the escaped sections of inhd.report_page, never Markdown."""
    hostile = '"><img src=x onerror=alert(1)> [x](javascript:alert(1)) ```mermaid'
    r, n, items = write_survey(tmp_path / "data", {hostile: 15, "N2": 14, "N3": 12})
    out = tmp_path / "out"
    code, _, err = cli(["run", "network-report", "--respondents", r, "--networks", n, "--items", ",".join(items),
                        "--out", out, "--quiet", "-p", f"network_id={json.dumps(hostile)}"], capsys)
    assert code == 0, err
    page = (out / "07_network_report.html").read_text(encoding="utf-8")
    assert executable_content(page) == []
    assert "default-src 'none'" in page and hostile in page_text(page)
    assert not re.search(r"<img[^>]*onerror", page) and 'href="javascript:' not in page
    tables = {p.name for p in (out / "tables").iterdir()}
    assert tables == {"networks.csv", "distribution.csv", "item_profile.csv", "trend.csv"}


def test_f11_answers_the_rating_scale_cannot_fit_are_named(tmp_path, capsys):
    """Everyone gives the same answer to every item: valid data, no rating-scale model."""
    r, n, items = write_survey(tmp_path / "data", {"N1": 12, "N2": 12})
    frame = pd.read_csv(r)
    frame[items] = 3
    frame.to_csv(r, index=False)
    code, out, err = cli(["report", "--respondents", r, "--networks", n, "--items", ",".join(items), "--out",
                          tmp_path / "out", "--quiet"], capsys)
    assert code == 2 and "rating-scale model cannot be fitted" in err, err
    no_traceback(out + err)
    assert not (tmp_path / "out").exists()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Chromium and ChromeDriver are not installed")
def test_f1_hostile_reports_run_nothing_in_a_browser(hostile_reports):
    """Each hostile page opened in headless Chromium: no alert, no script, nothing fetched but data: images,
    and the id shown as text."""
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service

    done, out, _, _ = hostile_reports
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        names = {f["network_id"]: f["file"] for f in json.loads((out / MANIFEST_NAME).read_text())["files"]}
        for network_id in HOSTILE_REPORT_IDS:
            driver.get((out / names[network_id]).as_uri())
            with pytest.raises(NoAlertPresentException):
                driver.switch_to.alert.text
            assert driver.execute_script("return document.scripts.length") == 0
            fetched = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            assert all(url.startswith("data:") for url in fetched), fetched
            assert driver.execute_script("return document.querySelectorAll('[onerror],[onload],a[href]').length") == 0
            assert network_id in driver.find_element("tag name", "h1").text
    finally:
        driver.quit()
