"""inhd.csv_table: a CSV file as text cells with line numbers; problems grouped by file, column, kind."""

from inhd.contract import Column, Problem
from inhd.csv_table import ProblemCollector, check_column, check_unique, read_csv_table


def test_problems_are_counted_all_and_kept_three_per_group(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,x\n" + "".join(f"{i % 4},{'a' if i % 2 else -1}\n" for i in range(12)))
    out = ProblemCollector()
    table = read_csv_table(path, what="row", rank=0, out=out)
    assert table.lines.tolist() == list(range(2, 14)) and table.summary().endswith("columns id, x")
    check_unique(table, "id", out, rank=0)
    check_column(table, Column("x", "number", False, "a number", low=0.0), out, rank=0, table_noun="row")
    groups = out.report_groups()
    assert [(g.column, g.kind, g.n_problems, len(g.examples)) for g in groups] == [
        ("id", "id not unique", 8, 3), ("x", "below 0", 6, 3), ("x", "not a number", 6, 3)]   # where each begins
    assert groups[0].examples[0] == Problem(str(path), 6, "id", "0", "'0' appears again (first on line 2): id must "
                                            "be unique", "id not unique")
    assert out.total == 20
    out.hint(str(path), None, "below 0", "all the negative values are -1")
    assert out.report_groups()[1].hint == "all the negative values are -1"
    assert "  hint: all the negative values are -1" in out.report_groups()[1].summary()
