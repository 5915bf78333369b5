"""Every survey notebook run through ``inhd run`` on surveys that are not the shipped cohort (issue 11).

Three generated surveys (``tests/surveys.py``), each run through the four notebooks that take survey
data (measure-validity, network-variation, participatory-benefits, network-report):

- a 4-point scale, no schools and no waves, no covariates, item q03 written the other way round and
  left so (no ``--reverse``);
- a 6-point scale, schools and three waves, numeric and text covariates of other names (``age``,
  ``role``; ``size``, ``region``) with a reference category named, q03 recoded with ``--reverse``;
- a 7-point scale whose schools are the networks again (one school each), two waves, CML.

Each page must run without error, state the user's counts and scale, never call the data synthetic,
and write the documented tables; the reverse-keyed item's point-measure correlation must be negative
without ``--reverse`` and positive with it.
"""

import json
import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from inhd import ROOT
from inhd.cli import main
from inhd.data import load_survey
from inhd.item_review import ITEM_COLUMNS, THRESHOLD_COLUMNS
from inhd.survey_measures import calibrate_items

from surveys import make_survey

NOTEBOOKS = {"measure-validity": "02_measure_validity", "network-variation": "03_network_variation",
             "participatory-benefits": "04_participatory_benefits", "network-report": "07_network_report"}
COVARIATES = ["--person-covariates", "age,role", "--network-covariates", "size,region", "--reference", "role=coach"]
SCENARIOS = {
    "4-point": dict(make=dict(n_categories=4, schools=False, waves=(), covariates=False), scale=(1, 4), args=[]),
    "6-point": dict(make=dict(n_categories=6), scale=(1, 6), args=["--reverse", "q03"], covariates=COVARIATES),
    "7-point": dict(make=dict(n_categories=7, waves=(2023, 2024)), scale=(1, 7), schools_are_networks=True,
                    args=["--reverse", "q03", "--method", "cml"]),
}


def _page_text(notebook) -> str:
    """What a reader of the page reads: markdown cells and every output (code excluded)."""
    nb = nbformat.read(notebook, as_version=4)
    parts = [c.source for c in nb.cells if c.cell_type == "markdown"]
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts += [str(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(parts)


def _errors(notebook):
    nb = nbformat.read(notebook, as_version=4)
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``{(scenario, paper): (exit code, output folder, respondents table)}``, each run once."""
    done = {}
    for name, sc in SCENARIOS.items():
        folder = tmp_path_factory.mktemp(name)
        r, n, items = make_survey(folder, **sc["make"])
        if sc.get("schools_are_networks"):
            frame = pd.read_csv(r)
            frame["school_id"] = frame["network_id"] + "-school"
            frame.to_csv(r, index=False)
        respondents = pd.read_csv(r)
        scale = "-".join(map(str, sc["scale"]))
        for paper in NOTEBOOKS:
            out = folder / paper
            extra = sc.get("covariates", []) if paper == "participatory-benefits" else []
            argv = ["run", paper, "--respondents", str(r), "--networks", str(n), "--items", ",".join(items), "--scale",
                    scale, "--out", str(out), "--quiet", *sc["args"], *extra]
            done[(name, paper)] = (main(argv), out, respondents)
        if name == "6-point":                         # the same data without --reverse
            out = folder / "not-reversed"
            argv = ["run", "participatory-benefits", "--respondents", str(r), "--items", ",".join(items), "--scale",
                    scale, "--out", str(out), "--quiet"]
            done[(name, "not-reversed")] = (main(argv), out, respondents)
    return done


CASES = [(s, p) for s in SCENARIOS for p in NOTEBOOKS]


@pytest.mark.slow
@pytest.mark.parametrize("scenario, paper", CASES, ids=[f"{s}-{p}" for s, p in CASES])
def test_every_survey_notebook_runs_and_states_the_users_data(runs, scenario, paper):
    code, out, respondents = runs[(scenario, paper)]
    assert code == 0
    notebook = out / f"{NOTEBOOKS[paper]}.ipynb"
    assert not _errors(notebook)
    text = _page_text(notebook)
    html = (out / f"{NOTEBOOKS[paper]}.html").read_text(encoding="utf-8")
    low, high = SCENARIOS[scenario]["scale"]
    n, k = len(respondents), respondents["network_id"].nunique()
    assert f"response scale {low}-{high}" in text
    assert re.search(rf"{n:,} respondents in {k:,} networks", text), paper
    assert "synthetic" not in html.lower() and "synthetic" not in text.lower()
    assert "1-5" not in re.sub(r"\d+-\d+-\d+", "", text) or (low, high) == (1, 5)   # never the default scale
    if scenario == "4-point" and paper != "network-report":
        assert "no school level" in text and "no wave column" in text
    if scenario == "7-point" and paper != "network-report":
        assert "Every network has a single school" in text and "CML, as eRm" in text
    if "--reverse" in SCENARIOS[scenario]["args"] and paper != "network-report":
        assert "recoded as" in text and "q03" in text


@pytest.mark.slow
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_item_and_threshold_tables(runs, scenario):
    _, out, _ = runs[(scenario, "participatory-benefits")]
    low, high = SCENARIOS[scenario]["scale"]
    items = pd.read_csv(out / "tables" / "items.csv")
    assert list(items.columns) == ITEM_COLUMNS and set(items["calibration"]) <= {"initial", "final"}
    initial = items[items["calibration"] == "initial"].set_index("item")
    assert len(initial) == 8
    thresholds = pd.read_csv(out / "tables" / "thresholds.csv")
    assert list(thresholds.columns) == THRESHOLD_COLUMNS
    first = thresholds[thresholds["calibration"] == "initial"]
    assert first["step"].tolist() == list(range(low + 1, high + 1))       # one threshold into each category
    _, out2, _ = runs[(scenario, "measure-validity")]
    v = pd.read_csv(out2 / "tables" / "items.csv")
    assert list(v.columns) == ["measure", *ITEM_COLUMNS] and len(v) == 8


@pytest.mark.slow
def test_a_reverse_keyed_item_is_named_until_it_is_recoded(runs):
    def q03(key):
        _, out, _ = runs[key]
        items = pd.read_csv(out / "tables" / "items.csv")
        row = items[(items["calibration"] == "initial") & (items["item"] == "q03")].iloc[0]
        return row["point_measure_r"], row["point_measure_expected"], _page_text(
            out / "04_participatory_benefits.ipynb")

    r, expected, text = q03(("4-point", "participatory-benefits"))
    assert r < 0 < expected and "Negative point-measure correlation: q03" in text.replace("\\", "")
    assert "reverse-keyed?" in text.replace("\\", "")
    r, _, text = q03(("6-point", "not-reversed"))
    assert r < 0 and "reverse-keyed?" in text.replace("\\", "")
    r, expected, text = q03(("6-point", "participatory-benefits"))
    assert r > 0.3 and abs(r - expected) < 0.2 and "Negative point-measure correlation" not in text.replace("\\", "")


@pytest.mark.slow
def test_covariates_of_other_names_and_the_model_the_page_names(runs):
    _, out, _ = runs[("6-point", "participatory-benefits")]
    terms = pd.read_csv(out / "tables" / "model_terms.csv", keep_default_na=False)
    final = terms[terms["model"] == "final"].set_index("term")
    networks = pd.read_csv(out.parent / "my_networks.csv")
    most = networks["region"].value_counts().idxmax()               # the reference when none is named
    regions = {f"region_{r}" for r in networks["region"].unique() if r != most}
    assert set(final.index) == {"age", "role_leader", "role_teacher", "size", *regions}
    assert final.loc["age", "coding"] == "number" and final.loc["size", "coding"] == "number"
    assert (final.loc[["role_leader", "role_teacher"], "reference"] == "coach").all()       # --reference role=coach
    assert (final.loc[sorted(regions), "reference"] == most).all()
    assert final.loc["age", "centring"] == "group mean (network)" and final.loc["size", "centring"] == \
        "grand mean (networks)"
    fixed = pd.read_csv(out / "tables" / "hlm_fixed_effects.csv")
    assert list(pd.unique(fixed["model"])) == ["unconditional", "level2", "level3", "final"]
    # age was generated with 0.03 a year: recovered within 3 SE in the final model
    age = fixed[(fixed["model"] == "final") & (fixed["term"] == "age")].iloc[0]
    assert abs(age["estimate"] - 0.03 * 1.0) < 3 * age["se"] + 0.01
    text = _page_text(out / "04_participatory_benefits.ipynb").replace("\\", "")
    assert "the covariates named for this run; person level: age, role; network level: size, region" in text
    # without covariates only the unconditional model, and the page says so
    _, out, _ = runs[("4-point", "participatory-benefits")]
    fixed = pd.read_csv(out / "tables" / "hlm_fixed_effects.csv")
    assert set(fixed["model"]) == {"unconditional"}
    assert "No covariates: only the unconditional model" in _page_text(
        out / "04_participatory_benefits.ipynb").replace("\\", "")


@pytest.mark.slow
def test_levels_follow_the_data(runs):
    _, out, _ = runs[("4-point", "measure-validity")]
    rel = pd.read_csv(out / "tables" / "reliability.csv")
    assert rel["school"].isna().all() and rel["n_schools"].eq(0).all() and rel["network"].between(0, 1).all()
    assert not (out / "tables" / "growth.csv").exists()                 # no waves: no growth model
    _, out, _ = runs[("6-point", "measure-validity")]
    rel = pd.read_csv(out / "tables" / "reliability.csv")
    assert rel["school"].notna().all() and (out / "tables" / "growth.csv").exists()
    _, out, _ = runs[("7-point", "network-variation")]
    text = _page_text(out / "03_network_variation.ipynb")
    assert "levels network_id)" in text                                  # schools = networks: left out


# ------------------------------------------------------------------------------------------------
# --method cml against eRm (reference/erm/make_own_survey_reference.R, eRm 1.0.2)
# ------------------------------------------------------------------------------------------------
ERM = ROOT / "reference" / "erm"
#: eRm's CML fit of the same recoded items agrees to 7.5e-8 (difficulties) and 3.4e-7 (thresholds),
#: the limit of eRm's nlm; the tolerances are 10x that (the issue asks for 1e-3).
ERM_TOLERANCE = {"difficulty": 8e-7, "thresholds": 4e-6}


def _erm_reference():
    return json.loads((ERM / "own_survey_rsm.json").read_text())


def test_cml_calibration_of_the_recoded_items_equals_erm():
    ref = _erm_reference()
    survey = load_survey(ERM / "own_survey_respondents.csv", ERM / "own_survey_networks.csv", items=ref["items"],
                         scale=(1, 6), reverse=["q03"])
    res = calibrate_items(survey.respondents.set_index("respondent_id")[ref["items"]], scale=(1, 6), method="cml")
    np.testing.assert_allclose(res.items.loc[ref["items"], "difficulty"], ref["difficulty"], rtol=0,
                               atol=ERM_TOLERANCE["difficulty"])                  # eRm delta_i, sum zero
    assert res.thresholds.index.tolist() == ref["threshold_steps"]                 # into categories 2..6
    np.testing.assert_allclose(res.thresholds, ref["thresholds"], rtol=0,
                               atol=ERM_TOLERANCE["thresholds"])                 # eRm tau_h, sum zero


@pytest.mark.slow
def test_inhd_run_with_cml_writes_erms_calibration(tmp_path):
    # the first calibration of the participatory-benefits notebook, read back from items.csv and
    # thresholds.csv as written (full precision), against eRm's fit of the same recoded items
    ref = _erm_reference()
    out = tmp_path / "out"
    code = main(["run", "participatory-benefits", "--respondents", str(ERM / "own_survey_respondents.csv"),
                 "--networks", str(ERM / "own_survey_networks.csv"), "--items", ",".join(ref["items"]),
                 "--scale", "1-6", "--reverse", "q03",
                 "--method", "cml", "--out", str(out), "--quiet"])
    assert code == 0
    items = pd.read_csv(out / "tables" / "items.csv")
    first = items[items["calibration"] == "initial"].set_index("item").loc[ref["items"]]
    np.testing.assert_allclose(first["difficulty"], ref["difficulty"], rtol=0, atol=ERM_TOLERANCE["difficulty"])
    thresholds = pd.read_csv(out / "tables" / "thresholds.csv")
    first = thresholds[thresholds["calibration"] == "initial"]
    assert first["step"].tolist() == ref["threshold_steps"]
    np.testing.assert_allclose(first["threshold"], ref["thresholds"], rtol=0, atol=ERM_TOLERANCE["thresholds"])


# ------------------------------------------------------------------------------------------------
# real public surveys (psychotools' VerbalAggression and ConspiracistBeliefs2016, reference/erm/)
# ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_surveys(tmp_path_factory):
    """Shaped into the contract as a newcomer would: ids renamed; VerbalAggression (316 persons, 24
    items 0-2, gender, anger) has no grouping, so its networks are INVENTED (eight groups in file
    order) to exercise the pipeline; ConspiracistBeliefs2016 (2,449 persons, 15 items 0-4, gender)
    has its area (rural/suburban/urban) as the grouping."""
    folder = tmp_path_factory.mktemp("real")
    va = pd.read_csv(ERM / "verbal_aggression.csv")
    va.insert(1, "network_id", [f"G{i % 8 + 1}" for i in range(len(va))])
    va.rename(columns={"person": "respondent_id"}).to_csv(folder / "va.csv", index=False)
    gcbs = pd.read_csv(ERM / "gcbs.csv").rename(columns={"person": "respondent_id", "area": "network_id"})
    gcbs.to_csv(folder / "gcbs.csv", index=False)
    items = {"va": ",".join(c for c in va.columns if c.startswith("S")),
             "gcbs": ",".join(f"q{k}" for k in range(1, 16))}
    runs = {
        ("va", "measure-validity"): ["--scale", "0-2"],
        ("va", "participatory-benefits"): ["--scale", "0-2", "--person-covariates", "gender,anger",
                                           "--reference", "gender=female"],
        ("gcbs", "network-variation"): ["--scale", "0-4"],
        ("gcbs", "network-report"): ["--scale", "0-4", "--method", "cml"],
    }
    done = {}
    for (name, paper), args in runs.items():
        out = folder / f"{name}-{paper}"
        code = main(["run", paper, "--respondents", str(folder / f"{name}.csv"), "--items", items[name], "--out", str(out),
                     "--quiet", *args])
        done[(name, paper)] = (code, out / f"{NOTEBOOKS[paper]}.ipynb")
    return done


@pytest.mark.slow
def test_real_public_surveys_run_through_the_notebooks(real_surveys):
    facts = {"va": ("316 respondents in 8 networks", "response scale 0-2"),
             "gcbs": ("2,449 respondents in 3 networks", "response scale 0-4")}
    for (name, paper), (code, notebook) in real_surveys.items():
        assert code == 0, (name, paper)
        assert not _errors(notebook), (name, paper)
        text = _page_text(notebook)
        for fact in facts[name]:
            assert fact in text, (name, paper, fact)
        assert "synthetic" not in text.lower()
    terms = pd.read_csv(real_surveys[("va", "participatory-benefits")][1].parent / "tables" / "model_terms.csv")
    final = terms[terms["model"] == terms["model"].iloc[-1]].set_index("term")
    assert final.loc["anger", "coding"] == "number" and final.loc["gender_male", "reference"] == "female"


# ------------------------------------------------------------------------------------------------
# the documents' own-survey examples, run as written
# ------------------------------------------------------------------------------------------------
def _commands(text: str) -> list[list[str]]:
    """The ``inhd`` commands of the code blocks in ``text`` (continuation lines joined, comments dropped)."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            line = line.split(" #")[0].strip()
            if line.startswith(".venv/bin/inhd ") and "my_respondents.csv" in line:
                commands.append(line.split()[1:])
    return commands


@pytest.mark.slow
def test_the_readme_example_runs_as_written(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Your own data"):text.index("## For instructors")]
    commands = _commands(section)
    assert [c[:2] for c in commands] == [["validate", "--respondents"], ["run", "measure-validity"],
                                         ["run", "network-variation"], ["run", "participatory-benefits"],
                                         ["report", "--respondents"]]
    make_survey(tmp_path, n_categories=6, n_items=6, reversed_item="q04")
    (tmp_path / "my_measures.csv").write_text("measure,name,domain,items\nengagement,Engagement,Participation,"
                                              "q01;q02;q03;q04;q05;q06\n")
    monkeypatch.chdir(tmp_path)
    for argv in commands:
        assert main([*argv, "--quiet"] if argv[0] != "validate" else argv) == 0, argv
    items = pd.read_csv(tmp_path / "results" / "benefits" / "tables" / "items.csv")
    assert (items.loc[items["item"] == "q04", "point_measure_r"] > 0).all()          # --reverse q04 did its job
    assert len([p for p in (tmp_path / "reports" / "2026").glob("*.html") if p.name != "index.html"]) == 12


def test_the_data_readme_example_validates_as_written(tmp_path):
    text = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    example = text[text.index("### Example: your own survey"):text.index("### What validation reports")]
    blocks = re.findall(r"`(my_\w+\.csv)`[^\n]*\n(?:[^\n]*\n)*?\n((?:    [^\n]*\n)+)", example)
    files = {name: "\n".join(line[4:] for line in block.splitlines()) + "\n" for name, block in blocks}
    assert set(files) == {"my_respondents.csv", "my_networks.csv", "my_measures.csv"}
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    command = re.sub(r"\\\n\s*", " ", re.search(r"    inhd validate ((?:.*\\\n)*.*)\n", example)[1]).split()
    argv = [str(tmp_path / a) if a.endswith(".csv") else a for a in command]
    assert main(["validate", *argv]) == 0
    from inhd.data import validate
    report = validate(tmp_path / "my_respondents.csv", tmp_path / "my_networks.csv", scale=(1, 6), reverse=["q04"],
                      measures=tmp_path / "my_measures.csv", person_covariates=["age", "role"],
                      network_covariates=["size", "region"])
    assert report.ok and report.items == ("q01", "q02", "q03", "q04") and report.ignored == ("comment",)
