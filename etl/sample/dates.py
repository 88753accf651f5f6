"""Calendar arithmetic on integer day numbers (days since 1970-01-01) and month indices (year * 12 + month - 1).

Everything the generator does with time works on these two integer scales, so whole columns of dates
can be shifted, compared and formatted with numpy instead of one `date` object per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

EPOCH = date(1970, 1, 1)
_EPOCH_MONTH = 1970 * 12
DAYS_PER_YEAR = 365.25


def day_number(d: date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def to_date(day: int) -> date:
    return EPOCH + timedelta(days=int(day))


def month_of_date(d: date) -> int:
    return d.year * 12 + d.month - 1


def months_of(days: np.ndarray) -> np.ndarray:
    """Month index of each day number."""
    as_months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return as_months.astype(np.int64) + _EPOCH_MONTH


def month_start(months: np.ndarray) -> np.ndarray:
    """Day number of the first day of each month index."""
    as_months = (np.asarray(months, dtype=np.int64) - _EPOCH_MONTH).astype("datetime64[M]")
    return as_months.astype("datetime64[D]").astype(np.int64)


def month_length(months: np.ndarray) -> np.ndarray:
    months = np.asarray(months, dtype=np.int64)
    return month_start(months + 1) - month_start(months)


def month_end(months: np.ndarray) -> np.ndarray:
    return month_start(np.asarray(months, dtype=np.int64) + 1) - 1


def day_of_month(days: np.ndarray) -> np.ndarray:
    """1-based day of the month of each day number."""
    return np.asarray(days, dtype=np.int64) - month_start(months_of(days)) + 1


def to_business_day(days: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the next Monday: banks credit payments on working days."""
    days = np.asarray(days, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    return days + np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))


@dataclass(frozen=True)
class Window:
    """The history the sample covers: `years` whole years of months ending with the month of `end`."""

    end: date
    years: int

    @property
    def last_month(self) -> int:
        return month_of_date(self.end)

    @property
    def first_month(self) -> int:
        return self.last_month - 12 * self.years + 1

    @property
    def n_months(self) -> int:
        return 12 * self.years

    @property
    def start_day(self) -> int:
        return int(month_start(np.array([self.first_month]))[0])

    @property
    def end_day(self) -> int:
        return day_number(self.end)

    @property
    def first_year(self) -> int:
        return self.first_month // 12

    @property
    def last_year(self) -> int:
        return self.last_month // 12


def first_day(month: int) -> int:
    """Day number of the first day of one month index."""
    return day_number(date(month // 12, month % 12 + 1, 1))


def business_day(day: int) -> int:
    """The same day, or the next Monday for a Saturday or Sunday."""
    weekday = (day + 3) % 7
    return day + (2 if weekday == 5 else 1 if weekday == 6 else 0)
