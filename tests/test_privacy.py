"""Privacy guards: small groups suppressed and marked, respondent rows refused."""

import numpy as np
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


# ---------------------------------------------------------------------------------------------------
# The suppression rule (issue 12): cells, publishable respondents, pooled figures, no differencing

from inhd.privacy import (category_shares, cell_means, check_min_cell, pooled_means, publishable,  # noqa: E402
                          shown_groups, suppress_by_group_size)


@pytest.mark.parametrize("bad", [0, -1, 2.5, "10", None, True, float("nan")])
def test_min_cell_must_be_a_whole_number_of_at_least_one(bad):
    with pytest.raises(ValueError, match="at least 1"):
        check_min_cell(bad)


def test_a_cell_is_a_network_in_one_wave():
    people = pd.DataFrame({"network_id": ["A"] * 12 + ["B"] * 54 + ["C"] * 9,
                           "wave": [1] * 12 + [1] * 50 + [2] * 4 + [2] * 9})
    ok = publishable(people, min_cell=10)
    assert ok.groupby(people["network_id"]).sum().to_dict() == {"A": 12, "B": 50, "C": 0}
    shown = shown_groups(people, min_cell=10)
    assert shown["suppressed"].tolist() == [False, False, True]
    assert shown["n_persons"].tolist()[:2] == [12, 50] and pd.isna(shown["n_persons"].iloc[2])
    # without a wave column a cell is the network
    assert publishable(people.drop(columns="wave"), min_cell=10).sum() == 12 + 54


def test_cell_means_count_the_answers_and_suppress_below_min_cell():
    frame = pd.DataFrame({"network_id": ["A"] * 12, "q1": [1.0] * 12, "q2": [5.0] * 3 + [None] * 9})
    table = cell_means(frame, ["q1", "q2"], by=["network_id"], min_cell=10)
    assert table["variable"].astype(str).tolist() == ["q1", "q2"]
    assert table["suppressed"].tolist() == [False, True]
    assert table.loc[0, "mean"] == 1.0 and table.loc[0, "n_persons"] == 12
    assert pd.isna(table.loc[1, "mean"]) and pd.isna(table.loc[1, "n_persons"])  # the 3 answers stay hidden


def test_pooled_means_leave_out_suppressed_cells():
    # A (12 answers to q2) is shown; B answered q2 three times: its answers must not enter the pooled mean
    frame = pd.DataFrame({"network_id": ["A"] * 12 + ["B"] * 12,
                          "q2": [2.0] * 12 + [5.0] * 3 + [None] * 9})
    pooled = pooled_means(frame, ["q2"], cells=["network_id"], min_cell=10)
    assert pooled.loc[0, "mean"] == 2.0 and pooled.loc[0, "n_persons"] == 12 and pooled.loc[0, "n_cells"] == 1
    # a wave with no shown cell is suppressed and present (marked), not dropped
    people = pd.DataFrame({"network_id": ["A"] * 30 + ["B"] * 9, "wave": [1] * 30 + [4] * 9,
                           "measure": np.r_[np.zeros(30), np.full(9, 2.5)]})
    waves = pooled_means(people, ["measure"], cells=["network_id"], by=["wave"], min_cell=10)
    assert waves["wave"].tolist() == [1, 4] and waves["suppressed"].tolist() == [False, True]


def test_category_shares_blank_small_groups():
    frame = pd.DataFrame({"network_id": ["A"] * 10 + ["B"] * 3, "category": ["low"] * 5 + ["high"] * 8})
    table = category_shares(frame, "category", ["low", "high"], by=["network_id"], min_cell=10)
    assert table.loc[0, ["low", "high"]].tolist() == [0.5, 0.5] and table["suppressed"].tolist() == [False, True]
    overall = category_shares(frame, "category", ["low", "high"], min_cell=10)
    assert overall.loc[0, "n_persons"] == 13


def test_suppress_by_group_size_blanks_small_networks_rows():
    eb = pd.DataFrame({"network_id": ["N1", "N2", "N3"], "estimate": [0.1, 0.9, -0.3], "n": [30, 9, 12]})
    out = suppress_by_group_size(eb, pd.Series({"N1": 30, "N2": 9}), min_cell=10)
    assert out["suppressed"].tolist() == [False, True, True]  # N3 has no respondents in `sizes`
    assert out.loc[1, ["estimate", "n"]].isna().all() and out.loc[1, "network_id"] == "N2"
    assert suppress_by_group_size(pd.DataFrame({"x": [1]}), pd.Series(dtype=float)).equals(pd.DataFrame({"x": [1]}))


def _published(people, items, min_cell=10):
    """Every figure the rule lets a report publish, as one flat dict (name -> value)."""
    ok = publishable(people, min_cell=min_cell)
    figures = {}
    for table, name in [
        (cell_means(people, items, by=["network_id"], among=ok, min_cell=min_cell), "item"),
        (pooled_means(people, items, cells=["network_id"], among=ok, min_cell=min_cell), "all_item"),
        (cell_means(people, ["measure"], by=["network_id", "wave"], among=ok, min_cell=min_cell), "wave"),
        (pooled_means(people, ["measure"], cells=["network_id"], by=["wave"], among=ok, min_cell=min_cell),
         "all_wave"),
        (category_shares(people.assign(category=np.where(people["measure"] > 0, "high", "low")), "category",
                         ["low", "high"], by=["network_id"], among=ok, min_cell=min_cell), "shares"),
        (category_shares(people.assign(category=np.where(people["measure"] > 0, "high", "low")), "category",
                         ["low", "high"], among=ok, min_cell=min_cell), "all_shares"),
        (shown_groups(people, min_cell=min_cell), "network"),
    ]:
        for i, row in table.iterrows():
            for column, value in row.items():
                figures[(name, i, column)] = None if pd.isna(value) else value
    return figures


def test_no_published_figure_depends_on_a_suppressed_cell():
    """Differencing cannot recover what the published figures do not depend on.

    A network of 9 alone in wave 4, a network whose wave-2 cell has 4 people, an item answered by 3
    people in a shown network: changing those people's answers changes no published figure.
    """
    rng = np.random.default_rng(12)
    sizes = {"A": 40, "B": 30, "C": 9}
    people = pd.DataFrame({"network_id": np.repeat(list(sizes), list(sizes.values()))})
    people["wave"] = np.r_[np.full(40, 1), np.full(26, 1), np.full(4, 2), np.full(9, 4)]
    people["measure"] = rng.normal(size=len(people))
    people["q1"] = rng.integers(1, 6, len(people)).astype(float)
    people["q2"] = np.where((people["network_id"] == "A") & (np.arange(len(people)) >= 3), np.nan,
                            rng.integers(1, 6, len(people)))
    before = _published(people, ["q1", "q2"])
    hidden = ~publishable(people, min_cell=10) | ((people["network_id"] == "A") & people["q2"].notna())
    assert hidden.sum() == 9 + 4 + 3
    changed = people.copy()
    suppressed_cells = ~publishable(people, min_cell=10)
    changed.loc[suppressed_cells, ["measure", "q1", "q2"]] = 9.0   # C's nine, B's wave-2 four
    changed.loc[hidden & ~suppressed_cells, "q2"] = 9.0             # the three answers to q2 in A
    assert _published(changed, ["q1", "q2"]) == before
    # the attack of issue 12: all-networks wave-4 mean times its n, minus the shown networks' wave-4
    # figures, would leave network C's nine answers: there is no wave-4 all-networks figure to start from
    assert before[("all_wave", 2, "wave")] == 4
    assert before[("all_wave", 2, "suppressed")] is True and before[("all_wave", 2, "mean")] is None
    # B's wave-2 cell and C's network are present and marked, not silently left out
    waves = {(f[1]): v for f, v in before.items() if f[0] == "wave" and f[2] == "suppressed"}
    assert sum(waves.values()) == 2 and before[("network", 2, "suppressed")] is True


# ---------------------------------------------------------------------------------------------------
# the per-network displays of the papers' pages: shown_rows, not_shown_note

def _panel():
    """A of 12 in wave 1; B of 6 in each of three waves (18 rows, every cell suppressed); C of 12 in wave 1
    and 4 in wave 2 (shown, but not in wave 2)."""
    return pd.DataFrame({"network_id": ["A"] * 12 + ["B"] * 18 + ["C"] * 16,
                         "wave": [1] * 12 + [1, 2, 3] * 6 + [1] * 12 + [2] * 4})


def test_shown_rows_leaves_out_a_network_small_in_every_wave():
    from inhd.privacy import shown_groups, shown_rows

    people = _panel()
    eb = pd.DataFrame({"network_id": ["C", "B", "A"], "mean": [1.0, 2.0, 3.0]})
    out = shown_rows(eb, shown_groups(people))
    assert out["network_id"].tolist() == ["C", "A"]       # B's 18 rows are three cells of 6; order kept
    assert eb["network_id"].tolist() == ["C", "B", "A"]   # input untouched
    # a figure of one wave: a network is shown where its cell in that wave is
    wave2 = shown_rows(eb, shown_groups(people[people["wave"] == 2]))
    assert wave2.empty
    assert shown_rows(eb, shown_groups(people[people["wave"] == 1]))["network_id"].tolist() == ["C", "A"]
    # min_cell is a parameter: with 5, every cell of B is shown
    assert shown_rows(eb, shown_groups(people, min_cell=5))["network_id"].tolist() == ["C", "B", "A"]


def test_shown_rows_reads_ids_from_the_index_and_several_rows_per_network():
    from inhd.privacy import shown_groups, shown_rows

    shown = shown_groups(_panel())
    labels = pd.Series({"A": "well", "B": "least", "C": "other"})
    assert shown_rows(labels, shown).to_dict() == {"A": "well", "C": "other"}
    long = pd.DataFrame({"network_id": ["A", "B", "C"] * 2, "measure": ["m1"] * 3 + ["m2"] * 3})
    assert shown_rows(long, shown)["network_id"].tolist() == ["A", "C", "A", "C"]
    profiles = pd.DataFrame({"m1": [0.1, 0.2, 0.3]}, index=pd.Index(["A", "B", "C"], name="network_id"))
    assert shown_rows(profiles, shown).index.tolist() == ["A", "C"]


@pytest.mark.parametrize("shown", [pd.DataFrame({"network_id": ["A"]}), pd.DataFrame({"suppressed": [False]})])
def test_shown_rows_refuses_a_table_that_is_not_shown_groups(shown):
    from inhd.privacy import shown_rows

    with pytest.raises(ValueError, match="shown must be shown_groups"):
        shown_rows(pd.DataFrame({"network_id": ["A"]}), shown)


def test_not_shown_note_counts_networks_not_rows_and_names_none():
    from inhd.privacy import not_shown_note, shown_groups, shown_rows

    long = pd.DataFrame({"network_id": ["A", "B", "C"] * 2, "measure": ["m1"] * 3 + ["m2"] * 3})
    note = not_shown_note(long, shown_rows(long, shown_groups(_panel())), min_cell=10)
    assert note == "1 network(s) with fewer than 10 respondents in a survey wave are not shown."
    assert "B" not in note.replace("network(s)", "")
    assert not_shown_note(long, long) == ""
    with pytest.raises(ValueError, match="min_cell"):
        not_shown_note(long, long, min_cell=0)


@pytest.mark.parametrize("notebook", ["02_measure_validity", "03_network_variation", "04_participatory_benefits"])
def test_paper_notebooks_take_min_cell_defaulting_to_the_rule(notebook):
    # inhd run injects --min-cell into a notebook that declares it (inhd.workflows.run_paper)
    from inhd.runner import notebook_parameters
    from inhd.workflows import NOTEBOOKS

    assert int(notebook_parameters(NOTEBOOKS / f"{notebook}.ipynb")["min_cell"]) == MIN_CELL


def test_shown_rows_blank_the_counts_when_a_group_is_left_out():
    # the page states the model's respondents (here 30); with B hidden, A's count 12 would give B's 18
    from inhd.privacy import shown_groups, shown_rows

    people = pd.DataFrame({"network_id": ["A"] * 12 + ["B"] * 18, "wave": [1] * 12 + [1, 2, 3] * 6})
    eb = pd.DataFrame({"network_id": ["A", "B"], "n_persons": [12, 18], "mean": [4.5, 7.5]})
    out = shown_rows(eb, shown_groups(people))
    assert out["network_id"].tolist() == ["A"] and out["n_persons"].isna().all() and eb["n_persons"].notna().all()
    everyone = shown_rows(eb, shown_groups(people, min_cell=5))           # nobody hidden: counts stay
    assert everyone["n_persons"].tolist() == [12, 18]
