"""Cached, typed calls to the budget indicators (`indicators/budget.py`, `variance.py`, `cost_history.py`).

Same rule as `dashboard.data`: pages call these and draw; every figure is computed in `indicators/`.
"""

from __future__ import annotations

from datetime import date

from dashboard.data import get_engine
from dashboard.monitoring_data import cached
from indicators import budget, cost_history, variance
from indicators.budget import BudgetProposal
from indicators.scope import Scope
from indicators.variance import BudgetVariance


@cached
def proposal(*, year: int, scope: Scope, inflation_pct: float) -> BudgetProposal:
    """The budget proposed for `year` from the cost history, with its intervals."""
    return budget.propose(get_engine(), year=year, scope=scope, inflation_pct=inflation_pct)


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
