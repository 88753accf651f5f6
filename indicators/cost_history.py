"""Monthly history (storico) of costs and revenue, aggregated in SQL, as long frames ready to forecast.

Every frame has the columns `side` (costi / ricavi), `intervention_code` (None when summed over the
scope), `category`, `month` (the month's first day) and `amount` in euro.
- costs: `consuntivi` per category; a cost reported for a whole year (no month) is split in twelfths;
- tickets: `segnalazioni` costs by ticket category, in the month the ticket closed (a breakdown of
  maintenance: in the sample they are already inside `manutenzione_ordinaria`, so never add the two);
- revenue: rent and other charges billed (ledger charges by accrual month), the expected loss from
  arrears (charges of the month × `arrears_rate_billed` of the month, `arrears.arrears_series`) and
  the void loss (`vacancy.void_loss` month by month).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.arrears import arrears_series
from indicators.ledger_sql import month_ends, sql_month_key
from indicators.scope import Scope
from indicators.sql import query
from indicators.vacancy import void_loss

Conn = Connection | Engine
COSTS, REVENUE = "costi", "ricavi"
COLUMNS = ["side", "intervention_code", "category", "month", "amount"]
REVENUE_CATEGORIES = ("canoni_emessi", "altri_addebiti_emessi", "perdita_attesa_morosita", "mancato_canone_sfitto")
CATEGORY_LABELS = {
    "manutenzione_ordinaria": "Manutenzione ordinaria", "manutenzione_straordinaria": "Manutenzione straordinaria",
    "utenze": "Utenze", "assicurazioni": "Assicurazioni", "imposte": "Imposte", "amministrazione": "Amministrazione",
    "gestione_sociale": "Gestione sociale", "perdite_su_crediti": "Perdite su crediti", "altro": "Altro",
    "canoni_emessi": "Canoni emessi", "altri_addebiti_emessi": "Spese e altri addebiti emessi",
    "perdita_attesa_morosita": "Perdita attesa da morosità", "mancato_canone_sfitto": "Mancato canone da sfitto",
}
_TWELFTHS = " UNION ALL ".join(f"SELECT {m} AS m" for m in range(1, 13))


def category_label(code: str) -> str:
    return CATEGORY_LABELS.get(code, code.replace("_", " ").capitalize())


def scope_filter(scope: Scope, column: str) -> tuple[str, dict]:
    """SQL condition keeping the rows of interventions in scope (all rows, organisation-wide too, for everything)."""
    if scope == Scope.everything():
        return "1 = 1", {}
    # per intervention, not per unit: an intervention with costs but no units loaded is still in scope
    sub, params = scope.interventions_sql()
    return f"{column} IN ({sub})", params


def _frame(raw: pd.DataFrame, side: str, by_intervention: bool) -> pd.DataFrame:
    if raw.empty:  # typed, so that callers can still use `.dt` and sum the amounts
        return pd.DataFrame(columns=COLUMNS).astype({"month": "datetime64[ns]", "amount": float})
    out = raw.assign(side=side, month=pd.to_datetime(dict(year=raw["y"], month=raw["m"], day=1)),
                     amount=raw["amount"].astype(float))
    if not by_intervention:
        out["intervention_code"] = None
    return out[COLUMNS].reset_index(drop=True)


def cost_history(conn: Conn, *, scope: Scope = Scope(), by_intervention: bool = False) -> pd.DataFrame:
    """Monthly actual costs per category (and intervention) from `actual_cost`; yearly rows in twelfths."""
    where, params = scope_filter(scope, "c.intervention_code")
    group = "c.intervention_code, " if by_intervention else ""
    sql = (f"SELECT {group}c.category, c.year AS y, COALESCE(c.month, t.m) AS m, "
           "SUM(CASE WHEN c.month IS NULL THEN c.amount / 12.0 ELSE c.amount END) AS amount "
           f"FROM actual_cost c JOIN ({_TWELFTHS}) t ON c.month IS NULL OR t.m = 1 WHERE {where} "
           f"GROUP BY {group}c.category, c.year, COALESCE(c.month, t.m) ORDER BY {group}c.category, 3, 4")
    return _frame(query(conn, sql, params), COSTS, by_intervention)


def ticket_cost_history(conn: Conn, *, scope: Scope = Scope(), by_intervention: bool = False) -> pd.DataFrame:
    """Monthly costs of closed tickets per ticket category (and intervention), by month of closing."""
    units, params = scope.units_sql()
    key = sql_month_key("t.closed_on")
    group = "b.intervention_code, " if by_intervention else ""
    sql = (f"SELECT {group}t.category, {key} // 12 AS y, {key} % 12 + 1 AS m, SUM(t.cost) AS amount "
           "FROM ticket t JOIN building b ON b.code = t.building_code "
           "WHERE t.closed_on IS NOT NULL AND t.cost IS NOT NULL "
           f"AND b.code IN (SELECT building_code FROM ({units}) su) "
           f"GROUP BY {group}t.category, {key} ORDER BY {group}t.category, {key}")
    return _frame(query(conn, sql, params), COSTS, by_intervention)


def billed_history(conn: Conn, *, scope: Scope = Scope(), by_intervention: bool = False) -> pd.DataFrame:
    """Rent and other charges billed per accrual month (ledger charges, less reversals are not netted here)."""
    units, params = scope.units_sql()
    key = sql_month_key("e.accrual_month")
    group = "su.intervention_code, " if by_intervention else ""
    category = "CASE WHEN e.item = 'canone' THEN 'canoni_emessi' ELSE 'altri_addebiti_emessi' END"
    sql = (f"SELECT {group}{category} AS category, {key} // 12 AS y, {key} % 12 + 1 AS m, SUM(e.amount) AS amount "
           f"FROM ledger_entry e JOIN lease l ON l.code = e.lease_code JOIN ({units}) su ON su.unit_code = l.unit_code "
           f"WHERE e.entry_type = 'addebito' GROUP BY {group}{category}, {key} ORDER BY 1, 2, 3")
    return _frame(query(conn, sql, params), REVENUE, by_intervention)


def revenue_history(conn: Conn, *, start: date, end: date, scope: Scope = Scope()) -> pd.DataFrame:
    """Billed rent and charges, expected loss from arrears and void loss per month in [start, end], over the scope."""
    billed = billed_history(conn, scope=scope)
    billed = billed[(billed["month"] >= pd.Timestamp(start)) & (billed["month"] <= pd.Timestamp(end))]
    months = month_ends(start, end)
    if not months:
        return billed.reset_index(drop=True)
    rates = arrears_series(conn, start=months[0], end=months[-1], scope=scope)
    rates["month"] = pd.to_datetime(rates["month"]).dt.to_period("M").dt.to_timestamp()
    charged = billed.groupby("month")["amount"].sum()
    rate = pd.to_numeric(rates.set_index("month")["rate_billed"], errors="coerce").fillna(0) / 100
    loss = (charged * rate.reindex(charged.index).fillna(0)).rename("amount").reset_index()
    voids = [(m.replace(day=1), void_loss(conn, start=m.replace(day=1), end=m, scope=scope).value or 0.0)
             for m in months]  # one query per month: void_loss's definition, not a re-implementation
    extra = pd.concat([loss.assign(category="perdita_attesa_morosita"),
                       pd.DataFrame(voids, columns=["month", "amount"]).assign(category="mancato_canone_sfitto")])
    extra = extra.assign(side=REVENUE, intervention_code=None, month=pd.to_datetime(extra["month"]))
    both = pd.concat([billed, extra[COLUMNS]], ignore_index=True)
    return both.sort_values(["category", "month"]).reset_index(drop=True)


def last_actual_month(conn: Conn) -> date | None:
    """The first day of the latest month with an actual cost."""
    frame = query(conn, "SELECT MAX(year * 12 + COALESCE(month, 12) - 1) AS k FROM actual_cost")
    k = frame.iat[0, 0] if not frame.empty else None
    return None if k is None or pd.isna(k) else date(int(k) // 12, int(k) % 12 + 1, 1)


def actual_years(conn: Conn) -> list[int]:
    """The years with at least one actual cost, oldest first (the years a budget can be checked against)."""
    return [int(y) for y in query(conn, "SELECT DISTINCT year FROM actual_cost ORDER BY year")["year"]]
