"""Tests of inhd.framework: the published reliability table, grouping, and the framework drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
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


def test_medians_leave_out_the_values_marked_not_significant():
    """The poster marks 7 school and 2 network reliabilities "(n.s.)": the medians without them,
    and the medians of all values beside them, recomputed from the rows of each group."""
    table = framework.load_reliability_table()
    grouped = framework.measures_by_domain(table).set_index("group")
    assert grouped["n_school_not_significant"].sum() == 7
    assert grouped["n_network_not_significant"].sum() == 2
    for group, sub in table.groupby("domain"):
        for level in ("school", "network"):
            kept = sub.loc[sub[f"{level}_not_significant"] == 0, f"{level}_reliability"]
            assert grouped.loc[group, f"median_{level}_reliability"] == np.median(kept)
            assert grouped.loc[group, f"median_{level}_reliability_all"] == np.median(
                sub[f"{level}_reliability"])
    # Network culture: 0.85, 0.21 (n.s.), 0.81, 0.73, 0.78 -> 0.795 without the n.s. value, 0.78
    culture = grouped.loc["Network culture"]
    assert (culture["median_network_reliability"], culture["median_network_reliability_all"]) == \
        (0.795, 0.78)


def test_ns_marks_are_printed_as_on_the_poster():
    table = framework.load_reliability_table()
    before = table.copy()
    shown = framework.with_ns_marks(table)
    pd.testing.assert_frame_equal(table, before)
    assert "school_not_significant" not in shown.columns
    assert shown["school_reliability"].str.endswith("(n.s.)").sum() == 7
    assert shown["network_reliability"].str.endswith("(n.s.)").sum() == 2
    row = shown.set_index("measure").loc["Inquiry cycle challenges"]
    assert (row["school_reliability"], row["network_reliability"]) == ("0.17", "0.21 (n.s.)")
    assert (shown["individual_reliability"] == "N/A").sum() == 5


def test_network_reliability_bars_hatch_the_not_significant():
    table = framework.load_reliability_table()
    fig, ax = plt.subplots()
    framework.plot_network_reliabilities(table, ax=ax)
    bars = {p.get_gid(): p for p in ax.patches if p.get_gid()}
    assert len(bars) == 38
    hatched = sorted(g for g, p in bars.items() if p.get_hatch())
    assert hatched == ["Hub support for school team leads", "Inquiry cycle challenges"]
    assert bars["Inquiry cycle challenges"].get_width() == 0.21
    assert sum(t.get_text() == "n.s." for t in ax.texts) == 2
    plt.close(fig)


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
