"""Tests of inhd.effects: Table 4 effect sizes reproduced from its printed coefficients, centering,
dummy coding, errors, inputs untouched.

The effect-size definition (see inhd.effects.TABLE4_DEFINITION) was found by searching standardisers
(each printed variance component, sums of them) and Hedges corrections (none, df from 24 to 2073)
against all 12 printed effect sizes; the tests below pin both the definition and the alternatives it
rules out.
"""

import numpy as np
import pandas as pd
import pytest

from inhd.effects import (dummy_code, effect_sizes, grand_mean_center, group_mean_center,
                          hedges_correction)

# Table 4, final model: coefficient, contrast (max - min for continuous), printed ES
PERSON = {"Team lead": (0.47, 1, 0.25), "Member tenure": (0.09, 5, 0.24),
          "Intensity": (0.5, 1.5, 0.4), "Black": (0.33, 1, 0.18), "Latinx": (0.34, 1, 0.18),
          "Mixed race": (0.51, 1, 0.27), "Additional race": (0.83, 1, 0.45),
          "Didn't disclose race": (-0.46, 1, -0.25)}
NETWORK = {"Single district": (-1.36, 1, -1.18), "Duration since launch": (0.35, 3.5, 1.07),
           "EWR archetype": (0.57, 1, 0.5), "IHE": (0.7, 1, 0.61)}
E0_UNCONDITIONAL, R00_UNCONDITIONAL = 3.362, 1.242
E0_FINAL, R00_FINAL = 3.119, 0.559


def _reproduces(table, var, df):
    """Each printed ES is within rounding of g(b') for some b' within +-0.005 of the printed b."""
    b, delta, printed = (np.array(c, dtype=float) for c in zip(*table.values()))
    J = 1.0 if df is None else hedges_correction(df)
    es = J * np.stack([b - 0.005, b + 0.005]) * delta / np.sqrt(var)
    lo, hi = es.min(axis=0), es.max(axis=0)
    return bool(np.all((lo <= printed + 0.005 + 1e-12) & (hi >= printed - 0.005 - 1e-12)))


def test_table4_effect_sizes_reproduced():
    assert _reproduces(PERSON, E0_UNCONDITIONAL, 34)
    assert _reproduces(NETWORK, R00_UNCONDITIONAL, 34 - 7 - 1)
    # and with the printed coefficients as they are, every ES within 0.01 (two decimals)
    for table, var, df in ((PERSON, E0_UNCONDITIONAL, 34), (NETWORK, R00_UNCONDITIONAL, 26)):
        params = pd.Series({k: v[0] for k, v in table.items()})
        delta = {k: v[1] for k, v in table.items()}
        res = effect_sizes(params, sd=np.sqrt(var), df=df, delta=delta)
        np.testing.assert_allclose(res["effect_size"], [v[2] for v in table.values()], atol=0.0101)


@pytest.mark.parametrize("var, df", [(E0_UNCONDITIONAL, None), (E0_FINAL + R00_FINAL, None),
                                     (E0_FINAL, 34), (E0_UNCONDITIONAL + R00_UNCONDITIONAL, 34),
                                     (E0_UNCONDITIONAL, 2073), (E0_UNCONDITIONAL, 26)])
def test_rejected_person_level_definitions(var, df):
    assert not _reproduces(PERSON, var, df)


@pytest.mark.parametrize("var, df", [(R00_UNCONDITIONAL, None), (R00_UNCONDITIONAL, 34),
                                     (R00_FINAL, 26), (R00_UNCONDITIONAL, 33)])
def test_rejected_network_level_definitions(var, df):
    assert not _reproduces(NETWORK, var, df)


PERSON_DF_MAX = 494  # beyond this J is too close to 1 for "mixed race" 0.27


def test_admissible_df_ranges_documented():
    person = [d for d in range(5, 2100) if _reproduces(PERSON, E0_UNCONDITIONAL, d)]
    network = [d for d in range(5, 2100) if _reproduces(NETWORK, R00_UNCONDITIONAL, d)]
    assert person == list(range(34, PERSON_DF_MAX + 1))
    assert network == list(range(19, 30))


def test_hedges_correction():
    assert hedges_correction(34) == pytest.approx(1 - 3 / 135, abs=1e-15)
    with pytest.raises(ValueError, match="df"):
        hedges_correction(0)


def test_effect_sizes_errors():
    with pytest.raises(ValueError, match="sd"):
        effect_sizes(pd.Series({"a": 1.0}), sd=0)
    with pytest.raises(ValueError, match="sd"):
        effect_sizes(pd.Series({"a": 1.0}), sd={"b": 1.0})


DATA = pd.DataFrame({"net": ["A", "A", "B", "B", "B"], "x": [1.0, 3.0, 2.0, 4.0, 6.0],
                     "z": [10.0, 10.0, 20.0, 20.0, 20.0],
                     "race": ["White", "Black", "White", "Latinx", "Black"]})


def test_group_mean_center():
    before = DATA.copy()
    out = group_mean_center(DATA, ["x"], group="net")
    np.testing.assert_allclose(out["x"], [-1, 1, -2, 0, 2])
    pd.testing.assert_frame_equal(DATA, before)


def test_grand_mean_center_over_units():
    before = DATA.copy()
    out = grand_mean_center(DATA, "z", group="net")   # mean over networks: 15, not 16
    np.testing.assert_allclose(out["z"], [-5, -5, 5, 5, 5])
    np.testing.assert_allclose(grand_mean_center(DATA, "z")["z"], DATA["z"] - 16)
    pd.testing.assert_frame_equal(DATA, before)
    with pytest.raises(ValueError, match="varies within"):
        grand_mean_center(DATA, "x", group="net")


def test_dummy_code():
    before = DATA.copy()
    d = dummy_code(DATA, "race", reference="White", prefix="race_")
    assert list(d.columns) == ["race_Black", "race_Latinx"]
    np.testing.assert_array_equal(d["race_Black"], [0, 1, 0, 0, 1])
    pd.testing.assert_frame_equal(DATA, before)
    with pytest.raises(ValueError, match="reference"):
        dummy_code(DATA, "race", reference="Asian")
    bad = DATA.assign(race=[None, "Black", "White", "Latinx", "Black"])
    with pytest.raises(ValueError, match="missing"):
        dummy_code(bad, "race", reference="White")


@pytest.mark.parametrize("kwargs", [dict(columns=["nope"], group="net"),
                                    dict(columns=["race"], group="net"),
                                    dict(columns=["x"], group="nope")])
def test_centering_errors(kwargs):
    with pytest.raises(ValueError):
        group_mean_center(DATA, **kwargs)
