"""Tenant mix and affordability per building and intervention: who lives there and what the rent costs them.

Conventions: the households counted at D are those of the leases active at D (started on or before D, not ended
before D) on the units in scope. Composition: members (`componenti`), income band (`fascia`), in the care of social
services, with at least one member employed (`occupati` > 0). Rent burden of a household = (monthly rent × 12 +
service charges) / its annual income (`reddito_annuo`) × 100, where the charges are the `spese` billed in the twelve
months to D, brought to a year over the days the lease ran in them; households without an income are left out and
counted. The sustainability threshold is 30% of income (Éupolis Lombardia's evaluation of the Laboratori Sociali di
Quartiere). Rent per m² = Σ monthly rent / Σ floor area of the let units whose area is known.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import date_param
from indicators.results import KpiValue, ratio
from indicators.scope import GROUPINGS, Scope
from indicators.sql import query

BURDEN_THRESHOLD_PCT = 30.0
BANDS = ("protezione", "accesso", "permanenza", "decadenza")
MIX_GROUPINGS = ("sgr", "fund", "intervention", "building", "tenure", "income_band")
MIX_COLUMNS = ["group", "households", "members_mean", *BANDS, "band_unknown", "social_services",
               "social_services_pct", "with_employed", "with_employed_pct", "income_known", "burden_median",
               "over_burden", "over_burden_pct", "rent", "area", "rent_per_m2"]
_NONE = "nessun nucleo con contratto attivo nel perimetro alla data"
_NO_INCOME = "nessun nucleo con reddito annuo noto nel perimetro alla data"


def _households_sql(units: str, group: str) -> str:
    d = date_param("as_of")
    return f"""WITH charges AS (SELECT e.lease_code, SUM(e.amount) AS amount FROM ledger_entry e
            WHERE e.entry_type = 'addebito' AND e.item = 'spese' AND e.entry_date > {date_param('y0')}
              AND e.entry_date <= {d} GROUP BY e.lease_code),
        hh AS (SELECT {group} AS grp, h.members, h.income_band, h.social_services, h.employed, h.annual_income,
                l.monthly_rent, u.floor_area_m2,
                COALESCE(ch.amount, 0) * 365.0 / GREATEST({d} - GREATEST(l.start_date, {date_param('y0')}), 30)
                    AS charges_year
            FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code JOIN unit u ON u.code = su.unit_code
            JOIN household h ON h.code = l.household_code LEFT JOIN charges ch ON ch.lease_code = l.code
            WHERE l.start_date <= {d} AND (l.end_date IS NULL OR l.end_date >= {d})),
        burden AS (SELECT hh.*, CASE WHEN annual_income > 0 THEN (monthly_rent * 12 + charges_year) / annual_income
                * 100 END AS burden FROM hh)"""


def tenant_mix(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
               by: str | None = "building") -> pd.DataFrame:
    """Composition, burden and rent per m² of the households at D per group (`MIX_COLUMNS`)."""
    if by is not None and by not in MIX_GROUPINGS:
        raise ValueError(f"Raggruppamento non previsto: «{by}». Ammessi: {', '.join(MIX_GROUPINGS)}.")
    units, params = scope.units_sql()
    group = "'totale'" if by is None else GROUPINGS[by]
    bands = ", ".join(f"SUM(CASE WHEN income_band = '{b}' THEN 1 ELSE 0 END) AS {b}" for b in BANDS)
    frame = query(conn, _households_sql(units, group) + f"""
        SELECT grp, COUNT(*) AS households, AVG(members) AS members_mean, {bands},
            SUM(CASE WHEN income_band IS NULL THEN 1 ELSE 0 END) AS band_unknown,
            SUM(CASE WHEN social_services THEN 1 ELSE 0 END) AS social_services,
            SUM(CASE WHEN employed > 0 THEN 1 ELSE 0 END) AS with_employed,
            SUM(CASE WHEN burden IS NOT NULL THEN 1 ELSE 0 END) AS income_known, MEDIAN(burden) AS burden_median,
            SUM(CASE WHEN burden > {BURDEN_THRESHOLD_PCT} THEN 1 ELSE 0 END) AS over_burden,
            SUM(CASE WHEN floor_area_m2 > 0 THEN monthly_rent END) AS rent,
            SUM(CASE WHEN floor_area_m2 > 0 THEN floor_area_m2 END) AS area
        FROM burden GROUP BY grp ORDER BY grp""", {**params, "as_of": as_of.isoformat(),
                                                   "y0": _year_before(as_of).isoformat()})
    frame = frame.rename(columns={"grp": "group"})
    for share, count, base in (("social_services_pct", "social_services", "households"),
                               ("with_employed_pct", "with_employed", "households"),
                               ("over_burden_pct", "over_burden", "income_known")):
        frame[share] = [ratio(n, d) for n, d in zip(frame[count], frame[base])]
    frame["rent_per_m2"] = [ratio(r, a, scale=1.0) for r, a in zip(frame["rent"], frame["area"])]
    frame.attrs["kpi"] = "tenant_households"
    return frame[MIX_COLUMNS]


def _year_before(day: date) -> date:
    return (pd.Timestamp(day) - pd.DateOffset(years=1)).date()


# code: (value column, numerator, denominator, warning when the denominator is zero)
FIGURES = {
    "tenant_households": ("households", "households", None, _NONE),
    "household_members_mean": ("members_mean", None, "households", _NONE),
    "households_social_services_pct": ("social_services_pct", "social_services", "households", _NONE),
    "households_with_employed_pct": ("with_employed_pct", "with_employed", "households", _NONE),
    "rent_burden_median_pct": ("burden_median", None, "income_known", _NO_INCOME),
    "households_over_burden_pct": ("over_burden_pct", "over_burden", "income_known", _NO_INCOME),
    "rent_per_m2_eur": ("rent_per_m2", "rent", "area", _NONE),
}


def mix_figure(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), by: str | None = None,
               code: str = "tenant_households") -> KpiValue | pd.DataFrame:
    """One figure of `tenant_mix` (`FIGURES`): a KpiValue for the scope, a frame per group with `by`."""
    value, num, den = FIGURES[code][:3]
    frame = tenant_mix(conn, as_of=as_of, scope=scope, by=by)
    if by is not None:
        out = frame.assign(value=frame[value], numerator=frame[num] if num else None,
                           denominator=frame[den] if den else None)
        out.attrs["kpi"] = code
        return out
    row = frame.iloc[0] if len(frame) else pd.Series({c: 0 for c in MIX_COLUMNS})
    get = lambda c: None if c is None or pd.isna(row[c]) else float(row[c])  # noqa: E731
    breakdown: dict[str, float | None] = {c: float(row[c] or 0)
                                          for c in ("households", "income_known", *BANDS, "band_unknown")}
    result = KpiValue(code, get(value), numerator=get(num), denominator=get(den), as_of=as_of, breakdown=breakdown)
    if not (get(den) if den else get("households")):
        result.value = None
        result.warnings.append(FIGURES[code][3])
    return result
