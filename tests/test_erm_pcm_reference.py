"""The committed eRm::PCM references (reference/erm/*_pcm.json) are consistent and mean what
README_dif_pcm.md says, so that the partial credit model can be tested against them.

- the centred thresholds, locations and steps obey the documented mapping;
- the conditional log-likelihood recomputed here from the committed thresholds (a direct
  partial-credit likelihood, polynomial products) equals eRm's logLik: the mapping from eRm's
  betapar loses nothing;
- the RSM side of the comparison equals inhd.cml on the same data, and the committed
  likelihood-ratio statistic is twice the log-likelihood gain (eRm's anova prints half of it).
"""

import json

import numpy as np
import pandas as pd
import pytest

from inhd import ROOT
from inhd.cml import cml_rating_scale

ERM = ROOT / "reference" / "erm"


def _load(name):
    ref = json.loads((ERM / f"{name}_pcm.json").read_text())
    data = pd.read_csv(ERM / f"{name}.csv")
    return data[ref["items"]].to_numpy(float), ref


def _pcm_conditional_loglik(X, thresholds):
    """sum_n log P(x_n | r_n) under the PCM with item thresholds thr_ih (positions where
    categories h-1 and h are equally likely), missing responses by pattern."""
    thr = np.asarray(thresholds, float)
    m = thr.shape[1]
    logw = np.concatenate([np.zeros((len(thr), 1)), -np.cumsum(thr, axis=1)], axis=1)
    obs = ~np.isnan(X)
    total = 0.0
    for pattern in np.unique(obs, axis=0):
        rows = (obs == pattern).all(axis=1)
        items = np.flatnonzero(pattern)
        poly = np.array([1.0])
        for i in items:                              # generating polynomial sum_h w_ih t^h
            poly = np.convolve(poly, np.exp(logw[i]))
        x = X[rows][:, items].astype(int)
        r = x.sum(axis=1)
        total += (logw[items, x].sum(axis=1) - np.log(poly[r])).sum()
    return total


@pytest.mark.parametrize("name", ["verbal_aggression", "gcbs"])
def test_pcm_reference_mapping_is_consistent(name):
    _, ref = _load(name)
    thr = np.array(ref["thresholds"])
    loc = np.array(ref["location"])
    assert abs(loc.mean()) < 1e-12                              # locations average 0
    np.testing.assert_allclose(thr.mean(axis=1), loc, atol=1e-12)
    np.testing.assert_allclose(np.array(ref["steps"]), thr - loc[:, None], atol=1e-12)
    # eRm's own thresholds() table, shifted by c, gives the same numbers
    table = np.array(ref["erm_thresholds"]["threshtable"])
    np.testing.assert_allclose(table[:, 1:] - ref["shift_c"], thr, atol=1e-10)
    assert np.all(np.array(ref["thresholds_se"]) > 0)


@pytest.mark.parametrize("name", ["verbal_aggression", "gcbs"])
def test_pcm_loglik_recomputed_from_the_committed_thresholds(name):
    X, ref = _load(name)
    ll = _pcm_conditional_loglik(X, ref["thresholds"])
    assert ll == pytest.approx(ref["loglik"], abs=1e-6)         # eRm::PCM(X)$loglik
    # and the likelihood is lower away from the estimates (they are the maximum)
    moved = np.array(ref["thresholds"])
    moved[0, 0] += 0.05
    assert _pcm_conditional_loglik(X, moved) < ll


@pytest.mark.parametrize("name", ["verbal_aggression", "gcbs"])
def test_rsm_vs_pcm_comparison(name):
    X, ref = _load(name)
    cmp_ = ref["rsm_vs_pcm"]
    est = cml_rating_scale(X, n_categories=ref["n_categories"])
    assert est.llf == pytest.approx(cmp_["loglik_rsm"], abs=1e-6)   # eRm::RSM(X)$loglik
    assert cmp_["statistic"] == pytest.approx(2 * (cmp_["loglik_pcm"] - cmp_["loglik_rsm"]),
                                              rel=1e-12)
    k, m = X.shape[1], ref["n_categories"] - 1
    assert cmp_["df"] == (k - 1) * (m - 1) == cmp_["npar_pcm"] - cmp_["npar_rsm"]
    # eRm 1.0.2's anova() reports half the statistic (|logLik difference|)
    assert cmp_["erm_anova"]["LR"] == pytest.approx(cmp_["statistic"] / 2, rel=1e-10)
    dev = cmp_["erm_anova"]["deviance"]
    assert abs(dev[1] - dev[0]) == pytest.approx(cmp_["statistic"], rel=1e-10)
