"""Actual costs (consuntivi) per intervention, month and category, and yearly budgets drawn from them.

Costs follow the stock they serve: per-unit running costs inflating ~2.5% a year, utilities that peak
in winter (and in the 2022 energy crisis), insurance and property tax in instalments, lumpy major
works, the facility tickets closed in the month, and the debts written off (perdite su crediti).
Each year's budget is last year's actuals plus 3%, with major works planned per unit.
"""

from __future__ import annotations

import numpy as np

from etl.sample.dates import Window
from etl.sample.formats import amount
from etl.sample.portfolio import Portfolio, opening_month

CATEGORIES = ("manutenzione_ordinaria", "manutenzione_straordinaria", "utenze", "assicurazioni", "imposte",
              "amministrazione", "gestione_sociale", "perdite_su_crediti", "altro")
ORDINARIA, STRAORDINARIA, UTENZE, ASSICURAZIONI, IMPOSTE, AMMINISTRAZIONE, SOCIALE, PERDITE, ALTRO = range(9)
INFLATION = 0.025
PER_UNIT_MONTH_EUR = {ORDINARIA: 6.0, UTENZE: 12.0, AMMINISTRAZIONE: 10.0, SOCIALE: 8.0, ALTRO: 1.5}
UTILITY_SEASON = np.array([1.6, 1.5, 1.2, 0.9, 0.7, 0.6, 0.6, 0.6, 0.7, 0.9, 1.3, 1.6])
ENERGY_PRICES = {2021: 1.1, 2022: 1.55, 2023: 1.35, 2024: 1.15}
INSURANCE_PER_UNIT_HALF_YEAR_EUR, TAX_PER_UNIT_HALF_YEAR_EUR = 25.0, 190.0
MAJOR_WORKS_PER_YEAR, MAJOR_WORKS_PER_UNIT_EUR = 1.2, (60.0, 500.0)
BUDGET_GROWTH = 0.03
MAJOR_WORKS_BUDGET_PER_UNIT_EUR, BAD_DEBT_ALLOWANCE_PER_UNIT_EUR = 280.0, 40.0


class CostBook:
    """Costs reported by the chunks (tickets closed, debts written off), by intervention and month of history."""

    def __init__(self, n_interventions: int, window: Window) -> None:
        self.window = window
        self.tickets = np.zeros((n_interventions, window.n_months), dtype=np.int64)
        self.write_offs = np.zeros_like(self.tickets)

    def add(self, book: np.ndarray, intervention: np.ndarray, month: np.ndarray, cents: np.ndarray) -> None:
        inside = (month >= self.window.first_month) & (month <= self.window.last_month)
        np.add.at(book, (intervention[inside], month[inside] - self.window.first_month), cents[inside])


def _running_costs(units: np.ndarray, months: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cents per intervention (rows) and month (columns) and category (last axis), before tickets and losses."""
    n, m = len(units), len(months)
    inflation = (1 + INFLATION) ** ((months - months[0]) / 12)
    costs = np.zeros((n, m, len(CATEGORIES)))
    for category, eur in PER_UNIT_MONTH_EUR.items():
        costs[:, :, category] = units[:, None] * eur * inflation * rng.normal(1, 0.05, (n, m))
    energy = np.array([ENERGY_PRICES.get(int(y), 1.0) for y in months // 12])
    costs[:, :, UTENZE] *= UTILITY_SEASON[months % 12] * energy
    half_yearly = units[:, None] * INSURANCE_PER_UNIT_HALF_YEAR_EUR * inflation
    costs[:, :, ASSICURAZIONI] = np.where(np.isin(months % 12, (0, 6)), half_yearly, 0)
    costs[:, :, IMPOSTE] = np.where(np.isin(months % 12, (5, 11)), units[:, None] * TAX_PER_UNIT_HALF_YEAR_EUR, 0)
    costs[:, :, SOCIALE] += np.where(np.isin(months % 12, (4, 8, 11)), units[:, None] * 6.0 * inflation, 0)
    works = rng.poisson(MAJOR_WORKS_PER_YEAR / 12, (n, m)) * rng.uniform(*MAJOR_WORKS_PER_UNIT_EUR, (n, m))
    costs[:, :, STRAORDINARIA] = works * units[:, None] * inflation
    return np.round(costs * 100).astype(np.int64)


def actual_costs(portfolio: Portfolio, book: CostBook, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Cents by intervention, month and category, and the mask of months each intervention was managed."""
    window = book.window
    months = np.arange(window.first_month, window.last_month + 1)
    units = np.array([i.n_units for i in portfolio.interventions], dtype=float)
    costs = _running_costs(units, months, rng)
    costs[:, :, ORDINARIA] += book.tickets
    costs[:, :, PERDITE] = book.write_offs
    opened = np.array([opening_month(i) for i in portfolio.interventions])
    return costs, months[None, :] >= opened[:, None]


def write_actuals(writer, portfolio: Portfolio, costs: np.ndarray, managed: np.ndarray, window: Window) -> None:
    for i, project in enumerate(portfolio.interventions):
        rows: list[tuple[str, ...]] = []
        for k in np.nonzero(managed[i])[0].tolist():
            month = window.first_month + k
            rows.extend((str(month // 12), str(month % 12 + 1), project.code, name, amount(costs[i, k, c]))
                        for c, name in enumerate(CATEGORIES))
        writer.rows("consuntivi", rows)


def write_budget(writer, portfolio: Portfolio, costs: np.ndarray, managed: np.ndarray, window: Window,
                 rng: np.random.Generator) -> None:
    """Budget of every year of history and the next: last year's actuals scaled to a year, plus 3%."""
    years = (window.first_month + np.arange(window.n_months)) // 12
    for i, project in enumerate(portfolio.interventions):
        rows: list[tuple[str, ...]] = []
        for year in range(window.first_year, window.last_year + 2):
            basis = managed[i] & (years == year - 1)
            if year > window.first_year and basis.sum() >= 6:
                yearly = costs[i, basis].sum(axis=0) * 12 / basis.sum()
            else:
                yearly = costs[i, managed[i]].sum(axis=0) * 12 / max(managed[i].sum(), 1) / (1 + INFLATION) ** 2
            planned = yearly * (1 + BUDGET_GROWTH) * rng.uniform(0.97, 1.05, len(CATEGORIES))
            growth = (1 + INFLATION) ** (year - window.first_year)
            planned[STRAORDINARIA] = project.n_units * MAJOR_WORKS_BUDGET_PER_UNIT_EUR * 100 * growth
            planned[PERDITE] = max(planned[PERDITE], project.n_units * BAD_DEBT_ALLOWANCE_PER_UNIT_EUR * 100 * growth)
            if opening_month(project) // 12 <= year:
                rows.extend((str(year), project.code, name, amount(round(planned[c])))
                            for c, name in enumerate(CATEGORIES))
        writer.rows("budget", rows)
