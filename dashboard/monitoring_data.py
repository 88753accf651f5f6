"""Cached, typed calls to the monitoring indicators (`indicators/arrears.py`, `vacancy.py`, `cases.py`).

Same rule as `dashboard.data`: pages call these and draw; every figure is computed in `indicators/`. One
function per figure the pages use, so a misspelt figure is an import error and the types reach the pages.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import CACHE_TTL, get_engine
from dashboard.freshness import cached_figures
from indicators import arrears, cases, catalog, portfolio, vacancy
from indicators import benchmarks as benchmark_values
from indicators.results import KpiValue
from indicators.scope import Scope

MAX_ENTRIES = 1000
cached = cached_figures(ttl=CACHE_TTL, show_spinner=False, max_entries=MAX_ENTRIES)  # follows the copy


@cached
def _kpi(code: str, as_of: date, start: date, end: date, scope: Scope, by: str | None) -> KpiValue | pd.DataFrame:
    return catalog.compute(get_engine(), code, as_of=as_of, start=start, end=end, scope=scope, by=by)


@cached
def _arrears_bundle(start: date, end: date, scope: Scope, by: str | None) -> dict:
    return arrears.arrears_kpis(get_engine(), start=start, end=end, scope=scope, by=by)


def kpi(code: str, *, as_of: date, start: date, end: date, scope: Scope, by: str | None = None,
        suppress: int | None = None) -> KpiValue | pd.DataFrame:
    """Registry KPI `code` with the page's options, through `indicators.catalog.compute` (cached); with
    `suppress` (the small-cell threshold of the user) as that user may see it (`indicators.disclosure`).

    The ledger KPIs of one date and period come from a single read of the ledger (`arrears_kpis`).
    """
    if code in arrears.SPECS and end == as_of:
        result = _arrears_bundle(start, end, scope, by)[code]
    else:
        result = _kpi(code, as_of, start, end, scope, by)
    if suppress is None:
        return result
    from indicators.disclosure import DEBT_BASED

    stock = kpi("arrears_stock_eur", as_of=as_of, start=start, end=end, scope=scope, by=by) \
        if code in DEBT_BASED else None
    return protected(result, suppress, code=code, as_of=as_of, scope=scope, by=by, stock=stock)


def protected(result, threshold: int | None, *, code: str | None, as_of: date, scope: Scope, by: str | None = None,
              count_columns: tuple[str, ...] = (), stock: KpiValue | pd.DataFrame | None = None):
    """An indicator result as a user with small-cell `threshold` may see it (unchanged when None): see
    `indicators.disclosure`; a table's households per group are those of `by` at `as_of`."""
    from indicators import disclosure

    if threshold is None:
        return result
    if isinstance(result, KpiValue):
        counted = stock.breakdown.get("contratti") if isinstance(stock, KpiValue) else None
        debtors = None if counted is None else int(counted)
        return disclosure.protect_value(result, threshold=threshold, households=households(as_of=as_of, scope=scope),
                                        debtors=debtors)
    if result.empty:
        return result
    if {"group", "bucket"} <= set(result.columns):
        return disclosure.protect_grouped_buckets(result, threshold=threshold).frame
    base = households_by(as_of=as_of, scope=scope, by=by) if by else None
    debtors = disclosure.debtors_for(result, stock) if isinstance(stock, pd.DataFrame) else None
    return disclosure.protect_frame(result, threshold=threshold, code=code, count_columns=count_columns,
                                    households=disclosure.households_for(result, base), debtors=debtors).frame


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def portfolio_tree(scope: Scope) -> pd.DataFrame:
    """SGR > fund > intervention > building rows the filters are made of."""
    return portfolio.portfolio_tree(get_engine(), scope=scope)


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def ledger_span() -> tuple[date | None, date | None]:
    return portfolio.ledger_span(get_engine())


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def benchmarks(kpi_code: str) -> pd.DataFrame:
    """Reference values for one KPI (label, value, source, note, built_in)."""
    return benchmark_values.benchmarks(get_engine(), kpi_code=kpi_code)


# --- arrears (morosità) ---------------------------------------------------------------------------------------
def arrears_series(*, start: date, end: date, scope: Scope, by: str | None = None,
                   suppress: int | None = None) -> pd.DataFrame:
    """Month-end arrears figures; with `suppress`, the months resting on a small count are blanked."""
    from indicators.disclosure import protect_series

    return protect_series(_arrears_series(start, end, scope, by), threshold=suppress)


@cached
def _arrears_series(start: date, end: date, scope: Scope, by: str | None) -> pd.DataFrame:
    return arrears.arrears_series(get_engine(), start=start, end=end, scope=scope, by=by)


def arrears_aging(*, as_of: date, scope: Scope, per_charge: bool = False, suppress: int | None = None) -> pd.DataFrame:
    """Arrears by age: each lease's balance in the bucket of its oldest unpaid charge, or each charge by its age;
    with `suppress`, buckets of few contracts (and their complements) hidden and flagged."""
    code = "arrears_aging_by_charge" if per_charge else "arrears_aging"
    return protected(_arrears_aging(as_of, scope, per_charge), suppress, code=code, as_of=as_of, scope=scope)


@cached
def _arrears_aging(as_of: date, scope: Scope, per_charge: bool) -> pd.DataFrame:
    aging = arrears.arrears_aging if per_charge else arrears.arrears_aging_by_contract
    return aging(get_engine(), as_of=as_of, scope=scope)


@cached
def contract_balances(*, as_of: date, scope: Scope, intervention: str | None = None, building: str | None = None,
                      limit: int | None = None) -> pd.DataFrame:
    return arrears.contract_balances(get_engine(), as_of=as_of, scope=scope, intervention=intervention,
                                     building=building, limit=limit)


# --- cases (pratiche di morosità) -----------------------------------------------------------------------------
@cached
def late_cases(*, as_of: date, scope: Scope) -> pd.DataFrame:
    return cases.late_cases(get_engine(), as_of=as_of, scope=scope)


@cached
def instruments_summary(*, as_of: date, scope: Scope) -> pd.DataFrame:
    return cases.instruments_summary(get_engine(), as_of=as_of, scope=scope)


@cached
def outcomes_summary(*, as_of: date, scope: Scope) -> pd.DataFrame:
    return cases.outcomes_summary(get_engine(), as_of=as_of, scope=scope)


# --- vacancy (sfitto) -----------------------------------------------------------------------------------------
@cached
def vacancy_series(*, start: date, end: date, scope: Scope, by: str | None = None) -> pd.DataFrame:
    return vacancy.vacancy_series(get_engine(), start=start, end=end, scope=scope, by=by)


def _year_end(year: int) -> date:
    return date(year, 12, 31)


def relet_times(*, year: int, scope: Scope, suppress: int | None = None) -> KpiValue:
    return protected(_relet_times(year, scope), suppress, code="relet_days", as_of=_year_end(year), scope=scope)


@cached
def _relet_times(year: int, scope: Scope) -> KpiValue:
    return vacancy.relet_times(get_engine(), year=year, scope=scope)


@cached
def relets(*, year: int, scope: Scope) -> pd.DataFrame:
    return vacancy.relets(get_engine(), year=year, scope=scope)


def turnover(*, year: int, scope: Scope, suppress: int | None = None) -> KpiValue:
    return protected(_turnover(year, scope), suppress, code="turnover_rate", as_of=_year_end(year), scope=scope)


@cached
def _turnover(year: int, scope: Scope) -> KpiValue:
    return vacancy.turnover(get_engine(), year=year, scope=scope)


@cached
def longest_empty(*, as_of: date, scope: Scope, limit: int = 20) -> pd.DataFrame:
    return vacancy.longest_empty(get_engine(), as_of=as_of, scope=scope, limit=limit)


@cached
def eviction_stats(*, municipality: str | None = None) -> pd.DataFrame:
    """The Comuni's eviction statistics (public figures, not limited to the portfolio)."""
    return vacancy.eviction_stats(get_engine(), municipality=municipality)


# --- privacy (small-cell suppression) -------------------------------------------------------------------------
@cached
def households_by(*, as_of: date, scope: Scope, by: str | None = None) -> pd.DataFrame:
    """Households (leases active at the date) per group: what a cell's disclosure risk rests on."""
    from indicators.suppression import households_by as count

    return count(get_engine(), as_of=as_of, scope=scope, by=by)


def households(*, as_of: date, scope: Scope) -> int:
    frame = households_by(as_of=as_of, scope=scope)
    return 0 if frame.empty else int(frame["households"].sum())
