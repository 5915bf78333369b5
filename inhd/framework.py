"""The Improvement Network Health and Development (INHD) framework, as data and as a drawing.

Russell, Bryk, Peurach, Sherer, Duff, Sherer & Matthis (2025), *Catalyzing scientific-professional
learning communities*, Peabody Journal of Education 100(1), 7-27, Figure 1: six domains that, working
together, lead to educators' capacity and commitment to collaborative problem solving and, in turn,
to progress toward the network's improvement aim, all within an institutional context. The survey
measures of Bryk, Li, Luppescu & Bui (2025), Table 2 (38 measures with individual, school and network
reliabilities) ship as ``data/published/inhd_reliability_table.csv``, transcribed from the program's
poster (``../shared/papers/000_0b4d24aad3ee4194.txt``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from inhd import DATA_DIR

#: The framework's six domains (Russell et al., 2025, Figure 1), in the poster's order.
DOMAINS: tuple[str, ...] = (
    "Strong hub leadership",
    "Network roles and engagement",
    "Continuous improvement processes",
    "Connections within improvement teams",
    "Connections across improvement teams",
    "Network culture",
)
#: The two outcomes, proximal then distal.
OUTCOMES: tuple[str, ...] = (
    "Educator capacity and commitment to collaborative problem solving",
    "Progress toward the network's improvement aim",
)
#: What surrounds the network.
CONTEXT = "Institutional context (state, district and school)"

#: Columns of the published reliability table, in order.
RELIABILITY_COLUMNS = (
    "domain", "measure", "n_items", "individual_reliability", "school_reliability",
    "school_not_significant", "network_reliability", "network_not_significant",
)

#: The survey table's seven construct groups -> the framework element we take them to measure
#: (our mapping: the poster gives none). "Network connections" is split by measure name:
#: ``Cross-team`` measures are connections across teams, the rest connections within teams
#: (see :func:`framework_element`).
_GROUP_TO_ELEMENT = {
    "Hub leadership": DOMAINS[0],
    "Network roles and engagement": DOMAINS[1],
    "Continuous improvement": DOMAINS[2],
    "Network culture": DOMAINS[5],
    "Contexts for improvement": CONTEXT,
    "Participatory benefits": OUTCOMES[0],
}


def framework_element(domain: str, measure: str) -> str:
    """The framework element (domain, outcome or context) a survey measure informs: our mapping.

    The survey table groups measures in seven constructs and gives no mapping onto the framework.
    We map six of them onto a framework element ("Contexts for improvement" to the institutional
    context and "Participatory benefits" to the first outcome, as neither is a framework domain)
    and split "Network connections" by measure name into connections across teams (names
    starting ``Cross-team``) and connections within teams (all others).

    Raises
    ------
    ValueError
        When ``domain`` is not one of the survey table's construct groups.
    """
    if domain == "Network connections":
        return DOMAINS[4] if measure.startswith("Cross-team") else DOMAINS[3]
    if domain not in _GROUP_TO_ELEMENT:
        raise ValueError(
            f"domain: {domain!r} is not a construct group of the INHD reliability table; "
            f"expected one of {['Network connections', *_GROUP_TO_ELEMENT]}"
        )
    return _GROUP_TO_ELEMENT[domain]


def load_reliability_table(path: str | Path | None = None) -> pd.DataFrame:
    """The 38 INHD survey measures with their published reliabilities.

    Bryk, Li, Luppescu & Bui (2025), Table 2, as printed on the program's poster. ``individual_reliability``
    is missing (NaN) for single-item measures (printed "N/A"); ``*_not_significant`` are 1 where the
    paper marks the reliability "(n.s.)". A ``framework_element`` column is added
    (:func:`framework_element`).

    Parameters
    ----------
    path
        Defaults to ``DATA_DIR / "published" / "inhd_reliability_table.csv"``.

    Raises
    ------
    ValueError
        When a column is missing, or a reliability lies outside [0, 1].
    """
    path = Path(path) if path is not None else DATA_DIR / "published" / "inhd_reliability_table.csv"
    table = pd.read_csv(path)
    missing = [c for c in RELIABILITY_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: columns {missing} are missing; expected {list(RELIABILITY_COLUMNS)}")
    problems = []
    for col in ("individual_reliability", "school_reliability", "network_reliability"):
        bad = table.index[(table[col] < 0) | (table[col] > 1)]
        problems += [f"{path} line {i + 2}, column {col}: {table.at[i, col]} is outside [0, 1]" for i in bad]
    if problems:
        raise ValueError("; ".join(problems))
    table = table.astype({"n_items": "int64", "school_not_significant": "int64",
                          "network_not_significant": "int64"})
    table["framework_element"] = [framework_element(d, m) for d, m in zip(table["domain"], table["measure"])]
    return table


def measures_by_domain(table: pd.DataFrame | None = None, *, by: str = "domain") -> pd.DataFrame:
    """Count the measures and items in each group, with the median reliabilities.

    Parameters
    ----------
    table
        The reliability table (default: :func:`load_reliability_table`). Not modified.
    by
        ``"domain"`` (the survey table's seven construct groups) or ``"framework_element"``.

    Returns
    -------
    DataFrame
        Columns ``group, n_measures, n_items, measures``, then for each of the school and network
        levels ``n_<level>_not_significant`` (values the poster marks "(n.s.)"),
        ``median_<level>_reliability`` (the median over the values *not* marked "(n.s.)": a
        reliability the poster could not distinguish from zero does not enter a group's typical
        value; NaN when every value is marked) and ``median_<level>_reliability_all`` (the median
        over all values, marked ones included); groups in order of first appearance.

    Examples
    --------
    "Network roles and engagement" has five network reliabilities, one of them 0.29 (n.s.):

    >>> t = measures_by_domain().set_index("group").loc["Network roles and engagement"]
    >>> (int(t["n_network_not_significant"]), float(t["median_network_reliability"]),
    ...  float(t["median_network_reliability_all"]))
    (1, 0.75, 0.74)
    """
    if by not in ("domain", "framework_element"):
        raise ValueError(f"by: expected 'domain' or 'framework_element', found {by!r}")
    table = load_reliability_table() if table is None else table
    if by not in table.columns:
        raise ValueError(f"table: column {by!r} is missing")
    rows = []
    for group, sub in table.groupby(by, sort=False):
        row = {"group": group, "n_measures": len(sub), "n_items": int(sub["n_items"].sum()),
               "measures": "; ".join(sub["measure"])}
        for level in ("school", "network"):
            ns = sub[f"{level}_not_significant"].astype(bool)
            values = sub[f"{level}_reliability"]
            row[f"n_{level}_not_significant"] = int(ns.sum())
            row[f"median_{level}_reliability"] = float(values[~ns].median())
            row[f"median_{level}_reliability_all"] = float(values.median())
        rows.append(row)
    return pd.DataFrame(rows)


def with_ns_marks(table: pd.DataFrame, *, levels=("school", "network")) -> pd.DataFrame:
    """The reliability table for display, each reliability printed as the poster prints it.

    Returns a copy whose ``<level>_reliability`` columns are strings such as ``"0.29 (n.s.)"``
    where ``<level>_not_significant`` is 1 (and ``"0.84"`` otherwise), the
    ``*_not_significant`` columns dropped, and ``individual_reliability`` printed ``"N/A"`` for
    single items, as on the poster. Not modified: ``table``.

    Examples
    --------
    >>> shown = with_ns_marks(load_reliability_table()).set_index("measure")
    >>> shown.loc["Hub support for school team leads", ["school_reliability",
    ...                                                 "network_reliability"]].tolist()
    ['0.06 (n.s.)', '0.29 (n.s.)']
    >>> shown.loc["Have a voice", "individual_reliability"]
    'N/A'
    """
    out = table.copy()
    for level in levels:
        ns = out[f"{level}_not_significant"].astype(bool)
        out[f"{level}_reliability"] = [f"{v:.2f}" + (" (n.s.)" if flag else "")
                                       for v, flag in zip(out[f"{level}_reliability"], ns)]
        out = out.drop(columns=f"{level}_not_significant")
    if "individual_reliability" in out.columns:
        out["individual_reliability"] = [("N/A" if pd.isna(v) else f"{v:.2f}")
                                         for v in out["individual_reliability"]]
    return out


def plot_network_reliabilities(table: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Horizontal bars of the published network-level reliability of every measure, coloured by
    group; bars the poster marks "(n.s.)" are hatched and labelled "n.s." (static figure).
    Each bar's ``gid`` is its measure name."""
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 10))
    ordered = table.iloc[::-1]
    colors = {d: c for d, c in zip(table["domain"].unique(), plt.cm.tab10.colors)}
    bars = ax.barh(ordered["measure"], ordered["network_reliability"],
                   color=[colors[d] for d in ordered["domain"]])
    for bar, (_, row) in zip(bars, ordered.iterrows()):
        bar.set_gid(row["measure"])
        if row["network_not_significant"]:
            bar.set_hatch("///")
            bar.set_edgecolor("0.2")
            ax.text(row["network_reliability"] + 0.01, bar.get_y() + bar.get_height() / 2,
                    "n.s.", va="center", fontsize=7)
    ax.set_xlabel('network-level reliability (published; hatched: marked "(n.s.)")')
    ax.set_xlim(0, 1)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(handles=[plt.Rectangle((0, 0), 1, 1, color=c) for c in colors.values()],
              labels=list(colors), fontsize=7, loc="lower right")
    return ax


def plot_framework(ax: Axes | None = None) -> Axes:
    """Draw the INHD framework (Russell et al., 2025, Figure 1) with matplotlib patches and arrows.

    The six domains (left) feed the proximal outcome (capacity and commitment), which feeds the
    distal outcome (progress toward the aim); a dashed frame labelled with the institutional context
    surrounds them. Each box is a ``FancyBboxPatch`` whose ``gid`` is its label; each arrow a
    ``FancyArrowPatch``.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 7)
    ax.set_axis_off()

    def box(x, y, w, h, label, color, text=None):
        patch = FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", facecolor=color,
                               edgecolor="0.2", gid=label)
        ax.add_patch(patch)
        ax.text(x + w / 2, y + h / 2, text or label, ha="center", va="center", fontsize=8.5)
        return patch

    context = FancyBboxPatch((0.1, 0.1), 9.8, 6.8, boxstyle="round,pad=0.02", facecolor="none",
                             edgecolor="0.4", linestyle="--", gid=CONTEXT)
    ax.add_patch(context)
    ax.text(5, 6.65, CONTEXT, ha="center", va="center", fontsize=9, style="italic")

    h, gap, top = 0.8, 0.15, 6.1
    for i, name in enumerate(DOMAINS):
        y = top - (i + 1) * h - i * gap
        box(0.35, y, 3.3, h, name, "#cfe2f3")
        ax.add_patch(FancyArrowPatch((3.75, y + h / 2), (4.4, 3.3), arrowstyle="-|>", mutation_scale=12,
                                     color="0.3", gid=f"arrow: {name}"))
    box(4.5, 2.7, 2.3, 1.2, OUTCOMES[0], "#d9ead3",
        "Educator capacity and\ncommitment to collaborative\nproblem solving")
    ax.add_patch(FancyArrowPatch((6.9, 3.3), (7.3, 3.3), arrowstyle="-|>", mutation_scale=14,
                                 color="0.3", gid="arrow: capacity -> aim"))
    box(7.4, 2.7, 2.2, 1.2, OUTCOMES[1], "#fce5cd", "Progress toward the\nnetwork's improvement aim")
    ax.set_title("Improvement Network Health & Development framework")
    return ax
