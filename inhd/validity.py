"""Validity of the INHD survey measures: Bryk, Li, Luppescu & Bui (2025).

The validity paper asks two questions of every measure of the INHD survey:

1. Does it distinguish reliably among networks (and schools) *at one time point*? Each measure is
   built with a Rasch rating-scale analysis, and the measures are analysed with a three-level model
   (persons in schools in networks) whose level 1 is the Rasch measurement model: each person's
   measure carries a known error variance, its squared Rasch standard error. The model gives the
   individual-, school- and network-level reliabilities of the poster's reliability table
   ("Table 2. Reliability Estimates for INHD Survey Measures", 2021 survey).
2. Does it differentiate networks' *rates of development*? A growth model over the survey waves with
   a network-specific rate (a random slope on time) gives the reliability of those rates (the
   poster's Figure 2, membership to promote expertise diversity).

Pipeline (each step a function):

- :func:`inhd.survey_measures.calibrate_measures`: Rasch rating-scale model of each measure
  (:func:`inhd.rasch.fit_rating_scale`), one calibration over every wave, as the INHD reports do.
- :func:`measure_reliability` / :func:`reliability_table`: the unconditional three-level model of
  one wave (:func:`inhd.hlm.fit_known_variance`), the three reliabilities, a likelihood-ratio
  test of each variance component (the published "n.s." marks), and the published values beside ours
  (:func:`load_published_reliabilities`; never typed in).
- :func:`fit_growth`: the growth model and the reliability of network rates.
- :func:`plot_caterpillar`, :func:`plot_growth`: Figures 1 and 2.

Everything here runs on the SYNTHETIC network health survey shipped in ``data/``; the published
reliabilities are real (``data/published/inhd_measure_reliabilities.csv``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from inhd import DATA_DIR
from inhd.hlm import KnownVarianceResult, fit_known_variance
from inhd.reliability import separation_reliability
from inhd.scales import on_0_10_scale
from inhd.survey_measures import MeasureCalibration

__all__ = [
    "MeasureReliability",
    "ReliabilityTable",
    "GrowthResult",
    "RELIABILITY_COLUMNS",
    "load_published_reliabilities",
    "measure_reliability",
    "reliability_table",
    "fit_growth",
    "network_estimates",
    "plot_caterpillar",
    "plot_growth",
]

#: Columns of :attr:`ReliabilityTable.table` (they never vary).
RELIABILITY_COLUMNS = [
    "measure", "name", "domain", "n_items", "n_persons", "n_schools", "n_networks",
    "individual", "individual_hlm", "school", "network",
    "school_p_value", "network_p_value", "school_ns", "network_ns",
    "published_individual", "published_school", "published_network",
    "published_school_ns", "published_network_ns",
    "variance_network_id", "variance_school_id", "variance_residual", "converged",
]


# --------------------------------------------------------------------------------------------
# Three-level model and reliabilities
# --------------------------------------------------------------------------------------------
def load_published_reliabilities(path=None) -> pd.DataFrame:
    """The poster's reliability table (Bryk et al. 2025), as transcribed in ``data/published/``.

    Columns: ``domain, measure, n_items, individual, school, school_ns, network, network_ns``
    (``*_ns`` = 1 where the poster prints "n.s."; ``individual`` is empty for single items).

    Examples
    --------
    >>> table = load_published_reliabilities().set_index("measure")
    >>> table.loc["Knowledge management", ["individual", "school", "network"]].tolist()
    [0.91, 0.23, 0.82]
    """
    if path is None:
        path = Path(DATA_DIR) / "published" / "inhd_measure_reliabilities.csv"
    table = pd.read_csv(path)
    _check_columns(table, ["measure", "individual", "school", "network", "school_ns",
                           "network_ns"], f"published reliabilities {path}")
    return table


def _check_columns(df: pd.DataFrame, columns, where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not found; the table has "
                         f"{list(df.columns)[:12]}{' ...' if df.shape[1] > 12 else ''}")


def _fit(data, formula, groups, random_slope=None):
    """REML fit of the known-variance model with :func:`inhd.hlm.fit_known_variance`."""
    return fit_known_variance(data, formula, known_variance="known_variance", groups=list(groups),
                              method="REML", random_slope=random_slope)


def _component(model, name) -> float:
    vc = model.variance_components
    return float(vc[name]) if name in vc.index else np.nan


def _level_reliability(model, level) -> float:
    rel = model.reliability
    return float(rel[level]) if level in rel else np.nan


def _lrt_p_value(full, reduced) -> float:
    """REML likelihood-ratio test of one variance component on the boundary: the null distribution
    is the 50:50 mixture of chi2(0) and chi2(1) (Self & Liang 1987), so p = 0.5 P(chi2_1 > LR)."""
    lr = max(0.0, 2.0 * (float(full.llf) - float(reduced.llf)))
    return float(0.5 * stats.chi2.sf(lr, 1)) if lr > 0 else 0.5


@dataclass(frozen=True)
class MeasureReliability:
    """Reliabilities of one measure from the unconditional three-level model of one wave.

    Attributes
    ----------
    measure : str
    wave : int or None
    individual : float
        Rasch person reliability (Winsteps' model reliability, non-extreme persons) of the
        respondents in the wave: the published "individual-respondent reliability".
    individual_hlm, school, network : float
        Reliabilities from the three-level model: persons sigma2 / (sigma2 + v_i) averaged; school
        and network means lambda = tau / (tau + error variance of the unit's mean) averaged.
    school_p_value, network_p_value : float
        REML likelihood-ratio tests of tau_school = 0 and tau_network = 0 (boundary mixture).
    variance_components : pandas.Series
        ``network_id``, ``school_id``, ``residual`` (sigma2), in logits squared.
    n_persons, n_schools, n_networks : int
    converged : bool
    model : inhd.hlm.KnownVarianceResult
    n_persons_by_network : pandas.Series
        Respondents per network in the wave.
    """

    measure: str
    wave: int | None
    individual: float
    individual_hlm: float
    school: float
    network: float
    school_p_value: float
    network_p_value: float
    variance_components: pd.Series
    n_persons: int
    n_schools: int
    n_networks: int
    converged: bool
    model: KnownVarianceResult = field(repr=False)
    n_persons_by_network: pd.Series = field(repr=False)

    def summary(self) -> str:
        vc = self.variance_components
        return (f"{self.measure} (wave {self.wave}): {self.n_persons} persons, {self.n_schools} "
                f"schools, {self.n_networks} networks\n"
                f"  reliability: individual {self.individual:.2f}, school {self.school:.2f} "
                f"(p {self.school_p_value:.3g}), network {self.network:.2f} "
                f"(p {self.network_p_value:.3g})\n"
                f"  variance components: " + ", ".join(f"{k} {v:.3f}" for k, v in vc.items())
                + f"; converged {self.converged}")


def _wave_persons(calibration: MeasureCalibration, wave):
    p = calibration.persons
    if wave is not None:
        p = p[p["wave"] == wave]
        if p.empty:
            raise ValueError(f"measure {calibration.measure!r}: no respondents in wave {wave}; "
                             f"waves present: {sorted(calibration.persons['wave'].unique())}")
    return p.reset_index(drop=True)


def measure_reliability(calibration: MeasureCalibration, *, wave=2021,
                        test_components: bool = True) -> MeasureReliability:
    """Individual, school and network reliability of one measure in one survey wave.

    Fits the unconditional three-level model

        measure_i = gamma + u_k + r_jk + e_i + epsilon_i,
        u_k ~ N(0, tau_network), r_jk ~ N(0, tau_school), e_i ~ N(0, sigma2),
        epsilon_i ~ N(0, se_i^2) known,

    by REML with :func:`inhd.hlm.fit_known_variance` (in R:
    ``metafor::rma.mv(measure, se^2, random = ~ 1 | network_id/school_id/respondent_id)``).

    Parameters
    ----------
    calibration : MeasureCalibration
    wave : int or None, default 2021
        The survey wave (the poster's table is of 2021); None pools every wave.
    test_components : bool, default True
        Refit without each of the school and network levels for the likelihood-ratio tests behind
        the "n.s." marks (two more fits).

    Returns
    -------
    MeasureReliability

    Notes
    -----
    The published "individual-respondent reliability" is the Rasch person reliability; it is
    reported in ``individual`` (over the non-extreme persons of the wave, as Winsteps does), with
    the multilevel analogue in ``individual_hlm``.
    """
    p = _wave_persons(calibration, wave)
    groups = ["network_id", "school_id"]
    model = _fit(p, "measure ~ 1", groups)
    ne = p[~p["extreme"].astype(bool)]
    individual = separation_reliability(ne["measure"].to_numpy(float), ne["se"].to_numpy(float))[0]
    school_p = network_p = np.nan
    converged = bool(model.converged)
    if test_components:
        no_school = _fit(p, "measure ~ 1", ["network_id"])
        no_network = _fit(p, "measure ~ 1", ["school_id"])
        school_p = _lrt_p_value(model, no_school)
        network_p = _lrt_p_value(model, no_network)
        converged = converged and bool(no_school.converged) and bool(no_network.converged)
    vc = pd.Series({"network_id": _component(model, "network_id"),
                    "school_id": _component(model, "school_id"),
                    "residual": _component(model, "residual")})
    return MeasureReliability(
        measure=calibration.measure, wave=wave, individual=individual,
        individual_hlm=float(np.mean(vc["residual"] / (vc["residual"] + p["known_variance"]))),
        school=_level_reliability(model, "school_id"),
        network=_level_reliability(model, "network_id"),
        school_p_value=school_p, network_p_value=network_p, variance_components=vc,
        n_persons=len(p), n_schools=int(p["school_id"].nunique()),
        n_networks=int(p["network_id"].nunique()), converged=converged, model=model,
        n_persons_by_network=p.groupby("network_id").size())


@dataclass(frozen=True)
class ReliabilityTable:
    """The reliability table, ours beside the published, one row per measure.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`RELIABILITY_COLUMNS`: ``measure`` key, published ``name`` and ``domain``,
        ``n_items``, counts, our ``individual`` (Rasch), ``individual_hlm``, ``school``,
        ``network``, the likelihood-ratio p-values and ``*_ns`` flags (p >= ``alpha``), the
        published values and n.s. flags, the variance components and ``converged``.
    fits : dict
        ``{measure: MeasureReliability}``.
    wave : int or None
    alpha : float
    """

    table: pd.DataFrame
    fits: dict[str, MeasureReliability]
    wave: int | None
    alpha: float

    def summary(self) -> str:
        t = self.table
        show = t[["name", "n_items", "individual", "published_individual", "school",
                  "published_school", "network", "published_network"]].copy()
        lines = [f"Reliability of INHD measures, wave {self.wave}: ours beside the published "
                 "(Bryk et al. 2025)", show.round(2).to_string(index=False)]
        diff = (t[["school", "network"]].to_numpy()
                - t[["published_school", "published_network"]].to_numpy())
        lines.append(f"mean |ours - published|: school {np.nanmean(np.abs(diff[:, 0])):.3f}, "
                     f"network {np.nanmean(np.abs(diff[:, 1])):.3f}")
        return "\n".join(lines)


def reliability_table(calibrations: dict, *, published: pd.DataFrame, names=None, wave=2021,
                      alpha: float = 0.05, test_components: bool = True) -> ReliabilityTable:
    """Our reliability table, shaped like the poster's, with the published values beside ours.

    Parameters
    ----------
    calibrations : dict
        ``{measure key: MeasureCalibration}`` (:func:`calibrate_measures`).
    published : pandas.DataFrame
        :func:`load_published_reliabilities`.
    names : mapping, optional
        ``{measure key: published measure name}`` to join on; default: the key itself. For the
        shipped survey, ``network_health_measures_SYNTHETIC.csv`` gives the names.
    wave, test_components
        As :func:`measure_reliability`.
    alpha : float, default 0.05
        Level at which a variance component is marked not significant (``*_ns``).

    Raises
    ------
    ValueError
        If a measure's name is not in the published table.
    """
    names = dict(names or {})
    pub = published.set_index("measure")
    unknown = [names.get(m, m) for m in calibrations if names.get(m, m) not in pub.index]
    if unknown:
        raise ValueError(f"reliability_table: measure name(s) {unknown} are not in the published "
                         f"table; pass names={{key: published name}}")
    rows, fits = [], {}
    for key, cal in calibrations.items():
        fit = measure_reliability(cal, wave=wave, test_components=test_components)
        fits[key] = fit
        name = names.get(key, key)
        p = pub.loc[name]
        vc = fit.variance_components
        rows.append({
            "measure": key, "name": name, "domain": p.get("domain", ""),
            "n_items": len(cal.items), "n_persons": fit.n_persons, "n_schools": fit.n_schools,
            "n_networks": fit.n_networks, "individual": fit.individual,
            "individual_hlm": fit.individual_hlm, "school": fit.school, "network": fit.network,
            "school_p_value": fit.school_p_value, "network_p_value": fit.network_p_value,
            "school_ns": bool(fit.school_p_value >= alpha) if test_components else pd.NA,
            "network_ns": bool(fit.network_p_value >= alpha) if test_components else pd.NA,
            "published_individual": p["individual"], "published_school": p["school"],
            "published_network": p["network"],
            "published_school_ns": bool(p["school_ns"]),
            "published_network_ns": bool(p["network_ns"]),
            "variance_network_id": vc["network_id"], "variance_school_id": vc["school_id"],
            "variance_residual": vc["residual"], "converged": fit.converged,
        })
    return ReliabilityTable(table=pd.DataFrame(rows, columns=RELIABILITY_COLUMNS), fits=fits,
                            wave=wave, alpha=alpha)


def network_estimates(fit: MeasureReliability, *, scale=None) -> pd.DataFrame:
    """Network EB estimates of one measure's mean from :func:`measure_reliability`'s model.

    Returns ``network_id, n_persons, mean, se`` (logits: the fixed intercept plus the network's EB
    deviation, and the posterior SE of the deviation) and, when ``scale=(low, high)`` is given,
    ``mean_0_10`` and ``se_0_10`` on the papers' 0-10 scale (:func:`inhd.scales.on_0_10_scale`;
    the compendium's convention for ``low, high`` is :func:`inhd.scales.reporting_range` of the
    measure's calibration).
    """
    re_net = fit.model.random_effects["network_id"]
    out = pd.DataFrame({
        "network_id": re_net.index.astype(str),
        "n_persons": fit.n_persons_by_network.reindex(re_net.index).to_numpy(),
        "mean": float(fit.model.params["Intercept"]) + re_net["deviation"].to_numpy(float),
        "se": re_net["se"].to_numpy(float),
    })
    if scale is not None:
        out = on_0_10_scale(out, low=scale[0], high=scale[1])
    return out


# --------------------------------------------------------------------------------------------
# Growth: networks' rates of development
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GrowthResult:
    """A growth model with network-specific rates of development.

    Attributes
    ----------
    measure : str
    base_wave : int
        The wave at which time ``t`` = 0.
    params, bse : pandas.Series
        ``Intercept`` (mean in the base wave) and ``t`` (mean growth a year).
    variance_components : pandas.Series
        As returned by the multilevel model (network intercept and slope variances, school,
        residual).
    networks : pandas.DataFrame
        One row per network: ``network_id, n_persons, mean, se, rate, rate_se``: EB estimates of
        the network's mean status in the base wave and of its yearly rate, fixed part included,
        with the posterior SEs of their deviations.
    intercept_reliability, rate_reliability : float
        Mean reliability of the networks' status and rates (Raudenbush & Bryk 2002).
    converged : bool
    model : inhd.hlm.KnownVarianceResult
    waves : tuple of int
        The survey waves in the data.
    """

    measure: str
    base_wave: int
    params: pd.Series
    bse: pd.Series
    variance_components: pd.Series
    networks: pd.DataFrame
    intercept_reliability: float
    rate_reliability: float
    converged: bool
    model: KnownVarianceResult = field(repr=False)
    waves: tuple[int, ...] = ()

    def summary(self) -> str:
        """Mean status and growth, variance components, reliabilities of status and rates."""
        return "\n".join([
            f"Growth model of {self.measure} (t = wave - {self.base_wave}), "
            f"{len(self.networks)} networks; converged {self.converged}",
            f"  mean status {self.params['Intercept']:.3f} (SE {self.bse['Intercept']:.3f}), "
            f"mean growth {self.params['t']:.3f} a year (SE {self.bse['t']:.3f})",
            "  variance components: " + ", ".join(
                f"{k} {v:.4f}" for k, v in self.variance_components.items()),
            f"  reliability of network status {self.intercept_reliability:.2f}, "
            f"of network rates {self.rate_reliability:.2f}",
        ])


def fit_growth(calibration: MeasureCalibration, *, base_wave=None, schools: bool = True
               ) -> GrowthResult:
    """Growth model: each network its own status and yearly rate of development.

        measure_ti = (gamma_00 + u_0k) + (gamma_10 + u_1k) t + r_jk + e_i + epsilon_i,
        (u_0k, u_1k) ~ N(0, T) with T a general 2 x 2 covariance, epsilon_i ~ N(0, se_i^2) known,

    with ``t = wave - base_wave`` in years (each wave a fresh cross-section of members). In R:
    ``metafor::rma.mv(measure, se^2, mods = ~ t, random = list(~ t | network_id,
    ~ 1 | school_id, ~ 1 | respondent_id), struct = "GEN")`` (the call of
    ``reference/validity/metafor_reference.R``, which the tests match).

    Parameters
    ----------
    calibration : MeasureCalibration
        One calibration over all waves (:func:`inhd.survey_measures.calibrate_measure`).
    base_wave : int, optional
        Default: the first wave.
    schools : bool, default True
        Include school random intercepts (schools nested in networks).

    Returns
    -------
    GrowthResult
    """
    p = calibration.persons.copy()
    base = int(p["wave"].min()) if base_wave is None else int(base_wave)
    p["t"] = (p["wave"].astype(float) - base)
    if p["t"].nunique() < 3:
        raise ValueError(f"fit_growth: measure {calibration.measure!r} has "
                         f"{p['t'].nunique()} wave(s); a rate needs at least 3 for its "
                         f"variance to be estimable")
    groups = ["network_id", "school_id"] if schools else ["network_id"]
    model = _fit(p, "measure ~ t", groups, random_slope="t")
    networks = _growth_networks(model)
    int_rel, rate_rel = float(model.reliability["network_id"]), float(model.reliability["network_id:t"])
    return GrowthResult(
        measure=calibration.measure, base_wave=base, params=model.params, bse=model.bse,
        variance_components=model.variance_components, networks=networks,
        intercept_reliability=int_rel, rate_reliability=rate_rel,
        converged=bool(model.converged), model=model,
        waves=tuple(sorted(int(w) for w in p["wave"].unique())))


def _growth_networks(model) -> pd.DataFrame:
    """Each network's mean status and rate: the fixed effects plus its EB deviations (inhd.hlm)."""
    re_net = model.random_effects["network_id"]
    return pd.DataFrame({
        "network_id": re_net.index.astype(str),
        "n_persons": re_net["n_persons"].to_numpy(),
        "mean": float(model.params["Intercept"]) + re_net["deviation"].to_numpy(float),
        "se": re_net["se"].to_numpy(float),
        "rate": float(model.params["t"]) + re_net["slope_deviation"].to_numpy(float),
        "rate_se": re_net["slope_se"].to_numpy(float),
    })


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def plot_caterpillar(networks: pd.DataFrame, *, estimate="mean", se="se", label="network_id",
                     ax=None, ylabel="network mean (logits)", title=None):
    """Caterpillar plot: network EB estimates sorted, with +-2 SE bars (the poster's Figure 1).

    ``networks`` is a tidy frame with one row per network (e.g. :func:`network_estimates`), on
    logits or on the 0-10 scale (``estimate="mean_0_10", se="se_0_10"``); ``estimate`` names the
    column plotted. Returns the Axes.
    """
    import matplotlib.pyplot as plt

    _check_columns(networks, [estimate, se, label], "plot_caterpillar")
    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    d = networks.sort_values(estimate).reset_index(drop=True)
    x = np.arange(len(d))
    ax.errorbar(x, d[estimate], yerr=2 * d[se], fmt="o", color="tab:blue", ecolor="0.6",
                capsize=2, ms=4)
    ax.axhline(float(np.average(d[estimate])), color="0.3", lw=0.8, ls="--")
    ax.set_xticks(x, d[label].astype(str), rotation=90, fontsize=7)
    ax.set_xlabel("network (sorted)")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_growth(growth: GrowthResult, *, waves=None, ax=None, highlight=None):
    """Network trajectories from the growth model (the poster's Figure 2): each network's EB line
    status + rate * t over the waves, the mean trajectory in black. ``highlight`` maps
    network_id -> colour. Returns the Axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 5))
    nets = growth.networks
    if waves is None:
        waves = growth.waves
    waves = np.asarray(waves, dtype=float)
    t = waves - growth.base_wave
    highlight = dict(highlight or {})
    for _, r in nets.iterrows():
        colour = highlight.get(r["network_id"], "0.7")
        ax.plot(waves, r["mean"] + r["rate"] * t, color=colour,
                lw=1.6 if r["network_id"] in highlight else 0.8)
    ax.plot(waves, growth.params["Intercept"] + growth.params["t"] * t, color="k", lw=2.5,
            label="mean trajectory")
    ax.set_xticks(waves, [str(int(w)) for w in waves])
    ax.set_xlabel("survey wave")
    ax.set_ylabel(f"{growth.measure} (logits)")
    ax.legend(loc="best", fontsize=8)
    return ax
