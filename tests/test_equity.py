"""Tests of inhd.equity: framework table, SYNTHETIC coding calibration, coverage and trajectories."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from inhd import DATA_DIR, equity  # noqa: E402


def test_framework_table_matches_poster():
    fw = equity.load_equity_framework()
    assert fw.groupby("dimension", sort=False).size().to_dict() == {
        "outcomes": 4, "opportunity": 5, "identity": 4, "power": 4}
    # only power approaches reach students and families
    assert set(fw.loc[fw["students"] == 1, "dimension"]) == {"power"}
    assert fw.loc[fw["approach"].str.startswith("Using data from students"),
                  list(equity.STAKEHOLDERS)].to_numpy().tolist() == [[1, 1, 1, 0, 0]]


@pytest.mark.parametrize("seed", [0, 1, 2, equity.SEED])
def test_calibration_counts_exact(seed):
    coding = equity.simulate_equity_coding(rng=seed)
    shares = equity.coverage_shares(coding)
    counts = dict(zip(shares.table["quantity"], shares.table["n_networks"]))
    assert counts == {"at_least_1_dimensions": 35, "at_least_2_dimensions": 33,
                      "at_least_3_dimensions": 17, "at_least_4_dimensions": 5}
    # published 94%, 49%, 15% are the nearest shares of 35 to these counts
    for k, pub in equity.PUBLISHED_SHARES.items():
        best = min(range(36), key=lambda c: abs(c / 35 - pub))
        assert counts[f"at_least_{k}_dimensions"] == best
    dims = shares.dimension_counts.set_index("dimension")["n_networks"]
    assert dims["outcomes"] == 35  # every network attends to outcomes
    assert dims["identity"] == dims.min() and (dims.drop("identity") > dims["identity"]).all()


def test_trajectories_change_over_years():
    coding = equity.simulate_equity_coding(rng=equity.SEED)
    yearly = equity.yearly_coverage(coding)
    per_net = yearly.groupby("network_id")["n_dimensions"].nunique()
    assert (per_net > 1).sum() >= 10  # many networks change their coverage
    means = yearly.groupby("year")["n_dimensions"].mean()
    assert means.iloc[-1] > means.iloc[0]  # and broaden on average
    # yearly coverage never exceeds overall coverage
    overall = equity.dimension_coverage(coding).set_index("network_id")
    mx = yearly.groupby("network_id")[list(equity.DIMENSIONS)].max()
    pd.testing.assert_frame_equal(mx, overall[list(equity.DIMENSIONS)], check_names=False)


def test_reproducible_and_committed_file_regenerates():
    a = equity.simulate_equity_coding(rng=7)
    b = equity.simulate_equity_coding(rng=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(equity.simulate_equity_coding(rng=8))
    fresh = equity.simulate_equity_coding(rng=equity.SEED)
    committed = equity.load_equity_coding()
    assert len(committed) == 35 * 4 * 17
    pd.testing.assert_frame_equal(committed, fresh, check_dtype=False)


def test_coverage_on_hand_made_coding():
    coding = pd.DataFrame({
        "network_id": ["a"] * 4 + ["b"] * 2,
        "year": [2020, 2020, 2021, 2021, 2020, 2021],
        "dimension": ["outcomes", "power", "identity", "outcomes", "outcomes", "power"],
        "approach": list("pqrstu"),
        "present": [1, 0, 1, 1, 1, 0],
    })
    before = coding.copy()
    cov = equity.dimension_coverage(coding).set_index("network_id")
    assert cov.loc["a", "n_dimensions"] == 2 and cov.loc["a", "identity"] == 1 and cov.loc["a", "power"] == 0
    assert cov.loc["b", "n_dimensions"] == 1
    shares = equity.coverage_shares(coding)
    assert shares.table["n_networks"].tolist() == [2, 1, 0, 0]
    assert (shares.table["n_networks_total"] == 2).all()
    assert "1/2 = 50.0%" in shares.summary()
    pd.testing.assert_frame_equal(coding, before)


@pytest.mark.parametrize("change,match", [
    (lambda c: c.assign(dimension="wealth"), r"column dimension: \['wealth'\]"),
    (lambda c: c.assign(present=2), "column present: expected 0/1"),
    (lambda c: c.drop(columns="year"), r"columns \['year'\] are missing"),
])
def test_bad_coding(change, match):
    coding = equity.simulate_equity_coding(rng=0).head(20)
    with pytest.raises(ValueError, match=match):
        equity.dimension_coverage(change(coding))


def test_bad_framework_and_years(tmp_path):
    fw = equity.load_equity_framework()
    fw.loc[2, "dimension"] = "voice"
    fw.to_csv(tmp_path / "f.csv", index=False)
    with pytest.raises(ValueError, match="line 4, column dimension: 'voice'"):
        equity.load_equity_framework(tmp_path / "f.csv")
    with pytest.raises(ValueError, match="years: expected at least two"):
        equity.simulate_equity_coding(rng=0, years=(2020,))


def test_plot_trajectories():
    coding = equity.simulate_equity_coding(rng=0)
    ax = equity.plot_trajectories(coding)
    img = ax.images[0].get_array()
    assert img.shape == (35, 4) and img.max() <= 4 and img.min() >= 0
    plt.close(ax.figure)


def test_published_shares_file_matches_module_constant():
    assert equity.load_published_shares() == equity.PUBLISHED_SHARES


def test_outcomes_in_every_year():
    yearly = equity.yearly_coverage(equity.simulate_equity_coding(rng=3))
    assert (yearly["outcomes"] == 1).all()
