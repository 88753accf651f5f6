"""The portfolio a caller can see: the SGR > fund > intervention > building tree that filters are made of."""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators import coverage
from indicators.scope import Scope
from indicators.sql import query


def portfolio_tree(conn, *, scope: Scope = Scope()) -> pd.DataFrame:
    """One row per building in scope: sgr, fund, intervention_code, intervention_name, building_code,
    building_address, units."""
    # Units counted per building first, on the index of unit.building_code: a join per building, not per unit.
    where, params = scope.where_sql()
    return query(conn, f"""
        SELECT i.sgr, i.fund, b.intervention_code, i.name AS intervention_name, b.code AS building_code,
               b.address AS building_address, n.units
        FROM (SELECT building_code, COUNT(*) AS units FROM unit GROUP BY building_code) n
        JOIN building b ON b.code = n.building_code JOIN intervention i ON i.code = b.intervention_code{where}
        ORDER BY i.sgr, i.fund, b.intervention_code, b.code""", params)


def ledger_span(conn) -> tuple[date | None, date | None]:
    """First and last ledger date in the warehouse (its `source_span` row): the dates pages offer.

    Not scoped on purpose: the span of dates reveals nothing about anyone's portfolio and stays instant.
    """
    return coverage.span(conn, "ledger")
