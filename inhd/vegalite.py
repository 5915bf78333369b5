"""Vega-Lite specifications as objects: the :class:`Chart` wrapper and its safe HTML embedding.

The layer under :mod:`inhd.charts`: a :class:`Chart` holds a Vega-Lite 5 specification that
JupyterLab and JupyterLite draw natively (MIME type ``application/vnd.vegalite.v5+json``) and that
the book draws with the Vega, Vega-Lite and vega-embed scripts it vendors from the npm registry
(``inhd/book.py``; nothing from a CDN). :func:`chart_html` embeds a spec in a page with ``<``,
``>`` and ``&`` escaped, so no string from data can close the script element or start markup.
The small helpers here (JSON-safe records, column checks, the base spec) are shared by every
chart builder.
"""

from __future__ import annotations

import copy
import html
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["VEGALITE_MIMETYPE", "SCHEMA_URL", "Chart", "chart_html", "check_columns", "json_value",
           "records", "base_spec", "number", "HIGHLIGHT", "BASE", "MUTED"]

#: The MIME type under which notebooks carry a chart (drawn natively by JupyterLab 4 and JupyterLite).
VEGALITE_MIMETYPE = "application/vnd.vegalite.v5+json"
#: The Vega-Lite major version of every spec (the string is metadata; nothing is fetched from it).
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v5.json"
#: The charts' colours: what the reader picked or hovers, the marks, everything else.
HIGHLIGHT, BASE, MUTED = "#c0392b", "#1f4e79", "#9aa5b1"

@dataclass(frozen=True)
class Chart:
    """A Vega-Lite chart: a specification (``spec``) that renders in JupyterLab and in the book.

    Attributes
    ----------
    spec : dict
        The Vega-Lite 5 specification, data inline. Use :meth:`to_dict` for a copy to modify.
    """

    spec: dict

    @property
    def title(self) -> str:
        """The chart's title text ('' when it has none)."""
        title = self.spec.get("title", "")
        text = title.get("text", "") if isinstance(title, dict) else title
        if not isinstance(text, str):  # a title computed in the page (an expression): its fixed part
            text = self.spec.get("usermeta", {}).get("title", "")
        return text

    def to_dict(self) -> dict:
        """A deep copy of the specification."""
        return copy.deepcopy(self.spec)

    def to_json(self, *, indent: int | None = None) -> str:
        """The specification as JSON (strict: no NaN)."""
        return json.dumps(self.spec, indent=indent, allow_nan=False, ensure_ascii=False)

    def to_html(self) -> str:
        """An HTML fragment for a page that loads the vendored scripts (see :func:`chart_html`)."""
        return chart_html(self.spec)

    def _repr_mimebundle_(self, include=None, exclude=None):
        # the text is what a renderer without Vega-Lite shows (an inert HTML export, a terminal): a sentence
        # for a reader, not a repr (a newcomer read "<inhd Chart: ...>" under "drawn in your browser")
        return {VEGALITE_MIMETYPE: self.to_dict(), "text/plain": self.placeholder()}

    def placeholder(self) -> str:
        """What a page that cannot draw the chart shows in its place: its title and where it is drawn."""
        title = f"\u201c{self.title}\u201d " if self.title else ""
        return (f"[The interactive chart {title}is not drawn on this page, which runs no script: it is drawn in the "
                "book, and in JupyterLab or JupyterLite when you open this notebook (.ipynb) there.]")

    def summary(self) -> str:
        """Title, kind of chart (marks or views) and number of inline data rows."""
        views = [v for key in ("layer", "vconcat", "hconcat", "concat") for v in self.spec.get(key, [])]
        marks = [v.get("mark") for v in [self.spec, *views] if v.get("mark")]
        kinds = sorted({m["type"] if isinstance(m, dict) else str(m) for m in marks})
        rows = len(self.spec.get("data", {}).get("values", []))
        rows += sum(len(v.get("data", {}).get("values", [])) for v in views)
        return (f"Vega-Lite chart: {self.title or 'untitled'}; marks {', '.join(kinds) or 'none'}; "
                f"{len(views)} sub-views; {rows} data rows; {len(self.spec.get('params', []))} parameters")

    def __repr__(self) -> str:
        return f"<inhd Chart: {self.title or 'untitled'}>"


def _script_json(spec: dict) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(spec, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def chart_html(spec: dict) -> str:
    """The book's HTML for one chart: an empty ``div.inhd-chart`` and the spec as inert JSON.

    ``_static/inhd-charts.js`` (loaded with Vega, Vega-Lite and vega-embed on pages that have
    charts) draws every ``div.inhd-chart`` from the ``script.inhd-chart-spec`` that follows it.
    The JSON has ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so no string in it can close
    the script element or start markup; the title goes into ``aria-label`` HTML-escaped.
    """
    if not isinstance(spec, dict):
        raise TypeError(f"spec: expected a dict (a Vega-Lite specification), found {type(spec).__name__}")
    label = Chart(spec).title or "chart"
    return (f'<div class="inhd-chart" role="figure" aria-label="{html.escape(label, quote=True)}"></div>'
            f'<script type="application/json" class="inhd-chart-spec">{_script_json(spec)}</script>')


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def check_columns(frame, columns, where: str) -> None:
    """Refuse a non-DataFrame or one without ``columns`` (None entries are skipped)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{where}: expected a pandas DataFrame, found {type(frame).__name__}")
    missing = [c for c in columns if c is not None and c not in frame.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not found; the table has {list(frame.columns)}")


def json_value(v):
    """A JSON-safe scalar: numpy types to Python, NaN/NA/None to None."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, (str, int)):
        return v
    return str(v)


def records(frame: pd.DataFrame) -> list[dict]:
    """The rows of ``frame`` as JSON-safe dicts (the inline ``data.values`` of a spec)."""
    return [{str(k): json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def base_spec(title, *, description: str, kind: str | None = None) -> dict:
    """The skeleton every chart starts from: schema, description, title and a plain style.

    ``kind`` (the name of the function that built the chart) goes into ``usermeta.chart``, where
    tests and pages can find a chart of a given kind.
    """
    spec = {"$schema": SCHEMA_URL, "description": description,
            "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 11, "titleFontSize": 12}}}
    if kind:
        spec["usermeta"] = {"chart": kind}
    if title:
        spec["title"] = title
    return spec


def number(v: float) -> float:
    """A float rounded to 6 decimals (keeps specs short and stable)."""
    return float(round(float(v), 6))
