"""Cached, typed calls to the budget indicators (`indicators/budget.py`, `variance.py`, `cost_history.py`).

Same rule as `dashboard.data`: pages call these and draw; every figure is computed in `indicators/`.
"""

from __future__ import annotations

from datetime import date

from dashboard.data import get_engine
from dashboard.monitoring_data import cached
import pandas as pd

from indicators import budget, budget_revenue, cost_history, variance
from indicators.budget import BudgetProposal
from indicators.scope import Scope
from indicators.variance import BudgetVariance


@cached
def proposal(*, year: int, scope: Scope, inflation_pct: float, include_revenue: bool = False) -> BudgetProposal:
    """The budget proposed for `year` from the cost history (and the revenue side), with its intervals."""
    return budget.propose(get_engine(), year=year, scope=scope, inflation_pct=inflation_pct,
                          include_revenue=include_revenue)


@cached
def maintenance(*, year: int, scope: Scope, lines) -> pd.DataFrame:
    """The ordinary-maintenance forecast read against the ticket history (`budget_revenue`)."""
    return budget_revenue.maintenance_from_tickets(get_engine(), year=year, lines=lines, scope=scope)


@cached
def budget_vs_actual(*, year: int, scope: Scope, pct_threshold: float, eur_threshold: float) -> BudgetVariance:
    return variance.budget_vs_actual(get_engine(), year=year, scope=scope, pct_threshold=pct_threshold,
                                     eur_threshold=eur_threshold)


@cached
def last_actual_month() -> date | None:
    return cost_history.last_actual_month(get_engine())


@cached
def actual_years() -> list[int]:
    return cost_history.actual_years(get_engine())
