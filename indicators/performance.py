"""The combined performance index per intervention (seed 001's «Indice Performance Vacancy»): arrears and
vacancy side by side and combined, against the references of the cooperative track record.

index = 100 × [1 − (1 − vacancy/100) × (1 − arrears/100)]: the share of the potential rent lost, first to empty
units (`vacancy_rate` at D), then, of what is billed, to arrears (`arrears_rate_billed` over the period to D).
For small rates it is close to their sum; the sector references (3% and 9%) give 11.73%.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.arrears import arrears_rate_billed
from indicators.results import KpiValue
from indicators.scope import Scope
from indicators.sql import record_query
from indicators.vacancy import vacancy

Conn = Connection | Engine
CODE = "performance_index_pct"
PARTS = ("arrears_rate_billed", "vacancy_rate")


def combined(arrears: float | None, vacancy_pct: float | None) -> float | None:
    """The index from the two rates in points; None when either is missing."""
    if arrears is None or vacancy_pct is None or pd.isna(arrears) or pd.isna(vacancy_pct):
        return None
    return 100 * (1 - (1 - vacancy_pct / 100) * (1 - arrears / 100))


def performance_index(conn: Conn, *, start: date, end: date, scope: Scope = Scope(), by: str | None = None
                      ) -> KpiValue | pd.DataFrame:
    """`performance_index_pct` over [start, end] (vacancy at `end`).

    Returns a KpiValue (breakdown: the two parts in points) or, with `by`, a frame: group, value,
    arrears_rate_billed, vacancy_rate, numerator (arrears), denominator (vacancy).
    """
    arrears = arrears_rate_billed(conn, start=start, end=end, scope=scope, by=by)
    empty = vacancy(conn, as_of=end, scope=scope, by=by)
    if by is None:
        value = combined(arrears.value, empty.value)
        result = KpiValue(CODE, value, arrears.value, empty.value, start=start, end=end,
                          breakdown={k: v for k, v in zip(PARTS, (arrears.value, empty.value)) if v is not None})
        if value is None:
            result.warnings.append("manca il tasso di morosità o di sfitto del perimetro nel periodo")
        return result
    assert isinstance(arrears, pd.DataFrame) and isinstance(empty, pd.DataFrame)
    frame = pd.merge(arrears[["group", "value"]].rename(columns={"value": PARTS[0]}),
                     empty[["group", "value"]].rename(columns={"value": PARTS[1]}), on="group", how="outer")
    frame["value"] = [combined(a, v) for a, v in zip(frame[PARTS[0]], frame[PARTS[1]])]
    frame = frame.assign(numerator=frame[PARTS[0]], denominator=frame[PARTS[1]])
    out = frame[["group", "value", *PARTS, "numerator", "denominator"]].sort_values("group").reset_index(drop=True)
    out.attrs["kpi"] = CODE
    return out


def references(conn: Conn) -> pd.DataFrame:
    """The index of each reference that gives both parts (label, value, source, arrears, vacancy), built in first."""
    refs = record_query(conn, "SELECT kpi_code, label, value, source, built_in FROM benchmark_value "
                              "WHERE kpi_code IN :codes ORDER BY built_in DESC, label", {"codes": list(PARTS)})
    if refs.empty:
        return pd.DataFrame(columns=["label", "value", "source", "arrears", "vacancy"])
    wide = refs.pivot_table(index=["label", "source"], columns="kpi_code", values="value", aggfunc="first")
    wide = wide.dropna(subset=[c for c in PARTS if c in wide]).reset_index() if set(PARTS) <= set(wide) else \
        wide.iloc[0:0].reset_index()
    if wide.empty:
        return pd.DataFrame(columns=["label", "value", "source", "arrears", "vacancy"])
    return pd.DataFrame({"label": wide["label"], "value": [combined(a, v) for a, v in zip(wide[PARTS[0]],
                         wide[PARTS[1]])], "source": wide["source"], "arrears": wide[PARTS[0]],
                         "vacancy": wide[PARTS[1]]})
