"""Which dates the data behind a KPI covers, so that a figure asked for outside them is "no data", never a zero.

A KPI read from the ledger at a date before the first movement, or ticket costs over a period before the
first ticket, would otherwise come out as 0,00 € or 0,0%: a number where there is nothing to count. The
span of each source is read from the whole warehouse (not per scope: a scope's own gaps have their own
messages, such as "nessun alloggio nel perimetro"), on the sources' date columns.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd

from indicators.results import KpiValue
from indicators.sql import query, shared, unrecorded
from osservatorio.formatting import fmt_date

NO_DATA = "nessun dato per il periodo"


# Each dated source's name, in Italian, as in "i movimenti contabili iniziano il ..." (its tables and date columns:
# `facts.SPAN_COLUMNS`; its span: the `source_span` fact).
SOURCES = {
    "ledger": "i movimenti contabili",
    "cases": "le pratiche di morosità",
    "tickets": "le segnalazioni",
    "applications": "le domande di assegnazione",
    "community": "le attività di comunità del gestore",
}
_LEDGER = ("arrears_stock_eur", "arrears_rate_billed", "arrears_rate_rent_roll", "households_in_arrears_pct",
           "collection_rate", "collection_rate_with_arrears", "arrears_aging", "arrears_aging_by_charge")
KPI_SOURCES: dict[str, tuple[str, ...]] = {
    **{code: ("ledger",) for code in _LEDGER},
    "late_cases": ("cases",), "no_fault_share": ("cases",), "plan_recovery_eur": ("cases", "ledger"),
    "ticket_days_to_close": ("tickets",), "ticket_backlog": ("tickets",), "ticket_cost_per_unit_eur": ("tickets",),
    "applications_received": ("applications",), "allocation_days": ("applications",),
    "waiting_list": ("applications",),
    **{code: ("tickets",) for code in ("ticket_within_target_pct", "ticket_repeat_pct", "ticket_reopened_pct",
                                       "ticket_cost_mean_eur", "ticket_backlog_over_target", "ticket_backlog_age")},
    **{code: ("community",) for code in ("community_activities", "community_participants",
                                         "community_households_reached", "community_hours")},
}


def span(conn, source: str) -> tuple[date | None, date | None]:
    """First and last date of a source in the warehouse (None, None when it holds no row): its `source_span` row
    (all of them read once per page run)."""
    return shared(conn, ("source_span",), lambda: _spans(conn)).get(source, (None, None))


def _spans(conn) -> dict[str, tuple[date | None, date | None]]:
    with unrecorded():
        rows = query(conn, "SELECT source, first_day, last_day FROM source_span")
    return {r.source: (_day(r.first_day), _day(r.last_day)) for r in rows.itertuples()}


def _day(value) -> date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def gap(conn, code: str, *, as_of: date | None = None, start: date | None = None, end: date | None = None
        ) -> str | None:
    """Why KPI `code` has no data for the date `as_of` or the period [start, end] (None: covered, or a KPI whose
    sources are not tracked here). A date before a source's first day, or a period wholly outside its span."""
    for source in KPI_SOURCES.get(code, ()):
        first, last = span(conn, source)
        name = SOURCES[source]
        if first is None:
            return f"{NO_DATA}: mancano {name}"
        day = end if start is not None and end is not None else as_of
        if day is not None and day < first:
            return f"{NO_DATA}: {name} iniziano il {fmt_date(first)}"
        if start is not None and last is not None and start > last:
            return f"{NO_DATA}: {name} si fermano al {fmt_date(last)}"
    return None


def partial(conn, code: str, *, start: date | None, end: date | None) -> str | None:
    """A note when a period starts before the data it needs: the figure covers only part of it."""
    if start is None or end is None:
        return None
    for source in KPI_SOURCES.get(code, ()):
        first, _ = span(conn, source)
        if first is not None and start < first <= end:
            return (f"periodo coperto solo in parte: {SOURCES[source]} iniziano il {fmt_date(first)}")
    return None


def no_data(code: str, reason: str, *, as_of: date | None = None, start: date | None = None,
            end: date | None = None) -> KpiValue:
    """The "no data" result of a KPI: no value, the reason as its warning."""
    return KpiValue(code, None, as_of=as_of, start=start, end=end, warnings=[reason], no_data=True)


def checked(conn, result, *, as_of: date | None = None, start: date | None = None, end: date | None = None):
    """`result` (a KpiValue or a `by=` frame) as "no data" when asked outside the data it needs; a KpiValue over a
    period only partly covered gets a note. A frame keeps its columns and loses its rows."""
    code = result.code if isinstance(result, KpiValue) else result.attrs.get("kpi")
    if code is None:
        return result
    reason = gap(conn, code, as_of=as_of, start=start, end=end)
    if reason is not None:
        if isinstance(result, KpiValue):
            return no_data(code, reason, as_of=result.as_of, start=result.start, end=result.end)
        empty = result.iloc[0:0].copy()
        empty.attrs = {**result.attrs, "warnings": [reason]}
        return empty
    note = partial(conn, code, start=start, end=end) if isinstance(result, KpiValue) else None
    if note is not None and note not in result.warnings:
        result = replace(result, warnings=[*result.warnings, note])
    return result
