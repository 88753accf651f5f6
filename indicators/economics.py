"""The economics of each intervention: revenue against costs, margin and cost per unit, per intervention or fund.

Over a period [start, end] (a year, or the year to date), per group:
- billed: rent (`canone`) and other charges (spese, conguagli...) addebitati with accrual month in the period;
- collected: every payment entered in the period (`collection_rate_with_arrears`'s numerator);
- expected loss from arrears: charges due in the period still unpaid at `end` (`arrears_rate_billed`'s
  numerator), the part of the billing that is not revenue yet;
- void loss: rent not charged on lettable empty units (`void_loss_eur`), shown apart: it was never billed;
- costs: actual costs of the months in the period, by category (`consuntivi`; a yearly cost in twelfths);
- margin = billed − expected loss − costs; margin % = margin / billed; cost per unit = costs / units managed
  at `end` (`units_managed`).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.arrears import arrears_kpis
from indicators.cost_history import scope_filter
from indicators.ledger_sql import date_param
from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query
from indicators.track_record import units_managed
from indicators.vacancy import void_loss

Conn = Connection | Engine
GROUPS = ("intervention", "fund")
COST_GROUP = {"intervention": "c.intervention_code", "fund": "i.fund", None: "'totale'"}
UNIT_GROUP = {"intervention": "su.intervention_code", "fund": "su.fund", None: "'totale'"}
FIGURES = ["units", "rent_billed", "charges_billed", "billed", "collected", "arrears_loss", "void_loss", "costs",
           "margin", "margin_pct", "cost_per_unit"]
_TWELFTHS = " UNION ALL ".join(f"SELECT {m} AS m" for m in range(1, 13))


def billed(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None) -> pd.DataFrame:
    """Rent and other charges billed with accrual month in [start, end]: grp, rent_billed, charges_billed."""
    units, params = scope.units_sql()
    return query(conn, f"SELECT {UNIT_GROUP[by]} AS grp, "
                 "SUM(CASE WHEN e.item = 'canone' THEN e.amount ELSE 0 END) AS rent_billed, "
                 "SUM(CASE WHEN e.item = 'canone' THEN 0 ELSE e.amount END) AS charges_billed "
                 f"FROM ledger_entry e JOIN lease l ON l.code = e.lease_code JOIN ({units}) su "
                 "ON su.unit_code = l.unit_code WHERE e.entry_type = 'addebito' "
                 f"AND e.accrual_month BETWEEN {date_param('start')} AND {date_param('end')} GROUP BY 1 ORDER BY 1",
                 {**params, "start": start.replace(day=1).isoformat(), "end": end.isoformat()})


def costs(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None) -> pd.DataFrame:
    """Actual costs of the months from start's to end's, per group and category: grp, category, amount."""
    where, params = scope_filter(scope, "c.intervention_code")
    month = "(c.year * 12 + COALESCE(c.month, t.m) - 1)"
    return query(conn, f"SELECT {COST_GROUP[by]} AS grp, c.category, "
                 "SUM(CASE WHEN c.month IS NULL THEN c.amount / 12.0 ELSE c.amount END) AS amount "
                 f"FROM actual_cost c JOIN ({_TWELFTHS}) t ON c.month IS NULL OR t.m = 1 "
                 f"LEFT JOIN intervention i ON i.code = c.intervention_code WHERE {where} "
                 f"AND {month} BETWEEN :first_month AND :last_month GROUP BY 1, 2 ORDER BY 1, 2",
                 {**params, "first_month": start.year * 12 + start.month - 1,
                  "last_month": end.year * 12 + end.month - 1})


def _by_group(frame, column: str, name: str) -> pd.Series:
    if not isinstance(frame, pd.DataFrame):  # a KpiValue: the whole scope
        figure = frame.numerator if column == "numerator" else frame.value
        return pd.Series({"totale": figure}, name=name, dtype=float)
    return frame.set_index("group")[column].astype(float).rename(name)


def economics(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = "intervention"
              ) -> pd.DataFrame:
    """One row per group (intervention or fund; `by=None`: one row 'totale'): `FIGURES` and one column per cost
    category (`cost_<category>`), sorted by group. A group with costs but no units has no cost per unit."""
    if by not in (*GROUPS, None):
        raise ValueError(f"Raggruppamento «{by}» non previsto. Ammessi: {', '.join(GROUPS)}.")
    bill = billed(conn, start=start, end=end, scope=scope, by=by).set_index("grp").astype(float)
    cost = costs(conn, start=start, end=end, scope=scope, by=by)
    by_category = cost.pivot_table(index="grp", columns="category", values="amount", aggfunc="sum").add_prefix("cost_")
    arrears = arrears_kpis(conn, start=start, end=end, scope=scope, by=by)
    units = units_managed(conn, as_of=end, scope=scope, by=by)
    parts = [bill, _by_group(arrears["collection_rate_with_arrears"], "numerator", "collected"),
             _by_group(arrears["arrears_rate_billed"], "numerator", "arrears_loss"),
             _by_group(void_loss(conn, start=start, end=end, scope=scope, by=by), "value", "void_loss"),
             _by_group(units, "value", "units"), cost.groupby("grp")["amount"].sum().rename("costs"), by_category]
    out = pd.concat(parts, axis=1).sort_index()
    out = out.fillna({c: 0.0 for c in out.columns if c != "units"})
    out["billed"] = out["rent_billed"] + out["charges_billed"]
    out["margin"] = out["billed"] - out["arrears_loss"] - out["costs"]
    out["margin_pct"] = [ratio(m, b) for m, b in zip(out["margin"], out["billed"])]
    out["cost_per_unit"] = [ratio(c, u, scale=1.0) if pd.notna(u) else None for c, u in zip(out["costs"], out["units"])]
    categories = sorted(c for c in out.columns if c.startswith("cost_") and c != "cost_per_unit")
    out = out.reset_index(names="group")[["group", *FIGURES, *categories]]
    out.attrs.update(start=start, end=end, by=by)
    return out


def _kpi(code: str, value: str, numerator: str, denominator: str, conn: Conn, start: date, end: date,
         scope: Scope, by: str | None) -> KpiValue | pd.DataFrame:
    frame = economics(conn, start=start, end=end, scope=scope, by=by)
    if by is not None:
        out = frame.rename(columns={value: "value"}).assign(numerator=frame[numerator], denominator=frame[denominator])
        out = out[["group", "value", "numerator", "denominator", *(c for c in FIGURES if c != value)]]
        out.attrs["kpi"] = code
        return out
    row = frame.iloc[0] if not frame.empty else None
    if row is None or (row["billed"] == 0 and row["costs"] == 0):
        return KpiValue(code, None, start=start, end=end, warnings=["nessun addebito né costo nel periodo"])
    figure = row[value]
    return KpiValue(code, None if pd.isna(figure) else float(figure), float(row[numerator]),
                    None if pd.isna(row[denominator]) else float(row[denominator]), start=start, end=end,
                    breakdown={k: float(row[k]) for k in FIGURES if k != value and pd.notna(row[k])})


def operating_margin(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None
                     ) -> KpiValue | pd.DataFrame:
    """`operating_margin_eur`: billed − expected arrears loss − costs; numerator the margin, denominator billed."""
    return _kpi("operating_margin_eur", "margin", "margin", "billed", conn, start, end, scope, by)


def cost_per_unit(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None
                  ) -> KpiValue | pd.DataFrame:
    """`cost_per_unit_eur`: actual costs of the period / units managed at `end`."""
    return _kpi("cost_per_unit_eur", "cost_per_unit", "costs", "units", conn, start, end, scope, by)
