"""A budget proposal drawn from history: one forecast per category (and intervention), and the user's adjustments.

`propose` forecasts every series of the history (`cost_history`, optionally `revenue_history`) with
`forecast.forecast_year`; `adjusted` applies an inflation rate and known changes per category on top,
and gives the totals that a saved version records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.cost_history import COSTS, category_label, cost_history, revenue_history
from indicators.forecast import LAST_YEAR_INFLATION, SNAIVE, forecast_year, point_forecast
from indicators.results import KpiValue
from indicators.scope import Scope

Conn = Connection | Engine
KEYS = ["side", "intervention_code", "category"]
LINE_COLUMNS = KEYS + ["label", "method", "method_label", "n_months", "last_12_months", "baseline", "forecast",
                       "low80", "high80", "low95", "high95", "mase", "baseline_mase", "snaive_mase", "warnings"]
MONTH_COLUMNS = KEYS + ["month", "mean", "low80", "high80", "low95", "high95"]


@dataclass
class BudgetProposal:
    """Forecasts of `year`: `lines` (one row per series, annual figures), `monthly` (fan chart), `history`."""

    year: int
    scope: Scope
    inflation_pct: float
    lines: pd.DataFrame
    monthly: pd.DataFrame
    history: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return float(self.lines.loc[self.lines["side"] == COSTS, "forecast"].sum())


@dataclass(frozen=True)
class Adjustments:
    """What the user adds to the forecast: an inflation rate (%) on every amount, and euro per year per category."""

    inflation_pct: float = 0.0
    changes: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"inflation_pct": self.inflation_pct, "changes": dict(self.changes), "notes": dict(self.notes)}


def propose(conn: Conn, *, year: int, scope: Scope = Scope(), by_intervention: bool = False,
            inflation_pct: float = 2.0, include_revenue: bool = False, n_sims: int = 2000) -> BudgetProposal:
    """Forecast every cost series (and, on request, the revenue side) of the scope for `year`.

    Parameters
    ----------
    year : the budget year; only history before 1 January of `year` is used
    by_intervention : one series per category and intervention (default: per category over the scope)
    inflation_pct : the inflation of the "last year plus inflation" baseline, in percent
    include_revenue : also forecast billed rent and charges, expected arrears loss and void loss

    Returns
    -------
    BudgetProposal; series with under 6 months of history are left out and named in `warnings`.
    """
    history = cost_history(conn, scope=scope, by_intervention=by_intervention)
    if include_revenue and not history.empty:
        start = max(history["month"].min(), pd.Timestamp(year - 5, 1, 1)).date()
        history = pd.concat([history, revenue_history(conn, start=start, end=date(year - 1, 12, 31), scope=scope)],
                            ignore_index=True)
    history = history[history["month"] < pd.Timestamp(year, 1, 1)]
    lines, months, warnings = [], [], []
    for seed, (key, series) in enumerate(history.groupby(KEYS, dropna=False, sort=True)):
        fc = forecast_year(series.set_index("month")["amount"], year, inflation=inflation_pct / 100,
                           n_sims=n_sims, seed=seed)
        if fc is None:
            warnings.append(f"{category_label(key[2])}{_where(key[1])}: storico insufficiente, nessuna previsione.")
            continue
        lines.append(_line(key, fc, series, inflation_pct / 100))
        months.append(_months(key, fc))
    lines_frame = pd.DataFrame(lines, columns=LINE_COLUMNS)
    monthly = pd.concat(months, ignore_index=True) if months else pd.DataFrame(columns=MONTH_COLUMNS)
    return BudgetProposal(year, scope, inflation_pct, lines_frame, monthly, history.reset_index(drop=True), warnings)


def _where(intervention: str | None) -> str:
    return f" ({intervention})" if isinstance(intervention, str) else ""


def _line(key: tuple, fc, series: pd.DataFrame, inflation: float) -> dict:
    last_12 = float(series.sort_values("month")["amount"].tail(12).sum())
    baseline = point_forecast(series.set_index("month")["amount"], fc.year, LAST_YEAR_INFLATION, inflation=inflation)
    return dict(zip(KEYS, key)) | {
        "label": category_label(key[2]), "method": fc.method, "method_label": fc.method_label,
        "n_months": fc.n_months, "last_12_months": last_12,
        "baseline": None if baseline is None else float(baseline.sum()),
        "forecast": fc.annual, "low80": fc.annual_low80, "high80": fc.annual_high80,
        "low95": fc.annual_low95, "high95": fc.annual_high95, "mase": fc.mase,
        "baseline_mase": fc.backtest.get(LAST_YEAR_INFLATION), "snaive_mase": fc.backtest.get(SNAIVE),
        "warnings": " ".join(fc.warnings)}


def _months(key: tuple, fc) -> pd.DataFrame:
    months = pd.date_range(f"{fc.year}-01-01", periods=12, freq="MS")
    frame = pd.DataFrame({"month": months, "mean": fc.mean, "low80": fc.low80, "high80": fc.high80,
                          "low95": fc.low95, "high95": fc.high95})
    for name, value in zip(KEYS, key):
        frame.insert(KEYS.index(name), name, value)
    return frame


def adjusted(proposal: BudgetProposal, adjustments: Adjustments) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Lines and monthly amounts after adjustments: amount = forecast × (1 + inflation) + change of the category.

    A category's change is shared among its lines (interventions) in proportion to their forecasts, and
    spread over the months in twelfths.
    """
    factor = 1 + adjustments.inflation_pct / 100
    lines = proposal.lines.copy()
    share = _change_share(lines)
    lines["change"] = lines["category"].map(adjustments.changes).fillna(0.0) * share
    lines["amount"] = lines["forecast"] * factor + lines["change"]
    monthly = proposal.monthly.merge(lines[KEYS + ["change"]], on=KEYS, how="left")
    monthly["amount"] = monthly["mean"] * factor + monthly["change"].fillna(0.0) / 12
    return lines, monthly.drop(columns="change")


def _change_share(lines: pd.DataFrame) -> pd.Series:
    totals = lines.groupby("category")["forecast"].transform("sum")
    counts = lines.groupby("category")["forecast"].transform("size")
    return pd.Series(np.where(totals > 0, lines["forecast"] / totals.where(totals > 0, 1), 1 / counts), lines.index)


def totals(lines: pd.DataFrame) -> pd.DataFrame:
    """Forecast and adjusted amount per side (costs, revenue)."""
    cols = [c for c in ("forecast", "amount", "change") if c in lines]
    return lines.groupby("side", sort=True)[cols].sum().reset_index()


def budget_forecast(conn: Conn, *, year: int, scope: Scope = Scope()) -> KpiValue:
    """`budget_forecast_eur`: the total cost forecast of `year`, with the forecast of each category as breakdown."""
    proposal = propose(conn, year=year, scope=scope)
    if proposal.lines.empty:
        return KpiValue("budget_forecast_eur", None, warnings=[f"Nessuno storico dei costi prima del {year}."])
    return KpiValue("budget_forecast_eur", proposal.total, proposal.total,
                    breakdown=dict(zip(proposal.lines["category"], proposal.lines["forecast"])),
                    warnings=proposal.warnings + [w for w in proposal.lines["warnings"] if w])
