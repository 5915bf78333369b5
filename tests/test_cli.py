"""inhd.cli: the ``inhd`` command line (argument parsing; the checks themselves are tested in test_data)."""

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NETWORKS_CSV, RESPONDENTS_CSV

from inhd import DATA_DIR
from inhd.cli import build_parser, main, parse_items, parse_reference, parse_scale

R, N = RESPONDENTS_CSV, NETWORKS_CSV
ITEMS = "b01,b02,b03"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_validate_ok(survey_files, capsys):
    r, n = survey_files()
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--networks", str(n), "--items", ITEMS)
    assert code == 0
    assert out.splitlines()[0] == "OK: 3 respondents in 2 networks, 3 items (scale 1-5)"


def test_validate_shipped_synthetic_data(capsys):
    code, out, _ = run(capsys, "validate",
                       "--respondents", str(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv"),
                       "--networks", str(DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv"))
    assert code == 0 and out.splitlines()[0] == "OK: 2073 respondents in 34 networks, 11 items (scale 1-5)"
    assert "the 11 item column(s) of this shipped SYNTHETIC cohort were taken by their values" in out


@pytest.mark.parametrize("respondents, networks, expected", [
    (R.replace("4,5,3\n", "9,5,3\n"), N, "respondents.csv line 2, column b01: 9 is outside the response scale 1-5"),
    (R.replace("R2,", "R1,"), N, "line 3, column respondent_id: 'R1' appears again (first on line 2)"),
    (R.replace("R2,N1", "R2,N9"), N, "line 3, column network_id: 'N9' is not a network_id of"),
    (R.replace(",1,2,0.75", ",2,2,0.75"), N, "line 2, column team_lead: 2 is not 0 or 1"),
    (R.replace(",2,0.75", ",two,0.75"), N, "line 2, column tenure_years: 'two' is not a number"),
    (R.replace("4,5,3\n", "4,5\n"), N, "respondents.csv line 2: this row has 11 fields but the header has 12"),
    (R.splitlines(keepends=True)[0], N, "no respondents: the file has a header but no data rows"),
    (R, "", "networks.csv: file is empty"),
    (R.replace("S2", "Sé").encode("latin-1"), N, "respondents.csv line 4: byte 0xe9 is not valid UTF-8"),
])
def test_validate_invalid_exits_2_naming_the_problem(survey_files, capsys, respondents, networks, expected):
    r, n = survey_files(respondents, networks)
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--networks", str(n), "--items", ITEMS)
    assert code == 2
    assert out.startswith("INVALID: ")
    assert expected in out


def test_validate_missing_file(tmp_path, capsys):
    code, out, _ = run(capsys, "validate", "--respondents", str(tmp_path / "r.csv"),
                       "--networks", str(tmp_path / "n.csv"))
    assert code == 2
    assert "INVALID: 2 problems" in out and f"{tmp_path / 'r.csv'}: file not found" in out


def test_validate_groups_the_listing(survey_files, capsys):
    rows = "".join(f"X{i},N1,S1,2023,0,1,1,man,white,{7 if i % 3 == 0 else 2},2,2\n" for i in range(30))
    r, n = survey_files(R + rows)
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--networks", str(n), "--items", ITEMS)
    lines = out.splitlines()
    assert code == 2 and lines[0].startswith("INVALID: 10 problems")
    assert lines[1] == "hint: 10 responses lie outside the scale 1-5; the item columns hold whole numbers from 1 " \
        "to 7: if that is the response scale, say so (--scale 1-7, or scale=(1, 7))"
    assert lines[2] == f"{r}, column b01: 10 problems: outside the response scale 1-5"
    assert sum(" is outside the response scale 1-5" in line for line in lines) == 3
    assert "  ... and 7 more like these" in lines


def test_validate_items_and_scale(survey_files, capsys):
    r, n = survey_files(R.replace("4,5,3\n", "4,7,x\n"))
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--networks", str(n),
                       "--items", "b01, b02", "--scale", "1-7")
    assert code == 0
    assert out.startswith("OK: 3 respondents in 2 networks, 2 items (scale 1-7)")
    assert "note: 1 column(s) of" in out and "not used (neither items nor covariates): b03" in out
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--networks", str(n), "--items", "b01,b09")
    assert code == 2 and "column b09: is named as an item but is not in the header" in out


@pytest.mark.parametrize("argv, message", [
    (["validate", "--networks", "n.csv"], "the following arguments are required: --respondents"),
    (["validate", "--respondents", "r.csv", "--networks", "n.csv", "--scale", "5-1"], "is not a response scale"),
    (["validate", "--respondents", "r.csv", "--networks", "n.csv", "--scale", "five"], "is not a response scale"),
    (["validate", "--respondents", "r.csv", "--networks", "n.csv", "--items", ","], "name at least one item"),
    (["report", "--respondents", "r.csv", "--networks", "n.csv", "--out", "o"],
     "the following arguments are required: --items"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["validate", "--respondents", "r.csv", "--reference", "gender"], "is not a reference category"),
    (["run", "x", "--respondents", "r.csv", "--out", "o", "--method", "ml"], "invalid choice: 'ml'"),
])
def test_bad_usage_exits_2(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "validate" in err


def test_argument_parsers():
    assert parse_scale("1-5") == (1, 5) and parse_scale("0 - 4") == (0, 4)
    assert parse_items(" a, b,,c ") == ["a", "b", "c"]
    assert parse_reference("education=high school") == ("education", "high school")
    assert build_parser().parse_args(["validate", "--respondents", "r", "--networks", "n"]).scale == (1, 5)


def test_input_files_unchanged(survey_files, capsys):
    r, n = survey_files(R.replace("4,5,3\n", "9,x,3\n"))
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in (r, n)]
    run(capsys, "validate", "--respondents", str(r), "--networks", str(n), "--items", "b01")
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in (r, n)] == before


def test_console_script(survey_files):
    script = Path(sys.executable).parent / "inhd"
    if not script.exists():
        pytest.skip(f"the inhd console script is not installed beside {sys.executable}")
    r, n = survey_files()
    done = subprocess.run([str(script), "validate", "--respondents", str(r), "--networks", str(n), "--items", ITEMS],
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.splitlines()[0]) == (0, "OK: 3 respondents in 2 networks, 3 items (scale 1-5)")
    r.write_text(R.replace("4,5,3\n", "9,5,3\n"))
    done = subprocess.run([str(script), "validate", "--respondents", str(r), "--networks", str(n), "--items", ITEMS],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "line 2, column b01: 9 is outside the response scale 1-5" in done.stdout


def test_validate_survey_options(survey_files, capsys, tmp_path):
    r, n = survey_files()
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--items", ITEMS, "--reverse", "b01",
                       "--person-covariates", "gender", "--reference", "gender=man")
    assert code == 0 and out.startswith("OK: 3 respondents in 2 networks, 3 items (scale 1-5)")
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--networks", str(n), "--items", ITEMS,
                       "--reverse", "b09",
                       "--reference", "gender=martian", "--person-covariates", "gender")
    assert code == 2 and "column b09: is named as reverse-keyed but is not an item" in out
    assert "the reference category 'martian' does not occur in gender" in out
    code, _, err = run(capsys, "validate", "--respondents", str(r), "--network-covariates", "hub_type")
    assert code == 2 and "need a networks table" in err
    m = tmp_path / "m.csv"
    m.write_text("measure,name,domain,items\nx,X,,b01;b02;b03\n")
    code, out, _ = run(capsys, "validate", "--respondents", str(r), "--measures", str(m))
    assert code == 0 and "3 items" in out


@pytest.mark.parametrize("command", ["validate", "run"])
def test_items_help_says_what_happens_without_items(survey_files, capsys, command):
    # newcomer trial: --help said --items defaults to "every other column holding responses on the scale", while
    # validation refuses data without --items and suggests the exact --items to paste
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "every other column holding responses" not in text
    assert "other data are refused: inhd does not choose items by their values" in text
    r, n = survey_files()
    code, out, err = run(capsys, "validate", "--respondents", str(r), "--networks", str(n))
    said = out + err
    assert code != 0 and "inhd does not choose items by their values" in said and "--items b01,b02,b03" in said
