"""Copying the warehouse into the analytics file: every table the loads write, read out as Arrow record batches
in one read transaction (a consistent snapshot of every table) and streamed into DuckDB, no Python object per row.

Two ways to copy a table:
- `copy_table`: all its rows;
- `carry_table`: the rows of the previous copy that no later load touched, plus the rows the loads after it wrote.
  Loads never delete a row, and a load that changes a row stamps it with its own batch (the importer's upsert),
  so the rows with `batch_id` above the previous copy's last batch are exactly the new and changed ones: reading
  only those makes a monthly update read one month of movements, not ten years. The result is checked against the
  warehouse's own row count; on any difference the table is copied whole.

A SQLite warehouse is read by ADBC's driver in a child process of its own (`_SqliteReader`): the driver carries its
own SQLite library, and two SQLite libraries on one file in one process do not see each other's locks (SQLite's
"multiple copies" hazard: measured here as stale reads, then "disk I/O error" on the other connection). In a
process of its own the driver reads the live file under SQLite's normal locking, in one read transaction.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from sqlalchemy import Boolean, Date, DateTime, Engine, Float, Integer, Numeric, Table
from sqlalchemy.engine import URL

from schemas.db import sqlite_path

Read = Callable[[str], pa.RecordBatchReader]


@dataclass(frozen=True)
class Step:
    """One timed step of a build: what, wall seconds, rows (copies), CPU seconds of this process."""

    name: str
    seconds: float
    rows: int | None
    cpu: float


@contextmanager
def timed(steps: list[Step], name: str) -> Iterator[dict]:
    """Time the block as one step; the block may set `rows` in the dict it gets."""
    began, cpu, info = time.perf_counter(), time.process_time(), {"rows": None}
    yield info
    steps.append(Step(name, time.perf_counter() - began, info["rows"], time.process_time() - cpu))


# --- reading the warehouse -----------------------------------------------------------------------------------------
@contextmanager
def reading(engine: Engine) -> Iterator[Read]:
    """A function running a SELECT on the warehouse and giving its Arrow record batches, all in one read
    transaction."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(engine.url.render_as_string(hide_password=False))
        if path is None:
            raise RuntimeError("un warehouse SQLite in memoria non ha una copia analitica")
        with _SqliteReader(path) as reader:
            yield reader.read
        return
    import adbc_driver_postgresql.dbapi as adbc_postgresql

    conn = adbc_postgresql.connect(_libpq_uri(engine.url), autocommit=True)
    try:
        cursor = conn.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

        def read(sql: str) -> pa.RecordBatchReader:
            cursor.execute(sql)
            return cursor.fetch_record_batch()

        yield read
        cursor.execute("COMMIT")
    finally:
        conn.close()


def _libpq_uri(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class _SqliteReader:
    """ADBC's SQLite driver in a child process (`indicators.sqlite_reader`) reading the live file in one read
    transaction; each query's record batches come back through a pipe as an Arrow IPC stream, read as they come
    (memory stays a batch or two)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> _SqliteReader:
        self.process = subprocess.Popen([sys.executable, "-m", "indicators.sqlite_reader", str(self.path)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        cwd=Path(__file__).resolve().parent.parent)
        return self

    def read(self, sql: str) -> pa.RecordBatchReader:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(sql).encode() + b"\n")
        self.process.stdin.flush()
        status = self.process.stdout.read(1)
        if status != b"S":
            size = int.from_bytes(self.process.stdout.read(4), "little") if status else 0
            cause = self.process.stdout.read(size).decode() if size else "processo di lettura terminato"
            raise RuntimeError(f"lettura del warehouse non riuscita ({cause})")
        return pa.ipc.open_stream(self.process.stdout)

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is not None:  # a stream may be half read: the child is not waited for
                raise OSError
            assert self.process.stdin is not None
            self.process.stdin.write(b"\n")
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None and not pipe.closed:
                    pipe.close()


# --- writing the copy ------------------------------------------------------------------------------------------------
def duck_type(column) -> tuple[str, str]:
    """(DuckDB type, SQLite cast) of a column: money exact as DECIMAL, dates as DATE."""
    kind = column.type
    if isinstance(kind, Boolean):
        return "BOOLEAN", "INTEGER"
    if isinstance(kind, Integer):
        return "BIGINT", "INTEGER"
    if isinstance(kind, Numeric) and not isinstance(kind, Float):
        precision, scale = kind.precision or 18, kind.scale if kind.scale is not None else 4
        return f"DECIMAL({max(precision, 18)}, {scale})", "REAL"
    if isinstance(kind, Float):
        return "DOUBLE", "REAL"
    if isinstance(kind, DateTime):
        return "TIMESTAMP", "TEXT"
    if isinstance(kind, Date):
        return "DATE", "TEXT"
    return "VARCHAR", "TEXT"


_PROBE = {"INTEGER": "0", "REAL": "0.5", "TEXT": "''"}


def _select(table: Table, dialect: str, where: str = "") -> tuple[str, str]:
    """The warehouse query for a table's rows and the filter that drops the probe row. SQLite's driver infers each
    column's Arrow type from the first rows: a first probe row of the right types is read and dropped."""
    columns = list(table.columns)
    types = [duck_type(c) for c in columns]
    quoted = [f'"{c.name}"' for c in columns]
    if dialect == "sqlite":
        probe = ", ".join(f"{_PROBE[cast]} AS {q}" for (_, cast), q in zip(types, quoted))
        body = ", ".join(f"CAST({q} AS {cast})" for (_, cast), q in zip(types, quoted))
        return f'SELECT 1 AS _probe, {probe} UNION ALL SELECT 0, {body} FROM "{table.name}" {where}', \
            "WHERE _probe = 0"
    return f'SELECT {", ".join(quoted)} FROM "{table.name}" {where}', ""


def _typed(table: Table) -> str:
    return ", ".join(f'CAST("{c.name}" AS {duck_type(c)[0]}) AS "{c.name}"' for c in table.columns)


def _stream(duck: duckdb.DuckDBPyConnection, target: str, table: Table, read: Read, dialect: str,
            where: str = "", order: str | None = None, extra: dict[str, str] | None = None) -> None:
    sql, keep = _select(table, dialect, where)
    added = "".join(f", {expression} AS {name}" for name, expression in (extra or {}).items())
    duck.register("warehouse_rows", read(sql))
    try:
        duck.execute(f"CREATE TABLE {target} AS SELECT *{added} FROM (SELECT {_typed(table)} FROM warehouse_rows "
                     f"{keep}) " + (f"ORDER BY {order}" if order else ""))
    finally:
        duck.unregister("warehouse_rows")


def _count(duck: duckdb.DuckDBPyConnection, name: str) -> int:
    return int(duck.execute(f"SELECT COUNT(*) FROM {name}").fetchall()[0][0])


def copy_table(duck: duckdb.DuckDBPyConnection, table: Table, read: Read, dialect: str,
               order: str | None = None, extra: dict[str, str] | None = None) -> int:
    """Stream one warehouse table into the copy, typed, with the `extra` columns (name: expression on the row),
    stored in `order` if given; returns the rows read."""
    _stream(duck, f'"{table.name}"', table, read, dialect, order=order, extra=extra)
    return _count(duck, f'"{table.name}"')


def carry_table(duck: duckdb.DuckDBPyConnection, table: Table, read: Read, dialect: str, since: int,
                order: str | None = None, extra: dict[str, str] | None = None) -> int | None:
    """Bring the table of the carried file (a copy of the previous build) up to the warehouse: the rows of the
    loads after batch `since` replace the rows of the same key or are added (after the others, in `order` if
    given). Returns the rows read from the warehouse, or None when the result does not have the warehouse's row
    count (the table is then dropped, to be copied whole)."""
    name = f'"{table.name}"'
    on = " AND ".join(f't."{c.name}" = c."{c.name}"' for c in table.primary_key.columns)
    _stream(duck, "carried_rows", table, read, dialect, where=f"WHERE batch_id > {int(since)}", order=order,
            extra=extra)
    try:
        read_rows = _count(duck, "carried_rows")
        if read_rows:
            duck.execute(f"DELETE FROM {name} t USING carried_rows c WHERE {on}")
            duck.execute(f"INSERT INTO {name} SELECT * FROM carried_rows" + (f" ORDER BY {order}" if order else ""))
    finally:
        duck.execute("DROP TABLE IF EXISTS carried_rows")
    total = read(f'SELECT COUNT(*) AS n FROM "{table.name}"').read_all().column(0)[0].as_py()
    if _count(duck, name) != int(total):
        duck.execute(f"DROP TABLE {name}")
        return None
    return read_rows
