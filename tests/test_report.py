"""Tests of inhd.report: one calibration for all networks, each network's tables and figures drawn
from it, small groups suppressed.

On a small simulated export (tests/test_workflows.small_survey: six networks, the last with 6
respondents, below the default min_cell of 10): the calibration's definitions (EB means, the 0-10
map, the four categories), suppression in every shareable table and figure, the save/load round
trip, and bad input.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from inhd import report  # noqa: E402
from inhd.data import load_survey  # noqa: E402
from inhd.privacy import publishable  # noqa: E402
from inhd.scales import FOUR_CATEGORIES, four_categories, reporting_range  # noqa: E402

from test_workflows import small_survey  # noqa: E402


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    r, n, items = small_survey(tmp_path_factory.mktemp("report"))
    survey = load_survey(r, n, items=items)
    return report.calibrate(survey.respondents, items=items), survey


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_calibration_networks_are_eb_means_on_both_scales(calibration):
    cal, survey = calibration
    nets = cal.networks
    assert list(nets.columns) == ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10"]
    assert nets["n_persons"].tolist() == [40, 35, 30, 25, 20, 6]
    # the 0-10 range comes from the item calibration, not from any respondent's measure
    assert cal.scale == reporting_range(cal.items["difficulty"], cal.thresholds)
    low, high = cal.scale
    np.testing.assert_allclose(nets["mean_0_10"], 10 * (nets["mean"] - low) / (high - low),
                               rtol=1e-12)
    np.testing.assert_allclose(nets["se_0_10"], 10 * nets["se"] / (high - low), rtol=1e-12)
    # EB means are shrunk towards the grand mean: inside the persons' range, ordered as the
    # networks were simulated (person means spaced from -1 to 1 logits)
    fitted = nets.dropna(subset=["mean"])
    assert fitted["mean_0_10"].between(0, 10).all()
    assert fitted["mean"].is_monotonic_increasing
    assert nets.set_index("network_id").loc["N6", ["mean", "se"]].isna().all()   # 6 < min_cell: not fitted
    assert "6 networks" in cal.summary()


def test_person_categories_follow_the_cuts(calibration):
    cal, _ = calibration
    expected = four_categories(cal.persons["measure"], cal.cuts)
    assert list(cal.persons["category"].astype(str)) == list(np.asarray(expected).astype(str))
    assert np.all(np.diff(cal.cuts) > 0)


def test_small_networks_are_suppressed_everywhere(calibration):
    cal, _ = calibration
    table = report.network_table(cal)
    small = table.set_index("network_id").loc["N6"]
    assert small["suppressed"] and pd.isna(small["mean_0_10"]) and pd.isna(small["n_persons"])
    dist = report.category_distribution(cal, "N6").set_index("group")
    assert dist.loc["network N6", "suppressed"] and not dist.loc["all networks", "suppressed"]
    assert list(dist.columns) == ["n_persons", *FOUR_CATEGORIES, "suppressed"]
    big = report.category_distribution(cal, "N1").set_index("group")
    np.testing.assert_allclose(big.loc["network N1", list(FOUR_CATEGORIES)].astype(float).sum(), 1.0)
    profile = report.item_profile(cal, "N6")
    assert profile["suppressed"].all() and profile["network_mean"].isna().all()
    assert profile["all_mean"].notna().all()                  # the all-networks line stays
    summary = report.network_summary(cal, "N6")
    assert summary.suppressed and summary.mean_0_10 is None and "suppressed" in summary.summary()
    ax = report.plot_caterpillar(cal, "N1")
    assert [t.get_text() for t in ax.get_xticklabels()].count("N6") == 0
    assert "1 network(s) suppressed" in ax.get_title()


def test_network_summary_ranks_the_network_among_those_shown(calibration):
    cal, _ = calibration
    top = report.network_summary(cal, "N5")
    # N5's 20 respondents: 12 in one wave, 8 in the other (a suppressed cell): 12 publishable
    assert (top.rank, top.n_networks, top.n_persons) == (1, 5, 12)
    assert f"{top.mean_0_10:.1f}" in top.text
    with pytest.raises(ValueError, match="network 'N9' is not in the calibration"):
        report.network_summary(cal, "N9")


def test_wave_trend_has_one_row_per_wave(calibration):
    cal, _ = calibration
    trend = report.wave_trend(cal, "N1")
    assert list(trend.columns) == ["wave", "n_persons", "network_mean", "suppressed", "all_n_persons", "all_mean",
                                   "all_suppressed", "network_mean_0_10", "all_mean_0_10"]
    low, high = cal.scale                              # the trend on the 0-10 scale of the estimates too
    np.testing.assert_allclose(trend["all_mean_0_10"], 10 * (trend["all_mean"].astype(float) - low) / (high - low))
    assert trend["wave"].tolist() == [2023, 2024]
    assert trend.loc[~trend["suppressed"], "n_persons"].sum() == 40


def test_save_and_load_round_trip(calibration, tmp_path):
    cal, _ = calibration
    back = report.Calibration.load(cal.save(tmp_path / "cal"))
    pd.testing.assert_frame_equal(back.networks, cal.networks)
    np.testing.assert_allclose(back.cuts, cal.cuts, rtol=1e-15)
    assert back.scale == pytest.approx(cal.scale, rel=1e-15)
    written = report.write_tables(back, "N2", tmp_path / "tables")
    assert sorted(p.name for p in written) == ["distribution.csv", "item_profile.csv",
                                               "networks.csv", "trend.csv"]
    assert "respondent_id" not in pd.read_csv(tmp_path / "tables" / "networks.csv").columns


def test_calibrate_refuses_unknown_items(calibration):
    _, survey = calibration
    with pytest.raises(ValueError, match=r"item column\(s\) \['zz'\]"):
        report.calibrate(survey.respondents, items=["zz"])
