"""Tests of inhd.item_selection: planted misfits found by their statistics, never by name.

Recovery on seeded simulations (tests/test_benefits.simulate_survey: one item answered at random,
one near-Guttman item), the severity formula against its definition, and bad input.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR
from inhd.data import item_columns, load_survey
from inhd.item_review import item_table
from inhd.item_selection import FitRule, select_items_by_fit
from inhd.warnings import InhdWarning

from test_benefits import simulate_survey

RESP = DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv"
NETS = DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv"


@pytest.fixture(scope="module")
def shipped():
    s = load_survey(RESP, NETS)
    return s.respondents, s.networks


# ------------------------------------------------------------------------------------------------
def test_fit_rule_finds_exactly_the_planted_misfits():
    # one noisy item (random answers) and one near-Guttman item among 12, names chosen so that
    # neither is first or last; the rule must find both by their statistics, and nothing else
    resp, _, names = simulate_survey(rng=11, n_persons=700, n_items=12, item_prefix="q",
                                     noisy=("q04",), steep=("q09",))
    x = resp[names]
    before = x.copy()
    sel = select_items_by_fit(x)
    assert set(sel.dropped) == {"q04", "q09"}
    assert sel.dropped[0] == "q04"                        # the grosser misfit goes first
    assert set(sel.retained) == set(names) - {"q04", "q09"}
    assert (FitRule().severity(sel.final.items) == 0).all()
    # the statistics that condemned them lie outside the rule's range
    steps = sel.steps.set_index("item")
    assert steps.loc["q04", "infit"] > 1.4 and steps.loc["q09", "outfit"] < 0.6
    pd.testing.assert_frame_equal(x, before)              # input not modified


def test_fit_rule_drops_nothing_from_a_fitting_scale():
    resp, _, names = simulate_survey(rng=3, noisy=())
    sel = select_items_by_fit(resp[names])
    assert sel.dropped == () and sel.retained == tuple(names) and len(sel.steps) == 0


def test_fit_rule_with_zstd_condition_and_shipped_candidates(shipped):
    r, _ = shipped
    sel = select_items_by_fit(r[item_columns(r)], rule=FitRule(max_abs_z=2.0))
    assert set(sel.dropped) == {"pb_cand_eases_workload", "pb_cand_deterministic"}
    assert len(sel.retained) == 9
    items = item_table({"initial": sel.initial, "final": sel.final}, retained=sel.retained)
    initial = items[items["calibration"] == "initial"].set_index("item")
    assert initial["retained"].sum() == 9 and len(items) == 11 + 9
    assert not initial.loc["pb_cand_deterministic", "retained"]


def test_fit_rule_severity_is_the_log_distance_outside_the_range():
    items = pd.DataFrame({"infit": [1.0, 2.8, 0.3, 1.2], "outfit": [1.1, 1.0, 0.5, 1.5],
                          "infit_z": [0, 9, -9, 3], "outfit_z": [0, 0, -9, 1.5]},
                         index=list("abcd"))
    sev = FitRule().severity(items)
    np.testing.assert_allclose(sev.to_numpy(), [0.0, np.log(2.8 / 1.4), np.log(0.6 / 0.3),
                                                np.log(1.5 / 1.4)], rtol=1e-12)
    # with the ZSTD condition, d's outfit (|z| = 1.5) is no longer a misfit
    assert FitRule(max_abs_z=2).severity(items)["d"] == 0.0


@pytest.mark.parametrize("kwargs, match", [
    ({"min_infit": 1.2}, "min_infit"), ({"max_outfit": 0.9}, "max_outfit"),
    ({"max_abs_z": -1}, "max_abs_z"), ({"min_items": 1}, "min_items")])
def test_fit_rule_rejects_bad_bounds(kwargs, match):
    with pytest.raises(ValueError, match=match):
        FitRule(**kwargs)


def test_select_items_bad_input():
    with pytest.raises(TypeError, match="DataFrame"):
        select_items_by_fit(np.ones((5, 5)))
    with pytest.raises(ValueError, match="min_items"):
        select_items_by_fit(pd.DataFrame({"a": [1, 2], "b": [2, 1]}))


def test_stopping_at_min_items_with_misfits_left_warns():
    # a rule so strict (mean-squares within 10% of 1) that two random items among four leave
    # misfits when min_items = 3 stops the removal
    resp, _, names = simulate_survey(rng=5, n_persons=300, n_items=4, noisy=("s01", "s02"))
    strict = FitRule(min_infit=0.9, max_infit=1.1, min_outfit=0.9, max_outfit=1.1, min_items=3)
    with pytest.warns(InhdWarning, match="stopped at min_items=3 with items still misfitting"):
        sel = select_items_by_fit(resp[names], rule=strict)
    assert len(sel.retained) == 3 and len(sel.dropped) == 1
    assert (strict.severity(sel.final.items) > 0).any()


def test_no_warning_when_the_retained_items_fit():
    resp, _, names = simulate_survey(rng=11, n_persons=700, n_items=12, item_prefix="q",
                                     noisy=("q04",), steep=("q09",))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InhdWarning)
        sel = select_items_by_fit(resp[names])
    assert set(sel.dropped) == {"q04", "q09"}
