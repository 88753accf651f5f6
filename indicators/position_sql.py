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

`indicators.ledger.positions_ctes` gives, per lease in scope and checkpoint (one date, or every month end of a
series), the running sums these need: at a month end one row of the `lease_month` fact (`month_end_positions`),
at any other day that fact plus the month's movements (`any_day_positions`); `unpaid_charges_ctes` adds the
per-charge view (aging, drill-down). A charge counts from its due date (`COALESCE(due_date, entry_date)`), a
credit from its entry date. `totals_select` sums the positions per checkpoint and group; run for every building
and month end it is the query of the `building_month` fact.
"""

from __future__ import annotations

from datetime import date, timedelta

from indicators.ledger_sql import date_param, fifo_unpaid, is_month_end, month_key
from indicators.scope import GROUPINGS, Scope

TOTALS = ("leases", "moves", "stock", "stock_former", "contracts_in_arrears", "active_leases", "stock_active",
          "annual_rent", "households_overdue", "period_charged", "period_unpaid", "period_collected", "period_cash")


def scoped_leases_cte(scope: Scope, by: str | None) -> tuple[str, dict]:
    """CTE `sl`: the leases of the buildings in scope (the `lease_unit` fact), with their unit's attributes and the
    grouping `grp`."""
    if by is not None and by not in GROUPINGS:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(GROUPINGS)}")
    buildings, params = scope.buildings_sql()
    grp = GROUPINGS[by] if by else "CAST(NULL AS VARCHAR(200))"
    household = "LEFT JOIN household h ON h.code = su.household_code" if by == "income_band" else ""
    return f"""sl AS (
        SELECT su.lease_code, su.household_code, su.start_date, su.end_date, su.monthly_rent,
               su.unit_code, su.building_code, su.intervention_code, su.fund, su.tenure, {grp} AS grp
        FROM lease_unit su {household}
        WHERE su.building_code IN (SELECT building_code FROM ({buildings}) sb))""", params


# Whether a lease runs at the checkpoint, and whether it had ended by then (`sl` × `cal`).
ACTIVE = ("CASE WHEN sl.start_date <= cal.as_of AND (sl.end_date IS NULL OR sl.end_date >= cal.as_of) "
          "THEN 1 ELSE 0 END")
ENDED = "CASE WHEN sl.end_date < cal.as_of THEN 1 ELSE 0 END"


def month_end_positions(before: int | None = None) -> str:
    """CTE `pos` at month ends: the lease's `lease_month` row at the checkpoint's month holds its running sums, the
    month's charges and payments (the period's flows) and the charges overdue by more than `facts.OVERDUE_DAYS`
    days. A period of several months (`before`: the key of the month before it starts) takes its flows as the
    difference from the row at that month's end. Only leases with a movement by the checkpoint have a row."""
    if before is None:
        flows, earlier = "m.month_charged AS period_charged, m.month_cash AS period_cash", ""
    else:
        flows = ("m.charged - COALESCE(b.charged, 0) AS period_charged, "
                 "m.cash - COALESCE(b.cash, 0) AS period_cash")
        earlier = f"LEFT JOIN lease_month b ON b.lease_code = m.lease_code AND b.month_key = {int(before)}"
    return f"""pos AS (
        SELECT sl.*, cal.bucket, cal.as_of, {ACTIVE} AS active, {ENDED} AS ended,
            m.charged, m.credited, m.credited_other, m.overdue, {flows}, m.moves
        FROM lease_month m JOIN cal ON m.month_key = cal.month_key JOIN sl ON sl.lease_code = m.lease_code
        {earlier})"""


def any_day_positions(checkpoints: list[date], *, months: bool, start: date | None,
                      days: int) -> tuple[str, dict]:
    """CTEs up to `pos` at any checkpoints, with every lease in scope at each.

    A lease's running sums at a day are those of the `lease_month` fact at the day's month end when the day is one;
    at any other day, those at the end of the month before plus its movements of the day's own month up to the day
    (the `movement` fact, kept in date order so only those months are read). Each checkpoint needs them at three
    days: the checkpoint, the day before its period starts (the period's flows are the difference) and the overdue
    cut-off (the charges due by then); a day shared by several checkpoints (a month's end is the next month's day
    before) is read once.
    """
    params: dict = {}
    rows, inside_months = [], []
    for i, d in enumerate(checkpoints):
        first = d.replace(day=1) if months else (start or d.replace(day=1))
        days_at = {"a": d, "p": first - timedelta(days=1), "o": d - timedelta(days=days + 1)}
        for what, day in days_at.items():
            rows.append(f"SELECT {month_key(d) if months else 0} AS bucket, '{what}' AS what, "
                        f"{date_param(f'{what}_{i}')} AS day")
            params[f"{what}_{i}"] = day
            if not is_month_end(day):
                inside_months.append(day)
    # the days the movements are read for (the months of the days that are no month end): no other block is read
    params["moves_from"] = min(inside_months, default=checkpoints[-1] + timedelta(days=1)).replace(day=1)
    params["moves_to"] = max(inside_months, default=checkpoints[-1])
    sums = ("charged", "credited", "credited_other", "cash", "moves")
    return f"""points AS ({" UNION ALL ".join(rows)}),
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
        SELECT sl.*, cal.bucket, cal.as_of, {ACTIVE} AS active, {ENDED} AS ended,
            ROUND(COALESCE(a.charged, 0), 2) AS charged, ROUND(COALESCE(a.credited, 0), 2) AS credited,
            ROUND(COALESCE(a.credited_other, 0), 2) AS credited_other, ROUND(COALESCE(o.charged, 0), 2) AS overdue,
            ROUND(COALESCE(a.charged, 0) - COALESCE(b.charged, 0), 2) AS period_charged,
            ROUND(COALESCE(a.cash, 0) - COALESCE(b.cash, 0), 2) AS period_cash,
            COALESCE(a.moves, 0) AS moves
        FROM sl CROSS JOIN cal
        LEFT JOIN at_point a ON a.lease_code = sl.lease_code AND a.bucket = cal.bucket AND a.what = 'a'
        LEFT JOIN at_point b ON b.lease_code = sl.lease_code AND b.bucket = cal.bucket AND b.what = 'p'
        LEFT JOIN at_point o ON o.lease_code = sl.lease_code AND o.bucket = cal.bucket AND o.what = 'o')""", params


def fifo_cte() -> str:
    """CTE `fifo`: `pos` with the FIFO position (balance, arrears, period_unpaid, period_collected, overdue_debt)."""
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


def totals_select(ctes: str) -> str:
    """The `TOTALS` per checkpoint (bucket) and group (grp), on `positions_ctes`: the leases are counted on the
    scope (`fifo` may leave out those without a movement yet, whose position is all zeros)."""
    return f"""WITH {ctes},
        counted AS (
            SELECT cal.bucket, sl.grp, COUNT(*) AS leases, SUM({ACTIVE}) AS active_leases,
                SUM(CASE WHEN {ACTIVE} = 1 THEN 12 * sl.monthly_rent ELSE 0 END) AS annual_rent
            FROM sl CROSS JOIN cal GROUP BY cal.bucket, sl.grp),
        summed AS (
            SELECT bucket, grp, SUM(moves) AS moves, SUM(arrears) AS stock,
                SUM(CASE WHEN ended = 1 THEN arrears ELSE 0 END) AS stock_former,
                SUM(CASE WHEN arrears > 0 THEN 1 ELSE 0 END) AS contracts_in_arrears,
                SUM(CASE WHEN active = 1 THEN arrears ELSE 0 END) AS stock_active,
                SUM(CASE WHEN active = 1 THEN overdue_debt ELSE 0 END) AS households_overdue,
                SUM(period_charged) AS period_charged, SUM(period_unpaid) AS period_unpaid,
                SUM(period_collected) AS period_collected, SUM(period_cash) AS period_cash
            FROM fifo GROUP BY bucket, grp)
        SELECT c.bucket, c.grp, c.leases, COALESCE(s.moves, 0) AS moves, COALESCE(s.stock, 0) AS stock,
            COALESCE(s.stock_former, 0) AS stock_former, COALESCE(s.contracts_in_arrears, 0) AS contracts_in_arrears,
            c.active_leases, COALESCE(s.stock_active, 0) AS stock_active, COALESCE(c.annual_rent, 0) AS annual_rent,
            COALESCE(s.households_overdue, 0) AS households_overdue,
            COALESCE(s.period_charged, 0) AS period_charged, COALESCE(s.period_unpaid, 0) AS period_unpaid,
            COALESCE(s.period_collected, 0) AS period_collected, COALESCE(s.period_cash, 0) AS period_cash
        FROM counted c LEFT JOIN summed s ON s.bucket = c.bucket AND s.grp IS NOT DISTINCT FROM c.grp"""


def building_month_sql() -> str:
    """The query of the `building_month` fact: `totals_select` of every lease, by building, at every month end the
    `lease_month` fact holds (its calendar read from the fact instead of given)."""
    leases, _ = scoped_leases_cte(Scope(), "building")
    keys = "range((SELECT MIN(month_key) FROM lease_month), (SELECT MAX(month_key) FROM lease_month) + 1)"
    calendar = (f"SELECT CAST(k AS INTEGER) AS bucket, last_day(make_date(CAST(k // 12 AS INTEGER), "
                f"CAST(k % 12 + 1 AS INTEGER), 1)) AS as_of, CAST(k AS INTEGER) AS month_key FROM {keys} t(k)")
    ctes = f"""{leases},
    cal AS ({calendar}),
    {month_end_positions()},
    {fifo_cte()}"""
    totals = ", ".join(TOTALS)
    return f"""SELECT bucket AS month_key, grp AS building_code, {totals}
    FROM ({totals_select(ctes)}) t
    ORDER BY month_key"""
