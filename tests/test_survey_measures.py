"""Tests of inhd.survey_measures: each measure's items found by name, one Rasch calibration over
every wave, persons labelled by network, school and wave; bad input named."""

import numpy as np
import pandas as pd
import pytest

import inhd
from inhd.item_review import item_table
from inhd.survey_measures import ID_COLUMNS, calibrate_items, calibrate_measure, calibrate_measures, measure_items


@pytest.fixture(scope="module")
def shipped():
    respondents = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    measures = pd.read_csv(inhd.DATA_DIR / "network_health_measures_SYNTHETIC.csv")
    return respondents, measures


def test_measure_items_ordered_numerically_and_exact():
    cols = ["m_10", "m_2", "m_1", "mm_1", "m_x", "other"]
    assert measure_items(cols, "m") == ["m_1", "m_2", "m_10"]


def test_measure_items_none_found_names_measure():
    with pytest.raises(ValueError, match="measure 'zz'"):
        measure_items(["a_1"], "zz")


def test_calibrate_measure_labels_persons(shipped):
    respondents, _ = shipped
    before = respondents.copy()
    cal = calibrate_measure(respondents, measure="expertise_diversity")
    pd.testing.assert_frame_equal(respondents, before)          # input not modified
    assert cal.items == ["expertise_diversity_1", "expertise_diversity_2", "expertise_diversity_3"]
    p = cal.persons
    assert list(p.columns) == ["respondent_id", "network_id", "school_id", "wave", "measure",
                               "se", "known_variance", "extreme"]
    # one respondent answered none of the three items: dropped by the Rasch fit, counted there
    assert len(p) + cal.rasch.n_dropped_empty == len(respondents)
    np.testing.assert_allclose(p["known_variance"], p["se"] ** 2)
    assert p["network_id"].notna().all()


def test_calibrate_measures_and_the_item_table(shipped):
    respondents, _ = shipped
    cals = calibrate_measures(respondents, measures={"data_use": ["data_use_1", "data_use_2",
                                                                  "data_use_3", "data_use_4"]})
    assert list(cals) == ["data_use"] and cals["data_use"].items[-1] == "data_use_4"
    items = item_table({"final": cals["data_use"].rasch})
    assert items["n_persons"].max() <= len(respondents)
    np.testing.assert_allclose(items["difficulty"].sum(), 0.0, atol=1e-8)   # sum-zero items
    assert "data_use: 4 items" in cals["data_use"].summary()
    assert ID_COLUMNS == ("respondent_id", "network_id", "school_id", "wave")


def test_calibrate_measure_missing_column(shipped):
    respondents, _ = shipped
    with pytest.raises(ValueError, match=r"column\(s\) \['network_id'\] not found"):
        calibrate_measure(respondents.drop(columns="network_id"), measure="data_use")


def test_schools_and_waves_are_optional(shipped):
    respondents, _ = shipped
    cal = calibrate_measure(respondents.drop(columns=["school_id", "wave"]), measure="data_use")
    assert list(cal.persons.columns) == ["respondent_id", "network_id", "measure", "se", "known_variance",
                                         "extreme"]


def test_calibrate_items_on_a_declared_scale():
    data = pd.DataFrame({"a": [1, 2, 3, 2, 1, 3], "b": [2, 3, 3, 1, 1, 2], "c": [3, 3, 2, 1, 2, 1]})
    res = calibrate_items(data, scale=(1, 4))                      # category 4 unused: the model has 1-3
    assert (res.min_category, res.n_categories) == (1, 3)
    with pytest.raises(ValueError, match="item 'a' holds codes outside the response scale 1-2"):
        calibrate_items(data, scale=(1, 2))
    gap = pd.DataFrame({"a": [1, 3, 1, 3, 1, 3], "b": [3, 1, 3, 1, 1, 3], "c": [1, 3, 3, 1, 3, 1]})
    with pytest.raises(ValueError, match=r"items a, b, c: .*category code\(s\) \[2\] never occur"):
        calibrate_items(gap, scale=(1, 3))

def test_calibrate_measure_duplicate_ids(shipped):
    respondents, _ = shipped
    dup = pd.concat([respondents.head(20), respondents.head(1)], ignore_index=True)
    with pytest.raises(ValueError, match="respondent_id must be unique"):
        calibrate_measure(dup, measure="data_use")

def test_calibrate_measure_not_a_frame():
    with pytest.raises(TypeError, match="DataFrame"):
        calibrate_measure([[1, 2]], measure="x")
