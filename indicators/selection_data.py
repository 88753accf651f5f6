"""Reading a call (avviso) and what it selects from the analytics copy: the calls a scope sees, the call's waiting
applications and the units of its interventions lettable now or within N days.

Applications are scoped through their call to the call's interventions (not by Comune): a scope sees the calls
with at least one intervention in it, and of each call only the units of its interventions in scope.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.scope import Scope
from indicators.sql import dates_of, query

HORIZON_DAYS = 90  # units becoming lettable within this many days are offered with the ones empty now
NOT_LETTABLE = ("non_locabile", "in_vendita", "occupato_senza_titolo")
CLOSED = ("assegnata", "rinuncia")


@dataclass(frozen=True)
class Call:
    code: str
    title: str
    municipality: str | None
    interventions: tuple[str, ...]
    opens_on: date | None
    closes_on: date | None
    works_end: date | None
    rules: str | None
    isee_max: float | None
    income_min: float | None


def intervention_codes(text: str | None) -> tuple[str, ...]:
    """The codes of a call's `interventi` cell, separated by ';', ',' or spaces."""
    return tuple(c for c in re.split(r"[;,\s]+", text or "") if c)


def _none(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def calls(conn: Connection | Engine, *, scope: Scope = Scope()) -> list[Call]:
    """The calls the scope sees (at least one of their interventions in scope), by opening date then code."""
    frame = query(conn, "SELECT * FROM housing_call ORDER BY opens_on NULLS LAST, code")
    allowed = None
    if scope.limited:
        sql, params = scope.interventions_sql()
        allowed = set(query(conn, sql, params)["code"])
    out = []
    for row in frame.to_dict("records"):
        codes = intervention_codes(row["intervention_codes"])
        if allowed is not None and not allowed.intersection(codes):
            continue
        opens, closes, works = dates_of(pd.Series([row["opens_on"], row["closes_on"], row["works_end"]]))
        out.append(Call(row["code"], row["title"], row["municipality"], codes, opens, closes, works,
                        _none(row["rules"]),
                        _none(row["isee_max"]), _none(row["income_min"])))
    return out


def find_call(conn: Connection | Engine, code: str, *, scope: Scope = Scope()) -> Call | None:
    return next((c for c in calls(conn, scope=scope) if c.code == code), None)


def call_applications(conn: Connection | Engine, call: Call, *, as_of: date) -> pd.DataFrame:
    """The call's applications presented by `as_of` and still waiting (not allocated, renounced, contracted or
    handed keys by then); those turned down stay, so that the graduatoria can say why."""
    frame = query(conn, """
        SELECT a.code, COALESCE(a.household_code, a.code) AS household, a.applied_on, a.members, a.isee,
               a.annual_income, a.score, a.eviction, a.elderly, a.disability, a.single_parent, a.young_couple,
               a.local_tie, a.years_waiting, a.needs_step_free, a.outcome, a.outcome_date
        FROM application a
        WHERE a.call = :call AND a.applied_on <= :as_of
          AND NOT (COALESCE(a.outcome, '') IN :closed AND COALESCE(a.outcome_date, :as_of) <= :as_of)
          AND (a.contract_on IS NULL OR a.contract_on > :as_of) AND (a.keys_on IS NULL OR a.keys_on > :as_of)
        ORDER BY a.code""", {"call": call.code, "as_of": as_of, "closed": list(CLOSED)})
    frame["applied_on"] = dates_of(frame["applied_on"])
    return frame


def _free_from(row: dict, as_of: date) -> date | None:
    """The first day the unit is free to let, or None if it is let (or promised) beyond the date."""
    if row["future_leases"] or row["open_leases"] or row["status"] in NOT_LETTABLE:
        return None
    running, last, available = (dates_of(pd.Series([row[k]]))[0] for k in ("running_end", "last_end",
                                                                          "available_from"))
    if row["status"] == "in_ristrutturazione" and available is None:
        return None
    starts = [d + timedelta(days=1) for d in (running, last) if d is not None]
    if running is not None:
        starts = [running + timedelta(days=1)]
    return max([*starts, *([available] if available else [])], default=as_of)


def call_units(conn: Connection | Engine, call: Call, *, as_of: date, scope: Scope = Scope(),
               horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """Units of the call's interventions (in scope) lettable at `as_of` or within `horizon_days`: code,
    intervention_code, floor_area_m2, rooms, monthly_rent, monthly_charges, step_free, available_on, empty_days."""
    units_sql, params = scope.units_sql()
    frame = query(conn, f"""
        SELECT su.unit_code AS code, su.intervention_code, u.floor_area_m2, u.rooms, u.monthly_rent,
               u.monthly_charges, u.floor, u.lift, u.step_free AS step_free_flag, u.available_from, u.status,
               SUM(CASE WHEN l.start_date > :as_of THEN 1 ELSE 0 END) AS future_leases,
               SUM(CASE WHEN l.start_date <= :as_of AND l.end_date IS NULL THEN 1 ELSE 0 END) AS open_leases,
               MAX(CASE WHEN l.start_date <= :as_of AND l.end_date >= :as_of THEN l.end_date END) AS running_end,
               MAX(CASE WHEN l.end_date < :as_of THEN l.end_date END) AS last_end
        FROM ({units_sql}) su JOIN unit u ON u.code = su.unit_code
        LEFT JOIN lease l ON l.unit_code = su.unit_code
        WHERE su.intervention_code IN :call_interventions
        GROUP BY su.unit_code, su.intervention_code, u.floor_area_m2, u.rooms, u.monthly_rent, u.monthly_charges,
                 u.floor, u.lift, u.step_free, u.available_from, u.status
        ORDER BY su.unit_code""", {**params, "as_of": as_of, "call_interventions": list(call.interventions)})
    return lettable(frame, as_of=as_of, horizon_days=horizon_days)


def lettable(frame: pd.DataFrame, *, as_of: date, horizon_days: int) -> pd.DataFrame:
    """Keep the units free by `as_of + horizon_days`, with their free date, days empty at `as_of` and step-free
    access (the file's flag, the ground floor or a lift)."""
    free = [_free_from(row, as_of) for row in frame.to_dict("records")]
    limit = as_of + timedelta(days=horizon_days)
    keep = np.array([d is not None and d <= limit for d in free], dtype=bool)
    out = frame[keep].copy()
    out["available_on"] = [d for d, k in zip(free, keep) if k]
    out["empty_days"] = [max((as_of - d).days, 0) for d in out["available_on"]]
    # an empty yes/no cell loads as "no": a unit is step-free when the file says so, or on the ground floor, or
    # with a lift
    flag = out["step_free_flag"].astype("boolean").fillna(False)
    lift = out["lift"].astype("boolean").fillna(False)
    out["step_free"] = (flag | (out["floor"].astype(float) == 0) | lift).astype(bool)
    return out.drop(columns=["future_leases", "open_leases", "running_end", "last_end", "step_free_flag"]
                    ).reset_index(drop=True)
