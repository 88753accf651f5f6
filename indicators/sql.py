"""Running the figures' SQL on the analytics copy (DuckDB), and the system of record's on the warehouse."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
import re
from functools import lru_cache
from typing import TypeVar

import pandas as pd
from sqlalchemy import Connection, Engine, bindparam, column, text

from indicators import store


T = TypeVar("T")

_recorded: ContextVar[list[tuple[str, dict]] | None] = ContextVar("recorded_statements", default=None)


@contextmanager
def recording():
    """Collect the statements the figures run on the analytics copy while inside (`kpi --sql`)."""
    token = _recorded.set([])
    try:
        yield _recorded.get()
    finally:
        _recorded.reset(token)


@contextmanager
def unrecorded():
    """Pause `recording` (checks around a figure, such as the dates its data covers, are not the figure)."""
    token = _recorded.set(None)
    try:
        yield
    finally:
        _recorded.reset(token)


def _record(duck_sql: str, bound: dict) -> None:
    if (log := _recorded.get()) is not None:
        log.append((duck_sql, dict(bound)))


_shared: OrderedDict[tuple, object] = OrderedDict()
_shared_lock = threading.Lock()
_SHARED_ENTRIES = 256


def shared(conn_or_engine: Connection | Engine, key: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, shared by the figures of a page run that ask for the same `key` (the sums several KPIs are
    ratios of, the sources' dates): inside a `store.snapshot` the copy cannot change, so neither can the answer.
    Outside one (the CLI, the library) it is computed each time. Keep what it returns unmodified."""
    build = store.pinned_key(conn_or_engine)
    if build is None:
        return compute()
    full = (store.location(conn_or_engine), build, *key)
    with _shared_lock:
        if full in _shared:
            _shared.move_to_end(full)
            return _shared[full]  # type: ignore[return-value]
    value = compute()
    with _shared_lock:
        _shared[full] = value
        while len(_shared) > _SHARED_ENTRIES:
            _shared.popitem(last=False)
    return value


def query(conn_or_engine: Connection | Engine, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run a figure's `sql` on the analytics copy of this warehouse (`indicators.store`), with named parameters
    written `:name` (lists expand to IN (...)); decimals come back as float, dates as timestamps."""
    duck_sql, bound = duckdb_statement(sql, params or {})
    _record(duck_sql, bound)
    cursor = store.reader(conn_or_engine)
    rows = cursor.execute(duck_sql, bound).fetchall()
    return _rows_frame([d[0] for d in cursor.description], rows)


def one_row(conn: Connection | Engine, sql: str, params: dict | None, width: int) -> tuple:
    """The single row of a figure's `sql`, of `width` columns, as a plain tuple."""
    duck_sql, bound = duckdb_statement(sql, params or {})
    _record(duck_sql, bound)
    rows = store.reader(conn).execute(duck_sql, bound).fetchall()
    if len(rows) != 1 or len(rows[0]) != width:
        raise ValueError(f"one_row: {len(rows)} rows of {len(rows[0]) if rows else 0} columns, not 1 of {width}")
    return tuple(rows[0])


def record_query(conn_or_engine: Connection | Engine, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run `sql` on the warehouse itself, for what only the system of record holds (budget versions, reference
    values, users): lists expand to IN (...); Decimal columns come back as float."""
    params = params or {}
    stmt = statement(sql, params)
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return _frame(conn.execute(stmt, params))
    return _frame(conn_or_engine.execute(stmt, params))


_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def duckdb_statement(sql: str, params: dict) -> tuple[str, dict]:
    """`sql` with its `:name` parameters as DuckDB's `$name` (a list as `(SELECT UNNEST($name))`, so `IN :codes`
    reads as SQL does elsewhere), and the parameters it uses."""
    lists = tuple(sorted(k for k, v in params.items() if isinstance(v, list | tuple)))
    empty = tuple(k for k in lists if len(params[k]) == 0)
    duck_sql, names = _translated(sql, lists, empty)
    return duck_sql, {k: (list(params[k]) if k in lists else params[k]) for k in names}


@lru_cache(maxsize=4096)
def _translated(sql: str, lists: tuple[str, ...], empty: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    names: list[str] = []

    def sub(match: re.Match) -> str:
        name = match.group(1)
        if name in empty:
            return "(SELECT NULL WHERE FALSE)"
        if name not in names:
            names.append(name)
        return f"(SELECT UNNEST(${name}))" if name in lists else f"${name}"

    return _PARAM.sub(sub, sql), tuple(names)


def statement(sql: str, params: dict, width: int | None = None):
    """`sql` as a statement whose list parameters expand (`IN :codes`); with `width`, one returning that many
    columns (`TextClause.columns`, named by position)."""
    return _statement(sql, tuple(k for k, v in params.items() if isinstance(v, list | tuple)), width)


@lru_cache(maxsize=2048)
def _statement(sql: str, expanding: tuple[str, ...], width: int | None):
    """The statement of a text, parsed once: a page asks the same few hundred queries again and again, and parsing
    the text for its parameters costs as much as SQLite's answer to a small one."""
    stmt = text(sql).bindparams(*[bindparam(k, expanding=True) for k in expanding])
    return stmt if width is None else stmt.columns(*[column(f"c{i}") for i in range(width)])


def _frame(result) -> pd.DataFrame:
    """The rows as a frame, built column by column (a third of the time of one row object at a time), from the
    driver's tuples: the queries are text, so SQLAlchemy has nothing to convert and its row objects only cost time
    (a third of reading a trend per intervention)."""
    keys = list(result.keys())
    rows = result.cursor.fetchall()
    result.close()
    return _rows_frame(keys, rows)


def _rows_frame(keys: list[str], rows: list[tuple]) -> pd.DataFrame:
    """Plain values as the drivers give them (dates as `datetime.date`, None when missing), column by column;
    decimals as float."""
    if not rows:
        return pd.DataFrame(columns=keys)
    frame = pd.DataFrame(dict(enumerate(zip(*rows))))
    frame.columns = keys
    for i, col in enumerate(keys):
        column = frame.iloc[:, i]
        if column.dtype == object:
            present = column.dropna()
            if len(present) and isinstance(present.iat[0], Decimal):  # PostgreSQL NUMERIC
                frame[col] = column.astype(float)
    return frame


def scalar(conn_or_engine, sql: str, params: dict | None = None):
    frame = query(conn_or_engine, sql, params)
    return None if frame.empty else frame.iat[0, 0]


@contextmanager
def connected(conn_or_engine: Connection | Engine):
    """One connection for several queries of one figure: the given one, or one checked out of the engine's pool
    (each checkout of a PostgreSQL pool costs a round trip to check the connection is alive)."""
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            yield conn
    else:
        yield conn_or_engine


def dates_of(column: pd.Series) -> list:
    """The values as `datetime.date`, None when missing, from ISO text (SQLite) or dates (PostgreSQL): what
    `pd.Timestamp(v).date()` gives, without a Timestamp per row (a tenth of the time on thousands of rows)."""
    return [v.date() if isinstance(v, datetime) else v if isinstance(v, date) else
            date.fromisoformat(v[:10]) if isinstance(v, str) else None for v in column.tolist()]


def texts_of(column: pd.Series) -> pd.Series:
    """The text values as plain objects, None (not NaN) when missing, on the column's index."""
    return pd.Series([v if isinstance(v, str) else None for v in column.tolist()], index=column.index, dtype=object)
