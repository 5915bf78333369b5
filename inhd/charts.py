"""Client-side charts: Vega-Lite specifications built from the package's tidy tables.

Each function takes a tidy DataFrame the package already produces (and the names of its columns,
keyword-only, defaulting to the compendium's vocabulary) and returns a :class:`Chart`: a Vega-Lite 5
specification that JupyterLab and JupyterLite draw natively (MIME type
``application/vnd.vegalite.v5+json``) and that the book draws with the Vega, Vega-Lite and
vega-embed scripts it vendors from the npm registry (``inhd/book.py``; nothing from a CDN).

- :func:`wright_map`: persons in bands above the logit scale, items below with their thresholds;
  hover a band or an item for its figures.
- :func:`caterpillar`: networks' estimates sorted, with their intervals; hover a network for its
  estimate and interval, pick one in the drop-down to highlight it; one per measure with ``by``.
- :func:`profile_heatmap`: networks x measures (profiles), hover a cell, pick a network.
- :func:`four_category_distribution`: the four ordered categories of the probability density
  display (low ... high) by group or network.
- :func:`reliability_chart`: the measure-validity reliability table (individual, school and network
  reliabilities per measure, ours beside the published), with a drop-down of domains.

The charts of networks (caterpillar, profiles, four categories) are written in
:mod:`inhd.network_charts` and re-exported here.
- :func:`explorer`: a results table precomputed at build time, sliced by sliders (Vega-Lite
  parameters), so moving a slider redraws the chart in the page with no kernel.

Why specifications written here rather than Altair: Altair 6 writes Vega-Lite 6, which JupyterLab
4 does not draw natively (its output loads Vega from a CDN); Vega-Lite 5 is what JupyterLab,
JupyterLite and the book all render offline. A :class:`Chart` is a plain dict underneath
(:meth:`Chart.to_dict`); ``altair.Chart.from_dict(chart.to_dict())`` continues in Altair 5.

Every string that comes from data (network ids, item and measure names, group labels) travels in
the chart's ``data`` (JSON), never in HTML or in an expression: Vega writes it as SVG text and the
tooltip escapes it. :func:`chart_html` embeds a spec in a page with ``<``, ``>`` and ``&`` escaped.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from inhd.network_charts import caterpillar, four_category_distribution, profile_heatmap
from inhd.vegalite import (BASE, HIGHLIGHT, MUTED, VEGALITE_MIMETYPE, Chart, base_spec, chart_html,
                           check_columns, json_value, number, records)

__all__ = [
    "VEGALITE_MIMETYPE",
    "Chart",
    "chart_html",
    "wright_map",
    "caterpillar",
    "profile_heatmap",
    "four_category_distribution",
    "reliability_chart",
    "explorer",
]

# --------------------------------------------------------------------------------------------
# Wright map
# --------------------------------------------------------------------------------------------
def _item_rows(items: pd.DataFrame, *, difficulty: str, item: str | None):
    """The Wright map's item rows (label, difficulty, tooltip figures) and the figures present."""
    labels = items[item] if item is not None else items.index.to_series()
    table = pd.DataFrame({"item": labels.astype(str).to_numpy(),
                          "difficulty": pd.to_numeric(items[difficulty], errors="coerce").to_numpy()})
    if table["item"].duplicated().any():
        raise ValueError(f"wright_map(items): item labels repeat: {sorted(set(table['item'][table['item'].duplicated()]))}")
    extra = [c for c in ("se", "infit", "outfit", "n_persons") if c in items.columns and c != difficulty]
    for c in extra:
        table[c] = pd.to_numeric(items[c], errors="coerce").to_numpy()
    return table[np.isfinite(table["difficulty"].to_numpy(dtype=float))].reset_index(drop=True), extra


def wright_map(items: pd.DataFrame, persons, *, thresholds=None, difficulty: str = "difficulty",
               measure: str = "measure", item: str | None = None, bins: int = 30, cuts=None,
               title: str | None = "Wright map") -> Chart:
    """Wright map: persons in bands above the logit scale, items below with their thresholds.

    Parameters
    ----------
    items : pandas.DataFrame
        One row per item (e.g. ``RatingScaleResult.items``): ``difficulty`` and, shown in the
        tooltip when present, ``se, infit, outfit, n_persons``. Item labels are the index unless
        ``item`` names a column.
    persons : pandas.DataFrame or pandas.Series
        Person measures (logits): a ``measure`` column (``RatingScaleResult.persons``) or a Series.
        Only band counts reach the chart, never a respondent's row.
    thresholds : array_like, optional
        The Andrich thresholds; each item's row then shows ``difficulty + tau_k`` as ticks, where
        adjacent categories are equally probable for that item.
    bins : int, default 30
        Number of person bands.
    cuts : array_like, optional
        Logit cut points drawn as dotted rules (e.g. :func:`inhd.scales.four_category_cuts`).

    Returns
    -------
    Chart
        Two panels sharing the logit axis. Hover a person band for its range and count, an item
        for its difficulty, standard error and fit.

    Examples
    --------
    >>> import pandas as pd
    >>> items = pd.DataFrame({"difficulty": [-1.0, 0.2, 0.8]}, index=["q1", "q2", "q3"])
    >>> chart = wright_map(items, pd.Series([-0.5, 0.1, 0.4, 1.2]), thresholds=[-1, 1], bins=4)
    >>> [row["item"] for row in chart.spec["vconcat"][1]["layer"][1]["data"]["values"]]
    ['q1', 'q2', 'q3']
    """
    check_columns(items, [difficulty, item], "wright_map(items)")
    if isinstance(persons, pd.DataFrame):
        check_columns(persons, [measure], "wright_map(persons)")
        values = pd.to_numeric(persons[measure], errors="coerce")
    else:
        values = pd.to_numeric(pd.Series(np.asarray(persons, dtype=float).ravel()), errors="coerce")
    values = values[np.isfinite(values.to_numpy(dtype=float))].to_numpy(dtype=float)
    if values.size == 0:
        raise ValueError("wright_map(persons): no finite person measure to draw")
    if not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins: expected a positive integer, found {bins!r}")
    table, extra = _item_rows(items, difficulty=difficulty, item=item)
    tau = np.asarray([] if thresholds is None else thresholds, dtype=float).ravel()
    cut_values = np.asarray([] if cuts is None else cuts, dtype=float).ravel()

    counts, edges = np.histogram(values, bins=int(bins))
    bands = pd.DataFrame({"band_low": edges[:-1], "band_high": edges[1:], "n_persons": counts})
    bands["share"] = bands["n_persons"] / values.size
    bands = bands.map(number) if hasattr(bands, "map") else bands
    bands["n_persons"] = counts.astype(int)
    marks = [values.min(), values.max(), *table["difficulty"], *cut_values]
    if tau.size:
        marks += list((table["difficulty"].to_numpy()[:, None] + tau).ravel())
    pad = 0.05 * (max(marks) - min(marks) or 1.0)
    domain = [number(min(marks) - pad), number(max(marks) + pad)]
    x_scale = {"domain": domain, "nice": False, "zero": False}

    rows = []
    for _, r in table.iterrows():
        for k, t in enumerate(tau, start=1):
            rows.append({"item": r["item"], "step": k, "location": number(r["difficulty"] + t)})
    ticks = pd.DataFrame(rows, columns=["item", "step", "location"])
    order = list(table.sort_values("difficulty")["item"])
    y_items = {"field": "item", "type": "nominal", "sort": order, "title": None,
               "axis": {"labelLimit": 180}}
    cut_layer = {"data": {"values": [{"cut": number(c)} for c in cut_values]},
                 "mark": {"type": "rule", "strokeDash": [2, 3], "color": "#333"},
                 "encoding": {"x": {"field": "cut", "type": "quantitative", "scale": x_scale}}}

    band_hover = {"name": "band", "select": {"type": "point", "on": "pointerover", "clear": "pointerout",
                                             "fields": ["band_low"]}}
    persons_panel = {
        "height": 120, "width": 500,
        "layer": [{
            "data": {"values": records(bands)},
            "params": [band_hover],
            "mark": {"type": "bar", "stroke": "white", "strokeWidth": 0.5},
            "encoding": {
                "x": {"field": "band_low", "type": "quantitative", "scale": x_scale, "title": None},
                "x2": {"field": "band_high"},
                "y": {"field": "n_persons", "type": "quantitative", "title": "persons"},
                "y2": {"datum": 0},
                "color": {"condition": {"param": "band", "empty": False, "value": HIGHLIGHT},
                          "value": MUTED},
                "tooltip": [
                    {"field": "band_low", "type": "quantitative", "title": "measures from", "format": ".2f"},
                    {"field": "band_high", "type": "quantitative", "title": "to", "format": ".2f"},
                    {"field": "n_persons", "type": "quantitative", "title": "persons"},
                    {"field": "share", "type": "quantitative", "title": "share of persons", "format": ".1%"},
                ],
            },
        }] + ([cut_layer] if cut_values.size else []),
    }
    item_hover = {"name": "item", "select": {"type": "point", "on": "pointerover", "clear": "pointerout",
                                             "fields": ["item"]}}
    item_tooltip = [{"field": "item", "type": "nominal", "title": "item"},
                    {"field": "difficulty", "type": "quantitative", "title": "difficulty (logits)", "format": ".2f"}]
    item_tooltip += [{"field": c, "type": "quantitative", "title": c,
                      **({"format": ".2f"} if c != "n_persons" else {})} for c in extra]
    items_layers = [
        {"data": {"values": records(ticks)},
         "mark": {"type": "tick", "thickness": 2, "size": 10},
         "encoding": {"x": {"field": "location", "type": "quantitative", "scale": x_scale},
                      "y": y_items,
                      "color": {"value": "#7f8c8d"},
                      "tooltip": [{"field": "item", "type": "nominal"},
                                  {"field": "step", "type": "ordinal", "title": "threshold"},
                                  {"field": "location", "type": "quantitative", "format": ".2f",
                                   "title": "location (logits)"}]}},
        {"data": {"values": records(table)},
         "params": [item_hover],
         "mark": {"type": "point", "filled": True},
         "encoding": {"x": {"field": "difficulty", "type": "quantitative", "scale": x_scale,
                            "title": "measure (logits)"},
                      "y": y_items,
                      "size": {"condition": {"param": "item", "empty": False, "value": 160}, "value": 60},
                      "color": {"condition": {"param": "item", "empty": False, "value": HIGHLIGHT},
                                "value": BASE},
                      "tooltip": item_tooltip}},
    ]
    if cut_values.size:
        items_layers.append(cut_layer)
    spec = base_spec(title, kind="wright_map", description="Wright map: persons (bands, top) and items (bottom) on one logit scale")
    spec.update({"vconcat": [persons_panel,
                             {"height": max(60, 18 * len(table)), "width": 500, "layer": items_layers}],
                 "resolve": {"scale": {"x": "shared"}}, "spacing": 6})
    return Chart(spec)


# --------------------------------------------------------------------------------------------
# Reliability table
# --------------------------------------------------------------------------------------------
def reliability_chart(table: pd.DataFrame, *, label: str = "name", group: str | None = "domain",
                      levels=("individual", "school", "network"),
                      published: str | None = "published_{level}",
                      not_significant: str | None = "{level}_ns",
                      published_not_significant: str | None = "published_{level}_ns",
                      value_title: str = "ours", picker: bool = True,
                      title: str | None = None) -> Chart:
    """The measure-validity reliability table as a chart: one row per measure, one panel per level.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per measure, e.g. :attr:`inhd.validity.ReliabilityTable.table` (columns ``name,
        domain, individual, school, network, published_individual, ..., school_ns, ...``).
    label, group : str
        The measure's name and its group (rows are ordered by group, then as given).
    levels : sequence of str
        Columns holding our reliabilities, one panel each.
    published, not_significant, published_not_significant : str or None
        Column-name patterns with ``{level}``; ``None`` leaves that element out. A column a pattern
        names that the table lacks is an error (a typo should not silently drop the comparison),
        except that the not-significant flags may exist for some levels only (the individual level
        has no significance test): at least one level must have each flag pattern given.
    value_title : str, default "ours"
        What the dots are, in the legend and the tooltip (e.g. ``"published"`` when the table holds
        only the published values, ``published=None``).
    picker : bool, default True
        With ``group`` and at least two groups: a drop-down (Vega-Lite parameter ``pick_group``)
        that shows the measures of one group only; the chart opens on all of them.

    Returns
    -------
    Chart
        Our value (dot) and the published one (diamond) joined by a line; a value marked not
        significant is drawn open and faint. Hover a measure to follow it across the panels.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"name": ["Trust", "Voice"], "domain": ["Hub", "Culture"],
    ...                       "school": [0.25, 0.01], "network": [0.79, 0.68],
    ...                       "school_ns": [False, True], "network_ns": [False, False]})
    >>> chart = reliability_chart(table, levels=("school", "network"), published=None,
    ...                           published_not_significant=None, value_title="published")
    >>> chart.spec["params"][0]["bind"]["options"]
    ['', 'Hub', 'Culture']
    """
    levels = [str(lv) for lv in levels]
    if not levels:
        raise ValueError("levels: name at least one reliability column")
    patterns = {"published": published, "ns": not_significant, "published_ns": published_not_significant}
    needed = [label, group, *levels]
    if published is not None:
        needed += [published.format(level=lv) for lv in levels]
    check_columns(table, needed, "reliability_chart")
    for key in ("ns", "published_ns"):
        pattern = patterns[key]
        if pattern is not None and not any(pattern.format(level=lv) in table.columns for lv in levels):
            raise ValueError(f"reliability_chart: no column matches {pattern!r} for the levels {levels}")
    if table[label].astype(str).duplicated().any():
        raise ValueError(f"reliability_chart: column {label!r} repeats a measure")

    rows = _reliability_rows(table, label=label, group=group, levels=levels, published=published,
                             not_significant=not_significant,
                             published_not_significant=published_not_significant)
    if not rows:
        raise ValueError("reliability_chart: the table has no reliability to draw")
    order = list(pd.DataFrame({"m": table[label].astype(str), "g": "" if group is None else table[group].astype(str)})
                 .assign(first=lambda d: d.groupby("g", sort=False).ngroup()).sort_values("first", kind="stable")["m"])
    y = {"field": "measure", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 250}}
    hover = {"name": "measure_hover", "select": {"type": "point", "on": "pointerover", "clear": "pointerout",
                                                 "fields": ["measure"]}}
    tooltip = [{"field": "measure", "type": "nominal"}, {"field": "level", "type": "nominal"},
               {"field": "ours", "type": "quantitative", "format": ".2f", "title": value_title}]
    if published:
        tooltip.append({"field": "published", "type": "quantitative", "format": ".2f", "title": "published"})
        tooltip.append({"field": "difference", "type": "quantitative", "format": "+.2f",
                        "title": "ours - published"})
    if not_significant:
        tooltip.append({"field": "ours_ns", "type": "nominal", "title": f"{value_title}: not significant"})
    if published_not_significant:
        tooltip.append({"field": "published_ns", "type": "nominal", "title": "published n.s."})
    if group is not None:
        tooltip.insert(1, {"field": "group", "type": "nominal", "title": group})
    x = {"type": "quantitative", "scale": {"domain": [0, 1]}, "title": "reliability"}
    layers = []
    if published:
        layers.append({"mark": {"type": "rule", "color": "#bbb"},
                       "encoding": {"x": {"field": "ours", **x}, "x2": {"field": "published"}, "y": y}})
    for source, shape, colour, ns_field in (("ours", "circle", BASE, "ours_ns"),
                                            ("published", "diamond", "#e67e22", "published_ns")):
        if source == "published" and not published:
            continue
        has_ns = (not_significant if source == "ours" else published_not_significant) is not None
        layers.append({
            "transform": [{"filter": f"isValid(datum.{source})"}],
            **({"params": [hover]} if source == "ours" else {}),
            "mark": {"type": "point", "shape": shape, "filled": True, "size": 55, "color": colour},
            "encoding": {
                "x": {"field": source, **x}, "y": y,
                # a value marked not significant: an open, faint mark (visible, and told apart in grey)
                "opacity": ({"condition": {"test": f"datum.{ns_field} === true", "value": 0.55}, "value": 1}
                            if has_ns else {"value": 1}),
                "fill": ({"condition": {"test": f"datum.{ns_field} === true", "value": "white"}, "value": colour}
                         if has_ns else {"value": colour}),
                "stroke": {"condition": [{"param": "measure_hover", "empty": False, "value": "#000"},
                                         *([{"test": f"datum.{ns_field} === true", "value": colour}]
                                           if has_ns else [])],
                           "value": None},
                "strokeWidth": {"value": 1.5},
                "tooltip": tooltip,
            },
        })
    legend = f"dot: {value_title}" + ("; diamond: published" if published else "") + \
             ("; open, faint: not significant (n.s.)" if not_significant or published_not_significant else "")
    spec = base_spec({"text": title or "Reliability of the measures", "subtitle": [legend]},
                     kind="reliability_chart",
                     description=f"Reliability of each measure at each level ({value_title}"
                                 + (", beside the published values)" if published else ")"))
    groups = list(pd.unique(pd.Series([row["group"] for row in rows])))
    if picker and group is not None and len(groups) > 1:
        spec["params"] = [{"name": "pick_group", "value": "",
                           "bind": {"input": "select", "options": ["", *groups],
                                    "labels": [f"(all {len(groups)})", *groups], "name": f"Show one {group}: "}}]
        spec["transform"] = [{"filter": "pick_group === '' || datum.group === pick_group"}]
        spec["autosize"] = {"type": "pad", "resize": True}      # the chart shrinks to the group picked
    spec.update({
        "data": {"values": rows},
        "facet": {"column": {"field": "level", "type": "nominal", "sort": levels, "title": None,
                             "header": {"labelFontSize": 12, "labelFontWeight": "bold"}}},
        "spec": {"width": 105, "height": {"step": 15}, "layer": layers},
        "resolve": {"scale": {"y": "shared"}},
    })
    return Chart(spec)


def _reliability_rows(table, *, label, group, levels, published, not_significant, published_not_significant):
    """One row per measure and level with a value: ours, published, their difference, the n.s. flags."""
    def flag(col, i):
        if col is None or col not in table.columns:
            return None
        v = table[col].iloc[i]
        return None if pd.isna(v) else bool(v)

    rows = []
    for i in range(len(table)):
        for lv in levels:
            ours = json_value(pd.to_numeric(table[lv].iloc[i], errors="coerce"))
            pub = (json_value(pd.to_numeric(table[published.format(level=lv)].iloc[i], errors="coerce"))
                   if published else None)
            if ours is None and pub is None:
                continue
            ns = flag(not_significant.format(level=lv) if not_significant else None, i)
            pns = flag(published_not_significant.format(level=lv) if published_not_significant else None, i)
            rows.append({"measure": str(table[label].iloc[i]),
                         "group": "" if group is None else str(table[group].iloc[i]),
                         "level": lv, "ours": ours, "published": pub,
                         "ours_ns": ns, "published_ns": pns,
                         "difference": None if ours is None or pub is None else number(ours - pub)})
    return rows


# --------------------------------------------------------------------------------------------
# Slider-driven explorer over precomputed results
# --------------------------------------------------------------------------------------------
def _field(name: str) -> str:
    """A Vega-Lite field reference to a top-level key (dots and brackets escaped)."""
    return str(name).replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def _evenly_spaced(values: np.ndarray) -> bool:
    if values.size < 3:
        return True
    steps = np.diff(values)
    return bool(np.allclose(steps, steps[0], rtol=1e-9, atol=1e-12))


def _format_value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def explorer(table: pd.DataFrame, *, x: str, y: str, sliders: dict, initial: dict | None = None,
             x_title: str | None = None, y_title: str | None = None, y_domain=None,
             title: str | None = None) -> Chart:
    """A chart of precomputed results with sliders: moving a slider redraws it in the page, no kernel.

    Parameters
    ----------
    table : pandas.DataFrame
        Tidy results computed at build time, one row per design, e.g. reliability by number of
        items, respondents and spread (:func:`inhd.teaching.reliability_by_design`).
    x, y : str
        Columns on the axes: the chart draws ``y`` against ``x`` for the slice the sliders select,
        with every other slice faint behind it (so the reader sees where the slice sits).
    sliders : dict
        ``{column: label}``, one slider per column, over the column's distinct values. Evenly
        spaced values get a slider on the value itself; otherwise the slider steps through the
        values in order (its number is the position) and the title states the values chosen.
    initial : dict, optional
        ``{column: value}`` where each slider starts (default: its smallest value).
    y_domain : (float, float), optional
        Fixed y axis (default: the range of ``y`` over the whole table, so slices compare).

    Returns
    -------
    Chart
        The Vega-Lite parameters are named ``s0, s1, ...`` in the order of ``sliders``.

    Raises
    ------
    ValueError
        A missing column, a slider on ``x`` or ``y``, non-numeric slider values, a design given
        twice, or a combination of slider values with no row.

    Examples
    --------
    >>> import pandas as pd
    >>> grid = pd.DataFrame({"n_items": [3, 9, 3, 9], "n_persons": [200, 200, 800, 800],
    ...                      "reliability": [0.5, 0.8, 0.52, 0.81]})
    >>> chart = explorer(grid, x="n_items", y="reliability", sliders={"n_persons": "respondents"})
    >>> chart.spec["params"][0]["bind"]
    {'input': 'range', 'min': 200, 'max': 800, 'step': 600, 'name': 'respondents '}
    """
    if not isinstance(sliders, dict) or not sliders:
        raise ValueError("sliders: expected a dict {column: label} with at least one column")
    columns = [x, y, *sliders]
    check_columns(table, columns, "explorer")
    if x in sliders or y in sliders:
        raise ValueError(f"sliders: {x!r} and {y!r} are on the axes; a slider needs another column")
    initial = dict(initial or {})
    unknown = sorted(set(initial) - set(sliders))
    if unknown:
        raise ValueError(f"initial: {unknown} have no slider; sliders are {list(sliders)}")
    frame = table[columns].copy()
    for col in [x, y, *sliders]:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise ValueError(f"explorer: column {col!r} must be numeric, found dtype {frame[col].dtype}")
    keys = [x, *sliders]
    repeated = frame.duplicated(keys)
    if repeated.any():
        raise ValueError(f"explorer: {int(repeated.sum())} row(s) repeat a design ({', '.join(keys)}); "
                         "aggregate them first")
    slider_values = {c: np.sort(frame[c].dropna().unique()) for c in sliders}
    present = set(map(tuple, frame[list(sliders)].drop_duplicates().to_numpy().tolist()))
    grid = pd.MultiIndex.from_product([slider_values[c] for c in sliders]).tolist()
    missing = [combo for combo in grid if tuple(combo if isinstance(combo, tuple) else (combo,)) not in present]
    if missing:
        raise ValueError(f"explorer: {len(missing)} combination(s) of slider values have no row, e.g. "
                         f"{dict(zip(sliders, missing[0] if isinstance(missing[0], tuple) else (missing[0],)))}")

    params, tests, title_parts = [], [], []
    rows = frame.copy()
    for i, (col, lab) in enumerate(sliders.items()):
        name = f"s{i}"
        values = slider_values[col]
        start = initial.get(col, values[0])
        if not np.any(np.isclose(values, start)):
            raise ValueError(f"initial: {col}={start!r} is not among its values {values.tolist()}")
        ref = f"datum[{json.dumps(str(col))}]"
        if _evenly_spaced(values):
            step = float(values[1] - values[0]) if values.size > 1 else 1.0
            as_int = all(float(v).is_integer() for v in values) and float(step).is_integer()
            conv = int if as_int else float
            bind = {"input": "range", "min": conv(values[0]), "max": conv(values[-1]),
                    "step": conv(step), "name": f"{lab} "}
            params.append({"name": name, "value": conv(start), "bind": bind})
            tests.append(f"abs({ref} - {name}) <= {abs(step) * 1e-6 + 1e-12!r}")
            title_parts.append(f"'{_js_text(lab)} ' + format({name}, '{'d' if as_int else '~g'}')")
        else:
            position = f"_position_{i}"
            lookup = {float(v): k for k, v in enumerate(values)}
            rows[position] = [lookup[float(v)] for v in rows[col]]
            params.append({"name": name, "value": int(np.argmin(np.abs(values - start))),
                           "bind": {"input": "range", "min": 0, "max": int(values.size - 1), "step": 1,
                                    "name": f"{lab} (step through {', '.join(_format_value(json_value(v)) for v in values)}) "}})
            tests.append(f"datum[{json.dumps(position)}] === {name}")
            shown = json.dumps([_format_value(json_value(v)) for v in values])
            title_parts.append(f"'{_js_text(lab)} ' + {shown}[{name}]")
    rows["slice"] = [", ".join(f"{lab} {_format_value(json_value(v))}" for lab, v in zip(sliders.values(), row))
                        for row in frame[list(sliders)].itertuples(index=False)]
    selected = " && ".join(f"({t})" for t in tests)
    finite_y = frame[y][np.isfinite(frame[y].to_numpy(dtype=float))]
    if y_domain is None:
        lo, hi = float(finite_y.min()), float(finite_y.max())
        pad = 0.05 * (hi - lo or 1.0)
        y_domain = [number(lo - pad), number(hi + pad)]
    x_enc = {"field": _field(x), "type": "quantitative", "title": x_title or x, "scale": {"zero": False}}
    y_enc = {"field": _field(y), "type": "quantitative", "title": y_title or y,
             "scale": {"domain": [float(v) for v in y_domain], "zero": False}}
    tooltip = [{"field": _field(c), "type": "quantitative", "title": sliders.get(c, c)} for c in [x, *sliders]]
    tooltip.append({"field": _field(y), "type": "quantitative", "title": y_title or y, "format": ".3f"})
    heading = title or f"{y_title or y} by {x_title or x}"
    spec = base_spec({"text": {"expr": f"'{_js_text(heading)}: ' + " + " + ', ' + ".join(title_parts)}},
                     kind="explorer",
                     description=f"{y_title or y} against {x_title or x} for the design the sliders "
                                 "select; other designs faint")
    spec["usermeta"]["title"] = heading
    spec.update({
        "width": 520, "height": 300,
        "data": {"values": records(rows)},
        "params": params,
        "layer": [
            {"mark": {"type": "line", "strokeWidth": 1, "opacity": 0.35, "color": MUTED},
             "encoding": {"x": x_enc, "y": y_enc, "detail": {"field": "slice", "type": "nominal"}}},
            {"transform": [{"filter": selected}],
             "mark": {"type": "line", "point": {"filled": True, "size": 70, "color": HIGHLIGHT},
                      "strokeWidth": 2.5, "color": HIGHLIGHT},
             "encoding": {"x": x_enc, "y": y_enc, "tooltip": tooltip}},
        ],
    })
    return Chart(spec)


def _js_text(text) -> str:
    """``text`` inside a single-quoted Vega expression string (quotes and backslashes escaped)."""
    return json.dumps(str(text))[1:-1].replace("'", "\\'")
