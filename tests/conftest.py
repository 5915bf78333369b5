"""Shared fixtures: a small valid survey export (two CSV files) written into tmp_path."""

import pytest

#: A valid respondents table: header on line 1, three respondents (lines 2-4), three items b01-b03.
#: R3's b02 is unanswered (empty cell). Ids are kept exactly as written ("007" stays "007").
RESPONDENTS_CSV = (
    "respondent_id,network_id,school_id,wave,team_lead,tenure_years,intensity,gender,race,b01,b02,b03\n"
    "R1,N1,S1,2023,1,2,0.75,woman,white,4,5,3\n"
    "R2,N1,S1,2023,0,0,1.5,man,latinx,1,2,2\n"
    "007,007,S2,2023,0,3.5,0,undisclosed,undisclosed,5,,4\n"
)

#: A valid networks table for RESPONDENTS_CSV (N2 has no respondents).
NETWORKS_CSV = (
    "network_id,single_district,archetype,duration_years,hub_type\n"
    "N1,1,instructional,3.5,ta\n"
    "007,0,ewr,2,ihe\n"
    "N2,0,psm,4,other\n"
)


@pytest.fixture
def survey_files(tmp_path):
    """``write(respondents=..., networks=...) -> (respondents_path, networks_path)``; text written as UTF-8
    bytes exactly as given (no newline translation). Defaults: the valid tables above."""

    def write(respondents=RESPONDENTS_CSV, networks=NETWORKS_CSV):
        r, n = tmp_path / "respondents.csv", tmp_path / "networks.csv"
        for path, text in ((r, respondents), (n, networks)):
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return r, n

    return write


@pytest.fixture(scope="session")
def notebook_run(tmp_path_factory):
    """``run(path) -> (executed notebook, tables folder)``: the notebook ``<path>.ipynb`` (e.g.
    ``notebooks/02_measure_validity``)
    executed once per test session with papermill on its default parameters, ``output_dir`` set to
    a fresh folder so that the tables it writes can be checked. Shared by the tests that look at
    the notebooks' outputs, so each notebook runs once."""
    from inhd import ROOT
    from inhd.runner import execute_notebook

    done = {}

    def run(stem):
        if stem not in done:
            folder = tmp_path_factory.mktemp(f"nb_{stem.replace('/', '_')}")
            tables = folder / "tables"
            executed = execute_notebook(ROOT / f"{stem}.ipynb", folder / f"{stem.split('/')[-1]}.ipynb",
                                        parameters={"output_dir": str(tables)}, progress=False)
            done[stem] = (executed, tables)
        return done[stem]

    return run
