"""The SYNTHETIC participatory-benefits cohort, calibrated to Perlman, Bryk & Russell (2025).

:func:`simulate_participatory_benefits` draws the 2022-23 cohort: 34 networks with Table 2's counts
and moments, 2,073 respondents with Table 1's counts and moments, a latent benefit drawn from
Table 4's final model, and responses to 11 candidate items (the nine of Table 3 plus two built to
misfit) from the rating-scale model. Nothing made here describes a real network, school or
person; the committed files (``python -m inhd.synth``) say SYNTHETIC in their names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.published import (NETWORK_PREDICTORS, PB_CANDIDATE_ITEMS, PB_ITEMS, PB_TABLE1,
                            PB_TABLE2, PB_TABLE4_FINAL, PERSON_PREDICTORS)
from inhd.rsm import simulate_rating_scale
from inhd.sampling import as_generator, exact_counts, largest_remainder, match_moments

__all__ = ["PB_SEED", "MEETING_FREQUENCY", "ATTENDANCE_CONSISTENCY", "SyntheticCohort",
           "measure_item_parameters",
           "simulate_participatory_benefits"]

#: Seed of the committed participatory-benefits files.
PB_SEED = 20230501

# Generating item difficulties by Rasch rank (1 = easiest); they sum to zero.
_PB_DIFFICULTY_BY_RANK = np.array([-1.05, -0.7, -0.5, -0.3, -0.1, 0.15, 0.4, 0.7, 1.4])
_PB_THRESHOLDS = np.array([-2.7, -1.0, 0.9, 2.8])
_PB_CANDIDATE_DIFFICULTY = {"pb_cand_eases_workload": 0.6, "pb_cand_deterministic": -0.2}
_PB_CANDIDATE_DISCRIMINATION = {"pb_cand_eases_workload": 0.5, "pb_cand_deterministic": 3.0}
_PB_MISSING_RATE = 0.03
_SINGLE_DISTRICT_LOG_SIZE = 1.1


def _schools(network_sizes, prefix_by_network, rng, *, mean_size=6.0):
    """School ids for persons laid out network by network (about ``mean_size`` persons a school)."""
    ids = []
    for size, prefix in zip(network_sizes, prefix_by_network):
        n_schools = max(2, int(round(size / mean_size)))
        sizes = largest_remainder(rng.gamma(4.0, size=n_schools), int(size), minimum=1)
        ids.extend(np.repeat([f"{prefix}-S{j + 1:02d}" for j in range(n_schools)], sizes))
    return np.array(ids, dtype=object)


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
        The generating fixed effects (Table 4, final model), indexed like
        :data:`inhd.published.PB_TABLE4_FINAL`.
    variances : pandas.Series
        The generating variance components: ``residual`` (e0 = 3.119) and ``network_id``
        (r00 = 0.559).
    network_effects : pandas.Series
        The drawn deviations u_k (named ``deviation``), indexed by ``network_id``.
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
    hub = exact_counts(t["hub_type"], rng)
    # district-hub networks operate inside one district; the rest of the 15 are drawn at random
    single = (hub == "district").astype(int)
    others = rng.permutation(np.flatnonzero(single == 0))[: t["single_district"] - single.sum()]
    single[others] = 1
    arche = exact_counts(t["archetype"], rng)
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
    codes = match_moments(codes, levels, mean=d["mean"], sd=d["sd"], mean_decimals=1,
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
    return pd.concat([person, net], axis=1)[PERSON_PREDICTORS + NETWORK_PREDICTORS]


#: Generating distribution (SYNTHETIC, not published) of a school team's meetings a month:
#: (values, probabilities). Intensity of participation = frequency x consistency.
MEETING_FREQUENCY = ([0.0, 0.5, 1.0, 1.5], [0.03, 0.12, 0.45, 0.40])
#: Generating distribution (SYNTHETIC) of the share of its team's meetings a person attends.
ATTENDANCE_CONSISTENCY = ([0.0, 0.25, 0.5, 0.75, 1.0], [0.05, 0.06, 0.10, 0.24, 0.55])


def _pb_respondents(networks: pd.DataFrame, rng: np.random.Generator):
    t = PB_TABLE1
    n = t["n_persons"]
    # single-district networks (large urban districts) are larger, as in the variation paper
    log_size = rng.normal(0.0, 0.5, size=len(networks)) + _SINGLE_DISTRICT_LOG_SIZE * networks[
        "single_district"].to_numpy()
    sizes = largest_remainder(np.exp(log_size), n, minimum=15)
    net_ids = np.repeat(networks["network_id"].to_numpy(), sizes)
    school = _schools(sizes, networks["network_id"], rng)
    # team leads: one per school first (a school's improvement team has a lead), then at random
    lead = np.zeros(n, int)
    first = np.flatnonzero(np.r_[True, school[1:] != school[:-1]])
    first = rng.permutation(first)[: t["team_lead"]]
    lead[first] = 1
    rest = rng.permutation(np.flatnonzero(lead == 0))[: t["team_lead"] - lead.sum()]
    lead[rest] = 1
    gender = exact_counts(t["gender"], rng)
    race = exact_counts(t["race"], rng)
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
    tenure = match_moments(tenure, np.arange(6.0), mean=m, sd=t["tenure_years"]["sd"],
                            mean_decimals=2, sd_decimals=2, rng=rng, frozen=frozen)
    # intensity = meeting frequency (a school's team) x consistency of the person's attendance
    schools, school_idx = np.unique(school, return_inverse=True)
    school_freq = rng.choice(MEETING_FREQUENCY[0], p=MEETING_FREQUENCY[1], size=schools.size)
    school_freq[school_idx[pins[3]]] = 1.5      # pins: one never attends, one always at 1.5 a month
    freq = school_freq[school_idx]
    cons = rng.choice(len(ATTENDANCE_CONSISTENCY[0]), p=ATTENDANCE_CONSISTENCY[1], size=n)
    cons[pins[2]] = 0
    cons[pins[3]] = len(ATTENDANCE_CONSISTENCY[0]) - 1
    cons = match_moments(cons, ATTENDANCE_CONSISTENCY[0], mean=t["intensity"]["mean"],
                          sd=t["intensity"]["sd"], mean_decimals=2, sd_decimals=2, rng=rng,
                          frozen=frozen, weights=freq)
    consistency = np.asarray(ATTENDANCE_CONSISTENCY[0])[cons]
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


def measure_item_parameters() -> tuple[pd.Series, pd.Series]:
    """The generating parameters of the measure's nine items (the paper's item structure).

    Returns
    -------
    (difficulties, thresholds) : tuple of pandas.Series
        The nine items' difficulties (logits, summing to zero), indexed by item column in Table
        3's order and ordered in difficulty as its Rasch ranks, and the four Andrich thresholds
        they share (indexed by step 1-4). SYNTHETIC design values: the paper prints neither.

    Examples
    --------
    >>> difficulties, thresholds = measure_item_parameters()
    >>> difficulties.idxmin(), difficulties.idxmax(), abs(float(difficulties.sum())) < 1e-12
    ('pb_value_participation', 'pb_give_priority', True)
    >>> thresholds.tolist()
    [-2.7, -1.0, 0.9, 2.8]
    """
    items = _pb_items_table()
    measure = items.loc[items["role"] == "measure", "difficulty"].astype(float)
    return (measure.rename("difficulty"),
            pd.Series(_PB_THRESHOLDS, index=pd.RangeIndex(1, 5, name="step"), name="tau"))


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
    (infit/outfit mean-squares well above 1); ``pb_cand_deterministic`` has ``a = 3``
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
    g = as_generator(rng)
    networks = _pb_networks(g)
    resp, freq, cons = _pb_respondents(networks, g)
    design = _pb_design(resp, networks)
    fe = pd.Series(PB_TABLE4_FINAL["fixed"], name="estimate")
    linear = fe["intercept"] + design.to_numpy() @ fe[design.columns].to_numpy()
    vc = PB_TABLE4_FINAL["variance_components"]
    tau_u, sigma2 = vc["network_id"], vc["residual"]
    u = pd.Series(g.normal(0.0, np.sqrt(tau_u), size=len(networks)),
                  index=networks["network_id"].to_numpy(), name="deviation")
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
        variances=pd.Series({"residual": sigma2, "network_id": tau_u}, name="variance"),
        network_effects=u.rename_axis("network_id"),
    )


