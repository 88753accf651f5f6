"""Italian formatting of the values written to the sample files: `1234,56`, `31/10/2026`, `10/2026`, `si`/`no`.

Scalar helpers serve the small files; the `*_texts` functions format whole numpy columns at once for the
ledger, formatting each distinct value only once.
"""

from __future__ import annotations

import numpy as np

from etl.sample.dates import month_start, to_date


def amount(cents: int) -> str:
    """Euro amount from integer cents, decimal comma and no thousands separator: 123456 -> '1234,56'."""
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100},{cents % 100:02d}"


def decimal(value: float, places: int = 1) -> str:
    """A measure with a decimal comma: 68.5 -> '68,5'."""
    return f"{value:.{places}f}".replace(".", ",")


def yes_no(flag: bool) -> str:
    return "si" if flag else "no"


def day_text(day: int) -> str:
    """dd/mm/yyyy of a day number."""
    return to_date(day).strftime("%d/%m/%Y")


def month_text(month: int) -> str:
    """mm/yyyy of a month index."""
    return f"{month % 12 + 1:02d}/{month // 12}"


def optional_day_text(day: int | None) -> str:
    return "" if day is None else day_text(day)


def _texts_of_unique(values: np.ndarray, formatter) -> np.ndarray:
    unique, inverse = np.unique(values, return_inverse=True)
    table = np.array([formatter(v) for v in unique.tolist()], dtype=object)
    return table[inverse]


def amount_texts(cents: np.ndarray) -> np.ndarray:
    """Object array of amount strings for an array of cents."""
    return _texts_of_unique(np.asarray(cents, dtype=np.int64), amount)


def day_texts(days: np.ndarray) -> np.ndarray:
    return _texts_of_unique(np.asarray(days, dtype=np.int64), day_text)


def month_texts(months: np.ndarray, *, missing: int = -1) -> np.ndarray:
    """mm/yyyy strings; months equal to `missing` give an empty cell."""
    return _texts_of_unique(np.asarray(months, dtype=np.int64), lambda m: "" if m == missing else month_text(m))


def first_of_month_text(month: int) -> str:
    return day_text(int(month_start(np.array([month]))[0]))
