"""Validity of the INHD survey measures: Bryk, Li, Luppescu & Bui (2025).

The validity paper asks two questions of every measure of the INHD survey:

1. Does it distinguish reliably among networks (and schools) *at one time point*? The poster
   reports reliabilities "at the school and network levels" from hierarchical linear models
   (its "Table 2. Reliability Estimates for INHD Survey Measures", header "Construct/ Domain
   2021", read here as the 2021 survey) but gives neither the models' levels nor their
   estimation. We reconstruct them with persons in schools in networks, each person's Rasch
   measure carrying its squared Rasch SE as a known error variance (the participatory-benefits
   paper's level-1 "measurement model"), fitted by full ML as HLM's multilevel modules do; a
   single-item measure is analysed as its score.
2. Does it differentiate networks' *rates of development*? The poster reports that the measures
   can (its Figure 2, membership to promote expertise diversity) but does not describe its
   model. We use a growth model over the survey waves with a network-specific rate (a random
   slope on time) and report the reliability of those rates.

Pipeline (each step a function):

- :func:`inhd.survey_measures.calibrate_measures`: Rasch rating-scale model of each measure
  (:func:`inhd.rasch.fit_rating_scale`), one calibration over every wave (our choice: it puts
  every wave on one scale, which growth needs).
- :func:`measure_reliability` / :func:`reliability_table`: the unconditional multilevel model of
  one wave (:func:`inhd.hlm.fit_known_variance`; persons in schools in networks, or persons in
  networks when the data have no usable school level: :func:`inhd.survey_run.survey_levels`), the
  reliabilities, a test of each variance component (:mod:`inhd.component_tests`: HLM's
  chi-square by default; our analogue of the published "n.s." marks, whose test the poster
  does not name);
  :func:`reliability_beside_published` sets the published values beside ours
  (:func:`load_published_reliabilities`; never typed in) and :func:`format_reliability` lays the
  table out as the poster does.
- :func:`fit_growth` and :func:`growth_table`: the growth model and the reliability of network rates.
- :func:`plot_growth`: Figure 2's trajectories (Figure 1 and the rates are
  :func:`inhd.plots.plot_caterpillar` of :func:`inhd.estimates.network_estimates`).

The shipped network health survey in ``data/`` is SYNTHETIC; the published reliabilities are real
(``data/published/inhd_measure_reliabilities.csv``). Any survey in the data contract runs the same
steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from inhd.component_tests import variance_component_tests
from inhd.estimates import network_estimates
from inhd.hlm import KnownVarianceResult, fit_known_variance
from inhd.published import beside_published, published_table
from inhd.reliability import separation_reliability
from inhd.survey_measures import MeasureCalibration
from inhd.survey_run import few_networks, survey_levels
from inhd.validity_reading import (network_reliability_lines, reading_of_network_reliability,
                                 variance_disagreement)

__all__ = [
    "WaveChoice",
    "choose_reliability_wave",
    "reading_of_network_reliability",
    "variance_disagreement",
    "network_reliability_lines",
    "MeasureReliability",
    "ReliabilityTable",
    "GrowthResult",
    "RELIABILITY_COLUMNS",
    "SHIPPED_NOTES",
    "load_published_reliabilities",
    "measure_reliability",
    "reliability_table",
    "reliability_beside_published",
    "compare_with_published",
    "format_reliability",
    "fit_growth",
    "growth_table",
    "plot_growth",
]

#: Columns of :attr:`ReliabilityTable.table` (they never vary; school columns are NaN without a
#: school level).
RELIABILITY_COLUMNS = [
    "measure", "name", "domain", "n_items", "n_persons", "n_schools", "n_networks",
    "individual", "individual_hlm", "school", "network",
    "school_p_value", "network_p_value", "school_ns", "network_ns", "test", "method",
    "variance_network_id", "variance_school_id", "variance_residual", "converged",
]
#: What the notebook says about the shipped SYNTHETIC survey, and only about it.
SHIPPED_NOTES = {
    "banner": "The published reliabilities shown beside ours are the real figures from the paper's table "
              "(data/published/inhd_measure_reliabilities.csv).",
    "reliabilities": "The synthetic survey was generated so that its design reliabilities equal the published "
                     "ones, the nine marked \"(n.s.)\" included; ours are estimated from the generated responses, so "
                     "they scatter around the diagonal by sampling error (a network-level reliability rests on 27 "
                     "networks in 2021). The 38 estimates are not 38 independent draws: the generator gives all "
                     "measures a common network health factor and common school and person factors, so their "
                     "errors move together and the mean difference from the published values changes sign from "
                     "one seed of the generator to another. Full ML estimates the between-network variance a "
                     "little lower than REML (`hlm_method`). The design's individual reliabilities are those of "
                     "persons measured with "
                     "the items known (CML); joint maximum likelihood spreads person measures on short measures, so "
                     "with `rasch_method = \"jmle\"` two- and three-item measures come out higher than the "
                     "published.",
}
SHIPPED_NOTES["mark"] = " (SYNTHETIC data)"
SHIPPED_NOTES["mark_growth"] = " (SYNTHETIC data; rate variance set by design)"
SHIPPED_NOTES["growth"] = (
    "On the synthetic survey that value follows from our design assumption (network slope SD = 0.3 x network "
    "intercept SD; mean growth 0.3 network SDs a year), not from the poster, which reports that rates can be told "
    "apart but publishes no slope variance or reliability of rates.")
SHIPPED_NOTES["figure1"] = (
    "On the shipped survey this is the measure of the poster's Figure 1 (\"Internal Team Collaborative Inquiry "
    "differentiates among networks at a fixed time point\"), redrawn on the SYNTHETIC data; the poster's figure is "
    "an image whose content its text does not give, so nothing here is compared with it.")
#: The reliabilities set beside the published ones (:func:`reliability_beside_published`).
PUBLISHED_VALUES = ["individual", "school", "network", "school_ns", "network_ns"]


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
    table = published_table("inhd_measure_reliabilities") if path is None else pd.read_csv(path)
    _check_columns(table, ["measure", "individual", "school", "network", "school_ns",
                           "network_ns"], f"published reliabilities {path}")
    return table


def _check_columns(df: pd.DataFrame, columns, where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not found; the table has "
                         f"{list(df.columns)[:12]}{' ...' if df.shape[1] > 12 else ''}")


def _fit(data, formula, groups, random_slope=None, method="ML"):
    """Fit of the known-variance model with :func:`inhd.hlm.fit_known_variance` (full ML as
    HLM's multilevel modules, or REML)."""
    return fit_known_variance(data, formula, known_variance="known_variance", groups=list(groups),
                              method=method, random_slope=random_slope)


def _component(model, name) -> float:
    vc = model.variance_components
    return float(vc[name]) if name in vc.index else np.nan


def _level_reliability(model, level) -> float:
    rel = model.reliability
    return float(rel[level]) if level in rel else np.nan


@dataclass(frozen=True)
class MeasureReliability:
    """Reliabilities of one measure from the unconditional three-level model of one wave.

    Attributes
    ----------
    measure : str
    wave : int or None
    individual : float
        Our Rasch person reliability (Winsteps' model reliability, non-extreme persons) of the
        respondents in the wave, beside which the poster's "individual-respondent reliability" is
        set (the poster does not say which reliability it reports, or how it treats extreme
        persons); NaN for a single item analysed as its score.
    individual_hlm, school, network : float
        Reliabilities from the three-level model: persons sigma2 / (sigma2 + v_i) averaged; school
        and network means lambda = tau / (tau + error variance of the unit's mean) averaged.
    school_p_value, network_p_value : float
        Tests of tau_school = 0 and tau_network = 0 (:mod:`inhd.component_tests`, ``test``).
    method, test : str
        The estimation (``"ML"`` or ``"REML"``) and the variance-component test (``"hlm"``:
        HLM's chi-square; ``"lrt"``: boundary likelihood ratio).
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
    method: str = "ML"
    test: str = "hlm"

    def summary(self) -> str:
        vc = self.variance_components
        return (f"{self.measure} (wave {self.wave}, {self.method}, {self.test} tests): "
                f"{self.n_persons} persons, {self.n_schools} "
                f"schools, {self.n_networks} networks\n"
                f"  reliability: individual {self.individual:.2f}, school {self.school:.2f} "
                f"(p {self.school_p_value:.3g}), network {self.network:.2f} "
                f"(p {self.network_p_value:.3g})\n"
                f"  variance components: " + ", ".join(f"{k} {v:.3f}" for k, v in vc.items())
                + f"; converged {self.converged}")


@dataclass(frozen=True)
class WaveChoice:
    """The survey wave whose reliabilities are reported (:func:`choose_reliability_wave`).

    Attributes
    ----------
    wave : int or None
        The wave; None pools the data (no ``wave`` column).
    n_networks : int
        Networks with respondents in ``wave`` (in the data when ``wave`` is None).
    n_networks_by_wave : pandas.Series
        Networks with respondents in each wave, indexed by wave (empty without waves).
    reason : str
        Which wave and why, in a sentence for the page.
    warning : str
        A warning sentence when ``wave`` has too few networks (:func:`inhd.survey_run.few_networks`),
        else ``""``.
    """

    wave: int | None
    n_networks: int
    n_networks_by_wave: pd.Series = field(repr=False)
    reason: str
    warning: str = ""

    def summary(self) -> str:
        """The reason, then the warning when there is one."""
        return self.reason + (f"\nWarning: {self.warning}." if self.warning else "")


def _wave_list(counts: pd.Series) -> str:
    return ", ".join(f"{w} ({n} network{'s' if n != 1 else ''})" for w, n in counts.items())


def choose_reliability_wave(respondents: pd.DataFrame, wave=None, *, why: str = "") -> WaveChoice:
    """The survey wave in which to estimate the reliabilities, and why.

    Parameters
    ----------
    respondents : pandas.DataFrame
        ``network_id`` and, when the survey has waves, ``wave``.
    wave : int, optional
        The wave asked for; default (None) the wave with the most networks (then the most
        respondents, then the latest): a network reliability needs networks, and waves of a panel
        are often uneven (a late wave holding one or two networks).
    why : str, optional
        Why ``wave`` was asked for, for the page (default: "as asked").

    Raises
    ------
    ValueError
        ``wave`` is not a wave of the data, or it holds fewer than two networks (the message lists
        the waves with their networks).

    Examples
    --------
    >>> r = pd.DataFrame({"network_id": ["A", "B", "C", "A"], "wave": [1, 1, 1, 2]})
    >>> choose_reliability_wave(r).reason
    'Reliabilities in wave 1, the wave with the most networks (3; waves: 1 (3 networks), 2 (1 network)).'
    """
    if "wave" not in respondents.columns or respondents["wave"].isna().all():
        n = int(respondents["network_id"].nunique())
        return WaveChoice(wave=None, n_networks=n, n_networks_by_wave=pd.Series(dtype="int64"),
                          reason=f"Reliabilities from all respondents (the data have no survey waves), {n} networks.",
                          warning=few_networks(n))
    timed = respondents[respondents["wave"].notna()]
    counts = timed.groupby("wave")["network_id"].nunique().astype("int64")
    counts.index = [int(w) for w in counts.index]
    if wave is None:
        sizes = timed.groupby("wave").size()
        sizes.index = [int(w) for w in sizes.index]
        chosen = max(counts.index, key=lambda w: (counts[w], sizes[w], w))
        if counts[chosen] < 2:
            raise ValueError(f"no survey wave holds two networks (waves: {_wave_list(counts)}): a network "
                             "reliability needs at least 2 networks in one wave")
        reason = (f"Reliabilities in wave {chosen}, the wave with the most networks ({counts[chosen]}"
                  + (f"; waves: {_wave_list(counts)})." if len(counts) > 1 else ")."))
    else:
        chosen = int(wave)
        if chosen not in counts.index:
            raise ValueError(f"reliability wave {wave!r} is not a wave of the data; waves: {_wave_list(counts)}")
        if counts[chosen] < 2:
            best = int(counts.idxmax())
            raise ValueError(f"wave {chosen} holds {counts[chosen]} network(s): a network reliability needs at least 2 "
                             f"(waves: {_wave_list(counts)}); choose another wave (-p reliability_wave={best} has the "
                             "most networks)")
        reason = f"Reliabilities in wave {chosen}, {why or 'as asked'} ({counts[chosen]} networks"
        more = counts[counts > counts[chosen]]
        reason += (f"; wave {int(more.idxmax())} has {int(more.max())})." if len(more) else ").")
    n = int(counts[chosen])
    return WaveChoice(wave=chosen, n_networks=n, n_networks_by_wave=counts, reason=reason,
                      warning=few_networks(n, where=f" in wave {chosen}"))


def _wave_persons(calibration: MeasureCalibration, wave):
    p = calibration.persons
    if wave is not None:
        p = p[p["wave"] == wave]
        if p.empty:
            raise ValueError(f"measure {calibration.measure!r}: no respondents in wave {wave}; "
                             f"waves present: {sorted(calibration.persons['wave'].unique())}")
    return p.reset_index(drop=True)


def measure_reliability(calibration: MeasureCalibration, *, wave=2021, test_components: bool = True,
                        groups=None, method: str = "ML", test: str = "hlm") -> MeasureReliability:
    """Individual, school and network reliability of one measure in one survey wave.

    Fits the unconditional three-level model

        measure_i = gamma + u_k + r_jk + e_i + epsilon_i,
        u_k ~ N(0, tau_network), r_jk ~ N(0, tau_school), e_i ~ N(0, sigma2),
        epsilon_i ~ N(0, se_i^2) known,

    by full ML (default, as HLM's multilevel modules) or REML with
    :func:`inhd.hlm.fit_known_variance` (in R: ``metafor::rma.mv(measure, se^2, random = ~ 1 |
    network_id/school_id/respondent_id, method = "ML")``), or the two-level model without r_jk
    when the data have no usable school level. A single-item measure (its score, se 0) is the
    same model without a known error variance.

    Parameters
    ----------
    calibration : MeasureCalibration
    wave : int or None, default 2021
        The survey wave (the poster's table header reads "Construct/ Domain 2021", read as the
        2021 survey); None pools every wave (and is the only choice without a ``wave`` column).
    test_components : bool, default True
        Test each variance component (our analogue of the published "n.s." marks).
    groups : list of str, optional
        ``["network_id", "school_id"]`` or ``["network_id"]``; default the levels the wave's data
        let a model fit (:func:`inhd.survey_run.survey_levels`).
    method : {"ML", "REML"}, default "ML"
    test : {"hlm", "lrt"}, default "hlm"
        The test of each variance component (:func:`inhd.component_tests.variance_component_tests`).

    Returns
    -------
    MeasureReliability
        Without a school level, ``school``, ``school_p_value`` and its variance are NaN and
        ``n_schools`` is 0.

    Notes
    -----
    ``individual`` is our Rasch person reliability (over the non-extreme persons of the wave, as
    Winsteps does), set beside the published "individual-respondent reliability", with the
    multilevel analogue in ``individual_hlm``.
    """
    p = _wave_persons(calibration, wave)
    groups = list(survey_levels(p, warn=False).groups if groups is None else groups)
    schools = "school_id" in groups
    model = _fit(p, "measure ~ 1", groups, method=method)
    if calibration.rasch is None:                      # a single item: no person reliability
        individual = np.nan
    else:
        ne = p[~p["extreme"].astype(bool)]
        individual = separation_reliability(ne["measure"].to_numpy(float),
                                            ne["se"].to_numpy(float))[0]
    school_p = network_p = np.nan
    converged = bool(model.converged)
    if test_components:
        tests = variance_component_tests(p, outcome="measure", known_variance="known_variance",
                                         groups=groups, test=test, method=method).set_index(
                                             "component")
        network_p = float(tests.loc["network_id", "p_value"])
        if schools:
            school_p = float(tests.loc["school_id", "p_value"])
        converged = converged and bool(tests["converged"].all())
    vc = pd.Series({"network_id": _component(model, "network_id"),
                    "school_id": _component(model, "school_id"),
                    "residual": _component(model, "residual")})
    return MeasureReliability(
        measure=calibration.measure, wave=wave, individual=individual,
        individual_hlm=float(np.mean(vc["residual"] / (vc["residual"] + p["known_variance"]))),
        school=_level_reliability(model, "school_id"),
        network=_level_reliability(model, "network_id"),
        school_p_value=school_p, network_p_value=network_p, variance_components=vc,
        n_persons=len(p), n_schools=int(p.groupby(["network_id", "school_id"]).ngroups) if schools else 0,
        n_networks=int(p["network_id"].nunique()), converged=converged, model=model,
        n_persons_by_network=p.groupby("network_id").size(), method=str(method).upper(),
        test=test)


@dataclass(frozen=True)
class ReliabilityTable:
    """The reliability table, one row per measure (the poster's table, from a survey's data).

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`RELIABILITY_COLUMNS`: ``measure`` key, ``name`` and ``domain``, ``n_items``,
        counts, our ``individual`` (Rasch; NaN for a single item), ``individual_hlm``,
        ``school``, ``network``, the variance-component tests' p-values and ``*_ns`` flags
        (p >= ``alpha``), the ``test`` and the estimation ``method``, the variance components and
        ``converged``.
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
        show = t[["name", "n_items", "n_persons", "individual", "school", "network"]]
        wave = f"wave {self.wave}" if self.wave is not None else "all waves"
        return "\n".join([f"Reliability of {len(t)} measure(s), {wave}", show.round(2).to_string(index=False)])


def reliability_table(calibrations: dict, *, names=None, domains=None, wave=2021, alpha: float = 0.05,
                      test_components: bool = True, groups=None, method: str = "ML",
                      test: str = "hlm") -> ReliabilityTable:
    """Our reliability table, shaped like the poster's, one row per measure.

    Parameters
    ----------
    calibrations : dict
        ``{measure key: MeasureCalibration}`` (:func:`inhd.survey_measures.calibrate_measures`).
    names, domains : mapping, optional
        ``{measure key: name}`` and ``{measure key: domain}`` (a survey's measures file); default
        the key and an empty domain.
    wave, test_components, groups, method, test
        As :func:`measure_reliability`.
    alpha : float, default 0.05
        Level at which a variance component is marked not significant (``*_ns``).
    """
    names, domains = dict(names or {}), dict(domains or {})
    rows, fits = [], {}
    for key, cal in calibrations.items():
        fit = measure_reliability(cal, wave=wave, test_components=test_components, groups=groups,
                                  method=method, test=test)
        fits[key] = fit
        vc = fit.variance_components
        rows.append({
            "measure": key, "name": names.get(key, key), "domain": domains.get(key, ""),
            "n_items": len(cal.items), "n_persons": fit.n_persons, "n_schools": fit.n_schools,
            "n_networks": fit.n_networks, "individual": fit.individual,
            "individual_hlm": fit.individual_hlm, "school": fit.school, "network": fit.network,
            "school_p_value": fit.school_p_value, "network_p_value": fit.network_p_value,
            "school_ns": _ns(fit.school_p_value, alpha, test_components),
            "network_ns": _ns(fit.network_p_value, alpha, test_components),
            "test": fit.test if test_components else "", "method": fit.method,
            "variance_network_id": vc["network_id"], "variance_school_id": vc["school_id"],
            "variance_residual": vc["residual"], "converged": fit.converged,
        })
    return ReliabilityTable(table=pd.DataFrame(rows, columns=RELIABILITY_COLUMNS), fits=fits,
                            wave=wave, alpha=alpha)


def _ns(p_value, alpha, tested):
    return bool(p_value >= alpha) if tested and np.isfinite(p_value) else pd.NA


def reliability_beside_published(table: pd.DataFrame, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Our reliabilities beside the poster's, matched on the measure's published name.

    ``table`` is :attr:`ReliabilityTable.table`; ``published`` :func:`load_published_reliabilities`
    (default). Returns ``measure, name, domain, n_items`` then ``<value>_published, <value>_ours``
    for ``individual, school, network, school_ns, network_ns``
    (:func:`inhd.published.beside_published`), one row per measure of ``table``.

    Raises
    ------
    ValueError
        A measure's name is not in the published table.
    """
    pub = (load_published_reliabilities() if published is None else published).rename(columns={"measure": "name"})
    unknown = [n for n in table["name"] if n not in set(pub["name"])]
    if unknown:
        raise ValueError(f"reliability_beside_published: measure name(s) {unknown} are not in the published table")
    pub = pub.set_index("name").loc[list(table["name"])].reset_index()
    pub[["school_ns", "network_ns"]] = pub[["school_ns", "network_ns"]].astype(bool)
    out = beside_published(table, pub, on="name", values=PUBLISHED_VALUES)
    return table[["measure", "name", "domain", "n_items"]].merge(out, on="name", how="left")


def _with_ns(value, ns) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:.2f}" + (" (n.s.)" if not pd.isna(ns) and bool(ns) else "")


def format_reliability(table: pd.DataFrame) -> pd.DataFrame:
    """The reliability table as the poster prints it: two decimals, "(n.s.)" after a variance
    component that is not significant, "-" where a level is not fitted; ours and, when ``table``
    holds them (:func:`reliability_beside_published`), the published values beside them."""
    sides = ["ours", "published"] if "individual_ours" in table.columns else [""]
    out = pd.DataFrame({"Domain": table["domain"], "Measure": table["name"], "Items": table["n_items"]})
    for level in ("individual", "school", "network"):
        for side in sides:
            col = f"{level}_{side}" if side else level
            ns_col = (f"{level}_ns_{side}" if side else f"{level}_ns")
            ns = table[ns_col] if ns_col in table.columns else pd.Series(pd.NA, index=table.index)
            label = level.capitalize() + (f" ({side})" if side else "")
            out[label] = [_with_ns(v, n) for v, n in zip(table[col], ns)]
    return out


def _listing(names) -> str:
    names = [str(n) for n in names]
    return ", ".join(names) if names else "none"


def compare_with_published(beside: pd.DataFrame) -> list[str]:
    """What our reliabilities and "n.s." marks show beside the poster's, as sentences.

    ``beside`` is :func:`reliability_beside_published`. Every number is computed from it: the
    published ranges and marks, ours, the marks that agree and those that do not, and the mean
    difference at each level. Returns a list of Markdown sentences (measure names as given).
    """
    out = []
    n = len(beside)
    for level, label in [("network", "network"), ("school", "school")]:
        pub, ours = beside[f"{level}_published"], beside[f"{level}_ours"]
        pns = beside[f"{level}_ns_published"].fillna(False).astype(bool)
        ons = beside[f"{level}_ns_ours"].fillna(False).astype(bool)
        if ours.isna().all():
            continue
        out.append(
            f"{label.capitalize()} level, published: {pub.min():.2f}-{pub.max():.2f} over the {n} "
            f"measures, {int(pns.sum())} marked \"(n.s.)\" ({_listing(beside.loc[pns, 'name'])}); "
            f"ours: {ours.min():.2f}-{ours.max():.2f}, {int(ons.sum())} not significant. "
            f"Both mark {int((pns & ons).sum())} of the poster's {int(pns.sum())}; "
            f"the poster's marks we do not reproduce: {_listing(beside.loc[pns & ~ons, 'name'])}; "
            f"ours the poster does not have: {_listing(beside.loc[ons & ~pns, 'name'])}. "
            f"Mean difference ours - published {float((ours - pub).mean()):+.3f} "
            f"(largest {float((ours - pub).abs().max()):.2f}).")
    ind = beside[["individual_published", "individual_ours"]].dropna()
    if len(ind):
        d = ind["individual_ours"] - ind["individual_published"]
        out.append(f"Individual level ({len(ind)} multi-item measures; the single items are "
                   f"\"N/A\" in the poster and here): ours minus published {d.min():+.2f} to "
                   f"{d.max():+.2f}, mean {d.mean():+.3f}.")
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
        ``Intercept`` (mean in the base wave) and ``t`` (mean growth a year when the waves are years,
        else a wave: :attr:`time_unit`).
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

    @property
    def time_unit(self) -> str:
        """The unit of ``t``: ``"year"`` when the waves are calendar years (1900-2100), else
        ``"wave"`` (waves numbered 1, 2, 3 are not years: a newcomer's page said "a year")."""
        return "year" if self.waves and all(1900 <= w <= 2100 for w in self.waves) else "wave"

    def summary(self) -> str:
        """Mean status and growth, variance components, reliabilities of status and rates."""
        return "\n".join([
            f"Growth model of {self.measure} (t = wave - {self.base_wave}), "
            f"{len(self.networks)} networks; converged {self.converged}",
            f"  mean status {self.params['Intercept']:.3f} (SE {self.bse['Intercept']:.3f}), "
            f"mean growth {self.params['t']:.3f} a {self.time_unit} (SE {self.bse['t']:.3f})",
            "  variance components: " + ", ".join(
                f"{k} {v:.4f}" for k, v in self.variance_components.items()),
            f"  reliability of network status {self.intercept_reliability:.2f}, "
            f"of network rates {self.rate_reliability:.2f}",
        ])


def fit_growth(calibration: MeasureCalibration, *, base_wave=None, schools: bool | None = None,
               method: str = "ML") -> GrowthResult:
    """Growth model: each network its own status and yearly rate of development.

        measure_ti = (gamma_00 + u_0k) + (gamma_10 + u_1k) t + r_jk + e_i + epsilon_i,
        (u_0k, u_1k) ~ N(0, T) with T a general 2 x 2 covariance, epsilon_i ~ N(0, se_i^2) known,

    with ``t = wave - base_wave`` in the waves' unit (years when the waves are years, as on the
    shipped survey; :attr:`GrowthResult.time_unit`), each wave a fresh cross-section of members. In R:
    ``metafor::rma.mv(measure, se^2, mods = ~ t, random = list(~ t | network_id,
    ~ 1 | school_id, ~ 1 | respondent_id), struct = "GEN")`` (the call of
    ``reference/validity/metafor_reference.R``, which the tests match).

    Parameters
    ----------
    calibration : MeasureCalibration
        One calibration over all waves (:func:`inhd.survey_measures.calibrate_measure`).
    base_wave : int, optional
        Default: the first wave.
    schools : bool, optional
        Include school random intercepts (schools nested in networks); default: when the data
        have a usable school level (:func:`inhd.survey_run.survey_levels`).
    method : {"ML", "REML"}, default "ML"
        Full ML (as HLM) or REML (the call of the metafor reference).

    Returns
    -------
    GrowthResult

    Raises
    ------
    ValueError
        No wave column, fewer than three waves, or data the model cannot be fitted to (a singular
        system: too few networks observed in several waves); the message says which.
    """
    p = calibration.persons.copy()
    if "wave" not in p.columns:
        raise ValueError(f"fit_growth: measure {calibration.measure!r} has no wave column; a rate of "
                         "development needs survey waves")
    if schools is None:
        schools = survey_levels(p, warn=False).schools
    base = int(p["wave"].min()) if base_wave is None else int(base_wave)
    p["t"] = (p["wave"].astype(float) - base)
    if p["t"].nunique() < 3:
        raise ValueError(f"fit_growth: measure {calibration.measure!r} has "
                         f"{p['t'].nunique()} wave(s); a rate needs at least 3 for its "
                         f"variance to be estimable")
    groups = ["network_id", "school_id"] if schools else ["network_id"]
    try:
        model = _fit(p, "measure ~ t", groups, random_slope="t", method=method)
    except np.linalg.LinAlgError as err:
        spread = p.groupby("network_id")["t"].nunique()
        raise ValueError(f"fit_growth: the growth model of measure {calibration.measure!r} cannot be fitted to these "
                         f"data ({err}): a network's rate needs it observed in several waves, and "
                         f"{int((spread >= 3).sum())} of {len(spread)} networks have three or more") from None
    networks = network_estimates(model, slope="t")
    int_rel, rate_rel = float(model.reliability["network_id"]), float(model.reliability["network_id:t"])
    return GrowthResult(
        measure=calibration.measure, base_wave=base, params=model.params, bse=model.bse,
        variance_components=model.variance_components, networks=networks,
        intercept_reliability=int_rel, rate_reliability=rate_rel,
        converged=bool(model.converged), model=model,
        waves=tuple(sorted(int(w) for w in p["wave"].unique())))


def growth_table(growth: GrowthResult) -> pd.DataFrame:
    """``growth.csv``: ``quantity, value``: mean status and growth with their SEs, the reliabilities
    of status and rates, the number of networks and whether the model converged (1/0)."""
    return pd.DataFrame({
        "quantity": ["mean_status", "mean_status_se", "mean_growth", "mean_growth_se",
                     "status_reliability", "rate_reliability", "n_networks", "converged"],
        "value": [growth.params["Intercept"], growth.bse["Intercept"], growth.params["t"], growth.bse["t"],
                  growth.intercept_reliability, growth.rate_reliability, len(growth.networks),
                  float(growth.converged)],
    })


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------
def plot_growth(growth: GrowthResult, *, waves=None, ax=None, highlight=None):
    """Network trajectories from our growth model (our rendering of the idea behind the poster's
    Figure 2, whose content its text does not give): each network's EB line status + rate * t
    over the waves, the mean trajectory in black. ``highlight`` maps network_id -> colour.
    Returns the Axes."""
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
