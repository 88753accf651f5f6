"""The SQL of the vacancy figures (DuckDB's SQL on the analytics copy): one text per figure, read top to bottom.

Every query starts from the same documented pieces:

- ``scope_unit``: the units the caller may see (`Scope.units_sql`: unit, building, intervention, fund, SGR,
  tenure, status, rent, the intervention's management start); the grouping `grp` is an expression on it
  (alias ``su``, `indicators.scope.GROUPINGS`);
- ``period(period_start, period_end)``: the dates the figure is about, from the named parameters ``:start`` and
  ``:end`` (a figure at one date has ``period_start = period_end = :as_of``);
- ``calendar(month_end)``: every month end from the period's first month to its last (the last one is the
  month end, even when ``:end`` falls mid-month: `vacancy_series` measures at ``LEAST(month_end, period_end)``).

A unit is in stock at day D when its management start is null or <= D; occupied when a lease covers D
(start_date <= D and (end_date is null or end_date >= D)); available to let when its current status is
``locabile`` or null. Only the grouping changes a text; dates are parameters, so one text answers every date.
"""

from __future__ import annotations

from indicators.scope import Scope
from indicators.stock_sql import units_in_stock

DAYS_PER_MONTH = 30.4375  # 365.25 / 12, the average month of void_loss_eur
AVAILABLE = "(status IS NULL OR status = 'locabile')"  # an empty unit one may let (current status)
# The units with a lease running at the period's end, one row each (joined once, not looked up per unit).
LET_UNIT = """let_unit AS (
        SELECT DISTINCT l.unit_code FROM lease l, period
        WHERE l.start_date <= period_end AND (l.end_date IS NULL OR l.end_date >= period_end))"""


def scope_cte(scope: Scope) -> tuple[str, dict]:
    """`scope_unit`, and its parameters."""
    units, params = scope.units_sql()
    return f"scope_unit AS ({units})", params


def period_cte(first: str, last: str) -> str:
    """`period(period_start, period_end)` from two named date parameters."""
    return f"period AS (SELECT CAST(:{first} AS DATE) AS period_start, CAST(:{last} AS DATE) AS period_end)"


CALENDAR = """calendar AS (
        SELECT CAST(last_day(m) AS DATE) AS month_end
        FROM period, range(CAST(date_trunc('month', period_start) AS TIMESTAMP),
                           CAST(period_end AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m))"""


def vacancy_sql(scope: Scope, group: str) -> tuple[str, dict]:
    """`vacancy_rate` at `:as_of`, per grp: units in stock, empty, empty available to let."""
    units, params = scope_cte(scope)
    return f"""WITH {units},
    {period_cte("as_of", "as_of")},
    {LET_UNIT},
    stock AS (
        SELECT {group} AS grp, su.status, lu.unit_code IS NULL AS empty
        FROM scope_unit su CROSS JOIN period LEFT JOIN let_unit lu ON lu.unit_code = su.unit_code
        WHERE su.management_start IS NULL OR su.management_start <= period_end)
    SELECT grp, COUNT(*) AS units, COUNT(*) FILTER (WHERE empty) AS empty,
        COUNT(*) FILTER (WHERE empty AND {AVAILABLE}) AS empty_available
    FROM stock GROUP BY grp ORDER BY grp""", params


def unit_days_ctes(scope: Scope, group: str) -> tuple[str, dict]:
    """Up to `unit_days`: per unit in stock in the period, its unit-days and empty days (from the later of the
    period's start and management start). Occupied days are the leases' overlaps with the unit's days, capped at
    them so that overlapping leases (not expected) cannot make empty days negative."""
    units, params = scope_cte(scope)
    return f"""WITH {units},
    {period_cte("start", "end")},
    period_unit AS (
        SELECT su.unit_code, {group} AS grp, su.status, su.unit_rent, period_end,
            GREATEST(period_start, COALESCE(su.management_start, period_start)) AS from_day
        FROM scope_unit su, period WHERE COALESCE(su.management_start, period_start) <= period_end),
    occupied AS (
        SELECT pu.unit_code,
            SUM(LEAST(COALESCE(l.end_date, pu.period_end), pu.period_end) - GREATEST(l.start_date, pu.from_day) + 1)
                AS days
        FROM period_unit pu JOIN lease l ON l.unit_code = pu.unit_code
        WHERE l.start_date <= pu.period_end AND (l.end_date IS NULL OR l.end_date >= pu.from_day)
        GROUP BY pu.unit_code),
    unit_days AS (
        SELECT pu.unit_code, pu.grp, pu.status, pu.unit_rent, pu.period_end,
            pu.period_end - pu.from_day + 1 AS unit_days,
            pu.period_end - pu.from_day + 1 - LEAST(COALESCE(o.days, 0), pu.period_end - pu.from_day + 1) AS empty_days
        FROM period_unit pu LEFT JOIN occupied o ON o.unit_code = pu.unit_code)""", params


def vacancy_days_sql(scope: Scope, group: str) -> tuple[str, dict]:
    """`vacancy_days_pct` over [:start, :end], per grp: unit-days, empty days, empty days available to let."""
    ctes, params = unit_days_ctes(scope, group)
    return f"""{ctes}
    SELECT grp, SUM(unit_days) AS unit_days, SUM(empty_days) AS empty_days,
        SUM(CASE WHEN {AVAILABLE} THEN empty_days ELSE 0 END) AS empty_available
    FROM unit_days GROUP BY grp ORDER BY grp""", params


def last_rent(unit: str, at: str) -> str:
    """The rent of the last lease of `unit` started by `at`."""
    return (f"(SELECT arg_max_null(l.monthly_rent, (l.start_date, l.code)) FROM lease l "
            f"WHERE l.unit_code = {unit} AND l.start_date <= {at})")


def void_loss_sql(scope: Scope, group: str) -> tuple[str, dict]:
    """`void_loss_eur` over [:start, :end], per grp: the loss, the empty days and units available to let, and
    those without any rent (the unit's, else that of its last lease started by the period's end, looked up only
    for the units without one)."""
    ctes, params = unit_days_ctes(scope, group)
    return f"""{ctes},
    lettable AS (
        SELECT grp, empty_days, unit_code, unit_rent, period_end, empty_days > 0 AND {AVAILABLE} AS lettable
        FROM unit_days),
    fallback_rent AS (
        SELECT t.unit_code, arg_max_null(l.monthly_rent, (l.start_date, l.code)) AS rent
        FROM lettable t JOIN lease l ON l.unit_code = t.unit_code AND l.start_date <= t.period_end
        WHERE t.lettable AND t.unit_rent IS NULL GROUP BY t.unit_code),
    rent AS (
        SELECT t.grp, t.empty_days, t.lettable, CASE WHEN t.lettable THEN COALESCE(t.unit_rent, f.rent) END AS rent
        FROM lettable t LEFT JOIN fallback_rent f ON f.unit_code = t.unit_code)
    SELECT grp, COALESCE(SUM(rent * empty_days), 0) / {DAYS_PER_MONTH} AS loss,
        SUM(CASE WHEN lettable THEN empty_days ELSE 0 END) AS empty_days,
        COUNT(*) FILTER (WHERE lettable) AS empty_units, COUNT(*) FILTER (WHERE lettable AND rent IS NULL) AS no_rent
    FROM rent GROUP BY grp ORDER BY grp""", params


def relets_ctes(scope: Scope, group: str) -> tuple[str, dict]:
    """Up to `relet`: the leases starting in [:start, :end] with the previous lease of their unit, the days between
    and why not counted (None: counted). Excluded: first lets (no previous lease), incoherent dates (the previous
    lease has no end or ends after the new start), relets after major works (a ticket on the unit costing at least
    :works_threshold opened between the previous end and the new start, or the unit's status
    ``in_ristrutturazione``)."""
    units, params = scope_cte(scope)
    return f"""WITH {units},
    {period_cte("start", "end")},
    sequence AS (
        SELECT l.code AS lease_code, l.unit_code, su.building_code, su.status, {group} AS grp,
            l.start_date AS next_start, LAG(l.code) OVER w AS previous_lease, LAG(l.end_date) OVER w AS previous_end
        FROM lease l JOIN scope_unit su ON su.unit_code = l.unit_code
        LEFT JOIN household h ON h.code = l.household_code
        WHERE l.start_date <= (SELECT period_end FROM period)
        WINDOW w AS (PARTITION BY l.unit_code ORDER BY l.start_date, l.code)),
    relet AS (
        SELECT s.*, s.next_start - s.previous_end AS days,
            CASE WHEN s.previous_lease IS NULL THEN 'prima_locazione'
                 WHEN s.previous_end IS NULL OR s.previous_end > s.next_start THEN 'date_incoerenti'
                 WHEN s.status = 'in_ristrutturazione' OR EXISTS (
                     SELECT 1 FROM ticket t WHERE t.building_code = s.building_code AND t.unit_code = s.unit_code
                     AND t.opened_on >= s.previous_end AND t.opened_on <= s.next_start
                     AND t.cost >= :works_threshold) THEN 'dopo_lavori' END AS excluded_reason
        FROM sequence s WHERE s.next_start >= (SELECT period_start FROM period))""", params


def relet_days_sql(scope: Scope, group: str) -> tuple[str, dict]:
    """`relet_days` of the year [:start, :end], per grp: relets counted, their total days, the median (mean of the
    middle rows) and the exclusions by reason."""
    ctes, params = relets_ctes(scope, group)
    counted = "excluded_reason IS NULL"
    return f"""{ctes},
    ranked AS (
        SELECT grp, days, excluded_reason, ROW_NUMBER() OVER w AS rn,
            COUNT(*) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
        FROM relet WINDOW w AS (PARTITION BY grp, {counted} ORDER BY days))
    SELECT grp, COUNT(*) FILTER (WHERE {counted}) AS relets, SUM(days) FILTER (WHERE {counted}) AS total,
        AVG(days) FILTER (WHERE {counted} AND rn IN ((n + 1) // 2, (n + 2) // 2)) AS median,
        COUNT(*) FILTER (WHERE excluded_reason = 'prima_locazione') AS first_lets,
        COUNT(*) FILTER (WHERE excluded_reason = 'dopo_lavori') AS after_works,
        COUNT(*) FILTER (WHERE excluded_reason = 'date_incoerenti') AS incoherent
    FROM ranked GROUP BY grp ORDER BY grp""", params


def turnover_sql(scope: Scope, group: str) -> tuple[str, dict]:
    """`turnover_rate` of the year [:start, :end], per grp: leases ended in it and the mean of the units in stock at
    its month ends."""
    units, params = scope_cte(scope)
    return f"""WITH {units},
    {period_cte("start", "end")},
    {CALENDAR},
    unit_group AS (
        SELECT {group} AS grp, su.management_start, COUNT(*) AS units FROM scope_unit su GROUP BY 1, 2),
    stock AS (
        SELECT u.grp, SUM(u.units) / 12.0 AS avg_units
        FROM calendar c JOIN unit_group u ON u.management_start IS NULL OR u.management_start <= c.month_end
        GROUP BY u.grp),
    ended AS (
        SELECT {group} AS grp, COUNT(*) AS ended
        FROM lease l JOIN scope_unit su ON su.unit_code = l.unit_code, period
        WHERE l.end_date >= period_start AND l.end_date <= period_end GROUP BY 1)
    SELECT COALESCE(s.grp, e.grp) AS grp, COALESCE(s.avg_units, 0) AS avg_units, COALESCE(e.ended, 0) AS ended
    FROM stock s FULL JOIN ended e ON e.grp IS NOT DISTINCT FROM s.grp ORDER BY 1""", params


def evictions_sql(scope: Scope, group: str, by: str | None) -> tuple[str, dict]:
    """`evictions_per_1000` over [:start, :end], per grp: units in stock at the end, evictions from case events
    (`sfratto_eseguito` in the period, once per lease) and from leases ended for `sfratto_morosita` in the period
    with no such event at all."""
    units, params = scope_cte(scope)
    return f"""WITH {units},
    {period_cte("start", "end")},
    stock AS ({units_in_stock(scope, group, by, "(SELECT period_end FROM period)")}),
    from_event AS (
        SELECT DISTINCT l.code, {group} AS grp
        FROM arrears_case_event e JOIN lease l ON l.code = e.lease_code
        JOIN scope_unit su ON su.unit_code = l.unit_code, period
        WHERE e.event = 'sfratto_eseguito' AND e.event_date >= period_start AND e.event_date <= period_end),
    from_end AS (
        SELECT l.code, {group} AS grp
        FROM lease l JOIN scope_unit su ON su.unit_code = l.unit_code, period
        WHERE l.end_reason = 'sfratto_morosita' AND l.end_date >= period_start AND l.end_date <= period_end
          AND NOT EXISTS (SELECT 1 FROM arrears_case_event e
                          WHERE e.lease_code = l.code AND e.event = 'sfratto_eseguito'))
    SELECT grp, SUM(units) AS units, SUM(from_events) AS from_events, SUM(from_ends) AS from_ends
    FROM (SELECT grp, units, 0 AS from_events, 0 AS from_ends FROM stock
          UNION ALL SELECT grp, 0, 1, 0 FROM from_event
          UNION ALL SELECT grp, 0, 0, 1 FROM from_end) x
    GROUP BY grp ORDER BY grp""", params


def vacancy_series_sql(scope: Scope, group: str, by: str | None) -> tuple[str, dict]:
    """`vacancy_rate` at every month end of [:start, :end] (the last at :end), per grp, in one pass: units in stock
    from their count per management start; occupied units as running sums of lease starts (counted from
    management start) and ends by month, so the cost grows with leases, not leases × months."""
    units, params = scope_cte(scope)
    available = "CASE WHEN (su.status IS NULL OR su.status = 'locabile') THEN 1 ELSE 0 END"
    return f"""WITH {units},
    {period_cte("start", "end")},
    {CALENDAR},
    point AS (SELECT LEAST(month_end, period_end) AS at_day FROM calendar, period),
    unit_group AS (
        SELECT {group} AS grp, {available} AS avail, su.management_start, COUNT(*) AS units
        FROM scope_unit su GROUP BY 1, 2, 3),
    lease_span AS (
        SELECT {group} AS grp, {available} AS avail, l.end_date AS to_day,
            GREATEST(l.start_date, COALESCE(su.management_start, l.start_date)) AS from_day
        FROM lease l JOIN scope_unit su ON su.unit_code = l.unit_code, period
        WHERE l.start_date <= period_end AND (l.end_date IS NULL OR l.end_date >= period_start)),
    occupancy_change AS (
        SELECT grp, avail, LEAST(CAST(last_day(from_day) AS DATE), period_end) AS at_month, 1 AS change
        FROM lease_span, period WHERE from_day <= period_end AND (to_day IS NULL OR to_day >= from_day)
        UNION ALL
        SELECT grp, avail, LEAST(CAST(last_day(to_day + 1) AS DATE), period_end), -1
        FROM lease_span, period WHERE from_day <= period_end AND to_day >= from_day AND to_day < period_end),
    monthly_change AS (
        SELECT grp, avail, at_month, SUM(change) AS change FROM occupancy_change GROUP BY 1, 2, 3),
    measured AS (
        SELECT at_day, grp, SUM(units) AS units, SUM(units - occupied) AS empty,
            SUM(avail * (units - occupied)) AS available_empty
        FROM (SELECT p.at_day, u.grp, u.avail, u.units, 0 AS occupied
              FROM point p JOIN unit_group u ON u.management_start IS NULL OR u.management_start <= p.at_day
              UNION ALL
              SELECT p.at_day, c.grp, c.avail, 0, c.change
              FROM point p JOIN monthly_change c ON c.at_month <= p.at_day) x
        GROUP BY at_day, grp)
    SELECT p.at_day AS month, m.grp, COALESCE(m.units, 0) AS units, COALESCE(m.empty, 0) AS empty,
        COALESCE(m.available_empty, 0) AS available_empty
    FROM point p {"LEFT " if by is None else ""}JOIN measured m ON m.at_day = p.at_day
    ORDER BY {"p.at_day" if by is None else "m.grp, p.at_day"}""", params


def longest_empty_sql(scope: Scope) -> tuple[str, dict]:
    """The units empty at :as_of, longest empty first (never-let units without a management start last), at most
    :limit: days empty since the last lease's end (or since management start + 1 for a unit never let), the rent
    (the unit's, else its last lease's) and, for units available to let, the void loss to date."""
    units, params = scope_cte(scope)
    longest = "CASE WHEN days_empty IS NULL THEN 1 ELSE 0 END, days_empty DESC, unit_code"
    return f"""WITH {units},
    {period_cte("as_of", "as_of")},
    {LET_UNIT},
    empty_unit AS (
        SELECT su.unit_code, su.building_code, su.intervention_code, su.intervention_name, su.status, su.unit_rent,
            su.management_start, period_end,
            (SELECT MAX(l.end_date) FROM lease l
             WHERE l.unit_code = su.unit_code AND l.end_date < period.period_end) AS last_end
        FROM scope_unit su CROSS JOIN period LEFT JOIN let_unit lu ON lu.unit_code = su.unit_code
        WHERE (su.management_start IS NULL OR su.management_start <= period_end) AND lu.unit_code IS NULL),
    days_empty AS (
        SELECT e.*, CASE WHEN last_end IS NOT NULL THEN period_end - last_end
                         WHEN management_start IS NOT NULL THEN period_end - management_start + 1 END AS days_empty
        FROM empty_unit e),
    longest AS (SELECT * FROM days_empty ORDER BY {longest} LIMIT :limit),
    with_rent AS (
        SELECT longest.*, COALESCE(unit_rent, {last_rent("longest.unit_code", "longest.period_end")}) AS rent
        FROM longest)
    SELECT unit_code, building_code, intervention_code, intervention_name, status, last_end AS last_lease_end,
        CASE WHEN last_end IS NULL THEN 1 ELSE 0 END AS never_let, days_empty, rent AS monthly_rent,
        CASE WHEN {AVAILABLE} THEN rent * days_empty / {DAYS_PER_MONTH} END AS void_loss_eur
    FROM with_rent ORDER BY {longest}""", params
