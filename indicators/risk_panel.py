"""The month-end panel the arrears risk model learns from: per lease and month end, its FIFO position (balance,
oldest unpaid charge, more than 90 days overdue or not) and its case history up to that day.

One SQL text over the positions of `indicators.ledger` (FIFO on the `lease_charge` fact); nothing in a row uses
a movement or an event after the row's own month end, so a row is what a warehouse truncated at that day gives.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.cases import CLOSURES
from indicators.ledger import positions_ctes
from indicators.scope import Scope
from indicators.sql import query

Conn = Connection | Engine
OVERDUE_DAYS = 90
PLAN_EVENTS = ("piano_rientro", "microcredito", "fondo_solidarieta")
EVICTION_EVENTS = ("sfratto_avviato", "sfratto_convalidato", "sfratto_eseguito")
PANEL_COLUMNS = ["lease_code", "month_end", "active", "monthly_rent", "start_date", "income_band", "arrears",
                 "overdue_90", "first_unpaid_due", "cases_before", "open_cases", "plans_before", "evictions_before"]


def monthly_panel(conn: Conn, *, months: list[date], scope: Scope = Scope()) -> pd.DataFrame:
    """`PANEL_COLUMNS`, one row per lease in scope and month end of `months` (in order, each a month end).

    arrears: FIFO arrears at the month end; overdue_90: the oldest unpaid charge is more than 90 days old;
    first_unpaid_due: its due date; cases_before / open_cases: cases opened by then / of them not closed by then;
    plans_before: plans, microcredits and hardship funds signed by then; evictions_before: eviction events by then.
    """
    if not months:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    ctes, params = positions_ctes(conn, scope=scope, as_of=months[-1], months=months, days=OVERDUE_DAYS)
    params.update(closures=list(CLOSURES), plans=list(PLAN_EVENTS), evictions=list(EVICTION_EVENTS))
    sql = f"""WITH {ctes},
        oldest AS (
            SELECT f.lease_code, f.bucket, MIN(c.due_date) AS first_unpaid_due
            FROM fifo f JOIN lease_charge c ON c.lease_code = f.lease_code
                 AND ROUND(c.through - f.credited, 2) > 0 AND c.due_date <= f.as_of
            WHERE f.arrears > 0 GROUP BY f.lease_code, f.bucket),
        case_spans AS (
            SELECT case_code, MIN(lease_code) AS lease_code, MIN(event_date) AS opened_on,
                   MIN(CASE WHEN event IN :closures THEN event_date END) AS closed_on
            FROM arrears_case_event WHERE lease_code IN (SELECT lease_code FROM sl) GROUP BY case_code),
        case_counts AS (
            SELECT cal.bucket, s.lease_code, COUNT(*) AS cases_before,
                   SUM(CASE WHEN s.closed_on IS NULL OR s.closed_on > cal.as_of THEN 1 ELSE 0 END) AS open_cases
            FROM cal JOIN case_spans s ON s.opened_on <= cal.as_of GROUP BY cal.bucket, s.lease_code),
        event_counts AS (
            SELECT cal.bucket, e.lease_code,
                   SUM(CASE WHEN e.event IN :plans THEN 1 ELSE 0 END) AS plans_before,
                   SUM(CASE WHEN e.event IN :evictions THEN 1 ELSE 0 END) AS evictions_before
            FROM cal JOIN arrears_case_event e ON e.event_date <= cal.as_of
            WHERE e.lease_code IN (SELECT lease_code FROM sl) GROUP BY cal.bucket, e.lease_code)
        SELECT f.lease_code, f.as_of AS month_end, f.active, f.monthly_rent, f.start_date, h.income_band,
            f.arrears, f.overdue_debt AS overdue_90, o.first_unpaid_due,
            COALESCE(cc.cases_before, 0) AS cases_before, COALESCE(cc.open_cases, 0) AS open_cases,
            COALESCE(ec.plans_before, 0) AS plans_before, COALESCE(ec.evictions_before, 0) AS evictions_before
        FROM fifo f LEFT JOIN household h ON h.code = f.household_code
        LEFT JOIN oldest o ON o.lease_code = f.lease_code AND o.bucket = f.bucket
        LEFT JOIN case_counts cc ON cc.lease_code = f.lease_code AND cc.bucket = f.bucket
        LEFT JOIN event_counts ec ON ec.lease_code = f.lease_code AND ec.bucket = f.bucket
        WHERE f.start_date <= f.as_of
        ORDER BY f.lease_code, f.as_of"""
    frame = query(conn, sql, params)
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.reindex(columns=PANEL_COLUMNS)
    for col in ("month_end", "start_date", "first_unpaid_due"):
        frame[col] = pd.to_datetime(frame[col])
    for col in ("monthly_rent", "arrears"):
        frame[col] = frame[col].astype(float).round(2)
    for col in ("active", "overdue_90", "cases_before", "open_cases", "plans_before", "evictions_before"):
        frame[col] = frame[col].astype(int)
    frame["income_band"] = frame["income_band"].astype(object).where(frame["income_band"].notna(), None)
    return frame
