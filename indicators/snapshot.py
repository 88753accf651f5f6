"""The ledger pre-aggregates (`lease_month`, `lease_charge_day`): built after a load, read at month ends.

Every arrears KPI at a date D needs, per lease, running sums of its ledger from the first movement, and
on a warehouse of 100,000 units reading 20 million movements for that takes tens of seconds. `refresh`
builds, set-based in SQL, each lease's running sums at every month end and its charges per due date;
`usable` says whether they can answer a question exactly (month-end dates, periods starting on the 1st,
the default 30-day threshold, pre-aggregates as new as the ledger). When they cannot, the indicators
read the ledger itself: a figure is never stale, only slower.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, text

from indicators import aggregate_state, building_month, case_month, rollups, relet_table, vacancy_month
from indicators.vacancy import WORKS_THRESHOLD
from indicators.ledger_sql import (DUE_DATE, MOVE_DATE, NON_CASH, date_param, is_month_end, is_pg, month_key,
                                   plus_days, sql_month_key)

NAME = "ledger"
OVERDUE_DAYS = 30  # the `households_in_arrears_pct` threshold the pre-aggregate is built for
_SUMS = ("charged", "credited", "credited_other", "cash", "overdue")


@dataclass(frozen=True)
class SnapshotState:
    """The months the pre-aggregates cover (month keys, year × 12 + month − 1)."""

    first_month_key: int | None
    last_month_key: int | None


@dataclass(frozen=True)
class RefreshResult:
    lease_months: int
    charge_days: int
    seconds: float
    building_months: int = 0


SOURCE = aggregate_state.Source("ledger_entry", ("movimenti",))


def fresh_state(conn) -> SnapshotState | None:
    """The pre-aggregates' coverage if they were built from the ledger as it is now, else None."""
    months = aggregate_state.fresh_months(conn, NAME, SOURCE)
    return None if months is None else SnapshotState(*months)


def usable(conn, *, checkpoints: list[date], start: date | None, days: int) -> SnapshotState | None:
    """The state, when the pre-aggregates give the exact answer for these checkpoints; else None."""
    if days != OVERDUE_DAYS or not checkpoints or not all(is_month_end(d) for d in checkpoints):
        return None
    if start is not None and start.day != 1:
        return None
    return fresh_state(conn)


def positions_cte(conn, *, checkpoints: list[date], series: bool, start: date | None, state: SnapshotState,
                  params: dict) -> str:
    """CTEs `cal` and `pos` (the columns of `indicators.ledger`'s `pos`) from `lease_month`; needs CTE `sl`.

    A checkpoint's month (clipped to the last month built: nothing moves after it) gives the running
    sums; the period's are the difference with the month before the period starts.
    """
    last = state.last_month_key if state.last_month_key is not None else 0
    rows = []
    for i, d in enumerate(checkpoints):
        key = month_key(d)
        bucket, prev = (key, key - 1) if series else (0, month_key(start or d.replace(day=1)) - 1)
        rows.append(f"SELECT {bucket} AS bucket, {date_param(conn, f'cal_{i}')} AS as_of, "
                    f"{min(key, last)} AS mk, {min(prev, last)} AS prev_mk")
        params[f"cal_{i}"] = d
    params["as_of"] = checkpoints[-1]
    sums = ", ".join(f"COALESCE(a.{c}, 0) AS {c}" for c in ("charged", "credited", "credited_other", "overdue"))
    return f"""cal AS ({" UNION ALL ".join(rows)}),
    pos AS (
        SELECT sl.*, cal.bucket, cal.as_of,
            CASE WHEN sl.start_date <= cal.as_of AND (sl.end_date IS NULL OR sl.end_date >= cal.as_of)
                 THEN 1 ELSE 0 END AS active,
            CASE WHEN sl.end_date < cal.as_of THEN 1 ELSE 0 END AS ended,
            {sums},
            ROUND(COALESCE(a.charged, 0) - COALESCE(b.charged, 0), 2) AS period_charged,
            ROUND(COALESCE(a.cash, 0) - COALESCE(b.cash, 0), 2) AS period_cash,
            COALESCE(a.moves, 0) AS moves
        FROM sl CROSS JOIN cal
        LEFT JOIN lease_month a ON a.lease_code = sl.lease_code AND a.month_key = cal.mk
        LEFT JOIN lease_month b ON b.lease_code = sl.lease_code AND b.month_key = cal.prev_mk)"""


def unpaid_rows_sql() -> str:
    """The charge days of the leases in debit (CTE `owing`) still unpaid at :as_of, from `lease_charge_day`.

    Columns lease_code, due_date, amount, owed (charges through the day minus credits); `through` grows
    with the due date, so the index on (lease_code, through) reads only the unpaid days.
    """
    return """SELECT d.lease_code, d.due_date, d.amount, ROUND(d.through - o.credited, 2) AS owed
        FROM owing o JOIN lease_charge_day d ON d.lease_code = o.lease_code AND d.through > o.credited
        WHERE d.due_date <= :as_of"""


# --- building ----------------------------------------------------------------------------------------------------
# Loads of these kinds may leave a pre-aggregate stale (`ensure_fresh` rebuilds what is).
ROLLUPS = (*rollups.names("building_month"), *rollups.names("vacancy_month"))
REFRESH_KINDS = frozenset({"movimenti", *building_month.SOURCE_KINDS, *case_month.SOURCE_KINDS,
                           *vacancy_month.SOURCE_KINDS, *relet_table.SOURCE_KINDS})


def ensure_fresh(engine: Engine) -> RefreshResult | None:
    """Rebuild the pre-aggregates whose sources changed since they were built (the ledger for all of them; the
    leases and units for `building_month` and `vacancy_month`; the cases, leases and units for `case_month`, and the
    ledger for its plan columns alone; the leases, units and tickets for `lease_relet`); None when none did."""
    with engine.connect() as conn:
        state = fresh_state(conn)
        buildings_ok = state is not None and building_month.fresh_months(conn) is not None
        vacancy_ok = state is not None and vacancy_month.fresh_months(conn) is not None
        cases_ok = case_month.fresh_months(conn) is not None
        plans_ok = cases_ok and case_month.plans_fresh(conn)
        relets_ok = relet_table.fresh(conn)
    if state is None:
        return refresh(engine, everything=False)
    if buildings_ok and cases_ok and plans_ok and vacancy_ok and relets_ok:
        return None
    began = time.perf_counter()
    with engine.begin() as conn:
        rows = 0 if buildings_ok else building_month.build(conn, state.first_month_key, state.last_month_key)
        if not vacancy_ok:
            vacancy_month.build(conn, state.first_month_key, state.last_month_key)
        if not (cases_ok and plans_ok):
            _cases(conn, everything=False)
        if not relets_ok:
            relet_table.build(conn, WORKS_THRESHOLD)
    _analyze(engine, "building_month", "vacancy_month", *ROLLUPS, "case_month", "lease_relet")
    return RefreshResult(*_counts(engine), time.perf_counter() - began, rows)


def _cases(conn, *, everything: bool) -> None:
    """Rebuild the case pre-aggregates; unless `everything`, only their plan columns when the cases' stages are
    fresh and the month ends held are still the ledger's last 25 (a load of movements within the same months)."""
    last_day = _last_ledger_day(conn)
    if everything or not case_month.current(conn, last_day):
        case_month.build(conn, last_day)
    elif not case_month.plans_fresh(conn):
        case_month.build_plans(conn)


def _last_ledger_day(conn):
    from indicators.portfolio import ledger_span

    return ledger_span(conn)[1]


def refresh(engine: Engine, *, everything: bool = True) -> RefreshResult:
    """Rebuild the pre-aggregates from the ledger, in one transaction (readers see the old ones until it ends);
    unless `everything`, the case stages only if their own sources changed (see `_cases`)."""
    began = time.perf_counter()
    with engine.begin() as conn:
        versions = aggregate_state.versions(conn, SOURCE)
        _clear(conn)
        conn.execute(text(_DELTA_TABLE))
        conn.execute(text(_delta_insert(conn)))
        first, last = conn.execute(text("SELECT MIN(mk), MAX(mk) FROM lm_delta")).one()
        if first is not None:
            conn.execute(text("CREATE TEMPORARY TABLE lm_calendar (mk INTEGER PRIMARY KEY)"))
            conn.execute(text("INSERT INTO lm_calendar (mk) VALUES (:mk)"), [{"mk": k} for k in range(first, last + 1)])
            conn.execute(text(_LEASE_MONTH_INSERT))
            conn.execute(text("DROP TABLE lm_calendar"))
        conn.execute(text("DROP TABLE lm_delta"))
        conn.execute(text(_charge_day_insert()))
        aggregate_state.record(conn, NAME, versions, first, last)
        buildings = building_month.build(conn, first, last)
        vacancy_month.build(conn, first, last)
        _cases(conn, everything=everything)
        relet_table.build(conn, WORKS_THRESHOLD)
    _analyze(engine, "lease_month", "lease_charge_day", "building_month", "vacancy_month", *ROLLUPS, "case_month",
             "lease_relet")
    return RefreshResult(*_counts(engine), time.perf_counter() - began, buildings)


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                     for t in ("lease_month", "lease_charge_day"))


def _analyze(engine: Engine, *tables: str) -> None:
    """Fresh planner statistics on PostgreSQL (SQLite plans these queries well without them)."""
    if is_pg(engine):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in tables:
                conn.execute(text(f"ANALYZE {table}"))


def _clear(conn) -> None:
    if is_pg(conn):
        conn.execute(text("TRUNCATE lease_month, lease_charge_day"))
    else:
        conn.execute(text("DELETE FROM lease_month"))
        conn.execute(text("DELETE FROM lease_charge_day"))


_DELTA_TABLE = """CREATE TEMPORARY TABLE lm_delta (
    lease_code VARCHAR(60) NOT NULL, mk INTEGER NOT NULL, charged NUMERIC, credited NUMERIC,
    credited_other NUMERIC, cash NUMERIC, overdue NUMERIC, moves INTEGER, PRIMARY KEY (lease_code, mk))"""


def _delta_insert(conn) -> str:
    """Per lease and month: what the month adds to each running sum.

    A charge adds to `charged` in the month it falls due and to `overdue` in the month it is 31 days
    past due (at a month end D, due + 31 <= D iff that month is D's or earlier); a credit adds in the
    month it is entered.
    """
    due_month = sql_month_key(conn, MOVE_DATE)
    overdue_month = sql_month_key(conn, plus_days(conn, DUE_DATE, OVERDUE_DAYS + 1))
    return f"""INSERT INTO lm_delta (lease_code, mk, {", ".join(_SUMS)}, moves)
        SELECT lease_code, mk, {", ".join(f"SUM({c})" for c in _SUMS)}, SUM(moves)
        FROM (
            SELECT e.lease_code, {due_month} AS mk,
                CASE WHEN e.entry_type = 'addebito' THEN e.amount ELSE 0 END AS charged,
                CASE WHEN e.entry_type <> 'addebito' THEN e.amount ELSE 0 END AS credited,
                CASE WHEN e.entry_type IN {NON_CASH} THEN e.amount ELSE 0 END AS credited_other,
                CASE WHEN e.entry_type = 'incasso' THEN e.amount ELSE 0 END AS cash,
                0 AS overdue, 1 AS moves
            FROM ledger_entry e
            UNION ALL
            SELECT e.lease_code, {overdue_month}, 0, 0, 0, 0, e.amount, 0
            FROM ledger_entry e WHERE e.entry_type = 'addebito') x
        GROUP BY lease_code, mk"""


_LEASE_MONTH_INSERT = f"""INSERT INTO lease_month (lease_code, month_key, {", ".join(_SUMS)}, moves)
    SELECT f.lease_code, c.mk, {", ".join(f"ROUND(SUM(COALESCE(d.{s}, 0)) OVER w, 2)" for s in _SUMS)},
        SUM(COALESCE(d.moves, 0)) OVER w
    FROM (SELECT lease_code, MIN(mk) AS first_mk FROM lm_delta GROUP BY lease_code) f
    JOIN lm_calendar c ON c.mk >= f.first_mk
    LEFT JOIN lm_delta d ON d.lease_code = f.lease_code AND d.mk = c.mk
    WINDOW w AS (PARTITION BY f.lease_code ORDER BY c.mk ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"""


def _charge_day_insert() -> str:
    return f"""INSERT INTO lease_charge_day (lease_code, due_date, amount, through)
        SELECT lease_code, due, ROUND(amount, 2),
            ROUND(SUM(amount) OVER (PARTITION BY lease_code ORDER BY due
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), 2)
        FROM (SELECT e.lease_code, {DUE_DATE} AS due, SUM(e.amount) AS amount
              FROM ledger_entry e WHERE e.entry_type = 'addebito' GROUP BY e.lease_code, {DUE_DATE}) g"""
