"""A network's feedback report as one self-contained HTML page, rendered in Python (no kernel).

The page shows what the network-report notebook shows (Sherer et al. 2025's information system): the
network among all networks (caterpillar of the EB estimates on the 0-10 scale), how its members
spread over the four ordered categories, its item profile and its trend across waves, each beside
the all-networks figure.

Two steps, so that many reports cost little more than one:

1. :func:`inhd.report.report_data` computes, once, every figure any report publishes, under the
   suppression rule of :mod:`inhd.privacy` (only publishable respondents count; the all-networks
   figures pool shown cells only; small items and waves are suppressed and marked). The result,
   :class:`inhd.report.ReportData`, holds no respondent-level row.
2. :func:`render_report` writes one network's page from it: figures drawn with Matplotlib's Agg
   canvas and embedded as PNG data URIs, every string from the data escaped
   (:func:`inhd.publish.escape`), no script, and a Content-Security-Policy that forbids any fetch. A
   :class:`Painter` keeps the figures between pages, so a worker redraws only what changes.

Text drawn in figures (network ids, item names) is never parsed as mathtext.
"""

from __future__ import annotations

import base64
import io
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from inhd.publish import escape, html_page
from inhd.report import NetworkView, ReportData, network_view
from inhd.survey_run import METHODS

#: Colours: this network, the others, the all-networks comparison, suppressed marks.
HIGHLIGHT, OTHERS, ALL, MUTED = "#c0392b", "#1f4e79", "#7f7f7f", "#999999"
#: Above this many networks shown, the caterpillar names only the highlighted network.
MAX_NAMED_NETWORKS = 40
#: Resolution of the embedded figures.
DPI = 80


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
        legend = ax.legend(fontsize=8, loc="upper left")
        frozen = _Frozen(figure, None if named else [mark, legend])   # named: the tick labels change colour too
        position = {network: i for i, network in enumerate(table["network_id"])}
        return frozen, ax, mark, legend, named, position, y

    def caterpillar(self, view: NetworkView) -> str:
        """The caterpillar with ``view``'s network highlighted (none when it is suppressed)."""
        frozen, ax, mark, legend, named, position, y = self._caterpillar
        i = position.get(view.network_id)
        mark.set_offsets(np.empty((0, 2)) if i is None else [[i, y[i]]])
        mark.set_visible(i is not None)
        legend.set_visible(i is not None)           # no "this network" key when it is not drawn
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
        style = "o" if table["reversed"].any() else "o-"      # as answered, reversed items sit apart: no line
        ax.plot(_values(table["mean"]), y, style, color=ALL, label="all networks")
        dots, = ax.plot(np.full(len(y), np.nan), y, "o", color=HIGHLIGHT, label="this network", ms=7)
        transform = ax.get_yaxis_transform()
        marks = [ax.text(0.99, k, "suppressed: this network", transform=transform, ha="right", va="center",
                         fontsize=7, color=MUTED) for k in y]
        ax.set_yticks(y, [f"{item} (reverse-keyed)" if flipped else str(item)
                          for item, flipped in zip(table["item"], table["reversed"])], fontsize=7, parse_math=False)
        ax.set_ylim(len(table) - 0.5, -0.5)
        measure = self.data.measure
        scale = f" on the scale {measure.response_scale[0]}-{measure.response_scale[1]}" if measure else ""
        ax.set_xlabel(f"mean response{scale}, as answered")
        # above the plot, in a row: inside it, the box hid the "suppressed" marks of the last rows (newcomer trial)
        ax.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        return _Frozen(figure, [dots, *marks]), dots, marks

    def items(self, view: NetworkView) -> str:
        """The item profile of ``view``'s network; suppressed items carry a mark on their row."""
        frozen, dots, marks = self._items
        table = view.items
        dots.set_xdata(np.where(table["suppressed"], np.nan, _values(table["network_mean"])))
        _set_marks(marks, table)
        return frozen.data_uri()

    # -- the trend: this network's line beside all networks', suppressed waves marked
    def _setup_waves(self):
        table = self.data.all_waves
        figure, ax = _figure((6, 3.4))
        x = _values(table["wave"])
        ax.plot(x, _values(table["mean_0_10"]), "o-", color=ALL, label="all networks")
        line, = ax.plot(x, np.full(len(x), np.nan), "o-", color=HIGHLIGHT, label="this network")
        published = np.r_[_values(table["mean_0_10"]), _values(self.data.waves["mean_0_10"])]
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
        ax.set_ylabel("members' mean measure (0-10 scale)")
        ax.legend(fontsize=8, loc="upper left")
        return _Frozen(figure, [line, *marks]), line, marks

    def waves(self, view: NetworkView) -> str:
        """The wave trend of ``view``'s network; suppressed waves carry a mark."""
        frozen, line, marks = self._waves
        table = view.waves
        line.set_ydata(np.where(table["suppressed"], np.nan, _values(table["network_mean_0_10"])))
        _set_marks(marks, table)
        return frozen.data_uri()


def _set_marks(marks, table) -> None:
    """Show on each row (item or wave) of ``table`` whose figure is suppressed, hide the other marks."""
    for mark, mine, every in zip(marks, table["suppressed"], table["all_suppressed"]):
        text = _mark_text(bool(mine), bool(every))
        mark.set_text(text)
        mark.set_visible(bool(text))


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


def _distribution_table(view: NetworkView, categories) -> str:
    rows = []
    for _, r in view.distribution.iterrows():
        cells = ([("suppressed", "suppressed")] + [("", "")] * len(categories) if r["suppressed"] else
                 [(_count(r["n_persons"]), "num")] + [(_number(r[c], 2), "num") for c in categories])
        rows.append([(escape(r["group"]), "")] + cells)
    return _html_table(["group", "respondents", *categories], rows)


def measure_section(data: ReportData) -> str:
    """What the measure is (items, response scale, reverse-keyed items and their recoding, method,
    what it was calibrated on), and the data's warnings, as escaped HTML."""
    m = data.measure
    if m is None:
        return ""
    low, high = m.response_scale
    parts = [f"<p><strong>The measure.</strong> {len(m.items)} items answered on the response scale "
             f"<strong>{low}-{high}</strong>: {escape(', '.join(m.items))}.</p>"]
    if m.reversed:
        parts.append(f"<p><strong>Reverse-keyed items</strong> (worded the other way round), recoded as "
                     f"<strong>{m.recoding}</strong> before the calibration, so that a higher response always means "
                     f"more of the measure: {escape(', '.join(m.reversed))}. Their means below are shown as "
                     "members answered, not recoded.</p>")
    parts.append(f"<p>Rasch rating-scale model, {escape(METHODS.get(m.method, m.method))}; calibrated on "
                 f"{m.n_persons:,} respondents in {m.n_networks:,} networks.</p>")
    parts += [f'<p class="note"><strong>Warning.</strong> {escape(w)}.</p>' for w in m.warnings]
    return "\n".join(parts)


def _categories_sentence(data: ReportData) -> str:
    """How the four categories are cut, for the measure's scale (our reconstruction, said so)."""
    m = data.measure
    if m is not None and m.n_thresholds == 1:
        return ("The items are scored 0-1 (a dichotomy), so the cut points are where the chance of a 1 on an item "
                "of average difficulty is 25%, 50% and 75%: a <em>low</em> member is expected to score 1 on fewer "
                "than a quarter of such items, a <em>high</em> member on more than three quarters. This is our "
                "reconstruction for dichotomies; the papers cut rating scales only.")
    lowest, highest = (f" ({m.response_scale[0]})", f" ({m.response_scale[1]})") if m is not None else ("", "")
    return ("The cut points come from the rating scale's thresholds (our reconstruction of the papers' display): "
            f"a <em>low</em> member is expected to answer an item of average difficulty in the lowest category"
            f"{lowest}, a <em>high</em> member in the highest{highest}; the middle is split at the middle of the "
            "scale.")


def report_sections(data: ReportData, network_id: str, *, painter: Painter | None = None) -> dict[str, str]:
    """The parts of a network's report as HTML fragments, every string from the data escaped.

    Keys: ``"title"`` (the network's heading), ``"headline"`` (its size, estimate and rank, or the
    suppression notice, after the data's note), ``"measure"`` (:func:`measure_section`),
    ``"caterpillar"``, ``"distribution"``, ``"items"``, ``"trend"`` (a sentence saying how to read it,
    a figure and its table each) and ``"footer"`` (the suppression rule in one sentence).
    :func:`render_report` puts them on a page under :data:`SECTION_HEADINGS`; the network-report
    notebook displays them one by one under its own headings.
    """
    painter = painter or Painter(data)
    view = network_view(data, network_id)
    headline = [f'<p class="note">{escape(data.note)}</p>'] if data.note else []
    if view.suppressed:
        headline.append(f'<p class="note">{escape(view.headline)}</p>')
    else:
        headline.append(f"<p>{escape(view.respondents)}. The network's estimate is "
                        f"<strong>{view.mean_0_10:.1f}</strong> on the 0-10 scale (±{2 * view.se_0_10:.1f}), "
                        f"ranking {view.rank} of {view.n_shown} networks shown.</p>")
    where = ("This network is the red dot." if not view.suppressed else
             "This network is not drawn: its results are suppressed.")
    caterpillar = [f"<p>Each dot is a network's empirical Bayes estimate of its members' mean measure, rescaled to "
                   f"0-10, with bars of two standard errors. Networks whose bars do not overlap differ reliably. "
                   f"{where}</p>", _figure_block(painter.caterpillar(view), "caterpillar plot of all networks")]
    if view.n_suppressed:
        caterpillar.append(f"<p>{view.n_suppressed} network(s) suppressed from this display (fewer than "
                           f"{data.min_cell} respondents each).</p>")
    m = data.measure
    scale = f" on the response scale {m.response_scale[0]}-{m.response_scale[1]}" if m is not None else ""
    reversed_note = (f" Reverse-keyed items (marked) are shown as answered; they count toward the measure as "
                     f"{m.recoding}, so for them a <em>lower</em> mean goes with more of the measure."
                     if m is not None and m.reversed else "")
    items = [f"<p>Mean response to each item{scale}, as members answered it, in order of difficulty on the measure "
             f"(easiest first).{reversed_note}</p>",
             _figure_block(painter.items(view), "mean response per item"),
             _html_table(["item", "difficulty (logits)", "this network", "answers", "all networks", "answers"],
                         [[(escape(r["item"]) + (f" (reverse-keyed: counts as {m.recoding})" if r["reversed"] else ""),
                            ""), (_number(r["difficulty"]), "num")]
                          + _cells(r["n_persons"], r["network_mean"], bool(r["suppressed"]))
                          + _cells(r["all_n_persons"], r["all_mean"], bool(r["all_suppressed"]))
                          for _, r in view.items.iterrows()])]
    if view.waves.empty:
        trend = ["<p>These data hold a single survey wave, so there is no trend to show.</p>"]
    else:
        trend = ["<p>Members' mean measure in each survey wave, on the 0-10 scale of the estimates above (the "
                 "members' plain mean, not shrunk like the network's estimate).</p>",
                 _figure_block(painter.waves(view), "mean measure by survey wave"),
                 _html_table(["wave", "this network (0-10)", "respondents", "all networks (0-10)", "respondents"],
                             [[(escape(f"{float(r['wave']):g}"), "num")]
                              + _cells(r["n_persons"], r["network_mean_0_10"], bool(r["suppressed"]))
                              + _cells(r["all_n_persons"], r["all_mean_0_10"], bool(r["all_suppressed"]))
                              for _, r in view.waves.iterrows()])]
    return {
        "title": f"<h1>Network {escape(view.network_id)}</h1>",
        "headline": "\n".join(headline),
        "measure": measure_section(data),
        "caterpillar": "\n".join(caterpillar),
        "distribution": "\n".join([f"<p>{_categories_sentence(data)}</p>",
                                   _figure_block(painter.distribution(view),
                                                 "shares of respondents in the four categories"),
                                   _distribution_table(view, data.categories)]),
        "items": "\n".join(items),
        "trend": "\n".join(trend),
        "footer": (f"<p><small>Groups, items and waves with fewer than {data.min_cell} respondents are suppressed "
                   "and marked; the all-networks figures pool only the groups that are shown (see the suppression "
                   "rule in the data documentation). Item difficulties come from the calibration on all "
                   "respondents.</small></p>"),
    }


#: The report's headings, above the sections of :func:`report_sections` (each starts with a sentence
#: saying how to read it).
SECTION_HEADINGS = {
    "caterpillar": "The network among all networks",
    "distribution": "How members spread over the four categories",
    "items": "Item profile",
    "trend": "Trend across survey waves",
}


def render_report(data: ReportData, network_id: str, *, painter: Painter | None = None) -> str:
    """One network's report as a complete, self-contained HTML page (no script, nothing fetched).

    Parameters
    ----------
    data
        :func:`inhd.report.report_data` for all networks.
    network_id
        The network whose report this is.
    painter
        The figures to reuse (one per process); a new one when ``None``.
    """
    sections = report_sections(data, network_id, painter=painter)
    parts = [sections["title"], sections["headline"], sections["measure"]]
    for key, heading in SECTION_HEADINGS.items():
        parts += [f"<h2>{heading}</h2>", sections[key]]
    parts.append(sections["footer"])
    return html_page(f"Network {network_id}: feedback report", "\n".join(p for p in parts if p))
