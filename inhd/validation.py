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
#: label, formula, known-variance column, grouping columns outermost first, method, random slope).
METAFOR_CASES = {
    "konstantopoulos_reml": ("konstantopoulos2011.csv", "dat.konstantopoulos2011 (schools in districts)",
                             "yi ~ year", "vi", ["district"], "REML", None),
    "konstantopoulos_ml": ("konstantopoulos2011.csv", "dat.konstantopoulos2011 (schools in districts)",
                           "yi ~ year", "vi", ["district"], "ML", None),
    "sim_two_level_reml": ("simulated_persons.csv", "simulated persons in networks",
                           "y ~ x_person + lead + net_z", "v", ["network_id"], "REML", None),
    "sim_two_level_ml": ("simulated_persons.csv", "simulated persons in networks",
                         "y ~ x_person + lead + net_z", "v", ["network_id"], "ML", None),
    "sim_three_level_reml": ("simulated_persons.csv", "simulated persons in schools in networks",
                             "y ~ x_person + lead + net_z", "v", ["network_id", "school_id"], "REML", None),
    "sim_growth_reml": ("simulated_persons.csv", "simulated growth, network random slope",
                        "y_growth ~ wave + x_person", "v", ["network_id"], "REML", "wave"),
    "sim_growth_school_reml": ("simulated_persons.csv", "simulated growth, network slope, schools nested",
                               "y_growth_school ~ wave + x_person", "v", ["network_id", "school_id"],
                               "REML", "wave"),
}


#: Tolerances against metafor: about 10 times the largest difference found (see
#: :func:`metafor_comparison`); ``se`` and ``variance`` apply to ``|ours / metafor - 1|``.
METAFOR_TOLERANCE = {"beta": 5e-6, "se": 3e-4, "variance": 1e-3, "llf": 3e-7, "ranef": 2e-4}


def metafor_comparison() -> pd.DataFrame:
    """``inhd.hlm.fit_known_variance`` against ``metafor::rma.mv`` (metafor 3.8-1).

    One row per fit and quantity. Tolerances (:data:`METAFOR_TOLERANCE`) are about 10 times the
    largest difference found over the seven fits, which metafor's optimiser sets: fixed effects 5e-7,
    log-likelihood 3e-8, empirical Bayes estimates (metafor's ``ranef``) 2e-5 absolute; standard
    errors 3e-5 and variance components 8e-5 *relative* (compared as ratios ours/metafor, so the
    tolerance applies to ``|ratio - 1|``). For the growth model (``struct="GEN"``) the variance components are the intercept and slope
    variances, their covariance and the person-level variance. metafor's ``ranef`` also lists the
    row (person) level; ``inhd.hlm`` estimates the grouping levels' effects only, and those are compared.
    """
    folder = ROOT / "reference" / "metafor"
    ref_all = json.loads((folder / "reference.json").read_text())
    version = f"metafor {ref_all['versions']['metafor']}"
    rows = []
    for key, (file, label, formula, known, groups, method, slope) in METAFOR_CASES.items():
        ref = ref_all[key]
        fit = fit_known_variance(pd.read_csv(folder / file), formula, known_variance=known, groups=groups,
                                 method=method, random_slope=slope)
        data = f"{label}, {method}"
        if "tau2" in ref:
            tau2, rho = ref["tau2"], ref["rho"]
            their_vc = [tau2[0], tau2[1], rho * np.sqrt(tau2[0] * tau2[1]), *ref["sigma2"].values()]
        else:
            their_vc = list(ref["sigma2"].values())
        rows += [
            _row(version, data, "fixed effects (coef)", fit.params, list(ref["beta"].values()),
                 METAFOR_TOLERANCE["beta"]),
            _row(version, data, "fixed-effect SEs, ratio (se)", fit.bse / np.asarray(list(ref["se"].values())),
                 np.ones(len(ref["se"])), METAFOR_TOLERANCE["se"]),
            _row(version, data, "variance components, ratio (sigma2, tau2)",
                 fit.variance_components.to_numpy() / np.asarray(their_vc), np.ones(len(their_vc)),
                 METAFOR_TOLERANCE["variance"]),
            _row(version, data, "log-likelihood (logLik)", [fit.llf], [ref["logLik"]], METAFOR_TOLERANCE["llf"]),
        ]
        for level, ranef_key in zip(groups, ref.get("ranef", {})):
            theirs = ref["ranef"][ranef_key]
            ours = fit.random_effects[level]
            ids = ["/".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in ours.index]
            if ids != [str(i) for i in theirs["id"]]:
                raise ValueError(f"{key}: our {level} units are not metafor's ranef units in the same order")
            rows.append(_row(version, data, f"EB estimates of {level} (ranef)", ours["deviation"],
                             theirs["estimate"], METAFOR_TOLERANCE["ranef"]))
    return pd.DataFrame(rows, columns=COLUMNS)
