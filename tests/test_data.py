"""inhd.data: the survey-data contract, its validation and typed loading."""

import os
import re

import numpy as np
import pandas as pd
import pytest
from conftest import NETWORKS_CSV, RESPONDENTS_CSV

from inhd import DATA_DIR
from inhd.data import (
    NETWORK_COLUMNS, RESPONDENT_COLUMNS, InvalidSurveyData, Problem, ValidationReport, item_columns,
    load_networks, load_respondents, load_survey, validate,
)

R, N = RESPONDENTS_CSV, NETWORKS_CSV


def edit(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


# Each case: (respondents text, networks text, the expected problem, as it is printed).
BAD = {
    "missing required column": (
        R.replace(",gender", "").replace(",woman", "").replace(",man", "").replace(",undisclosed,", ","), N,
        "respondents.csv line 1, column gender: required column is missing"),
    "misspelt required column": (
        edit(R, "tenure_years", "tenure"), N,
        "column tenure_years: required column is missing (did you mean 'tenure'?"),
    "duplicate respondent_id": (
        edit(R, "R2,", "R1,"), N,
        "respondents.csv line 3, column respondent_id: 'R1' appears again (first on line 2): respondent_id must "
        "be unique"),
    "empty respondent_id": (edit(R, "R2,", ","), N, "line 3, column respondent_id: empty: every respondent needs"),
    "unknown network_id": (
        edit(R, "R2,N1", "R2,N9"), N,
        "respondents.csv line 3, column network_id: 'N9' is not a network_id of"),
    "network_id differing in case": (edit(R, "R2,N1", "R2,n1"), N, "'n1' is not a network_id of"),
    "duplicate network_id": (
        R, edit(N, "N2,", "N1,"),
        "networks.csv line 4, column network_id: 'N1' appears again (first on line 2)"),
    "item off the scale": (
        edit(R, "4,5,3\n", "9,5,3\n"), N, "respondents.csv line 2, column b01: 9 is outside the response scale 1-5"),
    "item zero": (edit(R, "4,5,3\n", "4,0,3\n"), N, "line 2, column b02: 0 is outside the response scale 1-5"),
    "item not an integer": (
        edit(R, "4,5,3\n", "3.5,5,3\n"), N,
        "line 2, column b01: 3.5 is not a whole number: responses are integers on the scale 1-5"),
    "item text": (
        edit(R, "4,5,3\n", "agree,5,3\n"), N,
        "line 2, column b01: 'agree' is not a response: write the integer code (1-5), or leave the cell empty"),
    "item NA code": (edit(R, "5,,4\n", "5,NA,4\n"), N, "line 4, column b02: 'NA' is not a response"),
    "text in a numeric column": (
        edit(R, "1,2,0.75", "1,two,0.75"), N,
        "line 2, column tenure_years: 'two' is not a number: tenure_years takes a number >= 0"),
    "decimal comma": (edit(R, "1,2,0.75", '1,"2,5",0.75'), N, "(use a point as the decimal separator)"),
    "text in networks' numeric column": (
        R, edit(N, "3.5,ta", "three,ta"), "networks.csv line 2, column duration_years: 'three' is not a number"),
    "negative tenure": (edit(R, "1,2,0.75", "1,-1,0.75"), N, "column tenure_years: -1 is below 0"),
    "intensity above 1.5": (
        edit(R, "0,1.5,man", "0,2,man"), N, "line 3, column intensity: 2 is above 1.5: intensity takes a number "
                                         "from 0 to 1.5"),
    "negative intensity": (edit(R, "0,1.5,man", "0,-0.5,man"), N, "column intensity: -0.5 is below 0"),
    "non-finite number": (edit(R, "0,1.5,man", "0,inf,man"), N, "column intensity: 'inf' is not a number"),
    "negative duration": (R, edit(N, "3.5,ta", "-1,ta"), "column duration_years: -1 is below 0"),
    "team_lead not 0/1": (edit(R, "2023,1,2", "2023,2,2"), N, "line 2, column team_lead: 2 is not 0 or 1"),
    "team_lead yes": (edit(R, "2023,1,2", "2023,yes,2"), N, "column team_lead: 'yes' is not a number: team_lead "
                                                          "takes 1 or 0"),
    "single_district not 0/1": (R, edit(N, "N1,1,", "N1,TRUE,"), "column single_district: 'TRUE' is not a number"),
    "wave not whole": (edit(R, "S1,2023,1", "S1,2023.5,1"), N, "line 2, column wave: 2023.5 is not a whole number"),
    "gender outside its set": (
        edit(R, "woman", "female"), N,
        "line 2, column gender: 'female' is not an allowed gender (one of woman, man, additional, undisclosed)"),
    "gender capitalised": (edit(R, "woman", "Woman"), N, "'Woman' is not an allowed gender (one of woman, man, "
                                                         "additional, undisclosed); did you mean 'woman'?"),
    "race outside its set": (edit(R, "latinx", "hispanic"), N,
                             "line 3, column race: 'hispanic' is not an allowed race"),
    "empty gender": (edit(R, "woman", ""), N,
                     "line 2, column gender: empty: every respondent needs a gender (write 'undisclosed'"),
    "empty race": (edit(R, "latinx", ""), N, "line 3, column race: empty: every respondent needs a race"),
    "empty tenure": (edit(R, "1,2,0.75", "1,,0.75"), N, "column tenure_years: empty: every respondent needs a "
                                                        "tenure_years (a number >= 0; inhd does not impute"),
    "archetype outside its set": (R, edit(N, "ewr", "wellbeing"), "networks.csv line 3, column archetype: "
                                                                   "'wellbeing' is not an allowed archetype"),
    "hub_type outside its set": (R, edit(N, ",other", ",university"), "column hub_type: 'university' is not an "
                                                                       "allowed hub_type"),
    "row with too few fields": (
        edit(R, "1,2,0.75,woman,white,4,5,3\n", "1,2,0.75,woman,white,4,5\n"), N,
        "respondents.csv line 2: this row has 11 fields but the header has 12: a truncated or damaged row"),
    "row with too many fields": (edit(R, "0,1.5,man", "0,1,5,man"), N, "line 3: this row has 13 fields"),
    "truncated networks file": (R, N[:-8], "networks.csv line 4: this row has 4 fields but the header has 5"),
    "row of commas": (R + ",,,,,,,,,,,\n", N, "line 5: the row is empty (only commas): delete it"),
    "header-only respondents": (R.splitlines(keepends=True)[0], N,
                                "respondents.csv line 1: no respondents: the file has a header but no data rows"),
    "header-only networks": (R, N.splitlines(keepends=True)[0], "networks.csv line 1: no networks"),
    "empty respondents file": ("", N, "respondents.csv: file is empty: expected a header row, then one row per "
                                      "respondent"),
    "blank respondents file": ("\n\n", N, "respondents.csv: file is empty"),
    "empty networks file": (R, "", "networks.csv: file is empty"),
    "not UTF-8": (edit(R, "S2", "Sé").encode("latin-1"), N,
                  "respondents.csv line 4: byte 0xe9 is not valid UTF-8"),
    "UTF-16": (R.encode("utf-16"), N, "the file is UTF-16 encoded"),
    "unclosed quote": (edit(R, "R2,N1,S1", 'R2,N1,"S1'), N,
                       "line 3: the CSV cannot be parsed here (unexpected end of data)"),
    "nameless column": (R.replace("\n", ",\n"), N, "line 1: column 13 of the header has no name"),
    "column named twice": (edit(R, "b03", "b01"), N, "line 1, column b01: column name appears twice in the header "
                                                      "(columns 10 and 12)"),
    "files swapped": (N, R, "this does not look like a respondents table"),
    "semicolon separators": (R.replace(",", ";"), N, "respondents.csv line 1: the columns are separated by "
                                                    "semicolons (;), not commas"),
    "tab separators": (R, N.replace(",", "\t"), "networks.csv line 1: the columns are separated by tabs"),
}


@pytest.mark.parametrize("case", BAD)
def test_every_problem_is_reported(survey_files, case):
    respondents, networks, expected = BAD[case]
    r, n = survey_files(respondents, networks)
    report = validate(r, n)
    assert not report.ok and report.n_problems >= 1
    shown = report.summary()
    assert expected in shown, shown
    with pytest.raises(InvalidSurveyData, match=re.escape(expected)) as caught:
        load_survey(r, n)
    assert isinstance(caught.value, ValueError)
    assert caught.value.report.n_problems == report.n_problems


@pytest.mark.parametrize("name", ["missing.csv", "folder"])
def test_missing_or_unreadable_file(tmp_path, survey_files, name):
    _, n = survey_files()
    (tmp_path / "folder").mkdir()
    report = validate(tmp_path / name, n)
    assert report.n_problems == 1
    expected = "file not found (looked for" if name == "missing.csv" else "is a folder, not a CSV file"
    assert str(report.problems[0]).startswith(f"{tmp_path / name}: {expected}")
    with pytest.raises(InvalidSurveyData, match=re.escape(expected)):
        load_survey(tmp_path / name, n)


def test_unreadable_file(survey_files, monkeypatch):
    import builtins

    r, n = survey_files()
    real = builtins.open

    def denied(path, *args, **kwargs):            # the file is opened (streamed), never read whole
        if str(path) == str(r):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    report = validate(r, n)
    assert [str(p) for p in report.problems] == [f"{r}: cannot be read: permission denied"]


def test_problem_fields_name_file_line_column_value(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "9,5,3\n"))
    (problem,) = validate(r, n).problems
    assert problem == Problem(str(r), 2, "b01", "9", "9 is outside the response scale 1-5")
    assert str(problem) == f"{r} line 2, column b01: 9 is outside the response scale 1-5"


def test_all_problems_at_once_in_line_order(survey_files):
    bad = edit(edit(edit(R, "4,5,3\n", "9,5,3\n"), "latinx", "hispanic"), "R2,N1", "R2,N9")
    r, n = survey_files(bad, edit(N, "ewr", "x"))
    report = validate(r, n)
    assert [(p.file, p.line, p.column) for p in report.problems] == [
        (str(r), 2, "b01"), (str(r), 3, "network_id"), (str(r), 3, "race"), (str(n), 3, "archetype")]
    assert report.n_problems == 4


def test_problems_capped_with_a_count_of_the_rest(survey_files):
    rows = "".join(f"X{i},N1,S1,2023,0,1,1,man,white,7,7,7\n" for i in range(30))
    r, n = survey_files(R + rows)
    report = validate(r, n, max_problems=50)
    assert report.n_problems == 90 and len(report.problems) == 50
    assert report.summary().splitlines()[51] == "  ... and 40 more"
    assert [p.line for p in report.problems[:4]] == [5, 5, 5, 6]        # the first ones, in order
    assert len(validate(r, n, max_problems=None).problems) == 90
    assert "\n  ... and 87 more\n" in validate(r, n, max_problems=3).summary()


def test_unknown_network_reported_once_with_its_count(survey_files):
    r, n = survey_files(R.replace(",N1,", ",N9,"))
    report = validate(r, n)
    assert report.n_problems == 1
    assert "'N9' is not a network_id of" in report.summary() and "(2 respondents; this is the first)" in \
        report.summary()


def test_line_numbers_count_quoted_newlines_and_blank_lines(survey_files):
    text = edit(R, "R2,N1,S1", 'R2,N1,"School\nwith a line break"') + "\nR4,N1,S1,2023,0,1,1,man,white,1,1,6\n"
    r, n = survey_files(text.replace("\n", "\r\n"))
    report = validate(r, n)
    # R2 starts on line 3 and takes two lines; 007 on line 5; a blank line 6; R4 on line 7
    assert [(p.line, p.column, p.value) for p in report.problems] == [(7, "b03", "6")]


def test_valid_survey_loads_typed(survey_files):
    r, n = survey_files()
    survey = load_survey(r, n)
    assert survey.summary() == "OK: 3 respondents in 2 networks, 3 items (scale 1-5)\n" \
        "note: 1 network(s) of " + str(n) + " have no respondents: N2"
    resp, nets = survey.respondents, survey.networks
    assert list(resp.columns) == list(RESPONDENT_COLUMNS) + ["b01", "b02", "b03"]
    assert survey.items == ("b01", "b02", "b03")
    for col in ["respondent_id", "network_id", "school_id", "gender", "race"]:
        assert pd.api.types.is_string_dtype(resp[col]), col
    for col in ["wave", "team_lead", "b01", "b02", "b03"]:
        assert resp[col].dtype == "Int64", col
    for col in ["tenure_years", "intensity"]:
        assert resp[col].dtype == "float64", col
    assert resp["respondent_id"].tolist() == ["R1", "R2", "007"]          # kept exactly, not 7
    assert resp["network_id"].tolist() == ["N1", "N1", "007"]
    assert resp["b02"].isna().tolist() == [False, False, True]             # unanswered, not imputed
    assert resp["b01"].tolist() == [4, 1, 5]
    assert resp["intensity"].tolist() == [0.75, 1.5, 0.0]
    assert resp["gender"].tolist() == ["woman", "man", "undisclosed"]
    assert list(nets.columns) == list(NETWORK_COLUMNS)
    assert nets["network_id"].tolist() == ["N1", "007", "N2"]
    assert nets["single_district"].dtype == "Int64" and nets["duration_years"].dtype == "float64"
    assert nets["archetype"].tolist() == ["instructional", "ewr", "psm"]
    assert isinstance(resp.index, pd.RangeIndex)


def test_labels_kept_exactly_and_ids_matched_exactly(survey_files):
    r, n = survey_files(edit(R, "R1,N1", " R1 ,N1"))
    resp = load_survey(r, n).respondents
    assert resp["respondent_id"].iloc[0] == " R1 "
    r, n = survey_files(edit(R, "R1,N1", "R1, N1"))
    assert "' N1' is not a network_id of" in str(validate(r, n)) and "did you mean 'N1'?" in str(validate(r, n))


def test_whole_numbers_written_with_decimals_and_spaces_are_accepted(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "4.0, 5 ,3\n"))
    assert load_survey(r, n).respondents.loc[0, ["b01", "b02"]].tolist() == [4, 5]


def test_byte_order_mark_and_crlf(survey_files):
    r, n = survey_files(("\ufeff" + R).replace("\n", "\r\n"), N.replace("\n", "\r\n"))
    survey = load_survey(r, n)
    assert survey.respondents.columns[0] == "respondent_id"
    assert survey.respondents["b03"].tolist() == [3, 2, 4]


def test_optional_columns_may_be_absent_or_empty(survey_files):
    no_optional = "\n".join(",".join(f for j, f in enumerate(line.split(",")) if j not in (2, 3))
                            for line in R.splitlines()) + "\n"
    r, n = survey_files(no_optional)
    assert "school_id" not in load_survey(r, n).respondents
    r, n = survey_files(edit(R, "R2,N1,S1", "R2,N1,"))
    report = validate(r, n)
    assert report.ok and "1 respondent(s) have no school_id" in report.notes
    assert load_survey(r, n).respondents["school_id"].isna().tolist() == [False, True, False]


def test_scale(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "4,7,0\n"))
    assert validate(r, n, scale=(0, 7)).ok
    report = validate(r, n)
    assert [p.message for p in report.problems] == ["7 is outside the response scale 1-5",
                                                    "0 is outside the response scale 1-5"]


@pytest.mark.parametrize("scale", [(5, 1), (1, 1), (1.0, 5), "1-5", (1, 2, 3), None])
def test_bad_scale_argument(survey_files, scale):
    r, n = survey_files()
    with pytest.raises(ValueError, match="scale must be"):
        validate(r, n, scale=scale)


def test_named_items(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "4,5,x\n"))              # b03 is broken but not named
    report = validate(r, n, items=["b02", "b01"])
    assert report.ok and report.items == ("b01", "b02")              # file order
    assert any("ignored: b03" in note for note in report.notes)
    survey = load_survey(r, n, items=["b01", "b02"])
    assert "b03" not in survey.respondents and survey.items == ("b01", "b02")
    assert item_columns(survey.respondents) == ["b01", "b02"]


@pytest.mark.parametrize("items, expected", [
    (["b01", "b09"], "respondents.csv line 1, column b09: is named as an item but is not in the header"),
    (["b01", "b1"], "did you mean 'b01'?"),
    (["gender"], "column gender: is a contract column"),
    (["b01", "b01"], "column b01: is named twice in items"),
])
def test_named_items_problems(survey_files, items, expected):
    r, n = survey_files()
    assert expected in str(validate(r, n, items=items))
    with pytest.raises(InvalidSurveyData, match=re.escape(expected)):
        load_survey(r, n, items=items)


@pytest.mark.parametrize("items, error", [("b01,b02", TypeError), ([1, 2], TypeError), ([], ValueError)])
def test_bad_items_argument(survey_files, items, error):
    r, n = survey_files()
    with pytest.raises(error, match="items"):
        validate(r, n, items=items)


def test_no_item_columns(survey_files):
    text = "\n".join(line.rsplit(",", 3)[0] for line in R.splitlines()) + "\n"
    r, n = survey_files(text)
    assert "no item columns" in str(validate(r, n))


def test_respondents_answering_nothing_are_noted_not_dropped(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", ",,\n"))
    survey = load_survey(r, n)
    assert len(survey.respondents) == 3
    assert "1 respondent(s) answered none of the 3 items (kept; they cannot be measured)" in survey.report.notes


def test_extra_network_columns_kept_as_text(survey_files):
    nets = N.replace("\n", ",x\n").replace("hub_type,x", "hub_type,launch_year").replace("N2,0,psm,4,other,x",
                                                                                           "N2,0,psm,4,other,")
    r, n = survey_files(networks=nets)
    frame = load_networks(n)
    assert frame["launch_year"].tolist()[:2] == ["x", "x"] and pd.isna(frame["launch_year"].iloc[2])


def test_load_respondents_and_networks_alone(survey_files):
    r, n = survey_files(edit(R, "R2,N1", "R2,N9"))
    assert load_respondents(r)["network_id"].tolist() == ["N1", "N9", "007"]   # no networks table to check
    assert load_networks(n)["network_id"].tolist() == ["N1", "007", "N2"]
    with pytest.raises(InvalidSurveyData, match="line 2, column b01: 9 is outside the response scale 1-5"):
        load_respondents(survey_files(edit(R, "4,5,3\n", "9,5,3\n"))[0])
    with pytest.raises(InvalidSurveyData, match="'x' is not an allowed archetype"):
        load_networks(survey_files(networks=edit(N, "ewr", "x"))[1])


def test_item_columns():
    frame = pd.DataFrame(columns=["respondent_id", "network_id", "gender", "q1", "q2"])
    assert item_columns(frame) == ["q1", "q2"]
    assert item_columns(frame, ["q2"]) == ["q2"]
    with pytest.raises(ValueError, match=r"items \['q3'\] are not columns"):
        item_columns(frame, ["q3"])
    with pytest.raises(ValueError, match="contract columns"):
        item_columns(frame, ["gender"])


def test_report_is_frozen(survey_files):
    report = validate(*survey_files())
    assert isinstance(report, ValidationReport) and report.ok and report.n_problems == 0
    with pytest.raises(AttributeError):
        report.n_problems = 3


@pytest.mark.parametrize("respondents, networks", [(R, N), (edit(R, "4,5,3\n", "9,x,3.5\n"), edit(N, "\n", ",\n"))])
def test_input_files_unchanged(survey_files, respondents, networks):
    r, n = survey_files(respondents, networks)
    os.utime(r, (1_000_000_000, 1_000_000_000))
    os.utime(n, (1_000_000_000, 1_000_000_000))
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in (r, n)]
    validate(r, n)
    try:
        load_survey(r, n, items=["b01"])
    except InvalidSurveyData:
        pass
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in (r, n)] == before


@pytest.mark.parametrize("stem, n_respondents, n_items", [("participatory_benefits", 2073, 11),
                                                          ("network_health", 6215, 49)])
def test_shipped_synthetic_data_meet_the_contract(stem, n_respondents, n_items):
    survey = load_survey(DATA_DIR / f"{stem}_respondents_SYNTHETIC.csv", DATA_DIR / f"{stem}_networks_SYNTHETIC.csv")
    assert (survey.report.n_persons, survey.report.n_networks, survey.report.n_items) == \
        (n_respondents, 34, n_items)
    frame = survey.respondents
    assert frame["respondent_id"].is_unique
    # the typed frame holds the file's values: compare with an independent pandas read
    raw = pd.read_csv(DATA_DIR / f"{stem}_respondents_SYNTHETIC.csv", dtype=str, keep_default_na=False)
    assert frame["respondent_id"].tolist() == raw["respondent_id"].tolist()
    items = list(survey.items)
    np.testing.assert_array_equal(frame[items].to_numpy(dtype=float, na_value=np.nan),
                                  raw[items].replace("", np.nan).astype(float).to_numpy())


def test_readme_documents_every_contract_column():
    text = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    section = text[text.index("<!-- BEGIN data contract"):text.index("<!-- END data contract -->")]
    for col in [*RESPONDENT_COLUMNS.values(), *NETWORK_COLUMNS.values()]:
        row = next((line for line in section.splitlines() if line.startswith(f"| `{col.name}` |")), None)
        assert row is not None, f"data/README.md does not document column {col.name}"
        for value in col.allowed or ():
            assert f"`{value}`" in row, (col.name, value)
        assert ("| yes |" in row) == col.required, col.name
