"""A network's feedback report as one self-contained HTML page, rendered in Python (no kernel).

The page shows what the network-report notebook shows (Sherer et al. 2025's information system): the
network among all networks (caterpillar of the EB estimates on the 0-10 scale), how its members
spread over the four ordered categories, its item profile and its trend across waves, each beside
the all-networks figure.

Two steps, so that many reports cost little more than one:

1. :func:`report_data` computes, once, every figure any report publishes, under the suppression rule
   of :mod:`inhd.privacy` (only publishable respondents count; the all-networks figures pool shown
   cells only; small items and waves are suppressed and marked). The result, :class:`ReportData`,
   holds no respondent-level row.
2. :func:`render_report` writes one network's page from it: figures drawn with Matplotlib's Agg
   canvas and embedded as PNG data URIs, every string from the data escaped
   (:func:`inhd.publish.escape`), no script, and a Content-Security-Policy that forbids any fetch. A
   :class:`Painter` keeps the figures between pages, so a worker redraws only what changes.

Text drawn in figures (network ids, item names) is never parsed as mathtext.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from inhd.privacy import MIN_CELL, category_shares, cell_means, check_min_cell, pooled_means, publishable, \
    shown_groups
from inhd.publish import escape, html_page
from inhd.report import CATEGORY_LABELS, Calibration

#: Colours: this network, the others, the all-networks comparison, suppressed marks.
HIGHLIGHT, OTHERS, ALL, MUTED = "#c0392b", "#1f4e79", "#7f7f7f", "#999999"
#: Above this many networks shown, the caterpillar names only the highlighted network.
MAX_NAMED_NETWORKS = 40
#: Resolution of the embedded figures.
DPI = 80
_NETWORK_COLUMNS = ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10", "suppressed", "rank"]


@dataclass(frozen=True)
class ReportData:
    """Every figure the network reports publish, for all networks at once, suppression applied.

    Attributes
    ----------
    networks
        ``network_id, n_persons, mean, se, mean_0_10, se_0_10, suppressed, rank``: one row per network;
        ``n_persons`` counts publishable respondents; ``rank`` (1 = highest ``mean_0_10``) among the
        networks shown; every figure but the id missing for a suppressed network.
    distribution
        ``network_id, n_persons, <category>..., suppressed``: shares of the four categories.
    all_distribution
        One row: the same for all networks (publishable respondents only).
    items, all_items
        Mean response per item: ``network_id, item, n_persons, mean, suppressed`` and ``item,
        n_persons, n_cells, mean, suppressed`` (pooling the shown network-item cells); the items in
        order of difficulty, with ``difficulty`` (logits, from the calibration on everyone).
    waves, all_waves
        Mean measure (logits) per wave: ``network_id, wave, n_persons, mean, suppressed`` and ``wave,
        n_persons, n_cells, mean, suppressed``; empty when the data hold fewer than two waves.
    min_cell
        The smallest group shown.
    note
        A sentence shown at the top of every report (e.g. that the data are synthetic), or ``""``.
    """

    networks: pd.DataFrame
    distribution: pd.DataFrame
    all_distribution: pd.DataFrame
    items: pd.DataFrame
    all_items: pd.DataFrame
    waves: pd.DataFrame
    all_waves: pd.DataFrame
    min_cell: int
    note: str = ""
    categories: tuple[str, ...] = field(default=tuple(CATEGORY_LABELS))

    @property
    def network_ids(self) -> list[str]:
        """Every network, in the order of the networks table."""
        return self.networks["network_id"].tolist()


def _estimates(calibration: Calibration) -> pd.DataFrame:
    """The calibration's EB estimates as ``network_id, mean, se, mean_0_10, se_0_10``."""
    renamed = calibration.networks.rename(columns={"estimate": "mean", "rescaled": "mean_0_10",
                                                   "rescaled_se": "se_0_10"})
    table = renamed[["network_id", "mean", "se", "mean_0_10", "se_0_10"]].copy()
    table["network_id"] = table["network_id"].astype(str)
    return table


def _with_difficulty(table: pd.DataFrame, difficulty: pd.Series) -> pd.DataFrame:
    table = table.rename(columns={"variable": "item"})
    table["item"] = table["item"].astype(str)
    table.insert(table.columns.get_loc("item") + 1, "difficulty", table["item"].map(difficulty).to_numpy())
    return table


def report_data(calibration: Calibration, *, min_cell: int = MIN_CELL, note: str = "") -> ReportData:
    """Compute every published figure of the network reports from a calibration, once.

    Parameters
    ----------
    calibration
        :func:`inhd.report.calibrate` on all respondents.
    min_cell
        Smallest group shown (at least 1): cells, items and waves below it are suppressed.
    note
        A sentence shown at the top of every report.

    Notes
    -----
    The suppression rule of :mod:`inhd.privacy`: a respondent counts only when their network-wave
    cell has at least ``min_cell`` respondents; the all-networks figures pool the shown cells only;
    item and wave means need ``min_cell`` answers. Item difficulties are model parameters of the
    calibration on everyone and are shown as they are.
    """
    min_cell = check_min_cell(min_cell)
    persons = calibration.persons.assign(network_id=lambda f: f["network_id"].astype(str))
    ok = publishable(persons, min_cell=min_cell)
    networks = shown_groups(persons, min_cell=min_cell).merge(_estimates(calibration), on="network_id", how="left")
    for column in ["mean", "se", "mean_0_10", "se_0_10"]:
        networks[column] = networks[column].astype("Float64").mask(networks["suppressed"])
    networks["rank"] = networks["mean_0_10"].rank(ascending=False, method="min").astype("Int64")
    categories = tuple(CATEGORY_LABELS)
    distribution = category_shares(persons, "category", categories, by=["network_id"], among=ok, min_cell=min_cell)
    all_distribution = category_shares(persons, "category", categories, among=ok, min_cell=min_cell)

    order = list(calibration.items.sort_values("difficulty").index.astype(str))
    responses = calibration.responses.assign(network_id=lambda f: f["network_id"].astype(str))
    responses = responses.rename(columns=str)
    counted = responses["respondent_id"].map(pd.Series(ok.to_numpy(), index=persons["respondent_id"]))
    counted = counted.fillna(False).astype(bool)
    difficulty = calibration.items["difficulty"].rename(index=str)
    items = cell_means(responses, order, by=["network_id"], among=counted, min_cell=min_cell)
    all_items = pooled_means(responses, order, cells=["network_id"], among=counted, min_cell=min_cell)
    items, all_items = (_with_difficulty(table, difficulty) for table in (items, all_items))

    if "wave" in persons.columns and persons["wave"].dropna().nunique() >= 2:
        timed = persons[persons["wave"].notna()]
        waves = cell_means(timed, ["measure"], by=["network_id", "wave"], among=ok, min_cell=min_cell)
        all_waves = pooled_means(timed, ["measure"], cells=["network_id"], by=["wave"], among=ok, min_cell=min_cell)
        waves, all_waves = waves.drop(columns="variable"), all_waves.drop(columns="variable")
    else:
        waves = pd.DataFrame(columns=["network_id", "wave", "n_persons", "mean", "suppressed"])
        all_waves = pd.DataFrame(columns=["wave", "n_persons", "n_cells", "mean", "suppressed"])
    return ReportData(networks=networks[_NETWORK_COLUMNS], distribution=distribution,
                      all_distribution=all_distribution, items=items, all_items=all_items, waves=waves,
                      all_waves=all_waves, min_cell=min_cell, note=note, categories=categories)


# ---------------------------------------------------------------------------------------------------
# One network's view


@dataclass(frozen=True)
class NetworkView:
    """What one network's report shows: its figures beside all networks', suppression applied.

    ``distribution`` has two rows (``group`` = ``"this network"``, ``"all networks"``); ``items`` and
    ``waves`` have one row per item (by difficulty) and per wave with ``n_persons, network_mean,
    suppressed`` for the network and ``all_n_persons, all_mean, all_suppressed`` for all networks.
    """

    network_id: str
    suppressed: bool
    n_persons: int | None
    mean_0_10: float | None
    se_0_10: float | None
    rank: int | None
    n_shown: int
    n_suppressed: int
    min_cell: int
    distribution: pd.DataFrame
    items: pd.DataFrame
    waves: pd.DataFrame

    @property
    def headline(self) -> str:
        """The report's first sentence (plain text)."""
        if self.suppressed:
            return (f"This network has fewer than {self.min_cell} respondents in every survey wave shown, so its "
                    "results are suppressed to protect its members: only the other networks' results are shown.")
        return (f"{self.n_persons} members answered. The network's estimate is {self.mean_0_10:.1f} on the 0-10 "
                f"scale (±{2 * self.se_0_10:.1f}), ranking {self.rank} of {self.n_shown} networks shown.")


def network_view(data: ReportData, network_id: str) -> NetworkView:
    """One network's published figures, from :func:`report_data`.

    Raises
    ------
    ValueError
        ``network_id`` is not one of the networks.
    """
    network_id = str(network_id)
    rows = data.networks[data.networks["network_id"] == network_id]
    if rows.empty:
        raise ValueError(f"network {network_id!r} is not in the report data ({len(data.networks)} networks)")
    row = rows.iloc[0]
    suppressed = bool(row["suppressed"])
    mine = data.distribution[data.distribution["network_id"] == network_id].drop(columns="network_id")
    distribution = pd.concat([mine.assign(group="this network"), data.all_distribution.assign(group="all networks")])
    distribution = distribution[["group", "n_persons", *data.categories, "suppressed"]].reset_index(drop=True)
    items = data.all_items.rename(columns={"n_persons": "all_n_persons", "mean": "all_mean",
                                           "suppressed": "all_suppressed"}).drop(columns="n_cells")
    own = data.items[data.items["network_id"] == network_id][["item", "n_persons", "mean", "suppressed"]]
    items = items.merge(own.rename(columns={"mean": "network_mean"}), on="item", how="left")
    items["suppressed"] = items["suppressed"].fillna(True).astype(bool)
    waves = data.all_waves.rename(columns={"n_persons": "all_n_persons", "mean": "all_mean",
                                           "suppressed": "all_suppressed"}).drop(columns="n_cells")
    own = data.waves[data.waves["network_id"] == network_id][["wave", "n_persons", "mean", "suppressed"]]
    waves = waves.merge(own.rename(columns={"mean": "network_mean"}), on="wave", how="left")
    waves["suppressed"] = waves["suppressed"].fillna(True).astype(bool)   # no respondents: marked the same
    order = ["n_persons", "network_mean", "suppressed", "all_n_persons", "all_mean", "all_suppressed"]
    n_shown = int((~data.networks["suppressed"]).sum())
    return NetworkView(
        network_id=network_id, suppressed=suppressed,
        n_persons=None if suppressed else int(row["n_persons"]),
        mean_0_10=None if suppressed else float(row["mean_0_10"]),
        se_0_10=None if suppressed else float(row["se_0_10"]),
        rank=None if suppressed else int(row["rank"]), n_shown=n_shown,
        n_suppressed=len(data.networks) - n_shown, min_cell=data.min_cell, distribution=distribution,
        items=items[["item", "difficulty", *order]], waves=waves[["wave", *order]],
    )


# ---------------------------------------------------------------------------------------------------
# Figures


def png_data_uri(figure: Figure) -> str:
    """The figure as a ``data:image/png;base64,...`` URI (drawn afresh)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _canvas_data_uri(canvas: FigureCanvasAgg) -> str:
    """What the canvas holds now, as a PNG data URI (no redraw)."""
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="png", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class _Frozen:
    """A figure laid out and drawn once without its changing artists; a page restores that image and
    draws the changing artists on top (``changing=None``: the whole figure is redrawn for each page)."""

    def __init__(self, figure: Figure, changing: list | None):
        self.figure, self.changing = figure, changing
        figure.canvas.draw()                  # lay out once, with the widest texts in place
        figure.set_layout_engine(None)
        if changing is not None:
            shown = [artist.get_visible() for artist in changing]
            for artist in changing:
                artist.set_visible(False)
            figure.canvas.draw()
            self.background = figure.canvas.copy_from_bbox(figure.bbox)
            for artist, visible in zip(changing, shown):
                artist.set_visible(visible)

    def data_uri(self) -> str:
        canvas = self.figure.canvas
        if self.changing is None:
            canvas.draw()
        else:
            canvas.restore_region(self.background)
            for artist in self.changing:
                if artist.get_visible():
                    self.figure.draw_artist(artist)
        return _canvas_data_uri(canvas)


def _figure(size: tuple[float, float]) -> tuple[Figure, object]:
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _values(column: pd.Series) -> np.ndarray:
    return pd.to_numeric(column, errors="coerce").astype(float).to_numpy()


class Painter:
    """The four figures of a report, laid out once for all networks and updated per network.

    Only the artists that differ between networks (the highlighted dot, the network's bars, dots and
    line, the suppression marks) change from page to page, and the layout is computed once, so a page
    costs four redraws. One painter serves one process; :meth:`caterpillar` and the others give the
    same image for a network whatever was drawn before.
    """

    def __init__(self, data: ReportData):
        self.data = data
        self._caterpillar = self._setup_caterpillar()
        self._distribution = self._setup_distribution()
        self._items = self._setup_items()
        self._waves = self._setup_waves() if len(data.all_waves) else None

    # -- the caterpillar: every shown network, this one highlighted
    def _setup_caterpillar(self):
        table = self.data.networks[~self.data.networks["suppressed"]].sort_values(["mean_0_10", "network_id"])
        figure, ax = _figure((8, 3.6))
        x, y = np.arange(len(table)), _values(table["mean_0_10"])
        ax.errorbar(x, y, yerr=2 * _values(table["se_0_10"]), fmt="none", ecolor=MUTED, elinewidth=0.8)
        named = len(table) <= MAX_NAMED_NETWORKS
        ax.scatter(x, y, s=28 if named else 10, color=OTHERS, zorder=3)
        mark = ax.scatter([], [], s=70, color=HIGHLIGHT, zorder=4, label="this network")
        if named:
            ax.set_xticks(x, table["network_id"].tolist(), rotation=90, fontsize=7, parse_math=False)
        else:
            ax.set_xticks([])
            ax.set_xlabel(f"{len(table)} networks, lowest to highest estimate")
        ax.set_ylabel("network estimate (0-10 scale)")
        suppressed = int(self.data.networks["suppressed"].sum())
        note = f"; {suppressed} network(s) suppressed (fewer than {self.data.min_cell} respondents)" if suppressed else ""
        ax.set_title(f"All networks shown, ±2 SE{note}", fontsize=9)
        if table.empty:
            ax.text(0.5, 0.5, "no network has enough respondents to be shown", ha="center", transform=ax.transAxes)
        ax.legend(fontsize=8, loc="upper left")
        frozen = _Frozen(figure, None if named else [mark])   # named: the tick labels change colour too
        position = {network: i for i, network in enumerate(table["network_id"])}
        return frozen, ax, mark, named, position, y

    def caterpillar(self, view: NetworkView) -> str:
        """The caterpillar with ``view``'s network highlighted (none when it is suppressed)."""
        frozen, ax, mark, named, position, y = self._caterpillar
        i = position.get(view.network_id)
        mark.set_offsets(np.empty((0, 2)) if i is None else [[i, y[i]]])
        mark.set_visible(i is not None)
        if named:
            for k, label in enumerate(ax.get_xticklabels()):
                label.set_color(HIGHLIGHT if k == i else "black")
                label.set_fontweight("bold" if k == i else "normal")
        return frozen.data_uri()

    # -- the four categories: this network's bars beside all networks'
    def _setup_distribution(self):
        figure, ax = _figure((6, 3.2))
        categories, width = list(self.data.categories), 0.4
        x = np.arange(len(categories))
        overall = self.data.all_distribution.iloc[0]
        every = [0.0 if overall["suppressed"] else float(overall[c]) for c in categories]
        mine = ax.bar(x - width / 2, np.full(len(x), 0.5), width=width, color=HIGHLIGHT, label="this network")
        ax.bar(x + width / 2, every, width=width, color=ALL,
               label="all networks" + (" (suppressed)" if overall["suppressed"] else ""))
        marks = [ax.text(k - width / 2, 0.01, "suppressed", rotation=90, ha="center", va="bottom", fontsize=7,
                         color=MUTED) for k in x]
        ax.set_xticks(x, categories)
        ax.set_ylabel("share of respondents")
        ax.set_ylim(0, 1)
        ax.legend(fontsize=8)
        return _Frozen(figure, [*mine, *marks]), mine, marks

    def distribution(self, view: NetworkView) -> str:
        """The four-category bars of ``view``'s network beside all networks'."""
        frozen, mine, marks = self._distribution
        row = view.distribution.iloc[0]
        suppressed = bool(row["suppressed"])
        for bar, mark, category in zip(mine, marks, self.data.categories):
            bar.set_height(0.0 if suppressed else float(row[category]))
            bar.set_visible(not suppressed)
            mark.set_visible(suppressed)
        return frozen.data_uri()

    # -- the item profile: this network's dots beside all networks' line, suppressed items marked
    def _setup_items(self):
        table = self.data.all_items
        figure, ax = _figure((6.5, 0.9 + 0.3 * max(len(table), 3)))
        y = np.arange(len(table))
        published = np.r_[_values(table["mean"]), _values(self.data.items["mean"])]
        published = published[np.isfinite(published)]
        low, high = (published.min(), published.max()) if published.size else (0.0, 1.0)
        span = max(high - low, 1.0)
        ax.set_xlim(low - 0.05 * span, high + 0.45 * span)      # room on the right for the marks
        ax.plot(_values(table["mean"]), y, "o-", color=ALL, label="all networks")
        dots, = ax.plot(np.full(len(y), np.nan), y, "o", color=HIGHLIGHT, label="this network", ms=7)
        transform = ax.get_yaxis_transform()
        marks = [ax.text(0.99, k, "suppressed: this network", transform=transform, ha="right", va="center",
                         fontsize=7, color=MUTED) for k in y]
        ax.set_yticks(y, table["item"].tolist(), fontsize=7, parse_math=False)
        ax.set_ylim(len(table) - 0.5, -0.5)
        ax.set_xlabel("mean response")
        ax.legend(fontsize=8, loc="lower right")
        return _Frozen(figure, [dots, *marks]), dots, marks

    def items(self, view: NetworkView) -> str:
        """The item profile of ``view``'s network; suppressed items carry a mark on their row."""
        frozen, dots, marks = self._items
        table = view.items
        dots.set_xdata(np.where(table["suppressed"], np.nan, _values(table["network_mean"])))
        for mark, mine, every in zip(marks, table["suppressed"], table["all_suppressed"]):
            text = _mark_text(bool(mine), bool(every))
            mark.set_text(text)
            mark.set_visible(bool(text))
        return frozen.data_uri()

    # -- the trend: this network's line beside all networks', suppressed waves marked
    def _setup_waves(self):
        table = self.data.all_waves
        figure, ax = _figure((6, 3.4))
        x = _values(table["wave"])
        ax.plot(x, _values(table["mean"]), "o-", color=ALL, label="all networks")
        line, = ax.plot(x, np.full(len(x), np.nan), "o-", color=HIGHLIGHT, label="this network")
        published = np.r_[_values(table["mean"]), _values(self.data.waves["mean"])]
        published = published[np.isfinite(published)]
        low, high = (published.min(), published.max()) if published.size else (0.0, 1.0)
        span = max(high - low, 0.5)
        ax.set_ylim(low - 0.45 * span, high + 0.1 * span)       # room at the bottom for the marks
        marks = [ax.annotate("suppressed: all networks", (wave, 0), xycoords=("data", "axes fraction"), xytext=(0, 4),
                             textcoords="offset points", rotation=90, ha="center", va="bottom", fontsize=7,
                             color=MUTED) for wave in x]
        ax.set_xticks(x, [f"{w:g}" for w in x])
        ax.set_xlim(x.min() - 0.5, x.max() + 0.5)
        ax.set_xlabel("survey wave")
        ax.set_ylabel("mean measure (logits)")
        ax.legend(fontsize=8, loc="upper left")
        return _Frozen(figure, [line, *marks]), line, marks

    def waves(self, view: NetworkView) -> str:
        """The wave trend of ``view``'s network; suppressed waves carry a mark."""
        frozen, line, marks = self._waves
        table = view.waves
        line.set_ydata(np.where(table["suppressed"], np.nan, _values(table["network_mean"])))
        for mark, mine, every in zip(marks, table["suppressed"], table["all_suppressed"]):
            text = _mark_text(bool(mine), bool(every))
            mark.set_text(text)
            mark.set_visible(bool(text))
        return frozen.data_uri()


def _mark_text(mine: bool, every: bool) -> str:
    """The mark of a suppressed item or wave: whose figure is suppressed."""
    if mine and every:
        return "suppressed: both"
    return "suppressed: this network" if mine else "suppressed: all networks" if every else ""


# ---------------------------------------------------------------------------------------------------
# The page


def _number(value: object, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):.{digits}f}"


def _count(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))


def _html_table(header: list[str], rows: list[list[tuple[str, str]]]) -> str:
    """A table from escaped cells: each cell is (text, css class)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f'<td class="{cls}">{text}</td>' for text, cls in row) + "</tr>"
                     for row in rows)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def _cells(n: object, value: object, suppressed: bool, *, digits: int = 2) -> list[tuple[str, str]]:
    if suppressed:
        return [("suppressed", "suppressed"), ("", "")]
    return [(_number(value, digits), "num"), (_count(n), "num")]


def _figure_block(uri: str, alt: str) -> str:
    return f'<p><img src="{uri}" alt="{escape(alt)}"></p>'


def render_report(data: ReportData, network_id: str, *, painter: Painter | None = None) -> str:
    """One network's report as a complete, self-contained HTML page (no script, nothing fetched).

    Parameters
    ----------
    data
        :func:`report_data` for all networks.
    network_id
        The network whose report this is.
    painter
        The figures to reuse (one per process); a new one when ``None``.
    """
    painter = painter or Painter(data)
    view = network_view(data, network_id)
    name = escape(view.network_id)
    parts = [f"<h1>Network {name}</h1>"]
    if data.note:
        parts.append(f'<p class="note">{escape(data.note)}</p>')
    if view.suppressed:
        parts.append(f'<p class="note">{escape(view.headline)}</p>')
    else:
        parts.append(f"<p>{view.n_persons} members answered. The network's estimate is "
                     f"<strong>{view.mean_0_10:.1f}</strong> on the 0-10 scale (±{2 * view.se_0_10:.1f}), ranking "
                     f"{view.rank} of {view.n_shown} networks shown.</p>")
    parts += ["<h2>The network among all networks</h2>",
              "<p>Each dot is a network's empirical Bayes estimate of its members' mean measure, rescaled to 0-10, "
              "with bars of two standard errors. Networks whose bars do not overlap differ reliably. This network "
              "is in red.</p>", _figure_block(painter.caterpillar(view), "caterpillar plot of all networks")]
    if view.n_suppressed:
        parts.append(f"<p>{view.n_suppressed} network(s) suppressed from this display (fewer than {data.min_cell} "
                     "respondents each).</p>")
    parts += ["<h2>How members spread over the four categories</h2>",
              _figure_block(painter.distribution(view), "shares of respondents in the four categories"),
              _html_table(["group", "respondents", *data.categories],
                          [[(escape(r["group"]), "")] + ([("suppressed", "suppressed")] + [("", "")] * len(data.categories)
                                                          if r["suppressed"] else
                                                          [(_count(r["n_persons"]), "num")]
                                                          + [(_number(r[c], 2), "num") for c in data.categories])
                           for _, r in view.distribution.iterrows()])]
    parts += ["<h2>Item profile</h2>", "<p>Mean response to each item, easiest to endorse at the top.</p>",
              _figure_block(painter.items(view), "mean response per item"),
              _html_table(["item", "difficulty (logits)", "this network", "answers", "all networks", "answers"],
                          [[(escape(r["item"]), ""), (_number(r["difficulty"]), "num")]
                           + _cells(r["n_persons"], r["network_mean"], bool(r["suppressed"]))
                           + _cells(r["all_n_persons"], r["all_mean"], bool(r["all_suppressed"]))
                           for _, r in view.items.iterrows()])]
    parts.append("<h2>Trend across survey waves</h2>")
    if view.waves.empty:
        parts.append("<p>These data hold a single survey wave, so there is no trend to show.</p>")
    else:
        parts += [_figure_block(painter.waves(view), "mean measure by survey wave"),
                  _html_table(["wave", "this network", "respondents", "all networks", "respondents"],
                              [[(escape(f"{float(r['wave']):g}"), "num")]
                               + _cells(r["n_persons"], r["network_mean"], bool(r["suppressed"]))
                               + _cells(r["all_n_persons"], r["all_mean"], bool(r["all_suppressed"]))
                               for _, r in view.waves.iterrows()])]
    parts.append(f"<p><small>Groups, items and waves with fewer than {data.min_cell} respondents are suppressed "
                 "and marked; the all-networks figures pool only the groups that are shown (see the suppression "
                 "rule in the data documentation). Item difficulties come from the calibration on all "
                 "respondents.</small></p>")
    return html_page(f"Network {view.network_id}: feedback report", "\n".join(parts))
