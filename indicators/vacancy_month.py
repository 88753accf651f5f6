"""The per-building monthly vacancy pre-aggregate (`vacancy_month`): the stock-side KPIs of a scope as sums.

Vacancy at a date, its monthly series, the share of empty days, void loss and turnover read every unit
and lease of the scope: 100,000 units and 166,000 leases for a whole portfolio, a few tenths of a second
per figure and a dozen figures per page. Every scope is a union of buildings (`indicators.scope`), and each
of those figures sums a value fixed by a unit's own leases and status, so the sums per building, tenure
regime, availability and month answer any scope and any grouping down to the building or the regime.

What is held, per month (see `schemas.aggregates.VacancyMonth`): units in stock and empty at the month end,
days in stock and empty in the month, leases ended in the month; void loss for the three periods ending at
the month end that `building_month` holds too (the month, twelve months, the year to date), because it
counts distinct units and takes the rent of units without one from their last lease at the period's end.
Any other question (a date that is not a month end, a period that is not whole months or not one of the
three, a grouping by unit) is answered from the units and leases by `indicators.vacancy`, as is any
question while the pre-aggregate is older than the data (`aggregate_state`). Leases of one unit are assumed
not to overlap, as everywhere in `indicators.vacancy`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import text

from indicators import aggregate_state, rollups
from indicators.building_month import GROUPINGS, in_scope, month_end_of, window_of
from indicators.ledger_sql import day_diff, greatest, is_month_end, least, month_key, sql_month_key
from indicators.scope import Scope
from indicators.sql import one_row, query

NAME = "vacancy"
SOURCE_KINDS = ("contratti", "alloggi", "edifici", "interventi")  # the loads it is built from
# The ledger's months are the months held (as for `building_month`): a new month of movements extends them.
SOURCE = aggregate_state.Source("ledger_entry", SOURCE_KINDS)
WINDOWS = ("m1", "y1", "ytd")
EMPTY_MONTHS = 25  # the month ends of `empty_unit_month`: the ledger's last 25, as for the case figures
DAYS_PER_MONTH = 30.4375
_AVAILABLE = "CASE WHEN u.status IS NULL OR u.status = 'locabile' THEN 1 ELSE 0 END"


def fresh_months(conn) -> tuple[int, int] | None:
    """(first, last) month key held, when built from the data as it is now; else None (one query)."""
    months = aggregate_state.fresh_months(conn, NAME, SOURCE)
    return None if months is None or months[0] is None else months


def _held(conn, by: str | None, first: int, last: int) -> bool:
    if by not in GROUPINGS:
        return False
    months = fresh_months(conn)
    return months is not None and months[0] <= first and last <= months[1]


def _read(conn, scope: Scope, by: str | None, grp: str, select: str, where: str, having: str, *,
          by_month: bool = False):
    conditions, params = in_scope(scope)
    keys = "su.month_key, " if by_month else ""
    source = rollups.table("vacancy_month", scope, by)
    return query(conn, f"""SELECT {keys}{grp} AS grp, {select} FROM {source} su WHERE {where}{conditions}
                           GROUP BY {"1, 2" if by_month else "1"} HAVING {having} ORDER BY {"2, 1" if by_month else "1"}""",
                 params)


# --- reading: each returns the frame of the live query of `indicators.vacancy`, or None when it cannot -------------
def at_month_end(conn, scope: Scope, by: str | None, grp: str, as_of: date) -> pd.DataFrame | None:
    """grp, units, empty, empty_available at month end `as_of` (`vacancy`)."""
    k = month_key(as_of)
    if not is_month_end(as_of) or not _held(conn, by, k, k):
        return None
    return _read(conn, scope, by, grp, "SUM(su.units) AS units, SUM(su.empty) AS empty, "
                 "SUM(su.available * su.empty) AS empty_available", f"su.month_key = {k}", "SUM(su.units) > 0")


def counts_row(conn, scope: Scope, as_of: date) -> tuple[int, int, int] | None:
    """(units, empty, empty_available) of the whole scope at month end `as_of` (`vacancy` without grouping), in one
    query that also checks the pre-aggregate is fresh and holds the month; None when it cannot answer."""
    if not is_month_end(as_of):
        return None
    k = month_key(as_of)
    conditions, params = in_scope(scope)
    fresh = aggregate_state.fresh_sql(NAME, SOURCE, k, k)
    row = one_row(conn, f"""SELECT {fresh}, COALESCE(SUM(su.units), 0), COALESCE(SUM(su.empty), 0),
                                   COALESCE(SUM(su.available * su.empty), 0)
                            FROM {rollups.table("vacancy_month", scope, None)} su WHERE su.month_key = {k}{conditions}""",
                  params, width=4)
    return tuple(int(v) for v in row[1:]) if row[0] else None


def empty_units_sql(conn, units: str, as_of: date) -> str | None:
    """SELECT of the units of `units` (a `Scope.units_sql` subquery) empty at month end `as_of`, with their last
    lease's end and days empty (`longest_empty`), from `empty_unit_month`; None when it does not hold `as_of`."""
    k = month_key(as_of)
    if not is_month_end(as_of) or not _held(conn, None, k, k):
        return None
    # The month ends held are consecutive; one without an empty unit at either end is answered live.
    lo, hi = one_row(conn, "SELECT MIN(month_key), MAX(month_key) FROM empty_unit_month", None, width=2)
    if lo is None or not lo <= k <= hi:
        return None
    return (f"SELECT su.unit_code, su.building_code, su.intervention_code, su.intervention_name, su.status, "
            f"su.unit_rent, e.last_end, e.days_empty FROM empty_unit_month e JOIN ({units}) su "
            f"ON su.unit_code = e.unit_code WHERE e.month_key = {k}")


def month_series(conn, scope: Scope, by: str | None, grp: str, start: date, end: date) -> pd.DataFrame | None:
    """month, grp, units, empty, available_empty at the month ends of `start`'s month to `end` (`vacancy_series`)."""
    first, last = month_key(start), month_key(end)
    if not is_month_end(end) or not _held(conn, by, first, last):
        return None
    frame = _read(conn, scope, by, grp, "SUM(su.units) AS units, SUM(su.empty) AS empty, "
                  "SUM(su.available * su.empty) AS available_empty", f"su.month_key BETWEEN {first} AND {last}",
                  "SUM(su.units) > 0", by_month=True)
    if by is None:  # every month, with zeros where the scope had no unit in stock (as the live LEFT JOIN)
        frame = frame.set_index("month_key").reindex(range(first, last + 1))
        frame[["units", "empty", "available_empty"]] = frame[["units", "empty", "available_empty"]].fillna(0)
        frame = frame.rename_axis("month_key").reset_index()
    frame.insert(0, "month", [month_end_of(int(k)) for k in frame.pop("month_key")])
    return frame


def _whole_months(start: date, end: date) -> tuple[int, int] | None:
    return (month_key(start), month_key(end)) if start.day == 1 and is_month_end(end) else None


def _days(window: str) -> tuple[str, str]:
    """The columns of days in stock and empty over a held period ending at the row's month end."""
    return ("su.unit_days", "su.empty_days") if window == "m1" else (f"su.unit_days_{window}", f"su.empty_days_{window}")


def period_days(conn, scope: Scope, by: str | None, grp: str, start: date, end: date) -> pd.DataFrame | None:
    """grp, unit_days, empty_days, empty_available over whole months [start, end] (`vacancy_days`): one month's
    rows for a held period, else the sum of its months."""
    keys, window = _whole_months(start, end), window_of(start, end)
    if keys is None or not _held(conn, by, *keys):
        return None
    if window is not None:
        units, empty = _days(window)
        return _read(conn, scope, by, grp, f"SUM({units}) AS unit_days, SUM({empty}) AS empty_days, "
                     f"SUM(su.available * {empty}) AS empty_available", f"su.month_key = {keys[1]}",
                     f"SUM({units}) > 0")
    return _read(conn, scope, by, grp, "SUM(su.unit_days) AS unit_days, SUM(su.empty_days) AS empty_days, "
                 "SUM(su.available * su.empty_days) AS empty_available",
                 f"su.month_key BETWEEN {keys[0]} AND {keys[1]}", "SUM(su.unit_days) > 0")


def void(conn, scope: Scope, by: str | None, grp: str, start: date, end: date) -> pd.DataFrame | None:
    """grp, loss, empty_days, empty_units, no_rent over [start, end] when it is a held period (`void_loss`)."""
    window, keys = window_of(start, end), _whole_months(start, end)
    if window is None or keys is None or not _held(conn, by, *keys):
        return None
    return _read(conn, scope, by, grp, f"COALESCE(SUM(su.void_rent_{window}), 0) / {DAYS_PER_MONTH} AS loss, "
                 f"SUM(su.available * {_days(window)[1]}) AS empty_days, SUM(su.void_units_{window}) AS empty_units, "
                 f"SUM(su.no_rent_{window}) AS no_rent", f"su.month_key = {keys[1]}", "SUM(su.units) > 0")


def year_turnover(conn, scope: Scope, by: str | None, grp: str, year: int) -> pd.DataFrame | None:
    """grp, avg_units (mean of the 12 month-end stocks), ended (leases ended in the year) (`turnover`)."""
    keys = (year * 12, year * 12 + 11)
    if not _held(conn, by, *keys):
        return None
    return _read(conn, scope, by, grp, "SUM(su.units) / 12.0 AS avg_units, SUM(su.ended) AS ended",
                 f"su.month_key BETWEEN {keys[0]} AND {keys[1]}", "COUNT(*) > 0")


# --- building ----------------------------------------------------------------------------------------------------
def build(conn, first: int | None, last: int | None) -> int:
    """Rebuild `vacancy_month` for month keys first..last from `unit`, `lease`, `building` and `intervention`, and
    on to December of the last month's year: the year's turnover averages its twelve month ends, and the stock and
    the leases' planned ends are known ahead as they are behind."""
    conn.execute(text("DELETE FROM vacancy_month"))
    conn.execute(text("DELETE FROM empty_unit_month"))
    built_from = aggregate_state.versions(conn, SOURCE)
    ledger_last = last
    if last is not None:
        last = last // 12 * 12 + 11
    if first is not None:
        # eleven months before the first, so that the twelve-month void loss of the first months is whole
        conn.execute(text("CREATE TEMPORARY TABLE vm_calendar (mk INTEGER PRIMARY KEY, month_start DATE NOT NULL, "
                          "month_end DATE NOT NULL)"))
        conn.execute(text("INSERT INTO vm_calendar (mk, month_start, month_end) VALUES (:mk, :s, :e)"),
                     [{"mk": k, "s": month_end_of(k).replace(day=1), "e": month_end_of(k)}
                      for k in range(first - 11, last + 1)])
        conn.execute(text("CREATE TEMPORARY TABLE vm_unit_month (unit_code VARCHAR(60) NOT NULL, mk INTEGER NOT NULL, "
                          "unit_days INTEGER NOT NULL, empty_days INTEGER NOT NULL, empty_end INTEGER NOT NULL, "
                          "PRIMARY KEY (unit_code, mk))"))
        conn.execute(text(_unit_month_sql(conn)))
        conn.execute(text(_insert_sql(conn)), {"first": first, "first_day": month_end_of(first).replace(day=1),
                                               "last_day": month_end_of(last)})
        conn.execute(text(_empty_units_sql(conn)), {"lo": max(first, ledger_last - EMPTY_MONTHS + 1), "hi": ledger_last})
        conn.execute(text("DROP TABLE vm_unit_month"))
        conn.execute(text("DROP TABLE vm_calendar"))
    rollups.build(conn, "vacancy_month")
    aggregate_state.record(conn, NAME, built_from, first, last)
    return conn.execute(text("SELECT COUNT(*) FROM vacancy_month")).scalar_one()


def _unit_month_sql(conn) -> str:
    """Each unit in stock at a month end: its days in stock and empty in the month, and whether empty at the end."""
    from_d = greatest(conn, "c.month_start", "COALESCE(i.management_start, c.month_start)")
    in_stock = "COALESCE(i.management_start, c.month_start) <= c.month_end"
    stock = ("FROM unit u JOIN building b ON b.code = u.building_code JOIN intervention i ON i.code = b.intervention_code "
             f"JOIN vm_calendar c ON {in_stock}")
    overlap = day_diff(conn, least(conn, "COALESCE(l.end_date, c.month_end)", "c.month_end"),
                       greatest(conn, "l.start_date", from_d)) + " + 1"
    let = ("SELECT l.unit_code, c.mk, SUM(" + overlap + ") AS occupied, "
           "MAX(CASE WHEN l.end_date IS NULL OR l.end_date >= c.month_end THEN 1 ELSE 0 END) AS let_end "
           "FROM lease l JOIN unit u ON u.code = l.unit_code JOIN building b ON b.code = u.building_code "
           "JOIN intervention i ON i.code = b.intervention_code "
           f"JOIN vm_calendar c ON l.start_date <= c.month_end AND {in_stock} "
           f"AND (l.end_date IS NULL OR l.end_date >= {from_d}) GROUP BY l.unit_code, c.mk")
    return f"""INSERT INTO vm_unit_month (unit_code, mk, unit_days, empty_days, empty_end)
        SELECT pu.unit_code, pu.mk, pu.unit_days, pu.unit_days - {least(conn, "COALESCE(o.occupied, 0)", "pu.unit_days")},
               CASE WHEN o.let_end = 1 THEN 0 ELSE 1 END
        FROM (SELECT u.code AS unit_code, c.mk, {day_diff(conn, "c.month_end", from_d)} + 1 AS unit_days {stock}) pu
        LEFT JOIN ({let}) o ON o.unit_code = pu.unit_code AND o.mk = pu.mk"""


def _empty_units_sql(conn) -> str:
    """The units empty at the month ends lo..hi, with their last lease's end and the days empty (as
    `indicators.vacancy.longest_empty` counts them), from the units in stock and empty of `vm_unit_month`."""
    fence = " OFFSET 0" if conn.dialect.name == "postgresql" else " LIMIT -1 OFFSET 0"
    return f"""INSERT INTO empty_unit_month (month_key, unit_code, last_end, days_empty)
        SELECT x.mk, x.unit_code, x.last_end,
               CASE WHEN x.last_end IS NOT NULL THEN {day_diff(conn, "x.month_end", "x.last_end")}
                    WHEN x.management_start IS NOT NULL THEN {day_diff(conn, "x.month_end", "x.management_start")} + 1
               END
        FROM (SELECT um.mk, um.unit_code, c.month_end, i.management_start,
                     (SELECT MAX(l.end_date) FROM lease l WHERE l.unit_code = um.unit_code
                      AND l.end_date < c.month_end) AS last_end
              FROM vm_unit_month um JOIN vm_calendar c ON c.mk = um.mk JOIN unit u ON u.code = um.unit_code
              JOIN building b ON b.code = u.building_code JOIN intervention i ON i.code = b.intervention_code
              WHERE um.empty_end = 1 AND um.mk >= :lo AND um.mk <= :hi{fence}) x"""


def _insert_sql(conn) -> str:
    # The rent of void loss: the unit's, else that of its last lease started by the month end (the period's end).
    rent = ("CASE WHEN u.monthly_rent IS NOT NULL THEN u.monthly_rent ELSE (SELECT l.monthly_rent FROM lease l "
            "WHERE l.unit_code = w.unit_code AND l.start_date <= c.month_end "
            "ORDER BY l.start_date DESC, l.code DESC LIMIT 1) END")
    voids, zeros = ["r.u_y1 AS unit_days_y1", "r.e_y1 AS empty_days_y1", "r.u_ytd AS unit_days_ytd",
                    "r.e_ytd AS empty_days_ytd"], ["0", "0", "0", "0"]
    for window in WINDOWS:
        empty = f"r.available = 1 AND r.e_{window} > 0"
        voids += [f"CASE WHEN {empty} THEN COALESCE(r.rent, 0) * r.e_{window} ELSE 0 END AS void_rent_{window}",
                  f"CASE WHEN {empty} THEN 1 ELSE 0 END AS void_units_{window}",
                  f"CASE WHEN {empty} AND r.rent IS NULL THEN 1 ELSE 0 END AS no_rent_{window}"]
        zeros += [f"0 AS void_rent_{window}", f"0 AS void_units_{window}", f"0 AS no_rent_{window}"]
    void_cols = ["unit_days_y1", "empty_days_y1", "unit_days_ytd", "empty_days_ytd",
                 *(f"{c}_{w}" for w in WINDOWS for c in ("void_rent", "void_units", "no_rent"))]
    # Without the fences both engines would merge the subqueries into their callers, repeating the windows and
    # the rent lookup in every column that uses them.
    fence = " OFFSET 0" if conn.dialect.name == "postgresql" else " LIMIT -1 OFFSET 0"
    units = f"""SELECT r.building_code, r.tenure, r.available, r.mk, 1 AS units, r.empty_end AS empty, r.unit_days,
            r.empty_days, 0 AS ended, {", ".join(voids)}
        FROM (SELECT w.*, u.building_code, u.tenure, {_AVAILABLE} AS available, {rent} AS rent
              FROM (SELECT um.unit_code, um.mk, um.unit_days, um.empty_days, um.empty_end, um.empty_days AS e_m1,
                           SUM(um.empty_days) OVER y1 AS e_y1, SUM(um.unit_days) OVER y1 AS u_y1,
                           SUM(um.empty_days) OVER ytd AS e_ytd, SUM(um.unit_days) OVER ytd AS u_ytd
                    FROM vm_unit_month um
                    WINDOW y1 AS (PARTITION BY um.unit_code ORDER BY um.mk RANGE BETWEEN 11 PRECEDING AND CURRENT ROW),
                           ytd AS (PARTITION BY um.unit_code, um.mk / 12 ORDER BY um.mk ROWS UNBOUNDED PRECEDING)
                    {fence}) w
              JOIN unit u ON u.code = w.unit_code JOIN vm_calendar c ON c.mk = w.mk
              WHERE w.mk >= :first{fence}) r"""
    ended = f"""SELECT u.building_code, u.tenure, {_AVAILABLE}, {sql_month_key(conn, "l.end_date")}, 0, 0, 0, 0, 1,
            {", ".join(zeros)}
        FROM lease l JOIN unit u ON u.code = l.unit_code
        WHERE l.end_date >= :first_day AND l.end_date <= :last_day"""
    sums = ", ".join(f"ROUND(SUM(x.{c}), 2)" if c.startswith("void_rent") else f"SUM(x.{c})"
                     for c in ["units", "empty", "unit_days", "empty_days", "ended", *void_cols])
    return f"""INSERT INTO vacancy_month (building_code, tenure, available, month_key, intervention_code, fund, sgr,
            units, empty, unit_days, empty_days, ended, {", ".join(void_cols)})
        SELECT x.building_code, x.tenure, x.available, x.mk, MIN(b.intervention_code), MIN(i.fund), MIN(i.sgr), {sums}
        FROM ({units} UNION ALL {ended}) x
        JOIN building b ON b.code = x.building_code JOIN intervention i ON i.code = b.intervention_code
        GROUP BY x.building_code, x.tenure, x.available, x.mk ORDER BY x.mk"""
