"""Facility tickets (segnalazioni) for the chunk's buildings and units, with seasons, suppliers and costs.

Heating fails in winter and gardens need care in spring and summer; urgent tickets close in days, the
rest in weeks, and the latest are still open at the end. About one ticket in twenty is an emergency (a burst
pipe, a dead lift): most close the same or the next day, some late. Long voids between tenancies bring a
refurbishment ticket for the empty unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample.dates import DAYS_PER_YEAR, Window, months_of
from etl.sample.formats import amount, day_text
from etl.sample.portfolio import Portfolio
from etl.sample.tenancies import Leases
from etl.sample.units import UnitBatch

CATEGORIES = ("idraulica", "elettrico", "riscaldamento", "ascensore", "infissi", "parti_comuni", "pulizie", "verde",
              "altro")
IDRAULICA, ELETTRICO, RISCALDAMENTO, ASCENSORE, INFISSI, PARTI_COMUNI, PULIZIE, VERDE, ALTRO = range(9)
PER_UNIT_YEAR = {IDRAULICA: 0.16, ELETTRICO: 0.07, RISCALDAMENTO: 0.07, INFISSI: 0.06, ALTRO: 0.04}
PER_BUILDING_YEAR = {ASCENSORE: 2.0, PARTI_COMUNI: 1.8, PULIZIE: 1.0, VERDE: 0.9, RISCALDAMENTO: 1.0, ELETTRICO: 0.7,
                     IDRAULICA: 0.5}
LIFT_FROM_UNITS = 12  # smaller buildings have no lift
FLAT = np.ones(12)
SEASON = {RISCALDAMENTO: np.array([3, 2.5, 1.5, 0.6, 0.2, 0.1, 0.1, 0.1, 0.3, 1.5, 2.5, 3.0]),
          VERDE: np.array([0.2, 0.3, 1, 2, 2.5, 2.5, 2, 1.5, 1.5, 1, 0.4, 0.2]),
          IDRAULICA: np.array([1.4, 1.3, 1.1, 1, 0.9, 0.9, 0.9, 0.8, 0.9, 1, 1.1, 1.3])}
COST_MEDIAN_EUR = (180, 150, 320, 420, 260, 350, 120, 240, 200)
URGENCY = ("bassa", "media", "alta", "emergenza")
ALTA, EMERGENZA = 2, 3
# Emergencies are drawn among the urgent tickets with their own stream, so dates and costs stay as drawn: nearly
# every urgent ticket closed within a day, and one in seven of those closed in 2 to 5 days (late against 1 day).
EMERGENCY_FAST, EMERGENCY_LATE = 0.95, 0.03
URGENCY_SHARES = ((0.3, 0.5, 0.2), (0.3, 0.4, 0.3), (0.1, 0.4, 0.5), (0.1, 0.4, 0.5), (0.5, 0.4, 0.1),
                  (0.5, 0.4, 0.1), (0.6, 0.35, 0.05), (0.7, 0.3, 0.0), (0.5, 0.4, 0.1))
CLOSE_MEDIAN_DAYS = (18.0, 7.0, 2.0)
SUPPLIERS = (
    ("Idrotermica Lombarda Srl", "Tubi & Servizi Snc"), ("Elettro Service Sesto Srl", "Impianti Brambilla Snc"),
    ("Calore Nord Srl", "Termoservice Milano Srl"), ("Ascensori Meridiana Spa", "Elevatori Brianza Srl"),
    ("Serramenti Colombo Snc", "Infissi Lombardi Srl"), ("Edil Manutenzioni Srl", "Ristrutturazioni Galli Snc"),
    ("Pulizie Aurora Coop. Sociale", "Clean Service Srl"), ("Verde Amico Coop. Sociale", "Giardini Riva Srl"),
    ("Edil Manutenzioni Srl", "Global Service Casa Srl"),
)


@dataclass
class Tickets:
    building: np.ndarray  # global building index
    unit: np.ndarray  # index in the chunk's UnitBatch, -1 for common parts
    category: np.ndarray
    opened: np.ndarray
    closed: np.ndarray  # -1 while open
    cents: np.ndarray
    urgency: np.ndarray
    supplier: np.ndarray


def _seasonal_days(sources: np.ndarray, since: np.ndarray, end_day: int, per_year, season: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Poisson arrivals per source between `since` and `end_day`, thinned to follow the monthly `season`."""
    boost = season.max() / season.mean()
    years = np.maximum(end_day - since, 0) / DAYS_PER_YEAR
    count = rng.poisson(per_year * years * boost)
    source = np.repeat(sources, count)
    first = np.repeat(since, count)
    day = first + (rng.random(len(source)) * (end_day - first)).astype(np.int64)
    keep = rng.random(len(day)) < season[months_of(day) % 12] / season.max()
    return source[keep], day[keep]


def _building_arrivals(units: UnitBatch, portfolio: Portfolio, window: Window, rng: np.random.Generator):
    """Common-parts tickets; bigger buildings call more often."""
    ids = np.unique(units.building)
    size = np.array([portfolio.buildings[b].n_units for b in ids])
    opening = np.array([portfolio.interventions[portfolio.buildings[b].intervention].opening_day for b in ids])
    since = np.maximum(opening, window.start_day)
    scale = np.clip(size / 30, 0.5, 2.0)
    parts = []
    for category, rate in PER_BUILDING_YEAR.items():
        has = size >= LIFT_FROM_UNITS if category == ASCENSORE else np.ones(len(ids), dtype=bool)
        src, day = _seasonal_days(ids[has], since[has], window.end_day, rate * scale[has],
                                  SEASON.get(category, FLAT), rng)
        parts.append((src, np.full(len(src), -1), np.full(len(src), category), day))
    return parts


def _unit_arrivals(units: UnitBatch, window: Window, rng: np.random.Generator):
    since = np.maximum(units.available_day, window.start_day)
    parts = []
    for category, rate in PER_UNIT_YEAR.items():
        src, day = _seasonal_days(np.arange(len(units)), since, window.end_day, rate, SEASON.get(category, FLAT), rng)
        parts.append((units.building[src], src, np.full(len(src), category), day))
    return parts


def _refurbishments(leases: Leases, units: UnitBatch, rng: np.random.Generator) -> Tickets:
    """A works ticket in each void longer than 200 days: the unit is refurbished before the next let."""
    same_unit = leases.unit[1:] == leases.unit[:-1]
    gap = leases.start[1:] - leases.end[:-1]
    idx = np.nonzero(same_unit & (gap > 200))[0]
    n = len(idx)
    opened = leases.end[idx] + rng.integers(5, 30, n)
    closed = leases.start[idx + 1] - rng.integers(5, 30, n)
    cents = np.round(rng.uniform(3_000, 15_000, n) * 100).astype(np.int64)
    unit = leases.unit[idx]
    return Tickets(units.building[unit], unit, np.full(n, ALTRO), opened, closed, cents, np.zeros(n, dtype=np.int64),
                   rng.integers(0, 2, n))


def _completed(parts, window: Window, rng: np.random.Generator) -> Tickets:
    building, unit, category, opened = (np.concatenate([p[i] for p in parts]).astype(np.int64) for i in range(4))
    n = len(opened)
    cumulative = np.cumsum(np.array(URGENCY_SHARES), axis=1)[category]
    urgency = (rng.random(n)[:, None] > cumulative).sum(axis=1)
    duration = np.ceil(rng.lognormal(np.log(np.array(CLOSE_MEDIAN_DAYS)[urgency]), 0.8)).astype(np.int64)
    closed = opened + duration
    still_open = (closed > window.end_day) | (rng.random(n) < 0.01)
    cents = np.round(rng.lognormal(np.log(np.array(COST_MEDIAN_EUR)[category]), 0.6) * 100).astype(np.int64)
    return Tickets(building, unit, category, opened, np.where(still_open, -1, closed), cents, urgency,
                   rng.integers(0, 2, n))


def _emergencies(tickets: Tickets, rng: np.random.Generator) -> np.ndarray:
    """The urgency with about 5% of the tickets made emergencies: urgent ones closed within a day, and a few urgent
    ones closed in 2-5 days; one uniform draw per ticket (vectorised, whatever the size)."""
    days = tickets.closed - tickets.opened
    draw = rng.random(len(days))
    urgent = (tickets.urgency == ALTA) & (tickets.closed >= 0)
    chosen = urgent & (((days <= 1) & (draw < EMERGENCY_FAST)) | ((days >= 2) & (days <= 5) & (draw < EMERGENCY_LATE)))
    return np.where(chosen, EMERGENZA, tickets.urgency)


def tickets_for_chunk(units: UnitBatch, leases: Leases, portfolio: Portfolio, window: Window,
                      rng: np.random.Generator, emergency_rng: np.random.Generator | None = None) -> Tickets:
    parts = _unit_arrivals(units, window, rng) + _building_arrivals(units, portfolio, window, rng)
    tickets = _completed(parts, window, rng)
    if emergency_rng is not None:
        tickets.urgency = _emergencies(tickets, emergency_rng)
    works = _refurbishments(leases, units, rng)
    works.closed = np.where(works.closed > window.end_day, -1, works.closed)
    keep = (works.opened >= window.start_day) & (works.opened <= window.end_day)
    merged = [np.concatenate([getattr(tickets, f), getattr(works, f)[keep]]) for f in Tickets.__dataclass_fields__]
    result = Tickets(*merged)
    order = np.lexsort((result.unit, result.building, result.opened))
    return Tickets(*(getattr(result, f)[order] for f in Tickets.__dataclass_fields__))


def write_tickets(writer, tickets: Tickets, units: UnitBatch, portfolio: Portfolio, first_number: int) -> None:
    rows = []
    for i, (b, u, c, o, cl, cents, urg, sup) in enumerate(zip(*(getattr(tickets, f).tolist()
                                                                 for f in Tickets.__dataclass_fields__))):
        rows.append((f"SG{first_number + i:07d}", portfolio.buildings[b].code, "" if u < 0 else units.code[u],
                     CATEGORIES[c], day_text(o), "" if cl < 0 else day_text(cl), "" if cl < 0 else amount(cents),
                     SUPPLIERS[c][sup], URGENCY[urg]))
    writer.rows("segnalazioni", rows)


def closed_costs(tickets: Tickets, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Building, month and cost of the tickets closed during the history, for the actual costs."""
    done = tickets.closed >= window.start_day
    return tickets.building[done], months_of(tickets.closed[done]), tickets.cents[done]
