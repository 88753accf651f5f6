"""Arrears episodes: the stretches of months in which a tenancy is not paid as billed.

Four kinds drive both the ledger and the arrears cases (pratiche):
LATE, months paid together a month or two later; RECOVERED, two or three months unpaid and then
repaid through an instrument agreed in the case (repayment plan, microcredit, hardship fund);
PARTIAL, months paid in part; PERSISTENT, months mostly unpaid until the tenancy ends (often by
eviction) or until today, which make the long tail of old debts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample.dates import Window, months_of
from etl.sample.households import Households
from etl.sample.tenancies import SFRATTO, Leases

LATE, RECOVERED, PARTIAL, PERSISTENT = range(4)
KIND_SHARES = np.array([0.55, 0.28, 0.17])  # LATE, RECOVERED, PARTIAL among the episodes that end by themselves
KIND_MONTHS = ((1, 3), (2, 4), (6, 16))  # half-open ranges of their length in months
EPISODES_PER_YEAR = (0.05, 0.18)  # ordinary and fragile households
PERSISTENT_SHARE = {"active": (0.05, 0.11), "left": (0.12, 0.20)}  # ordinary and fragile households


@dataclass
class Episodes:
    lease: np.ndarray
    kind: np.ndarray
    first: np.ndarray  # first month not paid as billed
    last: np.ndarray  # last such month, inclusive

    def __len__(self) -> int:
        return len(self.lease)


def lease_month_span(leases: Leases, window: Window) -> tuple[np.ndarray, np.ndarray]:
    """First and last month of each lease inside the history."""
    first = np.maximum(months_of(leases.start), window.first_month)
    last = np.where(leases.active, window.last_month, np.minimum(months_of(np.minimum(leases.end, window.end_day)),
                                                                window.last_month))
    return first, last


def _persistent_share(leases: Leases, households: Households) -> np.ndarray:
    group = np.where(leases.active, "active", "left")
    shares = np.array([PERSISTENT_SHARE[g] for g in ("active", "left")])  # rows: active, left; cols: ordinary, fragile
    return shares[(group == "left").astype(int), households.fragile.astype(int)]


def _persistent(leases: Leases, households: Households, span, rng: np.random.Generator) -> Episodes:
    """Evicted tenancies stop paying 15-30 months before the eviction; some others stop before leaving or now."""
    _, last_month = span
    n = len(leases)
    evicted = leases.motivo == SFRATTO
    chosen = evicted | (rng.random(n) < _persistent_share(leases, households))
    months_back = np.where(evicted, rng.integers(15, 31, n),
                           np.where(leases.active, rng.integers(1, 35, n), rng.integers(2, 13, n)))
    # An eviction near the start of the history began before it: the case is older than the ledger.
    first = np.minimum(np.maximum(last_month - months_back, months_of(leases.start) + 3), last_month)
    idx = np.nonzero(chosen)[0]
    return Episodes(idx, np.full(len(idx), PERSISTENT, dtype=np.int8), first[idx], last_month[idx])


def _ordinary(leases: Leases, households: Households, span, limit: np.ndarray, rng) -> list[Episodes]:
    """Up to two self-ending episodes per lease, before `limit` (the start of a persistent one)."""
    first_month, _ = span
    rate = np.where(households.fragile, EPISODES_PER_YEAR[1], EPISODES_PER_YEAR[0])
    count = np.minimum(rng.poisson(rate * np.maximum(limit - first_month, 0) / 12), 2)
    slots = []
    for slot in range(2):
        kind = rng.choice(3, size=len(leases), p=KIND_SHARES).astype(np.int8)
        bounds = np.array(KIND_MONTHS)[kind]
        length = rng.integers(bounds[:, 0], bounds[:, 1])
        first = first_month + (rng.random(len(leases)) * np.maximum(limit - first_month - length, 0)).astype(np.int64)
        ok = (count > slot) & (first + length <= limit)
        idx = np.nonzero(ok)[0]
        slots.append(Episodes(idx, kind[idx], first[idx], first[idx] + length[idx] - 1))
    return slots


def _without_overlaps(episodes: Episodes) -> Episodes:
    order = np.lexsort((episodes.first, episodes.lease))
    lease, first, last = episodes.lease[order], episodes.first[order], episodes.last[order]
    clash = np.zeros(len(order), dtype=bool)
    clash[1:] = (lease[1:] == lease[:-1]) & (first[1:] <= last[:-1] + 3)
    keep = order[~clash]
    return Episodes(episodes.lease[keep], episodes.kind[keep], episodes.first[keep], episodes.last[keep])


def assign_episodes(leases: Leases, households: Households, window: Window, rng: np.random.Generator) -> Episodes:
    span = lease_month_span(leases, window)
    persistent = _persistent(leases, households, span, rng)
    limit = span[1].copy() + 1
    limit[persistent.lease] = persistent.first - 3
    parts = [persistent, *_ordinary(leases, households, span, limit, rng)]
    merged = Episodes(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("lease", "kind", "first", "last")))
    return _without_overlaps(merged)
