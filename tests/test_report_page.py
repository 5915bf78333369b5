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


@pytest.fixture(scope="module")
def reversed_reports(tmp_path_factory):
    """A 4-point survey whose q03 is written the other way round, reported with --reverse q03 (JMLE)."""
    from surveys import make_survey

    folder = tmp_path_factory.mktemp("reversed")
    r, n, items = make_survey(folder, n_categories=4, n_networks=6, per_network=(30, 40), n_items=6,
                              schools=False, waves=(), covariates=False, reversed_item="q03", missing=0.0)
    survey = load_survey(r, n, items=items, scale=(1, 4), reverse=["q03"])
    data = report_data(calibrate(survey.respondents, items=items, scale=(1, 4), reversed=("q03",)), min_cell=10,
                       warnings=survey.report.warnings)
    return pd.read_csv(r), items, data


def test_a_report_states_scale_items_method_and_the_reverse_keyed_items(reversed_reports):
    # newcomer trial: the pages never said the responses were reversed, nor the scale, items or method
    raw, items, data = reversed_reports
    text = page_text(render_report(data, "NET01"))
    assert "The measure. 6 items answered on the response scale 1-4: q01, q02, q03, q04, q05, q06." in text
    assert "Reverse-keyed items (worded the other way round), recoded as 5 - x before the calibration" in text
    assert "joint maximum likelihood (JMLE, as Winsteps)" in text
    assert "q03 (reverse-keyed: counts as 5 - x)" in text and "shown as members answered, not recoded" in text


def test_item_means_are_shown_as_the_respondents_answered(reversed_reports):
    # the mean of q03 is the mean of what members wrote, never of the recoded 5 - x
    raw, items, data = reversed_reports
    view = network_view(data, "NET01").items.set_index("item")
    mine = raw[raw["network_id"] == "NET01"]
    for item in items:
        assert view.loc[item, "network_mean"] == pytest.approx(mine[item].mean(), abs=1e-12), item
        assert view.loc[item, "all_mean"] == pytest.approx(raw[item].mean(), abs=1e-12), item
    assert view["reversed"].tolist() == [item == "q03" for item in view.index]
    page = render_report(data, "NET01")
    row = {r[0]: r for r in _rows(page, "Item profile")}["q03 (reverse-keyed: counts as 5 - x)"]
    assert float(row[2]) == pytest.approx(mine["q03"].mean(), abs=0.005)


def _rows(page, heading):
    section = page.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    table = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_a_suppressed_network_s_page_does_not_say_it_is_drawn(data):
    text = page_text(render_report(data, "N6"))
    assert "This network is not drawn: its results are suppressed." in text and "red dot" not in text
    assert "This network is the red dot." in page_text(render_report(data, "N1"))


def test_the_trend_is_on_the_0_10_scale_and_waves_count_responses(data):
    page = render_report(data, "N1")
    text = page_text(page)
    assert "40 responses over 2 survey waves (a member who answered in several waves counts once in each)" in text
    view = network_view(data, "N1").waves.set_index("wave")
    row = {r[0]: r for r in _rows(page, "Trend across survey waves")}["2024"]
    assert float(row[1]) == pytest.approx(view.loc[2024, "network_mean_0_10"], abs=0.005)


def test_a_dichotomy_is_reported_in_four_categories_said_to_be_our_reconstruction(tmp_path):
    from surveys import make_survey

    r, n, items = make_survey(tmp_path, n_categories=2, n_networks=5, per_network=(40, 60), n_items=10,
                              schools=False, waves=(), covariates=False, reversed_item=None)
    frame = pd.read_csv(r)
    frame[items] = frame[items] - 1                                   # scored 0-1
    frame.to_csv(r, index=False)
    survey = load_survey(r, n, items=items, scale=(0, 1))
    calibration = calibrate(survey.respondents, items=items, scale=(0, 1))
    np.testing.assert_allclose(calibration.cuts, [-np.log(3), 0.0, np.log(3)], atol=1e-9)
    data = report_data(calibration, min_cell=10)
    text = page_text(render_report(data, "NET01"))
    assert "scored 0-1 (a dichotomy)" in text and "25%, 50% and 75%" in text and "our reconstruction" in text
    assert "response scale 0-1" in text
    shares = data.all_distribution.iloc[0][list(data.categories)].astype(float)
    assert shares.sum() == pytest.approx(1.0) and (shares > 0).sum() >= 3       # members spread over them


def test_the_validation_s_warnings_are_on_every_page(tmp_path, capsys):
    from inhd.cli import main
    from surveys import make_survey

    r, n, items = make_survey(tmp_path, n_categories=4, n_networks=4, per_network=(30, 35), n_items=5,
                              schools=False, waves=(), covariates=False, reversed_item="q02", missing=0.0)
    out = tmp_path / "reports"
    assert main(["report", "--respondents", str(r), "--items", ",".join(items), "--reverse", "q02", "--out", str(out),
                 "--quiet", "--jobs", "1"]) == 0                    # forgot --scale 1-4
    err = capsys.readouterr().err
    assert "inhd: warning: no item holds 5 (the top of the response scale 1-5): the items hold 1 to 4" in err
    text = page_text((out / "NET01.html").read_text())
    assert "Warning. no item holds 5 (the top of the response scale 1-5)" in text and "6 - x" in text


def test_the_item_profile_legend_covers_no_suppression_mark(data):
    # newcomer trial: in F.html the "suppressed: this network" labels were hidden under the legend box
    painter = Painter(data)
    painter.items(network_view(data, "N6"))        # N6 is suppressed: every item carries its mark
    frozen, _, marks = painter._items
    renderer = frozen.figure.canvas.get_renderer()
    legend = frozen.figure.axes[0].get_legend().get_window_extent(renderer)
    shown = [m for m in marks if m.get_visible()]
    assert len(shown) == len(marks) == 6
    assert not any(legend.overlaps(m.get_window_extent(renderer)) for m in shown)
    assert legend.y0 >= frozen.figure.axes[0].get_window_extent(renderer).y1 - 1     # above the plot, fully drawn
    assert legend.y1 <= frozen.figure.bbox.y1 + 1
