"""inhd.published: one loader for the published tables, one shape for ours beside them."""

import pandas as pd
import pytest

from inhd.published import beside_published, published_table, published_tables


def test_one_loader_reads_every_published_table():
    tables = published_tables()
    assert {"participatory_benefits_table1", "inhd_measure_reliabilities", "variation_structural_table"} <= set(tables)
    pd.testing.assert_frame_equal(tables["participatory_benefits_table4"],
                                  published_table("participatory_benefits_table4"))
    with pytest.raises(ValueError, match="no published table 'table99'.*there are: .*participatory_benefits_table1"):
        published_table("table99")


def test_ours_beside_the_published_in_the_published_order():
    ours = pd.DataFrame({"model": ["m1", "m2", "m3"], "term": ["a", "b", "c"], "estimate": [1.0, 2.0, 3.0]})
    pub = pd.DataFrame({"model": ["m2", "m1", "m9"], "term": ["b", "a", "z"], "estimate": [2.5, 1.5, 9.0]})
    out = beside_published(ours, pub, on=["model", "term"], values="estimate")
    assert list(out.columns) == ["model", "term", "estimate_published", "estimate_ours"]
    assert out[["model", "term"]].values.tolist() == [["m2", "b"], ["m1", "a"], ["m9", "z"], ["m3", "c"]]
    assert out["estimate_ours"].isna().tolist() == [False, False, True, False]
    with pytest.raises(ValueError, match=r"ours: column\(s\) \['se'\] missing"):
        beside_published(ours, pub.assign(se=1.0), on=["model", "term"], values=["estimate", "se"])
