"""inhd: measurement methods of the Improvement Network Health and Development research program.

Modules, each a noun a researcher would recognise, from the bottom floor up. A module imports only
from its own floor or the floors below (never in a circle, never a private name), at the top of
the file; the one exception is a result's ``plot_*`` method, which imports :mod:`inhd.plots` when
called. ``tests/test_layers.py`` checks this list against the files.

1. ``inhd.rsm`` (the rating-scale and partial credit models: log-space category
   probabilities, moments, person locations, the one response simulator), ``inhd.warnings``,
   ``inhd.privacy`` (the one suppression rule for everything published)
2. the estimators and formulas: ``inhd.cml`` (conditional ML, as eRm), ``inhd.jmle`` (joint ML,
   as Winsteps), ``inhd.fitstats`` (infit, outfit, point-measure correlations), ``inhd.codes``
   (response codes checked for a calibration), ``inhd.partial_credit`` (the partial credit
   model's calibration), ``inhd.rasch`` (calibration on top of them: extremes, anchoring,
   labelled results, the rating scale against the partial credit model), ``inhd.hlm``
   (known-variance multilevel models, as HLM 8 and metafor; its steps in ``inhd.hlm_likelihood``,
   ``inhd.hlm_inference`` and ``inhd.hlm8``, exact derivatives by ``inhd.jet``),
   ``inhd.component_tests`` (tests of variance components: can a level's units be told apart),
   ``inhd.effects`` (centering, dummy
   coding, effect sizes), ``inhd.reliability`` (every reliability formula), ``inhd.scales`` (the
   four reporting categories and the 0-10 scale), ``inhd.sampling`` (draws with exact counts and
   matched moments), ``inhd.dif`` (differential item functioning, Andersen's test),
   ``inhd.residuals`` (residual PCA, Yen's Q3), ``inhd.categories`` (category diagnostics)
3. ``inhd.contract`` (the survey-data contract: columns, problems grouped, reports), ``inhd.cohorts``
   (the shipped SYNTHETIC cohorts, recognised by their files' content), ``inhd.records``
   (CSV records with their line numbers, read in chunks), ``inhd.csv_table`` (a CSV file streamed as
   chunks of text cells, and the checks of its cells), ``inhd.data`` (reading, validating and
   loading survey files), ``inhd.survey_run`` (what a notebook runs on: the survey, its levels,
   whether it is a shipped cohort, the page's facts), ``inhd.published`` (the papers' published
   figures, one loader, ours beside them), ``inhd.survey_measures`` (a Rasch calibration of each
   survey measure), ``inhd.item_selection`` (dropping misfitting items by a rule),
   ``inhd.item_review`` (point-measure correlations, category use, threshold order),
   ``inhd.covariates`` (covariate models and their design), ``inhd.estimates`` (each network's EB
   estimate), ``inhd.plots``, ``inhd.vegalite`` (charts as Vega-Lite specifications),
   ``inhd.network_charts`` (caterpillars, profiles and four categories by network, client-side),
   ``inhd.charts`` (the client-side charts), ``inhd.publish`` (output folders published whole, safe
   file names, shareable CSV, inert HTML pages)
4. one module per paper: ``inhd.framework``, ``inhd.validity`` with ``inhd.validity_reading`` (the
   sentences its page reads the reliabilities with), ``inhd.variation``,
   ``inhd.benefits``, ``inhd.benefits_published`` (its published tables read and set beside
   ours, its stars checked), ``inhd.simulation_study`` (the participatory-benefits design replicated
   from its published final model: bias, coverage and power of every term), ``inhd.hub``,
   ``inhd.equity``, ``inhd.report``, ``inhd.report_page`` (a network's report as one
   self-contained HTML page, no kernel), ``inhd.teaching`` (the measure-construction lab) with
   ``inhd.demonstrations`` (its simulated demonstrations),
   ``inhd.validation`` (our numbers against Winsteps, eRm and metafor); the SYNTHETIC data
   calibrated to the published tables (never real): ``inhd.synthetic_cohort``,
   ``inhd.synthetic_survey`` and ``inhd.synth`` (the committed files)
5. ``inhd.runner``, ``inhd.batch`` (many reports in one process pool), ``inhd.workflows``,
   ``inhd.book``, ``inhd.cli`` (and ``inhd.__main__``)

Vocabulary (every public result and output table uses these names):

- statistics: ``estimate, se, ci_low, ci_high, statistic, p_value`` (``df`` beside a statistic
  referred to a t distribution; HLM's t statistic, which its output calls "T-ratio", is
  ``t_ratio``; the paper's tables print only estimates, SEs and stars);
- counts: ``n_items, n_persons, n_networks`` (``n_schools``); an item's row counts the persons
  who answered it (``n_persons``), a person's row the items they answered (``n_items``);
- Rasch results: ``items`` (``difficulty, se, infit, outfit, infit_z, outfit_z, n_persons, ...``),
  ``persons`` (``measure, se, raw_score, n_items, ...``), ``thresholds`` and ``thresholds_se``;
  in the partial credit model an item's ``location`` (the mean of its thresholds) replaces
  ``difficulty`` and ``thresholds`` is a table, one row per item and one column per step;
- the maximised log-likelihood of any model is ``llf``;
- variance components are named by their grouping level (``network_id``, ``school_id``) plus
  ``residual`` (the person-level variance beyond the known measurement error); a slope's
  variance is ``<level>:<slope>`` and its covariance ``cov(<level>, <level>:<slope>)``;
- variance components in a long table are ``component, variance``; in a wide one
  ``variance_<component>`` (``variance_network_id``, ``variance_residual``);
- a network's empirical Bayes *deviation* from the fixed intercept (u_j) is ``deviation``; its
  *mean* (intercept plus deviation) is ``mean``; on the 0-10 reporting scale a column carries the
  suffix ``_0_10``;
- other counts are ``n_<unit>`` too (``n_values``, ``n_hubs``); a column naming what each row of a
  long table holds is ``quantity`` (``statistic`` is always a test statistic); ours beside a
  published value: ``<name>_ours``, ``<name>_published``.

``tests/test_vocabulary.py`` checks these names on the package's results and on every table the
notebooks write.
"""

import os
from pathlib import Path

__version__ = "0.1.0"

#: The environment variable naming the compendium's folder where the package is installed without
#: it (as a wheel): the book's JupyterLite copy sets it to the folder holding ``data/`` and
#: ``reference/`` beside the notebooks.
ROOT_ENV = "INHD_ROOT"
#: The compendium's root folder, whose ``data/`` and ``reference/`` the package reads: the folder the
#: package is installed from in editable mode, unless the environment variable ``INHD_ROOT`` names
#: another (read once, when ``inhd`` is first imported).
ROOT = Path(os.environ.get(ROOT_ENV) or Path(__file__).resolve().parents[1])
#: Shipped data: synthetic data sets, published tables, reference data.
DATA_DIR = ROOT / "data"
