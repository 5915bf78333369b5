"""Tests of inhd.variation: network profiles and clusters (Russell, Bryk & Sherer 2025).

- the cluster rules on constructed profiles whose answer is known by construction (including the
  boundary of the consistency rule), and the Ward rule against scipy called directly;
- the published structural table summarised, checked against hand counts of the printed table;
- profiles on the shipped SYNTHETIC survey: shape, definitions, and recovery of the generating
  network effects.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import inhd  # noqa: E402
from inhd import variation  # noqa: E402
from inhd.variation import (  # noqa: E402
    NetworkProfiles,
    cluster_characteristics,
    identify_clusters,
    load_structural_table,
    network_profiles,
    plot_profile_heatmap,
    structural_summary,
)


def make_profiles(z: pd.DataFrame, *, standardized=None) -> NetworkProfiles:
    """Profiles whose z statistics are ``z`` (se = 1, variance 1, so deviation = standardized = z)."""
    std = z if standardized is None else standardized
    ones = pd.DataFrame(1.0, index=z.index, columns=z.columns)
    return NetworkProfiles(deviation=std.copy(), se=ones,
                           variance_network_id=pd.Series(1.0, index=z.columns),
                           standardized=std, statistic=z, n_persons=ones.astype(int) * 50,
                           converged=pd.Series(True, index=z.columns), waves=[2023])


@pytest.fixture
def constructed():
    cols = [f"m{j}" for j in range(5)]
    z = pd.DataFrame(0.0, index=[f"N{i}" for i in range(8)], columns=cols)
    z.loc["N0"] = 3.0                        # above on 5/5: well
    z.loc["N1"] = [3.0, 3.0, 3.0, 3.0, 0.0]  # above on 4/5 = 0.8 exactly: well (boundary)
    z.loc["N2"] = [3.0, 3.0, 3.0, 0.0, 0.0]  # 3/5: other
    z.loc["N3"] = [1.9, 1.9, 1.9, 1.9, 1.9]  # never beyond 1.96: other
    z.loc["N6"] = [-3.0, -3.0, -3.0, -3.0, 1.0]  # below on 4/5: least
    z.loc["N7"] = -2.5                       # least
    return make_profiles(z)


def test_consistency_rule_known_answer(constructed):
    before = constructed.statistic.copy()
    c = identify_clusters(constructed)
    pd.testing.assert_frame_equal(constructed.statistic, before)      # input not modified
    assert c.members("well") == ["N0", "N1"]
    assert sorted(c.members("least")) == ["N6", "N7"]
    assert c.labels["N2"] == "other" and c.labels["N3"] == "other"
    row = c.table.set_index("network_id").loc["N1"]
    assert (row["n_above"], row["n_below"], row["n_measures"]) == (4, 0, 5)
    assert list(c.table.columns) == ["network_id", "cluster", "mean_profile", "n_above",
                                     "n_below", "n_measures"]
    assert c.table["mean_profile"].is_monotonic_decreasing
    assert "well-developed (2): N0, N1" in c.summary()


def test_consistency_rule_settings_change_the_answer(constructed):
    strict = identify_clusters(constructed, min_share=1.0)
    assert strict.members("well") == ["N0"] and strict.members("least") == ["N7"]
    loose = identify_clusters(constructed, min_share=0.6)
    assert loose.members("well") == ["N0", "N1", "N2"]
    lower_bar = identify_clusters(constructed, z_crit=1.5)
    assert "N3" in lower_bar.members("well")


def test_consistency_rule_judges_missing_entries_on_measures_present(constructed):
    z = constructed.statistic.copy()
    z.loc["N2", ["m3", "m4"]] = np.nan         # 3 of the 3 measures present: well
    c = identify_clusters(make_profiles(z))
    assert c.labels["N2"] == "well"


def test_ward_rule_matches_scipy_and_names_extreme_clusters():
    from scipy.cluster import hierarchy

    rng = np.random.default_rng(3)
    centres = {"hi": 2.0, "mid": 0.0, "lo": -2.0}
    rows, idx = [], []
    for name, c in centres.items():
        for i in range(5):
            rows.append(c + rng.normal(0, 0.2, size=4))
            idx.append(f"{name}{i}")
    std = pd.DataFrame(rows, index=idx, columns=list("abcd"))
    c = identify_clusters(make_profiles(std), method="ward", n_clusters=3)
    assert sorted(c.members("well")) == [f"hi{i}" for i in range(5)]
    assert sorted(c.members("least")) == [f"lo{i}" for i in range(5)]
    np.testing.assert_allclose(c.linkage, hierarchy.linkage(std.to_numpy(), "ward"))


@pytest.mark.parametrize("kwargs, message", [
    ({"method": "kmeans"}, "method must be"),
    ({"min_share": 0.0}, "min_share must be"),
    ({"min_share": 1.5}, "min_share must be"),
    ({"method": "ward", "n_clusters": 1}, "n_clusters must be"),
    ({"method": "ward", "n_clusters": 99}, "n_clusters must be"),
])
def test_identify_clusters_bad_arguments(constructed, kwargs, message):
    with pytest.raises(ValueError, match=message):
        identify_clusters(constructed, **kwargs)


def test_ward_refuses_missing_entries(constructed):
    z = constructed.statistic.copy()
    z.iloc[0, 0] = np.nan
    with pytest.raises(ValueError, match="missing entries"):
        identify_clusters(make_profiles(z), method="ward")


# ------------------------------------------------------------------------------------------------
# the published structural table (Russell, Bryk & Sherer 2025, Table 1)
# ------------------------------------------------------------------------------------------------
def test_structural_summary_against_hand_counts():
    table = load_structural_table()
    assert (table["cluster"] == "well").sum() == 6 and (table["cluster"] == "least").sum() == 5
    s = structural_summary(table)
    assert list(s.columns) == ["well", "least"]
    # hand counts of the printed table
    assert s.loc["median_launch_year", "well"] == 2018.5       # 2018 2019 2018 2020 2018 2021
    assert s.loc["median_launch_year", "least"] == 2020.0      # 2020 2020 2021 2019 2022
    assert s.loc["share_multiple_districts", "well"] == pytest.approx(3 / 6)
    assert s.loc["share_multiple_districts", "least"] == pytest.approx(1 / 5)
    assert s.loc["share_instructional", "least"] == pytest.approx(4 / 5)
    assert s.loc["mean_tenure_2023", "well"] == pytest.approx(
        (2.65 + 1.89 + 2.33 + 1.66 + 2.28 + 2.68) / 6)
    assert s.loc["mean_member_stability_pct", "least"] == pytest.approx(
        (57 + 65 + 80 + 15 + 39) / 5)
    assert s.loc["share_hub_high_turnover", "well"] == 0.0
    assert s.loc["share_hub_high_turnover", "least"] == pytest.approx(2 / 5)


def test_load_structural_table_bad_labels(tmp_path):
    t = load_structural_table().drop(columns="cluster")
    t.loc[0, "network"] = "X1"
    path = tmp_path / "t.csv"
    t.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"must start with W or L, got \['X1'\]"):
        load_structural_table(path)
    t.drop(columns="hub_stability").to_csv(path, index=False)
    with pytest.raises(ValueError, match="hub_stability"):
        load_structural_table(path)


def test_cluster_characteristics(constructed):
    c = identify_clusters(constructed)
    nets = pd.DataFrame({"network_id": [f"N{i}" for i in range(8)],
                         "launch_year": [2018, 2020, 2019, 2019, 2019, 2019, 2021, 2022],
                         "single_district": [0, 1, 0, 0, 0, 0, 1, 1],
                         "archetype": ["ewr", "instructional"] + ["psm"] * 4
                         + ["instructional"] * 2})
    out = cluster_characteristics(c, nets)
    assert list(out.index) == ["well", "other", "least"]
    assert out.loc["well", "mean_launch_year"] == 2019.0
    assert out.loc["least", "mean_single_district"] == 1.0          # every least-developed: one district
    assert out.loc["least", "share_archetype_instructional"] == 1.0
    assert out.loc["other", "n_networks"] == 4
    # a networks table with nothing but ids: the counts only
    assert list(cluster_characteristics(c, nets[["network_id"]]).columns) == ["n_networks"]


# ------------------------------------------------------------------------------------------------
# profiles on the shipped SYNTHETIC survey
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_profiles():
    respondents = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    return network_profiles(respondents, measures=["team_inquiry", "ci_equity", "data_use"],
                            waves=[2023, 2024])


def test_profiles_without_schools_and_waves(shipped_profiles):
    respondents = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    one = respondents[respondents["wave"] == 2023].drop(columns=["school_id", "wave"])
    p = network_profiles(one, measures=["team_inquiry"])
    assert p.groups == ("network_id",) and p.waves == [] and p.converged.all()
    assert "levels network_id" in p.summary()
    with pytest.raises(ValueError, match="no wave column"):
        network_profiles(one, measures=["team_inquiry"], waves=[2023])


def test_profiles_definitions(shipped_profiles):
    p = shipped_profiles
    assert p.deviation.shape == (34, 3) and p.waves == [2023, 2024]
    assert p.converged.all()
    np.testing.assert_allclose(p.standardized, p.deviation / np.sqrt(p.variance_network_id),
                               rtol=1e-14)
    np.testing.assert_allclose(p.statistic, p.deviation / p.se, rtol=1e-14)
    assert (p.se > 0).all().all()
    # EB deviations average to about zero over networks (they are shrunk deviations)
    assert p.deviation.mean().abs().max() < 0.5 * np.sqrt(p.variance_network_id).min()
    long = p.long()
    assert list(long.columns) == ["network_id", "measure", "n_persons", "deviation", "se",
                                  "standardized", "statistic"]
    assert len(long) == 34 * 3
    # every respondent of the pooled waves is behind exactly one estimate per measure
    assert (p.n_persons.sum() > 0).all()
    assert "Profiles of 34 networks on 3 measures" in p.summary()


def test_profiles_recover_generating_network_effects(shipped_profiles):
    truth = pd.read_csv(inhd.DATA_DIR / "network_health_network_effects_SYNTHETIC.csv")
    for measure in shipped_profiles.deviation.columns:
        t = truth[truth["measure"] == measure].set_index("network_id")
        true_level = t["intercept"] + t["slope"] * 2.5        # mid-point of 2023-2024
        r = np.corrcoef(true_level.reindex(shipped_profiles.deviation.index),
                        shipped_profiles.deviation[measure])[0, 1]
        # network reliabilities of these measures are ~0.8-0.9, so the correlation of EB
        # estimates with the truth (about sqrt(reliability)) is ~0.9; 0.75 leaves room for chance
        assert r > 0.75, (measure, r)


def test_profiles_unknown_measure_and_wave(shipped_profiles):
    respondents = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    with pytest.raises(ValueError, match="no respondents in waves"):
        network_profiles(respondents, measures=["data_use"], waves=[1999])
    with pytest.raises(ValueError, match="no calibration for measure"):
        network_profiles(respondents, measures=["data_use"], calibrations={})


def test_heatmap_draws_profiles_with_cluster_colours(constructed):
    c = identify_clusters(constructed)
    ax = plot_profile_heatmap(constructed, c, names={"m0": "Measure zero"})
    img = ax.images[0].get_array()
    assert img.shape == (5, 8)                                  # one row per measure, one column per network
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[0] == "N0" and labels[-1] == "N7"            # highest mean profile first
    colours = {t.get_text(): t.get_color() for t in ax.get_xticklabels()}
    assert colours["N0"] == "tab:green" and colours["N7"] == "tab:red"
    assert ax.get_yticklabels()[0].get_text() == "Measure zero"
    # newcomer trial: the caption (and the interactive chart) say blue above the average network, red below; the
    # static figure drew RdBu_r, the other way round. The colour drawn for N0 (+3 SDs) is blue, for N7 (-2.5) red.
    image = ax.images[0]
    above, below = image.cmap(image.norm(img[0, 0])), image.cmap(image.norm(img[0, -1]))
    assert above[2] > above[0] and below[0] > below[2]
    plt.close("all")


def test_every_rule_labels_from_the_documented_labels_in_their_order(constructed):
    # both rules use only CLUSTER_LABELS, and tables of clusters follow their order
    for method in ("consistency", "ward"):
        c = identify_clusters(constructed, method=method, n_clusters=3)
        assert set(c.labels) <= set(variation.CLUSTER_LABELS)
        assert set(c.table["cluster"]) == set(c.labels)
    nets = pd.DataFrame({"network_id": constructed.statistic.index, "launch_year": 2020})
    out = cluster_characteristics(identify_clusters(constructed), nets)
    assert list(out.index) == [c for c in variation.CLUSTER_LABELS if c in out.index]
    assert list(out.index) == ["well", "other", "least"]


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(variation)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow
def test_network_variation_describes_clusters_by_the_numeric_columns_of_the_networks_table(tmp_path, capsys):
    # newcomer trial: company_size was loaded as text and dropped, the page then said the networks
    # table had no columns to describe the clusters by, and --network-covariates was refused
    from inhd.cli import main
    from surveys import make_survey

    r, n, items = make_survey(tmp_path, n_categories=4, n_networks=10, per_network=(30, 40), n_items=6,
                              schools=False, waves=(), covariates=True, reversed_item=None)
    base = ["run", "network-variation", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items),
            "--scale", "1-4", "--quiet"]
    assert main([*base, "--out", str(tmp_path / "all")]) == 0, capsys.readouterr().err
    table = pd.read_csv(tmp_path / "all" / "tables" / "cluster_characteristics.csv").set_index("cluster")
    nets = pd.read_csv(n)
    assert "mean_size" in table.columns and any(c.startswith("share_region_") for c in table.columns)
    assert table["mean_size"].mul(table["n_networks"]).sum() == pytest.approx(nets["size"].sum())
    page = (tmp_path / "all" / "03_network_variation.html").read_text()
    assert "The clusters are described by size, region" in page and "no columns besides" not in page
    assert main([*base, "--network-covariates", "size", "--out", str(tmp_path / "size")]) == 0
    table = pd.read_csv(tmp_path / "size" / "tables" / "cluster_characteristics.csv")
    assert list(table.columns) == ["cluster", "n_networks", "mean_size"]


def test_the_note_says_which_columns_could_not_describe_the_clusters():
    nets = pd.DataFrame({"network_id": list("ABCDEFG"), "size": range(7), "name": list("abcdefg"),
                         "empty": [np.nan] * 7})
    clusters = variation.Clusters(labels=pd.Series(dict(zip("ABCDEFG", ["well"] * 3 + ["other"] * 4))),
                                  table=pd.DataFrame(), method="consistency", settings={})
    note = variation.characteristics_note(nets, cluster_characteristics(clusters, nets))
    assert note == ("The clusters are described by size (the mean of a number; the share of each label of a text "
                    "column). Not described: name (text with more than five labels), empty (empty).")
    alone = variation.characteristics_note(nets[["network_id"]], pd.DataFrame({"n_networks": [3]}))
    assert "no columns besides `network_id`" in alone and "--networks" in alone


@pytest.mark.slow
def test_network_variation_runs_when_every_measure_is_a_single_item(tmp_path, capsys):
    # newcomer trial: with one-item measures only, the items.csv of no calibration failed ("No objects to concatenate")
    from test_validity import _single_item_survey

    from inhd.cli import main

    r, nets, m = _single_item_survey(tmp_path)
    code = main(["run", "network-variation", "--respondents", str(r), "--networks", str(nets), "--measures", str(m),
                 "--out", str(tmp_path / "nv"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    items = pd.read_csv(tmp_path / "nv" / "tables" / "items.csv")
    assert items.empty and items.columns[:2].tolist() == ["measure", "item"]
    assert set(pd.read_csv(tmp_path / "nv" / "tables" / "network_profiles.csv")["measure"]) == {"q01", "q02", "q03"}


def test_summary_lists_each_network_once_when_there_are_fewer_than_ten(constructed):
    # newcomer trial: 8 companies, "highest five: REC, SVC, F, B, D" and "lowest five: B, D, A, C, HHC"
    text = constructed.summary()
    assert "highest five" not in text and "lowest five" not in text
    line = next(x for x in text.splitlines() if x.startswith("mean standardized profile"))
    assert line.startswith("mean standardized profile of the 8 networks, highest first: N0 +3.00, N1 +2.40")
    assert all(line.count(f"N{i} ") == 1 for i in range(8))
    z = pd.DataFrame({"m0": np.linspace(2, -2, 12)}, index=[f"N{i:02d}" for i in range(12)])
    twelve = make_profiles(z).summary()
    assert "highest five: N00 +2.00" in twelve and "lowest five: N07" in twelve


def test_clusters_say_when_a_cluster_holds_one_network_or_the_rule_one_measure():
    # newcomer trial: a 6-soldier company was the sole "well-developed" network, on a single measure, with no note
    z = pd.DataFrame({"m0": [3.0, 0.5, 0.0, -0.4]}, index=["REC", "A", "B", "C"])
    c = identify_clusters(make_profiles(z))
    assert c.members("well") == ["REC"]
    notes = c.notes()
    assert notes[0] == ("the well-developed cluster holds a single network (REC): what describes the cluster "
                        "describes that network alone")
    assert "judged on a single measure, so the rule is one z test per network" in notes[1]
    assert "  note: the well-developed cluster holds a single network (REC)" in c.summary()


def test_constructed_clusters_need_no_notes(constructed):
    assert identify_clusters(constructed).notes() == []


def test_cluster_characteristics_leave_out_networks_the_suppression_rule_hides(constructed):
    # newcomer trial: cluster_characteristics.csv published "well,1,6.0,14.33": the size and mean rank of a company
    # of 6 soldiers a wave, the cluster's only network
    c = identify_clusters(constructed)
    nets = pd.DataFrame({"network_id": [f"N{i}" for i in range(8)], "size": [6.0, 30, 20, 25, 40, 50, 35, 45]})
    full = cluster_characteristics(c, nets)
    assert full.loc["well", "mean_size"] == 18.0
    shown = [f"N{i}" for i in range(1, 8)]                 # N0 is below the minimum cell size
    out = cluster_characteristics(c, nets, shown=shown)
    assert out.loc["well", "n_networks"] == 1 and out.loc["well", "mean_size"] == 30.0   # N1 alone, shown
    assert out.loc["other", "n_networks"] == full.loc["other", "n_networks"]
    none = cluster_characteristics(c, nets, shown=shown[1:])   # N0 and N1 hidden: the well cluster has no row
    assert "well" not in none.index and 6.0 not in none.to_numpy()
    note = variation.suppressed_note(c, ["N0", "N1"], min_cell=10)
    assert note.startswith("2 network(s) that the suppression rule hides (fewer than 10 respondents")
    assert note.endswith("which leaves the well-developed cluster undescribed.")
    assert variation.suppressed_note(c, ["N2"], min_cell=10).endswith("cluster characteristics.")
    assert variation.suppressed_note(c, [], min_cell=10) == ""


@pytest.mark.slow
def test_network_variation_describes_no_cluster_by_a_network_below_the_minimum_cell(tmp_path, capsys):
    # newcomer trial: a company of 6 soldiers was the whole well-developed cluster, and cluster_characteristics.csv
    # published its size and mean rank
    from inhd.cli import main
    from surveys import make_survey

    r, n, items = make_survey(tmp_path, n_categories=4, n_networks=10, per_network=(30, 40), n_items=6,
                              schools=False, waves=(), covariates=True, reversed_item=None)
    frame = pd.read_csv(r, dtype=str)
    small = frame.index[frame["network_id"] == "NET03"][6:]             # NET03 keeps 6 respondents
    frame.drop(index=small).to_csv(r, index=False)
    nets = pd.read_csv(n)
    nets.loc[nets["network_id"] == "NET03", "size"] = 999.0
    nets.to_csv(n, index=False)
    base = ["run", "network-variation", "--respondents", str(r), "--networks", str(n), "--items", ",".join(items),
            "--scale", "1-4", "--network-covariates", "size", "--quiet"]
    assert main([*base, "--out", str(tmp_path / "ten")]) == 0, capsys.readouterr().err
    table = pd.read_csv(tmp_path / "ten" / "tables" / "cluster_characteristics.csv")
    assert table["n_networks"].sum() == 9                               # NET03 left out of every cluster
    assert table["mean_size"].mul(table["n_networks"]).sum() == pytest.approx(nets["size"].sum() - 999.0)
    page = (tmp_path / "ten" / "03_network_variation.html").read_text()
    assert "1 network(s) that the suppression rule hides (fewer than 10 respondents" in page
    assert main([*base, "--min-cell", "5", "--out", str(tmp_path / "five")]) == 0
    table = pd.read_csv(tmp_path / "five" / "tables" / "cluster_characteristics.csv")
    assert table["n_networks"].sum() == 10
    assert table["mean_size"].mul(table["n_networks"]).sum() == pytest.approx(nets["size"].sum())
