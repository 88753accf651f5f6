"""The tenants' ledger (movimenti), built for a whole chunk at once with numpy: one row per movement.

Every month each running lease is charged rent (canone) and service charges (spese); tenants pay by
direct debit, by payment slip, a little late, or a quarter in advance; arrears episodes (see
`episodes`) hold payments back. Yearly conguagli, late-payment interest (mora), corrections and
write-offs (stralci) complete it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from etl.sample.dates import Window, month_length, month_start, months_of, to_business_day
from etl.sample.episodes import LATE, PARTIAL, PERSISTENT, RECOVERED, Episodes, lease_month_span
from etl.sample.formats import amount_texts, day_texts, month_texts
from etl.sample.tenancies import RENT_INDEXATION, Leases
from etl.sample.units import UnitBatch

TIPI = ("addebito", "incasso", "storno", "abbuono", "stralcio")
ADDEBITO, INCASSO, STORNO, ABBUONO, STRALCIO = range(5)
VOCI = ("canone", "spese", "conguaglio", "mora", "altro", "")
CANONE, SPESE, CONGUAGLIO, MORA, ALTRO, NO_VOCE = range(6)
NO_MONTH = -1
CHARGES_INFLATION = 0.025
PAYER_SHARES = np.array([0.38, 0.42, 0.14, 0.06])  # direct debit, payment slip, a little late, quarterly ahead
DIRECT_DEBIT, SLIP, TARDY, QUARTERLY = range(4)
CONGUAGLIO_MONTH = 4  # May: last year's service charges are settled
WRITE_OFF_SHARE = 0.2  # former tenants' debts written off 8 to 30 months after they left
WRITE_BATCH = 250_000  # rows formatted at a time


@dataclass
class Movements:
    lease: np.ndarray
    day: np.ndarray
    tipo: np.ndarray
    voce: np.ndarray
    month: np.ndarray
    cents: np.ndarray

    @classmethod
    def of(cls, lease, day, tipo, voce, month, cents) -> Movements:
        lease = np.asarray(lease, dtype=np.int64)
        day, tipo, voce, month = (np.broadcast_to(np.asarray(v, dtype=np.int64), lease.shape).copy()
                                  for v in (day, tipo, voce, month))
        return cls(lease, day, tipo, voce, month, np.asarray(cents, dtype=np.int64))

    @classmethod
    def concat(cls, parts: list[Movements]) -> Movements:
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))

    def where(self, mask: np.ndarray) -> Movements:
        return Movements(*(getattr(self, f.name)[mask] for f in fields(self)))

    def __len__(self) -> int:
        return len(self.lease)


@dataclass
class LeaseMonths:
    """One row per lease and month of the history in which the lease runs."""

    lease: np.ndarray
    month: np.ndarray
    charge_day: np.ndarray
    rent: np.ndarray
    charges: np.ndarray
    first_row: np.ndarray  # per lease: its first row
    first_month: np.ndarray  # per lease: the month of that row

    def rows_of(self, lease: np.ndarray, month: np.ndarray) -> np.ndarray:
        return self.first_row[lease] + (month - self.first_month[lease])


def lease_months(leases: Leases, units: UnitBatch, window: Window) -> LeaseMonths:
    first, last = lease_month_span(leases, window)
    count = np.maximum(last - first + 1, 0)
    first_row = np.cumsum(count) - count
    lease = np.repeat(np.arange(len(leases)), count)
    month = first[lease] + np.arange(int(count.sum())) - first_row[lease]
    starts = month_start(month)
    length = month_length(month)
    days = np.minimum(leases.end[lease], starts + length - 1) - np.maximum(leases.start[lease], starts) + 1
    share = days / length
    years_running = (month - months_of(leases.start)[lease]) // 12
    rent = np.round(leases.rent_cents[lease] * (1 + RENT_INDEXATION) ** years_running * share)
    growth = (1 + CHARGES_INFLATION) ** (month // 12 - window.last_year)  # updated every January
    charges = np.round(units.charges_cents[leases.unit][lease] * growth * share)
    charge_day = np.maximum(starts, leases.start[lease])
    return LeaseMonths(lease, month, charge_day, rent.astype(np.int64), charges.astype(np.int64), first_row, first)


@dataclass
class EpisodeLedger:
    """What each arrears episode looks like in the ledger, for the cases that follow it."""

    t0: np.ndarray  # due date of the first month not paid as billed
    first_due: np.ndarray
    debt: np.ndarray  # amount held back in the episode (for LATE: paid at `catchup`)
    catchup: np.ndarray
    mora: np.ndarray  # late-payment interest charged, 0 if none


def _charges(lm: LeaseMonths) -> Movements:
    return Movements.concat([
        Movements.of(lm.lease, lm.charge_day, ADDEBITO, CANONE, lm.month, lm.rent),
        Movements.of(lm.lease, lm.charge_day, ADDEBITO, SPESE, lm.month, lm.charges),
    ])


def _adjustments(lm: LeaseMonths, leases: Leases, rng: np.random.Generator) -> tuple[Movements, np.ndarray]:
    """Yearly conguaglio, billing corrections (storni) and discounts (abbuoni), and how each changes the bill."""
    n = len(lm.month)
    running = lm.month - months_of(leases.start)[lm.lease]
    settle = (lm.month % 12 == CONGUAGLIO_MONTH) & (running >= 12)
    conguaglio = np.where(settle, np.round(lm.charges * 12 * rng.normal(0.03, 0.09, n)), 0).astype(np.int64)
    storno = np.where(rng.random(n) < 0.003, lm.charges, 0)
    discount = np.where(rng.random(n) < 0.001, np.round(lm.rent * rng.uniform(0.1, 0.3, n)), 0).astype(np.int64)
    later = to_business_day(lm.charge_day + rng.integers(3, 20, n))
    up, down, st, ab = conguaglio > 0, conguaglio < 0, storno > 0, discount > 0
    moves = Movements.concat([
        Movements.of(lm.lease[up], lm.charge_day[up], ADDEBITO, CONGUAGLIO, lm.month[up], conguaglio[up]),
        Movements.of(lm.lease[down], lm.charge_day[down], STORNO, CONGUAGLIO, lm.month[down], -conguaglio[down]),
        Movements.of(lm.lease[st], later[st], STORNO, SPESE, lm.month[st], storno[st]),
        Movements.of(lm.lease[ab], later[ab], ABBUONO, CANONE, lm.month[ab], discount[ab]),
    ])
    return moves, conguaglio - storno - discount


def _payment_days(lm: LeaseMonths, n_leases: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """When each bill is paid if all goes well, by the lease's way of paying; and that way per row."""
    n = len(lm.month)
    payer = rng.choice(len(PAYER_SHARES), size=n_leases, p=PAYER_SHARES)[lm.lease]
    offset = np.select([payer == DIRECT_DEBIT, payer == SLIP, payer == TARDY],
                       [np.full(n, 9), rng.integers(0, 15, n), rng.integers(12, 28, n)], 0)
    usual = np.maximum(month_start(lm.month) + offset, lm.charge_day)
    quarter = np.maximum(lm.month - lm.month % 3, lm.first_month[lm.lease])
    ahead = month_start(quarter) + rng.integers(0, 10, n_leases)[lm.lease]
    return to_business_day(np.where(payer == QUARTERLY, ahead, usual)), payer


def _first_billed(lm: LeaseMonths, episodes: Episodes) -> np.ndarray:
    """The first month of each episode that the history covers (an old eviction's began before it)."""
    return np.maximum(episodes.first, lm.first_month[episodes.lease])


def _episode_rows(lm: LeaseMonths, episodes: Episodes) -> tuple[np.ndarray, np.ndarray]:
    """Lease-month rows inside each episode, and the episode of each such row."""
    first = _first_billed(lm, episodes)
    length = episodes.last - first + 1
    episode = np.repeat(np.arange(len(episodes)), length)
    month = first[episode] + np.arange(int(length.sum())) - np.repeat(np.cumsum(length) - length, length)
    return lm.rows_of(episodes.lease[episode], month), episode


def _held_back(lm: LeaseMonths, episodes: Episodes, pay_day: np.ndarray, rng: np.random.Generator):
    """Share of each bill paid and its payment day once arrears episodes are applied."""
    share = np.ones(len(lm.month))
    rows, episode = _episode_rows(lm, episodes)
    kind = episodes.kind[episode]
    catchup = to_business_day(month_start(episodes.last + 1) + rng.integers(0, 21, len(episodes)))
    draw = rng.random(len(rows))
    partial = np.where(draw < 0.6, rng.uniform(0.4, 0.9, len(rows)), 1.0)
    persistent = np.where(draw < 0.75, 0.0, rng.uniform(0.2, 0.6, len(rows)))
    share[rows] = np.select([kind == RECOVERED, kind == PARTIAL, kind == PERSISTENT], [0.0, partial, persistent], 1.0)
    pay_day = pay_day.copy()
    pay_day[rows] = np.where(kind == LATE, catchup[episode], pay_day[rows])
    return share, pay_day, catchup, rows, episode


def _payments(lm: LeaseMonths, paid: np.ndarray, pay_day: np.ndarray, overpay: np.ndarray,
              rng: np.random.Generator) -> Movements:
    """One incasso per paid bill; a few rounded up, a few split into two equal payments on the same day."""
    paid = np.where(overpay, (paid + 999) // 1000 * 1000, paid)
    split = (rng.random(len(paid)) < 0.004) & (paid >= 2)
    whole = (paid > 0) & ~split
    half = paid[split] // 2
    return Movements.concat([
        Movements.of(lm.lease[whole], pay_day[whole], INCASSO, NO_VOCE, lm.month[whole], paid[whole]),
        Movements.of(lm.lease[split], pay_day[split], INCASSO, NO_VOCE, lm.month[split], half),
        Movements.of(lm.lease[split], pay_day[split], INCASSO, NO_VOCE, lm.month[split], half),
    ])


def _late_interest(episodes: Episodes, first_due: np.ndarray, catchup: np.ndarray, t0: np.ndarray):
    """Mora charged 35 days after a missed due date; a late payer pays it with the arrears."""
    day = to_business_day(t0 + 35)
    charged = (episodes.kind != LATE) | (catchup > day)
    mora = np.where(charged, np.maximum(500, np.round(first_due * 0.025)), 0).astype(np.int64)
    paid_late = charged & (episodes.kind == LATE)
    moves = Movements.concat([
        Movements.of(episodes.lease[charged], day[charged], ADDEBITO, MORA, episodes.first[charged], mora[charged]),
        Movements.of(episodes.lease[paid_late], catchup[paid_late], INCASSO, NO_VOCE, episodes.first[paid_late],
                     mora[paid_late]),
    ])
    return moves, mora


def build_ledger(lm: LeaseMonths, leases: Leases, episodes: Episodes,
                 rng: np.random.Generator) -> tuple[Movements, EpisodeLedger]:
    """Charges, adjustments and payments of the chunk, and each episode's figures for its case."""
    adjustments, change = _adjustments(lm, leases, rng)
    due = np.maximum(lm.rent + lm.charges + change, 0)
    usual_day, payer = _payment_days(lm, len(leases), rng)
    share, pay_day, catchup, rows, episode = _held_back(lm, episodes, usual_day, rng)
    paid = np.round(due * share).astype(np.int64)
    overpay = (payer == SLIP) & (share == 1.0) & (rng.random(len(due)) < 0.01)
    held = np.where(episodes.kind[episode] == LATE, due[rows], due[rows] - paid[rows])
    debt = np.bincount(episode, weights=held, minlength=len(episodes)).astype(np.int64)
    first_due = due[lm.rows_of(episodes.lease, _first_billed(lm, episodes))]
    t0 = month_start(episodes.first) + 9
    interest, mora = _late_interest(episodes, first_due, catchup, t0)
    moves = Movements.concat([_charges(lm), adjustments, _payments(lm, paid, pay_day, overpay, rng), interest])
    return moves, EpisodeLedger(t0, first_due, debt, catchup, mora)



def write_offs(moves: Movements, leases: Leases, window: Window, rng: np.random.Generator) -> Movements:
    """Stralci of the remaining debt of some former tenants."""
    sign = np.where(moves.tipo == ADDEBITO, 1, -1)
    balance = np.round(np.bincount(moves.lease, weights=sign * moves.cents, minlength=len(leases))).astype(np.int64)
    day = to_business_day(np.minimum(leases.end, window.end_day) + rng.integers(240, 900, len(leases)))
    chosen = ~leases.active & (balance >= 100) & (rng.random(len(leases)) < WRITE_OFF_SHARE) & (day <= window.end_day)
    idx = np.nonzero(chosen)[0]
    return Movements.of(idx, day[idx], STRALCIO, NO_VOCE, NO_MONTH, balance[idx])


def within_history(moves: Movements, window: Window) -> Movements:
    """Only what happened during the history (not before it, not after the end date), with positive amounts."""
    return moves.where((moves.day >= window.start_day) & (moves.day <= window.end_day) & (moves.cents > 0))



def write_movements(writer, moves: Movements, leases: Leases) -> None:
    """Append the chunk's movements sorted by contract, date and type, in batches to bound memory."""
    order = np.lexsort((moves.voce, moves.tipo, moves.day, moves.lease))
    tipi, voci = np.array(TIPI, dtype=object), np.array(VOCI, dtype=object)
    for lo in range(0, len(order), WRITE_BATCH):
        idx = order[lo:lo + WRITE_BATCH]
        writer.columns("movimenti", [
            leases.code[moves.lease[idx]], day_texts(moves.day[idx]), tipi[moves.tipo[idx]],
            amount_texts(moves.cents[idx]), voci[moves.voce[idx]], month_texts(moves.month[idx], missing=NO_MONTH),
        ])
