"""The validation page's comparisons: every quantity within its stated tolerance."""

import pytest

from inhd import validation


@pytest.mark.parametrize("compare", [validation.winsteps_comparison, validation.erm_comparison])
def test_every_reference_quantity_is_within_tolerance(compare):
    table = compare()
    assert list(table.columns) == validation.COLUMNS
    assert len(table) >= 3
    failing = table[~table["within_tolerance"]]
    assert failing.empty, failing.to_string()


def test_row_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match=r"\(2,\) values of ours against"):
        validation._row("R", "d", "q", [1.0, 2.0], [1.0], 0.1)
