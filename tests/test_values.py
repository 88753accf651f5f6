"""Italian values: what babel writes, the importer reads back (property-based), plus exact cases."""

from __future__ import annotations

from datetime import date

import pandas as pd
from babel.numbers import format_currency, format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.values import parse_date, parse_month, parse_number

amounts = st.decimals(min_value=-10_000_000, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(amounts, min_size=1, max_size=20))
def test_italian_amounts_round_trip(values):
    written = [format_decimal(v, format="#,##0.00", locale="it_IT") for v in values]
    written += [format_currency(v, "EUR", locale="it_IT") for v in values]
    parsed = parse_number(pd.Series(written, dtype="str"))
    assert not parsed.bad.any()
    assert [round(x, 2) for x in parsed.values.tolist()] == [float(v) for v in values] * 2


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(min_value=date(1950, 1, 1), max_value=date(2099, 12, 31)), min_size=1, max_size=20))
def test_italian_dates_round_trip(days):
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        parsed = parse_date(pd.Series([d.strftime(fmt) for d in days], dtype="str"))
        assert [t.date() for t in parsed.values] == days


def test_exact_cases():
    got = parse_number(pd.Series(["1.234,56", "(12,00)", "-0,5", "€ 3", "1,2,3", "12a"], dtype="str"))
    assert got.values.tolist()[:4] == [1234.56, -12.0, -0.5, 3.0]
    assert got.bad.tolist() == [False, False, False, False, True, True]
    pct = parse_number(pd.Series(["3,4 %", "56%"], dtype="str"), percent=True)
    assert pct.values.tolist() == [3.4, 56.0]
    months = parse_month(pd.Series(["gennaio 2024", "dic-23", "2024-02", "02/2024", "13/2024"], dtype="str"))
    assert [None if pd.isna(t) else t.date() for t in months.values] == [
        date(2024, 1, 1), date(2023, 12, 1), date(2024, 2, 1), date(2024, 2, 1), None]
    # a serial needs 4-5 digits: a bare "1" is not read as 31/12/1899
    serial = parse_date(pd.Series(["45292", "1", "29/02/2023"], dtype="str"))
    assert [None if pd.isna(t) else t.date() for t in serial.values] == [date(2024, 1, 1), None, None]
