"""inhd.data: the survey-data contract, its validation and typed loading."""

import os
import re

import numpy as np
import pandas as pd
import pytest
from conftest import NETWORKS_CSV, RESPONDENTS_CSV

from inhd import DATA_DIR
from inhd.contract import MEASURE_COLUMNS
from inhd.data import (
    NETWORK_COLUMNS, PAPER_NETWORK_COVARIATES, PAPER_PERSON_COVARIATES, RESPONDENT_COLUMNS, InvalidSurveyData,
    Problem, ValidationReport, item_columns, load_networks, load_respondents, load_survey, reverse_items, validate,
)

R, N = RESPONDENTS_CSV, NETWORKS_CSV
#: The item columns of R (the items are always named, except on the shipped SYNTHETIC cohorts).
B = ["b01", "b02", "b03"]


def edit(text, old, new):
    assert old in text, old
    return text.replace(old, new, 1)


# Each case: (respondents text, networks text, the expected problem, as it is printed).
BAD = {
    "missing required column": (
        "\n".join(",".join(f for j, f in enumerate(line.split(",")) if j != 1) for line in R.splitlines()) + "\n",
        N, "respondents.csv line 1, column network_id: required column is missing"),
    "misspelt required column": (
        edit(R, "respondent_id", "Respondent ID"), N,
        "column respondent_id: required column is missing (did you mean 'Respondent ID'? the header must spell "
        "it respondent_id)"),
    "respondent_id written id": (   # newcomer trial: a column called id got no suggestion
        edit(R, "respondent_id", "id"), N,
        "column respondent_id: required column is missing (did you mean 'id'? the header must spell it "
        "respondent_id)"),
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
    "item missing code": (edit(R, "5,,4\n", "5,-99,4\n"), N, "line 4, column b02: -99 is outside the response scale"),
    "item dot": (edit(R, "5,,4\n", "5,.,4\n"), N, "line 4, column b02: '.' is not a response"),
    "text in a paper covariate": (
        edit(R, "1,2,0.75", "1,two,0.75"), N,
        "line 2, column tenure_years: 'two' is not a number: tenure_years takes a number >= 0"),
    "decimal comma": (edit(R, "1,2,0.75", '1,"2,5",0.75'), N, "(use a point as the decimal separator)"),
    "text in networks' numeric column": (
        R, edit(N, "3.5,ta", "three,ta"), "networks.csv line 2, column duration_years: 'three' is not a number"),
    "negative tenure": (edit(R, "1,2,0.75", "1,-1,0.75"), N, "column tenure_years: -1 is below 0"),
    "negative intensity": (edit(R, "0,1.5,man", "0,-0.5,man"), N, "column intensity: -0.5 is below 0"),
    "non-finite number": (edit(R, "0,1.5,man", "0,inf,man"), N, "column intensity: 'inf' is not a number"),
    "negative duration": (R, edit(N, "3.5,ta", "-1,ta"), "column duration_years: -1 is below 0"),
    "team_lead not 0/1": (edit(R, "2023,1,2", "2023,2,2"), N, "line 2, column team_lead: 2 is not 0 or 1"),
    "team_lead yes": (edit(R, "2023,1,2", "2023,yes,2"), N, "column team_lead: 'yes' is not a number: team_lead "
                                                          "takes 1 or 0"),
    "single_district not 0/1": (R, edit(N, "N1,1,", "N1,TRUE,"), "column single_district: 'TRUE' is not a number"),
    "wave not whole": (edit(R, "S1,2023,1", "S1,2023.5,1"), N, "line 2, column wave: 2023.5 is not a whole number"),
    "empty wave": (edit(R, "S1,2023,1", "S1,,1"), N, "line 2, column wave: empty: every respondent needs a wave"),
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
    "nameless column": (R.replace(",b01", ",,b01", 1).replace(",white,", ",white,,").replace(",latinx,", ",latinx,,")
                        .replace(",undisclosed,", ",undisclosed,,", 1).replace("undisclosed,,undisclosed",
                                                                               "undisclosed,undisclosed,"), N,
                        "line 1: column 10 of the header has no name (name it, or delete the column)"),
    "row index saved as a column": ("\n".join("," + line if k == 0 else f"{k}," + line
                                              for k, line in enumerate(R.splitlines())) + "\n", N,
                                    "line 1: column 1 of the header has no name (a saved row index? write the CSV "
                                    "without it (in R: row.names = FALSE))"),
    "a value in the unnamed last column": (R.replace("\n", ",\n").replace("4,5,3,\n", "4,5,3,extra\n"), N,
                                           "respondents.csv line 2: the last column has no name in the header but "
                                           "holds 'extra' on this row: name the column (column 13) or delete what "
                                           "it holds"),
    "column named twice": (edit(R, "b03", "b01"), N, "line 1, column b01: column name appears twice in the header "
                                                      "(columns 10 and 12)"),
    "files swapped": (N, R, "networks.csv has a respondent_id column: are the two files swapped?"),
    "semicolon separators": (R.replace(",", ";"), N, "respondents.csv line 1: the columns are separated by "
                                                    "semicolons (;), not commas"),
    "tab separators": (R, N.replace(",", "\t"), "networks.csv line 1: the columns are separated by tabs"),
}


@pytest.mark.parametrize("case", BAD)
def test_every_problem_is_reported(survey_files, case):
    respondents, networks, expected = BAD[case]
    r, n = survey_files(respondents, networks)
    report = validate(r, n, items=B)
    assert not report.ok and report.n_problems >= 1
    shown = report.summary()
    assert expected in shown, shown
    with pytest.raises(InvalidSurveyData, match=re.escape(expected)) as caught:
        load_survey(r, n, items=B)
    assert isinstance(caught.value, ValueError)
    assert caught.value.report.n_problems == report.n_problems


@pytest.mark.parametrize("name", ["missing.csv", "folder"])
def test_missing_or_unreadable_file(tmp_path, survey_files, name):
    _, n = survey_files()
    (tmp_path / "folder").mkdir()
    report = validate(tmp_path / name, n, items=B)
    assert report.n_problems == 1
    expected = "file not found (looked for" if name == "missing.csv" else "is a folder, not a CSV file"
    assert str(report.problems[0]).startswith(f"{tmp_path / name}: {expected}")
    with pytest.raises(InvalidSurveyData, match=re.escape(expected)):
        load_survey(tmp_path / name, n, items=B)


def test_unreadable_file(survey_files, monkeypatch):
    import builtins

    r, n = survey_files()
    real = builtins.open

    def denied(path, *args, **kwargs):            # the file is opened (streamed), never read whole
        if str(path) == str(r):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    report = validate(r, n, items=B)
    assert [str(p) for p in report.problems] == [f"{r}: cannot be read: permission denied"]


def test_problem_fields_name_file_line_column_value(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "9,5,3\n"))
    (problem,) = validate(r, n, items=B).problems
    assert problem == Problem(str(r), 2, "b01", "9", "9 is outside the response scale 1-5",
                              "outside the response scale 1-5")
    assert str(problem) == f"{r} line 2, column b01: 9 is outside the response scale 1-5"


def test_all_problems_at_once_grouped_in_file_and_column_order(survey_files):
    bad = edit(edit(edit(R, "4,5,3\n", "9,5,3\n"), "0,1.5,man", "0,-1,man"), "R2,N1", "R2,N9")
    r, n = survey_files(bad, edit(N, "3.5,ta", "x,ta"))
    report = validate(r, n, items=B)
    assert [(g.file, g.column, g.kind) for g in report.groups] == [
        (str(r), "network_id", "network_id not in the networks table"), (str(r), "intensity", "below 0"),
        (str(r), "b01", "outside the response scale 1-5"), (str(n), "duration_years", "not a number")]
    assert report.n_problems == 4


def test_problems_grouped_by_column_and_kind_with_the_count_and_the_first_three_lines(survey_files):
    rows = "".join(f"X{i},N1,S1,2023,0,1,1,man,white,{7 if i < 20 else 3},{7 if i < 30 else 2},"
                   f"{'x' if i < 30 else 4}\n" for i in range(60))
    r, n = survey_files(R + rows)
    report = validate(r, n, items=B)
    assert report.n_problems == 80
    assert [(g.column, g.kind, g.n_problems) for g in report.groups] == [
        ("b01", "outside the response scale 1-5", 20), ("b02", "outside the response scale 1-5", 30),
        ("b03", "not a response (text)", 30)]
    assert [p.line for p in report.groups[0].examples] == [5, 6, 7]
    text = report.summary()
    assert f"{r}, column b01: 20 problems: outside the response scale 1-5\n  line 5: 7 is outside the response " \
        "scale 1-5" in text
    assert "  ... and 17 more like these" in text and "  ... and 27 more like these" in text
    assert len(report.problems) == 9                                 # three of each group shown
    # the hint follows from the data: the item columns hold 1-7; it comes first
    assert text.splitlines()[1] == "hint: 50 responses lie outside the scale 1-5; the item columns hold whole " \
        "numbers from 1 to 7: if that is the response scale, say so (--scale 1-7, or scale=(1, 7))"
    assert report.hints == (text.splitlines()[1][len("hint: "):],)


def test_many_groups_are_listed_one_line_each_after_the_first_twelve(tmp_path):
    cols = [f"q{j:02d}" for j in range(20)]
    rows = [",".join(["respondent_id", "network_id", *cols])]
    rows += [",".join([f"R{i}", "N1", *(["6"] if i % 4 == 0 else ["2"]) * 20]) for i in range(40)]
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(rows) + "\n")
    text = validate(path, items=cols).summary()
    assert "... and 8 more group(s) like these:" in text
    assert f"  {path}, column q19: 10 problems: outside the response scale 1-5 (first on line 2)" in text


def test_missing_value_codes_get_a_hint_and_r_s_na_is_read_as_empty(survey_files):
    r, n = survey_files(edit(R, "5,,4\n", "5,N/A,4\n"))
    text = str(validate(r, n, items=B))
    assert "'N/A' marks a missing response in some programs; here an unanswered item is an empty cell" in text
    r, n = survey_files(edit(edit(R, "5,,4\n", "5,NA,4\n"), "1,2,0.75", "1,NA,0.75"), edit(N, "3.5,ta", "NA,ta"))
    survey = load_survey(r, n, items=B)
    assert survey.respondents["b02"].isna().tolist() == [False, False, True]
    assert survey.respondents["tenure_years"].isna().tolist() == [True, False, False]
    assert pd.isna(survey.networks["duration_years"].iloc[0])
    assert any("2 cell(s) of" in note and "hold NA (R's missing-value code), in tenure_years, b02: read as empty"
               in note for note in survey.report.notes)


def test_r_s_na_as_a_network_id_is_refused(survey_files):
    # a newcomer's export (psychTools::spi): 670 respondents without an education level became a
    # network called "NA", with its own report
    r, n = survey_files(R.replace(",N1,", ",NA,", 1))
    report = validate(r, n, items=B)
    assert not report.ok
    assert "NA is R's code for a missing value, not a network_id" in report.summary()
    r, n = survey_files(edit(R, "R2,N1,S1", "NA,N1,S1"))
    assert "NA is R's code for a missing value, not a respondent_id" in validate(r, n, items=B).summary()


def test_unknown_network_reported_once_with_its_count(survey_files):
    r, n = survey_files(R.replace(",N1,", ",N9,"))
    report = validate(r, n, items=B)
    assert report.n_problems == 1
    assert "'N9' is not a network_id of" in report.summary() and "(2 respondents; this is the first)" in \
        report.summary()


def test_line_numbers_count_quoted_newlines_and_blank_lines(survey_files):
    text = edit(R, "R2,N1,S1", 'R2,N1,"School\nwith a line break"') + "\nR4,N1,S1,2023,0,1,1,man,white,1,1,6\n"
    r, n = survey_files(text.replace("\n", "\r\n"))
    report = validate(r, n, items=B)
    # R2 starts on line 3 and takes two lines; 007 on line 5; a blank line 6; R4 on line 7
    assert [(p.line, p.column, p.value) for p in report.problems] == [(7, "b03", "6")]


def test_valid_survey_loads_typed(survey_files):
    r, n = survey_files()
    survey = load_survey(r, n, items=B)
    assert survey.summary() == "OK: 3 respondents in 2 networks, 3 items (scale 1-5)\n" \
        "note: 1 network(s) of " + str(n) + " have no respondents: N2"
    resp, nets = survey.respondents, survey.networks
    assert list(resp.columns) == [*RESPONDENT_COLUMNS, *PAPER_PERSON_COVARIATES, "b01", "b02", "b03"]
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
    assert list(nets.columns) == [*NETWORK_COLUMNS, *PAPER_NETWORK_COVARIATES]
    assert nets["network_id"].tolist() == ["N1", "007", "N2"]
    assert nets["single_district"].dtype == "Int64" and nets["duration_years"].dtype == "float64"
    assert nets["archetype"].tolist() == ["instructional", "ewr", "psm"]
    assert isinstance(resp.index, pd.RangeIndex)


def test_the_contract_needs_only_ids_and_items(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,network_id,q1,q2\nA,N1,1,2\nB,N2,3,\n")
    survey = load_survey(path, items=["q1", "q2"])                         # no networks file either
    assert survey.summary().splitlines()[0] == "OK: 2 respondents in 2 networks, 2 items (scale 1-5)"
    assert list(survey.respondents.columns) == ["respondent_id", "network_id", "q1", "q2"]
    assert survey.networks["network_id"].tolist() == ["N1", "N2"]


def test_paper_covariates_have_open_labels_and_may_be_empty(survey_files):
    text = edit(edit(edit(R, "woman,white", "female,European"), "man,latinx", ",Hispanic"), "1,2,0.75", "1,,0.75")
    r, n = survey_files(text, edit(N, "ewr,2,ihe", "wellbeing,2,university"))
    survey = load_survey(r, n, items=B)
    assert survey.respondents["gender"].isna().tolist() == [False, True, False]
    assert survey.respondents["race"].tolist() == ["European", "Hispanic", "undisclosed"]
    assert survey.respondents["tenure_years"].isna().tolist() == [True, False, False]   # not known, not imputed
    assert survey.networks["archetype"].tolist() == ["instructional", "wellbeing", "psm"]


def test_extra_columns_are_noted_as_not_used_never_as_items(tmp_path):
    path = tmp_path / "r.csv"
    rows = ["respondent_id,network_id,age,comment,q1,q2,q3"]
    rows += [f"R{i},N{i % 3},{20 + i},{'ok' if i % 2 else ''},{1 + i % 5},{1 + (i + 1) % 5},{1 + (i + 2) % 5}"
             for i in range(30)]
    path.write_text("\n".join(rows) + "\n")
    report = validate(path, items=["q1", "q2", "q3"])
    assert report.ok and report.items == ("q1", "q2", "q3") and report.ignored == ("age", "comment")
    assert any("age (numbers 20 to 49, not on the scale 1-5), comment (text)" in note for note in report.notes)
    survey = load_survey(path, items=["q1", "q2", "q3"], person_covariates=["age"])
    assert survey.respondents["age"].dtype == "float64"


def test_no_hint_that_does_not_follow_from_the_data(survey_files):
    # a column near 'intensity' in spelling is not suggested for it, and no swap is suggested for a
    # respondents file that lacks its ids while the networks file has none either
    r, n = survey_files(edit(R, "intensity", "content"))
    assert "did you mean" not in str(validate(r, n, items=B))
    r, n = survey_files(edit(R, "respondent_id", "person"))
    text = str(validate(r, n, items=B))
    assert "required column is missing" in text and "swapped" not in text and "did you mean" not in text


def test_named_covariates_and_references(survey_files):
    text = edit(edit(edit(edit(R, "race,b01", "race,age,b01"), "white,4", "white,31,4"), "latinx,1", "latinx,45,1"),
                "undisclosed,5", "undisclosed,,5")
    r, n = survey_files(text, N)
    report = validate(r, n, items=B, person_covariates=["age", "race"], network_covariates=["hub_type"],
                      references={"race": "latinx", "hub_type": "ta"})
    assert report.ok, report
    text = str(validate(r, n, items=B, person_covariates=["agee", "race"], references={"race": "martian"}))
    assert "column agee: is named as a person covariate but is not in the header (did you mean 'age'?" in text
    assert "column race: the reference category 'martian' does not occur in race (its values: 'latinx', " \
        "'undisclosed', 'white')" in text
    text = str(validate(r, n, items=B, network_covariates=["age"]))
    assert "column age: is named as a network covariate but is not in the header; it is a column of" in text
    with pytest.raises(ValueError, match=r"network covariates \['hub_type'\] need a networks table"):
        validate(r, None, items=B, network_covariates=["hub_type"])


def test_a_mostly_numeric_covariate_with_text_is_a_problem(tmp_path):
    path = tmp_path / "r.csv"
    rows = ["respondent_id,network_id,age,q1,q2"] + [f"R{i},N1,{'unknown' if i == 3 else 30 + i},1,2" for i in range(8)]
    path.write_text("\n".join(rows) + "\n")
    assert "line 5, column age: 'unknown' is not a number, but most of age are" in \
        str(validate(path, items=["q1", "q2"], person_covariates=["age"]))


def test_reverse_keyed_items_are_recoded(survey_files):
    r, n = survey_files()
    survey = load_survey(r, n, items=B, reverse=["b01"], scale=(1, 5))
    assert survey.respondents["b01"].tolist() == [2, 5, 1] and survey.reversed == ("b01",)
    assert "column b09: is named as reverse-keyed but is not an item" in str(validate(r, n, items=B, reverse=["b09"]))


def test_measures_file(survey_files, tmp_path):
    r, n = survey_files()
    m = tmp_path / "measures.csv"
    m.write_text("measure,name,domain,items\nfirst,First measure,A,b01;b02\nsecond,,B,b03\n")
    survey = load_survey(r, n, measures=m)
    assert survey.items == ("b01", "b02", "b03")
    assert survey.measures.to_dict("list") == {"measure": ["first", "second"], "name": ["First measure", "second"],
                                               "domain": ["A", "B"], "items": [("b01", "b02"), ("b03",)]}
    m.write_text("measure,name,domain,items\nfirst,,,b01 b02\nfirst,,,B03;b02\n")
    text = str(validate(r, n, measures=m))
    assert f"{m}, column items: 2 problems: item not in the respondents table\n  line 2: 'b01 b02' is not a column " \
        "of the respondents table (separate items with semicolons: a;b;c)\n  line 3: 'B03' is not a column of the " \
        "respondents table; did you mean 'b03'?" in text
    assert "'first' appears again (first on line 2): measure must be unique" in text
    with pytest.raises(ValueError, match="not both"):
        validate(r, n, measures=m, items=["b01"])


def test_labels_kept_exactly_and_ids_matched_exactly(survey_files):
    r, n = survey_files(edit(R, "R1,N1", " R1 ,N1"))
    resp = load_survey(r, n, items=B).respondents
    assert resp["respondent_id"].iloc[0] == " R1 "
    r, n = survey_files(edit(R, "R1,N1", "R1, N1"))
    assert "' N1' is not a network_id of" in str(validate(r, n, items=B)) and "did you mean 'N1'?" in str(validate(r, n, items=B))


def test_whole_numbers_written_with_decimals_and_spaces_are_accepted(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "4.0, 5 ,3\n"))
    assert load_survey(r, n, items=B).respondents.loc[0, ["b01", "b02"]].tolist() == [4, 5]


def test_a_trailing_separator_as_excel_writes_is_an_empty_last_column_and_ignored(survey_files):
    r, n = survey_files(R.replace("\n", ",\r\n"), N.replace("\n", ",\n"))
    survey = load_survey(r, n, items=B)
    assert list(survey.respondents.columns) == list(R.splitlines()[0].split(","))
    assert f"the header of {r} ends with a separator (an empty last column, as spreadsheets write): column 13 has no " \
        "name and is empty in every row, so it is ignored" in survey.report.notes
    assert any(note.startswith(f"the header of {n} ends with a separator") for note in survey.report.notes)
    assert "saved row index" not in str(survey.report)


def test_byte_order_mark_and_crlf(survey_files):
    r, n = survey_files(("\ufeff" + R).replace("\n", "\r\n"), N.replace("\n", "\r\n"))
    survey = load_survey(r, n, items=B)
    assert survey.respondents.columns[0] == "respondent_id"
    assert survey.respondents["b03"].tolist() == [3, 2, 4]


def test_optional_columns_may_be_absent_or_empty(survey_files):
    no_optional = "\n".join(",".join(f for j, f in enumerate(line.split(",")) if j not in (2, 3))
                            for line in R.splitlines()) + "\n"
    r, n = survey_files(no_optional)
    assert "school_id" not in load_survey(r, n, items=B).respondents
    r, n = survey_files(edit(R, "R2,N1,S1", "R2,N1,"))
    report = validate(r, n, items=B)
    assert report.ok and "1 respondent(s) have no school_id" in report.notes
    assert load_survey(r, n, items=B).respondents["school_id"].isna().tolist() == [False, True, False]


def test_scale(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "4,7,0\n"))
    assert validate(r, n, items=B, scale=(0, 7)).ok
    report = validate(r, n, items=B)
    assert [p.message for p in report.problems] == ["7 is outside the response scale 1-5",
                                                    "0 is outside the response scale 1-5"]


@pytest.mark.parametrize("scale", [(5, 1), (1, 1), (1.0, 5), "1-5", (1, 2, 3), None])
def test_bad_scale_argument(survey_files, scale):
    r, n = survey_files()
    with pytest.raises(ValueError, match="scale must be"):
        validate(r, n, items=B, scale=scale)


def test_named_items(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", "4,5,x\n"))              # b03 is broken but not named
    report = validate(r, n, items=["b02", "b01"])
    assert report.ok and report.items == ("b01", "b02")              # file order
    assert any("not used (neither items nor covariates): b03" in note for note in report.notes)
    survey = load_survey(r, n, items=["b01", "b02"])
    assert "b03" not in survey.respondents and survey.items == ("b01", "b02")
    assert item_columns(survey.respondents) == ["b01", "b02"]


@pytest.mark.parametrize("items, expected", [
    (["b01", "b09"], "respondents.csv line 1, column b09: is named as an item but is not in the header"),
    (["b01", "b1"], "did you mean 'b01'?"),
    (["gender"], "column gender: is a contract column or a covariate, not an item"),
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


def test_named_items_on_another_scale_get_a_hint_with_that_scale(tmp_path):
    path = tmp_path / "ten.csv"
    path.write_text("respondent_id,network_id,q1,q2\n" + "".join(f"R{i},N1,{i % 11},{(3 * i) % 11}\n" for i in range(44)))
    text = str(validate(path, items=["q1", "q2"]))
    assert "responses lie outside the scale 1-5; the item columns hold whole numbers from 0 to 10: if that is the " \
        "response scale, say so (--scale 0-10" in text
    assert validate(path, items=["q1", "q2"], scale=(0, 10)).ok


def _bhr_like(tmp_path, n=60):
    """Items a1-a4 on 1-5, a covariate ``religion`` on 1-5 too, ``hours`` on 6-16, and h1-h3 on 0-4."""
    g = np.random.default_rng(3)
    frame = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "network_id": [f"G{i % 4}" for i in range(n)],
                          "hours": g.integers(6, 17, n), "religion": g.integers(1, 6, n)})
    for k in range(4):
        frame[f"a{k + 1}"] = g.integers(1, 6, n)
    for k in range(3):
        frame[f"h{k + 1}"] = g.integers(0, 5, n)
    frame.loc[0, ["h1", "h2", "h3", "hours"]] = [0, 0, 0, 6]
    frame.loc[1, ["h1", "h2", "h3", "hours"]] = [4, 4, 4, 16]
    frame.loc[2, ["a1", "a2", "a3", "a4", "religion"]] = 1
    frame.loc[3, ["a1", "a2", "a3", "a4", "religion"]] = 5
    path = tmp_path / "bhr_like.csv"
    frame.to_csv(path, index=False)
    return path


def test_items_must_be_named_and_no_covariate_becomes_an_item(tmp_path):
    # the contract: any other column is ignored unless named; values cannot tell an item from a covariate
    # on the same scale (religion), so unnamed items are a problem whose hint lists the candidates by
    # range and the exact options, never a wider --scale taking columns of two ranges in at once
    path = _bhr_like(tmp_path)
    report = validate(path)
    assert not report.ok and report.items == ()
    text = str(report)
    assert f"{path} line 1: the item columns are not named: name the columns that make up the measure with --items " \
        "a,b,c" in text
    assert "by their range: 1 to 5: religion, a1, a2, a3, a4; 0 to 4: h1, h2, h3; 6 to 16: hours." in text
    assert "One measure at a time: --items religion,a1,a2,a3,a4 or --items h1,h2,h3 --scale 0-4; several at once: " \
        "a measures file (--measures M.csv" in text
    assert "leave out any column that is not an item of the measure, such as a covariate on the same scale" in text
    assert "--scale 0-5" not in text and "--scale 0-16" not in text
    with pytest.raises(InvalidSurveyData, match="the item columns are not named"):
        load_survey(path)
    # named: only those are items; the other columns are reported as not used
    report = validate(path, items=["a1", "a2", "a3", "a4"])
    assert report.ok and report.items == ("a1", "a2", "a3", "a4")
    assert set(report.ignored) == {"hours", "religion", "h1", "h2", "h3"}
    # a wider scale does not make unnamed columns items either
    assert "the item columns are not named" in str(validate(path, scale=(0, 16)))


def test_named_items_on_two_ranges_get_no_wider_scale_hint(tmp_path):
    path = _bhr_like(tmp_path)
    text = str(validate(path, items=["a1", "a2", "h1", "h2"]))
    assert "all in h1, h2 (whole numbers 0 to 4), while 2 other item(s) lie within it: items on another range are " \
        "another measure, or coded another way" in text
    assert "--scale 0-5" not in text


def test_the_shipped_cohort_s_items_may_be_left_unnamed_and_a_copy_of_it_too(tmp_path):
    import shutil

    copy = tmp_path / "copy.csv"
    shutil.copyfile(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv", copy)
    report = validate(copy)
    assert report.ok and report.n_items == 11
    assert any("of this shipped SYNTHETIC cohort were taken by their values" in note for note in report.notes)
    copy.write_bytes(copy.read_bytes().replace(b"\n", b"\r\n", 1))      # one byte more: anyone's data
    assert "the item columns are not named" in str(validate(copy))


def test_no_whole_numbers_at_all(tmp_path):
    path = tmp_path / "text.csv"
    path.write_text("respondent_id,network_id,note\nR1,N1,fine\nR2,N1,ok\n")
    assert "hint: no column besides the contract columns holds whole numbers (columns found: note)" in \
        str(validate(path))


def test_respondents_answering_nothing_are_noted_not_dropped(survey_files):
    r, n = survey_files(edit(R, "4,5,3\n", ",,\n"))
    survey = load_survey(r, n, items=B)
    assert len(survey.respondents) == 3
    assert "1 respondent(s) answered none of the 3 items (kept; they cannot be measured)" in survey.report.notes


def test_extra_network_columns_kept_as_text(survey_files):
    nets = N.replace("\n", ",x\n").replace("hub_type,x", "hub_type,launch_year").replace("N2,0,psm,4,other,x",
                                                                                           "N2,0,psm,4,other,")
    r, n = survey_files(networks=nets)
    frame = load_networks(n)
    assert frame["launch_year"].tolist()[:2] == ["x", "x"] and pd.isna(frame["launch_year"].iloc[2])


def test_extra_network_columns_holding_numbers_are_numbers(survey_files):
    # newcomer trial: company_size (every cell a number) was loaded as text, so the clusters of the
    # variation page could not be described by it ("the networks table has no columns besides network_id")
    nets = "network_id,company_size,design,mean_hours\nN1,24,single,11.05\n007,37,repeated,\nN2,12,single,9.5\n"
    r, n = survey_files(networks=nets)
    for frame in (load_networks(n), load_survey(r, n, items=B).networks):
        assert frame["company_size"].dtype == "float64" and frame["company_size"].tolist() == [24.0, 37.0, 12.0]
        assert frame["mean_hours"].dtype == "float64" and pd.isna(frame["mean_hours"].iloc[1])
        assert frame["design"].tolist() == ["single", "repeated", "single"]


def test_load_respondents_and_networks_alone(survey_files):
    r, n = survey_files(edit(R, "R2,N1", "R2,N9"))
    assert load_respondents(r, items=B)["network_id"].tolist() == ["N1", "N9", "007"]   # no networks table to check
    assert load_networks(n)["network_id"].tolist() == ["N1", "007", "N2"]
    with pytest.raises(InvalidSurveyData, match="line 2, column b01: 9 is outside the response scale 1-5"):
        load_respondents(survey_files(edit(R, "4,5,3\n", "9,5,3\n"))[0], items=B)
    with pytest.raises(InvalidSurveyData, match="'N1' appears again"):
        load_networks(survey_files(networks=edit(N, "N2,", "N1,"))[1])


def test_item_columns():
    frame = pd.DataFrame(columns=["respondent_id", "network_id", "gender", "q1", "q2"])
    assert item_columns(frame) == ["q1", "q2"]
    assert item_columns(frame, ["q2"]) == ["q2"]
    with pytest.raises(ValueError, match=r"items \['q3'\] are not columns"):
        item_columns(frame, ["q3"])
    with pytest.raises(ValueError, match="contract columns"):
        item_columns(frame, ["gender"])


def test_report_is_frozen(survey_files):
    report = validate(*survey_files(), items=B)
    assert isinstance(report, ValidationReport) and report.ok and report.n_problems == 0
    with pytest.raises(AttributeError):
        report.n_problems = 3


@pytest.mark.parametrize("respondents, networks", [(R, N), (edit(R, "4,5,3\n", "9,x,3.5\n"), edit(N, "\n", ",\n"))])
def test_input_files_unchanged(survey_files, respondents, networks):
    r, n = survey_files(respondents, networks)
    os.utime(r, (1_000_000_000, 1_000_000_000))
    os.utime(n, (1_000_000_000, 1_000_000_000))
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in (r, n)]
    validate(r, n, items=B)
    try:
        load_survey(r, n, items=["b01"])
    except InvalidSurveyData:
        pass
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in (r, n)] == before


@pytest.mark.parametrize("stem, n_respondents, n_items", [("participatory_benefits", 2073, 11),
                                                          ("network_health", 6213, 146)])
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
    for col in [*RESPONDENT_COLUMNS.values(), *NETWORK_COLUMNS.values(), *PAPER_PERSON_COVARIATES.values(),
                *PAPER_NETWORK_COVARIATES.values(), *MEASURE_COLUMNS.values()]:
        row = next((line for line in section.splitlines() if line.startswith(f"| `{col.name}` |")), None)
        assert row is not None, f"data/README.md does not document column {col.name}"
        assert ("| yes |" in row) == col.required, col.name


def test_reverse_items_bad_column():
    with pytest.raises(ValueError, match="not columns"):
        reverse_items(pd.DataFrame({"a": [1]}), ["b"], scale=(1, 5))


def test_messages_after_typos_and_wrong_files_read_naturally(survey_files, tmp_path):
    # newcomer trial: a misspelt covariate is suggested without asking to rename the header to the typo;
    # a misspelt reverse-keyed item gets its "did you mean"; items written with commas in a measures
    # file are told to use semicolons; the respondents file given as the networks file is named so;
    # a workbook is called a workbook (not a wrong encoding); a file named twice is listed once
    r, n = survey_files(edit(edit(edit(edit(R, "race,b01", "race,religion,b01"), "white,4", "white,3,4"),
                                  "latinx,1", "latinx,2,1"), "undisclosed,5", "undisclosed,1,5"))
    text = str(validate(r, n, items=B, person_covariates=["religon"]))
    assert "column religon: is named as a person covariate but is not in the header (did you mean 'religion'?)" in text
    assert "must spell it" not in text
    assert "column b_01: is named as reverse-keyed but is not an item (did you mean 'b01'?)" in \
        str(validate(r, n, items=B, reverse=["b_01"]))
    m = tmp_path / "measures.csv"
    m.write_text('measure,name,domain,items\nfirst,,,"b01,b02,b03"\n')
    assert "'b01,b02,b03' is not a column of the respondents table (separate items with semicolons: a;b;c)" in \
        str(validate(r, n, measures=m))
    text = str(validate(r, r, items=B))
    assert "has a respondent_id column: it looks like a respondents table, while --networks takes a networks table" \
        in text
    assert text.splitlines()[0] == f"INVALID: 1 problem in {r}:"         # named once, not "r, r and ..."
    workbook = tmp_path / "survey.xlsx"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)))
    (problem,) = validate(workbook, items=B).problems
    assert problem.message.startswith("not a CSV text file: the file is a zip archive (an Excel .xlsx or "
                                      "OpenDocument .ods workbook?); open it in its program and save it as 'CSV UTF-8")
    assert "encoding" not in problem.message and "control" not in problem.message


def test_a_scale_wider_than_the_items_use_is_warned_about_naming_the_scale_the_data_suggest(tmp_path):
    # newcomer trial: a 1-4 inventory validated with the default 1-5 and --reverse: the reversed items
    # were recoded 6 - x and ran 2-5 beside the others' 1-4, and nothing warned
    g = np.random.default_rng(5)
    frame = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(80)], "network_id": [f"N{i % 4}" for i in range(80)]})
    for item in ("calm", "tense", "upset", "joyful"):
        frame[item] = g.integers(1, 5, 80)
    path = tmp_path / "four.csv"
    frame.to_csv(path, index=False)
    items = ["calm", "tense", "upset", "joyful"]
    report = validate(path, items=items, reverse=["calm", "joyful"])
    assert report.ok
    (warning,) = report.warnings
    assert warning.startswith("no item holds 5 (the top of the response scale 1-5): the items hold 1 to 4; is the "
                              "response scale 1-4 (--scale 1-4)?")
    assert "Reverse-keyed items are recoded as 6 - x on the scale 1-5, so calm, joyful would run 2 to 5 while the " \
        "other items run 1 to 4" in warning
    assert str(report).splitlines()[1] == f"warning: {warning}"
    assert validate(path, items=items, scale=(1, 4), reverse=["calm"]).warnings == ()
    assert "no item holds 0 or 6 (either end of the response scale 0-6)" in validate(path, items=items,
                                                                                    scale=(0, 6)).warnings[0]
    # per measure: each measure's items against the one scale of the run
    frame["h1"], frame["h2"] = g.integers(0, 5, 80), g.integers(0, 5, 80)
    frame.to_csv(path, index=False)
    m = tmp_path / "m.csv"
    m.write_text("measure,name,domain,items\naffect,Affect,,calm;tense;upset;joyful\nhostility,,,h1;h2\n")
    assert validate(path, measures=m, scale=(0, 4)).warnings == (
        "measure Affect: no item holds 0 (the bottom of the response scale 0-4): the items hold 1 to 4; is the "
        "response scale 1-4 (--scale 1-4)? If 0 is a category nobody chose, ignore this",)
