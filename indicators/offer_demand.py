"""Offer and demand of each call: the sizes and incomes of the households waiting against the sizes and rents of
the units coming free (empty now, leases ending, works finishing within N days), to show where they do not meet
(for example too many large units for people living alone)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.graduatoria import graduatoria
from indicators.scope import Scope
from indicators.selection_data import HORIZON_DAYS, call_applications, call_units, calls
from indicators.selection_rules import SelectionRules, load_rules

SIZE_CLASSES = (1, 2, 3, 4, 5)  # households of 5 or more persons are one class
SIZE_LABELS = {1: "1 persona", 2: "2 persone", 3: "3 persone", 4: "4 persone", 5: "5 persone o più"}
COLUMNS = ["municipality", "call", "interventions", "size", "size_label", "households", "units", "gap",
           "households_no_affordable"]


def unit_size_class(area: float, rules: SelectionRules) -> int | None:
    """The largest household (size class) a unit of `area` m² is big enough for, by the minimum of the adequacy
    table; None when too small for one person or unknown."""
    if area is None or np.isnan(area):
        return None
    fits = [n for n in SIZE_CLASSES if rules.area_for(n)[0] <= area]
    return max(fits) if fits else None


def _call_rows(conn, call, *, as_of: date, scope: Scope, rules: SelectionRules, horizon_days: int) -> list[tuple]:
    ranked = graduatoria(call_applications(conn, call, as_of=as_of), rules.scoring(call.rules),
                         isee_max=call.isee_max, income_min=call.income_min).ranked
    units = call_units(conn, call, as_of=as_of, scope=scope, horizon_days=horizon_days)
    sizes = np.minimum(ranked["members"].astype(int).to_numpy(), 5) if len(ranked) else np.array([], dtype=int)
    unit_class = np.array([unit_size_class(a, rules) or 0 for a in units["floor_area_m2"].astype(float)], dtype=int)
    yearly = ((units["monthly_rent"].astype(float) + units["monthly_charges"].astype(float).fillna(0)) * 12).to_numpy()
    rows = []
    for size in SIZE_CLASSES:
        waiting = ranked[sizes == size]
        offered = yearly[unit_class == size]
        cheapest = offered.min() if len(offered) else np.inf
        stuck = int((waiting["income"].astype(float) * rules.max_burden < cheapest).sum())
        rows.append((call.municipality, call.code, ", ".join(call.interventions), size, SIZE_LABELS[size],
                     len(waiting), int(len(offered)), int(len(offered)) - len(waiting), stuck))
    return rows


def offer_and_demand(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                     rules: SelectionRules | None = None, horizon_days: int = HORIZON_DAYS) -> pd.DataFrame:
    """Per Comune, call and household size: households eligible and waiting, units coming free within
    `horizon_days` that are big enough for that size and no bigger class (`selection_offer_gap` = units −
    households), and households of that size who cannot afford (30% rule) even the cheapest of those units."""
    rules = rules or load_rules()
    rows = [row for call in calls(conn, scope=scope)
            for row in _call_rows(conn, call, as_of=as_of, scope=scope, rules=rules, horizon_days=horizon_days)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame[(frame["households"] > 0) | (frame["units"] > 0)].reset_index(drop=True)
