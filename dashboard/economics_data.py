"""Cached calls to the economics, performance-index and target indicators, for the Economia page and the charts
that draw targets. Same rule as `dashboard.data`: pages call these and draw; every figure comes from `indicators/`."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import get_engine
from dashboard.monitoring_data import cached
from indicators import economics as economics_figures
from indicators import performance
from indicators import targets as target_values
from indicators.scope import Scope


@cached
def economics(*, start: date, end: date, scope: Scope, by: str) -> pd.DataFrame:
    """Revenue, costs, margin and cost per unit per intervention or fund over [start, end]."""
    return economics_figures.economics(get_engine(), start=start, end=end, scope=scope, by=by)


@cached
def index_references() -> pd.DataFrame:
    """The performance index of each published reference pair (arrears and vacancy)."""
    return performance.references(get_engine())


def targets(kpi_code: str | None = None, *, scope: Scope) -> pd.DataFrame:
    """Targets within `scope` (read fresh: a target just set is drawn at once)."""
    return target_values.targets(get_engine(), kpi_code=kpi_code, scope=scope)


def drawn_targets(kpi_code: str, *, scope: Scope, per_intervention: bool = False) -> pd.DataFrame:
    """The targets a chart of `kpi_code` over `scope` draws (label, value, intervention_code)."""
    return target_values.drawn(get_engine(), kpi_code, scope=scope, per_intervention=per_intervention)
