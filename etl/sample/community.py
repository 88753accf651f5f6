"""The gestore's community register (attivita_comunita): what a cooperative's community managers record.

Seed 001's community management, per intervention from its opening: welcome meetings for new tenants each
quarter, assemblies and stair representatives twice or three times a year, common rooms opened every month,
conflict mediations, parties with local associations, shared house rules, one-to-one support, and a concierge
(portierato sociale) where the gestore's contract includes it. Activity grows in the first years of an intervention
and varies from year to year, so that the year-on-year changes mean something.
"""

from __future__ import annotations

import numpy as np

from etl.sample.dates import Window
from etl.sample.formats import day_text
from etl.sample.portfolio import Portfolio

# type: (per year for 150 units, participants range, households range, hours range, on a building, titles)
ACTIVITIES = {
    "accoglienza_ingresso": (4, (3, 12), (2, 8), (1.5, 3), True, ("Incontro di benvenuto ai nuovi inquilini",
                                                                   "Consegna alloggi e visita degli spazi")),
    "rappresentanze_assemblee": (3, (15, 60), (10, 40), (2, 3), False, ("Assemblea degli abitanti",
                                                                       "Incontro con i referenti di scala")),
    "spazi_comuni": (10, (5, 30), (4, 18), (2, 4), True, ("Apertura della sala comune", "Orto condiviso",
                                                          "Laboratorio nella sala comune")),
    "mediazione_conflitti": (5, (2, 6), (2, 3), (1, 3), True, ("Mediazione tra vicini",
                                                              "Incontro di mediazione rumori")),
    "socializzazione": (4, (30, 120), (15, 50), (3, 6), False, ("Festa del cortile", "Cena di quartiere",
                                                                 "Merenda con i bambini")),
    "regolamenti_condivisi": (1, (10, 35), (8, 25), (2, 3), False, ("Regolamento condiviso degli spazi comuni",
                                                                    "Revisione del regolamento interno")),
    "accompagnamento_individuale": (18, (1, 3), (1, 1), (0.5, 2), True, ("Colloquio di accompagnamento",)),
    "altro": (1, (5, 20), (3, 12), (1, 3), False, ("Incontro informativo sul risparmio energetico",)),
}
PARTNERS = ("Associazione di quartiere", "Parrocchia", "Servizi sociali del Comune", "Biblioteca comunale",
            "Cooperativa sociale", "Scuola primaria del quartiere")
CONCIERGE_HOURS = (60, 100)  # a month of portierato sociale, recorded as one line


def _activity_rows(kind: str, intervention, portfolio: Portfolio, day: int, number: int,
                   rng: np.random.Generator) -> tuple:
    _, people, households, hours, on_building, titles = ACTIVITIES[kind]
    building = (portfolio.buildings[int(rng.choice(intervention.buildings))].code if on_building else "")
    partners = PARTNERS[int(rng.integers(len(PARTNERS)))] if kind in ("socializzazione", "altro") else ""
    if kind == "socializzazione" and rng.random() < 0.4:
        partners += f"; Comune di {intervention.comune.name}"
    title = f"{titles[int(rng.integers(len(titles)))]} n. {number}"
    n_people = int(rng.integers(people[0], people[1] + 1))
    n_households = min(int(rng.integers(households[0], households[1] + 1)), n_people)
    return (intervention.code, building, day_text(day), kind, title, str(n_people), str(n_households),
            f"{rng.uniform(*hours):.1f}".replace(".", ","), partners)


def community_rows(portfolio: Portfolio, window: Window, rng: np.random.Generator) -> list[tuple]:
    """Rows of `attivita_comunita` for every intervention, from its opening (or the history's start)."""
    rows: list[tuple] = []
    for index, intervention in enumerate(portfolio.interventions):
        first = max(window.start_day, intervention.opening_day)
        if first > window.end_day:
            continue
        scale = intervention.n_units / 150
        for year_start in range(first, window.end_day + 1, 365):
            year_end = min(year_start + 364, window.end_day)
            share = (year_end - year_start + 1) / 365
            effort = rng.uniform(0.7, 1.3) * min(1.0, 0.6 + 0.2 * (year_start - first) / 365)
            for kind, spec in ACTIVITIES.items():
                n = int(rng.poisson(spec[0] * scale * share * effort))
                days = np.sort(rng.integers(year_start, year_end + 1, n))
                for d in days.tolist():
                    rows.append(_activity_rows(kind, intervention, portfolio, int(d), len(rows) + 1, rng))
            # community and concierge contracts (seed 001), and a concierge in one intervention of four
            if intervention.contract_type == "altro" or index % 4 == 0:
                for month_day in range(year_start + 27, year_end + 1, 30):
                    rows.append((intervention.code, "", day_text(month_day), "portierato_sociale",
                                 f"Portierato sociale, mese n. {len(rows) + 1}", "",
                                 str(int(rng.integers(10, 40))), str(int(rng.integers(*CONCIERGE_HOURS))), ""))
    return rows
