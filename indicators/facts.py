"""The facts the analytics copy precomputes, each declared once: its grain, its measures and the query that
builds it, which is the query the figures run on any other date (see `indicators.positions`).

They are built whole with every copy (`indicators.store.build`): no per-table freshness, no patching.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Fact:
    name: str
    grain: str      # one row per ...
    measures: str   # what each row holds
    sql: str        # the SELECT that builds it, on the copied tables


FACTS: tuple[Fact, ...] = ()


def build_all(duck: duckdb.DuckDBPyConnection) -> int:
    """Build every declared fact on a new copy; returns how many."""
    for fact in FACTS:
        duck.execute(f"CREATE TABLE {fact.name} AS {fact.sql}")
    return len(FACTS)
