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

import numpy as np
import pandas as pd

from inhd import DATA_DIR, ROOT
from inhd.hlm import fit_known_variance
from inhd.rasch import fit_rating_scale, fit_statistics

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
