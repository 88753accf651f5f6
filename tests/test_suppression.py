"""Small-cell suppression on worked examples, and the property that no hidden cell can be recovered."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from indicators.suppression import (_lines, determined_cells, primary_mask, secondary_mask, suppress_grid,
                                    suppress_rows)


def test_one_way_table_hides_the_small_group_and_the_next_smallest():
    # households per intervention: A 20, B 3, C 12, D 8; total 43 is the headline figure.
    frame = pd.DataFrame({"group": list("ABCD"), "value": [1000.0, 300.0, 450.0, 80.0]})
    out = suppress_rows(frame, pd.Series([20, 3, 12, 8]), threshold=5)
    assert out.frame["value"].tolist() == [1000.0, None, 450.0, None]
    assert out.frame["group"].tolist() == list("ABCD"), "labels stay, only values are hidden"
    assert (out.primary, out.secondary) == (1, 1)
    # total − A − C = 380 = B + D: two unknowns, B cannot be told apart
    assert "meno di 5 nuclei" in out.note and "per differenza" in out.note


def test_one_way_table_without_small_groups_is_unchanged():
    frame = pd.DataFrame({"group": list("AB"), "value": [1.0, 2.0]})
    out = suppress_rows(frame, pd.Series([5, 0]), threshold=5)  # 5 is not below 5; 0 is not sensitive
    assert out.frame["value"].tolist() == [1.0, 2.0] and not out.any and out.note == ""


def test_two_small_groups_protect_each_other():
    frame = pd.DataFrame({"group": list("ABC"), "value": [1.0, 2.0, 3.0]})
    out = suppress_rows(frame, pd.Series([2, 4, 30]), threshold=5)
    assert out.frame["value"].tolist() == [None, None, 3.0] and (out.primary, out.secondary) == (2, 0)


def test_two_way_table_worked_example():
    counts = pd.DataFrame([[10, 2, 15], [7, 9, 11], [12, 14, 6]], index=["r1", "r2", "r3"],
                          columns=["c1", "c2", "c3"])
    out = suppress_grid(counts, threshold=5)
    # 2 is primary; row r1 hides 10 (smaller than 15); column c2 hides 9; column c1 then hides 7.
    assert out.frame.isna().to_numpy().tolist() == [[True, True, False], [True, True, False],
                                                    [False, False, False]]
    assert (out.primary, out.secondary) == (1, 3)
    # with the margins (r1 27, r2 27, c1 29, c2 25) the hidden block has a free parameter t:
    # r1c2 = t, r1c1 = 12 − t, r2c1 = 5 + t, r2c2 = 11 − t; t = 2 (true) and t = 3 fit every total.
    for t in (2, 3):
        block = np.array([[12 - t, t], [5 + t, 11 - t]])
        assert block.sum(axis=1).tolist() == [12, 16] and block.sum(axis=0).tolist() == [17, 11]


def test_a_bridge_between_two_hidden_blocks_is_broken():
    # Each line has two hidden cells, yet the middle cell (row 1, column 2) is a bridge: summing rows 0-1
    # minus columns 0-1 gives it. The rank check finds it and hides one more cell.
    hidden = np.zeros((4, 4), dtype=bool)
    for r, c in [(0, 0), (0, 1), (1, 0), (1, 2), (1, 1), (2, 2), (2, 3), (3, 3), (3, 2)]:
        hidden[r, c] = True
    lines = _lines(4, 4, True, True)
    assert determined_cells(hidden.ravel(), lines), "the example does have a solvable cell"
    counts = pd.DataFrame(np.where(hidden, 3, 50))
    full = secondary_mask(counts, primary_mask(counts, 5))
    assert determined_cells(full.to_numpy().ravel(), lines) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5).flatmap(lambda r: st.integers(2, 5).flatmap(
    lambda c: st.lists(st.integers(0, 40), min_size=r * c, max_size=r * c).map(
        lambda v: np.array(v).reshape(r, c)))))
def test_no_hidden_cell_is_recoverable_from_the_margins(values):
    counts = pd.DataFrame(values)
    full = secondary_mask(counts, primary_mask(counts, 5)).to_numpy()
    assert full[(values > 0) & (values < 5)].all(), "every small cell is hidden"
    lines = _lines(*values.shape, True, True)
    if full.sum() < full.size:  # when everything is hidden the totals are all that is left
        assert determined_cells(full.ravel(), lines) == []
    for line in lines:
        assert full.ravel()[line].sum() != 1, "no line keeps a lone hidden cell"
