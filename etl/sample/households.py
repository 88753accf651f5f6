"""Households (nuclei): one per lease, with size, income band, ISEE, work and social-services status.

Each carries a fake name and codice fiscale of the lease holder. `fragile` households, poorer and
without work, are the ones more likely to fall into arrears later.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.sample import people
from etl.sample.dates import DAYS_PER_YEAR, to_date
from etl.sample.formats import amount, yes_no
from etl.sample.tenancies import Leases
from etl.sample.units import UnitBatch
from etl.sample.writer import SampleWriter

FASCE = ("protezione", "accesso", "permanenza", "decadenza")
FASCIA_SHARES = np.array([0.18, 0.47, 0.30, 0.05])
ISEE_EUR = ((2_000, 9_000), (9_000, 18_000), (18_000, 30_000), (30_000, 45_000))
MEMBERS_BY_TIPOLOGIA = (  # probabilities of 1..6 members in a mono-, bi-, tri-, quadrilocale
    (0.75, 0.25, 0, 0, 0, 0), (0.35, 0.45, 0.20, 0, 0, 0),
    (0, 0.30, 0.35, 0.25, 0.10, 0), (0, 0, 0.25, 0.35, 0.25, 0.15),
)
FOREIGN_SHARE = 0.22


@dataclass
class Households:
    members: np.ndarray
    fascia: np.ndarray
    isee_cents: np.ndarray
    social_services: np.ndarray
    employed: np.ndarray
    unemployed: np.ndarray
    fragile: np.ndarray
    holder_age: np.ndarray


def _members(tipologia: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cumulative = np.cumsum(np.array(MEMBERS_BY_TIPOLOGIA)[tipologia], axis=1)
    return 1 + (rng.random(len(tipologia))[:, None] > cumulative).sum(axis=1)


def households_for_leases(leases: Leases, units: UnitBatch, rng: np.random.Generator) -> Households:
    n = len(leases)
    members = _members(units.tipologia[leases.unit], rng)
    fascia = rng.choice(len(FASCE), size=n, p=FASCIA_SHARES)
    bounds = np.array(ISEE_EUR)[fascia]
    isee = np.round(rng.uniform(bounds[:, 0], bounds[:, 1]) * 100).astype(np.int64)
    age = np.clip(rng.normal(46, 14, n), 22, 85).astype(np.int64)
    adults = np.minimum(members, 1 + (members > 1) * rng.integers(0, 3, n))
    working_age = age < 65
    employed = np.where(working_age, rng.binomial(adults, np.where(fascia == 0, 0.35, 0.75)), 0)
    unemployed = rng.binomial(adults - employed, np.where(working_age, 0.45, 0.1))
    fragile = (fascia == 0) | ((employed == 0) & working_age)
    social = rng.random(n) < 0.04 + 0.18 * fragile
    return Households(members, fascia, isee, social, employed, unemployed, fragile, age)


def _holder(start_day: int, age: int, rng: np.random.Generator) -> tuple[str, str]:
    """'Cognome Nome' and codice fiscale of a lease holder aged `age` when the lease started."""
    female = bool(rng.random() < 0.5)
    surnames: tuple[str, ...]
    males: tuple[str, ...]
    females: tuple[str, ...]
    if rng.random() < FOREIGN_SHARE:
        place, surnames, males, females = people.FOREIGN[rng.integers(len(people.FOREIGN))]
    else:
        place = people.ITALIAN_BIRTHPLACES[rng.integers(len(people.ITALIAN_BIRTHPLACES))]
        surnames, males, females = people.SURNAMES, people.MALE_NAMES, people.FEMALE_NAMES
    surname = surnames[rng.integers(len(surnames))]
    name = (females if female else males)[rng.integers(len(females if female else males))]
    birth = to_date(start_day - int(age * DAYS_PER_YEAR) - int(rng.integers(0, 365)))
    return f"{surname} {name}", people.codice_fiscale(surname, name, birth, female, place)


# ISEE equivalence scale by household size (DPCM 159/2013): 1; 1,57; 2,04; 2,46; 2,85; +0,35 each further member.
EQUIVALENCE_SCALE = (1.0, 1.57, 2.04, 2.46, 2.85)


def income_cents(isee_cents: int, members: int) -> int:
    """The household's yearly income behind its ISEE: ISEE × the equivalence scale of its size (assets aside)."""
    scale = EQUIVALENCE_SCALE[min(members, 5) - 1] + 0.35 * max(members - 5, 0)
    return int(round(isee_cents * scale / 100)) * 100


def write_households(writer: SampleWriter, households: Households, leases: Leases, rng: np.random.Generator) -> None:
    h = households
    rows = []
    for i, (code, start) in enumerate(zip(leases.household, leases.start.tolist())):
        name, cf = _holder(start, int(h.holder_age[i]), rng)
        rows.append((code, name, cf, str(h.members[i]), FASCE[h.fascia[i]], amount(h.isee_cents[i]),
                     yes_no(h.social_services[i]), str(h.employed[i]), str(h.unemployed[i]),
                     amount(income_cents(int(h.isee_cents[i]), int(h.members[i])))))
    writer.rows("nuclei", rows)
