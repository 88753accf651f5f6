"""Tenancies (contratti): each unit's alternation of leases and vacancies, drawn backwards from the end date.

Drawing backwards fixes the state at the end (who is in, which units are empty) directly, so vacancy
at the end lands where it should; earlier leases and voids follow until the intervention's opening,
whose first lease is the unit's first let.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample.dates import DAYS_PER_YEAR, Window, day_of_month, month_end, month_start, months_of
from etl.sample.formats import amount, day_text
from etl.sample.units import IN_VENDITA, LOCABILE, OCCUPATO_SENZA_TITOLO, UnitBatch
from etl.sample.writer import SampleWriter

MOTIVI = ("disdetta", "sfratto_morosita", "decadenza", "decesso", "cambio_alloggio", "altro")
MOTIVO_SHARES = np.array([0.56, 0.10, 0.05, 0.13, 0.08, 0.08])
DISDETTA, SFRATTO, DECADENZA, DECESSO, CAMBIO, ALTRO = range(6)
ACTIVE = -1
OPEN_END = np.int64(10**9)  # end day of a lease still running

LEASE_TYPES = ("patto di futura vendita", "canone convenzionato 3+2", "canone convenzionato 4+4")
A_TERMINE = 1  # regime locazione_termine: a fixed-term lease, written with the end of its current term
TERM_DAYS = 1826  # a 3+2 lease runs five years, then renews for another five
MEAN_LEASE_YEARS = np.array([10.0, 9.0, 13.0])  # by regime: futura vendita, a termine, permanente
MIN_LEASE_DAYS = 180
MAX_SPELLS = 8
VACANT_AT_END = 0.05  # lettable units between two tenancies at the end
RENT_INDEXATION = 0.015  # yearly ISTAT update of rents


@dataclass
class Leases:
    unit: np.ndarray  # index into the chunk's UnitBatch
    start: np.ndarray
    end: np.ndarray  # OPEN_END while running
    motivo: np.ndarray  # ACTIVE while running
    rent_cents: np.ndarray  # monthly rent when signed
    first_let: np.ndarray
    code: np.ndarray  # object: codice_contratto
    household: np.ndarray  # object: codice_nucleo

    def __len__(self) -> int:
        return len(self.unit)

    @property
    def active(self) -> np.ndarray:
        return self.end == OPEN_END


VOID_KINDS = ((1, 60), (60, 240), (240, 700))  # days: a quick relet, a slow one, a relet after works
VOID_SHARES = np.array([0.40, 0.35, 0.25])


def _void_days(shape, rng: np.random.Generator, shares: np.ndarray = VOID_SHARES) -> np.ndarray:
    """Voids between tenancies: days to weeks, some months, a quarter long ones for works."""
    kind = rng.choice(len(VOID_KINDS), size=shape, p=shares)
    bounds = np.array(VOID_KINDS)[kind]
    return rng.integers(bounds[..., 0], bounds[..., 1])


def _void_at_end_days(stato: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """How long each unit empty at the end has been empty, by its state.

    A lettable unit is caught part-way through a void, and long voids are the likelier to be caught.
    """
    n = len(stato)
    mean_days = np.array([np.mean(k) for k in VOID_KINDS])
    length_biased = VOID_SHARES * mean_days / (VOID_SHARES * mean_days).sum()
    lettable = 1 + rng.random(n) * _void_days(n, rng, length_biased)
    by_state = np.stack([lettable, rng.uniform(30, 420, n), rng.uniform(180, 2500, n), rng.uniform(60, 1500, n),
                         rng.uniform(20, 300, n)])
    return by_state[stato, np.arange(n)].astype(np.int64)


def _spells(units: UnitBatch, end_day: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Start and end of up to MAX_SPELLS leases per unit, column 0 the latest, and whether the unit is empty now."""
    n = len(units)
    mean_days = MEAN_LEASE_YEARS[units.regime] * DAYS_PER_YEAR
    durations = (MIN_LEASE_DAYS + rng.exponential(1.0, (n, MAX_SPELLS)) * (mean_days - MIN_LEASE_DAYS)[:, None])
    voids = _void_days((n, MAX_SPELLS), rng)
    empty_now = (units.stato != LOCABILE) | (rng.random(n) < VACANT_AT_END)
    age = (rng.exponential(1.0, n) * mean_days).astype(np.int64)
    starts = np.empty((n, MAX_SPELLS), dtype=np.int64)
    ends = np.empty_like(starts)
    ends[:, 0] = np.where(empty_now, end_day - _void_at_end_days(units.stato, rng), OPEN_END)
    starts[:, 0] = np.where(empty_now, ends[:, 0] - durations[:, 0].astype(np.int64), end_day - age)
    for k in range(1, MAX_SPELLS):
        ends[:, k] = starts[:, k - 1] - voids[:, k]
        starts[:, k] = ends[:, k] - durations[:, k].astype(np.int64)
    return starts, ends, empty_now


def _motivi(units: UnitBatch, empty_now: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    motivi = rng.choice(len(MOTIVI), size=(len(units), MAX_SPELLS), p=MOTIVO_SHARES).astype(np.int8)
    squatted = units.stato == OCCUPATO_SENZA_TITOLO  # after a death or an eviction someone stayed on
    motivi[squatted, 0] = np.where(rng.random(int(squatted.sum())) < 0.6, DECESSO, SFRATTO)
    motivi[units.stato == IN_VENDITA, 0] = ALTRO  # the tenant left and the unit is being sold
    motivi[~empty_now, 0] = ACTIVE
    return motivi


def _snap_ends(ends: np.ndarray, motivi: np.ndarray, next_starts: np.ndarray) -> np.ndarray:
    """Notices end on the last day of a month; deaths and evictions end on any day."""
    by_notice = np.isin(motivi, (DISDETTA, DECADENZA, CAMBIO, ALTRO)) & (ends != OPEN_END)
    snapped = month_end(months_of(np.minimum(ends, next_starts)))
    return np.where(by_notice & (snapped < next_starts), snapped, ends)


def _snap_starts(starts: np.ndarray, ends: np.ndarray, end_day: int) -> np.ndarray:
    """Leases start on the 1st or the 16th of a month (none after the end date)."""
    dom = day_of_month(starts)
    first = month_start(months_of(starts))
    snapped = np.where(dom == 1, starts, np.where(dom <= 12, first + 15, month_start(months_of(starts) + 1)))
    return np.where((snapped < ends - 30) & (snapped <= end_day), snapped, starts)


def _with_first_lets(starts: np.ndarray, ends: np.ndarray, available: np.ndarray) -> tuple[np.ndarray, ...]:
    """Keep the leases after the unit became available; the earliest of them is the first let."""
    valid = ends >= available[:, None] + 60
    earlier_valid = np.concatenate([valid[:, 1:], np.zeros((len(valid), 1), dtype=bool)], axis=1)
    first_let = valid & ~earlier_valid
    starts = np.where(first_let, np.maximum(starts, available[:, None]), starts)
    return starts, valid, first_let


def leases_for_chunk(units: UnitBatch, window: Window, rng: np.random.Generator) -> Leases:
    """The leases of the chunk's units that run during the history, sorted by unit and start."""
    starts, ends, empty_now = _spells(units, window.end_day, rng)
    motivi = _motivi(units, empty_now, rng)
    starts, valid, first_let = _with_first_lets(starts, ends, units.available_day)
    later_starts = np.concatenate([np.full((len(units), 1), window.end_day), starts[:, :-1]], axis=1)
    ends = _snap_ends(ends, motivi, later_starts)
    starts = _snap_starts(starts, ends, window.end_day)
    chronological = valid[:, ::-1]
    seq = np.cumsum(chronological, axis=1)
    unit, col = np.nonzero(chronological & (ends[:, ::-1] >= window.start_day))
    k = MAX_SPELLS - 1 - col
    start, end = starts[unit, k], ends[unit, k]
    years_before_end = (window.end_day - start) / DAYS_PER_YEAR
    rent = np.round(units.rent_cents[unit] / (1 + RENT_INDEXATION) ** years_before_end).astype(np.int64)
    index, number = units.index[unit].tolist(), seq[unit, col].tolist()
    return Leases(unit, start, end, motivi[unit, k], rent, first_let[unit, k],
                  np.array([f"C{i:06d}{s:02d}" for i, s in zip(index, number)], dtype=object),
                  np.array([f"N{i:06d}{s:02d}" for i, s in zip(index, number)], dtype=object))


def term_ends(leases: Leases, units: UnitBatch, end_day: int) -> np.ndarray:
    """The day each running fixed-term lease's current five-year term ends (after `end_day`, so spread over the
    next five years: about one in five within twelve months); OPEN_END for the others (no end date known)."""
    terms = (end_day - leases.start + 1) // TERM_DAYS + 1
    fixed = leases.active & (units.regime[leases.unit] == A_TERMINE)
    return np.where(fixed, leases.start + terms * TERM_DAYS - 1, OPEN_END)


def write_contracts(writer: SampleWriter, leases: Leases, units: UnitBatch, window: Window) -> None:
    """The contracts: a running fixed-term lease carries the end of its current term in `data_fine`."""
    ends = np.where(leases.active, term_ends(leases, units, window.end_day), leases.end)
    writer.rows("contratti", (
        (code, units.code[u], household, day_text(s), "" if e == OPEN_END else day_text(e), amount(r),
         LEASE_TYPES[units.regime[u]], "" if m == ACTIVE else MOTIVI[m])
        for code, u, household, s, e, r, m in zip(
            leases.code, leases.unit.tolist(), leases.household, leases.start.tolist(), ends.tolist(),
            leases.rent_cents.tolist(), leases.motivo.tolist())))
