"""Whether a pre-aggregate is as new as what it was built from (`aggregate_state`, one row per pre-aggregate).

A pre-aggregate records, when built, the highest id of its source table and the last load of the kinds it
reads; it is fresh while both are unchanged. `indicators.snapshot`, `building_month` and `case_month` use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import text

from indicators.sql import query


@dataclass(frozen=True)
class Source:
    """What a pre-aggregate is built from: a table with an increasing id (None: its tables have none), and the
    kinds of load that change it."""

    table: str | None
    kinds: tuple[str, ...]

    def _sql(self) -> tuple[str, str]:
        kinds = ", ".join(f"'{k}'" for k in self.kinds)
        return ("0" if self.table is None else f"(SELECT COALESCE(MAX(id), 0) FROM {self.table})",
                f"(SELECT COALESCE(MAX(id), 0) FROM load_batch WHERE kind IN ({kinds}))")


def versions(conn, source: Source) -> tuple[int, int]:
    """The source's highest id and its last load, as they are now."""
    table_max, batch_max = source._sql()
    frame = query(conn, f"SELECT {table_max} AS table_max, {batch_max} AS batch_max")
    return int(frame.iat[0, 0]), int(frame.iat[0, 1])


def fresh_months(conn, name: str, source: Source) -> tuple[int | None, int | None] | None:
    """(first, last) month key of pre-aggregate `name` if it is fresh (either may be None: nothing held); else None."""
    table_max, batch_max = source._sql()
    frame = query(conn, f"""SELECT first_month_key, last_month_key FROM aggregate_state WHERE name = :name
        AND ledger_max_id = {table_max} AND ledger_batch_max_id = {batch_max}""", {"name": name})
    if frame.empty:
        return None
    first, last = frame.iat[0, 0], frame.iat[0, 1]
    return (None if first is None else int(first)), (None if last is None else int(last))


def fresh_sql(name: str, source: Source, first: int, last: int) -> str:
    """A SQL expression, 1 when pre-aggregate `name` is fresh and holds months first..last, else 0: to ask in the
    same query that reads it (one round trip instead of two for a figure of a few rows)."""
    table_max, batch_max = source._sql()
    return (f"CASE WHEN EXISTS (SELECT 1 FROM aggregate_state WHERE name = '{name}' AND ledger_max_id = {table_max} "
            f"AND ledger_batch_max_id = {batch_max} AND first_month_key <= {int(first)} "
            f"AND last_month_key >= {int(last)}) THEN 1 ELSE 0 END")


def record(conn, name: str, built_from: tuple[int, int], first: int | None, last: int | None) -> None:
    """Note that `name` now holds months first..last, built from `built_from` (see `versions`)."""
    conn.execute(text("DELETE FROM aggregate_state WHERE name = :name"), {"name": name})
    conn.execute(text("""INSERT INTO aggregate_state (name, ledger_max_id, ledger_batch_max_id, first_month_key,
                         last_month_key, built_at) VALUES (:name, :table_max, :batch_max, :first, :last, :at)"""),
                 {"name": name, "table_max": built_from[0], "batch_max": built_from[1], "first": first, "last": last,
                  "at": datetime.now(timezone.utc)})
