"""The tenancy pipeline: leases ending in the next 3, 6 and 12 months, the relets they call for and the void loss
they risk, from the history of relet times.

Conventions: a lease *ends in the next N months* when its `data_fine` falls after D and on or before D + N months
(a lease still occupies its unit on its last day). The unit of an ending lease is *to relet* when it is lettable
today (status `locabile` or not given): units for sale, under works or unlettable do not go back to letting.
The *void loss at risk* of a unit to relet is its monthly rent (the unit's, else the lease's) × the mean relet time
of its intervention over the three years before D / 30.4375 days; an intervention without relets in those years
takes the mean of the whole scope. Relet times count as in `relet_days`: from the previous lease's end to the next
lease's start on the same unit, first lets and overlapping dates excluded.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import date_param
from indicators.results import KpiValue
from indicators.scope import GROUPINGS, Scope
from indicators.sql import query
from indicators.vacancy import DAYS_PER_MONTH

WINDOWS = (3, 6, 12)
HISTORY_YEARS = 3
PIPELINE_GROUPINGS = ("sgr", "fund", "intervention", "building", "tenure")
PIPELINE_COLUMNS = ["group", "ending_3", "ending_6", "ending_12", "expected_relets", "rent_at_risk",
                    "relet_days_mean", "void_loss_risk"]
_NONE = "nessun contratto in scadenza nei prossimi 12 mesi nel perimetro"


def _months_after(day: date, months: int) -> date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def _history(units: str) -> str:
    """`hist`: mean relet days per intervention over (h0, as_of]."""
    return (f"hist AS (SELECT su.intervention_code, SUM(s.next_start - s.previous_end) AS days, COUNT(*) AS relets "
            "FROM (SELECT l.unit_code, l.start_date AS next_start, LAG(l.code) OVER w AS previous_lease, "
            "LAG(l.end_date) OVER w AS previous_end FROM lease l "
            "WINDOW w AS (PARTITION BY l.unit_code ORDER BY l.start_date, l.code)) s "
            f"JOIN ({units}) su ON su.unit_code = s.unit_code WHERE s.previous_lease IS NOT NULL "
            "AND s.previous_end IS NOT NULL AND s.previous_end <= s.next_start "
            f"AND s.next_start > {date_param('h0')} AND s.next_start <= {date_param('as_of')} "
            "GROUP BY su.intervention_code), "
            "whole AS (SELECT SUM(days) * 1.0 / NULLIF(SUM(relets), 0) AS days FROM hist)")


def lease_pipeline(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                   by: str | None = "intervention") -> pd.DataFrame:
    """Leases ending after D per group (`PIPELINE_COLUMNS`): ending within 3, 6 and 12 months; expected_relets (of
    the 12 months, lettable units); rent_at_risk (their monthly rent); relet_days_mean (history, weighted over the
    units to relet); void_loss_risk in euro."""
    if by is not None and by not in PIPELINE_GROUPINGS:
        raise ValueError(f"Raggruppamento non previsto: «{by}». Ammessi: {', '.join(PIPELINE_GROUPINGS)}.")
    units, params = scope.units_sql()
    group = "'totale'" if by is None else GROUPINGS[by]
    params.update(as_of=as_of.isoformat(), h0=_months_after(as_of, -12 * HISTORY_YEARS).isoformat(),
                  **{f"d{m}": _months_after(as_of, m).isoformat() for m in WINDOWS})
    frame = query(conn, f"""WITH {_history(units)},
        ending AS (SELECT {group} AS grp, su.intervention_code, l.end_date,
                COALESCE(su.unit_rent, l.monthly_rent) AS rent,
                (su.status IS NULL OR su.status = 'locabile') AS lettable
            FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code
            WHERE l.end_date > {date_param('as_of')} AND l.end_date <= {date_param('d12')}),
        priced AS (SELECT e.*, COALESCE(h.days * 1.0 / NULLIF(h.relets, 0), (SELECT days FROM whole)) AS relet_days
            FROM ending e LEFT JOIN hist h ON h.intervention_code = e.intervention_code)
        SELECT grp, SUM(CASE WHEN end_date <= {date_param('d3')} THEN 1 ELSE 0 END) AS ending_3,
            SUM(CASE WHEN end_date <= {date_param('d6')} THEN 1 ELSE 0 END) AS ending_6, COUNT(*) AS ending_12,
            SUM(CASE WHEN lettable THEN 1 ELSE 0 END) AS expected_relets,
            SUM(CASE WHEN lettable THEN rent ELSE 0 END) AS rent_at_risk,
            AVG(CASE WHEN lettable THEN relet_days END) AS relet_days_mean,
            SUM(CASE WHEN lettable THEN rent * relet_days / {DAYS_PER_MONTH} END) AS void_loss_risk
        FROM priced GROUP BY grp ORDER BY grp""", params)
    frame = frame.rename(columns={"grp": "group"})[PIPELINE_COLUMNS]
    for column in ("ending_3", "ending_6", "ending_12", "expected_relets"):
        frame[column] = frame[column].astype(int)
    frame.attrs["kpi"] = "leases_ending"
    return frame


def _kpi(code: str, value: str, conn, as_of: date, scope: Scope, by: str | None) -> KpiValue | pd.DataFrame:
    frame = lease_pipeline(conn, as_of=as_of, scope=scope, by=by)
    if by is not None:
        out = frame.assign(value=frame[value])
        out.attrs["kpi"] = code
        return out
    row = frame.iloc[0] if len(frame) else pd.Series({c: 0 for c in PIPELINE_COLUMNS[1:]} | {"relet_days_mean": None})
    breakdown: dict[str, float | None] = {c: float(row[c]) for c in PIPELINE_COLUMNS[1:]
                                          if c != value and not pd.isna(row[c])}
    result = KpiValue(code, None if pd.isna(row[value]) else float(row[value]), as_of=as_of, breakdown=breakdown)
    if not row["ending_12"]:
        result.value = 0.0
        result.warnings.append(_NONE)
    return result


def leases_ending(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                  by: str | None = None) -> KpiValue | pd.DataFrame:
    """Leases ending in the 12 months after D (`leases_ending`); the 3 and 6 months and the relets in the breakdown."""
    return _kpi("leases_ending", "ending_12", conn, as_of, scope, by)


def void_loss_risk(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                   by: str | None = None) -> KpiValue | pd.DataFrame:
    """Void loss at risk on the units to relet of the leases ending in the 12 months after D
    (`void_loss_risk_eur`)."""
    return _kpi("void_loss_risk_eur", "void_loss_risk", conn, as_of, scope, by)


def units_coming_free(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                      months: int = 12) -> pd.DataFrame:
    """The units whose lease ends in the next `months` (the offer side of allocation): unit_code, building_code,
    intervention_code, tenure, end_date, monthly_rent, floor_area_m2, rooms, lettable."""
    units, params = scope.units_sql()
    params.update(as_of=as_of.isoformat(), until=_months_after(as_of, months).isoformat())
    return query(conn, f"""SELECT su.unit_code, su.building_code, su.intervention_code, su.tenure, l.end_date,
            COALESCE(su.unit_rent, l.monthly_rent) AS monthly_rent, u.floor_area_m2, u.rooms,
            (su.status IS NULL OR su.status = 'locabile') AS lettable
        FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code JOIN unit u ON u.code = su.unit_code
        WHERE l.end_date > {date_param('as_of')} AND l.end_date <= {date_param('until')}
        ORDER BY l.end_date, su.unit_code""", params)
