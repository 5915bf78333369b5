"""inhd.charts: the Vega-Lite specs (data, encodings, tooltips, parameters), checked against the
official Vega-Lite 5 JSON schema of the version the book vendors, and their HTML (escaping)."""

import copy
import html
import json
import re
import shutil
import tarfile
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR, charts
from inhd.scales import FOUR_CATEGORIES, four_category_distribution

HOSTILE = '</script><img src=x onerror="window.__pwned=1">&amp;'


@pytest.fixture(scope="module")
def validator():
    """The Vega-Lite JSON schema from the npm package the book vendors (fetched once into _build/npm)."""
    jsonschema = pytest.importorskip("jsonschema")
    from inhd.book import VENDORED, npm_tarball

    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: cannot fetch the Vega-Lite schema")
    spec = next(name for name, _ in VENDORED if name.startswith("vega-lite@"))
    with tarfile.open(npm_tarball(spec)) as archive:
        schema = json.load(archive.extractfile("package/build/vega-lite-schema.json"))
    return jsonschema.Draft7Validator(schema)


def assert_valid(validator, chart):
    import jsonschema

    error = jsonschema.exceptions.best_match(validator.iter_errors(chart.to_dict()))
    assert error is None, f"{list(error.absolute_path)}: {error.message[:300]}"


def units(spec, data=None):
    """(unit spec, the data it sees) for every view in a layered/concatenated/faceted spec."""
    data = spec.get("data", {}).get("values", data)
    children = [*spec.get("layer", []), *spec.get("vconcat", []), *spec.get("hconcat", [])]
    if "spec" in spec:
        children.append(spec["spec"])
    if "mark" in spec:
        yield spec, data
    for child in children:
        yield from units(child, data)


def assert_tooltips_name_data(chart):
    """Every tooltip field is a key of the data its view draws (after fold/calculate transforms)."""
    for unit, data in units(chart.spec):
        tooltip = unit.get("encoding", {}).get("tooltip", [])
        made = {t.get("as") for t in unit.get("transform", []) if "as" in t}
        made |= {a["as"] for t in unit.get("transform", []) for a in t.get("aggregate", [])}
        keys = set().union(*(row.keys() for row in data)) if data else set()
        for item in tooltip:
            assert item["field"] in keys | made, f"tooltip field {item['field']!r} not in the data {sorted(keys)}"


@pytest.fixture(scope="module")
def lfs():
    from inhd.rasch import fit_rating_scale

    return fit_rating_scale(pd.read_csv(DATA_DIR / "reference" / "lfs.csv"))


def networks_table(n=6, seed=1):
    rng = np.random.default_rng(seed)
    mean = rng.normal(5, 1, n)
    se = rng.uniform(0.2, 0.6, n)
    return pd.DataFrame({"network_id": [f"N{i:02d}" for i in range(n)], "mean": mean, "se": se,
                         "ci_low": mean - 1.96 * se, "ci_high": mean + 1.96 * se,
                         "n_persons": rng.integers(10, 80, n)})


# --------------------------------------------------------------------------------------------
# the chart object and its HTML
# --------------------------------------------------------------------------------------------
def test_chart_renders_in_jupyter_as_vegalite_5_and_as_text():
    chart = charts.caterpillar(networks_table())
    bundle = chart._repr_mimebundle_()
    assert set(bundle) == {charts.VEGALITE_MIMETYPE, "text/plain"}
    assert charts.VEGALITE_MIMETYPE == "application/vnd.vegalite.v5+json"
    assert bundle[charts.VEGALITE_MIMETYPE] == chart.spec and bundle[charts.VEGALITE_MIMETYPE] is not chart.spec
    assert bundle[charts.VEGALITE_MIMETYPE]["$schema"].endswith("/vega-lite/v5.json")
    assert "Networks' estimates" in bundle["text/plain"] and "interactive chart" in bundle["text/plain"]
    # newcomer trial: an inert page showed "<inhd Chart: Figure 1. ...>" under "drawn in your browser": the text is a
    # sentence saying where the chart is drawn, not a repr
    assert bundle["text/plain"] == chart.placeholder() and "<inhd Chart" not in bundle["text/plain"]
    assert bundle["text/plain"].startswith("[The interactive chart \u201c")
    assert "is not drawn on this page" in bundle["text/plain"] and "JupyterLab or JupyterLite" in bundle["text/plain"]
    assert "in the book" in bundle["text/plain"]
    assert charts.Chart({"mark": "point"}).placeholder().startswith("[The interactive chart is not drawn")
    json.loads(chart.to_json())  # strict JSON: no NaN


def test_chart_html_keeps_data_strings_out_of_markup():
    table = networks_table()
    table.loc[0, "network_id"] = HOSTILE
    chart = charts.caterpillar(table, title=HOSTILE)
    fragment = chart.to_html()
    script = re.fullmatch(r'<div class="inhd-chart" role="figure" aria-label="([^"]*)"></div>'
                          r'<script type="application/json" class="inhd-chart-spec">(.*)</script>', fragment, re.S)
    assert script, fragment[:300]
    assert html.unescape(script.group(1)) == HOSTILE                # the label, escaped as an attribute
    assert not re.search(r"[<>&]", script.group(2))                 # nothing in the JSON can close the script
    assert json.loads(script.group(2)) == chart.spec                # and it reads back exactly
    assert HOSTILE in [row["network"] for row in chart.spec["data"]["values"]]
    with pytest.raises(TypeError, match="spec"):
        charts.chart_html("not a spec")


# --------------------------------------------------------------------------------------------
# Wright map
# --------------------------------------------------------------------------------------------
def test_wright_map_bands_items_thresholds_and_tooltips(validator, lfs):
    persons_before = lfs.persons.copy()
    chart = charts.wright_map(lfs.items, lfs.persons, thresholds=lfs.thresholds, bins=12, cuts=[-1.0, 0.0, 1.0])
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    pd.testing.assert_frame_equal(lfs.persons, persons_before)      # inputs never modified
    top, bottom = chart.spec["vconcat"]
    bands = top["layer"][0]["data"]["values"]
    finite = lfs.persons["measure"].dropna()
    finite = finite[np.isfinite(finite)]
    assert len(bands) == 12 and sum(b["n_persons"] for b in bands) == len(finite)
    assert all(a["band_high"] == pytest.approx(b["band_low"]) for a, b in zip(bands, bands[1:]))
    assert sum(b["share"] for b in bands) == pytest.approx(1.0, abs=1e-5)
    assert top["layer"][0]["params"][0]["select"]["on"] == "pointerover"   # hover a person band
    ticks, items = bottom["layer"][0]["data"]["values"], bottom["layer"][1]["data"]["values"]
    assert [row["item"] for row in items] == [str(i) for i in lfs.items.index]
    difficulty = lfs.items["difficulty"].to_numpy()
    expected = np.sort((difficulty[:, None] + lfs.thresholds.to_numpy()).ravel())
    np.testing.assert_allclose(np.sort([t["location"] for t in ticks]), expected, atol=1e-6)
    assert bottom["layer"][1]["encoding"]["y"]["sort"] == list(lfs.items.sort_values("difficulty").index.astype(str))
    fields = [t["field"] for t in bottom["layer"][1]["encoding"]["tooltip"]]
    assert fields[:2] == ["item", "difficulty"] and {"se", "infit", "outfit"} <= set(fields)
    cuts = [layer for layer in bottom["layer"] if layer["mark"]["type"] == "rule"][0]["data"]["values"]
    assert [c["cut"] for c in cuts] == [-1.0, 0.0, 1.0]
    assert chart.spec["resolve"]["scale"]["x"] == "shared"


def test_wright_map_accepts_a_series_and_refuses_bad_input(lfs):
    chart = charts.wright_map(lfs.items, pd.Series([0.1, 0.2, np.nan]), bins=2)
    assert sum(b["n_persons"] for b in chart.spec["vconcat"][0]["layer"][0]["data"]["values"]) == 2
    with pytest.raises(ValueError, match="difficulty"):
        charts.wright_map(lfs.items.drop(columns="difficulty"), lfs.persons)
    with pytest.raises(ValueError, match="no finite person measure"):
        charts.wright_map(lfs.items, pd.Series([np.nan]))
    with pytest.raises(ValueError, match="bins"):
        charts.wright_map(lfs.items, lfs.persons, bins=0)


# --------------------------------------------------------------------------------------------
# caterpillar
# --------------------------------------------------------------------------------------------
def test_caterpillar_sorted_with_intervals_tooltip_and_network_picker(validator):
    table = networks_table(8)
    before = table.copy()
    chart = charts.caterpillar(table, highlight="N03")
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    pd.testing.assert_frame_equal(table, before)
    rows = chart.spec["data"]["values"]
    assert [r["estimate"] for r in rows] == sorted(table["mean"])
    assert [r["rank"] for r in rows] == list(range(1, 9))
    by_id = {r["network"]: r for r in rows}
    for _, source in table.iterrows():
        row = by_id[source["network_id"]]
        assert (row["ci_low"], row["ci_high"], row["n_persons"]) == pytest.approx(
            (source["ci_low"], source["ci_high"], source["n_persons"]))
        assert row["interval"] == f"{source['ci_low']:.2f} to {source['ci_high']:.2f}".replace("-", "\u2212")
    param = chart.spec["params"][0]
    assert param["name"] == "network" and param["value"] == "N03"
    assert param["bind"]["input"] == "select"
    assert param["bind"]["options"] == ["", *sorted(table["network_id"])]
    assert param["bind"]["labels"][0] == "(none)"
    points = chart.spec["layer"][1]
    assert points["mark"]["type"] == "point"
    assert points["encoding"]["color"]["condition"]["test"] == "datum.network === network"
    tooltip = [t["field"] for t in points["encoding"]["tooltip"]]
    assert tooltip[:3] == ["network", "estimate", "interval"] and "n_persons" in tooltip
    assert points["encoding"]["x"]["sort"] == {"field": "rank", "op": "min", "order": "ascending"}
    assert chart.spec["usermeta"]["chart"] == "caterpillar" and "transform" not in chart.spec


def test_caterpillar_interval_from_se_and_suppressed_rows(validator):
    table = networks_table(5).drop(columns=["ci_low", "ci_high"])
    table.loc[2, "mean"] = np.nan                                   # a suppressed network
    chart = charts.caterpillar(table, ci_low=None, ci_high=None, level=0.9)
    assert_valid(validator, chart)
    z = NormalDist().inv_cdf(0.95)
    rows = {r["network"]: r for r in chart.spec["data"]["values"]}
    assert "N02" not in rows and len(rows) == 4
    for _, source in table.dropna().iterrows():
        assert rows[source["network_id"]]["ci_high"] == pytest.approx(source["mean"] + z * source["se"])
    assert any("1 network(s) not shown" in line for line in chart.spec["title"]["subtitle"])
    assert "90% interval" in chart.spec["layer"][1]["encoding"]["tooltip"][2]["title"]


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda t: t.drop(columns="ci_low"), {}, "pass ci_low=None, ci_high=None"),
    (lambda t: t, {"ci_low": None}, "give both"),
    (lambda t: t, {"highlight": "nowhere"}, "highlight"),
    (lambda t: t.assign(network_id="same"), {}, "repeats"),
    (lambda t: t.assign(ci_low=t["mean"] + 1), {}, "does not contain the estimate"),
    (lambda t: t.assign(mean=np.nan), {}, "no network has an estimate"),
    (lambda t: t, {"level": 1.5}, "level"),
])
def test_caterpillar_refuses_bad_input(change, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.caterpillar(change(networks_table()), **kwargs)


def measures_table(seed=2):
    """Long: 6 networks x 3 measures, deviations with posterior SEs (as NetworkProfiles.long())."""
    parts = []
    for k, measure in enumerate(["trust", "voice", HOSTILE]):
        t = networks_table(6, seed=seed + k)
        parts.append(pd.DataFrame({"network_id": t["network_id"], "measure": measure,
                                   "deviation": t["mean"] - 5, "se": t["se"], "n_persons": t["n_persons"]}))
    return pd.concat(parts, ignore_index=True)


def test_caterpillar_by_measure_one_at_a_time_ranked_within_each(validator):
    table = measures_table()
    chart = charts.caterpillar(table, estimate="deviation", ci_low=None, ci_high=None, by="measure",
                               show="voice", reference=0, highlight="N02")
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    panel, network = chart.spec["params"]                    # the measure's drop-down first
    assert panel == {"name": "panel", "value": "voice",
                     "bind": {"input": "select", "options": ["trust", "voice", HOSTILE], "name": "Measure: "}}
    assert network["name"] == "network" and network["value"] == "N02"
    assert network["bind"]["options"] == ["", *[f"N{i:02d}" for i in range(6)]]
    assert chart.spec["transform"] == [{"filter": "datum.panel === panel"}]
    rows = pd.DataFrame(chart.spec["data"]["values"])
    assert len(rows) == 18 and set(rows["panel"]) == {"trust", "voice", HOSTILE}
    for measure, part in rows.groupby("panel"):
        source = table[table["measure"] == measure].set_index("network_id")["deviation"]
        assert list(part.sort_values("rank")["network"]) == list(source.sort_values().index)
        assert list(part["rank"]) == list(range(1, 7)) and (part["n_networks"] == 6).all()
    layers = chart.spec["layer"]
    assert layers[1]["encoding"]["x"]["sort"] == {"field": "rank", "op": "min", "order": "ascending"}
    assert "panel" in [t["field"] for t in layers[1]["encoding"]["tooltip"]]
    assert layers[-1]["data"]["values"] == [{"reference": 0.0}]          # the dashed line at 0
    assert "the average network (0)" in chart.spec["title"]["subtitle"][0]


def test_caterpillar_without_reference_draws_the_average_of_the_networks_shown(validator):
    chart = charts.caterpillar(measures_table(), estimate="deviation", ci_low=None, ci_high=None, by="measure")
    assert_valid(validator, chart)
    line = chart.spec["layer"][-1]
    assert line["transform"] == [{"aggregate": [{"op": "mean", "field": "estimate", "as": "average"}]}]
    assert "data" not in line                                  # the filtered rows: the measure shown
    assert chart.spec["params"][0]["value"] == "trust"         # the first measure when show is not given


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda t: t, {"show": "nowhere"}, "show"),
    (lambda t: t.drop(columns="measure"), {}, "measure"),
    (lambda t: pd.concat([t, t.head(1)]), {}, "repeats a network within a value of 'measure'"),
])
def test_caterpillar_by_refuses_bad_input(change, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.caterpillar(change(measures_table()), estimate="deviation", ci_low=None, ci_high=None,
                           by="measure", **kwargs)
    with pytest.raises(ValueError, match="show"):
        charts.caterpillar(networks_table(), show="N01")        # show without by


# --------------------------------------------------------------------------------------------
# profiles
# --------------------------------------------------------------------------------------------
def profiles_table():
    table = measures_table().assign(standardized=lambda d: d["deviation"] / 0.8,
                                    statistic=lambda d: d["deviation"] / d["se"])
    table["name"] = table["measure"].map({"trust": "Relational trust", "voice": "Have a voice"}).fillna(table["measure"])
    table.loc[table["measure"] == "voice", "standardized"] = np.nan          # networks do not differ on it
    order = table.groupby("network_id")["standardized"].mean().sort_values().index   # lowest first
    table["cluster"] = table["network_id"].map({order[-1]: "well", order[0]: "least"}).fillna("other")
    return table


def test_profile_heatmap_cells_order_tooltip_and_network_picker(validator):
    table = profiles_table()
    chart = charts.profile_heatmap(table, name="name", cluster="cluster")
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    rows = pd.DataFrame(chart.spec["data"]["values"])
    assert len(rows) == 18 and rows.loc[rows["measure"] == "Have a voice", "value"].isna().all()
    means = table.groupby("network_id")["standardized"].mean().sort_values(ascending=False)
    strip, heatmap = chart.spec["vconcat"]
    cells = heatmap["layer"][0]
    assert cells["encoding"]["x"]["sort"] == list(means.index)            # highest mean profile first
    assert cells["encoding"]["y"]["sort"] == ["Relational trust", "Have a voice", HOSTILE]
    assert rows.set_index(["network", "measure"]).loc[("N03", "Relational trust"), "mean_profile"] == \
        pytest.approx(means["N03"])
    assert cells["encoding"]["color"]["condition"] == {"test": "!isValid(datum.value)", "value": "#e5e5e5"}
    assert cells["encoding"]["color"]["scale"]["domain"] == [-2.0, 2.0]
    tooltip = [t["field"] for t in cells["encoding"]["tooltip"]]
    assert tooltip[:4] == ["network", "cluster", "measure", "value"]
    assert {"deviation", "se", "statistic", "n_persons"} <= set(tooltip)
    outline = heatmap["layer"][1]
    assert outline["transform"][0] == {"filter": "datum.network === network"}
    assert chart.spec["params"][0]["name"] == "network" and chart.spec["params"][0]["value"] == ""
    # the strip: one cell per network, its groups ordered by their mean profile, well first
    assert strip["encoding"]["color"]["scale"]["domain"] == ["well", "other", "least"]
    assert chart.spec["usermeta"]["chart"] == "profile_heatmap"


def test_profile_heatmap_without_clusters_is_one_view(validator):
    chart = charts.profile_heatmap(profiles_table().drop(columns="cluster"))
    assert_valid(validator, chart)
    assert "vconcat" not in chart.spec and len(chart.spec["layer"]) == 2
    assert chart.spec["layer"][0]["encoding"]["y"]["sort"] == ["trust", "voice", HOSTILE]


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda t: pd.concat([t, t.head(1)]), {}, "the same measure twice"),
    (lambda t: t.assign(cluster=np.where(t["measure"] == "trust", "well", "least")), {"cluster": "cluster"},
     "puts a network in two groups"),
    (lambda t: t.assign(name="same"), {"name": "name"}, "share a name"),
    (lambda t: t, {"vmax": 0}, "vmax"),
    (lambda t: t, {"value": "nothing"}, "nothing"),
])
def test_profile_heatmap_refuses_bad_input(change, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.profile_heatmap(change(profiles_table()), **kwargs)


# --------------------------------------------------------------------------------------------
# four categories
# --------------------------------------------------------------------------------------------
@pytest.fixture
def distribution():
    rng = np.random.default_rng(3)
    measures = rng.normal(size=300)
    groups = np.repeat(["A", "B", "C"], 100)
    return four_category_distribution(measures, groups, [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("kind", ["stacked", "grouped"])
def test_four_category_distribution_shares_order_and_tooltip(validator, distribution, kind):
    chart = charts.four_category_distribution(distribution, kind=kind)
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    rows = pd.DataFrame(chart.spec["data"]["values"])
    assert rows.groupby("group")["proportion"].sum().to_numpy() == pytest.approx(1.0)
    assert set(rows["category"]) == set(FOUR_CATEGORIES)
    assert (rows["order"] == rows["category"].map(FOUR_CATEGORIES.index)).all()
    upper = distribution[distribution["category"].isin(["high-middle", "high"])].groupby("group")["proportion"].sum()
    enc = chart.spec["encoding"]
    sort = enc["y"]["sort"] if kind == "stacked" else enc["color"]["sort"]
    assert sort == list(upper.sort_values(ascending=False).index)
    if kind == "stacked":
        assert enc["color"]["scale"]["domain"] == list(FOUR_CATEGORIES)
    assert [t["field"] for t in enc["tooltip"]][:3] == ["group", "category", "proportion"]


def test_four_category_distribution_leaves_out_suppressed_groups_and_refuses_unknown_categories(distribution):
    suppressed = distribution.copy()
    suppressed.loc[suppressed["group"] == "B", "proportion"] = np.nan
    chart = charts.four_category_distribution(suppressed)
    assert {r["group"] for r in chart.spec["data"]["values"]} == {"A", "C"}
    assert "1 group(s) not shown" in chart.spec["title"]["subtitle"][1]
    with pytest.raises(ValueError, match="expected the categories"):
        charts.four_category_distribution(distribution.assign(category="medium"))
    # as chapter 04 passes it: networks below the privacy threshold blanked (pandas' Float64, NA)
    from inhd.privacy import suppress_small_groups
    small = distribution.assign(n_persons_group=distribution["n_persons_group"].where(distribution["group"] != "C", 4))
    blanked = suppress_small_groups(small, count_column="n_persons_group", keep=["group", "category"], min_cell=10)
    chart = charts.four_category_distribution(blanked, group_title="network")
    assert {r["group"] for r in chart.spec["data"]["values"]} == {"A", "B"}
    assert chart.spec["title"]["subtitle"] == ["2 networks; respondents in four ordered categories, low to high",
                                               "1 network(s) not shown: suppressed"]
    assert chart.spec["encoding"]["tooltip"][0]["title"] == "network"
    # two groups all in the upper categories: the one with more in the highest comes first
    tied = pd.DataFrame({"group": np.repeat(["P", "Q"], 4), "category": list(FOUR_CATEGORIES) * 2,
                         "proportion": [0, 0, 0.7, 0.3, 0, 0, 0.2, 0.8]})
    chart = charts.four_category_distribution(tied, n_persons=None, n_persons_group=None)
    assert chart.spec["encoding"]["y"]["sort"] == ["Q", "P"]
    with pytest.raises(ValueError, match="kind"):
        charts.four_category_distribution(distribution, kind="pie")


# --------------------------------------------------------------------------------------------
# reliability table
# --------------------------------------------------------------------------------------------
@pytest.fixture
def reliability():
    return pd.DataFrame({
        "name": ["Trust", "Knowledge", HOSTILE], "domain": ["Hub", "Hub", "Culture"],
        "individual": [0.88, np.nan, 0.9], "school": [0.27, 0.2, 0.1], "network": [0.72, 0.8, 0.4],
        "published_individual": [0.86, np.nan, 0.91], "published_school": [0.25, 0.23, 0.12],
        "published_network": [0.79, 0.82, 0.5],
        "school_ns": [False, False, True], "network_ns": [False, False, True],
        "published_school_ns": [False, False, False], "published_network_ns": [False, False, True],
    })


def test_reliability_chart_one_row_per_measure_and_level(validator, reliability):
    chart = charts.reliability_chart(reliability)
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    rows = pd.DataFrame(chart.spec["data"]["values"])
    assert len(rows) == 8                                           # 3 x 3 levels, less Knowledge's missing individual
    trust = rows[(rows["measure"] == "Trust") & (rows["level"] == "network")].iloc[0]
    assert (trust["ours"], trust["published"], trust["difference"]) == pytest.approx((0.72, 0.79, -0.07))
    hostile = rows[(rows["measure"] == HOSTILE) & (rows["level"] == "school")].iloc[0]
    assert hostile["ours_ns"] is True or hostile["ours_ns"] == 1
    assert pd.isna(rows[rows["level"] == "individual"]["ours_ns"]).all()   # no test at the individual level
    assert chart.spec["facet"]["column"]["sort"] == ["individual", "school", "network"]
    layers = chart.spec["spec"]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["rule", "point", "point"]
    assert layers[1]["encoding"]["y"]["sort"] == ["Trust", "Knowledge", HOSTILE]
    assert layers[1]["params"][0]["select"]["fields"] == ["measure"]
    for layer, flag in ((layers[1], "ours_ns"), (layers[2], "published_ns")):   # n.s. drawn open: white fill
        fill, stroke = layer["encoding"]["fill"], layer["encoding"]["stroke"]
        assert fill["condition"] == {"test": f"datum.{flag} === true", "value": "white"}
        assert stroke["condition"][-1] == {"test": f"datum.{flag} === true", "value": fill["value"]}


def test_reliability_chart_without_published_values_and_bad_columns(validator, reliability):
    ours = reliability[["name", "domain", "school", "network", "school_ns", "network_ns"]]
    chart = charts.reliability_chart(ours, levels=("school", "network"), published=None,
                                      published_not_significant=None)
    assert_valid(validator, chart)
    assert len(chart.spec["spec"]["layer"]) == 1
    with pytest.raises(ValueError, match="published_network"):
        charts.reliability_chart(reliability.drop(columns="published_network"))
    with pytest.raises(ValueError, match="no column matches"):
        charts.reliability_chart(reliability, not_significant="{level}_nonsense")


def test_reliability_chart_picks_one_domain_and_names_its_values(validator, reliability):
    chart = charts.reliability_chart(reliability)
    param = chart.spec["params"][0]
    assert param["name"] == "pick_group" and param["value"] == ""
    assert param["bind"]["options"] == ["", "Hub", "Culture"] and param["bind"]["labels"][0] == "(all 2)"
    assert chart.spec["transform"] == [{"filter": "pick_group === '' || datum.group === pick_group"}]
    assert chart.spec["spec"]["height"] == {"step": 15}        # the chart shrinks to the domain picked
    published_only = reliability.drop(columns=[c for c in reliability if c.startswith("published")])
    chart = charts.reliability_chart(published_only, published=None, published_not_significant=None,
                                     value_title="published", picker=False)
    assert_valid(validator, chart)
    assert "params" not in chart.spec and "transform" not in chart.spec
    assert chart.spec["title"]["subtitle"] == ["dot: published; open, faint: not significant (n.s.)"]
    tooltip = {t["field"]: t.get("title") for t in chart.spec["spec"]["layer"][0]["encoding"]["tooltip"]}
    assert tooltip["ours"] == "published" and tooltip["ours_ns"] == "published: not significant"
    one_domain = reliability.assign(domain="Hub")
    assert "params" not in charts.reliability_chart(one_domain).spec     # nothing to pick


# --------------------------------------------------------------------------------------------
# explorer
# --------------------------------------------------------------------------------------------
@pytest.fixture
def designs():
    rows = [(items, persons, spread, 1 - 1 / (1 + items * spread / 10) + persons / 1e5)
            for items in (3, 6, 9) for persons in (100, 200, 300) for spread in (0.5, 1.0, 1.5)]
    return pd.DataFrame(rows, columns=["n_items", "n_persons", "person_sd", "person_reliability"])


def test_explorer_binds_one_slider_per_column_and_filters_the_slice(validator, designs):
    before = designs.copy()
    chart = charts.explorer(designs, x="n_items", y="person_reliability",
                            sliders={"n_persons": "respondents", "person_sd": "spread"},
                            initial={"n_persons": 200, "person_sd": 1.0})
    assert_valid(validator, chart)
    assert_tooltips_name_data(chart)
    pd.testing.assert_frame_equal(designs, before)
    s0, s1 = chart.spec["params"]
    assert s0 == {"name": "s0", "value": 200,
                  "bind": {"input": "range", "min": 100, "max": 300, "step": 100, "name": "respondents "}}
    assert s1["value"] == 1.0 and s1["bind"] == {"input": "range", "min": 0.5, "max": 1.5, "step": 0.5,
                                                  "name": "spread "}
    background, selected = chart.spec["layer"]
    assert background["encoding"]["detail"]["field"] == "slice"
    expression = selected["transform"][0]["filter"]
    assert 'datum["n_persons"]' in expression and "s0" in expression and "s1" in expression
    # the filter, evaluated here as Vega would, keeps exactly the chosen slice, one row per x
    rows = chart.spec["data"]["values"]
    python = expression.replace("&&", "and")
    kept = [r for r in rows if eval(python, {"abs": abs, "datum": r, "s0": 200, "s1": 1.0})]
    assert sorted(r["n_items"] for r in kept) == [3, 6, 9]
    assert all(r["n_persons"] == 200 and r["person_sd"] == 1.0 for r in kept)
    assert len({r["slice"] for r in rows}) == 9
    lo, hi = chart.spec["layer"][1]["encoding"]["y"]["scale"]["domain"]
    assert lo < designs["person_reliability"].min() and hi > designs["person_reliability"].max()
    assert "respondents" in chart.spec["title"]["text"]["expr"] and chart.title == "person_reliability by n_items"


def test_explorer_steps_through_unevenly_spaced_values(validator, designs):
    uneven = designs.assign(n_persons=designs["n_persons"].map({100: 100, 200: 400, 300: 2000}))
    uneven = uneven[uneven["person_sd"] == 1.0]                     # one slider: one design per (x, slider value)
    chart = charts.explorer(uneven, x="n_items", y="person_reliability", sliders={"n_persons": "respondents"},
                            initial={"n_persons": 400})
    assert_valid(validator, chart)
    (s0,) = chart.spec["params"]
    assert s0["value"] == 1 and s0["bind"]["min"] == 0 and s0["bind"]["max"] == 2 and s0["bind"]["step"] == 1
    assert "100, 400, 2000" in s0["bind"]["name"]
    rows = chart.spec["data"]["values"]
    assert {r["n_persons"]: r["_position_0"] for r in rows} == {100: 0, 400: 1, 2000: 2}
    assert '["100", "400", "2000"][s0]' in chart.spec["title"]["text"]["expr"]


@pytest.mark.parametrize("kwargs, message", [
    ({"sliders": {}}, "at least one column"),
    ({"sliders": {"n_items": "items"}}, "on the axes"),
    ({"sliders": {"nope": "x"}}, "nope"),
    ({"sliders": {"n_persons": "r", "person_sd": "s"}, "initial": {"n_items": 3}}, "have no slider"),
    ({"sliders": {"n_persons": "r", "person_sd": "s"}, "initial": {"n_persons": 250}}, "not among its values"),
    ({"sliders": {"n_persons": "respondents"}}, "repeat a design"),
])
def test_explorer_refuses_bad_input(designs, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.explorer(designs, x="n_items", y="person_reliability", **kwargs)


def test_explorer_needs_every_combination_of_slider_values(designs):
    gappy = designs.drop(index=designs.index[(designs["n_persons"] == 300) & (designs["person_sd"] == 1.5)])
    with pytest.raises(ValueError, match="have no row"):
        charts.explorer(gappy, x="n_items", y="person_reliability",
                        sliders={"n_persons": "respondents", "person_sd": "spread"})


def test_chart_to_dict_is_a_copy():
    chart = charts.caterpillar(networks_table())
    spec = chart.to_dict()
    spec["data"]["values"].clear()
    assert chart.spec["data"]["values"]
    assert copy.deepcopy(chart.spec) == chart.to_dict()


def test_the_schema_check_can_fail(validator):
    spec = charts.caterpillar(networks_table()).to_dict()
    spec["layer"][1]["mark"]["type"] = "caterpillar"
    assert not validator.is_valid(spec)
