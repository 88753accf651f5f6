"""Per-intervention copies of the per-building pre-aggregates (`building_month`, `vacancy_month`).

A trend over two years of a whole portfolio reads every building of every month: 25 × 11,500 rows of
`building_month` on the 100,000-unit sample. Most scopes (SGR, fund, intervention) and groupings (SGR, fund,
intervention, tenure regime) never look below the intervention, so the same sums per intervention answer
them from 16 times fewer rows. They are rebuilt with their building table, in the same transaction, so
they are fresh exactly when it is (`aggregate_state` records one state for both).
"""

from __future__ import annotations

from sqlalchemy import Numeric, text

from indicators.scope import Scope
from schemas import metadata

SUFFIX = "_by_intervention"
_LABELS = ("fund", "sgr")  # the intervention's: the same on every row of it


def table(base: str, scope: Scope, by: str | None) -> str:
    """The table to read: the per-intervention copy when neither the scope nor the grouping names a building."""
    return base if scope.buildings is not None or by == "building" else base + SUFFIX


def build(conn, base: str) -> None:
    """Rebuild `base`'s per-intervention copy from `base` (one GROUP BY), in key order: on PostgreSQL, where a
    table is not kept in key order, a month's rows then fill a few pages instead of a few on every page."""
    rolled = metadata.tables[base + SUFFIX]
    keys = [c.name for c in rolled.primary_key.columns]
    sums = [c for c in rolled.columns if c.name not in keys and c.name not in _LABELS]
    totals = [f"ROUND(SUM({c.name}), 2)" if isinstance(c.type, Numeric) else f"SUM({c.name})" for c in sums]
    conn.execute(text(f"DELETE FROM {rolled.name}"))
    conn.execute(text(f"""INSERT INTO {rolled.name} ({", ".join(keys)}, {", ".join(_LABELS)}, {", ".join(c.name for c in sums)})
        SELECT {", ".join(keys)}, {", ".join(f"MIN({c})" for c in _LABELS)}, {", ".join(totals)}
        FROM {base} GROUP BY {", ".join(keys)} ORDER BY {", ".join(keys)}"""))
