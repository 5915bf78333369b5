"""inhd.csv_table: a CSV file streamed as chunks of text cells; problems grouped by file, column, kind."""

import numpy as np
import pytest

from inhd import records
from inhd.contract import Column, Problem, ProblemLog
from inhd.csv_table import (CovariateColumns, ItemCandidates, UniqueIds, check_column, na_as_empty, open_csv,
                            tables)


def _chunks(path, out):
    source = open_csv(path, what="row", rank=0, out=out)
    return source, list(tables(source, out, rank=0))


@pytest.mark.parametrize("chunk_rows", [2, 100])
def test_problems_are_counted_all_and_kept_three_per_group_whatever_the_chunks(tmp_path, monkeypatch, chunk_rows):
    monkeypatch.setattr(records, "CHUNK_ROWS", chunk_rows)
    path = tmp_path / "t.csv"
    path.write_text("id,x\n" + "".join(f"{i % 4},{'a' if i % 2 else -1}\n" for i in range(12)))
    out = ProblemLog()
    source, chunks = _chunks(path, out)
    assert np.concatenate([t.lines for t in chunks]).tolist() == list(range(2, 14))
    unique = UniqueIds("id")
    for table in chunks:
        unique.add(table)
        check_column(table, Column("x", "number", False, "a number", low=0.0), out, rank=0, table_noun="row")
    unique.check(source, out, rank=0)
    groups = out.report_groups()
    assert [(g.column, g.kind, g.n_problems, len(g.examples)) for g in groups] == [
        ("id", "id not unique", 8, 3), ("x", "below 0", 6, 3), ("x", "not a number", 6, 3)]
    assert groups[0].examples[0] == Problem(str(path), 6, "id", "0", "'0' appears again (first on line 2): id must "
                                            "be unique", "id not unique")
    assert out.total == 20
    out.hint(str(path), "x", "below 0", "all the negative values are -1")
    assert "  hint: all the negative values are -1" in out.report_groups()[1].summary()


def test_item_candidates_and_covariates_are_judged_over_the_whole_file(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "CHUNK_ROWS", 3)
    path = tmp_path / "t.csv"
    rows = [f"{1 + i % 5},{20 + i},{'NA' if i == 4 else 30 + i},{'x' if i == 7 else 2}" for i in range(10)]
    path.write_text("q,age,years,mixed\n" + "\n".join(rows) + "\n")
    out = ProblemLog()
    _, chunks = _chunks(path, out)
    cand = ItemCandidates(["q", "age"], (1, 5), 3)
    cov = CovariateColumns(["years", "mixed"], 3)
    na = {}
    for table in chunks:
        na_as_empty(table, na)
        cand.add(table)
        cov.add(table, {"mixed": "2"})
    assert na == {"years": 1}
    assert cand.looks_like_item("q") and not cand.looks_like_item("age")
    assert cand.describe("age") == "numbers 20 to 29, not on the scale 1-5"
    assert cand.logs["age"].total == 10 and cand.logs["q"].total == 0   # kept aside, not in out
    assert cand.unanswered(["q"]) == 0
    assert cov.kind("years") == "number" and cov.kind("mixed") == "mixed"
    assert cov.logs["mixed"].report_groups()[0].examples[0].line == 9
    assert cov.labels["mixed"] == {"2", "x"}


def test_a_column_of_scale_means_is_recognised_as_such(tmp_path):
    # newcomer trial: multilevel::univbct's JSAT (1.666667, 2.75, ...) got only "not a whole number", and was rounded
    # into a fake item; the hint says they look like means of 3 or 4 items
    from inhd.csv_table import check_item, mean_denominators

    assert mean_denominators([1.666667, 2.75, 3.5, 2.333333]) == [2, 3, 4]
    assert mean_denominators([2.5, 1.37, 3.5]) == [] and mean_denominators([2.5, 3.5]) == []   # a typo or two
    path = tmp_path / "t.csv"
    path.write_text("jsat,ready\n1.666667,1.5\n2.75,2\n3.333333,3.7\n4,4.5\n2.25,3\n")
    out = ProblemLog()
    _, chunks = _chunks(path, out)
    for table in chunks:
        check_item(table, "jsat", (1, 5), out, rank=0)
        check_item(table, "ready", (1, 5), out, rank=0)
    hints = {g.column: g.hint for g in out.report_groups()}
    assert hints["jsat"] == ("the values are multiples of 1/3 and 1/4: they look like means of 3 or 4 items (a scale "
                             "score), not responses; export the item responses themselves and name them with --items "
                             "(a rounded mean is not an item)")
    assert not hints["ready"]            # 1.5, 3.7, 4.5: 3.7 is no mean of at most 8 items (a typo, more likely)
