"""A simulation study of the participatory-benefits design: what its final model can detect.

Perlman, Bryk & Russell (2025) estimate Table 4's final model once, on one cohort. How far an
estimate from one cohort may fall from the truth, and which effects of that size the design
detects reliably, depends on the design: 2,073 respondents in 34 networks, the paper's nine
items with their ceiling, the Rasch measurement step and the three-level model. This module
replicates that design: each replication draws a new cohort from the published final model, on
the respondents' and networks' own covariates (the design is held fixed), and runs it through the
whole pipeline: responses to the nine items, a Rasch calibration, then the final model
(:func:`inhd.benefits.fit_known_variance_model`, the chapter's own fit).

For replication r, with the design's centred predictors x (person level, group-mean centred) and
w (network level, grand-mean centred):

    theta_ik = gamma_0 + x_ik' beta + w_k' gamma + u_k + e_ik,
    u_k ~ N(0, 0.559), e_ik ~ N(0, 3.119)            (Table 4, final model),

responses 1-5 to the nine items from the rating-scale model with the generator's item
difficulties and thresholds (:func:`inhd.synthetic_cohort.measure_item_parameters`), a share of
them removed completely at random; the persons are measured by :func:`inhd.rasch.fit_rating_scale`
and the final model is fitted to the measures with their squared SEs as known level-1 variances
(by default with HLM 8's conventions: full ML, t-ratios on
HLM's degrees of freedom). Over the replications, per term: the mean estimate, bias and RMSE
against the published value, the share of 95% intervals that cover it, and the share of
replications in which the term is significant at ``alpha`` (its power, for an effect of the
published size). Each replication has its own seed (``numpy.random.SeedSequence.spawn``), so the
result does not depend on how many processes run it.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.benefits import design_matrix, fit_known_variance_model
from inhd.published import NETWORK_PREDICTORS, PB_TABLE4_FINAL, PERSON_PREDICTORS
from inhd.rasch import fit_rating_scale
from inhd.rsm import simulate_rating_scale
from inhd.sampling import as_generator
from inhd.synthetic_cohort import measure_item_parameters

__all__ = ["SIMULATION_COLUMNS", "SimulationStudy", "simulate_final_model", "departures",
           "describe_departures", "describe_coverage"]

#: Columns of :attr:`SimulationStudy.table` (they never vary).
SIMULATION_COLUMNS = ["method", "term", "truth", "mean_estimate", "bias", "rmse", "coverage_95",
                      "power", "n_replications"]
#: The estimation methods, fixed-effect tests and Rasch estimators a study can use.
METHODS, TESTS, RASCH_METHODS = ("ML", "REML"), ("hlm", "z"), ("jmle", "cml")
#: The final model's terms, in Table 4's order.
TERMS = ["Intercept", *PERSON_PREDICTORS, *NETWORK_PREDICTORS]
_COMPONENTS = ["network_id", "residual"]
_WORKER: dict = {}


def _start_worker(state: dict) -> None:
    _WORKER.clear()
    _WORKER.update(state)


def _replicate(seed: np.random.SeedSequence):
    """One replication (in a worker): draw, measure, fit. Returns the fixed effects (one row per
    term: estimate, se, p_value, ci_low, ci_high), the variance components and their tests, the
    two convergence flags and an error message ("" when the replication ran); a replication whose
    calibration or fit raises is kept as NaN with its message, never dropped silently."""
    try:
        return _replicate_or_raise(seed)
    except (ValueError, np.linalg.LinAlgError) as err:
        nan = np.full((len(TERMS), 5), np.nan)
        return (nan, np.full(2, np.nan), np.full(2, np.nan), False, False,
                f"{type(err).__name__}: {err}")


def _replicate_or_raise(seed):
    s = _WORKER
    g = np.random.default_rng(seed)
    design = s["design"]
    u = g.normal(0.0, s["sd_network"], s["n_networks"])
    e = g.normal(0.0, s["sd_residual"], len(design))
    theta = s["linear"] + u[s["network_codes"]] + e
    codes = simulate_rating_scale(theta, s["difficulties"], s["thresholds"], rng=g,
                                  min_category=1)
    missing = g.random(codes.shape) < s["missing_rate"]
    missing[missing.all(axis=1), 0] = False
    X = pd.DataFrame(np.where(missing, np.nan, codes), index=design.index,
                     columns=s["items"]).astype("Int64")
    rasch = fit_rating_scale(X, method=s["rasch_method"])
    persons = rasch.persons.reindex(design.index)
    data = design.assign(measure=persons["measure"].to_numpy(float),
                         error_variance=persons["se"].to_numpy(float) ** 2)
    # the chapter's own final-model fit (inhd.benefits), on the replication's measures
    fit = fit_known_variance_model(data, TERMS[1:], method=s["method"], test=s["test"])
    fe = fit.model.fixed_effects.reindex(TERMS)
    tests = fit.variance_tests.reindex(_COMPONENTS)["p_value"].to_numpy(float)
    return (fe[["estimate", "se", "p_value", "ci_low", "ci_high"]].to_numpy(float),
            fit.variance_components.reindex(_COMPONENTS).to_numpy(float), tests,
            bool(fit.converged), bool(rasch.converged), "")


@dataclass(frozen=True)
class SimulationStudy:
    """The replications of :func:`simulate_final_model` and their summary.

    Attributes
    ----------
    table : pandas.DataFrame
        Columns :data:`SIMULATION_COLUMNS`, one row per fixed effect of the final model (Table
        4's order) and one per variance component (``variance_network_id`` and
        ``variance_residual``, whose coverage is NaN: HLM prints no interval; their power is that
        of HLM's chi-square test where the fit provides one).
    estimates : pandas.DataFrame
        Long: ``replication, term, estimate, se, p_value, ci_low, ci_high`` per replication and
        fixed effect.
    variance_components : pandas.DataFrame
        Long: ``replication, component, variance, p_value``.
    converged : pandas.DataFrame
        Per replication: ``rasch`` and ``hlm`` convergence flags and ``error`` (empty when the
        replication ran; otherwise why its calibration or fit failed, its estimates NaN and left
        out of the table).
    n_replications : int
    method, rasch_method, test : str
    alpha : float
    """

    table: pd.DataFrame
    estimates: pd.DataFrame
    variance_components: pd.DataFrame
    converged: pd.DataFrame
    n_replications: int
    method: str
    rasch_method: str
    test: str
    alpha: float

    def summary(self) -> str:
        t = self.table.set_index("term")
        c = self.converged
        lines = [f"Simulation study of the final model: {self.n_replications} replications "
                 f"({self.rasch_method.upper()} measures, {self.method} fit, tests '{self.test}', "
                 f"alpha {self.alpha}); failed {int((c['error'] != '').sum())}, not converged: "
                 f"Rasch {int((~c['rasch']).sum())}, HLM {int((~c['hlm']).sum())}",
                 t.drop(columns=["method", "n_replications"]).round(3).to_string()]
        return "\n".join(lines)

    def plot_distributions(self, *, shipped=None, terms=None, ncols: int = 4, fig=None,
                           shipped_label: str = "shipped cohort"):
        """One panel per fixed effect: a histogram of its estimates over the replications, the
        published value (the truth, black line) and, when given, the ``shipped`` cohort's
        estimate (a Series by term, red dashed line). Returns the figure; each panel's title is
        its term."""
        import matplotlib.pyplot as plt

        terms = list(terms or TERMS)
        nrows = int(np.ceil(len(terms) / ncols))
        if fig is None:
            fig = plt.figure(figsize=(3.2 * ncols, 2.3 * nrows))
        truth = self.table.set_index("term")["truth"]
        for i, term in enumerate(terms):
            ax = fig.add_subplot(nrows, ncols, i + 1)
            est = self.estimates.loc[self.estimates["term"] == term, "estimate"]
            ax.hist(est, bins=20, color="0.75", edgecolor="0.45")
            ax.axvline(truth[term], color="black", lw=1.5, label="published (truth)")
            if shipped is not None and term in shipped.index:
                ax.axvline(shipped[term], color="tab:red", lw=1.5, ls="--",
                           label=shipped_label)
            ax.set_title(term, fontsize=9)
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
        fig.axes[0].legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        return fig


def _progress(iterable, total, enabled):
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc="replications", unit="rep", mininterval=2.0)


def simulate_final_model(respondents: pd.DataFrame, networks: pd.DataFrame, *,
                         n_replications: int = 200, rng=20250212, method: str = "ML",
                         test: str = "hlm", rasch_method: str = "jmle", alpha: float = 0.05,
                         missing_rate: float = 0.03, n_jobs: int | None = None,
                         progress: bool = False) -> SimulationStudy:
    """Replicate the participatory-benefits design from Table 4's published final model.

    Parameters
    ----------
    respondents, networks : pandas.DataFrame
        The design (data-contract tables, e.g. the shipped SYNTHETIC cohort): respondents' team
        role, tenure, intensity and race, networks' districts, duration, archetype and hub type.
        Their item responses are not used. Not modified.
    n_replications : int, default 200
    rng : int or numpy.random.Generator
        Seed of the replications' seeds.
    method : {"ML", "REML"}
        Estimation of the final model (HLM 8's three-level module uses full ML).
    test : {"hlm", "z"}
        Fixed-effect tests: HLM's t-ratios on its degrees of freedom, or z tests.
    rasch_method : {"jmle", "cml"}
    alpha : float, default 0.05
        Level of the tests behind ``power``.
    missing_rate : float, default 0.03
        Share of responses removed completely at random (as in the shipped cohort).
    n_jobs : int, optional
        Processes (default: the CPUs available); 1 runs in this process. Workers are started
        fresh (``spawn``), so a script that calls this with ``n_jobs > 1`` needs the usual
        ``if __name__ == "__main__":`` guard.
    progress : bool, default False
        Show a progress bar (``tqdm``).

    Returns
    -------
    SimulationStudy
    """
    problems = [f"{name} must be one of {allowed}, got {value!r}" for name, value, allowed in
                [("method", method, METHODS), ("test", test, TESTS),
                 ("rasch_method", rasch_method, RASCH_METHODS)] if value not in allowed]
    if problems:
        raise ValueError("; ".join(problems))
    if not isinstance(n_replications, (int, np.integer)) or n_replications < 2:
        raise ValueError(f"n_replications must be a whole number >= 2, got {n_replications!r}")
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    if not 0.0 <= float(missing_rate) < 0.5:
        raise ValueError(f"missing_rate must be in [0, 0.5), got {missing_rate!r}")
    design = design_matrix(respondents, networks)[["network_id", *PERSON_PREDICTORS,
                                                   *NETWORK_PREDICTORS]].reset_index(drop=True)
    codes, _ = pd.factorize(design["network_id"], sort=True)
    fixed = pd.Series(PB_TABLE4_FINAL["fixed"]).rename({"intercept": "Intercept"})[TERMS]
    vc = PB_TABLE4_FINAL["variance_components"]
    difficulties, thresholds = measure_item_parameters()
    state = {
        "design": design, "network_codes": codes, "n_networks": int(codes.max()) + 1,
        "linear": fixed["Intercept"] + design[TERMS[1:]].to_numpy() @ fixed[TERMS[1:]].to_numpy(),
        "sd_network": float(np.sqrt(vc["network_id"])),
        "sd_residual": float(np.sqrt(vc["residual"])),
        "items": list(difficulties.index), "difficulties": difficulties.to_numpy(float),
        "thresholds": thresholds.to_numpy(float), "missing_rate": float(missing_rate),
        "rasch_method": rasch_method, "method": method, "test": test,
    }
    g = as_generator(rng)
    seeds = np.random.SeedSequence(int(g.integers(2 ** 63))).spawn(int(n_replications))
    n_jobs = int(n_jobs or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                            else os.cpu_count() or 1))
    results: list = [None] * len(seeds)
    if n_jobs == 1:
        _start_worker(state)
        for i in _progress(range(len(seeds)), len(seeds), progress):
            results[i] = _replicate(seeds[i])
    else:
        # fresh (spawned) workers with single-threaded BLAS: n_jobs processes on n_jobs cores,
        # not n_jobs processes of several BLAS threads each (3x slower on 2 cores)
        with _single_threaded_blas(), ProcessPoolExecutor(
                n_jobs, mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker, initargs=(state,)) as pool:
            futures = {pool.submit(_replicate, s): i for i, s in enumerate(seeds)}
            for f in _progress(as_completed(futures), len(futures), progress):
                results[futures[f]] = f.result()
    return _summarise(results, fixed, vc, method=method, test=test, rasch_method=rasch_method,
                      alpha=float(alpha))


class _single_threaded_blas:
    """BLAS thread variables set to 1 while worker processes start and run (restored after)."""

    _VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

    def __enter__(self):
        self._saved = {k: os.environ.get(k) for k in self._VARS}
        os.environ.update({k: "1" for k in self._VARS})
        return self

    def __exit__(self, *exc):
        for k, v in self._saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        return False


def _summarise(results, fixed, vc, *, method, test, rasch_method, alpha) -> SimulationStudy:
    fe = np.stack([r[0] for r in results])                 # (R, terms, 5)
    comp = np.stack([r[1] for r in results])               # (R, 2)
    comp_p = np.stack([r[2] for r in results])
    ran = np.array([r[5] == "" for r in results])
    n = len(results)
    truth = fixed.to_numpy(float)
    est, p = fe[ran, :, 0], fe[ran, :, 2]
    lo, hi = fe[ran, :, 3], fe[ran, :, 4]
    rows = pd.DataFrame({
        "method": method, "term": TERMS, "truth": truth, "mean_estimate": est.mean(0),
        "bias": est.mean(0) - truth, "rmse": np.sqrt(((est - truth) ** 2).mean(0)),
        "coverage_95": ((lo <= truth) & (truth <= hi)).mean(0), "power": (p < alpha).mean(0),
        "n_replications": int(ran.sum())})
    vtruth = np.array([vc["network_id"], vc["residual"]])
    vest, vp = comp[ran], comp_p[ran]
    vrows = pd.DataFrame({
        "method": method, "term": [f"variance_{c}" for c in _COMPONENTS], "truth": vtruth,
        "mean_estimate": vest.mean(0), "bias": vest.mean(0) - vtruth,
        "rmse": np.sqrt(((vest - vtruth) ** 2).mean(0)), "coverage_95": np.nan,
        "power": np.where(np.isnan(vp).all(0), np.nan, (vp < alpha).mean(0)),
        "n_replications": int(ran.sum())})
    estimates = pd.DataFrame({
        "replication": np.repeat(np.arange(n), len(TERMS)), "term": np.tile(TERMS, n),
        **{name: fe[..., j].ravel() for j, name in
           enumerate(["estimate", "se", "p_value", "ci_low", "ci_high"])}})
    components = pd.DataFrame({
        "replication": np.repeat(np.arange(n), len(_COMPONENTS)),
        "component": np.tile(_COMPONENTS, n), "variance": comp.ravel(),
        "p_value": comp_p.ravel()})
    converged = pd.DataFrame({"replication": np.arange(n), "rasch": [r[4] for r in results],
                              "hlm": [r[3] for r in results], "error": [r[5] for r in results]})
    return SimulationStudy(table=pd.concat([rows, vrows], ignore_index=True)[SIMULATION_COLUMNS],
                           estimates=estimates, variance_components=components,
                           converged=converged, n_replications=n, method=method,
                           rasch_method=rasch_method, test=test, alpha=alpha)


def departures(study: SimulationStudy, ours: pd.DataFrame, *, alpha: float | None = None) -> pd.DataFrame:
    """One cohort's final-model estimates read against the study's sampling distributions.

    Parameters
    ----------
    study : SimulationStudy
    ours : pandas.DataFrame
        The cohort's final model, indexed by term: ``estimate`` and ``p_value`` (e.g. the
        ``final`` rows of :attr:`inhd.benefits.Table4.fixed_effects`).
    alpha : float, optional
        Default the study's.

    Returns
    -------
    pandas.DataFrame
        One row per fixed effect: ``term, truth`` (the published value), ``estimate`` and
        ``p_value`` (ours), the replications' ``mean_estimate`` and ``sd_estimate``,
        ``share_as_far`` (the share of replications whose estimate lies at least as far from
        their mean as ours: small when ours is unusual for the design), ``power`` (the share
        significant at ``alpha``), ``significant`` (ours at ``alpha``) and ``within_design``
        (``share_as_far`` >= 0.05).
    """
    alpha = study.alpha if alpha is None else float(alpha)
    t = study.table.set_index("term").loc[TERMS]
    rows = []
    for term in TERMS:
        est = study.estimates.loc[study.estimates["term"] == term, "estimate"].dropna().to_numpy()
        centre = float(est.mean())
        mine = float(ours.loc[term, "estimate"])
        far = float(np.mean(np.abs(est - centre) >= abs(mine - centre)))
        rows.append((term, float(t.loc[term, "truth"]), mine, float(ours.loc[term, "p_value"]), centre,
                     float(est.std(ddof=1)), far, float(t.loc[term, "power"]),
                     bool(ours.loc[term, "p_value"] < alpha), far >= 0.05))
    return pd.DataFrame(rows, columns=["term", "truth", "estimate", "p_value", "mean_estimate",
                                       "sd_estimate", "share_as_far", "power", "significant",
                                       "within_design"])


def _p_text(p) -> str:
    return "p < .001" if p < 0.001 else f"p = {p:.3f}"


def describe_departures(table: pd.DataFrame, *, significant_published=None, reliable: float = 0.8
                        ) -> list[str]:
    """Sentences, term by term, on :func:`departures`' table: the published value, ours, where
    ours falls among the replications, and the design's power; then which published effects the
    design detects reliably (power >= ``reliable``). ``significant_published`` maps term -> bool
    (printed with stars)."""
    sig_pub = {} if significant_published is None else dict(significant_published)
    lines = []
    if sig_pub:
        pub_sig = table[table["term"].map(lambda t: bool(sig_pub.get(t)))]
        kept, lost = pub_sig[pub_sig["significant"]], pub_sig[~pub_sig["significant"]]
        outside = table[(table["term"] != "Intercept") & ~table["within_design"]]
        lines.append(
            f"Of the paper's {len(pub_sig)} significant final-model effects, {len(kept)} are significant here "
            f"too ({', '.join(f'`{t}`' for t in kept['term']) or 'none'}) and {len(lost)} are not ("
            + (", ".join(f"`{t}`, which the design detects in {p:.0%} of replications"
                         for t, p in zip(lost["term"], lost["power"])) or "none") + "). "
            + ("Every estimate lies within what the design produces." if outside.empty else
               "Outside what the design usually produces (fewer than 5% of replications as far from their "
               "centre): " + ", ".join(f"`{t}` ({f:.0%})" for t, f in zip(outside["term"], outside["share_as_far"]))
               + "."))
    for r in table.itertuples():
        if r.term == "Intercept":
            continue
        star = " (significant in the paper)" if sig_pub.get(r.term) else (
            " (not significant in the paper)" if r.term in sig_pub else "")
        where = ("within what the design produces" if r.within_design
                 else "outside what the design usually produces")
        lines.append(
            f"`{r.term}`: published {r.truth:+.2f}{star}; ours {r.estimate:+.2f} ({_p_text(r.p_value)}). "
            f"The design's estimates centre on {r.mean_estimate:+.2f} with SD {r.sd_estimate:.2f}; "
            f"{r.share_as_far:.0%} of replications lie as far from that centre as ours: {where}. "
            f"Significant in {r.power:.0%} of replications.")
    effects = table[table["term"] != "Intercept"]
    if sig_pub:
        effects = effects[effects["term"].map(lambda t: bool(sig_pub.get(t)))]
    strong = effects[effects["power"] >= reliable]
    weak = effects[effects["power"] < reliable]
    lines.append(f"Of the paper's {len(effects)} significant effects this design detects "
                 f"{len(strong)} reliably (significant in at least {reliable:.0%} of replications: "
                 + (", ".join(f"`{t}`" for t in strong["term"]) or "none") + "); the others are "
                 "detected in fewer: " + (", ".join(f"`{t}` {p:.0%}" for t, p in
                                                    zip(weak["term"], weak["power"])) or "none") + ".")
    return lines


def describe_coverage(studies: dict) -> list[str]:
    """Sentences on the 95% coverage of each study in ``studies`` (``{method: SimulationStudy}``):
    the range over the fixed effects, the terms below 0.90, and the mean network variance."""
    lines = []
    for method, st in studies.items():
        t = st.table.set_index("term")
        cov = t.loc[TERMS, "coverage_95"]
        low = cov[cov < 0.90]
        n = int(t["n_replications"].iloc[0])
        se = float(np.sqrt(0.95 * 0.05 / n))
        lines.append(
            f"{method}: coverage of the 95% intervals {cov.min():.1%}-{cov.max():.1%} over the "
            f"{len(cov)} fixed effects (Monte Carlo SE about {se:.1%} at 95%), "
            + (f"below 90% for {', '.join(f'`{k}` {v:.1%}' for k, v in low.items())}; "
               if len(low) else "none below 90%; ")
            + f"network variance {t.loc['variance_network_id', 'mean_estimate']:.3f} on average "
              f"against the true {t.loc['variance_network_id', 'truth']:.3f}.")
    return lines
