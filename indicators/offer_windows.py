"""The offer side of allocation over the next 3, 6 and 12 months, per intervention and household size, next to the
demand: the units of each intervention free now or coming free (fixed-term leases ending, works finishing, units
empty now) with their rents, against the households waiting in the calls of that intervention.

Conventions: a unit *comes free* on the day after its running lease ends (`data_fine`) or on its `disponibile_dal`
after works, as the calls' offer counts it (`selection_data.call_units`); the windows are cumulative (free within 6
months includes those free now and within 3). A unit is classed by the largest household it is adequate for
(`offer_demand.unit_size_class`, the minimum floor area of the selection rules); size 0 is a unit too small for one
person or of unknown area. The households waiting are the eligible applications still waiting in the calls that
include the intervention (`graduatoria`): a call on two interventions counts its households under each.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.graduatoria import graduatoria
from indicators.lease_pipeline import WINDOWS
from indicators.offer_demand import SIZE_LABELS, unit_size_class
from indicators.results import KpiValue
from indicators.scope import Scope
from indicators.selection_data import Call, call_applications, call_units, calls
from indicators.selection_rules import SelectionRules, load_rules
from indicators.sql import query

NO_SIZE_LABEL = "Superficie ignota o sotto il minimo"
WINDOW_COLUMNS = ["free_now", *[f"free_{m}" for m in WINDOWS]]
COLUMNS = ["intervention_code", "size", "size_label", "households", *WINDOW_COLUMNS, "rent_mean", "rent_min"]
UNIT_COLUMNS = ["unit_code", "intervention_code", "available_on", "window", "monthly_rent", "monthly_charges",
                "floor_area_m2", "size", "size_label"]


def _months_after(day: date, months: int) -> date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def _window(day: date, as_of: date) -> str:
    """'ora' or the first window (in months) the unit comes free within."""
    if day <= as_of:
        return "ora"
    return next(f"entro {m} mesi" for m in WINDOWS if day <= _months_after(as_of, m))


def offer_units(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                rules: SelectionRules | None = None) -> pd.DataFrame:
    """The units of the interventions in scope free now or coming free within 12 months (`UNIT_COLUMNS`): when
    (available_on, window), their rent and charges a month, floor area and the household size they are for."""
    rules = rules or load_rules()
    sub, params = scope.interventions_sql()
    codes = tuple(query(conn, sub, params)["code"])
    if not codes:
        return pd.DataFrame(columns=UNIT_COLUMNS)
    every = Call("", "", None, codes, None, None, None, None, None, None)
    horizon = (_months_after(as_of, max(WINDOWS)) - as_of).days
    units = call_units(conn, every, as_of=as_of, scope=scope, horizon_days=horizon)
    sizes = [unit_size_class(a, rules) or 0 for a in units["floor_area_m2"].astype(float)]
    out = units.rename(columns={"code": "unit_code"}).assign(
        window=[_window(d, as_of) for d in units["available_on"]], size=sizes,
        size_label=[SIZE_LABELS.get(s, NO_SIZE_LABEL) for s in sizes])
    out["monthly_rent"] = out["monthly_rent"].astype(float)
    return out[UNIT_COLUMNS].sort_values(["intervention_code", "available_on", "unit_code"]).reset_index(drop=True)


def households_waiting(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                       rules: SelectionRules | None = None) -> Counter:
    """(intervention, size class) -> eligible households waiting at `as_of` in the calls of that intervention."""
    rules = rules or load_rules()
    sub, params = scope.interventions_sql()
    allowed = set(query(conn, sub, params)["code"])
    counts: Counter = Counter()
    for call in calls(conn, scope=scope):
        ranked = graduatoria(call_applications(conn, call, as_of=as_of), rules.scoring(call.rules),
                             isee_max=call.isee_max, income_min=call.income_min).ranked
        sizes = np.minimum(ranked["members"].astype(int).to_numpy(), 5) if len(ranked) else []
        for intervention in allowed.intersection(call.interventions):
            counts.update((intervention, int(s)) for s in sizes)
    return counts


def offer_windows(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                  rules: SelectionRules | None = None) -> pd.DataFrame:
    """Per intervention and household size (`COLUMNS`): households waiting; units free now and within 3, 6 and 12
    months (cumulative); mean (in cents) and lowest monthly rent of the units free within 12 months."""
    rules = rules or load_rules()
    units = offer_units(conn, as_of=as_of, scope=scope, rules=rules)
    demand = households_waiting(conn, as_of=as_of, scope=scope, rules=rules)
    keys = sorted(set(demand) | set(zip(units["intervention_code"], units["size"].astype(int))))
    rows = []
    for intervention, size in keys:
        mine = units[(units["intervention_code"] == intervention) & (units["size"] == size)]
        free = [int((mine["available_on"] <= as_of).sum()),
                *[int((mine["available_on"] <= _months_after(as_of, m)).sum()) for m in WINDOWS]]
        rent = mine["monthly_rent"]
        rows.append((intervention, size, SIZE_LABELS.get(size, NO_SIZE_LABEL), demand.get((intervention, size), 0),
                     *free, round(float(rent.mean()), 2) if len(rent) else None,
                     float(rent.min()) if len(rent) else None))
    return pd.DataFrame(rows, columns=COLUMNS)


def units_coming_free(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                      by: str | None = None) -> KpiValue | pd.DataFrame:
    """Units free now or coming free within 12 months (`units_coming_free`); free now, within 3 and 6 months, the
    households waiting and the mean monthly rent of those units in the breakdown; `by="intervention"`: per
    intervention."""
    if by not in (None, "intervention"):
        raise ValueError(f"Raggruppamento non previsto: «{by}». Ammessi: intervention.")
    frame = offer_windows(conn, as_of=as_of, scope=scope)
    units = offer_units(conn, as_of=as_of, scope=scope)
    counts = ["households", *WINDOW_COLUMNS]
    if by is None:
        sums = {c: float(frame[c].sum()) for c in counts}
        rent = round(float(units["monthly_rent"].mean()), 2) if len(units) else None
        breakdown: dict[str, float | None] = {c: v for c, v in sums.items() if c != "free_12"}
        if rent is not None:
            breakdown["rent_mean"] = rent
        return KpiValue("units_coming_free", sums["free_12"], as_of=as_of, breakdown=breakdown)
    out = frame.groupby("intervention_code", as_index=False)[counts].sum().rename(
        columns={"intervention_code": "group", "free_12": "value"})
    rents = units.groupby("intervention_code")["monthly_rent"].mean().round(2)  # in cents, as shown and exported
    out["rent_mean"] = [rents.get(g) for g in out["group"]]
    out = out[["group", "value", "free_now", "free_3", "free_6", "households", "rent_mean"]]
    out.attrs["kpi"] = "units_coming_free"
    return out
