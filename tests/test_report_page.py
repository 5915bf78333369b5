"""Network reports rendered in Python: the suppression rule in every figure, inert pages, stable images."""

import base64
import re

import numpy as np
import pandas as pd
import pytest

from inhd.data import load_survey
from inhd.report import calibrate, network_view, report_data
from inhd.report_page import Painter, render_report
from surveys import executable_content, page_text, write_survey

HOSTILE_ITEMS = ["q01", "<img src=x onerror=alert(1)>", "$\\frac{a}{b}$", "=cmd|' /C calc'!A0", "q$05", "_hidden"]


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    """Six networks; N6 (6 people) is suppressed; N4's wave-2023 cell has 4 people; q06 is answered by 3 in N1."""
    folder = tmp_path_factory.mktemp("survey")
    sizes = {"N1": 40, "N2": 35, "N3": 30, "N4": 20, "N5": 12, "N6": 6}
    r, n, items = write_survey(folder, sizes, waves={"N4": [2023] * 4 + [2024] * 16, "N1": [2023, 2024],
                                                     "N2": [2023, 2024], "N3": [2023, 2024], "N5": [2024]})
    frame = pd.read_csv(r)
    frame.loc[(frame["network_id"] == "N1") & (frame.index % 40 >= 3), "q06"] = np.nan
    frame.to_csv(r, index=False)
    survey = load_survey(r, n, items=items)
    return calibrate(survey.respondents, items=items)


@pytest.fixture(scope="module")
def data(calibration):
    return report_data(calibration, min_cell=10)


def test_networks_count_publishable_respondents_only(data):
    table = data.networks.set_index("network_id")
    assert table.loc["N6", "suppressed"] and pd.isna(table.loc["N6", "mean_0_10"]) and pd.isna(table.loc["N6", "rank"])
    assert table.loc["N4", "n_persons"] == 16                 # its 4 respondents of 2023 are a suppressed cell
    assert table.loc["N1", "n_persons"] == 40
    assert sorted(table["rank"].dropna().astype(int)) == [1, 2, 3, 4, 5]


def test_all_networks_figures_pool_the_shown_cells_only(calibration, data):
    """Cross-check against a direct loop over the respondents."""
    persons, responses = calibration.persons, calibration.responses
    cell = persons.groupby(["network_id", "wave"])["respondent_id"].transform("size")
    ok = set(persons.loc[cell >= 10, "respondent_id"])
    # waves: all-networks mean of a wave = mean over respondents in shown network-wave cells
    for _, row in data.all_waves.iterrows():
        members = persons[(persons["wave"] == row["wave"]) & persons["respondent_id"].isin(ok)]
        assert row["mean"] == pytest.approx(members["measure"].mean(), abs=1e-12)
        assert row["n_persons"] == len(members)
    # items: q06 is answered 3 times in N1: that cell is suppressed and left out of the pooled mean
    counted = responses[responses["respondent_id"].isin(ok)]
    q06 = data.all_items.set_index("item").loc["q06"]
    shown_cells = counted.groupby("network_id")["q06"].count()
    pooled = counted[counted["network_id"].isin(shown_cells[shown_cells >= 10].index)]["q06"]
    assert "N1" not in shown_cells[shown_cells >= 10].index
    assert q06["mean"] == pytest.approx(pooled.mean(), abs=1e-12) and q06["n_persons"] == pooled.count()
    n1 = data.items[(data.items["network_id"] == "N1") & (data.items["item"] == "q06")].iloc[0]
    assert n1["suppressed"] and pd.isna(n1["mean"]) and pd.isna(n1["n_persons"])
    # distribution: all networks = publishable respondents
    assert data.all_distribution.loc[0, "n_persons"] == len(ok)


def test_difficulties_are_model_parameters_shown_for_every_item(data, calibration):
    assert data.all_items["difficulty"].tolist() == pytest.approx(
        calibration.items.loc[data.all_items["item"], "difficulty"].tolist())
    assert data.all_items["difficulty"].is_monotonic_increasing


def test_view_marks_the_suppressed_wave_and_item(data):
    n4 = network_view(data, "N4")
    assert n4.waves.set_index("wave").loc[2023, "suppressed"] and not n4.waves.set_index("wave").loc[2024, "suppressed"]
    n1 = network_view(data, "N1")
    assert n1.items.set_index("item").loc["q06", "suppressed"]
    n6 = network_view(data, "N6")
    assert n6.suppressed and n6.n_persons is None and "suppressed" in n6.headline
    with pytest.raises(ValueError, match="'nope' is not in the report data"):
        network_view(data, "nope")


def _images(page):
    return [base64.b64decode(uri) for uri in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def test_pages_are_self_contained_inert_and_show_the_marks(data):
    painter = Painter(data)
    for network_id in data.network_ids:
        page = render_report(data, network_id, painter=painter)
        assert executable_content(page) == [], network_id
        assert len(_images(page)) == 4 and all(i.startswith(b"\x89PNG") for i in _images(page))
    n1 = page_text(render_report(data, "N1", painter=painter))
    assert "q06" in n1 and "suppressed" in n1
    n6 = page_text(render_report(data, "N6", painter=painter))
    assert "fewer than 10 respondents" in n6 and "ranking" not in n6


def test_a_page_does_not_depend_on_the_pages_drawn_before(data):
    alone = render_report(data, "N4", painter=Painter(data))
    painter = Painter(data)
    for network_id in ["N6", "N1", "N5"]:
        render_report(data, network_id, painter=painter)
    assert render_report(data, "N4", painter=painter) == alone


def test_hostile_ids_and_item_names_stay_text(tmp_path):
    ids = {'"><img src=x onerror=alert(1)>': 15, "[click me](javascript:alert(1))": 14,
           "```mermaid\ngraph TD; A-->B\n```": 13, "$\\invalid{": 12, "<script src=//evil.example/x.js></script>": 11}
    r, n, items = write_survey(tmp_path, ids, items=HOSTILE_ITEMS)
    # read without validation (which refuses ids holding control characters): the page must be safe anyway
    respondents = pd.read_csv(r, dtype={"respondent_id": str, "network_id": str})
    data = report_data(calibrate(respondents, items=items), min_cell=10)
    painter = Painter(data)
    for network_id in ids:
        page = render_report(data, network_id, painter=painter)
        assert executable_content(page) == [], network_id
        text = page_text(page)
        assert network_id.split("\n")[0] in text                   # shown, as text
        assert all(item in text for item in HOSTILE_ITEMS)
        assert "javascript:" not in re.sub(r">[^<]*<", "><", page)   # only inside text nodes
