"""The per-building monthly pre-aggregate (`building_month`): every arrears total of a scope in one GROUP BY.

`lease_month` makes a lease's position at a month end one row, but a figure for the whole portfolio
still reads one row per lease and checkpoint: 166,000 leases, or 4 million rows for a two-year trend.
Every scope is a union of buildings (`indicators.scope`), and every lease-level arrears total is a sum
over leases of a value fixed by the lease's own position, so the sums per building, tenure regime and
month end answer any scope and any grouping down to the building or the regime exactly.

The period sums (charged, unpaid, collected, cashed) are not additive over months (a lease's unpaid part
of a period is a clamp of its balance), so they are held for the three periods the pages use, each
ending at the month end: the month (`m1`, the trend charts), twelve months (`y1`, the default period)
and the year to date (`ytd`). Any other question (another period or threshold, a date that is not a
month end, groupings by unit or income band) is answered from `lease_month` or the ledger instead.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from indicators import aggregate_state, rollups
from indicators.ledger_sql import (AGING_BUCKETS, aging_bucket, day_diff, fifo_unpaid, greatest, is_month_end, is_pg,
                                   least, month_key)
from indicators.scope import Scope
from indicators.sql import one_row

NAME = "building"
NAME_TABLE = "building_month"
GROUPINGS = (None, "sgr", "fund", "intervention", "building", "tenure")  # functions of building and regime
SOURCE_KINDS = ("movimenti", "contratti", "alloggi", "edifici", "interventi")  # the loads it is built from
OVERDUE_DAYS = 30
_PERIOD = {"charged": "period_charged", "unpaid": "period_unpaid", "collected": "period_collected",
           "cash": "period_cash"}
_DATE_SUMS = ("leases", "moves", "stock", "stock_former", "contracts_in_arrears", "active_leases", "stock_active",
              "annual_rent", "households_overdue")
WINDOWS = ("m1", "y1", "ytd")


def window_of(start: date | None, end: date) -> str | None:
    """Which held period is [start, end] (start None: the month), or None when none is."""
    if not is_month_end(end):
        return None
    if start is None or start == end.replace(day=1):
        return "m1"
    if start == date(end.year, 1, 1):
        return "ytd"
    if start == (end + timedelta(days=1)).replace(year=end.year - 1):
        return "y1"
    return None


SOURCE = aggregate_state.Source("ledger_entry", SOURCE_KINDS)


def fresh_months(conn) -> tuple[int, int] | None:
    """(first, last) month key held, when built from the data as it is now; else None (one query)."""
    months = aggregate_state.fresh_months(conn, NAME, SOURCE)
    return None if months is None or months[0] is None else months


def usable(conn, *, by: str | None, checkpoints: list[date], start: date | None, days: int,
           series: bool) -> str | None:
    """The window to read when `building_month` answers exactly; None when it cannot."""
    if by not in GROUPINGS or days != OVERDUE_DAYS or not checkpoints:
        return None
    window = "m1" if series and all(is_month_end(d) for d in checkpoints) else \
        None if series else window_of(start, checkpoints[0])
    if window is None:
        return None
    months = fresh_months(conn)
    if months is None or not all(months[0] <= month_key(d) <= months[1] for d in checkpoints):
        return None
    return window


def in_scope(scope: Scope) -> tuple[str, dict]:
    """Conditions on `building_month` or `vacancy_month` (alias su) keeping the scope's buildings: their rows hold
    the buildings' portfolio levels."""
    where, params = scope.where_sql(("su.sgr", "su.fund", "su.intervention_code", "su.building_code"))
    return (where.replace(" WHERE ", " AND ", 1) if where else ""), params


def totals_row(conn, scope: Scope, as_of: date, start: date | None, days: int) -> dict | None:
    """The `indicators.ledger.TOTALS` of the whole scope at `as_of` over [start, as_of], in one query that also
    checks the pre-aggregate is fresh and holds the month; None when it cannot answer (as `usable`)."""
    window = window_of(start, as_of) if days == OVERDUE_DAYS else None
    if window is None:
        return None
    k = month_key(as_of)
    where, params = in_scope(scope)
    columns = [*_DATE_SUMS, *[f"{c}_{window}" for c in _PERIOD]]
    fresh = aggregate_state.fresh_sql(NAME, SOURCE, k, k)
    row = one_row(conn, f"""SELECT {fresh}, {", ".join(f"COALESCE(SUM(su.{c}), 0)" for c in columns)}
                            FROM {rollups.table(NAME_TABLE, scope, None)} su WHERE su.month_key = {k}{where}""", params,
                  width=1 + len(columns))
    if not row[0]:
        return None
    return dict(zip([*_DATE_SUMS, *_PERIOD.values()], (round(float(v), 2) for v in row[1:])))


def totals_sql(scope: Scope, by: str | None, grp: str, checkpoints: list[date], series: bool, window: str
               ) -> tuple[str, dict]:
    """SQL of `indicators.ledger.totals`' columns (bucket, grp, TOTALS) from `building_month` (alias su, whose
    rows carry the building's intervention, fund and SGR, so `grp` is a `GROUPINGS` expression as it stands)."""
    where, params = in_scope(scope)
    keys = ", ".join(str(month_key(d)) for d in checkpoints)
    sums = [f"SUM(su.{c}) AS {c}" for c in _DATE_SUMS]
    sums += [f"SUM(su.{c}_{window}) AS {target}" for c, target in _PERIOD.items()]
    return f"""SELECT {"su.month_key" if series else "0"} AS bucket, {grp} AS grp, {", ".join(sums)}
        FROM {rollups.table(NAME_TABLE, scope, by)} su WHERE su.month_key IN ({keys}){where}
        GROUP BY 1, 2""", params


def aging_row(conn, scope: Scope, as_of: date) -> tuple | None:
    """The scope's debts and leases of every aging bucket at `as_of` (`AGED`: euro, leases, bucket by bucket), in
    one query that also checks the pre-aggregate is fresh; None when it is not or `as_of` is not a held month end."""
    if not is_month_end(as_of):
        return None
    k = month_key(as_of)
    where, params = in_scope(scope)
    sums = ", ".join(f"COALESCE(SUM(su.{c}), 0)" for c in _AGED_COLS)
    fresh = aggregate_state.fresh_sql(NAME, SOURCE, k, k)
    row = one_row(conn, f"""SELECT {fresh}, {sums} FROM {rollups.table(NAME_TABLE, scope, None)} su
                            WHERE su.month_key = {k}{where}""", params, width=1 + len(_AGED_COLS))
    return tuple(row[1:]) if row[0] else None


def aging_sql(scope: Scope, by: str | None, grp: str, as_of: date) -> tuple[str, dict]:
    """Per group: the debts and leases of every aging bucket at month end `as_of` (columns `AGED` and `*_n`)."""
    where, params = in_scope(scope)
    sums = ", ".join(f"SUM(su.{c}) AS {c}" for c in _AGED_COLS)
    return f"""SELECT {grp} AS grp, {sums} FROM {rollups.table(NAME_TABLE, scope, by)} su
        WHERE su.month_key = {month_key(as_of)}{where} GROUP BY 1""", params


# --- building ----------------------------------------------------------------------------------------------------
def build(conn, first: int | None, last: int | None) -> int:
    """Rebuild `building_month` for month keys first..last from `lease_month`, `lease` and `unit`; rows written."""
    conn.execute(text("DELETE FROM building_month"))
    built_from = aggregate_state.versions(conn, SOURCE)
    if first is not None:
        conn.execute(text("CREATE TEMPORARY TABLE bm_calendar (mk INTEGER PRIMARY KEY, month_end DATE NOT NULL)"))
        conn.execute(text("INSERT INTO bm_calendar (mk, month_end) VALUES (:mk, :d)"),
                     [{"mk": k, "d": month_end_of(k)} for k in range(first, last + 1)])
        conn.execute(text(_insert_sql(conn)))
        conn.execute(text("DROP TABLE bm_calendar"))
    rollups.build(conn, NAME_TABLE)
    aggregate_state.record(conn, NAME, built_from, first, last)
    return conn.execute(text("SELECT COUNT(*) FROM building_month")).scalar_one()


def month_end_of(key: int) -> date:
    y, m = divmod(key + 1, 12)
    return date(y, m + 1, 1) - timedelta(days=1)


_PERIOD_COLS = [f"{c}_{w}" for w in WINDOWS for c in _PERIOD]
# Arrears by the age of each lease's oldest unpaid charge (`arrears_aging_by_contract`): euro and leases.
AGED = dict(zip(AGING_BUCKETS, ("aged_30", "aged_60", "aged_90", "aged_365", "aged_730", "aged_over")))
_AGED_COLS = [c for col in AGED.values() for c in (col, f"{col}_n")]


def _positions(conn) -> str:
    """Part 1: each lease-month row of `lease_month` as its contribution to every sum."""
    lags = []
    for w, offset in (("m1", "1"), ("y1", "12"), ("ytd", "(a.month_key % 12) + 1")):
        lags += [f"LAG(a.charged, {offset}, 0) OVER w AS ch_{w}", f"LAG(a.cash, {offset}, 0) OVER w AS cs_{w}"]
    per_window = []
    for w in WINDOWS:
        pc = f"ROUND(p.charged - p.ch_{w}, 2)"
        settled = greatest(conn, "0", f"{least(conn, 'p.charged', 'p.credited')} - "
                                      f"{greatest(conn, f'p.charged - {pc}', 'p.credited_other')}")
        per_window += [pc, fifo_unpaid("p.balance", pc), f"ROUND({settled}, 2)", f"ROUND(p.cash - p.cs_{w}, 2)"]
    aged = []
    for label, col in AGED.items():
        aged += [f"CASE WHEN p.bucket = '{label}' THEN p.arrears ELSE 0 END AS {col}",
                 f"CASE WHEN p.bucket = '{label}' THEN 1 ELSE 0 END AS {col}_n"]
    # The oldest unpaid charge: the first due date whose running total of charges exceeds the credits (looked
    # up once per row in debit, in the windowed subquery, which neither engine merges into its callers).
    oldest = ("CASE WHEN a.charged - a.credited > 0 THEN (SELECT MIN(d.due_date) FROM lease_charge_day d "
              "WHERE d.lease_code = a.lease_code AND d.through > a.credited) END")
    arrears = fifo_unpaid("r.balance", "r.charged")
    # Without this fence both engines would merge `p` into the outer query and repeat its expressions.
    fence = " OFFSET 0" if is_pg(conn) else " LIMIT -1 OFFSET 0"
    return f"""SELECT p.building_code, p.tenure, p.month_key AS mk, 0 AS leases, p.moves, p.arrears AS stock,
            CASE WHEN p.ended = 1 THEN p.arrears ELSE 0 END AS stock_former,
            CASE WHEN p.arrears > 0 THEN 1 ELSE 0 END AS contracts_in_arrears, 0 AS active_leases,
            CASE WHEN p.active = 1 THEN p.arrears ELSE 0 END AS stock_active, 0 AS annual_rent,
            CASE WHEN p.active = 1 AND ROUND(p.overdue - p.credited, 2) > 0 THEN 1 ELSE 0 END AS households_overdue,
            {", ".join(f"{expr} AS {col}" for expr, col in zip(per_window, _PERIOD_COLS))}, {", ".join(aged)}
        FROM (
            SELECT r.*, u.building_code, u.tenure, {arrears} AS arrears,
                CASE WHEN {_active()} THEN 1 ELSE 0 END AS active,
                CASE WHEN l.end_date < c.month_end THEN 1 ELSE 0 END AS ended,
                CASE WHEN r.balance > 0 THEN {aging_bucket(day_diff(conn, "c.month_end", "r.oldest_due"))} END AS bucket
            FROM (SELECT a.*, ROUND(a.charged - a.credited, 2) AS balance, {oldest} AS oldest_due, {", ".join(lags)}
                  FROM lease_month a WINDOW w AS (PARTITION BY a.lease_code ORDER BY a.month_key)) r
            JOIN lease l ON l.code = r.lease_code JOIN unit u ON u.code = l.unit_code
            JOIN bm_calendar c ON c.mk = r.month_key{fence}) p"""


def _active() -> str:
    return "(l.start_date <= c.month_end AND (l.end_date IS NULL OR l.end_date >= c.month_end))"


def _insert_sql(conn) -> str:
    zeros = ", ".join(f"0 AS {c}" for c in [*_PERIOD_COLS, *_AGED_COLS])
    filler = "0 AS moves, 0 AS stock, 0 AS stock_former, 0 AS contracts_in_arrears"
    active = f"""SELECT u.building_code, u.tenure, c.mk, 0 AS leases, {filler}, 1 AS active_leases,
            0 AS stock_active, 12 * l.monthly_rent AS annual_rent, 0 AS households_overdue, {zeros}
        FROM lease l JOIN unit u ON u.code = l.unit_code JOIN bm_calendar c ON {_active()}"""
    counts = f"""SELECT n.building_code, n.tenure, c.mk, n.leases, {filler}, 0 AS active_leases, 0 AS stock_active,
            0 AS annual_rent, 0 AS households_overdue, {zeros}
        FROM (SELECT u.building_code, u.tenure, COUNT(*) AS leases FROM lease l JOIN unit u ON u.code = l.unit_code
              GROUP BY u.building_code, u.tenure) n CROSS JOIN bm_calendar c"""
    money = {"stock", "stock_former", "stock_active", "annual_rent", *_PERIOD_COLS, *AGED.values()}
    cols = [*_DATE_SUMS, *_PERIOD_COLS, *_AGED_COLS]
    sums = ", ".join(f"ROUND(SUM(x.{c}), 2)" if c in money else f"SUM(x.{c})" for c in cols)
    return f"""INSERT INTO building_month (building_code, tenure, month_key, intervention_code, fund, sgr,
            {", ".join(cols)})
        SELECT x.building_code, x.tenure, x.mk, MIN(b.intervention_code), MIN(i.fund), MIN(i.sgr), {sums}
        FROM ({_positions(conn)} UNION ALL {active} UNION ALL {counts}) x
        JOIN building b ON b.code = x.building_code JOIN intervention i ON i.code = b.intervention_code
        GROUP BY x.building_code, x.tenure, x.mk ORDER BY x.mk"""
