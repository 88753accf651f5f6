"""The bulk path: validated rows go to a temporary staging table through the driver's fastest
insert (executemany on SQLite, COPY on PostgreSQL), then one set-based merge moves them into the
warehouse table: repeats inside the file are told apart, identical rows are counted as duplicates,
new rows are inserted and changed rows updated (upsert on the natural key).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

import schemas
from etl.kinds import Kind
from schemas.db import is_postgres

STAGE = "stg_load"
RANKED = "stg_load_ranked"
FIX = "stg_load_fix"
# Staged with every row: its line, whether it is keyed by content, its key (content or code), its
# occurrence within its chunk, whether its content may have appeared in an earlier chunk, and the
# content's 64-bit hash (`etl.occurrence`, stored as a signed integer).
META = ["_line", "_needs_occ", "_key", "_occ", "_cross", "_hash"]


@dataclass
class MergeCounts:
    loaded: int
    duplicate: int
    quarantined: int


def _table(kind: Kind):
    return schemas.metadata.tables[kind.table]


def value_fields(kind: Kind, present: list[str]) -> list[str]:
    """Fields the file provides, other than the key that the merge matches on."""
    return [f for f in present if f != kind.conflict_field]


def field_columns(conn: Connection, kind: Kind, fields: list[str]) -> str:
    """`, name TYPE` for each field, typed as in the warehouse table."""
    table = _table(kind)
    return "".join(f", {conn.dialect.identifier_preparer.quote(f)} {table.c[f].type.compile(dialect=conn.dialect)}"
                   for f in fields)


def field_list(conn: Connection, fields: list[str]) -> str:
    return "".join(", " + conn.dialect.identifier_preparer.quote(f) for f in fields)


def create_stage(conn: Connection, kind: Kind, fields: list[str]) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGE}")
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {RANKED}")
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {STAGE} (_line BIGINT, _needs_occ INTEGER, _key TEXT, _occ INTEGER, _cross INTEGER, "
        f"_hash BIGINT{field_columns(conn, kind, fields)})")


def to_columns(frame: pd.DataFrame, names: list[str]) -> list[pd.Series]:
    """Columns ready for the driver: ISO dates, plain numbers, None for missing."""
    out = []
    for name in names:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col):
            col = iso_dates(col)
        elif str(col.dtype) == "boolean":
            col = col.astype("Int64")
        elif col.dtype == np.uint64:
            col = pd.Series(col.to_numpy().view(np.int64), index=col.index)
        out.append(col)
    return out


def iso_dates(col: pd.Series) -> pd.Series:
    """Dates as ISO text, formatting each distinct date once (a chunk holds a few thousand)."""
    codes, distinct = pd.factorize(col)
    text = np.asarray(distinct.strftime("%Y-%m-%d"), dtype=object)
    return pd.Series(np.where(codes >= 0, text[codes] if len(text) else None, None), index=col.index, dtype="string")


def write_rows(conn: Connection, table: str, frame: pd.DataFrame, names: list[str]) -> None:
    """Write `names` of `frame` into `table` with the driver's bulk path."""
    if not frame.empty:
        send_rows(conn, table, names, driver_rows(conn, frame, names))


def driver_rows(conn: Connection, frame: pd.DataFrame, names: list[str]) -> str | list[tuple]:
    """The rows as the driver takes them (CSV text for COPY, tuples for executemany); no database work,
    so that it can be done while another thread writes the previous chunk."""
    cols = to_columns(frame, names)
    if is_postgres(conn):
        buf = io.StringIO()
        pd.concat(cols, axis=1).to_csv(buf, header=False, index=False, na_rep="")
        return buf.getvalue()
    return list(zip(*[c.to_numpy(dtype=object, na_value=None).tolist() for c in cols]))


def send_rows(conn: Connection, table: str, names: list[str], rows: str | list[tuple]) -> None:
    quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
    if is_postgres(conn):
        assert isinstance(rows, str), "PostgreSQL takes the rows as CSV text (driver_rows)"
        _copy(conn, table, rows, quoted)
    else:
        marks = ", ".join("?" * len(names))
        conn.exec_driver_sql(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)


def _copy(conn: Connection, table: str, text: str, names: str) -> None:
    raw: Any = conn.connection.dbapi_connection  # psycopg's own connection: COPY is not in the DB-API
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
        copy.write(text)


class StagedLoad:
    """The whole file staged, then merged at its end (repeats of a key in the file are looked for)."""

    def __init__(self, conn: Connection, kind: Kind, fields: list[str], batch_id: int) -> None:
        self.conn, self.kind, self.fields, self.batch_id = conn, kind, fields, batch_id
        create_stage(conn, kind, fields)

    def prepare(self, frame: pd.DataFrame):
        return driver_rows(self.conn, frame, [*META, *self.fields]) if len(frame) else None

    def write(self, rows) -> None:
        if rows:
            send_rows(self.conn, STAGE, [*META, *self.fields], rows)

    def finish(self) -> MergeCounts:
        return merge(self.conn, self.kind, self.fields, self.batch_id)


def _same(conn: Connection, a: str, b: str, fields: list[str]) -> str:
    """Null-safe equality of all `fields` between row aliases `a` and `b`."""
    if not fields:
        return "1=1"
    q = conn.dialect.identifier_preparer.quote
    op = "IS NOT DISTINCT FROM" if is_postgres(conn) else "IS"
    return " AND ".join(f"{a}.{q(f)} {op} {b}.{q(f)}" for f in fields)


def merge(conn: Connection, kind: Kind, fields: list[str], batch_id: int) -> MergeCounts:
    """Move the staged rows into the warehouse; return what was loaded, duplicate, quarantined."""
    columns = field_list(conn, fields)
    keyed_by_content = conn.exec_driver_sql(f"SELECT count(*) FROM {STAGE} WHERE _needs_occ = 0").scalar_one() == 0
    fast = kind.key_style == "entry_code" and keyed_by_content
    if fast:
        # content + occurrence keys are unique by construction: no repeats to look for
        _renumber_across_chunks(conn)
        source = f"(SELECT _key || '#' || CAST(_occ AS TEXT) AS _key{columns} FROM {STAGE}) r"
        dup_in_file = conflicts = 0
        candidates = conn.exec_driver_sql(f"SELECT count(*) FROM {STAGE}").scalar_one()
    else:
        final_key = ("CASE WHEN _needs_occ = 1 THEN _key || '#' || CAST(row_number() OVER "
                     "(PARTITION BY _key, _needs_occ ORDER BY _line) AS TEXT) ELSE _key END")
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE {RANKED} AS SELECT r.*, row_number() OVER (PARTITION BY _key ORDER BY _line) AS _rn "
            f"FROM (SELECT _line, {final_key} AS _key{columns} FROM {STAGE}) r")
        dup_in_file, conflicts = _repeats(conn, kind, fields, batch_id)
        candidates = conn.exec_driver_sql(f"SELECT count(*) FROM {RANKED} WHERE _rn = 1").scalar_one()
        source = f"(SELECT * FROM {RANKED} WHERE _rn = 1) r"
    loaded = upsert(conn, kind, fields, batch_id, source, ordered=not fast)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {RANKED}")
    conn.exec_driver_sql(f"DROP TABLE {STAGE}")
    return MergeCounts(loaded=loaded, duplicate=candidates - loaded + dup_in_file, quarantined=conflicts)


def _renumber_across_chunks(conn: Connection) -> None:
    """Give the rows whose content may have appeared in an earlier chunk their occurrence in the whole file."""
    if not conn.exec_driver_sql(f"SELECT 1 FROM {STAGE} WHERE _cross = 1 LIMIT 1").first():
        return
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FIX}")
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {FIX} AS SELECT _line, row_number() OVER (PARTITION BY _key ORDER BY _line) AS occ "
        f"FROM {STAGE} WHERE _needs_occ = 1 AND _key IN (SELECT _key FROM {STAGE} WHERE _cross = 1)")
    conn.exec_driver_sql(f"CREATE UNIQUE INDEX ix_{FIX}_line ON {FIX} (_line)")
    conn.exec_driver_sql(f"UPDATE {STAGE} SET _occ = f.occ FROM {FIX} f WHERE f._line = {STAGE}._line")
    conn.exec_driver_sql(f"DROP TABLE {FIX}")


def upsert(conn: Connection, kind: Kind, fields: list[str], batch_id: int, source: str, *, ordered: bool) -> int:
    """Insert new keys, update changed rows, leave identical rows alone; return rows inserted or updated."""
    q = conn.dialect.identifier_preparer.quote
    result = conn.exec_driver_sql(
        f"INSERT INTO {q(kind.table)} ({', '.join(_target_columns(conn, kind, fields))}) "
        f"SELECT r._key, {''.join('r.' + q(f) + ', ' for f in fields)}{int(batch_id)} FROM {source} WHERE 1=1 "
        # in key order the unique index grows at its end instead of at random pages (the content-keyed
        # path keeps the file's order: sorting the whole file would cost more than it saves)
        f"{'ORDER BY r._key ' if ordered else ''}{on_conflict(conn, kind, fields)}")
    return result.rowcount


def _target_columns(conn: Connection, kind: Kind, fields: list[str]) -> list[str]:
    q = conn.dialect.identifier_preparer.quote
    return [q(kind.conflict_field), *(q(f) for f in fields), "batch_id"]


def on_conflict(conn: Connection, kind: Kind, fields: list[str]) -> str:
    """The upsert clause: update a row whose key exists only when some value changed."""
    q = conn.dialect.identifier_preparer.quote
    target, key = q(kind.table), q(kind.conflict_field)
    sets = ", ".join(f"{q(f)} = excluded.{q(f)}" for f in fields) or f"{key} = excluded.{key}"
    changed = f"NOT ({_same(conn, target, 'excluded', fields)})" if fields else "1=0"
    return f"ON CONFLICT ({key}) DO UPDATE SET {sets}, batch_id = excluded.batch_id WHERE {changed}"


def _repeats(conn: Connection, kind: Kind, fields: list[str], batch_id: int) -> tuple[int, int]:
    """Rows whose key appears earlier in the same file: equal ones are duplicates, others quarantined."""
    repeated = conn.exec_driver_sql(f"SELECT count(*) FROM {RANKED} WHERE _rn > 1").scalar_one()
    if not repeated:
        return 0, 0
    q = conn.dialect.identifier_preparer.quote
    conn.exec_driver_sql(f"CREATE INDEX ix_{RANKED}_key ON {RANKED} (_key, _rn)")
    pair = f"FROM {RANKED} a JOIN {RANKED} b ON b._key = a._key AND b._rn = 1 WHERE a._rn > 1"
    equal = conn.exec_driver_sql(f"SELECT count(*) {pair} AND {_same(conn, 'a', 'b', fields)}").scalar_one()
    raw = " || ';' || ".join(f"COALESCE(CAST(a.{q(f)} AS TEXT), '')" for f in fields) or "a._key"
    key_cols = ", ".join(kind.column(f).header for f in kind.key if any(c.field == f for c in kind.columns))
    conn.execute(
        text(f"INSERT INTO quarantined_row (batch_id, line, column_name, value, reason, raw) "
             f"SELECT :batch, a._line, :cols, a._key, "
             f"'chiave ripetuta nel file con valori diversi dalla riga ' || CAST(b._line AS TEXT) || "
             f"': vale la prima, questa è scartata', {raw} {pair} AND NOT ({_same(conn, 'a', 'b', fields)})"),
        {"batch": batch_id, "cols": key_cols},
    )
    return equal, repeated - equal
