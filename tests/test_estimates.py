"""inhd.estimates: the one table of networks' EB estimates, against the model's own random effects."""

import numpy as np
import pandas as pd
import pytest

from inhd import ROOT
from inhd.estimates import network_estimates
from inhd.hlm import fit_known_variance

SIM = ROOT / "reference" / "metafor" / "simulated_persons.csv"


def test_network_estimates_are_the_intercept_plus_the_eb_deviation():
    d = pd.read_csv(SIM)
    fit = fit_known_variance(d, "y ~ x_person", known_variance="v", groups=["network_id"])
    eb = network_estimates(fit, scale=(-2.0, 3.0))
    re = fit.random_effects["network_id"]
    np.testing.assert_allclose(eb["mean"], fit.params["Intercept"] + re["deviation"].to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(eb["se"], re["se"].to_numpy(), rtol=1e-15)
    assert eb["n_persons"].sum() == len(d) and eb["network_id"].tolist() == [str(i) for i in re.index]
    np.testing.assert_allclose(eb["mean_0_10"], (eb["mean"] + 2) * 2, rtol=1e-14)     # (x - low) * 10 / 5
    np.testing.assert_allclose(eb["se_0_10"], eb["se"] * 2, rtol=1e-14)
    with pytest.raises(ValueError, match="no random slope"):
        network_estimates(fit, slope="t")
    with pytest.raises(ValueError, match="not a grouping level"):
        network_estimates(fit, level="school_id")


def test_network_rates_with_a_random_slope():
    g = np.random.default_rng(4)
    rows = []
    for k in range(30):
        u0, u1 = g.normal(0, 0.7), g.normal(0, 0.3)
        for _ in range(25):
            t = float(g.integers(0, 4))
            v = g.uniform(0.2, 0.6)
            rows.append((f"N{k}", t, 1 + u0 + (0.4 + u1) * t + g.normal(0, 1) + g.normal(0, np.sqrt(v)), v))
    d = pd.DataFrame(rows, columns=["network_id", "t", "y", "v"])
    fit = fit_known_variance(d, "y ~ t", known_variance="v", groups=["network_id"], random_slope="t")
    eb = network_estimates(fit, slope="t")
    assert list(eb.columns) == ["network_id", "n_persons", "mean", "se", "rate", "rate_se"]
    re = fit.random_effects["network_id"]
    np.testing.assert_allclose(eb["rate"], fit.params["t"] + re["slope_deviation"].to_numpy(), rtol=1e-15)
