"""Tests of inhd.hub: SYNTHETIC hub survey, ostensive and enacted role typologies, team composition."""

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR, hub


@pytest.fixture(scope="module")
def survey():
    return hub.simulate_hub_survey(rng=hub.SEED)


def test_design_targets_exact(survey):
    hubs = survey.groupby("hub_id").first()
    assert len(hubs) == hub.HUB_TARGETS["n_hubs"]
    assert hubs["hub_type"].value_counts().to_dict() == hub.HUB_TARGETS["hubs_by_type"]
    multi = hubs[hubs["constitution"] == "multi-district"]["hub_type"].value_counts()
    assert multi.reindex(list(hub.HUB_TYPES), fill_value=0).to_dict() == hub.HUB_TARGETS["multi_district_by_type"]
    lo, hi = hub.HUB_TARGETS["staff_per_hub"]
    sizes = survey.groupby("hub_id").size()
    assert (sizes == hubs["hub_size"]).all() and sizes.between(lo, hi).all()
    assert (survey.groupby("hub_id")["leadership_team"].max() == 1).all()
    assert (survey[list(hub.RESPONSIBILITIES)].sum(axis=1) >= 1).all()
    np.testing.assert_allclose(survey[list(hub.TIME_COLUMNS)].sum(axis=1), 1.0, atol=1e-9)
    # team membership near its generating probability: within 3 binomial SE
    p, n = hub.HUB_TARGETS["p_leadership_team"], len(survey)
    assert abs(survey["leadership_team"].mean() - p) < 3 * np.sqrt(p * (1 - p) / n) + 30 / n  # +1 forced per hub


def test_reproducible_and_committed_file_regenerates(survey):
    pd.testing.assert_frame_equal(hub.simulate_hub_survey(rng=np.random.default_rng(hub.SEED)), survey)
    committed = pd.read_csv(DATA_DIR / "hub_leadership_SYNTHETIC.csv", dtype={"respondent_id": str, "hub_id": str})
    pd.testing.assert_frame_equal(committed, survey, check_dtype=False, atol=1e-12)
    assert not survey.equals(hub.simulate_hub_survey(rng=1))


def test_ostensive_rule_on_hand_made_rows():
    tiny = pd.DataFrame({
        "leadership_team": [1, 1, 1, 0, 0, 0, 1],
        "executive":       [1, 0, 0, 1, 0, 0, 0],
        "administrative":  [1, 1, 0, 0, 1, 0, 0],
        "technical":       [1, 1, 1, 1, 0, 1, 0],
    }, index=list("abcdefg"))
    before = tiny.copy()
    roles = hub.ostensive_role(tiny)
    assert roles.to_dict() == {
        "a": "team executive", "b": "team manager", "c": "team technical lead", "d": "staff manager",
        "e": "staff manager", "f": "technical staff", "g": "no stated responsibility"}
    pd.testing.assert_frame_equal(tiny, before)


def test_ostensive_bad_values():
    tiny = pd.DataFrame({"leadership_team": [1, 2], "executive": [0, 1], "administrative": [0, 0],
                         "technical": [1, 1]})
    with pytest.raises(ValueError, match="survey row 1, column leadership_team: 2 is not 0/1"):
        hub.ostensive_role(tiny)
    with pytest.raises(ValueError, match=r"columns \['technical'\] are missing"):
        hub.ostensive_role(tiny.drop(columns="technical"))


def _tiny_time(profiles, n_each, seed=0):
    rng = np.random.default_rng(seed)
    rows = [rng.dirichlet(200 * np.asarray(p)) for p in profiles for _ in range(n_each)]
    return pd.DataFrame(rows, columns=list(hub.TIME_COLUMNS))


def test_enacted_roles_recover_two_hand_made_groups():
    a = (0.7, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05)
    b = (0.05, 0.05, 0.7, 0.05, 0.05, 0.05, 0.05)
    tiny = _tiny_time([a, b], 8)
    res = hub.enacted_roles(tiny, rng=0, k_range=range(2, 5))
    assert res.k == 2
    assert res.labels.iloc[:8].nunique() == 1 and res.labels.iloc[8:].nunique() == 1
    assert res.labels.iloc[0] != res.labels.iloc[8]
    # centroid = group mean, and the named domain dominates
    assert set(res.centroids.idxmax(axis=1)) == {"hub_organization", "improvement_support"}
    np.testing.assert_allclose(res.centroids.sum(axis=1), 1.0, atol=1e-9)
    assert "k = 2" in res.summary()


def test_enacted_roles_recover_generating_profiles(survey):
    res = hub.enacted_roles(survey, rng=1)
    assert res.k == len(hub.ENACTED_PROFILES)
    table = pd.crosstab(survey["generating_profile"], res.labels)
    purity = table.max(axis=1).sum() / len(survey)
    assert purity > 0.95
    # same rng -> same clustering
    pd.testing.assert_series_equal(hub.enacted_roles(survey, rng=1).labels, res.labels)


@pytest.mark.parametrize("change,match", [
    (lambda d: d.assign(time_equity=d["time_equity"] + 0.2), "do not sum to 1"),
    (lambda d: d.assign(time_equity=np.nan), r"missing .* \(not imputed\)"),
    (lambda d: d.drop(columns="time_equity"), r"columns \['time_equity'\] are missing"),
])
def test_enacted_bad_time(change, match):
    tiny = _tiny_time([(1 / 7,) * 7], 6)
    with pytest.raises(ValueError, match=match):
        hub.enacted_roles(change(tiny), rng=0)


def test_enacted_bad_k():
    tiny = _tiny_time([(1 / 7,) * 7], 4)
    with pytest.raises(ValueError, match="k_range: expected values in 2..3"):
        hub.enacted_roles(tiny, rng=0, k_range=range(2, 6))


def test_crosstab_and_team_composition(survey):
    o = hub.ostensive_role(survey)
    e = hub.enacted_roles(survey, rng=1).labels
    ct = hub.role_crosstab(o, e)
    assert ct.loc["total", "total"] == len(survey)
    with pytest.raises(ValueError, match="share the survey's index"):
        hub.role_crosstab(o, e.reset_index(drop=True).iloc[:10])
    comp = hub.team_composition(survey, o)
    assert comp["n_hubs"].sum() == hub.HUB_TARGETS["n_hubs"]
    role_cols = [c for c in comp.columns if c in hub.OSTENSIVE_ROLES]
    np.testing.assert_allclose(comp[role_cols].sum(axis=1), 1.0)
    # hand check one group: mean team size of district hubs
    team = survey[(survey["leadership_team"] == 1) & (survey["hub_type"] == "district")]
    assert comp.set_index("hub_type").loc["district", "team_size"] == pytest.approx(
        team.groupby("hub_id").size().mean())


def test_bad_targets():
    with pytest.raises(ValueError, match="'charter' is not one of"):
        hub.simulate_hub_survey(rng=0, targets={"hubs_by_type": {"charter": 2}, "multi_district_by_type": {}})
    with pytest.raises(ValueError, match="staff_per_hub"):
        hub.simulate_hub_survey(rng=0, targets={"staff_per_hub": (5, 2)})
