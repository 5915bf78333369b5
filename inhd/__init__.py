"""inhd: measurement methods of the Improvement Network Health and Development research program.

Modules, each a noun a researcher would recognise:

- ``inhd.data``: the survey-data contract, loading and validation
- ``inhd.rasch``: Rasch rating-scale analysis (JMLE as in Winsteps, CML as in eRm)
- ``inhd.hlm``: multilevel models with a known-variance measurement model (as HLM 8, metafor)
- ``inhd.effects``: centering, dummy coding and effect sizes
- ``inhd.synth``: synthetic data calibrated to the published tables (SYNTHETIC, never real)
- ``inhd.plots``: Wright maps, category curves, caterpillar plots, four-bar displays
- ``inhd.runner`` / ``inhd.book``: executing the paper notebooks with papermill, building the book
"""

from pathlib import Path

__version__ = "0.1.0"

#: The compendium's root folder (the package is installed in editable mode from it).
ROOT = Path(__file__).resolve().parents[1]
#: Shipped data: synthetic data sets, published tables, reference data.
DATA_DIR = ROOT / "data"
