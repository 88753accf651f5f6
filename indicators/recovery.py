"""Old debt recovered under repayment plans (`plan_recovery_eur`), from the arrears cases' events and the ledger.

The query starts from the case pieces of `indicators.case_sql` (the procedure, the scope, `case_event`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Connection, Engine

from indicators.case_sql import case_event_ctes
from indicators.ledger_sql import date_param, sql_month_key
from indicators.results import KpiValue
from indicators.scope import Scope
from indicators.sql import query


def plan_recovery(conn: Connection | Engine, *, as_of: date | None = None, scope: Scope = Scope(),
                  start: date | None = None, end: date | None = None) -> KpiValue:
    """Old debt recovered under repayment plans (`plan_recovery_eur`).

    The ledger does not mark plan instalments, so recovery is measured on the lease's account: payments
    after the plan that exceed the charges falling due meanwhile pay off the debt the plan was signed for
    (first-in first-out).

    Parameters
    ----------
    as_of, scope
        As in `case_status` (`as_of` defaults to `end`: the plans signed by then).
    start, end : date, optional
        Measure only the recovery in [start, end] (a flow, unlike the case counts: the registry's figure is the
        recovery in the period).

    Returns
    -------
    KpiValue
        Per lease with plans (overlapping plans on one lease merged: from the first plan to the last
        closure, or `as_of` while open), over the window (t1, t2], t1 being the first plan or the day before
        `start`, whichever is later, and t2 the last closure or `end`, whichever is earlier:
        recovered = min(Σ plan amounts, debt at t1, max(0, Σ incasso − (Σ addebito due − Σ storno))),
        where debt at t1 = charges due by t1 − all credits by t1. value = numerator = Σ recovered.
        Abbuoni and stralci are not recoveries. Breakdown: plans, planned (Σ importo of the plans).
        None, with a warning, without plans. Source: domain.md, procedura morosità (seme 000).

    The debt at t1 is the lease's `lease_month` row at the last month end by t1 plus its movements since; the
    flows are the movements of the window: only the ledger's blocks from `start`'s month on are read.
    """
    if as_of is None:
        if end is None:
            raise ValueError("plan_recovery: serve la data (as_of) o la fine del periodo (end)")
        as_of = end
    cte, params = case_event_ctes(scope)
    since = start - timedelta(days=1) if start else None  # the debt is taken at the end of the day before
    params.update(as_of=as_of, since=since or date(1, 1, 1), end=min(end or as_of, as_of),
                  moves_from=(since or date(1, 1, 1)).replace(day=1))
    sql = f"""WITH {cte},
        plans AS (
            SELECT case_code, MIN(lease_code) AS lease_code,
                   MIN(CASE WHEN event = 'piano_rientro' THEN event_date END) AS plan_on,
                   MIN(CASE WHEN closes THEN event_date END) AS closed_on,
                   SUM(CASE WHEN event = 'piano_rientro' THEN COALESCE(amount, 0) ELSE 0 END) AS planned
            FROM case_event GROUP BY case_code),
        leases AS (
            SELECT lease_code, MIN(plan_on) AS plan_on, MAX(COALESCE(closed_on, :as_of)) AS until_on,
                   SUM(planned) AS planned
            FROM plans WHERE plan_on IS NOT NULL GROUP BY lease_code),
        spans AS (
            SELECT lease_code, planned, GREATEST(plan_on, {date_param("since")}) AS t1,
                   LEAST(until_on, {date_param("end")}) AS t2
            FROM leases),
        starts AS (  -- t0: the last month end by t1 (the lease_month row there holds the running sums)
            SELECT lease_code, planned, t1, t2,
                   CASE WHEN last_day(t1) = t1 THEN t1 ELSE CAST(date_trunc('month', t1) AS DATE) - 1 END AS t0
            FROM spans WHERE t1 < t2),
        windows AS (  -- the key of t0's month (the last the fact holds, if later), as a column for an equi-join
            SELECT *, CAST(LEAST({sql_month_key("t0")}, (SELECT MAX(month_key) FROM lease_month)) AS INTEGER)
                      AS t0_key
            FROM starts),
        month_end AS (
            SELECT w.lease_code, m.charged - m.credited AS debt
            FROM windows w JOIN lease_month m ON m.lease_code = w.lease_code AND m.month_key = w.t0_key),
        moved AS (
            SELECT w.lease_code,
                   SUM(CASE WHEN le.move_date > w.t1 THEN 0
                            WHEN le.entry_type = 'addebito' THEN le.amount ELSE -le.amount END) AS debt,
                   SUM(CASE WHEN le.move_date <= w.t1 THEN 0
                            WHEN le.entry_type IN ('incasso', 'storno') THEN le.amount
                            WHEN le.entry_type = 'addebito' THEN -le.amount ELSE 0 END) AS surplus
            FROM windows w JOIN ledger_entry le ON le.lease_code = w.lease_code
             AND le.move_date > w.t0 AND le.move_date <= w.t2
            WHERE le.move_date BETWEEN {date_param("moves_from")} AND {date_param("end")}
            GROUP BY w.lease_code),
        flows AS (
            SELECT w.planned, COALESCE(e.debt, 0) + COALESCE(v.debt, 0) AS debt_t1, COALESCE(v.surplus, 0) AS surplus
            FROM windows w LEFT JOIN month_end e ON e.lease_code = w.lease_code
            LEFT JOIN moved v ON v.lease_code = w.lease_code)
        SELECT (SELECT COUNT(*) FROM plans WHERE plan_on IS NOT NULL) AS plans,
               (SELECT COALESCE(SUM(planned), 0) FROM plans WHERE plan_on IS NOT NULL) AS planned,
               (SELECT COALESCE(SUM(CASE
                    WHEN surplus <= 0 OR debt_t1 <= 0 THEN 0
                    WHEN planned <= debt_t1 AND planned <= surplus THEN planned
                    WHEN debt_t1 <= surplus THEN debt_t1 ELSE surplus END), 0) FROM flows) AS recovered"""
    row = query(conn, sql, params).iloc[0]
    return _plan_result(row.plans, row.planned, row.recovered, as_of, start, end)


def _plan_result(plans, planned, recovered, as_of: date, start: date | None, end: date | None) -> KpiValue:
    result = KpiValue("plan_recovery_eur", None, as_of=as_of, start=start, end=end,
                      breakdown={"plans": int(plans), "planned": round(float(planned), 2)})
    if int(plans) == 0:
        result.warnings.append("nessun piano di rientro nel perimetro alla data")
        return result
    result.value = result.numerator = round(float(recovered), 2)
    return result
