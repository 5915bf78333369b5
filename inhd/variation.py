"""Variation among improvement networks: Russell, Bryk & Sherer (2025).

The variation paper explores 34 networks "using evidence generated from the survey-based
measurement system" and finds "at least six" networks whose "normative practices and member
attitudes strongly align with the INHD Framework" (the well-developed cluster) and five that
struggled (the least-developed cluster), then compares the two groups' structural characteristics
(the paper's Table 1, shipped as ``data/published/variation_structural_table.csv``). The poster
does not say how the clusters were identified; the steps below are our reconstruction.

Steps (each a function):

- :func:`network_profiles`: each measure calibrated with the Rasch model
  (:func:`inhd.survey_measures.calibrate_measure`), then a multilevel model (persons in schools in
  networks, or in networks when the data have no usable school level; known level-1 variance;
  survey wave as a fixed effect when there are several) whose network EB estimates, divided by
  the network standard deviation sqrt(tau_network), form each network's profile.
- :func:`identify_clusters`: the documented, deterministic rule that names the well- and
  least-developed networks (see its Notes), with Ward clustering as an alternative.
- :func:`plot_profile_heatmap`: measures x networks, networks ordered by the mean profile.
- :func:`structural_summary`, :func:`cluster_characteristics`: what distinguishes the groups in the
  published table, and the characteristics of the clusters we identified.

The shipped survey data are SYNTHETIC (``data/network_health_*_SYNTHETIC.csv``); the structural
table is real. Any survey in the data contract runs the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy

from inhd.hlm import fit_known_variance
from inhd.published import published_table
from inhd.survey_measures import calibrate_measures
from inhd.survey_run import markdown_text, survey_levels

__all__ = [
    "NetworkProfiles",
    "Clusters",
    "network_profiles",
    "identify_clusters",
    "plot_profile_heatmap",
    "load_structural_table",
    "structural_summary",
    "cluster_characteristics",
    "characteristics_note",
    "suppressed_note",
    "CLUSTER_LABELS",
    "FLAT_VARIANCE",
    "PROFILE_CMAP",
    "SHIPPED_NOTES",
]

#: What the notebook says about the shipped SYNTHETIC survey, and only about it.
SHIPPED_NOTES = {
    "banner": "The synthetic networks are numbered NH01-NH34 in random order. Eleven of them were planted with a "
              "high (six) or low (five) network-health factor to mimic the paper's well- and least-developed "
              "clusters, and borrow the goal, launch year, size and districts of one row of the paper's Table 1 "
              "(the networks table's structure_from column, truth only); their profiles also carry "
              "measure-specific effects and sampling error, so no method can be expected to recover them "
              "exactly. The structural table of the 11 networks is the paper's real Table 1, whose labels "
              "W1-W6 and L1-L5 no synthetic network carries.",
    "recovery": "Because these data are synthetic, we know which networks were planted as well- and least-developed "
                "(the development column of the networks table); the cross-tabulation shows how many the rule "
                "recovers.",
    "structural": "The poster reports that the well-developed networks \"tended to be in operation for longer and "
                  "spanned improvement goals\" and that \"four of five least-developed networks were "
                  "instructionally focused in large urban districts\". Our reading of its Table 1, above, adds "
                  "contrasts the poster itself does not draw: median launch 2018.5 against 2020; a higher mean "
                  "share of 2023 members with more than a year in the network (70% against 51%, though W4's 36% is "
                  "below four of the five least-developed); longer mean tenure of 2023 members (2.25 against 1.80 "
                  "years); stable hubs in three of six well-developed networks against one of five, and high hub "
                  "turnover only among the least-developed (L3, L4). We assume, as neither source says, that these "
                  "11 networks are among the participatory-benefits paper's 34. The planted synthetic networks "
                  "carry the goal, launch year and districts of these rows; the others' are synthetic.",
}
SHIPPED_NOTES["mark"] = ", SYNTHETIC networks"
#: A network variance at or below this (logits squared) is a boundary estimate of 0: the networks do
#: not differ on the measure, which then has no profile entries (NaN).
FLAT_VARIANCE = 1e-8
#: The labels :func:`identify_clusters` gives.
CLUSTER_LABELS = ("well", "other", "least")


@dataclass(frozen=True)
class NetworkProfiles:
    """Network profiles across measures.

    Attributes
    ----------
    deviation : pandas.DataFrame
        Networks (rows, ``network_id``) x measures (columns): EB estimate of the network's
        deviation from the average network (u_k), in logits (wave effects removed).
    se : pandas.DataFrame
        Their posterior standard errors (logits).
    variance_network_id : pandas.Series
        The network-level variance component of each measure (logits squared).
    standardized : pandas.DataFrame
        ``deviation / sqrt(variance_network_id)``: deviations in network standard deviations,
        comparable across measures; NaN for a measure on which the networks do not differ
        (variance estimated at 0, :data:`FLAT_VARIANCE`).
    statistic : pandas.DataFrame
        ``deviation / se``: how many posterior SEs a network sits from the average network (a z
        statistic).
    n_persons : pandas.DataFrame
        Respondents behind each estimate.
    converged : pandas.Series
        Per measure.
    waves : list of int
        The waves pooled (empty without a ``wave`` column).
    groups : tuple of str
        The grouping levels of the models (``network_id``, and ``school_id`` when fitted).
    """

    deviation: pd.DataFrame
    se: pd.DataFrame
    variance_network_id: pd.Series
    standardized: pd.DataFrame
    statistic: pd.DataFrame
    n_persons: pd.DataFrame
    converged: pd.Series
    waves: list[int]
    groups: tuple[str, ...] = ("network_id", "school_id")

    def long(self) -> pd.DataFrame:
        """Tidy form: ``network_id, measure, n_persons, deviation, se, standardized, statistic``."""
        parts = {"n_persons": self.n_persons, "deviation": self.deviation, "se": self.se,
                 "standardized": self.standardized, "statistic": self.statistic}
        out = pd.concat({k: v.stack() for k, v in parts.items()}, axis=1)
        out.index.names = ["network_id", "measure"]
        return out.reset_index()

    def flat(self) -> list[str]:
        """Measures on which the networks do not differ (network variance estimated at 0)."""
        return list(self.variance_network_id.index[self.variance_network_id <= FLAT_VARIANCE])

    def summary(self) -> str:
        """How many networks and measures, and the highest and lowest mean profiles."""
        mean = self.standardized.mean(axis=1).dropna().sort_values(ascending=False)
        flat = self.flat()
        return "\n".join([*([f"no network variance (no profile) on: {', '.join(flat)}"] if flat else []),
            f"Profiles of {len(self.deviation)} networks on {self.deviation.shape[1]} measures "
            f"(waves {self.waves or 'not recorded'}; levels {', '.join(self.groups)}); all converged: "
            f"{bool(self.converged.all())}",
            *_highest_and_lowest(mean),
        ])


def _highest_and_lowest(mean: pd.Series) -> list[str]:
    """The highest and lowest five mean profiles; with fewer than ten networks every network once, highest
    first (with 8 networks the highest and the lowest five overlapped: a newcomer's B and D were in both)."""
    listed = lambda part: ", ".join(f"{k} {v:+.2f}" for k, v in part.items())   # noqa: E731
    if len(mean) < 10:
        return [f"mean standardized profile of the {len(mean)} networks, highest first: {listed(mean)}"]
    return [f"mean standardized profile, highest five: {listed(mean.head(5))}",
            f"lowest five: {listed(mean.tail(5))}"]


def network_profiles(respondents: pd.DataFrame, *, measures, waves=None, method: str = "jmle",
                     calibrations=None, groups=None) -> NetworkProfiles:
    """Profiles of networks across measures from EB estimates of a three-level model per measure.

    For each measure the Rasch measures (one calibration over all waves) are modelled as

        measure_i = gamma_wave + u_k + r_jk + e_i + epsilon_i,  epsilon_i ~ N(0, se_i^2) known,

    by REML (:func:`inhd.hlm.fit_known_variance`; in R ``metafor::rma.mv(measure, se^2,
    mods = ~ factor(wave), random = ~ 1 | network_id/school_id/respondent_id)``). The profile entry
    of network k is its EB estimate u_k (shrunken toward the average network, so small networks
    are not ranked on noise), divided by sqrt(tau_network).

    Parameters
    ----------
    respondents : pandas.DataFrame
        ``respondent_id, network_id``, ``school_id`` and ``wave`` when the survey has them, and
        the item columns. Not modified.
    measures : list or mapping
        Measure keys (items ``<measure>_<j>``) or ``{measure: [items]}``.
    waves : list of int, optional
        Waves to pool (default: all present).
    method : {"jmle", "cml"}
        Rasch estimation.
    calibrations : dict, optional
        Ready calibrations (:func:`inhd.survey_measures.calibrate_measures`) to reuse.
    groups : list of str, optional
        ``["network_id", "school_id"]`` or ``["network_id"]``; default the levels the data let a
        model fit (:func:`inhd.survey_run.survey_levels`).

    Returns
    -------
    NetworkProfiles
    """
    if calibrations is None:
        calibrations = calibrate_measures(respondents, measures=measures, method=method)
    keys = list(measures) if not isinstance(measures, dict) else list(measures.keys())
    missing = [k for k in keys if k not in calibrations]
    if missing:
        raise ValueError(f"network_profiles: no calibration for measure(s) {missing}")
    dev, se, n, tau, conv = {}, {}, {}, {}, {}
    used_waves = []
    for key in keys:
        p = calibrations[key].persons
        if waves is not None:
            if "wave" not in p.columns:
                raise ValueError("network_profiles: waves were named but the data have no wave column")
            p = p[p["wave"].isin(list(waves))]
            if p.empty:
                raise ValueError(f"network_profiles: measure {key!r} has no respondents in "
                                 f"waves {list(waves)}")
        p = p.reset_index(drop=True)
        used_waves = sorted(int(w) for w in p["wave"].unique()) if "wave" in p.columns else []
        levels = list(survey_levels(p, warn=False).groups if groups is None else groups)
        formula = "measure ~ C(wave)" if len(used_waves) > 1 else "measure ~ 1"
        model = fit_known_variance(p, formula, known_variance="known_variance", groups=levels, method="REML")
        re_net = model.random_effects["network_id"]
        dev[key] = re_net["deviation"].astype(float)
        se[key] = re_net["se"].astype(float)
        n[key] = p.groupby("network_id").size()
        tau[key] = float(model.variance_components["network_id"])
        conv[key] = bool(model.converged)
    deviation = pd.DataFrame(dev).rename_axis("network_id")
    se_df = pd.DataFrame(se).reindex_like(deviation)
    tau_s = pd.Series(tau, name="variance_network_id")
    flat = tau_s.index[tau_s <= FLAT_VARIANCE]        # networks do not differ: no profile on it
    with np.errstate(divide="ignore", invalid="ignore"):
        standardized = deviation / np.sqrt(tau_s)
        statistic = deviation / se_df
    standardized[flat] = np.nan
    statistic[flat] = np.nan
    return NetworkProfiles(
        deviation=deviation, se=se_df, variance_network_id=tau_s, standardized=standardized,
        statistic=statistic,
        n_persons=pd.DataFrame(n).reindex(deviation.index).fillna(0).astype(int),
        converged=pd.Series(conv), waves=used_waves, groups=tuple(levels))


@dataclass(frozen=True)
class Clusters:
    """Networks assigned to the well-developed, least-developed and other groups.

    Attributes
    ----------
    labels : pandas.Series
        ``network_id`` -> ``"well"``, ``"other"`` or ``"least"``.
    table : pandas.DataFrame
        One row per network: ``network_id, cluster, mean_profile, n_above, n_below, n_measures``
        (``n_above``/``n_below``: measures on which the network sits significantly above/below the
        average network), sorted by ``mean_profile``, highest first.
    method : str
    settings : dict
        The rule's settings (for the record).
    linkage : numpy.ndarray or None
        The Ward linkage matrix when ``method="ward"``.
    """

    labels: pd.Series
    table: pd.DataFrame
    method: str
    settings: dict[str, float]
    linkage: np.ndarray | None = field(default=None, repr=False)

    def members(self, cluster: str) -> list[str]:
        """Networks of one cluster, highest mean profile first."""
        t = self.table
        return list(t.loc[t["cluster"] == cluster, "network_id"])

    def summary(self) -> str:
        """The rule and the networks it named, with a note on a cluster of one network and on a rule
        judged on one measure."""
        return "\n".join([
            f"Clusters by the {self.method} rule {self.settings}:",
            f"  well-developed ({len(self.members('well'))}): {', '.join(self.members('well'))}",
            f"  least-developed ({len(self.members('least'))}): "
            f"{', '.join(self.members('least'))}",
            f"  other: {len(self.members('other'))} networks",
            *[f"  note: {note}" for note in self.notes()],
        ])

    def notes(self) -> list[str]:
        """Plain sentences on what the clusters rest on: a cluster that holds a single network (its
        figures are that network's own), and a consistency rule judged on a single measure (one z
        test per network, not a profile across measures)."""
        notes = []
        for label, named in (("well", "well-developed"), ("least", "least-developed")):
            members = self.members(label)
            if len(members) == 1:
                notes.append(f"the {named} cluster holds a single network ({members[0]}): what describes the "
                             "cluster describes that network alone")
        judged = self.table["n_measures"][self.table["n_measures"] > 0] if "n_measures" in self.table else []
        if self.method == "consistency" and len(judged) and int(judged.max()) == 1:
            notes.append("every network is judged on a single measure, so the rule is one z test per network "
                         "(its estimate beyond z_crit posterior SEs), not consistency across measures")
        return notes


def identify_clusters(profiles: NetworkProfiles, *, method: str = "consistency",
                      min_share: float = 0.8, z_crit: float = 1.96, n_clusters: int = 4
                      ) -> Clusters:
    """Name the well-developed and least-developed networks from their profiles.

    Parameters
    ----------
    profiles : NetworkProfiles
    method : {"consistency", "ward"}
        The rule (see Notes).
    min_share : float, default 0.8
        ``consistency``: the share of measures on which a network must sit significantly above
        (below) the average network to be well- (least-) developed.
    z_crit : float, default 1.96
        ``consistency``: "significantly" means EB estimate / posterior SE beyond +-z_crit, i.e. the
        network's 95% interval in the caterpillar plot excludes the average network.
    n_clusters : int, default 4
        ``ward``: clusters to cut the tree into.

    Returns
    -------
    Clusters

    Notes
    -----
    The poster describes the well-developed networks as those whose "normative practices and member
    attitudes strongly align with the INHD Framework" and does not say how they were identified.
    Our default rule is one deterministic reading of that (high across the measures, not on one):

    - **consistency** (default): a network is *well-developed* when its EB estimate lies more than
      ``z_crit`` posterior SEs above the average network on at least ``min_share`` of the
      measures; *least-developed* when it lies that far below on at least ``min_share`` of them;
      otherwise *other*. The number in each group is an outcome of the rule, not an input.
    - **ward**: Ward's minimum-variance hierarchical clustering
      (``scipy.cluster.hierarchy.linkage(standardized, "ward")``, in R
      ``hclust(dist(x), "ward.D2")``) of the standardized profiles, cut into ``n_clusters``
      clusters; the cluster with the highest mean profile is *well*, the lowest *least*.

    Both are deterministic (no random starts). Networks with a missing profile entry are judged on
    the measures they have.
    """
    if method not in ("consistency", "ward"):
        raise ValueError(f"identify_clusters: method must be 'consistency' or 'ward', "
                         f"got {method!r}")
    if not 0 < min_share <= 1:
        raise ValueError(f"identify_clusters: min_share must be in (0, 1], got {min_share}")
    std, z = profiles.standardized, profiles.statistic
    mean_profile = std.mean(axis=1)
    n_measures = std.notna().sum(axis=1)
    n_above = (z > z_crit).sum(axis=1)
    n_below = (z < -z_crit).sum(axis=1)
    linkage = None
    if method == "consistency":
        need = np.ceil(min_share * n_measures - 1e-9)
        labels = pd.Series("other", index=std.index, dtype=object)
        judged = n_measures > 0                          # a network without any profile entry is "other"
        labels[judged & (n_above >= need)] = "well"
        labels[judged & (n_below >= need)] = "least"
        settings = {"min_share": min_share, "z_crit": z_crit}
    else:
        std = std.dropna(axis=1, how="all")              # measures without a profile (no network variance)
        if std.shape[1] == 0:
            raise ValueError("identify_clusters(method='ward'): no measure varies between networks, so there "
                             "are no profiles to cluster")
        if std.isna().any().any():
            raise ValueError("identify_clusters(method='ward'): profiles have missing entries; "
                             "use method='consistency' or complete profiles")
        if not 2 <= n_clusters <= len(std):
            raise ValueError(f"identify_clusters: n_clusters must be in 2..{len(std)}, "
                             f"got {n_clusters}")
        linkage = hierarchy.linkage(std.to_numpy(float), method="ward")
        cut = pd.Series(hierarchy.fcluster(linkage, n_clusters, criterion="maxclust"),
                        index=std.index)
        means = mean_profile.groupby(cut).mean()
        labels = pd.Series("other", index=std.index, dtype=object)
        labels[cut == means.idxmax()] = "well"
        labels[cut == means.idxmin()] = "least"
        settings = {"n_clusters": n_clusters}
    table = pd.DataFrame({
        "network_id": std.index.astype(str), "cluster": labels.to_numpy(),
        "mean_profile": mean_profile.to_numpy(), "n_above": n_above.to_numpy(),
        "n_below": n_below.to_numpy(), "n_measures": n_measures.to_numpy(),
    }).sort_values("mean_profile", ascending=False, ignore_index=True)
    return Clusters(labels=labels.rename("cluster"), table=table, method=method,
                    settings=settings, linkage=linkage)


_CLUSTER_COLOURS = {"well": "tab:green", "least": "tab:red", "other": "0.25"}


#: The diverging colour map of the profiles: red below the average network, blue above (as the
#: interactive chart's Vega "redblue" scheme, :func:`inhd.network_charts.profile_heatmap`).
PROFILE_CMAP = "RdBu"


def plot_profile_heatmap(profiles: NetworkProfiles, clusters: Clusters | None = None, *,
                         names=None, ax=None, vmax: float = 2.0):
    """Heatmap of the standardized profiles, drawn as the interactive chart is: one column per network
    (highest mean profile first), one row per measure, blue above the average network and red below
    (:data:`PROFILE_CMAP`; a newcomer's static figure had the colours the other way round from the
    caption); network labels coloured by cluster (green well-developed, red least-developed). Returns
    the Axes."""
    import matplotlib.pyplot as plt

    std = profiles.standardized
    order = std.mean(axis=1).sort_values(ascending=False).index
    data = std.loc[order].T                                   # measures x networks
    if ax is None:
        _, ax = plt.subplots(figsize=(0.3 * data.shape[1] + 4, 0.35 * data.shape[0] + 2.5))
    im = ax.imshow(data.to_numpy(float), aspect="auto", cmap=PROFILE_CMAP, vmin=-vmax, vmax=vmax)
    rows = [dict(names or {}).get(c, c) for c in data.index]
    ax.set_yticks(np.arange(data.shape[0]), rows, fontsize=8)
    ax.set_xticks(np.arange(data.shape[1]), data.columns.astype(str), rotation=90, fontsize=7)
    if clusters is not None:
        for tick, net in zip(ax.get_xticklabels(), data.columns):
            tick.set_color(_CLUSTER_COLOURS[clusters.labels.get(net, "other")])
    ax.figure.colorbar(im, ax=ax, label="network EB estimate / network SD\n(blue above the average, red below)",
                       shrink=0.8)
    ax.set_xlabel("network (highest mean profile first)")
    ax.set_title("Network profiles (columns ordered by mean profile)")
    return ax


# --------------------------------------------------------------------------------------------
# The published structural table
# --------------------------------------------------------------------------------------------
def load_structural_table(path=None) -> pd.DataFrame:
    """Russell, Bryk & Sherer (2025) Table 1 as transcribed in ``data/published/`` (real), with a
    ``cluster`` column (``well`` for W1-W6, ``least`` for L1-L5, from the paper's labels)."""
    table = published_table("variation_structural_table") if path is None else pd.read_csv(path)
    needed = ["network", "improvement_goal", "launch_year", "members_2023", "districts",
              "member_stability_pct", "average_tenure_2023", "hub_stability"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"structural table {path}: column(s) {missing} missing")
    first = table["network"].astype(str).str[0]
    bad = table.loc[~first.isin(["W", "L"]), "network"].tolist()
    if bad:
        raise ValueError(f"structural table {path}: network labels must start with W or L, "
                         f"got {bad}")
    table["cluster"] = np.where(first == "W", "well", "least")
    return table


def structural_summary(table: pd.DataFrame) -> pd.DataFrame:
    """What distinguishes the well- and least-developed clusters in the published Table 1.

    Returns one row per characteristic and one column per cluster (``well``, ``least``): the
    number of networks, median launch year, median members in 2023, share spanning multiple
    districts, share instructional, mean member stability (% members more than a year), mean
    tenure of 2023 members, share with a stable hub (``Stable``), share with high turnover.

    Examples
    --------
    >>> s = structural_summary(load_structural_table())
    >>> s.loc["median_launch_year"].tolist(), s.loc["share_hub_high_turnover"].tolist()
    ([2018.5, 2020.0], [0.0, 0.4])
    """
    rows = {}
    for cluster in ("well", "least"):
        t = table[table["cluster"] == cluster]
        rows[cluster] = {
            "n_networks": len(t),
            "median_launch_year": float(t["launch_year"].median()),
            "median_members_2023": float(t["members_2023"].median()),
            "share_multiple_districts": float((t["districts"] == "Multiple").mean()),
            "share_instructional": float((t["improvement_goal"] == "Instructional").mean()),
            "mean_member_stability_pct": float(t["member_stability_pct"].mean()),
            "mean_tenure_2023": float(t["average_tenure_2023"].mean()),
            "share_hub_stable": float((t["hub_stability"] == "Stable").mean()),
            "share_hub_high_turnover": float((t["hub_stability"] == "High Turnover").mean()),
        }
    out = pd.DataFrame(rows)
    out.index.name = "characteristic"
    return out


def cluster_characteristics(clusters: Clusters, networks: pd.DataFrame, *, shown=None) -> pd.DataFrame:
    """Characteristics of the networks in each identified cluster, from the networks table.

    ``networks`` has ``network_id`` and any other columns. Returns one row per cluster (well,
    other, least): ``n_networks``, then for each numeric column ``mean_<column>`` (a 0/1 column's
    mean is the share of networks with 1) and, for each text column with at most five labels,
    ``share_<column>_<label>``. Columns that are entirely empty are left out.

    ``shown``, when given, lists the networks that may be described (those the suppression rule
    shows, :func:`inhd.privacy.shown_groups`): the others are left out of every cluster, so no
    figure describes a network below the minimum cell size, directly (a cluster of that network
    alone: a newcomer's company of 6 soldiers was the whole well-developed cluster, its size and
    mean rank published) or by difference; a cluster of such networks only has no row.

    Examples
    --------
    >>> c = Clusters(labels=pd.Series({"A": "well", "B": "least"}), table=pd.DataFrame(),
    ...              method="consistency", settings={})
    >>> nets = pd.DataFrame({"network_id": ["A", "B"], "size": [10, 30], "goal": ["x", "y"]})
    >>> cluster_characteristics(c, nets).to_dict("index")["well"]
    {'n_networks': 1, 'mean_size': 10.0, 'share_goal_x': 1.0, 'share_goal_y': 0.0}
    """
    if "network_id" not in networks.columns:
        raise ValueError("cluster_characteristics: networks needs a network_id column")
    if shown is not None:
        networks = networks[networks["network_id"].astype(str).isin({str(n) for n in shown})]
    d = networks.merge(clusters.labels.rename("cluster").rename_axis("network_id").reset_index(),
                       on="network_id", how="inner")
    g = d.groupby("cluster")
    out = pd.DataFrame({"n_networks": g.size()})
    for column in networks.columns:
        values = d[column]
        if column == "network_id" or values.isna().all():
            continue
        if pd.api.types.is_numeric_dtype(values):
            out[f"mean_{column}"] = g[column].mean()
        elif values.nunique() <= 5:
            for label in sorted(values.dropna().unique()):
                out[f"share_{column}_{label}"] = g[column].apply(lambda s, v=label: float((s == v).mean()))
    return out.reindex([c for c in CLUSTER_LABELS if c in out.index]).rename_axis("cluster")


def suppressed_note(clusters: Clusters, suppressed, *, min_cell: int) -> str:
    """Markdown naming how many networks :func:`cluster_characteristics` left out under the
    suppression rule (``suppressed``: their ids) and which clusters that leaves undescribed; ``""``
    when none. Ids are escaped.

    Examples
    --------
    >>> c = Clusters(labels=pd.Series({"A": "well", "B": "other", "C": "other"}), table=pd.DataFrame(),
    ...              method="consistency", settings={})
    >>> print(suppressed_note(c, ["A"], min_cell=10))
    1 network(s) that the suppression rule hides (fewer than 10 respondents in a network, or in a network in one survey wave) are left out of the cluster characteristics, which leaves the well-developed cluster undescribed.
    """
    suppressed = {str(n) for n in suppressed} & set(clusters.labels.index.astype(str))
    if not suppressed:
        return ""
    labels = clusters.labels.rename(index=str)
    empty = [c for c in ("well", "least", "other") if (labels == c).any() and
             set(labels.index[labels == c]) <= suppressed]
    named = {"well": "well-developed", "least": "least-developed", "other": "other"}
    text = (f"{len(suppressed)} network(s) that the suppression rule hides (fewer than {min_cell} respondents in a "
            f"network, or in a network in one survey wave) are left out of the cluster characteristics")
    if empty:
        text += ", which leaves the " + " and ".join(f"{named[c]}" for c in empty) + \
            f" cluster{'s' if len(empty) > 1 else ''} undescribed"
    return text + "."


def characteristics_note(networks: pd.DataFrame, characteristics: pd.DataFrame) -> str:
    """Markdown saying what :func:`cluster_characteristics` described the clusters by, and which columns
    of ``networks`` it could not use and why (empty; text with more than five labels), or that there
    is no network-level column at all. Column names are escaped.

    Examples
    --------
    >>> nets = pd.DataFrame({"network_id": ["A", "B"], "size": [10.0, 30.0], "notes": [None, None]})
    >>> table = pd.DataFrame({"n_networks": [1, 1], "mean_size": [10.0, 30.0]})
    >>> print(characteristics_note(nets, table))
    The clusters are described by size (the mean of a number; the share of each label of a text column). Not described: notes (empty).
    """
    columns = [c for c in networks.columns if c != "network_id"]
    if not columns:
        return ("The networks table has no columns besides `network_id` to describe the clusters by: give one "
                "with network-level variables (`--networks N.csv`: size, launch year, region, ...).")
    used = [c for c in columns if f"mean_{c}" in characteristics.columns
            or any(str(k).startswith(f"share_{c}_") for k in characteristics.columns)]
    why = {c: "empty" if networks[c].isna().all() else "text with more than five labels" for c in columns
           if c not in used}
    text = []
    if used:
        text.append(f"The clusters are described by {', '.join(markdown_text(c) for c in used)} (the mean of a "
                    "number; the share of each label of a text column).")
    if why:
        text.append("Not described: " + ", ".join(f"{markdown_text(c)} ({reason})" for c, reason in why.items())
                    + ".")
    return " ".join(text)
