"""Hub leadership: ostensive and enacted leadership roles and the composition of hub teams.

Peurach, Jones, Duff, Sherer & Matthis, *The structure and distribution of leadership in the hub
organizations of improvement networks* (program poster, ``../shared/papers/000_0b4d24aad3ee4194.txt``):
spring-2024 INHD survey of hub staff. Typologies of *ostensive* roles (membership of the hub leadership
team; executive, administrative/managerial and technical responsibilities) and of *enacted* roles (time
spent across the seven domains of hub work): the poster's analysis so far. Comparing the two for
individuals and examining hub teams by hub type and network constitution are the poster's "next steps";
this module does them on synthetic data.

The poster publishes no counts or shares for this survey, so :func:`simulate_hub_survey` is SYNTHETIC
and calibrated to design targets chosen here and recorded in :data:`HUB_TARGETS` (hub types and
constitutions hit exactly; the rest are generating probabilities).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.vq import kmeans2

#: The seven domains of hub work (Peurach et al., 2025, as listed on the poster), as column stems.
HUB_WORK_DOMAINS: tuple[str, ...] = (
    "hub_organization",       # developing and sustaining the hub as an organization
    "network_organization",   # building and managing the improvement network as an organization
    "improvement_support",    # supporting improvement activity within the network
    "equity",                 # integrating equity into the network
    "external_relations",     # managing relationships external to the network
    "learning_system",        # analyzing and improving the network as a learning system
    "putting_out_fires",      # change management; systems alignment and integration
)
TIME_COLUMNS: tuple[str, ...] = tuple(f"time_{d}" for d in HUB_WORK_DOMAINS)
HUB_TYPES: tuple[str, ...] = ("district", "university", "nonprofit")
RESPONSIBILITIES: tuple[str, ...] = ("executive", "administrative", "technical")

#: SYNTHETIC design targets (none is published): hubs by type and constitution, hit exactly.
HUB_TARGETS = {
    "n_hubs": 30,
    "hubs_by_type": {"district": 6, "university": 8, "nonprofit": 16},
    "multi_district_by_type": {"district": 0, "university": 5, "nonprofit": 11},
    "staff_per_hub": (3, 12),          # uniform integer range, inclusive
    "p_leadership_team": 0.55,
}

#: Generating enacted-role profiles: mean time shares over the seven domains (SYNTHETIC).
ENACTED_PROFILES = {
    "organization builder": (0.30, 0.25, 0.08, 0.05, 0.17, 0.05, 0.10),
    "improvement coach":    (0.04, 0.10, 0.45, 0.12, 0.03, 0.20, 0.06),
    "boundary spanner":     (0.10, 0.10, 0.07, 0.08, 0.40, 0.05, 0.20),
}
_DIRICHLET_CONCENTRATION = 40.0

#: Ostensive roles, in the order the rule checks them (see :func:`ostensive_role`).
OSTENSIVE_ROLES: tuple[str, ...] = (
    "team executive", "team manager", "team technical lead", "staff manager", "technical staff",
    "no stated responsibility",
)

#: Seed of the committed ``data/hub_leadership_SYNTHETIC.csv``.
SEED = 20240501


def simulate_hub_survey(*, rng: int | np.random.Generator, targets: dict | None = None) -> pd.DataFrame:
    """SYNTHETIC hub-leadership survey: one row per hub staff member.

    Hubs: ``targets["hubs_by_type"]`` of each type, of which ``multi_district_by_type`` lead
    multi-district networks (the rest single-district), each with a uniform staff size in
    ``staff_per_hub``. Staff: leadership-team membership with probability ``p_leadership_team``
    (at least one member per hub); responsibilities drawn by membership (team members: executive 0.5,
    administrative 0.6, technical 0.5; others: 0.05, 0.4, 0.8; at least one each); an enacted
    profile that depends on responsibilities (executives lean to organisation building and boundary
    spanning, technical staff to improvement coaching), then time shares
    ``Dirichlet(40 * profile)`` over the seven domains, summing to 1.

    Returns
    -------
    DataFrame
        ``respondent_id, hub_id, hub_type, constitution, hub_size, leadership_team, executive,
        administrative, technical, time_<domain>`` (7 columns) and ``generating_profile``.
    """
    rng = np.random.default_rng(rng)
    t = {**HUB_TARGETS, **(targets or {})}
    for h, n in t["hubs_by_type"].items():
        if h not in HUB_TYPES:
            raise ValueError(f"targets['hubs_by_type']: {h!r} is not one of {list(HUB_TYPES)}")
        if not 0 <= t["multi_district_by_type"].get(h, 0) <= n:
            raise ValueError(f"targets['multi_district_by_type'][{h!r}] must lie in 0..{n}")
    lo, hi = t["staff_per_hub"]
    if not 1 <= lo <= hi:
        raise ValueError(f"targets['staff_per_hub']: expected 1 <= low <= high, found {(lo, hi)}")
    profiles = list(ENACTED_PROFILES)
    means = np.array([ENACTED_PROFILES[p] for p in profiles])
    rows = []
    hub_specs = []
    for h in HUB_TYPES:
        n, multi = t["hubs_by_type"].get(h, 0), t["multi_district_by_type"].get(h, 0)
        hub_specs += [(h, "multi-district" if i < multi else "single-district") for i in range(n)]
    order = rng.permutation(len(hub_specs))
    for k, idx in enumerate(order):
        hub_type, constitution = hub_specs[idx]
        size = int(rng.integers(lo, hi + 1))
        team = rng.random(size) < t["p_leadership_team"]
        if not team.any():
            team[int(rng.integers(0, size))] = True
        for j in range(size):
            p = (0.5, 0.6, 0.5) if team[j] else (0.05, 0.4, 0.8)
            resp = rng.random(3) < np.array(p)
            if not resp.any():
                resp[int(rng.integers(0, 3))] = True
            weights = np.array([1.0, 1.0, 1.0])
            if resp[0]:
                weights *= (3.0, 0.3, 2.0)
            if resp[2] and not resp[0]:
                weights *= (0.3, 4.0, 0.5)
            prof = int(rng.choice(3, p=weights / weights.sum()))
            shares = rng.dirichlet(_DIRICHLET_CONCENTRATION * means[prof])
            rows.append({
                "respondent_id": f"H{k + 1:02d}-{j + 1:02d}", "hub_id": f"H{k + 1:02d}",
                "hub_type": hub_type, "constitution": constitution, "hub_size": size,
                "leadership_team": int(team[j]), "executive": int(resp[0]),
                "administrative": int(resp[1]), "technical": int(resp[2]),
                **dict(zip(TIME_COLUMNS, np.round(shares, 6))), "generating_profile": profiles[prof],
            })
    out = pd.DataFrame(rows)
    # rounding to 6 decimals: put the residual on the largest share so rows sum to 1 exactly
    time = out[list(TIME_COLUMNS)].to_numpy(dtype=float, copy=True)
    resid = 1.0 - time.sum(axis=1)
    time[np.arange(len(time)), time.argmax(axis=1)] += resid
    out[list(TIME_COLUMNS)] = np.round(time, 6)
    return out


def _check_columns(survey: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in survey.columns]
    if missing:
        raise ValueError(f"{what}: columns {missing} are missing")


def ostensive_role(survey: pd.DataFrame) -> pd.Series:
    """Ostensive role from team membership and responsibilities (a documented rule).

    Rule, checked in order: a leadership-team member with executive responsibility is a
    *team executive*; else with administrative responsibility a *team manager*; else with technical
    responsibility a *team technical lead*. Outside the team: executive or administrative
    responsibility -> *staff manager*; technical only -> *technical staff*. Anyone with no stated
    responsibility, on the team or not, is *no stated responsibility* (membership alone does not
    define a role).

    Raises
    ------
    ValueError
        When a column is missing or holds something other than 0/1 (row named).
    """
    cols = ("leadership_team", *RESPONSIBILITIES)
    _check_columns(survey, cols, "survey")
    problems = []
    for c in cols:
        bad = survey.index[~survey[c].isin([0, 1])]
        problems += [f"survey row {i}, column {c}: {survey.at[i, c]} is not 0/1" for i in bad[:10]]
    if problems:
        raise ValueError("; ".join(problems))
    team, ex, ad, te = (survey[c].to_numpy().astype(int) == 1 for c in cols)
    role = np.select(
        [team & ex, team & ad, team & te, ~team & (ex | ad), ~team & te],
        list(OSTENSIVE_ROLES[:5]), default=OSTENSIVE_ROLES[5])
    return pd.Series(role, index=survey.index, name="ostensive_role")


def _check_time(survey: pd.DataFrame, tol: float = 1e-4) -> np.ndarray:
    _check_columns(survey, TIME_COLUMNS, "survey")
    x = survey[list(TIME_COLUMNS)].to_numpy(dtype=float)
    problems = []
    if np.isnan(x).any():
        rows = survey.index[np.isnan(x).any(axis=1)]
        problems.append(f"time shares missing in survey rows {list(rows[:10])} (not imputed)")
    elif (x < 0).any():
        problems.append(f"negative time shares in survey rows {list(survey.index[(x < 0).any(axis=1)][:10])}")
    else:
        off = np.abs(x.sum(axis=1) - 1) > tol
        if off.any():
            problems.append(f"time shares do not sum to 1 in survey rows {list(survey.index[off][:10])}")
    if problems:
        raise ValueError("; ".join(problems))
    return x


def _silhouette(x: np.ndarray, labels: np.ndarray) -> float:
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    s = np.zeros(len(x))
    for i in range(len(x)):
        same = labels == labels[i]
        if same.sum() <= 1:
            continue
        a = d[i, same].sum() / (same.sum() - 1)
        b = min(d[i, labels == c].mean() for c in np.unique(labels) if c != labels[i])
        s[i] = (b - a) / max(a, b)
    return float(s.mean())


@dataclass(frozen=True)
class EnactedRoles:
    """k-means clustering of time shares: labels, centroids and the silhouette of each k tried."""

    labels: pd.Series          # enacted role per respondent ("E1", ...), indexed as the survey
    centroids: pd.DataFrame    # one row per cluster, the mean time share per domain
    silhouettes: pd.Series     # mean silhouette width by k
    k: int

    def summary(self) -> str:
        lines = [f"Enacted roles: k = {self.k} (largest mean silhouette "
                 f"{self.silhouettes[self.k]:.3f} over k = {list(self.silhouettes.index)})"]
        for name, row in self.centroids.iterrows():
            top = row.sort_values(ascending=False).head(2)
            lines.append(f"  {name} (n = {(self.labels == name).sum()}): "
                         + ", ".join(f"{d} {v:.0%}" for d, v in top.items()))
        return "\n".join(lines)


def enacted_roles(survey: pd.DataFrame, *, rng: int | np.random.Generator, k_range=range(2, 7),
                  n_init: int = 10) -> EnactedRoles:
    """Cluster respondents by their time shares across the seven domains of hub work.

    k-means (``scipy.cluster.vq.kmeans2``, k-means++ starts, best of ``n_init`` by within-cluster
    sum of squares) for each k in ``k_range``; k is chosen by the largest mean silhouette width
    (Rousseeuw, 1987). Clusters are named ``E1, E2, ...`` in decreasing size. In R:
    ``kmeans(x, k, nstart = 10)`` and ``cluster::silhouette``.

    Raises
    ------
    ValueError
        Missing/negative time shares or rows not summing to 1; k outside 2..n-1.
    """
    x = _check_time(survey)
    ks = list(k_range)
    if not ks or min(ks) < 2 or max(ks) >= len(x):
        raise ValueError(f"k_range: expected values in 2..{len(x) - 1}, found {ks}")
    rng = np.random.default_rng(rng)
    best_by_k, sil = {}, {}
    for k in ks:
        best = None
        for _ in range(n_init):
            cent, lab = kmeans2(x, k, minit="++", seed=rng)
            if len(np.unique(lab)) < k:
                continue
            wss = ((x - cent[lab]) ** 2).sum()
            if best is None or wss < best[0]:
                best = (wss, cent, lab)
        if best is None:
            continue
        best_by_k[k] = best
        sil[k] = _silhouette(x, best[2])
    if not sil:
        raise ValueError("k-means found no non-empty clustering for any k in k_range")
    k = max(sil, key=sil.get)
    _, cent, lab = best_by_k[k]
    sizes = np.bincount(lab, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    rename = {old: f"E{new + 1}" for new, old in enumerate(order)}
    labels = pd.Series([rename[v] for v in lab], index=survey.index, name="enacted_role")
    centroids = pd.DataFrame(cent[order], index=[f"E{i + 1}" for i in range(k)],
                             columns=list(HUB_WORK_DOMAINS))
    return EnactedRoles(labels=labels, centroids=centroids, silhouettes=pd.Series(sil, name="silhouette"), k=k)


def role_crosstab(ostensive: pd.Series, enacted: pd.Series) -> pd.DataFrame:
    """Cross-tabulate ostensive by enacted roles (counts, with totals)."""
    if not ostensive.index.equals(enacted.index):
        raise ValueError("ostensive and enacted: the two Series must share the survey's index")
    return pd.crosstab(ostensive, enacted, margins=True, margins_name="total")


def team_composition(survey: pd.DataFrame, roles: pd.Series, *, by=("hub_type", "constitution")) -> pd.DataFrame:
    """Leadership-team composition: mean share of each role among team members, by hub grouping.

    For each hub, the share of its leadership-team members in each role; then the mean over hubs
    within each group of ``by``, with ``n_hubs`` and mean ``team_size``.
    """
    _check_columns(survey, ("hub_id", "leadership_team", *by), "survey")
    if not roles.index.equals(survey.index):
        raise ValueError("roles: must share the survey's index")
    team = survey.loc[survey["leadership_team"] == 1, ["hub_id", *by]].copy()
    team["role"] = roles[team.index]
    per_hub = pd.crosstab(team["hub_id"], team["role"], normalize="index")
    keys = team.groupby("hub_id")[list(by)].first()
    size = team.groupby("hub_id").size().rename("team_size")
    per_hub = per_hub.join(keys).join(size)
    grouped = per_hub.groupby(list(by))
    out = grouped[[c for c in per_hub.columns if c not in (*by, "team_size")]].mean()
    out.insert(0, "team_size", grouped["team_size"].mean())
    out.insert(0, "n_hubs", grouped.size())
    return out.reset_index()
