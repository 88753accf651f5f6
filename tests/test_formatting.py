"""The Italian formats: the fast writing of plain numbers agrees with babel's, value for value."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from babel.numbers import format_currency, format_decimal, format_percent
from hypothesis import example, given, settings
from hypothesis import strategies as st

from osservatorio.formatting import MISSING, fmt_eur, fmt_int, fmt_kpi, fmt_num, fmt_pct

LOCALE = "it_IT"
finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15)
numbers = st.one_of(finite, st.integers(-10**12, 10**12),
                    finite.map(np.float64), st.integers(-10**9, 10**9).map(np.int64),
                    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**9, max_value=10**9))


@settings(max_examples=600, deadline=None)
@given(numbers, st.integers(0, 3))
@example(2.675, 2)    # 2.675 is 2.67499… in binary: babel rounds the decimal text, half to even, to 2,68
@example(-0.04, 1)    # babel keeps the sign of a negative that rounds to zero
@example(99.95, 1)
@example(1234567.891, 0)
def test_plain_numbers_are_written_as_babel_writes_them(x, digits):
    pattern = f"#,##0.{'0' * digits}" if digits else "#,##0"
    assert fmt_num(x, digits) == format_decimal(round(x, digits), format=pattern, locale=LOCALE)
    assert fmt_pct(x, digits) == format_percent(x / 100, format=pattern + "%", locale=LOCALE)
    assert fmt_eur(x) == format_currency(x, "EUR", locale=LOCALE)
    assert fmt_eur(x, cents=False) == format_currency(x, "EUR", locale=LOCALE, format="#,##0\u00a0¤",
                                                      currency_digits=False)
    assert fmt_int(x) == format_decimal(int(round(x)), locale=LOCALE)


def test_hand_written_values():
    assert fmt_pct(3.4) == "3,4%"
    assert fmt_eur(1234567.891) == "1.234.567,89\u00a0€"
    assert fmt_eur(-1234.5, cents=False) == "-1.234\u00a0€"  # 1234,5 rounds half to even
    assert fmt_num(Decimal("0.125"), 2) == "0,12"
    assert fmt_int(12345.5) == "12.346"
    assert fmt_kpi("days", 12.25) == "12,2 giorni"
    assert fmt_pct(None) == fmt_eur(float("nan")) == MISSING
    assert fmt_eur(float("inf")) == format_currency(float("inf"), "EUR", locale=LOCALE)  # babel's own, "∞"
