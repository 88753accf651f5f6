"""Portable SQL pieces for reading the ledger on SQLite and PostgreSQL alike, and month arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

NON_CASH = "('storno', 'abbuono', 'stralcio')"
# The date a movement counts from: its due date for a charge, its entry date for a credit.
MOVE_DATE = "CASE WHEN e.entry_type = 'addebito' THEN COALESCE(e.due_date, e.entry_date) ELSE e.entry_date END"
DUE_DATE = "COALESCE(e.due_date, e.entry_date)"
AGING_BUCKETS = ("0-30", "31-60", "61-90", "91-365", "1-2 anni", "oltre 2 anni")
_BUCKET_LIMITS = (30, 60, 90, 365, 730)


def is_pg(conn) -> bool:
    return True


def date_param(conn, name: str) -> str:
    """A bound date usable in a SELECT list (PostgreSQL needs its type)."""
    return f"CAST(:{name} AS DATE)" if is_pg(conn) else f":{name}"


def day_diff(conn, later: str, earlier: str) -> str:
    """Whole days from `earlier` to `later`."""
    if is_pg(conn):
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def least(conn, *args: str) -> str:
    return ("LEAST" if is_pg(conn) else "MIN") + "(" + ", ".join(args) + ")"


def greatest(conn, *args: str) -> str:
    return ("GREATEST" if is_pg(conn) else "MAX") + "(" + ", ".join(args) + ")"


def sql_month_key(conn, col: str) -> str:
    """year × 12 + month − 1 of a date (SQLite stores dates as 'YYYY-MM-DD')."""
    if is_pg(conn):
        return f"(CAST(EXTRACT(YEAR FROM {col}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {col}) AS INTEGER) - 1)"
    return f"(CAST(substr({col}, 1, 4) AS INTEGER) * 12 + CAST(substr({col}, 6, 2) AS INTEGER) - 1)"


def plus_days(conn, col: str, days: int) -> str:
    return f"({col} + {int(days)})" if is_pg(conn) else f"date({col}, '+{int(days)} days')"


def month_key(d: date) -> int:
    """year × 12 + month − 1, the key of a date's month (as `sql_month_key` computes it in SQL)."""
    return d.year * 12 + d.month - 1


def month_ends(start: date, end: date) -> list[date]:
    """Every month end m with start <= m <= end."""
    out, key = [], month_key(start)
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
