"""Running the indicators' SQL on SQLite and PostgreSQL alike, and getting plain frames back."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, text


def query(conn_or_engine: Connection | Engine, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run `sql` with named parameters (lists expand to IN (...)); Decimal columns come back as float."""
    params = params or {}
    stmt = text(sql).bindparams(*[bindparam(k, expanding=True) for k, v in params.items() if isinstance(v, list | tuple)])
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            result = conn.execute(stmt, params)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    else:
        result = conn_or_engine.execute(stmt, params)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, Decimal)).any():
            frame[col] = frame[col].astype(float)
    return frame


def scalar(conn_or_engine, sql: str, params: dict | None = None):
    frame = query(conn_or_engine, sql, params)
    return None if frame.empty else frame.iat[0, 0]
