"""Arrears cases (pratiche di morosità): one per arrears episode, following the procedure of domain.md.

Days count from the missed due date t0: apertura; +30 phone and written reminders; +60 meeting and
hardship assessment (incolpevole if the household brings documents, colpevole if it does not show up);
within +90 an instrument (repayment plan, microcredit, hardship fund, insurance, rent reduction, support
programme) or a formal notice (diffida); for debts that persist, eviction within 18-24 months.
The instruments' money (instalments, fund payments, discounts) goes back into the ledger.
About a fifth of the cases still open at the end are stalled: a step is missing past its deadline; for about
two in five episodes of the last eight months nobody has opened a case yet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample.dates import Window, business_day, first_day, months_of
from etl.sample.episodes import LATE, PARTIAL, PERSISTENT, RECOVERED, Episodes
from etl.sample.formats import amount, day_text
from etl.sample.ledger import ABBUONO, CANONE, INCASSO, NO_MONTH, NO_VOCE, EpisodeLedger, Movements
from etl.sample.tenancies import OPEN_END, SFRATTO, Leases

STALLED_SHARE = 0.13
UNOPENED_SHARE, UNOPENED_DAYS = 0.4, 240  # recent episodes nobody has opened a case for yet (early warning)
DRAWS_PER_CASE = 48


@dataclass(frozen=True)
class Episode:
    """One episode's facts, as plain numbers, for the case built on it."""

    kind: int
    t0: int
    first_due: int
    debt: int
    catchup: int
    mora: int
    lease_end: int  # OPEN_END while running
    evicted: bool
    rent: int
    last_month: int
    lease_last_month: int


class Draws:
    """A case's random numbers, drawn up front so that the case can be replayed identically."""

    def __init__(self, values: np.ndarray) -> None:
        self._values = values.tolist()
        self._next = 0

    def uniform(self) -> float:
        value = self._values[self._next % len(self._values)]
        self._next += 1
        return value

    def chance(self, p: float) -> bool:
        return self.uniform() < p

    def days(self, low: int, high: int) -> int:
        return low + int(self.uniform() * (high - low))

    def pick(self, options: tuple[str, ...], weights: tuple[float, ...]) -> str:
        point, total = self.uniform() * sum(weights), 0.0
        for option, weight in zip(options, weights):
            total += weight
            if point < total:
                return option
        return options[-1]


class CaseFile:
    """Events and money of one case, ignoring whatever would happen after `until`."""

    def __init__(self, until: int) -> None:
        self.until = until
        self.events: list[tuple[int, str, int | None, str, str]] = []
        self.payments: list[tuple[int, int, int, int, int]] = []  # day, tipo, voce, month, cents

    def add(self, day: int, event: str, importo: int | None = None, gravita: str = "", note: str = "") -> None:
        """Record an event; offices work on weekdays, but an eviction ends the lease on its very day."""
        day = day if event == "sfratto_eseguito" else business_day(day)
        if day <= self.until:
            self.events.append((day, event, importo, gravita, note))

    def pay(self, day: int, cents: int, tipo: int = INCASSO, voce: int = NO_VOCE, month: int = NO_MONTH) -> None:
        day = business_day(day)
        if day <= self.until and cents > 0:
            self.payments.append((day, tipo, voce, month, cents))

    @property
    def closed(self) -> bool:
        return any(e[1].startswith("chiusura") for e in self.events)

    def sorted_events(self) -> list[tuple[int, str, int | None, str, str]]:
        seen, result = set(), []
        for event in sorted(self.events, key=lambda e: e[0]):
            if (event[0], event[1]) not in seen:
                seen.add((event[0], event[1]))
                result.append(event)
        return result


def _open(case: CaseFile, ep: Episode, d: Draws) -> None:
    case.add(ep.t0 + d.days(3, 12), "apertura", ep.first_due)


def _remind(case: CaseFile, ep: Episode, d: Draws) -> None:
    case.add(ep.t0 + d.days(28, 33), "sollecito_telefonico")
    case.add(ep.t0 + d.days(33, 40), "sollecito_scritto", note="Lettera di sollecito con applicazione degli interessi")


def _assess(case: CaseFile, ep: Episode, d: Draws, *, shows_up: bool, gravita: str) -> None:
    if shows_up:
        day = ep.t0 + d.days(55, 65)
        case.add(day, "incontro", note="Incontro allo sportello" if d.chance(0.7) else "Visita domiciliare")
        case.add(day, "valutazione_disagio", gravita=gravita)
        case.add(day + d.days(3, 12), "incolpevole", note="Documentazione presentata")
    else:
        case.add(ep.t0 + d.days(62, 75), "colpevole", note="Il nucleo non si è presentato all'incontro")


def _plan(case: CaseFile, d: Draws, day: int, debt: int) -> None:
    """Repayment plan of 6-18 monthly instalments; some plans fail and lead to a formal notice."""
    n = d.days(6, 19)
    instalment = debt // n
    case.add(day, "piano_rientro", debt, note=f"{n} rate mensili da {amount(instalment)} euro")
    paid_rates = d.days(1, n) if d.chance(0.15) else n
    for k in range(1, paid_rates + 1):
        case.pay(day + 30 * k, instalment if k < n else debt - instalment * (n - 1))
    if paid_rates < n:
        case.add(day + 30 * paid_rates + d.days(45, 75), "diffida", debt - instalment * paid_rates,
                 note="Piano di rientro non rispettato")
    else:
        case.add(day + 30 * n, "chiusura_saldo")


def _lump(case: CaseFile, d: Draws, day: int, instrument: str, debt: int, delay: tuple[int, int]) -> None:
    """An instrument that pays the debt in one go: microcredit, insurance, a hardship fund (maybe in part)."""
    covered = debt if instrument != "fondo_solidarieta" else int(debt * (0.5 + 0.5 * d.uniform()))
    case.add(day, instrument, covered)
    paid_on = day + d.days(*delay)
    case.pay(paid_on, covered)
    if covered < debt:
        paid_on += d.days(20, 80)
        case.pay(paid_on, debt - covered)
    case.add(paid_on, "chiusura_saldo")


def _late(case: CaseFile, ep: Episode, d: Draws) -> None:
    _open(case, ep, d)
    if ep.catchup > ep.t0 + 30:
        _remind(case, ep, d)
    if ep.catchup > ep.t0 + 60:
        _assess(case, ep, d, shows_up=True, gravita="lieve")
    case.add(ep.catchup, "chiusura_saldo", ep.debt + ep.mora)


def _recovered(case: CaseFile, ep: Episode, d: Draws) -> None:
    _open(case, ep, d)
    _remind(case, ep, d)
    shows_up = d.chance(0.85)
    _assess(case, ep, d, shows_up=shows_up, gravita="lieve" if d.chance(0.65) else "grave")
    if not shows_up:
        case.add(ep.t0 + d.days(76, 84), "diffida", ep.debt)
    day, debt = ep.t0 + d.days(80, 90), ep.debt + ep.mora
    instrument = d.pick(("piano_rientro", "microcredito", "fondo_solidarieta", "assicurazione", "programma_supporto"),
                        (0.50, 0.12, 0.20, 0.05, 0.13))
    if instrument == "programma_supporto":
        case.add(day, instrument, note="Percorso di accompagnamento con i servizi sociali")
        _plan(case, d, day + d.days(5, 20), debt)
    elif instrument == "piano_rientro":
        _plan(case, d, day, debt)
    else:
        _lump(case, d, day, instrument, debt, (20, 60))


def _rent_cut(case: CaseFile, ep: Episode, d: Draws, day: int) -> int:
    """A temporary 25% rent reduction, booked as monthly abbuoni; returns what it forgives."""
    months = d.days(6, 13)
    cut = round(ep.rent * 0.25)
    case.add(day, "riduzione_canone", cut * months, note=f"Riduzione del 25% del canone per {months} mesi")
    month = int(months_of(np.asarray(day))) + 1
    forgiven = 0
    for m in range(month, min(month + months, ep.lease_last_month + 1)):
        case.pay(first_day(m), cut, ABBUONO, CANONE, m)
        forgiven += cut if first_day(m) <= case.until else 0
    return forgiven


def _partial(case: CaseFile, ep: Episode, d: Draws) -> None:
    _open(case, ep, d)
    _remind(case, ep, d)
    _assess(case, ep, d, shows_up=d.chance(0.8), gravita="lieve")
    day = ep.t0 + d.days(80, 90)
    if d.chance(0.5):
        forgiven = _rent_cut(case, ep, d, day)
    else:
        case.add(day, "programma_supporto", note="Educazione al bilancio familiare")
        forgiven = 0
    settle_day = first_day(ep.last_month + 1) + d.days(10, 80)
    if d.chance(0.5):
        case.pay(settle_day, ep.debt + ep.mora - forgiven)
        case.add(settle_day, "chiusura_saldo")
    elif ep.lease_end != OPEN_END:
        case.add(ep.lease_end + d.days(20, 90), "chiusura_altro", note="Debito residuo affidato al recupero crediti")


def _eviction(case: CaseFile, ep: Episode, d: Draws, after: int) -> None:
    """Eviction: started, validated by the court, carried out on the day the lease ended."""
    started = max(min(ep.t0 + d.days(150, 270), ep.lease_end - 150), after + 30)
    validated = max(min(started + d.days(90, 200), ep.lease_end - 20), started + 30)
    case.add(started, "sfratto_avviato")
    case.add(validated, "sfratto_convalidato")
    case.add(ep.lease_end, "sfratto_eseguito")
    case.add(ep.lease_end + d.days(5, 40), "chiusura_altro", note="Debito residuo affidato al recupero crediti")


def _persistent(case: CaseFile, ep: Episode, d: Draws) -> None:
    _open(case, ep, d)
    _remind(case, ep, d)
    shows_up = d.chance(0.35)
    _assess(case, ep, d, shows_up=shows_up, gravita="grave")
    day = ep.t0 + d.days(80, 90)
    if shows_up:
        fund = int(ep.first_due * 3 * (0.2 + 0.2 * d.uniform()))
        case.add(day, "fondo_solidarieta", fund)
        case.pay(day + d.days(20, 60), fund)
    else:
        case.add(day, "diffida", ep.first_due * 3)
    if ep.evicted:
        _eviction(case, ep, d, day)
    elif ep.lease_end != OPEN_END:
        case.add(ep.lease_end + d.days(20, 120), "chiusura_altro", note="Nucleo uscito con debito residuo")
    elif d.chance(0.85):
        started = ep.t0 + d.days(240, 400)
        case.add(started, "sfratto_avviato")
        case.add(started + d.days(150, 300), "sfratto_convalidato")


BUILDERS = {LATE: _late, RECOVERED: _recovered, PARTIAL: _partial, PERSISTENT: _persistent}


def _facts(episodes: Episodes, money: EpisodeLedger, leases: Leases, window: Window) -> list[Episode]:
    lease = episodes.lease
    lease_last = np.where(leases.active, window.last_month, months_of(np.minimum(leases.end, window.end_day)))
    columns = (episodes.kind, money.t0, money.first_due, money.debt, money.catchup, money.mora, leases.end[lease],
               leases.motivo[lease] == SFRATTO, leases.rent_cents[lease], episodes.last, lease_last[lease])
    return [Episode(*row) for row in zip(*(np.asarray(c).tolist() for c in columns))]


def _replay(ep: Episode, values: np.ndarray, until: int) -> CaseFile:
    case = CaseFile(until)
    BUILDERS[ep.kind](case, ep, Draws(values))
    return case


def _case(ep: Episode, rng: np.random.Generator, end_day: int) -> CaseFile:
    """The case of one episode; some open ones stall, a step missing since before the end."""
    values = rng.random(DRAWS_PER_CASE)
    stalls = rng.random() < STALLED_SHARE
    if not stalls and ep.t0 > end_day - UNOPENED_DAYS and values[-1] < UNOPENED_SHARE:
        return CaseFile(ep.t0 - 1)  # no case yet: the contract is only on the early-warning list
    case = _replay(ep, values, end_day)
    if case.closed or not stalls:
        return case
    candidates = [day for day in sorted({e[0] for e in case.events})[1:] if day <= end_day - 35]
    if not candidates:
        return case
    return _replay(ep, values, candidates[int(rng.integers(len(candidates)))] - 1)


def build_cases(episodes: Episodes, money: EpisodeLedger, leases: Leases, window: Window, rng: np.random.Generator,
                first_number: int) -> tuple[list[tuple[str, ...]], Movements]:
    """Rows of pratiche_morosita for the chunk's episodes, and the payments their instruments bring."""
    rows: list[tuple[str, ...]] = []
    payments: list[tuple[int, int, int, int, int, int]] = []
    for i, ep in enumerate(_facts(episodes, money, leases, window)):
        case = _case(ep, rng, window.end_day)
        code, lease = f"PM{first_number + i:06d}", int(episodes.lease[i])
        for day, event, importo, gravita, note in case.sorted_events():
            rows.append((code, leases.code[lease], day_text(day), event, "" if importo is None else amount(importo),
                         gravita, note))
        payments.extend((lease, *p) for p in case.payments)
    if not payments:
        return rows, Movements.of([], [], 0, 0, 0, [])
    return rows, Movements.of(*(np.array(c) for c in zip(*payments)))
