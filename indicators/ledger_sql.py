"""Shared SQL pieces for reading the ledger (DuckDB's SQL on the analytics copy), and month arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

NON_CASH = "('storno', 'abbuono', 'stralcio')"
# The date a movement counts from: its due date for a charge, its entry date for a credit.
MOVE_DATE = "CASE WHEN e.entry_type = 'addebito' THEN COALESCE(e.due_date, e.entry_date) ELSE e.entry_date END"
DUE_DATE = "COALESCE(e.due_date, e.entry_date)"
AGING_BUCKETS = ("0-30", "31-60", "61-90", "91-365", "1-2 anni", "oltre 2 anni")
_BUCKET_LIMITS = (30, 60, 90, 365, 730)


def date_param(name: str) -> str:
    """A bound date usable anywhere in a query (its type stated)."""
    return f"CAST(:{name} AS DATE)"


def day_diff(later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later`."""
    return f"({later} - {earlier})"


def sql_month_key(col: str) -> str:
    """year × 12 + month − 1 of a date (`month_key` in SQL)."""
    return f"(year({col}) * 12 + month({col}) - 1)"


def plus_days(col: str, days: int) -> str:
    return f"({col} + {int(days)})"


def month_key(d: date) -> int:
    """year × 12 + month − 1, the key of a date's month (as `sql_month_key` computes it in SQL)."""
    return d.year * 12 + d.month - 1


def month_ends(start: date, end: date) -> list[date]:
    """Every month end m with start <= m <= end."""
    out: list[date] = []
    key = month_key(start)
    while True:
        y, m = divmod(key + 1, 12)
        last = date(y, m + 1, 1) - timedelta(days=1)
        if last > end:
            return out
        if last >= start:
            out.append(last)
        key += 1


def is_month_end(d: date) -> bool:
    return (d + timedelta(days=1)).day == 1


def fifo_unpaid(owed: str, slice_: str) -> str:
    """The FIFO rule: unpaid part of a slice of charges = clamp(owed, 0, slice)."""
    return f"CASE WHEN {owed} <= 0 THEN 0 WHEN {owed} >= {slice_} THEN {slice_} ELSE {owed} END"


def aging_bucket(days: str) -> str:
    """The domain.md aging bucket of an age in days (0-30, 31-60, 61-90, 91-365, 1-2 years, over 2 years)."""
    whens = " ".join(f"WHEN {days} <= {limit} THEN '{label}'" for limit, label in zip(_BUCKET_LIMITS, AGING_BUCKETS))
    return f"CASE {whens} ELSE '{AGING_BUCKETS[-1]}' END"
