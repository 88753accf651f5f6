"""Movements keyed by their content, written chunk by chunk straight into the warehouse table.

A file of movements without a codice_movimento column has no repeats to look for: its keys (content plus
occurrence) are unique by construction. So each checked chunk is upserted at once (executemany on SQLite,
COPY into a small chunk table then one INSERT ... ON CONFLICT on PostgreSQL), instead of staging the whole
file and moving it a second time. Only the rows whose content may have appeared in an earlier chunk (the
Bloom filter's "maybe", `etl.occurrence`) wait in the staging table; at the end of the file their occurrence
is completed with the counts of the earlier chunks and they are upserted too. Everything happens in the
load's one transaction: a failure in any chunk rolls them all back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from etl import staging
from etl.kinds import Kind
from etl.occurrence import EarlierCounts
from schemas.db import is_postgres

CHUNK = "stg_load_chunk"
EARLIER = "stg_load_earlier"


def applies(kind: Kind, file_fields: dict) -> bool:
    """Movements whose file gives no movement codes: every row is keyed by its content."""
    return kind.key_style == "entry_code" and "entry_code" not in file_fields


class StreamedLoad:
    """Upserts the chunks of one file as they come; `finish` completes the waiting rows."""

    def __init__(self, conn: Connection, kind: Kind, fields: list[str], batch_id: int) -> None:
        self.conn, self.kind, self.fields, self.batch_id = conn, kind, fields, batch_id
        self.earlier = EarlierCounts()
        self.loaded = self.written = 0
        staging.create_stage(conn, kind, fields)
        _create_chunk_table(conn, kind, fields)

    def prepare(self, frame: pd.DataFrame):
        """The chunk's rows ready for the driver: those whose occurrence is final, and those that wait.
        No database work (see `etl.background`)."""
        if frame.empty:
            return None
        self.earlier.add(frame["_hash"].to_numpy(dtype=np.uint64), int(frame["_line"].max()))
        waiting = frame["_cross"].to_numpy() == 1
        ready = frame[~waiting]
        held = staging.driver_rows(self.conn, frame[waiting], [*staging.META, *self.fields]) if waiting.any() else None
        final = staging.driver_rows(self.conn, _final_keys(ready), ["_key", *self.fields]) if len(ready) else None
        return held, final, len(ready)

    def write(self, prepared) -> None:
        """Upsert the rows whose occurrence is final; stage the others."""
        if prepared is None:
            return
        waiting, ready, n_ready = prepared
        if waiting:
            staging.send_rows(self.conn, staging.STAGE, [*staging.META, *self.fields], waiting)
        if ready:
            self.loaded += write_chunk(self.conn, self.kind, self.fields, self.batch_id, ready)
            self.written += n_ready

    def finish(self) -> staging.MergeCounts:
        try:
            waiting = self._complete_waiting()
        finally:
            self.earlier.close()
        fields = staging.field_list(self.conn, self.fields)
        source = f"(SELECT _key || '#' || CAST(_occ AS TEXT) AS _key{fields} FROM {staging.STAGE}) r"
        loaded = self.loaded + (staging.upsert(self.conn, self.kind, self.fields, self.batch_id, source, ordered=False)
                                if waiting else 0)
        self.conn.exec_driver_sql(f"DROP TABLE {staging.STAGE}")
        self.conn.exec_driver_sql(f"DROP TABLE {CHUNK}")
        return staging.MergeCounts(loaded=loaded, duplicate=self.written + waiting - loaded, quarantined=0)

    def _complete_waiting(self) -> int:
        """Add to each waiting row's occurrence the times its content appeared in earlier chunks."""
        rows = self.conn.exec_driver_sql(f"SELECT _line, _hash FROM {staging.STAGE}").all()
        if not rows:
            return 0
        lines = np.array([r[0] for r in rows], dtype=np.int64)
        hashes = np.array([r[1] for r in rows], dtype=np.int64).view(np.uint64)
        before = self.earlier.before(hashes, lines)
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {EARLIER}")
        self.conn.exec_driver_sql(f"CREATE TEMP TABLE {EARLIER} (_line BIGINT PRIMARY KEY, n INTEGER)")
        staging.write_rows(self.conn, EARLIER, pd.DataFrame({"_line": lines, "n": before}), ["_line", "n"])
        self.conn.exec_driver_sql(
            f"UPDATE {staging.STAGE} SET _occ = _occ + e.n FROM {EARLIER} e WHERE e._line = {staging.STAGE}._line")
        self.conn.exec_driver_sql(f"DROP TABLE {EARLIER}")
        return len(rows)


def _final_keys(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["_key"] = frame["_key"] + "#" + frame["_occ"].astype("string")
    return out


def write_chunk(conn: Connection, kind: Kind, fields: list[str], batch_id: int, rows) -> int:
    """Upsert rows with final keys (as `staging.driver_rows`) into the warehouse table; return the rows
    inserted or updated."""
    conn.exec_driver_sql(f"{'TRUNCATE' if is_postgres(conn) else 'DELETE FROM'} {CHUNK}")
    staging.send_rows(conn, CHUNK, ["_key", *fields], rows)
    # one INSERT ... SELECT per chunk: on SQLite several times faster than an executemany of upserts
    return staging.upsert(conn, kind, fields, batch_id, f"{CHUNK} r", ordered=False)


def _create_chunk_table(conn: Connection, kind: Kind, fields: list[str]) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {CHUNK}")
    conn.exec_driver_sql(f"CREATE TEMP TABLE {CHUNK} (_key TEXT{staging.field_columns(conn, kind, fields)})")
