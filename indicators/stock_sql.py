"""The units in stock at a date, as SQL rows (grp, units): counted per building wherever the grouping allows.

Counting 100,000 units one row each through their building and intervention takes tens of milliseconds;
a scope and every grouping above the unit (SGR, fund, intervention, building) are functions of the
building, so the count per building from the index on `unit.building_code` gives the same sums at a
tenth of the cost. Groupings by unit or tenure regime count unit by unit.
"""

from __future__ import annotations

from indicators.scope import Scope

BY_BUILDING = (None, "sgr", "fund", "intervention", "building")


def units_in_stock(scope: Scope, group: str, by: str | None, at: str) -> str:
    """SELECT of (grp, units) summing to the units of `scope` in stock at `at` (management started by then) per
    `group` (a `GROUPINGS` expression on alias su); the parameters are those of `Scope.units_sql`."""
    in_stock = f"(i.management_start IS NULL OR i.management_start <= {at})"
    if by in BY_BUILDING:
        buildings, _ = scope.buildings_sql()
        return (f"SELECT {group} AS grp, (SELECT COUNT(*) FROM unit u WHERE u.building_code = su.building_code) "
                f"AS units FROM ({buildings}) su JOIN intervention i ON i.code = su.intervention_code WHERE {in_stock}")
    units, _ = scope.units_sql()
    return (f"SELECT {group} AS grp, 1 AS units FROM ({units}) su JOIN intervention i ON i.code = su.intervention_code "
            f"WHERE {in_stock}")
