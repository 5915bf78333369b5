"""Tests of inhd.hlm_inference's closed forms: the fixed-effects table under z and t tests, the
variance components' names and boundary zeros. (The EB estimates are checked against metafor's
ranef in tests/test_hlm.py.)"""

import numpy as np
import pytest
from scipy import stats

from inhd.hlm_inference import fixed_effects_table

BETA = np.array([1.0, -0.5, 0.02])
COV = np.array([[0.04, 0.001, 0.0], [0.001, 0.09, 0.0], [0.0, 0.0, 0.0001]])


def test_z_table_is_metafor_test_z():
    fe = fixed_effects_table(BETA, COV, ["Intercept", "a", "b"])
    assert list(fe.columns) == ["estimate", "se", "statistic", "p_value", "ci_low", "ci_high"]
    se = np.sqrt(np.diag(COV))
    np.testing.assert_allclose(fe["statistic"], BETA / se, rtol=1e-15)
    np.testing.assert_allclose(fe["p_value"], 2 * stats.norm.sf(np.abs(BETA / se)), rtol=1e-14)
    np.testing.assert_allclose(fe["ci_high"], BETA + 1.959963984540054 * se, rtol=1e-14)


def test_t_table_carries_df_and_t_quantiles():
    fe = fixed_effects_table(BETA, COV, ["Intercept", "a", "b"], df=[26, 26, 2056])
    assert list(fe.columns) == ["estimate", "se", "statistic", "df", "p_value", "ci_low",
                                "ci_high"]
    # t(26): two-sided 5% critical value 2.0555294386428709
    assert fe.loc["a", "ci_high"] - fe.loc["a", "estimate"] == pytest.approx(
        2.0555294386428709 * 0.3, rel=1e-12)
    assert fe.loc["a", "p_value"] == pytest.approx(2 * stats.t.sf(0.5 / 0.3, 26), rel=1e-14)
    # t p-values exceed z p-values on few df
    z = fixed_effects_table(BETA, COV, ["Intercept", "a", "b"])
    assert (fe["p_value"] >= z["p_value"]).all()


def test_variance_on_its_boundary_is_reported_as_zero():
    """Networks whose means are identical: tau is held at 0 and reported as exactly 0, the
    network EB deviations are 0 and their reliability 0."""
    import pandas as pd

    from inhd.hlm import fit_known_variance

    rng = np.random.default_rng(3)
    net = np.repeat(np.arange(40), 25)
    v = rng.uniform(0.2, 1.0, net.size)
    e = rng.normal(0, 1, net.size) + rng.normal(0, np.sqrt(v))
    e -= np.repeat(np.add.reduceat(e, np.arange(0, net.size, 25)) / 25, 25)
    res = fit_known_variance(pd.DataFrame({"y": e + 1.0, "v": v, "net": net}), "y ~ 1",
                             known_variance="v", groups=["net"])
    assert res.converged
    assert res.variance_components.index.tolist() == ["net", "residual"]
    assert res.variance_components["net"] == 0.0 and res.variance_components["residual"] > 0.5
    assert (res.random_effects["net"]["deviation"] == 0).all()
    assert res.reliability["net"] == 0.0
