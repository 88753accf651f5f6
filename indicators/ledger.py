"""The FIFO position of every lease, as SQL common table expressions that each arrears figure aggregates.

Payments are allocated first in, first out (domain.md): a lease's charges, ordered by due date then id,
form a line of euros, and its credits (payments, reversals, allowances, write-offs) fill that line from
the start. With `owed` = the charges through the end of a slice of the line minus the credits, the slice's
unpaid part is ``clamp(owed, 0, slice)`` (`fifo_unpaid`). That one rule gives:

- a charge's unpaid part (the slice is the charge, `owed` its running total minus the credits);
- the unpaid part of the charges due in a period (they are contiguous on the line);
- a lease's arrears (the slice is every charge due: a credit balance is no debt);
- whether the oldest unpaid charge is overdue by more than N days: the charges due before D − N are a
  prefix of the line, so it is iff they exceed the credits.

`positions_ctes` reads the ledger in one pass (two for a series) and gives, per lease in scope and
checkpoint (one date, or every month end of a series), the running sums these need; `unpaid_charges_ctes`
adds the per-charge view (aging, drill-down). A charge counts from its due date
(`COALESCE(due_date, entry_date)`), a credit from its entry date.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from indicators.ledger_sql import (DUE_DATE, MOVE_DATE, NON_CASH, aging_bucket, date_param, day_diff, fifo_unpaid,
                                   month_key, plus_days, sql_month_key)
from indicators.scope import GROUPINGS, Scope
from indicators.sql import query

TOTALS = ("leases", "moves", "stock", "stock_former", "contracts_in_arrears", "active_leases", "stock_active",
          "annual_rent", "households_overdue", "period_charged", "period_unpaid", "period_collected", "period_cash")


# --- the building blocks -----------------------------------------------------------------------------------------
def scoped_leases_cte(scope: Scope, by: str | None) -> tuple[str, dict]:
    """CTE `sl`: the leases of the units in scope, with their unit's attributes and the grouping `grp`."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(GROUPINGS)}")
    units, params = scope.units_sql()
    grp = GROUPINGS[by] if by else "CAST(NULL AS VARCHAR(200))"
    household = "LEFT JOIN household h ON h.code = l.household_code" if by == "income_band" else ""
    return f"""sl AS (
        SELECT l.code AS lease_code, l.household_code, l.start_date, l.end_date, l.monthly_rent,
               su.unit_code, su.building_code, su.intervention_code, su.fund, su.tenure, {grp} AS grp
        FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code {household})""", params


def positions_ctes(conn, *, scope: Scope, by: str | None = None, as_of: date, start: date | None = None,
                   days: int = 30, months: list[date] | None = None) -> tuple[str, dict]:
    """CTEs up to `fifo`: one row per lease in scope and checkpoint, with its FIFO position.

    One checkpoint `as_of` (bucket 0), the period being [start, as_of] (start defaults to the 1st of
    as_of's month); or, with `months` (month ends,
    the last being `as_of`), one checkpoint per month end, each month being its own period. Columns of
    `fifo`: the `sl` columns, bucket, as_of, active, ended, charged (P), credited (C), credited_other
    (storno, abbuono, stralcio), overdue (charges due more than `days` days before the checkpoint),
    period_charged, period_cash (incasso in the period), moves, balance, arrears, period_unpaid,
    period_collected (part of the period's charges settled by payments), overdue_debt (0/1).
    Read from the pre-aggregates of `indicators.snapshot` when they give the same answer.
    """
    leases, params = scoped_leases_cte(scope, by)
    checkpoints = months or [as_of]
    units, _ = scope.units_sql()
    in_scope = f"e.lease_code IN (SELECT l.code FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code)"
    params["as_of"] = checkpoints[-1]
    if months:
        flows, keys = _monthly_flows(conn, months, days, in_scope, params)
    else:
        # One checkpoint: one group per lease (SQLite then reads the ledger in index order, without sorting).
        params.update(period_start=start or as_of.replace(day=1), overdue_cutoff=as_of - timedelta(days=days + 1))
        flows = _flow_select("0", "0", f"e.entry_type = 'addebito' AND {MOVE_DATE} <= :overdue_cutoff",
                             f"{in_scope} AND {MOVE_DATE} <= :as_of", "e.lease_code")
        keys = [0]
    calendar = " UNION ALL ".join(f"SELECT {k} AS bucket, {date_param(f'cal_{i}')} AS as_of"
                                  for i, k in enumerate(keys))
    params.update({f"cal_{i}": d for i, d in enumerate(checkpoints)})
    return f"""{leases},
    cal AS ({calendar}),
    flow1 AS ({flows}),
    flow AS (
        SELECT lease_code, bucket, SUM(charged) AS charged, SUM(period_charged) AS period_charged,
            SUM(credited) AS credited, SUM(credited_other) AS credited_other, SUM(period_cash) AS period_cash,
            SUM(moves) AS moves
        FROM flow1 GROUP BY lease_code, bucket),
    late AS (
        SELECT lease_code, od_bucket AS bucket, SUM(late_charged) AS overdue
        FROM flow1 WHERE late_charged > 0 GROUP BY lease_code, od_bucket),
    {_pos_cte()},
    {_fifo_cte(conn)}""", params


def _flow_select(bucket: str, od_bucket: str, late_when: str, where: str, group_by: str) -> str:
    """Sums of the movements per lease and bucket; `late_charged` (charges overdue) goes to `od_bucket`."""
    return f"""SELECT e.lease_code, {bucket} AS bucket, {od_bucket} AS od_bucket,
            SUM(CASE WHEN e.entry_type = 'addebito' THEN e.amount ELSE 0 END) AS charged,
            SUM(CASE WHEN e.entry_type = 'addebito' AND {MOVE_DATE} >= :period_start THEN e.amount ELSE 0 END)
                AS period_charged,
            SUM(CASE WHEN e.entry_type <> 'addebito' THEN e.amount ELSE 0 END) AS credited,
            SUM(CASE WHEN e.entry_type IN {NON_CASH} THEN e.amount ELSE 0 END) AS credited_other,
            SUM(CASE WHEN e.entry_type = 'incasso' AND e.entry_date >= :period_start THEN e.amount ELSE 0 END)
                AS period_cash,
            SUM(CASE WHEN {late_when} THEN e.amount ELSE 0 END) AS late_charged,
            COUNT(*) AS moves
        FROM ledger_entry e WHERE {where} GROUP BY {group_by}"""


def _monthly_flows(conn, months: list[date], days: int, in_scope: str, params: dict) -> tuple[str, list[int]]:
    """Flows of a month-end series: the history before it in one group per lease, then one per month.

    A movement dated before `recent` (the first month's start − days − 1) counts, and is overdue, at
    every month end of the series, so only the movements since then need a month.
    """
    first = month_key(months[0])
    params["period_start"] = date(months[0].year, months[0].month, 1)
    params["recent"] = params["overdue_cutoff"] = params["period_start"] - timedelta(days=days + 1)
    history = _flow_select(str(first), str(first), f"e.entry_type = 'addebito' AND {MOVE_DATE} <= :overdue_cutoff",
                           f"{in_scope} AND {MOVE_DATE} < :recent", "e.lease_code")
    late = plus_days(MOVE_DATE, days + 1)
    late_when = f"e.entry_type = 'addebito' AND {late} <= :as_of"
    recent = _flow_select(_clip(sql_month_key(MOVE_DATE), first),
                          f"CASE WHEN {late_when} THEN {_clip(sql_month_key(late), first)} END", late_when,
                          f"{in_scope} AND {MOVE_DATE} >= :recent AND {MOVE_DATE} <= :as_of", "e.lease_code, 2, 3")
    return f"{history} UNION ALL {recent}", [month_key(m) for m in months]


def _clip(key: str, first: int) -> str:
    return f"CASE WHEN {key} < {first} THEN {first} ELSE {key} END"


def _pos_cte() -> str:
    running = ", ".join(f"ROUND(SUM(COALESCE({src}, 0)) OVER w, 2) AS {col}" for col, src in (
        ("charged", "f.charged"), ("credited", "f.credited"), ("credited_other", "f.credited_other"),
        ("overdue", "o.overdue")))
    return f"""pos AS (
        SELECT sl.*, cal.bucket, cal.as_of,
            CASE WHEN sl.start_date <= cal.as_of AND (sl.end_date IS NULL OR sl.end_date >= cal.as_of)
                 THEN 1 ELSE 0 END AS active,
            CASE WHEN sl.end_date < cal.as_of THEN 1 ELSE 0 END AS ended,
            {running},
            ROUND(COALESCE(f.period_charged, 0), 2) AS period_charged,
            ROUND(COALESCE(f.period_cash, 0), 2) AS period_cash,
            SUM(COALESCE(f.moves, 0)) OVER w AS moves
        FROM sl CROSS JOIN cal
        LEFT JOIN flow f ON f.lease_code = sl.lease_code AND f.bucket = cal.bucket
        LEFT JOIN late o ON o.lease_code = sl.lease_code AND o.bucket = cal.bucket
        WINDOW w AS (PARTITION BY sl.lease_code ORDER BY cal.bucket
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))"""


def _fifo_cte(conn) -> str:
    # The period's charges are the slice (charged - period_charged, charged]; the credit line holds the
    # non-cash credits first, then payments: payments settle max(0, min(P, C) - max(P0, C_other)) of it.
    cash_settled = "GREATEST(0, LEAST(charged, credited) - GREATEST(charged - period_charged, credited_other))"
    return f"""fifo AS (
        SELECT pos.*, ROUND(charged - credited, 2) AS balance,
            {fifo_unpaid('ROUND(charged - credited, 2)', 'charged')} AS arrears,
            {fifo_unpaid('ROUND(charged - credited, 2)', 'period_charged')} AS period_unpaid,
            ROUND({cash_settled}, 2) AS period_collected,
            CASE WHEN ROUND(overdue - credited, 2) > 0 THEN 1 ELSE 0 END AS overdue_debt
        FROM pos)"""


def unpaid_charges_ctes(conn, *, scope: Scope, by: str | None = None, as_of: date) -> tuple[str, dict]:
    """`positions_ctes` at `as_of` plus `unpaid`: lease_code, due_date, amount, unpaid, age (days), bucket.

    One row per charge (or, from the pre-aggregates, per due date: the same sums) due by `as_of` with an
    unpaid part; only leases in debit are read twice.
    """
    ctes, params = positions_ctes(conn, scope=scope, by=by, as_of=as_of)
    owed_rows = f"""SELECT c.lease_code, c.due_date, c.amount, ROUND(c.through - o.credited, 2) AS owed
            FROM (SELECT e.lease_code, {DUE_DATE} AS due_date, e.amount,
                      SUM(e.amount) OVER (PARTITION BY e.lease_code ORDER BY {DUE_DATE}, e.id
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS through
                  FROM ledger_entry e JOIN owing o ON o.lease_code = e.lease_code
                  WHERE e.entry_type = 'addebito' AND {DUE_DATE} <= :as_of) c
            JOIN owing o ON o.lease_code = c.lease_code"""
    age = day_diff(date_param("as_of"), "r.due_date")
    return f"""{ctes},
    owing AS (SELECT lease_code, credited FROM fifo WHERE balance > 0),
    owed_rows AS ({owed_rows}),
    unpaid AS (
        SELECT r.lease_code, r.due_date, r.amount, {fifo_unpaid('r.owed', 'r.amount')} AS unpaid,
            {age} AS age, {aging_bucket(age)} AS bucket
        FROM owed_rows r WHERE r.owed > 0)""", params


def totals(conn, *, scope: Scope, by: str | None, as_of: date, start: date | None = None, days: int = 30,
           months: list[date] | None = None) -> pd.DataFrame:
    """Per checkpoint (bucket) and group: the sums every lease-level arrears KPI is a ratio of (`TOTALS`).

    Read from `building_month` when it holds the answer (see `indicators.building_month`), else per lease.
    """
    frame = _lease_totals(conn, scope=scope, by=by, as_of=as_of, start=start, days=days, months=months)
    for col in TOTALS:
        frame[col] = frame[col].astype(float).round(2)
    frame["stock_current"] = (frame["stock"] - frame["stock_former"]).round(2)
    return frame.sort_values(["bucket", "grp"], na_position="last", ignore_index=True)


def _lease_totals(conn, *, scope: Scope, by: str | None, as_of: date, start: date | None, days: int,
                  months: list[date] | None) -> pd.DataFrame:
    ctes, params = positions_ctes(conn, scope=scope, by=by, as_of=as_of, start=start, days=days, months=months)
    sql = f"""WITH {ctes}
        SELECT bucket, grp, COUNT(*) AS leases, SUM(moves) AS moves, SUM(arrears) AS stock,
            SUM(CASE WHEN ended = 1 THEN arrears ELSE 0 END) AS stock_former,
            SUM(CASE WHEN arrears > 0 THEN 1 ELSE 0 END) AS contracts_in_arrears,
            SUM(active) AS active_leases, SUM(CASE WHEN active = 1 THEN arrears ELSE 0 END) AS stock_active,
            SUM(CASE WHEN active = 1 THEN 12 * monthly_rent ELSE 0 END) AS annual_rent,
            SUM(CASE WHEN active = 1 THEN overdue_debt ELSE 0 END) AS households_overdue,
            SUM(period_charged) AS period_charged, SUM(period_unpaid) AS period_unpaid,
            SUM(period_collected) AS period_collected, SUM(period_cash) AS period_cash
        FROM fifo GROUP BY bucket, grp"""
    return query(conn, sql, params)
