"""The SYNTHETIC four-wave network health survey (the validity and variation papers).

:func:`simulate_network_health` draws ten INHD survey measures across the framework's six domains
(Bryk, Li, Luppescu & Bui 2025, the poster's reliability table), persons in schools in 34
networks over the waves 2021-2024 with network-specific growth, including the well- and
least-developed clusters of Russell, Bryk & Sherer (2025). The design reproduces the published
individual, school and network reliabilities (:mod:`inhd.reliability`). Nothing made here
describes a real network, school or person; the committed files (``python -m inhd.synth``) say
SYNTHETIC in their names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from inhd.published import PB_TABLE1, PB_TABLE2, VARIATION_TABLE1
from inhd.reliability import (cluster_mean_reliability, expected_person_reliability,
                              nested_mean_reliability, required_variance_ratios)
from inhd.rsm import simulate_rating_scale
from inhd.sampling import as_generator, exact_counts, largest_remainder
from inhd.synthetic_cohort import ATTENDANCE_CONSISTENCY, MEETING_FREQUENCY

__all__ = ["NH_SEED", "NH_WAVES", "NH_MEASURES", "SyntheticNetworkHealth",
           "simulate_network_health"]

#: Seed of the committed network-health files.
NH_SEED = 20240601

#: Survey waves (spring of each year).
NH_WAVES = (2021, 2022, 2023, 2024)

#: The ten measures simulated, from the poster's reliability table (Bryk, Li, Luppescu & Bui 2025):
#: key -> (measure name, the table's domain, the framework's domain, n_items, published
#: individual, school and network reliabilities, 2021 mean in logits).
NH_MEASURES = {
    "trust_leaders": ("Relational trust with leaders", "Hub leadership",
                      "Strong hub leadership", 5, 0.86, 0.25, 0.79, 0.9),
    "knowledge_mgmt": ("Knowledge management", "Hub leadership",
                       "Strong hub leadership", 5, 0.91, 0.23, 0.82, 0.6),
    "social_participation": ("Sustaining social participation", "Network roles and engagement",
                             "Network roles and engagement", 6, 0.90, 0.18, 0.76, 0.7),
    "expertise_diversity": ("Membership to promote expertise diversity",
                            "Network roles and engagement", "Network roles and engagement",
                            3, 0.82, 0.21, 0.84, 0.5),
    "team_inquiry": ("Internal team connections: collaborative inquiry", "Network connections",
                     "Connections within improvement teams", 5, 0.92, 0.23, 0.88, 0.8),
    "cross_technology": ("Cross-team connections: collaborative technology", "Network connections",
                         "Connections across improvement teams", 5, 0.93, 0.12, 0.79, 0.2),
    "ci_equity": ("Continuous improvement for equity", "Continuous improvement",
                  "Continuous improvement processes", 5, 0.93, 0.20, 0.84, 0.4),
    "data_use": ("Use of data and analytics", "Continuous improvement",
                 "Continuous improvement processes", 4, 0.85, 0.22, 0.81, 0.6),
    "collective_identity": ("Collective identity", "Network culture", "Network culture",
                            6, 0.87, 0.18, 0.81, 1.0),
    "evidence_culture": ("Evidence-based culture", "Network culture", "Network culture",
                         5, 0.87, 0.19, 0.73, 0.7),
}
_NH_THRESHOLDS = np.array([-5.0, -1.7, 1.7, 5.0])
_NH_ITEM_SPREAD = 0.8            # item difficulties evenly spaced in [-0.8, 0.8] within a measure
_NH_GROWTH_RATIO = 0.3           # mean growth a year / SD of network intercepts
_NH_SLOPE_SD_RATIO = 0.3         # SD of network slopes (per year) / SD of network intercepts
_NH_SLOPE_CORR = 0.4             # correlation of a network's growth factor with its health factor
_NH_NETWORK_FACTOR = 0.6         # share of network variance common to all measures
_NH_PERSON_FACTOR = 0.5          # share of person and school variance common to all measures
_NH_RESPONSE_SHARE = 0.5         # respondents per wave / members
_NH_MISSING_RATE = 0.03
_GOAL_ARCHETYPE = {"Early Warning": "ewr", "Post-Sec Match": "psm",
                   "Instructional": "instructional"}


def _solve_scale(rel_ind, a, b, difficulties, thresholds, mean):
    """Observed within-school variance sigma2 and error variance e for a target person reliability.

    The SD of the true measures (all levels) is found by bracketing root search so that
    :func:`inhd.reliability.expected_person_reliability` equals ``rel_ind``; then ``sigma2 (1 + a + b) = true variance + e``
    with ``a = tau_school / sigma2`` and ``b = tau_network / sigma2``.
    """
    grid = np.linspace(0.2, 8.0, 40)
    rel = [expected_person_reliability(difficulties, thresholds, mean=mean, sd=s)[0]
           for s in grid]
    top = grid[int(np.argmax(rel))]
    if max(rel) <= rel_ind:
        raise ValueError(f"a person reliability of {rel_ind} is out of reach with "
                         f"{len(difficulties)} items (at most {max(rel):.3f})")
    sd = brentq(lambda s: expected_person_reliability(difficulties, thresholds, mean=mean,
                                                      sd=s)[0] - rel_ind,
                0.05, top, xtol=1e-12)
    e = expected_person_reliability(difficulties, thresholds, mean=mean, sd=sd)[1]
    return (sd ** 2 + e) / (1 + a + b), e


@dataclass(frozen=True)
class SyntheticNetworkHealth:
    """A SYNTHETIC four-wave network health survey and the truth that generated it.

    Attributes
    ----------
    respondents : pandas.DataFrame
        One row per respondent and wave (each wave a fresh cross-section), in the data contract's
        columns, then the item columns ``<measure>_<j>`` (1-5, missing as ``<NA>``), wide.
    networks : pandas.DataFrame
        The data contract's network columns plus ``launch_year`` and ``development``
        (``well``, ``least`` or ``other``: the variation paper's clusters).
    items : pandas.DataFrame
        Indexed by item column: ``measure`` and generating ``difficulty``.
    measures : pandas.DataFrame
        Indexed by measure key: names, domains, ``n_items``, the published reliabilities
        (``target_individual``, ``target_school``, ``target_network``), the generating variance
        components named by grouping level (``variance_network_id``, ``variance_school_id``, the
        network slope's ``variance_network_id:t`` and the person-level ``variance_residual``), the
        mean known error variance ``error_variance``, the ``observed_variance`` within schools
        (residual plus error), ``mean_2021``, ``growth``, and the reliabilities the design implies
        in 2021 (``design_individual``, ``design_school``, ``design_network``). The committed
        file ``network_health_measures_SYNTHETIC.csv`` keeps its original column names
        (``inhd.synth.FILE_COLUMNS``).
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
        lines = ["SYNTHETIC network health survey (calibrated to the poster's reliability table)",
                 f"  n_networks {len(self.networks)}, n_measures {len(self.measures)}, "
                 f"n_items {len(self.items)}",
                 "  respondents by wave: " + ", ".join(f"{w}: {n}" for w, n in per_wave.items())]
        m = self.measures
        for key, row in m.iterrows():
            lines.append(f"  {key:<22} design reliability: school "
                         f"{row['design_school']:.2f} (published "
                         f"{row['target_school']:.2f}), network {row['design_network']:.2f} "
                         f"({row['target_network']:.2f})")
        return "\n".join(lines)


def _standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _nh_networks(rng: np.random.Generator) -> pd.DataFrame:
    """34 networks: the 11 of the variation paper as published, 23 more so the totals match Table 2
    of the participatory-benefits paper (single-district 15, archetypes 19/10/5, hubs 19/7/4/4)."""
    t2 = PB_TABLE2
    v = VARIATION_TABLE1
    known = pd.DataFrame({
        "network_id": v["network"],
        "single_district": (v["districts"] == "Single").astype(int),
        "archetype": v["improvement_goal"].map(_GOAL_ARCHETYPE),
        "launch_year": v["launch_year"],
        "members": v["members_2023"],
        "development": np.where(v["network"].str.startswith("W"), "well", "least"),
    })
    k_rest = t2["n_networks"] - len(known)
    arche_left = {a: n - int((known["archetype"] == a).sum()) for a, n in t2["archetype"].items()}
    rest = pd.DataFrame({
        "network_id": [f"N{j + 1:02d}" for j in range(k_rest)],
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
    net["duration_years"] = np.clip(2023 - net["launch_year"], 1.5, 5.0).astype(float)
    return net[["network_id", "single_district", "archetype", "duration_years", "hub_type",
                "launch_year", "members", "development"]]


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
    Ten measures of :data:`NH_MEASURES` (two per framework domain for hub leadership, roles and
    engagement, continuous improvement and culture; one each for connections within and across
    teams), each with its published number of items. Persons i in schools j in networks k in
    waves t (t = year - 2021), measure q:

    .. math::

        \\theta_{ijkt} = \\mu_q + g\\,t + b_{0kq} + b_{1kq} t + s_{jkq} + \\varepsilon_{ijkt},

    :math:`s \\sim N(0, \\tau_\\pi)`, :math:`b_0 \\sim N(0, \\tau_\\beta)`,
    :math:`b_1 \\sim N(0, (0.3)^2 \\tau_\\beta)`, :math:`\\varepsilon \\sim N(0, \\sigma^2_{true})`,
    mean growth :math:`g = 0.3 \\sqrt{\\tau_\\beta}` a year (0.3 network SDs).
    The ratios :math:`\\tau_\\pi/\\sigma^2` and :math:`\\tau_\\beta/\\sigma^2` come from
    :func:`inhd.reliability.required_variance_ratios` with the 2021 cluster sizes, so that the
    school- and network-level reliabilities of the observed measures equal the published ones; the
    scale
    :math:`\\sigma^2 = \\sigma^2_{true} + \\bar e` is then set so that the person reliability
    :math:`1 - \\bar e / \\mathrm{Var}` equals the published individual reliability, with
    :math:`\\bar e = E[1/I(\\theta)]` the mean squared model SE of a person measure given the
    items (Gauss-Hermite quadrature). A network health factor shared by all measures (60% of
    the network variance) orders networks: the six highest are the well-developed W1-W6 and
    the five lowest the least-developed L1-L5 of the variation paper, with their published
    structure (goal, launch year, members, districts); slopes correlate 0.4 with it. Person and
    school effects share a factor across measures (50%). Responses follow the rating-scale model
    with item difficulties evenly spaced in [-0.8, 0.8] and thresholds (-5, -1.7, 1.7, 5)
    (wide enough for the published person reliabilities of five-item measures, up to 0.93).

    References
    ----------
    Bryk, A. S., Li, A. Y., Luppescu, S., & Bui, M. A. (2025). Examining the validity of practical
    measures of improvement network health and development (the poster's Table 2).
    Russell, J. L., Bryk, A. S., & Sherer, J. Z. (2025). Exploring variation in educational
    improvement network health and development (the poster's Table 1).

    Examples
    --------
    >>> survey = simulate_network_health(rng=NH_SEED)
    >>> survey.respondents.groupby("wave")["network_id"].nunique().to_dict()
    {2021: 27, 2022: 32, 2023: 34, 2024: 34}
    >>> survey.measure_items("expertise_diversity")
    ['expertise_diversity_1', 'expertise_diversity_2', 'expertise_diversity_3']
    >>> survey.measures.loc["team_inquiry", ["target_network", "design_network"]].round(2).tolist()
    [0.88, 0.88]
    """
    if not (isinstance(missing_rate, float) and 0.0 <= missing_rate < 0.5):
        raise ValueError(f"missing_rate must be a float in [0, 0.5), got {missing_rate!r}")
    g = as_generator(rng)
    networks = _nh_networks(g)
    lay = _nh_layout(networks, g)
    n = len(lay)
    # network health factor: sorted so W1-W6 get the six highest draws and L1-L5 the five lowest
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
    rows, eff, latent, codes, item_rows = [], [], {}, {}, []
    for q, (key, spec) in enumerate(NH_MEASURES.items()):
        name, dom_table, dom_framework, n_items, r_ind, r_sch, r_net, mu = spec
        a, b = required_variance_ratios(school_reliability=r_sch, network_reliability=r_net,
                                        school_sizes=sizes0.to_numpy(),
                                        network_of_school=net_of_school0.to_numpy())
        delta = np.linspace(-_NH_ITEM_SPREAD, _NH_ITEM_SPREAD, n_items)
        sigma2, e = _solve_scale(r_ind, a, b, delta, _NH_THRESHOLDS, mu)
        tau_s, tau_n = a * sigma2, b * sigma2
        tau_slope = (_NH_SLOPE_SD_RATIO ** 2) * tau_n
        growth = _NH_GROWTH_RATIO * np.sqrt(tau_n)
        sigma2_true = sigma2 - e
        w_net, w_p = np.sqrt(_NH_NETWORK_FACTOR), np.sqrt(_NH_PERSON_FACTOR)
        # network and school effects are standardised over the 34 networks (all schools), so
        # their sample variances equal the design's tau exactly
        b0 = np.sqrt(tau_n) * _standardise(w_net * factor + np.sqrt(1 - w_net ** 2)
                                           * g.standard_normal(k))
        b1 = np.sqrt(tau_slope) * _standardise(w_net * growth_factor + np.sqrt(1 - w_net ** 2)
                                               * g.standard_normal(k))
        s = np.sqrt(tau_s) * _standardise(w_p * school_factor + np.sqrt(1 - w_p ** 2)
                                          * g.standard_normal(schools.size))
        eps = np.sqrt(sigma2_true) * (w_p * person_factor + np.sqrt(1 - w_p ** 2)
                                      * g.standard_normal(n))
        theta = mu + growth * t + b0[net_pos] + b1[net_pos] * t + s[school_pos] + eps
        latent[key] = theta
        cols = [f"{key}_{j + 1}" for j in range(n_items)]
        for col, d in zip(cols, delta):
            codes[col] = simulate_rating_scale(theta, [d], _NH_THRESHOLDS, rng=g,
                                               min_category=1)[:, 0].astype(int)
            item_rows.append((col, key, float(d)))
        eff.append(pd.DataFrame({"network_id": net_index, "measure": key, "deviation": b0,
                                 "slope_deviation": b1}))
        rows.append({
            "measure": key, "name": name, "poster_domain": dom_table,
            "framework_domain": dom_framework, "n_items": n_items,
            "target_individual": r_ind, "target_school": r_sch, "target_network": r_net,
            "observed_variance": sigma2, "variance_residual": sigma2_true, "error_variance": e,
            "variance_school_id": tau_s, "variance_network_id": tau_n,
            "variance_network_id:t": tau_slope,
            "mean_2021": mu, "growth": growth,
            "design_individual": expected_person_reliability(
                delta, _NH_THRESHOLDS, mean=mu, sd=np.sqrt(sigma2_true + tau_s + tau_n))[0],
            "design_school": float(np.mean(cluster_mean_reliability(tau_s, sigma2,
                                                                    sizes0.to_numpy()))),
            "design_network": nested_mean_reliability(tau_n, tau_s, sigma2, sizes0.to_numpy(),
                                                      net_of_school0.to_numpy()),
        })
    X = pd.DataFrame(codes)
    mask = g.random(X.shape) < missing_rate
    mask[mask.all(axis=1), 0] = False
    X = X.mask(mask).astype("Int64")
    demo = _nh_demographics(lay, networks, g)
    respondents = pd.concat([demo, X], axis=1)
    return SyntheticNetworkHealth(
        respondents=respondents, networks=networks.drop(columns="members"),
        items=pd.DataFrame(item_rows, columns=["item", "measure", "difficulty"]).set_index("item"),
        measures=pd.DataFrame(rows).set_index("measure"),
        thresholds=pd.Series(_NH_THRESHOLDS, index=pd.RangeIndex(1, 5, name="step"), name="tau"),
        network_effects=pd.concat(eff, ignore_index=True),
        latent=pd.DataFrame(latent, index=pd.Index(respondents["respondent_id"],
                                                   name="respondent_id")),
    )


def _nh_demographics(lay: pd.DataFrame, networks: pd.DataFrame, rng) -> pd.DataFrame:
    """Contract columns for the network health respondents, drawn with Table 1's shares.

    Tenure cannot exceed the years since launch; in the W and L networks its 2023 mean follows the
    variation paper's average tenure of 2023 members (elsewhere 2.17 scaled by network age).
    """
    n = len(lay)
    t1 = PB_TABLE1
    shares = lambda d: (list(d), np.array(list(d.values()), float) / sum(d.values()))  # noqa: E731
    gk, gp = shares(t1["gender"])
    rk, rp = shares(t1["race"])
    net = networks.set_index("network_id").loc[lay["network_id"]]
    age = (lay["wave"].to_numpy() - net["launch_year"].to_numpy()).astype(float)
    tenure_2023 = VARIATION_TABLE1.set_index("network")["average_tenure_2023"]
    mean_2023 = lay["network_id"].map(tenure_2023).fillna(2.17).to_numpy(float)
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


