"""The arrears figures' positions and totals, run on the analytics copy: which SQL of `indicators.position_sql`
answers a date (one `lease_month` row per lease at a month end, the `building_month` fact's sums for whole
buildings, the movements of the month at any other day), with its parameters."""

from __future__ import annotations

from datetime import date

import pandas as pd

from indicators import facts
from indicators.ledger_sql import aging_bucket, date_param, day_diff, fifo_unpaid, is_month_end, month_key
from indicators.position_sql import (TOTALS, any_day_positions, fifo_cte, month_end_positions, scoped_leases_cte,
                                     totals_select)
from indicators.scope import GROUPINGS, Scope
from indicators.sql import one_row, query, shared, unrecorded

__all__ = ["TOTALS", "positions_ctes", "totals", "unpaid_charges_ctes"]


def positions_ctes(conn, *, scope: Scope, by: str | None = None, as_of: date, start: date | None = None,
                   days: int = 30, months: list[date] | None = None, every_lease: bool = True) -> tuple[str, dict]:
    """CTEs up to `fifo`: one row per lease in scope and checkpoint, with its FIFO position.

    One checkpoint `as_of` (bucket 0), the period being [start, as_of] (start defaults to the 1st of as_of's
    month); or, with `months` (month ends, the last being `as_of`), one checkpoint per month end, each month being
    its own period. Columns of `fifo`: the `sl` columns, bucket, as_of, active, ended, charged (P), credited (C),
    credited_other (storno, abbuono, stralcio), overdue (charges due more than `days` days before the
    checkpoint), period_charged, period_cash (incasso in the period), moves, balance, arrears, period_unpaid,
    period_collected (part of the period's charges settled by payments), overdue_debt (0/1). `cal` holds the
    checkpoints (bucket, as_of).

    With `every_lease=False` the caller accepts that `fifo` leaves out a lease at a checkpoint before its first
    movement (its position is all zeros; count leases on `sl` × `cal`). Then, when every checkpoint is a month end
    whose period is its calendar month and `days` is the `lease_month` fact's cut-off, each position is one row of
    that fact (`month_end_positions`). Any other date reads the same running sums the fact holds, at three days
    (`any_day_positions`).
    """
    checkpoints = months or [as_of]
    since = _period_since(as_of, start, months)
    at_month_ends = not every_lease and _at_month_ends(conn, checkpoints, since, days)
    leases, params = scoped_leases_cte(scope, by)
    calendar, more = _calendar(checkpoints, series=bool(months))
    params.update(more)
    if at_month_ends:
        pos = month_end_positions(before=None if since is None else month_key(since) - 1)
    else:
        pos, more = any_day_positions(checkpoints, months=bool(months), start=start, days=days)
        params.update(more)
    return f"""{leases},
    cal AS ({calendar}),
    {pos},
    {fifo_cte()}""", params


def _period_since(as_of: date, start: date | None, months: list[date] | None) -> date | None:
    """The start of a single checkpoint's period when it is not the 1st of the checkpoint's month (None: it is, or
    the checkpoints are a series of month ends, each its own month)."""
    return None if months or start is None or start == as_of.replace(day=1) else start


def _at_month_ends(conn, checkpoints: list[date], since: date | None, days: int) -> bool:
    """Whether every checkpoint is a month end the `lease_month` fact holds, its period starting on the 1st of a
    month, with the fact's overdue cut-off: each position is then one row of the fact."""
    if days != facts.OVERDUE_DAYS or not all(is_month_end(d) for d in checkpoints):
        return False
    if since is not None and (since.day != 1 or since > checkpoints[-1]):
        return False
    first, last = _fact_months(conn)
    return first <= month_key(checkpoints[0]) and month_key(checkpoints[-1]) <= last


def _fact_months(conn) -> tuple[int, int]:
    """The first and last month the `lease_month` fact holds ((0, −1) when the ledger is empty)."""
    with unrecorded():
        first, last = one_row(conn, "SELECT MIN(month_key), MAX(month_key) FROM lease_month", {}, 2)
    return (0, -1) if last is None else (int(first), int(last))


def _calendar(checkpoints: list[date], *, series: bool) -> tuple[str, dict]:
    """The `cal` rows: bucket (a series' month key, else 0), as_of, month_key."""
    sql = " UNION ALL ".join(f"SELECT {month_key(d) if series else 0} AS bucket, {date_param(f'cal_{i}')} "
                             f"AS as_of, {month_key(d)} AS month_key" for i, d in enumerate(checkpoints))
    params: dict = {f"cal_{i}": d for i, d in enumerate(checkpoints)}
    params["as_of"] = checkpoints[-1]
    return sql, params


def unpaid_charges_ctes(conn, *, scope: Scope, by: str | None = None, as_of: date) -> tuple[str, dict]:
    """`positions_ctes` at `as_of` plus `unpaid`: lease_code, due_date, amount, unpaid, age (days), bucket.

    One row per charge (or, from the pre-aggregates, per due date: the same sums) due by `as_of` with an
    unpaid part; only leases in debit are read twice (and only they are in `fifo` at a month end).
    """
    ctes, params = positions_ctes(conn, scope=scope, by=by, as_of=as_of, every_lease=False)
    # The charges per due date with their running total (the `lease_charge` fact): only the unpaid days are read.
    owed_rows = """SELECT d.lease_code, d.due_date, d.amount, ROUND(d.through - o.credited, 2) AS owed
            FROM owing o JOIN lease_charge d ON d.lease_code = o.lease_code AND d.through > o.credited
            WHERE d.due_date <= :as_of"""
    age = day_diff(date_param("as_of"), "r.due_date")
    return f"""{ctes},
    owing AS (SELECT lease_code, credited FROM fifo WHERE balance > 0),
    owed_rows AS ({owed_rows}),
    unpaid AS (
        SELECT r.lease_code, r.due_date, r.amount, {fifo_unpaid('r.owed', 'r.amount')} AS unpaid,
            {age} AS age, {aging_bucket(age)} AS bucket
        FROM owed_rows r WHERE r.owed > 0)""", params


def totals(conn, *, scope: Scope, by: str | None, as_of: date, start: date | None = None, days: int = 30,
           months: list[date] | None = None) -> pd.DataFrame:
    """Per checkpoint (bucket) and group: the sums every lease-level arrears KPI is a ratio of (`TOTALS`); in a page
    run, the figures that need the same sums share one read (`sql.shared`)."""
    key = ("ledger.totals", scope, by, as_of, start, days, tuple(months or ()))
    return shared(conn, key, lambda: _totals(conn, scope=scope, by=by, as_of=as_of, start=start, days=days,
                                             months=months)).copy()


def _totals(conn, *, scope: Scope, by: str | None, as_of: date, start: date | None, days: int,
            months: list[date] | None) -> pd.DataFrame:
    frame = _lease_totals(conn, scope=scope, by=by, as_of=as_of, start=start, days=days, months=months)
    for col in TOTALS:
        frame[col] = frame[col].astype(float).round(2)
    frame["stock_current"] = (frame["stock"] - frame["stock_former"]).round(2)
    return frame.sort_values(["bucket", "grp"], na_position="last", ignore_index=True)


# Groupings every lease of a building shares: their totals are sums of the buildings' (`BUILDING_MONTH`).
BUILDING_LEVEL = ("sgr", "fund", "intervention", "building")


def _lease_totals(conn, *, scope: Scope, by: str | None, as_of: date, start: date | None, days: int,
                  months: list[date] | None) -> pd.DataFrame:
    checkpoints = months or [as_of]
    since = _period_since(as_of, start, months)
    if since is None and (by is None or by in BUILDING_LEVEL) and _at_month_ends(conn, checkpoints, None, days):
        return _building_totals(conn, scope=scope, by=by, checkpoints=checkpoints, series=bool(months))
    ctes, params = positions_ctes(conn, scope=scope, by=by, as_of=as_of, start=start, days=days, months=months,
                                  every_lease=False)
    return query(conn, totals_select(ctes), params)


def _building_totals(conn, *, scope: Scope, by: str | None, checkpoints: list[date], series: bool) -> pd.DataFrame:
    """`_lease_totals` at month ends for a building-level grouping: the sums of the `building_month` rows of the
    buildings in scope (the same query, run for every building and month end with the copy)."""
    buildings, params = scope.buildings_sql()
    grp = GROUPINGS[by] if by else "CAST(NULL AS VARCHAR(200))"
    calendar, more = _calendar(checkpoints, series=series)
    params.update(more)
    sums = ", ".join(f"CAST(SUM(f.{c}) AS DOUBLE) AS {c}" for c in TOTALS)  # the exact sum, read as a float
    sql = f"""WITH su AS ({buildings}),
        cal AS ({calendar})
        SELECT cal.bucket, {grp} AS grp, {sums}
        FROM building_month f JOIN cal ON f.month_key = cal.month_key JOIN su ON su.building_code = f.building_code
        GROUP BY cal.bucket, {grp}"""
    return query(conn, sql, params)
