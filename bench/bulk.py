"""The history of movements written into a benchmark warehouse in bulk, for the sizes where the loader would take
longer than the benchmark itself (28 million movements at 100,000 units x 10 years: most of an hour on two
shared cores; `python -m bench load` measures the loader).

The rows are the ones `osservatorio load movimenti` writes for the sample's file (content key plus occurrence,
item `altro` when missing, accrual month, due date = accrual month + 9 days for charges: `etl.validation`), with
one load record of kind `movimenti`: `same_as_loader` checks it on a warehouse loaded by the loader. They are
computed by DuckDB from the CSV and written by ADBC's bulk ingest (SQLite) or COPY (PostgreSQL).
"""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

ROWS = """
WITH typed AS (
    SELECT codice_contratto AS lease_code, CAST(strptime(data, '%d/%m/%Y') AS DATE) AS entry_date,
        tipo AS entry_type, CAST(replace(replace(importo, '.', ''), ',', '.') AS DECIMAL(14, 2)) AS amount,
        COALESCE(NULLIF(voce, ''), 'altro') AS item,
        COALESCE(CAST(strptime('01/' || NULLIF(competenza, ''), '%d/%m/%Y') AS DATE),
                 CAST(date_trunc('month', CAST(strptime(data, '%d/%m/%Y') AS DATE)) AS DATE)) AS accrual_month
    FROM read_csv($path, delim = ';', header = true, all_varchar = true)
), keyed AS (
    SELECT *, lease_code || '|' || strftime(entry_date, '%Y-%m-%d') || '|' || entry_type || '|' || item || '|'
        || strftime(accrual_month, '%Y-%m-%d') || '|' || CAST(CAST(amount * 100 AS BIGINT) AS VARCHAR) AS content
    FROM typed
)
SELECT content || '#' || CAST(row_number() OVER (PARTITION BY content) AS VARCHAR) AS entry_code, lease_code,
    entry_date, entry_type, amount, item, accrual_month,
    CASE WHEN entry_type = 'addebito' THEN CAST(accrual_month + INTERVAL 9 DAY AS DATE) END AS due_date,
    CAST($batch AS BIGINT) AS batch_id
FROM keyed
"""
COLUMNS = ("entry_code", "lease_code", "entry_date", "entry_type", "amount", "item", "accrual_month", "due_date",
           "batch_id")


def _record(engine, path: Path, rows: int, started: datetime) -> int:
    """A load record for the history, as the loader writes one (status completato)."""
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO load_batch (kind, file_name, sha256, started_at, finished_at, rows_read, rows_loaded, "
            "rows_quarantined, rows_duplicate, status, personal_data) VALUES ('movimenti', :f, :s, :a, :b, :n, :n, "
            "0, 0, 'completato', :p)"),
            {"f": path.name, "s": hashlib.sha256(str(path).encode()).hexdigest(), "a": started,
             "b": datetime.now(timezone.utc), "n": rows, "p": False})
        return int(conn.execute(text("SELECT MAX(id) FROM load_batch")).scalar_one())


def _drop_indexes(engine) -> list[str]:
    """Drop the ledger's plain indexes (not those of its keys) before the bulk write, returning their definitions:
    built once at the end from the sorted rows, they take minutes instead of most of an hour of random writes."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            found = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                      "tbl_name = 'ledger_entry' AND name LIKE 'ix%'")).all()
        else:
            found = conn.execute(text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ledger_entry' "
                                      "AND indexname LIKE 'ix%'")).all()
        for name, _ in found:
            conn.execute(text(f'DROP INDEX "{name}"'))
    return [definition for _, definition in found]


def _create_indexes(engine, definitions: list[str]) -> None:
    began = time.perf_counter()
    with engine.begin() as conn:
        for definition in definitions:
            conn.execute(text(definition))
    print(f"  {len(definitions)} indexes of the ledger built in {time.perf_counter() - began:,.0f} s", flush=True)


def load_movements(url: str, path: Path) -> int:
    """Write the movements of `path` into the warehouse at `url` in bulk; returns the rows written."""
    import duckdb

    from schemas.db import make_engine, sqlite_path

    began, started = time.perf_counter(), datetime.now(timezone.utc)
    engine = make_engine(url)
    batch = _record(engine, path, 0, started)
    duck = duckdb.connect()
    # in the order of the unique key, so that its index grows at its end instead of all over the disk
    sql = ROWS.replace("$path", f"'{path}'").replace("$batch", str(batch)) + "ORDER BY entry_code"
    indexes = _drop_indexes(engine)
    if engine.dialect.name == "sqlite":
        import adbc_driver_sqlite.dbapi as adbc

        # the warehouse keeps dates as ISO text and money as REAL
        select = (f"SELECT entry_code, lease_code, strftime(entry_date, '%Y-%m-%d') AS entry_date, entry_type, "
                  f"CAST(amount AS DOUBLE) AS amount, item, strftime(accrual_month, '%Y-%m-%d') AS accrual_month, "
                  f"strftime(due_date, '%Y-%m-%d') AS due_date, batch_id FROM ({sql})")
        engine.dispose()
        with adbc.connect(str(sqlite_path(url))) as conn, conn.cursor() as cur:
            rows = cur.adbc_ingest("ledger_entry", duck.sql(select).to_arrow_reader(), mode="append")
            conn.commit()
    else:
        import psycopg

        csv = path.with_name(path.stem + ".ready.csv")
        duck.execute(f"COPY ({sql}) TO '{csv}' (HEADER false, DELIMITER ',')")
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as pg, pg.cursor() as pg_cur, csv.open("rb") as fh:
            with pg_cur.copy(f"COPY ledger_entry ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv)") as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            rows = pg_cur.rowcount
            pg.commit()
        csv.unlink()
    duck.close()
    _create_indexes(engine, indexes)
    with engine.begin() as done:
        done.execute(text("UPDATE load_batch SET rows_read = :n, rows_loaded = :n, finished_at = :b WHERE id = :i"),
                     {"n": rows, "b": datetime.now(timezone.utc), "i": batch})
    engine.dispose()
    print(f"  {rows:,} movements written in bulk in {time.perf_counter() - began:,.0f} s", flush=True)
    return rows


def same_as_loader(url: str, path: Path) -> int:
    """How many movements of the warehouse at `url` (loaded by the loader from `path`) the bulk rows miss or add
    (0: the same rows)."""
    import duckdb

    from schemas.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        stored = {_plain(r) for r in conn.execute(text(
            "SELECT entry_code, lease_code, entry_date, entry_type, amount, item, accrual_month, due_date "
            "FROM ledger_entry"))}
    engine.dispose()
    sql = ROWS.replace("$path", f"'{path}'").replace("$batch", "0")
    bulk = {_plain(r[:8]) for r in duckdb.connect().execute(sql).fetchall()}
    return len(stored ^ bulk)


def _plain(row) -> tuple:
    return tuple(f"{float(v):.2f}" if i == 4 else str(v) for i, v in enumerate(row))
