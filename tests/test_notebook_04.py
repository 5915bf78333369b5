"""The participatory-benefits notebook run through papermill on ANOTHER dataset.

The dataset (from ``tests/test_benefits.simulate_survey``) has its own item names (``x01``..``x10``),
one planted misfitting item (``x03``, answered at random), ~600 respondents in 20 networks and known
coefficients. The notebook must flag the planted misfit as not retained in ``items.csv`` (found by its
fit statistics, never by name) and recover the planted coefficients within 3 SE in
``hlm_fixed_effects.csv``; every contract file must have exactly its columns.
"""

import time

import pandas as pd
import pytest

from inhd import ROOT
from inhd.benefits import CONTRACT_COLUMNS
from inhd.runner import execute_notebook, notebook_parameters

from test_benefits import TRUE, simulate_survey
from test_vocabulary import vocabulary_problems

NOTEBOOK = ROOT / "notebooks" / "04_participatory_benefits.ipynb"


def test_notebook_declares_the_contract_parameters():
    params = notebook_parameters(NOTEBOOK)
    for name in ("respondents_path", "networks_path", "item_columns", "output_dir", "seed",
                 "rasch_method", "min_infit", "max_infit", "min_outfit", "max_outfit", "scale", "reverse",
                 "person_covariates", "network_covariates", "references"):
        assert name in params, name
    assert params["item_columns"] == "None" and params["output_dir"] == "None"
    assert params["rasch_method"] in ('"jmle"', "'jmle'")


@pytest.mark.slow
def test_notebook_on_another_dataset(tmp_path):
    resp, nets, names = simulate_survey(rng=2024, n_persons=600, n_networks=20, n_items=10,
                                        item_prefix="x", noisy=("x03",))
    r_path, n_path = tmp_path / "my_respondents.csv", tmp_path / "my_networks.csv"
    resp.to_csv(r_path, index=False)
    nets.to_csv(n_path, index=False)
    out = tmp_path / "tables"
    start = time.perf_counter()
    execute_notebook(NOTEBOOK, tmp_path / "executed.ipynb", progress=False, parameters={
        "respondents_path": str(r_path), "networks_path": str(n_path), "item_columns": list(names),
        "output_dir": str(out)})
    assert time.perf_counter() - start < 120          # generous: the brief asks for ~90 s
    tables = {name: pd.read_csv(out / name) for name in CONTRACT_COLUMNS}
    for name, frame in tables.items():
        assert list(frame.columns) == CONTRACT_COLUMNS[name], name
        assert not vocabulary_problems(frame, name)

    items = tables["items.csv"]
    initial = items[items["calibration"] == "initial"].set_index("item")
    assert sorted(initial.index) == sorted(names)                # its own item names, all reported
    assert not initial.loc["x03", "retained"]                    # the planted misfit is dropped
    assert initial.drop(index="x03")["retained"].all()           # and nothing else
    final = items[items["calibration"] == "final"]
    assert sorted(final["item"]) == sorted(n for n in names if n != "x03") and final["retained"].all()

    fe = tables["hlm_fixed_effects.csv"]
    assert set(fe["model"]) == {"unconditional", "level2", "level3", "final", "interactions"}
    fin = fe[fe["model"] == "final"].set_index("term")
    for term in ("team_lead", "intensity", "single_district"):
        est, se = fin.loc[term, "estimate"], fin.loc[term, "se"]
        assert abs(est - TRUE[term]) < 3 * se, (term, est, se)

    eb = tables["network_eb.csv"]
    assert len(eb) == 20 and eb["n_persons"].sum() == 600
    rel = tables["reliability.csv"].set_index("quantity")["value"]
    assert {"person_reliability", "reliability_within_networks", "reliability_between_networks",
            "share_between_networks"} <= set(rel.index)
