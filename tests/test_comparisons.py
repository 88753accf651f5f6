"""Year-on-year and benchmark comparisons: points for percentages, signs, and nothing made up."""

from datetime import date

import pytest

from indicators.comparisons import Window, change_vs, compare, gap_to_benchmark, year_earlier
from indicators.results import KpiValue

NBSP = "\u00a0"


def kv(code: str, value, **kw) -> KpiValue:
    return KpiValue(code, value, **kw)


def test_percentage_kpis_change_in_points_with_the_relative_change_beside():
    # domain.md: 56% -> 50% is -6 points and -10.7% (-6 / 56 = -0.10714...)
    change = change_vs(kv("vacancy_rate", 50.0), kv("vacancy_rate", 56.0, as_of=date(2025, 10, 28)))
    assert change.in_points
    assert change.absolute == pytest.approx(-6.0)
    assert change.relative == pytest.approx(-6 / 56 * 100)
    assert change.label == "-6,0 punti"
    assert change.relative_label == "-10,7%"
    assert change.direction == -1
    assert change.improved is True  # less vacancy is good news
    assert change.against == "rispetto al 28/10/2025"


def test_higher_is_better_kpis_improve_when_they_rise():
    change = change_vs(kv("collection_rate", 95.3), kv("collection_rate", 94.9))  # +0.4 points
    assert change.label == "+0,4 punti"
    assert change.improved is True
    worse = change_vs(kv("arrears_rate_billed", 5.1), kv("arrears_rate_billed", 5.0))  # +0.1 points of arrears
    assert worse.label == "+0,1 punti" and worse.improved is False


def test_money_and_counts_keep_their_unit():
    # 1.000,00 -> 1.234,50 €: +234,50 €, +23,45% shown with one digit
    money = change_vs(kv("arrears_stock_eur", 1234.5), kv("arrears_stock_eur", 1000.0))
    assert money.label == f"+234,50{NBSP}€"
    assert money.relative == pytest.approx(23.45)
    assert money.in_points is False
    fewer = change_vs(kv("void_loss_eur", 800.0), kv("void_loss_eur", 1000.0))
    assert fewer.label == f"-200,00{NBSP}€" and fewer.relative_label == "-20,0%"
    late = change_vs(kv("late_cases", 2.0), kv("late_cases", 0.0))
    assert late.label == "+2"
    assert late.relative is None and late.relative_label == "n.d."  # no relative change from zero


def test_days_kpis():
    change = change_vs(kv("relet_days", 70.83), kv("relet_days", 14.5), against="rispetto al 2025")
    assert change.label == "+56,3 giorni"  # 70.83 - 14.5 = 56.33
    assert change.against == "rispetto al 2025"


def test_a_change_that_rounds_to_zero_has_no_direction_and_no_minus_sign():
    change = change_vs(kv("vacancy_rate", 3.0), kv("vacancy_rate", 3.04))  # -0.04 points -> shown 0,0
    assert change.direction == 0
    assert change.improved is None
    assert change.label == "0,0 punti"


def test_missing_values_give_no_change():
    for current, previous in ((None, 3.0), (3.0, None)):
        change = change_vs(kv("vacancy_rate", current), kv("vacancy_rate", previous))
        assert change.absolute is None and change.relative is None
        assert change.label == "n.d." and change.direction == 0 and change.improved is None
    assert change_vs(kv("vacancy_rate", 3.0), None).label == "n.d."
    assert change_vs(kv("vacancy_rate", float("nan")), kv("vacancy_rate", 2.0)).absolute is None


def test_only_the_same_kpi_can_be_compared():
    with pytest.raises(ValueError, match="indicatori diversi"):
        change_vs(kv("vacancy_rate", 3.0), kv("arrears_rate_billed", 3.0))


def test_period_kpis_say_which_period_they_compare_with():
    previous = kv("arrears_rate_billed", 5.0, start=date(2024, 10, 29), end=date(2025, 10, 28))
    change = change_vs(kv("arrears_rate_billed", 5.1), previous)
    assert change.against == "rispetto al periodo 29/10/2024–28/10/2025"


def test_gap_to_benchmark():
    # arrears 5,1% against the cooperatives' 3,0%: 2,1 points above, +70% relative
    gap = gap_to_benchmark(kv("arrears_rate_billed", 5.1), 3.0, label="Cooperative gestori sociali (media)")
    assert gap.label == "+2,1 punti"
    assert gap.relative == pytest.approx(70.0)
    assert gap.against == "Cooperative gestori sociali (media)"
    assert compare("vacancy_rate", 9.0, 9.0, against="x").direction == 0


def test_year_earlier_and_windows():
    assert year_earlier(date(2026, 10, 28)) == date(2025, 10, 28)
    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)
    window = Window(as_of=date(2026, 10, 28), start=date(2025, 10, 29), end=date(2026, 10, 28))
    earlier = window.year_earlier()
    assert earlier == Window(date(2025, 10, 28), date(2024, 10, 29), date(2025, 10, 28))
    assert earlier.covered_from(date(2024, 10, 1))
    assert not earlier.covered_from(date(2024, 11, 1))
    assert not earlier.covered_from(None)
