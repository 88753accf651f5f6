"""Reference values for the KPIs: the seed's track record (built in) and the ones users add."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, delete, insert, select
from sqlmodel import col

from indicators.registry import get_kpi
from indicators.sql import record_query as query
from schemas.benchmarks import BenchmarkValue


def benchmarks(engine: Engine, *, kpi_code: str | None = None) -> pd.DataFrame:
    """Reference values (kpi_code, label, value, source, note, built_in), built-in ones first."""
    sql = "SELECT kpi_code, label, value, source, note, built_in FROM benchmark_value"
    params: dict[str, str] = {}
    if kpi_code:
        sql += " WHERE kpi_code = :code"
        params["code"] = kpi_code
    frame = query(engine, sql + " ORDER BY built_in DESC, kpi_code, label", params)
    if not frame.empty:
        frame["built_in"] = frame["built_in"].astype(bool)
    return frame


def add_benchmark(engine: Engine, *, kpi_code: str, label: str, value: float, source: str,
                  note: str | None = None) -> None:
    """Add (or replace) a user's reference value for a registry KPI."""
    get_kpi(kpi_code)
    with engine.begin() as conn:
        same = (col(BenchmarkValue.kpi_code) == kpi_code, col(BenchmarkValue.label) == label)
        conn.execute(delete(BenchmarkValue).where(*same, col(BenchmarkValue.built_in).is_(False)))
        exists = conn.execute(select(col(BenchmarkValue.id)).where(*same)).first()
        if exists:
            raise ValueError(f"«{label}» è un riferimento predefinito per {kpi_code}: scegliere un'altra etichetta.")
        conn.execute(insert(BenchmarkValue).values(kpi_code=kpi_code, label=label, value=value, source=source,
                                                   note=note, built_in=False))
