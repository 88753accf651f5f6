"""How a yearly budget is spread over the months: each category on its own seasonal profile from history.

A category's profile is the share of each calendar month in its actual costs of the last (up to three)
complete years before the budget year; a complete year is one with actual costs in all twelve months
(any category, so a tax paid once in March still has a profile). A category with no such history, or
with no cost in those years, is spread in twelfths, and the caller says so.
"""

from __future__ import annotations

import pandas as pd

from indicators.cost_history import category_label, cost_history
from indicators.scope import Scope

PROFILE_YEARS = 3
MONTHS = list(range(1, 13))


def complete_years(history: pd.DataFrame, *, before: int) -> list[int]:
    """The last `PROFILE_YEARS` years before `before` with actual costs in each of the twelve months."""
    months = history.assign(year=history["month"].dt.year, m=history["month"].dt.month)
    months = months[months["year"] < before].groupby("year")["m"].nunique()
    return sorted(months[months == 12].index.astype(int))[-PROFILE_YEARS:]


def seasonal_profile(conn, *, year: int, scope: Scope = Scope()) -> tuple[pd.DataFrame, list[int]]:
    """Shares of each month (category, month 1-12, share; shares sum to 1 per category) and the years used.

    Only categories with a positive cost in the years used have a profile; the others are absent.
    """
    history = cost_history(conn, scope=scope)
    years = complete_years(history, before=year)
    used = history[history["month"].dt.year.isin(years)]
    by_month = used.assign(month=used["month"].dt.month).groupby(["category", "month"])["amount"].sum()
    totals = by_month.groupby(level="category").sum()
    positive = totals[totals > 0].index
    if by_month.empty or positive.empty:
        return pd.DataFrame(columns=["category", "month", "share"]), years
    full = pd.MultiIndex.from_product([positive, MONTHS], names=["category", "month"])
    shares = by_month.reindex(full, fill_value=0.0).clip(lower=0.0)
    shares = shares / shares.groupby(level="category").transform("sum")
    return shares.rename("share").reset_index(), years


def phase(annual: pd.DataFrame, profile: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Spread yearly amounts (category, amount) over the months on each category's profile, else in twelfths.

    Returns the monthly frame (category, month, amount) and the labels of the categories spread in twelfths.
    """
    monthly = annual[["category", "amount"]].merge(pd.DataFrame({"month": MONTHS}), how="cross")
    monthly = monthly.merge(profile, on=["category", "month"], how="left")
    flat = sorted(set(monthly.loc[monthly["share"].isna(), "category"]))
    monthly["amount"] = monthly["amount"] * monthly["share"].fillna(1 / 12)
    return monthly[["category", "month", "amount"]].reset_index(drop=True), [category_label(c) for c in flat]


def phasing_note(years: list[int], flat: list[str], n_categories: int) -> str:
    """The sentence the page and the CLI show under the budget: which profile each category follows."""
    span = f"nel {years[0]}" if len(years) == 1 else f"negli anni {years[0]}–{years[-1]}" if years else ""
    if not flat:
        return (f"Budget annuale ripartito sui mesi come i consuntivi di ogni voce {span} (una spesa pagata una "
                "volta l'anno è attesa nel suo mese).")
    if len(flat) == n_categories:
        return ("Budget annuale ripartito in dodicesimi: non ci sono anni completi di consuntivi da cui ricavare "
                "l'andamento mensile delle voci.")
    return (f"Budget annuale ripartito sui mesi come i consuntivi di ogni voce {span}; in dodicesimi, per "
            f"mancanza di storico, per: {', '.join(flat)}.")
