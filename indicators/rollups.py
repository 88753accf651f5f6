"""Copies of the per-building pre-aggregates (`building_month`, `vacancy_month`) per intervention and per fund.

A trend over two years of a whole portfolio reads every building of every month: 25 × 11,500 rows of
`building_month` on the 100,000-unit sample. Most scopes (SGR, fund, intervention) and groupings (SGR, fund,
intervention, tenure regime) never look below the intervention, and the whole portfolio, an SGR or a fund never
below the fund, so the same sums per intervention or per fund answer them from 8 or 100 times fewer rows. They
are rebuilt with their building table, in the same transaction, so they are fresh exactly when it is
(`aggregate_state` records one state for all).
"""

from __future__ import annotations

from sqlalchemy import Numeric, text

from indicators.scope import Scope
from schemas import metadata

LEVELS = ("intervention", "fund")
_LABELS = ("intervention_code", "fund", "sgr")  # portfolio levels: kept as they are, never summed


def names(base: str) -> tuple[str, ...]:
    return tuple(f"{base}_by_{level}" for level in LEVELS)


def table(base: str, scope: Scope, by: str | None) -> str:
    """The table to read: the smallest copy whose rows still tell apart what the scope and grouping name."""
    if scope.buildings is not None or by == "building":
        return base
    if scope.interventions is not None or by == "intervention":
        return f"{base}_by_intervention"
    return f"{base}_by_fund"


def build(conn, base: str) -> None:
    """Rebuild `base`'s copies from `base` (one GROUP BY each, of the exact NUMERIC sums on PostgreSQL), in month
    order: on PostgreSQL, where a table is not kept in key order, a month's rows then fill a few pages instead of
    a few on every page."""
    keys_of_base = {c.name for c in metadata.tables[base].primary_key.columns}
    for name in names(base):
        rolled = metadata.tables[name]
        keys = [c.name for c in rolled.columns if c.name in keys_of_base or c.name in _LABELS]
        sums = [c.name for c in rolled.columns if c.name not in keys]
        totals = [f"ROUND(SUM({c}), 2)" if c in _money(base) else f"SUM({c})" for c in sums]
        conn.execute(text(f"DELETE FROM {name}"))
        conn.execute(text(f"""INSERT INTO {name} ({", ".join(keys)}, {", ".join(sums)})
            SELECT {", ".join(keys)}, {", ".join(totals)} FROM {base}
            GROUP BY {", ".join(keys)} ORDER BY {", ".join(keys)}"""))


def _money(base: str) -> set[str]:
    return {c.name for c in metadata.tables[base].columns if isinstance(c.type, Numeric)}
