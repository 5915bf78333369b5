"""Every notebook of the book, executed with papermill on its defaults, and the tables it writes.

The notebooks are those ``_toc.yml`` lists; each runs once a session (``conftest.notebook_run``),
with ``output_dir`` set to a temporary folder and every other parameter at its default. Each must
run end to end and every CSV it writes must use the package vocabulary
(``test_vocabulary.vocabulary_problems``). The validity (02) and variation (03) notebooks' tables are
then checked for their documented columns and sane values: reliabilities in [0, 1], published
values equal to the shipped table, 34 network profiles, clusters drawn from the documented labels.
"""

from pathlib import PurePosixPath

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from inhd import DATA_DIR, ROOT
from inhd.runner import notebook_parameters
from inhd.item_review import ITEM_COLUMNS, THRESHOLD_COLUMNS
from inhd.validity import RELIABILITY_COLUMNS

from test_vocabulary import vocabulary_problems


def _toc_notebooks() -> list[str]:
    """The notebooks ``_toc.yml`` lists (paths without suffix, e.g. ``notebooks/01_framework``)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [f for f in files if (ROOT / f"{f}.ipynb").is_file()]


NOTEBOOKS = _toc_notebooks()


def test_the_toc_lists_every_notebook():
    on_disk = [p.relative_to(ROOT).with_suffix("").as_posix()
               for folder in ("notebooks", "guide") for p in (ROOT / folder).glob("*.ipynb")]
    assert sorted(NOTEBOOKS) == sorted(on_disk)


@pytest.mark.slow
@pytest.mark.parametrize("stem", NOTEBOOKS, ids=[PurePosixPath(f).name for f in NOTEBOOKS])
def test_notebook_runs_on_its_defaults_and_its_tables_use_the_vocabulary(stem, notebook_run):
    executed, tables = notebook_run(stem)
    nb = nbformat.read(executed, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    written = sorted(tables.glob("*.csv"))
    assert written, f"{stem} wrote no table to output_dir"
    problems = [p for path in written
                for p in vocabulary_problems(pd.read_csv(path), f"{stem}/{path.name}")]
    assert not problems, "\n".join(problems)


SURVEY_NOTEBOOKS = ["02_measure_validity", "03_network_variation", "04_participatory_benefits",
                    "07_network_report"]


@pytest.mark.parametrize("stem", SURVEY_NOTEBOOKS)
def test_survey_notebooks_declare_the_run_options_and_say_nothing_fixed_about_the_data(stem):
    # every survey notebook takes the options of ``inhd run``; the SYNTHETIC banner comes from the
    # run (the data's content), never from a markdown cell that would show on anyone's data
    path = ROOT / "notebooks" / f"{stem}.ipynb"
    params = notebook_parameters(path)
    for name in ("respondents_path", "networks_path", "item_columns", "scale", "reverse", "rasch_method",
                 "output_dir"):
        assert name in params, (stem, name)
    assert params["output_dir"] == "None" and params["respondents_path"] == "None"
    assert params["scale"] == "[1, 5]" and params["reverse"] == "[]"
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert "parameters" in first_code.metadata.get("tags", [])
    prose = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "synthetic" not in prose.lower(), stem


@pytest.mark.slow
def test_notebook_02_tables(notebook_run):
    _, out = notebook_run("notebooks/02_measure_validity")
    rel = pd.read_csv(out / "reliability.csv")
    assert list(rel.columns) == RELIABILITY_COLUMNS
    assert len(rel) == 38                                   # all of the poster's measures
    for col in ["individual", "school", "network"]:
        assert rel[col].dropna().between(0, 1).all(), col
    assert rel["individual"].isna().sum() == 5              # the single items: N/A, as printed
    published = pd.read_csv(DATA_DIR / "published" / "inhd_measure_reliabilities.csv")
    assert list(rel["name"]) == list(published["measure"])   # the shipped measures are the paper's
    # networks are told apart better than schools, but for the poster's two network (n.s.) measures
    ns = rel["name"].isin(published.loc[published["network_ns"] == 1, "measure"])
    assert (rel.loc[~ns, "network"] > rel.loc[~ns, "school"]).all()
    assert rel["converged"].all() and (rel["method"] == "ML").all() and (rel["test"] == "hlm").all()
    assert rel[["school_ns", "network_ns"]].notna().all().all()

    items = pd.read_csv(out / "items.csv")
    assert list(items.columns) == ["measure", *ITEM_COLUMNS]
    assert len(items) == 141 and set(items["calibration"]) == {"final"} and items["retained"].all()
    assert items["infit"].between(0.7, 1.3).all()          # the synthetic items fit the model
    assert (items["point_measure_r"] > 0.5).all()
    thresholds = pd.read_csv(out / "thresholds.csv")
    assert list(thresholds.columns) == ["measure", *THRESHOLD_COLUMNS] and len(thresholds) == 33 * 4

    eb = pd.read_csv(out / "network_eb.csv")
    assert list(eb.columns) == ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10"]
    assert len(eb) == 27 and (eb["se"] > 0).all()           # 27 networks surveyed in 2021
    assert eb["mean_0_10"].between(0, 10).all()

    growth = pd.read_csv(out / "growth.csv").set_index("quantity")["value"]
    assert 0 < growth["rate_reliability"] < 1 and growth["converged"] == 1
    nets = pd.read_csv(out / "growth_networks.csv")
    assert list(nets.columns) == ["network_id", "n_persons", "mean", "se", "rate", "rate_se"]
    assert len(nets) == 34


@pytest.mark.slow
def test_notebook_03_tables(notebook_run):
    _, out = notebook_run("notebooks/03_network_variation")
    prof = pd.read_csv(out / "network_profiles.csv")
    assert list(prof.columns) == ["network_id", "measure", "n_persons", "deviation", "se",
                                  "standardized", "statistic"]
    assert prof["network_id"].nunique() == 34 and prof["measure"].nunique() == 38
    assert (prof["se"] > 0).all()

    clusters = pd.read_csv(out / "clusters.csv")
    assert list(clusters.columns) == ["network_id", "cluster", "mean_profile", "n_above", "n_below",
                                      "n_measures"]
    assert set(clusters["cluster"]) <= {"well", "other", "least"}
    assert (clusters["cluster"] == "well").any() and (clusters["cluster"] == "least").any()
    # the well-developed sit above the least-developed on the mean profile
    m = clusters.groupby("cluster")["mean_profile"].mean()
    assert m["well"] > m["other"] > m["least"]

    recovery = pd.read_csv(out / "cluster_recovery.csv", index_col=0)
    # most networks the rule names as well-developed were planted as well-developed
    assert recovery.loc["well", "well"] > recovery.loc["well"].sum() / 2

    summary = pd.read_csv(out / "structural_summary.csv", index_col=0)
    assert list(summary.columns) == ["well", "least"]
    assert summary.loc["n_networks"].tolist() == [6, 5]
    chars = pd.read_csv(out / "cluster_characteristics.csv")
    assert chars["n_networks"].sum() == 34
