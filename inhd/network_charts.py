"""Client-side charts of networks: caterpillars, profiles across measures, four categories by network.

The network half of :mod:`inhd.charts` (which re-exports every function here, so
``charts.caterpillar`` is the call to use). Each function takes a tidy table the package already
produces and returns a :class:`inhd.vegalite.Chart`:

- :func:`caterpillar`: networks' estimates sorted, with their intervals; hover a network for its
  estimate and interval, pick one in the drop-down to highlight it; with ``by``, one caterpillar
  per measure (or wave, or model), the reader picking which in a second drop-down.
- :func:`profile_heatmap`: networks x measures, each cell a network's standardised estimate on a
  measure (:meth:`inhd.variation.NetworkProfiles.long`); hover a cell for its figures, pick a
  network to outline its column; an optional strip above names each network's cluster.
- :func:`four_category_distribution`: the four ordered categories of the probability density
  display (low ... high) by group or network.

Strings from data (network ids, measure names, cluster labels) travel in the chart's ``data``, and
as the options of a drop-down; never inside an expression or in HTML (see :mod:`inhd.vegalite`).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from inhd.scales import FOUR_CATEGORIES
from inhd.vegalite import (BASE, HIGHLIGHT, MUTED, Chart, base_spec, check_columns, number, records)

__all__ = ["caterpillar", "profile_heatmap", "four_category_distribution", "CATEGORY_COLOURS"]

#: Colours of the groups in a profile heatmap's strip, the group of the highest mean profile first
#: (green, grey, purple, ...: apart from the heatmap's red-blue scale).
CLUSTER_COLOURS = ("#1b7837", "#bdbdbd", "#762a83", "#e08214", "#35978f", "#8c510a", "#4d4d4d", "#de77ae")
#: Colours of the four ordered categories, low to high (a diverging scheme readable in grey).
CATEGORY_COLOURS = ("#c0392b", "#f0a986", "#92c5de", "#1f4e79")


# --------------------------------------------------------------------------------------------
# Caterpillar
# --------------------------------------------------------------------------------------------
def _caterpillar_frame(networks, *, estimate, ci_low, ci_high, se, label, n, by, level):
    """The caterpillar's rows (network, panel, estimate, se, interval, n_persons) and the interval's title."""
    if (ci_low is None) != (ci_high is None):
        raise ValueError("ci_low and ci_high: give both column names, or None for both to compute the "
                         "interval from se")
    if ci_low is None and se is None:
        raise ValueError("se: needed to compute the interval when ci_low and ci_high are None")
    if not 0 < level < 1:
        raise ValueError(f"level: expected a coverage in (0, 1), found {level!r}")
    z = NormalDist().inv_cdf((1 + level) / 2)
    try:
        check_columns(networks, [label, estimate, ci_low, ci_high, se, n, by], "caterpillar(networks)")
    except ValueError as err:
        if ci_low is not None and (ci_low not in getattr(networks, "columns", []) or ci_high not in networks.columns):
            raise ValueError(f"{err}; pass ci_low=None, ci_high=None to draw estimate -/+ {z:.2f} se") from None
        raise
    frame = pd.DataFrame({"network": networks[label].astype(str).to_numpy(),
                          "panel": "" if by is None else networks[by].astype(str).to_numpy(),
                          "estimate": pd.to_numeric(networks[estimate], errors="coerce").to_numpy(dtype=float)})
    if se is not None:
        frame["se"] = pd.to_numeric(networks[se], errors="coerce").to_numpy(dtype=float)
    if ci_low is None:
        frame["ci_low"] = frame["estimate"] - z * frame["se"]
        frame["ci_high"] = frame["estimate"] + z * frame["se"]
        interval_title = f"{level:.0%} interval (estimate -/+ {z:.2f} se)"
    else:
        frame["ci_low"] = pd.to_numeric(networks[ci_low], errors="coerce").to_numpy(dtype=float)
        frame["ci_high"] = pd.to_numeric(networks[ci_high], errors="coerce").to_numpy(dtype=float)
        interval_title = f"{level:.0%} interval"
    if n is not None:
        frame["n_persons"] = pd.to_numeric(networks[n], errors="coerce").to_numpy()
    if frame.duplicated(["panel", "network"]).any():
        where = f" within a value of {by!r}" if by is not None else ""
        raise ValueError(f"caterpillar(networks): column {label!r} repeats a network{where}")
    return frame, interval_title


def caterpillar(networks: pd.DataFrame, *, estimate: str = "mean", ci_low: str | None = "ci_low",
                ci_high: str | None = "ci_high", se: str | None = "se", label: str = "network_id",
                n: str | None = "n_persons", by: str | None = None, show: str | None = None,
                level: float = 0.95, highlight: str | None = None, reference: float | None = None,
                reference_title: str = "the average network", y_title: str | None = None,
                title: str | None = None) -> Chart:
    """Caterpillar plot of networks: estimates sorted, with intervals; hover for figures, pick one.

    Parameters
    ----------
    networks : pandas.DataFrame
        One row per network, e.g. the network means of a multilevel model: ``network_id, mean, se,
        ci_low, ci_high, n_persons`` (or their ``_0_10`` versions, named by the keywords); with
        ``by``, one row per network and value of ``by`` (e.g. :meth:`NetworkProfiles.long
        <inhd.variation.NetworkProfiles.long>`, one row per network and measure).
    estimate, ci_low, ci_high, se, label, n : str
        Column names. ``n`` and ``se`` are optional (``None``: not shown).
        ``ci_low=None, ci_high=None`` draws ``estimate -/+ z * se`` with z the normal quantile of
        ``level`` (and says so in the tooltip).
    by : str, optional
        A column splitting the table into caterpillars (measures, waves, models): one is shown at a
        time, sorted on its own, and the reader picks which in a second drop-down.
    show : str, optional
        With ``by``: the value shown when the chart opens (default: the first in the table).
    level : float, default 0.95
        Coverage of the interval, for its label (and for the interval itself when computed from ``se``).
    highlight : str, optional
        A network to highlight when the chart opens; the reader picks another in the drop-down.
    reference : float, optional
        Draw the dashed line at this value, e.g. 0 for deviations from the average network
        (``reference_title`` says what it is); default: at the average of the estimates shown.
    y_title, title : str, optional

    Returns
    -------
    Chart
        Rows with no estimate (suppressed groups) are left out and counted in the subtitle.
        The network drop-down is a Vega-Lite parameter named ``network``, the ``by`` drop-down one
        named ``panel`` (the data's ``panel`` field holds the value of ``by``).

    Raises
    ------
    ValueError
        A missing column, repeated labels, ``highlight`` or ``show`` not in the table, or an
        interval that does not contain its estimate.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"network_id": ["N1", "N2"], "mean": [4.0, 6.0], "se": [0.5, 0.4],
    ...                       "ci_low": [3.0, 5.2], "ci_high": [5.0, 6.8], "n_persons": [20, 31]})
    >>> [row["network"] for row in caterpillar(table, highlight="N2").spec["data"]["values"]]
    ['N1', 'N2']
    """
    frame, interval_title = _caterpillar_frame(networks, estimate=estimate, ci_low=ci_low, ci_high=ci_high,
                                               se=se, label=label, n=n, by=by, level=level)
    shown = frame[np.isfinite(frame["estimate"].to_numpy())].copy()
    hidden = int((~np.isfinite(frame["estimate"].to_numpy())).sum())
    if shown.empty:
        raise ValueError("caterpillar(networks): no network has an estimate to draw")
    bad = shown[(shown["ci_low"] > shown["estimate"] + 1e-12) | (shown["ci_high"] < shown["estimate"] - 1e-12)]
    if len(bad):
        raise ValueError(f"caterpillar(networks): the interval does not contain the estimate for "
                         f"{list(bad['network'])[:5]}")
    if highlight is not None and str(highlight) not in set(shown["network"]):
        raise ValueError(f"highlight: {highlight!r} is not among the networks shown "
                         f"({shown['network'].nunique()} networks{', ' + str(hidden) + ' suppressed' if hidden else ''})")
    panels = list(pd.unique(shown["panel"]))
    if show is not None and (by is None or str(show) not in panels):
        raise ValueError(f"show: {show!r} is not a value of by={by!r}" + (f" (values: {panels[:8]})" if by else ""))
    shown = shown.sort_values(["estimate", "network"], kind="stable").reset_index(drop=True)
    shown["rank"] = shown.groupby("panel", sort=False).cumcount() + 1
    shown["n_networks"] = shown.groupby("panel", sort=False)["network"].transform("size")
    shown["interval"] = [f"{_minus(lo)} to {_minus(hi)}" for lo, hi in zip(shown["ci_low"], shown["ci_high"])]
    order = shown["panel"].map({p: i for i, p in enumerate(panels)})
    shown = shown.assign(order=order).sort_values(["order", "rank"]).drop(columns="order").reset_index(drop=True)
    if by is None:
        shown = shown.drop(columns="panel")

    counts = sorted(set(shown["n_networks"]))
    networks_text = f"{counts[0]} networks" if len(counts) == 1 else f"{counts[0]}-{counts[-1]} networks"
    line = (f"the dashed line is {reference_title} ({reference:g})" if reference is not None
            else "the dashed line is their average" + ("" if by else f" ({shown['estimate'].mean():.2f})"))
    subtitle = [f"{networks_text}, {interval_title}; {line}"]
    if hidden:
        subtitle.append(f"{hidden} network(s) not shown: no estimate (suppressed)" if by is None
                        else f"{hidden} network estimate(s) not shown: none (suppressed)")
    spec = base_spec({"text": title or "Networks' estimates", "subtitle": subtitle}, kind="caterpillar",
                     description="Caterpillar plot: each network's estimate with its interval, sorted")
    params = [{"name": "network", "value": "" if highlight is None else str(highlight),
               "bind": {"input": "select", "options": ["", *sorted(set(shown["network"]))],
                        "labels": ["(none)", *sorted(set(shown["network"]))], "name": "Highlight a network: "}}]
    if by is not None:     # the drop-down that changes the whole chart comes first
        params.insert(0, {"name": "panel", "value": str(show) if show is not None else panels[0],
                          "bind": {"input": "select", "options": panels, "name": f"{by[:1].upper()}{by[1:]}: "}})
        spec["transform"] = [{"filter": "datum.panel === panel"}]
    spec.update({"width": 600, "height": 300, "data": {"values": records(shown)}, "params": params,
                 "layer": _caterpillar_layers(interval_title, y_title or estimate, se=se is not None,
                                              n=n is not None, by=by, reference=reference,
                                              reference_title=reference_title)})
    return Chart(spec)


def _minus(value: float) -> str:
    """``value`` to two decimals with a minus sign (U+2212), as the chart's own numbers are written."""
    return f"{value:.2f}".replace("-", "\u2212")


def _caterpillar_layers(interval_title, y_label, *, se, n, by, reference, reference_title):
    """The caterpillar's layers: intervals, points, the picked network's label, the dashed line."""
    picked = "datum.network === network"
    tooltip = [{"field": "network", "type": "nominal", "title": "network"}]
    if by is not None:
        tooltip.append({"field": "panel", "type": "nominal", "title": by})
    tooltip += [{"field": "estimate", "type": "quantitative", "title": "estimate", "format": ".2f"},
                {"field": "interval", "type": "nominal", "title": interval_title}]
    if se:
        tooltip.append({"field": "se", "type": "quantitative", "title": "standard error", "format": ".2f"})
    if n:
        tooltip.append({"field": "n_persons", "type": "quantitative", "title": "respondents"})
    tooltip += [{"field": "rank", "type": "quantitative", "title": "rank (1 = lowest)"},
                {"field": "n_networks", "type": "quantitative", "title": "of networks"}]
    x = {"field": "network", "type": "nominal", "sort": {"field": "rank", "op": "min", "order": "ascending"},
         "axis": {"labelAngle": -90, "labelFontSize": 9, "title": "network (sorted by estimate)"}}
    if reference is not None:
        line = {"data": {"values": [{"reference": number(reference)}]},
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#555"},
                "encoding": {"y": {"field": "reference", "type": "quantitative"},
                             "tooltip": [{"field": "reference", "type": "quantitative", "title": reference_title}]}}
    else:
        line = {"transform": [{"aggregate": [{"op": "mean", "field": "estimate", "as": "average"}]}],
                "mark": {"type": "rule", "strokeDash": [4, 3], "color": "#555"},
                "encoding": {"y": {"field": "average", "type": "quantitative"},
                             "tooltip": [{"field": "average", "type": "quantitative", "format": ".2f",
                                          "title": "average of the networks' estimates"}]}}
    return [
        {"mark": {"type": "rule", "strokeWidth": 1.5},
         "encoding": {"x": x, "y": {"field": "ci_low", "type": "quantitative", "scale": {"zero": False},
                                    "title": y_label},
                      "y2": {"field": "ci_high"},
                      "color": {"condition": {"test": picked, "value": HIGHLIGHT}, "value": MUTED},
                      "tooltip": tooltip}},
        {"mark": {"type": "point", "filled": True, "size": 70},
         "encoding": {"x": x, "y": {"field": "estimate", "type": "quantitative"},
                      "color": {"condition": {"test": picked, "value": HIGHLIGHT}, "value": BASE},
                      "size": {"condition": {"test": picked, "value": 160}, "value": 70},
                      "tooltip": tooltip}},
        # the picked network's estimate above its interval; a condition, not a filter, so the layer's
        # data are never empty (Vega warns of an "Infinite extent" for an empty layer's scale)
        {"mark": {"type": "text", "dy": -14, "fontWeight": "bold", "color": HIGHLIGHT},
         "encoding": {"x": x, "y": {"field": "ci_high", "type": "quantitative"},
                      "text": {"condition": {"test": picked, "field": "estimate", "type": "quantitative",
                                             "format": ".2f"}, "value": ""}}},
        line,
    ]


# --------------------------------------------------------------------------------------------
# Profiles across measures
# --------------------------------------------------------------------------------------------
#: The figures a profile cell's tooltip shows when the table has them: (column, title, format).
PROFILE_TOOLTIP = (("deviation", "EB deviation (logits)", "+.2f"), ("se", "posterior SE (logits)", ".2f"),
                   ("statistic", "z (deviation / SE)", "+.2f"), ("n_persons", "respondents", "d"))


def profile_heatmap(profiles: pd.DataFrame, *, network: str = "network_id", measure: str = "measure",
                    value: str = "standardized", name: str | None = None, cluster: str | None = None,
                    vmax: float = 2.0, value_title: str = "network SDs from the average network",
                    title: str | None = None) -> Chart:
    """Network profiles as a heatmap: networks (columns, highest mean profile first) x measures (rows).

    Parameters
    ----------
    profiles : pandas.DataFrame
        Long, one row per network and measure, e.g. :meth:`inhd.variation.NetworkProfiles.long`
        (``network_id, measure, standardized`` and, shown in the tooltip when present,
        ``deviation, se, statistic, n_persons``).
    network, measure, value : str
        Column names. ``value`` is coloured on a diverging scale centred on 0 (red below, blue above).
    name : str, optional
        A column with each measure's name, shown on the axis instead of its key.
    cluster : str, optional
        A column with each network's group (e.g. the cluster :func:`inhd.variation.identify_clusters`
        named), drawn as a strip above the heatmap.
    vmax : float, default 2.0
        Values beyond -/+ ``vmax`` take the end colours (the tooltip gives the value).
    value_title, title : str, optional

    Returns
    -------
    Chart
        Measures in the table's order; networks ordered by their mean ``value`` over the measures,
        highest first. A cell with no value (a measure on which networks do not differ) is grey.
        The network drop-down is a Vega-Lite parameter named ``network``.

    Raises
    ------
    ValueError
        A missing column, a network and measure given twice, a network in two clusters, or a
        measure with two names.
    """
    check_columns(profiles, [network, measure, value, name, cluster], "profile_heatmap(profiles)")
    if not vmax > 0:
        raise ValueError(f"vmax: expected a positive number, found {vmax!r}")
    frame = pd.DataFrame({"network": profiles[network].astype(str).to_numpy(),
                          "measure": profiles[(name or measure)].astype(str).to_numpy(),
                          "key": profiles[measure].astype(str).to_numpy(),
                          "value": pd.to_numeric(profiles[value], errors="coerce").to_numpy(dtype=float)})
    if frame.duplicated(["network", "key"]).any():
        raise ValueError("profile_heatmap(profiles): a network has the same measure twice")
    if frame.groupby("key")["measure"].nunique().gt(1).any():
        raise ValueError(f"profile_heatmap(profiles): column {name!r} gives a measure two names")
    extra = [(c, t, f) for c, t, f in PROFILE_TOOLTIP if c in profiles.columns and c != value]
    for column, _, _ in extra:
        frame[column] = pd.to_numeric(profiles[column], errors="coerce").to_numpy(dtype=float)
    if cluster is not None:
        frame["cluster"] = profiles[cluster].astype(str).to_numpy()
        if frame.groupby("network")["cluster"].nunique().gt(1).any():
            raise ValueError(f"profile_heatmap(profiles): column {cluster!r} puts a network in two groups")
    frame["mean_profile"] = frame.groupby("network")["value"].transform("mean")
    networks = list(frame.drop_duplicates("network").sort_values(["mean_profile", "network"],
                                                                 ascending=[False, True])["network"])
    measures = list(pd.unique(frame["measure"]))
    if frame.groupby("measure")["key"].nunique().gt(1).any():
        raise ValueError(f"profile_heatmap(profiles): two measures share a name in column {name!r}")

    x = {"field": "network", "type": "nominal", "sort": networks,
         "axis": {"labelAngle": -90, "labelFontSize": 9, "title": "network (highest mean profile first)",
                  "labelColor": {"condition": {"test": "datum.value === network", "value": HIGHLIGHT},
                                 "value": "#333"}}}
    tooltip = [{"field": "network", "type": "nominal"}, {"field": "measure", "type": "nominal"},
               {"field": "value", "type": "quantitative", "title": value_title, "format": "+.2f"}]
    tooltip += [{"field": c, "type": "quantitative", "title": t, "format": f} for c, t, f in extra]
    tooltip.append({"field": "mean_profile", "type": "quantitative", "title": "network's mean profile",
                    "format": "+.2f"})
    if cluster is not None:
        tooltip.insert(1, {"field": "cluster", "type": "nominal", "title": cluster})
    step = 12
    heatmap = {
        "width": {"step": step}, "height": {"step": step},
        "layer": [
            {"mark": {"type": "rect", "stroke": "white", "strokeWidth": 0.5},
             "encoding": {
                 "x": x, "y": {"field": "measure", "type": "nominal", "sort": measures, "title": None,
                               "axis": {"labelLimit": 210, "labelFontSize": 10}},
                 "color": {"condition": {"test": "!isValid(datum.value)", "value": "#e5e5e5"},
                           "field": "value", "type": "quantitative", "title": value_title,
                           "scale": {"scheme": "redblue", "domain": [-vmax, vmax], "domainMid": 0,
                                     "clamp": True},
                           "legend": {"orient": "bottom", "gradientLength": 220, "titleLimit": 320}},
                 "tooltip": tooltip}},
            {"transform": [{"filter": "datum.network === network"},
                           {"aggregate": [{"op": "count", "as": "cells"}], "groupby": ["network"]}],
             "mark": {"type": "rect", "fill": None, "stroke": HIGHLIGHT, "strokeWidth": 2},
             "encoding": {"x": {"field": "network", "type": "nominal", "sort": networks}}},
        ],
    }
    spec = base_spec({"text": title or "Network profiles",
                      "subtitle": [f"{len(networks)} networks x {len(measures)} measures; "
                                   "hover a cell for its figures, pick a network to outline it"]},
                     kind="profile_heatmap",
                     description="Heatmap of network profiles: each network's standardised estimate on each measure")
    spec.update({"data": {"values": records(frame.drop(columns="key"))},
                 "params": [{"name": "network", "value": "",
                             "bind": {"input": "select", "options": ["", *sorted(networks)],
                                      "labels": ["(none)", *sorted(networks)], "name": "Outline a network: "}}]})
    if cluster is None:
        spec.update(heatmap)
        return Chart(spec)
    means = frame.groupby("cluster")["mean_profile"].mean().sort_values(ascending=False)
    clusters = list(means.index)
    if len(clusters) > len(CLUSTER_COLOURS):
        raise ValueError(f"profile_heatmap: column {cluster!r} has {len(clusters)} groups; at most "
                         f"{len(CLUSTER_COLOURS)} can be told apart in the strip")
    strip = {"width": {"step": step}, "height": 12,
             "transform": [{"aggregate": [{"op": "min", "field": "cluster", "as": "cluster"},
                                          {"op": "min", "field": "mean_profile", "as": "mean_profile"}],
                            "groupby": ["network"]}],
             "mark": {"type": "rect", "stroke": "white", "strokeWidth": 0.5},
             "encoding": {"x": {**x, "axis": None},
                          "color": {"field": "cluster", "type": "nominal", "title": cluster,
                                    "scale": {"domain": clusters, "range": list(CLUSTER_COLOURS[:len(clusters)])},
                                    "legend": {"orient": "top"}},
                          "tooltip": [{"field": "network", "type": "nominal"},
                                      {"field": "cluster", "type": "nominal", "title": cluster},
                                      {"field": "mean_profile", "type": "quantitative", "format": "+.2f",
                                       "title": "mean profile"}]}}
    spec.update({"vconcat": [strip, heatmap], "spacing": 3,
                 "resolve": {"scale": {"color": "independent"}, "legend": {"color": "independent"}}})
    return Chart(spec)


# --------------------------------------------------------------------------------------------
# Four-category distribution
# --------------------------------------------------------------------------------------------
def four_category_distribution(distribution: pd.DataFrame, *, group: str = "group",
                               category: str = "category", proportion: str = "proportion",
                               n_persons: str | None = "n_persons",
                               n_persons_group: str | None = "n_persons_group",
                               kind: str = "stacked", group_title: str = "group",
                               title: str | None = None) -> Chart:
    """The probability density display: shares of respondents in four ordered categories by group.

    Parameters
    ----------
    distribution : pandas.DataFrame
        Tidy, one row per group x category, as :func:`inhd.scales.four_category_distribution`
        returns it: ``group, category, n_persons`` (in the category), ``n_persons_group`` (in
        the group), ``proportion``. Groups may be networks.
    kind : {"stacked", "grouped"}
        ``"stacked"`` (default): one 100% bar per group, sorted by the share in the two upper
        categories (ties by the share in the highest), hover a group to highlight it; ``"grouped"``: Perlman, Bryk & Russell (2025),
        Figure 3, one bar per category and group.
    group_title : str, default "group"
        What a group is, in the tooltip and the subtitle (e.g. ``"network"``).

    Returns
    -------
    Chart
        Groups with no proportion (suppressed) are left out and counted in the subtitle.
    """
    if kind not in ("stacked", "grouped"):
        raise ValueError(f"kind: expected 'stacked' or 'grouped', found {kind!r}")
    check_columns(distribution, [group, category, proportion, n_persons, n_persons_group],
                  "four_category_distribution")
    frame = pd.DataFrame({"group": distribution[group].astype(str).to_numpy(),
                          "category": distribution[category].astype(str).to_numpy(),
                          "proportion": pd.to_numeric(distribution[proportion], errors="coerce").to_numpy(dtype=float)})
    unknown = sorted(set(frame["category"]) - set(FOUR_CATEGORIES))
    if unknown:
        raise ValueError(f"four_category_distribution: column {category!r} holds {unknown}; "
                         f"expected the categories {list(FOUR_CATEGORIES)}")
    if frame.duplicated(["group", "category"]).any():
        raise ValueError("four_category_distribution: a group has the same category twice")
    for name, col in (("n_persons", n_persons), ("n_persons_group", n_persons_group)):
        if col is not None:
            frame[name] = pd.to_numeric(distribution[col], errors="coerce").to_numpy()
    complete = frame.groupby("group", sort=False)["proportion"].transform(lambda s: bool(np.isfinite(s).all()))
    hidden = frame.loc[~complete.astype(bool), "group"].nunique()
    frame = frame[complete.astype(bool)].copy()
    if frame.empty:
        raise ValueError("four_category_distribution: no group has proportions to draw")
    frame["order"] = frame["category"].map({c: i for i, c in enumerate(FOUR_CATEGORIES)})
    upper = frame[frame["category"].isin(FOUR_CATEGORIES[2:])].groupby("group")["proportion"].sum()
    frame["upper_share"] = frame["group"].map(upper).fillna(0.0)
    top = frame[frame["category"] == FOUR_CATEGORIES[-1]].groupby("group")["proportion"].sum()
    order = pd.DataFrame({"upper": upper, "top": top}).reindex(pd.unique(frame["group"])).fillna(0.0)
    groups = list(order.sort_values(["upper", "top"], ascending=False, kind="stable").index)   # ties: more high
    colour = {"field": "category", "type": "ordinal", "title": "category",
              "scale": {"domain": list(FOUR_CATEGORIES), "range": list(CATEGORY_COLOURS)}}
    tooltip = [{"field": "group", "type": "nominal", "title": group_title},
               {"field": "category", "type": "ordinal", "title": "category"},
               {"field": "proportion", "type": "quantitative", "title": "share", "format": ".1%"}]
    if n_persons is not None:
        tooltip.append({"field": "n_persons", "type": "quantitative", "title": "respondents in category"})
    if n_persons_group is not None:
        tooltip.append({"field": "n_persons_group", "type": "quantitative", "title": f"respondents in {group_title}"})
    subtitle = [f"{len(groups)} {group_title}s; respondents in four ordered categories, low to high"]
    if hidden:
        subtitle.append(f"{hidden} {group_title}(s) not shown: suppressed")
    spec = base_spec({"text": title or "Respondents in four categories", "subtitle": subtitle},
                     kind="four_category_distribution",
                     description="Share of each group's respondents in the categories low, low-middle, "
                                 "high-middle and high")
    spec["data"] = {"values": records(frame)}
    hover = {"name": "hover", "select": {"type": "point", "on": "pointerover", "clear": "pointerout",
                                         "fields": ["group"]}}
    opacity = {"condition": {"param": "hover", "empty": True, "value": 1}, "value": 0.35}
    if kind == "stacked":
        spec.update({
            "width": 520, "height": max(80, 22 * len(groups)),
            "params": [hover],
            "mark": {"type": "bar", "stroke": "white", "strokeWidth": 0.5},
            "encoding": {
                "y": {"field": "group", "type": "nominal", "sort": groups, "title": None,
                      "axis": {"labelLimit": 200}},
                "x": {"field": "proportion", "type": "quantitative", "stack": "zero",
                      "title": "share of respondents", "axis": {"format": "%"},
                      "scale": {"domain": [0, 1]}},
                "color": colour,
                "order": {"field": "order", "type": "quantitative"},
                "opacity": opacity,
                "tooltip": tooltip,
            },
        })
    else:
        spec.update({
            "width": 480, "height": 260,
            "params": [hover],
            "mark": {"type": "bar"},
            "encoding": {
                "x": {"field": "category", "type": "ordinal", "sort": list(FOUR_CATEGORIES), "title": None,
                      "axis": {"labelAngle": 0}},
                "xOffset": {"field": "group", "type": "nominal", "sort": groups},
                "y": {"field": "proportion", "type": "quantitative", "title": "share of respondents",
                      "axis": {"format": "%"}},
                "color": {"field": "group", "type": "nominal", "sort": groups, "title": group_title},
                "opacity": opacity,
                "tooltip": tooltip,
            },
        })
    return Chart(spec)
