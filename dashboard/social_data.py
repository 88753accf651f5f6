"""Cached, typed calls to the social-management indicators: the gestore's track record, the cases over a
period, the tickets, the allocations and evictions, the funded projects.

Same rule as `dashboard.data`: pages call these and draw; every figure is computed in `indicators/`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import get_engine
from dashboard.monitoring_data import cached
from indicators import allocations, cases, facilities, funding, track_record
from indicators.results import KpiValue
from indicators.scope import Scope


# --- track record of the social manager -----------------------------------------------------------------------
@cached
def units_managed(*, as_of: date, scope: Scope, by: str | None = None) -> KpiValue | pd.DataFrame:
    return track_record.units_managed(get_engine(), as_of=as_of, scope=scope, by=by)


@cached
def community_labs(*, scope: Scope) -> pd.DataFrame:
    return track_record.community_labs(get_engine(), scope=scope)


@cached
def community_activity(*, start: date, end: date, scope: Scope) -> pd.DataFrame:
    return track_record.community_activity(get_engine(), start=start, end=end, scope=scope)


# --- arrears cases over a period ------------------------------------------------------------------------------
@cached
def case_summary(*, as_of: date, start: date, end: date, scope: Scope) -> KpiValue:
    return cases.case_summary(get_engine(), as_of=as_of, start=start, end=end, scope=scope)


@cached
def instruments_summary(*, as_of: date, start: date, end: date, scope: Scope) -> pd.DataFrame:
    return cases.instruments_summary(get_engine(), as_of=as_of, start=start, end=end, scope=scope)


@cached
def plan_recovery(*, as_of: date, start: date, end: date, scope: Scope) -> KpiValue:
    return cases.plan_recovery(get_engine(), as_of=as_of, start=start, end=end, scope=scope)


# --- tickets --------------------------------------------------------------------------------------------------
@cached
def ticket_summary(*, start: date, end: date, scope: Scope, by: str | None = "category") -> pd.DataFrame:
    return facilities.ticket_summary(get_engine(), start=start, end=end, scope=scope, by=by)


# --- allocations and evictions --------------------------------------------------------------------------------
@cached
def waiting_list_series(*, start: date, end: date, scope: Scope) -> pd.DataFrame:
    return allocations.waiting_list_series(get_engine(), start=start, end=end, scope=scope)


@cached
def allocations_by_year(*, scope: Scope) -> pd.DataFrame:
    return allocations.allocations_by_year(get_engine(), scope=scope)


@cached
def evictions_by_year(*, scope: Scope, first_year: int, last_year: int) -> pd.DataFrame:
    return allocations.evictions_by_year(get_engine(), scope=scope, first_year=first_year, last_year=last_year)


@cached
def municipal_evictions(*, scope: Scope) -> pd.DataFrame:
    return allocations.municipal_evictions(get_engine(), scope=scope)


# --- funded projects ------------------------------------------------------------------------------------------
@cached
def funding_projects(*, scope: Scope) -> pd.DataFrame:
    return funding.funding_projects(get_engine(), scope=scope)


@cached
def funding_stalled(*, as_of: date, scope: Scope) -> KpiValue:
    return funding.funding_stalled(get_engine(), as_of=as_of, scope=scope)


@cached
def funding_paid_share(*, scope: Scope) -> KpiValue:
    return funding.funding_paid_share(get_engine(), scope=scope)


@cached
def funding_committed_share(*, scope: Scope) -> KpiValue:
    return funding.funding_committed_share(get_engine(), scope=scope)
