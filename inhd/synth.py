"""SYNTHETIC INHD survey data: the two generators and the committed files.

The program's survey data are confidential, so the compendium runs on synthetic data, calibrated
to the published tables (:mod:`inhd.published`) and generated from the published models. Nothing
made here describes a real network, school or person; every file written from it says SYNTHETIC
in its name. Two generators, both deterministic given ``rng`` (a seed or a
:class:`numpy.random.Generator`):

- :func:`simulate_participatory_benefits` (:mod:`inhd.synthetic_cohort`): the 2022-23 cohort of
  Perlman, Bryk & Russell (2025): 34 networks with Table 2's counts and moments, 2,073
  respondents with Table 1's counts and moments, a latent benefit drawn from Table 4's final
  model, and responses to 11 candidate items (the nine of Table 3 plus two built to misfit).
- :func:`simulate_network_health` (:mod:`inhd.synthetic_survey`): all 38 INHD survey measures of
  the poster's reliability table (Bryk, Li, Luppescu & Bui 2025, its Table 2), each calibrated to
  its published school and network reliabilities (the "(n.s.)" ones included) and, for measures
  of two or more items, to its individual reliability; persons in schools in 34 networks
  (``NH01``-``NH34``, never the poster's real labels W1-W6, L1-L5) over the waves 2021-2024
  with network-specific growth, including planted well- and least-developed clusters built on
  the structure of Russell, Bryk & Sherer (2025, Table 1).

:func:`write_synthetic_data` (``python -m inhd.synth``) regenerates every committed SYNTHETIC CSV
from the fixed seeds :data:`PB_SEED` and :data:`NH_SEED`, the shipped survey's measures table
``network_health_measures.csv`` (the data contract's ``measure, name, domain, items``) and the
variation paper's structural table in ``data/published/``, byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from inhd import DATA_DIR
from inhd.published import VARIATION_TABLE1
from inhd.synthetic_cohort import PB_SEED, SyntheticCohort, simulate_participatory_benefits
from inhd.synthetic_survey import (NH_MEASURES, NH_SEED, NH_WAVES, SyntheticNetworkHealth,
                                   simulate_network_health)

__all__ = [
    "PB_SEED", "NH_SEED", "NH_MEASURES", "NH_WAVES",
    "SyntheticCohort", "SyntheticNetworkHealth",
    "simulate_participatory_benefits", "simulate_network_health", "write_synthetic_data",
    "FILE_COLUMNS",
]

#: The committed files predate the package's vocabulary and must regenerate byte for byte, so they
#: keep their names: (file, name in the file) for the names the result objects use instead.
FILE_COLUMNS = {
    "participatory_benefits_truth_SYNTHETIC.csv": {"residual": "within", "network_id": "between"},
    "network_health_measures_SYNTHETIC.csv": {
        "observed_variance": "sigma2", "variance_residual": "sigma2_true",
        "variance_school_id": "tau_school", "variance_network_id": "tau_network",
        "variance_network_id:t": "tau_slope"},
    "network_health_network_effects_SYNTHETIC.csv": {"deviation": "intercept",
                                                     "slope_deviation": "slope"},
}


def _write(df: pd.DataFrame, path: Path, written: list) -> None:
    df.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
    written.append(path)


def write_synthetic_data(directory=None) -> list[Path]:
    """Regenerate every committed SYNTHETIC CSV (fixed seeds) and the variation paper's table.

    Parameters
    ----------
    directory : path-like, optional
        Where to write (default ``inhd.DATA_DIR``); the variation table goes to ``published/``.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    out = Path(directory) if directory is not None else Path(DATA_DIR)
    (out / "published").mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pb = simulate_participatory_benefits(rng=PB_SEED)
    truth_file = "participatory_benefits_truth_SYNTHETIC.csv"
    _write(pb.respondents, out / "participatory_benefits_respondents_SYNTHETIC.csv", written)
    _write(pb.networks, out / "participatory_benefits_networks_SYNTHETIC.csv", written)
    _write(pb.items.reset_index(), out / "participatory_benefits_items_SYNTHETIC.csv", written)
    truth = pd.concat([
        pd.DataFrame({"kind": "threshold", "name": pb.thresholds.index.astype(str),
                      "value": pb.thresholds.to_numpy()}),
        pd.DataFrame({"kind": "fixed_effect", "name": pb.fixed_effects.index,
                      "value": pb.fixed_effects.to_numpy()}),
        pd.DataFrame({"kind": "variance",
                      "name": pb.variances.index.map(FILE_COLUMNS[truth_file]),
                      "value": pb.variances.to_numpy()}),
        pd.DataFrame({"kind": "network_effect", "name": pb.network_effects.index,
                      "value": pb.network_effects.to_numpy()}),
    ], ignore_index=True)
    _write(truth, out / truth_file, written)
    _write(pb.latent[["theta"]].reset_index(), out / "participatory_benefits_latent_SYNTHETIC.csv",
           written)
    nh = simulate_network_health(rng=NH_SEED)
    _write(nh.respondents, out / "network_health_respondents_SYNTHETIC.csv", written)
    _write(nh.networks, out / "network_health_networks_SYNTHETIC.csv", written)
    items = nh.items.reset_index()
    items["thresholds"] = " ".join(f"{x:g}" for x in nh.thresholds)
    _write(items, out / "network_health_items_SYNTHETIC.csv", written)
    # the survey-data contract's measures table of the shipped survey (inhd.survey_run's default)
    contract = pd.DataFrame({
        "measure": nh.measures.index, "name": nh.measures["name"].to_numpy(),
        "domain": nh.measures["framework_domain"].to_numpy(),
        "items": [";".join(nh.measure_items(key)) for key in nh.measures.index]})
    _write(contract, out / "network_health_measures.csv", written)
    for name, frame in (("network_health_measures_SYNTHETIC.csv", nh.measures.reset_index()),
                        ("network_health_network_effects_SYNTHETIC.csv", nh.network_effects)):
        _write(frame.rename(columns=FILE_COLUMNS[name]), out / name, written)
    _write(VARIATION_TABLE1, out / "published" / "variation_structural_table.csv", written)
    return written


if __name__ == "__main__":  # python -m inhd.synth
    for path in write_synthetic_data():
        print(path)
