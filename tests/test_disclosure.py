"""The disclosure rule on worked examples: a figure, its parts and its tables as a suppressed reader sees them."""

from __future__ import annotations

import pandas as pd

from indicators.disclosure import (hidden_cells, is_hidden, protect_frame, protect_grouped_buckets, protect_series,
                                   protect_value, small_periods)
from indicators.results import KpiValue


def test_a_rate_on_two_households_is_hidden_with_its_numerator_but_not_its_denominator_of_28():
    value = KpiValue("households_in_arrears_pct", 2 / 28 * 100, numerator=2, denominator=28)
    shown = protect_value(value, threshold=5, households=28)
    assert (shown.value, shown.numerator, shown.denominator) == (None, None, 28)
    assert is_hidden(shown) and is_hidden(shown, "numerator") and not is_hidden(shown, "denominator")
    assert "meno di 5" in shown.warnings[-1]
    assert protect_value(value, threshold=None) is value, "users without suppression see it unchanged"


def test_money_recovered_from_two_plans_is_hidden():
    value = KpiValue("plan_recovery_eur", 198.15, numerator=198.15, breakdown={"plans": 2, "planned": 900.0})
    shown = protect_value(value, threshold=5, households=90)
    assert shown.value is None and shown.breakdown == {"plans": None, "planned": None}


def test_a_lone_small_stage_takes_the_next_smallest_with_it():
    # Waiting list 12 = 9 eligible + 3 being checked: hiding 3 alone, 12 − 9 gives it back, so 9 goes too.
    value = KpiValue("waiting_list", 12, numerator=12, breakdown={"idonee_in_attesa": 9, "in_istruttoria": 3})
    shown = protect_value(value, threshold=5, households=40)
    assert shown.breakdown == {"idonee_in_attesa": None, "in_istruttoria": None}
    assert shown.value == 12, "the total itself is 12 applications: it shows"


def test_a_scope_under_the_threshold_hides_everything():
    value = KpiValue("vacancy_rate", 10.0, numerator=3, denominator=30, breakdown={"vuoti": 3})
    assert protect_value(value, threshold=5, households=3).value is None
    assert protect_value(value, threshold=5, households=28).value == 10.0, "empty dwellings count no household"


def test_evictions_by_intervention_hide_one_and_three_and_keep_zero():
    frame = pd.DataFrame({"group": ["INT001", "INT002", "INT003"], "value": [18.52, 0.0, 45.45],
                          "numerator": [1, 0, 3], "denominator": [54, 30, 66]})
    done = protect_frame(frame, threshold=5, code="evictions_per_1000")
    assert done.frame["numerator"].tolist() == [None, 0, None]
    assert hidden_cells(done.frame, "value").tolist() == [True, False, True]
    assert (done.primary, done.secondary) == (2, 0)


def test_a_lone_small_row_takes_a_complement_so_the_total_gives_nothing_back():
    frame = pd.DataFrame({"group": ["A", "B", "C"], "value": [5.0, 7.0, 9.0], "numerator": [10, 6, 3],
                          "denominator": [200, 86, 33]})
    done = protect_frame(frame, threshold=5, code="evictions_per_1000")
    assert hidden_cells(done.frame, "numerator").tolist() == [False, True, True]  # 3, and 6 the next smallest
    assert done.frame.loc[0, "numerator"] == 10 and done.frame.loc[0, "value"] == 5.0, "a cell of 10 is shown"


def test_aging_per_intervention_is_a_two_way_table():
    rows = [("A", "0-30", 10, 1000.0), ("A", "31-60", 2, 300.0), ("A", "61-90", 12, 900.0),
            ("B", "0-30", 7, 700.0), ("B", "31-60", 9, 400.0), ("B", "61-90", 11, 800.0)]
    frame = pd.DataFrame(rows, columns=["group", "bucket", "contracts", "amount"])
    done = protect_grouped_buckets(frame, threshold=5)
    hidden = hidden_cells(done.frame, "amount").tolist()
    # 2 is primary; row A hides 10 (smaller than 12); column 31-60 hides 9; column 0-30 then hides 7.
    assert hidden == [True, True, False, True, True, False]


def test_series_months_on_few_households_are_blank():
    series = pd.DataFrame({"month": ["2026-01-31", "2026-02-28"], "households_in_arrears_pct": [0.0, 7.1]})
    series.attrs["counts"] = {"households_in_arrears_pct": [(0.0, 28.0), (2.0, 28.0)]}
    out = protect_series(series, threshold=5)
    assert out["households_in_arrears_pct"].iloc[0] == 0.0 and pd.isna(out["households_in_arrears_pct"].iloc[1])


def test_panel_periods_of_few_households_in_arrears():
    panel = pd.DataFrame({"unit": ["E1", "E2", "E1", "E2"], "period": [1, 1, 2, 2], "y": [10.0, 0.0, 0.0, 0.0]})
    panel.attrs["counts"] = [(1.0, 10.0), (0.0, 8.0), (0.0, 10.0), (0.0, 8.0)]
    assert small_periods(panel, ["E1"], threshold=5) == {1}
    assert small_periods(panel, ["E1"], threshold=None) == set()


def test_a_money_rate_resting_on_three_leases_in_arrears_is_hidden():
    value = KpiValue("arrears_rate_billed", 3.7, numerator=6808.41, denominator=185785.04)
    assert protect_value(value, threshold=5, households=28, debtors=3).value is None
    assert protect_value(value, threshold=5, households=28, debtors=15).value == 3.7
    assert protect_value(KpiValue("vacancy_rate", 6.7), threshold=5, households=28, debtors=3).value == 6.7
