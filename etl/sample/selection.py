"""The selection side of the sample: each application's household, income, criteria, access needs and the dates
of its phases; the units' floor, lift, step-free access, charges and available-from date; and the calls (avvisi),
one per intervention and year, spanning the applications they received.

Drawn from their own random stream, so that the rest of the sample stays as it was.
"""

from __future__ import annotations

import numpy as np

from etl.sample.dates import to_date
from etl.sample.formats import amount, day_text, yes_no
from etl.sample.portfolio import Portfolio
from etl.sample.units import UnitBatch

CRITERIA_SHARES = (0.08, 0.15, 0.07, 0.10, 0.12, 0.70)  # eviction, elderly, disability, single parent, young, local
ISEE_MAX_EUR = 40_000
LIFT_SHARE = 0.7  # buildings with a lift


def unit_extras(units: UnitBatch, rng: np.random.Generator) -> list[tuple[str, ...]]:
    """piano, ascensore, accessibile, spese_mensili, disponibile_dal of each unit of the batch."""
    floors = rng.integers(0, 7, len(units))
    lift_by_building = {b: bool(rng.random() < LIFT_SHARE) for b in np.unique(units.building).tolist()}
    lift = np.array([lift_by_building[b] for b in units.building.tolist()], dtype=bool)
    step_free = (floors == 0) | lift
    return [(str(f), yes_no(li), yes_no(s), amount(c), day_text(d)) for f, li, s, c, d in zip(
        floors.tolist(), lift.tolist(), step_free.tolist(), units.charges_cents.tolist(),
        units.available_day.tolist())]


def _chain(first: np.ndarray, gaps: list[np.ndarray]) -> list[np.ndarray]:
    """Dates one after the other from `first`, each gap days after the previous."""
    out, day = [], first
    for gap in gaps:
        day = day + gap
        out.append(day)
    return out


def _phases(applied, decided, keys, outcome, rng) -> list[np.ndarray]:
    """eligible, shortlisted, offered, answered, contract, keys days (-1: not reached) by outcome
    (0 in istruttoria, 1 idonea, 2 non idonea, 3 assegnata, 4 rinuncia)."""
    n = len(applied)
    eligible, shortlisted, offered = _chain(applied, [rng.integers(15, 45, n), rng.integers(10, 40, n),
                                                      rng.integers(10, 45, n)])
    allocated, renounced = outcome == 3, outcome == 4
    answered = np.where(allocated | renounced, np.maximum(decided, offered), -1)
    contract = np.where(allocated, np.maximum(keys - rng.integers(0, 8, n), answered), -1)
    keys = np.where(allocated, np.maximum(keys, contract), -1)
    offered = np.where(allocated | renounced, np.minimum(offered, answered), -1)
    shortlisted = np.where(allocated | renounced | ((outcome == 1) & (rng.random(n) < 0.4)),
                           np.minimum(shortlisted, np.where(offered >= 0, offered, decided)), -1)
    eligible = np.where(outcome >= 1, np.minimum(eligible, np.where(shortlisted >= 0, shortlisted, decided)), -1)
    eligible = np.where(outcome == 2, -1, eligible)
    return [np.where(d >= 0, np.maximum(d, applied), -1) for d in (eligible, shortlisted, offered, answered,
                                                                    contract, keys)]


def application_extras(applied, decided, keys, outcome, members, isee_cents, household, rng
                       ) -> list[tuple[str, ...]]:
    """The selection columns of each application (see `FILE_FORMATS["domande"]` after codice_alloggio)."""
    n = len(applied)
    income = np.round(isee_cents * rng.uniform(1.3, 2.2, n) * np.where(members > 1, 1.0, 0.8)).astype(np.int64)
    has_income = rng.random(n) < 0.75
    flags = rng.random((n, len(CRITERIA_SHARES))) < np.array(CRITERIA_SHARES)
    flags[:, 4] &= members == 2  # young couples are two
    flags[:, 3] &= members >= 2
    step_free = rng.random(n) < np.where(flags[:, 2], 0.5, 0.04)
    years = rng.integers(0, 9, n)
    dates = _phases(applied, decided, keys, outcome, rng)
    answer = np.where(outcome == 3, "accettata", np.where(outcome == 4, "rifiutata", ""))
    rows = []
    for i in range(n):
        phase = ["" if d[i] < 0 else day_text(d[i]) for d in dates]
        rows.append((household[i], amount(income[i]) if has_income[i] else "",
                     *(yes_no(f) for f in flags[i].tolist()), str(years[i]), yes_no(step_free[i]),
                     *phase[:4], answer[i], *phase[4:]))
    return rows


def call_code(portfolio: Portfolio, intervention: int, year: int) -> str:
    return f"AVV-{portfolio.interventions[intervention].code}-{year}"


def call_rows(portfolio: Portfolio, spans: dict[tuple[int, int], tuple[int, int]]) -> list[tuple[str, ...]]:
    """One avviso per intervention and year, open from its first to its last application; the first call of an
    intervention carries the end of works (the intervention's opening)."""
    first_year: dict[int, int] = {}
    for intervention, year in sorted(spans):
        first_year.setdefault(intervention, year)
    rows: list[tuple[str, ...]] = []
    for (intervention, year), (first, last) in sorted(spans.items()):
        project = portfolio.interventions[intervention]
        works = day_text(project.opening_day) if first_year[intervention] == year and \
            to_date(project.opening_day).year >= year else ""
        rows.append((call_code(portfolio, intervention, year), f"Avviso {project.name} {year}", project.comune.name,
                     project.code, day_text(first), day_text(last), works, "standard", amount(ISEE_MAX_EUR * 100), ""))
    return rows
