"""What part of the portfolio a caller may see, applied in SQL by every indicator.

A scope lists the SGRs, funds, interventions and buildings allowed (None: no limit at that level).
Page filters can only narrow a user's scope (`narrowed`), never widen it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# Groupings every portfolio indicator accepts (`by=`), as columns of `Scope.units_sql()`;
# `income_band` is the household's fascia, joined through the lease.
GROUPINGS = {
    "sgr": "su.sgr", "fund": "su.fund", "intervention": "su.intervention_code", "building": "su.building_code",
    "unit": "su.unit_code", "tenure": "su.tenure", "income_band": "h.income_band",
}
GROUPING_LABELS = {
    "sgr": "SGR", "fund": "Fondo", "intervention": "Intervento", "building": "Edificio", "unit": "Alloggio",
    "tenure": "Regime", "income_band": "Fascia",
}


@dataclass(frozen=True)
class Scope:
    sgrs: tuple[str, ...] | None = None
    funds: tuple[str, ...] | None = None
    interventions: tuple[str, ...] | None = None
    buildings: tuple[str, ...] | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    def narrowed(self, **levels: tuple[str, ...] | list[str] | None) -> Scope:
        """Intersect with the given filters: `scope.narrowed(funds=["Fondo A"])`."""
        changes = {}
        for level, wanted in levels.items():
            if wanted is None or len(wanted) == 0:
                continue
            current = getattr(self, level)
            wanted = tuple(wanted)
            changes[level] = wanted if current is None else tuple(v for v in wanted if v in current)
        return replace(self, **changes)

    def units_sql(self) -> tuple[str, dict]:
        """A subquery of the units in scope, with their building, intervention (and its management start), fund,
        SGR and tenure."""
        where, params = self.where_sql()
        sql = ("SELECT u.code AS unit_code, u.building_code, b.intervention_code, i.name AS intervention_name, "
               "i.fund, i.sgr, u.tenure, u.status, u.monthly_rent AS unit_rent, i.management_start "
               "FROM unit u JOIN building b ON b.code = u.building_code "
               "JOIN intervention i ON i.code = b.intervention_code" + where)
        return sql, params

    def buildings_sql(self) -> tuple[str, dict]:
        """A subquery of the buildings in scope, with their intervention, fund and SGR."""
        where, params = self.where_sql()
        return ("SELECT b.code AS building_code, b.intervention_code, i.fund, i.sgr FROM building b "
                "JOIN intervention i ON i.code = b.intervention_code" + where), params

    def interventions_sql(self) -> tuple[str, dict]:
        """A subquery of the codes of the interventions in scope, read from `intervention` itself, for records
        carried per intervention (costs, budgets, labs): an intervention with no buildings or units loaded is
        still in scope; a building limit keeps the interventions with a building in scope."""
        where, params = self.where_sql()
        return ("SELECT DISTINCT i.code FROM intervention i LEFT JOIN building b ON b.intervention_code = i.code"
                + where), params

    def where_sql(self, columns: tuple[str, str, str, str] = ("i.sgr", "i.fund", "i.code", "b.code"),
                  ) -> tuple[str, dict]:
        """' WHERE ...' keeping the rows in scope, given the columns of SGR, fund, intervention and building."""
        where, params = [], {}
        for level, column in zip(("sgrs", "funds", "interventions", "buildings"), columns):
            allowed = getattr(self, level)
            if allowed is not None:
                where.append(f"{column} IN :scope_{level}")
                params[f"scope_{level}"] = list(allowed) or ["\x00nessuno"]
        return (" WHERE " + " AND ".join(where) if where else ""), params

    @property
    def limited(self) -> bool:
        """Whether any level is restricted (False: the whole portfolio)."""
        return any(getattr(self, level) is not None for level in ("sgrs", "funds", "interventions", "buildings"))

    def municipalities_filter(self, column: str) -> tuple[str, dict]:
        """A condition keeping rows whose Comune (`column`) hosts an intervention in scope, for records kept per
        Comune rather than per unit (applications, labs, eviction statistics); always true for the whole portfolio."""
        if not self.limited:
            return "1 = 1", {}
        units, params = self.units_sql()
        return (f"LOWER({column}) IN (SELECT DISTINCT LOWER(i2.municipality) FROM ({units}) sm "
                "JOIN intervention i2 ON i2.code = sm.intervention_code)"), params

