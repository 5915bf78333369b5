"""inhd.survey_run: the shipped cohort decided by content, the levels a model can fit, the page's facts."""

import shutil
import warnings

import pandas as pd
import pytest

from inhd import DATA_DIR
from inhd.data import InvalidSurveyData
from inhd.survey_run import SHIPPED_COHORTS, markdown_text, open_survey, shipped_cohort, shipped_note, survey_levels
from inhd.warnings import InhdWarning

PB = DATA_DIR / SHIPPED_COHORTS["participatory_benefits"].respondents


def test_the_shipped_cohort_is_recognised_by_content_not_by_name(tmp_path):
    copy = tmp_path / "my_survey.csv"                       # any name, any folder: the same bytes
    shutil.copy(PB, copy)
    assert shipped_cohort(copy).key == "participatory_benefits"
    assert shipped_note(copy).startswith("> **SYNTHETIC DATA.**")
    edited = tmp_path / "participatory_benefits_respondents_SYNTHETIC.csv"   # the shipped name, one byte changed
    data = bytearray(PB.read_bytes())
    data[-2] = ord("4") if data[-2] != ord("4") else ord("3")
    edited.write_bytes(bytes(data))
    assert shipped_cohort(edited) is None and shipped_note(edited) == ""
    assert shipped_cohort(tmp_path / "absent.csv") is None


def test_open_survey_on_the_shipped_cohort_and_on_a_copy_of_it(tmp_path):
    run = open_survey(None, default="participatory_benefits")
    assert run.shipped.key == "participatory_benefits" and "SYNTHETIC" in run.banner()
    assert run.levels.schools and run.levels.waves == (2023,)
    text = run.describe()
    assert "2,073 respondents in 34 networks" in text and "response scale 1-5" in text
    health = open_survey(None, default="network_health")
    assert len(health.measures) == 38 and health.names()["data_use"] == "Use of data and analytics"
    assert len(health.items) == 146 and "146 items in 38 measures" in health.describe()


def test_anyone_elses_data_get_no_banner(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,network_id,q1,q2\n" + "".join(f"R{i},N{i % 3},{1 + i % 4},{1 + (i + 1) % 4}\n"
                                                                 for i in range(12)))
    run = open_survey(path, items=["q1", "q2"], scale=(1, 4), reverse=["q2"])
    assert run.shipped is None and run.banner("anything") == ""
    text = run.describe()
    assert "12 respondents in 3 networks" in text and "response scale 1-4" in text and "no school level" in text
    assert "recoded as 5 - x" in text and "q2" in text and "synthetic" not in text.lower()
    with pytest.raises(InvalidSurveyData, match="outside the response scale 1-3"):
        open_survey(path, items=["q1", "q2"], scale=(1, 3))
    with pytest.raises(ValueError, match="method must be one of"):
        open_survey(path, method="mml")


@pytest.mark.parametrize("schools, fitted, message", [
    (None, False, "No school_id column"),
    (["S1", "S2", None, "S1", "S2", "S3"], False, "1 respondents have no school_id"),
    (["A", "A", "B", "B", "C", "C"], False, "Every network has a single school"),
    (["S1", "S2", "S3", "S4", "S5", "S6"], False, "Every school has a single respondent"),
    (["S1", "S1", "S2", "S1", "S1", "S3"], True, ""),
])
def test_levels_follow_the_data(schools, fitted, message):
    r = pd.DataFrame({"respondent_id": list("abcdef"), "network_id": ["N1", "N1", "N2", "N2", "N3", "N3"]})
    if schools is not None:
        r["school_id"] = schools
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        levels = survey_levels(r)
    assert levels.schools == fitted and levels.groups == (("network_id", "school_id") if fitted else ("network_id",))
    assert message in " ".join(levels.notes)
    warned = [str(w.message) for w in caught if issubclass(w.category, InhdWarning)]
    assert bool(warned) == (message not in ("", "No school_id column"))     # confounded levels warn
    assert levels.waves == () and "no wave column" in levels.describe()


def test_markdown_text_shows_names_literally():
    assert markdown_text("q_1*") == "q\\_1\\*"
    assert markdown_text("<script>alert(1)</script>") == "\\<script\\>alert\\(1\\)\\<\\/script\\>"
    assert markdown_text("plain words 42") == "plain words 42"


def test_the_default_measures_file_matches_the_synthetic_measure_list():
    from inhd.survey_run import DEFAULT_MEASURES
    default = pd.read_csv(DEFAULT_MEASURES)
    truth = pd.read_csv(DATA_DIR / "network_health_measures_SYNTHETIC.csv")
    assert default["measure"].tolist() == truth["measure"].tolist()
    assert default["name"].tolist() == truth["name"].tolist()
    assert default["domain"].tolist() == truth["framework_domain"].tolist()
    assert [len(items.split(";")) for items in default["items"]] == truth["n_items"].tolist()


def test_the_page_warns_when_the_scale_is_wider_than_the_items_use(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,network_id,q1,q2\n" + "".join(f"R{i},N{i % 3},{1 + i % 4},{1 + (i + 1) % 4}\n"
                                                                 for i in range(12)))
    run = open_survey(path, items=["q1", "q2"], reverse=["q2"])
    assert "> **Warning.** no item holds 5" in run.describe()
    assert "Warning. no item holds 5 (the top of the response scale 1-5): the items hold 1 to 4; is the response " \
        "scale 1-4 (--scale 1-4)?" in run.summary() and "recoded as 6 - x on the scale 1-5, so q2 would run 2 to 5" \
        in run.summary()
    assert "no item holds" not in open_survey(path, items=["q1", "q2"], scale=(1, 4), reverse=["q2"]).describe()


@pytest.mark.parametrize("n, says", [
    (1, ""), (2, "1 degree of freedom, so the network variance, the network reliability and the networks' estimates "
                 "and ranks are not estimable in any useful sense"),
    (4, "3 degrees of freedom, so the network variance, the network reliability and the networks' estimates"),
    (9, "8 degrees of freedom, so the network variance and the network reliability are very imprecise (about 10 "
        "networks or more give a useful estimate)"),
    (10, ""),
])
def test_too_few_networks_for_a_variance_between_them_are_said(n, says):
    from inhd.survey_run import few_networks
    text = few_networks(n)
    assert (says in text and text.startswith(f"Only {n} networks: ")) if says else text == ""


def test_the_page_warns_about_two_networks(tmp_path):
    # newcomer trial: two companies gave a network reliability of 0.96 and nothing said that one degree of
    # freedom cannot estimate a variance
    path = tmp_path / "r.csv"
    path.write_text("respondent_id,network_id,q1,q2\n" + "".join(f"R{i},N{i % 2},{1 + i % 5},{1 + (i + 1) % 5}\n"
                                                                 for i in range(20)))
    assert "> **Warning.** Only 2 networks\\: the variance between networks rests on 1 degree of freedom" in \
        open_survey(path, items=["q1", "q2"]).describe()
    path.write_text("respondent_id,network_id,q1,q2\n" + "".join(f"R{i},N{i % 10},{1 + i % 5},{1 + (i + 1) % 5}\n"
                                                                 for i in range(40)))
    assert "Only" not in open_survey(path, items=["q1", "q2"]).describe()
