"""The managed stock: interventions (projects) of two SGRs' funds, their buildings and housing units.

The plan (interventions and buildings) is small and built once; the units are made chunk by chunk, a
chunk being a run of whole interventions of about `CHUNK_UNITS` units, so memory does not grow with size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample import places
from etl.sample.dates import Window, month_start, months_of
from etl.sample.formats import day_text
from etl.sample.writer import SampleWriter

CHUNK_UNITS = 2000
UNITS_PER_INTERVENTION = 150
CONTRACT_TYPES = ("standard_full", "vuoto_per_pieno", "altro")
CONTRACT_TYPE_SHARES = (0.76, 0.12, 0.12)
OPENED_BEFORE_HISTORY = 0.55  # share of interventions already managed when the history starts


@dataclass(frozen=True)
class Building:
    code: str
    intervention: int
    address: str
    first_unit: int
    n_units: int


@dataclass(frozen=True)
class Intervention:
    code: str
    name: str
    comune: places.Comune
    quartiere: str
    sgr: str
    fund: str
    contract_type: str
    opening_day: int
    first_unit: int
    n_units: int
    buildings: tuple[int, ...]


@dataclass(frozen=True)
class Portfolio:
    interventions: tuple[Intervention, ...]
    buildings: tuple[Building, ...]
    chunks: tuple[tuple[int, ...], ...]  # intervention indices of each chunk

    @property
    def comuni(self) -> list[str]:
        return sorted({i.comune.name for i in self.interventions})


def split_total(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to `weights`, each at least 1, summing to `total` (largest remainder)."""
    spare = total - len(weights)
    exact = spare * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - parts), kind="stable")
    parts[remainder_order[: spare - parts.sum()]] += 1
    return parts + 1


def _contract_types(sizes: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Give each intervention a gestore contract type so that unit shares come near 76/12/12."""
    targets = np.array(CONTRACT_TYPE_SHARES) * sizes.sum()
    assigned = np.zeros(len(CONTRACT_TYPES))
    types = [""] * len(sizes)
    for i in rng.permutation(len(sizes)):
        choice = int(np.argmax(targets - assigned - sizes[i] / 2))
        types[i] = CONTRACT_TYPES[choice]
        assigned[choice] += sizes[i]
    return types


def _opening_days(n: int, window: Window, rng: np.random.Generator) -> np.ndarray:
    """First day of management: many before the history starts, the rest during it (at least a year before the end)."""
    before = window.first_month - rng.integers(1, 72, n)
    latest = max(window.first_month, window.last_month - 14)
    during = rng.integers(window.first_month, latest + 1, n)
    months = np.where(rng.random(n) < OPENED_BEFORE_HISTORY, before, during)
    return month_start(months)


def _places(n: int, rng: np.random.Generator) -> list[tuple[places.Comune, str]]:
    """Comuni in proportion to their weight (systematic sampling), quartieri taken in turn within each."""
    weights = np.array([c.weight for c in places.COMUNI])
    positions = (rng.random() + np.arange(n)) / n
    chosen = np.searchsorted(np.cumsum(weights / weights.sum()), positions)
    quartieri = {i: rng.permutation(list(places.COMUNI[i].quartieri)).tolist() for i in set(chosen.tolist())}
    result: list[tuple[places.Comune, str]] = []
    for i in rng.permutation(chosen).tolist():
        comune = places.COMUNI[i]
        result.append((comune, quartieri[i][len([r for r in result if r[0] is comune]) % len(quartieri[i])]))
    return result


def _name(quartiere: str, used: dict[str, int], rng: np.random.Generator) -> str:
    base = places.NAME_PATTERNS[rng.integers(len(places.NAME_PATTERNS))].format(q=quartiere)
    used[base] = used.get(base, 0) + 1
    return base if used[base] == 1 else f"{base} - lotto {used[base]}"


def _buildings(index: int, streets: tuple[str, ...], first_unit: int, n_units: int,
               rng: np.random.Generator) -> list[Building]:
    """Three to eight buildings of an intervention, numbered civici along one street."""
    n = min(n_units, int(rng.integers(3, 9)))
    sizes = split_total(n_units, rng.lognormal(0.0, 0.35, n))
    code = f"INT{index + 1:03d}"
    street = streets[rng.integers(len(streets))]
    civico = int(rng.integers(1, 120))
    result, unit = [], first_unit
    for b, size in enumerate(sizes):
        address = f"{street} {civico + 2 * b}"
        result.append(Building(f"{code}-E{b + 1:02d}", index, address, unit, int(size)))
        unit += int(size)
    return result


def plan_portfolio(units: int, window: Window, rng: np.random.Generator) -> Portfolio:
    """Interventions (about one per 150 units, at least 3) with their buildings, and the chunks to make units in."""
    n = min(units, max(3, round(units / UNITS_PER_INTERVENTION)))
    sizes = split_total(units, rng.lognormal(0.0, 0.45, n))
    types = _contract_types(sizes, rng)
    openings = _opening_days(n, window, rng)
    fund_p = np.array([f[2] for f in places.SGR_FUNDS])
    interventions: list[Intervention] = []
    buildings: list[Building] = []
    used: dict[str, int] = {}
    first_unit = 0
    for i, (comune, quartiere) in enumerate(_places(n, rng)):
        sgr, fund, _ = places.SGR_FUNDS[rng.choice(len(fund_p), p=fund_p)]
        code = f"INT{i + 1:03d}"
        own = _buildings(i, comune.quartieri[quartiere], first_unit, int(sizes[i]), rng)
        ids = tuple(range(len(buildings), len(buildings) + len(own)))
        buildings.extend(own)
        interventions.append(Intervention(code, _name(quartiere, used, rng), comune, quartiere, sgr, fund, types[i],
                                          int(openings[i]), first_unit, int(sizes[i]), ids))
        first_unit += int(sizes[i])
    return Portfolio(tuple(interventions), tuple(buildings), _chunks(sizes))


def _chunks(sizes: np.ndarray) -> tuple[tuple[int, ...], ...]:
    chunks, current, filled = [], [], 0
    for i, size in enumerate(sizes):
        current.append(i)
        filled += int(size)
        if filled >= CHUNK_UNITS:
            chunks.append(tuple(current))
            current, filled = [], 0
    if current:
        chunks.append(tuple(current))
    return tuple(chunks)


def write_plan(writer: SampleWriter, portfolio: Portfolio) -> None:
    writer.rows("interventi", (
        (i.code, i.name, i.comune.name, i.quartiere, i.sgr, i.fund, places.GESTORE, i.contract_type,
         day_text(i.opening_day)) for i in portfolio.interventions))
    writer.rows("edifici", (
        (b.code, portfolio.interventions[b.intervention].code, b.address,
         portfolio.interventions[b.intervention].comune.name, portfolio.interventions[b.intervention].quartiere)
        for b in portfolio.buildings))


def opening_month(intervention: Intervention) -> int:
    return int(months_of(np.array([intervention.opening_day]))[0])
