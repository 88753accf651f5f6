"""Cached calls to the gestore's own-record indicators (community register, facility quality, tenancy pipeline,
tenant mix). Same rule as `dashboard.data`: pages call these and draw; every figure is computed in `indicators/`."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import get_engine
from dashboard.monitoring_data import cached
from indicators import community, lease_pipeline, service_levels, tenant_mix
from indicators.scope import Scope


@cached
def community_register(*, start: date, end: date, scope: Scope, by: str) -> pd.DataFrame:
    return community.community_register(get_engine(), start=start, end=end, scope=scope, by=by)


@cached
def community_years(*, first_year: int, last_year: int, scope: Scope) -> pd.DataFrame:
    return community.community_years(get_engine(), first_year=first_year, last_year=last_year, scope=scope)


@cached
def ticket_quality(*, start: date, end: date, scope: Scope, by: str) -> pd.DataFrame:
    return service_levels.ticket_quality(get_engine(), start=start, end=end, scope=scope, by=by)


@cached
def supplier_performance(*, start: date, end: date, scope: Scope) -> pd.DataFrame:
    return service_levels.supplier_performance(get_engine(), start=start, end=end, scope=scope)


@cached
def backlog_by_age(*, as_of: date, scope: Scope) -> pd.DataFrame:
    return service_levels.backlog_by_age(get_engine(), as_of=as_of, scope=scope)


@cached
def lease_pipeline_frame(*, as_of: date, scope: Scope, by: str) -> pd.DataFrame:
    return lease_pipeline.lease_pipeline(get_engine(), as_of=as_of, scope=scope, by=by)


@cached
def units_coming_free(*, as_of: date, scope: Scope) -> pd.DataFrame:
    return lease_pipeline.units_coming_free(get_engine(), as_of=as_of, scope=scope)


@cached
def tenant_mix_frame(*, as_of: date, scope: Scope, by: str) -> pd.DataFrame:
    return tenant_mix.tenant_mix(get_engine(), as_of=as_of, scope=scope, by=by)
