"""The published figures the compendium reproduces, transcribed from the papers (real, not synthetic).

- :data:`PB_TABLE1`, :data:`PB_TABLE2`, :data:`PB_TABLE4_FINAL`, :data:`PB_ITEMS`,
  :data:`PB_CANDIDATE_ITEMS`: Perlman, Bryk & Russell (2025), Tables 1-4 (participatory
  benefits), with Table 4's predictors (:data:`PERSON_PREDICTORS`, :data:`NETWORK_PREDICTORS`);
- :data:`VARIATION_TABLE1`: Russell, Bryk & Sherer (2025), Table 1 (the well- and
  least-developed networks);
- :func:`published_tables`: every table transcribed into ``data/published/`` (``data/README.md``
  says where each comes from).

The synthetic data (:mod:`inhd.synthetic_cohort`, :mod:`inhd.synthetic_survey`) are calibrated to
these figures; the paper modules set their results beside them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from inhd import DATA_DIR

__all__ = [
    "PB_TABLE1", "PB_TABLE2", "PB_TABLE4_FINAL", "PERSON_PREDICTORS", "NETWORK_PREDICTORS",
    "PB_ITEMS", "PB_CANDIDATE_ITEMS", "VARIATION_TABLE1", "published_tables",
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
#: The two candidate items built to misfit (the paper deleted two misfitting candidates).
PB_CANDIDATE_ITEMS = [
    ("pb_cand_eases_workload",
     "Participation eases my workload (second dimension: noisy, infit/outfit > 1)"),
    ("pb_cand_recommend",
     "Would recommend the network (steep, near-deterministic: infit/outfit < 1)"),
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
    return {f.stem: pd.read_csv(f) for f in files}
