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

from indicators.ledger_sql import (aging_bucket, date_param, day_diff, fifo_unpaid,
                                   month_key)
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

    One checkpoint `as_of` (bucket 0), the period being [start, as_of] (start defaults to the 1st of as_of's
    month); or, with `months` (month ends, the last being `as_of`), one checkpoint per month end, each month being
    its own period. Columns of `fifo`: the `sl` columns, bucket, as_of, active, ended, charged (P), credited (C),
    credited_other (storno, abbuono, stralcio), overdue (charges due more than `days` days before the
    checkpoint), period_charged, period_cash (incasso in the period), moves, balance, arrears, period_unpaid,
    period_collected (part of the period's charges settled by payments), overdue_debt (0/1).

    The same text for any date: a lease's running sums at a day are those of the `lease_month` fact at the day's
    month end when the day is one; at any other day, those at the end of the month before plus its movements of the
    day's own month up to the day (the `movement` fact, kept in date order so only those months are read). Each
    checkpoint needs them at three days: the checkpoint, the day before its period starts (the period's flows are
    the difference) and the overdue cut-off (the charges due by then); a day shared by several checkpoints (a
    month's end is the next month's day before) is read once.
    """
    leases, params = scoped_leases_cte(scope, by)
    checkpoints = months or [as_of]
    rows, inside_months = [], []
    for i, d in enumerate(checkpoints):
        first = d.replace(day=1) if months else (start or d.replace(day=1))
        days_at = {"a": d, "p": first - timedelta(days=1), "o": d - timedelta(days=days + 1)}
        for what, day in days_at.items():
            rows.append(f"SELECT {month_key(d) if months else 0} AS bucket, '{what}' AS what, "
                        f"{date_param(f'{what}_{i}')} AS day")
            params[f"{what}_{i}"] = day
            if (day + timedelta(days=1)).day != 1:
                inside_months.append(day)
        params[f"cal_{i}"] = d
    params["as_of"] = checkpoints[-1]
    # the days the movements are read for (the months of the days that are no month end): no other block is read
    params["moves_from"] = min(inside_months, default=checkpoints[-1] + timedelta(days=1)).replace(day=1)
    params["moves_to"] = max(inside_months, default=checkpoints[-1])
    calendar = " UNION ALL ".join(f"SELECT {month_key(d) if months else 0} AS bucket, {date_param(f'cal_{i}')} "
                                  "AS as_of" for i, d in enumerate(checkpoints))
    sums = ("charged", "credited", "credited_other", "cash", "moves")
    return f"""{leases},
    cal AS ({calendar}),
    points AS ({" UNION ALL ".join(rows)}),
    days AS (
        SELECT day, last_day(day) = day AS month_end,
            LEAST(year(day) * 12 + month(day) - CASE WHEN last_day(day) = day THEN 1 ELSE 2 END,
                  (SELECT MAX(month_key) FROM lease_month)) AS month_key
        FROM (SELECT DISTINCT day FROM points) p),
    at_day AS (
        SELECT day, lease_code, {", ".join(f"SUM({c}) AS {c}" for c in sums)}
        FROM (
            SELECT d.day, m.lease_code, {", ".join(f"m.{c}" for c in sums)}
            FROM days d JOIN lease_month m ON m.month_key = d.month_key
            UNION ALL
            SELECT d.day, v.lease_code, {", ".join(f"v.{c}" for c in sums)}
            FROM days d JOIN movement v
              ON NOT d.month_end AND v.move_date > CAST(date_trunc('month', d.day) AS DATE) - 1
                 AND v.move_date <= d.day
            WHERE v.move_date BETWEEN {date_param("moves_from")} AND {date_param("moves_to")}
        ) x
        WHERE lease_code IN (SELECT lease_code FROM sl)
        GROUP BY day, lease_code),
    at_point AS (
        SELECT p.bucket, p.what, a.lease_code, {", ".join(f"a.{c}" for c in sums)}
        FROM points p JOIN at_day a ON a.day = p.day),
    pos AS (
        SELECT sl.*, cal.bucket, cal.as_of,
            CASE WHEN sl.start_date <= cal.as_of AND (sl.end_date IS NULL OR sl.end_date >= cal.as_of)
                 THEN 1 ELSE 0 END AS active,
            CASE WHEN sl.end_date < cal.as_of THEN 1 ELSE 0 END AS ended,
            ROUND(COALESCE(a.charged, 0), 2) AS charged, ROUND(COALESCE(a.credited, 0), 2) AS credited,
            ROUND(COALESCE(a.credited_other, 0), 2) AS credited_other, ROUND(COALESCE(o.charged, 0), 2) AS overdue,
            ROUND(COALESCE(a.charged, 0) - COALESCE(b.charged, 0), 2) AS period_charged,
            ROUND(COALESCE(a.cash, 0) - COALESCE(b.cash, 0), 2) AS period_cash,
            COALESCE(a.moves, 0) AS moves
        FROM sl CROSS JOIN cal
        LEFT JOIN at_point a ON a.lease_code = sl.lease_code AND a.bucket = cal.bucket AND a.what = 'a'
        LEFT JOIN at_point b ON b.lease_code = sl.lease_code AND b.bucket = cal.bucket AND b.what = 'p'
        LEFT JOIN at_point o ON o.lease_code = sl.lease_code AND o.bucket = cal.bucket AND o.what = 'o'),
    {_fifo_cte(conn)}""", params


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
    # The charges per due date with their running total (the `lease_charge` fact): only the unpaid days are read.
    owed_rows = """SELECT d.lease_code, d.due_date, d.amount, ROUND(d.through - o.credited, 2) AS owed
            FROM owing o JOIN lease_charge d ON d.lease_code = o.lease_code AND d.through > o.credited
            WHERE d.due_date <= :as_of"""
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
    """Per checkpoint (bucket) and group: the sums every lease-level arrears KPI is a ratio of (`TOTALS`)."""
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
