"""The case figures of a page per building at recent month ends: `case_month`, `case_instrument_month` and
`late_case_month`.

A case's stage at a date comes from all its events up to then (`indicators.cases.case_status`): tens of
thousands of cases take seconds, and every tile wants its value and the value a year before. A case belongs
to one building, so per building at a month end the page's case figures are sums: the counts of the tiles
(open, late, closed; assessed incolpevole or colpevole) and of the outcomes, the repayment plans and what they
recovered (`indicators.case_plans`), the instruments used, and the late cases themselves (the alert list).
They are kept for the 25 month ends the pages open on (the last month end of the ledger and the two years
before it), with the default tolerance of `case_status`; any other date or option is computed from the events.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import text

from indicators import aggregate_state
from indicators.building_month import month_end_of
from indicators.ledger_sql import is_month_end, month_ends, month_key
from indicators.scope import Scope
from indicators.sql import query

NAME = "cases"
SOURCE_KINDS = ("pratiche_morosita", "contratti", "alloggi")
# The plan columns of `case_month` read the ledger too: a load of movements makes only them stale.
PLANS_NAME = "case_plans"
PLANS_SOURCE_KINDS = (*SOURCE_KINDS, "movimenti")
MONTHS = 25
GRACE_DAYS = 10
COUNTS = ("open", "late", "closed", "resolved", "no_fault", "culpable", "not_assessed")
OUTCOME_COUNTS = {"risolta": "resolved", "piano in corso": "running", "sfratto": "evicted",
                  "in corso": "in_progress", "chiusa altro": "closed_other"}
PLAN_SUMS = ("plans", "planned", "recovered")
INSTRUMENT_SUMS = ("cases", "amount", "resolved", "in_progress", "evicted", "closed_other")
LATE = ("case_code", "lease_code", "unit_code", "building_code", "intervention_code", "fund", "opened_on", "stage",
        "last_event", "last_event_on", "overdue_step", "due_on", "days_late")


SOURCE = aggregate_state.Source("arrears_case_event", SOURCE_KINDS)
PLANS_SOURCE = aggregate_state.Source("arrears_case_event", PLANS_SOURCE_KINDS)


def fresh_months(conn) -> tuple[int | None, int | None] | None:
    """(first, last) month key held, when built from the data as it is now; else None."""
    return aggregate_state.fresh_months(conn, NAME, SOURCE)


def usable(conn, *, as_of: date, start: date | None, end: date | None, grace_days: int) -> bool:
    if start is not None or end is not None or grace_days != GRACE_DAYS or not is_month_end(as_of):
        return False
    months = fresh_months(conn)
    return months is not None and months[0] is not None and months[0] <= month_key(as_of) <= months[1]


def plans_usable(conn, *, as_of: date, start: date | None, end: date | None) -> bool:
    """Whether the plan columns answer `plan_recovery` at `as_of` (also fresh against the ledger)."""
    if not usable(conn, as_of=as_of, start=start, end=end, grace_days=GRACE_DAYS):
        return False
    months = aggregate_state.fresh_months(conn, PLANS_NAME, PLANS_SOURCE)
    return months is not None and months[0] is not None and months[0] <= month_key(as_of) <= months[1]


def _ends(last_day: date | None) -> list[date]:
    """The month ends held: the last `MONTHS` on or before the ledger's last day."""
    return month_ends(date(last_day.year - 3, 1, 1), last_day)[-MONTHS:] if last_day else []


def current(conn, last_day: date | None) -> bool:
    """Whether the case tables are fresh and hold the month ends they would be rebuilt for now."""
    ends = _ends(last_day)
    return fresh_months(conn) == ((month_key(ends[0]), month_key(ends[-1])) if ends else (None, None))


def plans_fresh(conn) -> bool:
    """Whether the plan columns were built from the cases and the ledger as they are now, for the months held."""
    return aggregate_state.fresh_months(conn, PLANS_NAME, PLANS_SOURCE) == fresh_months(conn)


def _in_scope(table: str, columns: str, as_of: date, scope: Scope, tail: str = "") -> tuple[str, dict]:
    buildings, params = scope.buildings_sql()
    return f"""SELECT {columns} FROM {table} c JOIN ({buildings}) sb ON sb.building_code = c.building_code
               WHERE c.month_key = {month_key(as_of)} {tail}""", params


def counts(conn, *, as_of: date, scope: Scope) -> pd.Series:
    """The counts, outcomes and plan sums of the cases of the buildings in scope at month end `as_of` (zeros
    without cases): `COUNTS`, the values of `OUTCOME_COUNTS` and `PLAN_SUMS`."""
    cols = (*COUNTS, *[c for c in OUTCOME_COUNTS.values() if c not in COUNTS], *PLAN_SUMS)
    sql, params = _in_scope("case_month", ", ".join(f"COALESCE(SUM(c.{col}), 0) AS {col}" for col in cols),
                            as_of, scope)
    row = query(conn, sql, params).iloc[0]
    return pd.Series({c: float(row[c]) if c in ("planned", "recovered") else int(row[c]) for c in cols}, dtype=object)


def instruments(conn, *, as_of: date, scope: Scope) -> pd.DataFrame:
    """Per instrument, the sums over the buildings in scope (one row per instrument used)."""
    sums = ", ".join(f"SUM(c.{col}) AS {col}" for col in INSTRUMENT_SUMS)
    sql, params = _in_scope("case_instrument_month", f"c.instrument, {sums}", as_of, scope, "GROUP BY c.instrument")
    return query(conn, sql, params)


def late(conn, *, as_of: date, scope: Scope) -> pd.DataFrame:
    """The late cases of the buildings in scope, most late first."""
    sql, params = _in_scope("late_case_month", ", ".join(f"c.{col}" for col in LATE), as_of, scope,
                            "ORDER BY c.days_late DESC, c.case_code")
    return query(conn, sql, params)


# --- building ----------------------------------------------------------------------------------------------------
def build(conn, last_day: date | None) -> int:
    """Rebuild the three tables for the `MONTHS` month ends ending at the last one on or before `last_day`."""
    from indicators.cases import case_status, instrument_counts, instrument_uses, late_list

    for table in ("case_month", "case_instrument_month", "late_case_month"):
        conn.execute(text(f"DELETE FROM {table}"))
    built_from = aggregate_state.versions(conn, SOURCE)
    ends = _ends(last_day)
    uses = instrument_uses(conn, scope=Scope(), as_of=ends[-1]) if ends else None
    for d in ends:
        status = case_status(conn, as_of=d, grace_days=GRACE_DAYS)
        if status.empty:
            continue
        _insert(conn, "case_month", month_key(d), _per_building(status))
        _insert(conn, "case_instrument_month", month_key(d), instrument_counts(uses, status, d, by="building_code"))
        _insert(conn, "late_case_month", month_key(d), late_list(status)[list(LATE)])
    aggregate_state.record(conn, NAME, built_from, month_key(ends[0]) if ends else None,
                           month_key(ends[-1]) if ends else None)
    build_plans(conn)
    return conn.execute(text("SELECT COUNT(*) FROM case_month")).scalar_one()


def build_plans(conn) -> None:
    """Rewrite the plan columns of `case_month` for the month ends it holds (after a load of movements, alone)."""
    from indicators import case_plans

    built_from = aggregate_state.versions(conn, PLANS_SOURCE)
    held = fresh_months(conn)
    keys = list(range(held[0], held[1] + 1)) if held and held[0] is not None else []
    conn.execute(text("UPDATE case_month SET plans = 0, planned = 0, recovered = 0"))
    plans = case_plans.per_building(conn, [month_end_of(k) for k in keys])
    if not plans.empty:
        conn.execute(text("""UPDATE case_month SET plans = :plans, planned = :planned, recovered = :recovered
                             WHERE month_key = :month_key AND building_code = :building_code"""),
                     [{"month_key": int(r.month_key), "building_code": r.building_code, "plans": int(r.plans),
                       "planned": float(r.planned), "recovered": float(r.recovered)} for r in plans.itertuples()])
    aggregate_state.record(conn, PLANS_NAME, built_from, keys[0] if keys else None, keys[-1] if keys else None)


def _insert(conn, table: str, key: int, rows: pd.DataFrame) -> None:
    if rows.empty:
        return
    cols = list(rows.columns)
    records = [dict(zip(cols, r)) for r in rows.astype(object).where(rows.notna(), None).itertuples(index=False)]
    conn.execute(text(f"INSERT INTO {table} (month_key, {', '.join(cols)}) VALUES ({key}, "
                      f"{', '.join(f':{c}' for c in cols)})"), records)


def _per_building(status: pd.DataFrame) -> pd.DataFrame:
    outcome = status["outcome"]
    flags = pd.DataFrame({
        "building_code": status["building_code"], "open": status["is_open"], "late": status["is_open"] & status["late"],
        "closed": ~status["is_open"], "no_fault": status["assessment"] == "incolpevole",
        "culpable": status["assessment"] == "colpevole", "not_assessed": status["assessment"].isna(),
        **{col: outcome == name for name, col in OUTCOME_COUNTS.items()}})
    return flags.groupby("building_code").sum().astype(int).reset_index()
