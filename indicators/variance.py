"""Budget vs actual (scostamenti): actual costs to date against the reference budget, with a year-end projection.

variance = actual − budget (positive: overspend, unfavourable for a cost); variance % = variance / budget.
The yearly budget is phased on each category's own seasonal profile from history (`budget_phasing`: a tax
paid every March is budgeted in March), in twelfths where there is no history. Year-end projection = actual
to date × budget of the year / budget to date (the run rate on that profile), or actual to date + the rest
of the budget when nothing was budgeted to date.
A figure is flagged when its variance exceeds both thresholds (percent and euro, from the settings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.budget_versions import reference_budget
from indicators.cost_history import category_label, cost_history
from indicators.results import KpiValue
from indicators.scope import Scope


@dataclass
class BudgetVariance:
    """`by_category`: budget_year, budget_ytd, actual_ytd, variance, variance_pct, projection, projection_variance,
    projection_pct, flag, flag_projection (one row per category, then a total); `monthly`: category, month,
    budget, actual, variance, variance_pct."""

    year: int
    months_to_date: int
    source: str
    by_category: pd.DataFrame
    monthly: pd.DataFrame
    thresholds: tuple[float, float]
    warnings: list[str] = field(default_factory=list)


def _pct(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den != 0) * 100).astype(float)


def flagged(variance: pd.Series, pct: pd.Series, *, pct_threshold: float, eur_threshold: float) -> pd.Series:
    """Above both thresholds, in absolute value; a variance on a zero budget counts as above the percent one."""
    over_pct = pct.abs().gt(pct_threshold) | (pct.isna() & variance.ne(0))
    return over_pct & variance.abs().gt(eur_threshold)


def budget_vs_actual(conn, *, year: int, scope: Scope = Scope(), months_to_date: int | None = None,
                     pct_threshold: float = 10.0, eur_threshold: float = 5000.0) -> BudgetVariance:
    """Actual costs of `year` to date against the reference budget (`budget_versions.reference_budget`).

    `months_to_date` defaults to the last month of `year` with an actual cost.
    """
    budget, source, warnings = reference_budget(conn, year=year, scope=scope)
    actual = cost_history(conn, scope=scope)
    actual = actual[actual["month"].dt.year == year].assign(month=lambda f: f["month"].dt.month)
    if months_to_date is None:
        months_to_date = int(actual["month"].max()) if not actual.empty else 0
    if actual.empty:
        warnings = warnings + [f"Nessun consuntivo per il {year}."]
    monthly = _monthly(budget, actual[["category", "month", "amount"]])
    ytd = monthly[monthly["month"] <= months_to_date]
    by_category = _summary(monthly, ytd, pct_threshold, eur_threshold)
    return BudgetVariance(year, months_to_date, source, by_category, ytd.reset_index(drop=True),
                          (pct_threshold, eur_threshold), warnings)


def _monthly(budget: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    frame = budget.rename(columns={"amount": "budget"}).merge(
        actual.rename(columns={"amount": "actual"}), on=["category", "month"], how="outer").fillna(
        {"budget": 0.0, "actual": 0.0})
    frame["variance"] = frame["actual"] - frame["budget"]
    frame["variance_pct"] = _pct(frame["variance"], frame["budget"])
    return frame.sort_values(["category", "month"]).reset_index(drop=True)


def _summary(monthly: pd.DataFrame, ytd: pd.DataFrame, pct_threshold: float, eur_threshold: float) -> pd.DataFrame:
    out = pd.DataFrame({"budget_year": monthly.groupby("category")["budget"].sum()})
    out = out.join(ytd.groupby("category")[["budget", "actual"]].sum().rename(
        columns={"budget": "budget_ytd", "actual": "actual_ytd"})).fillna(0.0)
    out.loc["totale"] = out.sum()
    out["variance"] = out["actual_ytd"] - out["budget_ytd"]
    out["variance_pct"] = _pct(out["variance"], out["budget_ytd"])
    run_rate = out["actual_ytd"] * out["budget_year"] / out["budget_ytd"].where(out["budget_ytd"] != 0)
    out["projection"] = np.where(out["budget_ytd"] != 0, run_rate,
                                 out["actual_ytd"] + out["budget_year"] - out["budget_ytd"])
    out["projection_variance"] = out["projection"] - out["budget_year"]
    out["projection_pct"] = _pct(out["projection_variance"], out["budget_year"])
    kw = dict(pct_threshold=pct_threshold, eur_threshold=eur_threshold)
    out["flag"] = flagged(out["variance"], out["variance_pct"], **kw)
    out["flag_projection"] = flagged(out["projection_variance"], out["projection_pct"], **kw)
    out = out.reset_index(names="category")
    out.insert(1, "label", out["category"].map(lambda c: "Totale" if c == "totale" else category_label(c)))
    return out


def _total_kpi(code: str, column: str, conn, year: int, scope: Scope) -> KpiValue:
    result = budget_vs_actual(conn, year=year, scope=scope)
    rows = result.by_category.set_index("category")
    if result.months_to_date == 0 or rows.at["totale", "budget_year"] == 0:
        return KpiValue(code, None, warnings=result.warnings + [f"Budget o consuntivi del {year} mancanti."])
    denominator = rows.at["totale", "budget_ytd" if column == "variance" else "budget_year"]
    return KpiValue(code, float(rows.at["totale", column]), float(rows.at["totale", column]), float(denominator),
                    breakdown={c: float(v) for c, v in rows[column].drop("totale").items()}, warnings=result.warnings)


def budget_variance(conn, *, year: int, scope: Scope = Scope()) -> KpiValue:
    """`budget_variance_eur`: actual − budget over the months to date (denominator: the budget to date)."""
    return _total_kpi("budget_variance_eur", "variance", conn, year, scope)


def budget_projection(conn, *, year: int, scope: Scope = Scope()) -> KpiValue:
    """`budget_projection_eur`: the year-end projection of costs (denominator: the budget of the year)."""
    return _total_kpi("budget_projection_eur", "projection", conn, year, scope)
