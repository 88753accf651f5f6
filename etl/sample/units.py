"""Housing units of one chunk of the portfolio, as numpy columns: tenure, size, rent, state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample.formats import amount, decimal
from etl.sample.portfolio import Portfolio, split_total
from etl.sample.writer import SampleWriter

REGIMES = ("proprieta_futura_vendita", "locazione_termine", "locazione_permanente")
REGIME_SHARES = np.array([0.23, 0.40, 0.37])
FUTURA_VENDITA = 0
RENT_PER_M2 = ((6.8, 8.8), (5.9, 7.4), (5.0, 6.4))  # €/m² a month by regime, before the local factor

TIPOLOGIE = ("monolocale", "bilocale", "trilocale", "quadrilocale")
TIPOLOGIA_SHARES = np.array([0.12, 0.38, 0.35, 0.15])
FLOOR_AREA = ((28.0, 45.0), (45.0, 66.0), (64.0, 90.0), (85.0, 118.0))

STATI = ("locabile", "in_ristrutturazione", "non_locabile", "occupato_senza_titolo", "in_vendita")
LOCABILE, IN_RISTRUTTURAZIONE, NON_LOCABILE, OCCUPATO_SENZA_TITOLO, IN_VENDITA = range(5)
STATO_SHARES = np.array([0.939, 0.022, 0.008, 0.007, 0.024])
FIRST_LET_LAG_DAYS = 40.0  # mean days from an intervention's opening to a unit's first let


@dataclass
class UnitBatch:
    index: np.ndarray  # position in the whole portfolio
    building: np.ndarray
    intervention: np.ndarray
    code: np.ndarray  # object: codice_alloggio
    regime: np.ndarray
    tipologia: np.ndarray
    floor_area: np.ndarray  # m², one decimal
    rooms: np.ndarray
    rent_cents: np.ndarray  # list rent at the end of the history
    charges_cents: np.ndarray  # monthly service charges at the end of the history
    stato: np.ndarray
    available_day: np.ndarray  # first day the unit can be let (opening plus fit-out)

    def __len__(self) -> int:
        return len(self.index)


def _regimes_by_stair(sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Tenure regimes in exact chunk-wide shares, grouped within each building as on a staircase."""
    counts = split_total(int(sizes.sum()) + len(REGIMES), REGIME_SHARES) - 1
    regimes = rng.permutation(np.repeat(np.arange(len(REGIMES)), counts))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        regimes[lo:hi] = np.sort(regimes[lo:hi])
    return regimes.astype(np.int8)


def _rents(regime: np.ndarray, area: np.ndarray, factor: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    bounds = np.array(RENT_PER_M2)[regime]
    per_m2 = np.clip(rng.uniform(bounds[:, 0], bounds[:, 1]) * factor, 5.0, 9.0)
    return np.round(area * per_m2 * 100).astype(np.int64)


def _states(regime: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    stato = rng.choice(len(STATI), size=len(regime), p=STATO_SHARES).astype(np.int8)
    stato[(stato == IN_VENDITA) & (regime != FUTURA_VENDITA)] = LOCABILE  # only units with a sale pact are sold
    return stato


def _layouts(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tipologia, floor area (m², one decimal) and rooms of `n` units."""
    tipologia = rng.choice(len(TIPOLOGIE), size=n, p=TIPOLOGIA_SHARES).astype(np.int8)
    bounds = np.array(FLOOR_AREA)[tipologia]
    area = np.round(rng.uniform(bounds[:, 0], bounds[:, 1]), 1)
    rooms = tipologia + 1 + (rng.random(n) < 0.1) * (tipologia == 3)
    return tipologia, area, rooms


def units_for_chunk(portfolio: Portfolio, chunk: int, rng: np.random.Generator) -> UnitBatch:
    building_ids = [b for i in portfolio.chunks[chunk] for b in portfolio.interventions[i].buildings]
    buildings = [portfolio.buildings[b] for b in building_ids]
    sizes = np.array([b.n_units for b in buildings])
    building = np.repeat(building_ids, sizes)
    intervention = np.repeat([b.intervention for b in buildings], sizes)
    index = np.arange(buildings[0].first_unit, buildings[0].first_unit + int(sizes.sum()))
    interno = index - np.repeat([b.first_unit for b in buildings], sizes) + 1
    codes = np.array([f"{portfolio.buildings[b].code}-{k:03d}" for b, k in zip(building.tolist(), interno.tolist())],
                     dtype=object)
    regime = _regimes_by_stair(sizes, rng)
    tipologia, area, rooms = _layouts(len(index), rng)
    factor = np.array([portfolio.interventions[i].comune.rent_factor for i in intervention.tolist()])
    opening = np.array([portfolio.interventions[i].opening_day for i in intervention.tolist()])
    lag = np.minimum(rng.exponential(FIRST_LET_LAG_DAYS, len(index)), 200).astype(np.int64)
    charges = np.round(area * rng.uniform(1.1, 1.9, len(index)) * 100).astype(np.int64)
    return UnitBatch(index, building, intervention, codes, regime, tipologia, area, rooms,
                     _rents(regime, area, factor, rng), charges, _states(regime, rng), opening + lag)


def write_units(writer: SampleWriter, units: UnitBatch, portfolio: Portfolio,
                extras: list[tuple[str, ...]]) -> None:
    """`extras`: floor, lift, step-free access, charges and available-from of each unit (`etl.sample.selection`)."""
    writer.rows("alloggi", (
        (code, portfolio.buildings[b].code, REGIMES[r], TIPOLOGIE[t], decimal(a), str(v), amount(c), STATI[s], *x)
        for code, b, r, t, a, v, c, s, x in zip(
            units.code, units.building.tolist(), units.regime.tolist(), units.tipologia.tolist(),
            units.floor_area.tolist(), units.rooms.tolist(), units.rent_cents.tolist(), units.stato.tolist(),
            extras)))
