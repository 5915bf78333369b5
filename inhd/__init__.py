"""inhd: measurement methods of the Improvement Network Health and Development research program.

Modules, each a noun a researcher would recognise, from the bottom floor up (imports point down):

1. ``inhd.rsm`` (the rating-scale model: log-space category probabilities, moments, person
   locations, the one response simulator), ``inhd.warnings``, ``inhd.privacy``
2. the estimators and formulas: ``inhd.cml`` (conditional ML, as eRm), ``inhd.rasch`` (JMLE as
   Winsteps, CML, anchoring, fit), ``inhd.hlm`` (known-variance multilevel models, as HLM 8 and
   metafor; its steps in ``inhd.hlm_likelihood``, ``inhd.hlm_inference`` and ``inhd.hlm8``, exact
   derivatives by ``inhd.jet``), ``inhd.effects`` (centering, dummy coding, effect sizes)
3. ``inhd.data`` (the survey-data contract, loading and validation), ``inhd.plots``
4. one module per paper: ``inhd.framework``, ``inhd.validity``, ``inhd.variation``,
   ``inhd.benefits``, ``inhd.hub``, ``inhd.equity``, ``inhd.report``, ``inhd.teaching``;
   ``inhd.synth`` (synthetic data calibrated to the published tables: SYNTHETIC, never real)
5. ``inhd.workflows``, ``inhd.runner``, ``inhd.book``, ``inhd.cli``

Vocabulary (every public result and output table uses these names):

- statistics: ``estimate, se, ci_low, ci_high, statistic, p_value`` (``df`` beside a statistic
  referred to a t distribution; the paper tables call HLM's t statistic ``t_ratio``);
- counts: ``n_items, n_persons, n_networks`` (``n_schools``); an item's row counts the persons
  who answered it (``n_persons``), a person's row the items they answered (``n_items``);
- Rasch results: ``items`` (``difficulty, se, infit, outfit, infit_z, outfit_z, n_persons, ...``),
  ``persons`` (``measure, se, raw_score, n_items, ...``), ``thresholds`` and ``thresholds_se``;
- the maximised log-likelihood of any model is ``llf``;
- variance components are named by their grouping level (``network_id``, ``school_id``) plus
  ``residual`` (the person-level variance beyond the known measurement error); a slope's
  variance is ``<level>:<slope>`` and its covariance ``cov(<level>, <level>:<slope>)``;
- a network's empirical Bayes *deviation* from the fixed intercept (u_j) is ``deviation``; its
  *mean* (intercept plus deviation) is ``mean``; on the 0-10 reporting scale a column carries the
  suffix ``_0_10``.
"""

from pathlib import Path

__version__ = "0.1.0"

#: The compendium's root folder (the package is installed in editable mode from it).
ROOT = Path(__file__).resolve().parents[1]
#: Shipped data: synthetic data sets, published tables, reference data.
DATA_DIR = ROOT / "data"
