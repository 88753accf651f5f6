"""The gestore sociale's own community work (file «attivita_comunita»): activities, participants, households
reached and hours per intervention, building, activity type and year, with the change from the year before.

Conventions: an activity counts in the period when its day falls in [start, end]. Participants and households are
contacts summed over the activities (a person at three assemblies counts three times), as the register records
them. A scope keeps the activities of its interventions; with a building limit, those of the allowed buildings and
those recorded for the whole intervention (no building). The labs' registers are not here: a lab linked to an
intervention is shown apart, as the lab's (`indicators.track_record`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import date_param
from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query

MEASURES = ("activities", "participants", "households_reached", "hours")
KPI_OF = {"activities": "community_activities", "participants": "community_participants",
          "households_reached": "community_households_reached", "hours": "community_hours"}
GROUPS = {"activity_type": "c.activity_type", "intervention": "c.intervention_code", "building": "c.building_code",
          "fund": "i.fund", "sgr": "i.sgr", "year": "EXTRACT(year FROM c.activity_date)"}
_NONE = "nessuna attività di comunità registrata nel periodo nel perimetro"


def _activities(scope: Scope) -> tuple[str, dict]:
    """FROM/WHERE of the register's activities in scope (alias c, with its intervention i)."""
    interventions, params = scope.interventions_sql()
    where = f" WHERE c.intervention_code IN ({interventions})"
    if scope.buildings is not None:
        where += " AND (c.building_code IS NULL OR c.building_code IN :scope_buildings)"
    return "community_activity c JOIN intervention i ON i.code = c.intervention_code" + where, params


def community_register(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                       by: str | None = "activity_type") -> pd.DataFrame:
    """The register's activities in [start, end] per group: group, activities, participants, households_reached,
    hours (sums; None where no activity of the group recorded the measure)."""
    if start > end:
        raise ValueError(f"Periodo non valido: l'inizio {start} è successivo alla fine {end}.")
    group = "'totale'" if by is None else GROUPS.get(by)
    if group is None:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(GROUPS)}.")
    source, params = _activities(scope)
    frame = query(conn, f"""SELECT {group} AS grp, COUNT(*) AS activities, SUM(c.participants) AS participants,
            SUM(c.households_reached) AS households_reached, SUM(c.hours) AS hours
        FROM {source} AND c.activity_date >= {date_param('start')} AND c.activity_date <= {date_param('end')}
        GROUP BY grp ORDER BY grp""", {**params, "start": start.isoformat(), "end": end.isoformat()})
    frame = frame.rename(columns={"grp": "group"})
    if by == "year":
        frame["group"] = frame["group"].astype(int)
    frame.attrs["kpi"] = "community_activities"
    return frame


def community_kpi(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                  by: str | None = None, measure: str = "activities") -> KpiValue | pd.DataFrame:
    """One measure of the register over the period (`community_activities`, `community_participants`,
    `community_households_reached`, `community_hours`); the others in the breakdown."""
    code = KPI_OF[measure]
    frame = community_register(conn, start=start, end=end, scope=scope, by=by)
    if by is not None:
        out = frame.assign(value=frame[measure])
        out.attrs["kpi"] = code
        return out
    totals = {m: (float(frame[m].sum()) if frame[m].notna().any() else None) for m in MEASURES}
    result = KpiValue(code, totals[measure] if totals["activities"] else None, start=start, end=end,
                      breakdown={m: v for m, v in totals.items() if m != measure and v is not None})
    if not totals["activities"]:
        result.warnings.append(_NONE)
    return result


def community_years(conn: Connection | Engine, *, first_year: int, last_year: int, scope: Scope = Scope(),
                    by: str | None = "intervention") -> pd.DataFrame:
    """The register year by year (per group with `by`): every year from `first_year` to `last_year` for each group
    with activity, zero where none, with the change from the year before.

    Columns: group, year, activities, participants, households_reached, hours, and for each measure
    `<measure>_change` (absolute) and `<measure>_change_pct` (relative, None from a zero year).
    """
    if by is None:
        frame = community_register(conn, start=date(first_year, 1, 1), end=date(last_year, 12, 31), scope=scope,
                                   by="year").rename(columns={"group": "year"}).assign(group="totale")
    else:
        frame = _by_year(conn, first_year, last_year, scope, by)
    groups = sorted(frame["group"].dropna().unique().tolist()) if not frame.empty else []
    grid = pd.MultiIndex.from_product([groups, range(first_year, last_year + 1)], names=["group", "year"])
    full = frame.set_index(["group", "year"])[list(MEASURES)].reindex(grid).reset_index()
    full["activities"] = full["activities"].fillna(0).astype(int)
    for m in MEASURES:
        if m != "activities":
            full[m] = full[m].where(full["activities"] > 0, 0.0).astype(float)
        previous = full.groupby("group")[m].shift()
        full[f"{m}_change"] = full[m] - previous
        full[f"{m}_change_pct"] = [ratio(now - before, before) if before else None
                                   for now, before in zip(full[m], previous.fillna(0))]
    full.attrs["kpi"] = "community_activities"
    return full


def _by_year(conn, first_year: int, last_year: int, scope: Scope, by: str) -> pd.DataFrame:
    group = GROUPS.get(by)
    if group is None or by == "year":
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(g for g in GROUPS if g != 'year')}.")
    source, params = _activities(scope)
    frame = query(conn, f"""SELECT {group} AS grp, EXTRACT(year FROM c.activity_date) AS year, COUNT(*) AS activities,
            SUM(c.participants) AS participants, SUM(c.households_reached) AS households_reached, SUM(c.hours) AS hours
        FROM {source} AND c.activity_date >= {date_param('start')} AND c.activity_date <= {date_param('end')}
        GROUP BY grp, year""", {**params, "start": date(first_year, 1, 1).isoformat(),
                                "end": date(last_year, 12, 31).isoformat()})
    return frame.rename(columns={"grp": "group"}).astype({"year": int})
