"""The validation page's comparisons: every quantity within its stated tolerance."""

import json

import pytest

from inhd import ROOT, validation


@pytest.mark.parametrize("compare", [validation.winsteps_comparison, validation.erm_comparison,
                                     validation.erm_pcm_comparison, validation.erm_dif_comparison,
                                     validation.metafor_comparison])
def test_every_reference_quantity_is_within_tolerance(compare):
    table = compare()
    assert list(table.columns) == validation.COLUMNS
    assert len(table) >= 3
    failing = table[~table["within_tolerance"]]
    assert failing.empty, failing.to_string()


def test_row_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match=r"\(2,\) values of ours against"):
        validation._row("R", "d", "q", [1.0, 2.0], [1.0], 0.1)


def test_metafor_comparison_covers_every_reference_fit_and_every_quantity():
    reference = json.loads((ROOT / "reference" / "metafor" / "reference.json").read_text())
    fits = [key for key in reference if key != "versions" and not key.endswith("_ranef")]
    assert sorted(validation.METAFOR_CASES) == sorted(fits)
    assert {validation.METAFOR_CASES[key][5] for key in fits} == {"REML", "ML"}
    table = validation.metafor_comparison()
    assert table["data"].nunique() == len(fits)
    per_fit = table.groupby("data")["quantity"].apply(set)
    for quantities in per_fit:
        assert {"fixed effects (coef)", "fixed-effect SEs, ratio (se)", "log-likelihood (logLik)",
                "variance components, ratio (sigma2, tau2)"} <= quantities
    # metafor's ranef lists each grouping level, outermost first, then the row (person) level, whose
    # residuals inhd.hlm does not estimate: every grouping level's units are compared (for the
    # struct="GEN" growth fits, the "<fit>_ranef" values from metafor's marginal covariance)
    def units(key):
        groups = validation.METAFOR_CASES[key][4]
        if f"{key}_ranef" in reference:
            return [reference[f"{key}_ranef"][g] for g in groups]
        return list(reference[key]["ranef"].values())[:len(groups)]

    expected = sum(len(unit["id"]) for key in fits for unit in units(key))
    for kind in ("EB estimates", "EB SEs"):
        rows = table[table["quantity"].str.startswith(kind)]
        assert expected > 400 and rows["n_values"].sum() == expected
    slopes = table[table["quantity"].str.startswith("EB slopes")]
    assert slopes["n_values"].sum() == 4 * 30


def test_erm_pcm_and_dif_comparisons_cover_every_reference():
    pcm = validation.erm_pcm_comparison()
    assert pcm["data"].nunique() == 2 and len(pcm) == 16
    # the item-level rows hold every item (and every threshold) of both data sets: 24 + 15 items
    assert pcm.loc[pcm["quantity"].str.startswith("item location"), "n_values"].sum() == 39
    assert pcm.loc[pcm["quantity"] == "item thresholds (PCM)", "n_values"].sum() == 24 * 2 + 15 * 4
    dif = validation.erm_dif_comparison()
    splits = sorted(dif["data"].unique())
    assert len(splits) == 4 and any("S3DoShout left out" in s for s in splits)
    for split, rows in dif.groupby("data"):
        assert set(rows["quantity"]) == {
            "Andersen LR statistic (LRtest $LR)", "Andersen LR df", "group log-likelihoods ($likgroup)",
            "per-group item locations (centred)", "per-group location SEs", "per-group Andrich thresholds"}
    # conspiracist beliefs by gender: three groups of 15 items
    gender = dif[dif["data"].str.startswith("conspiracist") & dif["data"].str.endswith("gender")]
    assert gender.set_index("quantity").loc["per-group item locations (centred)", "n_values"] == 45
