"""Network feedback reports: the information system of Sherer et al. (2025).

A report shows one network its measure against all networks (a caterpillar plot with the network
highlighted), the distribution of its members over the four ordered categories of the probability
density display, its item profile, and its trend across survey waves when the data have several.

The measure is calibrated once for all networks (:func:`calibrate`: Rasch rating-scale model on the
items, then the unconditional two-level model of measures with their known error variances, as in the
participatory-benefits paper), and every network's report is drawn from that calibration.

Privacy: every group shown with fewer than ``min_cell`` respondents is suppressed and marked as such,
in tables and figures alike (:mod:`inhd.privacy`). The calibration holds respondent-level measures; it
is working material, never published: the reports carry only group-level figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.data import item_columns
from inhd.estimates import network_estimates
from inhd.hlm import fit_known_variance
from inhd.plots import plot_caterpillar as caterpillar
from inhd.privacy import MIN_CELL, suppress_small_groups
from inhd.published import PB_ITEMS
from inhd.scales import FOUR_CATEGORIES, four_categories, four_category_cuts, reporting_range
from inhd.survey_measures import calibrate_items

CATEGORY_LABELS = list(FOUR_CATEGORIES)


@dataclass(frozen=True)
class Calibration:
    """One calibration of a measure over all networks, from which every network's report is drawn.

    Attributes
    ----------
    items
        Item difficulties (logits) with fit statistics, indexed by item.
    thresholds
        The Andrich thresholds of the rating scale.
    cuts
        The three cut points (logits) dividing measures into low, low-middle, high-middle and high.
    scale
        ``(low, high)``: the logits mapped to 0 and 10 on the reporting scale.
    persons
        Respondent-level working table: respondent_id, network_id, wave, measure, se, category.
        Never published.
    networks
        One row per network: ``network_id, n_persons, mean, se, mean_0_10, se_0_10``: the EB
        estimate of the network's mean from the unconditional model and its posterior SE, in
        logits and on the 0-10 scale.
    responses
        Respondent-level item responses (for the item profile). Never published.
    """

    items: pd.DataFrame
    thresholds: pd.Series
    cuts: np.ndarray
    scale: tuple[float, float]
    persons: pd.DataFrame
    networks: pd.DataFrame
    responses: pd.DataFrame

    def summary(self) -> str:
        """Items, networks and respondents calibrated, the cut points and the 0-10 range."""
        return (f"Calibration of {len(self.items)} items on {len(self.persons)} respondents in "
                f"{len(self.networks)} networks; category cuts "
                f"{', '.join(f'{c:.2f}' for c in self.cuts)} logits; 0-10 scale from "
                f"{self.scale[0]:.2f} to {self.scale[1]:.2f} logits")

    def save(self, folder: str | Path) -> Path:
        """Write the calibration to ``folder`` (CSV files), for the report notebook to read."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.items.to_csv(folder / "items.csv", index_label="item")
        pd.DataFrame({"threshold": self.thresholds}).to_csv(folder / "thresholds.csv", index_label="step")
        pd.DataFrame({"cut": self.cuts}).to_csv(folder / "cuts.csv", index=False)
        pd.DataFrame({"low": [self.scale[0]], "high": [self.scale[1]]}).to_csv(folder / "scale.csv", index=False)
        self.persons.to_csv(folder / "persons.csv", index=False)
        self.networks.to_csv(folder / "networks.csv", index=False)
        self.responses.to_csv(folder / "responses.csv", index=False)
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "Calibration":
        """Read a calibration written by :meth:`save`."""
        folder = Path(folder)
        ids = {"respondent_id": str, "network_id": str}
        scale = pd.read_csv(folder / "scale.csv").iloc[0]
        return cls(
            items=pd.read_csv(folder / "items.csv", index_col="item"),
            thresholds=pd.read_csv(folder / "thresholds.csv", index_col="step")["threshold"],
            cuts=pd.read_csv(folder / "cuts.csv")["cut"].to_numpy(),
            scale=(float(scale["low"]), float(scale["high"])),
            persons=pd.read_csv(folder / "persons.csv", dtype=ids),
            networks=pd.read_csv(folder / "networks.csv", dtype=ids),
            responses=pd.read_csv(folder / "responses.csv", dtype=ids),
        )


def calibrate(respondents: pd.DataFrame, *, items: list[str], method: str = "jmle", scale=None) -> Calibration:
    """Calibrate a measure on all respondents: Rasch rating-scale model, then network EB estimates.

    Parameters
    ----------
    respondents
        The respondents table of the data contract (``inhd.data.load_survey``).
    items
        The item columns that make up the measure.
    method
        Rasch estimation method, ``"jmle"`` (as Winsteps) or ``"cml"`` (as eRm).
    scale
        The response scale ``(lowest, highest)`` (:func:`inhd.survey_measures.calibrate_items`).

    Notes
    -----
    The unconditional model is y_i = gamma + u_network + e_i + epsilon_i with epsilon_i ~ N(0, se_i^2)
    known (the Rasch standard error), fitted by REML with :func:`inhd.hlm.fit_known_variance`.
    """
    missing = [item for item in items if item not in respondents.columns]
    if missing:
        raise ValueError(f"calibrate: item column(s) {missing} not in the respondents table")
    responses = respondents.set_index("respondent_id")[items]
    rasch = calibrate_items(responses, scale=scale, method=method)
    persons = rasch.persons[["measure", "se"]].rename_axis("respondent_id").reset_index()
    keep = ["respondent_id", "network_id"] + (["wave"] if "wave" in respondents.columns else [])
    persons = persons.merge(respondents[keep], on="respondent_id", how="left")
    persons["known_variance"] = persons["se"] ** 2
    cuts = np.asarray(four_category_cuts(rasch.thresholds.to_numpy()), dtype=float)
    persons["category"] = four_categories(persons["measure"].to_numpy(), cuts)
    model = fit_known_variance(persons, "measure ~ 1", known_variance="known_variance", groups=["network_id"])
    low, high = reporting_range(persons["measure"])
    return Calibration(
        items=rasch.items, thresholds=rasch.thresholds, cuts=cuts, scale=(low, high),
        persons=persons.drop(columns="known_variance"),
        networks=network_estimates(model, scale=(low, high)),
        responses=respondents[["respondent_id", "network_id", *items]].copy(),
    )


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)


def network_table(calibration: Calibration, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """All networks' estimates, small networks suppressed: shareable."""
    return suppress_small_groups(calibration.networks, keep=["network_id"], min_cell=min_cell)


def category_distribution(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Share of respondents in each of the four categories: this network beside all networks."""
    persons = calibration.persons
    groups = {f"network {network_id}": persons[persons["network_id"] == network_id], "all networks": persons}
    rows = []
    for group, members in groups.items():
        counts = members["category"].value_counts().reindex(CATEGORY_LABELS, fill_value=0)
        rows.append({"group": group, "n_persons": len(members), **(counts / max(len(members), 1)).to_dict()})
    return suppress_small_groups(pd.DataFrame(rows), keep=["group"], min_cell=min_cell)


def item_profile(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Mean response to each item: this network beside all networks (items in order of difficulty)."""
    items = list(calibration.items.sort_values("difficulty").index)
    responses = calibration.responses
    mine = responses[responses["network_id"] == network_id]
    table = pd.DataFrame({
        "item": items,
        "difficulty": calibration.items.loc[items, "difficulty"].to_numpy(),
        "n_persons": [int(mine[item].notna().sum()) for item in items],
        "network_mean": [float(mine[item].astype(float).mean()) for item in items],
        "all_mean": [float(responses[item].astype(float).mean()) for item in items],
    })
    return suppress_small_groups(table, keep=["item", "difficulty", "all_mean"], min_cell=min_cell)


def wave_trend(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Mean measure by survey wave: this network beside all networks (empty without waves)."""
    persons = calibration.persons
    if "wave" not in persons.columns or persons["wave"].nunique() < 2:
        return pd.DataFrame(columns=["wave", "n_persons", "network_mean", "all_mean", "suppressed"])
    everyone = persons.groupby("wave")["measure"].mean().rename("all_mean")
    mine = persons[persons["network_id"] == network_id].groupby("wave")["measure"].agg(["size", "mean"])
    table = (everyone.to_frame().join(mine.rename(columns={"size": "n_persons", "mean": "network_mean"}))
             .reset_index().fillna({"n_persons": 0}))
    return suppress_small_groups(table[["wave", "n_persons", "network_mean", "all_mean"]], keep=["wave", "all_mean"],
                                 min_cell=min_cell)


def plot_caterpillar(calibration: Calibration, network_id: str | None = None, *, min_cell: int = MIN_CELL, ax=None):
    """Networks' EB means on the 0-10 scale, sorted, with ±2 SE bars; ``network_id`` highlighted.

    Networks with fewer than ``min_cell`` respondents are left out and counted in the title.
    """
    ax = ax or _new_axes((8, 4))[1]
    table = network_table(calibration, min_cell=min_cell)
    shown = table[~table["suppressed"]].astype({"mean_0_10": float, "se_0_10": float})
    suppressed = int(table["suppressed"].sum())
    note = f"; {suppressed} network(s) suppressed (fewer than {min_cell} respondents)" if suppressed else ""
    caterpillar(shown, estimate="mean_0_10", se="se_0_10", highlight=network_id, ax=ax, average=False)
    ax.set_title(f"All networks, ±2 SE{note}", fontsize=9)
    return ax


def plot_distribution(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL, ax=None):
    """Four-bar display: shares of respondents per category, this network beside all networks."""
    ax = ax or _new_axes((6, 3.5))[1]
    table = category_distribution(calibration, network_id, min_cell=min_cell)
    width = 0.4
    for offset, (_, row) in zip((-width / 2, width / 2), table.iterrows()):
        label = row["group"] + (" (suppressed)" if row["suppressed"] else "")
        values = [0.0 if row["suppressed"] else float(row[c]) for c in CATEGORY_LABELS]
        ax.bar(np.arange(4) + offset, values, width=width, label=label)
    ax.set_xticks(range(4), CATEGORY_LABELS)
    ax.set_ylabel("share of respondents")
    ax.legend(fontsize=8)
    return ax


def plot_item_profile(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL, ax=None):
    """Mean response per item (easiest at the top): this network's dots beside all networks' line."""
    ax = ax or _new_axes((6, 4))[1]
    table = item_profile(calibration, network_id, min_cell=min_cell)
    y = np.arange(len(table))
    ax.plot(table["all_mean"].astype(float), y, "o-", color="#999999", label="all networks")
    shown = ~table["suppressed"]
    ax.plot(table.loc[shown, "network_mean"].astype(float), y[shown], "o", color="#c0392b", label=f"network {network_id}")
    ax.set_yticks(y, table["item"], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("mean response")
    if not shown.all():
        ax.set_title(f"items with fewer than {min_cell} answers from this network are suppressed", fontsize=8)
    ax.legend(fontsize=8)
    return ax


def plot_trend(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL, ax=None):
    """Mean measure by wave: this network beside all networks (suppressed waves left out)."""
    ax = ax or _new_axes((6, 3.5))[1]
    table = wave_trend(calibration, network_id, min_cell=min_cell)
    ax.plot(table["wave"], table["all_mean"].astype(float), "o-", color="#999999", label="all networks")
    shown = table[~table["suppressed"]]
    ax.plot(shown["wave"], shown["network_mean"].astype(float), "o-", color="#c0392b", label=f"network {network_id}")
    ax.set_xlabel("survey wave")
    ax.set_ylabel("mean measure (logits)")
    ax.legend(fontsize=8)
    return ax


@dataclass(frozen=True)
class NetworkSummary:
    """The headline of a network's report: size, estimate, rank, and a sentence saying so.

    ``mean_0_10`` and ``rank`` are ``None`` for a suppressed network (fewer than ``min_cell``
    respondents); ``n_networks`` counts the networks shown.
    """

    network_id: str
    n_persons: int
    suppressed: bool
    mean_0_10: float | None
    rank: int | None
    n_networks: int
    text: str

    def summary(self) -> str:
        """The headline sentence."""
        return self.text


def network_summary(calibration: Calibration, network_id: str, *, min_cell: int = MIN_CELL) -> NetworkSummary:
    """Headline figures for one network; a suppressed network gets only the suppression notice."""
    table = network_table(calibration, min_cell=min_cell)
    if network_id not in set(table["network_id"]):
        raise ValueError(f"network {network_id!r} is not in the calibration ({len(table)} networks)")
    row = table[table["network_id"] == network_id].iloc[0]
    shown = table[~table["suppressed"]].sort_values("mean_0_10", ascending=False).reset_index(drop=True)
    n_total = int(calibration.networks.loc[calibration.networks["network_id"] == network_id, "n_persons"].iloc[0])
    if row["suppressed"]:
        text = (f"This network has fewer than {min_cell} respondents, so its results are suppressed to protect "
                f"its members: only the other networks' results are shown.")
        return NetworkSummary(network_id, n_total, True, None, None, len(shown), text)
    rank = int(shown.index[shown["network_id"] == network_id][0]) + 1
    value = float(row["mean_0_10"])
    text = (f"{n_total} members answered. The network's estimate is **{value:.1f}** on the 0-10 scale "
            f"(±{2 * float(row['se_0_10']):.1f}), ranking {rank} of {len(shown)} networks shown.")
    return NetworkSummary(network_id, n_total, False, value, rank, len(shown), text)


def write_tables(calibration: Calibration, network_id: str, output_dir: str | Path, *, min_cell: int = MIN_CELL) -> list[Path]:
    """Write the report's shareable tables (group level only, small groups suppressed) as CSV."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "networks.csv": network_table(calibration, min_cell=min_cell),
        "distribution.csv": category_distribution(calibration, network_id, min_cell=min_cell),
        "item_profile.csv": item_profile(calibration, network_id, min_cell=min_cell),
        "trend.csv": wave_trend(calibration, network_id, min_cell=min_cell),
    }
    written = []
    for name, table in tables.items():
        table.to_csv(output_dir / name, index=False)
        written.append(output_dir / name)
    return written


def default_items(respondents: pd.DataFrame) -> list[str]:
    """The measure's items when none are named.

    On the shipped participatory-benefits cohort: the nine items of the published measure
    (``inhd.published.PB_ITEMS``; the two misfitting candidates are left out). On any other data: every
    item column of the data contract.
    """
    published = [column for column, *_ in PB_ITEMS]
    if set(published) <= set(respondents.columns):
        return published
    return list(item_columns(respondents))
