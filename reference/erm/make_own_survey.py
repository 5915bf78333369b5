"""Write the generated own-survey export used as the eRm reference for ``inhd run --method cml``.

``own_survey_respondents.csv`` and ``own_survey_networks.csv``: 12 networks, about 400
respondents with schools and three waves, eight items on a 1-6 scale of which ``q03`` is written the
other way round (reverse-keyed), covariates ``age``, ``role`` (respondents) and ``size``, ``region``
(networks), and an extra ``comments`` column; drawn by ``tests/surveys.make_survey`` (the
rating-scale model through ``inhd.rsm.simulate_rating_scale``), seed 20261201. Run from the
repository root:

    .venv/bin/python reference/erm/make_own_survey.py

then ``Rscript reference/erm/make_own_survey_reference.R`` for ``own_survey_rsm.json``.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

from surveys import make_survey  # noqa: E402


def main():
    make_survey(HERE, n_categories=6, rng=20261201, prefix="own_survey")


if __name__ == "__main__":
    main()
