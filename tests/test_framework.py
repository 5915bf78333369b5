"""Tests of inhd.framework: the published reliability table, grouping, and the framework drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from inhd import DATA_DIR, framework  # noqa: E402


def test_reliability_table_transcribes_the_poster():
    table = framework.load_reliability_table()
    assert len(table) == 38  # Bryk et al. (2025) Table 2 lists 38 measures
    assert table["domain"].nunique() == 7
    row = table.set_index("measure").loc["Internal team connections: collaborative inquiry"]
    assert (row["n_items"], row["individual_reliability"], row["school_reliability"],
            row["network_reliability"]) == (5, 0.92, 0.23, 0.88)
    # single-item measures print N/A for individual reliability
    assert table.loc[table["n_items"] == 1, "individual_reliability"].isna().all()
    assert table["individual_reliability"].isna().sum() == 5  # five single-item measures
    assert table["school_not_significant"].sum() == 7
    assert table.set_index("measure").loc["Inquiry cycle challenges", "network_not_significant"] == 1


def test_reliability_table_agrees_with_the_other_transcription():
    # data/published/inhd_measure_reliabilities.csv was transcribed independently by another engineer.
    ours = framework.load_reliability_table()
    other = pd.read_csv(DATA_DIR / "published" / "inhd_measure_reliabilities.csv")
    assert list(ours["measure"]) == list(other["measure"])
    assert (ours["n_items"].to_numpy() == other["n_items"].to_numpy()).all()
    for col in ("school", "network"):
        assert (ours[f"{col}_reliability"].to_numpy() == other[col].to_numpy()).all()


def test_framework_elements_cover_domains_outcome_and_context():
    table = framework.load_reliability_table()
    assert set(framework.DOMAINS) <= set(table["framework_element"])
    assert (table.loc[table["measure"].str.startswith("Cross-team"), "framework_element"]
            == "Connections across improvement teams").all()
    with pytest.raises(ValueError, match="domain: 'Nope'"):
        framework.framework_element("Nope", "x")


def test_measures_by_domain_counts_and_leaves_input_alone():
    table = framework.load_reliability_table()
    before = table.copy()
    grouped = framework.measures_by_domain(table)
    pd.testing.assert_frame_equal(table, before)
    assert grouped["n_measures"].sum() == 38
    assert grouped["n_items"].sum() == table["n_items"].sum()
    hub = grouped.set_index("group").loc["Hub leadership"]
    assert hub["n_measures"] == 4 and hub["n_items"] == 17
    by_el = framework.measures_by_domain(table, by="framework_element")
    assert by_el.set_index("group").loc["Connections across improvement teams", "n_measures"] == 3
    with pytest.raises(ValueError, match="by: expected"):
        framework.measures_by_domain(table, by="measure")


@pytest.mark.parametrize("col,value,match", [
    ("school_reliability", 1.5, "column school_reliability: 1.5 is outside"),
    ("network_reliability", -0.1, "column network_reliability: -0.1 is outside"),
])
def test_bad_reliability_file(tmp_path, col, value, match):
    table = pd.read_csv(DATA_DIR / "published" / "inhd_reliability_table.csv")
    table.loc[3, col] = value
    path = tmp_path / "bad.csv"
    table.to_csv(path, index=False)
    with pytest.raises(ValueError, match=f"line 5, {match}"):
        framework.load_reliability_table(path)


def test_missing_column(tmp_path):
    table = pd.read_csv(DATA_DIR / "published" / "inhd_reliability_table.csv").drop(columns="n_items")
    table.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(ValueError, match=r"columns \['n_items'\] are missing"):
        framework.load_reliability_table(tmp_path / "t.csv")


def test_plot_framework_draws_domains_outcomes_context_and_arrows():
    fig, ax = plt.subplots()
    out = framework.plot_framework(ax=ax)
    assert out is ax
    boxes = {p.get_gid() for p in ax.patches if isinstance(p, FancyBboxPatch)}
    assert boxes == set(framework.DOMAINS) | set(framework.OUTCOMES) | {framework.CONTEXT}
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch) and not isinstance(p, FancyBboxPatch)]
    assert len(arrows) == 7  # six domains -> capacity, capacity -> aim
    texts = " ".join(t.get_text() for t in ax.texts)
    for name in framework.DOMAINS:
        assert name in texts
    plt.close(fig)
