"""Facility management (segnalazioni): time to close, backlog and cost per unit, by category or portfolio level.

Conventions: a ticket is *closed in the period* when its closing day falls in [start, end]; its time to close
is closing day − opening day in calendar days. The *backlog* at D holds the tickets opened on or before D and
not closed by D. A ticket's cost counts when it is closed in the period (the cost of open tickets is not final).
Tickets belong to a building; a scope keeps the buildings that hold units in scope.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import date_param, day_diff
from indicators.results import KpiValue, ratio
from indicators.scope import GROUPINGS, Scope
from indicators.sql import query

BUILDING_GROUPINGS = ("sgr", "fund", "intervention", "building")
TICKET_FIELDS = {"category": "t.category", "urgency": "t.urgency", "supplier": "t.supplier"}  # the ticket's own
SUMMARY_COLUMNS = ["group", "opened", "closed", "days_mean", "days_median", "backlog", "cost", "units",
                   "cost_per_unit"]
_NO_CLOSED = "nessuna segnalazione chiusa nel periodo nel perimetro"
_NO_UNITS = "nessun alloggio in gestione nel perimetro alla fine del periodo"


def _group(by: str | None) -> str:
    if by is None:
        return "'totale'"
    if by in TICKET_FIELDS:
        return TICKET_FIELDS[by]
    if by not in BUILDING_GROUPINGS:
        raise ValueError(f"Raggruppamento non previsto per le segnalazioni: «{by}». Ammessi: category, urgency, "
                         "supplier, "
                         + ", ".join(BUILDING_GROUPINGS) + ".")
    return GROUPINGS[by]


def _tickets(conn, scope: Scope, by: str | None) -> tuple[str, dict]:
    """SQL of the tickets in scope: grp, opened_on, closed_on, cost, days (to close)."""
    units, params = scope.units_sql()
    sql = (f"SELECT {_group(by)} AS grp, t.opened_on, t.closed_on, t.cost, "
           f"{day_diff('t.closed_on', 't.opened_on')} AS days FROM ticket t JOIN (SELECT DISTINCT "
           f"building_code, intervention_code, fund, sgr FROM ({units}) x) su ON su.building_code = t.building_code")
    return sql, params


def _units(conn, scope: Scope, by: str | None, end: date) -> pd.DataFrame:
    """Units managed at `end` per group (one total for a category grouping: the units share every category)."""
    units, params = scope.units_sql()
    group = _group(None if by is None or by in TICKET_FIELDS else by)
    return query(conn, f"SELECT {group} AS grp, COUNT(*) AS units FROM ({units}) su JOIN intervention i "
                 f"ON i.code = su.intervention_code WHERE i.management_start IS NULL OR i.management_start <= "
                 f"{date_param('end')} GROUP BY grp", {**params, "end": end.isoformat()})


def ticket_summary(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                   by: str | None = "category") -> pd.DataFrame:
    """Tickets per group over [start, end]: opened, closed, time to close, backlog at `end`, cost per unit.

    Returns
    -------
    DataFrame
        `SUMMARY_COLUMNS`: opened and closed in the period; days_mean and days_median to close (tickets closed
        in the period); backlog at `end`; cost of the tickets closed in the period; units managed at `end`
        (the scope's total for a category grouping); cost_per_unit = cost / units.
    """
    if start > end:
        raise ValueError(f"Periodo non valido: l'inizio {start} è successivo alla fine {end}.")
    tickets, params = _tickets(conn, scope, by)
    s, e = date_param("start"), date_param("end")
    closed = f"t.closed_on >= {s} AND t.closed_on <= {e}"
    params.update(start=start.isoformat(), end=end.isoformat())
    frame = query(conn, f"""SELECT grp,
            SUM(CASE WHEN t.opened_on >= {s} AND t.opened_on <= {e} THEN 1 ELSE 0 END) AS opened,
            SUM(CASE WHEN {closed} THEN 1 ELSE 0 END) AS closed,
            AVG(CASE WHEN {closed} THEN t.days END) AS days_mean,
            SUM(CASE WHEN t.opened_on <= {e} AND (t.closed_on IS NULL OR t.closed_on > {e}) THEN 1 ELSE 0 END)
                AS backlog,
            SUM(CASE WHEN {closed} THEN COALESCE(t.cost, 0) ELSE 0 END) AS cost
        FROM ({tickets}) t GROUP BY grp ORDER BY grp""", params)
    if by is None and frame.empty:  # no ticket in the scope: zero of each, over the units it manages
        frame = pd.DataFrame([{"grp": None, "opened": 0, "closed": 0, "days_mean": None, "backlog": 0, "cost": 0.0}])
    days = query(conn, f"SELECT grp, days FROM ({tickets}) t WHERE {closed}", params)
    frame["days_median"] = frame["grp"].map(days.groupby("grp")["days"].median()).astype(float)
    units = _units(conn, scope, by, end)
    frame["units"] = (int(units["units"].sum()) if by is None or by in TICKET_FIELDS
                      else frame["grp"].map(dict(zip(units["grp"], units["units"]))).fillna(0).astype(int))
    frame["cost_per_unit"] = [ratio(c, n, scale=1.0) for c, n in zip(frame["cost"], frame["units"])]
    return frame.rename(columns={"grp": "group"})[SUMMARY_COLUMNS]


def _kpi(code: str, frame: pd.DataFrame, value: str, num: str, den: str, by: str | None, *, empty: str,
         **dates) -> KpiValue | pd.DataFrame:
    if by is not None:
        out = frame.assign(value=frame[value], numerator=frame[num], denominator=frame[den])
        out.attrs["kpi"] = code
        return out
    row = frame.iloc[0] if len(frame) else pd.Series(dict.fromkeys([*SUMMARY_COLUMNS, num, den], 0))  # no ticket
    result = KpiValue(code, None, numerator=float(row[num] or 0), denominator=float(row[den] or 0), **dates,
                      breakdown={k: (None if pd.isna(row[k]) else float(row[k])) for k in SUMMARY_COLUMNS[1:]})
    if result.denominator:
        result.value = None if pd.isna(row[value]) else float(row[value])
    else:
        result.warnings.append(empty)
    return result


def ticket_days_to_close(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                         by: str | None = None) -> KpiValue | pd.DataFrame:
    """Mean calendar days from opening to closing of the tickets closed in [start, end] (`ticket_days_to_close`);
    breakdown holds the median and the other columns of `ticket_summary`."""
    frame = ticket_summary(conn, start=start, end=end, scope=scope, by=by)
    frame = frame.assign(total_days=frame["days_mean"] * frame["closed"])
    return _kpi("ticket_days_to_close", frame, "days_mean", "total_days", "closed", by, empty=_NO_CLOSED,
                start=start, end=end)


def ticket_backlog(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                   by: str | None = None) -> KpiValue | pd.DataFrame:
    """Tickets open at D: opened on or before D, not closed by D (`ticket_backlog`); denominator: units managed."""
    frame = ticket_summary(conn, start=as_of, end=as_of, scope=scope, by=by)
    return _kpi("ticket_backlog", frame, "backlog", "backlog", "units", by, empty=_NO_UNITS, as_of=as_of)


def ticket_cost_per_unit(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                         by: str | None = None) -> KpiValue | pd.DataFrame:
    """Cost of the tickets closed in [start, end] / units managed at `end` (`ticket_cost_per_unit_eur`)."""
    frame = ticket_summary(conn, start=start, end=end, scope=scope, by=by)
    return _kpi("ticket_cost_per_unit_eur", frame, "cost_per_unit", "cost", "units", by, empty=_NO_UNITS,
                start=start, end=end)
