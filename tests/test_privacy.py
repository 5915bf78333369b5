"""Privacy guards: small groups suppressed and marked, respondent rows refused."""

import pandas as pd
import pytest

from inhd.privacy import MIN_CELL, check_shareable, group_counts, suppress_small_groups


@pytest.fixture
def network_table():
    return pd.DataFrame({"network_id": ["N01", "N02", "N03"], "n_persons": [25, 9, 10], "mean": [1.5, -0.2, 0.4],
                         "label": ["a", "b", "c"]})


def test_groups_below_min_cell_are_blanked_and_marked(network_table):
    out = suppress_small_groups(network_table, keep=["network_id"])
    assert MIN_CELL == 10
    assert out["suppressed"].tolist() == [False, True, False]
    assert out.loc[1, "network_id"] == "N02"  # the group stays identifiable as suppressed
    assert out.loc[[1], ["n_persons", "mean", "label"]].isna().all(axis=None)
    assert out.loc[2, "mean"] == pytest.approx(0.4)  # exactly min_cell is shown
    assert network_table["mean"].tolist() == [1.5, -0.2, 0.4]  # input untouched


def test_min_cell_is_a_parameter(network_table):
    out = suppress_small_groups(network_table, keep=["network_id"], min_cell=26)
    assert out["suppressed"].all()


def test_group_counts_suppresses_small_demographic_cells():
    people = pd.DataFrame({"network_id": ["N1"] * 12 + ["N2"] * 3, "gender": ["woman"] * 11 + ["man"] + ["woman"] * 3})
    out = group_counts(people, ["network_id", "gender"])
    shown = out[~out["suppressed"]]
    assert shown[["network_id", "gender", "n_persons"]].values.tolist() == [["N1", "woman", 11]]
    assert set(out.loc[out["suppressed"], "gender"]) == {"man", "woman"}


@pytest.mark.parametrize(
    "kwargs, message",
    [({"count_column": "count"}, "column.*count.*not in the table"), ({"min_cell": 0}, "at least 1")],
)
def test_bad_arguments(network_table, kwargs, message):
    with pytest.raises(ValueError, match=message):
        suppress_small_groups(network_table, **kwargs)


def test_check_shareable_refuses_respondent_rows():
    people = ["r1", "r2"]
    with pytest.raises(ValueError, match="respondent_id column"):
        check_shareable(pd.DataFrame({"respondent_id": ["r1"]}), respondent_ids=people)
    with pytest.raises(ValueError, match="column who: holds respondent id 'r2'"):
        check_shareable(pd.DataFrame({"who": ["x", "r2"]}), respondent_ids=people)
    check_shareable(pd.DataFrame({"network_id": ["N1"], "n_persons": [20]}), respondent_ids=people)
