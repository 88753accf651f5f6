"""Outputs of the Laboratori Sociali di Quartiere: what was done, from the activity registers.

Activities, participants, households reached and taken in charge, hours and volunteers, per lab, per
ambito, per month or in total, and the cost per household reached where the lab's cost is known.
Reach is summed over activities (the registers do not identify households), so a household that came
to three activities counts three times: the label says "contatti" where it matters.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators.ledger_sql import sql_month_key
from indicators.sql import query

OUTPUTS = ("activities", "participants", "households_reached", "households_taken_in_charge", "hours", "volunteers")
GROUPS = {"lab": "a.lab_code", "area_of_action": "a.area_of_action", "activity_type": "a.activity_type",
          "total": "'totale'"}
AMBITI = ("rappresentanza", "intermediazione", "autogestione", "morosita_incolpevole", "disagio_sociale")
AMBITO_LABELS = {"rappresentanza": "Promozione della rappresentanza",
                 "intermediazione": "Organizzazione dell'intermediazione",
                 "autogestione": "Promozione dell'autogestione",
                 "morosita_incolpevole": "Contrasto alla morosità incolpevole",
                 "disagio_sociale": "Contrasto al disagio sociale"}


def _where(labs, start: date | None, end: date | None) -> tuple[str, dict]:
    clauses: list[str] = []
    params: dict[str, object] = {}
    if labs:
        clauses.append("a.lab_code IN :labs")
        params["labs"] = list(labs)
    if start is not None:
        clauses.append("a.activity_date >= :start")
        params["start"] = start
    if end is not None:
        clauses.append("a.activity_date <= :end")
        params["end"] = end
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def lab_outputs(conn, *, by: str = "lab", labs: list[str] | None = None, start: date | None = None,
                end: date | None = None) -> pd.DataFrame:
    """Output counts grouped `by` one of lab, area_of_action, activity_type, month, total.

    Returns
    -------
    DataFrame
        group, activities (count of register rows), participants, households_reached (contacts, summed over
        activities), households_taken_in_charge, hours, volunteers (summed over activities); for `by="lab"`
        and `"total"` also total_cost and cost_per_household_eur = cost / households reached (None when
        the cost is unknown or nobody was reached). For `month`, group is the first day of the month.
    """
    group = sql_month_key("a.activity_date") if by == "month" else GROUPS.get(by)
    if group is None:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join([*GROUPS, 'month'])}.")
    where, params = _where(labs, start, end)
    frame = query(conn, f"""
        SELECT {group} AS grp, count(*) AS activities, sum(a.participants) AS participants,
            sum(a.households_reached) AS households_reached,
            sum(a.households_taken_in_charge) AS households_taken_in_charge,
            sum(a.hours) AS hours, sum(a.volunteers) AS volunteers
        FROM lab_activity a{where}{"" if by == "total" else f" GROUP BY {group} ORDER BY {group}"}""",
                  params).rename(columns={"grp": "group"})
    for column in OUTPUTS:
        frame[column] = pd.to_numeric(frame[column]).astype(float)
    if by == "month":
        frame["group"] = [date(int(k) // 12, int(k) % 12 + 1, 1) for k in frame["group"]]
    if by in ("lab", "total"):
        frame = _with_costs(conn, frame, by, labs)
    frame.attrs["kpi"] = "lab_activities"
    return frame


def _with_costs(conn, frame: pd.DataFrame, by: str, labs) -> pd.DataFrame:
    costs = lab_catalogue(conn, labs=labs)[["code", "total_cost"]]
    if by == "lab":
        frame = frame.merge(costs.rename(columns={"code": "group"}), on="group", how="left")
    else:
        reached = lab_outputs(conn, by="lab", labs=labs)
        known = reached[reached["total_cost"].notna()]
        frame["total_cost"] = known["total_cost"].sum() if len(known) else None
        frame["households_reached_with_cost"] = known["households_reached"].sum() if len(known) else None
    denominator = frame.get("households_reached_with_cost", frame["households_reached"])
    per_household = [c / n if c is not None and pd.notna(c) and n else None for c, n in zip(frame["total_cost"],
                                                                                                denominator)]
    frame["cost_per_household_eur"] = pd.Series(per_household, index=frame.index, dtype=object)
    return frame.drop(columns=["households_reached_with_cost"], errors="ignore")


def lab_catalogue(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """The labs: code, title, lead_body, municipality, district, ambiti (list), start, end, costs."""
    where, params = ("WHERE code IN :labs", {"labs": list(labs)}) if labs else ("", {})
    frame = query(conn, f"""SELECT code, title, lead_body, municipality, district, areas_of_action, start_date,
        end_date, total_cost, regional_contribution FROM lab {where} ORDER BY code""", params)
    frame["ambiti"] = [[a.strip() for a in (v if isinstance(v, str) else "").split(",") if a.strip()]
                       for v in frame["areas_of_action"]]
    for column in ("start_date", "end_date"):
        frame[column] = [None if v is None or pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    for column in ("total_cost", "regional_contribution"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame.drop(columns=["areas_of_action"])


def outputs_by_ambito_of_lab(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """Labs compared by the ambiti they declared: one row per (ambito, lab) with the lab's outputs.

    A lab with three ambiti appears under each: the regional evaluation grouped labs this way.
    """
    per_lab = lab_outputs(conn, by="lab", labs=labs)
    catalogue = lab_catalogue(conn, labs=labs)[["code", "ambiti"]].explode("ambiti").dropna()
    out = catalogue.merge(per_lab, left_on="code", right_on="group").drop(columns=["group"])
    return out.rename(columns={"ambiti": "ambito", "code": "lab"}).reset_index(drop=True)
