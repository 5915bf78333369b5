"""Network feedback reports: the information system of Sherer et al. (2025).

A report shows one network its measure against all networks (a caterpillar plot with the network
highlighted), the distribution of its members over the four ordered categories of the probability
density display, its item profile, and its trend across survey waves when the data have several.

The measure is calibrated once for all networks (:func:`calibrate`: Rasch rating-scale model on the
items, then the unconditional model of measures with their known error variances, persons in
networks: the participatory-benefits paper's three-level model of measurement, persons and networks),
and every network's report is drawn from that calibration.

Privacy: every figure follows the suppression rule of :mod:`inhd.privacy`. :func:`report_data`
computes, once for all networks, every figure a report publishes: only respondents of shown cells (a
network in one wave, at least ``min_cell`` of them) count, the all-networks figures pool the shown
cells only, and items and waves under the threshold are suppressed and marked. The network model
itself is fitted on those respondents only (:func:`calibrate`), so that no published estimate draws
on a suppressed cell. The calibration holds respondent-level measures; it is working material, never
published: the reports carry only group-level figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.data import item_columns
from inhd.estimates import network_estimates
from inhd.hlm import fit_known_variance
from inhd.plots import plot_caterpillar as caterpillar
from inhd.privacy import (MIN_CELL, category_shares, cell_means, check_min_cell, pooled_means, publishable,
                          shown_groups)
from inhd.publish import write_shareable_csv
from inhd.published import PB_ITEMS
from inhd.scales import FOUR_CATEGORIES, four_categories, four_category_cuts, on_0_10_scale
from inhd.survey_measures import calibrate_items
from inhd.survey_run import METHODS, few_networks

CATEGORY_LABELS = list(FOUR_CATEGORIES)


#: The columns of :attr:`ReportData.networks`.
_NETWORK_COLUMNS = ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10", "suppressed", "rank"]


class UnmodellableData(ValueError):
    """Data that pass validation but that the report's models cannot be fitted to; the message says
    which network or item, and why."""


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
        ``(low, high)``: the logits mapped to 0 and 10 on the reporting scale
        (:func:`inhd.scales.reporting_range` of the item calibration: no respondent's measure).
    persons
        Respondent-level working table: respondent_id, network_id, wave, measure, se, category.
        Never published.
    networks
        One row per network: ``network_id, n_persons, mean, se, mean_0_10, se_0_10``: the EB
        estimate of the network's mean from the unconditional model and its posterior SE, in
        logits and on the 0-10 scale.
    responses
        Respondent-level item responses (for the item profile). Never published.
    min_cell
        The smallest cell shown: the network model was fitted on the respondents of cells of at least
        this size (:func:`inhd.privacy.publishable`); the networks below it have no estimate.
    response_scale
        ``(lowest, highest)`` response code of the items, as the respondents answered them.
    reversed
        The reverse-keyed items: ``responses`` hold them recoded as ``lowest + highest - x``.
    method
        The Rasch estimation method (``"jmle"`` or ``"cml"``).
    """

    items: pd.DataFrame
    thresholds: pd.Series
    cuts: np.ndarray
    scale: tuple[float, float]
    persons: pd.DataFrame
    networks: pd.DataFrame
    responses: pd.DataFrame
    min_cell: int = MIN_CELL
    response_scale: tuple[int, int] = (1, 5)
    reversed: tuple[str, ...] = ()
    method: str = "jmle"

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
        pd.DataFrame({"low": [self.scale[0]], "high": [self.scale[1]], "min_cell": [self.min_cell],
                      "response_low": [self.response_scale[0]], "response_high": [self.response_scale[1]],
                      "method": [self.method]}).to_csv(folder / "scale.csv", index=False)
        pd.DataFrame({"item": list(self.reversed)}, dtype=str).to_csv(folder / "reversed.csv", index=False)
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
            min_cell=int(scale["min_cell"]) if "min_cell" in scale else MIN_CELL,
            response_scale=((int(scale["response_low"]), int(scale["response_high"])) if "response_low" in scale
                            else (1, 5)),
            reversed=(tuple(pd.read_csv(folder / "reversed.csv", dtype=str)["item"])
                      if (folder / "reversed.csv").is_file() else ()),
            method=str(scale["method"]) if "method" in scale else "jmle",
        )


def calibrate(respondents: pd.DataFrame, *, items: list[str], method: str = "jmle",
              min_cell: int = MIN_CELL, scale=None, reversed=()) -> Calibration:
    """Calibrate a measure: Rasch rating-scale model on everyone, then network EB estimates.

    Parameters
    ----------
    respondents
        The respondents table of the data contract (``inhd.data.load_survey``).
    items
        The item columns that make up the measure.
    method
        Rasch estimation method, ``"jmle"`` (as Winsteps) or ``"cml"`` (as eRm).
    min_cell
        The suppression threshold (:mod:`inhd.privacy`): the network model is fitted on the
        respondents of network-wave cells of at least this size, so that no published estimate
        draws on a suppressed cell. The Rasch model uses everyone (its item difficulties are model
        parameters), and the 0-10 range comes from it (:func:`inhd.scales.reporting_range`).
    scale
        The response scale ``(lowest, highest)`` (:func:`inhd.survey_measures.calibrate_items`); default:
        the range the responses hold.
    reversed
        The items of ``respondents`` already recoded as ``lowest + highest - x`` (reverse-keyed), for
        the reports to say so and to show their means as answered.

    Raises
    ------
    UnmodellableData
        The rating-scale model or the network model cannot be fitted (e.g. fewer than two networks
        with ``min_cell`` respondents, a network of one respondent making the fit singular); the
        message names the networks or items and the cause.

    Notes
    -----
    The unconditional model is y_i = gamma + u_network + e_i + epsilon_i with epsilon_i ~ N(0, se_i^2)
    known (the Rasch standard error), fitted by REML with :func:`inhd.hlm.fit_known_variance`.
    """
    min_cell = check_min_cell(min_cell)
    missing = [item for item in items if item not in respondents.columns]
    if missing:
        raise ValueError(f"calibrate: item column(s) {missing} not in the respondents table")
    responses = respondents.set_index("respondent_id")[items]
    unknown = [item for item in reversed if item not in items]
    if unknown:
        raise ValueError(f"calibrate: reverse-keyed item(s) {unknown} are not among the items")
    if scale is None:
        values = responses.to_numpy(dtype=float, na_value=np.nan)
        values = values[np.isfinite(values)]
        scale = (int(values.min()), int(values.max())) if values.size else None
    scale = None if scale is None else (int(scale[0]), int(scale[1]))
    try:
        rasch = calibrate_items(responses, scale=scale, method=method)
    except (ValueError, np.linalg.LinAlgError) as err:
        raise UnmodellableData(f"the data validate but the rating-scale model cannot be fitted to the items "
                               f"{', '.join(map(str, items))}: {err}") from None
    persons = rasch.persons[["measure", "se"]].rename_axis("respondent_id").reset_index()
    keep = ["respondent_id", "network_id"] + (["wave"] if "wave" in respondents.columns else [])
    persons = persons.merge(respondents[keep], on="respondent_id", how="left")
    persons["network_id"] = persons["network_id"].astype(str)
    persons["known_variance"] = persons["se"] ** 2
    cuts = np.asarray(four_category_cuts(rasch.thresholds.to_numpy()), dtype=float)
    persons["category"] = four_categories(persons["measure"].to_numpy(), cuts)
    fitted = persons[publishable(persons, min_cell=min_cell).to_numpy() & persons["measure"].notna().to_numpy()]
    networks = _network_model(fitted, persons, min_cell=min_cell)
    low, high = rasch.reporting_range()
    return Calibration(
        items=rasch.items, thresholds=rasch.thresholds, cuts=cuts, scale=(low, high),
        persons=persons.drop(columns="known_variance"),
        networks=on_0_10_scale(networks, low=low, high=high),
        responses=respondents[["respondent_id", "network_id", *items]].assign(
            network_id=lambda f: f["network_id"].astype(str)),
        min_cell=min_cell, response_scale=scale, reversed=tuple(reversed), method=method,
    )


def _network_model(fitted: pd.DataFrame, persons: pd.DataFrame, *, min_cell: int) -> pd.DataFrame:
    """EB means of the networks in ``fitted``: ``network_id, n_persons, mean, se`` for every network of
    ``persons`` (``n_persons`` counts all its respondents; no estimate for a network not fitted)."""
    counts = persons.groupby("network_id").size().rename("n_persons")
    shown = sorted(fitted["network_id"].unique())
    small = counts[~counts.index.isin(shown)].sort_values()
    named = ", ".join(f"{network} ({n})" for network, n in small.head(5).items())
    if len(shown) < 2:
        raise UnmodellableData(
            f"the data validate but cannot be modelled: the network model needs at least 2 networks with "
            f"{min_cell} or more respondents in a survey wave, and {len(shown)} ha{'s' if len(shown) == 1 else 've'} "
            f"them{' (' + shown[0] + ')' if shown else ''}; the others are too small to be shown or modelled: {named}")
    try:
        model = fit_known_variance(fitted, "measure ~ 1", known_variance="known_variance", groups=["network_id"])
    except (ValueError, np.linalg.LinAlgError) as err:
        sizes = fitted.groupby("network_id").size().sort_values()
        named = ", ".join(f"{network} ({n} respondents)" for network, n in sizes.head(3).items())
        raise UnmodellableData(
            f"the data validate but the network model cannot be fitted to the {len(shown)} networks shown ({err}); "
            f"the smallest are {named}: too few networks, or networks whose members all have the same "
            "measure, leave the between-network variance unidentified") from None
    estimates = network_estimates(model)[["network_id", "mean", "se"]]
    table = counts.rename_axis("network_id").reset_index().merge(estimates, on="network_id", how="left")
    return table[["network_id", "n_persons", "mean", "se"]]


# ---------------------------------------------------------------------------------------------------
# Every published figure, once for all networks


@dataclass(frozen=True)
class MeasureFacts:
    """What every report says about the measure it shows: its items, the response scale, the
    reverse-keyed items and their recoding, the estimation method, and what it was calibrated on.

    ``n_thresholds`` is the number of Andrich thresholds the model used (1 for a dichotomy);
    ``warnings`` are sentences shown as warnings (e.g. a response scale wider than the items use).
    """

    items: tuple[str, ...]
    response_scale: tuple[int, int]
    reversed: tuple[str, ...]
    method: str
    n_persons: int
    n_networks: int
    n_thresholds: int
    warnings: tuple[str, ...] = ()

    @property
    def recoding(self) -> str:
        """The recoding of the reverse-keyed items, e.g. ``"5 - x"``."""
        return f"{self.response_scale[0] + self.response_scale[1]} - x"

    def summary(self) -> str:
        """The measure in plain sentences."""
        low, high = self.response_scale
        text = (f"The measure: {len(self.items)} items answered on the response scale {low}-{high} "
                f"({', '.join(self.items)}).")
        if self.reversed:
            text += (f" Reverse-keyed items, recoded as {self.recoding} before calibration: "
                     f"{', '.join(self.reversed)}.")
        return text + (f" Rasch rating-scale model, {METHODS.get(self.method, self.method)}; calibrated on "
                       f"{self.n_persons:,} respondents in {self.n_networks:,} networks.")


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
        Mean response per item, on the response scale as answered: ``network_id, item, difficulty,
        reversed, n_persons, mean, suppressed`` and ``item, difficulty, reversed, n_persons, n_cells,
        mean, suppressed`` (pooling the shown network-item cells); the items in order of difficulty
        (logits, from the calibration on everyone); ``reversed`` marks the reverse-keyed items.
    waves, all_waves
        Mean measure per wave: ``network_id, wave, n_persons, mean, suppressed, mean_0_10`` and ``wave,
        n_persons, n_cells, mean, suppressed, mean_0_10`` (logits, and the 0-10 scale of the
        estimates); empty when the data hold fewer than two waves.
    min_cell
        The smallest group shown.
    note
        A sentence shown at the top of every report (e.g. that the data are synthetic), or ``""``.
    categories
        The four reporting categories.
    measure
        The measure's facts (:class:`MeasureFacts`): items, response scale, reverse-keyed items, method.
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
    measure: MeasureFacts | None = None

    @property
    def network_ids(self) -> list[str]:
        """Every network, in the order of the networks table."""
        return self.networks["network_id"].tolist()

    def summary(self) -> str:
        """Networks shown and suppressed, items, waves and the threshold."""
        shown = int((~self.networks["suppressed"]).sum())
        return (f"Report figures for {len(self.networks)} networks ({shown} shown, {len(self.networks) - shown} "
                f"suppressed; min_cell {self.min_cell}), {len(self.all_items)} items, {len(self.all_waves)} waves")


def _estimates(calibration: Calibration) -> pd.DataFrame:
    """The calibration's EB estimates as ``network_id, mean, se, mean_0_10, se_0_10``."""
    table = calibration.networks[["network_id", "mean", "se", "mean_0_10", "se_0_10"]].copy()
    table["network_id"] = table["network_id"].astype(str)
    return table


def _resolve_min_cell(calibration: Calibration, min_cell: int | None) -> int:
    """``min_cell`` (default: the calibration's), refused when the network model was fitted with another."""
    min_cell = calibration.min_cell if min_cell is None else check_min_cell(min_cell)
    if min_cell != calibration.min_cell:
        raise ValueError(f"this calibration fitted the network model on cells of at least {calibration.min_cell} "
                         f"respondents; to report with min_cell={min_cell}, calibrate with min_cell={min_cell}")
    return min_cell


def _as_answered(table: pd.DataFrame, calibration: Calibration) -> pd.DataFrame:
    """Item means back on the scale the respondents answered: a reverse-keyed item's mean of recoded
    responses ``y = lowest + highest - x`` is turned back into the mean of ``x``; ``reversed`` marks them."""
    low, high = calibration.response_scale
    flipped = table["item"].isin(set(map(str, calibration.reversed))).to_numpy()
    mean = pd.to_numeric(table["mean"]).astype("Float64")
    table = table.assign(mean=mean.where(~flipped, low + high - mean))
    table.insert(table.columns.get_loc("difficulty") + 1, "reversed", flipped)
    return table


def _with_difficulty(table: pd.DataFrame, difficulty: pd.Series) -> pd.DataFrame:
    table = table.rename(columns={"variable": "item"})
    table["item"] = table["item"].astype(str)
    table.insert(table.columns.get_loc("item") + 1, "difficulty", table["item"].map(difficulty).to_numpy())
    return table


def report_data(calibration: Calibration, *, min_cell: int | None = None, note: str = "",
                warnings=()) -> ReportData:
    """Compute every published figure of the network reports from a calibration, once.

    Parameters
    ----------
    calibration
        :func:`inhd.report.calibrate` on all respondents.
    min_cell
        Smallest group shown (at least 1): cells, items and waves below it are suppressed. Default:
        the calibration's (another value is refused: calibrate with it).
    note
        A sentence shown at the top of every report.
    warnings
        Sentences every report shows as warnings (e.g. the validation's about the response scale);
        a warning that too few networks are shown for their variance to mean much
        (:func:`inhd.survey_run.few_networks`) is added to them.

    Notes
    -----
    The suppression rule of :mod:`inhd.privacy`: a respondent counts only when their network-wave
    cell has at least ``min_cell`` respondents; the all-networks figures pool the shown cells only;
    item and wave means need ``min_cell`` answers. Item difficulties are model parameters of the
    calibration on everyone and are shown as they are.

    Item means are on the response scale as the respondents answered: a reverse-keyed item's mean is
    ``lowest + highest`` minus the mean of its recoded responses (the recoding is linear), marked
    ``reversed``. Wave means are the members' mean measure in logits (``mean``) and on the 0-10 scale
    of the estimates (``mean_0_10``).
    """
    min_cell = _resolve_min_cell(calibration, min_cell)
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
    items, all_items = (_as_answered(_with_difficulty(table, difficulty), calibration) for table in (items, all_items))

    if "wave" in persons.columns and persons["wave"].dropna().nunique() >= 2:
        timed = persons[persons["wave"].notna()]
        waves = cell_means(timed, ["measure"], by=["network_id", "wave"], among=ok, min_cell=min_cell)
        all_waves = pooled_means(timed, ["measure"], cells=["network_id"], by=["wave"], among=ok, min_cell=min_cell)
        waves, all_waves = waves.drop(columns="variable"), all_waves.drop(columns="variable")
    else:
        waves = pd.DataFrame(columns=["network_id", "wave", "n_persons", "mean", "suppressed"])
        all_waves = pd.DataFrame(columns=["wave", "n_persons", "n_cells", "mean", "suppressed"])
    low, high = calibration.scale
    waves, all_waves = (table.assign(mean_0_10=lambda t: 10 * (pd.to_numeric(t["mean"]).astype(float) - low)
                                     / (high - low)) for table in (waves, all_waves))
    measure = MeasureFacts(items=tuple(map(str, calibration.items.index)), response_scale=calibration.response_scale,
                           reversed=tuple(calibration.reversed), method=calibration.method,
                           n_persons=len(calibration.persons), n_networks=len(calibration.networks),
                           n_thresholds=len(calibration.thresholds),
                           warnings=(*warnings, *filter(None, [few_networks(int((~networks["suppressed"]).sum()),
                                                                            where=" shown")])))
    return ReportData(networks=networks[_NETWORK_COLUMNS], distribution=distribution,
                      all_distribution=all_distribution, items=items, all_items=all_items, waves=waves,
                      all_waves=all_waves, min_cell=min_cell, note=note, categories=categories, measure=measure)




@dataclass(frozen=True)
class NetworkView:
    """What one network's report shows: its figures beside all networks', suppression applied.

    ``distribution`` has two rows (``group`` = ``"this network"``, ``"all networks"``); ``items`` and
    ``waves`` have one row per item (by difficulty) and per wave with ``n_persons, network_mean,
    suppressed`` for the network and ``all_n_persons, all_mean, all_suppressed`` for all networks;
    ``items`` also ``difficulty`` and ``reversed`` (its means are as answered), ``waves`` the means on
    the 0-10 scale too (``network_mean_0_10, all_mean_0_10``).
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

    def summary(self) -> str:
        """The headline sentence."""
        return self.headline

    @property
    def headline(self) -> str:
        """The report's first sentence (plain text)."""
        if self.suppressed:
            return (f"This network has fewer than {self.min_cell} respondents in every survey wave shown, so its "
                    "results are suppressed to protect its members: only the other networks' results are shown.")
        return (f"{self.respondents}. The network's estimate is {self.mean_0_10:.1f} on the 0-10 "
                f"scale (±{2 * self.se_0_10:.1f}), ranking {self.rank} of {self.n_shown} networks shown.")

    @property
    def respondents(self) -> str:
        """Who answered, in words: members of one survey, or responses over several waves (a member who
        answered in several waves counts in each, the data holding no person across waves)."""
        if self.waves.empty:
            return f"{self.n_persons:,} members answered"
        return (f"{self.n_persons:,} responses over {len(self.waves)} survey waves (a member who answered in "
                "several waves counts once in each)")


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
                                           "mean_0_10": "all_mean_0_10", "suppressed": "all_suppressed"})
    waves = waves.drop(columns="n_cells")
    own = data.waves[data.waves["network_id"] == network_id][["wave", "n_persons", "mean", "mean_0_10", "suppressed"]]
    waves = waves.merge(own.rename(columns={"mean": "network_mean", "mean_0_10": "network_mean_0_10"}), on="wave",
                        how="left")
    waves["suppressed"] = waves["suppressed"].fillna(True).astype(bool)   # no respondents: marked the same
    order = ["n_persons", "network_mean", "suppressed", "all_n_persons", "all_mean", "all_suppressed"]
    on_0_10 = ["network_mean_0_10", "all_mean_0_10"]
    n_shown = int((~data.networks["suppressed"]).sum())
    return NetworkView(
        network_id=network_id, suppressed=suppressed,
        n_persons=None if suppressed else int(row["n_persons"]),
        mean_0_10=None if suppressed else float(row["mean_0_10"]),
        se_0_10=None if suppressed else float(row["se_0_10"]),
        rank=None if suppressed else int(row["rank"]), n_shown=n_shown,
        n_suppressed=len(data.networks) - n_shown, min_cell=data.min_cell, distribution=distribution,
        items=items[["item", "difficulty", "reversed", *order]], waves=waves[["wave", *order, *on_0_10]],
    )


# ---------------------------------------------------------------------------------------------------
# One network's tables, and pyplot figures of them (for notebooks; the reports use inhd.report_page)


def network_table(calibration: Calibration, *, min_cell: int | None = None) -> pd.DataFrame:
    """All networks' EB means under the suppression rule: shareable.

    ``network_id, n_persons, mean, se, mean_0_10, se_0_10, suppressed``; ``n_persons`` counts the
    publishable respondents; a suppressed network keeps only its id.
    """
    return report_data(calibration, min_cell=min_cell).networks.drop(columns="rank")


def category_distribution(calibration: Calibration, network_id: str, *, min_cell: int | None = None) -> pd.DataFrame:
    """Share of respondents in each of the four categories: this network beside all networks (shown cells)."""
    table = network_view(report_data(calibration, min_cell=min_cell), network_id).distribution
    return table.assign(group=[f"network {network_id}", "all networks"])


def item_profile(calibration: Calibration, network_id: str, *, min_cell: int | None = None) -> pd.DataFrame:
    """Mean response to each item (by difficulty): this network beside all networks' shown cells.

    ``item, difficulty, n_persons, network_mean, suppressed, all_n_persons, all_mean, all_suppressed``.
    """
    return network_view(report_data(calibration, min_cell=min_cell), network_id).items


def wave_trend(calibration: Calibration, network_id: str, *, min_cell: int | None = None) -> pd.DataFrame:
    """Mean measure by survey wave: this network beside all networks' shown cells (empty without waves).

    ``wave, n_persons, network_mean, suppressed, all_n_persons, all_mean, all_suppressed``.
    """
    return network_view(report_data(calibration, min_cell=min_cell), network_id).waves


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=figsize)


def plot_caterpillar(calibration: Calibration, network_id: str | None = None, *, min_cell: int | None = None,
                     ax=None):
    """Networks' EB means on the 0-10 scale, sorted, with ±2 SE bars; ``network_id`` highlighted.

    Suppressed networks are left out and counted in the title.
    """
    ax = ax or _new_axes((8, 4))[1]
    table = network_table(calibration, min_cell=min_cell)
    shown = table[~table["suppressed"]].astype({"mean_0_10": float, "se_0_10": float})
    caterpillar(shown, estimate="mean_0_10", se="se_0_10", highlight=network_id, ax=ax, average=False)
    suppressed = int(table["suppressed"].sum())
    threshold = calibration.min_cell if min_cell is None else min_cell
    note = f"; {suppressed} network(s) suppressed (fewer than {threshold} respondents)" if suppressed else ""
    ax.set_title(f"All networks, ±2 SE{note}", fontsize=9)
    return ax


def plot_distribution(calibration: Calibration, network_id: str, *, min_cell: int | None = None, ax=None):
    """Four-bar display: shares of respondents per category, this network beside all networks."""
    ax = ax or _new_axes((6, 3.5))[1]
    table = category_distribution(calibration, network_id, min_cell=min_cell)
    width = 0.4
    for offset, label, (_, row) in zip((-width / 2, width / 2), ("this network", "all networks"), table.iterrows()):
        values = [0.0 if row["suppressed"] else float(row[c]) for c in CATEGORY_LABELS]
        ax.bar(np.arange(4) + offset, values, width=width, label=label + (" (suppressed)" if row["suppressed"] else ""))
    ax.set_xticks(range(4), CATEGORY_LABELS)
    ax.set_ylabel("share of respondents")
    ax.legend(fontsize=8)
    return ax


def plot_item_profile(calibration: Calibration, network_id: str, *, min_cell: int | None = None, ax=None):
    """Mean response per item (easiest at the top): this network's dots beside all networks' line;
    suppressed items are marked in their label."""
    ax = ax or _new_axes((6, 4))[1]
    table = item_profile(calibration, network_id, min_cell=min_cell)
    y = np.arange(len(table))
    ax.plot(table["all_mean"].astype(float), y, "o-", color="#999999", label="all networks")
    shown = ~table["suppressed"].to_numpy(dtype=bool)
    ax.plot(table.loc[shown, "network_mean"].astype(float), y[shown], "o", color="#c0392b", label="this network")
    labels = [f"{item} (suppressed)" if mine or every else str(item)
              for item, mine, every in zip(table["item"], table["suppressed"], table["all_suppressed"])]
    ax.set_yticks(y, labels, fontsize=7, parse_math=False)
    ax.invert_yaxis()
    ax.set_xlabel("mean response")
    ax.legend(fontsize=8)
    return ax


def plot_trend(calibration: Calibration, network_id: str, *, min_cell: int | None = None, ax=None):
    """Mean measure by wave: this network beside all networks; suppressed waves are marked on the axis."""
    ax = ax or _new_axes((6, 3.5))[1]
    table = wave_trend(calibration, network_id, min_cell=min_cell)
    waves = table["wave"].astype(float).to_numpy()
    ax.plot(waves, table["all_mean"].astype(float), "o-", color="#999999", label="all networks")
    mine = np.where(table["suppressed"], np.nan, table["network_mean"].astype(float))
    ax.plot(waves, mine, "o-", color="#c0392b", label="this network")
    ax.set_xticks(waves, [f"{w:g}" + (" (suppressed)" if s or a else "")
                          for w, s, a in zip(waves, table["suppressed"], table["all_suppressed"])])
    ax.set_xlabel("survey wave")
    ax.set_ylabel("mean measure (logits)")
    ax.legend(fontsize=8)
    return ax


@dataclass(frozen=True)
class NetworkSummary:
    """The headline of a network's report: size, estimate, rank, and a sentence saying so.

    ``n_persons`` counts the publishable respondents; ``mean_0_10`` and ``rank`` are ``None`` for a
    suppressed network; ``n_networks`` counts the networks shown. ``text`` is plain text.
    """

    network_id: str
    n_persons: int | None
    suppressed: bool
    mean_0_10: float | None
    rank: int | None
    n_networks: int
    text: str

    def summary(self) -> str:
        """The headline sentence."""
        return self.text


def network_summary(calibration: Calibration, network_id: str, *, min_cell: int | None = None) -> NetworkSummary:
    """Headline figures for one network; a suppressed network gets only the suppression notice."""
    data = report_data(calibration, min_cell=min_cell)
    if str(network_id) not in set(data.networks["network_id"]):
        raise ValueError(f"network {network_id!r} is not in the calibration ({len(data.networks)} networks)")
    view = network_view(data, network_id)
    return NetworkSummary(view.network_id, view.n_persons, view.suppressed, view.mean_0_10, view.rank, view.n_shown,
                          view.headline)


def write_tables(calibration: Calibration, network_id: str, output_dir: str | Path, *,
                 min_cell: int | None = None) -> list[Path]:
    """Write the report's shareable tables (group level, suppression rule, formulas neutralised) as CSV."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "networks.csv": network_table(calibration, min_cell=min_cell),
        "distribution.csv": category_distribution(calibration, network_id, min_cell=min_cell),
        "item_profile.csv": item_profile(calibration, network_id, min_cell=min_cell),
        "trend.csv": wave_trend(calibration, network_id, min_cell=min_cell),
    }
    return [write_shareable_csv(table, output_dir / name) for name, table in tables.items()]


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
