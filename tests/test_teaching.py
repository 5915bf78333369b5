"""The measure-construction lab's simulators and design calculations."""

import numpy as np
import pandas as pd
import pytest

from inhd import teaching
from inhd.rsm import category_probabilities


def test_simulation_is_reproducible_and_labelled():
    a, theta_a = teaching.simulate_responses(n_persons=50, difficulties=[0.0, 1.0], thresholds=[-1, 1], rng=7)
    b, theta_b = teaching.simulate_responses(n_persons=50, difficulties=[0.0, 1.0], thresholds=[-1, 1], rng=7)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["item01", "item02"] and a.index[0] == "p00001"
    assert set(a.stack().unique()) <= {1, 2, 3}


def test_simulated_category_shares_match_the_model():
    # One item at difficulty 0.5 answered by persons all at theta = 0: the shares of each category
    # must match the model's probabilities within 3 binomial standard errors.
    n, tau = 20_000, [-1.0, 0.2, 1.1]
    responses, _ = teaching.simulate_responses(n_persons=n, difficulties=[0.5], thresholds=tau, person_sd=0.0,
                                               min_category=0, rng=3)
    expected = category_probabilities([0.0], difficulty=0.5, thresholds=tau)[0]
    observed = responses.iloc[:, 0].value_counts(normalize=True).reindex(range(4), fill_value=0).to_numpy()
    assert np.all(np.abs(observed - expected) < 3 * np.sqrt(expected * (1 - expected) / n))


def test_missing_responses_are_missing_completely_at_random():
    responses, _ = teaching.simulate_responses(n_persons=4000, difficulties=[0, 0, 0], thresholds=[0.0], missing=0.1, rng=1)
    share = responses.isna().to_numpy().mean()
    assert abs(share - 0.1) < 3 * np.sqrt(0.1 * 0.9 / responses.size)


@pytest.mark.parametrize(
    "kwargs, message",
    [({"n_persons": 0}, "n_persons must be at least 1"), ({"n_persons": 5, "missing": 1.0}, "missing must be a probability")],
)
def test_bad_simulation_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        teaching.simulate_responses(difficulties=[0.0], thresholds=[0.0], **kwargs)


def test_liking_for_science_is_the_real_data_set():
    lfs = teaching.load_liking_for_science()
    assert lfs.shape == (75, 25)
    assert set(lfs.stack().unique()) == {0, 1, 2}


def test_network_reliability_by_design_recovers_the_closed_form():
    # 200 networks of 30: SE(tau) ~ sqrt(2/200) (0.56 + 3.7/30) = 0.068, and lambda moves by
    # V/(tau + V)^2 = 0.26 per unit of tau, so 3 SE of the estimated reliability is about 0.054
    out = teaching.network_reliability_by_design(n_networks=[200], n_persons_per_network=[30], rng=1)
    assert list(out.columns) == ["n_networks", "n_persons_per_network", "variance_network_id",
                                 "network_reliability", "network_reliability_formula"]
    row = out.iloc[0]
    assert abs(row["variance_network_id"] - 0.56) < 3 * 0.068
    assert row["network_reliability_formula"] == pytest.approx(0.56 / (0.56 + 3.7 / 30), abs=1e-12)
    assert abs(row["network_reliability"] - row["network_reliability_formula"]) < 0.054
