"""Cached calls to the prevention indicators (`indicators.prevention*`, `indicators.risk`) for the Prevenzione
page: the page draws, these compute (through `indicators/`), once per analytics copy and choice of settings."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import CACHE_TTL, get_engine
from dashboard.freshness import cached_figures
from indicators import cases, prevention, prevention_cases, risk
from indicators.contract_history import ContractHistory, contract_history
from indicators.prevention import NoFaultRule
from indicators.prevention_list import warning_list
from indicators.scope import Scope

cached = cached_figures(ttl=CACHE_TTL, show_spinner=False, max_entries=200)


@cached
def case_status(as_of: date, scope: Scope) -> pd.DataFrame:
    return cases.case_status(get_engine(), as_of=as_of, scope=scope)


@cached
def assessment(first: date, as_of: date, scope: Scope) -> tuple[risk.Backtest, pd.DataFrame, bool]:
    """The risk model's backtest and today's scores, from one read of the history (the slowest figure here)."""
    return risk.assess(get_engine(), first=first, as_of=as_of, scope=scope)


@cached
def early_warning(first: date, as_of: date, scope: Scope, days: int, bands: tuple[float, ...], rule: NoFaultRule,
                  sort: str) -> pd.DataFrame:
    _, scores, fitted = assessment(first, as_of, scope)
    return warning_list(get_engine(), as_of=as_of, scope=scope, days=days, bands=bands, rule=rule, sort=sort,
                        scores=(scores, fitted))


@cached
def by_item(as_of: date, scope: Scope) -> pd.DataFrame:
    return prevention.arrears_by_item(get_engine(), as_of=as_of, scope=scope)


@cached
def by_band(as_of: date, scope: Scope, bands: tuple[float, ...]) -> pd.DataFrame:
    return prevention.arrears_by_band(get_engine(), as_of=as_of, scope=scope, bands=bands)


@cached
def by_severity(as_of: date, scope: Scope) -> pd.DataFrame:
    return prevention_cases.arrears_by_severity(get_engine(), as_of=as_of, scope=scope,
                                                status=case_status(as_of, scope))


@cached
def band_by_severity(as_of: date, scope: Scope, bands: tuple[float, ...]) -> pd.DataFrame:
    return prevention_cases.band_by_severity(get_engine(), as_of=as_of, scope=scope, bands=bands,
                                             status=case_status(as_of, scope))


@cached
def outcomes_by_severity(as_of: date, scope: Scope) -> pd.DataFrame:
    return prevention_cases.outcomes_by_severity(case_status(as_of, scope))


@cached
def instruments_by_severity(as_of: date, scope: Scope) -> pd.DataFrame:
    return prevention_cases.instruments_by_severity(get_engine(), case_status(as_of, scope), as_of=as_of, scope=scope)


@cached
def clocked_cases(as_of: date, scope: Scope, anchor: str) -> pd.DataFrame:
    return prevention_cases.clocked_cases(get_engine(), as_of=as_of, scope=scope, anchor=anchor,
                                          status=case_status(as_of, scope))


@cached
def eviction_flags(as_of: date, scope: Scope) -> pd.DataFrame:
    return prevention_cases.eviction_flags(get_engine(), as_of=as_of, scope=scope, status=case_status(as_of, scope))


@cached
def evicted_no_fault(as_of: date, scope: Scope) -> int:
    return prevention_cases.evicted_no_fault(case_status(as_of, scope))


def backtest(first: date, last: date, scope: Scope) -> risk.Backtest:
    return assessment(first, last, scope)[0]


@cached
def history(lease_code: str, as_of: date, scope: Scope) -> ContractHistory:
    return contract_history(get_engine(), lease_code=lease_code, as_of=as_of, scope=scope)
