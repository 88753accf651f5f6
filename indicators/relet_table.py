"""The relets pre-aggregate (`lease_relet`): every lease with its unit's previous lease, built after a load.

`relet_days` and the table of relets need, for the leases starting in a year, the previous lease of the
same unit and whether a costly ticket fell between the two. Computed live, that is a window over every
lease of the portfolio and a ticket lookup per lease (half a second per call on 100,000 units); held
here, a year's relets are a range of the primary key (the start date), with the unit's portfolio levels,
tenure and status alongside, so that a scope and a grouping need no join (the household's income band,
the one grouping not held, is joined).

It is built from the leases, units, buildings, interventions and tickets (at the default works
threshold; 166,000 leases in about 1.5 s on SQLite): fresh while no load of those kinds came after
it. Any other threshold is computed live by `live_cte`, the same SQL the table is built with.
"""

from __future__ import annotations

from sqlalchemy import text

from indicators import aggregate_state
from indicators.ledger_sql import date_param, day_diff
from indicators.scope import Scope

NAME = "relets"
SOURCE_KINDS = ("contratti", "alloggi", "edifici", "interventi", "segnalazioni")
SOURCE = aggregate_state.Source(None, SOURCE_KINDS)  # those tables have no increasing id: their loads tell


_COLUMNS = ("next_start, lease_code, unit_code, household_code, building_code, intervention_code, fund, sgr, tenure, "
            "status, previous_lease, previous_end, days")


def live_cte(conn, units: str, group: str, *, bounded: bool = True) -> str:
    """CTEs `seq` and `rel` (after WITH): the leases of the units of subquery `units` with the previous lease of
    their unit, the days between and why not counted; only those starting in [:y0, :y1] when `bounded`.

    Excluded: first lets (no previous lease), incoherent dates (the previous lease has no end or ends after
    the new start), relets after major works (a ticket on the unit of its building costing at least
    :works_threshold opened between the previous end and the new start, or the unit's status
    ``in_ristrutturazione``).
    """
    works = ("EXISTS (SELECT 1 FROM ticket t WHERE t.building_code = seq.building_code AND t.unit_code = seq.unit_code "
             "AND t.opened_on >= seq.previous_end AND t.opened_on <= seq.next_start AND t.cost >= :works_threshold)")
    upto = f" WHERE l.start_date <= {date_param(conn, 'y1')}" if bounded else ""
    since = f" WHERE seq.next_start >= {date_param(conn, 'y0')}" if bounded else ""
    return ("seq AS (SELECT l.code AS lease_code, l.unit_code, l.household_code, su.building_code, "
            f"su.intervention_code, su.fund, su.sgr, su.tenure, su.status, {group} AS grp, l.start_date AS next_start, "
            "LAG(l.code) OVER w AS previous_lease, LAG(l.end_date) OVER w AS previous_end "
            f"FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code LEFT JOIN household h "
            f"ON h.code = l.household_code{upto} "
            "WINDOW w AS (PARTITION BY l.unit_code ORDER BY l.start_date, l.code)), "
            f"rel AS (SELECT seq.*, {day_diff(conn, 'seq.next_start', 'seq.previous_end')} AS days, "
            "CASE WHEN seq.previous_lease IS NULL THEN 'prima_locazione' "
            "WHEN seq.previous_end IS NULL OR seq.previous_end > seq.next_start THEN 'date_incoerenti' "
            f"WHEN seq.status = 'in_ristrutturazione' OR {works} THEN 'dopo_lavori' END AS excluded_reason "
            f"FROM seq{since}) ")


def held_cte(conn, scope: Scope, group: str) -> str:
    """CTE `rel` (after WITH) read from `lease_relet`: the same rows and columns as `live_cte` (bounded), for
    the scope's units (its parameters are those of `Scope.units_sql`)."""
    where, _ = scope.where_sql(("su.sgr", "su.fund", "su.intervention_code", "su.building_code"))
    household = " LEFT JOIN household h ON h.code = su.household_code" if "h." in group else ""
    return (f"rel AS (SELECT su.*, {group} AS grp, su.reason AS excluded_reason FROM lease_relet su{household} "
            f"WHERE su.next_start >= {date_param(conn, 'y0')} AND su.next_start <= {date_param(conn, 'y1')}"
            f"{where.replace(' WHERE ', ' AND ', 1)}) ")


def fresh(conn) -> bool:
    """Whether `lease_relet` was built from the portfolio, leases and tickets as they are now (one query)."""
    return aggregate_state.fresh_months(conn, NAME, SOURCE) is not None


def build(conn, works_threshold: float) -> int:
    """Rebuild `lease_relet` (inside the caller's transaction) with tickets of `works_threshold`; the rows."""
    built_from = aggregate_state.versions(conn, SOURCE)
    conn.execute(text("DELETE FROM lease_relet"))
    units, params = Scope().units_sql()
    rel = live_cte(conn, units, "NULL", bounded=False)
    conn.execute(text(f"INSERT INTO lease_relet ({_COLUMNS}, reason) WITH {rel}SELECT {_COLUMNS}, excluded_reason "
                      "FROM rel"), {**params, "works_threshold": works_threshold})
    aggregate_state.record(conn, NAME, built_from, None, None)
    return conn.execute(text("SELECT COUNT(*) FROM lease_relet")).scalar_one()
