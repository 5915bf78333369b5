"""The published figures the compendium reproduces, transcribed from the papers (real, not synthetic).

- :data:`PB_TABLE1`, :data:`PB_TABLE2`, :data:`PB_TABLE4_FINAL`, :data:`PB_ITEMS`,
  :data:`PB_CANDIDATE_ITEMS`: Perlman, Bryk & Russell (2025), Tables 1-4 (participatory
  benefits), with Table 4's predictors (:data:`PERSON_PREDICTORS`, :data:`NETWORK_PREDICTORS`);
- :data:`VARIATION_TABLE1`: Russell, Bryk & Sherer (2025), Table 1 (the well- and
  least-developed networks);
- :func:`published_table`: the one loader of a table transcribed into ``data/published/``
  (``data/README.md`` says where each comes from); :func:`published_tables` reads them all;
- :func:`beside_published`: the one shape of "ours beside the published": the keys, then
  ``<value>_published`` and ``<value>_ours`` for each value.

The synthetic data (:mod:`inhd.synthetic_cohort`, :mod:`inhd.synthetic_survey`) are calibrated to
these figures; the paper modules set their results beside them, on the shipped cohorts only (the
published values come from the papers' own data, not from anyone else's survey).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from inhd import DATA_DIR

__all__ = [
    "PB_TABLE1", "PB_TABLE2", "PB_TABLE4_FINAL", "PERSON_PREDICTORS", "NETWORK_PREDICTORS",
    "PB_ITEMS", "PB_CANDIDATE_ITEMS", "VARIATION_TABLE1", "published_tables", "published_table",
    "beside_published",
]

#: Table 1: counts of the categorical person variables and moments of the continuous ones.
PB_TABLE1 = {
    "n_persons": 2073,
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
#: Table 4, final model: fixed effects (logits) and variance components (r00 = ``network_id``,
#: e0 = ``residual``). Person-level predictors are group-mean centred,
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
    "variance_components": {"network_id": 0.559, "residual": 3.119},
}
#: Person-level predictors of Table 4's final model (group-mean centred); race reference: white.
PERSON_PREDICTORS = ["team_lead", "tenure_years", "intensity", "race_asian", "race_black",
                     "race_latinx", "race_mixed", "race_additional", "race_undisclosed"]
#: Network-level predictors of Table 4 (grand-mean centred over networks); references:
#: multi-district, instructional archetype, technical-assistance hub.
NETWORK_PREDICTORS = ["single_district", "duration_years", "archetype_ewr", "archetype_psm",
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
#: Two invented candidate items built to misfit, stand-ins for the two misfitting candidates the
#: paper deleted (it does not name them or say how they misfit); SYNTHETIC design, not published.
PB_CANDIDATE_ITEMS = [
    ("pb_cand_eases_workload",
     "Invented: participation eases my workload (second dimension: noisy, infit/outfit > 1)"),
    ("pb_cand_deterministic",
     "Invented: a near-deterministic item (steep: infit/outfit < 1)"),
]
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


def published_table(name: str, *, directory=None) -> pd.DataFrame:
    """The published table ``name`` as transcribed in ``data/published/<name>.csv`` (real figures).

    Raises
    ------
    ValueError
        No such table (the message lists those there are).

    Examples
    --------
    >>> published_table("participatory_benefits_table3")["rasch_rank"].tolist()
    [1, 7, 9, 4, 2, 3, 5, 8, 6]
    """
    folder = Path(directory) if directory is not None else Path(DATA_DIR) / "published"
    path = folder / f"{name}.csv"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.csv")))
        raise ValueError(f"no published table {name!r} in {folder} (there are: {known})")
    return pd.read_csv(path)


def beside_published(ours: pd.DataFrame, published: pd.DataFrame, *, on, values) -> pd.DataFrame:
    """Our numbers beside the published ones: the one shape of every such table.

    Parameters
    ----------
    ours, published : pandas.DataFrame
        Tidy frames sharing the key column(s) ``on`` and the value columns ``values``.
    on : str or list of str
    values : str or list of str

    Returns
    -------
    pandas.DataFrame
        The keys, then for each value column ``<value>_published`` and ``<value>_ours``, in the
        published table's row order (our rows without a published one after them); a row only one
        side has shows NaN on the other (an outer join).

    Examples
    --------
    >>> ours = pd.DataFrame({"quantity": ["a", "b"], "value": [0.5, 0.7]})
    >>> pub = pd.DataFrame({"quantity": ["b", "a"], "value": [0.8, 0.4]})
    >>> beside_published(ours, pub, on="quantity", values="value").values.tolist()
    [['b', 0.8, 0.7], ['a', 0.4, 0.5]]
    """
    on = [on] if isinstance(on, str) else list(on)
    values = [values] if isinstance(values, str) else list(values)
    for name, frame in (("ours", ours), ("published", published)):
        missing = [c for c in on + values if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: column(s) {missing} missing")
    a = published[on + values].rename(columns={v: f"{v}_published" for v in values}).assign(_a=range(len(published)))
    b = ours[on + values].rename(columns={v: f"{v}_ours" for v in values}).assign(_b=range(len(ours)))
    out = a.merge(b, on=on, how="outer", sort=False).sort_values(["_a", "_b"], na_position="last")
    return out[on + [f"{v}_{side}" for v in values for side in ("published", "ours")]].reset_index(drop=True)


def published_tables(directory=None) -> dict[str, pd.DataFrame]:
    """The published tables transcribed into ``data/published/`` (real figures, not synthetic).

    Returns a dict keyed by file stem: ``participatory_benefits_table1`` .. ``table4`` (Perlman,
    Bryk & Russell 2025), ``inhd_measure_reliabilities`` (the poster's reliability table, Bryk et
    al. 2025) and ``variation_structural_table`` (Russell, Bryk & Sherer 2025, Table 1).
    """
    folder = Path(directory) if directory is not None else Path(DATA_DIR) / "published"
    files = sorted(folder.glob("*.csv"))
    if not files:
        raise ValueError(f"no published tables (*.csv) in {folder}")
    return {f.stem: published_table(f.stem, directory=folder) for f in files}
