"""The SYNTHETIC four-wave network health survey (the validity and variation papers).

:func:`simulate_network_health` draws all 38 measures of the poster's reliability table (Bryk,
Li, Luppescu & Bui 2025, "Table 2. Reliability Estimates for INHD Survey Measures"), persons in
schools in 34 networks over the waves 2021-2024 with network-specific growth, including well- and
least-developed clusters built on the structure of Russell, Bryk & Sherer (2025, Table 1). Each
measure's design reproduces its published school- and network-level reliabilities, the nine
marked "(n.s.)" included, and, for the 33 measures of two or more items, its individual-respondent
reliability (:mod:`inhd.reliability`). The networks are numbered ``NH01``-``NH34`` in random
order: no synthetic network carries a label of the poster's real networks (W1-W6, L1-L5).
Nothing made here describes a real network, school or person; the committed files
(``python -m inhd.synth``) say SYNTHETIC in their names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq, root

from inhd.framework import load_reliability_table
from inhd.published import PB_TABLE1, PB_TABLE2, VARIATION_TABLE1
from inhd.reliability import (cluster_mean_reliability, expected_person_reliability,
                              nested_mean_reliability, required_variance_ratios)
from inhd.rsm import score_moments, simulate_rating_scale
from inhd.sampling import as_generator, exact_counts, largest_remainder
from inhd.synthetic_cohort import ATTENDANCE_CONSISTENCY, MEETING_FREQUENCY

__all__ = ["NH_SEED", "NH_WAVES", "NH_MEASURES", "SyntheticNetworkHealth",
           "simulate_network_health"]

#: Seed of the committed network-health files.
NH_SEED = 20240601

#: Survey waves (spring of each year).
NH_WAVES = (2021, 2022, 2023, 2024)

#: The 38 measures of the poster's reliability table, in its order: key -> (the poster's measure
#: name, the measure's 2021 mean in logits). The means are invented (the poster prints none); the
#: groups, numbers of items and the three published reliabilities are read from
#: ``data/published/inhd_reliability_table.csv`` (:func:`inhd.framework.load_reliability_table`),
#: never typed in here.
NH_MEASURES = {
    "trust_leaders": ("Relational trust with leaders", 0.9),
    "knowledge_mgmt": ("Knowledge management", 0.6),
    "diverse_perspectives": ("Network leadership honors diverse perspectives", 0.7),
    "decisionmaking": ("Network decisionmaking", 0.3),
    "social_participation": ("Sustaining social participation", 0.7),
    "hub_support": ("Hub support for school team leads", 0.8),
    "expertise_diversity": ("Membership to promote expertise diversity", 0.5),
    "selection_induction": ("Selection and induction", 0.4),
    "have_voice": ("Have a voice", 0.6),
    "inquiry_helps": ("Believes inquiry helps us improve", 1.0),
    "team_norms": ("Internal team connections: team norms", 0.9),
    "team_processes": ("Internal team connections: processes and support", 0.7),
    "team_inquiry": ("Internal team connections: collaborative inquiry", 0.8),
    "team_meetings": ("Internal team connections: team meetings", 0.8),
    "team_learning": ("Internal team connections: team learning", 0.6),
    "trust_team": ("Relational trust with team members", 1.1),
    "cross_learning": ("Cross-team connections: learning", 0.3),
    "cross_inquiry": ("Cross-team connections: collaborative inquiry", 0.2),
    "cross_technology": ("Cross-team connections: collaborative technology", 0.2),
    "ci_equity": ("Continuous improvement for equity", 0.4),
    "ci_confidence": ("Continuous improvement confidence", 0.5),
    "data_use": ("Use of data and analytics", 0.6),
    "problem_understanding": ("Understanding the problem to be addressed", 0.7),
    "theory_of_improvement": ("Working theory of improvement", 0.5),
    "inquiry_challenges": ("Inquiry cycle challenges", -0.2),
    "collective_identity": ("Collective identity", 1.0),
    "evidence_culture": ("Evidence-based culture", 0.7),
    "equity_culture": ("Equity-driven culture", 0.8),
    "research_knowledge": ("Utilizing research knowledge", 0.3),
    "shared_narrative": ("Shared narrative", 0.6),
    "district_alignment": ("System alignment: district priorities", 0.4),
    "school_alignment": ("System alignment: school priorities", 0.5),
    "challenges": ("Challenges", -0.3),
    "benefits": ("Benefits", 1.2),
    "value": ("Value", 1.3),
    "difference_students": ("Makes a difference for students", 1.0),
    "improve_school": ("Will improve my school", 1.1),
    "recommend": ("Recommend network to a colleague", 0.9),
}
_NH_THRESHOLDS = np.array([-5.0, -1.7, 1.7, 5.0])
#: Half-ranges of a measure's item difficulties (evenly spaced in [-w, w]), tried in turn.
_NH_ITEM_SPREADS = (0.8, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0)
_NH_RELIABILITY_MARGIN = 0.005   # a target must lie this far below the design's reachable maximum
_NH_GROWTH_RATIO = 0.3           # mean growth a year / SD of network intercepts
_NH_SLOPE_SD_RATIO = 0.3         # SD of network slopes (per year) / SD of network intercepts
_NH_SLOPE_CORR = 0.4             # correlation of a network's growth factor with its health factor
_NH_NETWORK_FACTOR = 0.6         # share of network variance common to all measures
_NH_PERSON_FACTOR = 0.5          # share of person and school variance common to all measures
_NH_RESPONSE_SHARE = 0.5         # respondents per wave / members
_NH_MISSING_RATE = 0.03
_NH_NODES = 64                   # Gauss-Hermite nodes of the single-item moments
_GOAL_ARCHETYPE = {"Early Warning": "ewr", "Post-Sec Match": "psm",
                   "Instructional": "instructional"}
RASCH_MEASURE, ITEM_SCORE = "rasch_measure", "item_score"


def _max_person_reliability(difficulties, thresholds, mean):
    """The largest expected person reliability on a grid of true SDs, and the SD that gives it
    (the reliability of non-extreme persons rises with the SD, then falls as more persons are
    extreme; a grid, as the quadrature ripples at large SDs)."""
    grid = np.linspace(0.2, 12.0 + float(np.ptp(difficulties)), 60)
    rel = [expected_person_reliability(difficulties, thresholds, mean=mean, sd=s)[0] for s in grid]
    return max(rel), float(grid[int(np.argmax(rel))])


def _item_spread(rel_ind, n_items, mean):
    """The narrowest spread of :data:`_NH_ITEM_SPREADS` under which the target person reliability
    lies at least :data:`_NH_RELIABILITY_MARGIN` below the reachable maximum. With difficulties in
    [-0.8, 0.8] three items reach at most about 0.90; the poster's three-item "Benefits" (0.93) and
    "Value" (0.91) need items further apart (widening the thresholds instead gives near-Guttman
    data whose Rasch estimates do not exist)."""
    for w in _NH_ITEM_SPREADS:
        delta = np.linspace(-w, w, n_items)
        if _max_person_reliability(delta, _NH_THRESHOLDS, mean)[0] \
                >= rel_ind + _NH_RELIABILITY_MARGIN:
            return w
    raise ValueError(f"a person reliability of {rel_ind} is out of reach with {n_items} items at "
                     f"every item spread {_NH_ITEM_SPREADS}")


def _solve_scale(rel_ind, a, b, difficulties, thresholds, mean):
    """Observed within-school variance sigma2 and error variance e for a target person reliability.

    The SD of the true measures (all levels) is found by bracketing root search so that
    :func:`inhd.reliability.expected_person_reliability` equals ``rel_ind``; then
    ``sigma2 (1 + a + b) = true variance + e`` with ``a = tau_school / sigma2`` and
    ``b = tau_network / sigma2``.
    """
    top_rel, top = _max_person_reliability(difficulties, thresholds, mean)
    if top_rel <= rel_ind:
        raise ValueError(f"a person reliability of {rel_ind} is out of reach with "
                         f"{len(difficulties)} items (at most {top_rel:.3f})")
    sd = brentq(lambda s: expected_person_reliability(difficulties, thresholds, mean=mean,
                                                      sd=s)[0] - rel_ind,
                0.05, top, xtol=1e-12)
    e = expected_person_reliability(difficulties, thresholds, mean=mean, sd=sd)[1]
    return (sd ** 2 + e) / (1 + a + b), e


def _item_score_components(mean, tau_network, tau_school, sigma2_true, thresholds):
    """Variance components of one item's score X (0..m) when theta = mean + b + s + e.

    With f(theta) = E[X | theta] and F_v(c) = E f(c + u), u ~ N(0, v): the network component is
    Var_b F_{tau_school + sigma2_true}(mean + b), the school component
    Var_{b+s} F_{sigma2_true}(mean + b + s) minus it, the residual Var X minus both (law of total
    variance; X's covariances within schools and networks are exactly those of a three-level
    model with these components). Gauss-Hermite quadrature, two dimensions.
    """
    x, w = np.polynomial.hermite_e.hermegauss(_NH_NODES)
    w = w / w.sum()

    def between(v_outer, v_inner):
        theta = mean + np.sqrt(v_outer) * x[:, None] + np.sqrt(v_inner) * x[None, :]
        m = score_moments(theta, thresholds)[0] @ w
        return float(w @ m ** 2 - (w @ m) ** 2)

    total = tau_network + tau_school + sigma2_true
    e, v = score_moments(mean + np.sqrt(total) * x, thresholds)
    var_x = float(w @ v + w @ e ** 2 - (w @ e) ** 2)
    v_n = between(tau_network, tau_school + sigma2_true)
    v_ns = between(tau_network + tau_school, sigma2_true)
    return v_n, v_ns - v_n, var_x - v_ns


def _solve_item_score(a, b, total, mean, thresholds):
    """Latent school and network variances (given the latent total variance) under which the
    single item's score has school/residual = a and network/residual = b."""
    def ratios(log_taus):
        tau_s, tau_n = np.exp(log_taus)
        v_n, v_s, v_r = _item_score_components(mean, tau_n, tau_s, total - tau_s - tau_n,
                                               thresholds)
        return np.array([v_s / v_r - a, v_n / v_r - b])

    _, _, var_x = _item_score_components(mean, 0.0, 0.0, total, thresholds)
    # linear start: X = c theta + noise, rho = c^2 total / Var X (the score's reliability)
    xs, ws = np.polynomial.hermite_e.hermegauss(_NH_NODES)
    ws = ws / ws.sum()
    f = score_moments(mean + np.sqrt(total) * xs, thresholds)[0]
    rho = float(ws @ f ** 2 - (ws @ f) ** 2) / var_x
    start = np.log(np.array([a, b]) * total / (rho * (1 + a + b)))
    sol = root(ratios, start, method="hybr", options={"xtol": 1e-13})
    tau_s, tau_n = np.exp(sol.x)
    if not sol.success or np.max(np.abs(ratios(sol.x))) > 1e-9 or tau_s + tau_n >= total:
        raise RuntimeError(f"single-item design: no variances give the ratios ({a:.4g}, {b:.4g}) "
                           f"with total variance {total:.4g} ({sol.message})")
    return float(tau_s), float(tau_n)


def _measure_designs(school_sizes, network_of_school) -> pd.DataFrame:
    """Each measure's generating variances, thresholds and design reliabilities (2021 layout)."""
    table = load_reliability_table().set_index("measure")
    names = [name for name, _ in NH_MEASURES.values()]
    unknown = sorted(set(names) - set(table.index))
    if unknown or len(names) != len(table):
        raise ValueError(f"NH_MEASURES must name every measure of the reliability table once; "
                         f"unknown {unknown}, missing {sorted(set(table.index) - set(names))}")
    rows = []
    for key, (name, mu) in NH_MEASURES.items():
        p = table.loc[name]
        n_items = int(p["n_items"])
        r_ind, r_sch, r_net = (float(p["individual_reliability"]), float(p["school_reliability"]),
                               float(p["network_reliability"]))
        a, b = required_variance_ratios(school_reliability=r_sch, network_reliability=r_net,
                                        school_sizes=school_sizes,
                                        network_of_school=network_of_school)
        row = {"measure": key, "name": name, "poster_domain": p["domain"],
               "framework_domain": p["framework_element"], "n_items": n_items,
               "target_individual": r_ind, "target_school": r_sch, "target_network": r_net,
               "mean_2021": mu, "ratio_school": a, "ratio_network": b}
        if n_items >= 2:
            w = _item_spread(r_ind, n_items, mu)
            delta = np.linspace(-w, w, n_items)
            sigma2, e = _solve_scale(r_ind, a, b, delta, _NH_THRESHOLDS, mu)
            row.update(analysed_as=RASCH_MEASURE, item_spread=w, observed_variance=sigma2,
                       error_variance=e, variance_residual=sigma2 - e,
                       variance_school_id=a * sigma2, variance_network_id=b * sigma2)
        else:
            row.update(analysed_as=ITEM_SCORE, item_spread=0.0)
        rows.append(row)
    d = pd.DataFrame(rows).set_index("measure")
    multi = d["analysed_as"] == RASCH_MEASURE
    # a single item's latent variance is not identified by any published figure: we take the
    # median latent variance of the multi-item measures (a design assumption)
    total = float((d.loc[multi, ["variance_residual", "variance_school_id",
                                 "variance_network_id"]].sum(axis=1)).median())
    for key in d.index[~multi]:
        row = d.loc[key]
        tau_s, tau_n = _solve_item_score(row["ratio_school"], row["ratio_network"], total,
                                         row["mean_2021"], _NH_THRESHOLDS)
        v_n, v_s, v_r = _item_score_components(row["mean_2021"], tau_n, tau_s,
                                               total - tau_s - tau_n, _NH_THRESHOLDS)
        d.loc[key, ["observed_variance", "variance_residual", "variance_school_id",
                    "variance_network_id", "observed_variance_school_id",
                    "observed_variance_network_id"]] = [v_r, total - tau_s - tau_n, tau_s, tau_n,
                                                        v_s, v_n]
    d.loc[multi, "observed_variance_school_id"] = d.loc[multi, "variance_school_id"]
    d.loc[multi, "observed_variance_network_id"] = d.loc[multi, "variance_network_id"]
    d["variance_network_id:t"] = _NH_SLOPE_SD_RATIO ** 2 * d["variance_network_id"]
    d["growth"] = _NH_GROWTH_RATIO * np.sqrt(d["variance_network_id"])
    sizes = np.asarray(school_sizes, float)
    d["design_individual"] = [
        expected_person_reliability(np.linspace(-r.item_spread, r.item_spread, r.n_items),
                                    _NH_THRESHOLDS, mean=r.mean_2021,
                                    sd=np.sqrt(r.variance_residual + r.variance_school_id
                                               + r.variance_network_id))[0]
        if r.analysed_as == RASCH_MEASURE else np.nan for r in d.itertuples()]
    d["design_school"] = [float(np.mean(cluster_mean_reliability(
        r.observed_variance_school_id, r.observed_variance, sizes))) for r in d.itertuples()]
    d["design_network"] = [nested_mean_reliability(
        r.observed_variance_network_id, r.observed_variance_school_id, r.observed_variance,
        sizes, network_of_school) for r in d.itertuples()]
    return d[["name", "poster_domain", "framework_domain", "n_items", "analysed_as",
              "target_individual", "target_school", "target_network", "observed_variance",
              "variance_residual", "error_variance", "variance_school_id", "variance_network_id",
              "variance_network_id:t", "observed_variance_school_id",
              "observed_variance_network_id", "item_spread", "mean_2021", "growth",
              "design_individual", "design_school", "design_network"]]


@dataclass(frozen=True)
class SyntheticNetworkHealth:
    """A SYNTHETIC four-wave network health survey and the truth that generated it.

    Attributes
    ----------
    respondents : pandas.DataFrame
        One row per respondent and wave (each wave a fresh cross-section), in the data contract's
        columns, then the item columns ``<measure>_<j>`` (1-5, missing as ``<NA>``), wide.
    networks : pandas.DataFrame
        The data contract's network columns (``network_id`` ``NH01``-``NH34``) plus
        ``launch_year``, ``development`` (``well``, ``least`` or ``other``: the planted clusters)
        and ``structure_from`` (the row of the variation paper's Table 1 whose goal, launch year,
        members and districts a planted network carries, e.g. ``W3``; ``drawn`` for the others).
        ``structure_from`` and ``development`` are generating truth, never identifiers.
    items : pandas.DataFrame
        Indexed by item column: ``measure`` and generating ``difficulty``.
    measures : pandas.DataFrame
        Indexed by measure key, the 38 measures of the poster's table in its order: ``name``,
        ``poster_domain``, ``framework_domain`` (:func:`inhd.framework.framework_element`),
        ``n_items``, ``analysed_as`` (``rasch_measure`` for two or more items; ``item_score``
        for the five single items, whose published individual reliability is "N/A"), the
        published reliabilities (``target_individual`` NaN for single items, ``target_school``,
        ``target_network``), the generating latent variance components named by grouping level
        (``variance_network_id``, ``variance_school_id``, the network slope's
        ``variance_network_id:t`` and the person-level ``variance_residual``), the mean known
        error variance ``error_variance`` of a Rasch measure (NaN for an item score), what the
        analysis of one wave sees: the within-school ``observed_variance`` (residual plus error;
        for an item score on its 1-5 scale) and the between components
        ``observed_variance_school_id`` and ``observed_variance_network_id`` (equal to the latent
        ones for Rasch measures), the ``item_spread`` (difficulties evenly spaced in
        [-item_spread, item_spread]), ``mean_2021``, ``growth``, and the
        reliabilities the design implies in 2021 (``design_individual``, ``design_school``,
        ``design_network``). The committed file ``network_health_measures_SYNTHETIC.csv`` keeps
        the original names of five columns (``inhd.synth.FILE_COLUMNS``).
    thresholds : pandas.Series
        The generating Andrich thresholds (shared by all measures).
    network_effects : pandas.DataFrame
        Per network and measure: the network's ``deviation`` (b0, in 2021) and
        ``slope_deviation`` (b1, per year) from the measure's mean trajectory.
    latent : pandas.DataFrame
        True measures, one column per measure, indexed by ``respondent_id``.
    """

    respondents: pd.DataFrame
    networks: pd.DataFrame
    items: pd.DataFrame
    measures: pd.DataFrame
    thresholds: pd.Series
    network_effects: pd.DataFrame
    latent: pd.DataFrame

    def measure_items(self, measure: str) -> list[str]:
        """The item columns of one measure."""
        if measure not in self.measures.index:
            raise ValueError(f"measure {measure!r} is not one of {list(self.measures.index)}")
        return list(self.items.index[self.items["measure"] == measure])

    def summary(self) -> str:
        r = self.respondents
        per_wave = r.groupby("wave").size()
        m = self.measures
        lines = ["SYNTHETIC network health survey (calibrated to the poster's reliability table)",
                 f"  n_networks {len(self.networks)}, n_measures {len(m)} "
                 f"({int((m['analysed_as'] == ITEM_SCORE).sum())} single items), "
                 f"n_items {len(self.items)}",
                 "  respondents by wave: " + ", ".join(f"{w}: {n}" for w, n in per_wave.items())]
        for key, row in m.iterrows():
            lines.append(f"  {key:<22} design reliability: school "
                         f"{row['design_school']:.2f} (published "
                         f"{row['target_school']:.2f}), network {row['design_network']:.2f} "
                         f"({row['target_network']:.2f})")
        return "\n".join(lines)


def _standardise(x: np.ndarray, over=None) -> np.ndarray:
    """``x`` centred and scaled so that its entries ``over`` (a boolean mask; default all) have
    mean 0 and population variance 1."""
    ref = x if over is None else x[over]
    return (x - ref.mean()) / ref.std()


def _nh_networks(rng: np.random.Generator) -> pd.DataFrame:
    """34 networks: 11 planted with the structure of the variation paper's Table 1, 23 drawn so
    the totals match Table 2 of the participatory-benefits paper (single-district 15, archetypes
    19/10/5, hubs 19/7/4/4); numbered NH01-NH34 in random order and sorted by that number."""
    t2 = PB_TABLE2
    v = VARIATION_TABLE1
    known = pd.DataFrame({
        "structure_from": v["network"],
        "single_district": (v["districts"] == "Single").astype(int),
        "archetype": v["improvement_goal"].map(_GOAL_ARCHETYPE),
        "launch_year": v["launch_year"],
        "members": v["members_2023"],
        "development": np.where(v["network"].str.startswith("W"), "well", "least"),
    })
    k_rest = t2["n_networks"] - len(known)
    arche_left = {a: n - int((known["archetype"] == a).sum()) for a, n in t2["archetype"].items()}
    rest = pd.DataFrame({
        "structure_from": "drawn",
        "single_district": 0,
        "archetype": exact_counts(arche_left, rng),
        "launch_year": rng.choice([2018, 2019, 2020, 2021, 2022], p=[0.25, 0.3, 0.25, 0.15, 0.05],
                                  size=k_rest),
        "members": np.round(np.exp(rng.normal(np.log(80), 0.5, size=k_rest))).astype(int),
        "development": "other",
    })
    n_single_left = t2["single_district"] - int(known["single_district"].sum())
    rest.loc[rng.permutation(k_rest)[:n_single_left], "single_district"] = 1
    net = pd.concat([known, rest], ignore_index=True)
    # hub types are not published for the 11; district hubs go to single-district networks
    hub = np.full(len(net), "", dtype=object)
    singles = rng.permutation(np.flatnonzero(net["single_district"].to_numpy() == 1))
    hub[singles[: t2["hub_type"]["district"]]] = "district"
    left = {h: n for h, n in t2["hub_type"].items() if h != "district"}
    hub[hub == ""] = exact_counts(left, rng)
    net["hub_type"] = hub
    # 2023 - launch year, raised to 1.5 where smaller: the participatory-benefits paper's
    # minimum duration (the variation paper's 2022 launch would otherwise give 1 year)
    net["duration_years"] = np.clip(2023 - net["launch_year"], 1.5, 5.0).astype(float)
    net["network_id"] = [f"NH{j + 1:02d}" for j in rng.permutation(len(net))]
    net = net.sort_values("network_id", ignore_index=True)
    return net[["network_id", "single_district", "archetype", "duration_years", "hub_type",
                "launch_year", "members", "development", "structure_from"]]


def _nh_layout(networks: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Persons in schools in networks, by wave (surveyed from the spring after launch)."""
    rows = []
    for _, net in networks.iterrows():
        n_resp = max(12, int(round(_NH_RESPONSE_SHARE * net["members"])))
        n_schools = int(np.clip(round(n_resp / 5), 4, 30))
        weights = rng.gamma(4.0, size=n_schools)
        for wave in NH_WAVES:
            if wave <= net["launch_year"]:
                continue
            n_wave = max(n_schools, int(round(n_resp * rng.uniform(0.8, 1.2))))
            sizes = largest_remainder(weights, n_wave, minimum=1)
            for j, size in enumerate(sizes):
                rows.append((net["network_id"], f"{net['network_id']}-S{j + 1:02d}", wave, size))
    lay = pd.DataFrame(rows, columns=["network_id", "school_id", "wave", "n"])
    return lay.loc[lay.index.repeat(lay["n"])].drop(columns="n").reset_index(drop=True)


def simulate_network_health(*, rng=NH_SEED,
                            missing_rate=_NH_MISSING_RATE) -> SyntheticNetworkHealth:
    """Simulate the SYNTHETIC four-wave INHD network health survey.

    Parameters
    ----------
    rng : int, numpy.random.Generator or None, default NH_SEED
        Randomness; the committed files use ``NH_SEED``.
    missing_rate : float, default 0.03
        Share of item responses removed completely at random.

    Returns
    -------
    SyntheticNetworkHealth

    Notes
    -----
    All 38 measures of :data:`NH_MEASURES`, each with its published number of items. Persons i
    in schools j in networks k in waves t (t = year - 2021), measure q:

    .. math::

        \\theta_{ijkt} = \\mu_q + g\\,t + b_{0kq} + b_{1kq} t + s_{jkq} + \\varepsilon_{ijkt},

    :math:`s \\sim N(0, \\tau_\\pi)`, :math:`b_0 \\sim N(0, \\tau_\\beta)`,
    :math:`b_1 \\sim N(0, (0.3)^2 \\tau_\\beta)`, :math:`\\varepsilon \\sim N(0, \\sigma^2_{true})`,
    mean growth :math:`g = 0.3 \\sqrt{\\tau_\\beta}` a year (0.3 network SDs); the growth figures
    are design assumptions (the poster publishes no slope variance). The drawn intercepts and
    school effects are standardised so that their sample variances over the networks (schools)
    surveyed in 2021, the reliability table's wave, equal the design's.

    *Measures of two or more items* are analysed as Rasch measures with known error variances.
    The ratios :math:`\\tau_\\pi/\\sigma^2` and :math:`\\tau_\\beta/\\sigma^2` come from
    :func:`inhd.reliability.required_variance_ratios` with the 2021 cluster sizes, so that the
    school- and network-level reliabilities of the observed measures equal the published ones
    (the nine marked "(n.s.)" as well: 0.01, 0.06, ..., 0.29, 0.21); the scale
    :math:`\\sigma^2 = \\sigma^2_{true} + \\bar e` is then set so that the person reliability
    :math:`1 - \\bar e / \\mathrm{Var}` equals the published individual reliability, with
    :math:`\\bar e = E[1/I(\\theta)]` the mean squared model SE of a person measure given the
    items (Gauss-Hermite quadrature). Thresholds are (-5, -1.7, 1.7, 5); item difficulties are
    evenly spaced in [-w, w], w the narrowest of 0.8, 1.5, 2, ... under which the published
    person reliability is reachable (0.8 for all but the three-item "Benefits", 0.93, and
    "Value", 0.91). This is the reliability of ML person measures given the items (as CML
    calibrations return it); JMLE's reliability runs higher on short measures.

    *Single-item measures* (the poster prints their individual reliability as "N/A") are
    analysed as the item's score. Their latent variance is a design assumption, the median
    latent variance of the multi-item measures; the latent school and network variances are
    solved so that the *score's* variance components (exact by quadrature, see
    ``_item_score_components``) give the published school and network reliabilities.

    A network health factor shared by all measures (60% of the network variance; every measure
    loads positively, as the poster does not say how its measures are keyed) orders the
    networks: the six highest draws go to the planted well-developed networks and the five
    lowest to the planted least-developed ones, which carry the structure (goal, launch year,
    members, districts) of the variation paper's W1-W6 and L1-L5 but not their labels; slopes
    correlate 0.4 with the factor. Person and school effects share a factor across measures
    (50%). Every measure is answered by every respondent (the poster's core/optional split is
    not recoverable from its text).

    References
    ----------
    Bryk, A. S., Li, A. Y., Luppescu, S., & Bui, M. A. (2025). Examining the validity of practical
    measures of improvement network health and development (the poster's Table 2).
    Russell, J. L., Bryk, A. S., & Sherer, J. Z. (2025). Exploring variation in educational
    improvement network health and development (the poster's Table 1).

    Examples
    --------
    >>> survey = simulate_network_health(rng=NH_SEED)
    >>> len(survey.measures), int((survey.measures["analysed_as"] == "item_score").sum())
    (38, 5)
    >>> survey.measure_items("expertise_diversity")
    ['expertise_diversity_1', 'expertise_diversity_2', 'expertise_diversity_3']
    >>> survey.measures.loc["hub_support", ["target_network", "design_network"]].round(2).tolist()
    [0.29, 0.29]
    """
    if not (isinstance(missing_rate, float) and 0.0 <= missing_rate < 0.5):
        raise ValueError(f"missing_rate must be a float in [0, 0.5), got {missing_rate!r}")
    g = as_generator(rng)
    networks = _nh_networks(g)
    lay = _nh_layout(networks, g)
    n = len(lay)
    # network health factor: sorted so the planted well-developed networks get the six highest
    # draws and the least-developed the five lowest
    k = len(networks)
    f_sorted = np.sort(g.standard_normal(k))[::-1]
    dev = networks["development"].to_numpy()
    factor = np.empty(k)
    factor[dev == "well"] = f_sorted[: (dev == "well").sum()]
    factor[dev == "least"] = f_sorted[k - (dev == "least").sum():]
    middle = f_sorted[(dev == "well").sum(): k - (dev == "least").sum()]
    factor[dev == "other"] = g.permutation(middle)
    growth_factor = (_NH_SLOPE_CORR * factor
                     + np.sqrt(1 - _NH_SLOPE_CORR ** 2) * g.standard_normal(k))
    net_index = pd.Index(networks["network_id"])
    net_pos = net_index.get_indexer(lay["network_id"])
    schools, school_pos = np.unique(lay["school_id"].to_numpy(), return_inverse=True)
    school_factor = g.standard_normal(schools.size)
    person_factor = g.standard_normal(n)
    t = (lay["wave"].to_numpy() - NH_WAVES[0]).astype(float)
    first = lay[lay["wave"] == NH_WAVES[0]]
    sizes0 = first.groupby("school_id").size()
    net_of_school0 = sizes0.index.str.split("-S").str[0]
    measures = _measure_designs(sizes0.to_numpy(), net_of_school0.to_numpy())
    in_2021 = net_index.isin(first["network_id"])          # the reliability table's wave
    school_in_2021 = np.isin(schools, sizes0.index)
    eff, latent, codes, item_rows = [], {}, {}, []
    w_net, w_p = np.sqrt(_NH_NETWORK_FACTOR), np.sqrt(_NH_PERSON_FACTOR)
    for key, m in measures.iterrows():
        # network intercepts and school effects are standardised over the networks (schools)
        # surveyed in 2021, the wave the design's reliabilities are for, so their sample
        # variances there equal the design's exactly (over all 34 they would shift with the
        # seven networks launched later, three of them planted at the extremes); the slopes
        # over all 34 networks
        b0 = np.sqrt(m["variance_network_id"]) * _standardise(
            w_net * factor + np.sqrt(1 - w_net ** 2) * g.standard_normal(k), in_2021)
        b1 = np.sqrt(m["variance_network_id:t"]) * _standardise(
            w_net * growth_factor + np.sqrt(1 - w_net ** 2) * g.standard_normal(k))
        s = np.sqrt(m["variance_school_id"]) * _standardise(
            w_p * school_factor + np.sqrt(1 - w_p ** 2) * g.standard_normal(schools.size),
            school_in_2021)
        eps = np.sqrt(m["variance_residual"]) * (w_p * person_factor + np.sqrt(1 - w_p ** 2)
                                                 * g.standard_normal(n))
        theta = (m["mean_2021"] + m["growth"] * t + b0[net_pos] + b1[net_pos] * t
                 + s[school_pos] + eps)
        latent[key] = theta
        delta = np.linspace(-m["item_spread"], m["item_spread"], int(m["n_items"]))
        for j, d in enumerate(delta):
            col = f"{key}_{j + 1}"
            codes[col] = simulate_rating_scale(theta, [d], _NH_THRESHOLDS, rng=g,
                                               min_category=1)[:, 0].astype(int)
            item_rows.append((col, key, float(d)))
        eff.append(pd.DataFrame({"network_id": net_index, "measure": key, "deviation": b0,
                                 "slope_deviation": b1}))
    X = pd.DataFrame(codes)
    mask = g.random(X.shape) < missing_rate
    mask[mask.all(axis=1), 0] = False
    X = X.mask(mask).astype("Int64")
    demo = _nh_demographics(lay, networks, g)
    respondents = pd.concat([demo, X], axis=1)
    return SyntheticNetworkHealth(
        respondents=respondents, networks=networks.drop(columns="members"),
        items=pd.DataFrame(item_rows, columns=["item", "measure", "difficulty"]).set_index("item"),
        measures=measures,
        thresholds=pd.Series(_NH_THRESHOLDS, index=pd.RangeIndex(1, 5, name="step"), name="tau"),
        network_effects=pd.concat(eff, ignore_index=True),
        latent=pd.DataFrame(latent, index=pd.Index(respondents["respondent_id"],
                                                   name="respondent_id")),
    )


def _nh_demographics(lay: pd.DataFrame, networks: pd.DataFrame, rng) -> pd.DataFrame:
    """Contract columns for the network health respondents, drawn with Table 1's shares.

    Tenure cannot exceed the years since launch; in the planted networks its 2023 mean follows the
    variation paper's average tenure of 2023 members in the row they borrow (elsewhere 2.17, the
    participatory-benefits paper's mean, scaled by network age).
    """
    n = len(lay)
    t1 = PB_TABLE1
    shares = lambda d: (list(d), np.array(list(d.values()), float) / sum(d.values()))  # noqa: E731
    gk, gp = shares(t1["gender"])
    rk, rp = shares(t1["race"])
    net = networks.set_index("network_id").loc[lay["network_id"]]
    age = (lay["wave"].to_numpy() - net["launch_year"].to_numpy()).astype(float)
    tenure_2023 = VARIATION_TABLE1.set_index("network")["average_tenure_2023"]
    mean_2023 = net["structure_from"].map(tenure_2023).fillna(t1["tenure_years"]["mean"])
    mean_2023 = mean_2023.to_numpy(float)
    age_2023 = np.maximum(2023 - net["launch_year"].to_numpy(), 1).astype(float)
    mean_t = np.clip(mean_2023 * age / age_2023, 0.3, None)
    tenure = np.minimum(np.round(rng.gamma(2.0, mean_t / 2.0)), age)
    school_first = np.r_[True, lay["school_id"].to_numpy()[1:] != lay["school_id"].to_numpy()[:-1]]
    lead = (school_first | (rng.random(n) < 0.2)).astype(int)
    schools, pos = np.unique(lay["school_id"].to_numpy() + lay["wave"].astype(str).to_numpy(),
                             return_inverse=True)
    freq = rng.choice(MEETING_FREQUENCY[0], p=MEETING_FREQUENCY[1], size=schools.size)[pos]
    cons = rng.choice(ATTENDANCE_CONSISTENCY[0], p=ATTENDANCE_CONSISTENCY[1], size=n)
    return pd.DataFrame({
        "respondent_id": [f"H{w}-{i + 1:05d}" for i, w in enumerate(lay["wave"])],
        "network_id": lay["network_id"].to_numpy(),
        "school_id": lay["school_id"].to_numpy(),
        "wave": lay["wave"].to_numpy(),
        "team_lead": lead,
        "tenure_years": tenure,
        "intensity": freq * cons,
        "gender": rng.choice(gk, p=gp, size=n),
        "race": rng.choice(rk, p=rp, size=n),
    })
