"""Publishing output folders: lock, staging, whole publication, names, shareable CSV, inert HTML."""

import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from inhd.publish import (CONTENT_SECURITY_POLICY, INDEX_NAME, LOCK_NAME, MANIFEST_NAME, STAGING_PREFIX, Entry,
                          FolderLocked, OutputFolder, OutputFolderError, check_file_name, escape, file_names,
                          html_page, index_page, neutralise, neutralise_csv_file, shareable, write_shareable_csv)

HOSTILE_IDS = ["N01", "North/East", "North_East", "North East", "north east", "..", ".", "", "index", "INDEX",
               "manifest", "CON", "nul.txt", "a" * 5000, "a" * 61, "a" * 60, "../../etc/passwd", "C:\\Windows",
               "=cmd|' /C calc'!A0", "<script>alert(1)</script>", "Réseau", "Re\u0301seau", "\u202eevil", "x\x00y",
               "tables", ".hidden", "-dash", "N01 ", " N01"]


def test_file_names_are_distinct_safe_and_short():
    names = file_names(HOSTILE_IDS)
    assert len(names) == len(set(HOSTILE_IDS))
    assert len({n.lower() for n in names.values()}) == len(names)        # distinct even without case
    for name in names.values():
        assert check_file_name(name) == name and len(name) <= 60 + 11 + 5 and "/" not in name
        assert name.lower() not in (INDEX_NAME, MANIFEST_NAME)
    assert names["N01"] == "N01.html" and names["a" * 60] == "a" * 60 + ".html"
    assert names["a" * 5000] != names["a" * 61]


def test_file_names_are_stable_across_runs():
    alone = file_names(["North/East"])["North/East"]
    assert file_names(["N9", "North/East", "z"])["North/East"] == alone
    assert alone == f"North_East-{hashlib.sha256(b'North/East').hexdigest()[:10]}.html"
    # a crafted id equal to another id's hashed name does not take its file
    crafted = alone.removesuffix(".html")
    names = file_names(["North/East", crafted])
    assert names["North/East"] == alone and names[crafted] != alone


@pytest.mark.parametrize("name", ["../x.html", "/etc/passwd", ".hidden", "a/../../b", "", "x\\y", "a b.html",
                                  "tables/../../x.csv"])
def test_check_file_name_refuses_paths_that_leave_the_folder(name):
    with pytest.raises(ValueError, match="not a safe output file name"):
        check_file_name(name)


@pytest.mark.parametrize("cell, expected", [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\r=x", "'\r=x"), ("-1.5", "-1.5"), ("+3", "+3"), ("-1e-3", "-1e-3"), ("N01", "N01"), ("a=b", "a=b"),
    ("", ""), ("-", "'-"), ("'=x", "'=x"),
])
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_shareable_csv_neutralises_cells_and_headers_but_not_numbers(tmp_path):
    table = pd.DataFrame({"network_id": ["=HYPERLINK(\"http://evil\")", "N1"], "estimate": [-0.5, 1.25],
                          "@item": ["-1", "+x"]})
    path = write_shareable_csv(table, tmp_path / "t.csv")
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows[0] == ["network_id", "estimate", "'@item"]
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "-0.5", "-1"]
    assert rows[2] == ["N1", "1.25", "'+x"]
    assert table.loc[0, "network_id"].startswith("=")                  # the input is not modified
    assert shareable(table).shape == table.shape


def test_neutralise_csv_file_in_place(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('network_id,n\n"=1+2",12\n-3,4\n"@x, y",5\n')
    assert neutralise_csv_file(path) == 2
    assert list(csv.reader(io.StringIO(path.read_text()))) == [["network_id", "n"], ["'=1+2", "12"], ["-3", "4"],
                                                                 ["'@x, y", "5"]]
    assert neutralise_csv_file(path) == 0


def test_html_page_is_inert():
    page = html_page('<script>alert("t")</script>', f"<p>{escape('<img src=x onerror=alert(1)>')}</p>")
    assert "<script" not in page and "<img" not in page
    assert f'content="{CONTENT_SECURITY_POLICY}"' in page and "default-src 'none'" in page
    assert escape("a\x00b\u202ec") == "a\ufffdb\ufffdc"


def _publish_two(folder):
    folder.stage("N1.html").write_text("one")
    folder.stage("tables/x.csv").write_text("a\n")
    return folder.publish([Entry("N1.html", "N1"), Entry("tables/x.csv")], title="Reports")


def test_the_index_counts_itself_as_the_manifest_does_and_shows_networks_only_when_there_are_some():
    # newcomer trial: inhd run's index said "6 file(s)" beside a manifest of n_files 7, with an empty network column
    page = index_page([Entry("a.html"), Entry("tables/b.csv")], title="inhd run x")
    assert f"2 files below, and this index: <code>{MANIFEST_NAME}</code> lists all 3 with their SHA-256" in page
    assert "<th>network</th>" not in page and "<td></td>" not in page
    page = index_page([Entry("N1.html", "N1"), Entry("a.html")], title="reports")
    assert "<th>network</th>" in page and "<tr><td>N1</td>" in page and "<tr><td></td>" in page


def test_publish_moves_everything_then_index_then_manifest(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out) as folder:
        assert (out / LOCK_NAME).is_file() and folder.staging.parent == out
        manifest = _publish_two(folder)
    document = json.loads(manifest.read_text())
    files = {f["file"]: f for f in document["files"]}
    assert set(files) == {"N1.html", "tables/x.csv", INDEX_NAME}
    assert files["N1.html"]["network_id"] == "N1"
    for name, entry in files.items():
        assert entry["sha256"] == hashlib.sha256((out / name).read_bytes()).hexdigest()
    assert sorted(p.name for p in out.iterdir()) == sorted(["N1.html", "tables", INDEX_NAME, MANIFEST_NAME])
    assert 'href="N1.html"' in (out / INDEX_NAME).read_text()
    assert f"all {document['n_files']} with" in (out / INDEX_NAME).read_text()      # the same count as the manifest
    # the manifest is the newest file: written last
    assert max(out.rglob("*"), key=lambda p: p.stat().st_mtime_ns).name == MANIFEST_NAME


def test_a_run_that_fails_publishes_nothing_and_leaves_no_manifest(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        with OutputFolder(out) as folder:
            folder.stage("N1.html").write_text("one")
            raise KeyboardInterrupt
    assert not out.exists()                     # created by the run, left empty: removed again
    out.mkdir()
    with pytest.raises(RuntimeError):
        with OutputFolder(out, force=True) as folder:
            raise RuntimeError
    assert out.is_dir() and list(out.iterdir()) == []     # a folder that was there stays


def test_second_run_refused_while_the_first_holds_the_lock(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out):
        with pytest.raises(FolderLocked, match="another inhd run is writing into"):
            OutputFolder(out, force=True).__enter__()
        code = ("import sys; from inhd.publish import OutputFolder, FolderLocked\n"
                "try:\n    OutputFolder(sys.argv[1], force=True).__enter__()\n"
                "except FolderLocked as err:\n    print(err); sys.exit(3)\n")
        other = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True)
        assert other.returncode == 3 and "another inhd run" in other.stdout
    with OutputFolder(out):                     # released on leaving
        pass
    assert not (out / LOCK_NAME).exists()


def test_non_empty_folder_needs_force_and_force_replaces_the_previous_set(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out) as folder:
        _publish_two(folder)
    with pytest.raises(FileExistsError, match="not empty.*--force"):
        OutputFolder(out).__enter__()
    (out / "notes.txt").write_text("mine")
    with OutputFolder(out, force=True) as folder:
        folder.stage("N2.html").write_text("two")
        folder.publish([Entry("N2.html", "N2")], title="Reports")
    names = {f["file"] for f in json.loads((out / MANIFEST_NAME).read_text())["files"]}
    assert names == {"N2.html", INDEX_NAME}
    assert not (out / "N1.html").exists() and not (out / "tables" / "x.csv").exists()   # the old set is gone
    assert (out / "notes.txt").read_text() == "mine"                                    # what is not ours stays


def test_folder_holding_an_input_is_refused_even_with_force(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "respondents.csv").write_text("x")
    for out in (data, tmp_path):
        with pytest.raises(OutputFolderError, match="holds the input file.*even with --force"):
            OutputFolder(out, inputs=[data / "respondents.csv"], force=True)
    link = tmp_path / "elsewhere"
    link.symlink_to(data)
    with pytest.raises(OutputFolderError, match="holds the input file"):
        OutputFolder(link, inputs=[data / "respondents.csv"], force=True)
    OutputFolder(data / "reports", inputs=[data / "respondents.csv"])    # beside the input is fine


def test_out_below_a_file_or_a_file_is_refused_with_a_sentence(tmp_path):
    (tmp_path / "f.csv").write_text("x")
    with pytest.raises(OutputFolderError, match="lies below .*f.csv, which is a file"):
        OutputFolder(tmp_path / "f.csv" / "reports")
    with pytest.raises(OutputFolderError, match="it is a file"):
        OutputFolder(tmp_path / "f.csv")


@pytest.mark.parametrize("name", ["../escape.html", "/tmp/x.html", ".inhd.lock", "a/../../b.html"])
def test_stage_refuses_names_outside_the_folder(tmp_path, name):
    with OutputFolder(tmp_path / "out") as folder:
        with pytest.raises(ValueError, match="not a safe output file name"):
            folder.stage(name)


def test_staged_symlink_is_refused_and_published_files_never_follow_links(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "N1.html").symlink_to(victim)        # a link planted where a report will go
    with OutputFolder(out, force=True) as folder:
        folder.stage("N1.html").write_text("report")
        folder.publish([Entry("N1.html", "N1")], title="Reports")
        os.symlink(victim, folder.staging / "evil.html")
        with pytest.raises(OutputFolderError, match="symbolic link"):
            folder.staged_files()
    assert victim.read_text() == "precious" and not (out / "N1.html").is_symlink()


def test_stale_staging_of_a_killed_run_is_cleared(tmp_path):
    out = tmp_path / "out"
    (out / (STAGING_PREFIX + "old")).mkdir(parents=True)
    (out / (STAGING_PREFIX + "old") / "N1.html").write_text("half")
    with OutputFolder(out) as folder:          # only a stale staging folder: the folder counts as empty
        assert [p.name for p in out.iterdir() if p.name != LOCK_NAME] == [folder.staging.name]


def test_keep_moves_one_file_without_a_manifest(tmp_path):
    out = tmp_path / "out"
    with OutputFolder(out) as folder:
        folder.stage("07_network_report.ipynb").write_text("{}")
        folder.keep("07_network_report.ipynb")
    assert (out / "07_network_report.ipynb").is_file() and not (out / MANIFEST_NAME).exists()


def test_shareable_csv_file_suppresses_a_group_row_drawn_on_too_few_respondents(tmp_path):
    # a network large over all waves, whose row describes one wave it has 4 respondents in
    from inhd.publish import shareable_csv_file

    path = tmp_path / "network_eb.csv"
    path.write_text("network_id,measure,n_persons,mean\nN1,m,30,0.1\nN2,m,4,0.5\nN3,m,,0.7\n")
    shareable_csv_file(path, group_sizes={"network_id": {"N1": 30, "N2": 60, "N3": 25}}, min_cell=10)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows == [["network_id", "measure", "n_persons", "mean", "suppressed"],     # labels stay
                    ["N1", "m", "30", "0.1", "False"], ["N2", "m", "", "", "True"], ["N3", "m", "", "0.7", "False"]]
    items = tmp_path / "items.csv"                 # model parameters (no group column): kept as they are
    items.write_text("item,n_persons,difficulty\na,3,0.2\n")
    shareable_csv_file(items, group_sizes={"network_id": {"N1": 30}}, min_cell=10)
    assert items.read_text() == "item,n_persons,difficulty\na,3,0.2\n"


def test_shareable_csv_file_suppresses_small_groups_and_keeps_text(tmp_path):
    from inhd.publish import shareable_csv_file

    path = tmp_path / "network_eb.csv"
    path.write_text(",network_id,mean,se\n0,N1,0.100,0.2\n1,=N2,-1.5e-3,0.3\n2,N3,0.7,0.1\n")
    shareable_csv_file(path, group_sizes={"network_id": {"N1": 30, "=N2": 12, "N3": 9}}, min_cell=10)
    rows = list(csv.reader(io.StringIO(path.read_text())))
    assert rows == [["", "network_id", "mean", "se", "suppressed"],
                    ["0", "N1", "0.100", "0.2", "False"],          # digits as written
                    ["1", "'=N2", "-1.5e-3", "0.3", "False"],
                    ["", "N3", "", "", "True"]]
    plain = tmp_path / "reliability.csv"
    plain.write_text("quantity,value\n@x,0.9\n")
    shareable_csv_file(plain, group_sizes={"network_id": {}})
    assert plain.read_text() == "quantity,value\n'@x,0.9\n"        # no group column: only neutralised
