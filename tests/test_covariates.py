"""inhd.covariates: which covariates a run uses, how they are coded and centred, what is left out."""

import numpy as np
import pandas as pd
import pytest

from inhd.covariates import PAPER_COVARIATES, choose_covariates, covariate_design, describe_covariates


@pytest.fixture
def data():
    g = np.random.default_rng(3)
    n = 60
    r = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "network_id": [f"N{i % 6}" for i in range(n)],
                      "age": g.integers(20, 60, n).astype(float),
                      "role": g.choice(["teacher", "teacher", "lead", "coach"], n), "flag": g.integers(0, 2, n)})
    nets = pd.DataFrame({"network_id": [f"N{k}" for k in range(6)], "size": [5.0, 10, 20, 40, 80, 160],
                         "region": ["n", "s", "s", "s", "e", "e"]})
    return r, nets


def test_the_default_is_the_papers_covariates_only_when_all_are_present(data):
    r, nets = data
    assert choose_covariates(r, nets).source == "none"
    paper = r.assign(team_lead=0, tenure_years=1.0, intensity=1.0, race="white", gender="woman")
    full = nets.assign(single_district=1, duration_years=2.0, archetype="ewr", hub_type="ta")
    spec = choose_covariates(paper, full)
    assert spec.source == "paper" and spec.models == PAPER_COVARIATES.models
    assert choose_covariates(paper, nets).source == "none"                  # one network column missing
    named = choose_covariates(paper, full, person=["age"])
    assert named.source == "named" and list(named.models) == ["unconditional", "level2"]
    assert "person level: age" in named.describe()
    with pytest.raises(ValueError, match=r"\['height'\] are not columns of the respondents table"):
        choose_covariates(r, nets, person=["height"])


def test_coding_and_centring(data):
    r, nets = data
    spec = choose_covariates(r, nets, person=["age", "role", "flag"], network=["size", "region"],
                             references={"role": "coach"})
    design = covariate_design(r, nets, spec)
    terms = design.terms.set_index("term")
    assert list(terms.index) == ["age", "role_lead", "role_teacher", "flag", "size", "region_e", "region_n"]
    assert terms.loc["age", "coding"] == "number" and terms.loc["flag", "coding"] == "flag"
    assert terms.loc["role_lead", "reference"] == "coach"                   # named
    assert terms.loc["region_e", "reference"] == "s"                        # most frequent over networks
    assert terms.loc["age", "value_range"] == r["age"].max() - r["age"].min() and terms.loc["flag", "value_range"] == 1
    d = design.data
    # person level: within-network means 0; the dummy is the label's indicator minus its network share
    np.testing.assert_allclose(d.groupby("network_id")[["age", "role_lead", "flag"]].mean(), 0, atol=1e-12)
    lead = (r["role"] == "lead").astype(float)
    np.testing.assert_allclose(d["role_lead"], lead - lead.groupby(r["network_id"]).transform("mean"))
    # network level: each network once, grand mean 0; the value is the network's minus that mean
    per_net = d.groupby("network_id")[["size", "region_e"]].first()
    np.testing.assert_allclose(per_net.mean(), 0, atol=1e-12)
    np.testing.assert_allclose(per_net["size"], nets.set_index("network_id")["size"] - nets["size"].mean())
    assert list(design.models) == ["unconditional", "level2", "level3", "final"]
    assert design.models["final"] == list(terms.index)


def test_what_is_left_out_is_said(data):
    r, nets = data
    r = r.assign(age=r["age"].where(np.arange(len(r)) % 7 != 0), constant=1.0)
    spec = choose_covariates(r, nets, person=["age", "constant"])
    design = covariate_design(r, nets, spec)
    assert design.n_persons_left_out == int(r["age"].isna().sum()) == len(r) - len(design.data)
    assert any("without a value of age are left out of every model" in n for n in design.notes)
    assert any("constant do not vary" in n for n in design.notes)
    assert "constant" not in set(design.terms["term"])
    spec = choose_covariates(r, nets, person=["constant"])
    design = covariate_design(r, nets, spec)
    assert list(design.models) == ["unconditional"]                        # level2 would repeat it
    assert any("Model level2 would repeat model unconditional" in n for n in design.notes)


def test_describe_covariates(data):
    r, nets = data
    table = describe_covariates(r, nets, choose_covariates(r, nets, person=["age", "role"], network=["region"]))
    assert list(table.columns) == ["level", "column", "label", "n_units", "pct", "mean", "sd", "min", "max"]
    age = table[table["column"] == "age"].iloc[0]
    assert age["n_units"] == 60 and age["mean"] == pytest.approx(r["age"].mean())
    assert table[table["column"] == "region"].set_index("label")["n_units"].to_dict() == {"s": 3, "e": 2, "n": 1}


def test_inputs_not_modified_and_unknown_network(data):
    r, nets = data
    before = r.copy(), nets.copy()
    covariate_design(r, nets, choose_covariates(r, nets, person=["role"], network=["size"]))
    pd.testing.assert_frame_equal(r, before[0])
    pd.testing.assert_frame_equal(nets, before[1])
    with pytest.raises(ValueError, match="not in the networks table"):
        covariate_design(r, nets[nets["network_id"] != "N0"], choose_covariates(r, nets, person=["age"]))
