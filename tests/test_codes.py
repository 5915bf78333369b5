"""Tests of inhd.codes: response codes checked for a calibration (shared by the rating-scale and
partial credit calibrations): every bad column reported at once with its rows, codes shifted to
0..m, values aligned on labels, unlinked blocks refused."""

import numpy as np
import pandas as pd
import pytest

from inhd.codes import aligned, check_connected, coerce_codes


def test_codes_are_shifted_and_the_input_left_alone():
    data = pd.DataFrame({"a": [1, 2, None], "b": [3, 1, 2]}, index=["x", "y", "z"]).astype("Int64")
    before = data.copy()
    X, lo, m = coerce_codes(data, None, None)
    assert (lo, m) == (1, 2)
    np.testing.assert_array_equal(X, [[0, 2], [1, 0], [np.nan, 1]])
    pd.testing.assert_frame_equal(data, before)
    assert coerce_codes(data, 0, 5)[1:] == (0, 4)


def test_every_bad_column_is_named_with_its_rows():
    data = pd.DataFrame({"a": [1, 2.5, 3], "b": ["1", "two", "3"], "c": [1, 2, 3]},
                        index=["r1", "r2", "r3"])
    with pytest.raises(ValueError) as err:
        coerce_codes(data, None, None)
    text = str(err.value)
    assert "column 'a': non-integer codes 2.5 (row 'r2')" in text
    assert "column 'b'" in text and "text, not numbers" in text and "'c'" not in text


@pytest.mark.parametrize("data, kwargs, match", [
    (pd.DataFrame({"a": [1, 6], "b": [2, 3]}), {"min_category": 1, "n_categories": 5},
     r"codes above 5 .* column\(s\) 'a'"),
    (pd.DataFrame({"a": [0, 1], "b": [np.nan, np.nan]}), {}, r"nobody answered item\(s\) \['b'\]"),
    (pd.DataFrame({"a": [2, 2], "b": [2, 2]}), {}, "only one response category"),
    (pd.DataFrame([[0, 1]], columns=["a", "a"]), {}, "duplicated item columns"),
    (pd.DataFrame(), {}, "is empty"),
])
def test_bad_tables(data, kwargs, match):
    kwargs = {"min_category": None, "n_categories": None, **kwargs}
    with pytest.raises(ValueError, match=match):
        coerce_codes(data, kwargs.pop("min_category"), kwargs.pop("n_categories"))


def test_not_a_frame():
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        coerce_codes(np.zeros((2, 2)), None, None)


def test_aligned_matches_labels():
    labels = pd.Index(["b", "a"])
    assert aligned({"a": 1.0, "b": 2.0}, labels, "difficulties").tolist() == [2.0, 1.0]
    assert aligned([3.0, 4.0], labels, "difficulties").tolist() == [3.0, 4.0]
    with pytest.raises(ValueError, match=r"difficulties has no value for \['a'\]"):
        aligned(pd.Series({"b": 1.0}), labels, "difficulties")
    with pytest.raises(ValueError, match="must be finite"):
        aligned([1.0, np.nan], labels, "difficulties")


def test_unlinked_blocks_are_refused_by_name():
    obs = np.array([[1, 1, 0, 0], [0, 0, 1, 1]], bool)
    with pytest.raises(ValueError, match=r"\[\['q1', 'q2'\], \['q3', 'q4'\]\]"):
        check_connected(obs, pd.Index(["q1", "q2", "q3", "q4"]), False)
    check_connected(obs, pd.Index(["q1", "q2", "q3", "q4"]), True)        # all anchored: fine
    check_connected(np.ones((2, 4), bool), pd.Index(list("abcd")), False)
