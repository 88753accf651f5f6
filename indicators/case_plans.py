"""Repayment-plan recovery (`plan_recovery_eur`) per building at many month ends, in one pass over the ledger.

`indicators.cases.plan_recovery` measures, per lease with plans, the old debt paid off after the first plan:
recovered = min(Σ planned, debt at t1, max(0, surplus over (t1, t2])), with t1 the first plan and t2 the last
closure of the lease's plan cases, or the date asked while one is open. At a month end only t2 and the plans
signed so far change: t1 and the debt at t1 do not. So the surplus at every (lease, month end) comes from one
running sum over the lease's ledger after t1, read at each t2 (window function; no join of the ledger to each
month end). `case_month` keeps the sums per building for the month ends the pages open on.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import text

from indicators.ledger_sql import month_key
from indicators.scope import Scope
from indicators.sql import query, statement

COLUMNS = ["month_key", "building_code", "plans", "planned", "recovered"]


def per_building(conn, ends: list[date]) -> pd.DataFrame:
    """`COLUMNS`: per building with plan cases and month end in `ends`, the cases with a plan signed by then, Σ
    their planned amounts and Σ recovered over each lease's whole window (`plan_recovery` with no start or end)."""
    from indicators.cases import _events_cte

    if not ends:
        return pd.DataFrame(columns=COLUMNS)
    conn.execute(text("CREATE TEMPORARY TABLE cp_end (month_key INTEGER PRIMARY KEY, month_end DATE NOT NULL)"))
    conn.execute(text("INSERT INTO cp_end (month_key, month_end) VALUES (:k, :d)"),
                 [{"k": month_key(d), "d": d} for d in ends])
    cte, params = _events_cte(conn, Scope(), max(ends))
    conn.execute(text("""CREATE TEMPORARY TABLE cp_lease_end (lease_code VARCHAR(60) NOT NULL, month_key INTEGER NOT
        NULL, building_code VARCHAR(60), plans INTEGER, planned FLOAT, t1 DATE, t2 DATE)"""))
    conn.execute(statement(f"""INSERT INTO cp_lease_end WITH {cte},
        case_plan AS (
            SELECT case_code, MIN(lease_code) AS lease_code, MIN(building_code) AS building_code,
                   MIN(CASE WHEN event = 'piano_rientro' THEN event_date END) AS first_plan,
                   MIN(CASE WHEN is_closure = 1 THEN event_date END) AS closed_on
            FROM tagged GROUP BY case_code),
        plan_amount AS (
            SELECT t.case_code, e.month_key, e.month_end, SUM(COALESCE(t.amount, 0)) AS planned
            FROM tagged t JOIN cp_end e ON t.event_date <= e.month_end
            WHERE t.event = 'piano_rientro' GROUP BY t.case_code, e.month_key, e.month_end),
        lease_t1 AS (
            SELECT lease_code, MIN(first_plan) AS t1 FROM case_plan WHERE first_plan IS NOT NULL GROUP BY lease_code)
        SELECT c.lease_code, p.month_key, MIN(c.building_code), COUNT(*), SUM(p.planned), MIN(l.t1),
               MAX(CASE WHEN c.closed_on <= p.month_end THEN c.closed_on ELSE p.month_end END)
        FROM case_plan c JOIN plan_amount p ON p.case_code = c.case_code JOIN lease_t1 l ON l.lease_code = c.lease_code
        GROUP BY c.lease_code, p.month_key""", params), params)
    due = "COALESCE(le.due_date, le.entry_date)"
    frame = query(conn, f"""WITH
        lease_t1 AS (SELECT DISTINCT lease_code, t1 FROM cp_lease_end),
        debt AS (
            SELECT l.lease_code,
                   SUM(CASE WHEN le.entry_type = 'addebito' AND {due} <= l.t1 THEN le.amount
                            WHEN le.entry_type <> 'addebito' AND le.entry_date <= l.t1 THEN -le.amount
                            ELSE 0 END) AS debt_t1
            FROM lease_t1 l JOIN ledger_entry le ON le.lease_code = l.lease_code GROUP BY l.lease_code),
        moves AS (
            SELECT l.lease_code, CASE WHEN le.entry_type = 'addebito' THEN {due} ELSE le.entry_date END AS day,
                   0 AS is_point, CAST(NULL AS INTEGER) AS month_key,
                   CASE WHEN le.entry_type = 'addebito' THEN -le.amount ELSE le.amount END AS flow
            FROM lease_t1 l JOIN ledger_entry le ON le.lease_code = l.lease_code
            WHERE (le.entry_type = 'addebito' AND {due} > l.t1)
               OR (le.entry_type IN ('incasso', 'storno') AND le.entry_date > l.t1)
            UNION ALL
            SELECT lease_code, t2, 1, month_key, 0 FROM cp_lease_end WHERE t1 < t2),
        running AS (
            SELECT lease_code, month_key, is_point,
                   SUM(flow) OVER (PARTITION BY lease_code ORDER BY day, is_point ROWS UNBOUNDED PRECEDING) AS surplus
            FROM moves),
        recovered AS (
            SELECT le.lease_code, le.month_key,
                   CASE WHEN r.surplus IS NULL OR d.debt_t1 IS NULL OR r.surplus <= 0 OR d.debt_t1 <= 0 THEN 0
                        WHEN le.planned <= d.debt_t1 AND le.planned <= r.surplus THEN le.planned
                        WHEN d.debt_t1 <= r.surplus THEN d.debt_t1 ELSE r.surplus END AS recovered
            FROM cp_lease_end le
            LEFT JOIN running r ON r.lease_code = le.lease_code AND r.month_key = le.month_key AND r.is_point = 1
            LEFT JOIN debt d ON d.lease_code = le.lease_code)
        SELECT le.month_key, le.building_code, SUM(le.plans) AS plans, SUM(le.planned) AS planned,
               SUM(rc.recovered) AS recovered
        FROM cp_lease_end le JOIN recovered rc ON rc.lease_code = le.lease_code AND rc.month_key = le.month_key
        GROUP BY le.month_key, le.building_code ORDER BY le.month_key, le.building_code""")
    conn.execute(text("DROP TABLE cp_lease_end"))
    conn.execute(text("DROP TABLE cp_end"))
    return frame.astype({"plans": int, "planned": float, "recovered": float})
