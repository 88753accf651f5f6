"""Case counts per building at recent month ends (`case_month`): the case tiles of a page as sums.

A case's stage at a date comes from all its events up to then (`indicators.cases.case_status`): tens of
thousands of cases take seconds, and every tile wants its value and the value a year before. The
tiles only count cases (open, late, closed, resolved; assessed incolpevole or colpevole), and a case
belongs to one building, so the counts per building at a month end answer every scope. They are kept
for the 25 month ends the pages open on (the last month end of the ledger and the two years before it),
with the default tolerance of `case_status`; any other date or option is computed from the events.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import text

from indicators import aggregate_state
from indicators.ledger_sql import is_month_end, month_ends, month_key
from indicators.scope import Scope
from indicators.sql import query

NAME = "cases"
SOURCE_KINDS = ("pratiche_morosita", "contratti", "alloggi")
MONTHS = 25
GRACE_DAYS = 10
COUNTS = ("open", "late", "closed", "resolved", "no_fault", "culpable", "not_assessed")


SOURCE = aggregate_state.Source("arrears_case_event", SOURCE_KINDS)


def fresh_months(conn) -> tuple[int | None, int | None] | None:
    """(first, last) month key held, when built from the data as it is now; else None."""
    return aggregate_state.fresh_months(conn, NAME, SOURCE)


def usable(conn, *, as_of: date, start: date | None, end: date | None, grace_days: int) -> bool:
    if start is not None or end is not None or grace_days != GRACE_DAYS or not is_month_end(as_of):
        return False
    months = fresh_months(conn)
    return months is not None and months[0] is not None and months[0] <= month_key(as_of) <= months[1]


def counts(conn, *, as_of: date, scope: Scope) -> pd.Series:
    """The `COUNTS` of the cases of the buildings in scope at month end `as_of` (zeros without cases)."""
    buildings, params = scope.buildings_sql()
    sums = ", ".join(f"COALESCE(SUM(c.{col}), 0) AS {col}" for col in COUNTS)
    frame = query(conn, f"""SELECT {sums} FROM case_month c JOIN ({buildings}) sb ON sb.building_code = c.building_code
                            WHERE c.month_key = {month_key(as_of)}""", params)
    return frame.iloc[0].astype(int)


# --- building ----------------------------------------------------------------------------------------------------
def build(conn, last_day: date | None) -> int:
    """Rebuild `case_month` for the `MONTHS` month ends ending at the last one on or before `last_day`."""
    from indicators.cases import case_status

    conn.execute(text("DELETE FROM case_month"))
    built_from = aggregate_state.versions(conn, SOURCE)
    ends = month_ends(date(last_day.year - 3, 1, 1), last_day)[-MONTHS:] if last_day else []
    for d in ends:
        rows = _per_building(case_status(conn, as_of=d, grace_days=GRACE_DAYS))
        if rows:
            conn.execute(text(f"""INSERT INTO case_month (month_key, building_code, {", ".join(COUNTS)})
                VALUES ({month_key(d)}, :building_code, {", ".join(f":{c}" for c in COUNTS)})"""), rows)
    aggregate_state.record(conn, NAME, built_from, month_key(ends[0]) if ends else None,
                           month_key(ends[-1]) if ends else None)
    return conn.execute(text("SELECT COUNT(*) FROM case_month")).scalar_one()


def _per_building(status: pd.DataFrame) -> list[dict]:
    if status.empty:
        return []
    flags = pd.DataFrame({
        "building_code": status["building_code"], "open": status["is_open"], "late": status["is_open"] & status["late"],
        "closed": ~status["is_open"], "resolved": status["outcome"] == "risolta",
        "no_fault": status["assessment"] == "incolpevole", "culpable": status["assessment"] == "colpevole",
        "not_assessed": status["assessment"].isna()})
    grouped = flags.groupby("building_code").sum().astype(int).reset_index()
    return grouped.to_dict("records")
