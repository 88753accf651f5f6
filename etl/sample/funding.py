"""Funded projects (finanziamenti): seed 004's «Abitare in borgo» as reported, and one project per intervention.

Funders report four amounts (programmed, admitted to funding, legally committed, paid). The projects of the
sample's interventions are made up: admitted a little below programmed, then committed and paid shares that
grow with the time the project has run.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from etl.sample.dates import Window, to_date
from etl.sample.formats import amount
from etl.sample.portfolio import Portfolio

# Seed 004, as the Comune di Milano published it: programmed and admitted 281.250,00 €, nothing committed or paid.
ABITARE_IN_BORGO = ("MI3.1.1.a", "Abitare in borgo", "PON Metro 2014-2020, Asse 3", "", date(2017, 10, 1),
                    date(2020, 12, 31), 28_125_000, 28_125_000, 0, 0)
ABITARE_IN_BORGO_WHO = ("", "Angelo Foglio", "Comune di Milano")  # the sheet names no CUP
PROGRAMME = "POR FESR Lombardia 2021-2027, Asse inclusione abitativa"
TITLES = ("Accompagnamento all'abitare", "Portierato sociale", "Spazi comuni e comunità")


def _row(code, title, programme, intervention, start: date, end: date, cents: tuple[int, int, int, int],
         who: tuple[str, str, str] = ("", "", "")):
    """A file row; `who`: CUP, RUP and implementing body (soggetto attuatore), empty where unpublished."""
    return (code, title, programme, intervention, start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y"),
            *(amount(c) for c in cents), *who)


def _project(i: int, portfolio: Portfolio, window: Window, rng: np.random.Generator) -> tuple[str, ...]:
    """A project of intervention `i`: three years from its first year of management (or the history's)."""
    project = portfolio.interventions[i]
    start = max(to_date(project.opening_day), to_date(window.start_day)).replace(day=1)
    end = date(start.year + 3, start.month, 1) - timedelta(days=1)
    programmed = int(rng.integers(80, 400)) * 100_000  # cents: 80.000 to 400.000 €, in whole thousands
    admitted = int(programmed * rng.uniform(0.85, 1.0)) // 100 * 100  # whole euros
    elapsed = min(1.0, max(0.0, (window.end - start).days / max((end - start).days, 1)))
    committed = int(admitted * min(1.0, elapsed * rng.uniform(0.9, 1.4))) // 100 * 100
    paid = int(committed * elapsed * rng.uniform(0.5, 0.9)) // 100 * 100
    return _row(f"PRJ-{project.code}", f"{TITLES[i % len(TITLES)]} {project.name}", PROGRAMME, project.code, start,
                end, (programmed, admitted, committed, paid))


def funding_rows(portfolio: Portfolio, window: Window, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """Seed 004's project first, then one per intervention of the portfolio."""
    rows = [_row(*ABITARE_IN_BORGO[:6], ABITARE_IN_BORGO[6:], ABITARE_IN_BORGO_WHO)]
    return rows + [_project(i, portfolio, window, rng) for i in range(len(portfolio.interventions))]
