"""Italian number, money and date formats (babel, never the process-global locale)."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal

import numpy as np

from babel.dates import format_date, format_datetime
from babel.numbers import format_compact_currency, format_currency, format_decimal, format_percent

LOCALE = "it_IT"
MISSING = "n.d."


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# Babel's Italian digits for plain numbers (grouping by thousands with ".", decimal ","), written by Python's own
# formatting of the same Decimal babel makes of a number (`Decimal(str(x))`, rounded half to even): a long table
# formats thousands of cells, and babel's general pattern engine takes 20 times as long for each. The test suite
# checks the two agree on every kind of value; anything else (infinities, other types) goes to babel.
_SWAP = str.maketrans(",.", ".,")


def _italian(x, digits: int, scale: int = 0) -> str | None:
    """x (times 10**scale) with `digits` decimals as babel writes it for it_IT, or None if babel should."""
    if not isinstance(x, int | float | Decimal | np.integer | np.floating) or isinstance(x, bool):
        return None
    value = x if isinstance(x, Decimal) else Decimal(str(x))
    if not value.is_finite():
        return None
    value = value.scaleb(scale)
    text = f"{abs(value):,.{digits}f}".translate(_SWAP)
    return ("-" if value.is_signed() else "") + text


def fmt_int(x) -> str:
    if _missing(x):
        return MISSING
    return _italian(int(round(x)), 0) or format_decimal(int(round(x)), locale=LOCALE)


def fmt_num(x, digits: int = 1) -> str:
    if _missing(x):
        return MISSING
    return _italian(round(x, digits), digits) or format_decimal(round(x, digits), format=f"#,##0.{'0' * digits}",
                                                                locale=LOCALE)


def fmt_eur(x, *, cents: bool = True) -> str:
    if _missing(x):
        return MISSING
    fast = _italian(x, 2 if cents else 0)
    if fast is not None:
        return f"{fast}\u00a0€"
    return format_currency(x, "EUR", locale=LOCALE, format=None if cents else "#,##0\u00a0¤", currency_digits=cents)


def fmt_pct(points, digits: int = 1) -> str:
    """A percentage given in points: 3.4 -> '3,4%'."""
    if _missing(points):
        return MISSING
    fast = _italian(points / 100, digits, scale=2)
    return f"{fast}%" if fast is not None else format_percent(points / 100, format=f"#,##0.{'0' * digits}%",
                                                              locale=LOCALE)


def fmt_points(x, digits: int = 1) -> str:
    """A difference of percentages: -6.0 -> '-6,0 punti' (never '%', which would read as a relative change)."""
    if _missing(x):
        return MISSING
    return ("+" if round(x, digits) > 0 else "") + f"{fmt_num(x, digits)} punti"


def fmt_date(d: date | datetime | None) -> str:
    return MISSING if d is None else format_date(d, "dd/MM/yyyy", locale=LOCALE)


def fmt_datetime(d: datetime | None) -> str:
    return MISSING if d is None else format_datetime(d, "dd/MM/yyyy HH:mm", locale=LOCALE)


def fmt_seconds(s: float) -> str:
    return f"{fmt_num(s, 1)} s"


def fmt_kpi(unit: str, value) -> str:
    """A KPI value in its unit (see `indicators.registry`): € for eur, % for points, days, counts."""
    if _missing(value):
        return MISSING
    return {
        "eur": lambda v: fmt_eur(v),
        "pct": lambda v: fmt_pct(v, 1),
        "days": lambda v: f"{fmt_num(v, 1)} giorni",
        "count": lambda v: fmt_int(v),
        "per_1000": lambda v: fmt_num(v, 2),
        "ratio": lambda v: fmt_num(v, 2),
        "points": lambda v: fmt_points(v),
    }.get(unit, lambda v: fmt_num(v, 2))(value)


def fmt_count(n, singular: str, plural: str) -> str:
    """A count with its noun agreed in number, the Italian way: (1, "pratica aperta", "pratiche aperte") ->
    '1 pratica aperta', 2 -> '2 pratiche aperte', 1234 -> '1.234 pratiche aperte'; n.d. when missing."""
    if _missing(n):
        return f"{MISSING} {plural}"
    return f"{fmt_int(n)} {singular if int(round(n)) == 1 else plural}"


def fmt_headline(unit: str, value) -> str:
    """A KPI as a dashboard tile shows it: as `fmt_kpi`, but euro amounts from a million up in the short
    Italian form ('1,94\xa0Mln\xa0€'), so a narrow tile never cuts them (the exact amount goes in its help)."""
    if unit == "eur" and not _missing(value) and abs(value) >= 1_000_000:
        return format_compact_currency(value, "EUR", locale=LOCALE, fraction_digits=2)
    return fmt_kpi(unit, value)
