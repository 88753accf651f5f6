"""Applications for allocation (domande): the assigned one behind every let of the history, and the others.

Each let comes from an application to the intervention's call (avviso), assessed a few weeks before
the lease starts; around it, other applicants are found eligible and wait, are turned down, give up,
or are still being assessed.
"""

from __future__ import annotations

import numpy as np

from etl.sample.dates import Window, to_date
from etl.sample.formats import amount, day_text
from etl.sample.households import Households
from etl.sample.portfolio import Portfolio
from etl.sample.selection import application_extras, call_code
from etl.sample.tenancies import Leases
from etl.sample.units import UnitBatch

ESITI = ("in_istruttoria", "idonea", "non_idonea", "assegnata", "rinuncia")
IN_ISTRUTTORIA, IDONEA, NON_IDONEA, ASSEGNATA, RINUNCIA = range(5)
OTHER_OUTCOMES = np.array([0.15, 0.45, 0.30, 0.0, 0.10])
OTHERS_PER_LET = 2.5


def _assigned(leases: Leases, households: Households, window: Window, rng: np.random.Generator):
    let = np.nonzero(leases.start >= window.start_day)[0]
    applied = leases.start[let] - rng.integers(45, 300, len(let))
    decided = np.maximum(leases.start[let] - rng.integers(10, 40, len(let)), applied + 10)
    return let, applied, decided, households.members[let], households.isee_cents[let]


def _others(applied: np.ndarray, window: Window, rng: np.random.Generator):
    n = rng.poisson(OTHERS_PER_LET, len(applied))
    source = np.repeat(np.arange(len(applied)), n)
    day = np.minimum(applied[source] + rng.integers(-60, 60, len(source)), window.end_day)
    outcome = rng.choice(len(ESITI), size=len(source), p=OTHER_OUTCOMES)
    decided = day + rng.integers(20, 90, len(source))
    pending = (outcome == IN_ISTRUTTORIA) | (decided > window.end_day)
    outcome = np.where(pending, IN_ISTRUTTORIA, outcome)
    over_limit = (outcome == NON_IDONEA) & (rng.random(len(source)) < 0.35)
    isee = np.where(over_limit, rng.uniform(40_000, 60_000, len(source)), rng.uniform(3_000, 35_000, len(source)))
    members = rng.choice(np.arange(1, 7), size=len(source), p=[0.3, 0.27, 0.2, 0.14, 0.06, 0.03])
    return source, day, outcome, np.where(pending, -1, decided), members, np.round(isee * 100).astype(np.int64)


def applications_for_chunk(leases: Leases, households: Households, units: UnitBatch, portfolio: Portfolio,
                           window: Window, rng: np.random.Generator, first_number: int,
                           extra_rng: np.random.Generator, spans: dict) -> list[tuple[str, ...]]:
    """The chunk's applications; `spans` collects the first and last application day of each (intervention, year)
    call, for the avvisi file."""
    let, applied, decided, members, isee = _assigned(leases, households, window, rng)
    source, o_day, o_outcome, o_decided, o_members, o_isee = _others(applied, window, rng)
    intervention = units.intervention[leases.unit[let]]
    which = np.concatenate([np.arange(len(let)), source])
    day = np.concatenate([applied, o_day])
    outcome = np.concatenate([np.full(len(let), ASSEGNATA), o_outcome])
    decision = np.concatenate([decided, o_decided])
    size, income = np.concatenate([members, o_members]), np.concatenate([isee, o_isee])
    unit_code = np.concatenate([units.code[leases.unit[let]], np.full(len(source), "", dtype=object)])
    order = np.lexsort((which, day))
    household = np.concatenate([leases.household[let], np.full(len(source), "", dtype=object)])
    household[order] = [h or f"R{first_number + k:07d}" for k, h in enumerate(household[order].tolist())]
    keys = np.concatenate([leases.start[let], np.full(len(source), -1)])
    extras = application_extras(day, decision, keys, outcome, size, income, household, extra_rng)
    rows: list[tuple[str, ...]] = []
    for k, i in enumerate(order.tolist()):
        project, year = intervention[which[i]], to_date(applied[which[i]]).year
        first, last = spans.get((project, year), (day[i], day[i]))
        spans[(project, year)] = (min(first, day[i]), max(last, day[i]))
        rows.append((f"DOM{first_number + k:07d}", day_text(day[i]), portfolio.interventions[project].comune.name,
                     call_code(portfolio, project, year), str(size[i]), amount(income[i]), ESITI[outcome[i]],
                     "" if decision[i] < 0 else day_text(decision[i]), unit_code[i], *extras[i]))
    return rows
