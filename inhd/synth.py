"""SYNTHETIC INHD survey data, calibrated to the published tables, generated from published models.

The program's survey data are confidential, so the compendium runs on synthetic data. Nothing made
here describes a real network, school or person; every file written from it says SYNTHETIC in its
name. Two generators, both deterministic given ``rng`` (a seed or a
:class:`numpy.random.Generator`):

- :func:`simulate_participatory_benefits`: the 2022-23 cohort of Perlman, Bryk & Russell (2025):
  34 networks with Table 2's counts and moments, 2,073 respondents with Table 1's counts and
  moments, a latent benefit drawn from Table 4's final model, and responses to 11 candidate items
  (the nine of Table 3 plus two built to misfit) from the rating-scale model.
- :func:`simulate_network_health`: ten INHD survey measures across the framework's six domains
  (Bryk, Li, Luppescu & Bui 2025, the poster's Table 2), persons in schools in 34 networks over the
  waves 2021-2024 with network-specific growth, including the well- and least-developed clusters of
  Russell, Bryk & Sherer (2025).

:func:`write_synthetic_data` (``python -m inhd.synth``) regenerates every committed SYNTHETIC CSV
from the fixed seeds :data:`PB_SEED` and :data:`NH_SEED` (and writes the variation paper's
structural table to ``data/published/``); :func:`published_tables` reads the published tables
transcribed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.rsm import log_probs, simulate_rating_scale

__all__ = [
    "PB_SEED", "NH_SEED", "PB_ITEMS", "PB_CANDIDATE_ITEMS", "PB_TABLE1", "PB_TABLE2",
    "PB_TABLE4_FINAL", "NH_MEASURES", "NH_WAVES",
    "SyntheticCohort", "SyntheticNetworkHealth",
    "simulate_participatory_benefits", "simulate_network_health",
    "VARIATION_TABLE1", "published_tables", "write_synthetic_data", "required_variance_ratios",
]

#: Seed of the committed participatory-benefits files.
PB_SEED = 20230501
#: Seed of the committed network-health files.
NH_SEED = 20240601

# --------------------------------------------------------------------------------------------
# Published targets (Perlman, Bryk & Russell 2025, Tables 1-4)
# --------------------------------------------------------------------------------------------
#: Table 1: counts of the categorical person variables and moments of the continuous ones.
PB_TABLE1 = {
    "n_respondents": 2073,
    "team_lead": 644,
    "gender": {"woman": 1278, "man": 562, "additional": 18, "undisclosed": 215},
    "race": {"white": 694, "asian": 109, "black": 336, "latinx": 502, "mixed": 124,
             "additional": 33, "undisclosed": 275},
    "tenure_years": {"mean": 2.17, "sd": 1.39, "min": 0.0, "max": 5.0},
    "intensity": {"mean": 0.88, "sd": 0.55, "min": 0.0, "max": 1.5},
    "measure": {"mean": 2.72, "sd": 2.66, "min": -7.1, "max": 6.98},
}
#: Table 2: counts of the network variables and the moments of duration since launch.
PB_TABLE2 = {
    "n_networks": 34,
    "single_district": 15,
    "archetype": {"instructional": 19, "ewr": 10, "psm": 5},
    "hub_type": {"ta": 19, "ihe": 7, "district": 4, "other": 4},
    "duration_years": {"mean": 3.6, "sd": 1.15, "min": 1.5, "max": 5.0},
}
#: Table 4, final model: fixed effects (logits). Person-level predictors are group-mean centred,
#: network-level predictors grand-mean centred; gender is not in the final model (effect 0).
PB_TABLE4_FINAL = {
    "fixed": {
        "intercept": 3.03, "team_lead": 0.47, "tenure_years": 0.09, "intensity": 0.50,
        "race_asian": 0.13, "race_black": 0.33, "race_latinx": 0.34, "race_mixed": 0.51,
        "race_additional": 0.83, "race_undisclosed": -0.46,
        "single_district": -1.36, "duration_years": 0.35, "archetype_ewr": 0.57,
        "archetype_psm": -0.10, "hub_ihe": 0.70, "hub_district": 0.70, "hub_other": -0.02,
    },
    "se": {
        "intercept": 0.15, "team_lead": 0.10, "tenure_years": 0.04, "intensity": 0.12,
        "race_asian": 0.22, "race_black": 0.14, "race_latinx": 0.14, "race_mixed": 0.15,
        "race_additional": 0.30, "race_undisclosed": 0.19,
        "single_district": 0.36, "duration_years": 0.11, "archetype_ewr": 0.24,
        "archetype_psm": 0.40, "hub_ihe": 0.29, "hub_district": 0.66, "hub_other": 0.39,
    },
    "within_variance": 3.119,
    "between_variance": 0.559,
}
_PERSON_PREDICTORS = ["team_lead", "tenure_years", "intensity", "race_asian", "race_black",
                      "race_latinx", "race_mixed", "race_additional", "race_undisclosed"]
_NETWORK_PREDICTORS = ["single_district", "duration_years", "archetype_ewr", "archetype_psm",
                       "hub_ihe", "hub_district", "hub_other"]

#: Table 3's nine items, in the table's order: (column, construct, Rasch rank 1 = easiest).
PB_ITEMS = [
    ("pb_value_participation", "Values network participation", 1),
    ("pb_worthwhile", "Network is worthwhile", 7),
    ("pb_give_priority", "Would give network priority", 9),
    ("pb_difference_students", "Makes a difference for students", 4),
    ("pb_improve_school", "Will improve my school", 2),
    ("pb_belong_community", "Values belonging to community", 3),
    ("pb_inquiry_helps", "Inquiry helps us improve", 5),
    ("pb_learn_tools", "Learns improvement tools", 8),
    ("pb_new_ideas", "Values access to new ideas", 6),
]
#: The two candidate items built to misfit (the paper deleted two misfitting candidates).
PB_CANDIDATE_ITEMS = [
    ("pb_cand_eases_workload",
     "Participation eases my workload (second dimension: noisy, infit/outfit > 1)"),
    ("pb_cand_recommend",
     "Would recommend the network (steep, near-deterministic: infit/outfit < 1)"),
]
# Generating item difficulties by Rasch rank (1 = easiest); they sum to zero.
_PB_DIFFICULTY_BY_RANK = np.array([-1.05, -0.7, -0.5, -0.3, -0.1, 0.15, 0.4, 0.7, 1.4])
_PB_THRESHOLDS = np.array([-2.7, -1.0, 0.9, 2.8])
_PB_CANDIDATE_DIFFICULTY = {"pb_cand_eases_workload": 0.6, "pb_cand_recommend": -0.2}
_PB_CANDIDATE_DISCRIMINATION = {"pb_cand_eases_workload": 0.5, "pb_cand_recommend": 3.0}
_PB_MISSING_RATE = 0.03
_SINGLE_DISTRICT_LOG_SIZE = 1.1


# --------------------------------------------------------------------------------------------
# Small generators
# --------------------------------------------------------------------------------------------
def _rng(rng) -> np.random.Generator:
    """A Generator from a seed, a Generator or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, "
                    f"got {type(rng).__name__}")


def _exact_counts(counts: dict, rng: np.random.Generator) -> np.ndarray:
    """A random permutation of labels with exactly the given counts."""
    labels = np.concatenate([[k] * int(v) for k, v in counts.items()])
    return rng.permutation(labels)


def _match_moments(codes, levels, *, mean, sd, mean_decimals, sd_decimals, rng,
                   frozen=None, weights=None, max_iter=200_000):
    """Nudge discrete codes (indices into ``levels``) until the sample mean and SD round to targets.

    Greedy random local search: a random unit moves one level up or down when that brings the
    rounded-moment loss down. Values stay on ``levels`` (so within its bounds); ``frozen`` units
    never move (they pin the published minimum and maximum). ``weights`` multiply the level
    value (the intensity is frequency x consistency: the search moves consistency, the weights
    are the frequencies). The SD is the sample SD (ddof = 1). Raises RuntimeError if it cannot
    get there.
    """
    codes = np.array(codes, dtype=int)
    levels = np.asarray(levels, dtype=float)
    w = np.ones(codes.size) if weights is None else np.asarray(weights, dtype=float)
    movable = np.ones(codes.size, bool) if frozen is None else ~np.asarray(frozen, bool)
    idx_movable = np.flatnonzero(movable)
    n = codes.size
    x = levels[codes] * w
    s1, s2 = x.sum(), (x ** 2).sum()
    tol_m, tol_s = 0.5 * 10.0 ** -mean_decimals, 0.5 * 10.0 ** -sd_decimals
    # aim at the centre of the rounding interval, accept anywhere comfortably inside it
    def loss(a, b):
        m = a / n
        v = (b - n * m * m) / (n - 1)
        return ((m - mean) / tol_m) ** 2 + ((np.sqrt(max(v, 0.0)) - sd) / tol_s) ** 2
    cur = loss(s1, s2)
    for _ in range(max_iter):
        m = s1 / n
        s = np.sqrt((s2 - n * m * m) / (n - 1))
        if abs(m - mean) < 0.8 * tol_m and abs(s - sd) < 0.8 * tol_s:
            return codes
        i = idx_movable[rng.integers(idx_movable.size)]
        step = 1 if rng.random() < 0.5 else -1
        c = codes[i] + step
        if c < 0 or c >= levels.size:
            continue
        new = levels[c] * w[i]
        a, b = s1 - x[i] + new, s2 - x[i] ** 2 + new ** 2
        nl = loss(a, b)
        if nl < cur:
            codes[i], x[i], s1, s2, cur = c, new, a, b, nl
    raise RuntimeError("could not match the target moments; try another seed")


def _largest_remainder(weights, total: int, minimum: int = 0) -> np.ndarray:
    """Integers proportional to ``weights``, each at least ``minimum``, summing to ``total``."""
    w = np.asarray(weights, dtype=float)
    spare = total - minimum * w.size
    raw = spare * w / w.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out))[: spare - out.sum()]] += 1
    return out + minimum


def _schools(network_sizes, prefix_by_network, rng, *, mean_size=6.0):
    """School ids for persons laid out network by network (about ``mean_size`` persons a school)."""
    ids = []
    for size, prefix in zip(network_sizes, prefix_by_network):
        n_schools = max(2, int(round(size / mean_size)))
        sizes = _largest_remainder(rng.gamma(4.0, size=n_schools), int(size), minimum=1)
        ids.extend(np.repeat([f"{prefix}-S{j + 1:02d}" for j in range(n_schools)], sizes))
    return np.array(ids, dtype=object)


# --------------------------------------------------------------------------------------------
# Participatory benefits cohort
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SyntheticCohort:
    """A SYNTHETIC participatory-benefits cohort and the truth that generated it.

    Attributes
    ----------
    respondents : pandas.DataFrame
        One row per respondent, in the data contract's columns (``respondent_id``, ``network_id``,
        ``school_id``, ``wave``, ``team_lead``, ``tenure_years``, ``intensity``, ``gender``,
        ``race``) then the 11 candidate item columns (1-5, missing as ``<NA>``).
    networks : pandas.DataFrame
        One row per network: ``network_id``, ``single_district``, ``archetype``,
        ``duration_years``, ``hub_type``.
    items : pandas.DataFrame
        Generating item parameters indexed by item column: ``construct``, ``rasch_rank``
        (Table 3's rank, 1 = easiest; NA for candidates), ``difficulty`` (logits),
        ``discrimination``, ``second_dimension_weight``, ``role`` (``measure`` or ``candidate``).
    thresholds : pandas.Series
        The four generating Andrich thresholds (sum zero).
    latent : pandas.DataFrame
        Per respondent (indexed by ``respondent_id``): ``theta`` (true benefit, logits), ``linear``
        (the fixed part), ``network_effect`` (u_k), ``person_effect`` (e_ik), ``second_dimension``,
        ``frequency`` and ``consistency`` (the two factors of intensity).
    fixed_effects : pandas.Series
        The generating fixed effects (Table 4, final model), indexed like :data:`PB_TABLE4_FINAL`.
    variances : pandas.Series
        ``within`` (sigma^2 = 3.119) and ``between`` (tau = 0.559): the generating variances.
    network_effects : pandas.Series
        The drawn u_k, indexed by ``network_id``.
    """

    respondents: pd.DataFrame
    networks: pd.DataFrame
    items: pd.DataFrame
    thresholds: pd.Series
    latent: pd.DataFrame
    fixed_effects: pd.Series
    variances: pd.Series
    network_effects: pd.Series

    @property
    def measure_items(self) -> list[str]:
        """The nine items of the final measure (Table 3), in the table's order."""
        return [c for c, *_ in PB_ITEMS]

    def design(self) -> pd.DataFrame:
        """The centred predictors of Table 4's final model, one row per respondent.

        Person-level predictors are centred on their network means, network-level ones on their
        grand mean over networks (each network counted once), as in the paper.
        """
        return _pb_design(self.respondents, self.networks)

    def summary(self) -> str:
        r, n = self.respondents, self.networks
        items = self.measure_items
        top = int((r[items] == 5).sum(axis=1).eq(r[items].notna().sum(axis=1)).sum())
        lines = [
            "SYNTHETIC participatory-benefits cohort (Perlman, Bryk & Russell 2025 calibration)",
            f"  n_networks {len(n)}, n_persons {len(r)}, team leads {int(r['team_lead'].sum())}",
            f"  tenure mean {r['tenure_years'].mean():.2f} SD {r['tenure_years'].std():.2f}; "
            f"intensity mean {r['intensity'].mean():.2f} SD {r['intensity'].std():.2f}",
            f"  true benefit mean {self.latent['theta'].mean():.2f} "
            f"SD {self.latent['theta'].std():.2f}",
            f"  respondents at the top of every answered measure item: {top}",
            f"  missing responses: "
            f"{r[items + [c for c, _ in PB_CANDIDATE_ITEMS]].isna().mean().mean():.1%}",
        ]
        return "\n".join(lines)


def _pb_networks(rng: np.random.Generator) -> pd.DataFrame:
    t = PB_TABLE2
    k = t["n_networks"]
    hub = _exact_counts(t["hub_type"], rng)
    # district-hub networks operate inside one district; the rest of the 15 are drawn at random
    single = (hub == "district").astype(int)
    others = rng.permutation(np.flatnonzero(single == 0))[: t["single_district"] - single.sum()]
    single[others] = 1
    arche = _exact_counts(t["archetype"], rng)
    d = t["duration_years"]
    levels = np.round(np.arange(d["min"], d["max"] + 1e-9, 0.1), 1)
    # start from a scaled Beta with the target mean/SD, on a 0.1-year grid
    mu, var = (d["mean"] - d["min"]) / (d["max"] - d["min"]), (d["sd"] / (d["max"] - d["min"])) ** 2
    s = mu * (1 - mu) / var - 1
    x = d["min"] + (d["max"] - d["min"]) * rng.beta(mu * s, (1 - mu) * s, size=k)
    codes = np.clip(np.round((x - d["min"]) / 0.1).astype(int), 0, levels.size - 1)
    codes[:2] = [0, levels.size - 1]           # the published minimum and maximum occur
    frozen = np.zeros(k, bool)
    frozen[:2] = True
    codes = _match_moments(codes, levels, mean=d["mean"], sd=d["sd"], mean_decimals=1,
                           sd_decimals=2, rng=rng, frozen=frozen)
    order = rng.permutation(k)
    return pd.DataFrame({
        "network_id": [f"PB{j + 1:02d}" for j in range(k)],
        "single_district": single,
        "archetype": arche,
        "duration_years": levels[codes][order],
        "hub_type": hub,
    })


def _pb_design(respondents: pd.DataFrame, networks: pd.DataFrame) -> pd.DataFrame:
    r = respondents
    person = pd.DataFrame({
        "team_lead": r["team_lead"].astype(float),
        "tenure_years": r["tenure_years"].astype(float),
        "intensity": r["intensity"].astype(float),
        **{f"race_{g}": (r["race"] == g).astype(float)
           for g in ["asian", "black", "latinx", "mixed", "additional", "undisclosed"]},
    }, index=r.index)
    person = person - person.groupby(r["network_id"].to_numpy()).transform("mean")
    n = networks.set_index("network_id")
    net = pd.DataFrame({
        "single_district": n["single_district"].astype(float),
        "duration_years": n["duration_years"].astype(float),
        "archetype_ewr": (n["archetype"] == "ewr").astype(float),
        "archetype_psm": (n["archetype"] == "psm").astype(float),
        "hub_ihe": (n["hub_type"] == "ihe").astype(float),
        "hub_district": (n["hub_type"] == "district").astype(float),
        "hub_other": (n["hub_type"] == "other").astype(float),
    })
    net = (net - net.mean()).loc[r["network_id"].to_numpy()].set_axis(r.index)
    return pd.concat([person, net], axis=1)[_PERSON_PREDICTORS + _NETWORK_PREDICTORS]


_FREQUENCY = ([0.0, 0.5, 1.0, 1.5], [0.03, 0.12, 0.45, 0.40])       # team meetings a month (school)
_CONSISTENCY = ([0.0, 0.25, 0.5, 0.75, 1.0], [0.05, 0.06, 0.10, 0.24, 0.55])  # share attended


def _pb_respondents(networks: pd.DataFrame, rng: np.random.Generator):
    t = PB_TABLE1
    n = t["n_respondents"]
    # single-district networks (large urban districts) are larger, as in the variation paper
    log_size = rng.normal(0.0, 0.5, size=len(networks)) + _SINGLE_DISTRICT_LOG_SIZE * networks[
        "single_district"].to_numpy()
    sizes = _largest_remainder(np.exp(log_size), n, minimum=15)
    net_ids = np.repeat(networks["network_id"].to_numpy(), sizes)
    school = _schools(sizes, networks["network_id"], rng)
    # team leads: one per school first (a school's improvement team has a lead), then at random
    lead = np.zeros(n, int)
    first = np.flatnonzero(np.r_[True, school[1:] != school[:-1]])
    first = rng.permutation(first)[: t["team_lead"]]
    lead[first] = 1
    rest = rng.permutation(np.flatnonzero(lead == 0))[: t["team_lead"] - lead.sum()]
    lead[rest] = 1
    gender = _exact_counts(t["gender"], rng)
    race = _exact_counts(t["race"], rng)
    # tenure: whole years 0..5 from a beta-binomial with Table 1's moments, then nudged so the
    # sample mean and SD round to 2.17 and 1.39 (one respondent pinned at 0 and one at 5)
    m, v = t["tenure_years"]["mean"], t["tenure_years"]["sd"] ** 2
    p = m / 5
    ratio = v / (5 * p * (1 - p))               # beta-binomial: var = n p q (s + n) / (s + 1)
    s = (5 - ratio) / (ratio - 1)
    tenure = rng.binomial(5, rng.beta(p * s, (1 - p) * s, size=n))
    frozen = np.zeros(n, bool)
    pins = rng.choice(n, size=4, replace=False)
    tenure[pins[:2]] = [0, 5]
    frozen[pins] = True
    tenure = _match_moments(tenure, np.arange(6.0), mean=m, sd=t["tenure_years"]["sd"],
                            mean_decimals=2, sd_decimals=2, rng=rng, frozen=frozen)
    # intensity = meeting frequency (a school's team) x consistency of the person's attendance
    schools, school_idx = np.unique(school, return_inverse=True)
    school_freq = rng.choice(_FREQUENCY[0], p=_FREQUENCY[1], size=schools.size)
    school_freq[school_idx[pins[3]]] = 1.5      # pins: one never attends, one always at 1.5 a month
    freq = school_freq[school_idx]
    cons = rng.choice(len(_CONSISTENCY[0]), p=_CONSISTENCY[1], size=n)
    cons[pins[2]] = 0
    cons[pins[3]] = len(_CONSISTENCY[0]) - 1
    cons = _match_moments(cons, _CONSISTENCY[0], mean=t["intensity"]["mean"],
                          sd=t["intensity"]["sd"], mean_decimals=2, sd_decimals=2, rng=rng,
                          frozen=frozen, weights=freq)
    consistency = np.asarray(_CONSISTENCY[0])[cons]
    return pd.DataFrame({
        "respondent_id": [f"R{i + 1:05d}" for i in range(n)],
        "network_id": net_ids,
        "school_id": school,
        "wave": 2023,
        "team_lead": lead,
        "tenure_years": tenure.astype(float),
        "intensity": freq * consistency,
        "gender": gender,
        "race": race,
    }), freq, consistency


def _pb_items_table() -> pd.DataFrame:
    rows = []
    for col, construct, rank in PB_ITEMS:
        rows.append((col, construct, rank, _PB_DIFFICULTY_BY_RANK[rank - 1], 1.0, 0.0, "measure"))
    for col, construct in PB_CANDIDATE_ITEMS:
        rows.append((col, construct, pd.NA, _PB_CANDIDATE_DIFFICULTY[col],
                     _PB_CANDIDATE_DISCRIMINATION[col],
                     0.9 if col == "pb_cand_eases_workload" else 0.0, "candidate"))
    out = pd.DataFrame(rows, columns=["item", "construct", "rasch_rank", "difficulty",
                                      "discrimination", "second_dimension_weight", "role"])
    out["rasch_rank"] = out["rasch_rank"].astype("Int64")
    return out.set_index("item")


def simulate_participatory_benefits(*, rng=PB_SEED,
                                    missing_rate=_PB_MISSING_RATE) -> SyntheticCohort:
    """Simulate the SYNTHETIC participatory-benefits cohort of Perlman, Bryk & Russell (2025).

    Parameters
    ----------
    rng : int, numpy.random.Generator or None, default PB_SEED
        Randomness. The committed files use ``PB_SEED``; the same seed gives identical frames.
    missing_rate : float, default 0.03
        Share of item responses removed completely at random (MCAR).

    Returns
    -------
    SyntheticCohort
        The respondents and networks tables (data contract) and the generating truth.

    Notes
    -----
    Networks (Table 2): exact counts of single-district networks (15; the four district-hub
    networks are among them), archetypes (19/10/5) and hub types (19/7/4/4); duration since launch
    on a 0.1-year grid in [1.5, 5] whose sample mean and SD round to 3.6 and 1.15. Respondents
    (Table 1): exact counts of team leads (one per school first), gender and race; tenure in whole
    years 0-5 and intensity = meeting frequency (school) x consistency (person) in [0, 1.5], with
    sample means and SDs (ddof 1) that round to Table 1's.

    The true benefit follows Table 4's final model,

    .. math::

        \\theta_{ik} = \\gamma_0 + \\sum_p \\beta_p (x_{pik} - \\bar x_{p\\cdot k})
            + \\sum_q \\gamma_q (w_{qk} - \\bar w_q) + u_k + e_{ik},
        \\quad u_k \\sim N(0, 0.559),\\ e_{ik} \\sim N(0, 3.119),

    on the measure's logit scale (item difficulties sum to zero). Responses 1-5 follow the
    rating-scale model :math:`P(X=h) \\propto \\exp\\, a\\sum_{k \\le h}(\\theta-\\delta_i-\\tau_k)`
    with ``a = 1`` for the nine items of Table 3 (difficulties ordered as its Rasch ranks). The two
    candidates misfit by construction: ``pb_cand_eases_workload`` answers a second dimension
    :math:`\\theta^* = \\bar\\theta + \\rho(\\theta - \\bar\\theta) + w\\,
    \\mathrm{SD}(\\theta) z` with weight :math:`w = 0.9` on the new dimension :math:`z` and
    :math:`\\rho = \\sqrt{1 - w^2} \\approx 0.44`, and ``a = 0.5``, so it is noisy
    (infit/outfit mean-squares well above 1); ``pb_cand_recommend`` has ``a = 3``
    (near-deterministic, mean-squares well below 1).

    References
    ----------
    Perlman, H., Bryk, A. S., & Russell, J. L. (2025). Tables 1-4, Figure 1.

    Examples
    --------
    >>> cohort = simulate_participatory_benefits(rng=PB_SEED)
    >>> len(cohort.respondents), int(cohort.respondents["team_lead"].sum())
    (2073, 644)
    >>> round(float(cohort.respondents["tenure_years"].mean()), 2)
    2.17
    >>> cohort.networks["archetype"].value_counts().to_dict()
    {'instructional': 19, 'ewr': 10, 'psm': 5}
    """
    if not (isinstance(missing_rate, float) and 0.0 <= missing_rate < 0.5):
        raise ValueError(f"missing_rate must be a float in [0, 0.5), got {missing_rate!r}")
    g = _rng(rng)
    networks = _pb_networks(g)
    resp, freq, cons = _pb_respondents(networks, g)
    design = _pb_design(resp, networks)
    fe = pd.Series(PB_TABLE4_FINAL["fixed"], name="estimate")
    linear = fe["intercept"] + design.to_numpy() @ fe[design.columns].to_numpy()
    tau_u, sigma2 = PB_TABLE4_FINAL["between_variance"], PB_TABLE4_FINAL["within_variance"]
    u = pd.Series(g.normal(0.0, np.sqrt(tau_u), size=len(networks)),
                  index=networks["network_id"].to_numpy(), name="u")
    e = g.normal(0.0, np.sqrt(sigma2), size=len(resp))
    theta = linear + u.loc[resp["network_id"]].to_numpy() + e
    items = _pb_items_table()
    weight = items.loc["pb_cand_eases_workload", "second_dimension_weight"]
    rho = np.sqrt(1.0 - weight ** 2)
    z = g.standard_normal(len(resp))
    second = theta.mean() + rho * (theta - theta.mean()) + weight * theta.std() * z
    codes = {}
    for col, row in items.iterrows():
        trait = second if row["second_dimension_weight"] > 0 else theta
        codes[col] = simulate_rating_scale(trait, [row["difficulty"]], _PB_THRESHOLDS, rng=g,
                                           discrimination=row["discrimination"],
                                           min_category=1)[:, 0].astype(int)
    X = pd.DataFrame(codes)
    mask = g.random(X.shape) < missing_rate
    mask[mask.all(axis=1), 0] = False           # every respondent answers at least one item
    X = X.mask(mask).astype("Int64")
    respondents = pd.concat([resp, X], axis=1)
    latent = pd.DataFrame({
        "theta": theta, "linear": linear, "network_effect": u.loc[resp["network_id"]].to_numpy(),
        "person_effect": e, "second_dimension": second, "frequency": freq, "consistency": cons,
    }, index=pd.Index(resp["respondent_id"], name="respondent_id"))
    return SyntheticCohort(
        respondents=respondents, networks=networks, items=items,
        thresholds=pd.Series(_PB_THRESHOLDS, index=pd.RangeIndex(1, 5, name="step"), name="tau"),
        latent=latent, fixed_effects=fe,
        variances=pd.Series({"within": sigma2, "between": tau_u}, name="variance"),
        network_effects=u.rename_axis("network_id"),
    )


# --------------------------------------------------------------------------------------------
# Network health survey (validity and variation papers; the poster's Table 2 and Table 1)
# --------------------------------------------------------------------------------------------
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

#: The variation paper's Table 1 (Russell, Bryk & Sherer 2025): well-developed (W) and
#: least-developed (L) networks. Published figures, transcribed as printed.
VARIATION_TABLE1 = pd.DataFrame(
    [("W1", "Early Warning", 2018, 50, "Multiple", 88, 2.65, "Stable"),
     ("W2", "Post-Sec Match", 2019, 300, "Single", 63, 1.89, "Stable"),
     ("W3", "Post-Sec Match", 2018, 200, "Multiple", 76, 2.33, "Stable"),
     ("W4", "Instructional", 2020, 60, "Multiple", 36, 1.66, "Some Turnover"),
     ("W5", "Instructional", 2018, 70, "Single", 68, 2.28, "Early Turnover (then Stable)"),
     ("W6", "Instructional", 2021, 65, "Single", 90, 2.68, "Some Turnover"),
     ("L1", "Post-Sec Match", 2020, 120, "Multiple", 57, 1.94, "Some Turnover"),
     ("L2", "Instructional", 2020, 40, "Single", 65, 2.13, "Some Turnover"),
     ("L3", "Instructional", 2021, 130, "Single", 80, 2.36, "High Turnover"),
     ("L4", "Instructional", 2019, 120, "Single", 15, 1.2, "High Turnover"),
     ("L5", "Instructional", 2022, 60, "Single", 39, 1.39, "Stable")],
    columns=["network", "improvement_goal", "launch_year", "members_2023", "districts",
             "member_stability_pct", "average_tenure_2023", "hub_stability"])
_GOAL_ARCHETYPE = {"Early Warning": "ewr", "Post-Sec Match": "psm",
                   "Instructional": "instructional"}


def _reliability_school(tau, sigma2, sizes):
    return float(np.mean(tau / (tau + sigma2 / np.asarray(sizes, float))))


def _reliability_network(tau_net, tau_school, sigma2, sizes, network_of_school):
    v = pd.Series(1.0 / (tau_school + sigma2 / np.asarray(sizes, float))).groupby(
        np.asarray(network_of_school)).sum()
    return float(np.mean(tau_net / (tau_net + 1.0 / v.to_numpy())))


def required_variance_ratios(*, school_reliability, network_reliability, school_sizes,
                             network_of_school):
    """Variance ratios that give the target school- and network-level reliabilities.

    Parameters
    ----------
    school_reliability, network_reliability : float
        Targets in (0, 1), e.g. a row of the poster's reliability table.
    school_sizes : array_like of int
        Respondents in each school (one wave).
    network_of_school : array_like
        The network of each school (same length).

    Returns
    -------
    tuple of float
        ``(tau_school / sigma2, tau_network / sigma2)``, with sigma2 the within-school variance of
        the measures.

    Notes
    -----
    Reliabilities of a three-level HLM (Raudenbush & Bryk 2002, ch. 8) averaged over units: a
    school's mean has :math:`\\lambda_{jk} = \\tau_\\pi / (\\tau_\\pi + \\sigma^2 / n_{jk})`, a
    network's :math:`\\lambda_k = \\tau_\\beta / (\\tau_\\beta + [\\sum_j (\\tau_\\pi +
    \\sigma^2/n_{jk})^{-1}]^{-1})`. Each is increasing in its tau, so each ratio is found by
    bracketing root search (first the school ratio, then the network ratio given it).

    Examples
    --------
    Balanced: 30 networks of 8 schools of 5 respondents; then
    :math:`\\tau_\\pi/\\sigma^2 = \\lambda/(1-\\lambda)/n`:

    >>> import numpy as np
    >>> a, b = required_variance_ratios(school_reliability=0.25, network_reliability=0.8,
    ...                                 school_sizes=np.full(240, 5),
    ...                                 network_of_school=np.repeat(np.arange(30), 8))
    >>> round(a, 4), round(b, 4)
    (0.0667, 0.1333)
    """
    from scipy.optimize import brentq

    for name, val in [("school_reliability", school_reliability),
                      ("network_reliability", network_reliability)]:
        if not 0.0 < float(val) < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {val!r}")
    sizes = np.asarray(school_sizes, float)
    if sizes.size == 0 or (sizes < 1).any():
        raise ValueError("school_sizes must be a non-empty array of sizes >= 1")
    a = brentq(lambda t: _reliability_school(t, 1.0, sizes) - school_reliability, 1e-9, 1e3)
    b = brentq(lambda t: _reliability_network(t, a, 1.0, sizes, network_of_school)
               - network_reliability, 1e-9, 1e3)
    return float(a), float(b)


def _person_reliability(difficulties, thresholds, mean, sd, n_nodes=81):
    """Expected Rasch person reliability of non-extreme persons when theta ~ N(mean, sd^2).

    Winsteps' "model" reliability sets aside persons with extreme (all-lowest or all-highest)
    scores and compares the variance of the rest with their mean squared model SE. Its
    expectation is approximated by quadrature: with weights :math:`w(\\theta) = \\phi(\\theta)
    (1 - P_{min}(\\theta) - P_{max}(\\theta))`, true variance :math:`V_w` and error variance
    :math:`e_w = E_w[1/I(\\theta)]` (I the test information), reliability
    :math:`V_w / (V_w + e_w)`. Returns ``(reliability, e_w)``.
    """
    x, w = np.polynomial.hermite_e.hermegauss(n_nodes)
    theta = mean + sd * x
    log_p, _ = log_probs(theta[:, None] - np.asarray(difficulties)[None, :], thresholds)
    p = np.exp(log_p)
    h = np.arange(p.shape[-1])
    info = ((p * h ** 2).sum(-1) - (p * h).sum(-1) ** 2).sum(-1)
    extreme = np.exp(log_p[..., 0].sum(-1)) + np.exp(log_p[..., -1].sum(-1))
    wt = w * (1.0 - extreme)
    wt = wt / wt.sum()
    m = wt @ theta
    v = wt @ (theta - m) ** 2
    ok = info > 1e-12                     # far-off nodes are extreme with certainty (weight 0)
    e = float(wt[ok] @ (1.0 / info[ok]))
    return float(v / (v + e)), e


def _solve_scale(rel_ind, a, b, difficulties, thresholds, mean):
    """Observed within-school variance sigma2 and error variance e for a target person reliability.

    The SD of the true measures (all levels) is found by bracketing root search so that
    :func:`_person_reliability` equals ``rel_ind``; then ``sigma2 (1 + a + b) = true variance + e``
    with ``a = tau_school / sigma2`` and ``b = tau_network / sigma2``.
    """
    from scipy.optimize import brentq

    grid = np.linspace(0.2, 8.0, 40)
    rel = [_person_reliability(difficulties, thresholds, mean, s)[0] for s in grid]
    top = grid[int(np.argmax(rel))]
    if max(rel) <= rel_ind:
        raise ValueError(f"a person reliability of {rel_ind} is out of reach with "
                         f"{len(difficulties)} items (at most {max(rel):.3f})")
    sd = brentq(lambda s: _person_reliability(difficulties, thresholds, mean, s)[0] - rel_ind,
                0.05, top, xtol=1e-12)
    e = _person_reliability(difficulties, thresholds, mean, sd)[1]
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
        components (``sigma2`` observed within-school variance, ``sigma2_true``, ``error_variance``,
        ``tau_school``, ``tau_network``, ``tau_slope``), ``mean_2021``, ``growth``, and the
        reliabilities the design implies in 2021 (``design_individual``, ``design_school``,
        ``design_network``).
    thresholds : pandas.Series
        The generating Andrich thresholds (shared by all measures).
    network_effects : pandas.DataFrame
        Per network and measure: ``intercept`` (b0, 2021) and ``slope`` (b1, per year).
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
        "archetype": _exact_counts(arche_left, rng),
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
    hub[hub == ""] = _exact_counts(left, rng)
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
            sizes = _largest_remainder(weights, n_wave, minimum=1)
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
    :func:`required_variance_ratios` with the 2021 cluster sizes, so that the school- and
    network-level reliabilities of the observed measures equal the published ones; the scale
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
    g = _rng(rng)
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
        eff.append(pd.DataFrame({"network_id": net_index, "measure": key, "intercept": b0,
                                 "slope": b1}))
        rows.append({
            "measure": key, "name": name, "poster_domain": dom_table,
            "framework_domain": dom_framework, "n_items": n_items,
            "target_individual": r_ind, "target_school": r_sch, "target_network": r_net,
            "sigma2": sigma2, "sigma2_true": sigma2_true, "error_variance": e,
            "tau_school": tau_s, "tau_network": tau_n, "tau_slope": tau_slope,
            "mean_2021": mu, "growth": growth,
            "design_individual": _person_reliability(
                delta, _NH_THRESHOLDS, mu, np.sqrt(sigma2_true + tau_s + tau_n))[0],
            "design_school": _reliability_school(tau_s, sigma2, sizes0.to_numpy()),
            "design_network": _reliability_network(tau_n, tau_s, sigma2, sizes0.to_numpy(),
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
    freq = rng.choice(_FREQUENCY[0], p=_FREQUENCY[1], size=schools.size)[pos]
    cons = rng.choice(_CONSISTENCY[0], p=_CONSISTENCY[1], size=n)
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


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------
def _data_dir() -> Path:
    from inhd import DATA_DIR

    return Path(DATA_DIR)


def published_tables(directory=None) -> dict[str, pd.DataFrame]:
    """The published tables transcribed into ``data/published/`` (real figures, not synthetic).

    Returns a dict keyed by file stem: ``participatory_benefits_table1`` .. ``table4`` (Perlman,
    Bryk & Russell 2025), ``inhd_measure_reliabilities`` (the poster's reliability table, Bryk et
    al. 2025) and ``variation_structural_table`` (Russell, Bryk & Sherer 2025, Table 1).
    """
    folder = Path(directory) if directory is not None else _data_dir() / "published"
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise ValueError(f"no published tables (*.csv) in {folder}")
    return {f.stem: pd.read_csv(f) for f in files}


def _write(df: pd.DataFrame, path: Path, written: list) -> None:
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
    written.append(path)


def write_synthetic_data(directory=None) -> list[Path]:
    """Regenerate every committed SYNTHETIC CSV (fixed seeds) and the variation paper's table.

    Parameters
    ----------
    directory : path-like, optional
        Where to write (default ``inhd.DATA_DIR``); the variation table goes to ``published/``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(directory) if directory is not None else _data_dir()
    (out / "published").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pb = simulate_participatory_benefits(rng=PB_SEED)
    _write(pb.respondents, out / "participatory_benefits_respondents_SYNTHETIC.csv", written)
    _write(pb.networks, out / "participatory_benefits_networks_SYNTHETIC.csv", written)
    _write(pb.items.reset_index(), out / "participatory_benefits_items_SYNTHETIC.csv", written)
    truth = pd.concat([
        pd.DataFrame({"kind": "threshold", "name": pb.thresholds.index.astype(str),
                      "value": pb.thresholds.to_numpy()}),
        pd.DataFrame({"kind": "fixed_effect", "name": pb.fixed_effects.index,
                      "value": pb.fixed_effects.to_numpy()}),
        pd.DataFrame({"kind": "variance", "name": pb.variances.index,
                      "value": pb.variances.to_numpy()}),
        pd.DataFrame({"kind": "network_effect", "name": pb.network_effects.index,
                      "value": pb.network_effects.to_numpy()}),
    ], ignore_index=True)
    _write(truth, out / "participatory_benefits_truth_SYNTHETIC.csv", written)
    _write(pb.latent[["theta"]].reset_index(), out / "participatory_benefits_latent_SYNTHETIC.csv",
           written)
    nh = simulate_network_health(rng=NH_SEED)
    _write(nh.respondents, out / "network_health_respondents_SYNTHETIC.csv", written)
    _write(nh.networks, out / "network_health_networks_SYNTHETIC.csv", written)
    items = nh.items.reset_index()
    items["thresholds"] = " ".join(f"{x:g}" for x in nh.thresholds)
    _write(items, out / "network_health_items_SYNTHETIC.csv", written)
    _write(nh.measures.reset_index(), out / "network_health_measures_SYNTHETIC.csv", written)
    _write(nh.network_effects, out / "network_health_network_effects_SYNTHETIC.csv", written)
    _write(VARIATION_TABLE1, out / "published" / "variation_structural_table.csv", written)
    return written


if __name__ == "__main__":  # python -m inhd.synth
    for path in write_synthetic_data():
        print(path)
