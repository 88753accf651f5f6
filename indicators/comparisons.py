"""Comparing KPI values: change against an earlier figure and gap to a reference value.

Percentage KPIs change in percentage points, with the relative change beside it (domain.md,
"Changes": 56% -> 50% is -6 points and -10.7%); every result says which. Pure functions, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from indicators.registry import COUNT, DAYS, EUR, PCT, get_kpi
from indicators.results import KpiValue
from osservatorio.formatting import MISSING, fmt_eur, fmt_int, fmt_num

# Digits a change is shown with, per unit: a change that rounds to zero there has no direction.
DIGITS = {EUR: 2, PCT: 1, DAYS: 1, COUNT: 0}


@dataclass(frozen=True)
class Change:
    """`current` against `reference`: `absolute` in the KPI's unit (points for a percentage), `relative` in %."""

    code: str
    current: float | None
    reference: float | None
    absolute: float | None
    relative: float | None
    against: str

    @property
    def unit(self) -> str:
        return get_kpi(self.code).unit

    @property
    def in_points(self) -> bool:
        """True when `absolute` is a difference of percentages, i.e. in percentage points."""
        return self.unit == PCT

    @property
    def direction(self) -> int:
        """+1, -1, or 0 when missing or zero at the precision it is shown with."""
        if self.absolute is None:
            return 0
        shown = round(self.absolute, DIGITS.get(self.unit, 2))
        return 0 if shown == 0 else (1 if shown > 0 else -1)

    @property
    def improved(self) -> bool | None:
        """Whether the change is good news for this KPI (None when there is no change)."""
        if self.direction == 0:
            return None
        return (self.direction > 0) == get_kpi(self.code).higher_is_better

    @property
    def label(self) -> str:
        """The absolute change with its sign and unit: '-0,6 punti', '+1.234,50 €', '+3'."""
        return MISSING if self.absolute is None else _signed(self.absolute, self.unit)

    @property
    def relative_label(self) -> str:
        """The relative change: '-10,7%' (n.d. when the reference is zero or missing)."""
        return MISSING if self.relative is None else _signed(self.relative, "relative")


def _signed(x: float, unit: str) -> str:
    digits = DIGITS.get(unit, 1)
    if round(x, digits) == 0:
        x = 0.0  # no '-0,0'
    sign = "+" if x > 0 else ""
    if unit == EUR:
        return sign + fmt_eur(x)
    if unit == PCT:
        return f"{sign}{fmt_num(x, 1)} punti"
    if unit == DAYS:
        return f"{sign}{fmt_num(x, 1)} giorni"
    if unit == COUNT:
        return sign + fmt_int(x)
    if unit == "relative":
        return f"{sign}{fmt_num(x, 1)}%"
    return sign + fmt_num(x, 2)


def _value(v: KpiValue | float | None) -> float | None:
    x = v.value if isinstance(v, KpiValue) else v
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def compare(code: str, current: float | None, reference: float | None, *, against: str) -> Change:
    """Change of `current` from `reference` for registry KPI `code` (None-safe)."""
    if current is None or reference is None:
        return Change(code, current, reference, None, None, against)
    relative = (current - reference) / abs(reference) * 100 if reference else None
    return Change(code, current, reference, current - reference, relative, against)


def change_vs(current: KpiValue, previous: KpiValue | None, *, against: str | None = None) -> Change:
    """How `current` moved since `previous` (same KPI): e.g. vacancy 9,4% -> 8,8% is -0,6 points, -6,4%."""
    if previous is not None and previous.code != current.code:
        raise ValueError(f"confronto tra indicatori diversi: {current.code} e {previous.code}")
    return compare(current.code, _value(current), _value(previous), against=against or _when(previous))


def gap_to_benchmark(current: KpiValue, reference: float, *, label: str) -> Change:
    """How far `current` is from a reference value (positive: above it)."""
    return compare(current.code, _value(current), _value(reference), against=label)


def _when(previous: KpiValue | None) -> str:
    if previous is None:
        return ""
    if previous.start is not None and previous.end is not None:
        return f"rispetto al periodo {_d(previous.start)}–{_d(previous.end)}"
    if previous.as_of is not None:
        return f"rispetto al {_d(previous.as_of)}"
    return "rispetto al valore precedente"


def _d(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def year_earlier(d: date) -> date:
    """The same day one year before (29 February -> 28 February)."""
    return (pd.Timestamp(d) - pd.DateOffset(years=1)).date()


@dataclass(frozen=True)
class Window:
    """The options a KPI is computed with: a reference date and a period."""

    as_of: date
    start: date
    end: date

    def year_earlier(self) -> Window:
        """The same window one year before, for year-on-year changes."""
        return Window(year_earlier(self.as_of), year_earlier(self.start), year_earlier(self.end))

    def covered_from(self, first_day: date | None) -> bool:
        """Whether data starting on `first_day` covers the whole window."""
        return first_day is not None and first_day <= self.start
