"""Our numbers against someone else's: Winsteps, eRm and metafor.

Each function computes the compendium's estimates on a public data set and sets them beside the
reference program's committed values, returning a tidy frame with one row per quantity:
``reference, data, quantity, n_values, max_abs_diff, tolerance, within_tolerance``. The validation page of
the book shows these tables; the test suite asserts the same tolerances.

Reference values live in ``data/reference/`` (Winsteps output shipped with the classic data sets) and
``reference/`` (eRm and metafor values with the R scripts that made them).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd

from inhd import DATA_DIR, ROOT
from inhd.dif import rating_scale_dif
from inhd.hlm import fit_known_variance
from inhd.rasch import (fit_partial_credit, fit_rating_scale, fit_statistics,
                        rating_scale_vs_partial_credit)
from inhd.warnings import InhdWarning

COLUMNS = ["reference", "data", "quantity", "n_values", "max_abs_diff", "tolerance", "within_tolerance"]


def _row(reference: str, data: str, quantity: str, ours, theirs, tolerance: float) -> dict:
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if ours.shape != theirs.shape:
        raise ValueError(f"{reference} {quantity}: {ours.shape} values of ours against {theirs.shape} of theirs")
    diff = float(np.max(np.abs(ours - theirs))) if ours.size else float("nan")
    return {"reference": reference, "data": data, "quantity": quantity, "n_values": int(ours.size),
            "max_abs_diff": diff, "tolerance": tolerance, "within_tolerance": bool(diff <= tolerance)}


def winsteps_comparison() -> pd.DataFrame:
    """Knox Cube Test and Liking for Science against Winsteps (JMLE, default settings).

    Tolerances (data/reference/README.md): measures within 0.2 logits and SEs within 0.05, because
    Winsteps stops at its default convergence criteria while ``inhd`` converges exactly (a uniform
    stretch of about 3%); fit statistics computed at Winsteps' own measures agree to the rounding of the
    printed measures (0.01); the Liking for Science thresholds to the printed 0.01.
    """
    ref = DATA_DIR / "reference"
    kct = pd.read_csv(ref / "kct.csv")
    items_ws, people_ws = pd.read_csv(ref / "kct_items_ws.csv"), pd.read_csv(ref / "kct_people_ws.csv")
    fit = fit_rating_scale(kct)
    rows = [
        _row("Winsteps", "Knox Cube Test", "item difficulty (MEASURE)", fit.items["difficulty"], items_ws["MEASURE"], 0.2),
        _row("Winsteps", "Knox Cube Test", "item SE (ERROR)", fit.items["se"], items_ws["ERROR"], 0.05),
        _row("Winsteps", "Knox Cube Test", "person measure (MEASURE)", fit.persons["measure"], people_ws["MEASURE"], 0.2),
        _row("Winsteps", "Knox Cube Test", "person SE (ERROR)", fit.persons["se"], people_ws["ERROR"], 0.05),
    ]
    pk, ik = people_ws["STATUS"].to_numpy() == 1, items_ws["STATUS"].to_numpy() == 1
    at_ws = fit_statistics(kct.loc[pk, kct.columns[ik]], measures=people_ws["MEASURE"][pk].to_numpy(),
                           difficulties=items_ws["MEASURE"][ik].to_numpy(), thresholds=[0.0])
    for ours, theirs, who in ((at_ws.items, items_ws[ik], "item"), (at_ws.persons, people_ws[pk], "person")):
        rows.append(_row("Winsteps", "Knox Cube Test", f"{who} infit at Winsteps measures (IN.MSQ)",
                         ours["infit"], theirs["IN.MSQ"], 0.01))
        rows.append(_row("Winsteps", "Knox Cube Test", f"{who} outfit at Winsteps measures (OUT.MSQ)",
                         ours["outfit"], theirs["OUT.MSQ"], 0.01))
    lfs = fit_rating_scale(pd.read_csv(ref / "lfs.csv"))
    rows.append(_row("Winsteps manual", "Liking for Science", "Andrich thresholds", lfs.thresholds, [-0.86, 0.86], 0.01))
    rows.append(_row("Winsteps manual", "Liking for Science", "category counts (non-extreme children)",
                     lfs.category_counts, [378, 620, 852], 0))
    return pd.DataFrame(rows, columns=COLUMNS)


#: The eRm reference sets (reference/erm/README.md): a real survey, eRm's own example, a simulated
#: set with missing responses and extreme scorers.
ERM_DATASETS = {"lfs": "Liking for Science (24 items)", "rsmdat": "eRm::rsmdat", "simulated": "simulated, 5% missing"}
#: Tolerances against eRm: about 10 times the largest difference found (see :func:`erm_comparison`).
ERM_TOLERANCE = {"difficulty": 1e-4, "thresholds": 2e-4, "measure": 5e-4, "se": 1e-3}


def erm_comparison() -> pd.DataFrame:
    """CML (``fit_rating_scale(method="cml")``) against ``eRm::RSM`` and ``eRm::person.parameter``.

    Tolerances (:data:`ERM_TOLERANCE`) are about 10 times the largest difference found over the three
    data sets: eRm's own numerical-gradient convergence limits the agreement (difficulties 7e-6,
    thresholds 2e-5, person measures 4e-5 logits; SEs 1.4e-4 relative).
    """
    rows = []
    for name, label in ERM_DATASETS.items():
        ref = json.loads((ROOT / "reference" / "erm" / f"{name}_rsm.json").read_text())
        data = pd.read_csv(ROOT / "reference" / "erm" / f"{name}.csv")[ref["items"]]
        fit = fit_rating_scale(data, method="cml")
        persons = pd.DataFrame(ref["persons"])
        at = persons["row"].to_numpy() - 1  # R rows are 1-based
        rows += [
            _row("eRm 1.0.2", label, "item difficulty (RSM)", fit.items["difficulty"], ref["difficulty"],
                 ERM_TOLERANCE["difficulty"]),
            _row("eRm 1.0.2", label, "Andrich thresholds (RSM)", fit.thresholds, ref["thresholds"],
                 ERM_TOLERANCE["thresholds"]),
            _row("eRm 1.0.2", label, "item SE, relative", fit.items["se"] / np.asarray(ref["difficulty_se"]),
                 np.ones(len(ref["difficulty_se"])), ERM_TOLERANCE["se"]),
            _row("eRm 1.0.2", label, "person measure (person.parameter)",
                 fit.persons["measure"].to_numpy()[at], persons["theta"], ERM_TOLERANCE["measure"]),
        ]
    return pd.DataFrame(rows, columns=COLUMNS)


#: The eRm references on real data for the partial credit model and DIF (reference/erm/README_dif_pcm.md,
#: made by reference/erm/make_dif_reference.R).
ERM_REAL_DATASETS = {"verbal_aggression": "VerbalAggression", "gcbs": "conspiracist beliefs, 106 missing"}
#: Tolerances against eRm::PCM: about 10 times the largest difference found over both data sets
#: (locations 1.2e-5, thresholds 3.7e-5 logits; SEs 1.5e-4 relative; logLik 7e-8; the LR statistic 1.3e-7).
ERM_PCM_TOLERANCE = {"location": 2e-4, "thresholds": 4e-4, "se": 2e-3, "loglik": 1e-6, "statistic": 2e-6}
#: Tolerances against eRm::LRtest: about 10 times the largest difference found over the four splits
#: (statistic 2e-9; per-group locations 8e-7 and thresholds 3e-7 logits; location SEs 2e-5 logits;
#: group log-likelihoods 2e-9).
ERM_DIF_TOLERANCE = {"statistic": 2e-8, "location": 1e-5, "thresholds": 3e-6, "se": 2e-4, "loglik": 2e-8}


def erm_pcm_comparison() -> pd.DataFrame:
    """The partial credit model (``fit_partial_credit(method="cml")``) against ``eRm::PCM``, and the
    likelihood-ratio test of the rating-scale model against it.

    Item locations and thresholds are eRm's ``thresholds()`` table less the mean location (the
    mapping of reference/erm/README_dif_pcm.md); SEs are compared as ratios ours / eRm's (delta method
    on eRm's Hessian). The likelihood-ratio statistic is ``2 (logLik_PCM - logLik_RSM)``: eRm 1.0.2's
    ``anova(pcm, rsm)`` prints half of it as ``LR`` (and refers that half to chi-square), so the
    table also sets ours beside twice eRm's printed value.
    """
    rows = []
    tol = ERM_PCM_TOLERANCE
    for name, label in ERM_REAL_DATASETS.items():
        ref = json.loads((ROOT / "reference" / "erm" / f"{name}_pcm.json").read_text())
        data = pd.read_csv(ROOT / "reference" / "erm" / f"{name}.csv")[ref["items"]]
        fit = fit_partial_credit(data, method="cml")
        lr = rating_scale_vs_partial_credit(data).likelihood_ratio
        cmp_ = ref["rsm_vs_pcm"]
        thr_se = np.asarray(ref["thresholds_se"])
        rows += [
            _row("eRm 1.0.2", label, "item location (PCM, thresholds() Location)", fit.items["location"],
                 ref["location"], tol["location"]),
            _row("eRm 1.0.2", label, "item thresholds (PCM)", fit.thresholds, ref["thresholds"], tol["thresholds"]),
            _row("eRm 1.0.2", label, "location SE, relative", fit.items["se"] / np.asarray(ref["location_se"]),
                 np.ones(len(ref["location_se"])), tol["se"]),
            _row("eRm 1.0.2", label, "threshold SE, relative", fit.thresholds_se / thr_se, np.ones(thr_se.shape),
                 tol["se"]),
            _row("eRm 1.0.2", label, "conditional log-likelihood (PCM logLik)", [fit.llf], [ref["loglik"]],
                 tol["loglik"]),
            _row("eRm 1.0.2", label, "LR statistic, RSM against PCM (2 x logLik gain)", [lr["statistic"]],
                 [cmp_["statistic"]], tol["statistic"]),
            _row("eRm 1.0.2", label, "LR statistic against 2 x anova(pcm, rsm) LR", [lr["statistic"]],
                 [2 * cmp_["erm_anova"]["LR"]], tol["statistic"]),
            _row("eRm 1.0.2", label, "LR df (npar PCM - npar RSM)", [lr["df"]], [cmp_["df"]], 0.0),
        ]
    return pd.DataFrame(rows, columns=COLUMNS)


def erm_dif_comparison() -> pd.DataFrame:
    """DIF (``inhd.dif.rating_scale_dif``, CML) against ``eRm::LRtest(eRm::RSM(X), splitcr = ...)``.

    Two real data sets, each split by gender and by eRm's default median split of the raw scores
    (per missing-data pattern when responses are missing, as eRm does); the VerbalAggression median
    split leaves out the item eRm leaves out (``incomplete_items="drop"``). Compared: Andersen's
    statistic and df, each group's conditional log-likelihood, and each group's centred item
    locations, their SEs and its Andrich thresholds (eRm's ``$fitobj``).
    """
    rows = []
    tol = ERM_DIF_TOLERANCE
    for name, label in ERM_REAL_DATASETS.items():
        ref = json.loads((ROOT / "reference" / "erm" / f"{name}_lrtest.json").read_text())
        table = pd.read_csv(ROOT / "reference" / "erm" / f"{name}.csv")
        X = table[ref["items"]]
        for lr in ref["lrtest"]:
            groups = table[lr["split"]] if lr["split"] != "median" else "median"
            with warnings.catch_warnings():            # the dropped item is reported in the row label
                warnings.simplefilter("ignore", InhdWarning)
                res = rating_scale_dif(X, groups, incomplete_items="drop")
            kept = lr["pooled"]["items"]
            data = f"{label}, by {lr['split']}" + (f" ({', '.join(lr['excluded_items'])} left out, as eRm)"
                                                   if lr["excluded_items"] else "")
            loc, loc_ref, se, se_ref, thr, thr_ref = [], [], [], [], [], []
            for g, theirs in zip(lr["group_labels"], lr["groups"]):
                loc += list(res.items.loc[kept, f"location_{g}"]); loc_ref += theirs["difficulty"]
                se += list(res.items.loc[kept, f"se_{g}"]); se_ref += theirs["difficulty_se"]
                thr += list(res.thresholds[g]); thr_ref += theirs["thresholds"]
            rows += [
                _row("eRm 1.0.2", data, "Andersen LR statistic (LRtest $LR)", [res.likelihood_ratio["statistic"]],
                     [lr["statistic"]], tol["statistic"]),
                _row("eRm 1.0.2", data, "Andersen LR df", [res.likelihood_ratio["df"]], [lr["df"]], 0.0),
                _row("eRm 1.0.2", data, "group log-likelihoods ($likgroup)", res.groups["llf"].drop("pooled"),
                     lr["loglik_groups"], tol["loglik"]),
                _row("eRm 1.0.2", data, "per-group item locations (centred)", loc, loc_ref, tol["location"]),
                _row("eRm 1.0.2", data, "per-group location SEs", se, se_ref, tol["se"]),
                _row("eRm 1.0.2", data, "per-group Andrich thresholds", thr, thr_ref, tol["thresholds"]),
            ]
    return pd.DataFrame(rows, columns=COLUMNS)


#: The metafor reference fits (reference/metafor/make_reference.R): key in reference.json -> (data file,
#: label, formula, known-variance column, grouping columns outermost first, method, random slope). Every
#: model is fitted by REML and by ML (HLM 8's estimator).
_KONST = ("konstantopoulos2011.csv", "dat.konstantopoulos2011 (schools in districts)", "yi ~ year", "vi",
          ["district"], None)
_SIM = ("simulated_persons.csv", "simulated persons in networks", "y ~ x_person + lead + net_z", "v",
        ["network_id"], None)
_SIM3 = ("simulated_persons.csv", "simulated persons in schools in networks", "y ~ x_person + lead + net_z",
         "v", ["network_id", "school_id"], None)
_GROWTH = ("simulated_persons.csv", "simulated growth, network random slope", "y_growth ~ wave + x_person",
           "v", ["network_id"], "wave")
_GROWTH_SCHOOL = ("simulated_persons.csv", "simulated growth, network slope, schools nested",
                  "y_growth_school ~ wave + x_person", "v", ["network_id", "school_id"], "wave")
METAFOR_CASES = {
    f"{key}_{method.lower()}": (*case[:5], method, case[5])
    for key, case in [("konstantopoulos", _KONST), ("sim_two_level", _SIM), ("sim_three_level", _SIM3),
                      ("sim_growth", _GROWTH), ("sim_growth_school", _GROWTH_SCHOOL)]
    for method in ("REML", "ML")
}

#: Tolerances per fit and kind of quantity: ten times the largest difference achieved when the reference was
#: committed (metafor's nlminb stops at rel.tol 1e-10 to 1e-12, recorded per fit as ``rel_tol``; inhd's
#: Newton steps converge to machine precision, so metafor's own convergence sets these). Kinds: ``coef``
#: fixed effects (absolute), ``se`` and ``vc`` ratios ours / metafor (|ratio - 1|), ``llf`` logLik
#: (absolute), ``ranef`` EB estimates (absolute) and ``ranef_se`` their SEs (ratio).
METAFOR_TOLERANCES = {
    "konstantopoulos_reml": dict(coef=1e-06, se=4e-07, vc=3e-06, llf=8e-10, ranef=3e-07, ranef_se=4e-07),
    "konstantopoulos_ml": dict(coef=5e-06, se=7e-07, vc=6e-06, llf=3e-10, ranef=4e-07, ranef_se=2e-06),
    "sim_two_level_reml": dict(coef=3e-07, se=3e-05, vc=6e-05, llf=3e-09, ranef=5e-06, ranef_se=3e-05),
    "sim_two_level_ml": dict(coef=3e-07, se=3e-05, vc=6e-05, llf=3e-09, ranef=6e-06, ranef_se=3e-05),
    "sim_three_level_reml": dict(coef=5e-06, se=1e-04, vc=5e-04, llf=3e-07, ranef=2e-04, ranef_se=2e-04),
    "sim_three_level_ml": dict(coef=3e-08, se=4e-06, vc=8e-06, llf=5e-11, ranef=4e-06, ranef_se=4e-06),
    "sim_growth_reml": dict(coef=5e-06, se=3e-04, vc=9e-04, llf=3e-07, ranef=3e-04, ranef_se=4e-04),
    "sim_growth_ml": dict(coef=4e-07, se=4e-05, vc=2e-04, llf=1e-08, ranef=3e-05, ranef_se=3e-05),
    "sim_growth_school_reml": dict(coef=9e-07, se=2e-05, vc=2e-04, llf=1e-08, ranef=6e-05, ranef_se=7e-05),
    "sim_growth_school_ml": dict(coef=2e-07, se=9e-06, vc=4e-05, llf=3e-09, ranef=8e-06, ranef_se=8e-06),
}


def _metafor_variances(ref) -> list:
    """metafor's variance components in inhd's order: sigma2 levels; for struct="GEN" the intercept and
    slope variances, their covariance (rho sqrt(tau2_0 tau2_1)), then the sigma2 levels."""
    if "tau2" in ref:
        tau2, rho = ref["tau2"], ref["rho"]
        return [tau2[0], tau2[1], rho * np.sqrt(tau2[0] * tau2[1]), *ref["sigma2"].values()]
    return list(ref["sigma2"].values())


def _metafor_ranef(ref_all, key, groups) -> dict:
    """The EB estimates metafor gives per grouping level (``ranef``; for struct="GEN" fits the keys
    ``<fit>_ranef`` computed from metafor's marginal covariance by make_reference.R)."""
    if f"{key}_ranef" in ref_all:
        extra = ref_all[f"{key}_ranef"]
        return {level: extra[level] for level in groups if level in extra}
    units = list(ref_all[key].get("ranef", {}).values())
    return dict(zip(groups, units))   # metafor lists the grouping levels outermost first, then persons


def _unit_ids(index, their_ids) -> list:
    """Our unit labels as metafor writes them: nested units "outer/inner" for ``~ 1 | outer/inner``,
    the inner label alone where metafor's formula names the inner level by itself (``~ 1 | school_id``
    of the growth models, whose school labels are unique across networks)."""
    nested = any("/" in str(i) for i in their_ids)
    return [("/".join(map(str, i)) if nested else str(i[-1])) if isinstance(i, tuple) else str(i)
            for i in index]


def _ranef_rows(version, data, fit, theirs_by_level, tol) -> list:
    rows = []
    for level, theirs in theirs_by_level.items():
        ours = fit.random_effects[level]
        ids = _unit_ids(ours.index, theirs["id"])
        if ids != [str(i) for i in theirs["id"]]:
            raise ValueError(f"{data}: our {level} units are not metafor's ranef units in the same order")
        rows += [_row(version, data, f"EB estimates of {level} (ranef)", ours["deviation"], theirs["estimate"],
                      tol["ranef"]),
                 _row(version, data, f"EB SEs of {level} (ranef se), ratio", ours["se"] / np.asarray(theirs["se"]),
                      np.ones(len(ids)), tol["ranef_se"])]
        if "slope_estimate" in theirs:
            rows += [_row(version, data, f"EB slopes of {level} (G Z'W r)", ours["slope_deviation"],
                          theirs["slope_estimate"], tol["ranef"]),
                     _row(version, data, f"EB slope SEs of {level} (G - G Z'PZ G), ratio",
                          ours["slope_se"] / np.asarray(theirs["slope_se"]), np.ones(len(ids)), tol["ranef_se"])]
    return rows


def metafor_comparison() -> pd.DataFrame:
    """``inhd.hlm.fit_known_variance`` against ``metafor::rma.mv`` (metafor 3.8-1), REML and ML fits.

    One row per fit and quantity: fixed effects (``coef``), their SEs, the variance components and the
    log-likelihood (``logLik``), and the empirical Bayes estimates of every grouping level (metafor's
    ``ranef``: deviations and posterior SEs; for the growth models also the network slopes). SEs and
    variance components are compared as ratios ours / metafor (the tolerance applies to ``|ratio - 1|``).
    Tolerances (:data:`METAFOR_TOLERANCES`) are ten times what was achieved. For the growth models
    (``struct="GEN"``) the variance components are the intercept and slope variances, their covariance
    and the lower levels' variances. metafor's ``ranef`` also lists the row (person) level; ``inhd.hlm``
    estimates the grouping levels' effects only, and those are compared.
    """
    folder = ROOT / "reference" / "metafor"
    ref_all = json.loads((folder / "reference.json").read_text())
    version = f"metafor {ref_all['versions']['metafor']}"
    rows = []
    for key, (file, label, formula, known, groups, method, slope) in METAFOR_CASES.items():
        ref, tol = ref_all[key], METAFOR_TOLERANCES[key]
        fit = fit_known_variance(pd.read_csv(folder / file), formula, known_variance=known, groups=groups,
                                 method=method, random_slope=slope)
        data = f"{label}, {method}"
        their_vc = _metafor_variances(ref)
        rows += [
            _row(version, data, "fixed effects (coef)", fit.params, list(ref["beta"].values()), tol["coef"]),
            _row(version, data, "fixed-effect SEs, ratio (se)", fit.bse / np.asarray(list(ref["se"].values())),
                 np.ones(len(ref["se"])), tol["se"]),
            _row(version, data, "variance components, ratio (sigma2, tau2)",
                 fit.variance_components.to_numpy() / np.asarray(their_vc), np.ones(len(their_vc)), tol["vc"]),
            _row(version, data, "log-likelihood (logLik)", [fit.llf], [ref["logLik"]], tol["llf"]),
        ]
        rows += _ranef_rows(version, data, fit, _metafor_ranef(ref_all, key, groups), tol)
    return pd.DataFrame(rows, columns=COLUMNS)
